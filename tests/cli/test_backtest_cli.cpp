// End-to-end tests of `itrade backtest` and `itrade runs` on the bundled sample: the blueprint's
// command, the run directory, the registry and the trial count.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using cli_runner::CliTest;
using cli_runner::CommandRun;
using cli_runner::itrade;

using cli_runner::contains;
using cli_runner::read_text;

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
    cli_runner::write_quick_models(models_);
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
  EXPECT_TRUE(contains(run.output, "fold 1/")) << run.output;  // progress on stderr
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
  const std::string metrics = read_text(dir / "metrics.json");
  EXPECT_TRUE(contains(metrics, "\"sharpe\"")) << metrics;
  EXPECT_TRUE(contains(metrics, "\"runs_on_same_data\": 1")) << metrics;
  // The backtest starts at the first out-of-sample bar, never before.
  const std::string equity = read_text(dir / "equity.csv");
  const std::string predictions = read_text(dir / "predictions.csv");
  ASSERT_GT(equity.size(), 40u);
  const std::string first_equity_time = equity.substr(equity.find('\n') + 1, 20);
  EXPECT_TRUE(contains(metrics, "\"evaluated_from\": \"" + first_equity_time)) << first_equity_time << "\n" << metrics;
  EXPECT_FALSE(contains(equity, "2024-08-09T")) << "the first half of the data is training only";
  EXPECT_TRUE(contains(predictions, "signal,confidence,fold,label,forward_return,sma_5")) << predictions.substr(0, 200);
  const std::string report = read_text(dir / "report.html");
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

// A run's own predictions, backtested as given signals, trade exactly as the run did; the signals
// run counts as another trial on the same data.
TEST_F(BacktestCliTest, SignalsOfARunReplayToTheSameTrades) {
  const CommandRun model = itrade(blueprint());
  ASSERT_EQ(model.exit_code, 0) << model.output;
  const fs::path dir = runs_ / run_id(model.output);
  const CommandRun replay = itrade("backtest --signals " + (dir / "predictions.csv").string() +
                                   " --start 2024-01-01 --end 2024-12-31 --runs " + runs_.string());
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_TRUE(contains(replay.output, "signals of " + (dir / "predictions.csv").string() + " on AAPL,MSFT,GOOGL"))
      << replay.output;
  EXPECT_TRUE(contains(replay.output, "2 trial(s) on this data")) << replay.output;
  const fs::path again = runs_ / run_id(replay.output);
  ASSERT_NE(again, dir);
  const std::string trades = read_text(dir / "trades.csv");
  ASSERT_GT(std::count(trades.begin(), trades.end(), '\n'), 5) << trades;
  EXPECT_EQ(read_text(again / "trades.csv"), trades);
  EXPECT_EQ(read_text(again / "equity.csv"), read_text(dir / "equity.csv"));
  EXPECT_TRUE(contains(read_text(again / "config.json"), "\"signals\"")) << read_text(again / "config.json");

  const CommandRun mixed =
      itrade("backtest --signals " + (dir / "predictions.csv").string() + " --model quick --runs " + runs_.string());
  EXPECT_EQ(mixed.exit_code, 2) << mixed.output;
  EXPECT_TRUE(contains(mixed.output, "--model, --features and --target do not apply")) << mixed.output;
}

