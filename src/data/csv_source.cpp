#include "data/csv_source.h"

#include <algorithm>
#include <map>
#include <optional>
#include <system_error>

#include "core/strings.h"
#include "data/bar_cache.h"
#include "data/file_reader.h"

namespace itrade::data {
namespace {

namespace fs = std::filesystem;

bool is_csv_name(const std::string& name) {
  return name.ends_with(".csv") || name.ends_with(".csv.gz") || name.ends_with(".CSV") || name.ends_with(".CSV.GZ");
}

core::Error unknown_ticker(const std::string& ticker, const std::vector<std::string>& known) {
  const auto nearest = core::nearest_names(ticker, known);
  std::string hint = nearest.empty() ? "" : fmt::format(" (nearest: {})", fmt::join(nearest, ", "));
  return core::input_error("no data for ticker '{}'{}; the source holds {} tickers: {}", ticker, hint, known.size(),
                           fmt::join(known, ","));
}

core::Status write_cache_file(const fs::path& path, const core::BarSeries& bars, const CacheStamp& stamp) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    return core::runtime_error("{}: cannot create the cache directory: {}", path.parent_path().string(), ec.message());
  return write_bar_cache(path, bars, stamp);
}

}  // namespace

std::string CsvSource::ticker_from_file_name(std::string_view file_name) {
  for (std::string_view suffix : {".gz", ".GZ"}) {
    if (file_name.ends_with(suffix)) file_name.remove_suffix(suffix.size());
  }
  for (std::string_view suffix : {".csv", ".CSV"}) {
    if (file_name.ends_with(suffix)) file_name.remove_suffix(suffix.size());
  }
  file_name = file_name.substr(0, file_name.find('_'));
  return core::to_upper(file_name);
}

core::Result<CsvSource> CsvSource::open(const std::vector<fs::path>& paths, CsvSourceOptions options) {
  std::vector<File> files;
  for (const fs::path& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> found;
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.is_regular_file() && is_csv_name(entry.path().filename().string())) found.push_back(entry.path());
      }
      if (ec) return core::input_error("{}: cannot list the directory: {}", path.string(), ec.message());
      std::sort(found.begin(), found.end());
      if (found.empty()) return core::input_error("{}: no .csv or .csv.gz files in this directory", path.string());
      for (auto& file : found) files.push_back(File{file, ticker_from_file_name(file.filename().string())});
    } else if (fs::exists(path, ec)) {
      files.push_back(File{path, ticker_from_file_name(path.filename().string())});
    } else {
      return core::input_error("{}: no such file or directory; give a CSV file or a directory of them", path.string());
    }
  }
  if (files.empty()) return core::input_error("no data files given");
  return CsvSource(std::move(files), std::move(options));
}

std::vector<std::string> CsvSource::tickers() const {
  if (options_.ticker_from_column && !column_tickers_.empty()) return column_tickers_;
  std::vector<std::string> names;
  for (const File& file : files_) {
    if (std::find(names.begin(), names.end(), file.ticker) == names.end()) names.push_back(file.ticker);
  }
  return names;
}

std::vector<const CsvSource::File*> CsvSource::files_of(const std::string& ticker) const {
  std::vector<const File*> out;
  for (const File& file : files_) {
    // In column mode any file may hold any ticker.
    if (options_.ticker_from_column || file.ticker == ticker) out.push_back(&file);
  }
  return out;
}

core::Result<ParsedCsv> CsvSource::parse(const File& file) const {
  auto content = read_file(file.path);
  if (!content) return content.error();
  CsvOptions csv;
  csv.naive_timezone = options_.naive_timezone;
  csv.default_ticker = file.ticker;
  csv.on_bad_row = options_.on_bad_row;
  auto parsed = parse_csv(*content, file.path.string(), csv);
  if (!parsed) return parsed.error();
  if (!options_.ticker_from_column) {
    // The file name decides; a ticker column that disagrees would be a silent mix-up.
    for (const auto& name : parsed->tickers) {
      if (name != file.ticker) {
        return core::input_error(
            "{}: holds rows of ticker '{}' but its name says '{}'; rename the file or set "
            "ticker_from: column in source.yaml",
            file.path.string(), name, file.ticker);
      }
    }
  }
  return parsed;
}

