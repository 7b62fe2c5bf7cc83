#include <gtest/gtest.h>

#include "core/nyse_calendar.h"
#include "data/normalizer.h"

namespace itrade::data {
namespace {

using core::kNanosPerMinute;
using core::Timestamp;

constexpr std::int64_t kFive = 5 * kNanosPerMinute;

// 2024-07-10 (a Wednesday, EDT): the session opens 13:30Z and closes 20:00Z.
const Timestamp kOpen =
    core::start_of_day(core::days_from_civil(2024, 7, 10)) + 13 * core::kNanosPerHour + 30 * kNanosPerMinute;

struct CsvBuilder {
  ParsedCsv csv;
  explicit CsvBuilder(std::string file = "bars.csv") {
    csv.file = std::move(file);
    csv.tickers = {"AAPL"};
    csv.has_volume = true;
  }
  CsvBuilder& row(Timestamp ts, double o, double h, double l, double c, double v = 100.0) {
    csv.ts.push_back(ts);
    csv.open.push_back(o);
    csv.high.push_back(h);
    csv.low.push_back(l);
    csv.close.push_back(c);
    csv.volume.push_back(v);
    csv.line.push_back(static_cast<std::uint32_t>(csv.ts.size() + 1));  // line 1 is the header
    csv.ticker_index.push_back(0);
    return *this;
  }
  CsvBuilder& flat(Timestamp ts, double price = 10.0) { return row(ts, price, price, price, price); }
};

NormalizeOptions five_minutes() {
  NormalizeOptions options;
  options.interval = core::Interval{kFive};
  return options;
}

NormalizedBars normalize_one(const ParsedCsv& csv, const NormalizeOptions& options = five_minutes()) {
  auto result = normalize_ticker("AAPL", {&csv}, options);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? std::move(*result) : NormalizedBars{};
}

TEST(Normalizer, FullCleanSessionHasNoFindings) {
  CsvBuilder b;
  for (int i = 0; i < 78; ++i) b.flat(kOpen + i * kFive, 10.0 + i * 0.01);
  const auto out = normalize_one(b.csv);
  EXPECT_EQ(out.bars.size(), 78u);
  EXPECT_EQ(out.report.sessions_covered, 1u);
  EXPECT_EQ(out.report.sessions_with_data, 1u);
  EXPECT_EQ(out.report.expected_session_bars, 78u);
  EXPECT_EQ(out.report.missing_session_bars, 0u);
  EXPECT_EQ(out.report.error_count(), 0u);
  EXPECT_EQ(out.report.warning_count(), 0u);
  EXPECT_EQ(out.report.first_bar, kOpen);
  EXPECT_EQ(out.report.last_bar, kOpen + 77 * kFive);
}

TEST(Normalizer, EndLabelledRowsShiftBackOneInterval) {
  CsvBuilder b;
  b.flat(kOpen + kFive).flat(kOpen + 2 * kFive);
  auto options = five_minutes();
  options.bar_label = BarLabel::end;
  const auto out = normalize_one(b.csv, options);
  ASSERT_EQ(out.bars.size(), 2u);
  EXPECT_EQ(out.bars.ts[0], kOpen);
  EXPECT_EQ(out.bars.ts[1], kOpen + kFive);
  EXPECT_EQ(out.report.misaligned_bars, 0u);
}

TEST(Normalizer, SortsOutOfOrderRowsAndCountsThem) {
  CsvBuilder b;
  b.flat(kOpen + kFive, 11).flat(kOpen, 10).flat(kOpen + 2 * kFive, 12);
  const auto out = normalize_one(b.csv);
  EXPECT_EQ(out.report.out_of_order, 1u);
  ASSERT_EQ(out.bars.size(), 3u);
  EXPECT_EQ(out.bars.close[0], 10);
  EXPECT_EQ(out.bars.close[1], 11);
  EXPECT_EQ(out.bars.close[2], 12);
  ASSERT_FALSE(out.report.examples.empty());
  EXPECT_EQ(out.report.examples[0].line, 3u);
  EXPECT_NE(out.report.examples[0].message.find("bars.csv:3:"), std::string::npos);
}

TEST(Normalizer, DuplicatesKeepTheLastRowAndConflictsAreErrors) {
  CsvBuilder b;
  b.flat(kOpen, 10).flat(kOpen, 10).flat(kOpen + kFive, 10).flat(kOpen + kFive, 10.5);
  const auto out = normalize_one(b.csv);
  EXPECT_EQ(out.report.duplicates, 2u);
  EXPECT_EQ(out.report.conflicting_duplicates, 1u);
  ASSERT_EQ(out.bars.size(), 2u);
  EXPECT_EQ(out.bars.close[1], 10.5);  // the row read last wins
  EXPECT_EQ(out.report.error_count(), 1u);
}

TEST(Normalizer, LaterFileWinsOnEqualTimestamps) {
  CsvBuilder first("a.csv"), second("b.csv");
  first.flat(kOpen, 10);
  second.flat(kOpen, 20);
  auto out = normalize_ticker("AAPL", {&first.csv, &second.csv}, five_minutes());
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->bars.size(), 1u);
  EXPECT_EQ(out->bars.close[0], 20);
  EXPECT_EQ(out->report.files, (std::vector<std::string>{"a.csv", "b.csv"}));
}

TEST(Normalizer, OhlcViolationFailsUnderErrorPolicyNamingTheLine) {
  CsvBuilder b;
  b.flat(kOpen).row(kOpen + kFive, 12.0, 11.0, 9.0, 10.0);  // open above high
  const auto out = normalize_ticker("AAPL", {&b.csv}, five_minutes());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, core::ErrorKind::input);
  EXPECT_NE(out.error().message.find("bars.csv:3:"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("--on-bad-row=skip"), std::string::npos);
}

TEST(Normalizer, OhlcViolationIsDroppedUnderSkipPolicy) {
  CsvBuilder b;
  b.flat(kOpen).row(kOpen + kFive, 10.0, 11.0, 9.0, 8.5);  // close below low
  auto options = five_minutes();
  options.on_bad_row = BadRowPolicy::skip;
  const auto out = normalize_one(b.csv, options);
  EXPECT_EQ(out.bars.size(), 1u);
  EXPECT_EQ(out.report.ohlc_violations, 1u);
  EXPECT_EQ(out.report.ohlc_dropped, 1u);
  EXPECT_EQ(out.report.error_count(), 1u);
}

TEST(Normalizer, OhlcViolationIsWidenedWhenRepairing) {
  CsvBuilder b;
  b.row(kOpen, 12.0, 11.0, 9.0, 8.5);
  auto options = five_minutes();
  options.repair_ohlc = true;
  const auto out = normalize_one(b.csv, options);
  ASSERT_EQ(out.bars.size(), 1u);
  EXPECT_EQ(out.bars.high[0], 12.0);
  EXPECT_EQ(out.bars.low[0], 8.5);
  EXPECT_EQ(out.report.ohlc_repaired, 1u);
  EXPECT_EQ(out.report.error_count(), 0u);
  EXPECT_EQ(out.report.warning_count(), 1u + out.report.missing_session_bars);
}

TEST(Normalizer, ClassifiesBarsAgainstTheCalendar) {
  const Timestamp saturday = core::start_of_day(core::days_from_civil(2024, 7, 13)) + 14 * core::kNanosPerHour;
  const Timestamp july4 = core::start_of_day(core::days_from_civil(2024, 7, 4)) + 14 * core::kNanosPerHour;
  const Timestamp premarket = kOpen - 60 * kNanosPerMinute;  // 08:30 New York
  CsvBuilder b;
  b.flat(july4).flat(saturday).flat(premarket).flat(kOpen).flat(kOpen + 2 * kNanosPerMinute);
  const auto out = normalize_one(b.csv);
  EXPECT_EQ(out.report.non_trading_day_bars, 2u);
  EXPECT_EQ(out.report.extended_hours_bars, 1u);
  EXPECT_EQ(out.report.misaligned_bars, 1u);  // 09:32
  EXPECT_EQ(out.report.error_count(), 3u);
}

TEST(Normalizer, SessionOpenFollowsDaylightSavingTime) {
  // 2024-01-10 (EST) opens at 14:30Z; a bar at 13:30Z that day is pre-market.
  const Timestamp winter = core::start_of_day(core::days_from_civil(2024, 1, 10));
  CsvBuilder b;
  b.flat(winter + 13 * core::kNanosPerHour + 30 * kNanosPerMinute)
      .flat(winter + 14 * core::kNanosPerHour + 30 * kNanosPerMinute);
  const auto out = normalize_one(b.csv);
  EXPECT_EQ(out.report.extended_hours_bars, 1u);
  EXPECT_EQ(out.report.sessions_with_data, 1u);
  EXPECT_EQ(out.report.missing_session_bars, 77u);
}

TEST(Normalizer, CountsMissingBarsAndEmptySessions) {
  // Wed 2024-07-10 with two bars missing, nothing on Thu 07-11, one bar on Fri 07-12.
  CsvBuilder b;
  for (int i = 0; i < 78; ++i) {
    if (i != 10 && i != 11) b.flat(kOpen + i * kFive);
  }
  b.flat(kOpen + 2 * core::kNanosPerDay);
  const auto out = normalize_one(b.csv);
  EXPECT_EQ(out.report.sessions_covered, 3u);
  EXPECT_EQ(out.report.sessions_with_data, 2u);
  ASSERT_EQ(out.report.sessions_without_data.size(), 1u);
  EXPECT_EQ(out.report.sessions_without_data[0], core::days_from_civil(2024, 7, 11));
  EXPECT_EQ(out.report.missing_session_bars, 2u + 77u);
  ASSERT_EQ(out.report.sessions_missing_bars.size(), 2u);
  EXPECT_EQ(out.report.sessions_missing_bars[0].missing, 2u);
}

TEST(Normalizer, EarlyCloseExpectsFortyTwoBars) {
  const Timestamp open = core::NyseCalendar::instance().session(core::days_from_civil(2024, 7, 3))->open;
  CsvBuilder b;
  for (int i = 0; i < 42; ++i) b.flat(open + i * kFive);
  b.flat(open + 42 * kFive);  // 13:00, after the early close: extended hours
  const auto out = normalize_one(b.csv);
  EXPECT_EQ(out.report.expected_session_bars, 42u);
  EXPECT_EQ(out.report.missing_session_bars, 0u);
  EXPECT_EQ(out.report.extended_hours_bars, 1u);
}

TEST(Normalizer, RegularSessionOnlyDropsOtherBarsAndCountsThem) {
  CsvBuilder b;
  b.flat(kOpen - kFive).flat(kOpen).flat(kOpen + 78 * kFive);
  auto options = five_minutes();
  options.regular_session_only = true;
  const auto out = normalize_one(b.csv, options);
  ASSERT_EQ(out.bars.size(), 1u);
  EXPECT_EQ(out.bars.ts[0], kOpen);
  EXPECT_EQ(out.report.dropped_outside_session, 2u);
  EXPECT_EQ(keep_regular_session(normalize_one(b.csv).bars).size(), 1u);
}

TEST(Normalizer, CountsZeroVolumeBars) {
  CsvBuilder b;
  b.row(kOpen, 10, 10, 10, 10, 0.0).row(kOpen + kFive, 10, 10, 10, 10, 5.0);
  const auto out = normalize_one(b.csv);
  EXPECT_EQ(out.report.zero_volume_bars, 1u);
}

TEST(Resample, OneMinuteToFiveMinutesAlignsToTheSessionOpen) {
  core::BarSeries bars;
  bars.ticker = "AAPL";
  for (int i = 0; i < 10; ++i) {
    const double p = 100.0 + i;
    bars.push_back(kOpen + i * kNanosPerMinute, p, p + 0.5, p - 0.5, p + 0.25, 10.0 * (i + 1));
  }
  auto out = resample(bars, core::Interval{kNanosPerMinute}, core::Interval{kFive});
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ(out->ts[0], kOpen);
  EXPECT_EQ(out->ts[1], kOpen + kFive);
  EXPECT_EQ(out->open[0], 100.0);
  EXPECT_EQ(out->high[0], 104.5);
  EXPECT_EQ(out->low[0], 99.5);
  EXPECT_EQ(out->close[0], 104.25);
  EXPECT_EQ(out->volume[0], 10.0 + 20 + 30 + 40 + 50);
  EXPECT_EQ(out->open[1], 105.0);
}

TEST(Resample, HourBucketsStartAtTheOpenAndNeverMixExtendedHours) {
  core::BarSeries bars;
  bars.push_back(kOpen - kFive, 1, 1, 1, 1, 1);  // 09:25 New York, pre-market
  bars.push_back(kOpen, 2, 2, 2, 2, 1);
  bars.push_back(kOpen + 55 * kNanosPerMinute, 3, 3, 3, 3, core::kVolumeAbsent);
  bars.push_back(kOpen + 60 * kNanosPerMinute, 4, 4, 4, 4, 1);
  auto out = resample(bars, core::Interval{kFive}, core::Interval{core::kNanosPerHour});
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ(out->ts[0], kOpen - 30 * kNanosPerMinute);  // 09:00 bucket of the wall clock
  EXPECT_EQ(out->ts[1], kOpen);
  EXPECT_EQ(out->close[1], 3);
  EXPECT_EQ(out->volume[1], core::kVolumeAbsent);
  EXPECT_EQ(out->ts[2], kOpen + core::kNanosPerHour);
}

TEST(Resample, RejectsATargetThatIsNotAMultiple) {
  core::BarSeries bars;
  EXPECT_FALSE(resample(bars, core::Interval{kFive}, core::Interval{2 * kNanosPerMinute}).ok());
  EXPECT_FALSE(resample(bars, core::Interval{kFive}, core::Interval{7 * kNanosPerMinute}).ok());
}

}  // namespace
}  // namespace itrade::data
