// structure.local_max / local_min (RollingMax / RollingMin) and structure.higher_high / lower_low,
// built through the catalog, against windows scanned from scratch in the test: ties, plateaus,
// monotonic runs that fill the deque, warm-up NaNs, no look-ahead and reset().

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "features/bar_fixture.h"
#include "features/indicator_fixture.h"
#include "features/indicators/structure.h"

namespace itrade::features {
namespace {

using bar_fixture::bar;
using bar_fixture::expect_matches;
using bar_fixture::expect_reset_replays;
using bar_fixture::expect_warmup;
using bar_fixture::make_operator;
using bar_fixture::random_bars;
using bar_fixture::run;

OperatorPtr local_max(std::int64_t window, const std::string& column) {
  return make_operator("structure.local_max", {{"window", window}, {"column", column}});
}

OperatorPtr local_min(std::int64_t window, const std::string& column) {
  return make_operator("structure.local_min", {{"window", window}, {"column", column}});
}

double column_value(const BarPoint& b, const std::string& column) {
  if (column == "open") return b.open;
  if (column == "high") return b.high;
  if (column == "low") return b.low;
  if (column == "volume") return b.volume;
  return b.close;
}

// Scans the trailing window [t - window + 1, t] at every bar.
std::vector<double> textbook_extreme(const std::vector<BarPoint>& bars, int window, const std::string& column,
                                     bool max) {
  std::vector<double> out(bars.size(), NAN);
  for (size_t t = static_cast<size_t>(window - 1); t < bars.size(); ++t) {
    double best = column_value(bars[t], column);
    for (size_t j = t + 1 - static_cast<size_t>(window); j < t; ++j) {
      const double v = column_value(bars[j], column);
      best = max ? std::max(best, v) : std::min(best, v);
    }
    out[t] = best;
  }
  return out;
}

std::vector<BarPoint> bars_with_highs(const std::vector<double>& highs) {
  std::vector<BarPoint> bars;
  for (double h : highs) bars.push_back(bar(h - 0.5, h, h - 1.0, h - 0.5));
  return bars;
}

std::vector<BarPoint> bars_with_lows(const std::vector<double>& lows) {
  std::vector<BarPoint> bars;
  for (double l : lows) bars.push_back(bar(l + 0.5, l + 1.0, l, l + 0.5));
  return bars;
}

// ---- local_max / local_min ----

TEST(LocalExtremes, Schema) {
  for (const auto& [function, column] : {std::pair<const char*, const char*>{"structure.local_max", "high"},
                                         std::pair<const char*, const char*>{"structure.local_min", "low"}}) {
    const OperatorSpec* spec = builtin_catalog().find(function);
    ASSERT_NE(spec, nullptr) << function;
    ASSERT_EQ(spec->params.size(), 2u);
    EXPECT_EQ(spec->params[0].name, "window");
    EXPECT_EQ(spec->params[0].kind, ParamKind::integer);
    EXPECT_EQ(std::get<std::int64_t>(*spec->params[0].default_value), 20);
    EXPECT_EQ(spec->params[0].min, 1.0);
    EXPECT_EQ(spec->params[1].name, "column");
    EXPECT_EQ(spec->params[1].kind, ParamKind::column);
    EXPECT_EQ(std::get<std::string>(*spec->params[1].default_value), column);
  }
  const auto op = local_max(20, "high");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->lookback(), 19);
  EXPECT_EQ(op->settle(), 19);
}

TEST(LocalMax, HandValuesWithTies) {
  // window 3 over highs 1, 3, 2, 2, 1, 0.5, 4:
  //   bar 2: max(1, 3, 2) = 3     bar 3: max(3, 2, 2) = 3     bar 4: max(2, 2, 1) = 2
  //   bar 5: max(2, 1, 0.5) = 2 (the second 2, after the first left)
  //   bar 6: max(1, 0.5, 4) = 4 (and bar 5 did not see it: no look-ahead)
  const auto op = local_max(3, "high");
  ASSERT_NE(op, nullptr);
  expect_matches(run(*op, bars_with_highs({1, 3, 2, 2, 1, 0.5, 4})), {NAN, NAN, 3, 3, 2, 2, 4}, 2);
}

TEST(LocalMin, HandValuesWithTies) {
  // window 3 over lows 5, 2, 3, 3, 4, 6, 1:
  //   bar 2: min(5, 2, 3) = 2     bar 3: min(2, 3, 3) = 2     bar 4: min(3, 3, 4) = 3
  //   bar 5: min(3, 4, 6) = 3     bar 6: min(4, 6, 1) = 1
  const auto op = local_min(3, "low");
  ASSERT_NE(op, nullptr);
  expect_matches(run(*op, bars_with_lows({5, 2, 3, 3, 4, 6, 1})), {NAN, NAN, 2, 2, 3, 3, 1}, 2);
}

TEST(LocalExtremes, MatchTextbookOnRandomBars) {
  const std::vector<BarPoint> bars = random_bars(600, 31);
  for (int window : {1, 2, 3, 5, 20, 64}) {
    for (const std::string column : {"high", "low", "close", "volume"}) {
      SCOPED_TRACE(::testing::Message() << "window " << window << ", column " << column);
      const auto max_op = local_max(window, column);
      const auto min_op = local_min(window, column);
      ASSERT_TRUE(max_op && min_op);
      // The output is one of the inputs, so the match is exact, not merely within 1e-12.
      expect_matches(run(*max_op, bars), textbook_extreme(bars, window, column, true), window - 1, 0.0);
      expect_matches(run(*min_op, bars), textbook_extreme(bars, window, column, false), window - 1, 0.0);
    }
  }
}

TEST(LocalExtremes, MonotonicRunsAndPlateaus) {
  // Falling highs keep every bar a max candidate (the deque fills to `window`); rising ones keep
  // one. The plateau checks equal values, the repeated cycle wraps the ring buffers many times.
  std::vector<double> values;
  for (int cycle = 0; cycle < 20; ++cycle) {
    for (int i = 0; i < 12; ++i) values.push_back(100.0 - i);
    for (int i = 0; i < 12; ++i) values.push_back(88.0 + i);
    for (int i = 0; i < 9; ++i) values.push_back(95.0);
  }
  std::vector<BarPoint> bars;
  for (double v : values) bars.push_back(bar(v, v, v, v));
  for (int window : {1, 4, 9, 12, 13, 30}) {
    SCOPED_TRACE(::testing::Message() << "window " << window);
    const auto max_op = local_max(window, "high");
    const auto min_op = local_min(window, "low");
    ASSERT_TRUE(max_op && min_op);
    expect_matches(run(*max_op, bars), textbook_extreme(bars, window, "high", true), window - 1, 0.0);
    expect_matches(run(*min_op, bars), textbook_extreme(bars, window, "low", false), window - 1, 0.0);
  }
}

TEST(LocalExtremes, ConstantInputGivesThatValue) {
  const auto max_op = local_max(5, "close");
  const auto min_op = local_min(5, "close");
  ASSERT_TRUE(max_op && min_op);
  const std::vector<BarPoint> bars(40, bar(73.21, 73.21, 73.21, 73.21));
  const std::vector<double> highs = run(*max_op, bars);
  const std::vector<double> lows = run(*min_op, bars);
  expect_warmup(highs, 4);
  expect_warmup(lows, 4);
  for (size_t i = 4; i < bars.size(); ++i) {
    EXPECT_EQ(highs[i], 73.21);
    EXPECT_EQ(lows[i], 73.21);
  }
}

TEST(LocalExtremes, ResetReplaysBitIdentical) {
  const std::vector<BarPoint> bars = random_bars(300, 32);
  const auto max_op = local_max(20, "high");
  const auto min_op = local_min(7, "low");
  ASSERT_TRUE(max_op && min_op);
  expect_reset_replays(*max_op, bars);
  expect_reset_replays(*min_op, bars);
}

TEST(RollingExtremum, KernelsMatchTextbookOnCloses) {
  // The kernels directly, on the shared price fixture.
  const std::vector<double>& x = indicator_fixture::kCloses;
  for (int period : {1, 2, 5, 10}) {
    RollingMax max(period);
    RollingMin min(period);
    EXPECT_EQ(max.lookback(), period - 1);
    EXPECT_EQ(min.settle(), period - 1);
    const std::vector<double> max_out = indicator_fixture::run(max, x);
    const std::vector<double> min_out = indicator_fixture::run(min, x);
    for (size_t t = 0; t < x.size(); ++t) {
      if (t + 1 < static_cast<size_t>(period)) {
        EXPECT_TRUE(std::isnan(max_out[t]) && std::isnan(min_out[t])) << "index " << t;
        continue;
      }
      const auto first = x.begin() + static_cast<std::ptrdiff_t>(t + 1) - period;
      const auto last = x.begin() + static_cast<std::ptrdiff_t>(t + 1);
      EXPECT_EQ(max_out[t], *std::max_element(first, last)) << "index " << t;
      EXPECT_EQ(min_out[t], *std::min_element(first, last)) << "index " << t;
    }
  }
}

// ---- higher_high / lower_low ----

TEST(HigherHighLowerLow, HandValues) {
  // highs 10, 11, 11, 10.5, 12 -> NaN, 1 (11 > 10), 0 (equal is no break), 0, 1
  // lows   9,  8,  8,  8.5,  7 -> NaN, 1 (8 < 9),   0 (equal is no break), 0, 1
  const auto higher = make_operator("structure.higher_high");
  const auto lower = make_operator("structure.lower_low");
  ASSERT_TRUE(higher && lower);
  EXPECT_EQ(higher->lookback(), 1);
  EXPECT_EQ(lower->lookback(), 1);
  EXPECT_EQ(higher->settle(), 1);
  EXPECT_EQ(lower->settle(), 1);
  const std::vector<BarPoint> bars = {bar(9.5, 10, 9, 9.5), bar(9, 11, 8, 10), bar(9, 11, 8, 10), bar(9, 10.5, 8.5, 10),
                                      bar(10, 12, 7, 11)};
  expect_matches(run(*higher, bars), {NAN, 1, 0, 0, 1}, 1);
  expect_matches(run(*lower, bars), {NAN, 1, 0, 0, 1}, 1);
}

TEST(HigherHighLowerLow, MatchTextbookOnRandomBars) {
  const std::vector<BarPoint> bars = random_bars(600, 33);
  std::vector<double> higher_expected(bars.size(), NAN);
  std::vector<double> lower_expected(bars.size(), NAN);
  for (size_t t = 1; t < bars.size(); ++t) {
    higher_expected[t] = bars[t].high > bars[t - 1].high ? 1.0 : 0.0;
    lower_expected[t] = bars[t].low < bars[t - 1].low ? 1.0 : 0.0;
  }
  const auto higher = make_operator("structure.higher_high");
  const auto lower = make_operator("structure.lower_low");
  ASSERT_TRUE(higher && lower);
  expect_matches(run(*higher, bars), higher_expected, 1, 0.0);
  expect_matches(run(*lower, bars), lower_expected, 1, 0.0);
  const auto fresh_higher = make_operator("structure.higher_high");
  const auto fresh_lower = make_operator("structure.lower_low");
  ASSERT_TRUE(fresh_higher && fresh_lower);
  expect_reset_replays(*fresh_higher, bars);
  expect_reset_replays(*fresh_lower, bars);
}

}  // namespace
}  // namespace itrade::features