core::Result<LoadedTicker> CsvSource::normalize(const std::string& ticker,
                                                const std::vector<const ParsedCsv*>& parts) const {
  NormalizeOptions normalize_options;
  normalize_options.bar_label = options_.bar_label;
  normalize_options.interval = options_.interval;
  normalize_options.repair_ohlc = options_.repair_ohlc;
  normalize_options.on_bad_row = options_.on_bad_row;
  auto normalized = normalize_ticker(ticker, parts, normalize_options);
  if (!normalized) return normalized.error();
  return LoadedTicker{std::move(normalized->bars), std::move(normalized->report), false};
}

core::Result<std::vector<LoadedTicker>> CsvSource::load_all(const ProgressFn& progress) {
  std::vector<ParsedCsv> parsed;
  parsed.reserve(files_.size());
  std::vector<std::string> names;
  for (std::size_t i = 0; i < files_.size(); ++i) {
    if (progress) progress(i, files_.size(), files_[i].path.filename().string());
    auto one = parse(files_[i]);
    if (!one) return one.error();
    for (const auto& name : one->tickers) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    parsed.push_back(std::move(*one));
  }
  if (progress) progress(files_.size(), files_.size(), "parsed");
  if (options_.ticker_from_column) column_tickers_ = names;

  std::vector<const ParsedCsv*> parts;
  for (const auto& one : parsed) parts.push_back(&one);
  std::vector<LoadedTicker> out;
  for (const std::string& ticker : names) {
    auto loaded = normalize(ticker, parts);
    if (!loaded) return loaded.error();
    out.push_back(std::move(*loaded));
  }
  return out;
}

std::string CsvSource::options_fingerprint() const {
  return fmt::format("tz={};label={};interval={};column={};repair={};bad_row={}", options_.naive_timezone.name(),
                     options_.bar_label == BarLabel::start ? "start" : "end", options_.interval.ns,
                     options_.ticker_from_column, options_.repair_ohlc,
                     options_.on_bad_row == BadRowPolicy::error ? "error" : "skip");
}

CacheStamp CsvSource::cache_stamp(const std::string& ticker) const {
  std::vector<fs::path> paths;
  for (const File* file : files_of(ticker)) paths.push_back(file->path);
  return CacheStamp{fingerprint_files(paths, options_fingerprint())};
}

fs::path CsvSource::cache_path(const std::string& ticker) const {
  // One cache folder per set of source files, so that two data directories never share one.
  std::string paths;
  for (const File& file : files_) paths += fs::absolute(file.path).lexically_normal().string() + '|';
  const std::uint64_t key = std::hash<std::string>{}(paths);
  return options_.cache_dir / fmt::format("{:016x}", key) / (ticker + ".bars");
}

