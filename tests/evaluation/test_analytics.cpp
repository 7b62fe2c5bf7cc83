// Performance analytics against values worked out by hand in the comments (docs/analytics.md).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/time.h"
#include "evaluation/analytics.h"

namespace itrade::evaluation {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

core::Timestamp utc(int year, int month, int day, int hour, int minute) {
  return core::start_of_day(core::days_from_civil(year, month, day)) + hour * core::kNanosPerHour +
         minute * core::kNanosPerMinute;
}

Trade trade(int ticker, double pnl, double fees, int holding_bars) {
  Trade t;
  t.ticker = ticker;
  t.pnl = pnl;
  t.fees = fees;
  t.holding_bars = holding_bars;
  t.quantity = 10.0;
  t.entry_price = 100.0;
  t.exit_price = 100.0 + pnl / 10.0;
  return t;
}

void add_point(BacktestResult& r, core::Timestamp ts, double equity, double gross_exposure) {
  r.ts.push_back(ts);
  r.equity.push_back(equity);
  r.cash.push_back(equity);
  r.gross_exposure.push_back(gross_exposure);
}

// Four New York days, 2024-03-04 (Mon) .. 2024-03-07 (Thu), New York on EST (UTC-5): the
// session runs 14:30-21:00 UTC. Daily closes 10200, 10098, 10400.94, 10348.9353 give daily
// returns +2 %, -1 %, +3 %, -0.5 % (10200 x 0.99 = 10098; 10098 x 1.03 = 10400.94;
// 10400.94 x 0.995 = 10348.9353).
//
//  k  ts (UTC)            NY day   equity      gross exposure
//  0  03-04 14:30         03-04    10000       0
//  1  03-04 15:00         03-04    10100       5000
//  2  03-04 20:55         03-04    10150       0
//  3  03-05 00:30         03-04    10200       0        <- after UTC midnight, 19:30 in New York
//  4  03-05 14:30         03-05    10050       5000
//  5  03-05 16:00         03-05     9900       5000
//  6  03-05 20:55         03-05    10098       0
//  7  03-06 14:30         03-06    10150       5000
//  8  03-06 20:55         03-06    10400.94    0
//  9  03-07 14:30         03-07    10300       5000
// 10  03-07 20:55         03-07    10348.9353  0
BacktestResult four_days() {
  BacktestResult r;
  r.tickers = {"AAA", "BBB", "CCC"};
  r.initial_cash = 10000.0;
  add_point(r, utc(2024, 3, 4, 14, 30), 10000.0, 0.0);
  add_point(r, utc(2024, 3, 4, 15, 0), 10100.0, 5000.0);
  add_point(r, utc(2024, 3, 4, 20, 55), 10150.0, 0.0);
  add_point(r, utc(2024, 3, 5, 0, 30), 10200.0, 0.0);
  add_point(r, utc(2024, 3, 5, 14, 30), 10050.0, 5000.0);
  add_point(r, utc(2024, 3, 5, 16, 0), 9900.0, 5000.0);
  add_point(r, utc(2024, 3, 5, 20, 55), 10098.0, 0.0);
  add_point(r, utc(2024, 3, 6, 14, 30), 10150.0, 5000.0);
  add_point(r, utc(2024, 3, 6, 20, 55), 10400.94, 0.0);
  add_point(r, utc(2024, 3, 7, 14, 30), 10300.0, 5000.0);
  add_point(r, utc(2024, 3, 7, 20, 55), 10348.9353, 0.0);
  // pnl +150, -60, +90, -40 (tickers AAA, BBB, AAA, AAA).
  r.trades = {trade(0, 150.0, 2.0, 3), trade(1, -60.0, 1.5, 2), trade(0, 90.0, 2.0, 5), trade(0, -40.0, 1.0, 1)};
  r.total_fees = 6.5;
  r.traded_value = 40000.0;
  return r;
}

// One point a day at 20:00 UTC (15:00 in New York) on consecutive days from 2024-03-04.
BacktestResult daily_curve(const std::vector<double>& equity, double initial_cash = 10000.0) {
  BacktestResult r;
  r.tickers = {"AAA"};
  r.initial_cash = initial_cash;
  for (std::size_t d = 0; d < equity.size(); ++d) {
    add_point(r, utc(2024, 3, 4 + static_cast<int>(d), 20, 0), equity[d], 0.0);
  }
  return r;
}

// --- daily_returns ---------------------------------------------------------------------------

TEST(AnalyticsDaily, LastPointOfEachNewYorkDay) {
  auto daily = daily_returns(four_days());
  ASSERT_TRUE(daily.ok()) << daily.error().message;
  ASSERT_EQ(daily->size(), 4u);
  EXPECT_EQ((*daily)[0].day, core::days_from_civil(2024, 3, 4));
  EXPECT_EQ((*daily)[3].day, core::days_from_civil(2024, 3, 7));
  // Day 1 closes at point 3 (00:30 UTC on the 5th is 19:30 on the 4th in New York).
  EXPECT_DOUBLE_EQ((*daily)[0].equity, 10200.0);
  EXPECT_NEAR((*daily)[0].ret, 0.02, 1e-15);  // 10200 / 10000 - 1: the first day against initial cash
  EXPECT_NEAR((*daily)[1].ret, -0.01, 1e-15);
  EXPECT_NEAR((*daily)[2].ret, 0.03, 1e-15);
  EXPECT_NEAR((*daily)[3].ret, -0.005, 1e-15);
}

TEST(AnalyticsDaily, NewYorkMidnightFollowsDaylightSavingTime) {
  // 2024-07-09: New York is on EDT (UTC-4), its midnight is 04:00 UTC. 03:59 UTC is still July 8.
  BacktestResult r;
  r.initial_cash = 100.0;
  add_point(r, utc(2024, 7, 8, 19, 0), 101.0, 0.0);
  add_point(r, utc(2024, 7, 9, 3, 59), 102.0, 0.0);
  add_point(r, utc(2024, 7, 9, 4, 0), 99.96, 0.0);
  auto daily = daily_returns(r);
  ASSERT_TRUE(daily.ok()) << daily.error().message;
  ASSERT_EQ(daily->size(), 2u);
  EXPECT_EQ((*daily)[0].day, core::days_from_civil(2024, 7, 8));
  EXPECT_DOUBLE_EQ((*daily)[0].equity, 102.0);
  EXPECT_EQ((*daily)[1].day, core::days_from_civil(2024, 7, 9));
  EXPECT_NEAR((*daily)[1].ret, 99.96 / 102.0 - 1.0, 1e-15);  // -2 %
}

TEST(AnalyticsDaily, InputErrors) {
  BacktestResult empty;
  empty.initial_cash = 100.0;
  EXPECT_FALSE(daily_returns(empty).ok());

  BacktestResult no_cash = daily_curve({100.0, 101.0}, 0.0);
  EXPECT_FALSE(daily_returns(no_cash).ok());

  BacktestResult mismatched = daily_curve({100.0, 101.0}, 100.0);
  mismatched.equity.pop_back();
  EXPECT_FALSE(daily_returns(mismatched).ok());

  BacktestResult unordered = daily_curve({100.0, 101.0}, 100.0);
  std::swap(unordered.ts[0], unordered.ts[1]);
  EXPECT_FALSE(daily_returns(unordered).ok());

  // A day that ends at 0 cannot be the base of the next day's return...
  EXPECT_FALSE(daily_returns(daily_curve({0.0, 10.0}, 100.0)).ok());
  EXPECT_FALSE(daily_returns(daily_curve({-5.0, 10.0}, 100.0)).ok());
  // ... but the last day may end at 0 (everything lost): -100 %.
  auto ruin = daily_returns(daily_curve({50.0, 0.0}, 100.0));
  ASSERT_TRUE(ruin.ok()) << ruin.error().message;
  EXPECT_DOUBLE_EQ((*ruin)[1].ret, -1.0);

  BacktestResult nan_equity = daily_curve({100.0, std::nan("")}, 100.0);
  EXPECT_FALSE(daily_returns(nan_equity).ok());
}

// --- compute_performance: the four-day fixture ---------------------------------------------

TEST(AnalyticsPerformance, ReturnsAndVolatility) {
  auto p = compute_performance(four_days());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->days, 4u);
  EXPECT_EQ(p->bars, 11u);
  EXPECT_NEAR(p->total_return, 0.0348935300, 1e-12);  // 10348.9353 / 10000 - 1
  // CAGR over 4 trading days: 1.03489353^(252 / 4) - 1 = 1.03489353^63 - 1.
  EXPECT_NEAR(p->annual_return, std::pow(1.03489353, 63.0) - 1.0, 1e-9);
  // Daily returns 0.02, -0.01, 0.03, -0.005: mean 0.00875; deviations 0.01125, -0.01875, 0.02125,
  // -0.01375; squares sum to 0.0001265625 + 0.0003515625 + 0.0004515625 + 0.0001890625 = 0.00111875;
  // sample variance 0.00111875 / 3.
  const double daily_std = std::sqrt(0.00111875 / 3.0);
  EXPECT_NEAR(p->annual_volatility, daily_std * std::sqrt(252.0), 1e-12);
  EXPECT_NEAR(p->sharpe, 0.00875 / daily_std * std::sqrt(252.0), 1e-9);
}

