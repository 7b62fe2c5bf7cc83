#pragma once
// Parses one CSV file of bars (already in memory, see file_reader.h) into columns, in file
// order, without normalizing: timestamps are converted to UTC ns but keep their label
// (start or end of the bar; the normalizer shifts), rows are not sorted or de-duplicated.
// Accepted layouts, column aliases and timestamp formats: docs/data.md.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace itrade::data {

enum class BadRowPolicy {
  error,  // any bad row fails the load; the error lists the problems (file:line: what)
  skip,   // bad rows are dropped and counted; the problems are kept for the report
};

struct CsvOptions {
  // Zone of timestamps written without an offset or 'Z'.
  core::TimeZone naive_timezone = core::TimeZone::utc();
  // Ticker of every row when the file has no ticker/symbol column (usually from the file name).
  std::string default_ticker;
  BadRowPolicy on_bad_row = BadRowPolicy::error;
  // Problems kept with their text; every problem is counted regardless.
  std::size_t max_reported_problems = 20;
};

struct RowProblem {
  std::size_t line = 0;  // 1-based line in the file
  std::string message;   // e.g. "high 10.5 < low 11.0"
};

struct ParsedCsv {
  std::string file;  // as given to parse_csv, used in every message
  std::vector<core::Timestamp> ts;
  std::vector<double> open;
  std::vector<double> high;
  std::vector<double> low;
  std::vector<double> close;
  std::vector<double> volume;               // -1 where the file has no volume column
  std::vector<std::uint32_t> line;          // 1-based file line of each row
  std::vector<std::uint16_t> ticker_index;  // index into `tickers` of each row
  std::vector<std::string> tickers;         // distinct tickers in order of first appearance
  bool has_volume = false;
  std::size_t bad_rows = 0;          // rows dropped under BadRowPolicy::skip
  std::vector<RowProblem> problems;  // the first max_reported_problems bad rows

  std::size_t rows() const { return ts.size(); }
};

// Errors (input kind): empty content, no usable header (names the missing columns and the
// accepted aliases), and under BadRowPolicy::error any bad row: wrong column count,
// non-numeric or NaN/inf field, non-positive price, high < low, negative volume,
// unparsable timestamp, nonexistent local time. The message starts with "file:line:".
core::Result<ParsedCsv> parse_csv(std::string_view content, std::string_view file, const CsvOptions& options);

}  // namespace itrade::data
