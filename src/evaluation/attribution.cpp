#include "evaluation/attribution.h"

#include <algorithm>
#include <cmath>

#include "core/nyse_calendar.h"

namespace itrade::evaluation {

core::Result<PnlAttribution> attribute_pnl(const BacktestResult& result, const std::vector<std::string>& features,
                                           std::span<const TickerContributions> contributions) {
  if (contributions.size() != result.tickers.size()) {
    return core::input_error("{} contribution tables for {} tickers; give one per ticker, in the backtest's order",
                             contributions.size(), result.tickers.size());
  }
  const std::size_t width = features.size();
  for (std::size_t t = 0; t < contributions.size(); ++t) {
    const TickerContributions& c = contributions[t];
    if (c.values.size() != c.ts.size() * width) {
      return core::input_error("{}: {} contribution values for {} bars of {} features; give one row per bar",
                               result.tickers[t], c.values.size(), c.ts.size(), width);
    }
    for (std::size_t k = 1; k < c.ts.size(); ++k) {
      if (c.ts[k] <= c.ts[k - 1]) {
        return core::input_error("{}: contribution bar times are not strictly ascending at {}", result.tickers[t],
                                 core::format_utc(c.ts[k]));
      }
    }
  }
  for (const Trade& trade : result.trades) {
    if (trade.ticker < 0 || static_cast<std::size_t>(trade.ticker) >= result.tickers.size()) {
      return core::input_error("a trade's ticker index {} is outside the {} tickers", trade.ticker,
                               result.tickers.size());
    }
  }

  PnlAttribution out;
  out.features = features;
  const auto& calendar = core::NyseCalendar::instance();
  std::vector<core::DayNumber> exit_day(result.trades.size());
  for (std::size_t i = 0; i < result.trades.size(); ++i) exit_day[i] = calendar.new_york_day(result.trades[i].exit_ts);
  out.days = exit_day;
  std::sort(out.days.begin(), out.days.end());
  out.days.erase(std::unique(out.days.begin(), out.days.end()), out.days.end());
  out.daily.assign(out.days.size() * width, 0.0);
  out.daily_unattributed.assign(out.days.size(), 0.0);
  out.totals.assign(width, 0.0);
  out.trades.assign(width, 0);

  std::vector<double> pushes(width);
  for (std::size_t i = 0; i < result.trades.size(); ++i) {
    const Trade& trade = result.trades[i];
    const auto d =
        static_cast<std::size_t>(std::lower_bound(out.days.begin(), out.days.end(), exit_day[i]) - out.days.begin());
    const TickerContributions& table = contributions[static_cast<std::size_t>(trade.ticker)];
    const auto found = std::lower_bound(table.ts.begin(), table.ts.end(), trade.decision_ts);
    if (found == table.ts.end() || *found != trade.decision_ts) {
      ++out.trades_without_row;
      out.daily_unattributed[d] += trade.pnl;
      continue;
    }
    const float* row = table.values.data() + static_cast<std::size_t>(found - table.ts.begin()) * width;
    const double side = trade.side == Side::long_position ? 1.0 : -1.0;
    double towards = 0.0;  // sum over the features pushing towards the side taken
    for (std::size_t f = 0; f < width; ++f) {
      const double push = side * static_cast<double>(row[f]);
      pushes[f] = std::isfinite(push) && push > 0.0 ? push : 0.0;
      towards += pushes[f];
    }
    if (!(towards > 0.0)) {
      ++out.trades_without_push;
      out.daily_unattributed[d] += trade.pnl;
      continue;
    }
    ++out.attributed_trades;
    double* day = out.daily.data() + d * width;
    for (std::size_t f = 0; f < width; ++f) {
      if (pushes[f] == 0.0) continue;
      day[f] += trade.pnl * (pushes[f] / towards);
      ++out.trades[f];
    }
  }
  for (std::size_t d = 0; d < out.days.size(); ++d) {
    for (std::size_t f = 0; f < width; ++f) out.totals[f] += out.daily[d * width + f];
    out.unattributed += out.daily_unattributed[d];
  }
  return out;
}

}  // namespace itrade::evaluation
