// Training and prediction on features of the real sample (data/sample/ibkr), for all three tasks;
// Dataset assembly from feature matrices.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "data/csv_source.h"
#include "features/engine/batch.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/dataset.h"
#include "models/gbdt_model.h"

namespace itrade::models {
namespace {

// Features and the shipped targets of two IBKR tickers, as `itrade features compute` builds them.
std::vector<features::FeatureMatrix> sample_matrices() {
  data::CsvSourceOptions options;
  options.naive_timezone = core::TimeZone::new_york();
  options.interval = *core::Interval::parse("5m");
  auto source = data::CsvSource::open({ITRADE_SOURCE_DIR "/data/sample/ibkr"}, options);
  EXPECT_TRUE(source.ok());
  auto loaded = source->load({"SPY", "JPM"});
  EXPECT_TRUE(loaded.ok());
  auto set = features::FeatureSet::load(ITRADE_SOURCE_DIR "/config/features.yaml");
  auto targets = features::TargetSet::load(ITRADE_SOURCE_DIR "/config/targets.yaml");
  EXPECT_TRUE(set.ok() && targets.ok());
  std::vector<features::FeatureMatrix> matrices;
  for (const auto& one : *loaded) {
    auto matrix = features::compute_features(set->plan_all(), one.bars);
    EXPECT_TRUE(matrix.ok());
    std::vector<const features::TargetDef*> all_targets;
    for (const auto& target : targets->targets()) all_targets.push_back(&target);
    EXPECT_TRUE(features::append_targets(*matrix, all_targets, one.bars).ok());
    matrices.push_back(std::move(*matrix));
  }
  return matrices;
}

const std::vector<features::FeatureMatrix>& matrices() {
  static const auto built = sample_matrices();
  return built;
}

std::vector<std::string> all_features() {
  return features::FeatureSet::load(ITRADE_SOURCE_DIR "/config/features.yaml")->names();
}

TEST(ModelsOnSample, DatasetDropsRowsWithoutALabel) {
  auto data = make_dataset(matrices(), {"rsi_14", "atr_14"}, "direction_5");
  ASSERT_TRUE(data.ok()) << data.error().message;
  std::size_t labelled = 0;
  const int label = matrices()[0].column_index("direction_5");
  for (const auto& m : matrices()) {
    for (std::size_t r = 0; r < m.rows(); ++r) labelled += std::isnan(m.at(r, static_cast<std::size_t>(label))) ? 0 : 1;
  }
  EXPECT_EQ(data->rows(), labelled);
  EXPECT_EQ(data->labels.size(), labelled);
  EXPECT_EQ(data->ts.size(), labelled);
  EXPECT_EQ(data->tickers, (std::vector<std::string>{"SPY", "JPM"}));
  for (float y : data->labels) EXPECT_TRUE(y == 0.0f || y == 1.0f || y == 2.0f);

  auto missing = make_dataset(matrices(), {"rsi_14", "rsi_41"}, "direction_5");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, ::testing::HasSubstr("no column 'rsi_41'"));
}

TEST(ModelsOnSample, AllThreeTasksTrainAndPredictOnRealFeatures) {
  struct Case {
    Task task;
    const char* target;
  };
  for (const Case& c : {Case{Task::multiclass, "direction_5"}, Case{Task::regression, "forward_return_5"}}) {
    auto data = make_dataset(matrices(), all_features(), c.target);
    ASSERT_TRUE(data.ok()) << data.error().message;
    // Chronological thirds of the stacked rows would mix tickers; this test only needs disjoint sets.
    const std::size_t n = data->rows();
    const Dataset train = slice_rows(*data, 0, n / 2);
    const Dataset valid = slice_rows(*data, n / 2, 3 * n / 4);
    const Dataset test = slice_rows(*data, 3 * n / 4, n);
    GbdtParams params;
    params.task = c.task;
    params.max_rounds = 60;
    params.early_stopping_rounds = 10;
    params.booster = {{"eta", "0.1"}, {"grow_policy", "lossguide"}, {"max_leaves", "31"}, {"max_depth", "0"}};
    GbdtModel model(params, "sample", c.target);
    auto result = model.train(train, valid);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->gain.size(), 44u);
    auto outputs = model.predict(test);
    ASSERT_TRUE(outputs.ok());
    ASSERT_EQ(outputs->size(), test.rows());
    for (const auto& out : *outputs) {
      ASSERT_TRUE(std::isfinite(out.signal) && out.signal >= -1.0 && out.signal <= 1.0);
      ASSERT_TRUE(out.confidence >= 0.0 && out.confidence <= 1.0);
    }
  }
  // Binary: "did the 5-bar forward return go up".
  auto data = make_dataset(matrices(), all_features(), "forward_return_5");
  ASSERT_TRUE(data.ok());
  for (float& y : data->labels) y = y > 0.0f ? 1.0f : 0.0f;
  const std::size_t n = data->rows();
  GbdtParams params;
  params.task = Task::binary;
  params.max_rounds = 40;
  GbdtModel model(params, "up", "forward_return_5>0");
  ASSERT_TRUE(model.train(slice_rows(*data, 0, n / 2), slice_rows(*data, n / 2, n)).ok());
  auto outputs = model.predict(slice_rows(*data, n / 2, n));
  ASSERT_TRUE(outputs.ok());
  EXPECT_EQ(outputs->size(), n - n / 2);
}

}  // namespace
}  // namespace itrade::models
