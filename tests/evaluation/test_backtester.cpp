// The event-driven backtester on hand-made bars over real New York days (2024-08-12 is a Monday;
// 13:30 UTC = 09:30 New York), checked against hand-computed fills, and on random markets
// against plain reconstructions written here: no look-ahead, equity = cash + positions at every
// instant, pnl adds up.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/bars.h"
#include "core/time.h"
#include "evaluation/backtest_fixture.h"
#include "evaluation/backtester.h"

namespace itrade::evaluation {
namespace {

using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kBarsPerDay = 4;  // 09:30, 09:35, 09:40, 09:45: the 4th is the day's last bar

// Bar b of New York day d (0 = Monday 2024-08-12; days 0-4 are trading days, daylight time).
core::Timestamp bar_time(int day, int bar) {
  return core::start_of_day(core::days_from_civil(2024, 8, 12) + day) + 13 * core::kNanosPerHour +
         30 * core::kNanosPerMinute + bar * 5 * core::kNanosPerMinute;
}

// kBarsPerDay bars a day over `days` days; bar k opens at 100 + 2k and closes at 101 + 2k unless
// given.
core::BarSeries series(const std::string& ticker, int days, std::vector<double> opens = {},
                       std::vector<double> closes = {}) {
  core::BarSeries s;
  s.ticker = ticker;
  const int n = days * kBarsPerDay;
  for (int k = 0; k < n; ++k) {
    const double open = opens.empty() ? 100.0 + 2.0 * k : opens[static_cast<std::size_t>(k)];
    const double close = closes.empty() ? 101.0 + 2.0 * k : closes[static_cast<std::size_t>(k)];
    s.push_back(bar_time(k / kBarsPerDay, k % kBarsPerDay), open, std::max(open, close), std::min(open, close), close,
                1000.0);
  }
  return s;
}

using testing::signals;
using testing::zero_cost;

BacktestResult run(const std::vector<core::BarSeries>& bars, const std::vector<TickerSignals>& sig,
                   const BacktestConfig& config) {
  auto result = run_backtest(bars, sig, config);
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? std::move(result).value() : BacktestResult{};
}

std::string error_of(const std::vector<core::BarSeries>& bars, const std::vector<TickerSignals>& sig,
                     const BacktestConfig& config = zero_cost()) {
  auto result = run_backtest(bars, sig, config);
  EXPECT_FALSE(result.ok());
  if (result.ok()) return {};
  EXPECT_EQ(result.error().kind, core::ErrorKind::input);
  return result.error().message;
}

TEST(BacktesterTest, NextOpenFillsAtTheNextBarsOpen) {
  const auto result = run({series("AAA", 2)}, {signals({1, 1, 0, 0, 0, 0, 0, 0})}, zero_cost());
  ASSERT_EQ(result.trades.size(), 1u);
  const Trade& t = result.trades[0];
  // Decided and sized at bar 0's close (101): floor(0.5 x 10,000 / 101) = 49; filled at bar 1's
  // open (102).
  EXPECT_EQ(t.entry_ts, bar_time(0, 1));
  EXPECT_EQ(t.entry_price, 102.0);
  EXPECT_EQ(t.quantity, 49.0);
  // Exit decided at bar 2's close (signal 0 <= exit 0), filled at bar 3's open (106).
  EXPECT_EQ(t.exit_ts, bar_time(0, 3));
  EXPECT_EQ(t.exit_price, 106.0);
  EXPECT_EQ(t.reason, ExitReason::signal);
  EXPECT_EQ(t.holding_bars, 3);
  EXPECT_DOUBLE_EQ(t.pnl, 49.0 * 4.0);
  EXPECT_EQ(t.side, Side::long_position);

  ASSERT_EQ(result.ts.size(), 8u);
  EXPECT_EQ(result.ts[0], bar_time(0, 0));
  EXPECT_DOUBLE_EQ(result.equity[0], 10'000.0);
  EXPECT_DOUBLE_EQ(result.cash[1], 10'000.0 - 49.0 * 102.0);
  EXPECT_DOUBLE_EQ(result.equity[1], 10'000.0 - 49.0 * 102.0 + 49.0 * 103.0);  // marked at bar 1's close
  EXPECT_DOUBLE_EQ(result.gross_exposure[2], 49.0 * 105.0);
  EXPECT_DOUBLE_EQ(result.equity[3], 10'196.0);
  EXPECT_DOUBLE_EQ(result.equity.back(), 10'196.0);
  EXPECT_EQ(result.tickers, std::vector<std::string>{"AAA"});
  EXPECT_EQ(result.initial_cash, 10'000.0);
  EXPECT_EQ(result.bar_steps, 8u);
}

TEST(BacktesterTest, CloseModeFillsAtTheSignalBarsClose) {
  BacktestConfig config = zero_cost();
  config.fill = FillMode::close;
  const auto result = run({series("AAA", 2)}, {signals({1, 1, 0, 0, 0, 0, 0, 0})}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  const Trade& t = result.trades[0];
  EXPECT_EQ(t.entry_ts, bar_time(0, 0));
  EXPECT_EQ(t.entry_price, 101.0);
  EXPECT_EQ(t.quantity, 49.0);  // floor(5000 / 101)
  EXPECT_EQ(t.exit_ts, bar_time(0, 2));
  EXPECT_EQ(t.exit_price, 105.0);
  EXPECT_EQ(t.holding_bars, 3);
  EXPECT_DOUBLE_EQ(result.equity[0], 10'000.0);  // bought at the close it is marked at
}

TEST(BacktesterTest, FlattenAtTheLastBarOfEachDayAndNoEntryThere) {
  const auto result = run({series("AAA", 2)}, {signals({1, 1, 1, 1, 1, 1, 1, 1})}, zero_cost());
  ASSERT_EQ(result.trades.size(), 2u);
  EXPECT_EQ(result.trades[0].entry_ts, bar_time(0, 1));
  EXPECT_EQ(result.trades[0].exit_ts, bar_time(0, 3));
  EXPECT_EQ(result.trades[0].exit_price, 107.0);  // market-on-close at the day's last bar
  EXPECT_EQ(result.trades[0].reason, ExitReason::flatten);
  // No order from the day's last bar: the next entry is decided at day 1's first bar.
  EXPECT_EQ(result.trades[1].entry_ts, bar_time(1, 1));
  EXPECT_EQ(result.trades[1].exit_ts, bar_time(1, 3));
  // The data's last bar is also the day's last: with flattening on it counts as a flatten.
  EXPECT_EQ(result.trades[1].reason, ExitReason::flatten);
  EXPECT_DOUBLE_EQ(result.gross_exposure[3], 0.0);
  EXPECT_DOUBLE_EQ(result.equity[3], result.cash[3]);
}

TEST(BacktesterTest, NoEntryDecidedAtTheDaysLastBar) {
  for (FillMode fill : {FillMode::next_open, FillMode::close}) {
    BacktestConfig config = zero_cost();
    config.fill = fill;
    const auto result = run({series("AAA", 2)}, {signals({0, 0, 0, 1, 0, 0, 0, 0})}, config);
    EXPECT_TRUE(result.trades.empty()) << fill_mode_name(fill);
    EXPECT_EQ(result.skipped_entries, 0u);
  }
}

TEST(BacktesterTest, WithoutFlattenPositionsStayOvernightUntilTheEndOfData) {
  BacktestConfig config = zero_cost();
  config.flatten_at_close = false;
  const auto result = run({series("AAA", 2)}, {signals({1, 1, 1, 1, 1, 1, 1, 1})}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].entry_ts, bar_time(0, 1));
  EXPECT_EQ(result.trades[0].exit_ts, bar_time(1, 3));
  EXPECT_EQ(result.trades[0].exit_price, 115.0);
  EXPECT_EQ(result.trades[0].reason, ExitReason::end_of_data);
  EXPECT_EQ(result.trades[0].holding_bars, 7);
}

TEST(BacktesterTest, EndOfDataClosesAtTheTickersLastBarEvenMidDay) {
  // Flattening on, but the data ends at 09:40 of day 0: that bar is the ticker's last bar.
  core::BarSeries bars = series("AAA", 1);
  bars.keep_range(0, 3);
  const auto result = run({bars}, {signals({1, 1, 1})}, zero_cost());
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].exit_ts, bar_time(0, 2));
  EXPECT_EQ(result.trades[0].reason, ExitReason::flatten);  // the ticker's last bar of its data and day

  BacktestConfig no_flatten = zero_cost();
  no_flatten.flatten_at_close = false;
  const auto eod = run({bars}, {signals({1, 1, 1})}, no_flatten);
  ASSERT_EQ(eod.trades.size(), 1u);
  EXPECT_EQ(eod.trades[0].reason, ExitReason::end_of_data);
}

TEST(BacktesterTest, MaxHoldingNextOpen) {
  BacktestConfig config = zero_cost();
  config.flatten_at_close = false;
  config.max_holding_bars = 2;
  const auto result = run({series("AAA", 2)}, {signals({1, 1, 1, 1, 1, 1, 1, 1})}, config);
  // Entry at bar 1's open; at bar 2's close it has been held 2 bars (1 and 2): exit at bar 3's
  // open. Bar 3 decides a new entry (bar 4), exited at bar 6; bar 6 enters at bar 7, the end.
  ASSERT_EQ(result.trades.size(), 3u);
  EXPECT_EQ(result.trades[0].entry_ts, bar_time(0, 1));
  EXPECT_EQ(result.trades[0].exit_ts, bar_time(0, 3));
  EXPECT_EQ(result.trades[0].reason, ExitReason::max_holding);
  EXPECT_EQ(result.trades[0].holding_bars, 3);
  EXPECT_EQ(result.trades[1].entry_ts, bar_time(1, 0));
  EXPECT_EQ(result.trades[1].exit_ts, bar_time(1, 2));
  EXPECT_EQ(result.trades[1].reason, ExitReason::max_holding);
  EXPECT_EQ(result.trades[2].entry_ts, bar_time(1, 3));
  EXPECT_EQ(result.trades[2].reason, ExitReason::end_of_data);
  EXPECT_EQ(result.trades[2].holding_bars, 1);
}

TEST(BacktesterTest, MaxHoldingCloseMode) {
  BacktestConfig config = zero_cost();
  config.fill = FillMode::close;
  config.flatten_at_close = false;
  config.max_holding_bars = 2;
  const auto result = run({series("AAA", 2)}, {signals({1, 1, 1, 1, 1, 1, 1, 1})}, config);
  // Entry at bar 0's close, exit at bar 1's close (bars 0 and 1 held), no re-entry on the exit bar.
  ASSERT_EQ(result.trades.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(result.trades[static_cast<std::size_t>(i)].entry_ts, bar_time((2 * i) / 4, (2 * i) % 4));
    EXPECT_EQ(result.trades[static_cast<std::size_t>(i)].exit_ts, bar_time((2 * i + 1) / 4, (2 * i + 1) % 4));
    EXPECT_EQ(result.trades[static_cast<std::size_t>(i)].reason, ExitReason::max_holding);
    EXPECT_EQ(result.trades[static_cast<std::size_t>(i)].holding_bars, 2);
  }
  EXPECT_EQ(result.trades[3].reason, ExitReason::end_of_data);
}

TEST(BacktesterTest, ReversalClosesAndReopensAtTheSameFill) {
  BacktestConfig config = zero_cost();
  config.flatten_at_close = false;
  const auto result = run({series("AAA", 2)}, {signals({1, -1, 0, 0, 0, 0, 0, 0})}, config);
  ASSERT_EQ(result.trades.size(), 2u);
  const Trade& long_trade = result.trades[0];
  EXPECT_EQ(long_trade.side, Side::long_position);
  EXPECT_EQ(long_trade.exit_ts, bar_time(0, 2));
  EXPECT_EQ(long_trade.exit_price, 104.0);
  EXPECT_EQ(long_trade.reason, ExitReason::reversal);
  EXPECT_DOUBLE_EQ(long_trade.pnl, 49.0 * 2.0);
  const Trade& short_trade = result.trades[1];
  EXPECT_EQ(short_trade.side, Side::short_position);
  EXPECT_EQ(short_trade.entry_ts, bar_time(0, 2));
  EXPECT_EQ(short_trade.entry_price, 104.0);
  EXPECT_EQ(short_trade.quantity, 48.0);           // floor(0.5 x 10,098 / 104): sized on the equity after the close
  EXPECT_EQ(short_trade.exit_ts, bar_time(0, 3));  // signal 0 >= -exit: covered at bar 3's open
  EXPECT_EQ(short_trade.reason, ExitReason::signal);
  EXPECT_DOUBLE_EQ(short_trade.pnl, -48.0 * 2.0);
  EXPECT_DOUBLE_EQ(result.equity.back(), 10'000.0 + 98.0 - 96.0);
}

TEST(BacktesterTest, DecisionBarIsRecordedInBothFillModes) {
  BacktestConfig config = zero_cost();
  config.flatten_at_close = false;
  // Long at bar 0, reversed to short at bar 1, covered at bar 2; long again at day 1's bar 1.
  const std::vector<double> signal = {1, -1, 0, 0, 0, 1, 0, 0};

  config.fill = FillMode::next_open;
  const auto next_open = run({series("AAA", 2)}, {signals(signal)}, config);
  ASSERT_EQ(next_open.trades.size(), 3u);
  // Each entry fills at the open of the bar after the one whose close decided it.
  EXPECT_EQ(next_open.trades[0].decision_ts, bar_time(0, 0));
  EXPECT_EQ(next_open.trades[0].entry_ts, bar_time(0, 1));
  EXPECT_EQ(next_open.trades[1].side, Side::short_position);  // the reversal's new position
  EXPECT_EQ(next_open.trades[1].decision_ts, bar_time(0, 1));
  EXPECT_EQ(next_open.trades[1].entry_ts, bar_time(0, 2));
  EXPECT_EQ(next_open.trades[2].decision_ts, bar_time(1, 1));
  EXPECT_EQ(next_open.trades[2].entry_ts, bar_time(1, 2));

  config.fill = FillMode::close;
  const auto close = run({series("AAA", 2)}, {signals(signal)}, config);
  ASSERT_EQ(close.trades.size(), 3u);
  const std::vector<core::Timestamp> decided = {bar_time(0, 0), bar_time(0, 1), bar_time(1, 1)};
  for (std::size_t t = 0; t < 3; ++t) {
    EXPECT_EQ(close.trades[t].decision_ts, decided[t]) << t;
    EXPECT_EQ(close.trades[t].entry_ts, decided[t]) << t;  // filled at the deciding bar's own close
  }

  // next_open, a ticker without a bar at 09:35: the decision bar is its own previous bar (09:30),
  // not the timeline's previous instant.
  core::BarSeries gappy;
  gappy.ticker = "BBB";
  for (const int bar : {0, 2, 3}) gappy.push_back(bar_time(0, bar), 50.0, 51.0, 49.0, 50.0, 1000.0);
  config.fill = FillMode::next_open;
  const auto gap = run({series("AAA", 1), gappy}, {signals({0, 0, 0, 0}), signals({1, 0, 0})}, config);
  ASSERT_EQ(gap.trades.size(), 1u);
  EXPECT_EQ(gap.trades[0].ticker, 1);
  EXPECT_EQ(gap.trades[0].decision_ts, bar_time(0, 0));
  EXPECT_EQ(gap.trades[0].entry_ts, bar_time(0, 2));
}

TEST(BacktesterTest, LongOnlyIgnoresShortSignals) {
  BacktestConfig config = zero_cost();
  config.flatten_at_close = false;
  config.long_only = true;
  const auto result = run({series("AAA", 2)}, {signals({-1, -1, 1, -1, -1, -1, -1, -1})}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].side, Side::long_position);
  EXPECT_EQ(result.trades[0].entry_ts, bar_time(0, 3));
  EXPECT_EQ(result.trades[0].exit_ts, bar_time(1, 0));
  EXPECT_EQ(result.trades[0].reason, ExitReason::signal);  // an exit, not a reversal

  config.long_only = false;
  const auto both = run({series("AAA", 2)}, {signals({-1, -1, 1, -1, -1, -1, -1, -1})}, config);
  ASSERT_GE(both.trades.size(), 2u);
  EXPECT_EQ(both.trades[0].side, Side::short_position);
}

TEST(BacktesterTest, ThresholdsAreInclusive) {
  BacktestConfig config = zero_cost();
  config.fill = FillMode::close;
  config.flatten_at_close = false;
  config.entry_threshold = 0.25;
  config.exit_threshold = 0.05;
  const auto result = run({series("AAA", 2)}, {signals({0.2499, 0.25, 0.06, 0.05, -0.25, -0.06, -0.05, 0.0})}, config);
  ASSERT_EQ(result.trades.size(), 2u);
  EXPECT_EQ(result.trades[0].side, Side::long_position);
  EXPECT_EQ(result.trades[0].entry_ts, bar_time(0, 1));  // 0.25 >= 0.25
  EXPECT_EQ(result.trades[0].exit_ts, bar_time(0, 3));   // 0.06 holds, 0.05 <= 0.05 exits
  EXPECT_EQ(result.trades[1].side, Side::short_position);
  EXPECT_EQ(result.trades[1].entry_ts, bar_time(1, 0));  // -0.25 <= -0.25
  EXPECT_EQ(result.trades[1].exit_ts, bar_time(1, 2));   // -0.06 holds, -0.05 >= -0.05 exits
}

TEST(BacktesterTest, SizeIsFractionTimesSignalTimesConfidenceOfEquity) {
  BacktestConfig config = zero_cost();
  config.fill = FillMode::close;
  // value = 0.5 x 0.5 x 0.8 x 10,000 = 2000 at 101: 19.80 shares.
  auto result = run({series("AAA", 1)}, {signals({0.5, 0.5, 0.5, 0.5}, 0.8)}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].quantity, 19.0);
  config.whole_shares = false;
  result = run({series("AAA", 1)}, {signals({0.5, 0.5, 0.5, 0.5}, 0.8)}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_DOUBLE_EQ(result.trades[0].quantity, 2000.0 / 101.0);
  // A short is sized the same way.
  result = run({series("AAA", 1)}, {signals({-0.5, -0.5, -0.5, -0.5}, 0.8)}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_DOUBLE_EQ(result.trades[0].quantity, 2000.0 / 101.0);
}

TEST(BacktesterTest, EntriesAreSizedOnEquityIncludingOtherOpenPositions) {
  // A (ticker 1) opens at day 0 bar 0's close (close mode), B (ticker 0) one bar later: B's size
  // uses cash + A at its close at that instant, although A is processed after B.
  BacktestConfig config = zero_cost();
  config.fill = FillMode::close;
  config.whole_shares = false;
  config.position_fraction = 0.25;
  const std::vector<double> flat(4, 100.0);
  std::vector<double> a_close = {100.0, 120.0, 120.0, 120.0};
  auto result = run({series("B", 1, flat, flat), series("A", 1, flat, a_close)},
                    {signals({0, 1, 1, 1}), signals({1, 1, 1, 1})}, config);
  ASSERT_EQ(result.trades.size(), 2u);
  // A: 0.25 x 10,000 / 100 = 25 shares. At bar 1: cash 7500 + 25 x 120 = 10,500 -> B buys 26.25.
  const Trade& b = result.trades[0].ticker == 0 ? result.trades[0] : result.trades[1];
  EXPECT_DOUBLE_EQ(b.quantity, 0.25 * 10'500.0 / 100.0);

  // next_open: decided and sized at bar 0 / bar 1, filled at the next open; B's decision values A
  // at its bar-1 close (120), the equity known then.
  config.fill = FillMode::next_open;
  result = run({series("B", 1, flat, flat), series("A", 1, flat, a_close)},
               {signals({0, 1, 1, 1}), signals({1, 1, 1, 1})}, config);
  ASSERT_EQ(result.trades.size(), 2u);
  const Trade& b2 = result.trades[0].ticker == 0 ? result.trades[0] : result.trades[1];
  EXPECT_EQ(b2.entry_ts, bar_time(0, 2));
  EXPECT_DOUBLE_EQ(b2.quantity, 0.25 * 10'500.0 / 100.0);
}

TEST(BacktesterTest, SharedCashLimitsTheSecondTickersEntry) {
  BacktestConfig config = zero_cost();
  config.fill = FillMode::close;
  config.position_fraction = 0.6;
  const std::vector<double> hundred(4, 100.0);
  // A takes 60 shares (6000); B wants 60 too but 4000 cash buys 40.
  auto result = run({series("A", 1, hundred, hundred), series("B", 1, hundred, hundred)},
                    {signals({1, 1, 1, 1}), signals({1, 1, 1, 1})}, config);
  ASSERT_EQ(result.trades.size(), 2u);
  std::map<int, double> quantity;
  for (const Trade& t : result.trades) quantity[t.ticker] = t.quantity;
  EXPECT_EQ(quantity[0], 60.0);
  EXPECT_EQ(quantity[1], 40.0);
  EXPECT_DOUBLE_EQ(result.cash[0], 0.0);
  EXPECT_EQ(result.skipped_entries, 0u);

  // B at 4500 a share: one share would cost more than the 4000 left: skipped, and retried (and
  // skipped) at the next bar while the signal holds; bar 3 is the day's last and decides nothing.
  const std::vector<double> dear(4, 4500.0);
  result = run({series("A", 1, hundred, hundred), series("B", 1, dear, dear)},
               {signals({1, 1, 1, 1}), signals({1, 1, 1, 1})}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].ticker, 0);
  EXPECT_EQ(result.skipped_entries, 3u);
}

TEST(BacktesterTest, NextOpenSizesAtTheDecisionAndFillsThatQuantityThroughAGap) {
  // Decided at bar 0's close (100); bar 1 opens at 250. The order was sized on the close, as a live
  // order must be before it is sent: 0.5 x 10,000 / 100 = 50 shares, bought at 250 for 12,500,
  // more than the cash. The gap is the account's to bear (no margin model): cash goes negative.
  const std::vector<double> opens = {100.0, 250.0, 250.0, 250.0};
  const std::vector<double> closes = {100.0, 250.0, 250.0, 250.0};
  const auto result = run({series("A", 1, opens, closes)}, {signals({1, 1, 1, 1})}, zero_cost());
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].quantity, 50.0);
  EXPECT_EQ(result.trades[0].entry_price, 250.0);
  EXPECT_EQ(result.trades[0].decision_ts, bar_time(0, 0));
  EXPECT_DOUBLE_EQ(result.cash[1], 10'000.0 - 12'500.0);
}

TEST(BacktesterTest, NextOpenEntriesDecidedTogetherShareTheCash) {
  // A and B decide at the same close; neither has filled yet, so B may use only the cash A's order
  // has not claimed: A 60 shares (6000 + $1), B floor((10,000 - 6001 - $1) / 100) = 39.
  BacktestConfig config = zero_cost();
  config.position_fraction = 0.6;
  config.commission = CommissionConfig{};  // IBKR: 0.005/share, min 1, max 1 %
  const std::vector<double> hundred(4, 100.0);
  auto result = run({series("A", 1, hundred, hundred), series("B", 1, hundred, hundred)},
                    {signals({1, 1, 1, 1}), signals({1, 1, 1, 1})}, config);
  std::map<int, double> quantity;
  for (const Trade& t : result.trades) quantity[t.ticker] = t.quantity;
  ASSERT_EQ(quantity.size(), 2u);
  EXPECT_EQ(quantity[0], 60.0);
  EXPECT_EQ(quantity[1], 39.0);
  EXPECT_GE(result.cash[1], 0.0);

  // A short's cover is a buy too, and is claimed before the long that reverses it. B sells 100
  // short at bar 1's open (cash 19,999 after $1); at bar 1's close the signal reverses: equity
  // 19,999 - 10,000 = 9999 wants 99.99 shares, but the cover claims 10,000 + $1, leaving 9998:
  // 100 q + $1 <= 9998 gives q = 99.97.
  config.position_fraction = 1.0;
  config.whole_shares = false;
  result = run({series("B", 1, hundred, hundred)}, {signals({-1, 1, 1, 1})}, config);
  ASSERT_EQ(result.trades.size(), 2u);
  EXPECT_EQ(result.trades[0].side, Side::short_position);
  EXPECT_EQ(result.trades[0].reason, ExitReason::reversal);
  EXPECT_EQ(result.trades[1].side, Side::long_position);
  EXPECT_NEAR(result.trades[1].quantity, 99.97, 1e-9);
}

TEST(BacktesterTest, CashLimitIncludesTheCommission) {
  BacktestConfig config = zero_cost();
  config.fill = FillMode::close;
  config.position_fraction = 0.6;
  config.commission = CommissionConfig{};  // IBKR: 0.005/share, min 1, max 1 %
  const std::vector<double> hundred(4, 100.0);
  const auto result = run({series("A", 1, hundred, hundred), series("B", 1, hundred, hundred)},
                          {signals({1, 1, 1, 1}), signals({1, 1, 1, 1})}, config);
  std::map<int, const Trade*> by_ticker;
  for (const Trade& t : result.trades) by_ticker[t.ticker] = &t;
  ASSERT_EQ(by_ticker.size(), 2u);
  EXPECT_EQ(by_ticker[0]->quantity, 60.0);  // 6000 + $1 commission; cash left 3999
  // B: 40 shares would cost 4000 + 1 > 3999; 39 cost 3900 + 1.
  EXPECT_EQ(by_ticker[1]->quantity, 39.0);
  EXPECT_DOUBLE_EQ(result.cash[0], 3999.0 - 3901.0);
}

TEST(BacktesterTest, IbkrCommissionMinimumPerShareAndMaximum) {
  BacktestConfig config = zero_cost();
  config.fill = FillMode::close;
  config.flatten_at_close = false;
  config.commission = CommissionConfig{};
  const std::vector<double> sig = {1, 1, 0, 0};
  // $50: 100 shares, 0.50 of per-share commission -> the $1 minimum, each way.
  auto result =
      run({series("A", 1, std::vector<double>(4, 50.0), std::vector<double>(4, 50.0))}, {signals(sig)}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].quantity, 100.0);
  EXPECT_DOUBLE_EQ(result.trades[0].fees, 2.0);
  EXPECT_DOUBLE_EQ(result.total_fees, 2.0);
  EXPECT_DOUBLE_EQ(result.trades[0].pnl, -2.0);

  // $10 with the whole equity: 1000 shares + $5 > cash, so 999 shares, 4.995 each way.
  config.position_fraction = 1.0;
  result = run({series("A", 1, std::vector<double>(4, 10.0), std::vector<double>(4, 10.0))}, {signals(sig)}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].quantity, 999.0);
  EXPECT_DOUBLE_EQ(result.trades[0].fees, 2 * 4.995);

  // $0.25: 20,000 shares x 0.005 = 100, capped at 1 % of 5000 = 50, each way.
  config.position_fraction = 0.5;
  result = run({series("A", 1, std::vector<double>(4, 0.25), std::vector<double>(4, 0.25))}, {signals(sig)}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].quantity, 20'000.0);
  EXPECT_DOUBLE_EQ(result.trades[0].fees, 100.0);
}

TEST(BacktesterTest, BpsCommissionWithoutAMinimum) {
  BacktestConfig config = zero_cost();
  config.fill = FillMode::close;
  config.flatten_at_close = false;
  config.commission = CommissionConfig{0.0, 1.0, 0.01, 10.0};  // the minimum belongs to per-share
  const auto result = run({series("AAA", 1)}, {signals({1, 1, 0, 0})}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  const Trade& t = result.trades[0];
  EXPECT_EQ(t.quantity, 49.0);
  EXPECT_DOUBLE_EQ(t.fees, 1e-3 * 49.0 * 101.0 + 1e-3 * 49.0 * 105.0);
  EXPECT_DOUBLE_EQ(result.total_fees, t.fees);
  EXPECT_DOUBLE_EQ(result.traded_value, 49.0 * 101.0 + 49.0 * 105.0);
}

TEST(BacktesterTest, SlippageMovesEveryFillAgainstTheOrder) {
  BacktestConfig config = zero_cost();
  config.flatten_at_close = false;
  config.slippage_bps = 10.0;
  auto result = run({series("AAA", 2)}, {signals({1, 1, 0, 0, 0, 0, 0, 0})}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_DOUBLE_EQ(result.trades[0].entry_price, 102.0 * 1.001);  // a buy pays more
  EXPECT_DOUBLE_EQ(result.trades[0].exit_price, 106.0 * 0.999);   // a sell receives less
  // Sized at the decision: on the decision bar's close (101), slipped like the buy it expects.
  EXPECT_EQ(result.trades[0].quantity, std::floor(5000.0 / (101.0 * 1.001)));

  result = run({series("AAA", 2)}, {signals({-1, -1, 0, 0, 0, 0, 0, 0})}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].side, Side::short_position);
  EXPECT_DOUBLE_EQ(result.trades[0].entry_price, 102.0 * 0.999);  // a short sale receives less
  EXPECT_DOUBLE_EQ(result.trades[0].exit_price, 106.0 * 1.001);   // the cover pays more

  config.flatten_at_close = true;  // the flatten is a sell at the close, slipped too
  result = run({series("AAA", 1)}, {signals({1, 1, 1, 1})}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_DOUBLE_EQ(result.trades[0].exit_price, 107.0 * 0.999);
}

TEST(BacktesterTest, NaNSignalsNeitherEnterNorExitButFlattenAndMaxHoldingApply) {
  BacktestConfig config = zero_cost();
  auto result = run({series("AAA", 2)}, {signals({1, kNaN, kNaN, kNaN, kNaN, 1, kNaN, kNaN})}, config);
  ASSERT_EQ(result.trades.size(), 2u);
  EXPECT_EQ(result.trades[0].exit_ts, bar_time(0, 3));
  EXPECT_EQ(result.trades[0].reason, ExitReason::flatten);
  EXPECT_EQ(result.trades[1].entry_ts, bar_time(1, 2));

  config.flatten_at_close = false;
  config.max_holding_bars = 3;
  result = run({series("AAA", 2)}, {signals({1, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN})}, config);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].reason, ExitReason::max_holding);
  EXPECT_EQ(result.trades[0].exit_ts, bar_time(1, 0));

  // NaN confidence is allowed where the signal is NaN.
  TickerSignals s = signals({kNaN, 0, 0, 0});
  s.confidence[0] = kNaN;
  result = run({series("AAA", 1)}, {s}, zero_cost());
  EXPECT_TRUE(result.trades.empty());
}

TEST(BacktesterTest, ShapeErrorsNameTheTicker) {
  EXPECT_THAT(error_of({series("AAA", 2)}, {signals({1, 1, 1})}),
              HasSubstr("AAA: 3 signals and 3 confidences for 8 bars"));
  TickerSignals short_confidence = signals(std::vector<double>(8, 0.0));
  short_confidence.confidence.pop_back();
  EXPECT_THAT(error_of({series("AAA", 2)}, {short_confidence}), HasSubstr("AAA: 8 signals and 7 confidences"));
  EXPECT_THAT(error_of({series("AAA", 2), series("BBB", 2)}, {signals(std::vector<double>(8, 0.0))}),
              HasSubstr("1 signal series for 2 tickers"));
}

TEST(BacktesterTest, ValueErrorsNameTickerAndBarTime) {
  const auto bars = std::vector<core::BarSeries>{series("AAA", 2), series("BBB", 2)};
  const TickerSignals quiet = signals(std::vector<double>(8, 0.0));
  TickerSignals bad = quiet;
  bad.signal[6] = 1.5;
  EXPECT_THAT(error_of(bars, {quiet, bad}), HasSubstr("BBB: bar 2024-08-13T13:40:00Z: signal 1.5 is outside [-1, 1]"));
  bad = quiet;
  bad.confidence[1] = -0.1;
  EXPECT_THAT(error_of(bars, {bad, quiet}),
              HasSubstr("AAA: bar 2024-08-12T13:35:00Z: confidence -0.1 is outside [0, 1]"));
  bad = quiet;
  bad.confidence[1] = kNaN;  // the signal is 0, a prediction: its confidence must be a number
  EXPECT_THAT(error_of(bars, {bad, quiet}), HasSubstr("AAA: bar 2024-08-12T13:35:00Z: confidence nan"));
  bad = quiet;
  bad.signal[0] = std::numeric_limits<double>::infinity();
  EXPECT_THAT(error_of(bars, {bad, quiet}), HasSubstr("signal inf is outside"));

  auto bad_bars = bars;
  bad_bars[1].close[5] = 0.0;
  EXPECT_THAT(error_of(bad_bars, {quiet, quiet}), HasSubstr("BBB: bar 2024-08-13T13:35:00Z: close price 0"));
  bad_bars = bars;
  bad_bars[0].open[7] = kNaN;
  EXPECT_THAT(error_of(bad_bars, {quiet, quiet}), HasSubstr("AAA: bar 2024-08-13T13:45:00Z: open price nan"));
  bad_bars = bars;
  bad_bars[0].ts[4] = bad_bars[0].ts[3];
  // Bar 4 (day 1, 09:30) now repeats bar 3's time (day 0, 09:45).
  EXPECT_THAT(error_of(bad_bars, {quiet, quiet}),
              HasSubstr("AAA: bar 2024-08-12T13:45:00Z: timestamps are not strictly increasing"));
}

TEST(BacktesterTest, BadConfigIsAnInputError) {
  BacktestConfig config = zero_cost();
  config.exit_threshold = 0.5;
  EXPECT_THAT(error_of({series("AAA", 1)}, {signals({0, 0, 0, 0})}, config), HasSubstr("exit_threshold"));
}

TEST(BacktesterTest, EmptyInputs) {
  auto result = run({}, {}, zero_cost());
  EXPECT_TRUE(result.ts.empty());
  EXPECT_TRUE(result.trades.empty());
  EXPECT_EQ(result.bar_steps, 0u);

  core::BarSeries empty;
  empty.ticker = "NONE";
  result = run({empty, series("AAA", 1)}, {TickerSignals{}, signals({1, 1, 0, 0})}, zero_cost());
  EXPECT_EQ(result.tickers, (std::vector<std::string>{"NONE", "AAA"}));
  EXPECT_EQ(result.ts.size(), 4u);
  ASSERT_EQ(result.trades.size(), 1u);
  EXPECT_EQ(result.trades[0].ticker, 1);
}

TEST(BacktesterTest, MergedTimelineValuesAMissingBarAtTheLastClose) {
  // B has no bar at 09:35: the timeline still has it, and B's position is worth its 09:30 close.
  BacktestConfig config = zero_cost();
  config.fill = FillMode::close;
  config.whole_shares = false;
  core::BarSeries b = series("B", 1, {50, 50, 50, 50}, {50, 60, 70, 80});
  core::BarSeries b_gappy;
  b_gappy.ticker = "B";
  for (int k : {0, 2, 3}) b_gappy.push_back(b.ts[k], b.open[k], b.high[k], b.low[k], b.close[k], b.volume[k]);
  const auto result = run({series("A", 1), b_gappy}, {signals({0, 0, 0, 0}), signals({1, 1, 1})}, config);
  ASSERT_EQ(result.ts.size(), 4u);
  EXPECT_EQ(result.bar_steps, 7u);
  const double shares = 0.5 * 10'000.0 / 50.0;
  EXPECT_DOUBLE_EQ(result.equity[1], 10'000.0);  // 09:35: B still at 50
  EXPECT_DOUBLE_EQ(result.equity[2], 5000.0 + shares * 70.0);
}

// --- Random markets, checked against reconstructions written here ---

struct Market {
  std::vector<core::BarSeries> bars;
  std::vector<TickerSignals> signals;
};

// `tickers` random walks over `days` sessions of 78 bars from 2024-08-12, with AR(1) signals;
// with `gaps`, each ticker misses about 5 % of its bars (so the merged timeline is a union).
Market random_market(int tickers, int days, unsigned seed, bool gaps) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Market m;
  for (int t = 0; t < tickers; ++t) {
    core::BarSeries bars;
    bars.ticker = fmt::format("T{}", t);
    TickerSignals s;
    double price = 20.0 + 30.0 * uniform(rng);
    double signal = 0.0;
    for (int d = 0; d < days; ++d) {
      for (int b = 0; b < 78; ++b) {
        const double open = price * (1.0 + 0.001 * normal(rng));
        const double close = open * (1.0 + 0.003 * normal(rng));
        price = close;
        signal = std::clamp(0.9 * signal + 0.3 * normal(rng), -1.0, 1.0);
        if (gaps && uniform(rng) < 0.05) continue;
        bars.push_back(bar_time(d, 0) + b * 5 * core::kNanosPerMinute, open, std::max(open, close),
                       std::min(open, close), close, 1000.0);
        s.signal.push_back(uniform(rng) < 0.03 ? kNaN : signal);
        s.confidence.push_back(0.3 + 0.7 * uniform(rng));
      }
    }
    m.bars.push_back(std::move(bars));
    m.signals.push_back(std::move(s));
  }
  return m;
}

std::size_t bar_index(const core::BarSeries& bars, core::Timestamp ts) {
  const auto it = std::lower_bound(bars.ts.begin(), bars.ts.end(), ts);
  return static_cast<std::size_t>(it - bars.ts.begin());
}

// Equity, cash and exposure rebuilt from the trades alone: fills move cash at the instant of their
// bar; a position opened at or before an instant and closed after it is worth its ticker's last
// close at or before that instant. Commission is bps only, so each fill's fee is known.
void expect_equity_matches_trades(const Market& m, const BacktestResult& r, const BacktestConfig& config) {
  ASSERT_EQ(config.commission.per_share, 0.0);
  const double bps = config.commission.bps * 1e-4;
  const double tolerance = 1e-9 * config.initial_cash;
  for (std::size_t k = 0; k < r.ts.size(); ++k) {
    const core::Timestamp now = r.ts[k];
    double cash = config.initial_cash;
    double value = 0.0;
    double exposure = 0.0;
    for (const Trade& t : r.trades) {
      const double sign = t.side == Side::long_position ? 1.0 : -1.0;
      if (t.entry_ts <= now) cash -= sign * t.quantity * t.entry_price + bps * t.quantity * t.entry_price;
      if (t.exit_ts <= now) cash += sign * t.quantity * t.exit_price - bps * t.quantity * t.exit_price;
      if (t.entry_ts <= now && t.exit_ts > now) {
        const core::BarSeries& bars = m.bars[static_cast<std::size_t>(t.ticker)];
        const std::size_t after =
            static_cast<std::size_t>(std::upper_bound(bars.ts.begin(), bars.ts.end(), now) - bars.ts.begin());
        const double v = sign * t.quantity * bars.close[after - 1];
        value += v;
        exposure += std::abs(v);
      }
    }
    ASSERT_NEAR(r.cash[k], cash, tolerance) << "instant " << k;
    ASSERT_NEAR(r.equity[k], cash + value, tolerance) << "instant " << k;
    ASSERT_NEAR(r.gross_exposure[k], exposure, tolerance) << "instant " << k;
  }
}

TEST(BacktesterTest, EquityIsCashPlusPositionsAtEveryInstant) {
  for (FillMode fill : {FillMode::next_open, FillMode::close}) {
    for (bool flatten : {true, false}) {
      const Market m = random_market(4, 3, 11, true);
      BacktestConfig config;
      config.fill = fill;
      config.flatten_at_close = flatten;
      config.commission = CommissionConfig{0.0, 0.0, 0.0, 1.5};
      config.slippage_bps = 2.0;
      config.position_fraction = 0.3;
      config.whole_shares = fill == FillMode::close;
      const BacktestResult r = run(m.bars, m.signals, config);
      ASSERT_GT(r.trades.size(), 50u);
      // The timeline is the union of every ticker's bar times.
      std::vector<core::Timestamp> all;
      std::size_t steps = 0;
      for (const auto& bars : m.bars) {
        all.insert(all.end(), bars.ts.begin(), bars.ts.end());
        steps += bars.size();
      }
      std::sort(all.begin(), all.end());
      all.erase(std::unique(all.begin(), all.end()), all.end());
      EXPECT_EQ(r.ts, all);
      EXPECT_EQ(r.bar_steps, steps);
      expect_equity_matches_trades(m, r, config);
    }
  }
}

TEST(BacktesterTest, PnlAddsUpToTheFinalEquity) {
  const Market m = random_market(5, 3, 23, false);
  BacktestConfig config;  // the defaults: IBKR commission, 1 bps slippage, next open, flatten
  config.position_fraction = 0.3;
  const BacktestResult r = run(m.bars, m.signals, config);
  ASSERT_GT(r.trades.size(), 50u);
  double pnl = 0.0;
  double fees = 0.0;
  double traded = 0.0;
  for (const Trade& t : r.trades) {
    pnl += t.pnl;
    fees += t.fees;
    traded += t.quantity * (t.entry_price + t.exit_price);
    EXPECT_EQ(t.quantity, std::floor(t.quantity));
    EXPECT_GE(t.fees, 2.0);  // at least the $1 minimum each way
    EXPECT_LE(t.exit_ts - t.entry_ts, core::kNanosPerDay);
  }
  EXPECT_NEAR(pnl, r.equity.back() - r.initial_cash, 1e-9 * r.initial_cash);
  EXPECT_NEAR(r.cash.back(), r.equity.back(), 1e-9 * r.initial_cash);  // all flat at the end
  EXPECT_NEAR(fees, r.total_fees, 1e-9 * r.initial_cash);
  EXPECT_NEAR(traded, r.traded_value, 1e-9 * r.traded_value);
  // Trades are listed in exit order.
  EXPECT_TRUE(std::is_sorted(r.trades.begin(), r.trades.end(),
                             [](const Trade& a, const Trade& b) { return a.exit_ts < b.exit_ts; }));
}

// Every next_open entry fills at the open of the bar after the one whose signal decided it.
TEST(BacktesterTest, NextOpenEntriesFillAtTheOpenAfterTheSignalBar) {
  const Market m = random_market(3, 3, 5, true);
  BacktestConfig config;
  config.position_fraction = 0.2;
  const BacktestResult r = run(m.bars, m.signals, config);
  ASSERT_GT(r.trades.size(), 30u);
  for (const Trade& t : r.trades) {
    const core::BarSeries& bars = m.bars[static_cast<std::size_t>(t.ticker)];
    const std::size_t j = bar_index(bars, t.entry_ts);
    ASSERT_LT(j, bars.size());
    ASSERT_GE(j, 1u);
    const double decided = m.signals[static_cast<std::size_t>(t.ticker)].signal[j - 1];
    const bool is_long = t.side == Side::long_position;
    EXPECT_TRUE(is_long ? decided >= config.entry_threshold : decided <= -config.entry_threshold);
    EXPECT_DOUBLE_EQ(t.entry_price, is_long ? config.buy_price(bars.open[j]) : config.sell_price(bars.open[j]));
  }
}

// The fills of a run: (ticker, ts, price, quantity, is_entry, side or reason).
using Fill = std::tuple<int, core::Timestamp, double, double, bool, int>;

// next_open fills up to and including the open of `limit`: every fill before it, and the fills
// at it that are not market-on-close (flatten, end of data).
std::vector<Fill> fills_through_open(const BacktestResult& r, core::Timestamp limit) {
  std::vector<Fill> fills;
  for (const Trade& t : r.trades) {
    if (t.entry_ts <= limit) {
      fills.emplace_back(t.ticker, t.entry_ts, t.entry_price, t.quantity, true, static_cast<int>(t.side));
    }
    const bool at_close = t.reason == ExitReason::flatten || t.reason == ExitReason::end_of_data;
    if (t.exit_ts < limit || (t.exit_ts == limit && !at_close)) {
      fills.emplace_back(t.ticker, t.exit_ts, t.exit_price, t.quantity, false, static_cast<int>(t.reason));
    }
  }
  std::sort(fills.begin(), fills.end());
  return fills;
}

TEST(BacktesterTest, NoLookAhead) {
  const Market base = random_market(3, 2, 99, false);
  BacktestConfig config;
  config.position_fraction = 0.3;
  const BacktestResult reference = run(base.bars, base.signals, config);
  ASSERT_GT(reference.trades.size(), 20u);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::size_t> pick(0, base.bars[0].size() - 3);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int trial = 0; trial < 25; ++trial) {
    const std::size_t t = pick(rng);
    // Everything after bar t+1's open changes: t+1's close and signal, and every later bar.
    Market changed = base;
    for (std::size_t i = 0; i < changed.bars.size(); ++i) {
      core::BarSeries& bars = changed.bars[i];
      TickerSignals& s = changed.signals[i];
      bars.close[t + 1] *= 1.0 + 0.05 * normal(rng);
      s.signal[t + 1] = std::clamp(normal(rng), -1.0, 1.0);
      for (std::size_t k = t + 2; k < bars.size(); ++k) {
        bars.open[k] *= 1.0 + 0.05 * normal(rng);
        bars.close[k] *= 1.0 + 0.05 * normal(rng);
        s.signal[k] = std::clamp(normal(rng), -1.0, 1.0);
        s.confidence[k] = 0.5;
      }
    }
    const BacktestResult other = run(changed.bars, changed.signals, config);
    const core::Timestamp limit = base.bars[0].ts[t + 1];
    EXPECT_EQ(fills_through_open(reference, limit), fills_through_open(other, limit)) << "t = " << t;
    for (std::size_t k = 0; k <= t; ++k) {
      ASSERT_EQ(reference.equity[k], other.equity[k]) << "t = " << t << ", instant " << k;
      ASSERT_EQ(reference.cash[k], other.cash[k]);
    }
  }
}

}  // namespace
}  // namespace itrade::evaluation
