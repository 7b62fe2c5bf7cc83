#pragma once
// Shared by the indicator tests: a fixed price fixture, a long series for settle() checks,
// and comparisons against the textbook loops each test computes itself.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace itrade::features::indicator_fixture {

// 40 closes, price-like (cents), written out so the expected values do not depend on a generator.
inline const std::vector<double> kCloses = {99.5,  98.22, 96.9,  96.74, 96.56, 95.75, 96.04, 94.68, 93.63, 94.66,
                                            95.14, 93.83, 94.44, 94.76, 95.72, 96.0,  96.76, 95.63, 94.6,  95.17,
                                            96.38, 96.72, 97.82, 98.38, 98.89, 98.27, 96.84, 95.7,  94.6,  95.8,
                                            96.0,  97.18, 96.79, 95.76, 94.98, 94.29, 93.93, 94.57, 95.17, 96.09};

// A long smooth-but-irregular series for settle(): price level ~100, several cycles.
inline std::vector<double> long_series(int n) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(100.0 + 8.0 * std::sin(0.05 * i) + 2.5 * std::sin(0.41 * i + 1.0));
  return out;
}

// |actual - expected| <= tol * max(|expected|, floor). `floor` > 0 bounds the scale from below
// for outputs that cross zero by cancellation (MACD is a difference of two ~100 EMAs: its
// rounding error is relative to the price, not to itself).
inline void expect_rel(double actual, double expected, double tol, int index, double floor = 0.0) {
  ASSERT_TRUE(std::isfinite(actual)) << "index " << index;
  EXPECT_LE(std::fabs(actual - expected), tol * std::max(std::fabs(expected), floor))
      << "index " << index << ": " << actual << " vs " << expected;
}

template <class Indicator>
std::vector<double> run(Indicator& indicator, const std::vector<double>& values) {
  std::vector<double> out;
  for (double v : values) out.push_back(indicator.update(v));
  return out;
}

// NaN before `lookback`, the expected values within 1e-12 relative from it on.
inline void expect_series(const std::vector<double>& actual, const std::vector<double>& expected, int lookback,
                          double floor = 0.0) {
  ASSERT_EQ(actual.size(), expected.size());
  for (int i = 0; i < static_cast<int>(actual.size()); ++i) {
    if (i < lookback) {
      EXPECT_TRUE(std::isnan(actual[static_cast<size_t>(i)])) << "index " << i;
    } else {
      expect_rel(actual[static_cast<size_t>(i)], expected[static_cast<size_t>(i)], 1e-12, i, floor);
    }
  }
}

}  // namespace itrade::features::indicator_fixture
