#include "evaluation/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>

namespace itrade::evaluation {

namespace {

constexpr double kCharWidth = 6.5;  // px per character of 11 px sans-serif, a generous average
constexpr std::size_t kMaxLabelChars = 40;
constexpr double kTimeLabelSpacing = 110.0;  // px per time-axis label at most
constexpr double kValueTickSpacing = 45.0;   // px per value-axis tick (vertical axes)
constexpr const char* kGridColour = "#e5e5e5";
constexpr const char* kAxisColour = "#444";
constexpr const char* kTextColour = "#222";

// One coordinate with one decimal. The charts compute only finite coordinates; the guard keeps a
// bug from ever printing "nan" into an attribute.
void px(std::string& out, double value) {
  if (!std::isfinite(value)) value = 0.0;
  fmt::format_to(std::back_inserter(out), "{:.1f}", value);
}

std::string px(double value) {
  std::string out;
  px(out, value);
  return out;
}

std::string truncate_label(const std::string& label) {
  if (label.size() <= kMaxLabelChars) return label;
  // Cut on a UTF-8 character boundary.
  std::size_t cut = kMaxLabelChars - 1;
  while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
  return label.substr(0, cut) + "\u2026";
}

double text_width(std::size_t chars) { return static_cast<double>(chars) * kCharWidth; }

// <svg ...><title>...</title> and a white background.
void open_svg(std::string& out, const ChartFrame& frame) {
  const std::string id = escape_xml(frame.id);
  fmt::format_to(std::back_inserter(out),
                 "<svg id=\"{0}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{1}\" height=\"{2}\" "
                 "viewBox=\"0 0 {1} {2}\" role=\"img\" aria-labelledby=\"{0}-title\" font-family=\"sans-serif\" "
                 "font-size=\"11\"><title id=\"{0}-title\">{3}</title>",
                 id, px(frame.width), px(frame.height), escape_xml(frame.title));
  fmt::format_to(std::back_inserter(out), "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#fff\"/>",
                 px(frame.width), px(frame.height));
}

void close_svg(std::string& out) { out += "</svg>"; }

std::string no_data(const ChartFrame& frame, std::string_view reason) {
  std::string out;
  open_svg(out, frame);
  fmt::format_to(std::back_inserter(out),
                 "<text class=\"no-data\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#666\" font-size=\"13\">"
                 "no data: {}</text>",
                 px(frame.width / 2.0), px(frame.height / 2.0), escape_xml(reason));
  close_svg(out);
  return out;
}

void text(std::string& out, double x, double y, std::string_view anchor, std::string_view content,
          std::string_view extra = {}) {
  out += "<text x=\"";
  px(out, x);
  out += "\" y=\"";
  px(out, y);
  fmt::format_to(std::back_inserter(out), "\" text-anchor=\"{}\" fill=\"{}\"{}{}>{}</text>", anchor, kTextColour,
                 extra.empty() ? "" : " ", extra, escape_xml(content));
}

void line(std::string& out, double x1, double y1, double x2, double y2, std::string_view stroke,
          std::string_view extra = {}) {
  fmt::format_to(std::back_inserter(out), "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"{}{}/>", px(x1),
                 px(y1), px(x2), px(y2), stroke, extra.empty() ? "" : " ", extra);
}

// Opens a <rect> and leaves it open: the caller adds "/>" or a <title> child and "</rect>".
void rect(std::string& out, double x, double y, double width, double height, std::string_view fill,
          std::string_view extra = {}) {
  fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}{}", px(x),
                 px(y), px(std::max(0.0, width)), px(std::max(0.0, height)), fill, extra.empty() ? "" : " ", extra);
}

// Decimals that tell ticks `step` apart.
int tick_decimals(double step, NumberStyle style) {
  if (style == NumberStyle::percent) step *= 100.0;
  if (!(step > 0.0) || !std::isfinite(step)) return 0;
  return std::clamp(static_cast<int>(-std::floor(std::log10(step) + 1e-9)), 0, 8);
}

std::string format_value(double value, NumberStyle style, int decimals) {
  return style == NumberStyle::percent ? format_percent(value, decimals) : format_number(value, decimals);
}

// Significant digits for printed values: 0.001234 -> "0.00123", 1234.5 -> "1,235" (3 digits).
std::string format_significant(double value, NumberStyle style, int digits) {
  if (style == NumberStyle::percent) return format_percent(value, std::max(0, digits));
  if (!std::isfinite(value) || value == 0.0) return format_number(value, 0);
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  const int decimals = std::clamp(digits - 1 - magnitude, 0, 12);
  return format_number(value, decimals);
}

