#include "cli/risk_settings.h"

#include "cli/data_sources.h"
#include "core/system_config.h"
#include "execution/sector_map.h"

namespace itrade::cli {

core::Result<evaluation::RiskSettings> load_risk_settings(const std::filesystem::path& root,
                                                          const GlobalOptions& global,
                                                          const std::filesystem::path& file) {
  auto limits = execution::load_risk_config(file.empty() ? config_file(root, global, "risk.yaml") : file);
  if (!limits) return limits.error();
  auto system = core::load_system_config(root);
  if (!system) return system.error();
  auto sectors = execution::load_sector_map(system->universes_dir, *limits);
  if (!sectors) return sectors.error();
  return evaluation::RiskSettings{std::move(*limits), std::move(*sectors), system->interval.ns};
}

nlohmann::json risk_limits_json(const execution::RiskConfig& c) {
  return {{"max_position_pct", c.max_position_pct},
          {"max_positions", c.max_positions},
          {"daily_loss_limit_pct", c.daily_loss_limit_pct},
          {"weekly_loss_limit_pct", c.weekly_loss_limit_pct},
          {"max_drawdown_pct", c.max_drawdown_pct},
          {"no_trade_before_close_min", c.no_trade_before_close_min},
          {"max_order_notional", c.max_order_notional},
          {"max_sector_exposure_pct", c.max_sector_exposure_pct},
          {"max_correlation", c.max_correlation},
          {"correlation_window_bars", c.correlation_window_bars},
          {"price_band_pct", c.price_band_pct}};
}

}  // namespace itrade::cli
