#include "features/indicators/volatility.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "features/indicators/families.h"
#include "features/indicators/moving_averages.h"
#include "features/indicators/operator_adapters.h"

namespace itrade::features {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

// ---- TrueRange ----

void TrueRange::reset() {
  has_prev_close_ = false;
  prev_close_ = 0.0;
}

double TrueRange::update(double high, double low, double close) {
  if (!has_prev_close_) {
    has_prev_close_ = true;
    prev_close_ = close;
    return kNaN;
  }
  // TA-Lib's form: the largest of the bar's range and the two gaps to the previous close. It
  // equals max(high, prev_close) - min(low, prev_close) and is >= 0 even if high < low.
  const double range = high - low;
  const double gap_up = std::fabs(prev_close_ - high);
  const double gap_down = std::fabs(prev_close_ - low);
  prev_close_ = close;
  return std::max(range, std::max(gap_up, gap_down));
}

// ---- Atr ----

Atr::Atr(int period) : period_(std::max(period, 1)) {}

int Atr::settle() const { return lookback() + bars_to_forget(1.0 / period_); }

void Atr::reset() {
  true_range_.reset();
  count_ = 0;
  atr_ = 0.0;
}

double Atr::update(double high, double low, double close) {
  const double tr = true_range_.update(high, low, close);
  if (std::isnan(tr)) return kNaN;  // first bar: no previous close
  if (count_ < period_) {
    atr_ += tr;
    if (++count_ < period_) return kNaN;
    atr_ /= period_;  // first ATR: simple mean of TR[1..period]
    return atr_;
  }
  atr_ = (atr_ * (period_ - 1) + tr) / period_;
  return atr_;
}

// ---- RollingStd ----

RollingStd::RollingStd(int period) : period_(std::max(period, 1)), window_(static_cast<size_t>(period_), 0.0) {}

void RollingStd::reset() {
  std::fill(window_.begin(), window_.end(), 0.0);
  next_ = 0;
  count_ = 0;
  equal_run_ = 0;
  shift_ = 0.0;
  sum_ = 0.0;
  sum_squares_ = 0.0;
}

double RollingStd::update(double value) {
  if (count_ == 0) shift_ = value;
  const size_t slot = static_cast<size_t>(next_);
  const double latest = count_ == 0 ? value : window_[(slot + window_.size() - 1) % window_.size()];
  equal_run_ = value == latest ? std::min(equal_run_ + 1, period_) : 1;

  if (count_ == period_) {  // the window is full: the oldest input leaves
    const double old = window_[slot] - shift_;
    sum_ -= old;
    sum_squares_ -= old * old;
  }
  const double add = value - shift_;
  sum_ += add;
  sum_squares_ += add * add;
  window_[slot] = value;
  next_ = next_ + 1 == period_ ? 0 : next_ + 1;
  if (count_ < period_) ++count_;

  if (next_ == 0) {
    // Once per `period` bars: re-centre on the latest input and recompute the sums exactly.
    shift_ = value;
    sum_ = 0.0;
    sum_squares_ = 0.0;
    for (double v : window_) {
      const double d = v - shift_;
      sum_ += d;
      sum_squares_ += d * d;
    }
  }

  if (count_ < period_) return kNaN;
  if (period_ == 1 || equal_run_ >= period_) return 0.0;
  const double n = period_;
  const double squared_deviations = sum_squares_ - sum_ * sum_ / n;
  return std::sqrt(std::max(squared_deviations, 0.0) / (n - 1.0));
}

// ---- WilderAverage ----

WilderAverage::WilderAverage(int period) : period_(std::max(period, 1)) {}

int WilderAverage::settle() const { return lookback() + bars_to_forget(1.0 / period_); }

void WilderAverage::reset() {
  count_ = 0;
  average_ = 0.0;
}

double WilderAverage::update(double value) {
  if (count_ < period_) {
    average_ += value;
    if (++count_ < period_) return kNaN;
    average_ /= period_;  // seed: the mean of the first `period` inputs
    return average_;
  }
  average_ = (average_ * (period_ - 1) + value) / period_;
  return average_;
}

// ---- Operators ----

namespace {

class TrueRangeOperator final : public Operator {
 public:
  double update(const BarPoint& bar, const BarClock&, const double*) override {
    return true_range_.update(bar.high, bar.low, bar.close);
  }
  int lookback() const override { return true_range_.lookback(); }
  int settle() const override { return true_range_.settle(); }
  void reset() override { true_range_.reset(); }

 private:
  TrueRange true_range_;
};

}  // namespace

void register_volatility(OperatorCatalog& catalog) {
  catalog.add({.function = "volatility.true_range",
               .description = "true range (TA-Lib TRANGE), max(high, prev close) - min(low, prev close)",
               .make = [](const Params&) -> OperatorPtr { return std::make_unique<TrueRangeOperator>(); }});
  catalog.add({.function = "volatility.atr",
               .description = "average true range (TA-Lib ATR): Wilder average of a true_range dependency",
               .params = {ParamSpec::integer("window", "Wilder period in bars", 1)},
               .inputs = {{"true range", "volatility.true_range"}},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<InputOperator<WilderAverage>>(WilderAverage(p.integer("window")));
               }});
  catalog.add({.function = "volatility.rolling_std",
               .description = "sample standard deviation (ddof = 1) of a dependency over `window` bars",
               .params = {ParamSpec::integer("window", "bars in the window", 2)},
               .inputs = {{"series", ""}},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<InputOperator<RollingStd>>(RollingStd(p.integer("window")));
               }});
}

}  // namespace itrade::features
