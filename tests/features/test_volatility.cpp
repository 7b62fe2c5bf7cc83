// TrueRange, Atr and RollingStd against textbook loops computed independently in the test,
// TA-Lib seeding, degenerate cases, warm-up NaNs, reset(), reproducibility and settle().

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "features/indicator_fixture.h"
#include "features/indicators/moving_averages.h"
#include "features/indicators/volatility.h"

namespace itrade::features {
namespace {

using indicator_fixture::expect_rel;
using indicator_fixture::expect_series;
using indicator_fixture::kCloses;
using indicator_fixture::long_series;
using indicator_fixture::run;

const std::vector<double> kHighs = {99.68, 98.86, 97.51, 96.82, 97.55,  96.5,  96.52, 95.71, 93.77, 94.88,
                                    95.59, 93.9,  94.95, 95.3,  96.56,  96.63, 97.11, 96.13, 95.19, 96.09,
                                    96.76, 97.42, 98.95, 98.45, 100.08, 98.73, 97.39, 95.77, 94.9,  95.9,
                                    97.06, 97.51, 97.85, 95.97, 95.56,  94.29, 94.61, 95.19, 95.23, 97.14};
const std::vector<double> kLows = {98.72, 97.78, 96.86, 96.63, 96.41, 94.61, 94.87, 94.33, 93.26, 93.96,
                                   94.48, 93.58, 94.06, 94.4,  95.43, 94.95, 95.58, 94.72, 94.55, 94.48,
                                   95.55, 96.17, 97.25, 97.54, 97.9,  97.47, 96.64, 94.78, 94.13, 95.26,
                                   95.02, 96.68, 95.64, 95.48, 94.27, 93.79, 92.79, 93.83, 94.09, 95.13};

std::vector<double> textbook_true_range() {
  std::vector<double> out(kCloses.size(), NAN);
  for (size_t t = 1; t < kCloses.size(); ++t) {
    out[t] = std::max(kHighs[t], kCloses[t - 1]) - std::min(kLows[t], kCloses[t - 1]);
  }
  return out;
}

std::vector<double> textbook_atr(int period) {
  const std::vector<double> tr = textbook_true_range();
  std::vector<double> out(kCloses.size(), NAN);
  double sum = 0.0;
  for (size_t t = 1; t <= static_cast<size_t>(period); ++t) sum += tr[t];
  double atr = sum / period;
  out[static_cast<size_t>(period)] = atr;
  for (size_t t = static_cast<size_t>(period) + 1; t < kCloses.size(); ++t) {
    out[t] = atr = (atr * (period - 1) + tr[t]) / period;
  }
  return out;
}

// Two-pass sample standard deviation (ddof = 1) of each trailing window.
std::vector<double> textbook_std(const std::vector<double>& x, int period) {
  std::vector<double> out(x.size(), NAN);
  for (size_t t = static_cast<size_t>(period - 1); t < x.size(); ++t) {
    if (period == 1) {
      out[t] = 0.0;
      continue;
    }
    double mean = 0.0;
    for (size_t j = t + 1 - static_cast<size_t>(period); j <= t; ++j) mean += x[j];
    mean /= period;
    double squares = 0.0;
    for (size_t j = t + 1 - static_cast<size_t>(period); j <= t; ++j) squares += (x[j] - mean) * (x[j] - mean);
    out[t] = std::sqrt(squares / (period - 1));
  }
  return out;
}

TEST(TrueRange, MatchesTextbookAtEveryBar) {
  TrueRange tr;
  EXPECT_EQ(tr.lookback(), 1);
  EXPECT_EQ(tr.settle(), 1);
  std::vector<double> out;
  for (size_t i = 0; i < kCloses.size(); ++i) out.push_back(tr.update(kHighs[i], kLows[i], kCloses[i]));
  expect_series(out, textbook_true_range(), 1);
}

TEST(TrueRange, GapsUseThePreviousClose) {
  TrueRange tr;
  EXPECT_TRUE(std::isnan(tr.update(10, 9, 9.5)));
  EXPECT_DOUBLE_EQ(tr.update(12, 11, 11.5), 2.5);  // gap up: 12 - 9.5
  EXPECT_DOUBLE_EQ(tr.update(9, 8, 8.5), 3.5);     // gap down: 11.5 - 8
  EXPECT_DOUBLE_EQ(tr.update(9, 8, 8.5), 1.0);     // inside: high - low
}

TEST(Atr, MatchesTextbookAtEveryBar) {
  for (int period : {1, 3, 14}) {
    Atr atr(period);
    EXPECT_EQ(atr.lookback(), period);
    std::vector<double> out;
    for (size_t i = 0; i < kCloses.size(); ++i) out.push_back(atr.update(kHighs[i], kLows[i], kCloses[i]));
    expect_series(out, textbook_atr(period), period);
  }
}

TEST(Atr, FirstValueIsMeanOfFirstTrueRanges) {
  Atr atr(5);
  const std::vector<double> tr = textbook_true_range();
  double value = NAN;
  for (size_t i = 0; i <= 5; ++i) value = atr.update(kHighs[i], kLows[i], kCloses[i]);
  EXPECT_DOUBLE_EQ(value, (tr[1] + tr[2] + tr[3] + tr[4] + tr[5]) / 5.0);
}

TEST(Atr, SettleFormula) {
  const int t = static_cast<int>(std::ceil(std::log(kSettleWeight) / std::log(1.0 - 1.0 / 14.0)));
  EXPECT_EQ(Atr(14).settle(), 14 + t);
  EXPECT_EQ(Atr(1).settle(), 1);
}

TEST(RollingStd, MatchesTwoPassAtEveryBar) {
  for (int period : {1, 2, 5, 20}) {
    RollingStd std_dev(period);
    EXPECT_EQ(std_dev.lookback(), period - 1);
    EXPECT_EQ(std_dev.settle(), period - 1);
    expect_series(run(std_dev, kCloses), textbook_std(kCloses, period), period - 1);
  }
}

TEST(RollingStd, LongTrendingSeriesStaysOnTwoPass) {
  // Trending price at a high level (~5000) over many ring wraps: the shifted sums and periodic
  // recompute keep it within 1e-12 relative of the two-pass value.
  std::vector<double> x = long_series(5000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 4000.0 + 0.3 * static_cast<double>(i) + x[i];
  for (int period : {10, 30}) {
    RollingStd std_dev(period);
    expect_series(run(std_dev, x), textbook_std(x, period), period - 1);
  }
}

TEST(RollingStd, ConstantWindowIsExactlyZero) {
  RollingStd std_dev(4);
  const std::vector<double> out = run(std_dev, {100.0, 101.7, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 7.3, 0.3, 0.3, 0.3, 0.3});
  EXPECT_GT(out[4], 0.0);  // window 101.7, 0.1, 0.1, 0.1
  EXPECT_EQ(out[5], 0.0);
  EXPECT_EQ(out[6], 0.0);
  EXPECT_EQ(out[7], 0.0);
  EXPECT_GT(out[8], 0.0);
  EXPECT_GT(out[11], 0.0);
  EXPECT_EQ(out[12], 0.0);
}

TEST(RollingStd, BitReproducible) {
  const std::vector<double> x = long_series(700);
  RollingStd a(13);
  RollingStd b(13);
  const std::vector<double> first = run(a, x);
  a.reset();
  const std::vector<double> again = run(a, x);
  const std::vector<double> other = run(b, x);
  for (size_t i = 12; i < x.size(); ++i) {
    EXPECT_EQ(first[i], again[i]) << i;
    EXPECT_EQ(first[i], other[i]) << i;
  }
}

TEST(Volatility, ResetReproducesOutputs) {
  TrueRange tr;
  Atr atr(4);
  std::vector<double> first;
  for (size_t i = 0; i < kCloses.size(); ++i) {
    first.push_back(tr.update(kHighs[i], kLows[i], kCloses[i]));
    first.push_back(atr.update(kHighs[i], kLows[i], kCloses[i]));
  }
  tr.reset();
  atr.reset();
  size_t k = 0;
  for (size_t i = 0; i < kCloses.size(); ++i) {
    for (double v : {tr.update(kHighs[i], kLows[i], kCloses[i]), atr.update(kHighs[i], kLows[i], kCloses[i])}) {
      EXPECT_TRUE(v == first[k] || (std::isnan(v) && std::isnan(first[k]))) << k;
      ++k;
    }
  }
}

TEST(Volatility, SettleAgreesAcrossStartingPoints) {
  // Bars built from the long series: range and gaps vary, so the ATR has history to forget.
  const std::vector<double> x = long_series(1000);
  const auto high = [&](size_t i) { return x[i] + 0.5 + 0.4 * std::sin(0.7 * static_cast<double>(i)); };
  const auto low = [&](size_t i) { return x[i] - 0.6 - 0.3 * std::cos(0.9 * static_cast<double>(i)); };
  Atr a(14), b(14);
  RollingStd sa(20), sb(20);
  const size_t late = 137;
  for (size_t i = 0; i < late; ++i) {
    a.update(high(i), low(i), x[i]);
    sa.update(x[i]);
  }
  ASSERT_LT(static_cast<int>(late) + b.settle() + 50, static_cast<int>(x.size()));
  for (size_t i = late; i < x.size(); ++i) {
    const double va = a.update(high(i), low(i), x[i]);
    const double vb = b.update(high(i), low(i), x[i]);
    const double sva = sa.update(x[i]);
    const double svb = sb.update(x[i]);
    if (static_cast<int>(i - late) >= b.settle()) expect_rel(vb, va, 1e-9, static_cast<int>(i));
    if (static_cast<int>(i - late) >= sb.settle()) expect_rel(svb, sva, 1e-12, static_cast<int>(i));
  }
}

}  // namespace
}  // namespace itrade::features