// Horizontal grid lines and labels of a vertical value axis.
void value_axis_left(std::string& out, const PlotArea& area, const LinearScale& y, NumberStyle style) {
  const int target = std::max(2, static_cast<int>(area.height() / kValueTickSpacing));
  const std::vector<double> ticks = nice_ticks(y.domain_lo, y.domain_hi, target);
  const int decimals = ticks.size() >= 2 ? tick_decimals(ticks[1] - ticks[0], style) : 2;
  out += "<g class=\"y-axis\">";
  for (double tick : ticks) {
    const double py = y(tick);
    line(out, area.left, py, area.right, py, kGridColour);
    text(out, area.left - 6.0, py + 4.0, "end", format_value(tick, style, decimals));
  }
  out += "</g>";
}

// Vertical grid lines and labels of a horizontal value axis below the plot.
void value_axis_bottom(std::string& out, const PlotArea& area, const LinearScale& x, NumberStyle style) {
  const int target = std::max(2, static_cast<int>(area.width() / 90.0));
  const std::vector<double> ticks = nice_ticks(x.domain_lo, x.domain_hi, target);
  const int decimals = ticks.size() >= 2 ? tick_decimals(ticks[1] - ticks[0], style) : 2;
  out += "<g class=\"x-axis\">";
  for (double tick : ticks) {
    const double px_x = x(tick);
    line(out, px_x, area.top, px_x, area.bottom, kGridColour);
    text(out, px_x, area.bottom + 14.0, "middle", format_value(tick, style, decimals));
  }
  out += "</g>";
}

void plot_border(std::string& out, const PlotArea& area) {
  line(out, area.left, area.bottom, area.right, area.bottom, kAxisColour);
  line(out, area.left, area.top, area.left, area.bottom, kAxisColour);
}

// ---- Time axis ----

struct TimeTick {
  core::Timestamp ts = 0;
  std::string label;
};

enum class TimeUnit { minute, day, week, month, year };

struct TimeStep {
  TimeUnit unit;
  int count;
  double approx_ns;
};

constexpr double kMinute = static_cast<double>(core::kNanosPerMinute);
constexpr double kDay = static_cast<double>(core::kNanosPerDay);

constexpr std::array<TimeStep, 21> kTimeSteps = {{
    {TimeUnit::minute, 5, 5 * kMinute},     {TimeUnit::minute, 15, 15 * kMinute},
    {TimeUnit::minute, 30, 30 * kMinute},   {TimeUnit::minute, 60, 60 * kMinute},
    {TimeUnit::minute, 120, 120 * kMinute}, {TimeUnit::minute, 180, 180 * kMinute},
    {TimeUnit::minute, 360, 360 * kMinute}, {TimeUnit::day, 1, kDay},
    {TimeUnit::day, 2, 2 * kDay},           {TimeUnit::week, 1, 7 * kDay},
    {TimeUnit::week, 2, 14 * kDay},         {TimeUnit::month, 1, 30.44 * kDay},
    {TimeUnit::month, 2, 60.88 * kDay},     {TimeUnit::month, 3, 91.31 * kDay},
    {TimeUnit::month, 6, 182.6 * kDay},     {TimeUnit::year, 1, 365.25 * kDay},
    {TimeUnit::year, 2, 730.5 * kDay},      {TimeUnit::year, 5, 1826.25 * kDay},
    {TimeUnit::year, 10, 3652.5 * kDay},    {TimeUnit::year, 20, 7305.0 * kDay},
    {TimeUnit::year, 50, 18262.5 * kDay},
}};

// Ticks at New York wall-clock boundaries inside [lo, hi].
std::vector<TimeTick> time_ticks(core::Timestamp lo, core::Timestamp hi, int target) {
  std::vector<TimeTick> ticks;
  if (hi <= lo) return ticks;
  const double span = static_cast<double>(hi - lo);
  TimeStep step = kTimeSteps.back();
  for (const TimeStep& candidate : kTimeSteps) {
    if (span / candidate.approx_ns <= target) {
      step = candidate;
      break;
    }
  }
  const core::TimeZone& zone = core::TimeZone::new_york();
  const std::int64_t local_lo = zone.to_local(lo);
  const std::int64_t local_hi = zone.to_local(hi);
  auto add = [&](std::int64_t local, std::string label) {
    auto utc = zone.to_utc(local);
    if (utc.ok() && *utc >= lo && *utc <= hi) ticks.push_back({*utc, std::move(label)});
  };
  const std::size_t max_ticks = static_cast<std::size_t>(target) * 3 + 8;  // a bound against surprises
  switch (step.unit) {
    case TimeUnit::minute: {
      const std::int64_t step_ns = step.count * core::kNanosPerMinute;
      const bool several_days = core::day_of(local_hi) != core::day_of(local_lo);
      std::int64_t local = (local_lo / step_ns) * step_ns;
      if (local < local_lo) local += step_ns;
      for (; local <= local_hi && ticks.size() < max_ticks; local += step_ns) {
        const core::CivilDate date = core::civil_from_days(core::day_of(local));
        const std::int64_t in_day = local - core::start_of_day(core::day_of(local));
        const auto hour = in_day / core::kNanosPerHour;
        const auto minute = (in_day % core::kNanosPerHour) / core::kNanosPerMinute;
        add(local, several_days ? fmt::format("{:02}-{:02} {:02}:{:02}", date.month, date.day, hour, minute)
                                : fmt::format("{:02}:{:02}", hour, minute));
      }
      break;
    }
    case TimeUnit::day:
    case TimeUnit::week: {
      for (core::DayNumber day = core::day_of(local_lo); day <= core::day_of(local_hi) && ticks.size() < max_ticks;
           ++day) {
        if (step.unit == TimeUnit::week) {
          if (core::weekday(day) != 1) continue;
          if (step.count == 2 && ((day + 3) / 7) % 2 != 0) continue;  // every other Monday
        } else if (day % step.count != 0) {
          continue;
        }
        add(core::start_of_day(day), core::format_date(day));
      }
      break;
    }
    case TimeUnit::month: {
      const core::CivilDate first = core::civil_from_days(core::day_of(local_lo));
      const core::CivilDate last = core::civil_from_days(core::day_of(local_hi));
      for (int index = first.year * 12 + (first.month - 1); index <= last.year * 12 + (last.month - 1); ++index) {
        const int year = index / 12;
        const int month = index % 12 + 1;
        if ((month - 1) % step.count != 0) continue;
        add(core::start_of_day(core::days_from_civil(year, month, 1)), fmt::format("{}-{:02}", year, month));
        if (ticks.size() >= max_ticks) break;
      }
      break;
    }
    case TimeUnit::year: {
      const int first = core::civil_from_days(core::day_of(local_lo)).year;
      const int last = core::civil_from_days(core::day_of(local_hi)).year;
      for (int year = first; year <= last && ticks.size() < max_ticks; ++year) {
        if (year % step.count != 0) continue;
        add(core::start_of_day(core::days_from_civil(year, 1, 1)), fmt::format("{}", year));
      }
      break;
    }
  }
  return ticks;
}

