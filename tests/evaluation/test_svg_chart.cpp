// The SVG chart primitives against pixel positions, bin counts and colours worked out by hand in
// the comments (docs/report.md, "Charts").

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"
#include "evaluation/svg_chart.h"

namespace itrade::evaluation {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

core::Timestamp utc(int year, int month, int day, int hour, int minute = 0) {
  return core::start_of_day(core::days_from_civil(year, month, day)) + hour * core::kNanosPerHour +
         minute * core::kNanosPerMinute;
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// Every geometry attribute (name="value") of an SVG text, scanned by hand (std::regex trips GCC 12's
// -Wmaybe-uninitialized at -O2).
std::vector<std::pair<std::string, std::string>> geometry_attributes(const std::string& svg) {
  static const std::vector<std::string> kNames = {"x",       "y",      "x1",        "x2",    "y1",     "y2",
                                                  "cx",      "cy",     "r",         "width", "height", "d",
                                                  "viewBox", "points", "transform", "offset"};
  std::vector<std::pair<std::string, std::string>> found;
  for (std::size_t i = 0; i < svg.size(); ++i) {
    if (svg[i] != ' ') continue;
    std::size_t end = i + 1;
    while (end < svg.size() && (std::isalnum(static_cast<unsigned char>(svg[end])) || svg[end] == '-')) ++end;
    if (end + 1 >= svg.size() || svg[end] != '=' || svg[end + 1] != '"') continue;
    const std::string name = svg.substr(i + 1, end - i - 1);
    const std::size_t close = svg.find('"', end + 2);
    if (close == std::string::npos) break;
    if (std::find(kNames.begin(), kNames.end(), name) != kNames.end()) {
      found.emplace_back(name, svg.substr(end + 2, close - end - 2));
    }
    i = close;
  }
  return found;
}

void expect_finite_coordinates(const std::string& svg) {
  const auto attributes = geometry_attributes(svg);
  EXPECT_FALSE(attributes.empty());
  for (const auto& [name, value] : attributes) {
    std::string lower = value;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(lower.find("nan"), std::string::npos) << name << "=" << value;
    EXPECT_EQ(lower.find("inf"), std::string::npos) << name << "=" << value;
  }
}

// The text of the first element opened by `open` up to the next `close`.
std::string between(const std::string& text, const std::string& open, const std::string& close) {
  const std::size_t from = text.find(open);
  if (from == std::string::npos) return {};
  const std::size_t to = text.find(close, from + open.size());
  return text.substr(from + open.size(), to == std::string::npos ? std::string::npos : to - from - open.size());
}

ChartFrame small_frame(const std::string& id) {
  ChartFrame frame;
  frame.id = id;
  frame.title = "a test chart";
  frame.width = 500.0;
  frame.height = 300.0;
  // Default margins: plot area x 80..476, y 16..268.
  return frame;
}

// ---- Text helpers ----

TEST(SvgText, EscapeXmlReplacesTheFiveSpecialCharacters) {
  EXPECT_EQ(escape_xml("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(escape_xml("plain AAPL"), "plain AAPL");
  EXPECT_EQ(escape_xml(""), "");
}

TEST(SvgText, FormatNumberGroupsThousandsAndNamesNonFiniteValues) {
  EXPECT_EQ(format_number(-12345.678, 2), "-12,345.68");
  EXPECT_EQ(format_number(1234567.0, 0), "1,234,567");
  EXPECT_EQ(format_number(999.999, 2), "1,000.00");
  EXPECT_EQ(format_number(12.5, 1), "12.5");
  EXPECT_EQ(format_number(-0.001, 2), "0.00");  // no "-0.00"
  EXPECT_EQ(format_number(kNaN, 2), "n/a");
  EXPECT_EQ(format_number(kInf, 2), "+inf");
  EXPECT_EQ(format_number(-kInf, 2), "-inf");
}

TEST(SvgText, FormatPercentShowsFractionsTimesHundred) {
  EXPECT_EQ(format_percent(0.1234, 2), "12.34%");
  EXPECT_EQ(format_percent(-0.05, 1), "-5.0%");
  EXPECT_EQ(format_percent(2.5, 0), "250%");
  EXPECT_EQ(format_percent(kNaN, 1), "n/a");
  EXPECT_EQ(format_percent(kInf, 1), "+inf");
  EXPECT_EQ(format_percent(-kInf, 1), "-inf");
}

// ---- Geometry ----

TEST(SvgGeometry, PlotAreaIsTheFrameLessItsMargins) {
  const PlotArea area = plot_area(small_frame("x"));
  EXPECT_DOUBLE_EQ(area.left, 80.0);
  EXPECT_DOUBLE_EQ(area.right, 476.0);
  EXPECT_DOUBLE_EQ(area.top, 16.0);
  EXPECT_DOUBLE_EQ(area.bottom, 268.0);
}

TEST(SvgGeometry, ValueRangeIgnoresNonFiniteAndWidensASingleValue) {
  auto range = value_range({3.0, kNaN, -2.0, kInf, 7.0});
  ASSERT_TRUE(range);
  EXPECT_DOUBLE_EQ(range->first, -2.0);
  EXPECT_DOUBLE_EQ(range->second, 7.0);
  range = value_range({5.0, 5.0});
  ASSERT_TRUE(range);
  EXPECT_DOUBLE_EQ(range->first, 4.5);
  EXPECT_DOUBLE_EQ(range->second, 5.5);
  range = value_range({0.0});
  ASSERT_TRUE(range);
  EXPECT_DOUBLE_EQ(range->first, -1.0);
  EXPECT_DOUBLE_EQ(range->second, 1.0);
  EXPECT_FALSE(value_range({kNaN, kInf}));
  EXPECT_FALSE(value_range({}));
}

TEST(SvgGeometry, NiceTicksUseOneTwoFiveSteps) {
  // (1 - 0) / 5 = 0.2: step 0.2, both ends on a step.
  const std::vector<double> tenths = nice_ticks(0.0, 1.0, 5);
  const std::vector<double> expected = {0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
  ASSERT_EQ(tenths.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(tenths[i], expected[i], 1e-12);
  // (97 - 3) / 4 = 23.5 rounds up to 50, which leaves only the tick 50; the next smaller step, 20, gives 4.
  EXPECT_EQ(nice_ticks(3.0, 97.0, 4), (std::vector<double>{20.0, 40.0, 60.0, 80.0}));
  // Negative ranges and an exact zero.
  EXPECT_EQ(nice_ticks(-0.1, 0.0, 2), (std::vector<double>{-0.1, -0.05, 0.0}));
  EXPECT_TRUE(nice_ticks(1.0, 1.0, 5).empty());
  EXPECT_TRUE(nice_ticks(kNaN, 1.0, 5).empty());
}

TEST(SvgGeometry, DownsampleKeepsFirstLowestHighestAndLastOfEachColumn) {
  // Column 0: values 5, 1, 9 -> first 0, lowest 1, highest 2 (also last). Column 1: 3, 3 -> first 3
  // (also lowest and highest: ties keep the first), last 4. Column 2: one point.
  EXPECT_EQ(downsample_min_max({0.1, 0.5, 0.9, 1.2, 1.3, 2.5}, {5, 1, 9, 3, 3, 4}),
            (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
  // 1000 points in one column: only 4 survive, in their original order.
  std::vector<double> x(1000, 10.5);
  std::vector<double> v(1000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<double>(i));  // max near 33, min near 344
  std::size_t argmin = 0;
  std::size_t argmax = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] < v[argmin]) argmin = i;
    if (v[i] > v[argmax]) argmax = i;
  }
  std::vector<std::size_t> expected = {0, argmin, argmax, 999};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(downsample_min_max(x, v), expected);
  // A NaN is kept and ends the run.
  EXPECT_EQ(downsample_min_max({0.0, 0.1, 0.2, 0.3, 0.4}, {1, 2, kNaN, 3, 4}),
            (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  // 20,000 points over 100 columns: at most 4 per column.
  std::vector<double> wide_x(20000);
  std::vector<double> wide_v(20000);
  for (std::size_t i = 0; i < wide_x.size(); ++i) {
    wide_x[i] = static_cast<double>(i) / 200.0;
    wide_v[i] = std::cos(static_cast<double>(i) * 0.37);
  }
  EXPECT_LE(downsample_min_max(wide_x, wide_v).size(), 400u);
}

// ---- Line chart ----

TEST(SvgLineChart, HighestValueIsAtTheTopAndKnownPointsLandOnComputedPixels) {
  LineChart chart;
  chart.frame = small_frame("line");
  const core::Timestamp t0 = utc(2024, 3, 4, 15, 0);
  chart.series.push_back(LineSeries{
      "equity", "#123456", {t0, t0 + core::kNanosPerHour, t0 + 2 * core::kNanosPerHour}, {10.0, 20.0, 15.0}});
  const std::string svg = line_chart(chart);
  // x: 80 + (t - t0) / 2h x 396 -> 80, 278, 476. y: 268 - (v - 10) / 10 x 252 -> 268, 16 (the top), 142.
  const std::string d = between(between(svg, "<g class=\"series\">", "</g>"), "<path d=\"", "\"");
  EXPECT_EQ(d, "M80.0,268.0L278.0,16.0L476.0,142.0");
  EXPECT_NE(svg.find("stroke=\"#123456\""), std::string::npos);
  EXPECT_NE(svg.find("<svg id=\"line\""), std::string::npos);
  EXPECT_NE(svg.find("<title id=\"line-title\">a test chart</title>"), std::string::npos);
  EXPECT_EQ(svg.find("no data"), std::string::npos);
  EXPECT_EQ(svg.find("class=\"legend\""), std::string::npos);  // one series: no legend
  expect_finite_coordinates(svg);
}

TEST(SvgLineChart, TwoSeriesShareTheScaleAndGetALegend) {
  LineChart chart;
  chart.frame = small_frame("two");
  const core::Timestamp t0 = utc(2024, 3, 4, 15, 0);
  const core::Timestamp t1 = t0 + core::kNanosPerHour;
  chart.series.push_back(LineSeries{"a & b", "#111111", {t0, t1}, {0.0, 4.0}});
  chart.series.push_back(LineSeries{"c", "#222222", {t0, t1}, {2.0, 3.0}});
  const std::string svg = line_chart(chart);
  // Range 0..4 over y 268..16: 2 -> 142, 3 -> 79.
  EXPECT_NE(svg.find("d=\"M80.0,142.0L476.0,79.0\""), std::string::npos);
  EXPECT_NE(svg.find("d=\"M80.0,268.0L476.0,16.0\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"legend\""), std::string::npos);
  EXPECT_NE(svg.find("a &amp; b"), std::string::npos);
  EXPECT_EQ(svg.find("a & b"), std::string::npos);
}

TEST(SvgLineChart, ReferenceLineWidensTheRangeAndNaNBreaksTheLine) {
  LineChart chart;
  chart.frame = small_frame("ref");
  const core::Timestamp t0 = utc(2024, 3, 4, 15, 0);
  const core::Timestamp h = core::kNanosPerHour;
  chart.series.push_back(LineSeries{"s", "#000000", {t0, t0 + h, t0 + 2 * h, t0 + 3 * h}, {10.0, 12.0, kNaN, 11.0}});
  chart.reference = 14.0;
  const std::string svg = line_chart(chart);
  // Range 10..14: the reference at the top (y 16); points 0 and 1 form a path, point 3 alone is a dot.
  EXPECT_NE(svg.find("y1=\"16.0\" x2=\"476.0\" y2=\"16.0\" stroke=\"#888\""), std::string::npos);
  EXPECT_EQ(occurrences(between(svg, "<g class=\"series\">", "</g>"), "<path"), 1u);
  EXPECT_EQ(occurrences(svg, "<circle"), 1u);
  // x of the dot: 80 + 3/3 x 396 = 476; y of 11: 268 - 1/4 x 252 = 205.
  EXPECT_NE(svg.find("cx=\"476.0\" cy=\"205.0\""), std::string::npos);
  expect_finite_coordinates(svg);
}

TEST(SvgLineChart, AllEqualValuesDrawAFlatLineAtMidHeight) {
  LineChart chart;
  chart.frame = small_frame("flat");
  const core::Timestamp t0 = utc(2024, 3, 4, 15, 0);
  chart.series.push_back(LineSeries{"s", "#000000", {t0, t0 + core::kNanosPerHour}, {5.0, 5.0}});
  const std::string svg = line_chart(chart);
  EXPECT_NE(svg.find("d=\"M80.0,142.0L476.0,142.0\""), std::string::npos);  // (16 + 268) / 2
  expect_finite_coordinates(svg);
}

TEST(SvgLineChart, NothingToDrawSaysNoData) {
  LineChart empty;
  empty.frame = small_frame("empty");
  std::string svg = line_chart(empty);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_NE(svg.find("<svg id=\"empty\""), std::string::npos);
  EXPECT_NE(svg.find("<title"), std::string::npos);
  expect_finite_coordinates(svg);

  LineChart all_nan;
  all_nan.frame = small_frame("nan");
  all_nan.series.push_back(LineSeries{"s", "#000000", {utc(2024, 3, 4, 15), utc(2024, 3, 4, 16)}, {kNaN, kInf}});
  svg = line_chart(all_nan);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  expect_finite_coordinates(svg);

  LineChart mismatched;
  mismatched.frame = small_frame("mismatch");
  mismatched.series.push_back(LineSeries{"s", "#000000", {utc(2024, 3, 4, 15)}, {1.0, 2.0}});
  EXPECT_NE(line_chart(mismatched).find("no data"), std::string::npos);
}

TEST(SvgLineChart, OnePointIsADotInTheMiddle) {
  LineChart chart;
  chart.frame = small_frame("one");
  chart.series.push_back(LineSeries{"s", "#000000", {utc(2024, 3, 4, 15)}, {100.0}});
  const std::string svg = line_chart(chart);
  // The time domain is widened an hour each side, the value range by a tenth: the dot is centred.
  EXPECT_NE(svg.find("cx=\"278.0\" cy=\"142.0\""), std::string::npos);
  expect_finite_coordinates(svg);
}

TEST(SvgLineChart, TimeAxisLabelsFollowTheSpan) {
  LineChart year;
  year.frame = small_frame("year");
  year.frame.width = 1000.0;
  year.series.push_back(LineSeries{"s", "#000000", {utc(2024, 1, 2, 20), utc(2024, 12, 30, 20)}, {1.0, 2.0}});
  const std::string year_svg = line_chart(year);
  // 896 px / 110 = 8 labels at most over 12 months: every other month (2-month steps, Jan, Mar, ...).
  EXPECT_NE(year_svg.find(">2024-03<"), std::string::npos);
  EXPECT_NE(year_svg.find(">2024-07<"), std::string::npos);
  EXPECT_EQ(year_svg.find(">2024-04<"), std::string::npos);

  LineChart day;
  day.frame = small_frame("day");
  // 09:30 to 16:00 New York (EST, UTC-5) on 2024-03-04; 396 px / 110 = 3 labels: 3-hour steps.
  day.series.push_back(LineSeries{"s", "#000000", {utc(2024, 3, 4, 14, 30), utc(2024, 3, 4, 21, 0)}, {1.0, 2.0}});
  const std::string day_svg = line_chart(day);
  EXPECT_NE(day_svg.find(">12:00<"), std::string::npos);
  EXPECT_NE(day_svg.find(">15:00<"), std::string::npos);
  // 12:00 New York = 17:00 UTC: x = 80 + 2.5 h / 6.5 h x 396 = 232.3.
  EXPECT_NE(day_svg.find("x1=\"232.3\""), std::string::npos);
}

TEST(SvgLineChart, LongSeriesAreDownsampledPerPixelColumn) {
  LineChart chart;
  chart.frame = small_frame("long");
  LineSeries series{"s", "#000000", {}, {}};
  const core::Timestamp t0 = utc(2024, 1, 2, 15);
  for (int i = 0; i < 20000; ++i) {
    series.ts.push_back(t0 + i * 5 * core::kNanosPerMinute);
    series.values.push_back(100.0 + std::sin(i * 0.01) * 10.0 + (i % 7));
  }
  chart.series.push_back(series);
  const std::string svg = line_chart(chart);
  const std::string d = between(between(svg, "<g class=\"series\">", "</g>"), "<path d=\"", "\"");
  const std::size_t points = occurrences(d, "L") + occurrences(d, "M");
  EXPECT_LE(points, 4u * 397u);  // the plot area spans 396 px: 397 columns at most
  EXPECT_GT(points, 396u);
  // The highest value (max over the series) lands exactly on the top edge.
  EXPECT_NE(d.find(",16.0"), std::string::npos);
  EXPECT_NE(d.find(",268.0"), std::string::npos);
}

// ---- Area chart ----

TEST(SvgAreaChart, UnderwaterCurveHangsFromZeroAtTheTop) {
  AreaChart chart;
  chart.frame = small_frame("dd");
  const core::Timestamp t0 = utc(2024, 3, 4, 15, 0);
  const core::Timestamp h = core::kNanosPerHour;
  chart.ts = {t0, t0 + h, t0 + 2 * h, t0 + 3 * h};
  chart.values = {0.0, -0.1, -0.05, 0.0};
  chart.value_style = NumberStyle::percent;
  const std::string svg = area_chart(chart);
  // Range -0.1..0: 0 at the top (16), -0.1 at the bottom (268), -0.05 at 142; x 80, 212, 344, 476.
  EXPECT_NE(svg.find("d=\"M80.0,16.0L80.0,16.0L212.0,268.0L344.0,142.0L476.0,16.0L476.0,16.0Z\""), std::string::npos);
  EXPECT_NE(svg.find("d=\"M80.0,16.0L212.0,268.0L344.0,142.0L476.0,16.0\""), std::string::npos);
  EXPECT_NE(svg.find(">-10%<"), std::string::npos);  // the lowest tick: steps of 2 %, no decimals
  expect_finite_coordinates(svg);
}

TEST(SvgAreaChart, ValueDomainOverridesTheRangeAndDegenerateInputsStayFinite) {
  AreaChart chart;
  chart.frame = small_frame("flat-dd");
  chart.ts = {utc(2024, 3, 4, 15), utc(2024, 3, 4, 16)};
  chart.values = {0.0, 0.0};
  chart.value_domain = std::pair{-0.01, 0.0};
  std::string svg = area_chart(chart);
  EXPECT_NE(svg.find("d=\"M80.0,16.0L476.0,16.0\""), std::string::npos);
  expect_finite_coordinates(svg);

  AreaChart empty;
  empty.frame = small_frame("empty-dd");
  svg = area_chart(empty);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  expect_finite_coordinates(svg);
}

// ---- Bar chart ----

TEST(SvgBarChart, BarsGrowFromZeroWithErrorBars) {
  BarChart chart;
  chart.frame = small_frame("bars");
  chart.frame.height = 2 * 50.0 + 16.0 + 32.0;  // two rows of 50 px: plot y 16..116
  chart.bars = {Bar{"alpha", 2.0, 0.0}, Bar{"beta", -1.0, 0.5}};
  const std::string svg = bar_chart(chart);
  // Value range min(0, -1 - 0.5) = -1.5 .. max(0, 2) = 2 over x 80..476 (3.5 units, 113.142857 px each):
  // x(0) = 249.714, x(2) = 476, x(-1) = 136.571, x(-1.5) = 80, x(-0.5) = 193.143.
  // Rows: centre 41 and 91, bars 0.7 x 50 = 35 px tall.
  EXPECT_NE(svg.find("<rect x=\"249.7\" y=\"23.5\" width=\"226.3\" height=\"35.0\" fill=\"#4c72b0\""),
            std::string::npos);
  EXPECT_NE(svg.find("<rect x=\"136.6\" y=\"73.5\" width=\"113.1\" height=\"35.0\" fill=\"#c44e52\""),
            std::string::npos);
  EXPECT_EQ(occurrences(svg, "class=\"error-bar\""), 1u);
  EXPECT_NE(svg.find("x1=\"80.0\" y1=\"91.0\" x2=\"193.1\" y2=\"91.0\""), std::string::npos);
  EXPECT_NE(svg.find(">alpha<"), std::string::npos);
  EXPECT_NE(svg.find("<title>beta: -1.00 \u00b1 0.500</title>"), std::string::npos);
  expect_finite_coordinates(svg);
}

TEST(SvgBarChart, LongLabelsWidenTheMarginAndAreEscapedAndCut) {
  BarChart chart;
  chart.frame = small_frame("labels");
  chart.bars = {Bar{"<rsi_14 & volume>", 1.0, 0.0}, Bar{std::string(60, 'x'), 0.5, 0.0}};
  const std::string svg = bar_chart(chart);
  EXPECT_NE(svg.find("&lt;rsi_14 &amp; volume&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<rsi_14"), std::string::npos);
  // 40 characters (39 x and an ellipsis) at 6.5 px + 12 = 272 px, capped at 40 % of 500 = 200 px.
  EXPECT_NE(svg.find(std::string(39, 'x') + "\u2026<"), std::string::npos);
  EXPECT_NE(svg.find("<line x1=\"200.0\" y1=\"268.0\" x2=\"476.0\" y2=\"268.0\""), std::string::npos);
}

TEST(SvgBarChart, EmptyOrNonFiniteSaysNoData) {
  BarChart empty;
  empty.frame = small_frame("no-bars");
  EXPECT_NE(bar_chart(empty).find("no data"), std::string::npos);
  BarChart nan;
  nan.frame = small_frame("nan-bars");
  nan.bars = {Bar{"a", kNaN, 0.0}};
  const std::string svg = bar_chart(nan);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  expect_finite_coordinates(svg);
  BarChart zeros;
  zeros.frame = small_frame("zero-bars");
  zeros.bars = {Bar{"a", 0.0, 0.0}, Bar{"b", 0.0, kNaN}};
  const std::string zero_svg = bar_chart(zeros);
  EXPECT_EQ(zero_svg.find("no data"), std::string::npos);
  expect_finite_coordinates(zero_svg);
}

// ---- Histogram ----

TEST(SvgHistogram, FreedmanDiaconisBinCount) {
  // Sorted 0 1 2 3 4 5 6 100 (n = 8): Q1 at position 1.75 = 1.75, Q3 at 5.25 = 5.25, IQR 3.5; width
  // 2 x 3.5 / 8^(1/3) = 3.5; ceil(100 / 3.5) = ceil(28.57) = 29 bins of 100/29 = 3.448.
  const HistogramBins bins = histogram_bins({6, 0, 100, 1, 2, 3, 4, 5});
  ASSERT_EQ(bins.counts.size(), 29u);
  EXPECT_DOUBLE_EQ(bins.lo, 0.0);
  EXPECT_NEAR(bins.width, 100.0 / 29.0, 1e-12);
  EXPECT_EQ(bins.counts[0], 4u);   // 0 1 2 3
  EXPECT_EQ(bins.counts[1], 3u);   // 4 5 6
  EXPECT_EQ(bins.counts[28], 1u);  // 100, on the closed upper edge
  std::size_t total = 0;
  for (std::size_t c : bins.counts) total += c;
  EXPECT_EQ(total, 8u);
  EXPECT_EQ(bins.left_out, 0u);
}

TEST(SvgHistogram, ZeroIqrFallsBackToSquareRootAndCountsAreClamped) {
  // Eight 5s and a 9: IQR 0, sqrt(9) = 3 bins, raised to the floor of 5: width 0.8.
  HistogramBins bins = histogram_bins({5, 5, 5, 5, 5, 5, 5, 5, 9});
  EXPECT_EQ(bins.counts, (std::vector<std::size_t>{8, 0, 0, 0, 1}));
  EXPECT_NEAR(bins.width, 0.8, 1e-12);
  // An outlier makes Freedman-Diaconis ask for thousands of bins: clamped to max_bins.
  std::vector<double> values;
  for (int i = 0; i < 1000; ++i) values.push_back(i);
  values.push_back(1e6);
  EXPECT_EQ(histogram_bins(values).counts.size(), 60u);
  EXPECT_EQ(histogram_bins(values, 30).counts.size(), 30u);
  // Two values: the floor is min(5, n) = 2 bins.
  EXPECT_EQ(histogram_bins({1.0, 2.0}).counts.size(), 2u);
}

TEST(SvgHistogram, DegenerateInputs) {
  HistogramBins bins = histogram_bins({7.0, 7.0, 7.0, kNaN, kInf});
  EXPECT_EQ(bins.counts, (std::vector<std::size_t>{3}));
  EXPECT_DOUBLE_EQ(bins.width, 1.0);  // max(7 / 10, 1)
  EXPECT_DOUBLE_EQ(bins.lo, 6.5);
  EXPECT_EQ(bins.left_out, 2u);
  EXPECT_TRUE(histogram_bins({}).counts.empty());
  EXPECT_TRUE(histogram_bins({kNaN}).counts.empty());

  Histogram chart;
  chart.frame = small_frame("pnl");
  std::string svg = histogram_chart(chart);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  expect_finite_coordinates(svg);
  chart.values = {7.0, 7.0, 7.0};
  svg = histogram_chart(chart);
  EXPECT_EQ(svg.find("no data"), std::string::npos);
  EXPECT_EQ(occurrences(between(svg, "<g class=\"bins\">", "</g>"), "<rect"), 1u);
  expect_finite_coordinates(svg);
}

TEST(SvgHistogram, BarsAreColouredBySignAndScaledToTheTallestBin) {
  Histogram chart;
  chart.frame = small_frame("signs");
  // n = 5, sorted -2 -1 1 2 3: Q1 -1, Q3 2, IQR 3, width 6 / 5^(1/3) = 3.51: ceil(5 / 3.51) = 2,
  // raised to 5 bins of width 1 over -2..3: [-2,-1) 1, [-1,0) 1, [0,1) 0, [1,2) 1, [2,3] 2.
  chart.values = {-2, -1, 1, 2, 3};
  const std::string svg = histogram_chart(chart);
  const std::string bins = between(svg, "<g class=\"bins\">", "</g>");
  EXPECT_EQ(occurrences(bins, "<rect"), 4u);  // the empty bin draws nothing
  EXPECT_EQ(occurrences(bins, "fill=\"#c44e52\""), 2u);
  EXPECT_EQ(occurrences(bins, "fill=\"#55a868\""), 2u);
  // The tallest bin (2) reaches the top: y = 16; a bin of 1 reaches 142.
  EXPECT_NE(bins.find("y=\"16.0\""), std::string::npos);
  EXPECT_NE(bins.find("y=\"142.0\""), std::string::npos);
  // The zero line at x = 80 + 2/5 x 396 = 238.4.
  EXPECT_NE(svg.find("x1=\"238.4\""), std::string::npos);
  expect_finite_coordinates(svg);
}

// ---- Heatmap ----

TEST(SvgHeatmap, DivergingColourIsNeutralAtZeroAndSignPicksTheHue) {
  const DivergingPalette palette;
  EXPECT_EQ(diverging_colour(0.0, 1.0, palette), palette.neutral);
  EXPECT_EQ(diverging_colour(1.0, 1.0, palette), palette.positive);
  EXPECT_EQ(diverging_colour(-1.0, 1.0, palette), palette.negative);
  EXPECT_EQ(diverging_colour(5.0, 1.0, palette), palette.positive);  // saturates
  // Half way from #f7f7f7 to #1b7837: (247 + 27) / 2 = 137, (247 + 120) / 2 = 183.5 -> 184, (247 + 55) / 2 = 151.
  EXPECT_EQ(diverging_colour(0.5, 1.0, palette), "#89b897");
  EXPECT_EQ(diverging_colour(kNaN, 1.0, palette), palette.neutral);
  EXPECT_EQ(diverging_colour(0.3, 0.0, palette), palette.neutral);
  // Hue by sign with a custom palette.
  const DivergingPalette blue_red{"#ff0000", "#ffffff", "#0000ff"};
  EXPECT_EQ(diverging_colour(0.02, 0.1, blue_red), "#ccccff");  // 255 - 0.2 x 255 = 204
  EXPECT_EQ(diverging_colour(-0.02, 0.1, blue_red), "#ffcccc");
}

TEST(SvgHeatmap, CellsCarryColourAndPrintedValues) {
  Heatmap chart;
  chart.frame = small_frame("heat");
  chart.frame.margin_top = 24.0;
  chart.frame.margin_bottom = 44.0;
  chart.row_labels = {"2023", "2024 <b>"};
  chart.column_labels = {"Jan", "Feb", "Mar"};
  chart.values = {0.0, 0.02, -0.04, kNaN, 0.04, 0.01};
  chart.value_style = NumberStyle::percent;
  chart.value_decimals = 1;
  chart.row_notes = {"+1.0%", "+5.0%"};
  chart.row_notes_header = "Year";
  const std::string svg = heatmap_chart(chart);
  const std::string cells = between(svg, "<g class=\"cells\">", "</g>");
  // Limit = max |v| = 0.04: 0 neutral, 0.04 full green, -0.04 full red.
  EXPECT_EQ(occurrences(cells, "<rect"), 6u);
  EXPECT_EQ(occurrences(cells, "fill=\"#f7f7f7\""), 1u);
  EXPECT_EQ(occurrences(cells, "fill=\"#1b7837\""), 1u);
  EXPECT_EQ(occurrences(cells, "fill=\"#b2182b\""), 1u);
  EXPECT_EQ(occurrences(cells, "fill=\"#ffffff\""), 1u);  // the NaN cell
  EXPECT_NE(cells.find(">2.0%<"), std::string::npos);
  EXPECT_NE(cells.find(">-4.0%<"), std::string::npos);
  EXPECT_NE(cells.find(">0.0%<"), std::string::npos);
  EXPECT_EQ(occurrences(cells, "<text"), 5u);  // no text in the NaN cell
  // First cell: plot x 80..476 (3 columns of 132 px), y 24..256 (2 rows of 116 px).
  EXPECT_NE(cells.find("<rect x=\"80.0\" y=\"24.0\" width=\"132.0\" height=\"116.0\""), std::string::npos);
  EXPECT_NE(svg.find("2024 &lt;b&gt;"), std::string::npos);
  EXPECT_NE(svg.find(">Year<"), std::string::npos);
  EXPECT_NE(svg.find(">+5.0%<"), std::string::npos);
  EXPECT_NE(svg.find("linearGradient id=\"heat-key\""), std::string::npos);
  expect_finite_coordinates(svg);
}

TEST(SvgHeatmap, ExplicitLimitAndDegenerateInputs) {
  Heatmap chart;
  chart.frame = small_frame("ic");
  chart.row_labels = {"rsi_14"};
  chart.column_labels = {"direction_5", "forward_return_5"};
  chart.values = {0.05, -0.2};
  chart.limit = 0.1;
  std::string svg = heatmap_chart(chart);
  // 0.05 / 0.1 = half way to green; -0.2 saturates red.
  EXPECT_NE(svg.find("fill=\"#89b897\""), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#b2182b\""), std::string::npos);
  EXPECT_NE(svg.find(">0.05<"), std::string::npos);

  chart.values = {0.0, 0.0};  // all zero: every cell neutral, nothing divides by zero
  chart.limit.reset();
  svg = heatmap_chart(chart);
  EXPECT_EQ(occurrences(between(svg, "<g class=\"cells\">", "</g>"), "fill=\"#f7f7f7\""), 2u);
  expect_finite_coordinates(svg);

  chart.values = {1.0};  // wrong size
  EXPECT_NE(heatmap_chart(chart).find("no data"), std::string::npos);
  chart.values = {kNaN, kNaN};
  svg = heatmap_chart(chart);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  expect_finite_coordinates(svg);
  Heatmap empty;
  empty.frame = small_frame("empty-heat");
  EXPECT_NE(heatmap_chart(empty).find("no data"), std::string::npos);
}

}  // namespace
}  // namespace itrade::evaluation
