// P&L attribution inside the experiment (docs/analytics.md, "P&L attribution"): on a synthetic
// market, every trade is explained at its out-of-sample decision bar by its own fold's model, and
// the feature totals plus the unattributed P&L add up to the trades' P&L; the recorded run holds
// them (attribution.csv, metrics.json, the report's chart) and each trade's decision time.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "core/strings.h"
#include "data/synthetic_market.h"
#include "evaluation/experiment.h"
#include "evaluation/run_recorder.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/model_config.h"

namespace itrade::evaluation {
namespace {

const char* const kModels = R"(models:
  fast:
    framework: lightgbm
    task: classification
    target: direction_5
    hyperparameters: { num_leaves: 7, n_estimators: 15, min_child_samples: 5 }
    enabled: true
)";

struct Outcome {
  core::Result<Experiment> run = core::input_error("not run");
  std::vector<std::string> lines;  // progress
};

// One experiment shared by the tests (training five folds is the slow part). Freed in
// TearDownTestSuite, before exit: the fold models' XGBoost boosters must not outlive XGBoost's own
// static state.
class ExperimentAttributionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = std::make_unique<Outcome>();
    Outcome& o = *shared_;
    auto feature_set = features::FeatureSet::load(ITRADE_SOURCE_DIR "/config/features.yaml");
    auto target_set = features::TargetSet::load(ITRADE_SOURCE_DIR "/config/targets.yaml");
    auto models_config = models::ModelsConfig::parse(kModels, "models.yaml");
    if (!feature_set || !target_set || !models_config) {
      o.run = core::input_error("cannot load the configuration");
      return;
    }
    data::SynthOptions synth;
    synth.tickers = 2;
    synth.days = 40;  // 3,120 five-minute bars per ticker
    const core::BarFrame market = data::generate_synthetic_market(synth);

    ExperimentSpec spec;
    spec.model = "fast";
    spec.features = {"rsi_14", "roc_5", "volatility_20", "volume_ratio", "sma_5_20_ratio", "price_position"};
    spec.target = "direction_5";
    spec.walk_forward.train_window = 1200;
    spec.walk_forward.test_window = 400;
    spec.walk_forward.step = 400;
    spec.importance_repeats = 0;
    spec.backtest.entry_threshold = 0.05;
    o.run = run_experiment(market.series, {*feature_set, *target_set, *models_config}, spec,
                           [&](std::string_view line) { o.lines.emplace_back(line); });
  }
  static void TearDownTestSuite() { shared_.reset(); }

  static const Outcome& outcome() { return *shared_; }

 private:
  static std::unique_ptr<Outcome> shared_;
};

std::unique_ptr<Outcome> ExperimentAttributionTest::shared_;