// Maps timestamps onto the plot's x pixels without losing precision: the offset from the domain's
// start is an exact int64 before it becomes a double.
struct TimeScale {
  core::Timestamp lo = 0;
  core::Timestamp hi = 1;
  double left = 0.0;
  double right = 1.0;
  double operator()(core::Timestamp ts) const {
    return left + static_cast<double>(ts - lo) / static_cast<double>(hi - lo) * (right - left);
  }
};

void time_axis(std::string& out, const PlotArea& area, const TimeScale& x, double svg_width) {
  const int target = std::max(1, static_cast<int>(area.width() / kTimeLabelSpacing));
  out += "<g class=\"x-axis\">";
  for (const TimeTick& tick : time_ticks(x.lo, x.hi, target)) {
    const double tick_x = x(tick.ts);
    line(out, tick_x, area.top, tick_x, area.bottom, kGridColour);
    const double half = text_width(tick.label.size()) / 2.0;
    if (tick_x - half < 0.0 || tick_x + half > svg_width) continue;  // a label that would be cut
    text(out, tick_x, area.bottom + 14.0, "middle", tick.label);
  }
  out += "</g>";
}

// The time domain: the option, or the span of the given timestamps; one instant is widened by an
// hour each side.
std::optional<std::pair<core::Timestamp, core::Timestamp>> resolve_time_domain(
    const std::optional<std::pair<core::Timestamp, core::Timestamp>>& option,
    const std::vector<const std::vector<core::Timestamp>*>& series) {
  std::pair<core::Timestamp, core::Timestamp> domain;
  if (option) {
    domain = *option;
  } else {
    bool any = false;
    for (const auto* ts : series) {
      if (ts->empty()) continue;
      const auto [lo, hi] = std::minmax_element(ts->begin(), ts->end());
      domain.first = any ? std::min(domain.first, *lo) : *lo;
      domain.second = any ? std::max(domain.second, *hi) : *hi;
      any = true;
    }
    if (!any) return std::nullopt;
  }
  if (domain.second < domain.first) return std::nullopt;
  if (domain.second == domain.first) {
    domain.first -= core::kNanosPerHour;
    domain.second += core::kNanosPerHour;
  }
  return domain;
}

// The kept point indices of one series after clipping to the time domain and downsampling.
std::vector<std::size_t> drawable_points(const std::vector<core::Timestamp>& ts, const std::vector<double>& values,
                                         const TimeScale& x) {
  std::vector<double> x_pixels;
  std::vector<double> kept_values;
  std::vector<std::size_t> original;
  x_pixels.reserve(ts.size());
  kept_values.reserve(ts.size());
  original.reserve(ts.size());
  for (std::size_t i = 0; i < ts.size(); ++i) {
    if (ts[i] < x.lo || ts[i] > x.hi) continue;
    x_pixels.push_back(x(ts[i]));
    kept_values.push_back(values[i]);
    original.push_back(i);
  }
  std::vector<std::size_t> kept = downsample_min_max(x_pixels, kept_values);
  for (std::size_t& index : kept) index = original[index];
  return kept;
}

