#include "cli/quality_text.h"

#include <fmt/core.h>

#include <algorithm>
#include <set>
#include <string>

#include "core/nyse_calendar.h"
#include "core/time.h"

namespace itrade::cli {
namespace {

std::string new_york_minute(core::Timestamp ts) {
  core::TimeZone new_york = core::TimeZone::new_york();
  return core::format_wall_clock(new_york.to_local(ts)).substr(0, 16);
}

void print_header(const OpenedSource& source) {
  fmt::print("\n{}{}\n", source.name, source.description.empty() ? "" : " — " + source.description);
}

void print_findings(const data::DataQualityReport& r) {
  std::vector<std::string> lines;
  auto add = [&](std::size_t count, std::string_view severity, std::string text) {
    if (count > 0) lines.push_back(fmt::format("  {:7} {}", severity, text));
  };
  add(r.bad_rows, "error", fmt::format("{} malformed rows skipped", r.bad_rows));
  add(r.conflicting_duplicates, "error",
      fmt::format("{} duplicate timestamps with different values (the last row read was kept)",
                  r.conflicting_duplicates));
  add(r.ohlc_violations - r.ohlc_repaired, "error",
      fmt::format("{} rows with open/close outside [low, high] dropped", r.ohlc_violations - r.ohlc_repaired));
  add(r.misaligned_bars, "error", fmt::format("{} bars start off the interval grid", r.misaligned_bars));
  add(r.non_trading_day_bars, "error", fmt::format("{} bars on days the NYSE was closed", r.non_trading_day_bars));
  add(r.outside_calendar_bars, "error", fmt::format("{} bars outside the calendar's years", r.outside_calendar_bars));
  add(r.duplicates - r.conflicting_duplicates, "warning",
      fmt::format("{} exact duplicate rows removed", r.duplicates - r.conflicting_duplicates));
  add(r.out_of_order, "warning", fmt::format("{} rows out of time order (sorted)", r.out_of_order));
  add(r.ohlc_repaired, "warning", fmt::format("{} rows had high/low widened (--repair-ohlc)", r.ohlc_repaired));
  add(r.zero_volume_bars, "warning", fmt::format("{} bars with zero volume", r.zero_volume_bars));
  if (r.missing_session_bars > 0) {
    std::vector<std::string> days;
    for (const auto& gap : r.sessions_missing_bars) {
      days.push_back(fmt::format("{} ({})", core::format_date(gap.day), gap.missing));
    }
    add(r.missing_session_bars, "warning",
        fmt::format("{} regular-session bars missing ({:.3f}% of {}); first sessions with gaps: {}",
                    r.missing_session_bars,
                    100.0 * static_cast<double>(r.missing_session_bars) /
                        static_cast<double>(std::max<std::size_t>(r.expected_session_bars, 1)),
                    r.expected_session_bars, fmt::join(days, ", ")));
  }
  const std::size_t empty_sessions = r.sessions_covered - r.sessions_with_data;
  if (empty_sessions > 0) {
    std::vector<std::string> days;
    for (const auto day : r.sessions_without_data) days.push_back(core::format_date(day));
    add(empty_sessions, "warning",
        fmt::format("{} trading sessions with no bars at all: {}", empty_sessions, fmt::join(days, ", ")));
  }
  if (lines.empty()) return;
  fmt::print("{}:\n", r.ticker);
  for (const auto& line : lines) fmt::print("{}\n", line);
  for (const auto& example : r.examples) fmt::print("          e.g. {}\n", example.message);
}

}  // namespace

void print_quality_reports(const OpenedSource& source, const std::vector<data::LoadedTicker>& loaded) {
  print_header(source);
  fmt::print("{:<8} {:>8} {:<16} {:<16} {:>9} {:>8} {:>6} {:>5} {:>5} {:>5} {:>6} {:>6} {:>7} {:>7} {:>6} {:>8}\n",
             "ticker", "bars", "first (NY)", "last (NY)", "sessions", "missing", "empty", "dup", "order", "ohlc",
             "zerov", "grid", "closed", "extended", "errors", "warnings");
  std::size_t errors = 0, warnings = 0;
  for (const auto& one : loaded) {
    const auto& r = one.report;
    fmt::print(
        "{:<8} {:>8} {:<16} {:<16} {:>4}/{:<4} {:>8} {:>6} {:>5} {:>5} {:>5} {:>6} {:>6} {:>7} {:>7} {:>6} {:>8}\n",
        r.ticker, r.rows_kept, r.rows_kept ? new_york_minute(r.first_bar) : "-",
        r.rows_kept ? new_york_minute(r.last_bar) : "-", r.sessions_with_data, r.sessions_covered,
        r.missing_session_bars, r.sessions_covered - r.sessions_with_data, r.duplicates, r.out_of_order,
        r.ohlc_violations, r.zero_volume_bars, r.misaligned_bars, r.non_trading_day_bars, r.extended_hours_bars,
        r.error_count(), r.warning_count());
    errors += r.error_count();
    warnings += r.warning_count();
  }
  fmt::print("\nfindings ({} errors, {} warnings):\n", errors, warnings);
  for (const auto& one : loaded) print_findings(one.report);
}

void print_summary(const OpenedSource& source, const std::vector<data::LoadedTicker>& loaded) {
  print_header(source);
  const auto& calendar = core::NyseCalendar::instance();
  fmt::print("{:<8} {:>8} {:<16} {:<16} {:>8} {:>10} {:>10} {:>10} {:>14}  {}\n", "ticker", "bars", "first (NY)",
             "last (NY)", "sessions", "low", "high", "last close", "mean volume", "loaded from");
  for (const auto& one : loaded) {
    const auto& bars = one.bars;
    if (bars.empty()) {
      fmt::print("{:<8} {:>8}\n", bars.ticker, 0);
      continue;
    }
    std::set<core::DayNumber> days;
    double volume_sum = 0.0;
    std::size_t volume_count = 0;
    for (std::size_t i = 0; i < bars.size(); ++i) {
      if (calendar.session_containing(bars.ts[i])) days.insert(calendar.new_york_day(bars.ts[i]));
      if (bars.volume[i] >= 0) {
        volume_sum += bars.volume[i];
        ++volume_count;
      }
    }
    const double low = *std::min_element(bars.low.begin(), bars.low.end());
    const double high = *std::max_element(bars.high.begin(), bars.high.end());
    const std::string mean_volume =
        volume_count ? fmt::format("{:.0f}", volume_sum / static_cast<double>(volume_count)) : "absent";
    fmt::print("{:<8} {:>8} {:<16} {:<16} {:>8} {:>10.2f} {:>10.2f} {:>10.2f} {:>14}  {}\n", bars.ticker, bars.size(),
               new_york_minute(bars.ts.front()), new_york_minute(bars.ts.back()), days.size(), low, high,
               bars.close.back(), mean_volume, one.from_cache ? "cache" : "csv");
  }
}

}  // namespace itrade::cli
