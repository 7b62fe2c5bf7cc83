#pragma once
// The risk manager's limits: config/risk.yaml (docs/risk.md). Every limit has a built-in hard
// ceiling that a configuration cannot loosen: a file asking for more is refused, it is never
// clipped. The defaults are the blueprint's.
//
//     max_position_pct: 0.05           # one position's value / equity            (ceiling 0.25)
//     max_positions: 20                # open positions at once                    (ceiling 100)
//     daily_loss_limit_pct: 0.02       # loss since the day's start / that equity  (ceiling 0.05)
//     weekly_loss_limit_pct: 0.05      # loss since the week's start               (ceiling 0.10)
//     max_drawdown_pct: 0.10           # fall from the peak equity                 (ceiling 0.25)
//     no_trade_before_close_min: 15    # no new risk in the session's last minutes (floor 5)
//     max_order_notional: 50000        # value of the risk an order adds          (ceiling 1e6)
//     max_sector_exposure_pct: 0.30    # gross value in one sector / equity        (ceiling 0.60)
//     max_correlation: 0.80            # signed return correlation with an open position (ceiling 0.95)
//     correlation_window_bars: 390     # trailing bars the correlation is measured over
//     price_band_pct: 0.05             # an order's price vs the last price        (ceiling 0.20)
//     sectors: { SPY: Broad Market ETF }   # ticker -> sector, over the universes' sector columns

#include <filesystem>
#include <map>
#include <string>

#include "core/config_node.h"
#include "core/result.h"

namespace itrade::execution {

struct RiskConfig {
  double max_position_pct = 0.05;
  int max_positions = 20;
  double daily_loss_limit_pct = 0.02;
  double weekly_loss_limit_pct = 0.05;
  double max_drawdown_pct = 0.10;
  int no_trade_before_close_min = 15;
  double max_order_notional = 50'000.0;
  double max_sector_exposure_pct = 0.30;
  double max_correlation = 0.80;
  int correlation_window_bars = 390;
  double price_band_pct = 0.05;
  std::map<std::string, std::string> sectors;  // risk.yaml's own ticker -> sector entries

  // The hard ceilings (floors for no_trade_before_close_min). Changing one is a code change with a
  // review, not a configuration.
  struct Ceilings {
    static constexpr double max_position_pct = 0.25;
    static constexpr int max_positions = 100;
    static constexpr double daily_loss_limit_pct = 0.05;
    static constexpr double weekly_loss_limit_pct = 0.10;
    static constexpr double max_drawdown_pct = 0.25;
    static constexpr int no_trade_before_close_min = 5;  // a floor: fewer minutes would loosen it
    static constexpr double max_order_notional = 1'000'000.0;
    static constexpr double max_sector_exposure_pct = 0.60;
    static constexpr double max_correlation = 0.95;
    static constexpr double price_band_pct = 0.20;
  };

  // Input error naming the field for a value out of range or past its ceiling (values set in code).
  core::Status check() const;

  // Every limit at its hard ceiling (floor): the loosest configuration the risk manager accepts,
  // e.g. to see which results the limits themselves change.
  static RiskConfig at_ceilings();
};

// Reads a risk.yaml mapping; every key is optional. Errors name file:line: key and, for a value
// past its ceiling, say that the ceiling is built in.
core::Result<RiskConfig> read_risk_config(const core::ConfigNode& root);
core::Result<RiskConfig> load_risk_config(const std::filesystem::path& file);

}  // namespace itrade::execution
