#include "features/indicators/structure.h"

#include <algorithm>
#include <limits>
#include <memory>

#include "features/indicators/families.h"
#include "features/indicators/operator_adapters.h"

namespace itrade::features {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

// ---- RollingExtremum ----

template <bool kMax>
RollingExtremum<kMax>::RollingExtremum(int period)
    : period_(std::max(period, 1)),
      values_(static_cast<size_t>(period_), 0.0),
      positions_(static_cast<size_t>(period_), 0) {}

template <bool kMax>
void RollingExtremum<kMax>::reset() {
  std::fill(values_.begin(), values_.end(), 0.0);
  std::fill(positions_.begin(), positions_.end(), 0);
  head_ = 0;
  size_ = 0;
  seen_ = 0;
}

template <bool kMax>
double RollingExtremum<kMax>::update(double value) {
  const std::int64_t position = seen_++;
  // The candidate that entered `period` inputs ago leaves the window; only the front can be
  // that old, since positions increase from front to back.
  if (size_ > 0 && positions_[static_cast<size_t>(head_)] <= position - period_) {
    head_ = head_ + 1 == period_ ? 0 : head_ + 1;
    --size_;
  }
  // Candidates the new input dominates can never be the extreme again while it is in the window.
  // Equal ones go too: the newer copy of a value outlives the older one.
  while (size_ > 0) {
    const int back = (head_ + size_ - 1) % period_;
    const double candidate = values_[static_cast<size_t>(back)];
    if (kMax ? candidate > value : candidate < value) break;
    --size_;
  }
  const size_t slot = static_cast<size_t>((head_ + size_) % period_);
  values_[slot] = value;
  positions_[slot] = position;
  ++size_;
  if (seen_ < period_) return kNaN;
  return values_[static_cast<size_t>(head_)];
}

template class RollingExtremum<true>;
template class RollingExtremum<false>;

// ---- Operators ----

namespace {

// 1 when the bar's high exceeds the previous bar's (kHigher) or its low undercuts the previous
// bar's, else 0; strict, so an equal high or low is not a break.
template <bool kHigher>
class BreakOperator final : public Operator {
 public:
  double update(const BarPoint& bar, const BarClock&, const double*) override {
    const double value = kHigher ? bar.high : bar.low;
    const double previous = previous_;
    const bool first = !has_previous_;
    previous_ = value;
    has_previous_ = true;
    if (first) return kNaN;
    return (kHigher ? value > previous : value < previous) ? 1.0 : 0.0;
  }
  int lookback() const override { return 1; }
  int settle() const override { return 1; }
  void reset() override {
    has_previous_ = false;
    previous_ = 0.0;
  }

 private:
  bool has_previous_ = false;
  double previous_ = 0.0;
};

}  // namespace

void register_structure(OperatorCatalog& catalog) {
  catalog.add({.function = "structure.local_max",
               .description = "maximum of a bar column over the trailing `window` bars, current bar included",
               .params = {ParamSpec::integer("window", "bars in the trailing window", 1, 20),
                          ParamSpec::column("column", "bar column", "high")},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<ColumnOperator<RollingMax>>(p.column("column"),
                                                                     RollingMax(p.integer("window")));
               }});
  catalog.add({.function = "structure.local_min",
               .description = "minimum of a bar column over the trailing `window` bars, current bar included",
               .params = {ParamSpec::integer("window", "bars in the trailing window", 1, 20),
                          ParamSpec::column("column", "bar column", "low")},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<ColumnOperator<RollingMin>>(p.column("column"),
                                                                     RollingMin(p.integer("window")));
               }});
  catalog.add({.function = "structure.higher_high",
               .description = "1 if high > previous bar's high, else 0",
               .make = [](const Params&) -> OperatorPtr { return std::make_unique<BreakOperator<true>>(); }});
  catalog.add({.function = "structure.lower_low",
               .description = "1 if low < previous bar's low, else 0",
               .make = [](const Params&) -> OperatorPtr { return std::make_unique<BreakOperator<false>>(); }});
}

}  // namespace itrade::features