TEST_F(ExperimentAttributionTest, TradesAreExplainedAtTheirOutOfSampleDecisionBars) {
  const auto& run = outcome().run;
  const auto& lines = outcome().lines;
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_GT(run->backtest.trades.size(), 10u);
  ASSERT_TRUE(run->attribution.has_value());
  const PnlAttribution& a = *run->attribution;
  EXPECT_EQ(a.features, run->features);
  EXPECT_TRUE(
      std::any_of(lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("attribution: "); }));

  // The feature totals and the unattributed P&L add up to the trades' P&L.
  double pnl = 0.0;
  for (const Trade& t : run->backtest.trades) pnl += t.pnl;
  EXPECT_NEAR(std::accumulate(a.totals.begin(), a.totals.end(), 0.0) + a.unattributed, pnl, 1e-6);
  EXPECT_EQ(a.attributed_trades + a.trades_without_row + a.trades_without_push, run->backtest.trades.size());
  EXPECT_GT(a.attributed_trades, 0u);

  // Every decision bar is an out-of-sample row (in the feedback log), before the entry fill, and
  // so has its contribution row.
  for (const Trade& t : run->backtest.trades) {
    const features::FeatureMatrix& log = run->predictions[static_cast<std::size_t>(t.ticker)];
    EXPECT_TRUE(std::binary_search(log.ts.begin(), log.ts.end(), t.decision_ts))
        << core::format_utc(t.decision_ts) << " is not an out-of-sample bar of " << log.ticker;
    EXPECT_LT(t.decision_ts, t.entry_ts);  // next_open: decided at a close, filled at a later open
  }
  EXPECT_EQ(a.trades_without_row, 0u);

  // Recomputed here trade by trade, from the feedback log's fold and features and that fold's model.
  std::vector<double> expected(a.features.size(), 0.0);
  double expected_unattributed = 0.0;
  for (const Trade& t : run->backtest.trades) {
    const features::FeatureMatrix& log = run->predictions[static_cast<std::size_t>(t.ticker)];
    const auto r =
        static_cast<std::size_t>(std::lower_bound(log.ts.begin(), log.ts.end(), t.decision_ts) - log.ts.begin());
    ASSERT_LT(r, log.rows());
    const int fold = static_cast<int>(log.at(r, static_cast<std::size_t>(log.column_index("fold"))));
    const models::SignalModel* model = nullptr;
    for (const FoldOutcome& f : run->walk_forward.folds) {
      if (f.fold.index == fold) model = f.model.get();
    }
    ASSERT_NE(model, nullptr) << fold;
    models::Dataset row;
    row.feature_names = run->features;
    for (const std::string& feature : run->features) {
      row.features.push_back(static_cast<float>(log.at(r, static_cast<std::size_t>(log.column_index(feature)))));
    }
    auto pushes = model->direction_contributions(row);
    ASSERT_TRUE(pushes.ok()) << pushes.error().message;
    const double side = t.side == Side::long_position ? 1.0 : -1.0;
    double towards = 0.0;
    for (float c : *pushes) towards += std::max(0.0, side * c);
    if (towards == 0.0) {
      expected_unattributed += t.pnl;
      continue;
    }
    for (std::size_t f = 0; f < expected.size(); ++f) {
      expected[f] += t.pnl * std::max(0.0, side * (*pushes)[f]) / towards;
    }
  }
  for (std::size_t f = 0; f < expected.size(); ++f) EXPECT_NEAR(a.totals[f], expected[f], 1e-6) << a.features[f];
  EXPECT_NEAR(a.unattributed, expected_unattributed, 1e-6);

  // The daily table: ascending New York exit days, columns adding up to the totals.
  EXPECT_TRUE(std::is_sorted(a.days.begin(), a.days.end()));
  for (std::size_t f = 0; f < a.features.size(); ++f) {
    double column = 0.0;
    for (std::size_t d = 0; d < a.days.size(); ++d) column += a.at(d, f);
    EXPECT_NEAR(column, a.totals[f], 1e-6);
  }
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The lines of a text file, without the final empty one.
std::vector<std::string> lines_of(const std::filesystem::path& path) {
  const std::string text = read_text(path);
  std::vector<std::string> lines;
  for (std::string_view line : core::split(text, '\n')) lines.emplace_back(line);
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

TEST_F(ExperimentAttributionTest, TheRecordedRunHoldsTheAttribution) {
  const auto& run = outcome().run;
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_TRUE(run->attribution.has_value());
  const PnlAttribution& a = *run->attribution;
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("itrade_attribution_runs_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  {
    auto store = RunStore::open(dir);
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto recorded = record_run(*store, *run, "attribution test", "fast", nlohmann::json{{"command", "test"}});
    ASSERT_TRUE(recorded.ok()) << recorded.error().message;

    // attribution.csv: day, one column per feature, unattributed; its cells add up to the P&L.
    const std::vector<std::string> rows = lines_of(recorded->dir / "attribution.csv");
    ASSERT_EQ(rows.size(), a.days.size() + 1);
    EXPECT_EQ(rows[0], "day," + core::join(a.features, ",") + ",unattributed");
    double cells = 0.0;
    for (std::size_t d = 1; d < rows.size(); ++d) {
      const auto fields = core::split(rows[d], ',');
      ASSERT_EQ(fields.size(), a.features.size() + 2);
      EXPECT_EQ(fields[0], core::format_date(a.days[d - 1]));
      for (std::size_t f = 1; f < fields.size(); ++f) cells += std::stod(std::string(fields[f]));
    }
    double pnl = 0.0;
    for (const Trade& t : run->backtest.trades) pnl += t.pnl;
    EXPECT_NEAR(cells, pnl, 1e-6 * static_cast<double>(rows.size() * (a.features.size() + 1)));

    // metrics.json: {feature: total}, sorted by name.
    const auto metrics = nlohmann::json::parse(read_text(recorded->dir / "metrics.json"));
    ASSERT_TRUE(metrics.contains("attribution"));
    const auto& totals = metrics["attribution"];
    ASSERT_EQ(totals.size(), a.features.size());
    std::vector<std::string> keys;
    for (const auto& [feature, total] : totals.items()) keys.push_back(feature);
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
    for (std::size_t f = 0; f < a.features.size(); ++f) {
      EXPECT_DOUBLE_EQ(totals[a.features[f]].get<double>(), a.totals[f]) << a.features[f];
    }
    EXPECT_DOUBLE_EQ(metrics["attribution_unattributed"].get<double>(), a.unattributed);

    // trades.csv: each trade's decision time, before its entry time.
    const std::vector<std::string> trades = lines_of(recorded->dir / "trades.csv");
    ASSERT_EQ(trades.size(), run->backtest.trades.size() + 1);
    EXPECT_TRUE(trades[0].starts_with("ticker,side,decision_time,entry_time,exit_time,"));
    const auto first = core::split(trades[1], ',');
    EXPECT_EQ(first[2], core::format_utc(run->backtest.trades[0].decision_ts));
    EXPECT_EQ(first[3], core::format_utc(run->backtest.trades[0].entry_ts));

    // report.html: the attribution chart with one bar per feature (at most 20).
    const std::string html = read_text(recorded->dir / "report.html");
    const std::size_t chart = html.find("<svg id=\"pnl-attribution\"");
    ASSERT_NE(chart, std::string::npos);
    const std::string svg = html.substr(chart, html.find("</svg>", chart) - chart);
    EXPECT_EQ(svg.find("no data"), std::string::npos);
    std::size_t bars = 0;
    for (std::size_t at = svg.find("class=\"bar\""); at != std::string::npos; at = svg.find("class=\"bar\"", at + 1)) {
      ++bars;
    }
    EXPECT_EQ(bars, std::min<std::size_t>(20, a.features.size()));
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace itrade::evaluation