// Splits kept points into runs of finite values (a NaN ends a run).
std::vector<std::vector<std::size_t>> finite_runs(const std::vector<std::size_t>& kept,
                                                  const std::vector<double>& values) {
  std::vector<std::vector<std::size_t>> runs;
  std::vector<std::size_t> current;
  for (std::size_t index : kept) {
    if (std::isfinite(values[index])) {
      current.push_back(index);
    } else if (!current.empty()) {
      runs.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) runs.push_back(std::move(current));
  return runs;
}

struct Rgb {
  int r = 0;
  int g = 0;
  int b = 0;
};

Rgb parse_hex(const std::string& colour) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (colour.size() != 7 || colour[0] != '#') return {};
  int channel[3];
  for (int i = 0; i < 3; ++i) {
    const int hi = digit(colour[1 + 2 * i]);
    const int lo = digit(colour[2 + 2 * i]);
    if (hi < 0 || lo < 0) return {};
    channel[i] = hi * 16 + lo;
  }
  return {channel[0], channel[1], channel[2]};
}

// Relative luminance-ish weight of the cell colour, to choose dark or light text on it.
bool is_dark(const Rgb& c) { return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b < 140.0; }

}  // namespace

// ---- Text helpers ----

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_number(double value, int decimals) {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "+inf" : "-inf";
  decimals = std::clamp(decimals, 0, 17);
  const std::string digits = fmt::format("{:.{}f}", std::fabs(value), decimals);
  const std::size_t point = digits.find('.');
  const std::string integer = digits.substr(0, point);
  std::string out;
  if (value < 0.0 && digits.find_first_not_of("0.") != std::string::npos) out += '-';
  for (std::size_t i = 0; i < integer.size(); ++i) {
    if (i > 0 && (integer.size() - i) % 3 == 0) out += ',';
    out += integer[i];
  }
  if (point != std::string::npos) out += digits.substr(point);
  return out;
}

std::string format_percent(double fraction, int decimals) {
  if (std::isnan(fraction) || std::isinf(fraction)) return format_number(fraction, decimals);
  return format_number(fraction * 100.0, decimals) + "%";
}

// ---- Geometry ----

PlotArea plot_area(const ChartFrame& frame) {
  PlotArea area;
  area.left = frame.margin_left;
  area.top = frame.margin_top;
  area.right = std::max(area.left + 1.0, frame.width - frame.margin_right);
  area.bottom = std::max(area.top + 1.0, frame.height - frame.margin_bottom);
  return area;
}

std::optional<std::pair<double, double>> value_range(const std::vector<double>& values) {
  bool any = false;
  double lo = 0.0;
  double hi = 0.0;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    lo = any ? std::min(lo, v) : v;
    hi = any ? std::max(hi, v) : v;
    any = true;
  }
  if (!any) return std::nullopt;
  if (lo == hi) {
    const double pad = lo == 0.0 ? 1.0 : std::fabs(lo) / 10.0;
    return std::pair{lo - pad, hi + pad};
  }
  return std::pair{lo, hi};
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) return ticks;
  target = std::max(target, 2);
  const double raw = (hi - lo) / target;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  static constexpr std::array<double, 3> kMantissas = {1.0, 2.0, 5.0};
  // The smallest {1, 2, 5} x 10^k not below raw; then smaller steps while fewer than 2 ticks fit.
  int mantissa = 0;
  while (kMantissas[mantissa] * magnitude < raw * (1.0 - 1e-12)) {
    if (++mantissa == 3) {
      mantissa = 0;
      magnitude *= 10.0;
    }
  }
  for (int attempt = 0; attempt < 8; ++attempt) {
    const double step = kMantissas[mantissa] * magnitude;
    const double first = std::ceil(lo / step - 1e-9);
    const double last = std::floor(hi / step + 1e-9);
    if (last - first >= 1.0 || attempt == 7) {
      // Tick i x step for integer i: no accumulated rounding. The count is at most about target.
      const auto count = static_cast<long>(last - first) + 1;
      for (long i = 0; i < count; ++i) {
        const double tick = (first + static_cast<double>(i)) * step;
        ticks.push_back(std::fabs(tick) < step * 1e-9 ? 0.0 : tick);
      }
      break;
    }
    if (--mantissa < 0) {
      mantissa = 2;
      magnitude /= 10.0;
    }
  }
  return ticks;
}

std::vector<std::size_t> downsample_min_max(const std::vector<double>& x_pixels, const std::vector<double>& values) {
  const std::size_t n = std::min(x_pixels.size(), values.size());
  std::vector<std::size_t> kept;
  std::size_t i = 0;
  while (i < n) {
    if (!std::isfinite(values[i])) {
      kept.push_back(i++);
      continue;
    }
    const double column = std::floor(x_pixels[i]);
    std::size_t lowest = i;
    std::size_t highest = i;
    std::size_t last = i;
    std::size_t j = i + 1;
    for (; j < n && std::isfinite(values[j]) && std::floor(x_pixels[j]) == column; ++j) {
      if (values[j] < values[lowest]) lowest = j;
      if (values[j] > values[highest]) highest = j;
      last = j;
    }
    std::array<std::size_t, 4> run = {i, lowest, highest, last};
    std::sort(run.begin(), run.end());
    for (std::size_t k = 0; k < run.size(); ++k) {
      if (k == 0 || run[k] != run[k - 1]) kept.push_back(run[k]);
    }
    i = j;
  }
  return kept;
}