TEST(AnalyticsPerformance, SortinoUsesAllDaysInTheDownsideDeviation) {
  auto p = compute_performance(four_days());
  ASSERT_TRUE(p.ok()) << p.error().message;
  // min(r, 0)^2: 0, 0.0001, 0, 0.000025 -> sum 0.000125 over all N = 4 days (not over the 2 losing
  // days): downside deviation sqrt(0.00003125).
  EXPECT_NEAR(p->sortino, 0.00875 / std::sqrt(0.000125 / 4.0) * std::sqrt(252.0), 1e-9);
}

TEST(AnalyticsPerformance, RiskFreeRateShiftsSharpeAndSortino) {
  const double rf = 0.001;
  auto p = compute_performance(four_days(), PerformanceOptions{rf});
  ASSERT_TRUE(p.ok()) << p.error().message;
  const double daily_std = std::sqrt(0.00111875 / 3.0);  // a constant shift leaves the std alone
  EXPECT_NEAR(p->sharpe, (0.00875 - rf) / daily_std * std::sqrt(252.0), 1e-9);
  // Excess returns 0.019, -0.011, 0.029, -0.006: downside (0.011^2 + 0.006^2) / 4 = 0.000157 / 4.
  EXPECT_NEAR(p->sortino, (0.00875 - rf) / std::sqrt(0.000157 / 4.0) * std::sqrt(252.0), 1e-9);
  // Everything else ignores the rate.
  EXPECT_NEAR(p->annual_volatility, daily_std * std::sqrt(252.0), 1e-12);
}

