#include <gtest/gtest.h>

#include <string_view>

#include "core/nyse_calendar.h"

namespace itrade::core {
namespace {

const NyseCalendar& calendar() { return NyseCalendar::instance(); }

DayNumber day(std::string_view text) {
  auto parsed = parse_date(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : 0;
}

// A UTC instant from a date and a UTC wall-clock time.
Timestamp utc(std::string_view date, int hour, int minute, int second = 0) {
  return start_of_day(day(date)) + hour * kNanosPerHour + minute * kNanosPerMinute + second * kNanosPerSecond;
}

void expect_session(std::string_view date, int open_h, int open_m, int close_h, bool early) {
  SCOPED_TRACE(date);
  const auto s = calendar().session(day(date));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->day, day(date));
  EXPECT_EQ(format_utc(s->open), format_utc(utc(date, open_h, open_m)));
  EXPECT_EQ(format_utc(s->close), format_utc(utc(date, close_h, 0)));
  EXPECT_EQ(s->early_close, early);
}

void expect_holiday(std::string_view date) {
  SCOPED_TRACE(date);
  EXPECT_TRUE(calendar().is_holiday(day(date)));
  EXPECT_FALSE(calendar().is_trading_day(day(date)));
  EXPECT_FALSE(calendar().session(day(date)).has_value());
}

void expect_regular(std::string_view date) {
  SCOPED_TRACE(date);
  const auto s = calendar().session(day(date));
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(s->early_close);
  EXPECT_EQ(s->close - s->open, 6 * kNanosPerHour + 30 * kNanosPerMinute);
}

void expect_early(std::string_view date) {
  SCOPED_TRACE(date);
  const auto s = calendar().session(day(date));
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->early_close);
  EXPECT_EQ(s->close - s->open, 3 * kNanosPerHour + 30 * kNanosPerMinute);
}

TEST(NyseCalendar, SessionHoursFollowDaylightSavingTime) {
  expect_session("2024-03-08", 14, 30, 21,
                 false);                            // EST, Friday before spring forward
  expect_session("2024-03-11", 13, 30, 20, false);  // EDT, Monday after
  expect_session("2024-11-01", 13, 30, 20,
                 false);                            // EDT, Friday before fall back
  expect_session("2024-11-04", 14, 30, 21, false);  // EST, Monday after
  expect_session("2023-03-13", 13, 30, 20,
                 false);  // Monday after the 2023 switches
  expect_session("2023-11-06", 14, 30, 21, false);
  expect_session("2007-03-12", 13, 30, 20,
                 false);  // first year of the 2007 US DST rules
  expect_session("2006-04-03", 13, 30, 20,
                 false);  // old rules: switch on the first Sunday of April
  expect_session("2006-03-31", 14, 30, 21, false);
}

TEST(NyseCalendar, WeekendsAreNotTradingDaysNorHolidays) {
  for (const auto date : {"2024-03-09", "2024-03-10", "2000-01-01", "2030-12-29"}) {
    SCOPED_TRACE(date);
    EXPECT_FALSE(calendar().is_trading_day(day(date)));
    EXPECT_FALSE(calendar().is_holiday(day(date)));
    EXPECT_FALSE(calendar().session(day(date)).has_value());
  }
}

TEST(NyseCalendar, RegularHolidays2024) {
  for (const auto date : {"2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19",
                          "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25"}) {
    expect_holiday(date);
  }
}

TEST(NyseCalendar, RegularHolidays2023WithSundayNewYear) {
  for (const auto date : {"2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19",
                          "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25"}) {
    expect_holiday(date);
  }
}

TEST(NyseCalendar, GoodFridayFollowsGregorianEaster) {
  for (const auto date : {"2000-04-21", "2008-03-21", "2011-04-22", "2019-04-19", "2025-04-18", "2030-04-19"}) {
    expect_holiday(date);
  }
  expect_regular("2024-03-28");
}

TEST(NyseCalendar, SaturdayNewYearIsNotObservedOnFriday) {
  expect_regular("2004-12-31");
  expect_regular("2010-12-31");
  expect_regular("2021-12-31");
  expect_regular("2027-12-31");
}

TEST(NyseCalendar, WeekendObservanceOfFixedHolidays) {
  expect_holiday("2022-06-20");  // Juneteenth on Sunday -> Monday
  expect_holiday("2027-06-18");  // Juneteenth on Saturday -> Friday
  expect_regular("2021-06-18");  // before Juneteenth became an NYSE holiday (2022)
  expect_regular("2020-06-19");
  expect_holiday("2020-07-03");  // July 4 on Saturday -> Friday
  expect_holiday("2021-07-05");  // July 4 on Sunday -> Monday
  expect_holiday("2021-12-24");  // Christmas on Saturday -> Friday
  expect_holiday("2022-12-26");  // Christmas on Sunday -> Monday
  expect_holiday("2017-01-02");  // New Year on Sunday -> Monday
}

TEST(NyseCalendar, OneOffClosures) {
  for (const auto date : {"2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14", "2004-06-11", "2007-01-02",
                          "2012-10-29", "2012-10-30", "2018-12-05", "2025-01-09"}) {
    expect_holiday(date);
  }
  expect_regular("2001-09-10");
  expect_regular("2001-09-17");
  expect_regular("2012-10-31");
}

TEST(NyseCalendar, EarlyClosesAt1300NewYork) {
  expect_session("2024-07-03", 13, 30, 17, true);  // 13:00 EDT
  expect_session("2024-11-29", 14, 30, 18, true);  // 13:00 EST
  expect_session("2024-12-24", 14, 30, 18, true);
  expect_session("2025-07-03", 13, 30, 17, true);
  expect_early("2025-11-28");
  expect_early("2025-12-24");
  expect_early("2020-12-24");
  expect_early("2019-07-03");
  expect_early("2001-07-03");
  expect_early("2008-07-03");
  expect_early("2000-07-03");
}

TEST(NyseCalendar, HistoricalEarlyCloseExceptions) {
  // July 4 on Thursday: before 2013 the Friday after closed early, from 2013
  // the Wednesday before.
  expect_early("2002-07-05");
  expect_regular("2002-07-03");
  expect_early("2013-07-03");
  expect_regular("2013-07-05");
  // The Friday after Christmas 2003 closed early; in 2008 (same weekdays) it
  // did not.
  expect_early("2003-12-26");
  expect_early("2003-12-24");
  expect_regular("2008-12-26");
  // No early close before an observed holiday that is not July 4 / Christmas
  // itself.
  expect_regular("2015-07-02");  // July 3 was the observed holiday
  expect_regular("2021-07-02");  // July 4 on Sunday, observed Monday
  expect_regular("2021-12-23");  // Christmas Eve was the observed holiday
  expect_regular("2016-12-23");  // Christmas Eve on Saturday
}

TEST(NyseCalendar, NextAndPreviousSessionSkipHolidaysAndWeekends) {
  EXPECT_EQ(calendar().next_session(day("2024-03-28"))->day,
            day("2024-04-01"));  // Good Friday weekend
  EXPECT_EQ(calendar().previous_session(day("2024-04-01"))->day, day("2024-03-28"));
  EXPECT_EQ(calendar().next_session(day("2024-12-31"))->day, day("2025-01-02"));
  EXPECT_EQ(calendar().previous_session(day("2025-01-10"))->day,
            day("2025-01-08"));  // Carter
  EXPECT_EQ(calendar().next_session(day("2001-09-10"))->day, day("2001-09-17"));
  EXPECT_EQ(calendar().previous_session(day("2001-09-17"))->day, day("2001-09-10"));
  EXPECT_EQ(calendar().next_session(day("2024-08-30"))->day,
            day("2024-09-03"));  // Labor Day weekend
  EXPECT_EQ(calendar().next_session(day("2024-03-09"))->day,
            day("2024-03-11"));  // from a Saturday
  EXPECT_EQ(calendar().previous_session(day("2024-03-10"))->day, day("2024-03-08"));
  EXPECT_EQ(calendar().next_session(day("2024-03-11"))->day,
            day("2024-03-12"));  // strictly after
}

TEST(NyseCalendar, NextAndPreviousSessionStopAtTheRangeEdges) {
  EXPECT_FALSE(calendar().next_session(day("2030-12-31")).has_value());
  EXPECT_EQ(calendar().previous_session(day("2030-12-31"))->day, day("2030-12-30"));
  EXPECT_FALSE(calendar().previous_session(day("2000-01-03")).has_value());
  EXPECT_EQ(calendar().next_session(day("2000-01-01"))->day, day("2000-01-03"));
  EXPECT_FALSE(calendar().next_session(day("1999-12-31")).has_value());
  EXPECT_FALSE(calendar().previous_session(day("2031-01-01")).has_value());
}

TEST(NyseCalendar, SessionContainingIsOpenInclusiveCloseExclusive) {
  const Timestamp open = utc("2024-03-11", 13, 30);
  const Timestamp close = utc("2024-03-11", 20, 0);
  EXPECT_EQ(calendar().session_containing(open)->day, day("2024-03-11"));
  EXPECT_EQ(calendar().session_containing(close - 1)->day, day("2024-03-11"));
  EXPECT_FALSE(calendar().session_containing(close).has_value());
  EXPECT_FALSE(calendar().session_containing(open - 1).has_value());
  EXPECT_FALSE(calendar().session_containing(utc("2024-07-03", 17, 0)).has_value());  // early close
  EXPECT_TRUE(calendar().session_containing(utc("2024-07-03", 16, 59)).has_value());
  EXPECT_FALSE(calendar().session_containing(utc("2024-07-04", 15, 0)).has_value());  // holiday
  EXPECT_FALSE(calendar().session_containing(utc("2024-03-09", 15, 0)).has_value());  // Saturday
}

TEST(NyseCalendar, MinutesSinceOpen) {
  EXPECT_DOUBLE_EQ(*calendar().minutes_since_open(utc("2024-03-11", 15, 0)), 90.0);
  EXPECT_DOUBLE_EQ(*calendar().minutes_since_open(utc("2024-03-08", 14, 0)), -30.0);
  EXPECT_DOUBLE_EQ(*calendar().minutes_since_open(utc("2024-03-08", 21, 0)), 390.0);
  EXPECT_DOUBLE_EQ(*calendar().minutes_since_open(utc("2024-03-08", 14, 30, 30)), 0.5);
  EXPECT_FALSE(calendar().minutes_since_open(utc("2024-12-25", 15, 0)).has_value());
  EXPECT_FALSE(calendar().minutes_since_open(utc("2031-01-02", 15, 0)).has_value());
}

TEST(NyseCalendar, NewYorkDayNearMidnight) {
  // Winter (UTC-5).
  EXPECT_EQ(calendar().new_york_day(utc("2024-01-16", 4, 59, 59)), day("2024-01-15"));
  EXPECT_EQ(calendar().new_york_day(utc("2024-01-16", 5, 0)), day("2024-01-16"));
  // Summer (UTC-4).
  EXPECT_EQ(calendar().new_york_day(utc("2024-07-16", 3, 59, 59)), day("2024-07-15"));
  EXPECT_EQ(calendar().new_york_day(utc("2024-07-16", 4, 0)), day("2024-07-16"));
  // Midnights on each side of the switches.
  EXPECT_EQ(calendar().new_york_day(utc("2024-03-10", 4, 59, 59)), day("2024-03-09"));
  EXPECT_EQ(calendar().new_york_day(utc("2024-03-10", 5, 0)), day("2024-03-10"));
  EXPECT_EQ(calendar().new_york_day(utc("2024-03-11", 3, 59, 59)), day("2024-03-10"));
  EXPECT_EQ(calendar().new_york_day(utc("2024-03-11", 4, 0)), day("2024-03-11"));
  EXPECT_EQ(calendar().new_york_day(utc("2024-11-04", 4, 59, 59)), day("2024-11-03"));
  EXPECT_EQ(calendar().new_york_day(utc("2024-11-04", 5, 0)), day("2024-11-04"));
  // Range edges and outside the table (answered by the tz database).
  EXPECT_EQ(calendar().new_york_day(utc("2000-01-01", 4, 59, 59)), day("1999-12-31"));
  EXPECT_EQ(calendar().new_york_day(utc("2000-01-01", 5, 0)), day("2000-01-01"));
  EXPECT_EQ(calendar().new_york_day(utc("2031-01-01", 4, 59, 59)), day("2030-12-31"));
  EXPECT_EQ(calendar().new_york_day(utc("2031-01-01", 5, 0)), day("2031-01-01"));
  EXPECT_EQ(calendar().new_york_day(utc("1990-07-01", 3, 0)), day("1990-06-30"));
  EXPECT_EQ(calendar().new_york_day(utc("2036-07-01", 4, 0)), day("2036-07-01"));
}

TEST(NyseCalendar, NewYorkDayMatchesTheTimeZoneEveryHour) {
  TimeZone new_york = TimeZone::new_york();
  for (Timestamp ts = utc("2000-01-01", 0, 0); ts < utc("2031-01-02", 0, 0); ts += kNanosPerHour) {
    ASSERT_EQ(calendar().new_york_day(ts), day_of(new_york.to_local(ts))) << format_utc(ts);
  }
}

TEST(NyseCalendar, TradingDaysPerYear) {
  const auto count = [](int year) {
    return calendar().sessions_between(days_from_civil(year, 1, 1), days_from_civil(year, 12, 31)).size();
  };
  EXPECT_EQ(count(2024), 252u);
  EXPECT_EQ(count(2023), 250u);
  EXPECT_EQ(count(2025), 250u);
  EXPECT_EQ(count(2022), 251u);
  EXPECT_EQ(count(2012), 250u);  // Sandy
  EXPECT_EQ(count(2001), 248u);  // September 11
}

TEST(NyseCalendar, SessionsBetweenIsInclusiveAndClampedToTheRange) {
  auto week = calendar().sessions_between(day("2024-03-25"), day("2024-04-01"));
  ASSERT_EQ(week.size(), 5u);  // Mon..Thu and the Monday after Good Friday
  EXPECT_EQ(week.front().day, day("2024-03-25"));
  EXPECT_EQ(week.back().day, day("2024-04-01"));
  EXPECT_TRUE(calendar().sessions_between(day("2024-03-29"), day("2024-03-31")).empty());
  EXPECT_TRUE(calendar().sessions_between(day("2024-04-02"), day("2024-04-01")).empty());
  auto start = calendar().sessions_between(day("1999-06-01"), day("2000-01-05"));
  ASSERT_EQ(start.size(), 3u);
  EXPECT_EQ(start.front().day, day("2000-01-03"));
  auto end = calendar().sessions_between(day("2030-12-30"), day("2031-03-01"));
  ASSERT_EQ(end.size(), 2u);
  EXPECT_EQ(end.back().day, day("2030-12-31"));
  EXPECT_TRUE(calendar().sessions_between(day("2031-01-01"), day("2031-12-31")).empty());
  EXPECT_TRUE(calendar().sessions_between(day("1990-01-01"), day("1999-12-31")).empty());
}

TEST(NyseCalendar, OutsideTheRangeNothingTrades) {
  EXPECT_TRUE(calendar().covers(day("2000-01-01")));
  EXPECT_TRUE(calendar().covers(day("2030-12-31")));
  for (const auto date : {"1999-12-31", "2031-01-02", "1970-01-01"}) {
    SCOPED_TRACE(date);
    EXPECT_FALSE(calendar().covers(day(date)));
    EXPECT_FALSE(calendar().is_trading_day(day(date)));
    EXPECT_FALSE(calendar().is_holiday(day(date)));
    EXPECT_FALSE(calendar().session(day(date)).has_value());
  }
  EXPECT_FALSE(calendar().session_containing(utc("1999-12-31", 15, 0)).has_value());
}

TEST(NyseCalendar, TablesAreConsistentOverTheWholeRange) {
  const DayNumber first = days_from_civil(NyseCalendar::kFirstYear, 1, 1);
  const DayNumber last = days_from_civil(NyseCalendar::kLastYear, 12, 31);
  const auto all = calendar().sessions_between(first, last);
  std::size_t trading_days = 0;
  std::optional<Session> previous;
  for (DayNumber d = first; d <= last; ++d) {
    const bool trading = calendar().is_trading_day(d);
    const int wd = weekday(d);
    if (wd == 0 || wd == 6) {
      ASSERT_FALSE(trading) << format_date(d);
    } else {
      ASSERT_NE(trading, calendar().is_holiday(d)) << format_date(d);
    }
    if (trading) {
      const Session s = *calendar().session(d);
      ASSERT_EQ(all[trading_days].day, d);
      ASSERT_LT(s.open, s.close);
      ASSERT_EQ(calendar().new_york_day(s.open), d);
      ASSERT_EQ(calendar().session_containing(s.open)->day, d);
      if (previous) {
        ASSERT_EQ(calendar().next_session(previous->day)->day, d);
        ASSERT_EQ(calendar().previous_session(d)->day, previous->day);
      }
      previous = s;
      ++trading_days;
    }
  }
  EXPECT_EQ(all.size(), trading_days);
}

TEST(NyseCalendar, InstanceIsASingleton) { EXPECT_EQ(&NyseCalendar::instance(), &NyseCalendar::instance()); }

}  // namespace
}  // namespace itrade::core
