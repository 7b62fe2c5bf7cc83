// The feature check catches what it promises to catch: a feature reading later bars, a lookback
// the operator does not honour, NaN after warm-up, and a warm-up (settle) that is too short.
// Each broken operator below is registered in a copy of the builtin catalog.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "data/synthetic_market.h"
#include "features/engine/feature_check.h"
#include "features/indicators/moving_averages.h"

namespace itrade::features {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Leaks through state shared between runs, the way a cache keyed by time would: it returns the
// close of the bar after this one whenever some earlier computation has seen it.
class PeekOperator final : public Operator {
 public:
  double update(const BarPoint& bar, const BarClock&, const double*) override {
    seen()[bar.ts] = bar.close;
    const auto next = seen().upper_bound(bar.ts);
    return next == seen().end() ? bar.close : next->second;
  }
  int lookback() const override { return 0; }
  int settle() const override { return 0; }
  void reset() override {}
  static std::map<core::Timestamp, double>& seen() {
    static std::map<core::Timestamp, double> bars;
    return bars;
  }
};

// Claims no lookback but needs three bars.
class LateOperator final : public Operator {
 public:
  double update(const BarPoint& bar, const BarClock&, const double*) override {
    return ++count_ <= 3 ? kNaN : bar.close;
  }
  int lookback() const override { return 0; }
  int settle() const override { return 0; }
  void reset() override { count_ = 0; }

 private:
  int count_ = 0;
};

// NaN on every 97th bar: holes after warm-up, which the check must flag.
class HoleOperator final : public Operator {
 public:
  double update(const BarPoint& bar, const BarClock&, const double*) override {
    return ++count_ % 97 == 0 ? kNaN : bar.close;
  }
  int lookback() const override { return 0; }
  int settle() const override { return 0; }
  void reset() override { count_ = 0; }

 private:
  long count_ = 0;
};

// A slow EMA that claims it settles as soon as it has a value.
class ForgetfulEma final : public Operator {
 public:
  double update(const BarPoint& bar, const BarClock&, const double*) override { return ema_.update(bar.close); }
  int lookback() const override { return ema_.lookback(); }
  int settle() const override { return ema_.lookback(); }
  void reset() override { ema_.reset(); }

 private:
  Ema ema_{50};
};

OperatorCatalog broken_catalog() {
  OperatorCatalog catalog = builtin_catalog();
  catalog.add({.function = "test.peek", .description = "leaks", .make = [](const Params&) -> OperatorPtr {
                 return std::make_unique<PeekOperator>();
               }});
  catalog.add({.function = "test.late", .description = "late", .make = [](const Params&) -> OperatorPtr {
                 return std::make_unique<LateOperator>();
               }});
  catalog.add({.function = "test.hole", .description = "holes", .make = [](const Params&) -> OperatorPtr {
                 return std::make_unique<HoleOperator>();
               }});
  catalog.add({.function = "test.forgetful_ema", .description = "short settle",
               .make = [](const Params&) -> OperatorPtr { return std::make_unique<ForgetfulEma>(); }});
  return catalog;
}

std::vector<core::BarSeries> synthetic(int tickers, int days) {
  data::SynthOptions options;
  options.tickers = tickers;
  options.days = days;
  options.seed = 11;
  return data::generate_synthetic_market(options).series;
}

const CheckProblem* find_problem(const CheckReport& report, const std::string& check, const std::string& feature) {
  for (const auto& problem : report.problems) {
    if (problem.check == check && problem.feature == feature) return &problem;
  }
  return nullptr;
}

TEST(FeatureCheckTest, HonestFeaturesPass) {
  auto set = FeatureSet::parse(R"(features:
  sma_5:
    function: moving_averages.sma
    params: { window: 5 }
    lookback: 5
    category: trend
  ema_10:
    function: moving_averages.ema
    params: { window: 10 }
    lookback: 10
    category: trend
  true_range:
    function: volatility.true_range
    lookback: 2
    category: volatility
  atr_14:
    function: volatility.atr
    params: { window: 14 }
    lookback: 15
    category: volatility
    dependencies: [true_range]
)",
                               "honest.yaml");
  ASSERT_TRUE(set.ok()) << set.error().message;
  const auto series = synthetic(2, 15);
  CheckOptions options;
  options.truncations = 10;
  const auto report = check_features(*set, series, options);
  for (const auto& p : report.problems) ADD_FAILURE() << p.check << " " << p.feature << " " << p.detail;
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.tickers, 2u);
  EXPECT_EQ(report.truncations, 20u);
  EXPECT_GT(report.max_warmup_error, 0.0);  // the EMA start point matters a little...
  EXPECT_LE(report.max_warmup_error, 1e-9);  // ...and no more than promised
}

TEST(FeatureCheckTest, CatchesEachKindOfBrokenFeature) {
  const OperatorCatalog catalog = broken_catalog();
  auto set = FeatureSet::parse(R"(features:
  sma_5:
    function: moving_averages.sma
    params: { window: 5 }
    lookback: 5
    category: trend
  peek:
    function: test.peek
    lookback: 1
    category: broken
  late:
    function: test.late
    lookback: 1
    category: broken
  hole:
    function: test.hole
    lookback: 1
    category: broken
  forgetful:
    function: test.forgetful_ema
    lookback: 50
    category: broken
)",
                               "broken.yaml", catalog);
  ASSERT_TRUE(set.ok()) << set.error().message;
  PeekOperator::seen().clear();
  const auto series = synthetic(1, 12);
  CheckOptions options;
  options.truncations = 6;
  const auto report = check_features(*set, series, options);
  EXPECT_FALSE(report.ok());

  const CheckProblem* leak = find_problem(report, "look-ahead", "peek");
  ASSERT_NE(leak, nullptr);
  EXPECT_THAT(leak->detail, ::testing::HasSubstr("it reads later bars"));
  EXPECT_EQ(leak->ticker, "SYN0001");
  EXPECT_NE(find_problem(report, "lookback", "late"), nullptr);
  EXPECT_NE(find_problem(report, "finite", "hole"), nullptr);
  EXPECT_NE(find_problem(report, "warm-up", "forgetful"), nullptr);
  // The honest feature next to them is not blamed.
  for (const auto& problem : report.problems) EXPECT_NE(problem.feature, "sma_5") << problem.detail;
}

}  // namespace
}  // namespace itrade::features