TEST(AnalyticsPerformance, DrawdownDepthDurationAndCalmar) {
  auto p = compute_performance(four_days());
  ASSERT_TRUE(p.ok()) << p.error().message;
  // Peak 10200 at bar 3 (day 0); trough 9900 at bar 5: 1 - 9900 / 10200 = 300 / 10200.
  EXPECT_NEAR(p->max_drawdown, 300.0 / 10200.0, 1e-15);
  // Underwater from bar 3 (day 0) to bar 8 (day 2, 10400.94 >= 10200): 5 bars, 2 days. Then from
  // bar 8 to the end, never recovered: 2 bars (9, 10), 1 day. The longest: 5 bars, 2 days.
  EXPECT_EQ(p->max_drawdown_bars, 5u);
  EXPECT_EQ(p->max_drawdown_days, 2u);
  EXPECT_NEAR(p->calmar, (std::pow(1.03489353, 63.0) - 1.0) / (300.0 / 10200.0), 1e-7);
}

TEST(AnalyticsPerformance, TradeStatistics) {
  auto p = compute_performance(four_days());
  ASSERT_TRUE(p.ok()) << p.error().message;
  // pnl +150, -60, +90, -40.
  EXPECT_EQ(p->trades, 4u);
  EXPECT_DOUBLE_EQ(p->win_rate, 0.5);               // 2 of 4
  EXPECT_DOUBLE_EQ(p->profit_factor, 2.4);          // (150 + 90) / |-60 - 40|
  EXPECT_DOUBLE_EQ(p->average_win, 120.0);          // 240 / 2
  EXPECT_DOUBLE_EQ(p->average_loss, -50.0);         // -100 / 2
  EXPECT_DOUBLE_EQ(p->expectancy, 35.0);            // 140 / 4
  EXPECT_DOUBLE_EQ(p->average_holding_bars, 2.75);  // (3 + 2 + 5 + 1) / 4
}

