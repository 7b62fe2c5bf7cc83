// The backtester with the risk manager in force (docs/backtesting.md, "Risk limits"): the same
// stops a paper or live account obeys, on hand-made New York days (2024-08-12 is a Monday, daylight
// time: New York = UTC - 4 h), and a random-market property check that no entry breaks a limit.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/bars.h"
#include "core/nyse_calendar.h"
#include "core/time.h"
#include "evaluation/backtest_fixture.h"
#include "evaluation/backtester.h"
#include "execution/risk_manager.h"

namespace itrade::evaluation {
namespace {

using execution::RiskLimit;

constexpr core::Timestamp kBar = 5 * core::kNanosPerMinute;

// New York day d (0 = Monday 2024-08-12) at hh:mm.
core::Timestamp new_york(int day, int hour, int minute) {
  return core::start_of_day(core::days_from_civil(2024, 8, 12) + day) + (hour + 4) * core::kNanosPerHour +
         minute * core::kNanosPerMinute;
}

// Bars of one ticker: for each (day, hh:mm of the first bar, closes) block, consecutive 5-minute
// bars opening at the previous close (the first at its own close).
struct Block {
  int day;
  int hour;
  int minute;
  std::vector<double> closes;
};

core::BarSeries bars(const std::string& ticker, const std::vector<Block>& blocks) {
  core::BarSeries s;
  s.ticker = ticker;
  for (const Block& b : blocks) {
    for (std::size_t k = 0; k < b.closes.size(); ++k) {
      const double close = b.closes[k];
      const double open = k == 0 ? close : b.closes[k - 1];
      s.push_back(new_york(b.day, b.hour, b.minute) + static_cast<core::Timestamp>(k) * kBar, open,
                  std::max(open, close), std::min(open, close), close, 1000.0);
    }
  }
  return s;
}

using testing::signals;
using testing::zero_cost;

BacktestResult run(const std::vector<core::BarSeries>& b, const std::vector<TickerSignals>& s,
                   const BacktestConfig& config, execution::RiskManager* risk) {
  auto result = run_backtest(b, s, config, {risk, kBar});
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? std::move(result).value() : BacktestResult{};
}

std::map<RiskLimit, RiskBlocks> blocks_of(const BacktestResult& r) {
  std::map<RiskLimit, RiskBlocks> out;
  for (const RiskBlocks& b : r.risk_blocks) out[b.limit] = b;
  return out;
}

TEST(BacktestRiskTest, PositionLimitReducesTheEntryAndTheReportCountsIt) {
  const std::vector<double> closes(6, 100.0);
  const std::vector<core::BarSeries> b = {bars("A", {{0, 10, 0, closes}})};
  const std::vector<TickerSignals> s = {signals({1, 1, 1, 1, 1, 1})};

  const BacktestResult free = run(b, s, zero_cost(), nullptr);
  ASSERT_EQ(free.trades.size(), 1u);
  EXPECT_EQ(free.trades[0].quantity, 50.0);  // 0.5 x 10,000 / 100
  EXPECT_FALSE(free.risk_managed);

  execution::RiskManager risk(execution::RiskConfig{}, {});
  const BacktestResult limited = run(b, s, zero_cost(), &risk);
  ASSERT_EQ(limited.trades.size(), 1u);
  EXPECT_EQ(limited.trades[0].quantity, 5.0);  // max_position_pct 0.05 x 10,000 / 100
  EXPECT_TRUE(limited.risk_managed);
  const auto blocks = blocks_of(limited);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks.at(RiskLimit::position_size).reduced, 1u);
  EXPECT_EQ(blocks.at(RiskLimit::position_size).rejected, 0u);
  EXPECT_TRUE(limited.risk_trips.empty());
}

TEST(BacktestRiskTest, NoNewPositionsInTheSessionsLastMinutes) {
  // Bars 15:30 .. 15:55; the 15:55 bar is the day's last (flattened). An entry decided at the
  // close of the 15:40 bar (15:45, 15 minutes left) is just inside; at 15:45's close (15:50) not.
  const std::vector<double> closes(6, 100.0);
  const std::vector<core::BarSeries> b = {bars("A", {{0, 15, 30, closes}})};
  execution::RiskManager inside(execution::RiskConfig{}, {});
  BacktestResult r = run(b, {signals({0, 0, 1, 1, 1, 1})}, zero_cost(), &inside);
  ASSERT_EQ(r.trades.size(), 1u);
  EXPECT_EQ(r.trades[0].decision_ts, new_york(0, 15, 40));
  EXPECT_EQ(r.trades[0].reason, ExitReason::flatten);

  execution::RiskManager late(execution::RiskConfig{}, {});
  r = run(b, {signals({0, 0, 0, 1, 1, 1})}, zero_cost(), &late);
  EXPECT_TRUE(r.trades.empty());
  const auto blocks = blocks_of(r);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks.at(RiskLimit::session_close).rejected, 2u);  // 15:45 and 15:50; 15:55 decides nothing
}

