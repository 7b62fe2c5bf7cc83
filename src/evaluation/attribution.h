#pragma once
// Daily P&L attributed to features (docs/analytics.md, "P&L attribution"): each round trip's P&L
// is split among the features that pushed the model's signal towards the side the trade took, at
// the bar whose close decided the entry, in proportion to their pushes:
//
//   p_f       = side x c_f                           (side +1 long, -1 short; c_f from
//                                                     SignalModel::direction_contributions)
//   share_f   = max(0, p_f) / sum_g max(0, p_g)
//   pnl_f     = pnl x share_f
//
// A trade with no contribution row for its decision bar, or whose features all pushed against its
// side (sum_g max(0, p_g) = 0), goes to "unattributed". Per trade the attributed amounts therefore
// add up to its pnl, and over a run the feature totals plus the unattributed P&L add up to the sum
// of the trades' pnl. Daily figures are summed by the New York day of the trade's exit.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "evaluation/backtest_result.h"

namespace itrade::evaluation {

// One ticker's per-bar feature contributions: for each bar time in `ts` (strictly ascending), one
// row of `features` values in `values` (row-major, ts.size() x features). Bars absent here have
// no contribution row.
struct TickerContributions {
  std::vector<core::Timestamp> ts;
  std::vector<float> values;
};

struct PnlAttribution {
  std::vector<std::string> features;
  // New York days on which at least one trade exited, ascending.
  std::vector<core::DayNumber> days;
  std::vector<double> daily;               // days x features, row-major: P&L attributed (currency)
  std::vector<double> daily_unattributed;  // per day: P&L of the trades no feature explains
  std::vector<double> totals;              // per feature: the sum of its daily column
  double unattributed = 0.0;               // the sum of daily_unattributed
  std::vector<std::size_t> trades;         // per feature: trades in which its share was > 0
  std::size_t attributed_trades = 0;       // trades split among the features
  std::size_t trades_without_row = 0;      // no contribution row at the decision bar: unattributed
  std::size_t trades_without_push = 0;     // no feature pushed towards the side: unattributed

  // P&L of feature f on day index d.
  double at(std::size_t d, std::size_t f) const { return daily[d * features.size() + f]; }
};

// Attributes every trade of `result` using `contributions[t]` for ticker t (one entry per
// result.tickers, same order) looked up at the trade's Trade::decision_ts. A non-finite
// contribution counts as no push.
// Input errors: contributions.size() != result.tickers.size(); a ticker whose values are not
// ts.size() x features.size() or whose ts are not strictly ascending (naming the ticker); a trade
// whose ticker index is out of range.
core::Result<PnlAttribution> attribute_pnl(const BacktestResult& result, const std::vector<std::string>& features,
                                           std::span<const TickerContributions> contributions);

}  // namespace itrade::evaluation
