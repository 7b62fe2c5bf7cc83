// itrade data validate | inspect | convert | synth

#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/console.h"
#include "cli/data_sources.h"
#include "cli/quality_text.h"
#include "core/time.h"
#include "data/synthetic_market.h"
#include "data/universe.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;

struct DataArgs {
  std::vector<fs::path> paths;
  SourceOverrides overrides;
  std::string tickers_spec;  // inspect: a universe name or a ticker list; empty = every ticker
  // synth
  int tickers = 10;
  int days = 20;
  std::uint64_t seed = 42;
  std::string start = "2024-01-02";
  fs::path out_dir;
};

void add_source_flags(CLI::App& command, DataArgs& args) {
  command.add_option("paths", args.paths,
                     "Data directories (with an optional source.yaml) or CSV files (default: data.default_dir of "
                     "config/system.yaml, the bundled Polygon sample)");
  command
      .add_option("--on-bad-row", args.overrides.on_bad_row,
                  "What a malformed row does: 'error' fails the load naming file:line (default), 'skip' drops it "
                  "and counts it")
      ->check(CLI::IsMember({"error", "skip"}));
  command.add_option("--timezone", args.overrides.timezone,
                     "Zone of timestamps written without an offset (overrides source.yaml), e.g. America/New_York");
  command.add_option("--bar-label", args.overrides.bar_label, "Whether rows are labelled by bar 'start' or 'end'")
      ->check(CLI::IsMember({"start", "end"}));
  command.add_flag("--repair-ohlc", args.overrides.repair_ohlc,
                   "Widen high/low to hold open/close instead of rejecting such rows (counted in the report)");
}

int run_validate(const DataArgs& args, const GlobalOptions& global) {
  auto paths = paths_or_default(args.paths, global);
  if (!paths) return report_error(paths.error());
  std::size_t errors = 0;
  for (const fs::path& path : *paths) {
    auto opened = open_source(path, global, args.overrides);
    if (!opened) return report_error(opened.error());
    auto loaded = opened->source.load_all(progress_line("validate " + path.string()));
    if (!loaded) return report_error(loaded.error());
    print_quality_reports(*opened, *loaded);
    for (const auto& one : *loaded) errors += one.report.error_count();
  }
  if (errors > 0) {
    fmt::print(stderr, "itrade: validate found {} error(s) in the data (see the findings above)\n", errors);
    return kExitInputError;
  }
  return kExitOk;
}

int run_inspect(const DataArgs& args, const GlobalOptions& global) {
  auto paths = paths_or_default(args.paths, global);
  if (!paths) return report_error(paths.error());
  for (const fs::path& path : *paths) {
    auto opened = open_source(path, global, args.overrides);
    if (!opened) return report_error(opened.error());
    std::vector<std::string> tickers = opened->source.tickers();
    if (!args.tickers_spec.empty()) {
      auto resolved = data::resolve_tickers(args.tickers_spec, opened->universes_dir);
      if (!resolved) return report_error(resolved.error());
      tickers = std::move(*resolved);
    }
    auto loaded = opened->source.load(tickers, progress_line("inspect " + path.string()));
    if (!loaded) return report_error(loaded.error());
    print_summary(*opened, *loaded);
  }
  return kExitOk;
}

int run_convert(const DataArgs& args, const GlobalOptions& global) {
  auto paths = paths_or_default(args.paths, global);
  if (!paths) return report_error(paths.error());
  for (const fs::path& path : *paths) {
    auto opened = open_source(path, global, args.overrides);
    if (!opened) return report_error(opened.error());
    auto written = opened->source.write_cache(progress_line("convert " + path.string()));
    if (!written) return report_error(written.error());
    fmt::print("{}: wrote the binary cache of {} tickers under {}\n", path.string(), *written,
               opened->source.options().cache_dir.string());
  }
  return kExitOk;
}

int run_synth(const DataArgs& args) {
  auto first_day = core::parse_date(args.start);
  if (!first_day) return report_error(first_day.error());
  data::SynthOptions options;
  options.tickers = args.tickers;
  options.first_day = *first_day;
  options.days = args.days;
  options.seed = args.seed;
  const auto frame = data::generate_synthetic_market(options);
  if (auto written = data::write_synthetic_csv(args.out_dir, frame); !written) return report_error(written.error());
  fmt::print("wrote {} synthetic tickers, {} bars in all, to {}\n", frame.series.size(), frame.rows(),
             args.out_dir.string());
  return kExitOk;
}

}  // namespace

void add_data_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* data = app.add_subcommand("data", "Load, check, cache and generate bar data");
  data->require_subcommand(1);
  auto args = std::make_shared<DataArgs>();

  auto* validate = data->add_subcommand(
      "validate",
      "Check bar files and print a quality report per ticker: bad rows, duplicates, out-of-order rows, OHLC "
      "violations, zero-volume bars, bars off the interval grid or outside NYSE sessions, missing bars inside "
      "sessions and sessions with no data. Exits 2 when the data has errors.");
  add_source_flags(*validate, *args);
  validate->callback([args, &global, &exit_code] { exit_code = run_validate(*args, global); });

  auto* inspect = data->add_subcommand(
      "inspect", "Summarise bar data per ticker: rows, first and last bar, sessions, price range, volume");
  add_source_flags(*inspect, *args);
  inspect->add_flag("--no-cache", args->overrides.no_cache, "Parse the CSV files even when a fresh cache exists");
  inspect->add_option("--tickers", args->tickers_spec,
                      "Tickers to show: a universe (SINGLE_TICKER, DOW_30, NAS_100, SP_500) or a list such as "
                      "AAPL,MSFT (default: every ticker in the data)");
  inspect->callback([args, &global, &exit_code] { exit_code = run_inspect(*args, global); });

  auto* convert =
      data->add_subcommand("convert",
                           "Write the binary columnar cache (data.cache_dir in system.yaml) that every later load uses "
                           "while it is up to date");
  add_source_flags(*convert, *args);
  convert->callback([args, &global, &exit_code] { exit_code = run_convert(*args, global); });

  auto* synth = data->add_subcommand(
      "synth",
      "Generate a synthetic market (NYSE sessions, overnight gaps, U-shaped volume, volatility "
      "clustering, jumps), deterministic for a seed; for scale benchmarks and tests, not research");
  synth->add_option("--tickers", args->tickers, "Number of tickers (SYN0001, SYN0002, ...)")
      ->check(CLI::Range(1, 10000));
  synth->add_option("--days", args->days, "Trading days to generate")->check(CLI::Range(1, 5000));
  synth->add_option("--seed", args->seed, "Random seed; the same seed gives the same bars");
  synth->add_option("--start", args->start,
                    "First calendar day (YYYY-MM-DD); generation starts at the first "
                    "trading day on or after it");
  synth->add_option("--out", args->out_dir, "Directory to write one CSV per ticker into")->required();
  synth->callback([args, &exit_code] { exit_code = run_synth(*args); });
}

}  // namespace itrade::cli
