// Gradient-boosted trees through XGBoost: the three tasks learn what is learnable, early stopping
// keeps the best round, training is deterministic, NaN is missing, save/load round-trips bit for
// bit, and a column mismatch is an error.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <span>
#include <string>
#include <vector>
#include <filesystem>
#include <fstream>
#include <random>

#include "models/forest.h"
#include "models/gbdt_model.h"
#include "models/signal_mapping.h"

namespace itrade::models {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// x0 drives the label; x1..x4 are noise. `nan_share` of the feature values are missing.
Dataset synthetic(Task task, std::size_t rows, unsigned seed, double nan_share = 0.0) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Dataset data;
  data.feature_names = {"x0", "x1", "x2", "x3", "x4"};
  for (std::size_t r = 0; r < rows; ++r) {
    float x[5];
    for (float& v : x) v = normal(rng);
    const float noise = 0.3f * normal(rng);
    const float score = x[0] + noise;
    float label = 0.0f;
    switch (task) {
      case Task::multiclass: label = score < -0.5f ? 0.0f : (score > 0.5f ? 2.0f : 1.0f); break;
      case Task::binary: label = score > 0.0f ? 1.0f : 0.0f; break;
      case Task::regression: label = 0.01f * score; break;
    }
    for (float v : x) data.features.push_back(uniform(rng) < nan_share ? std::nanf("") : v);
    data.labels.push_back(label);
  }
  return data;
}

GbdtParams quick(Task task) {
  GbdtParams params;
  params.task = task;
  params.max_rounds = 200;
  params.early_stopping_rounds = 10;
  params.threads = 2;
  params.booster = {{"eta", "0.3"}, {"max_depth", "4"}};
  return params;
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("itrade_models_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(GbdtModelTest, MulticlassLearnsTheSignalFeature) {
  const Dataset train = synthetic(Task::multiclass, 3000, 1);
  const Dataset valid = synthetic(Task::multiclass, 1000, 2);
  const Dataset test = synthetic(Task::multiclass, 1000, 3);
  GbdtModel model(quick(Task::multiclass), "m", "direction_5");
  auto result = model.train(train, valid);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->metric, "mlogloss");
  ASSERT_FALSE(result->rounds.empty());
  EXPECT_LT(result->rounds[static_cast<std::size_t>(result->best_iteration)].validation,
            result->rounds.front().validation);
  EXPECT_EQ(result->gain.front().feature, "x0");
  EXPECT_GT(result->seconds, 0.0);

  auto outputs = model.predict(test);
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  ASSERT_EQ(outputs->size(), test.rows());
  std::size_t correct = 0;
  for (std::size_t r = 0; r < test.rows(); ++r) {
    const SignalOutput& out = (*outputs)[r];
    EXPECT_GE(out.signal, -1.0);
    EXPECT_LE(out.signal, 1.0);
    EXPECT_GE(out.confidence, 0.0);
    EXPECT_LE(out.confidence, 1.0);
    EXPECT_NEAR(out.probabilities[0] + out.probabilities[1] + out.probabilities[2], 1.0, 1e-5);
    const int predicted = static_cast<int>(std::max_element(out.probabilities.begin(), out.probabilities.end()) -
                                           out.probabilities.begin());
    correct += predicted == static_cast<int>(test.labels[r]) ? 1 : 0;
  }
  EXPECT_GT(static_cast<double>(correct) / static_cast<double>(test.rows()), 0.75);

  const ModelInfo info = model.info();
  EXPECT_EQ(info.framework, "xgboost");
  EXPECT_THAT(info.backend, HasSubstr("xgboost 1."));
  EXPECT_GT(info.parameter_count, 0);
  EXPECT_EQ(info.feature_names, train.feature_names);
  EXPECT_EQ(info.target, "direction_5");
  EXPECT_FALSE(info.training_date.empty());
}

TEST(GbdtModelTest, BinaryAndRegressionMapToSignals) {
  GbdtModel binary(quick(Task::binary), "b", "up");
  ASSERT_TRUE(binary.train(synthetic(Task::binary, 2000, 4), synthetic(Task::binary, 500, 5)).ok());
  const Dataset test = synthetic(Task::binary, 500, 6);
  auto raw = binary.predict_raw(test);
  auto outputs = binary.predict(test);
  ASSERT_TRUE(raw.ok() && outputs.ok());
  double agree = 0.0;
  for (std::size_t r = 0; r < test.rows(); ++r) {
    EXPECT_NEAR((*outputs)[r].signal, 2.0 * (*raw)[r] - 1.0, 1e-6);
    agree += ((*outputs)[r].signal > 0) == (test.labels[r] == 1.0f) ? 1.0 : 0.0;
  }
  EXPECT_GT(agree / static_cast<double>(test.rows()), 0.8);

  const Dataset train = synthetic(Task::regression, 2000, 7);
  GbdtModel regression(quick(Task::regression), "r", "forward_return_5");
  auto result = regression.train(train, synthetic(Task::regression, 500, 8));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->metric, "rmse");
  EXPECT_GT(regression.label_spread(), 0.0);
  const Dataset rtest = synthetic(Task::regression, 300, 9);
  auto rraw = regression.predict_raw(rtest);
  auto routputs = regression.predict(rtest);
  ASSERT_TRUE(rraw.ok() && routputs.ok());
  for (std::size_t r = 0; r < rtest.rows(); ++r) {
    const double expected = std::clamp((*rraw)[r] / regression.label_spread(), -1.0, 1.0);
    EXPECT_NEAR((*routputs)[r].signal, expected, 1e-9);
    EXPECT_DOUBLE_EQ((*routputs)[r].confidence, 1.0);
  }
}

