#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/system_config.h"

namespace itrade::core {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(ITRADE_TEST_DATA_DIR) / "config";

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// A scratch project root with the given system.yaml.
fs::path scratch_root(const std::string& name, const std::string& yaml) {
  const fs::path root = fs::temp_directory_path() / ("itrade_test_system_config_" + name);
  fs::create_directories(root / "config");
  std::ofstream(root / "config" / "system.yaml") << yaml;
  return root;
}

TEST(SystemConfig, LoadsTheRealSystemYaml) {
  Result<SystemConfig> config = load_system_config(ITRADE_SOURCE_DIR);
  ASSERT_TRUE(config.ok()) << config.error().message;
  const fs::path root = fs::path(ITRADE_SOURCE_DIR).lexically_normal();
  EXPECT_EQ(config->project_root, root);
  EXPECT_EQ(config->data_dir, root / "data/sample/polygon");
  EXPECT_EQ(config->cache_dir, root / ".itrade/cache");
  EXPECT_EQ(config->universes_dir, root / "data/universes");
  EXPECT_EQ(config->default_universe, "SINGLE_TICKER");
  EXPECT_EQ(config->interval.name(), "5m");
  EXPECT_EQ(config->exchange_timezone.name(), "America/New_York");
  EXPECT_EQ(config->source_defaults.timezone.name(), "America/New_York");
  EXPECT_EQ(config->source_defaults.bar_label, BarLabel::start);
  EXPECT_EQ(config->source_defaults.on_bad_row, OnBadRow::error);
  ASSERT_TRUE(config->source_defaults.interval.has_value());
  EXPECT_EQ(config->source_defaults.interval->name(), "5m");
}

TEST(SystemConfig, FindsProjectRootFromASubdirectory) {
  Result<fs::path> root = find_project_root(fs::path(ITRADE_SOURCE_DIR) / "src" / "core");
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(fs::canonical(*root), fs::canonical(ITRADE_SOURCE_DIR));
  EXPECT_FALSE(find_project_root("/").ok());
}

TEST(SystemConfig, BadEnumValueHasFileLineAndPath) {
  Result<SystemConfig> config = load_system_config(kFixtures / "bad_root");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().kind, ErrorKind::input);
  const std::string& message = config.error().message;
  EXPECT_NE(message.find("system.yaml:5: data.defaults.on_bad_row: \"ignore\" is not a valid value"), std::string::npos)
      << message;
}

TEST(SystemConfig, UnknownZoneAndInterval) {
  {
    Result<SystemConfig> config = load_system_config(scratch_root(
        "zone", "data:\n  default_dir: d\nuniverse:\n  default: DOW_30\ninterval: 5m\ntimezone: Mars/Olympus\n"));
    ASSERT_FALSE(config.ok());
    EXPECT_NE(config.error().message.find("system.yaml:6: timezone: unknown time zone \"Mars/Olympus\""),
              std::string::npos)
        << config.error().message;
  }
  {
    Result<SystemConfig> config = load_system_config(scratch_root(
        "interval", "data:\n  default_dir: d\nuniverse:\n  default: DOW_30\ninterval: 7m\ntimezone: UTC\n"));
    ASSERT_FALSE(config.ok());
    EXPECT_NE(config.error().message.find("system.yaml:5: interval: \"7m\" is not a bar interval"), std::string::npos)
        << config.error().message;
  }
  {
    Result<SystemConfig> config =
        load_system_config(scratch_root("missing",
                                        "data:\n  default_dir: d\nuniverse:\n  default: DOW_30\n"
                                        "timezone: UTC\n"));
    ASSERT_FALSE(config.ok());
    EXPECT_NE(config.error().message.find("system.yaml:1: interval: missing required key"), std::string::npos)
        << config.error().message;
  }
  {
    Result<SystemConfig> config = load_system_config(scratch_root(
        "unknown", "data:\n  default_dir: d\n  cache: x\nuniverse:\n  default: DOW_30\ninterval: 5m\ntimezone: UTC\n"));
    ASSERT_FALSE(config.ok());
    EXPECT_NE(config.error().message.find("system.yaml:3: data.cache: unknown key; did you mean cache_dir?"),
              std::string::npos)
        << config.error().message;
  }
}

TEST(SystemConfig, MissingFile) {
  Result<SystemConfig> config = load_system_config(kFixtures / "source_none");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("cannot read config file"), std::string::npos);
}

SourceSettings defaults() {
  SourceSettings settings;
  settings.description = "default";
  settings.timezone = TimeZone::new_york();
  return settings;
}

TEST(SourceSettings, AbsentFileKeepsDefaults) {
  Result<SourceSettings> settings = load_source_settings(kFixtures / "source_none", defaults());
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->description, "default");
  EXPECT_EQ(settings->timezone.name(), "America/New_York");
  EXPECT_EQ(settings->bar_label, BarLabel::start);
  EXPECT_FALSE(settings->interval.has_value());
}

TEST(SourceSettings, ReadsEveryKey) {
  Result<SourceSettings> settings = load_source_settings(kFixtures / "source_full", defaults());
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->description, "Test bars");
  EXPECT_EQ(settings->provenance, "written by hand for tests");
  EXPECT_TRUE(settings->timezone.is_utc());
  EXPECT_EQ(settings->bar_label, BarLabel::end);
  ASSERT_TRUE(settings->interval.has_value());
  EXPECT_EQ(settings->interval->name(), "1m");
  EXPECT_EQ(settings->session, TradingHours::extended);
  EXPECT_EQ(settings->ticker_from, TickerFrom::column);
}

TEST(SourceSettings, ReadsTheShippedSampleDirectories) {
  for (const char* dir : {"data/sample/polygon", "data/sample/ibkr"}) {
    Result<SourceSettings> settings = load_source_settings(fs::path(ITRADE_SOURCE_DIR) / dir, defaults());
    EXPECT_TRUE(settings.ok()) << (settings.ok() ? "" : settings.error().message);
  }
}

TEST(SourceSettings, BadValuesAreErrorsWithLines) {
  struct Case {
    const char* dir;
    const char* expected;  // suffix after the file name
  };
  const Case cases[] = {
      {"source_bad_label", ":2: bar_label: \"middle\" is not a valid value; use one of: start, end"},
      {"source_unknown_key", ":3: ticker_form: unknown key; did you mean ticker_from?"},
      {"source_bad_zone", ":1: timezone: unknown time zone \"America/New_Yrok\""},
      {"source_bad_interval", ":2: interval: \"7m\" is not a bar interval"},
  };
  for (const Case& c : cases) {
    Result<SourceSettings> settings = load_source_settings(kFixtures / c.dir, defaults());
    ASSERT_FALSE(settings.ok()) << c.dir;
    EXPECT_EQ(settings.error().kind, ErrorKind::input);
    const std::string prefix = (kFixtures / c.dir / "source.yaml").string() + c.expected;
    EXPECT_TRUE(starts_with(settings.error().message, prefix)) << settings.error().message << "\nwanted " << prefix;
  }
}

}  // namespace
}  // namespace itrade::core
