#include "features/indicators/moving_averages.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "features/indicators/families.h"
#include "features/indicators/operator_adapters.h"

namespace itrade::features {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

int bars_to_forget(double k) {
  if (k >= 1.0) return 0;
  if (k <= 0.0) return std::numeric_limits<int>::max();
  return static_cast<int>(std::ceil(std::log(kSettleWeight) / std::log1p(-k)));
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

namespace {

// a / b of two dependencies. b == 0 gives 0: the ratio is undefined, and for the averages of
// positive prices it registers with (sma_5 / sma_20, ...) it cannot happen.
class RatioOperator final : public Operator {
 public:
  double update(const BarPoint&, const BarClock&, const double* inputs) override {
    return inputs[1] == 0.0 ? 0.0 : inputs[0] / inputs[1];
  }
  int lookback() const override { return 0; }
  int settle() const override { return 0; }
  void reset() override {}
};

// A bar column over a dependency (close / sma_20). A zero dependency gives 0, as RatioOperator.
class PriceRatioOperator final : public Operator {
 public:
  explicit PriceRatioOperator(Column column) : column_(column) {}
  double update(const BarPoint& bar, const BarClock&, const double* inputs) override {
    return inputs[0] == 0.0 ? 0.0 : read_column(bar, column_) / inputs[0];
  }
  int lookback() const override { return 0; }
  int settle() const override { return 0; }
  void reset() override {}

 private:
  Column column_;
};

}  // namespace

void register_moving_averages(OperatorCatalog& catalog) {
  catalog.add({.function = "moving_averages.sma",
               .description = "simple moving average of a bar column over `window` bars",
               .params = {ParamSpec::integer("window", "bars averaged", 1),
                          ParamSpec::column("column", "bar column averaged")},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<ColumnOperator<Sma>>(p.column("column"), Sma(p.integer("window")));
               }});
  catalog.add({.function = "moving_averages.ema",
               .description = "exponential moving average (k = 2/(window+1), SMA-seeded as TA-Lib) of a bar column",
               .params = {ParamSpec::integer("window", "EMA period in bars", 1),
                          ParamSpec::column("column", "bar column averaged")},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<ColumnOperator<Ema>>(p.column("column"), Ema(p.integer("window")));
               }});
  catalog.add({.function = "moving_averages.ratio",
               .description = "ratio of two dependencies, numerator / denominator (0 if the denominator is 0)",
               .inputs = {{"numerator", ""}, {"denominator", ""}},
               .make = [](const Params&) -> OperatorPtr { return std::make_unique<RatioOperator>(); }});
  catalog.add({.function = "moving_averages.price_ratio",
               .description = "a bar column divided by a dependency, e.g. close / sma_20 (0 if it is 0)",
               .params = {ParamSpec::column("column", "bar column in the numerator")},
               .inputs = {{"average", ""}},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<PriceRatioOperator>(p.column("column"));
               }});
}

}  // namespace itrade::features
