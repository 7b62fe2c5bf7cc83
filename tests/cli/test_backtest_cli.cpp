// End-to-end tests of `itrade backtest` and `itrade runs` on the bundled sample: the blueprint's
// command, the run directory, the registry and the trial count.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using cli_runner::CliTest;
using cli_runner::CommandRun;
using cli_runner::itrade;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The run id printed by "run <id> saved in <dir>".
std::string run_id(const std::string& output) {
  const auto at = output.find("\nrun ");
  if (at == std::string::npos) return "";
  const auto end = output.find(' ', at + 5);
  return output.substr(at + 5, end - at - 5);
}

class BacktestCliTest : public CliTest {
 protected:
  // The blueprint's command, with a small model so that the test stays quick under sanitizers.
  std::string blueprint(const std::string& target = "direction_5", const std::string& start = "2024-01-01") const {
    return "backtest --features sma_5,sma_20,rsi_14,volume_ratio,atr_14 --target " + target +
           " --tickers AAPL,MSFT,GOOGL --start " + start + " --end 2024-12-31 --models-config " + models_.string() +
           " --runs " + runs_.string() + " --importance-repeats 1";
  }
  void SetUp() override {
    CliTest::SetUp();
    models_ = dir_ / "models.yaml";
    runs_ = dir_ / "runs";
    std::ofstream(models_) << "models:\n"
                              "  quick:\n"
                              "    framework: lightgbm\n"
                              "    task: classification\n"
                              "    target: direction_5\n"
                              "    hyperparameters: { num_leaves: 7, learning_rate: 0.1, n_estimators: 30,\n"
                              "                       early_stopping_rounds: 10 }\n"
                              "    enabled: true\n";
  }
  fs::path models_;
  fs::path runs_;
};

TEST_F(BacktestCliTest, BlueprintCommandGivesAnOutOfSampleAnswerAndRecordsTheRun) {
  const CommandRun run = itrade(blueprint());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // The sample starts 2024-08-09: the output says which part of the requested year was used.
  EXPECT_TRUE(contains(run.output, "requested 2024-01-01 .. 2024-12-31; the data covers 2024-08-09 .. 2024-12-31"))
      << run.output;
  // Too short for a year-long training window: the fallback, with its folds printed.
  EXPECT_TRUE(contains(run.output, "shorter than one blueprint fold")) << run.output;
  EXPECT_TRUE(contains(run.output, "fold 1/")) << run.output;   // progress on stderr
  EXPECT_TRUE(contains(run.output, "  fold 2: fit")) << run.output;
  for (const char* part : {"Sharpe", "Sortino", "max drawdown", "win rate", "profit factor", "trades",
                           "deflated Sharpe", "1 trial(s) on this data", "top features by gain"}) {
    EXPECT_TRUE(contains(run.output, part)) << part << "\n" << run.output;
  }
  const std::string id = run_id(run.output);
  ASSERT_FALSE(id.empty()) << run.output;
  const fs::path dir = runs_ / id;
  for (const char* file : {"config.json", "metrics.json", "trades.csv", "equity.csv", "predictions.csv",
                           "importance.csv", "folds/fold_1/booster.json", "report.html"}) {
    EXPECT_TRUE(fs::exists(dir / file)) << file;
  }
  EXPECT_TRUE(fs::exists(runs_ / "registry.sqlite"));
  const std::string metrics = read(dir / "metrics.json");
  EXPECT_TRUE(contains(metrics, "\"sharpe\"")) << metrics;
  EXPECT_TRUE(contains(metrics, "\"runs_on_same_data\": 1")) << metrics;
  // The backtest starts at the first out-of-sample bar, never before.
  const std::string equity = read(dir / "equity.csv");
  const std::string predictions = read(dir / "predictions.csv");
  ASSERT_GT(equity.size(), 40u);
  const std::string first_equity_time = equity.substr(equity.find('\n') + 1, 20);
  EXPECT_TRUE(contains(metrics, "\"evaluated_from\": \"" + first_equity_time)) << first_equity_time << "\n" << metrics;
  EXPECT_FALSE(contains(equity, "2024-08-09T")) << "the first half of the data is training only";
  EXPECT_TRUE(contains(predictions, "signal,confidence,fold,label,forward_return,sma_5")) << predictions.substr(0, 200);
  const std::string report = read(dir / "report.html");
  for (const char* chart : {"equity-chart", "drawdown-chart", "monthly-heatmap", "pnl-histogram", "gain-importance"}) {
    EXPECT_TRUE(contains(report, chart)) << chart;
  }
}

TEST_F(BacktestCliTest, TrialsOnTheSameDataAreCountedAndRunsCanBeCompared) {
  CommandRun first = itrade(blueprint());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  CommandRun second = itrade(blueprint() + " --long-only --name again");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_TRUE(contains(second.output, "2 trial(s) on this data")) << second.output;

  CommandRun list = itrade("runs list --runs " + runs_.string());
  ASSERT_EQ(list.exit_code, 0) << list.output;
  const std::string a = run_id(first.output);
  const std::string b = run_id(second.output);
  EXPECT_TRUE(contains(list.output, a)) << list.output;
  EXPECT_TRUE(contains(list.output, b)) << list.output;

  CommandRun compare = itrade("runs compare " + a + " " + b + " --runs " + runs_.string());
  ASSERT_EQ(compare.exit_code, 0) << compare.output;
  EXPECT_TRUE(contains(compare.output, "backtest.long_only: false true")) << compare.output;
  EXPECT_TRUE(contains(compare.output, "name: \"\" \"again\"")) << compare.output;
  EXPECT_TRUE(contains(compare.output, "same data")) << compare.output;

  CommandRun show = itrade("runs show " + a + " --runs " + runs_.string());
  ASSERT_EQ(show.exit_code, 0) << show.output;
  EXPECT_TRUE(contains(show.output, "metrics.json")) << show.output;
  CommandRun missing = itrade("runs show nope --runs " + runs_.string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.output, "no run 'nope'")) << missing.output;
}

TEST_F(BacktestCliTest, BadInputIsAnErrorThatLeavesNoRun) {
  CommandRun run = itrade(blueprint("direction_55"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "direction_5")) << run.output;
  run = itrade(blueprint("direction_5", "2030-01-01"));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  run = itrade(blueprint("direction_5", "2024-12-20"));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "walk-forward needs at least")) << run.output;
  run = itrade(blueprint() + " --fill tomorrow");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  const CommandRun list = itrade("runs list --runs " + runs_.string());
  EXPECT_TRUE(contains(list.output, "no runs in")) << list.output;
}

}  // namespace
