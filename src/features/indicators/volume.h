#pragma once
// Streaming volume-weighted indicators. See docs/features.md.
//
// update() consumes one bar in time order and returns the value at that bar: NaN while warming
// up, finite from bar index lookback() on (for finite inputs, volume >= 0). No allocation after
// construction.

#include <vector>

namespace itrade::features {

// Rolling volume-weighted average of the typical price tp = (high + low + close) / 3 over the last
// `period` bars: sum(tp * v) / sum(v), price units. A window without volume (every v == 0) has no
// weights: the output is the plain mean of tp. lookback() = period - 1 = settle().
//
// Volume swings by orders of magnitude within a session (opening auction vs. lunch), so when a
// heavy bar leaves a light window a plain add/remove running sum keeps an error of the order of
// the heavy bar's rounding, which is large relative to what remains. The running sums are
// therefore compensated (Neumaier) and, as Sma does, recomputed from the window every `period`
// bars so that nothing accumulates over a session. The no-volume case is detected by counting
// the bars with volume in the window, not by testing a rounded sum against 0. The result
// depends only on the inputs since reset(), in order: bit-reproducible.
class RollingVwap {
 public:
  // `period` in bars; values below 1 are treated as 1.
  explicit RollingVwap(int period);

  double update(double high, double low, double close, double volume);
  int lookback() const { return period_ - 1; }
  int settle() const { return lookback(); }
  void reset();

 private:
  // Neumaier-compensated sum: value() is within a few ulps of the exact sum of everything added,
  // whatever cancellation the additions and removals went through.
  struct CompensatedSum {
    double sum = 0.0;
    double carry = 0.0;  // low-order bits lost by `sum`
    void add(double x);
    double value() const { return sum + carry; }
  };

  void recompute();

  int period_;
  std::vector<double> typical_;   // ring buffers of the last `period_` bars: tp,
  std::vector<double> volume_;    // v,
  std::vector<double> weighted_;  // and tp * v (stored so a removal subtracts exactly what was added)
  int next_ = 0;                  // ring slot the next bar goes to
  int count_ = 0;                 // bars seen, saturating at period_
  int with_volume_ = 0;           // bars in the window with v != 0
  CompensatedSum sum_typical_;
  CompensatedSum sum_volume_;
  CompensatedSum sum_weighted_;
};

}  // namespace itrade::features
