#include "core/system_config.h"

#include <system_error>

#include "core/config_node.h"

namespace itrade::core {

std::string_view to_string(BarLabel label) { return label == BarLabel::start ? "start" : "end"; }
std::string_view to_string(OnBadRow action) { return action == OnBadRow::error ? "error" : "skip"; }
std::string_view to_string(TradingHours hours) { return hours == TradingHours::regular ? "regular" : "extended"; }
std::string_view to_string(TickerFrom from) { return from == TickerFrom::filename ? "filename" : "column"; }

namespace {

// Reads `key` as an IANA zone name into `zone` when present (or required).
void read_zone(const ConfigNode& node, std::string_view key, bool required, TimeZone& zone) {
  if (!required && !node.has(key)) return;
  const std::string name = node.required<std::string>(key);
  if (!node.ok()) return;
  Result<TimeZone> found = TimeZone::find(name);
  if (!found) {
    node.fail(key, fmt::format("unknown time zone \"{}\"", name), "use UTC or an IANA name such as America/New_York");
    return;
  }
  zone = *found;
}

void read_interval(const ConfigNode& node, std::string_view key, std::optional<Interval>& interval) {
  if (!node.has(key)) return;
  const std::string text = node.required<std::string>(key);
  if (!node.ok()) return;
  Result<Interval> parsed = Interval::parse(text);
  if (!parsed) {
    node.fail(key, fmt::format("\"{}\" is not a bar interval", text),
              "use 1m, 5m, 15m, 30m or 1h (minutes dividing 60, or 1h..4h)");
    return;
  }
  interval = *parsed;
}

// The keys shared by data.defaults and source.yaml, read over `settings`.
void read_source_keys(const ConfigNode& node, SourceSettings& settings) {
  read_zone(node, "timezone", false, settings.timezone);
  settings.bar_label = node.choice("bar_label", {"start", "end"}, std::string(to_string(settings.bar_label))) == "end"
                           ? BarLabel::end
                           : BarLabel::start;
  if (node.has("session")) {
    settings.session =
        node.choice("session", {"regular", "extended"}) == "extended" ? TradingHours::extended : TradingHours::regular;
  }
  if (node.has("ticker_from")) {
    settings.ticker_from =
        node.choice("ticker_from", {"filename", "column"}) == "column" ? TickerFrom::column : TickerFrom::filename;
  }
}

std::filesystem::path resolve(const std::filesystem::path& root, const std::string& path) {
  const std::filesystem::path p(path);
  return (p.is_absolute() ? p : root / p).lexically_normal();
}

}  // namespace

Result<SystemConfig> load_system_config(const std::filesystem::path& project_root) {
  std::error_code ec;
  std::filesystem::path root = std::filesystem::absolute(project_root, ec);
  if (ec) root = project_root;
  SystemConfig config;
  config.project_root = root.lexically_normal();
  config.config_file = config.project_root / "config" / "system.yaml";

  Result<ConfigNode> loaded = ConfigNode::load_file(config.config_file);
  if (!loaded) return loaded.error();
  const ConfigNode& top = *loaded;
  (void)top.only_keys({"data", "universe", "interval", "timezone"});

  const ConfigNode data = top.child("data");
  (void)data.only_keys({"default_dir", "cache_dir", "defaults"});
  config.data_dir = resolve(config.project_root, data.required<std::string>("default_dir"));
  config.cache_dir = resolve(config.project_root, data.optional<std::string>("cache_dir", ".itrade/cache"));

  const ConfigNode defaults = data.child("defaults");
  (void)defaults.only_keys({"timezone", "bar_label", "on_bad_row", "session", "ticker_from"});
  read_source_keys(defaults, config.source_defaults);
  config.source_defaults.on_bad_row =
      defaults.choice("on_bad_row", {"error", "skip"}, "error") == "skip" ? OnBadRow::skip : OnBadRow::error;

  const ConfigNode universe = top.child("universe");
  (void)universe.only_keys({"default", "dir"});
  config.default_universe = universe.required<std::string>("default");
  if (universe.ok() && config.default_universe.empty()) {
    universe.fail("default", "empty universe", "name a universe such as SINGLE_TICKER or list tickers: AAPL,MSFT");
  }
  config.universes_dir = resolve(config.project_root, universe.optional<std::string>("dir", "data/universes"));

  std::optional<Interval> interval;
  if (!top.has("interval")) (void)top.required<std::string>("interval");  // records "missing required key"
  read_interval(top, "interval", interval);
  if (interval) config.interval = *interval;
  config.source_defaults.interval = interval;

  read_zone(top, "timezone", true, config.exchange_timezone);

  if (!top.ok()) return top.status().error();
  return config;
}

Result<std::filesystem::path> find_project_root(const std::filesystem::path& start) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(start, ec);
  if (ec) dir = start;
  while (true) {
    if (std::filesystem::is_regular_file(dir / "config" / "system.yaml", ec)) return dir;
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  return input_error("{}: no config/system.yaml here or in any parent directory; run inside the project or pass --root",
                     start.string());
}

Result<SourceSettings> load_source_settings(const std::filesystem::path& dir, const SourceSettings& defaults) {
  const std::filesystem::path file = dir / "source.yaml";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return defaults;

  Result<ConfigNode> loaded = ConfigNode::load_file(file);
  if (!loaded) return loaded.error();
  const ConfigNode& node = *loaded;
  (void)node.only_keys({"description", "provenance", "timezone", "bar_label", "interval", "session", "ticker_from"});

  SourceSettings settings = defaults;
  settings.description = node.optional<std::string>("description", defaults.description);
  settings.provenance = node.optional<std::string>("provenance", defaults.provenance);
  read_source_keys(node, settings);
  read_interval(node, "interval", settings.interval);

  if (!node.ok()) return node.status().error();
  return settings;
}

}  // namespace itrade::core
