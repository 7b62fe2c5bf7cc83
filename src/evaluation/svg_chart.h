#pragma once
// Small chart primitives that return SVG text (docs/report.md, "Charts"): a line chart on a time
// axis, a filled area ("underwater") chart on the same axis, horizontal bars with optional error
// bars, a histogram and a heatmap with a diverging colour scale. Each returns one complete
// <svg>...</svg> element with the caller's id, a <title> for accessibility, inline presentation
// attributes only (no CSS classes it depends on, no script, no external resource), so it can be
// pasted into any HTML page or written to a .svg file as it is.
//
// Promises shared by every chart:
// - Coordinates are CSS pixels of the chart's own viewBox (0, 0, width, height), printed with one
//   decimal. A non-finite input value is never drawn: it breaks a line, leaves a cell empty, or is
//   left out of a histogram. No coordinate attribute ever holds "nan" or "inf".
// - A chart with nothing to draw (no points, no finite value, no bars) is still a valid <svg> with
//   the same id and title, holding one <text> that says "no data" and why.
// - Every text from the caller (title, labels, series names) is escaped with escape_xml().
// - Value axes map the data's lowest value to the bottom (or left) edge of the plot area and its
//   highest to the top (or right) edge exactly; ticks are "nice" numbers inside that range. A range
//   of one value (all values equal) is widened symmetrically so that the line sits mid-height.
// Nothing here fails at run time: the functions take any input and return text.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace itrade::evaluation {

// ---- Text helpers (shared with the report) ----

// `text` with & < > " ' replaced by entities: safe inside element content and quoted attributes
// of HTML and SVG alike.
std::string escape_xml(std::string_view text);

// Fixed-point with `decimals` digits and "," between thousands: format_number(-12345.678, 2) =
// "-12,345.68". NaN -> "n/a", +inf -> "+inf", -inf -> "-inf". A value that rounds to zero never
// shows a minus sign ("0.00", not "-0.00").
std::string format_number(double value, int decimals);
// A fraction as percent: format_percent(0.12345, 2) = "12.35%". The same NaN / inf words.
std::string format_percent(double fraction, int decimals);

// ---- Geometry ----

// The size of a chart and the margins around its plot area, in CSS pixels.
struct ChartFrame {
  std::string id;     // the <svg> id attribute (use [A-Za-z0-9_-]; it is escaped regardless)
  std::string title;  // the <title> element: the chart's accessible name and tooltip
  double width = 900.0;
  double height = 300.0;
  double margin_top = 16.0;
  double margin_right = 24.0;
  double margin_bottom = 32.0;
  double margin_left = 80.0;
};

// The rectangle data is drawn in: left = margin_left, top = margin_top, right = width -
// margin_right, bottom = height - margin_bottom.
struct PlotArea {
  double left = 0.0;
  double top = 0.0;
  double right = 0.0;
  double bottom = 0.0;
  double width() const { return right - left; }
  double height() const { return bottom - top; }
};
PlotArea plot_area(const ChartFrame& frame);

// value -> pixel, linearly: domain_lo lands on pixel_lo and domain_hi on pixel_hi (pixel_lo may be
// larger than pixel_hi, as for a y axis whose top has the smaller pixel). domain_lo < domain_hi.
struct LinearScale {
  double domain_lo = 0.0;
  double domain_hi = 1.0;
  double pixel_lo = 0.0;
  double pixel_hi = 1.0;
  double operator()(double value) const {
    return pixel_lo + (value - domain_lo) / (domain_hi - domain_lo) * (pixel_hi - pixel_lo);
  }
};

// The smallest and largest finite values, widened when they are equal: [v - |v|/10, v + |v|/10],
// or [-1, 1] for v = 0. nullopt when no value is finite.
std::optional<std::pair<double, double>> value_range(const std::vector<double>& values);

// Round tick values step = {1, 2, 5} x 10^k inside [lo, hi] (both ends included when they fall on a
// step), at most about `target` of them (never fewer than 2 when lo < hi). Empty unless lo < hi and
// both are finite.
std::vector<double> nice_ticks(double lo, double hi, int target);

// Which points of a polyline to keep so that it covers the same pixels as the full one: points are
// grouped into runs of consecutive points in the same pixel column (floor of x_pixels[i]); of each
// run the first, the lowest, the highest and the last are kept, once each, in their original order.
// A non-finite value is always kept (it breaks the line) and ends the run. x_pixels must be
// non-decreasing. At most 4 points per pixel column whatever the input length.
std::vector<std::size_t> downsample_min_max(const std::vector<double>& x_pixels, const std::vector<double>& values);

// ---- Charts ----

// How axis tick labels and default value labels are written.
enum class NumberStyle {
  plain,    // 12,345.6
  percent,  // a fraction times 100: 0.123 -> 12.3%
};

struct LineSeries {
  std::string name;                 // shown in a legend when there are two or more series
  std::string colour = "#1f77b4";   // any CSS colour
  std::vector<core::Timestamp> ts;  // ascending
  std::vector<double> values;       // same length as ts; NaN breaks the line
};