// ---- Line chart ----

std::string line_chart(const LineChart& chart) {
  const ChartFrame& frame = chart.frame;
  std::vector<const std::vector<core::Timestamp>*> all_ts;
  std::vector<double> all_values;
  for (const LineSeries& series : chart.series) {
    if (series.ts.size() != series.values.size()) {
      return no_data(frame, fmt::format("series {} has {} timestamps but {} values", series.name, series.ts.size(),
                                        series.values.size()));
    }
    all_ts.push_back(&series.ts);
  }
  const auto domain = resolve_time_domain(chart.time_domain, all_ts);
  if (!domain) return no_data(frame, "no points");
  const PlotArea area = plot_area(frame);
  const TimeScale x{domain->first, domain->second, area.left, area.right};
  for (const LineSeries& series : chart.series) {
    for (std::size_t i = 0; i < series.ts.size(); ++i) {
      if (series.ts[i] >= x.lo && series.ts[i] <= x.hi) all_values.push_back(series.values[i]);
    }
  }
  if (!value_range(all_values)) return no_data(frame, "no finite values");
  if (chart.reference) all_values.push_back(*chart.reference);
  const auto range = value_range(all_values);
  const LinearScale y{range->first, range->second, area.bottom, area.top};

  std::string out;
  open_svg(out, frame);
  value_axis_left(out, area, y, chart.value_style);
  time_axis(out, area, x, frame.width);
  plot_border(out, area);
  if (chart.reference && std::isfinite(*chart.reference)) {
    line(out, area.left, y(*chart.reference), area.right, y(*chart.reference), "#888",
         "stroke-dasharray=\"4 3\" class=\"reference\"");
  }
  for (const LineSeries& series : chart.series) {
    const std::vector<std::size_t> kept = drawable_points(series.ts, series.values, x);
    fmt::format_to(std::back_inserter(out), "<g class=\"series\"><title>{}</title>", escape_xml(series.name));
    for (const std::vector<std::size_t>& run : finite_runs(kept, series.values)) {
      if (run.size() == 1) {  // an isolated point: a dot, since a one-point path draws nothing
        fmt::format_to(std::back_inserter(out), "<circle cx=\"{}\" cy=\"{}\" r=\"2\" fill=\"{}\"/>",
                       px(x(series.ts[run[0]])), px(y(series.values[run[0]])), escape_xml(series.colour));
        continue;
      }
      out += "<path d=\"";
      for (std::size_t k = 0; k < run.size(); ++k) {
        out += k == 0 ? 'M' : 'L';
        px(out, x(series.ts[run[k]]));
        out += ',';
        px(out, y(series.values[run[k]]));
      }
      fmt::format_to(std::back_inserter(out),
                     "\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>",
                     escape_xml(series.colour));
    }
    out += "</g>";
  }
  if (chart.series.size() >= 2) {
    out += "<g class=\"legend\">";
    double legend_x = area.left + 8.0;
    for (const LineSeries& series : chart.series) {
      line(out, legend_x, area.top + 10.0, legend_x + 16.0, area.top + 10.0, escape_xml(series.colour),
           "stroke-width=\"2\"");
      text(out, legend_x + 20.0, area.top + 14.0, "start", series.name);
      legend_x += 32.0 + text_width(series.name.size());
    }
    out += "</g>";
  }
  close_svg(out);
  return out;
}

// ---- Area chart ----

