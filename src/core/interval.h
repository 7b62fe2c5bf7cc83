#pragma once
// Bar intervals: "1m", "5m", "15m", "30m", "1h" (intraday, dividing the trading day evenly).

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace itrade::core {

struct Interval {
  std::int64_t ns = 5 * kNanosPerMinute;

  std::int64_t minutes() const { return ns / kNanosPerMinute; }
  std::string name() const;  // "5m"
  friend bool operator==(const Interval&, const Interval&) = default;

  // Accepts "<n>m", "<n>min", "<n>h" with n*minutes dividing 60 (minutes) or n in 1..4 (hours).
  static Result<Interval> parse(std::string_view text);
};

}  // namespace itrade::core
