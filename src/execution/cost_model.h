#pragma once
// What a fill costs, the same for the backtester and the simulated broker (docs/backtesting.md,
// "Commission" and "Slippage"): one copy of the rule, so a paper run and a backtest can agree to
// the cent.

#include <optional>
#include <string>

#include "execution/order.h"

namespace itrade::execution {

// Commission per fill, value = quantity x fill price:
//   per_share > 0: min(max(per_share x quantity, minimum), cap) + bps / 1e4 x value,
//                  cap = maximum_fraction x value (no cap when maximum_fraction is 0);
//   per_share = 0: bps / 1e4 x value (the minimum and the cap belong to the per-share schedule).
// The defaults are Interactive Brokers' fixed US-stock pricing: $0.005 a share, at least $1.00,
// at most 1 % of the trade value.
struct CommissionConfig {
  double per_share = 0.005;        // account currency per share, >= 0
  double minimum = 1.0;            // account currency per fill, >= 0
  double maximum_fraction = 0.01;  // of the trade value, [0, 1]; 0 = no cap
  double bps = 0.0;                // basis points of the trade value, [0, 10000]

  // The commission of one fill of `quantity` shares (> 0) at `fill_price`. Non-negative.
  double operator()(double quantity, double fill_price) const {
    const double value = quantity * fill_price;
    double fee = bps * 1e-4 * value;
    if (per_share > 0.0) {
      double schedule = per_share * quantity;
      if (schedule < minimum) schedule = minimum;
      if (maximum_fraction > 0.0 && schedule > maximum_fraction * value) schedule = maximum_fraction * value;
      fee += schedule;
    }
    return fee;
  }
};

// The price paid by a buy / received by a sell at market price `price`, the fill moving against
// the order by `slippage_bps`: buy = price x (1 + bps / 1e4), sell = price x (1 - bps / 1e4).
constexpr double buy_price(double price, double slippage_bps) { return price * (1.0 + slippage_bps * 1e-4); }
constexpr double sell_price(double price, double slippage_bps) { return price * (1.0 - slippage_bps * 1e-4); }

struct CostModel {
  CommissionConfig commission;
  double slippage_bps = 1.0;  // [0, 1000]

  double fill_price(OrderSide side, double market_price) const {
    return side == OrderSide::buy ? buy_price(market_price, slippage_bps) : sell_price(market_price, slippage_bps);
  }
};

// One broken rule of a cost or policy setting: `key` as written under the config's keys
// ("commission.per_share", "slippage_bps", "entry_threshold"), what is wrong, and how to fix it.
struct ConfigProblem {
  std::string key;
  std::string problem;
  std::string fix;
};

// The ranges every cost model must keep (the same for backtests and the simulated broker): per
// share [0, 100], minimum [0, 1e15], maximum_fraction [0, 1], bps [0, 10000], slippage [0, 1000]
// bps. The first one broken, or nullopt. NaN breaks every range.
std::optional<ConfigProblem> cost_problem(const CommissionConfig& commission, double slippage_bps);

}  // namespace itrade::execution
