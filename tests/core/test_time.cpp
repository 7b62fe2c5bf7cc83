#include <gtest/gtest.h>

#include "core/interval.h"
#include "core/time.h"

namespace itrade::core {
namespace {

TEST(Time, ParseDateAcceptsIsoDates) {
  EXPECT_EQ(*parse_date("1970-01-01"), 0);
  EXPECT_EQ(*parse_date("2024-03-10"), days_from_civil(2024, 3, 10));
  EXPECT_EQ(*parse_date("2024-02-29"), days_from_civil(2024, 2, 29));  // leap year
  EXPECT_EQ(*parse_date("2000-02-29"), days_from_civil(2000, 2, 29));  // divisible by 400
  EXPECT_EQ(*parse_date("1969-12-31"), -1);
}

TEST(Time, ParseDateRejectsOtherText) {
  for (const auto text : {"2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-00",
                          "2024-1-01", "2024/01/01", "20240101", "", "2024-01-01T00", "abcd-ef-gh", "2024-01-+1"}) {
    SCOPED_TRACE(text);
    const auto parsed = parse_date(text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().kind, ErrorKind::input);
  }
}

TEST(Time, FormatDateAndUtc) {
  EXPECT_EQ(format_date(0), "1970-01-01");
  EXPECT_EQ(format_date(days_from_civil(2024, 2, 29)), "2024-02-29");
  EXPECT_EQ(format_date(-1), "1969-12-31");
  EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00Z");
  const Timestamp ts = start_of_day(days_from_civil(2024, 3, 8)) + 14 * kNanosPerHour + 30 * kNanosPerMinute;
  EXPECT_EQ(format_utc(ts), "2024-03-08T14:30:00Z");
  EXPECT_EQ(format_utc(ts + 250'000'000), "2024-03-08T14:30:00.250000000Z");
  EXPECT_EQ(format_utc(-kNanosPerSecond), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_wall_clock(ts), "2024-03-08 14:30:00");
}

TEST(Time, ParseUtcReadsWhatFormatUtcWrites) {
  const Timestamp ts = start_of_day(days_from_civil(2024, 3, 8)) + 14 * kNanosPerHour + 30 * kNanosPerMinute;
  for (const Timestamp t : {Timestamp{0}, ts, ts + 250'000'000, ts + 1, -kNanosPerSecond}) {
    auto parsed = parse_utc(format_utc(t));
    ASSERT_TRUE(parsed.ok()) << format_utc(t);
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_EQ(*parse_utc("2024-03-08T14:30:00.5Z"), ts + 500'000'000);
  for (const char* bad : {"2024-03-08 14:30:00Z", "2024-03-08T14:30:00", "2024-03-08T14:30:00+01:00",
                          "2024-03-08T24:00:00Z", "2024-03-08T-1:30:00Z", "2024-02-30T14:30:00Z",
                          "2024-03-08T14:30:00.Z", "2024-03-08T14:30:00.1234567890Z", "2024-03-08T14:30:00.1xZ", ""}) {
    auto parsed = parse_utc(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message.find("not a UTC time"), std::string::npos) << parsed.error().message;
  }
}

TEST(Time, CivilConversionsRoundTrip) {
  for (DayNumber d = days_from_civil(1899, 12, 1); d <= days_from_civil(2101, 1, 31); ++d) {
    const CivilDate c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
    ASSERT_EQ(*parse_date(format_date(d)), d);
  }
  EXPECT_EQ(civil_from_days(days_from_civil(2024, 12, 31) + 1), (CivilDate{2025, 1, 1}));
}

TEST(Time, Weekday) {
  EXPECT_EQ(weekday(0), 4);                             // 1970-01-01 was a Thursday
  EXPECT_EQ(weekday(-1), 3);                            // Wednesday
  EXPECT_EQ(weekday(-4), 0);                            // Sunday 1969-12-28
  EXPECT_EQ(weekday(-5), 6);                            // Saturday
  EXPECT_EQ(weekday(days_from_civil(2024, 3, 10)), 0);  // Sunday
  EXPECT_EQ(weekday(days_from_civil(2000, 1, 1)), 6);   // Saturday
  EXPECT_EQ(weekday(days_from_civil(1900, 1, 1)), 1);   // Monday
}

TEST(Time, DayOfFloorsNegativeInstants) {
  EXPECT_EQ(day_of(0), 0);
  EXPECT_EQ(day_of(-1), -1);
  EXPECT_EQ(day_of(kNanosPerDay - 1), 0);
  EXPECT_EQ(day_of(-kNanosPerDay), -1);
}

TEST(TimeZone, UnknownNameIsAnInputError) {
  const auto zone = TimeZone::find("Mars/Olympus_Mons");
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().kind, ErrorKind::input);
  EXPECT_NE(zone.error().message.find("Mars/Olympus_Mons"), std::string::npos);
  EXPECT_TRUE(TimeZone::find("UTC")->is_utc());
  EXPECT_EQ(TimeZone::find("America/New_York")->name(), "America/New_York");
}

TEST(TimeZone, UtcOffsetSummerAndWinter) {
  TimeZone ny = TimeZone::new_york();
  const Timestamp winter = start_of_day(days_from_civil(2024, 1, 15)) + 12 * kNanosPerHour;
  const Timestamp summer = start_of_day(days_from_civil(2024, 7, 15)) + 12 * kNanosPerHour;
  EXPECT_EQ(ny.utc_offset(winter), -5 * kNanosPerHour);
  EXPECT_EQ(ny.utc_offset(summer), -4 * kNanosPerHour);
  EXPECT_EQ(ny.utc_offset(winter), -5 * kNanosPerHour);  // after the cache moved
  // The switch instant itself: 2024-03-10 07:00Z is 03:00 EDT.
  const Timestamp spring = start_of_day(days_from_civil(2024, 3, 10)) + 7 * kNanosPerHour;
  EXPECT_EQ(ny.utc_offset(spring - 1), -5 * kNanosPerHour);
  EXPECT_EQ(ny.utc_offset(spring), -4 * kNanosPerHour);
  EXPECT_EQ(TimeZone::utc().utc_offset(summer), 0);
}

TEST(TimeZone, ToUtcRoundTripsAndHandlesTheSwitches) {
  TimeZone ny = TimeZone::new_york();
  const std::int64_t local = start_of_day(days_from_civil(2024, 3, 8)) + 9 * kNanosPerHour + 30 * kNanosPerMinute;
  EXPECT_EQ(format_utc(*ny.to_utc(local)), "2024-03-08T14:30:00Z");
  EXPECT_EQ(ny.to_local(*ny.to_utc(local)), local);

  // Spring forward: 02:30 on 2024-03-10 does not exist.
  const std::int64_t gap = start_of_day(days_from_civil(2024, 3, 10)) + 2 * kNanosPerHour + 30 * kNanosPerMinute;
  const auto skipped = ny.to_utc(gap);
  ASSERT_FALSE(skipped.ok());
  EXPECT_EQ(skipped.error().kind, ErrorKind::input);

  // Fall back: 01:30 on 2024-11-03 happens twice.
  const std::int64_t overlap = start_of_day(days_from_civil(2024, 11, 3)) + kNanosPerHour + 30 * kNanosPerMinute;
  EXPECT_EQ(format_utc(*ny.to_utc(overlap, TimeZone::Ambiguity::earliest)), "2024-11-03T05:30:00Z");
  EXPECT_EQ(format_utc(*ny.to_utc(overlap, TimeZone::Ambiguity::latest)), "2024-11-03T06:30:00Z");
  EXPECT_EQ(format_utc(*ny.to_utc(overlap)), "2024-11-03T05:30:00Z");

  // A long run of conversions through both switches agrees with to_local
  // (exercises the cache).
  for (std::int64_t t = start_of_day(days_from_civil(2024, 3, 9)); t < start_of_day(days_from_civil(2024, 11, 5));
       t += 7 * kNanosPerMinute) {
    const auto u = ny.to_utc(t);
    if (u.ok()) {
      ASSERT_EQ(ny.to_local(*u), t) << format_wall_clock(t);
    }
  }
}

TEST(Interval, ParseAcceptsDivisorsOfAnHour) {
  EXPECT_EQ(Interval::parse("1m")->minutes(), 1);
  EXPECT_EQ(Interval::parse("5m")->minutes(), 5);
  EXPECT_EQ(Interval::parse("15min")->minutes(), 15);
  EXPECT_EQ(Interval::parse("30m")->minutes(), 30);
  EXPECT_EQ(Interval::parse("60m")->minutes(), 60);
  EXPECT_EQ(Interval::parse("1h")->minutes(), 60);
  EXPECT_EQ(Interval::parse("4h")->minutes(), 240);
  EXPECT_EQ(Interval::parse("5m")->name(), "5m");
  EXPECT_EQ(Interval::parse("2h")->name(), "2h");
}

TEST(Interval, ParseRejectsOtherText) {
  for (const auto text : {"", "m", "0m", "-5m", "7m", "5", "5s", "5 m", "5M", "5h", "0h", "1d", "1.5h", "m5"}) {
    SCOPED_TRACE(text);
    const auto parsed = Interval::parse(text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().kind, ErrorKind::input);
  }
}

}  // namespace
}  // namespace itrade::core
