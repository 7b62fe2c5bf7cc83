// The sizing rule the backtester and the trading engine share (docs/backtesting.md, "Sizing"):
// base x strength of the equity in whole shares, longs cut to the largest whole number the cash
// pays for with its commission, and an answer for every input (never a hang).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "execution/trading_policy.h"

namespace itrade::execution {
namespace {

constexpr double kUnlimited = std::numeric_limits<double>::infinity();

TEST(EntryQuantityTest, BaseTimesStrengthOfTheEquityInWholeShares) {
  PolicyConfig policy;
  policy.position_fraction = 0.1;
  const CommissionConfig commission;
  // 0.1 x 0.8 x 100,000 / 33 = 242.4 shares.
  EXPECT_EQ(entry_quantity(policy, commission, 1, 0.8, 100'000.0, kUnlimited, 33.0), 242.0);
  EXPECT_EQ(entry_quantity(policy, commission, -1, 0.8, 100'000.0, 0.0, 33.0), 242.0);  // shorts need no cash
  policy.whole_shares = false;
  EXPECT_DOUBLE_EQ(entry_quantity(policy, commission, 1, 0.8, 100'000.0, kUnlimited, 33.0), 8'000.0 / 33.0);
}

TEST(EntryQuantityTest, ALongIsTheLargestWholeNumberTheCashPaysForWithItsCommission) {
  PolicyConfig policy;
  policy.position_fraction = 1.0;
  const CommissionConfig commission;  // 0.005 per share, minimum 1, at most 1 % of the value
  const double price = 20.0;
  for (const double cash : {1'000.0, 1'001.0, 1'002.5, 999.99, 25.0, 21.0, 20.5}) {
    SCOPED_TRACE(cash);
    const double q = entry_quantity(policy, commission, 1, 1.0, 1e9, cash, price);
    const auto cost = [&](double n) { return n * price + commission(n, price); };
    if (q > 0.0) {
      EXPECT_LE(cost(q), cash);
    }
    EXPECT_GT(cost(q + 1.0), cash);
    EXPECT_EQ(q, std::floor(q));
  }
  // 20.5 pays for one share and its 0.2 commission; 20 does not.
  EXPECT_EQ(entry_quantity(policy, commission, 1, 1.0, 1e9, 20.5, price), 1.0);
  EXPECT_EQ(entry_quantity(policy, commission, 1, 1.0, 1e9, 20.0, price), 0.0);
}

TEST(EntryQuantityTest, NothingToSizeGivesZero) {
  const PolicyConfig policy;
  const CommissionConfig commission;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(entry_quantity(policy, commission, 1, nan, 100'000.0, kUnlimited, 10.0), 0.0);
  EXPECT_EQ(entry_quantity(policy, commission, 1, 0.5, -5.0, kUnlimited, 10.0), 0.0);
  EXPECT_EQ(entry_quantity(policy, commission, 1, 0.5, 100'000.0, kUnlimited, 0.0), 0.0);
  EXPECT_EQ(entry_quantity(policy, commission, 1, 0.5, 100'000.0, -1.0, 10.0), 0.0);
  EXPECT_EQ(entry_quantity(policy, commission, 1, 0.001, 100'000.0, kUnlimited, 1'000.0), 0.0);  // under a share
}

// Past 2^53 shares, one share is below a double's resolution: cutting a long to the cash one share
// at a time never ended. An account this large is absurd, but the answer must still come, and be
// affordable.
TEST(EntryQuantityTest, AnAstronomicalLongStillEndsAffordable) {
  PolicyConfig policy;
  policy.position_fraction = 1.0;
  const CommissionConfig commission;
  for (int k = 0; k < 200; ++k) {
    const double cash = 6e17 * (1.0 + 1e-3 * k);
    const double price = 1.0 + 0.37 * k;
    const double q = entry_quantity(policy, commission, 1, 1.0, 10.0 * cash, cash, price);
    ASSERT_GT(q, 0.0) << k;
    EXPECT_LE(q * price + commission(q, price), cash) << k;
    // Cut by rounding's worth, not more: the per-share schedule applies at this size.
    EXPECT_GE(q, cash / (price + commission.per_share) * (1.0 - 1e-9)) << k;
  }
}

}  // namespace
}  // namespace itrade::execution