TEST(AnalyticsPerformance, ActivityStatistics) {
  auto p = compute_performance(four_days());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_DOUBLE_EQ(p->exposure, 5.0 / 11.0);  // bars 1, 4, 5, 7, 9 hold a position
  // Mean per-bar equity: (10000 + 10100 + 10150 + 10200 + 10050 + 9900 + 10098 + 10150 + 10400.94
  // + 10300 + 10348.9353) / 11 = 111697.8753 / 11.
  const double mean_equity = 111697.8753 / 11.0;
  EXPECT_NEAR(p->turnover, 40000.0 / mean_equity / 4.0, 1e-12);
  EXPECT_DOUBLE_EQ(p->trades_per_day, 1.0);  // 4 trades over 4 days
  EXPECT_DOUBLE_EQ(p->total_fees, 6.5);
}

TEST(AnalyticsPerformance, SharpeIsThePerDaySharpeAnnualised) {
  auto p = compute_performance(four_days());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_NEAR(sharpe_ratio({0.02, -0.01, 0.03, -0.005}) * std::sqrt(252.0), p->sharpe, 1e-9);
}

// --- degenerate cases ------------------------------------------------------------------------

TEST(AnalyticsDegenerate, NoTrades) {
  auto p = compute_performance(daily_curve({10000.0, 10000.0, 10000.0}));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->trades, 0u);
  EXPECT_TRUE(std::isnan(p->win_rate));
  EXPECT_TRUE(std::isnan(p->profit_factor));  // 0 / 0
  EXPECT_TRUE(std::isnan(p->average_win));
  EXPECT_TRUE(std::isnan(p->average_loss));
  EXPECT_TRUE(std::isnan(p->expectancy));
  EXPECT_TRUE(std::isnan(p->average_holding_bars));
  EXPECT_DOUBLE_EQ(p->trades_per_day, 0.0);
  EXPECT_DOUBLE_EQ(p->turnover, 0.0);
  EXPECT_DOUBLE_EQ(p->exposure, 0.0);
}

TEST(AnalyticsDegenerate, FlatEquityHasZeroVolatilityAndUndefinedRatios) {
  auto p = compute_performance(daily_curve({10000.0, 10000.0, 10000.0}));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_DOUBLE_EQ(p->total_return, 0.0);
  EXPECT_DOUBLE_EQ(p->annual_return, 0.0);
  EXPECT_DOUBLE_EQ(p->annual_volatility, 0.0);
  EXPECT_TRUE(std::isnan(p->sharpe));   // 0 / 0
  EXPECT_TRUE(std::isnan(p->sortino));  // 0 / 0
  EXPECT_DOUBLE_EQ(p->max_drawdown, 0.0);
  EXPECT_EQ(p->max_drawdown_bars, 0u);
  EXPECT_EQ(p->max_drawdown_days, 0u);
  EXPECT_TRUE(std::isnan(p->calmar));  // 0 / 0
}

TEST(AnalyticsDegenerate, ConstantPositiveReturnGivesInfiniteRatios) {
  // +25 % every day: 12500, 15625, 19531.25 (exact in binary, so the three returns are bit-for-bit
  // equal). Zero volatility, no drawdown, no losing day.
  auto p = compute_performance(daily_curve({12500.0, 15625.0, 19531.25}));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_DOUBLE_EQ(p->annual_volatility, 0.0);
  EXPECT_EQ(p->sharpe, kInf);
  EXPECT_EQ(p->sortino, kInf);
  EXPECT_DOUBLE_EQ(p->max_drawdown, 0.0);
  EXPECT_EQ(p->calmar, kInf);
}

TEST(AnalyticsDegenerate, SortinoWithoutALosingDay) {
  // Returns +1 %, +2 %: volatility > 0 so Sharpe is finite, but the downside deviation is 0.
  auto p = compute_performance(daily_curve({10100.0, 10302.0}));
  ASSERT_TRUE(p.ok()) << p.error().message;
  // Mean 0.015, sample std sqrt((0.005^2 + 0.005^2) / 1) = sqrt(0.00005).
  EXPECT_NEAR(p->sharpe, 0.015 / std::sqrt(0.00005) * std::sqrt(252.0), 1e-9);
  EXPECT_EQ(p->sortino, kInf);
}