// Backtests obey config/risk.yaml by default and say what the limits did; --risk-config takes other
// limits and --no-risk none, and the record says which.
TEST_F(BacktestCliTest, RiskLimitsAreAppliedReportedAndCanBeTurnedOff) {
  const CommandRun model = itrade(blueprint());
  ASSERT_EQ(model.exit_code, 0) << model.output;
  EXPECT_TRUE(contains(model.output, "risk limits   trips: ")) << model.output;
  const fs::path dir = runs_ / run_id(model.output);
  EXPECT_TRUE(contains(read_text(dir / "metrics.json"), "\"entries_cut\"")) << read_text(dir / "metrics.json");
  EXPECT_TRUE(contains(read_text(dir / "config.json"), "\"max_position_pct\"")) << read_text(dir / "config.json");
  const std::string signals = "backtest --signals " + (dir / "predictions.csv").string() + " --runs " + runs_.string();

  const CommandRun off = itrade(signals + " --no-risk");
  ASSERT_EQ(off.exit_code, 0) << off.output;
  EXPECT_TRUE(contains(off.output, "risk limits   trips: off; entries cut: off")) << off.output;
  EXPECT_TRUE(contains(read_text(runs_ / run_id(off.output) / "config.json"), "\"risk\": \"off\""));

  // A 0.2 % position cap ($200 of $100,000; the model's weak signals size positions near 1 %) cuts
  // entries, and the record counts them under position_size.
  const fs::path tight = dir_ / "tight.yaml";
  std::ofstream(tight) << "max_position_pct: 0.002\n";
  const CommandRun cut = itrade(signals + " --risk-config " + tight.string());
  ASSERT_EQ(cut.exit_code, 0) << cut.output;
  EXPECT_TRUE(contains(cut.output, "entries cut: position_size")) << cut.output;
  const std::string metrics = read_text(runs_ / run_id(cut.output) / "metrics.json");
  EXPECT_TRUE(contains(metrics, "\"position_size\"")) << metrics;

  // Limits past a hard ceiling are refused, naming the file and line; nothing runs.
  std::ofstream(tight) << "daily_loss_limit_pct: 0.5\n";
  const CommandRun loose = itrade(signals + " --risk-config " + tight.string());
  EXPECT_EQ(loose.exit_code, 2) << loose.output;
  EXPECT_TRUE(contains(loose.output, "tight.yaml:1: daily_loss_limit_pct")) << loose.output;
  EXPECT_NE(itrade(signals + " --no-risk --risk-config " + tight.string()).exit_code, 0);
}

// An experiment file runs what the equivalent command runs: the same trades.
TEST_F(BacktestCliTest, ExperimentFileRunsLikeTheCommand) {
  const CommandRun command = itrade(blueprint());
  ASSERT_EQ(command.exit_code, 0) << command.output;
  const fs::path file = dir_ / "idea.yaml";
  std::ofstream(file) << "name: idea\n"
                         "model: quick\n"
                         "models_config: "
                      << models_.string()
                      << "\n"
                         "features: [sma_5, sma_20, rsi_14, volume_ratio, atr_14]\n"
                         "target: direction_5\n"
                         "tickers: [AAPL, MSFT, GOOGL]\n"
                         "start: 2024-01-01\n"
                         "end: 2024-12-31\n"
                         "importance_repeats: 1\n"
                         "backtest: { slippage_bps: 1.0 }\n";
  const CommandRun run = itrade("experiment run " + file.string() + " --runs " + runs_.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "experiment idea")) << run.output;
  EXPECT_TRUE(contains(run.output, "2 trial(s) on this data")) << run.output;
  const fs::path a = runs_ / run_id(command.output);
  const fs::path b = runs_ / run_id(run.output);
  EXPECT_EQ(read_text(b / "trades.csv"), read_text(a / "trades.csv"));
  EXPECT_TRUE(contains(read_text(b / "config.json"), "experiment run")) << read_text(b / "config.json");

  // Mistakes in the file name the file, the line and the key; nothing is recorded.
  std::ofstream(file) << "name: idea\nmodel: quick\nbacktest:\n  slipage_bps: 2\n";
  CommandRun bad = itrade("experiment run " + file.string() + " --runs " + runs_.string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_TRUE(contains(bad.output, "idea.yaml:4: backtest.slipage_bps: unknown key")) << bad.output;
  std::ofstream(file) << "model: quick\n";
  bad = itrade("experiment run " + file.string() + " --runs " + runs_.string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_TRUE(contains(bad.output, "name")) << bad.output;
  std::ofstream(file) << "name: idea\nsignals: x.csv\nmodel: quick\n";
  bad = itrade("experiment run " + file.string() + " --runs " + runs_.string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_TRUE(contains(bad.output, "idea.yaml:2: signals:")) << bad.output;
  std::ofstream(file) << "name: idea\nrisk: false\nrisk_config: config/risk.yaml\n";
  bad = itrade("experiment run " + file.string() + " --runs " + runs_.string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_TRUE(contains(bad.output, "idea.yaml:3: risk_config:")) << bad.output;
  int recorded = 0;
  for (const auto& entry : fs::directory_iterator(runs_)) recorded += entry.is_directory() ? 1 : 0;
  EXPECT_EQ(recorded, 2);
}

}  // namespace
