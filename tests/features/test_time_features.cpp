// The time.* operators: registration (no params, needs_clock, lookback/settle 0) and that each
// returns its BarClock field as the engine passes it, without looking at the bar's timestamp.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"
#include "features/engine/bar_clock.h"
#include "features/registry/operator_catalog.h"

namespace itrade::features {
namespace {

const std::vector<std::string> kTimeFunctions = {
    "time.hour",          "time.minute",         "time.day_of_week",         "time.day_of_month",
    "time.month",         "time.quarter",        "time.market_open_minutes", "time.is_market_open",
    "time.is_pre_market", "time.is_after_hours",
};

OperatorPtr make(std::string_view function) {
  const OperatorSpec* spec = builtin_catalog().find(function);
  EXPECT_NE(spec, nullptr) << function;
  return spec != nullptr ? spec->make(Params{}) : nullptr;
}

double value(std::string_view function, const BarClock& clock, core::Timestamp ts = 0) {
  OperatorPtr op = make(function);
  if (op == nullptr) return -1.0;
  BarPoint bar;
  bar.ts = ts;
  return op->update(bar, clock, nullptr);
}

// Field values no real bar has together, so a match cannot come from recomputing the time.
BarClock distinct_clock() {
  BarClock c;
  c.year = 2031;
  c.month = 8;
  c.day_of_month = 23;
  c.day_of_week = 5;
  c.hour = 17;
  c.minute = 41;
  c.market_open_minutes = -123.5;
  c.market_open = true;
  c.pre_market = true;
  c.after_hours = false;
  return c;
}

TEST(TimeFeatures, RegisteredWithoutParamsAndWithClock) {
  for (const std::string& function : kTimeFunctions) {
    SCOPED_TRACE(function);
    const OperatorSpec* spec = builtin_catalog().find(function);
    ASSERT_NE(spec, nullptr);
    EXPECT_TRUE(spec->needs_clock);
    EXPECT_FALSE(spec->needs_volume);
    EXPECT_TRUE(spec->params.empty());
    EXPECT_TRUE(spec->inputs.empty());
    EXPECT_FALSE(spec->description.empty());
    OperatorPtr op = spec->make(Params{});
    ASSERT_NE(op, nullptr);
    EXPECT_EQ(op->lookback(), 0);
    EXPECT_EQ(op->settle(), 0);
  }
}

TEST(TimeFeatures, ReturnTheBarClockFieldsNotTheBarTime) {
  const BarClock c = distinct_clock();
  // The bar's own timestamp (1970-01-01 00:00Z, a Wednesday evening in New York) is ignored.
  EXPECT_EQ(value("time.hour", c), 17.0);
  EXPECT_EQ(value("time.minute", c), 41.0);
  EXPECT_EQ(value("time.day_of_week", c), 5.0);
  EXPECT_EQ(value("time.day_of_month", c), 23.0);
  EXPECT_EQ(value("time.month", c), 8.0);
  EXPECT_EQ(value("time.quarter", c), 3.0);
  EXPECT_EQ(value("time.market_open_minutes", c), -123.5);
  EXPECT_EQ(value("time.is_market_open", c), 1.0);
  EXPECT_EQ(value("time.is_pre_market", c), 1.0);
  EXPECT_EQ(value("time.is_after_hours", c), 0.0);
}

TEST(TimeFeatures, FlagsAreZeroOrOne) {
  BarClock c;
  c.after_hours = true;
  EXPECT_EQ(value("time.is_market_open", c), 0.0);
  EXPECT_EQ(value("time.is_pre_market", c), 0.0);
  EXPECT_EQ(value("time.is_after_hours", c), 1.0);
}

TEST(TimeFeatures, Quarter) {
  BarClock c;
  const std::vector<std::pair<int, double>> cases = {{1, 1.0}, {3, 1.0}, {4, 2.0}, {12, 4.0}};
  for (const auto& [month, quarter] : cases) {
    c.month = month;
    EXPECT_EQ(value("time.quarter", c), quarter) << "month " << month;
  }
  for (int month = 1; month <= 12; ++month) {
    c.month = month;
    EXPECT_EQ(value("time.quarter", c), (month + 2) / 3) << "month " << month;
  }
}

TEST(TimeFeatures, StatelessAcrossBarsAndReset) {
  OperatorPtr op = make("time.market_open_minutes");
  ASSERT_NE(op, nullptr);
  BarClock c;
  BarPoint bar;
  for (int i = -3; i <= 3; ++i) {
    c.market_open_minutes = 5.0 * i;
    EXPECT_EQ(op->update(bar, c, nullptr), 5.0 * i);
  }
  op->reset();
  c.market_open_minutes = 42.0;
  EXPECT_EQ(op->update(bar, c, nullptr), 42.0);
}

TEST(TimeFeatures, WithClockReaderOnAnAfterHoursBar) {
  ClockReader reader;
  // 2025-01-15T21:00Z = 16:00 EST on a Wednesday: the close.
  const core::Timestamp ts = 1736974800000000000;
  const BarClock c = reader.read(ts);
  EXPECT_EQ(value("time.hour", c, ts), 16.0);
  EXPECT_EQ(value("time.minute", c, ts), 0.0);
  EXPECT_EQ(value("time.day_of_week", c, ts), 2.0);
  EXPECT_EQ(value("time.day_of_month", c, ts), 15.0);
  EXPECT_EQ(value("time.month", c, ts), 1.0);
  EXPECT_EQ(value("time.quarter", c, ts), 1.0);
  EXPECT_EQ(value("time.market_open_minutes", c, ts), 390.0);
  EXPECT_EQ(value("time.is_market_open", c, ts), 0.0);
  EXPECT_EQ(value("time.is_pre_market", c, ts), 0.0);
  EXPECT_EQ(value("time.is_after_hours", c, ts), 1.0);
}

}  // namespace
}  // namespace itrade::features
