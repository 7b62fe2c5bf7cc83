// Permutation importance and per-row contributions find the feature that drives the label.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "models/gbdt_model.h"
#include "models/importance.h"

namespace itrade::models {
namespace {

// x0 drives the label; x1, x2 are noise.
Dataset driven_by_x0(Task task, std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Dataset data;
  data.feature_names = {"x0", "x1", "x2"};
  for (std::size_t r = 0; r < rows; ++r) {
    float x[3];
    for (float& v : x) v = normal(rng);
    const float score = x[0] + 0.3f * normal(rng);
    data.features.insert(data.features.end(), x, x + 3);
    data.labels.push_back(task == Task::regression ? score
                                                   : (score < -0.5f ? 0.0f : (score > 0.5f ? 2.0f : 1.0f)));
  }
  return data;
}

GbdtParams params_for(Task task) {
  GbdtParams params;
  params.task = task;
  params.max_rounds = 100;
  params.early_stopping_rounds = 10;
  params.booster = {{"eta", "0.3"}, {"max_depth", "3"}};
  return params;
}

TEST(ImportanceTest, ValidationLossIsLogLossOrRmse) {
  SignalOutput sure;
  sure.probabilities = {0.0, 0.0, 1.0};
  SignalOutput half;
  half.probabilities = {0.5, 0.0, 0.5};
  EXPECT_NEAR(validation_loss({sure, half}, {2.0f, 0.0f}, Task::multiclass), std::log(2.0) / 2.0, 1e-12);
  SignalOutput a;
  a.raw = 1.0;
  SignalOutput b;
  b.raw = -1.0;
  EXPECT_NEAR(validation_loss({a, b}, {0.0f, 0.0f}, Task::regression), 1.0, 1e-12);
}

TEST(ImportanceTest, PermutationRanksTheDrivingFeatureFirstWithSpread) {
  GbdtModel model(params_for(Task::multiclass), "m", "t");
  ASSERT_TRUE(model.train(driven_by_x0(Task::multiclass, 2000, 1), driven_by_x0(Task::multiclass, 500, 2)).ok());
  const Dataset validation = driven_by_x0(Task::multiclass, 800, 3);
  auto importance = permutation_importance(model, validation, 4, 9);
  ASSERT_TRUE(importance.ok()) << importance.error().message;
  ASSERT_EQ(importance->size(), 3u);
  EXPECT_EQ((*importance)[0].feature, "x0");
  EXPECT_GT((*importance)[0].mean_increase, 0.3);  // shuffling x0 destroys most of the skill
  EXPECT_GT((*importance)[0].std_increase, 0.0);
  for (std::size_t i = 1; i < 3; ++i) EXPECT_LT(std::abs((*importance)[i].mean_increase), 0.05);
  auto again = permutation_importance(model, validation, 4, 9);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].mean_increase, (*importance)[0].mean_increase);  // deterministic for a seed
  EXPECT_FALSE(permutation_importance(model, validation, 0, 9).ok());
}

TEST(ImportanceTest, ContributionsSumToTheMarginAndFavourTheDrivingFeature) {
  for (Task task : {Task::multiclass, Task::regression}) {
    GbdtModel model(params_for(task), "m", "t");
    ASSERT_TRUE(model.train(driven_by_x0(task, 2000, 4), driven_by_x0(task, 500, 5)).ok());
    const Dataset data = driven_by_x0(task, 200, 6);
    auto contributions = model.predict_contributions(data);
    auto margin = model.predict_margin(data);
    ASSERT_TRUE(contributions.ok() && margin.ok());
    const std::size_t outputs = task == Task::multiclass ? 3 : 1;
    const std::size_t group = data.cols() + 1;
    ASSERT_EQ(contributions->size(), data.rows() * outputs * group);
    double x0_share = 0.0;
    double total = 0.0;
    for (std::size_t r = 0; r < data.rows(); ++r) {
      for (std::size_t k = 0; k < outputs; ++k) {
        const float* g = contributions->data() + (r * outputs + k) * group;
        double sum = 0.0;
        for (std::size_t j = 0; j < group; ++j) sum += g[j];
        EXPECT_NEAR(sum, (*margin)[r * outputs + k], 1e-3) << "row " << r;
        x0_share += std::abs(g[0]);
        for (std::size_t j = 0; j < data.cols(); ++j) total += std::abs(g[j]);
      }
    }
    EXPECT_GT(x0_share / total, 0.7);
  }
}

}  // namespace
}  // namespace itrade::models
