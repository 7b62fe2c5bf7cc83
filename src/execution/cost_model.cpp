#include "execution/cost_model.h"

#include <fmt/format.h>

#include <string_view>

namespace itrade::execution {
namespace {

constexpr double kMaxPerShare = 100.0;  // account currency per share
constexpr double kMaxCash = 1e15;       // beyond this a value is a typo, not an account
constexpr double kMaxCommissionBps = 10'000.0;
constexpr double kMaxSlippageBps = 1'000.0;  // 10 % per fill

// False for NaN as well.
bool within(double value, double lo, double hi) { return value >= lo && value <= hi; }

ConfigProblem out_of_range(std::string key, double value, std::string_view range, std::string fix) {
  return ConfigProblem{std::move(key), fmt::format("{} is out of range {}", value, range), std::move(fix)};
}

}  // namespace

std::optional<ConfigProblem> cost_problem(const CommissionConfig& c, double slippage_bps) {
  if (!within(c.per_share, 0.0, kMaxPerShare)) {
    return out_of_range("commission.per_share", c.per_share, "[0, 100]",
                        "give the commission per share in the account currency, e.g. 0.005");
  }
  if (!within(c.minimum, 0.0, kMaxCash)) {
    return out_of_range("commission.minimum", c.minimum, "[0, 1e15]", "give the minimum commission per fill, e.g. 1.0");
  }
  if (!within(c.maximum_fraction, 0.0, 1.0)) {
    return out_of_range("commission.maximum_fraction", c.maximum_fraction, "[0, 1]",
                        "give the cap as a fraction of the trade value (0.01 = 1 %), or 0 for no cap");
  }
  if (!within(c.bps, 0.0, kMaxCommissionBps)) {
    return out_of_range("commission.bps", c.bps, "[0, 10000]",
                        "give the commission in basis points of the trade value, e.g. 0.5");
  }
  if (!within(slippage_bps, 0.0, kMaxSlippageBps)) {
    return out_of_range("slippage_bps", slippage_bps, "[0, 1000]", "give the slippage in basis points, e.g. 1");
  }
  return std::nullopt;
}

}  // namespace itrade::execution
