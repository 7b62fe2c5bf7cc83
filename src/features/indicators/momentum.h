#pragma once
// Streaming momentum indicators following TA-Lib: rate of change (ROC), relative strength index
// (RSI, Wilder) and MACD. See docs/features.md for formulas, seeding and degenerate cases.
//
// update() consumes one input per bar in time order and returns the value at that bar: NaN
// while warming up, finite from bar index lookback() on (for finite inputs). No allocation
// after construction.

#include <vector>

#include "features/indicators/moving_averages.h"

namespace itrade::features {

// TA-Lib ROC: (value / value[t - period] - 1) * 100, in percent.
// lookback() = period; settle() = lookback(). When value[t - period] == 0 the output is 0
// (TA-Lib's choice; cannot happen for prices > 0).
class Roc {
 public:
  // `period` in bars; values below 1 are treated as 1.
  explicit Roc(int period);

  double update(double value);
  int lookback() const { return period_; }
  int settle() const { return lookback(); }
  void reset();

 private:
  int period_;
  std::vector<double> window_;  // ring buffer of the last `period_` inputs
  int next_ = 0;                // ring slot holding value[t - period] once the buffer is full
  int count_ = 0;               // inputs seen, saturating at period_ + 1
};

// TA-Lib RSI (Wilder), in [0, 100]. The first average gain/loss (bar `period`) is the simple
// mean of the first `period` changes; then avg = (avg * (period - 1) + current) / period.
// RSI = 100 * gain / (gain + loss); 0 when gain + loss == 0 (a flat series), as TA-Lib.
// lookback() = period; settle() = period + bars_to_forget(1/period).
class Rsi {
 public:
  // `period` in bars; values below 1 are treated as 1 (TA-Lib accepts 2..100000).
  explicit Rsi(int period);

  double update(double value);
  int lookback() const { return period_; }
  int settle() const;
  void reset();

 private:
  int period_;
  int count_ = 0;  // inputs seen, saturating at period_ + 1
  double prev_value_ = 0.0;
  double avg_gain_ = 0.0;  // a sum of gains until the first output, then the Wilder average
  double avg_loss_ = 0.0;  // a sum of losses (positive) until the first output, then the average
};

struct MacdValue {
  double macd;       // fast EMA - slow EMA, price units
  double signal;     // EMA(signal period) of macd
  double histogram;  // macd - signal
};

// TA-Lib MACD. The slow EMA is seeded with the SMA of bars [0, slow - 1]; the fast EMA is seeded
// with the SMA of the `fast` bars ending at bar slow - 1, so both start on the same bar; the
// signal EMA is seeded with the SMA of the first `signal` MACD values. All three outputs are
// first valid at bar lookback() = (slow - 1) + (signal - 1) (33 for 12/26/9).
// settle() = lookback() + bars_to_forget(k_slow) + bars_to_forget(k_signal).
class Macd {
 public:
  // Periods in bars; values below 1 are treated as 1; fast and slow are swapped if fast > slow
  // (as TA-Lib does).
  explicit Macd(int fast = 12, int slow = 26, int signal = 9);

  MacdValue update(double value);
  int lookback() const { return (slow_ - 1) + (signal_period_ - 1); }
  int settle() const;
  void reset();

 private:
  int fast_;
  int slow_;
  int signal_period_;
  double k_fast_;
  double k_slow_;
  std::vector<double> recent_;  // ring buffer of the last `fast_` inputs, for the fast seed
  int next_ = 0;
  int count_ = 0;               // inputs seen, saturating at slow_
  double slow_seed_sum_ = 0.0;  // sum of the first slow_ inputs
  double fast_ema_ = 0.0;
  double slow_ema_ = 0.0;
  Ema signal_;
};

}  // namespace itrade::features
