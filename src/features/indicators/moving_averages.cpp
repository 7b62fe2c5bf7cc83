#include "features/indicators/moving_averages.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace itrade::features {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Relative weight of the starting history below which a recursive indicator counts as settled.
constexpr double kForgetWeight = 1e-9;
}  // namespace

int bars_to_forget(double k) {
  if (k >= 1.0) return 0;
  if (k <= 0.0) return std::numeric_limits<int>::max();
  return static_cast<int>(std::ceil(std::log(kForgetWeight) / std::log1p(-k)));
}

Sma::Sma(int period) : period_(std::max(period, 1)), window_(static_cast<size_t>(period_), 0.0) {}

void Sma::reset() {
  std::fill(window_.begin(), window_.end(), 0.0);
  next_ = 0;
  count_ = 0;
  sum_ = 0.0;
}

double Sma::update(double value) {
  double& slot = window_[static_cast<size_t>(next_)];
  sum_ += value - slot;  // slot is 0 until the window is full
  slot = value;
  next_ = next_ + 1 == period_ ? 0 : next_ + 1;
  if (next_ == 0) {
    // Once per `period` bars, replace the running sum by an exact one so that add/remove
    // rounding cannot accumulate over a long session (amortized O(1)).
    double exact = 0.0;
    for (double v : window_) exact += v;
    sum_ = exact;
  }
  if (count_ < period_) ++count_;
  if (count_ < period_) return kNaN;
  return sum_ / period_;
}

Ema::Ema(int period) : period_(std::max(period, 1)), k_(2.0 / (period_ + 1.0)) {}

int Ema::settle() const { return lookback() + bars_to_forget(k_); }

void Ema::reset() {
  count_ = 0;
  seed_sum_ = 0.0;
  ema_ = 0.0;
}

double Ema::update(double value) {
  if (count_ < period_) {
    seed_sum_ += value;
    if (++count_ < period_) return kNaN;
    ema_ = seed_sum_ / period_;  // TA-Lib seeds with the SMA of the first `period` inputs
    return ema_;
  }
  ema_ = (value - ema_) * k_ + ema_;  // TA-Lib's form of k * value + (1 - k) * ema
  return ema_;
}

}  // namespace itrade::features