TEST(AnalyticsDegenerate, OneDayHasNoVolatility) {
  auto p = compute_performance(daily_curve({10100.0}));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->days, 1u);
  EXPECT_NEAR(p->annual_return, std::pow(1.01, 252.0) - 1.0, 1e-9);
  EXPECT_TRUE(std::isnan(p->annual_volatility));
  EXPECT_TRUE(std::isnan(p->sharpe));
  EXPECT_TRUE(std::isnan(p->sortino));
}

TEST(AnalyticsDegenerate, NoLosingTradesGiveInfiniteProfitFactor) {
  BacktestResult r = daily_curve({10100.0, 10200.0});
  r.trades = {trade(0, 40.0, 1.0, 2), trade(0, 60.0, 1.0, 4), trade(0, 0.0, 1.0, 1)};
  auto p = compute_performance(r);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->profit_factor, kInf);
  EXPECT_DOUBLE_EQ(p->win_rate, 2.0 / 3.0);  // a pnl of exactly 0 is not a win
  EXPECT_DOUBLE_EQ(p->average_win, 50.0);
  EXPECT_TRUE(std::isnan(p->average_loss));  // nor a loss
  EXPECT_NEAR(p->expectancy, 100.0 / 3.0, 1e-12);
}

TEST(AnalyticsDegenerate, OnlyLosingTrades) {
  BacktestResult r = daily_curve({9900.0, 9800.0});
  r.trades = {trade(0, -100.0, 1.0, 2), trade(0, -100.0, 1.0, 2)};
  auto p = compute_performance(r);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_DOUBLE_EQ(p->profit_factor, 0.0);  // 0 / 200
  EXPECT_DOUBLE_EQ(p->win_rate, 0.0);
  EXPECT_TRUE(std::isnan(p->average_win));
  EXPECT_DOUBLE_EQ(p->average_loss, -100.0);
}

TEST(AnalyticsDegenerate, TotalLoss) {
  auto p = compute_performance(daily_curve({5000.0, 0.0}));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_DOUBLE_EQ(p->total_return, -1.0);
  EXPECT_DOUBLE_EQ(p->annual_return, -1.0);
  EXPECT_DOUBLE_EQ(p->max_drawdown, 1.0);
  EXPECT_DOUBLE_EQ(p->calmar, -1.0);
}

TEST(AnalyticsDegenerate, GrossExposureLengthMismatchIsAnInputError) {
  BacktestResult r = four_days();
  r.gross_exposure.pop_back();
  EXPECT_FALSE(compute_performance(r).ok());
}

// --- drawdown duration -----------------------------------------------------------------------

TEST(AnalyticsDrawdown, InitialCashIsTheFirstPeakAndNeverRecovered) {
  // Below the initial 10000 from the first bar to the end: the peak is initial cash (bar -1, day
  // -1); the last point is bar 3 on day 3, so 4 bars and 4 days. Deepest point 9500: 5 %.
  auto p = compute_performance(daily_curve({9900.0, 9500.0, 9800.0, 9990.0}));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_NEAR(p->max_drawdown, 0.05, 1e-15);
  EXPECT_EQ(p->max_drawdown_bars, 4u);
  EXPECT_EQ(p->max_drawdown_days, 4u);
}

TEST(AnalyticsDrawdown, RecoveryAtExactlyThePeakEndsTheDrawdown) {
  // Peak 10200 on day 0, back to exactly 10200 on day 2, new dip on day 3 recovered on day 5.
  auto p = compute_performance(daily_curve({10200.0, 10000.0, 10200.0, 10100.0, 10150.0, 10300.0}));
  ASSERT_TRUE(p.ok()) << p.error().message;
  // Drawdowns: bars 0 -> 2 (2 bars, 2 days, 200 / 10200) and bars 2 -> 5 (3 bars, 3 days, 100 / 10200).
  EXPECT_NEAR(p->max_drawdown, 200.0 / 10200.0, 1e-15);
  EXPECT_EQ(p->max_drawdown_bars, 3u);
  EXPECT_EQ(p->max_drawdown_days, 3u);
}

TEST(AnalyticsDrawdown, IntradayDrawdownRecoveredTheSameDayCountsBarsNotDays) {
  BacktestResult r;
  r.initial_cash = 100.0;
  add_point(r, utc(2024, 3, 4, 14, 30), 100.0, 0.0);
  add_point(r, utc(2024, 3, 4, 15, 0), 97.0, 0.0);
  add_point(r, utc(2024, 3, 4, 15, 30), 98.0, 0.0);
  add_point(r, utc(2024, 3, 4, 16, 0), 101.0, 0.0);
  auto p = compute_performance(r);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_NEAR(p->max_drawdown, 0.03, 1e-15);
  EXPECT_EQ(p->max_drawdown_bars, 3u);  // peak at bar 0, back above at bar 3
  EXPECT_EQ(p->max_drawdown_days, 0u);  // the same New York day
}

