#include "features/indicators/volume.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "features/indicators/families.h"
#include "features/indicators/moving_averages.h"
#include "features/registry/operator_catalog.h"

namespace itrade::features {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

// ---- RollingVwap ----

void RollingVwap::CompensatedSum::add(double x) {
  const double t = sum + x;
  // Whichever operand is smaller in magnitude lost its low-order bits in `t`; recover them.
  carry += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
  sum = t;
}

RollingVwap::RollingVwap(int period)
    : period_(std::max(period, 1)),
      typical_(static_cast<size_t>(period_), 0.0),
      volume_(static_cast<size_t>(period_), 0.0),
      weighted_(static_cast<size_t>(period_), 0.0) {}

void RollingVwap::reset() {
  std::fill(typical_.begin(), typical_.end(), 0.0);
  std::fill(volume_.begin(), volume_.end(), 0.0);
  std::fill(weighted_.begin(), weighted_.end(), 0.0);
  next_ = 0;
  count_ = 0;
  with_volume_ = 0;
  sum_typical_ = {};
  sum_volume_ = {};
  sum_weighted_ = {};
}

void RollingVwap::recompute() {
  sum_typical_ = {};
  sum_volume_ = {};
  sum_weighted_ = {};
  for (size_t i = 0; i < typical_.size(); ++i) {
    sum_typical_.add(typical_[i]);
    sum_volume_.add(volume_[i]);
    sum_weighted_.add(weighted_[i]);
  }
}

double RollingVwap::update(double high, double low, double close, double volume) {
  const double typical = (high + low + close) / 3.0;
  const size_t slot = static_cast<size_t>(next_);
  if (count_ == period_) {  // the window is full: the oldest bar leaves
    sum_typical_.add(-typical_[slot]);
    sum_volume_.add(-volume_[slot]);
    sum_weighted_.add(-weighted_[slot]);
    if (volume_[slot] != 0.0) --with_volume_;
  }
  typical_[slot] = typical;
  volume_[slot] = volume;
  weighted_[slot] = typical * volume;
  sum_typical_.add(typical);
  sum_volume_.add(volume);
  sum_weighted_.add(weighted_[slot]);
  if (volume != 0.0) ++with_volume_;
  next_ = next_ + 1 == period_ ? 0 : next_ + 1;
  if (count_ < period_) ++count_;
  // Once per `period` bars, start the sums afresh from the window (amortized O(1)), so that the
  // compensation's own residual cannot accumulate over a long session either.
  if (next_ == 0) recompute();

  if (count_ < period_) return kNaN;
  const double volume_sum = sum_volume_.value();
  // With volume in the window the compensated sum is positive; the second test only keeps the
  // output finite for inputs outside the contract (negative volume).
  if (with_volume_ == 0 || volume_sum <= 0.0) return sum_typical_.value() / period_;
  return sum_weighted_.value() / volume_sum;
}

// ---- Operators ----

namespace {

// SMA(volume, short) / SMA(volume, long). Whether a window is without volume is tracked exactly by
// the run of zero-volume bars: with fractional volumes, Sma's add/remove running sum can leave a
// residual of a few ulps of the departed volume instead of 0 until its next exact recompute, and
// a ratio of two residuals would be noise.
class VolumeRatioOperator final : public Operator {
 public:
  VolumeRatioOperator(int short_window, int long_window)
      : short_window_(std::max(short_window, 1)),
        long_window_(std::max(long_window, 1)),
        short_(short_window_),
        long_(long_window_) {}

  double update(const BarPoint& bar, const BarClock&, const double*) override {
    const double short_average = short_.update(bar.volume);
    const double long_average = long_.update(bar.volume);
    zero_run_ = bar.volume == 0.0 ? std::min(zero_run_ + 1, std::max(short_window_, long_window_)) : 0;
    if (std::isnan(short_average) || std::isnan(long_average)) return kNaN;
    if (zero_run_ >= long_window_) return 1.0;  // no activity in either window: neutral
    if (zero_run_ >= short_window_) return 0.0;
    // Both windows hold a positive volume, so long_average > 0 but for rounding far below any
    // real volume; keep the output finite regardless.
    if (long_average <= 0.0) return 1.0;
    return short_average / long_average;
  }
  int lookback() const override { return std::max(short_window_, long_window_) - 1; }
  int settle() const override { return lookback(); }
  void reset() override {
    short_.reset();
    long_.reset();
    zero_run_ = 0;
  }

 private:
  int short_window_;
  int long_window_;
  Sma short_;
  Sma long_;
  int zero_run_ = 0;  // consecutive zero-volume bars up to this one, saturating at the longer window
};

class PriceVolumeOperator final : public Operator {
 public:
  explicit PriceVolumeOperator(Column column) : column_(column) {}

  double update(const BarPoint& bar, const BarClock&, const double*) override {
    return read_column(bar, column_) * bar.volume;
  }
  int lookback() const override { return 0; }
  int settle() const override { return 0; }
  void reset() override {}

 private:
  Column column_;
};

class VwapOperator final : public Operator {
 public:
  explicit VwapOperator(int window) : vwap_(window) {}

  double update(const BarPoint& bar, const BarClock&, const double*) override {
    return vwap_.update(bar.high, bar.low, bar.close, bar.volume);
  }
  int lookback() const override { return vwap_.lookback(); }
  int settle() const override { return vwap_.settle(); }
  void reset() override { vwap_.reset(); }

 private:
  RollingVwap vwap_;
};

}  // namespace

void register_volume(OperatorCatalog& catalog) {
  catalog.add({.function = "volume.volume_ratio",
               .description = "short / long simple moving average of volume (1 when the long window has no volume)",
               .params = {ParamSpec::integer("short_window", "bars in the short volume average", 1, 5),
                          ParamSpec::integer("long_window", "bars in the long volume average", 1, 20)},
               .needs_volume = true,
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<VolumeRatioOperator>(p.integer("short_window"), p.integer("long_window"));
               },
               .check = [](const Params& p) -> std::string {
                 const int short_window = p.integer("short_window");
                 const int long_window = p.integer("long_window");
                 if (short_window <= long_window) return "";
                 return fmt::format("short_window ({}) must not exceed long_window ({})", short_window, long_window);
               }});
  catalog.add({.function = "volume.price_volume",
               .description = "a bar column times the bar's volume (traded value for a price column)",
               .params = {ParamSpec::column("column", "bar column multiplied by volume")},
               .needs_volume = true,
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<PriceVolumeOperator>(p.column("column"));
               }});
  catalog.add({.function = "volume.vwap",
               .description = "rolling VWAP of the typical price (high+low+close)/3 over `window` bars",
               .params = {ParamSpec::integer("window", "bars in the window", 1, 5)},
               .needs_volume = true,
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<VwapOperator>(p.integer("window"));
               }});
}

}  // namespace itrade::features
