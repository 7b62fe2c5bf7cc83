// itrade paper on the real sample: a model trained by itrade models train trades a replayed week
// through the risk manager and the simulated broker, day by day; shadow mode sends nothing; bad
// arguments are clear errors.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using cli_runner::CliTest;
using cli_runner::CommandRun;
using cli_runner::contains;
using cli_runner::itrade;
using cli_runner::read_text;

class PaperCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    model_ = dir_ / "model";
    const CommandRun trained = cli_runner::train_quick_model(dir_, model_);
    ASSERT_EQ(trained.exit_code, 0) << trained.output;
    backtest_ = cli_runner::write_full_fraction_config(dir_);
  }
  std::string paper(const std::string& more) const {
    return "paper --model " + model_.string() + " --replay data/sample/ibkr --tickers AAPL,MSFT,NVDA --start " +
           "2026-03-02 --end 2026-03-06 --backtest-config " + backtest_.string() + " --runs " + (dir_ / "runs").string() +
           " " + more;
  }
  fs::path model_;
  fs::path backtest_;
};

// The days of the output: lines starting with a date.
int day_lines(const std::string& output) {
  int days = 0;
  std::size_t at = 0;
  while ((at = output.find("\n2026-03-", at)) != std::string::npos) {
    ++days;
    ++at;
  }
  return days;
}

TEST_F(PaperCliTest, AReplayedWeekTradesThroughTheRiskManagerAndLogsEverything) {
  const fs::path log = dir_ / "log";
  const CommandRun run = itrade(paper("--log " + log.string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(day_lines(run.output), 5) << run.output;  // 2026-03-02 .. 06, Monday to Friday
  EXPECT_TRUE(contains(run.output, "5 day(s): ")) << run.output;
  EXPECT_TRUE(contains(run.output, "trips none")) << run.output;
  EXPECT_FALSE(contains(run.output, " 0 fills")) << run.output;
  // Every day ends flat (market-on-close at the last bar), and the log holds each kind of record.
  const std::string monday = read_text(log / "2026-03-02.jsonl");
  for (const char* type : {"\"prediction\"", "\"risk_decision\"", "\"order\"", "\"fill\""}) {
    EXPECT_TRUE(contains(monday, type)) << type;
  }
  EXPECT_TRUE(contains(monday, "-moc\"") || contains(monday, "-exit\"")) << monday.substr(0, 2000);
  EXPECT_FALSE(fs::exists(log / "2026-02-27.jsonl"));  // the warm-up days trade nothing
}

TEST_F(PaperCliTest, ShadowModeDecidesButSendsNothing) {
  const CommandRun run = itrade(paper("--shadow"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "paper shadow account")) << run.output;
  EXPECT_TRUE(contains(run.output, "intended")) << run.output;
  EXPECT_TRUE(contains(run.output, "5 day(s): 0 fills, 0 orders")) << run.output;
}

// A paper run killed mid-replay and started again with the same command resumes from its state
// file and ends exactly as an uninterrupted run: the same state (book, orders, risk, broker) and
// a byte-identical feedback log. The kill comes after a bar's work and before its snapshot, so the
// restart also has to cut the log back and redo that bar.
TEST_F(PaperCliTest, KilledMidReplayResumesToTheSameEnd) {
  const fs::path whole = dir_ / "whole";
  const CommandRun reference =
      itrade(paper("--log " + (whole / "log").string() + " --state " + (whole / "state.json").string()));
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  const std::string end = reference.output.substr(reference.output.find("day(s): "));
  // Halt 2: the snapshot (of the first bar) has entry orders pending; halt 31: positions are open
  // (NVDA 4 shares).
  for (const int halt : {2, 31}) {
    const fs::path run = dir_ / ("halted_" + std::to_string(halt));
    const std::string where = "--log " + (run / "log").string() + " --state " + (run / "state.json").string();
    const CommandRun killed = itrade(paper(where + " --halt-after-batches " + std::to_string(halt)));
    ASSERT_EQ(killed.exit_code, 75) << killed.output;
    const std::string snapshot = read_text(run / "state.json");
    EXPECT_TRUE(halt != 2 || contains(snapshot, "\"open_ids\":[\"AAPL-")) << snapshot;
    EXPECT_TRUE(halt != 31 || contains(snapshot, "\"quantity\":4.0,\"realised_pnl\"")) << snapshot;
    const CommandRun resumed = itrade(paper(where));
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_TRUE(contains(resumed.output, "resuming from")) << resumed.output;
    EXPECT_TRUE(contains(resumed.output, end.substr(end.find(" fills, ") + 8, 40))) << resumed.output;
    EXPECT_EQ(read_text(run / "state.json"), read_text(whole / "state.json")) << "halt " << halt;
    for (const auto& entry : fs::directory_iterator(whole / "log")) {
      EXPECT_EQ(read_text(run / "log" / entry.path().filename()), read_text(entry.path()))
          << "halt " << halt << ": " << entry.path().filename();
    }
  }
  // A state file of another account is refused, not mixed in.
  const CommandRun other = itrade("paper --model " + model_.string() +
                                  " --replay data/sample/ibkr --tickers AAPL --start 2026-03-02 --end 2026-03-06 "
                                  "--state " +
                                  (whole / "state.json").string());
  EXPECT_EQ(other.exit_code, 2) << other.output;
  EXPECT_TRUE(contains(other.output, "the state belongs to model")) << other.output;
}

TEST_F(PaperCliTest, BadArgumentsAreClearErrors) {
  CommandRun run = itrade("paper --model " + (dir_ / "nothing").string() + " --replay data/sample/ibkr");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "not a directory")) << run.output;
  run = itrade(paper("--speed fast"));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "--speed fast")) << run.output;
  run = itrade("paper --model " + model_.string() +
               " --replay data/sample/ibkr --tickers AAPL --start 2030-01-01 --end 2030-01-31");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "no trading day")) << run.output;
  // A damaged or foreign state file is refused with the file's name; nothing runs.
  const fs::path state = dir_ / "state.json";
  std::ofstream(state) << "not json";
  run = itrade(paper("--state " + state.string()));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, state.string() + ": not a paper state")) << run.output;
  std::ofstream(state) << R"({"format": "itrade-paper-state", "version": 1, "tickers": 5, "model": 7})";
  run = itrade(paper("--state " + state.string()));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "the state belongs to model ? on 5")) << run.output;
  std::ofstream(state) << R"({"format": "itrade-paper-state", "version": 1, "tickers": ["AAPL", "MSFT", "NVDA"], )"
                        << R"("model": ")" << model_.string() << R"("})";
  run = itrade(paper("--state " + state.string()));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, state.string() + ": a paper state of version 1; this itrade keeps version 2"))
      << run.output;
  const fs::path risk = dir_ / "risk.yaml";
  std::ofstream(risk) << "max_drawdown_pct: 0.9\n";
  run = itrade(paper("--risk-config " + risk.string()));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "risk.yaml:1: max_drawdown_pct")) << run.output;
}

}  // namespace
