// Sma and Ema against textbook loops computed independently in the test, TA-Lib seeding,
// warm-up NaNs, reset() and settle().

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "features/indicator_fixture.h"
#include "features/indicators/moving_averages.h"

namespace itrade::features {
namespace {

using indicator_fixture::expect_rel;
using indicator_fixture::expect_series;
using indicator_fixture::kCloses;
using indicator_fixture::long_series;
using indicator_fixture::run;

std::vector<double> textbook_sma(const std::vector<double>& x, int period) {
  std::vector<double> out(x.size(), NAN);
  for (size_t t = static_cast<size_t>(period - 1); t < x.size(); ++t) {
    double sum = 0.0;
    for (size_t j = t + 1 - static_cast<size_t>(period); j <= t; ++j) sum += x[j];
    out[t] = sum / period;
  }
  return out;
}

std::vector<double> textbook_ema(const std::vector<double>& x, int period) {
  std::vector<double> out(x.size(), NAN);
  const double k = 2.0 / (period + 1);
  double sum = 0.0;
  for (int j = 0; j < period; ++j) sum += x[static_cast<size_t>(j)];
  double ema = sum / period;
  out[static_cast<size_t>(period - 1)] = ema;
  for (size_t t = static_cast<size_t>(period); t < x.size(); ++t) {
    ema = k * x[t] + (1.0 - k) * ema;
    out[t] = ema;
  }
  return out;
}

TEST(Sma, MatchesTextbookAtEveryBar) {
  for (int period : {1, 2, 5, 10, 20}) {
    Sma sma(period);
    EXPECT_EQ(sma.lookback(), period - 1);
    EXPECT_EQ(sma.settle(), period - 1);
    expect_series(run(sma, kCloses), textbook_sma(kCloses, period), sma.lookback());
  }
}

TEST(Sma, HandValues) {
  Sma sma(3);
  const std::vector<double> out = run(sma, {1, 2, 3, 4, 5});
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_TRUE(std::isnan(out[1]));
  EXPECT_EQ(out[2], 2.0);
  EXPECT_EQ(out[3], 3.0);
  EXPECT_EQ(out[4], 4.0);
}

TEST(Sma, LongRunStaysExactAfterRecompute) {
  // Many wraps of the ring: the periodic exact recompute keeps it on the textbook value.
  const std::vector<double> x = long_series(3000);
  Sma sma(7);
  expect_series(run(sma, x), textbook_sma(x, 7), 6);
}

TEST(Ema, TaLibSeedIsSmaOfFirstPeriod) {
  Ema ema(3);
  const std::vector<double> out = run(ema, {1, 2, 3, 4, 5});
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_TRUE(std::isnan(out[1]));
  EXPECT_DOUBLE_EQ(out[2], 2.0);
  EXPECT_DOUBLE_EQ(out[3], 3.0);
  EXPECT_DOUBLE_EQ(out[4], 4.0);
}

TEST(Ema, MatchesTextbookAtEveryBar) {
  for (int period : {1, 2, 3, 9, 12, 26}) {
    Ema ema(period);
    EXPECT_EQ(ema.lookback(), period - 1);
    expect_series(run(ema, kCloses), textbook_ema(kCloses, period), ema.lookback());
  }
}

TEST(Ema, SettleFormula) {
  Ema ema(10);
  const double k = 2.0 / 11.0;
  const int t = static_cast<int>(std::ceil(std::log(kSettleWeight) / std::log(1.0 - k)));
  EXPECT_EQ(ema.settle(), 9 + t);
  EXPECT_LT(std::pow(1.0 - k, t), kSettleWeight);
  EXPECT_GE(std::pow(1.0 - k, t - 1), kSettleWeight);
  EXPECT_EQ(Ema(1).settle(), 0);  // k = 1: no memory
}

TEST(MovingAverages, ResetReproducesOutputs) {
  Sma sma(5);
  Ema ema(5);
  const std::vector<double> sma_first = run(sma, kCloses);
  const std::vector<double> ema_first = run(ema, kCloses);
  sma.reset();
  ema.reset();
  const std::vector<double> sma_second = run(sma, kCloses);
  const std::vector<double> ema_second = run(ema, kCloses);
  for (size_t i = 0; i < kCloses.size(); ++i) {
    EXPECT_TRUE(sma_first[i] == sma_second[i] || (std::isnan(sma_first[i]) && std::isnan(sma_second[i])));
    EXPECT_TRUE(ema_first[i] == ema_second[i] || (std::isnan(ema_first[i]) && std::isnan(ema_second[i])));
  }
}

// Two instances fed the same data from different starting bars agree within 1e-9 relative
// once the later one has seen settle() bars.
template <class Indicator>
void expect_settles(Indicator a, Indicator b, const std::vector<double>& x, int late_start) {
  for (int i = 0; i < late_start; ++i) a.update(x[static_cast<size_t>(i)]);
  const int settle = b.settle();
  ASSERT_LT(late_start + settle + 50, static_cast<int>(x.size()));
  for (int i = late_start; i < static_cast<int>(x.size()); ++i) {
    const double va = a.update(x[static_cast<size_t>(i)]);
    const double vb = b.update(x[static_cast<size_t>(i)]);
    if (i - late_start >= settle) expect_rel(vb, va, 1e-9, i);
  }
}

TEST(MovingAverages, SettleAgreesAcrossStartingPoints) {
  const std::vector<double> x = long_series(1000);
  expect_settles(Sma(20), Sma(20), x, 137);
  expect_settles(Ema(10), Ema(10), x, 137);
  expect_settles(Ema(26), Ema(26), x, 211);
}

TEST(MovingAverages, NoNanAfterLookbackOnConstantInput) {
  Sma sma(4);
  Ema ema(4);
  for (int i = 0; i < 100; ++i) {
    const double s = sma.update(101.25);
    const double e = ema.update(101.25);
    if (i >= 3) {
      EXPECT_EQ(s, 101.25);
      EXPECT_EQ(e, 101.25);
    }
  }
}

}  // namespace
}  // namespace itrade::features
