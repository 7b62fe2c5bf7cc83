// itrade promote on the real sample: a paper account replayed over three days is set against the
// backtest of its model on the same days and promoted; too few days, a day that diverged, a shadow
// run, changed data and a gate configured wide open are refused with the reason.

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using cli_runner::CliTest;
using cli_runner::CommandRun;
using cli_runner::contains;
using cli_runner::itrade;
using cli_runner::read_text;

class PromoteCliTest : public CliTest {
 protected:
  // One model for every test of the suite: training dominates their time under the sanitizers.
  static void SetUpTestSuite() {
    std::random_device seed;
    shared_ = fs::temp_directory_path() / ("itrade_promote_" + std::to_string(seed()));
    fs::create_directories(shared_);
    trained_ = cli_runner::train_quick_model(shared_, shared_ / "model");
    cli_runner::write_full_fraction_config(shared_);
  }
  static void TearDownTestSuite() { fs::remove_all(shared_); }
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(trained_.exit_code, 0) << trained_.output;
  }

  // itrade paper on `replay` over start..end, recorded under dir_/runs; returns the run's id.
  std::string paper(const std::string& start, const std::string& end, const std::string& more = "",
                    const std::string& replay = "data/sample/ibkr") {
    const CommandRun run = itrade("paper --model " + (shared_ / "model").string() + " --replay " + replay +
                                  " --tickers AAPL,MSFT,NVDA --start " + start + " --end " + end +
                                  " --backtest-config " + (shared_ / "backtest.yaml").string() + " --runs " +
                                  runs().string() + " " + more);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    const std::string marker = "paper run ";
    const std::size_t at = run.output.find(marker);
    if (at == std::string::npos) {
      ADD_FAILURE() << "no paper run recorded: " << run.output;
      return "";
    }
    const std::size_t from = at + marker.size();
    return run.output.substr(from, run.output.find(' ', from) - from);
  }
  CommandRun promote(const std::string& id, const std::string& more = "") {
    return itrade("promote " + id + " --runs " + runs().string() + " " + more);
  }
  fs::path runs() const { return dir_ / "runs"; }

  static inline fs::path shared_;
  static inline CommandRun trained_;
};

TEST_F(PromoteCliTest, ThreeReplayedDaysMatchTheBacktestAndArePromoted) {
  const std::string id = paper("2026-03-02", "2026-03-04");
  const CommandRun run = promote(id);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "promoted: 3 paper day(s) within tolerance")) << run.output;
  for (const char* day : {"2026-03-02", "2026-03-03", "2026-03-04"}) {
    EXPECT_TRUE(contains(run.output, day)) << day << "\n" << run.output;
  }
  EXPECT_FALSE(contains(run.output, "FAILED")) << run.output;
  const std::string record = read_text(runs() / id / "promotion.json");
  EXPECT_TRUE(contains(record, "\"promoted\": true")) << record;
  EXPECT_TRUE(contains(record, "\"paper_run\": \"" + id + "\"")) << record;
  const std::string page = read_text(runs() / id / "promotion.html");
  EXPECT_TRUE(contains(page, "Promoted: 3 paper day(s)")) << page.substr(0, 2000);
  EXPECT_TRUE(contains(page, "<svg")) << page.substr(0, 2000);
  // itrade runs list shows the paper run with the decision.
  const CommandRun list = itrade("runs list --runs " + runs().string());
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_TRUE(contains(list.output, "paper runs:")) << list.output;
  const std::size_t line = list.output.find(id);
  ASSERT_NE(line, std::string::npos) << list.output;
  const std::string row = list.output.substr(line, list.output.find('\n', line) - line);
  EXPECT_TRUE(contains(row, "2026-03-02 .. 2026-03-04")) << row;
  EXPECT_TRUE(contains(row, "promoted")) << row;
  // The paper run traded: the comparison is not of two idle accounts.
  const std::string paper_record = read_text(runs() / id / "paper.json");
  EXPECT_FALSE(contains(paper_record, "\"fills\": 0,\n      \"return\"")) << paper_record;
}

