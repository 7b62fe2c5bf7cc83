#pragma once
// SystemConfig: the project-wide settings in <project root>/config/system.yaml, and the
// per-directory source.yaml that describes one directory of CSV bar files. Keys, defaults
// and examples: docs/configuration.md. All errors are input errors in the ConfigNode format
// "<file>:<line>: <key.path>: <problem>; <what to do>".

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/interval.h"
#include "core/result.h"
#include "core/time.h"

namespace itrade::core {

// Which instant labels a bar row in a file.
enum class BarLabel { start, end };
// What a CSV loader does with a malformed row (mirrors data::BadRowPolicy; core cannot see data).
enum class OnBadRow { error, skip };
// Which hours the files hold: regular 09:30-16:00 New York, or extended 04:00-20:00.
enum class TradingHours { regular, extended };
// Where a row's ticker comes from: the file name ("AAPL_5m.csv.gz" -> AAPL) or a column.
enum class TickerFrom { filename, column };

std::string_view to_string(BarLabel label);
std::string_view to_string(OnBadRow action);
std::string_view to_string(TradingHours hours);
std::string_view to_string(TickerFrom from);

// How to read the CSV files of one data directory.
struct SourceSettings {
  std::string description;                   // free text, for listings
  std::string provenance;                    // free text: where the files came from
  TimeZone timezone = TimeZone::new_york();  // zone of timestamps written without an offset
  BarLabel bar_label = BarLabel::start;
  std::optional<Interval> interval;  // bar interval of the files, when declared
  TradingHours session = TradingHours::regular;
  TickerFrom ticker_from = TickerFrom::filename;
  OnBadRow on_bad_row = OnBadRow::error;  // from system.yaml data.defaults only
};

struct SystemConfig {
  std::filesystem::path project_root;                 // the directory containing config/
  std::filesystem::path config_file;                  // <project_root>/config/system.yaml
  std::filesystem::path data_dir;                     // data.default_dir, absolute
  std::filesystem::path cache_dir;                    // data.cache_dir, absolute
  std::filesystem::path universes_dir;                // universe.dir (default data/universes), absolute
  SourceSettings source_defaults;                     // data.defaults; interval = the top-level interval
  std::string default_universe;                       // universe.default, a universe name or ticker list
  Interval interval;                                  // the trading bar interval
  TimeZone exchange_timezone = TimeZone::new_york();  // timezone: the exchange's zone
};

// Loads <project_root>/config/system.yaml. Relative paths in it resolve against
// `project_root` (made absolute first). Errors: missing/unreadable file, YAML syntax,
// unknown keys, missing required keys, bad values (unknown zone, bad interval, bad enum).
Result<SystemConfig> load_system_config(const std::filesystem::path& project_root);

// Walks up from `start` to the first directory holding config/system.yaml. Error when none
// is found (input: "run inside the project or pass --root").
Result<std::filesystem::path> find_project_root(const std::filesystem::path& start);

// Reads <dir>/source.yaml over `defaults`: keys present override, keys absent keep the
// default. No source.yaml: `defaults` unchanged. Keys: description, provenance, timezone,
// bar_label (start|end), interval, session (regular|extended), ticker_from (filename|column).
Result<SourceSettings> load_source_settings(const std::filesystem::path& dir, const SourceSettings& defaults);

}  // namespace itrade::core