core::Result<std::vector<LoadedTicker>> CsvSource::load(const std::vector<std::string>& tickers,
                                                        const ProgressFn& progress) {
  std::vector<LoadedTicker> out;
  std::map<const File*, ParsedCsv> parsed;  // a file is parsed at most once per call
  const bool use_cache = !options_.cache_dir.empty();
  if (!options_.ticker_from_column) {
    // Name every ticker the files lack at once, not one per run.
    std::vector<std::string> missing;
    for (const auto& ticker : tickers) {
      if (files_of(ticker).empty()) missing.push_back(ticker);
    }
    if (missing.size() == 1) return unknown_ticker(missing[0], this->tickers());
    if (missing.size() > 1) {
      return core::input_error("no data for {} of the {} tickers asked for: {}; the source holds {}", missing.size(),
                               tickers.size(), fmt::join(missing, ","), fmt::join(this->tickers(), ","));
    }
  }
  for (std::size_t i = 0; i < tickers.size(); ++i) {
    const std::string& ticker = tickers[i];
    if (progress) progress(i, tickers.size(), ticker);
    const auto files = files_of(ticker);

    const CacheStamp stamp = cache_stamp(ticker);
    if (use_cache) {
      auto cached = read_bar_cache(cache_path(ticker), stamp);
      if (cached.status == CacheStatus::fresh) {
        LoadedTicker loaded;
        loaded.bars = std::move(cached.bars);
        loaded.report.ticker = ticker;
        loaded.report.rows_kept = loaded.bars.size();
        loaded.from_cache = true;
        out.push_back(std::move(loaded));
        continue;
      }
      if (cached.status == CacheStatus::corrupt) {
        fmt::print(stderr, "itrade: warning: {}; rebuilding it from the CSV files\n", cached.message);
      }
    }

    std::vector<const ParsedCsv*> parts;
    for (const File* file : files) {
      auto found = parsed.find(file);
      if (found == parsed.end()) {
        auto one = parse(*file);
        if (!one) return one.error();
        found = parsed.emplace(file, std::move(*one)).first;
      }
      parts.push_back(&found->second);
    }
    auto loaded = normalize(ticker, parts);
    if (!loaded) return loaded.error();
    if (loaded->report.rows_read == 0) return unknown_ticker(ticker, this->tickers());
    if (use_cache) {
      if (auto written = write_cache_file(cache_path(ticker), loaded->bars, stamp); !written) {
        fmt::print(stderr, "itrade: warning: cannot write the bar cache: {}\n", written.error().message);
      }
    }
    out.push_back(std::move(*loaded));
  }
  if (progress) progress(tickers.size(), tickers.size(), "loaded");
  return out;
}

core::Result<core::BarFrame> CsvSource::fetch(const std::vector<std::string>& tickers, core::Timestamp start,
                                              core::Timestamp end, core::Interval interval) {
  if (interval.ns < options_.interval.ns) {
    return core::input_error("the data holds {} bars; {} bars cannot be made from them", options_.interval.name(),
                             interval.name());
  }
  auto loaded = load(tickers);
  if (!loaded) return loaded.error();
  core::BarFrame frame;
  for (LoadedTicker& one : *loaded) {
    core::BarSeries& bars = one.bars;
    if (options_.regular_session_only) bars = keep_regular_session(bars);
    const auto first = std::lower_bound(bars.ts.begin(), bars.ts.end(), start) - bars.ts.begin();
    const auto last = std::lower_bound(bars.ts.begin(), bars.ts.end(), end) - bars.ts.begin();
    bars.keep_range(static_cast<std::size_t>(first), static_cast<std::size_t>(last));
    if (interval != options_.interval) {
      auto coarser = resample(bars, options_.interval, interval);
      if (!coarser) return coarser.error();
      bars = std::move(*coarser);
    }
    frame.series.push_back(std::move(bars));
  }
  return frame;
}

bool CsvSource::healthcheck() {
  return std::all_of(files_.begin(), files_.end(), [](const File& file) {
    std::error_code ec;
    return fs::is_regular_file(file.path, ec);
  });
}

core::Result<std::size_t> CsvSource::write_cache(const ProgressFn& progress) {
  if (options_.cache_dir.empty()) return core::input_error("no cache directory is configured (data.cache_dir)");
  auto all = load_all(progress);
  if (!all) return all.error();
  std::size_t written = 0;
  for (const LoadedTicker& one : *all) {
    if (auto status = write_cache_file(cache_path(one.bars.ticker), one.bars, cache_stamp(one.bars.ticker)); !status) {
      return status.error();
    }
    ++written;
  }
  return written;
}

}  // namespace itrade::data
