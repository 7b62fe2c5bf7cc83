// SignalModel::direction_contributions (docs/models.md, "Importance and attribution"): each
// feature's push of the signal towards long or short. For a GbdtModel the pushes plus the bias add
// up to the margin that orders the signal, and point the same way as the signal; an ensemble
// weighs its members' pushes like their signals; meta-labeling gives its primary's; a model
// without contributions says so.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "models/ensemble_model.h"
#include "models/gbdt_model.h"
#include "models/meta_label_model.h"

namespace itrade::models {
namespace {

using ::testing::HasSubstr;

// x0 pushes the label up, x1 down; x2, x3 are noise.
Dataset two_drivers(Task task, std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Dataset data;
  data.feature_names = {"x0", "x1", "x2", "x3"};
  for (std::size_t r = 0; r < rows; ++r) {
    float x[4];
    for (float& v : x) v = normal(rng);
    const float score = x[0] - 0.7f * x[1] + 0.3f * normal(rng);
    data.features.insert(data.features.end(), x, x + 4);
    switch (task) {
      case Task::multiclass:
        data.labels.push_back(score < -0.5f ? 0.0f : (score > 0.5f ? 2.0f : 1.0f));
        break;
      case Task::binary:
        data.labels.push_back(score > 0.0f ? 1.0f : 0.0f);
        break;
      case Task::regression:
        data.labels.push_back(0.01f * score);
        break;
    }
  }
  return data;
}

GbdtParams params_for(Task task, int depth = 3) {
  GbdtParams params;
  params.task = task;
  params.max_rounds = 60;
  params.early_stopping_rounds = 10;
  params.booster = {{"eta", "0.3"}, {"max_depth", std::to_string(depth)}};
  return params;
}

std::unique_ptr<GbdtModel> trained(Task task, int depth = 3) {
  auto model = std::make_unique<GbdtModel>(params_for(task, depth), "m" + std::to_string(depth), "t");
  auto result = model->train(two_drivers(task, 2000, 1), two_drivers(task, 500, 2));
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return model;
}

double sign(double x) { return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0); }

TEST(DirectionContributionsTest, MulticlassPushesAddUpToTheLongMinusShortMargin) {
  const auto model = trained(Task::multiclass);
  const Dataset test = two_drivers(Task::multiclass, 400, 3);
  auto pushes = model->direction_contributions(test);
  ASSERT_TRUE(pushes.ok()) << pushes.error().message;
  ASSERT_EQ(pushes->size(), test.rows() * test.cols());
  auto contributions = model->predict_contributions(test);
  auto margins = model->predict_margin(test);
  auto outputs = model->predict(test);
  ASSERT_TRUE(contributions.ok() && margins.ok() && outputs.ok());
  const std::size_t cols = test.cols();
  const std::size_t group = cols + 1;
  std::size_t clear = 0;
  std::size_t agree = 0;
  double x0_push_when_high = 0.0;
  for (std::size_t r = 0; r < test.rows(); ++r) {
    const float* row = contributions->data() + r * 3 * group;
    const double bias = static_cast<double>(row[2 * group + cols]) - row[cols];  // long bias - short bias
    double sum = 0.0;
    for (std::size_t f = 0; f < cols; ++f) sum += (*pushes)[r * cols + f];
    const double margin = static_cast<double>((*margins)[r * 3 + 2]) - (*margins)[r * 3 + 0];
    EXPECT_NEAR(sum + bias, margin, 1e-4) << r;
    const double signal = (*outputs)[r].signal;
    if (std::abs(signal) > 0.05) {
      ++clear;
      agree += sign(sum + bias) == sign(signal) ? 1 : 0;
    }
    if (test.features[r * cols] > 1.0f) x0_push_when_high += (*pushes)[r * cols];
  }
  ASSERT_GT(clear, 100u);
  EXPECT_EQ(agree, clear);            // signal = p_long - p_short has the sign of margin_long - margin_short
  EXPECT_GT(x0_push_when_high, 0.0);  // a high x0 pushes long, as it drives the label up
}

TEST(DirectionContributionsTest, BinaryAndRegressionPushesAreTheMarginContributions) {
  for (const Task task : {Task::binary, Task::regression}) {
    const auto model = trained(task);
    const Dataset test = two_drivers(task, 300, 4);
    auto pushes = model->direction_contributions(test);
    auto contributions = model->predict_contributions(test);
    auto margins = model->predict_margin(test);
    auto outputs = model->predict(test);
    ASSERT_TRUE(pushes.ok() && contributions.ok() && margins.ok() && outputs.ok());
    const std::size_t cols = test.cols();
    std::size_t clear = 0;
    std::size_t agree = 0;
    for (std::size_t r = 0; r < test.rows(); ++r) {
      double sum = 0.0;
      for (std::size_t f = 0; f < cols; ++f) {
        EXPECT_EQ((*pushes)[r * cols + f], (*contributions)[r * (cols + 1) + f]);
        sum += (*pushes)[r * cols + f];
      }
      const double bias = (*contributions)[r * (cols + 1) + cols];
      EXPECT_NEAR(sum + bias, (*margins)[r], 1e-4) << task_name(task) << " " << r;
      const double signal = (*outputs)[r].signal;
      // Binary: 2p - 1 has the margin's sign; regression: the prediction's.
      if (std::abs(signal) > 0.05) {
        ++clear;
        agree += sign(sum + bias) == sign(signal) ? 1 : 0;
      }
    }
    ASSERT_GT(clear, 50u) << task_name(task);
    EXPECT_EQ(agree, clear) << task_name(task);
  }
}

TEST(DirectionContributionsTest, EnsembleWeighsItsMembersPushes) {
  std::vector<std::unique_ptr<SignalModel>> members;
  members.push_back(trained(Task::multiclass, 2));
  members.push_back(trained(Task::multiclass, 4));
  const SignalModel* first = members[0].get();
  const SignalModel* second = members[1].get();
  EnsembleModel ensemble(std::move(members), {1.0, 3.0}, "blend");
  const Dataset test = two_drivers(Task::multiclass, 200, 5);
  auto combined = ensemble.direction_contributions(test);
  auto a = first->direction_contributions(test);
  auto b = second->direction_contributions(test);
  ASSERT_TRUE(combined.ok() && a.ok() && b.ok());
  ASSERT_EQ(combined->size(), a->size());
  for (std::size_t k = 0; k < a->size(); ++k) {
    EXPECT_NEAR((*combined)[k], 0.25 * (*a)[k] + 0.75 * (*b)[k], 1e-6) << k;
  }
}

// A model that predicts but cannot explain itself.
class Opaque final : public SignalModel {
 public:
  core::Result<TrainResult> train(const Dataset&, const Dataset&) override { return TrainResult{}; }
  core::Result<std::vector<SignalOutput>> predict(const Dataset& data) const override {
    return std::vector<SignalOutput>(data.rows());
  }
  core::Status save(const std::filesystem::path&) const override { return {}; }
  ModelInfo info() const override {
    ModelInfo info;
    info.name = "opaque";
    info.feature_names = {"x0", "x1", "x2", "x3"};
    return info;
  }
};

TEST(DirectionContributionsTest, AModelWithoutContributionsIsAnInputError) {
  const Dataset test = two_drivers(Task::multiclass, 10, 6);
  Opaque opaque;
  auto none = opaque.direction_contributions(test);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, core::ErrorKind::input);
  EXPECT_THAT(none.error().message, HasSubstr("model 'opaque' gives no feature contributions"));

  // An ensemble needs every member to give them, and names the one that does not.
  std::vector<std::unique_ptr<SignalModel>> members;
  members.push_back(trained(Task::multiclass));
  members.push_back(std::make_unique<Opaque>());
  EnsembleModel ensemble(std::move(members), {1.0, 1.0}, "blend");
  auto mixed = ensemble.direction_contributions(test);
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().kind, core::ErrorKind::input);
  EXPECT_THAT(mixed.error().message, HasSubstr("ensemble 'blend', member 1 ('opaque')"));
}

TEST(DirectionContributionsTest, MetaLabelingGivesItsPrimarysPushes) {
  auto primary = trained(Task::multiclass);
  const GbdtModel* side = primary.get();
  MetaLabelModel meta(std::move(primary), params_for(Task::binary), "meta");
  const Dataset test = two_drivers(Task::multiclass, 100, 7);
  auto pushes = meta.direction_contributions(test);
  auto expected = side->direction_contributions(test);
  ASSERT_TRUE(pushes.ok() && expected.ok());
  EXPECT_EQ(*pushes, *expected);  // the secondary only sizes the trade
}

}  // namespace
}  // namespace itrade::models
