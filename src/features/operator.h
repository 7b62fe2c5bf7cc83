#pragma once
// The streaming operator contract every feature implements (docs/features.md, "Operators").
//
// One Operator instance holds one feature's state for one ticker. The engine calls update() once
// per bar, in time order, with the bar and the current values of the feature's dependencies; the
// operator returns the feature's value at that bar. There is no other way for an operator to see
// data, so a value at bar t can only depend on bars 0..t (DESIGN.md, "No look-ahead"): batch
// computation over history and live trading run this same update().
//
// Contract for implementations:
// - O(1) state, sized in the constructor; update() never allocates.
// - NaN before bar index lookback() (0-based, counted from the first update() call), finite from
//   then on for finite inputs, including the degenerate cases each operator documents.
// - settle(): update() calls after which the value no longer depends (to 1e-9 relative) on where
//   the stream started; == lookback() for finite windows.
// - reset() restores the freshly constructed state; the same inputs then give bit-identical output.

#include <memory>

#include "core/bars.h"
#include "core/time.h"

namespace itrade::features {

// One bar as operators see it (the columns of core::BarSeries at one row).
struct BarPoint {
  core::Timestamp ts = 0;  // bar start, UTC ns
  double open = 0.0;
  double high = 0.0;
  double low = 0.0;
  double close = 0.0;
  double volume = 0.0;  // >= 0; the engine rejects bars without volume for operators that read it
};

// Row i of a bar series as operators see it.
inline BarPoint bar_point(const core::BarSeries& bars, std::size_t i) {
  return {bars.ts[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]};
}

// The bar's start in New York wall-clock and NYSE calendar terms. The engine fills it once per bar,
// and only when an operator declared `needs_clock` (docs/features.md, "Time features").
struct BarClock {
  int year = 0;
  int month = 0;         // 1..12
  int day_of_month = 0;  // 1..31
  int day_of_week = 0;   // 0 = Monday .. 6 = Sunday (pandas' dayofweek)
  int hour = 0;          // 0..23, New York
  int minute = 0;        // 0..59
  // Minutes from the day's regular open to the bar start (negative before the open). On a day
  // without a session, from 09:30 New York of that day.
  double market_open_minutes = 0.0;
  bool market_open = false;  // bar start within the regular session [open, close)
  bool pre_market = false;   // trading day, 04:00 New York <= start < open
  bool after_hours = false;  // trading day, close <= start < 20:00 New York
};

class Operator {
 public:
  virtual ~Operator() = default;

  // `inputs` holds the current values of the feature's dependencies, in the order the feature
  // declares them. The engine calls update() only from the first bar where every dependency has
  // its first value (its lookback is over), so inputs are finite.
  virtual double update(const BarPoint& bar, const BarClock& clock, const double* inputs) = 0;
  virtual int lookback() const = 0;
  virtual int settle() const = 0;
  virtual void reset() = 0;
};

using OperatorPtr = std::unique_ptr<Operator>;

}  // namespace itrade::features
