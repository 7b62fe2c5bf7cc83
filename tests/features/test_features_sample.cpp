// The feature layer's guarantees on the real sample data (data/sample): every shipped feature
// is free of look-ahead, starts exactly at its lookback, is finite after it, streams bit for bit
// like the batch, and warms up within 1e-9; every shipped target has labels.

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/nyse_calendar.h"
#include "data/csv_source.h"
#include "features/engine/feature_check.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"

namespace itrade::features {
namespace {

// Two tickers of each bundled source, opened as their source.yaml says.
std::vector<core::BarSeries> sample_bars() {
  std::vector<core::BarSeries> series;
  auto load = [&](const char* dir, data::CsvSourceOptions options, std::vector<std::string> tickers) {
    options.interval = *core::Interval::parse("5m");
    auto source = data::CsvSource::open({std::string(ITRADE_SOURCE_DIR) + "/data/sample/" + dir}, options);
    EXPECT_TRUE(source.ok()) << source.error().message;
    if (!source.ok()) return;
    auto loaded = source->load(tickers);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    if (!loaded.ok()) return;
    for (auto& one : *loaded) series.push_back(std::move(one.bars));
  };
  data::CsvSourceOptions polygon;  // naive UTC, extended hours, ticker in a column
  polygon.ticker_from_column = true;
  load("polygon", polygon, {"AAPL", "SPY"});
  data::CsvSourceOptions ibkr;  // naive New York time, regular session, ticker from the file name
  ibkr.naive_timezone = core::TimeZone::new_york();
  load("ibkr", ibkr, {"JPM", "QQQ"});
  return series;
}

const std::vector<core::BarSeries>& bars() {
  static const std::vector<core::BarSeries> loaded = sample_bars();
  return loaded;
}

TEST(FeaturesOnSample, ShippedRegistryHasThe44FeaturesOfTheBlueprint) {
  auto set = FeatureSet::load(ITRADE_SOURCE_DIR "/config/features.yaml");
  ASSERT_TRUE(set.ok()) << set.error().message;
  const std::vector<std::string> expected = {
      "sma_5", "sma_10", "sma_20", "sma_50", "ema_5", "ema_10", "ema_20", "sma_5_20_ratio", "price_sma_20_ratio",
      "returns", "log_returns", "roc_5", "roc_10", "rsi_14", "macd", "macd_signal", "macd_histogram",
      "volatility_5", "volatility_20", "true_range", "atr_14",
      "volume_sma_5", "volume_sma_20", "volume_ratio", "price_volume", "vwap_5",
      "price_position", "gap", "intraday_range", "body_range_ratio",
      "local_max", "local_min", "higher_high", "lower_low",
      "hour", "minute", "day_of_week", "day_of_month", "month", "quarter", "market_open_minutes",
      "is_market_open", "is_pre_market", "is_after_hours"};
  EXPECT_EQ(set->names(), expected);
}

TEST(FeaturesOnSample, EveryShippedFeaturePassesTheCheck) {
  auto set = FeatureSet::load(ITRADE_SOURCE_DIR "/config/features.yaml");
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(bars().size(), 4u);
  CheckOptions options;
  options.truncations = 8;
  options.warmup_starts = 2;
  const CheckReport report = check_features(*set, bars(), options);
  for (const auto& p : report.problems) ADD_FAILURE() << p.check << " " << p.feature << " (" << p.ticker << "): " << p.detail;
  EXPECT_EQ(report.tickers, 4u);
  EXPECT_GT(report.bars, 80'000u);
  EXPECT_EQ(report.truncations, 32u);
  EXPECT_LE(report.max_warmup_error, 1e-9);
}

TEST(FeaturesOnSample, EveryShippedTargetHasLabels) {
  auto targets = TargetSet::load(ITRADE_SOURCE_DIR "/config/targets.yaml");
  ASSERT_TRUE(targets.ok()) << targets.error().message;
  const auto& calendar = core::NyseCalendar::instance();
  for (const auto& series : bars()) {
    for (const auto& target : targets->targets()) {
      auto labels = compute_target(target, series);
      ASSERT_TRUE(labels.ok()) << labels.error().message;
      ASSERT_EQ(labels->size(), series.size());
      std::size_t defined = 0;
      std::set<double> classes;
      for (double v : *labels) {
        if (std::isnan(v)) continue;
        ++defined;
        ASSERT_TRUE(std::isfinite(v)) << target.name;
        if (target.type == TargetType::classification) classes.insert(v);
      }
      // Labels exist for regular-session bars whose horizon (and, for the volatility regime, trailing
      // window) fits in the session: more than a third of them for every shipped target.
      std::size_t regular = 0;
      for (core::Timestamp ts : series.ts) regular += calendar.session_containing(ts) ? 1 : 0;
      EXPECT_GT(defined, regular / 3) << target.name << " " << series.ticker;
      if (target.type == TargetType::classification) {
        EXPECT_GE(classes.size(), 2u) << target.name << " " << series.ticker;
        for (double c : classes) EXPECT_TRUE(c == 0.0 || c == 1.0 || c == 2.0) << target.name;
      }
    }
  }
}

}  // namespace
}  // namespace itrade::features
