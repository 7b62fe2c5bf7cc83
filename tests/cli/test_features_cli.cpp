// End-to-end tests of `itrade features list | compute | check` on the real sample and on broken
// configuration.

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

using cli_runner::contains;
using cli_runner::read_text;

TEST(FeaturesCli, HelpOfEverySubcommand) {
  for (const char* sub : {"list", "compute", "check"}) {
    const CommandRun help = itrade(std::string("features ") + sub + " --help");
    EXPECT_EQ(help.exit_code, 0) << sub;
    EXPECT_TRUE(contains(help.output, "Usage")) << sub;
  }
  EXPECT_TRUE(contains(itrade("--help").output, "features"));
  EXPECT_EQ(itrade("features").exit_code, 2);
}

TEST(FeaturesCli, ListShowsEveryShippedFeatureWithLookbackAndWarmup) {
  const CommandRun run = itrade("features list");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "44 features"));
  EXPECT_TRUE(contains(run.output, "LOOKBACK"));
  EXPECT_TRUE(contains(run.output, "WARM-UP"));
  for (const char* name :
       {"sma_5", "atr_14", "macd_histogram", "vwap_5", "body_range_ratio", "lower_low", "is_after_hours"}) {
    EXPECT_TRUE(contains(run.output, name)) << name;
  }
  const CommandRun functions = itrade("features list --functions");
  ASSERT_EQ(functions.exit_code, 0);
  EXPECT_TRUE(contains(functions.output, "volatility.atr"));
  EXPECT_TRUE(contains(functions.output, "dependencies: true range (volatility.true_range)"));
}

TEST_F(CliTest, ComputeWritesFeaturesAndTargetsForTheAskedDays) {
  const fs::path out = dir_ / "features.csv";
  const CommandRun run = itrade(
      "features compute --tickers AAPL --start 2025-03-03 --end 2025-03-03 "
      "--features rsi_14,atr_14,hour --targets direction_5,triple_barrier_5 --out " +
      out.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string text = read_text(out);
  EXPECT_EQ(text.substr(0, text.find('\n')), "ticker,ts,rsi_14,atr_14,hour,direction_5,triple_barrier_5");
  // The Polygon sample has extended hours: 04:00-20:00 New York is at most 192 five-minute bars
  // (a few quiet pre-market bars are missing); after-hours bars are on the next UTC day.
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  EXPECT_GT(lines, 1u + 150u);
  EXPECT_LE(lines, 1u + 192u);
  EXPECT_TRUE(contains(text, "AAPL,2025-03-03T09:00:00Z,"));  // 04:00 EST, the first bar of the day
  EXPECT_TRUE(contains(text, "AAPL,2025-03-04T00:55:00Z,"));  // 19:55 EST, the last
  EXPECT_FALSE(contains(text, "AAPL,2025-03-04T09:00:00Z,"));
  EXPECT_FALSE(contains(text, "AAPL,2025-03-03T08:55:00Z,"));
  // History before --start warmed the features up: the first row already has RSI and ATR. Its
  // targets are empty: 04:00 is outside the regular session, where horizons are not defined.
  const std::size_t first = text.find('\n') + 1;
  const std::string first_row = text.substr(first, text.find('\n', first) - first);
  EXPECT_EQ(first_row.find("AAPL,2025-03-03T09:00:00Z,"), 0u);
  EXPECT_FALSE(contains(first_row, "Z,,")) << first_row;
  EXPECT_TRUE(contains(first_row, ",4,,")) << first_row;
  // A regular-session row has both targets.
  EXPECT_TRUE(contains(text, "AAPL,2025-03-03T15:00:00Z,")) << "10:00 EST bar";
}

TEST_F(CliTest, ComputeBinaryFormat) {
  const fs::path out = dir_ / "features.ifm";
  const CommandRun run = itrade("features compute --tickers AAPL,SPY --end 2024-09-30 --out " + out.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "44 features"));
  EXPECT_TRUE(fs::file_size(out) > 1000u);
}

TEST_F(CliTest, ComputeRejectsUnknownNamesWithTheNearest) {
  const std::string out = " --out " + (dir_ / "x.csv").string();
  CommandRun run = itrade("features compute --tickers AAPL --features rsi_41" + out);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "unknown feature 'rsi_41'")) << run.output;
  EXPECT_TRUE(contains(run.output, "did you mean rsi_14")) << run.output;
  run = itrade("features compute --tickers AAPL --targets direction_6" + out);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "unknown target 'direction_6'")) << run.output;
  run = itrade("features compute --tickers APPL" + out);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "AAPL")) << run.output;
  run = itrade("features compute --tickers AAPL --out " + (dir_ / "x.parquet").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, ".ifm")) << run.output;
  EXPECT_FALSE(fs::exists(dir_ / "x.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "x.parquet"));
}

TEST_F(CliTest, ComputeRejectsATargetNamedLikeAFeature) {
  const fs::path targets = dir_ / "targets.yaml";
  std::ofstream(targets) << "targets:\n  rsi_14:\n    type: regression\n    function: targets.forward_return\n"
                            "    params: { bars_ahead: 5 }\n";
  const CommandRun run = itrade("features compute --tickers AAPL --targets rsi_14 --targets-config " +
                                targets.string() + " --out " + (dir_ / "x.csv").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "target 'rsi_14'")) << run.output;
  EXPECT_FALSE(fs::exists(dir_ / "x.csv"));
}

TEST(FeaturesCli, CheckPassesOnTheSample) {
  const CommandRun run = itrade("features check --tickers AAPL --truncations 6");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  for (const char* line : {"look-ahead  ok", "lookback    ok", "finite      ok", "streaming   ok", "warm-up     ok"}) {
    EXPECT_TRUE(contains(run.output, line)) << line << "\n" << run.output;
  }
}

TEST_F(CliTest, CheckRejectsABrokenFeaturesFileNamingTheLine) {
  const fs::path file = dir_ / "features.yaml";
  std::ofstream(file) << "features:\n  rsi_14:\n    function: momentum.rsi\n    params: { window: 14 }\n"
                         "    lookback: 14\n    category: momentum\n";
  const CommandRun run = itrade("features check --tickers AAPL --config " + file.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "features.yaml:5: features.rsi_14.lookback: 14 is shorter than the 15 bars"))
      << run.output;
}

}  // namespace
