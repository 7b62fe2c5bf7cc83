#pragma once
// Streaming trailing extremes (rolling max / min) for market-structure features. See
// docs/features.md.
//
// update() consumes one input per bar in time order and returns the value at that bar: NaN while
// warming up, finite from bar index lookback() on (for finite inputs). The window always ends at
// the current bar (never centred), so no value depends on a later bar. No allocation after
// construction.

#include <cstdint>
#include <vector>

namespace itrade::features {

// Maximum (kMax) or minimum of the last `period` inputs, input units.
// lookback() = period - 1 = settle().
//
// A monotonic deque of candidates (inputs not yet dominated by a later, at least as extreme
// input), kept in fixed ring buffers of `period` slots: every input is pushed and popped at most
// once, so update() is amortized O(1). The output is one of the inputs, never a computed value:
// exact, and a window of equal values gives that value.
template <bool kMax>
class RollingExtremum {
 public:
  // `period` in bars; values below 1 are treated as 1.
  explicit RollingExtremum(int period);

  double update(double value);
  int lookback() const { return period_ - 1; }
  int settle() const { return lookback(); }
  void reset();

 private:
  int period_;
  // The deque, front (the current extreme) at head_; candidates' values decrease (max) or
  // increase (min) strictly from front to back. It never holds more than `period_` entries: all
  // are within the window.
  std::vector<double> values_;
  std::vector<std::int64_t> positions_;  // input index of each candidate, to expire it
  int head_ = 0;
  int size_ = 0;
  std::int64_t seen_ = 0;  // inputs since construction / reset()
};

using RollingMax = RollingExtremum<true>;
using RollingMin = RollingExtremum<false>;

extern template class RollingExtremum<true>;
extern template class RollingExtremum<false>;

}  // namespace itrade::features
