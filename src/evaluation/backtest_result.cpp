#include "evaluation/backtest_result.h"

#include <fmt/format.h>

namespace itrade::evaluation {

std::string risk_trips_text(const BacktestResult& result) {
  if (!result.risk_managed) return "off";
  if (result.risk_trips.empty()) return "none";
  std::string text;
  for (const execution::Trip& trip : result.risk_trips) {
    text += fmt::format("{}{} at {} (equity {:.2f} <= {:.2f})", text.empty() ? "" : ", ",
                        execution::limit_name(trip.limit), core::format_utc(trip.ts), trip.equity, trip.threshold);
  }
  return text;
}

std::string risk_blocks_text(const BacktestResult& result) {
  if (!result.risk_managed) return "off";
  std::string text;
  const auto add = [&](const RiskBlocks& b, std::string_view what, std::size_t n) {
    if (n > 0) text += fmt::format("{}{} {} {}", text.empty() ? "" : ", ", execution::limit_name(b.limit), what, n);
  };
  for (const RiskBlocks& b : result.risk_blocks) {
    add(b, "rejected", b.rejected);
    add(b, "reduced", b.reduced);
  }
  return text.empty() ? "none" : text;
}

}  // namespace itrade::evaluation
