#include "data/normalizer.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "core/nyse_calendar.h"

namespace itrade::data {
namespace {

using core::Timestamp;

// Examples kept per kind of finding, so one frequent fault cannot hide the others.
constexpr std::size_t kExamplesPerKind = 3;

struct RowRef {
  Timestamp ts;
  std::uint32_t part;
  std::uint32_t row;
};

class Examples {
 public:
  Examples(DataQualityReport& report, std::size_t max_total) : report_(report), max_total_(max_total) {}

  // `count` is the kind's counter after this finding was counted.
  void note(std::size_t count, const ParsedCsv& part, std::uint32_t row, std::string message) {
    if (count > kExamplesPerKind || report_.examples.size() >= max_total_) return;
    report_.examples.push_back(
        RowProblem{part.line[row], fmt::format("{}:{}: {}", part.file, part.line[row], std::move(message))});
  }

 private:
  DataQualityReport& report_;
  std::size_t max_total_;
};

bool same_values(const ParsedCsv& a, std::uint32_t i, const ParsedCsv& b, std::uint32_t j) {
  return a.open[i] == b.open[j] && a.high[i] == b.high[j] && a.low[i] == b.low[j] && a.close[i] == b.close[j] &&
         a.volume[i] == b.volume[j];
}

std::int64_t floor_to(std::int64_t value, std::int64_t step) {
  const std::int64_t q = value >= 0 ? value / step : (value - step + 1) / step;
  return q * step;
}

}  // namespace

std::size_t DataQualityReport::error_count() const {
  return bad_rows + conflicting_duplicates + (ohlc_violations - ohlc_repaired) + misaligned_bars +
         non_trading_day_bars + outside_calendar_bars;
}

std::size_t DataQualityReport::warning_count() const {
  return (duplicates - conflicting_duplicates) + out_of_order + ohlc_repaired + zero_volume_bars +
         missing_session_bars + (sessions_covered - sessions_with_data);
}

core::Result<NormalizedBars> normalize_ticker(const std::string& ticker, const std::vector<const ParsedCsv*>& parts,
                                              const NormalizeOptions& options) {
  NormalizedBars out;
  DataQualityReport& report = out.report;
  report.ticker = ticker;
  Examples examples(report, options.max_examples);
  const std::int64_t interval = options.interval.ns;
  const std::int64_t label_shift = options.bar_label == BarLabel::end ? interval : 0;

  // Gather this ticker's rows in read order; count rows that go back in time within a file.
  std::vector<RowRef> rows;
  for (std::uint32_t p = 0; p < parts.size(); ++p) {
    const ParsedCsv& part = *parts[p];
    const auto found = std::find(part.tickers.begin(), part.tickers.end(), ticker);
    if (found == part.tickers.end()) continue;
    const auto index = static_cast<std::uint16_t>(found - part.tickers.begin());
    report.files.push_back(part.file);
    report.bad_rows += part.bad_rows;
    Timestamp previous = std::numeric_limits<Timestamp>::min();
    for (std::uint32_t r = 0; r < part.rows(); ++r) {
      if (part.ticker_index[r] != index) continue;
      const Timestamp ts = part.ts[r] - label_shift;
      if (ts < previous) examples.note(++report.out_of_order, part, r, "row is earlier than the row before it");
      previous = ts;
      rows.push_back(RowRef{ts, p, r});
    }
  }
  report.rows_read = rows.size();
  std::stable_sort(rows.begin(), rows.end(), [](const RowRef& a, const RowRef& b) { return a.ts < b.ts; });

  const auto& calendar = core::NyseCalendar::instance();
  core::TimeZone new_york = core::TimeZone::new_york();  // a copy: its cache is per instance
  std::unordered_map<core::DayNumber, std::size_t> session_bars;
  core::BarSeries& bars = out.bars;
  bars.ticker = ticker;
  bars.reserve(rows.size());

  for (std::size_t i = 0; i < rows.size(); ++i) {
    // Of rows sharing a timestamp the last one read wins; earlier ones are duplicates.
    if (i + 1 < rows.size() && rows[i + 1].ts == rows[i].ts) {
      const ParsedCsv& part = *parts[rows[i].part];
      examples.note(++report.duplicates, part, rows[i].row, "duplicate timestamp; a later row replaces it");
      if (!same_values(part, rows[i].row, *parts[rows[i + 1].part], rows[i + 1].row)) {
        examples.note(++report.conflicting_duplicates, part, rows[i].row,
                      "duplicate timestamp with different prices or volume");
      }
      continue;
    }
    const ParsedCsv& part = *parts[rows[i].part];
    const std::uint32_t r = rows[i].row;
    const Timestamp ts = rows[i].ts;
    double open = part.open[r], high = part.high[r], low = part.low[r], close = part.close[r];
    const double volume = part.volume[r];

    if (open < low || open > high || close < low || close > high) {
      ++report.ohlc_violations;
      const std::string what = fmt::format("open {} / close {} outside [low {}, high {}]", open, close, low, high);
      examples.note(report.ohlc_violations, part, r, what);
      if (options.repair_ohlc) {
        ++report.ohlc_repaired;
        high = std::max({high, open, close});
        low = std::min({low, open, close});
      } else if (options.on_bad_row == BadRowPolicy::skip) {
        ++report.ohlc_dropped;
        continue;
      } else {
        return core::input_error("{}:{}: {}; fix the row, or pass --on-bad-row=skip to drop such rows", part.file,
                                 part.line[r], what);
      }
    }

    const core::DayNumber day = calendar.new_york_day(ts);
    bool regular = false;
    if (!calendar.covers(day)) {
      examples.note(++report.outside_calendar_bars, part, r, "bar outside the calendar's years 2000..2030");
    } else if (const auto session = calendar.session(day); !session) {
      examples.note(++report.non_trading_day_bars, part, r,
                    fmt::format("bar on {}, which is not an NYSE trading day", core::format_date(day)));
    } else if (ts >= session->open && ts < session->close) {
      regular = true;
      ++session_bars[day];
      if ((ts - session->open) % interval != 0) {
        examples.note(++report.misaligned_bars, part, r,
                      fmt::format("bar start is not on the {} grid from the session open", options.interval.name()));
      }
    } else {
      ++report.extended_hours_bars;
      const std::int64_t local = new_york.to_local(ts);
      if ((local - core::start_of_day(core::day_of(local))) % interval != 0) {
        examples.note(++report.misaligned_bars, part, r,
                      fmt::format("bar start is not on the {} grid of the day", options.interval.name()));
      }
    }
    if (options.regular_session_only && !regular) {
      ++report.dropped_outside_session;
      continue;
    }
    if (volume == 0.0) examples.note(++report.zero_volume_bars, part, r, "zero volume");
    bars.push_back(ts, open, high, low, close, volume);
  }

  report.rows_kept = bars.size();
  if (!bars.empty()) {
    report.first_bar = bars.ts.front();
    report.last_bar = bars.ts.back();
    const auto first_day = calendar.new_york_day(report.first_bar);
    const auto last_day = calendar.new_york_day(report.last_bar);
    for (const core::Session& session : calendar.sessions_between(first_day, last_day)) {
      ++report.sessions_covered;
      const auto expected = static_cast<std::size_t>((session.close - session.open) / interval);
      const auto found = session_bars.find(session.day);
      if (found == session_bars.end()) {
        if (report.sessions_without_data.size() < options.max_examples) {
          report.sessions_without_data.push_back(session.day);
        }
        continue;
      }
      ++report.sessions_with_data;
      report.expected_session_bars += expected;
      if (found->second >= expected) continue;
      report.missing_session_bars += expected - found->second;
      if (report.sessions_missing_bars.size() < options.max_examples) {
        report.sessions_missing_bars.push_back({session.day, expected - found->second});
      }
    }
  }
  return out;
}

core::BarSeries keep_regular_session(const core::BarSeries& bars) {
  const auto& calendar = core::NyseCalendar::instance();
  core::BarSeries out;
  out.ticker = bars.ticker;
  out.reserve(bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    if (calendar.session_containing(bars.ts[i])) {
      out.push_back(bars.ts[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]);
    }
  }
  return out;
}

core::Result<core::BarSeries> resample(const core::BarSeries& bars, core::Interval from, core::Interval to) {
  if (to.ns < from.ns || to.ns % from.ns != 0) {
    return core::input_error("cannot resample {} bars to {}: the target must be a multiple of {}", from.name(),
                             to.name(), from.name());
  }
  core::BarSeries out;
  out.ticker = bars.ticker;
  if (to == from) {
    out = bars;
    return out;
  }
  const auto& calendar = core::NyseCalendar::instance();
  core::TimeZone new_york = core::TimeZone::new_york();
  Timestamp bucket_of_previous = 0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Timestamp ts = bars.ts[i];
    Timestamp bucket = 0;
    const auto session = calendar.session(calendar.new_york_day(ts));
    if (session && ts >= session->open && ts < session->close) {
      bucket = session->open + floor_to(ts - session->open, to.ns);
    } else {
      // Outside regular hours buckets follow the New York wall clock from midnight.
      const std::int64_t local = new_york.to_local(ts);
      bucket = ts - (local - floor_to(local, to.ns));
    }
    if (out.empty() || bucket != bucket_of_previous) {
      out.push_back(bucket, bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]);
      bucket_of_previous = bucket;
      continue;
    }
    const std::size_t last = out.size() - 1;
    out.high[last] = std::max(out.high[last], bars.high[i]);
    out.low[last] = std::min(out.low[last], bars.low[i]);
    out.close[last] = bars.close[i];
    const bool absent = out.volume[last] < 0 || bars.volume[i] < 0;
    out.volume[last] = absent ? core::kVolumeAbsent : out.volume[last] + bars.volume[i];
  }
  return out;
}

}  // namespace itrade::data
