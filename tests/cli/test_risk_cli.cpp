// itrade risk show | reset-drawdown: the limits are checked against the ceilings, a saved state
// is shown, and the drawdown stop is lifted only with --confirm.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "cli/cli_runner.h"

namespace {

using cli_runner::CliTest;
using cli_runner::contains;
using cli_runner::itrade;
using cli_runner::read_text;

// A risk state after a drawdown stop: 2024-11-20 (day 20047), peak 110,000, last 98,000.
constexpr const char* kTrippedState = R"({
 "version": 1, "started": true, "day": 20047, "day_start_equity": 99000.0, "week": 20045,
 "week_start_equity": 105000.0, "peak_equity": 110000.0, "last_equity": 98000.0,
 "halted_day": null, "halted_week": null, "drawdown_halted": true,
 "trips": [{"limit": "drawdown", "ts": 1732114800000000000, "equity": 98000.0, "threshold": 99000.0}]
})";

TEST_F(CliTest, RiskShowPrintsEveryLimitWithItsCeiling) {
  const auto run = itrade("risk show");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "max_position_pct")) << run.output;
  EXPECT_TRUE(contains(run.output, "5.00%   ceiling 25.00%")) << run.output;
  EXPECT_TRUE(contains(run.output, "no_trade_before_close_min")) << run.output;
  EXPECT_TRUE(contains(run.output, "floor 5 min")) << run.output;
  EXPECT_TRUE(contains(run.output, "tickers mapped")) << run.output;
}

TEST_F(CliTest, RiskConfigPastACeilingIsRefusedWithFileAndLine) {
  const auto file = dir_ / "risk.yaml";
  std::ofstream(file) << "max_positions: 10\nmax_position_pct: 0.5\n";
  const auto run = itrade("risk show --risk-config " + file.string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, file.string() + ":2: max_position_pct")) << run.output;
  EXPECT_TRUE(contains(run.output, "hard ceiling 0.25")) << run.output;
}

TEST_F(CliTest, RiskResetDrawdownNeedsConfirmAndKeepsTheTrips) {
  const auto state = dir_ / "risk-state.json";
  std::ofstream(state) << kTrippedState;
  auto run = itrade("risk show --state " + state.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "DRAWDOWN STOP")) << run.output;
  EXPECT_TRUE(contains(run.output, "1 trip(s)")) << run.output;

  run = itrade("risk reset-drawdown --state " + state.string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "--confirm")) << run.output;
  EXPECT_EQ(read_text(state), kTrippedState) << "nothing changes without --confirm";

  run = itrade("risk reset-drawdown --state " + state.string() + " --confirm");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "98000.00")) << run.output;
  run = itrade("risk show --state " + state.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(contains(run.output, "DRAWDOWN STOP")) << run.output;
  EXPECT_TRUE(contains(run.output, "1 trip(s)")) << "the record of the trip stays: " << run.output;

  run = itrade("risk reset-drawdown --state " + state.string() + " --confirm");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "nothing to reset")) << run.output;
}

TEST_F(CliTest, RiskDamagedStateIsRefusedNamingTheFile) {
  const auto state = dir_ / "risk-state.json";
  std::ofstream(state) << R"({"version": 1, "started": tr)";
  auto run = itrade("risk show --state " + state.string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, state.string())) << run.output;
  run = itrade("risk reset-drawdown --confirm --state " + (dir_ / "missing.json").string());
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "missing.json")) << run.output;
}

}  // namespace