TEST(GbdtModelTest, EarlyStoppingKeepsTheBestRound) {
  // Labels independent of the features: validation loss stops improving almost at once.
  Dataset train = synthetic(Task::multiclass, 2000, 10);
  Dataset valid = synthetic(Task::multiclass, 500, 11);
  std::mt19937 rng(3);
  for (auto* data : {&train, &valid}) {
    for (float& y : data->labels) y = static_cast<float>(rng() % 3);
  }
  GbdtParams params = quick(Task::multiclass);
  params.max_rounds = 500;
  auto result = GbdtModel(params, "noise", "t").train(train, valid);
  ASSERT_TRUE(result.ok());
  EXPECT_LT(result->rounds.size(), 500u);
  EXPECT_EQ(static_cast<int>(result->rounds.size()), result->best_iteration + params.early_stopping_rounds + 1);
  for (const auto& round : result->rounds) {
    EXPECT_GE(round.validation, result->rounds[static_cast<std::size_t>(result->best_iteration)].validation);
  }
}

TEST(GbdtModelTest, DeterministicForASeedAndNanIsMissing) {
  const Dataset train = synthetic(Task::multiclass, 2000, 12, 0.1);
  const Dataset valid = synthetic(Task::multiclass, 500, 13, 0.1);
  const Dataset test = synthetic(Task::multiclass, 500, 14, 0.1);
  GbdtModel a(quick(Task::multiclass), "a", "t");
  GbdtModel b(quick(Task::multiclass), "b", "t");
  ASSERT_TRUE(a.train(train, valid).ok());
  ASSERT_TRUE(b.train(train, valid).ok());
  auto pa = a.predict_raw(test);
  auto pb = b.predict_raw(test);
  ASSERT_TRUE(pa.ok() && pb.ok());
  ASSERT_EQ(pa->size(), pb->size());
  EXPECT_EQ(std::memcmp(pa->data(), pb->data(), pa->size() * sizeof(float)), 0);
  for (float p : *pa) EXPECT_TRUE(std::isfinite(p));
}

TEST_F(TempDir, SaveAndLoadGiveIdenticalPredictions) {
  const Dataset test = synthetic(Task::multiclass, 400, 17);
  GbdtModel model(quick(Task::multiclass), "saved", "direction_5");
  ASSERT_TRUE(model.train(synthetic(Task::multiclass, 1500, 15), synthetic(Task::multiclass, 400, 16)).ok());
  const fs::path dir = dir_ / "model";
  ASSERT_TRUE(model.save(dir).ok());
  EXPECT_TRUE(fs::exists(dir / "booster.json"));
  EXPECT_TRUE(fs::exists(dir / "meta.json"));
  auto again = model.save(dir);
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.error().message, HasSubstr("already exists"));

  auto loaded = GbdtModel::load(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  auto before = model.predict_raw(test);
  auto after = (*loaded)->predict_raw(test);
  ASSERT_TRUE(before.ok() && after.ok());
  ASSERT_EQ(before->size(), after->size());
  EXPECT_EQ(std::memcmp(before->data(), after->data(), before->size() * sizeof(float)), 0);
  const ModelInfo a = model.info();
  const ModelInfo b = (*loaded)->info();
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.feature_names, b.feature_names);
  EXPECT_EQ(a.parameter_count, b.parameter_count);
  EXPECT_EQ(a.training_date, b.training_date);
  EXPECT_EQ(a.target, b.target);

  std::ofstream(dir / "meta.json") << "{ not json";
  auto damaged = GbdtModel::load(dir);
  ASSERT_FALSE(damaged.ok());
  EXPECT_THAT(damaged.error().message, HasSubstr("meta.json: not valid JSON"));
  EXPECT_FALSE(GbdtModel::load(dir_ / "nowhere").ok());
}

