#include "evaluation/signal_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "core/strings.h"
#include "data/file_reader.h"

namespace itrade::evaluation {
namespace {

// The fields of one CSV line (RFC 4180 quotes: "a,b" is one field, "" inside quotes is a quote).
// nullopt for a quote that is never closed.
std::optional<std::vector<std::string>> csv_fields(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) return std::nullopt;
  return fields;
}

// A finite number, or nullopt. An empty field is NaN (no value).
std::optional<double> number(std::string_view text) {
  if (text.empty()) return std::nan("");
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

int column_of(const std::vector<std::string>& header, std::string_view name) {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : static_cast<int>(it - header.begin());
}

}  // namespace

core::Result<SignalFile> read_signal_file(const std::filesystem::path& path) {
  auto content = data::read_file(path);
  if (!content) return content.error();
  const std::string file = path.string();
  std::vector<std::string_view> lines = core::split(*content, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) {
    return core::input_error(
        "{}: empty file; a signals file starts with a header line such as ticker,ts,signal,"
        "confidence",
        file);
  }
  const auto strip_cr = [](std::string_view line) {
    return !line.empty() && line.back() == '\r' ? line.substr(0, line.size() - 1) : line;
  };
  auto header = csv_fields(strip_cr(lines.front()));
  if (!header) return core::input_error("{}:1: unclosed quote in the header line", file);
  for (auto& name : *header) name = std::string(core::trim(name));
  const int ticker_col = column_of(*header, "ticker");
  const int ts_col = column_of(*header, "ts");
  const int signal_col = column_of(*header, "signal");
  const int confidence_col = column_of(*header, "confidence");
  if (ticker_col < 0 || ts_col < 0 || signal_col < 0) {
    return core::input_error(
        "{}:1: the header needs the columns ticker, ts and signal (confidence optional); it has "
        "{}",
        file, core::join(*header, ","));
  }

  SignalFile out;
  out.path = path;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const int line = static_cast<int>(i) + 1;
    const std::string_view text = strip_cr(lines[i]);
    if (text.empty()) continue;
    auto fields = csv_fields(text);
    if (!fields) return core::input_error("{}:{}: unclosed quote", file, line);
    if (fields->size() != header->size()) {
      return core::input_error("{}:{}: {} fields where the header has {}", file, line, fields->size(), header->size());
    }
    const std::string& ticker = (*fields)[static_cast<std::size_t>(ticker_col)];
    if (ticker.empty()) return core::input_error("{}:{}: empty ticker", file, line);
    auto ts = core::parse_utc((*fields)[static_cast<std::size_t>(ts_col)]);
    if (!ts) return core::input_error("{}:{}: ts: {}", file, line, ts.error().message);
    SignalRow row{*ts, 0.0, 1.0, line};
    const std::string& signal_text = (*fields)[static_cast<std::size_t>(signal_col)];
    const auto signal = number(signal_text);
    if (!signal || std::abs(*signal) > 1.0) {
      return core::input_error("{}:{}: signal '{}' is not a number in [-1, 1] (leave it empty for no prediction)", file,
                               line, signal_text);
    }
    row.signal = *signal;
    if (confidence_col >= 0 && !std::isnan(row.signal)) {
      const std::string& text_confidence = (*fields)[static_cast<std::size_t>(confidence_col)];
      const auto confidence = number(text_confidence);
      if (!confidence || !(*confidence >= 0.0 && *confidence <= 1.0)) {
        return core::input_error("{}:{}: confidence '{}' is not a number in [0, 1]", file, line, text_confidence);
      }
      row.confidence = *confidence;
    }
    auto& rows = out.rows[ticker];
    if (rows.empty()) out.tickers.push_back(ticker);
    if (!rows.empty() && rows.back().ts >= row.ts) {
      return core::input_error(
          "{}:{}: {} at {} does not come after its previous row (line {}); a ticker's rows must "
          "be in strictly increasing time",
          file, line, ticker, core::format_utc(row.ts), rows.back().line);
    }
    rows.push_back(row);
  }
  if (out.rows.empty()) return core::input_error("{}: no signal rows after the header", file);
  return out;
}

core::Result<std::vector<TickerSignals>> align_signals(const SignalFile& file, std::span<const core::BarSeries> bars) {
  for (const auto& [ticker, rows] : file.rows) {
    const bool loaded = std::any_of(bars.begin(), bars.end(), [&](const auto& s) { return s.ticker == ticker; });
    if (!loaded) {
      return core::input_error(
          "{}:{}: ticker {} has signals but no bars in the data; load its bars (--tickers, "
          "--data) or drop its rows",
          file.path.string(), rows.front().line, ticker);
    }
  }
  std::vector<TickerSignals> out(bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const core::BarSeries& series = bars[i];
    TickerSignals& signals = out[i];
    signals.signal.assign(series.size(), std::numeric_limits<double>::quiet_NaN());
    signals.confidence.assign(series.size(), std::numeric_limits<double>::quiet_NaN());
    const auto found = file.rows.find(series.ticker);
    if (found == file.rows.end()) continue;
    for (const SignalRow& row : found->second) {
      const auto at = std::lower_bound(series.ts.begin(), series.ts.end(), row.ts);
      if (at == series.ts.end() || *at != row.ts) {
        return core::input_error(
            "{}:{}: {} has no bar starting at {}; each signal belongs to the bar at whose close "
            "it was computed",
            file.path.string(), row.line, series.ticker, core::format_utc(row.ts));
      }
      const auto k = static_cast<std::size_t>(at - series.ts.begin());
      signals.signal[k] = row.signal;
      signals.confidence[k] = row.confidence;
    }
  }
  return out;
}

}  // namespace itrade::evaluation
