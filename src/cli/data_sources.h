#pragma once
// Opening the data the user points at: a directory (with an optional source.yaml that says
// how its files are written) or files, with settings from config/system.yaml and flags.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "core/result.h"
#include "data/csv_source.h"

namespace itrade::cli {

// Flags that override source.yaml and system.yaml for one run.
struct SourceOverrides {
  std::optional<std::string> on_bad_row;  // "error" | "skip"
  std::optional<std::string> timezone;    // zone of naive timestamps
  std::optional<std::string> bar_label;   // "start" | "end"
  bool repair_ohlc = false;
  bool no_cache = false;
  bool regular_session_only = false;  // drop pre- and post-market bars (NYSE regular hours only)
};

struct OpenedSource {
  std::string name;                     // the path as the user gave it
  std::string description;              // from source.yaml, may be empty
  std::filesystem::path universes_dir;  // where --tickers looks up universe names
  data::CsvSource source;
};

// The project directory: the parent of --config, else the nearest ancestor of the working
// directory holding config/system.yaml, else the source tree the binary was built from.
core::Result<std::filesystem::path> project_root(const GlobalOptions& global);
// A file of the config directory (--config, else <root>/config).
std::filesystem::path config_file(const std::filesystem::path& root, const GlobalOptions& global,
                                  std::string_view name);

// `paths`, or when none are given the default data directory (data.default_dir).
core::Result<std::vector<std::filesystem::path>> paths_or_default(const std::vector<std::filesystem::path>& paths,
                                                                  const GlobalOptions& global);

// One CsvSource for `path` (a directory or a file).
core::Result<OpenedSource> open_source(const std::filesystem::path& path, const GlobalOptions& global,
                                       const SourceOverrides& overrides);

// A --start/--end style date (YYYY-MM-DD), or `fallback` when the flag was not given.
core::Result<core::DayNumber> optional_date(const std::string& text, core::DayNumber fallback);

// The bars of `tickers_spec` (a universe or a list; empty: every ticker) from `data` (empty: the
// default data directory), through the cache; progress on stderr prefixed by `label`.
core::Result<std::vector<core::BarSeries>> load_bars(const std::filesystem::path& data, const std::string& tickers_spec,
                                                    const GlobalOptions& global, const SourceOverrides& overrides,
                                                    std::string_view label);

// Drops every bar after New York day `last_day` (the paper account's and its backtest's last day).
void keep_through(std::vector<core::BarSeries>& bars, core::DayNumber last_day);

}  // namespace itrade::cli