// --- per ticker and monthly ------------------------------------------------------------------

TEST(AnalyticsPerTicker, BreakdownIncludesTickersWithoutTrades) {
  auto rows = per_ticker(four_days());
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  const TickerPerformance& a = (*rows)[0];  // pnl +150, +90, -40; fees 2 + 2 + 1
  EXPECT_EQ(a.ticker, "AAA");
  EXPECT_EQ(a.trades, 3u);
  EXPECT_DOUBLE_EQ(a.win_rate, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(a.profit_factor, 6.0);  // 240 / 40
  EXPECT_DOUBLE_EQ(a.total_pnl, 200.0);
  EXPECT_DOUBLE_EQ(a.fees, 5.0);
  const TickerPerformance& b = (*rows)[1];  // one loser of -60
  EXPECT_EQ(b.trades, 1u);
  EXPECT_DOUBLE_EQ(b.win_rate, 0.0);
  EXPECT_DOUBLE_EQ(b.profit_factor, 0.0);
  EXPECT_DOUBLE_EQ(b.total_pnl, -60.0);
  EXPECT_DOUBLE_EQ(b.fees, 1.5);
  const TickerPerformance& c = (*rows)[2];
  EXPECT_EQ(c.ticker, "CCC");
  EXPECT_EQ(c.trades, 0u);
  EXPECT_TRUE(std::isnan(c.win_rate));
  EXPECT_TRUE(std::isnan(c.profit_factor));
  EXPECT_DOUBLE_EQ(c.total_pnl, 0.0);
}

TEST(AnalyticsPerTicker, UnknownTickerIndexIsAnInputError) {
  BacktestResult r = four_days();
  r.trades.push_back(trade(3, 1.0, 0.0, 1));
  EXPECT_FALSE(per_ticker(r).ok());
  r.trades.back().ticker = -1;
  EXPECT_FALSE(per_ticker(r).ok());
}

TEST(AnalyticsMonthly, CompoundsDaysWithinEachCalendarMonth) {
  const std::vector<DailyReturn> daily = {
      {core::days_from_civil(2023, 12, 29), 0.0, 0.03},  // another year
      {core::days_from_civil(2024, 1, 30), 0.0, 0.01},   // January: two days
      {core::days_from_civil(2024, 1, 31), 0.0, 0.02},
      {core::days_from_civil(2024, 2, 1), 0.0, -0.01},  // February: one day
      {core::days_from_civil(2024, 4, 1), 0.0, 0.05},   // March has no day: absent, not 0
  };
  const std::vector<MonthlyReturn> months = monthly_returns(daily);
  ASSERT_EQ(months.size(), 4u);
  EXPECT_EQ(months[0].year, 2023);
  EXPECT_EQ(months[0].month, 12);
  EXPECT_NEAR(months[0].ret, 0.03, 1e-15);
  EXPECT_EQ(months[1].year, 2024);
  EXPECT_EQ(months[1].month, 1);
  EXPECT_EQ(months[1].days, 2u);
  EXPECT_NEAR(months[1].ret, 0.0302, 1e-15);  // 1.01 x 1.02 - 1
  EXPECT_EQ(months[2].month, 2);
  EXPECT_NEAR(months[2].ret, -0.01, 1e-15);
  EXPECT_EQ(months[3].month, 4);
  EXPECT_NEAR(months[3].ret, 0.05, 1e-15);
  EXPECT_TRUE(monthly_returns({}).empty());
}

TEST(AnalyticsMonthly, MonthlyReturnsCompoundToTheTotalReturn) {
  auto daily = daily_returns(four_days());
  ASSERT_TRUE(daily.ok()) << daily.error().message;
  const auto months = monthly_returns(*daily);
  ASSERT_EQ(months.size(), 1u);
  EXPECT_NEAR(months[0].ret, 0.0348935300, 1e-12);  // the whole run is in March 2024
}

}  // namespace
}  // namespace itrade::evaluation