TEST(GbdtModelTest, ColumnMismatchIsAnErrorNotAMisalignment) {
  GbdtModel model(quick(Task::multiclass), "m", "t");
  ASSERT_TRUE(model.train(synthetic(Task::multiclass, 1000, 18), synthetic(Task::multiclass, 300, 19)).ok());
  Dataset swapped = synthetic(Task::multiclass, 10, 20);
  std::swap(swapped.feature_names[1], swapped.feature_names[2]);
  auto result = model.predict(swapped);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("first difference at column 1: expected 'x1', got 'x2'"));
  Dataset fewer = synthetic(Task::multiclass, 10, 21);
  fewer.feature_names.pop_back();
  fewer.features.resize(fewer.rows() * 4);
  EXPECT_FALSE(model.predict(fewer).ok());
}

TEST(GbdtModelTest, BadInputIsAnInputError) {
  GbdtModel binary(quick(Task::binary), "b", "t");
  auto bad_labels = binary.train(synthetic(Task::multiclass, 100, 22), synthetic(Task::binary, 50, 23));
  ASSERT_FALSE(bad_labels.ok());
  EXPECT_THAT(bad_labels.error().message, HasSubstr("does not fit a binary model"));
  GbdtParams reserved = quick(Task::binary);
  reserved.booster.emplace_back("objective", "reg:squarederror");
  auto clash = GbdtModel(reserved, "r", "t").train(synthetic(Task::binary, 100, 24), synthetic(Task::binary, 50, 25));
  ASSERT_FALSE(clash.ok());
  EXPECT_THAT(clash.error().message, HasSubstr("'objective' is set by itrade"));
  GbdtModel untrained(quick(Task::binary), "u", "t");
  EXPECT_FALSE(untrained.predict(synthetic(Task::binary, 5, 26)).ok());
  EXPECT_FALSE(binary.train(Dataset{}, Dataset{}).ok());
}

// SignalOutputs equal in every field, bit for bit.
void expect_same_outputs(const std::vector<SignalOutput>& got, const std::vector<SignalOutput>& want) {
  ASSERT_EQ(got.size(), want.size());
  std::size_t differ = 0;
  for (std::size_t r = 0; r < got.size(); ++r) {
    const SignalOutput& a = got[r];
    const SignalOutput& b = want[r];
    const bool same = a.signal == b.signal && a.confidence == b.confidence && a.probabilities == b.probabilities &&
                      a.classes == b.classes && a.raw == b.raw;
    if (!same && differ++ < 3) ADD_FAILURE() << "row " << r << ": signal " << a.signal << " against " << b.signal;
  }
  EXPECT_EQ(differ, 0u);
}

TEST_F(TempDir, PredictWalksTheTreesAndGivesXgboostsOutputs) {
  // predict() goes through the Forest; its outputs must be those of XGBoost's probabilities
  // (predict_raw) through the signal mapping, for every task, on 10% missing values, in batches
  // of several chunks on 2 threads, also after save and load.
  for (Task task : {Task::multiclass, Task::binary, Task::regression}) {
    SCOPED_TRACE(task_name(task));
    GbdtModel model(quick(task), "m", "t");
    EXPECT_EQ(model.forest(), nullptr);
    ASSERT_TRUE(model.train(synthetic(task, 2000, 30, 0.1), synthetic(task, 500, 31, 0.1)).ok());
    ASSERT_NE(model.forest(), nullptr);
    const Dataset test = synthetic(task, 3 * Forest::kChunkRows + 11, 32, 0.1);
    auto raw = model.predict_raw(test);
    auto outputs = model.predict(test);
    ASSERT_TRUE(raw.ok() && outputs.ok());
    std::vector<SignalOutput> expected;
    for (std::size_t r = 0; r < test.rows(); ++r) {
      switch (task) {
        case Task::multiclass:
          expected.push_back(from_class_probabilities(std::span<const float>(raw->data() + 3 * r, 3)));
          break;
        case Task::binary: expected.push_back(from_binary_probability((*raw)[r])); break;
        case Task::regression: expected.push_back(from_regression((*raw)[r], model.label_spread())); break;
      }
    }
    expect_same_outputs(*outputs, expected);

    const fs::path dir = dir_ / task_name(task);
    ASSERT_TRUE(model.save(dir).ok());
    auto loaded = GbdtModel::load(dir);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    ASSERT_NE((*loaded)->forest(), nullptr);
    auto again = (*loaded)->predict(test);
    ASSERT_TRUE(again.ok());
    expect_same_outputs(*again, expected);
    // Empty data, and a column mismatch is still an error.
    Dataset empty;
    empty.feature_names = test.feature_names;
    auto none = model.predict(empty);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
    Dataset swapped = synthetic(task, 10, 33);
    std::swap(swapped.feature_names[0], swapped.feature_names[1]);
    EXPECT_FALSE(model.predict(swapped).ok());
  }
}

