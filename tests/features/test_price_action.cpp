// price_action.price_position, gap, intraday_range and body_range_ratio, built through the catalog,
// against direct formulas in the test: degenerate bars, warm-up NaNs and reset().

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "features/bar_fixture.h"

namespace itrade::features {
namespace {

using bar_fixture::bar;
using bar_fixture::expect_matches;
using bar_fixture::expect_reset_replays;
using bar_fixture::expect_warmup;
using bar_fixture::make_operator;
using bar_fixture::random_bars;
using bar_fixture::run;

const char* const kFunctions[] = {"price_action.price_position", "price_action.gap", "price_action.intraday_range",
                                  "price_action.body_range_ratio"};

TEST(PriceAction, SchemaHasNoParamsAndDocumentedLookbacks) {
  for (const char* function : kFunctions) {
    const OperatorSpec* spec = builtin_catalog().find(function);
    ASSERT_NE(spec, nullptr) << function;
    EXPECT_TRUE(spec->params.empty()) << function;
    EXPECT_TRUE(spec->inputs.empty()) << function;
    EXPECT_FALSE(spec->needs_volume) << function;
    const auto op = make_operator(function);
    ASSERT_NE(op, nullptr);
    const int expected = std::string(function) == "price_action.gap" ? 1 : 0;
    EXPECT_EQ(op->lookback(), expected) << function;
    EXPECT_EQ(op->settle(), expected) << function;
  }
}

TEST(PricePosition, HandValues) {
  // (close - low) / (high - low):
  //   o 10, h 12, l 9, c 11   -> (11 - 9) / (12 - 9) = 2/3
  //   o 10, h 12, l 9, c 9    -> 0 (close at the low)
  //   o 10, h 12, l 9, c 12   -> 1 (close at the high)
  //   flat bar h == l == 10   -> 0.5
  const auto op = make_operator("price_action.price_position");
  ASSERT_NE(op, nullptr);
  expect_matches(run(*op, {bar(10, 12, 9, 11), bar(10, 12, 9, 9), bar(10, 12, 9, 12), bar(10, 10, 10, 10)}),
                 {2.0 / 3.0, 0.0, 1.0, 0.5}, 0);
}

TEST(Gap, HandValues) {
  // open / previous close - 1:
  //   bar 0: no previous close           -> NaN
  //   bar 1: 10.5 / 10 - 1               = 0.05
  //   bar 2: 9.9 / 11 - 1                = -0.1
  //   bar 3: 9.9 / 9.9 - 1               = 0 (open at the previous close)
  //   bar 4: previous close 0 (degenerate) -> 0
  const auto op = make_operator("price_action.gap");
  ASSERT_NE(op, nullptr);
  const std::vector<double> out = run(*op, {bar(10, 10.2, 9.8, 10), bar(10.5, 11.2, 10.4, 11), bar(9.9, 10, 9.8, 9.9),
                                            bar(9.9, 9.9, 0, 0), bar(5, 5, 5, 5)});
  expect_matches(out, {NAN, 0.05, -0.1, 0.0, 0.0}, 1, 1e-14);
}

TEST(IntradayRange, HandValues) {
  // (high - low) / close: (12 - 9) / 11 = 3/11; flat bar 0; close 0 (degenerate) -> 0.
  const auto op = make_operator("price_action.intraday_range");
  ASSERT_NE(op, nullptr);
  expect_matches(run(*op, {bar(10, 12, 9, 11), bar(10, 10, 10, 10), bar(1, 1, 0, 0)}), {3.0 / 11.0, 0.0, 0.0}, 0);
}

TEST(BodyRangeRatio, HandValues) {
  // |close - open| / (high - low): |11 - 10| / 3 = 1/3; |9 - 12| / 3 = 1 (body is the whole range);
  // doji o == c inside a range: 0; flat bar h == l: 0.
  const auto op = make_operator("price_action.body_range_ratio");
  ASSERT_NE(op, nullptr);
  expect_matches(run(*op, {bar(10, 12, 9, 11), bar(12, 12, 9, 9), bar(10, 11, 9, 10), bar(10, 10, 10, 10)}),
                 {1.0 / 3.0, 1.0, 0.0, 0.0}, 0);
}

TEST(PriceAction, MatchesFormulasOnRandomBars) {
  const std::vector<BarPoint> bars = random_bars(600, 21);
  std::vector<double> position;
  std::vector<double> gap;
  std::vector<double> range;
  std::vector<double> body;
  for (size_t t = 0; t < bars.size(); ++t) {
    const BarPoint& b = bars[t];
    const double hl = b.high - b.low;
    position.push_back(hl == 0.0 ? 0.5 : (b.close - b.low) / hl);
    gap.push_back(t == 0 ? NAN : b.open / bars[t - 1].close - 1.0);
    range.push_back((b.high - b.low) / b.close);
    body.push_back(hl == 0.0 ? 0.0 : std::fabs(b.close - b.open) / hl);
  }
  const auto position_op = make_operator("price_action.price_position");
  const auto gap_op = make_operator("price_action.gap");
  const auto range_op = make_operator("price_action.intraday_range");
  const auto body_op = make_operator("price_action.body_range_ratio");
  ASSERT_TRUE(position_op && gap_op && range_op && body_op);
  // A gap or body of 0 must be exactly 0 (open at the previous close, doji); expect_matches demands it.
  expect_matches(run(*position_op, bars), position, 0);
  expect_matches(run(*gap_op, bars), gap, 1);
  expect_matches(run(*range_op, bars), range, 0);
  expect_matches(run(*body_op, bars), body, 0);
}

TEST(PriceAction, WarmupAndResetOnRandomBars) {
  const std::vector<BarPoint> bars = random_bars(300, 22);
  for (const char* function : kFunctions) {
    SCOPED_TRACE(function);
    const auto op = make_operator(function);
    ASSERT_NE(op, nullptr);
    expect_warmup(run(*op, bars), op->lookback());
    const auto fresh = make_operator(function);
    ASSERT_NE(fresh, nullptr);
    expect_reset_replays(*fresh, bars);
  }
}

TEST(PriceAction, FlatBarsStayFinite) {
  const std::vector<BarPoint> bars(20, bar(42.0, 42.0, 42.0, 42.0));
  for (const char* function : kFunctions) {
    SCOPED_TRACE(function);
    const auto op = make_operator(function);
    ASSERT_NE(op, nullptr);
    expect_warmup(run(*op, bars), op->lookback());
  }
}

}  // namespace
}  // namespace itrade::features