// Several series against time (e.g. equity). Time ticks are New York dates / times (every
// timestamp in itrade is an exchange time), at hour, day, week, month or year boundaries,
// whichever gives at most one label per ~110 px. Each series is downsampled with
// downsample_min_max() at the plot's pixel columns before drawing.
struct LineChart {
  ChartFrame frame;
  std::vector<LineSeries> series;
  NumberStyle value_style = NumberStyle::plain;
  std::optional<double> reference;  // a dashed horizontal line (e.g. initial cash), kept in range
  // [first, last] of the time axis; by default the span of every series' timestamps. Two charts
  // with the same frame width, margins and time_domain share their x pixels exactly.
  std::optional<std::pair<core::Timestamp, core::Timestamp>> time_domain;
};
std::string line_chart(const LineChart& chart);

// The area between 0 and a series on a time axis: an underwater (drawdown) chart when every value
// is <= 0. The value range always includes 0; value_domain overrides it (e.g. [-0.01, 0] for a
// curve that never dips). Downsampled like the line chart.
struct AreaChart {
  ChartFrame frame;
  std::vector<core::Timestamp> ts;  // ascending
  std::vector<double> values;       // same length; NaN points are skipped
  std::string colour = "#d62728";   // outline; the fill is the same colour at 35 % opacity
  NumberStyle value_style = NumberStyle::plain;
  std::optional<std::pair<double, double>> value_domain;
  std::optional<std::pair<core::Timestamp, core::Timestamp>> time_domain;
};
std::string area_chart(const AreaChart& chart);

struct Bar {
  std::string label;
  double value = 0.0;
  double error = 0.0;  // half-length of the +- error bar; 0 or non-finite draws none
};

// Horizontal bars, one row per bar, top to bottom in the given order, growing from 0 (right for
// positive values, left for negative ones) with the value printed at the bar's end. The value axis
// spans [min(0, value - error), max(0, value + error)] over all bars. The left margin grows to fit
// the longest label (about 6.5 px per character, labels cut at 40 characters with the full text
// in a tooltip), up to 40 % of the width. Bars with a non-finite value are listed but not drawn.
struct BarChart {
  ChartFrame frame;
  std::vector<Bar> bars;
  std::string colour = "#4c72b0";
  std::string negative_colour = "#c44e52";
  NumberStyle value_style = NumberStyle::plain;
  int value_digits = 3;  // significant digits of the printed values (plain) or decimals (percent)
};
std::string bar_chart(const BarChart& chart);

// Histogram bins: bin i covers [lo + i width, lo + (i + 1) width), the last one includes its
// upper edge.
struct HistogramBins {
  double lo = 0.0;
  double width = 0.0;
  std::vector<std::size_t> counts;
  std::size_t left_out = 0;  // non-finite values
};

// Equal-width bins over [min, max] of the finite values. The count is Freedman-Diaconis,
// ceil((max - min) / (2 IQR n^(-1/3))), or ceil(sqrt(n)) when the IQR is 0; then clamped to
// [min(5, n), max_bins]. All values equal: one bin of width max(|v| / 10, 1) centred on the value.
// No finite value: no bins.
HistogramBins histogram_bins(const std::vector<double>& values, int max_bins = 60);

// Counts per bin as vertical bars. With colour_by_sign, bins entirely below 0 use
// negative_colour, entirely above 0 positive_colour, a bin containing 0 neutral_colour; a
// vertical line marks 0 when it lies inside the range.
struct Histogram {
  ChartFrame frame;
  std::vector<double> values;
  int max_bins = 60;
  bool colour_by_sign = true;
  std::string neutral_colour = "#8c8c8c";
  std::string negative_colour = "#c44e52";
  std::string positive_colour = "#55a868";
  NumberStyle value_style = NumberStyle::plain;  // of the x axis
};
std::string histogram_chart(const Histogram& chart);

// Colours of a diverging scale, as #rrggbb.
struct DivergingPalette {
  std::string negative = "#b2182b";
  std::string neutral = "#f7f7f7";
  std::string positive = "#1b7837";
};

// The fill of `value`: the neutral colour at 0, mixed linearly (per sRGB channel) towards the
// positive or negative colour by t = min(1, |value| / limit), so the sign decides the hue and the
// size the strength. The neutral colour when value or limit is not finite or limit <= 0.
// Malformed palette colours read as black.
std::string diverging_colour(double value, double limit, const DivergingPalette& palette = {});

// rows x columns of values as coloured cells with the value printed in each (e.g. monthly returns
// by year x month; information coefficients by feature x target). Cells are the plot area divided
// evenly; the left margin grows to fit the row labels like the bar chart's. A NaN cell is left
// white with no text. Column labels sit above the grid and a gradient key showing -limit, 0 and
// +limit below it: give margin_top >= 20 and margin_bottom >= 40.
struct Heatmap {
  ChartFrame frame;
  std::vector<std::string> row_labels;
  std::vector<std::string> column_labels;
  std::vector<double> values;   // row-major, rows x columns; a size mismatch draws "no data"
  std::optional<double> limit;  // colour saturation point; default the largest finite |value|
  DivergingPalette palette;
  NumberStyle value_style = NumberStyle::plain;
  int value_decimals = 2;
  // Optional text to the right of each row (e.g. the year's total), under row_notes_header.
  // Reserve room for it in margin_right.
  std::vector<std::string> row_notes;
  std::string row_notes_header;
};
std::string heatmap_chart(const Heatmap& chart);

}  // namespace itrade::evaluation