std::string area_chart(const AreaChart& chart) {
  const ChartFrame& frame = chart.frame;
  if (chart.ts.size() != chart.values.size()) {
    return no_data(frame, fmt::format("{} timestamps but {} values", chart.ts.size(), chart.values.size()));
  }
  const auto domain = resolve_time_domain(chart.time_domain, {&chart.ts});
  if (!domain) return no_data(frame, "no points");
  const PlotArea area = plot_area(frame);
  const TimeScale x{domain->first, domain->second, area.left, area.right};
  std::vector<double> shown;
  for (std::size_t i = 0; i < chart.ts.size(); ++i) {
    if (chart.ts[i] >= x.lo && chart.ts[i] <= x.hi) shown.push_back(chart.values[i]);
  }
  if (!value_range(shown)) return no_data(frame, "no finite values");
  std::pair<double, double> range;
  if (chart.value_domain && std::isfinite(chart.value_domain->first) && std::isfinite(chart.value_domain->second) &&
      chart.value_domain->first < chart.value_domain->second) {
    range = *chart.value_domain;
  } else {
    shown.push_back(0.0);
    range = *value_range(shown);
  }
  const LinearScale y{range.first, range.second, area.bottom, area.top};
  const double zero_y = std::clamp(y(0.0), area.top, area.bottom);
  const std::string colour = escape_xml(chart.colour);

  std::string out;
  open_svg(out, frame);
  value_axis_left(out, area, y, chart.value_style);
  time_axis(out, area, x, frame.width);
  plot_border(out, area);
  const std::vector<std::size_t> kept = drawable_points(chart.ts, chart.values, x);
  out += "<g class=\"series\">";
  for (const std::vector<std::size_t>& run : finite_runs(kept, chart.values)) {
    std::string outline;
    for (std::size_t k = 0; k < run.size(); ++k) {
      outline += 'L';
      px(outline, x(chart.ts[run[k]]));
      outline += ',';
      px(outline, std::clamp(y(chart.values[run[k]]), area.top, area.bottom));
    }
    const double first_x = x(chart.ts[run.front()]);
    const double last_x = x(chart.ts[run.back()]);
    // The filled area: down the baseline at the first point, along the values, back to the baseline.
    fmt::format_to(std::back_inserter(out), "<path d=\"M{},{}{}L{},{}Z\" fill=\"{}\" fill-opacity=\"0.35\"/>",
                   px(first_x), px(zero_y), outline, px(last_x), px(zero_y), colour);
    outline[0] = 'M';
    fmt::format_to(std::back_inserter(out), "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1\"/>", outline,
                   colour);
  }
  out += "</g>";
  line(out, area.left, zero_y, area.right, zero_y, kAxisColour, "class=\"baseline\"");
  close_svg(out);
  return out;
}

// ---- Bar chart ----

std::string bar_chart(const BarChart& chart) {
  ChartFrame frame = chart.frame;
  if (chart.bars.empty()) return no_data(frame, "nothing to show");
  double lo = 0.0;
  double hi = 0.0;
  bool any = false;
  std::size_t longest = 0;
  for (const Bar& bar : chart.bars) {
    longest = std::max(longest, std::min(bar.label.size(), kMaxLabelChars));
    if (!std::isfinite(bar.value)) continue;
    const double error = std::isfinite(bar.error) ? std::fabs(bar.error) : 0.0;
    lo = std::min(lo, bar.value - error);
    hi = std::max(hi, bar.value + error);
    any = true;
  }
  if (!any) return no_data(frame, "no finite values");
  if (lo == hi) hi = 1.0;  // every value 0
  frame.margin_left = std::clamp(text_width(longest) + 12.0, frame.margin_left, frame.width * 0.4);
  const PlotArea area = plot_area(frame);
  const LinearScale x{lo, hi, area.left, area.right};
  const double row = area.height() / static_cast<double>(chart.bars.size());
  const double zero_x = x(0.0);

  std::string out;
  open_svg(out, frame);
  value_axis_bottom(out, area, x, chart.value_style);
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    const Bar& bar = chart.bars[i];
    const double centre = area.top + (static_cast<double>(i) + 0.5) * row;
    fmt::format_to(
        std::back_inserter(out), "<g class=\"bar\"><title>{}: {}{}</title>", escape_xml(bar.label),
        escape_xml(format_significant(bar.value, chart.value_style, chart.value_digits)),
        std::isfinite(bar.error) && bar.error != 0.0
            ? " \u00b1 " + escape_xml(format_significant(std::fabs(bar.error), chart.value_style, chart.value_digits))
            : std::string());
    text(out, area.left - 6.0, centre + 4.0, "end", truncate_label(bar.label));
    if (std::isfinite(bar.value)) {
      const double end = x(bar.value);
      const std::string& fill = bar.value < 0.0 ? chart.negative_colour : chart.colour;
      rect(out, std::min(zero_x, end), centre - row * 0.35, std::fabs(end - zero_x), row * 0.7, escape_xml(fill));
      out += "/>";
      double label_x = bar.value < 0.0 ? zero_x : end;
      if (std::isfinite(bar.error) && bar.error != 0.0) {
        const double e = std::fabs(bar.error);
        const double left = x(bar.value - e);
        const double right = x(bar.value + e);
        const double cap = row * 0.2;
        out += "<g class=\"error-bar\" stroke=\"#222\">";
        line(out, left, centre, right, centre, "#222");
        line(out, left, centre - cap, left, centre + cap, "#222");
        line(out, right, centre - cap, right, centre + cap, "#222");
        out += "</g>";
        if (bar.value >= 0.0) label_x = right;
      }
      text(out, label_x + 4.0, centre + 4.0, "start",
           format_significant(bar.value, chart.value_style, chart.value_digits), "font-size=\"10\"");
    }
    out += "</g>";
  }
  line(out, zero_x, area.top, zero_x, area.bottom, kAxisColour, "class=\"zero\"");
  line(out, area.left, area.bottom, area.right, area.bottom, kAxisColour);
  close_svg(out);
  return out;
}

// ---- Histogram ----

