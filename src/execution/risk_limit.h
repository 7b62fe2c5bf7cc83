#pragma once
// The names of the risk manager's limits and the record of a loss limit tripping: what reports
// and backtest results carry, without the risk manager itself (risk_manager.h).

#include <cstddef>
#include <string_view>

#include "core/time.h"

namespace itrade::execution {

enum class RiskLimit {
  none,
  invalid_order,    // the order itself is malformed
  daily_loss,       // trading halted for the day
  weekly_loss,      // ... for the week
  drawdown,         // ... until reset_drawdown()
  outside_session,  // not inside the regular session
  session_close,    // within no_trade_before_close_min of the close
  no_price,         // no last price for the ticker
  price_band,       // the order's price is too far from the last price
  max_positions,
  position_size,
  order_notional,
  sector_exposure,
  correlation,
};
inline constexpr std::size_t kRiskLimitCount = static_cast<std::size_t>(RiskLimit::correlation) + 1;

std::string_view limit_name(RiskLimit limit);  // "daily_loss", "position_size", ...

// A loss limit tripping: when, on which equity, against which threshold.
struct Trip {
  RiskLimit limit = RiskLimit::none;
  core::Timestamp ts = 0;
  double equity = 0.0;
  double threshold = 0.0;  // the equity at or below which it trips
};

}  // namespace itrade::execution
