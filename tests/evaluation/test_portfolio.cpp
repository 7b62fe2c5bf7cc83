// Portfolio accounting: cash moves by fill value and commission, trades record both fees and the
// round trip's pnl, equity = cash + positions at their marks, the open list stays consistent.

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "evaluation/portfolio.h"

namespace itrade::evaluation {
namespace {

constexpr core::Timestamp kT0 = 1'723'469'400'000'000'000;  // 2024-08-12T13:30:00Z
constexpr core::Timestamp kStep = 300'000'000'000;          // 5 minutes

TEST(PortfolioTest, LongRoundTrip) {
  Portfolio portfolio(2, 10'000.0);
  portfolio.open(0, Side::long_position, 10.0, 100.0, 1.0, kT0, 3);
  EXPECT_DOUBLE_EQ(portfolio.cash(), 10'000.0 - 1000.0 - 1.0);
  EXPECT_DOUBLE_EQ(portfolio.position(0).quantity, 10.0);
  EXPECT_TRUE(portfolio.is_open(0));
  EXPECT_FALSE(portfolio.is_open(1));

  portfolio.set_mark(0, 105.0);
  EXPECT_DOUBLE_EQ(portfolio.equity(), 8999.0 + 1050.0);
  EXPECT_DOUBLE_EQ(portfolio.gross_exposure(), 1050.0);

  const Trade& trade = portfolio.close(0, 110.0, 2.0, kT0 + 4 * kStep, 7, ExitReason::signal);
  EXPECT_EQ(trade.ticker, 0);
  EXPECT_EQ(trade.side, Side::long_position);
  EXPECT_EQ(trade.entry_ts, kT0);
  EXPECT_EQ(trade.exit_ts, kT0 + 4 * kStep);
  EXPECT_DOUBLE_EQ(trade.entry_price, 100.0);
  EXPECT_DOUBLE_EQ(trade.exit_price, 110.0);
  EXPECT_DOUBLE_EQ(trade.quantity, 10.0);
  EXPECT_DOUBLE_EQ(trade.fees, 3.0);
  EXPECT_DOUBLE_EQ(trade.pnl, 10.0 * 10.0 - 3.0);
  EXPECT_EQ(trade.holding_bars, 5);  // bars 3..7
  EXPECT_EQ(trade.reason, ExitReason::signal);
  EXPECT_DOUBLE_EQ(trade.return_fraction(), 97.0 / 1000.0);

  EXPECT_DOUBLE_EQ(portfolio.cash(), 10'000.0 + 97.0);
  EXPECT_FALSE(portfolio.is_open(0));
  EXPECT_DOUBLE_EQ(portfolio.equity(), portfolio.cash());
  EXPECT_DOUBLE_EQ(portfolio.total_fees(), 3.0);
  EXPECT_DOUBLE_EQ(portfolio.traded_value(), 1000.0 + 1100.0);
  ASSERT_EQ(portfolio.trades().size(), 1u);
}

TEST(PortfolioTest, ShortRoundTrip) {
  Portfolio portfolio(1, 1000.0);
  portfolio.open(0, Side::short_position, 5.0, 40.0, 0.5, kT0, 0);
  EXPECT_DOUBLE_EQ(portfolio.cash(), 1000.0 + 200.0 - 0.5);  // proceeds credited, no margin
  EXPECT_DOUBLE_EQ(portfolio.position(0).quantity, -5.0);
  EXPECT_EQ(portfolio.position(0).side(), Side::short_position);
  portfolio.set_mark(0, 42.0);
  EXPECT_DOUBLE_EQ(portfolio.equity(), 1199.5 - 210.0);
  EXPECT_DOUBLE_EQ(portfolio.gross_exposure(), 210.0);

  const Trade& trade = portfolio.close(0, 36.0, 0.5, kT0 + kStep, 1, ExitReason::reversal);
  EXPECT_EQ(trade.side, Side::short_position);
  EXPECT_DOUBLE_EQ(trade.pnl, -1.0 * 5.0 * (36.0 - 40.0) - 1.0);
  EXPECT_EQ(trade.holding_bars, 2);
  EXPECT_DOUBLE_EQ(portfolio.cash(), 1000.0 + 19.0);
}

TEST(PortfolioTest, EquityIsCashPlusSignedPositionsAtMarks) {
  Portfolio portfolio(4, 50'000.0);
  portfolio.open(0, Side::long_position, 100.0, 10.0, 0.0, kT0, 0);
  portfolio.open(2, Side::short_position, 20.0, 50.0, 0.0, kT0, 0);
  portfolio.open(3, Side::long_position, 1.5, 200.0, 0.0, kT0, 0);
  portfolio.set_mark(0, 11.0);
  portfolio.set_mark(1, 999.0);  // flat: its mark does not count
  portfolio.set_mark(2, 45.0);
  portfolio.set_mark(3, 210.0);
  const double cash = 50'000.0 - 1000.0 + 1000.0 - 300.0;
  EXPECT_DOUBLE_EQ(portfolio.cash(), cash);
  EXPECT_DOUBLE_EQ(portfolio.equity(), cash + 1100.0 - 900.0 + 315.0);
  EXPECT_DOUBLE_EQ(portfolio.gross_exposure(), 1100.0 + 900.0 + 315.0);
}

TEST(PortfolioTest, OpenListFollowsOpensAndCloses) {
  Portfolio portfolio(5, 1e6);
  for (int t = 0; t < 5; ++t) portfolio.open(t, Side::long_position, 1.0, 10.0, 0.0, kT0, 0);
  (void)portfolio.close(1, 10.0, 0.0, kT0, 1, ExitReason::signal);
  (void)portfolio.close(4, 10.0, 0.0, kT0, 1, ExitReason::signal);
  (void)portfolio.close(0, 10.0, 0.0, kT0, 1, ExitReason::signal);
  std::vector<int> open(portfolio.open_tickers().begin(), portfolio.open_tickers().end());
  std::sort(open.begin(), open.end());
  EXPECT_EQ(open, (std::vector<int>{2, 3}));
  portfolio.open(1, Side::short_position, 2.0, 10.0, 0.0, kT0, 2);
  open.assign(portfolio.open_tickers().begin(), portfolio.open_tickers().end());
  std::sort(open.begin(), open.end());
  EXPECT_EQ(open, (std::vector<int>{1, 2, 3}));
  for (int t : {1, 2, 3}) (void)portfolio.close(t, 10.0, 0.0, kT0, 3, ExitReason::flatten);
  EXPECT_TRUE(portfolio.open_tickers().empty());
  EXPECT_EQ(portfolio.trades().size(), 6u);
  EXPECT_DOUBLE_EQ(portfolio.cash(), 1e6);
}

TEST(PortfolioTest, TakeTradesMovesTheList) {
  Portfolio portfolio(1, 100.0);
  portfolio.open(0, Side::long_position, 1.0, 10.0, 0.0, kT0, 0);
  (void)portfolio.close(0, 12.0, 0.0, kT0 + kStep, 1, ExitReason::end_of_data);
  std::vector<Trade> trades = portfolio.take_trades();
  ASSERT_EQ(trades.size(), 1u);
  EXPECT_EQ(trades[0].reason, ExitReason::end_of_data);
  EXPECT_DOUBLE_EQ(trades[0].pnl, 2.0);
}

}  // namespace
}  // namespace itrade::evaluation
