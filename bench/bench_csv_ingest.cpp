// CSV ingest speed: parse_csv over one file already in memory (reading and inflating are not
// timed). The file comes from $ITRADE_BENCH_CSV, default the Polygon AAPL sample. Naive
// times are read as New York for IBKR files (name contains "ibkr"), else UTC.
// items_per_second = rows parsed per second.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "data/csv_parser.h"
#include "data/file_reader.h"

namespace {

std::string bench_path() {
  const char* env = std::getenv("ITRADE_BENCH_CSV");
  return env != nullptr && *env != '\0' ? env : ITRADE_SAMPLE_DIR "/polygon/AAPL_5m.csv.gz";
}

void BM_ParseCsv(benchmark::State& state) {
  const std::string path = bench_path();
  auto content = itrade::data::read_file(path);
  if (!content.ok()) {
    state.SkipWithError(("cannot read " + path + ": " + content.error().message).c_str());
    return;
  }
  itrade::data::CsvOptions options;
  options.default_ticker = "BENCH";
  if (path.find("ibkr") != std::string::npos) options.naive_timezone = itrade::core::TimeZone::new_york();
  std::size_t rows = 0;
  for (auto _ : state) {
    auto parsed = itrade::data::parse_csv(*content, path, options);
    if (!parsed.ok()) {
      state.SkipWithError(parsed.error().message.c_str());
      return;
    }
    rows = parsed->rows();
    benchmark::DoNotOptimize(parsed->ts.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * content->size()));
  state.SetLabel(path + " (" + std::to_string(rows) + " rows)");
}
BENCHMARK(BM_ParseCsv)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