TEST(GbdtModelTest, TrainingMetricIsOptionalAndChangesNothingElse) {
  const Dataset train = synthetic(Task::multiclass, 2000, 40, 0.05);
  const Dataset valid = synthetic(Task::multiclass, 500, 41, 0.05);
  const Dataset test = synthetic(Task::multiclass, 500, 42, 0.05);
  GbdtParams without_params = quick(Task::multiclass);
  without_params.evaluate_training = false;
  GbdtModel with(quick(Task::multiclass), "with", "t");
  GbdtModel without(without_params, "without", "t");
  auto a = with.train(train, valid);
  auto b = without.train(train, valid);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->rounds.size(), b->rounds.size());
  EXPECT_EQ(a->best_iteration, b->best_iteration);
  for (std::size_t i = 0; i < a->rounds.size(); ++i) {
    EXPECT_EQ(a->rounds[i].validation, b->rounds[i].validation) << "round " << i;
    EXPECT_TRUE(std::isfinite(a->rounds[i].train));
    EXPECT_TRUE(std::isnan(b->rounds[i].train));
  }
  EXPECT_LT(a->rounds.back().train, a->rounds.front().train);
  auto pa = with.predict_raw(test);
  auto pb = without.predict_raw(test);
  ASSERT_TRUE(pa.ok() && pb.ok());
  ASSERT_EQ(pa->size(), pb->size());
  EXPECT_EQ(std::memcmp(pa->data(), pb->data(), pa->size() * sizeof(float)), 0);
}

TEST_F(TempDir, QuantileDMatrixTrainsAsGoodAModel) {
  // The training rows as a QuantileDMatrix, with a max_bin the matrix must share with the booster.
  const Dataset train = synthetic(Task::multiclass, 3000, 50, 0.1);
  const Dataset valid = synthetic(Task::multiclass, 1000, 51, 0.1);
  const Dataset test = synthetic(Task::multiclass, 1000, 52, 0.1);
  GbdtParams plain_params = quick(Task::multiclass);
  plain_params.booster.emplace_back("max_bin", "63");
  plain_params.quantile_dmatrix = false;
  GbdtParams quantile_params = plain_params;
  quantile_params.quantile_dmatrix = true;
  quantile_params.evaluate_training = false;
  GbdtModel plain(plain_params, "plain", "t");
  GbdtModel quantile(quantile_params, "quantile", "t");
  auto a = plain.train(train, valid);
  auto b = quantile.train(train, valid);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  const double best_plain = a->rounds[static_cast<std::size_t>(a->best_iteration)].validation;
  const double best_quantile = b->rounds[static_cast<std::size_t>(b->best_iteration)].validation;
  EXPECT_NEAR(best_quantile, best_plain, 0.02 * best_plain);
  EXPECT_EQ(b->gain.front().feature, "x0");
  auto outputs = quantile.predict(test);
  ASSERT_TRUE(outputs.ok());
  std::size_t correct = 0;
  for (std::size_t r = 0; r < test.rows(); ++r) {
    const auto& p = (*outputs)[r].probabilities;
    correct += std::max_element(p.begin(), p.end()) - p.begin() == static_cast<long>(test.labels[r]) ? 1 : 0;
  }
  EXPECT_GT(static_cast<double>(correct) / static_cast<double>(test.rows()), 0.7);

  // The matrix is cut into max_bin bins when it is made: a max_bin that is not a number fails there.
  GbdtParams bad_bins = quantile_params;
  bad_bins.booster.back().second = "63, \"nthread\": 64";
  auto bad = GbdtModel(bad_bins, "bad", "t").train(train, valid);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, core::ErrorKind::input);
  EXPECT_THAT(bad.error().message, HasSubstr("max_bin"));

  // The options are saved with the model.
  ASSERT_TRUE(quantile.save(dir_ / "q").ok());
  auto loaded = GbdtModel::load(dir_ / "q");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_TRUE((*loaded)->params().quantile_dmatrix);
  EXPECT_FALSE((*loaded)->params().evaluate_training);
  // And a model saved before they existed loads with the defaults.
  std::ifstream in(dir_ / "q" / "meta.json");
  std::string meta((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  for (const char* key : {"\"quantile_dmatrix\": true,", "\"evaluate_training\": false,"}) {
    const auto at = meta.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    meta.erase(at, std::strlen(key));
  }
  std::ofstream(dir_ / "q" / "meta.json") << meta;
  auto old = GbdtModel::load(dir_ / "q");
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_EQ((*old)->params().quantile_dmatrix, GbdtParams{}.quantile_dmatrix);
  EXPECT_EQ((*old)->params().evaluate_training, GbdtParams{}.evaluate_training);
}

}  // namespace
}  // namespace itrade::models
