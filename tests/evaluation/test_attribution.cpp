// P&L attribution by feature (docs/analytics.md, "P&L attribution"): hand-computed splits of a
// long and a short trade, the unattributed cases, New York exit days, and the sums that must hold.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "core/time.h"
#include "evaluation/attribution.h"

namespace itrade::evaluation {
namespace {

using ::testing::HasSubstr;

// hh:mm UTC on 2024-08-<day> (daylight time: New York = UTC - 4 h).
core::Timestamp at(int day, int hour, int minute = 0) {
  return core::start_of_day(core::days_from_civil(2024, 8, day)) + hour * core::kNanosPerHour +
         minute * core::kNanosPerMinute;
}

Trade trade(int ticker, Side side, core::Timestamp decided, core::Timestamp exited, double pnl) {
  Trade t;
  t.ticker = ticker;
  t.side = side;
  t.decision_ts = decided;
  t.entry_ts = decided + 5 * core::kNanosPerMinute;
  t.exit_ts = exited;
  t.pnl = pnl;
  t.quantity = 10.0;
  return t;
}

const std::vector<std::string> kFeatures = {"f1", "f2", "f3"};

TEST(AttributionTest, SplitsEachTradeAmongTheFeaturesThatPushedItsSide) {
  BacktestResult result;
  result.tickers = {"AAA", "BBB"};
  std::vector<TickerContributions> c(2);
  // AAA at 14:00: f1 and f3 push long, f2 short; at 15:00 every feature pushes short or not at all.
  c[0].ts = {at(12, 14), at(12, 15)};
  c[0].values = {0.75f, -0.5f, 0.25f, -0.25f, -0.5f, 0.0f};
  // BBB at 14:00: f2 and f3 push short.
  c[1].ts = {at(12, 14)};
  c[1].values = {0.5f, -1.5f, -0.5f};
  result.trades = {
      // Long AAA, +100: pushes (0.75, -0.5, 0.25) -> shares 0.75, 0, 0.25.
      trade(0, Side::long_position, at(12, 14), at(12, 19), 100.0),
      // Short BBB, -40: pushes (-0.5, 1.5, 0.5) -> shares 0, 0.75, 0.25.
      trade(1, Side::short_position, at(12, 14), at(12, 19, 30), -40.0),
      // Long AAA decided at a bar without a row: unattributed. Exits at 01:00 UTC on the 14th,
      // 21:00 on the 13th in New York.
      trade(0, Side::long_position, at(13, 14), at(14, 1), 7.0),
      // Long AAA decided at 15:00, where no feature pushed long: unattributed.
      trade(0, Side::long_position, at(12, 15), at(13, 16), -3.0),
  };

  auto attribution = attribute_pnl(result, kFeatures, c);
  ASSERT_TRUE(attribution.ok()) << attribution.error().message;
  const PnlAttribution& a = *attribution;
  EXPECT_EQ(a.features, kFeatures);
  ASSERT_EQ(a.days,
            (std::vector<core::DayNumber>{core::days_from_civil(2024, 8, 12), core::days_from_civil(2024, 8, 13)}));
  EXPECT_DOUBLE_EQ(a.at(0, 0), 75.0);
  EXPECT_DOUBLE_EQ(a.at(0, 1), -30.0);
  EXPECT_DOUBLE_EQ(a.at(0, 2), 25.0 - 10.0);
  EXPECT_DOUBLE_EQ(a.daily_unattributed[0], 0.0);
  for (std::size_t f = 0; f < 3; ++f) EXPECT_DOUBLE_EQ(a.at(1, f), 0.0);
  EXPECT_DOUBLE_EQ(a.daily_unattributed[1], 7.0 - 3.0);
  EXPECT_EQ(a.totals, (std::vector<double>{75.0, -30.0, 15.0}));
  EXPECT_DOUBLE_EQ(a.unattributed, 4.0);
  EXPECT_EQ(a.trades, (std::vector<std::size_t>{1, 1, 2}));
  EXPECT_EQ(a.attributed_trades, 2u);
  EXPECT_EQ(a.trades_without_row, 1u);
  EXPECT_EQ(a.trades_without_push, 1u);
}

TEST(AttributionTest, EveryTradesPnlIsFullyAccountedFor) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const std::vector<std::string> features = {"a", "b", "c", "d", "e", "f"};
  BacktestResult result;
  result.tickers = {"X", "Y", "Z"};
  std::vector<TickerContributions> c(3);
  for (auto& table : c) {
    for (int k = 0; k < 200; ++k) {
      table.ts.push_back(at(12, 13, 30) + k * 5 * core::kNanosPerMinute);
      for (std::size_t f = 0; f < features.size(); ++f) table.values.push_back(normal(rng));
    }
  }
  double total = 0.0;
  for (int i = 0; i < 500; ++i) {
    const int ticker = i % 3;
    const auto k = static_cast<std::size_t>(i * 7 % 210);  // some decision bars have no row
    const core::Timestamp decided = at(12, 13, 30) + static_cast<core::Timestamp>(k) * 5 * core::kNanosPerMinute;
    const double pnl = 50.0 * normal(rng);
    total += pnl;
    result.trades.push_back(trade(ticker, i % 2 == 0 ? Side::long_position : Side::short_position, decided,
                                  decided + core::kNanosPerHour, pnl));

    // One trade alone: its attributed amounts add up to its pnl.
    BacktestResult one;
    one.tickers = result.tickers;
    one.trades = {result.trades.back()};
    auto single = attribute_pnl(one, features, c);
    ASSERT_TRUE(single.ok());
    const double split = std::accumulate(single->totals.begin(), single->totals.end(), 0.0) + single->unattributed;
    EXPECT_NEAR(split, pnl, 1e-12 * std::max(1.0, std::abs(pnl))) << i;
    for (std::size_t f = 0; f < features.size(); ++f) {
      // A feature's amount has the trade's sign (or is 0): shares are >= 0.
      EXPECT_GE(single->totals[f] * pnl, 0.0) << i << " " << f;
    }
  }
  auto attribution = attribute_pnl(result, features, c);
  ASSERT_TRUE(attribution.ok());
  const PnlAttribution& a = *attribution;
  EXPECT_NEAR(std::accumulate(a.totals.begin(), a.totals.end(), 0.0) + a.unattributed, total, 1e-9);
  EXPECT_GT(a.trades_without_row, 0u);
  EXPECT_EQ(a.attributed_trades + a.trades_without_row + a.trades_without_push, result.trades.size());
  // The daily table adds up to the totals.
  for (std::size_t f = 0; f < features.size(); ++f) {
    double column = 0.0;
    for (std::size_t d = 0; d < a.days.size(); ++d) column += a.at(d, f);
    EXPECT_NEAR(column, a.totals[f], 1e-9);
  }
}

TEST(AttributionTest, NoTradesGiveEmptyDaysAndZeroTotals) {
  BacktestResult result;
  result.tickers = {"AAA"};
  std::vector<TickerContributions> c(1);
  auto a = attribute_pnl(result, kFeatures, c);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->days.empty());
  EXPECT_EQ(a->totals, (std::vector<double>{0.0, 0.0, 0.0}));
  EXPECT_EQ(a->unattributed, 0.0);
}

