#pragma once
// CsvSource: a DataSource over CSV files (plain or .csv.gz) — a directory of one file per
// ticker ("AAPL_5m.csv.gz" -> AAPL: the name up to the first '_' or the extension), or
// files with a ticker/symbol column. Loads parse, normalize (normalizer.h) and, when a
// cache directory is set, keep a binary cache per ticker (bar_cache.h) that later loads
// use while it is up to date.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bars.h"
#include "core/interval.h"
#include "core/result.h"
#include "data/bar_cache.h"
#include "data/csv_parser.h"
#include "data/data_source.h"
#include "data/normalizer.h"

namespace itrade::data {

struct CsvSourceOptions {
  core::TimeZone naive_timezone = core::TimeZone::utc();  // zone of timestamps without offset
  BarLabel bar_label = BarLabel::start;
  core::Interval interval;            // the interval the files hold
  bool ticker_from_column = false;    // else from the file name
  bool regular_session_only = false;  // fetch() returns regular-session bars only
  bool repair_ohlc = false;
  BadRowPolicy on_bad_row = BadRowPolicy::error;
  std::filesystem::path cache_dir;  // empty: no binary cache
};

struct LoadedTicker {
  core::BarSeries bars;
  DataQualityReport report;  // empty (only ticker and rows_kept) when read from the cache
  bool from_cache = false;
};

// Called as work proceeds: `done` of `total` units, and what is being worked on.
using ProgressFn = std::function<void(std::size_t done, std::size_t total, std::string_view what)>;

class CsvSource final : public DataSource {
 public:
  // `paths` are CSV files or directories holding them (not recursive). No file is an input
  // error naming the paths.
  static core::Result<CsvSource> open(const std::vector<std::filesystem::path>& paths, CsvSourceOptions options);

  // Tickers known from file names (filename mode) or from parsing (column mode, after a load).
  std::vector<std::string> tickers() const;
  const CsvSourceOptions& options() const { return options_; }

  // Parses and normalizes every file, with a full quality report per ticker; no cache, no
  // range filter. This is what `itrade data validate` runs.
  core::Result<std::vector<LoadedTicker>> load_all(const ProgressFn& progress = {});

  // Whole history of `tickers`, through the cache when it is fresh (and refreshing it when
  // it is not). Unknown tickers are input errors listing the nearest known ones.
  core::Result<std::vector<LoadedTicker>> load(const std::vector<std::string>& tickers,
                                               const ProgressFn& progress = {});

  core::Result<core::BarFrame> fetch(const std::vector<std::string>& tickers, core::Timestamp start,
                                     core::Timestamp end, core::Interval interval) override;
  bool healthcheck() override;

  // Writes the cache of every ticker (itrade data convert). Needs cache_dir.
  core::Result<std::size_t> write_cache(const ProgressFn& progress = {});

  // The ticker a file name stands for: "AAPL_5m.csv.gz" -> "AAPL", "BRK.B.csv" -> "BRK.B".
  static std::string ticker_from_file_name(std::string_view file_name);

 private:
  struct File {
    std::filesystem::path path;
    std::string ticker;  // from the name
  };
  CsvSource(std::vector<File> files, CsvSourceOptions options)
      : files_(std::move(files)), options_(std::move(options)) {}

  std::vector<const File*> files_of(const std::string& ticker) const;
  core::Result<ParsedCsv> parse(const File& file) const;
  core::Result<LoadedTicker> normalize(const std::string& ticker, const std::vector<const ParsedCsv*>& parts) const;
  std::filesystem::path cache_path(const std::string& ticker) const;
  // Identifies the files and options a ticker's cache was built from.
  CacheStamp cache_stamp(const std::string& ticker) const;
  std::string options_fingerprint() const;

  std::vector<File> files_;
  CsvSourceOptions options_;
  std::vector<std::string> column_tickers_;  // column mode: learned from parsing
};

}  // namespace itrade::data
