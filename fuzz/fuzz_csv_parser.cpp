// libFuzzer target: parse_csv (both bad-row policies, naive New York and UTC) and gunzip on
// arbitrary bytes must never crash, hang or trip a sanitizer; results are checked for
// internal consistency.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "data/csv_parser.h"
#include "data/file_reader.h"

namespace {

void check(const itrade::core::Result<itrade::data::ParsedCsv>& parsed) {
  if (!parsed.ok()) return;
  const auto& csv = *parsed;
  const std::size_t rows = csv.rows();
  if (rows == 0 || csv.open.size() != rows || csv.high.size() != rows || csv.low.size() != rows ||
      csv.close.size() != rows || csv.volume.size() != rows || csv.line.size() != rows ||
      csv.ticker_index.size() != rows) {
    std::abort();
  }
  for (std::size_t i = 0; i < rows; ++i) {
    if (csv.ticker_index[i] >= csv.tickers.size()) std::abort();
    if (!(csv.high[i] >= csv.low[i]) || !(csv.low[i] > 0)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  itrade::data::CsvOptions options;
  options.default_ticker = "FUZZ";
  options.max_reported_problems = 3;
  options.on_bad_row = itrade::data::BadRowPolicy::error;
  check(itrade::data::parse_csv(content, "fuzz.csv", options));
  options.on_bad_row = itrade::data::BadRowPolicy::skip;
  check(itrade::data::parse_csv(content, "fuzz.csv", options));
  options.naive_timezone = itrade::core::TimeZone::new_york();
  check(itrade::data::parse_csv(content, "fuzz.csv", options));
  options.on_bad_row = itrade::data::BadRowPolicy::error;
  check(itrade::data::parse_csv(content, "fuzz.csv", options));
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) (void)itrade::data::gunzip(content, "fuzz.csv.gz");
  return 0;
}
