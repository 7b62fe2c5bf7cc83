// Shape of the current bar and its gap to the previous one (docs/features.md). Each operator is a
// function of one or two bars, so there is no kernel: the operators hold at most a previous close.

#include <cmath>
#include <limits>
#include <memory>

#include "features/indicators/families.h"
#include "features/registry/operator_catalog.h"

namespace itrade::features {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Where the close sits in the bar's range: 0 at the low, 1 at the high. A bar without range
// (high == low) gives 0.5: the close is as near the low as the high.
class PricePositionOperator final : public Operator {
 public:
  double update(const BarPoint& bar, const BarClock&, const double*) override {
    const double range = bar.high - bar.low;
    return range == 0.0 ? 0.5 : (bar.close - bar.low) / range;
  }
  int lookback() const override { return 0; }
  int settle() const override { return 0; }
  void reset() override {}
};

// open / previous close - 1. A previous close <= 0 (impossible for prices) gives 0 rather than
// inf or a sign-flipped gap.
class GapOperator final : public Operator {
 public:
  double update(const BarPoint& bar, const BarClock&, const double*) override {
    const double previous = previous_close_;
    const bool first = !has_previous_;
    previous_close_ = bar.close;
    has_previous_ = true;
    if (first) return kNaN;
    if (previous <= 0.0) return 0.0;
    return bar.open / previous - 1.0;
  }
  int lookback() const override { return 1; }
  int settle() const override { return 1; }
  void reset() override {
    has_previous_ = false;
    previous_close_ = 0.0;
  }

 private:
  bool has_previous_ = false;
  double previous_close_ = 0.0;
};

// (high - low) / close: the range as a fraction of the price. close <= 0 gives 0, as for the gap.
class IntradayRangeOperator final : public Operator {
 public:
  double update(const BarPoint& bar, const BarClock&, const double*) override {
    return bar.close <= 0.0 ? 0.0 : (bar.high - bar.low) / bar.close;
  }
  int lookback() const override { return 0; }
  int settle() const override { return 0; }
  void reset() override {}
};

// |close - open| / (high - low): how much of the range the candle body covers. A bar without range
// has no body either (open and close lie in [low, high]): 0.
class BodyRangeRatioOperator final : public Operator {
 public:
  double update(const BarPoint& bar, const BarClock&, const double*) override {
    const double range = bar.high - bar.low;
    return range == 0.0 ? 0.0 : std::fabs(bar.close - bar.open) / range;
  }
  int lookback() const override { return 0; }
  int settle() const override { return 0; }
  void reset() override {}
};

}  // namespace

void register_price_action(OperatorCatalog& catalog) {
  catalog.add({.function = "price_action.price_position",
               .description = "(close - low) / (high - low), 0 at the low, 1 at the high (0.5 if high == low)",
               .make = [](const Params&) -> OperatorPtr { return std::make_unique<PricePositionOperator>(); }});
  catalog.add({.function = "price_action.gap",
               .description = "open / previous close - 1",
               .make = [](const Params&) -> OperatorPtr { return std::make_unique<GapOperator>(); }});
  catalog.add({.function = "price_action.intraday_range",
               .description = "(high - low) / close",
               .make = [](const Params&) -> OperatorPtr { return std::make_unique<IntradayRangeOperator>(); }});
  catalog.add({.function = "price_action.body_range_ratio",
               .description = "|close - open| / (high - low), the body's share of the range (0 if high == low)",
               .make = [](const Params&) -> OperatorPtr { return std::make_unique<BodyRangeRatioOperator>(); }});
}

}  // namespace itrade::features