TEST(BacktestRiskTest, DailyLossTripHaltsEntriesForTheDayButNotExits) {
  execution::RiskConfig limits;
  limits.max_position_pct = 0.25;
  BacktestConfig config = zero_cost();
  config.position_fraction = 0.25;
  // Day 0 from 10:00: A bought at 100 (25 shares) falls to 90 at the 10:05 bar's close: -250, 2.5 %
  // of 10,000, past the 2 % daily limit. The signal exit at 10:10 still fills; the entries decided
  // at 10:15 and 10:20 are refused. Day 1 trades again.
  const std::vector<core::BarSeries> b = {
      bars("A", {{0, 10, 0, {100, 90, 90, 90, 90, 90}}, {1, 10, 0, {90, 90, 90, 90}}})};
  const std::vector<TickerSignals> s = {signals({1, 1, 0, 1, 1, 1, 1, 1, 0, 0})};
  execution::RiskManager risk(limits, {});
  const BacktestResult r = run(b, s, config, &risk);

  ASSERT_EQ(r.risk_trips.size(), 1u);
  EXPECT_EQ(r.risk_trips[0].limit, RiskLimit::daily_loss);
  EXPECT_EQ(r.risk_trips[0].ts, new_york(0, 10, 5) + kBar);
  EXPECT_DOUBLE_EQ(r.risk_trips[0].equity, 10'000.0 - 250.0);
  EXPECT_DOUBLE_EQ(r.risk_trips[0].threshold, 9'800.0);

  ASSERT_EQ(r.trades.size(), 2u);
  EXPECT_EQ(r.trades[0].reason, ExitReason::signal);  // the exit went through while halted
  EXPECT_EQ(r.trades[0].exit_ts, new_york(0, 10, 15));
  EXPECT_EQ(r.trades[1].decision_ts, new_york(1, 10, 0));  // the next day
  EXPECT_EQ(blocks_of(r).at(RiskLimit::daily_loss).rejected, 2u);
}

// Random markets: whatever the signals, no entry the backtest takes breaks a limit it can check
// from its own output.
TEST(BacktestRiskTest, RandomSignalsNeverBreakTheLimits) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> step(0.0, 0.004);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  constexpr int kTickers = 4;
  constexpr int kDays = 5;
  constexpr int kBarsPerDay = 78;  // 09:30 .. 15:55
  std::vector<core::BarSeries> b;
  std::vector<TickerSignals> s;
  for (int t = 0; t < kTickers; ++t) {
    std::vector<Block> blocks;
    double price = 50.0 + 20.0 * t;
    std::vector<double> sig;
    for (int d = 0; d < kDays; ++d) {
      std::vector<double> closes;
      for (int k = 0; k < kBarsPerDay; ++k) {
        price *= std::exp(step(rng));
        closes.push_back(price);
        sig.push_back(uniform(rng));
      }
      blocks.push_back({d, 9, 30, closes});
    }
    b.push_back(bars(std::string(1, static_cast<char>('A' + t)), blocks));
    s.push_back(signals(sig));
  }
  execution::RiskConfig limits;
  limits.max_positions = 2;
  BacktestConfig config = zero_cost();
  config.position_fraction = 0.2;
  config.entry_threshold = 0.5;
  execution::RiskManager risk(limits, {});
  const BacktestResult r = run(b, s, config, &risk);
  ASSERT_GT(r.trades.size(), 20u);
  const auto blocks = blocks_of(r);
  EXPECT_GT(blocks.count(RiskLimit::max_positions), 0u);
  EXPECT_GT(blocks.count(RiskLimit::session_close), 0u);

  const auto& calendar = core::NyseCalendar::instance();
  std::map<core::Timestamp, int> open_change;  // +1 at an entry fill, -1 at an exit fill
  for (const Trade& t : r.trades) {
    const core::Timestamp decided = t.decision_ts + kBar;
    const auto session = calendar.session_containing(decided - 1);
    ASSERT_TRUE(session.has_value());
    EXPECT_GE(session->close - decided, 15 * core::kNanosPerMinute) << core::format_utc(decided);
    // The decision's equity is the recorded equity at its instant (no costs, no fills at a close
    // but flattening ones, which move no equity without costs).
    const auto at = std::lower_bound(r.ts.begin(), r.ts.end(), t.decision_ts) - r.ts.begin();
    const double equity = r.equity[static_cast<std::size_t>(at)];
    const core::BarSeries& series = b[static_cast<std::size_t>(t.ticker)];
    const auto bar = std::lower_bound(series.ts.begin(), series.ts.end(), t.decision_ts) - series.ts.begin();
    EXPECT_LE(t.quantity * series.close[static_cast<std::size_t>(bar)], limits.max_position_pct * equity + 1e-9);
    ++open_change[t.entry_ts];
    --open_change[t.exit_ts];
    // No entry decided on a day after that day's loss limit tripped, nor after a drawdown stop.
    for (const execution::Trip& trip : r.risk_trips) {
      const bool same_day = calendar.new_york_day(trip.ts) == calendar.new_york_day(decided);
      if (trip.limit == RiskLimit::drawdown || (trip.limit == RiskLimit::daily_loss && same_day)) {
        EXPECT_LT(decided, trip.ts + 1);
      }
    }
  }
  // Exits fill before entries at one instant, so the running count after each instant is the
  // number of open positions.
  int open = 0;
  for (const auto& [ts, change] : open_change) {
    open += change;
    EXPECT_LE(open, limits.max_positions) << core::format_utc(ts);
  }
}

}  // namespace
}  // namespace itrade::evaluation