HistogramBins histogram_bins(const std::vector<double>& values, int max_bins) {
  HistogramBins bins;
  std::vector<double> finite;
  finite.reserve(values.size());
  for (double v : values) {
    if (std::isfinite(v)) {
      finite.push_back(v);
    } else {
      ++bins.left_out;
    }
  }
  if (finite.empty()) return bins;
  std::sort(finite.begin(), finite.end());
  const double lo = finite.front();
  const double hi = finite.back();
  const std::size_t n = finite.size();
  if (lo == hi) {
    bins.width = std::max(std::fabs(lo) / 10.0, 1.0);
    bins.lo = lo - bins.width / 2.0;
    bins.counts = {n};
    return bins;
  }
  // Quantiles by linear interpolation between order statistics (numpy's default).
  auto quantile = [&](double q) {
    const double position = q * static_cast<double>(n - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, n - 1);
    return finite[below] + (position - static_cast<double>(below)) * (finite[above] - finite[below]);
  };
  const double iqr = quantile(0.75) - quantile(0.25);
  double count = 0.0;
  if (iqr > 0.0) {
    const double width = 2.0 * iqr / std::cbrt(static_cast<double>(n));
    count = std::ceil((hi - lo) / width);
  } else {
    count = std::ceil(std::sqrt(static_cast<double>(n)));
  }
  const double floor_bins = std::min(5.0, static_cast<double>(n));
  const double ceiling_bins = std::max(floor_bins, static_cast<double>(std::max(max_bins, 1)));
  const auto k = static_cast<std::size_t>(std::clamp(count, floor_bins, ceiling_bins));
  bins.lo = lo;
  bins.width = (hi - lo) / static_cast<double>(k);
  bins.counts.assign(k, 0);
  for (double v : finite) {
    const auto index = static_cast<std::size_t>(std::floor((v - lo) / bins.width));
    ++bins.counts[std::min(index, k - 1)];
  }
  return bins;
}

std::string histogram_chart(const Histogram& chart) {
  const ChartFrame& frame = chart.frame;
  const HistogramBins bins = histogram_bins(chart.values, chart.max_bins);
  if (bins.counts.empty()) return no_data(frame, "no finite values");
  const PlotArea area = plot_area(frame);
  const double lo = bins.lo;
  const double hi = bins.lo + bins.width * static_cast<double>(bins.counts.size());
  const std::size_t most = *std::max_element(bins.counts.begin(), bins.counts.end());
  const LinearScale x{lo, hi, area.left, area.right};
  const LinearScale y{0.0, static_cast<double>(most), area.bottom, area.top};

  std::string out;
  open_svg(out, frame);
  // Count axis: integer ticks only.
  out += "<g class=\"y-axis\">";
  for (double tick : nice_ticks(0.0, static_cast<double>(most), std::max(2, static_cast<int>(area.height() / 45.0)))) {
    if (tick != std::floor(tick)) continue;
    line(out, area.left, y(tick), area.right, y(tick), kGridColour);
    text(out, area.left - 6.0, y(tick) + 4.0, "end", format_number(tick, 0));
  }
  out += "</g>";
  value_axis_bottom(out, area, x, chart.value_style);
  out += "<g class=\"bins\">";
  for (std::size_t i = 0; i < bins.counts.size(); ++i) {
    if (bins.counts[i] == 0) continue;
    const double from = lo + bins.width * static_cast<double>(i);
    const double to = from + bins.width;
    const std::string* fill = &chart.neutral_colour;
    if (chart.colour_by_sign && to <= 0.0) fill = &chart.negative_colour;
    if (chart.colour_by_sign && from >= 0.0) fill = &chart.positive_colour;
    const double left = x(from);
    const double top = y(static_cast<double>(bins.counts[i]));
    rect(out, left + 0.5, top, x(to) - left - 1.0, area.bottom - top, escape_xml(*fill));
    fmt::format_to(std::back_inserter(out), "><title>[{}, {}{}: {}</title></rect>",
                   escape_xml(format_value(from, chart.value_style, 2)),
                   escape_xml(format_value(to, chart.value_style, 2)), i + 1 == bins.counts.size() ? "]" : ")",
                   bins.counts[i]);
  }
  out += "</g>";
  if (chart.colour_by_sign && lo < 0.0 && hi > 0.0) {
    line(out, x(0.0), area.top, x(0.0), area.bottom, kAxisColour, "stroke-dasharray=\"3 2\" class=\"zero\"");
  }
  plot_border(out, area);
  close_svg(out);
  return out;
}

// ---- Heatmap ----

std::string diverging_colour(double value, double limit, const DivergingPalette& palette) {
  const Rgb neutral = parse_hex(palette.neutral);
  Rgb mixed = neutral;
  if (std::isfinite(value) && std::isfinite(limit) && limit > 0.0 && value != 0.0) {
    const double t = std::min(1.0, std::fabs(value) / limit);
    const Rgb end = parse_hex(value > 0.0 ? palette.positive : palette.negative);
    auto mix = [t](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * t)); };
    mixed = {mix(neutral.r, end.r), mix(neutral.g, end.g), mix(neutral.b, end.b)};
  }
  return fmt::format("#{:02x}{:02x}{:02x}", mixed.r, mixed.g, mixed.b);
}

