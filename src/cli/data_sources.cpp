#include "cli/data_sources.h"

#include <system_error>

#include "cli/console.h"
#include "core/nyse_calendar.h"
#include "core/system_config.h"
#include "data/normalizer.h"
#include "data/universe.h"

namespace itrade::cli {

namespace fs = std::filesystem;

core::Result<fs::path> project_root(const GlobalOptions& global) {
  if (!global.config_dir.empty()) return fs::absolute(global.config_dir).lexically_normal().parent_path();
  std::error_code ec;
  auto found = core::find_project_root(fs::current_path(ec));
  if (found) return found;
  // Run from outside the project: fall back to the source tree the binary was built from.
  if (fs::exists(fs::path(ITRADE_SOURCE_DIR) / "config" / "system.yaml", ec)) return fs::path(ITRADE_SOURCE_DIR);
  return found.error();
}

fs::path config_file(const fs::path& root, const GlobalOptions& global, std::string_view name) {
  return (global.config_dir.empty() ? root / "config" : global.config_dir) / name;
}

core::Result<std::vector<fs::path>> paths_or_default(const std::vector<fs::path>& paths, const GlobalOptions& global) {
  if (!paths.empty()) return paths;
  auto root = project_root(global);
  if (!root) return root.error();
  auto config = core::load_system_config(*root);
  if (!config) return config.error();
  return std::vector<fs::path>{config->data_dir};
}

core::Result<OpenedSource> open_source(const fs::path& path, const GlobalOptions& global,
                                       const SourceOverrides& overrides) {
  auto root = project_root(global);
  if (!root) return root.error();
  auto config = core::load_system_config(*root);
  if (!config) return config.error();

  std::error_code ec;
  const fs::path dir = fs::is_directory(path, ec) ? path : path.parent_path();
  auto settings = core::load_source_settings(dir.empty() ? fs::path(".") : dir, config->source_defaults);
  if (!settings) return settings.error();

  data::CsvSourceOptions options;
  options.naive_timezone = settings->timezone;
  if (overrides.timezone) {
    auto zone = core::TimeZone::find(*overrides.timezone);
    if (!zone) return zone.error();
    options.naive_timezone = *zone;
  }
  options.bar_label = settings->bar_label;
  if (overrides.bar_label)
    options.bar_label = *overrides.bar_label == "end" ? data::BarLabel::end : data::BarLabel::start;
  options.interval = settings->interval.value_or(config->interval);
  options.ticker_from_column = settings->ticker_from == core::TickerFrom::column;
  options.repair_ohlc = overrides.repair_ohlc;
  const bool skip =
      overrides.on_bad_row ? *overrides.on_bad_row == "skip" : settings->on_bad_row == core::OnBadRow::skip;
  options.on_bad_row = skip ? data::BadRowPolicy::skip : data::BadRowPolicy::error;
  if (!overrides.no_cache) options.cache_dir = config->cache_dir;

  auto source = data::CsvSource::open({path}, std::move(options));
  if (!source) return source.error();
  return OpenedSource{path.string(), settings->description, config->universes_dir, std::move(*source)};
}

void keep_through(std::vector<core::BarSeries>& bars, core::DayNumber last_day) {
  const core::NyseCalendar& calendar = core::NyseCalendar::instance();
  for (core::BarSeries& b : bars) {
    std::size_t keep = 0;
    while (keep < b.size() && calendar.new_york_day(b.ts[keep]) <= last_day) ++keep;
    b.keep_range(0, keep);
  }
}

core::Result<core::DayNumber> optional_date(const std::string& text, core::DayNumber fallback) {
  if (text.empty()) return fallback;
  return core::parse_date(text);
}

core::Result<std::vector<core::BarSeries>> load_bars(const fs::path& data, const std::string& tickers_spec,
                                                    const GlobalOptions& global, const SourceOverrides& overrides,
                                                    std::string_view label) {
  std::vector<fs::path> given;
  if (!data.empty()) given.push_back(data);
  auto paths = paths_or_default(given, global);
  if (!paths) return paths.error();
  auto opened = open_source(paths->front(), global, overrides);
  if (!opened) return opened.error();
  std::vector<std::string> tickers = opened->source.tickers();
  if (!tickers_spec.empty()) {
    auto resolved = data::resolve_tickers(tickers_spec, opened->universes_dir);
    if (!resolved) return resolved.error();
    tickers = std::move(*resolved);
  }
  auto loaded = opened->source.load(tickers, progress_line(std::string(label) + " " + paths->front().string()));
  if (!loaded) return loaded.error();
  std::vector<core::BarSeries> series;
  series.reserve(loaded->size());
  for (auto& one : *loaded) {
    series.push_back(overrides.regular_session_only ? data::keep_regular_session(one.bars) : std::move(one.bars));
  }
  return series;
}

}  // namespace itrade::cli
