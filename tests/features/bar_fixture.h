#pragma once
// Shared by the bar-operator tests (volume, price action, structure): operators built through the
// catalog with every parameter explicit, a deterministic random OHLCV generator with the
// degenerate cases built in, and output comparisons.

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "features/operator.h"
#include "features/registry/operator_catalog.h"

namespace itrade::features::bar_fixture {

// The catalog's operator for `function`, with exactly the given parameters. Every parameter of the
// schema must be given, so the test does not silently depend on a default.
inline OperatorPtr make_operator(std::string_view function,
                                 std::initializer_list<std::pair<std::string, ParamValue>> values = {}) {
  const OperatorSpec* spec = builtin_catalog().find(function);
  if (spec == nullptr) {
    ADD_FAILURE() << function << " is not in the catalog";
    return nullptr;
  }
  Params params;
  for (const auto& [name, value] : values) params.set(name, value);
  EXPECT_EQ(params.values().size(), spec->params.size()) << function;
  for (const auto& param : spec->params) EXPECT_TRUE(params.has(param.name)) << function << ": " << param.name;
  return spec->make(params);
}

inline std::vector<double> run(Operator& op, const std::vector<BarPoint>& bars) {
  std::vector<double> out;
  out.reserve(bars.size());
  for (const BarPoint& bar : bars) out.push_back(op.update(bar, BarClock{}, nullptr));
  return out;
}

inline BarPoint bar(double open, double high, double low, double close, double volume = 0.0) {
  return BarPoint{.ts = 0, .open = open, .high = high, .low = low, .close = close, .volume = volume};
}

enum class Volumes {
  shares,      // whole numbers, as equity share counts
  fractional,  // real numbers over ~5 orders of magnitude, as crypto sizes
};

// `n` valid bars (low <= open, close <= high, prices in cents around 100): every 7th bar is flat
// (high == low), prices repeat often enough for equal highs and lows, and volume is 0 over
// bars [40, 85) (longer than any window the tests use), [200, 208) and at scattered single bars.
// The generator uses only the raw 64-bit engine output, whose sequence the standard fixes.
inline std::vector<BarPoint> random_bars(int n, std::uint64_t seed, Volumes volumes = Volumes::shares) {
  std::mt19937_64 engine(seed);
  const auto uniform = [&engine] { return static_cast<double>(engine() >> 11) * 0x1.0p-53; };  // [0, 1)
  const auto cents = [](double price) { return std::round(price * 100.0) / 100.0; };
  std::vector<BarPoint> bars;
  double close = 100.0;
  for (int i = 0; i < n; ++i) {
    BarPoint b;
    b.ts = static_cast<core::Timestamp>(i) * 60'000'000'000;
    b.open = cents(close * (1.0 + 0.004 * (uniform() - 0.5)));
    if (i % 7 == 3) {
      b.high = b.low = b.close = b.open;
    } else {
      b.close = cents(b.open * (1.0 + 0.01 * (uniform() - 0.5)));
      b.high = cents(std::max(b.open, b.close) + 0.3 * uniform() * uniform());
      b.low = cents(std::min(b.open, b.close) - 0.3 * uniform() * uniform());
    }
    close = b.close;
    const double size = std::exp(11.5 * uniform());  // 1 .. ~1e5
    b.volume = volumes == Volumes::shares ? std::floor(size) : size;
    const bool quiet = (i >= 40 && i < 85) || (i >= 200 && i < 208) || uniform() < 0.05;
    if (quiet) b.volume = 0.0;
    bars.push_back(b);
  }
  return bars;
}

// NaN exactly before `lookback`, finite from it on.
inline void expect_warmup(const std::vector<double>& out, int lookback) {
  for (int i = 0; i < static_cast<int>(out.size()); ++i) {
    if (i < lookback) {
      EXPECT_TRUE(std::isnan(out[static_cast<size_t>(i)])) << "index " << i;
    } else {
      EXPECT_TRUE(std::isfinite(out[static_cast<size_t>(i)])) << "index " << i;
    }
  }
}

// NaN before `lookback`, within `tol` relative of `expected` from it on; an expected 0 must be
// exactly 0.
inline void expect_matches(const std::vector<double>& actual, const std::vector<double>& expected, int lookback,
                           double tol = 1e-12) {
  ASSERT_EQ(actual.size(), expected.size());
  for (int i = 0; i < static_cast<int>(actual.size()); ++i) {
    const double a = actual[static_cast<size_t>(i)];
    const double e = expected[static_cast<size_t>(i)];
    if (i < lookback) {
      EXPECT_TRUE(std::isnan(a)) << "index " << i;
      continue;
    }
    ASSERT_TRUE(std::isfinite(a)) << "index " << i;
    EXPECT_LE(std::fabs(a - e), tol * std::fabs(e)) << "index " << i << ": " << a << " vs " << e;
  }
}

// A fresh `op` over `bars`, reset(), then the same bars again: every output bit-identical.
inline void expect_reset_replays(Operator& op, const std::vector<BarPoint>& bars) {
  const std::vector<double> first = run(op, bars);
  op.reset();
  const std::vector<double> second = run(op, bars);
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(first[i]), std::bit_cast<std::uint64_t>(second[i])) << "index " << i;
  }
}

}  // namespace itrade::features::bar_fixture
