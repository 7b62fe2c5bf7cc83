#include "execution/trading_policy.h"

#include <algorithm>
#include <cmath>

namespace itrade::execution {

const char* exit_reason_name(ExitReason reason) {
  switch (reason) {
    case ExitReason::signal:
      return "signal";
    case ExitReason::reversal:
      return "reversal";
    case ExitReason::flatten:
      return "flatten";
    case ExitReason::max_holding:
      return "max_holding";
    case ExitReason::end_of_data:
      return "end_of_data";
  }
  return "?";
}

double entry_quantity(const PolicyConfig& policy, const CommissionConfig& commission, int direction, double strength,
                      double equity, double cash, double price) {
  if (!(price > 0.0)) return 0.0;
  double quantity = policy.position_fraction * strength * equity / price;
  if (!(quantity > 0.0)) return 0.0;  // NaN, zero strength or equity <= 0
  if (policy.whole_shares) quantity = std::floor(quantity);

  const auto cost = [&](double q) { return q * price + commission(q, price); };
  if (direction > 0 && cost(quantity) > cash) {
    // cost(q) is continuous, piecewise linear and increasing in q, so the largest affordable q
    // solves cost(q) = cash on one of its pieces: with the bps fee b and base = price x (1 + b),
    //   per-share piece: q (base + per_share) = cash;  minimum piece: q base + minimum = cash;
    //   cap piece: q (base + maximum_fraction x price) = cash;  no per-share schedule: q base = cash.
    // Every solution on another piece is either affordable and smaller or unaffordable, so the
    // largest affordable candidate is the answer (tolerance: the rounding of cost() itself).
    const double base = price * (1.0 + commission.bps * 1e-4);
    double best = 0.0;
    const auto consider = [&](double q) {
      if (q > best && cost(q) <= cash * (1.0 + 1e-12)) best = q;
    };
    if (commission.per_share > 0.0) {
      consider(cash / (base + commission.per_share));
      consider((cash - commission.minimum) / base);
      if (commission.maximum_fraction > 0.0) consider(cash / (base + commission.maximum_fraction * price));
    } else {
      consider(cash / base);
    }
    quantity = std::min(quantity, best);
    if (policy.whole_shares) {
      quantity = std::floor(quantity);
      while (quantity >= 1.0 && cost(quantity) > cash) quantity -= 1.0;
    }
  }
  if (policy.whole_shares ? quantity < 1.0 : !(quantity > 0.0)) return 0.0;
  return quantity;
}

}  // namespace itrade::execution
