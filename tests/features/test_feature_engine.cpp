// FeatureEngine: streaming checks, dependency gating, batch == streaming, and no heap allocation
// per bar.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

#include "support/allocation_counter.h"
#include "features/engine/batch.h"
#include "features/engine/feature_engine.h"
#include "features/indicators/volatility.h"

namespace itrade::features {
namespace {

using ::testing::HasSubstr;

constexpr const char* kYaml = R"(features:
  true_range:
    function: volatility.true_range
    lookback: 2
    category: volatility
  atr_3:
    function: volatility.atr
    params: { window: 3 }
    lookback: 4
    category: volatility
    dependencies: [true_range]
  returns:
    function: momentum.returns
    lookback: 2
    category: momentum
  volatility_4:
    function: volatility.rolling_std
    params: { window: 4 }
    lookback: 5
    category: volatility
    dependencies: [returns]
  ema_5:
    function: moving_averages.ema
    params: { window: 5 }
    lookback: 5
    category: trend
  volume_sma_3:
    function: moving_averages.sma
    params: { window: 3, column: volume }
    lookback: 3
    category: volume
)";

core::BarSeries random_bars(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> step(0.0, 0.3);
  std::uniform_real_distribution<double> wick(0.0, 0.2);
  core::BarSeries bars;
  bars.ticker = "RND";
  double close = 100.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double open = close;
    close = std::max(1.0, close + step(rng));
    const double high = std::max(open, close) + wick(rng);
    const double low = std::min(open, close) - wick(rng);
    bars.push_back(1736519400LL * 1'000'000'000LL + static_cast<core::Timestamp>(i) * 300'000'000'000LL, open, high,
                   low, close, 1000.0 + static_cast<double>(i % 7) * 10.0);
  }
  return bars;
}

std::shared_ptr<const FeaturePlan> plan_all() {
  auto set = FeatureSet::parse(kYaml, "engine.yaml");
  EXPECT_TRUE(set.ok()) << set.error().message;
  return set->plan_all();
}

TEST(FeatureEngineTest, AtrOverTrueRangeDependencyEqualsTheAtrKernel) {
  const auto bars = random_bars(200, 1);
  auto set = FeatureSet::parse(kYaml, "engine.yaml");
  ASSERT_TRUE(set.ok());
  const std::vector<std::string> wanted = {"atr_3"};
  auto plan = set->plan(wanted);
  ASSERT_TRUE(plan.ok());
  FeatureEngine engine(*plan);
  Atr kernel(3);
  double out = 0.0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    ASSERT_TRUE(engine.update(bar_point(bars, i), {&out, 1}).ok());
    const double expected = kernel.update(bars.high[i], bars.low[i], bars.close[i]);
    if (i < 3) {
      EXPECT_TRUE(std::isnan(out)) << i;
    } else {
      EXPECT_EQ(std::memcmp(&out, &expected, sizeof out), 0) << "bar " << i << ": " << out << " vs " << expected;
    }
  }
}

TEST(FeatureEngineTest, RollingStdStartsAfterItsDependencyWarmsUp) {
  const auto bars = random_bars(50, 2);
  auto set = FeatureSet::parse(kYaml, "engine.yaml");
  ASSERT_TRUE(set.ok());
  const std::vector<std::string> wanted = {"volatility_4"};
  auto matrix = compute_features(*set->plan(wanted), bars);
  ASSERT_TRUE(matrix.ok());
  for (std::size_t i = 0; i < 4; ++i) EXPECT_TRUE(std::isnan(matrix->at(i, 0))) << i;
  for (std::size_t i = 4; i < bars.size(); ++i) {
    // Independent: sample std of the 4 returns ending at bar i.
    double r[4];
    double mean = 0.0;
    for (int k = 0; k < 4; ++k) {
      r[k] = bars.close[i - static_cast<std::size_t>(k)] / bars.close[i - static_cast<std::size_t>(k) - 1] - 1.0;
      mean += r[k] / 4.0;
    }
    double ss = 0.0;
    for (double x : r) ss += (x - mean) * (x - mean);
    EXPECT_NEAR(matrix->at(i, 0), std::sqrt(ss / 3.0), 1e-12) << i;
  }
}

