#include "execution/trading_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

namespace itrade::execution {

namespace {

constexpr int kMaxHoldingBars = 1'000'000'000;

ConfigProblem out_of_range(std::string key, double value, std::string_view range, std::string fix) {
  return ConfigProblem{std::move(key), fmt::format("{} is out of range {}", value, range), std::move(fix)};
}

}  // namespace

std::optional<ConfigProblem> policy_problem(const PolicyConfig& p) {
  if (!(p.position_fraction > 0.0 && p.position_fraction <= 1.0)) {
    return out_of_range("position_fraction", p.position_fraction, "(0, 1]",
                        "give the base position value as a fraction of equity, e.g. 0.1");
  }
  if (!(p.entry_threshold > 0.0 && p.entry_threshold <= 1.0)) {
    return out_of_range("entry_threshold", p.entry_threshold, "(0, 1]", "choose a |signal| level such as 0.1");
  }
  if (!(p.exit_threshold >= 0.0 && p.exit_threshold <= 1.0)) {
    return out_of_range("exit_threshold", p.exit_threshold, "[0, 1)", "choose a level below entry_threshold, e.g. 0");
  }
  if (!(p.exit_threshold < p.entry_threshold)) {
    return ConfigProblem{"exit_threshold",
                         fmt::format("{} must be below entry_threshold ({})", p.exit_threshold, p.entry_threshold),
                         "choose 0 <= exit_threshold < entry_threshold <= 1"};
  }
  if (p.max_holding_bars < 0 || p.max_holding_bars > kMaxHoldingBars) {
    return out_of_range("max_holding_bars", p.max_holding_bars, "[0, 1e9]", "give a number of bars, or 0 for no limit");
  }
  return std::nullopt;
}

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
      // Down to an affordable whole number. cost() exceeds the cash here only by the rounding the
      // tolerance above allows, so steps of one share end in a step or two; past 1e12 shares the
      // step is that tolerance's share count instead, as from 2^53 on subtracting 1 changes nothing.
      quantity = std::floor(quantity);
      const double step = std::max(1.0, std::ceil(quantity * 1e-12));
      while (quantity >= 1.0 && cost(quantity) > cash) quantity -= step;
    }
  }
  if (policy.whole_shares ? quantity < 1.0 : !(quantity > 0.0)) return 0.0;
  return quantity;
}

}  // namespace itrade::execution