TEST(AttributionTest, InputErrorsNameTheProblem) {
  BacktestResult result;
  result.tickers = {"AAA", "BBB"};
  std::vector<TickerContributions> one(1);
  auto count = attribute_pnl(result, kFeatures, one);
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.error().kind, core::ErrorKind::input);
  EXPECT_THAT(count.error().message, HasSubstr("1 contribution tables for 2 tickers"));

  std::vector<TickerContributions> c(2);
  c[1].ts = {at(12, 14)};
  c[1].values = {1.0f, 2.0f};
  auto shape = attribute_pnl(result, kFeatures, c);
  ASSERT_FALSE(shape.ok());
  EXPECT_THAT(shape.error().message, HasSubstr("BBB: 2 contribution values for 1 bars of 3 features"));

  c[1].ts = {at(12, 14), at(12, 14)};
  c[1].values.assign(6, 0.0f);
  auto order = attribute_pnl(result, kFeatures, c);
  ASSERT_FALSE(order.ok());
  EXPECT_THAT(order.error().message, HasSubstr("BBB: contribution bar times are not strictly ascending"));

  c[1] = {};
  result.trades = {trade(2, Side::long_position, at(12, 14), at(12, 15), 1.0)};
  auto ticker = attribute_pnl(result, kFeatures, c);
  ASSERT_FALSE(ticker.ok());
  EXPECT_THAT(ticker.error().message, HasSubstr("ticker index 2"));
}

}  // namespace
}  // namespace itrade::evaluation