TEST(FeatureEngineTest, StreamingEqualsBatchBitForBit) {
  const auto bars = random_bars(3000, 3);
  const auto plan = plan_all();
  auto batch = compute_features(plan, bars);
  ASSERT_TRUE(batch.ok());
  FeatureEngine engine(plan);
  std::vector<double> row(engine.width());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    ASSERT_TRUE(engine.update(bar_point(bars, i), row).ok());
    for (std::size_t c = 0; c < row.size(); ++c) {
      const double expected = batch->at(i, c);
      ASSERT_TRUE((std::isnan(row[c]) && std::isnan(expected)) || std::memcmp(&row[c], &expected, 8) == 0)
          << batch->columns[c] << " bar " << i;
    }
  }
}

TEST(FeatureEngineTest, ResetReplaysIdentically) {
  const auto bars = random_bars(500, 4);
  FeatureEngine engine(plan_all());
  std::vector<double> first(bars.size() * engine.width());
  std::vector<double> second(first.size());
  for (std::size_t i = 0; i < bars.size(); ++i) engine.step(bar_point(bars, i), &first[i * engine.width()]);
  engine.reset();
  EXPECT_EQ(engine.bars_seen(), 0);
  for (std::size_t i = 0; i < bars.size(); ++i) engine.step(bar_point(bars, i), &second[i * engine.width()]);
  EXPECT_EQ(std::memcmp(first.data(), second.data(), first.size() * sizeof(double)), 0);
}

TEST(FeatureEngineTest, RejectsOutOfOrderBarsAndMissingVolumeWithoutChangingState) {
  const auto bars = random_bars(10, 5);
  FeatureEngine engine(plan_all());
  std::vector<double> row(engine.width());
  ASSERT_TRUE(engine.update(bar_point(bars, 0), row).ok());
  ASSERT_TRUE(engine.update(bar_point(bars, 1), row).ok());
  auto repeated = engine.update(bar_point(bars, 1), row);
  ASSERT_FALSE(repeated.ok());
  EXPECT_THAT(repeated.error().message, HasSubstr("is not after the previous bar"));
  BarPoint no_volume = bar_point(bars, 2);
  no_volume.volume = core::kVolumeAbsent;
  auto missing = engine.update(no_volume, row);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("has no volume"));
  EXPECT_EQ(engine.bars_seen(), 2);

  core::BarSeries unsorted = bars;
  std::swap(unsorted.ts[3], unsorted.ts[4]);
  auto out_of_order = compute_features(plan_all(), unsorted);
  ASSERT_FALSE(out_of_order.ok());
  EXPECT_THAT(out_of_order.error().message, HasSubstr("is not after the previous bar"));

  core::BarSeries without = bars;
  without.volume[7] = core::kVolumeAbsent;
  auto batch = compute_features(plan_all(), without);
  ASSERT_FALSE(batch.ok());
  EXPECT_THAT(batch.error().message, HasSubstr("RND: bar at"));
}

TEST(FeatureEngineTest, UpdateDoesNotAllocate) {
  const auto bars = random_bars(2000, 6);
  FeatureEngine engine(plan_all());
  std::vector<double> row(engine.width());
  for (std::size_t i = 0; i < 100; ++i) ASSERT_TRUE(engine.update(bar_point(bars, i), row).ok());
  const long before = allocation_counter::count();
  for (std::size_t i = 100; i < bars.size(); ++i) {
    if (!engine.update(bar_point(bars, i), row).ok()) break;
  }
  EXPECT_EQ(allocation_counter::count() - before, 0);
  EXPECT_EQ(engine.bars_seen(), 2000);
}

TEST(FeatureEngineTest, ParallelBatchEqualsSerial) {
  std::vector<core::BarSeries> series;
  for (unsigned s = 0; s < 6; ++s) series.push_back(random_bars(400 + s * 37, 10 + s));
  const auto plan = plan_all();
  BatchOptions options;
  options.threads = 3;
  std::atomic<std::size_t> calls{0};
  options.progress = [&](std::size_t, std::size_t total) {
    EXPECT_EQ(total, 6u);
    calls.fetch_add(1);
  };
  auto parallel = compute_features(plan, series, options);
  ASSERT_TRUE(parallel.ok());
  EXPECT_EQ(calls.load(), 6u);
  for (std::size_t i = 0; i < series.size(); ++i) {
    auto serial = compute_features(plan, series[i]);
    ASSERT_TRUE(serial.ok());
    EXPECT_EQ((*parallel)[i].ticker, series[i].ticker);
    ASSERT_EQ((*parallel)[i].values.size(), serial->values.size());
    EXPECT_EQ(std::memcmp((*parallel)[i].values.data(), serial->values.data(), serial->values.size() * 8), 0);
  }
}

}  // namespace
}  // namespace itrade::features