std::string heatmap_chart(const Heatmap& chart) {
  ChartFrame frame = chart.frame;
  const std::size_t rows = chart.row_labels.size();
  const std::size_t columns = chart.column_labels.size();
  if (rows == 0 || columns == 0) return no_data(frame, "nothing to show");
  if (chart.values.size() != rows * columns) {
    return no_data(frame, fmt::format("{} values for {} x {} cells", chart.values.size(), rows, columns));
  }
  double limit = 0.0;
  bool any = false;
  for (double v : chart.values) {
    if (!std::isfinite(v)) continue;
    limit = std::max(limit, std::fabs(v));
    any = true;
  }
  if (!any) return no_data(frame, "no finite values");
  if (chart.limit && std::isfinite(*chart.limit) && *chart.limit > 0.0) limit = *chart.limit;
  std::size_t longest = 0;
  for (const std::string& label : chart.row_labels) longest = std::max(longest, std::min(label.size(), kMaxLabelChars));
  frame.margin_left = std::clamp(text_width(longest) + 12.0, frame.margin_left, frame.width * 0.4);
  const PlotArea area = plot_area(frame);
  const double cell_width = area.width() / static_cast<double>(columns);
  const double cell_height = area.height() / static_cast<double>(rows);

  std::string out;
  open_svg(out, frame);
  out += "<g class=\"column-labels\">";
  for (std::size_t c = 0; c < columns; ++c) {
    text(out, area.left + (static_cast<double>(c) + 0.5) * cell_width, area.top - 6.0, "middle",
         truncate_label(chart.column_labels[c]));
  }
  out += "</g><g class=\"row-labels\">";
  for (std::size_t r = 0; r < rows; ++r) {
    text(out, area.left - 6.0, area.top + (static_cast<double>(r) + 0.5) * cell_height + 4.0, "end",
         truncate_label(chart.row_labels[r]));
  }
  out += "</g><g class=\"cells\">";
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < columns; ++c) {
      const double value = chart.values[r * columns + c];
      const double left = area.left + static_cast<double>(c) * cell_width;
      const double top = area.top + static_cast<double>(r) * cell_height;
      const std::string fill = std::isfinite(value) ? diverging_colour(value, limit, chart.palette) : "#ffffff";
      const std::string shown = format_value(value, chart.value_style, chart.value_decimals);
      rect(out, left, top, cell_width, cell_height, fill, "stroke=\"#fff\" stroke-width=\"1\"");
      fmt::format_to(std::back_inserter(out), "><title>{}, {}: {}</title></rect>", escape_xml(chart.row_labels[r]),
                     escape_xml(chart.column_labels[c]), escape_xml(shown));
      if (!std::isfinite(value)) continue;
      fmt::format_to(std::back_inserter(out), "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
                     px(left + cell_width / 2.0), px(top + cell_height / 2.0 + 4.0),
                     is_dark(parse_hex(fill)) ? "#fff" : kTextColour, escape_xml(shown));
    }
  }
  out += "</g>";
  if (!chart.row_notes.empty()) {
    out += "<g class=\"row-notes\">";
    text(out, area.right + 8.0, area.top - 6.0, "start", chart.row_notes_header, "font-weight=\"bold\"");
    for (std::size_t r = 0; r < rows && r < chart.row_notes.size(); ++r) {
      text(out, area.right + 8.0, area.top + (static_cast<double>(r) + 0.5) * cell_height + 4.0, "start",
           chart.row_notes[r]);
    }
    out += "</g>";
  }
  // Colour key: a gradient from -limit through 0 to +limit.
  const std::string key_id = escape_xml(frame.id) + "-key";
  const double key_width = std::min(240.0, area.width());
  const double key_top = area.bottom + 10.0;
  fmt::format_to(
      std::back_inserter(out),
      "<g class=\"key\"><defs><linearGradient id=\"{}\"><stop offset=\"0\" stop-color=\"{}\"/>"
      "<stop offset=\"0.5\" stop-color=\"{}\"/><stop offset=\"1\" stop-color=\"{}\"/></linearGradient></defs>",
      key_id, diverging_colour(-1.0, 1.0, chart.palette), diverging_colour(0.0, 1.0, chart.palette),
      diverging_colour(1.0, 1.0, chart.palette));
  rect(out, area.left, key_top, key_width, 10.0, fmt::format("url(#{})", key_id), "stroke=\"#ccc\"");
  out += "/>";
  const int key_decimals = chart.value_decimals;
  text(out, area.left, key_top + 22.0, "start", format_value(-limit, chart.value_style, key_decimals));
  text(out, area.left + key_width / 2.0, key_top + 22.0, "middle", format_value(0.0, chart.value_style, 0));
  text(out, area.left + key_width, key_top + 22.0, "end", format_value(limit, chart.value_style, key_decimals));
  out += "</g>";
  close_svg(out);
  return out;
}

}  // namespace itrade::evaluation
