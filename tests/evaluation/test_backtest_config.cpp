// config/backtest.yaml: the shipped file gives the documented defaults, every key can be set,
// every mistake is an input error naming the file, line and key; check() applies the same
// rules to values set in code; the commission schedule.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "evaluation/backtest_config.h"

namespace itrade::evaluation {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string error_of(const std::string& yaml) {
  auto config = parse_backtest_config(yaml, "backtest.yaml");
  EXPECT_FALSE(config.ok()) << yaml;
  return config.ok() ? std::string() : config.error().message;
}

TEST(BacktestConfigTest, ShippedFileHoldsTheDefaults) {
  auto config = load_backtest_config(ITRADE_SOURCE_DIR "/config/backtest.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->initial_cash, 100'000.0);
  EXPECT_EQ(config->position_fraction, 0.10);
  EXPECT_EQ(config->entry_threshold, 0.10);
  EXPECT_EQ(config->exit_threshold, 0.0);
  EXPECT_FALSE(config->long_only);
  EXPECT_EQ(config->commission.per_share, 0.005);
  EXPECT_EQ(config->commission.minimum, 1.0);
  EXPECT_EQ(config->commission.maximum_fraction, 0.01);
  EXPECT_EQ(config->commission.bps, 0.0);
  EXPECT_EQ(config->slippage_bps, 1.0);
  EXPECT_EQ(config->fill, FillMode::next_open);
  EXPECT_TRUE(config->flatten_at_close);
  EXPECT_EQ(config->max_holding_bars, 0);
  EXPECT_TRUE(config->whole_shares);
}

TEST(BacktestConfigTest, EmptyFileGivesTheStructDefaults) {
  auto config = parse_backtest_config("", "backtest.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const BacktestConfig defaults;
  EXPECT_EQ(config->initial_cash, defaults.initial_cash);
  EXPECT_EQ(config->position_fraction, defaults.position_fraction);
  EXPECT_EQ(config->commission.minimum, defaults.commission.minimum);
  EXPECT_EQ(config->fill, defaults.fill);
  EXPECT_TRUE(config->check().ok());
}

TEST(BacktestConfigTest, EveryKeyCanBeSet) {
  auto config = parse_backtest_config(
      "initial_cash: 5000\n"
      "position_fraction: 0.5\n"
      "entry_threshold: 0.3\n"
      "exit_threshold: 0.1\n"
      "long_only: true\n"
      "commission: { per_share: 0.01, minimum: 2, maximum_fraction: 0.005, bps: 0.5 }\n"
      "slippage_bps: 2.5\n"
      "fill: close\n"
      "flatten_at_close: false\n"
      "max_holding_bars: 12\n"
      "whole_shares: false\n",
      "backtest.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->initial_cash, 5000.0);
  EXPECT_EQ(config->position_fraction, 0.5);
  EXPECT_EQ(config->entry_threshold, 0.3);
  EXPECT_EQ(config->exit_threshold, 0.1);
  EXPECT_TRUE(config->long_only);
  EXPECT_EQ(config->commission.per_share, 0.01);
  EXPECT_EQ(config->commission.minimum, 2.0);
  EXPECT_EQ(config->commission.maximum_fraction, 0.005);
  EXPECT_EQ(config->commission.bps, 0.5);
  EXPECT_EQ(config->slippage_bps, 2.5);
  EXPECT_EQ(config->fill, FillMode::close);
  EXPECT_FALSE(config->flatten_at_close);
  EXPECT_EQ(config->max_holding_bars, 12);
  EXPECT_FALSE(config->whole_shares);
}

TEST(BacktestConfigTest, UnknownKeysNameFileLineAndKey) {
  EXPECT_THAT(error_of("initial_cash: 10\nentry_treshold: 0.2\n"),
              StartsWith("backtest.yaml:2: entry_treshold: unknown key; did you mean entry_threshold?"));
  EXPECT_THAT(error_of("commission:\n  per_share: 0.01\n  minimun: 1\n"),
              StartsWith("backtest.yaml:3: commission.minimun: unknown key; did you mean minimum?"));
}

TEST(BacktestConfigTest, OutOfRangeValuesNameFileLineAndKey) {
  EXPECT_THAT(error_of("initial_cash: 1000\nposition_fraction: 1.5\n"),
              StartsWith("backtest.yaml:2: position_fraction: 1.5 is out of range (0, 1]"));
  EXPECT_THAT(error_of("initial_cash: 0\n"), StartsWith("backtest.yaml:1: initial_cash: 0 is out of range"));
  EXPECT_THAT(error_of("slippage_bps: -1\n"), StartsWith("backtest.yaml:1: slippage_bps: -1 is out of range"));
  EXPECT_THAT(error_of("max_holding_bars: -3\n"), StartsWith("backtest.yaml:1: max_holding_bars: -3 is out of range"));
  EXPECT_THAT(error_of("entry_threshold: 0\n"), StartsWith("backtest.yaml:1: entry_threshold: 0 is out of range"));
  EXPECT_THAT(error_of("fill: close\ncommission:\n  bps: 1\n  maximum_fraction: 2\n"),
              StartsWith("backtest.yaml:4: commission.maximum_fraction: 2 is out of range [0, 1]"));
}

TEST(BacktestConfigTest, ExitThresholdMustBeBelowEntry) {
  EXPECT_THAT(error_of("entry_threshold: 0.2\nlong_only: true\nexit_threshold: 0.2\n"),
              StartsWith("backtest.yaml:3: exit_threshold: 0.2 must be below entry_threshold (0.2)"));
}

TEST(BacktestConfigTest, WrongTypesAndChoicesAreErrors) {
  EXPECT_THAT(error_of("whole_shares: maybe\n"), StartsWith("backtest.yaml:1: whole_shares: expected a boolean"));
  EXPECT_THAT(error_of("long_only: false\nfill: next_close\n"),
              StartsWith("backtest.yaml:2: fill: \"next_close\" is not a valid value"));
  EXPECT_THAT(error_of("commission: 5\n"), StartsWith("backtest.yaml:1: commission: expected a mapping"));
  EXPECT_THAT(error_of("max_holding_bars: 2.5\n"), StartsWith("backtest.yaml:1: max_holding_bars: expected"));
}

TEST(BacktestConfigTest, MissingFileIsAnInputError) {
  auto config = load_backtest_config("/nonexistent/backtest.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().kind, core::ErrorKind::input);
  EXPECT_THAT(config.error().message, StartsWith("/nonexistent/backtest.yaml:"));
}

TEST(BacktestConfigTest, CheckAppliesTheSameRulesToValuesSetInCode) {
  BacktestConfig config;
  EXPECT_TRUE(config.check().ok());
  config.slippage_bps = -0.5;
  ASSERT_FALSE(config.check().ok());
  EXPECT_THAT(config.check().error().message, HasSubstr("slippage_bps: -0.5 is out of range"));

  config = BacktestConfig{};
  config.exit_threshold = 0.3;
  config.entry_threshold = 0.2;
  ASSERT_FALSE(config.check().ok());
  EXPECT_THAT(config.check().error().message, HasSubstr("exit_threshold: 0.3 must be below entry_threshold"));

  config = BacktestConfig{};
  config.position_fraction = std::numeric_limits<double>::quiet_NaN();
  ASSERT_FALSE(config.check().ok());
  EXPECT_THAT(config.check().error().message, HasSubstr("position_fraction"));

  config = BacktestConfig{};
  config.commission.minimum = -1.0;
  ASSERT_FALSE(config.check().ok());
  EXPECT_THAT(config.check().error().message, HasSubstr("commission.minimum"));
}

// IBKR fixed pricing: $0.005 a share, at least $1.00, at most 1 % of the trade value.
TEST(BacktestConfigTest, CommissionPerShareMinimumAndMaximum) {
  const CommissionConfig ibkr;
  EXPECT_DOUBLE_EQ(ibkr(100.0, 50.0), 1.0);   // 100 x 0.005 = 0.50 -> the $1 minimum
  EXPECT_DOUBLE_EQ(ibkr(1000.0, 50.0), 5.0);  // 1000 x 0.005 = 5.00, under 1 % of 50,000
  EXPECT_DOUBLE_EQ(ibkr(1000.0, 0.20), 2.0);  // 5.00 capped at 1 % of 200 = 2.00
  EXPECT_DOUBLE_EQ(ibkr(10.0, 5.0), 0.5);     // the minimum is capped too: 1 % of 50 = 0.50
  EXPECT_DOUBLE_EQ(ibkr(300.0, 10.0), 1.5);   // between the two: per-share
}

TEST(BacktestConfigTest, CommissionBpsAndZero) {
  const CommissionConfig zero{0.0, 0.0, 0.0, 0.0};
  EXPECT_EQ(zero(1000.0, 10.0), 0.0);
  // No per-share schedule: its minimum does not apply.
  const CommissionConfig bps_only{0.0, 1.0, 0.01, 2.0};
  EXPECT_DOUBLE_EQ(bps_only(100.0, 50.0), 2.0 / 1e4 * 5000.0);
  // Both: schedule + bps.
  const CommissionConfig both{0.005, 1.0, 0.01, 1.0};
  EXPECT_DOUBLE_EQ(both(1000.0, 50.0), 5.0 + 1e-4 * 50'000.0);
  // maximum_fraction 0: no cap.
  const CommissionConfig uncapped{0.005, 1.0, 0.0, 0.0};
  EXPECT_DOUBLE_EQ(uncapped(1000.0, 0.20), 5.0);
}

TEST(BacktestConfigTest, SlippageMovesThePriceAgainstTheOrder) {
  BacktestConfig config;
  config.slippage_bps = 10.0;
  EXPECT_DOUBLE_EQ(config.buy_price(100.0), 100.1);
  EXPECT_DOUBLE_EQ(config.sell_price(100.0), 99.9);
}

}  // namespace
}  // namespace itrade::evaluation

namespace itrade::evaluation {
namespace {

// An experiment file's `backtest:` block: the keys it gives replace the base's, the rest stay.
TEST(BacktestConfigTest, BlockInsideAnotherFileOverridesTheBase) {
  BacktestConfig base;
  base.initial_cash = 50'000.0;
  base.commission.per_share = 0.01;
  base.long_only = true;
  auto root =
      core::ConfigNode::parse("name: x\nbacktest:\n  slippage_bps: 3\n  commission: { bps: 2 }\n", "experiment.yaml");
  ASSERT_TRUE(root.ok());
  auto config = read_backtest_config(root->child("backtest"), base);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_DOUBLE_EQ(config->slippage_bps, 3.0);
  EXPECT_DOUBLE_EQ(config->commission.bps, 2.0);
  EXPECT_DOUBLE_EQ(config->initial_cash, 50'000.0);
  EXPECT_DOUBLE_EQ(config->commission.per_share, 0.01);
  EXPECT_TRUE(config->long_only);

  // No block: the base as it is.
  auto absent = read_backtest_config(root->child("nothing"), base);
  ASSERT_TRUE(absent.ok());
  EXPECT_DOUBLE_EQ(absent->initial_cash, 50'000.0);

  // Mistakes name the file, the line and the key path inside the other file.
  root = core::ConfigNode::parse("name: x\nbacktest:\n  slippage: 3\n", "experiment.yaml");
  ASSERT_TRUE(root.ok());
  auto unknown = read_backtest_config(root->child("backtest"), base);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error().message, StartsWith("experiment.yaml:3: backtest.slippage: unknown key"));
  root = core::ConfigNode::parse("backtest:\n  commission:\n    minimum: -1\n", "experiment.yaml");
  ASSERT_TRUE(root.ok());
  auto negative = read_backtest_config(root->child("backtest"), base);
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(negative.error().message, HasSubstr("experiment.yaml:3: backtest.commission.minimum"));
}

}  // namespace
}  // namespace itrade::evaluation
