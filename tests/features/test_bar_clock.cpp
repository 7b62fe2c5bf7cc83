// ClockReader against hand-checked New York wall-clock cases: session edges in winter and summer,
// the 2025 DST switch days, an early close, a holiday, a weekend, dates outside the calendar, bars
// read out of order, a sweep against NyseCalendar, and no allocation in read().

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string_view>
#include <utility>
#include <vector>

#include "core/nyse_calendar.h"
#include "core/time.h"
#include "support/allocation_counter.h"
#include "features/engine/bar_clock.h"

namespace itrade::features {
namespace {

using core::DayNumber;
using core::kNanosPerHour;
using core::kNanosPerMinute;
using core::kNanosPerSecond;
using core::Timestamp;

DayNumber day(std::string_view text) {
  auto parsed = core::parse_date(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : 0;
}

// New York wall-clock `hour:minute` on `date`, with the UTC offset stated by hand (EST = UTC-5,
// EDT = UTC-4), so the expected instants do not come from the tz database under test.
Timestamp est(std::string_view date, int hour, int minute, int second = 0) {
  return core::start_of_day(day(date)) + (hour + 5) * kNanosPerHour + minute * kNanosPerMinute +
         second * kNanosPerSecond;
}
Timestamp edt(std::string_view date, int hour, int minute) {
  return core::start_of_day(day(date)) + (hour + 4) * kNanosPerHour + minute * kNanosPerMinute;
}

// The time-of-day part of a BarClock.
struct Expected {
  int hour;
  int minute;
  double minutes_from_open;
  bool open;
  bool pre;
  bool after;
};

void expect_time(const BarClock& c, const Expected& e) {
  EXPECT_EQ(c.hour, e.hour);
  EXPECT_EQ(c.minute, e.minute);
  EXPECT_DOUBLE_EQ(c.market_open_minutes, e.minutes_from_open);
  EXPECT_EQ(c.market_open, e.open);
  EXPECT_EQ(c.pre_market, e.pre);
  EXPECT_EQ(c.after_hours, e.after);
}

void expect_date(const BarClock& c, int year, int month, int day_of_month, int day_of_week) {
  EXPECT_EQ(c.year, year);
  EXPECT_EQ(c.month, month);
  EXPECT_EQ(c.day_of_month, day_of_month);
  EXPECT_EQ(c.day_of_week, day_of_week);
}

void expect_same(const BarClock& a, const BarClock& b) {
  expect_date(a, b.year, b.month, b.day_of_month, b.day_of_week);
  expect_time(a, {b.hour, b.minute, b.market_open_minutes, b.market_open, b.pre_market, b.after_hours});
}

// A regular 09:30-16:00 day: the same wall-clock cases hold in winter and summer.
struct EdgeCase {
  int hour;
  int minute;
  Expected expected;
};
const std::vector<EdgeCase> kRegularDayEdges = {
    {3, 55, {3, 55, -335, false, false, false}},  // before the pre-market
    {4, 0, {4, 0, -330, false, true, false}},     // pre-market starts
    {9, 25, {9, 25, -5, false, true, false}},
    {9, 30, {9, 30, 0, true, false, false}},  // the open
    {15, 55, {15, 55, 385, true, false, false}},
    {16, 0, {16, 0, 390, false, false, true}},  // the close: after hours
    {19, 55, {19, 55, 625, false, false, true}},
    {20, 0, {20, 0, 630, false, false, false}},  // after hours over
};

TEST(ClockReader, HandHelpersMatchLiteralUtc) {
  EXPECT_EQ(est("2025-01-15", 9, 30), 1736951400000000000);  // 2025-01-15T14:30:00Z
  EXPECT_EQ(edt("2025-07-16", 9, 30), 1752672600000000000);  // 2025-07-16T13:30:00Z
}

TEST(ClockReader, WinterSessionEdgesEst) {
  ClockReader reader;
  for (const EdgeCase& e : kRegularDayEdges) {
    SCOPED_TRACE(testing::Message() << e.hour << ":" << e.minute);
    const BarClock c = reader.read(est("2025-01-15", e.hour, e.minute));
    expect_date(c, 2025, 1, 15, 2);  // a Wednesday, also for 19:55 and 20:00 (January 16 in UTC)
    expect_time(c, e.expected);
  }
}

TEST(ClockReader, SummerSessionEdgesEdt) {
  ClockReader reader;
  for (const EdgeCase& e : kRegularDayEdges) {
    SCOPED_TRACE(testing::Message() << e.hour << ":" << e.minute);
    const BarClock c = reader.read(edt("2025-07-16", e.hour, e.minute));
    expect_date(c, 2025, 7, 16, 2);  // a Wednesday, also for 20:00 (July 17 in UTC)
    expect_time(c, e.expected);
  }
}

TEST(ClockReader, UnalignedBarStartGivesFractionalMinutes) {
  ClockReader reader;
  const BarClock c = reader.read(est("2025-01-15", 9, 30, 30));
  expect_time(c, {9, 30, 0.5, true, false, false});
}

TEST(ClockReader, SpringForward2025) {
  ClockReader reader;
  // Sunday 2025-03-09: 02:00 EST becomes 03:00 EDT at 07:00Z, so 01:55 EST and 03:00 EDT are
  // five minutes apart. No session: minutes count from 09:30 EDT (13:30Z).
  EXPECT_EQ(edt("2025-03-09", 3, 0) - est("2025-03-09", 1, 55), 5 * kNanosPerMinute);
  BarClock c = reader.read(est("2025-03-09", 1, 55));
  expect_date(c, 2025, 3, 9, 6);
  expect_time(c, {1, 55, -395, false, false, false});
  c = reader.read(edt("2025-03-09", 3, 0));
  expect_date(c, 2025, 3, 9, 6);
  expect_time(c, {3, 0, -390, false, false, false});
  expect_time(reader.read(edt("2025-03-09", 10, 0)), {10, 0, 30, false, false, false});
  // The trading days around it open at 09:30 local in each offset.
  expect_time(reader.read(est("2025-03-07", 9, 30)), {9, 30, 0, true, false, false});
  expect_time(reader.read(est("2025-03-07", 16, 0)), {16, 0, 390, false, false, true});
  expect_time(reader.read(edt("2025-03-10", 9, 25)), {9, 25, -5, false, true, false});
  expect_time(reader.read(edt("2025-03-10", 9, 30)), {9, 30, 0, true, false, false});
  expect_time(reader.read(edt("2025-03-10", 3, 55)), {3, 55, -335, false, false, false});
}

TEST(ClockReader, FallBack2025) {
  ClockReader reader;
  // Sunday 2025-11-02: 02:00 EDT becomes 01:00 EST at 06:00Z, so 01:30 happens twice. No
  // session: minutes count from 09:30 EST (14:30Z).
  BarClock c = reader.read(edt("2025-11-02", 1, 30));  // 05:30Z
  expect_date(c, 2025, 11, 2, 6);
  expect_time(c, {1, 30, -540, false, false, false});
  c = reader.read(est("2025-11-02", 1, 30));  // 06:30Z
  expect_date(c, 2025, 11, 2, 6);
  expect_time(c, {1, 30, -480, false, false, false});
  expect_time(reader.read(est("2025-11-02", 10, 0)), {10, 0, 30, false, false, false});
  expect_time(reader.read(edt("2025-10-31", 9, 30)), {9, 30, 0, true, false, false});
  expect_time(reader.read(edt("2025-10-31", 15, 55)), {15, 55, 385, true, false, false});
  expect_time(reader.read(edt("2025-10-31", 16, 0)), {16, 0, 390, false, false, true});
  expect_time(reader.read(est("2025-11-03", 4, 0)), {4, 0, -330, false, true, false});
  expect_time(reader.read(est("2025-11-03", 9, 30)), {9, 30, 0, true, false, false});
}

TEST(ClockReader, EarlyCloseDayAfterThanksgiving2025) {
  ClockReader reader;  // Friday 2025-11-28, EST, close 13:00
  const std::vector<EdgeCase> cases = {
      {9, 25, {9, 25, -5, false, true, false}},    {9, 30, {9, 30, 0, true, false, false}},
      {12, 55, {12, 55, 205, true, false, false}}, {13, 0, {13, 0, 210, false, false, true}},
      {16, 0, {16, 0, 390, false, false, true}},   {19, 55, {19, 55, 625, false, false, true}},
      {20, 0, {20, 0, 630, false, false, false}},
  };
  for (const EdgeCase& e : cases) {
    SCOPED_TRACE(testing::Message() << e.hour << ":" << e.minute);
    const BarClock c = reader.read(est("2025-11-28", e.hour, e.minute));
    expect_date(c, 2025, 11, 28, 4);
    expect_time(c, e.expected);
  }
}

TEST(ClockReader, WeekdayHolidayHasNoSessionFlags) {
  ClockReader reader;  // Friday 2025-07-04, Independence Day, EDT
  const std::vector<EdgeCase> cases = {
      {4, 0, {4, 0, -330, false, false, false}},   {9, 25, {9, 25, -5, false, false, false}},
      {9, 30, {9, 30, 0, false, false, false}},    {12, 0, {12, 0, 150, false, false, false}},
      {16, 0, {16, 0, 390, false, false, false}},  {19, 55, {19, 55, 625, false, false, false}},
  };
  for (const EdgeCase& e : cases) {
    SCOPED_TRACE(testing::Message() << e.hour << ":" << e.minute);
    const BarClock c = reader.read(edt("2025-07-04", e.hour, e.minute));
    expect_date(c, 2025, 7, 4, 4);
    expect_time(c, e.expected);
  }
}

TEST(ClockReader, SaturdayHasNoSessionFlags) {
  ClockReader reader;  // 2025-01-18, EST
  BarClock c = reader.read(est("2025-01-18", 10, 0));
  expect_date(c, 2025, 1, 18, 5);
  expect_time(c, {10, 0, 30, false, false, false});
  expect_time(reader.read(est("2025-01-18", 4, 0)), {4, 0, -330, false, false, false});
  expect_time(reader.read(est("2025-01-18", 16, 0)), {16, 0, 390, false, false, false});
}

TEST(ClockReader, DayOfWeekStartsOnMonday) {
  ClockReader reader;
  EXPECT_EQ(reader.read(est("2025-01-13", 12, 0)).day_of_week, 0);  // Monday
  EXPECT_EQ(reader.read(est("2025-01-15", 12, 0)).day_of_week, 2);  // Wednesday
  EXPECT_EQ(reader.read(est("2025-01-17", 12, 0)).day_of_week, 4);  // Friday
  EXPECT_EQ(reader.read(est("2025-01-19", 12, 0)).day_of_week, 6);  // Sunday
  EXPECT_EQ(reader.read(edt("2024-06-03", 12, 0)).day_of_week, 0);  // Monday
}

TEST(ClockReader, DateIsTheNewYorkDateNotTheUtcDate) {
  ClockReader reader;
  // 23:59 New York on New Year's Eve is 2025-01-01T04:59Z.
  const BarClock c = reader.read(est("2024-12-31", 23, 59));
  expect_date(c, 2024, 12, 31, 1);  // a Tuesday
  EXPECT_EQ(c.hour, 23);
  EXPECT_EQ(c.minute, 59);
  expect_date(reader.read(est("2025-01-01", 0, 0)), 2025, 1, 1, 2);
}

TEST(ClockReader, DaysOutsideTheCalendarAreNonTradingDays) {
  ClockReader reader;
  // 1999-12-31 (a Friday the NYSE traded) and 2031-01-02 (a Thursday) are outside 2000..2030.
  BarClock c = reader.read(est("1999-12-31", 10, 0));
  expect_date(c, 1999, 12, 31, 4);
  expect_time(c, {10, 0, 30, false, false, false});
  c = reader.read(est("2031-01-02", 10, 0));
  expect_date(c, 2031, 1, 2, 3);
  expect_time(c, {10, 0, 30, false, false, false});
  // The last covered day still has its session.
  expect_time(reader.read(est("2030-12-31", 10, 0)), {10, 0, 30, true, false, false});
}

TEST(ClockReader, OutOfOrderReadsAreNotServedFromAStaleDay) {
  ClockReader reader;
  const std::vector<Timestamp> bars = {
      edt("2025-07-16", 16, 0),   // summer, after hours
      est("2025-01-15", 9, 30),   // an earlier, winter day: open
      edt("2025-07-04", 9, 30),   // a holiday between them
      edt("2025-07-16", 9, 25),   // back to the first day, earlier in it
      edt("2025-07-16", 15, 55),  //
      edt("2025-07-15", 15, 55),  // the day before
      est("2025-11-28", 13, 0),   // early close
      est("2025-11-27", 13, 0),   // Thanksgiving, the day before
      est("2025-11-28", 12, 55),
  };
  const std::vector<Expected> expected = {
      {16, 0, 390, false, false, true},  {9, 30, 0, true, false, false},    {9, 30, 0, false, false, false},
      {9, 25, -5, false, true, false},   {15, 55, 385, true, false, false}, {15, 55, 385, true, false, false},
      {13, 0, 210, false, false, true},  {13, 0, 210, false, false, false}, {12, 55, 205, true, false, false},
  };
  for (size_t i = 0; i < bars.size(); ++i) {
    SCOPED_TRACE(testing::Message() << "bar " << i);
    const BarClock c = reader.read(bars[i]);
    expect_time(c, expected[i]);
    expect_same(c, ClockReader().read(bars[i]));
  }
  expect_date(reader.read(bars[0]), 2025, 7, 16, 2);
  expect_date(reader.read(bars[1]), 2025, 1, 15, 2);
}

// Every 5 minutes over stretches with DST switches, weekends, a holiday and an early close: one
// long-lived reader agrees with a fresh reader per bar and with NyseCalendar's own queries.
TEST(ClockReader, SweepAgreesWithCalendarAndFreshReaders) {
  const core::NyseCalendar& calendar = core::NyseCalendar::instance();
  ClockReader reader;
  const std::vector<std::pair<std::string_view, std::string_view>> ranges = {
      {"2025-03-01", "2025-03-12"}, {"2025-06-30", "2025-07-07"}, {"2025-10-29", "2025-11-05"},
      {"2025-11-24", "2025-12-01"}};
  int open_bars = 0;
  for (const auto& [first, last] : ranges) {
    const Timestamp end = core::start_of_day(day(last) + 1);
    for (Timestamp ts = core::start_of_day(day(first)); ts < end; ts += 5 * kNanosPerMinute) {
      SCOPED_TRACE(core::format_utc(ts));
      const BarClock c = reader.read(ts);
      expect_same(c, ClockReader().read(ts));
      const DayNumber ny_day = calendar.new_york_day(ts);
      const core::CivilDate civil = core::civil_from_days(ny_day);
      EXPECT_EQ(c.year, civil.year);
      EXPECT_EQ(c.month, civil.month);
      EXPECT_EQ(c.day_of_month, civil.day);
      EXPECT_EQ(c.market_open, calendar.session_containing(ts).has_value());
      if (const auto minutes = calendar.minutes_since_open(ts)) {
        EXPECT_DOUBLE_EQ(c.market_open_minutes, *minutes);
      } else {
        EXPECT_FALSE(c.pre_market || c.after_hours || c.market_open);
      }
      EXPECT_LE(int(c.market_open) + int(c.pre_market) + int(c.after_hours), 1);
      open_bars += c.market_open ? 1 : 0;
    }
  }
  EXPECT_GT(open_bars, 0);
}

TEST(ClockReader, NoAllocationInRead) {
  {
    // The counter is live in this program (a volatile sink keeps the pair from being elided).
    static void* volatile sink = nullptr;
    const long before = allocation_counter::count();
    sink = ::operator new(16);
    ::operator delete(sink);
    ASSERT_EQ(allocation_counter::count() - before, 1);
  }
  ClockReader reader;
  // Every minute of a month, crossing weekends, a holiday and the spring-forward switch (where
  // the zone's offset cache is refreshed), then back in time to exercise day reloads.
  const Timestamp begin = core::start_of_day(day("2025-02-20"));
  const Timestamp end = core::start_of_day(day("2025-03-20"));
  const long before = allocation_counter::count();
  long checksum = 0;
  for (Timestamp ts = begin; ts < end; ts += kNanosPerMinute) checksum += reader.read(ts).minute;
  for (Timestamp ts = end; ts > begin; ts -= 7 * kNanosPerHour) checksum += reader.read(ts).hour;
  checksum += reader.read(edt("2024-07-04", 12, 0)).hour;  // a holiday
  checksum += reader.read(est("1999-12-31", 12, 0)).hour;
  const long after = allocation_counter::count();
  EXPECT_EQ(after - before, 0);
  EXPECT_GT(checksum, 0);
}

}  // namespace
}  // namespace itrade::features
