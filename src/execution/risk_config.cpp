#include "execution/risk_config.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace itrade::execution {
namespace {

// One limit's rule: the value must lie in (0, ceiling] (or [floor, 390] for the minutes).
struct Bound {
  std::string_view key;
  double value;
  double lowest;   // exclusive unless `lowest_inclusive`
  double highest;  // inclusive
  bool lowest_inclusive = false;
  bool ceiling = true;  // false: `highest` is a plain range end, not a hard ceiling
  bool floor = false;   // true: `lowest` is a hard floor (raising it tightens the limit)
};

// The problem with `b.value` and how to fix it, or nullopt.
std::optional<std::pair<std::string, std::string>> problem(const Bound& b) {
  const bool low = b.lowest_inclusive ? !(b.value >= b.lowest) : !(b.value > b.lowest);
  if (!std::isfinite(b.value) || low) {
    if (b.floor) {
      return std::pair{fmt::format("{} is below the hard floor {}", b.value, b.lowest),
                       "the floor is built in; a configuration cannot loosen it (docs/risk.md)"};
    }
    return std::pair{fmt::format("{} must be above {}", b.value, b.lowest), "give a positive value"};
  }
  if (b.value > b.highest) {
    if (b.ceiling) {
      return std::pair{fmt::format("{} is above the hard ceiling {}", b.value, b.highest),
                       "the ceiling is built in; a configuration cannot loosen it (docs/risk.md)"};
    }
    return std::pair{fmt::format("{} is above {}", b.value, b.highest), fmt::format("give at most {}", b.highest)};
  }
  return std::nullopt;
}

std::vector<Bound> bounds(const RiskConfig& c) {
  using C = RiskConfig::Ceilings;
  return {
      {"max_position_pct", c.max_position_pct, 0.0, C::max_position_pct},
      {"max_positions", static_cast<double>(c.max_positions), 1.0, C::max_positions, true},
      {"daily_loss_limit_pct", c.daily_loss_limit_pct, 0.0, C::daily_loss_limit_pct},
      {"weekly_loss_limit_pct", c.weekly_loss_limit_pct, 0.0, C::weekly_loss_limit_pct},
      {"max_drawdown_pct", c.max_drawdown_pct, 0.0, C::max_drawdown_pct},
      {"no_trade_before_close_min", static_cast<double>(c.no_trade_before_close_min),
       static_cast<double>(C::no_trade_before_close_min), 390.0, true, false, true},
      {"max_order_notional", c.max_order_notional, 0.0, C::max_order_notional},
      {"max_sector_exposure_pct", c.max_sector_exposure_pct, 0.0, C::max_sector_exposure_pct},
      {"max_correlation", c.max_correlation, 0.0, C::max_correlation},
      {"correlation_window_bars", static_cast<double>(c.correlation_window_bars), 20.0, 100'000.0, true, false},
      {"price_band_pct", c.price_band_pct, 0.0, C::price_band_pct},
  };
}

}  // namespace

RiskConfig RiskConfig::at_ceilings() {
  RiskConfig c;
  c.max_position_pct = Ceilings::max_position_pct;
  c.max_positions = Ceilings::max_positions;
  c.daily_loss_limit_pct = Ceilings::daily_loss_limit_pct;
  c.weekly_loss_limit_pct = Ceilings::weekly_loss_limit_pct;
  c.max_drawdown_pct = Ceilings::max_drawdown_pct;
  c.no_trade_before_close_min = Ceilings::no_trade_before_close_min;
  c.max_order_notional = Ceilings::max_order_notional;
  c.max_sector_exposure_pct = Ceilings::max_sector_exposure_pct;
  c.max_correlation = Ceilings::max_correlation;
  c.price_band_pct = Ceilings::price_band_pct;
  return c;
}

core::Status RiskConfig::check() const {
  for (const Bound& b : bounds(*this)) {
    if (auto p = problem(b)) return core::input_error("risk.{}: {}; {}", b.key, p->first, p->second);
  }
  return {};
}

core::Result<RiskConfig> read_risk_config(const core::ConfigNode& root) {
  (void)root.only_keys({"max_position_pct", "max_positions", "daily_loss_limit_pct", "weekly_loss_limit_pct",
                        "max_drawdown_pct", "no_trade_before_close_min", "max_order_notional",
                        "max_sector_exposure_pct", "max_correlation", "correlation_window_bars", "price_band_pct",
                        "sectors"});
  RiskConfig c;
  const auto integer = [&](std::string_view key, int fallback) {
    return static_cast<int>(root.optional_in_range<std::int64_t>(key, fallback, -1'000'000, 1'000'000));
  };
  c.max_position_pct = root.optional<double>("max_position_pct", c.max_position_pct);
  c.max_positions = integer("max_positions", c.max_positions);
  c.daily_loss_limit_pct = root.optional<double>("daily_loss_limit_pct", c.daily_loss_limit_pct);
  c.weekly_loss_limit_pct = root.optional<double>("weekly_loss_limit_pct", c.weekly_loss_limit_pct);
  c.max_drawdown_pct = root.optional<double>("max_drawdown_pct", c.max_drawdown_pct);
  c.no_trade_before_close_min = integer("no_trade_before_close_min", c.no_trade_before_close_min);
  c.max_order_notional = root.optional<double>("max_order_notional", c.max_order_notional);
  c.max_sector_exposure_pct = root.optional<double>("max_sector_exposure_pct", c.max_sector_exposure_pct);
  c.max_correlation = root.optional<double>("max_correlation", c.max_correlation);
  c.correlation_window_bars = integer("correlation_window_bars", c.correlation_window_bars);
  c.price_band_pct = root.optional<double>("price_band_pct", c.price_band_pct);
  const core::ConfigNode sectors = root.child("sectors");
  for (const std::string& ticker : sectors.keys()) {
    const std::string sector = sectors.required<std::string>(ticker);
    if (sector.empty()) sectors.fail(ticker, "empty sector", "give the ticker's sector name");
    c.sectors[ticker] = sector;
  }
  if (!root.ok()) return root.status().error();
  for (const Bound& b : bounds(c)) {
    if (auto p = problem(b)) {
      root.fail(b.key, p->first, p->second);
      return root.status().error();
    }
  }
  return c;
}

core::Result<RiskConfig> load_risk_config(const std::filesystem::path& file) {
  auto loaded = core::ConfigNode::load_file(file);
  if (!loaded) return loaded.error();
  return read_risk_config(*loaded);
}

}  // namespace itrade::execution
