#pragma once
// Streaming volatility measures: TA-Lib true range (TRANGE) and average true range (ATR,
// Wilder), and a rolling sample standard deviation. See docs/features.md.
//
// update() consumes one bar (or value) in time order and returns the value at that bar: NaN
// while warming up, finite from bar index lookback() on (for finite inputs). No allocation
// after construction.

#include <vector>

namespace itrade::features {

// TA-Lib TRANGE: max(high, prev_close) - min(low, prev_close), price units, >= 0.
// No previous close on the first bar, so lookback() = 1 = settle().
class TrueRange {
 public:
  TrueRange() = default;

  double update(double high, double low, double close);
  int lookback() const { return 1; }
  int settle() const { return lookback(); }
  void reset();

 private:
  bool has_prev_close_ = false;
  double prev_close_ = 0.0;
};

// TA-Lib ATR, price units. The first value (bar `period`) is the mean of TR[1..period]; then
// atr = (atr * (period - 1) + tr) / period. lookback() = period;
// settle() = period + bars_to_forget(1/period). For period 1 it is the true range.
class Atr {
 public:
  // `period` in bars; values below 1 are treated as 1.
  explicit Atr(int period);

  double update(double high, double low, double close);
  int lookback() const { return period_; }
  int settle() const;
  void reset();

 private:
  int period_;
  TrueRange true_range_;
  int count_ = 0;     // true ranges seen, saturating at period_
  double atr_ = 0.0;  // a sum of true ranges until the first output, then the Wilder average
};

// Sample standard deviation (ddof = 1) of the last `period` inputs, input units.
// lookback() = period - 1 = settle(). period 1 has no spread to estimate: the output is 0.
// A window of identical values gives exactly 0.
//
// Computed from sums of (x - shift) and (x - shift)^2, where `shift` is a recent input, so the
// sums stay of the order of the spread instead of the price level (no catastrophic
// cancellation); every `period` bars the sums are recomputed exactly from the window, so
// add/remove rounding cannot accumulate. The result depends only on the inputs since reset(),
// in order: bit-reproducible.
class RollingStd {
 public:
  // `period` in bars; values below 1 are treated as 1.
  explicit RollingStd(int period);

  double update(double value);
  int lookback() const { return period_ - 1; }
  int settle() const { return lookback(); }
  void reset();

 private:
  int period_;
  std::vector<double> window_;  // ring buffer of the last `period_` inputs
  int next_ = 0;
  int count_ = 0;             // inputs seen, saturating at period_
  int equal_run_ = 0;         // consecutive inputs equal to the latest, saturating at period_
  double shift_ = 0.0;        // subtracted from every input before summing
  double sum_ = 0.0;          // sum of (x - shift_) over the window
  double sum_squares_ = 0.0;  // sum of (x - shift_)^2 over the window
};

// Wilder's smoothing of an input series, as TA-Lib's ATR applies it to the true range: the first
// value (input index period - 1) is the mean of the first `period` inputs; then
// avg = (avg * (period - 1) + x) / period. lookback() = period - 1;
// settle() = lookback() + bars_to_forget(1/period). Fed TR[1..], it equals Atr.
class WilderAverage {
 public:
  // `period` in bars; values below 1 are treated as 1.
  explicit WilderAverage(int period);

  double update(double value);
  int lookback() const { return period_ - 1; }
  int settle() const;
  void reset();

 private:
  int period_;
  int count_ = 0;         // inputs seen, saturating at period_
  double average_ = 0.0;  // a sum until the first output, then the Wilder average
};

}  // namespace itrade::features