TEST_F(PromoteCliTest, AnAccountRunDayByDayKeepsItsDaysAcrossRuns) {
  const fs::path state = dir_ / "state.json";
  const std::string first = paper("2026-03-02", "2026-03-03", "--state " + state.string());
  const std::string second = paper("2026-03-04", "2026-03-04", "--state " + state.string());
  // The first run's record has two days: refused; the second holds all three: promoted.
  CommandRun run = promote(first);
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_TRUE(contains(run.output,
                       "promotion refused: the paper account has 2 trading day(s); promotion needs at least 3"))
      << run.output;
  EXPECT_TRUE(contains(read_text(runs() / first / "promotion.json"), "\"promoted\": false"));
  run = promote(second);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "promoted: 3 paper day(s)")) << run.output;
  // With a gate of two days the first is promoted too.
  const fs::path two = dir_ / "promotion.yaml";
  std::ofstream(two) << "paper_days: 2\n";
  run = promote(first, "--promotion-config " + two.string());
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST_F(PromoteCliTest, ADayThatDivergedFromTheBacktestIsNamedWithItsMetric) {
  const std::string id = paper("2026-03-02", "2026-03-04");
  // As a live account would diverge: on the second day, more fills than the backtest made.
  const fs::path record = runs() / id / "paper.json";
  std::string text = read_text(record);
  const std::size_t first = text.find("\"fills\": ");
  const std::size_t second = text.find("\"fills\": ", first + 1);
  ASSERT_NE(second, std::string::npos) << text;
  const std::size_t end = text.find(',', second);
  const int fills = std::stoi(text.substr(second + 9, end - second - 9));
  text.replace(second, end - second, "\"fills\": " + std::to_string(fills + 3));
  std::ofstream(record) << text;
  const CommandRun run = promote(id);
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_TRUE(contains(run.output, "promotion refused: 2026-03-03: fills: paper " + std::to_string(fills + 3) +
                                       " against backtest " + std::to_string(fills) + ", a difference of 3 > tolerance 2"))
      << run.output;
  EXPECT_TRUE(contains(run.output, "FAILED: fills")) << run.output;
  const std::string decision = read_text(runs() / id / "promotion.json");
  EXPECT_TRUE(contains(decision, "\"promoted\": false")) << decision;
  EXPECT_TRUE(contains(decision, "\"failed\": [\n        \"fills\"\n      ]")) << decision;
  EXPECT_TRUE(contains(read_text(runs() / id / "promotion.html"), "<td class=\"fail\">failed: fills</td>"));
}

TEST_F(PromoteCliTest, ShadowRunsChangedDataAndBadInputAreRefused) {
  const std::string shadow = paper("2026-03-02", "2026-03-04", "--shadow");
  CommandRun run = promote(shadow);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "ran in shadow mode")) << run.output;
  const CommandRun list = itrade("runs list --runs " + runs().string());
  EXPECT_TRUE(contains(list.output, " shadow")) << list.output;

  run = promote("20990101T000000Z-paper");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "no paper run 20990101T000000Z-paper")) << run.output;

  // Data replaced after the paper run: the backtest would not be of the same bars.
  const fs::path data = dir_ / "data";
  fs::create_directories(data);
  for (const char* ticker : {"AAPL", "MSFT", "NVDA"}) {
    fs::copy_file(fs::path("data/sample/ibkr") / (std::string(ticker) + "_5min.csv.gz"),
                  data / (std::string(ticker) + "_5min.csv.gz"));
  }
  const std::string id = paper("2026-03-02", "2026-03-04", "", data.string());
  fs::copy_file("data/sample/ibkr/AMZN_5min.csv.gz", data / "MSFT_5min.csv.gz", fs::copy_options::overwrite_existing);
  run = promote(id);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "are not those the paper run traded")) << run.output;
  EXPECT_FALSE(fs::exists(runs() / id / "promotion.json"));
  EXPECT_FALSE(fs::exists(runs() / id / "promotion.html"));

  // A gate configured wide open is refused, naming the file, line and key.
  const fs::path wide = dir_ / "promotion.yaml";
  std::ofstream(wide) << "tolerance:\n  traded_value: 5\n";
  run = promote(shadow, "--promotion-config " + wide.string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  run = promote(id, "--promotion-config " + wide.string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, wide.string() + ":2: tolerance.traded_value")) << run.output;
}

}  // namespace
