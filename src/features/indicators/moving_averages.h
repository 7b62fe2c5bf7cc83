#pragma once
// Streaming moving averages: simple (SMA) and exponential (EMA), following TA-Lib's
// definitions and lookback convention (docs/features.md).
//
// Every class consumes one input per bar in time order through update() and returns the value
// at that bar: NaN while warming up, a finite value from bar index lookback() on (for finite
// inputs). State is fixed at construction; update() never allocates.

#include <vector>

namespace itrade::features {

// Simple moving average of the last `period` inputs.
// lookback() = period - 1; settle() = lookback() (finite window: no memory beyond it).
class Sma {
 public:
  // `period` in bars; values below 1 are treated as 1.
  explicit Sma(int period);

  double update(double value);
  int lookback() const { return period_ - 1; }
  int settle() const { return lookback(); }
  void reset();

 private:
  int period_;
  std::vector<double> window_;  // ring buffer of the last `period_` inputs
  int next_ = 0;                // ring slot the next input goes to
  int count_ = 0;               // inputs seen, saturating at period_
  double sum_ = 0.0;            // running sum of window_, recomputed exactly on every wrap
};

// Exponential moving average, TA-Lib default (non-Metastock) mode: k = 2 / (period + 1); the
// first value (bar period - 1) is the SMA of the first `period` inputs, then
// ema += k * (value - ema).
// lookback() = period - 1; settle() = lookback() + bars_to_forget(k).
class Ema {
 public:
  // `period` in bars; values below 1 are treated as 1 (k = 1: the EMA is the input).
  explicit Ema(int period);

  double update(double value);
  int lookback() const { return period_ - 1; }
  int settle() const;
  void reset();
  double k() const { return k_; }

 private:
  int period_;
  double k_;
  int count_ = 0;          // inputs seen, saturating at period_
  double seed_sum_ = 0.0;  // sum of the first period_ inputs (the SMA seed)
  double ema_ = 0.0;
};

// Weight of the starting history below which a recursive indicator counts as settled. The promise
// is 1e-9 relative to the value; the weight multiplies the initial discrepancy, which can be
// larger than the value itself (an RSI seeded on a one-sided window is off by up to 100 points;
// an ATR seeded at the open can be several times the later ATR), so the weight leaves a factor
// of 1000 for it. `itrade features check` measures the result on real data.
inline constexpr double kSettleWeight = 1e-12;

// Bars after the first output until the weight (1 - k)^t of the starting history drops below
// kSettleWeight; 0 when k >= 1. Shared by the recursive indicators (EMA, Wilder smoothing).
int bars_to_forget(double k);

}  // namespace itrade::features
