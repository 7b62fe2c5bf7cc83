// Meta-labeling: the secondary model learns when the primary's trades make money.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include "models/meta_label_model.h"

namespace itrade::models {
namespace {

namespace fs = std::filesystem;

// x0 gives the direction everywhere, but only when x1 < 0 does the realised return follow it;
// when x1 > 0 the return is noise: the primary's trades there are coin flips.
Dataset regimes(std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Dataset data;
  data.feature_names = {"x0", "x1", "x2"};
  data.tickers = {"T"};
  for (std::size_t r = 0; r < rows; ++r) {
    float x[3];
    for (float& v : x) v = normal(rng);
    const float score = x[0] + 0.2f * normal(rng);
    data.features.insert(data.features.end(), x, x + 3);
    data.labels.push_back(score < -0.3f ? 0.0f : (score > 0.3f ? 2.0f : 1.0f));
    data.outcomes.push_back(x[1] < 0.0f ? 0.01f * score : 0.01f * normal(rng));
    data.ticker_of_row.push_back(0);
    data.ts.push_back(static_cast<core::Timestamp>(r) * 300'000'000'000LL);
  }
  return data;
}

GbdtParams params_for(Task task) {
  GbdtParams params;
  params.task = task;
  params.max_rounds = 150;
  params.early_stopping_rounds = 15;
  params.booster = {{"eta", "0.2"}, {"max_depth", "3"}};
  return params;
}

std::unique_ptr<MetaLabelModel> trained(unsigned seed) {
  auto model = std::make_unique<MetaLabelModel>(
      std::make_unique<GbdtModel>(params_for(Task::multiclass), "primary", "direction"), params_for(Task::binary),
      "meta");
  auto result = model->train(regimes(3000, seed), regimes(3000, seed + 1));
  EXPECT_TRUE(result.ok()) << result.error().message;
  return model;
}

TEST(MetaLabelModelTest, SecondaryLearnsWhenThePrimaryMakesMoney) {
  const auto model = trained(1);
  EXPECT_GT(model->meta_rows(), 1000u);
  const Dataset test = regimes(3000, 9);
  auto outputs = model->predict(test);
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  double good_confidence = 0.0;
  double bad_confidence = 0.0;
  std::size_t good = 0;
  std::size_t bad = 0;
  double hits = 0.0;
  double trades = 0.0;
  double weighted_hits = 0.0;
  double weights = 0.0;
  for (std::size_t r = 0; r < test.rows(); ++r) {
    const SignalOutput& out = (*outputs)[r];
    ASSERT_TRUE(out.signal == -1.0 || out.signal == 0.0 || out.signal == 1.0);
    if (out.signal == 0.0) {
      EXPECT_EQ(out.confidence, 0.0);
      continue;
    }
    const float x1 = test.features[r * 3 + 1];
    if (x1 < -0.5f) {
      good_confidence += out.confidence;
      ++good;
    } else if (x1 > 0.5f) {
      bad_confidence += out.confidence;
      ++bad;
    }
    const double hit = out.signal * test.outcomes[r] > 0.0 ? 1.0 : 0.0;
    hits += hit;
    trades += 1.0;
    weighted_hits += hit * out.confidence;
    weights += out.confidence;
  }
  ASSERT_GT(good, 100u);
  ASSERT_GT(bad, 100u);
  // Sure where the primary's calls pay, unsure where they are coin flips...
  EXPECT_GT(good_confidence / good, bad_confidence / bad + 0.2);
  // ...so sizing by confidence wins more often than trading every call alike.
  EXPECT_GT(weighted_hits / weights, hits / trades + 0.05);
}

TEST(MetaLabelModelTest, SaveAndLoadGiveIdenticalOutputs) {
  const auto model = trained(3);
  const fs::path dir = fs::temp_directory_path() / ("itrade_meta_" + std::to_string(std::random_device{}()));
  ASSERT_TRUE(model->save(dir).ok());
  auto loaded = MetaLabelModel::load(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Dataset test = regimes(500, 11);
  auto a = model->predict(test);
  auto b = (*loaded)->predict(test);
  ASSERT_TRUE(a.ok() && b.ok());
  for (std::size_t r = 0; r < test.rows(); ++r) {
    EXPECT_EQ((*a)[r].signal, (*b)[r].signal);
    EXPECT_EQ((*a)[r].confidence, (*b)[r].confidence);
  }
  EXPECT_EQ((*loaded)->info().framework, "meta-labeling");
  EXPECT_FALSE(model->save(dir).ok());
  fs::remove_all(dir);
}

TEST(MetaLabelModelTest, NeedsOutcomes) {
  MetaLabelModel model(std::make_unique<GbdtModel>(params_for(Task::multiclass), "p", "d"), params_for(Task::binary),
                       "meta");
  Dataset train = regimes(500, 5);
  train.outcomes.clear();
  auto result = model.train(train, regimes(500, 6));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, ::testing::HasSubstr("realised forward return"));
}

TEST(MetaLabelModelTest, NeedsValidationTimes) {
  MetaLabelModel model(std::make_unique<GbdtModel>(params_for(Task::multiclass), "p", "d"), params_for(Task::binary),
                       "meta");
  Dataset validation = regimes(500, 6);
  validation.ts.clear();
  auto result = model.train(regimes(500, 5), validation);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, ::testing::HasSubstr("bar time of every validation row"));
}

}  // namespace
}  // namespace itrade::models
