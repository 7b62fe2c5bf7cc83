// The ensemble: its outputs are exactly the weighted average of its members' own outputs, weights
// are normalised, one member is that member, save/load round-trips bit for bit, and members'
// errors reach the caller naming the member.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "models/ensemble_model.h"
#include "models/gbdt_model.h"

namespace itrade::models {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// x0 drives the label; x1..x4 are noise (as in test_gbdt_model.cpp).
Dataset ensemble_data(Task task, std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Dataset data;
  data.feature_names = {"x0", "x1", "x2", "x3", "x4"};
  for (std::size_t r = 0; r < rows; ++r) {
    float x[5];
    for (float& v : x) v = normal(rng);
    const float score = x[0] + 0.3f * normal(rng);
    float label = 0.0f;
    switch (task) {
      case Task::multiclass:
        label = score < -0.5f ? 0.0f : (score > 0.5f ? 2.0f : 1.0f);
        break;
      case Task::binary:
        label = score > 0.0f ? 1.0f : 0.0f;
        break;
      case Task::regression:
        label = 0.01f * score;
        break;
    }
    for (float v : x) data.features.push_back(v);
    data.labels.push_back(label);
  }
  return data;
}

// Two members that differ, so that their average differs from either.
GbdtParams deep(Task task) {
  GbdtParams params;
  params.task = task;
  params.max_rounds = 100;
  params.early_stopping_rounds = 10;
  params.booster = {{"eta", "0.3"}, {"max_depth", "4"}};
  return params;
}

GbdtParams shallow(Task task) {
  GbdtParams params = deep(task);
  params.seed = 7;
  params.booster = {{"eta", "0.1"}, {"max_depth", "2"}, {"subsample", "0.8"}};
  return params;
}

std::vector<std::unique_ptr<SignalModel>> two_members(Task task) {
  std::vector<std::unique_ptr<SignalModel>> members;
  members.push_back(std::make_unique<GbdtModel>(deep(task), "deep", "direction_5"));
  members.push_back(std::make_unique<GbdtModel>(shallow(task), "shallow", "direction_10", "lightgbm"));
  return members;
}

// A member with fixed outputs and a chosen column list, for what GbdtModel never does.
class StubModel final : public SignalModel {
 public:
  StubModel(std::string name, SignalOutput output, std::vector<std::string> features = {})
      : output_(output), features_(std::move(features)) {
    info_.name = std::move(name);
  }
  core::Result<TrainResult> train(const Dataset& train, const Dataset&) override {
    info_.feature_names = features_.empty() ? train.feature_names : features_;
    return TrainResult{};
  }
  core::Result<std::vector<SignalOutput>> predict(const Dataset& data) const override {
    return std::vector<SignalOutput>(data.rows(), output_);
  }
  core::Status save(const fs::path&) const override { return core::input_error("a stub cannot be saved"); }
  ModelInfo info() const override { return info_; }

 private:
  SignalOutput output_;
  std::vector<std::string> features_;
  ModelInfo info_;
};

void expect_identical(const std::vector<SignalOutput>& a, const std::vector<SignalOutput>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t r = 0; r < a.size(); ++r) {
    EXPECT_EQ(a[r].signal, b[r].signal) << "row " << r;
    EXPECT_EQ(a[r].confidence, b[r].confidence) << "row " << r;
    EXPECT_EQ(a[r].probabilities, b[r].probabilities) << "row " << r;
    EXPECT_EQ(a[r].classes, b[r].classes) << "row " << r;
    EXPECT_EQ(a[r].raw, b[r].raw) << "row " << r;
  }
}

class EnsembleModelFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("itrade_ensemble_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(EnsembleModelTest, PredictIsTheWeightedAverageOfTheMembers) {
  const Dataset train = ensemble_data(Task::multiclass, 2000, 1);
  const Dataset valid = ensemble_data(Task::multiclass, 500, 2);
  const Dataset test = ensemble_data(Task::multiclass, 500, 3);
  EnsembleModel ensemble(two_members(Task::multiclass), {1.0, 3.0}, "blend");
  ASSERT_EQ(ensemble.weights().size(), 2u);
  EXPECT_DOUBLE_EQ(ensemble.weights()[0], 0.25);
  EXPECT_DOUBLE_EQ(ensemble.weights()[1], 0.75);
  ASSERT_TRUE(ensemble.train(train, valid).ok());

  auto outputs = ensemble.predict(test);
  auto first = ensemble.member(0).predict(test);
  auto second = ensemble.member(1).predict(test);
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_EQ(outputs->size(), test.rows());
  double differs = 0.0;  // the members must disagree for the average to mean anything
  for (std::size_t r = 0; r < test.rows(); ++r) {
    const SignalOutput& a = (*first)[r];
    const SignalOutput& b = (*second)[r];
    const SignalOutput& out = (*outputs)[r];
    differs = std::max(differs, std::abs(a.signal - b.signal));
    EXPECT_NEAR(out.signal, 0.25 * a.signal + 0.75 * b.signal, 1e-12);
    EXPECT_NEAR(out.confidence, 0.25 * a.confidence + 0.75 * b.confidence, 1e-12);
    ASSERT_EQ(out.classes, 3);
    for (std::size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(out.probabilities[k], 0.25 * a.probabilities[k] + 0.75 * b.probabilities[k], 1e-12);
    }
    EXPECT_EQ(out.raw, out.signal);
  }
  EXPECT_GT(differs, 0.01);
}

TEST(EnsembleModelTest, TrainResultSumsTheMembersWeightedGain) {
  const Dataset train = ensemble_data(Task::multiclass, 1500, 4);
  const Dataset valid = ensemble_data(Task::multiclass, 400, 5);
  EnsembleModel ensemble(two_members(Task::multiclass), {1.0, 3.0}, "blend");
  auto result = ensemble.train(train, valid);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->metric, "ensemble");
  EXPECT_TRUE(result->rounds.empty());
  EXPECT_EQ(result->best_iteration, 0);
  EXPECT_GT(result->seconds, 0.0);

  // Training is deterministic for a seed: the same models trained alone give the members' gain.
  auto alone_deep = GbdtModel(deep(Task::multiclass), "deep", "t").train(train, valid);
  auto alone_shallow = GbdtModel(shallow(Task::multiclass), "shallow", "t").train(train, valid);
  ASSERT_TRUE(alone_deep.ok() && alone_shallow.ok());
  ASSERT_EQ(result->gain.size(), train.cols());
  for (const FeatureImportance& g : result->gain) {
    double expected = 0.0;
    for (const auto& d : alone_deep->gain) expected += d.feature == g.feature ? 0.25 * d.value : 0.0;
    for (const auto& s : alone_shallow->gain) expected += s.feature == g.feature ? 0.75 * s.value : 0.0;
    EXPECT_NEAR(g.value, expected, 1e-9 * std::max(1.0, expected)) << g.feature;
  }
  EXPECT_EQ(result->gain.front().feature, "x0");
  for (std::size_t i = 1; i < result->gain.size(); ++i) EXPECT_GE(result->gain[i - 1].value, result->gain[i].value);
}

TEST(EnsembleModelTest, OneMemberIsThatMember) {
  const Dataset test = ensemble_data(Task::binary, 300, 8);
  std::vector<std::unique_ptr<SignalModel>> members;
  members.push_back(std::make_unique<GbdtModel>(deep(Task::binary), "only", "up"));
  EnsembleModel ensemble(std::move(members), {2.5}, "solo");
  EXPECT_EQ(ensemble.weights(), std::vector<double>{1.0});
  ASSERT_TRUE(ensemble.train(ensemble_data(Task::binary, 1000, 6), ensemble_data(Task::binary, 300, 7)).ok());
  auto outputs = ensemble.predict(test);
  auto member = ensemble.member(0).predict(test);
  ASSERT_TRUE(outputs.ok() && member.ok());
  for (std::size_t r = 0; r < member->size(); ++r) (*member)[r].raw = (*member)[r].signal;  // raw is the signal
  expect_identical(*outputs, *member);
  EXPECT_EQ((*outputs)[0].classes, 2);
}

TEST(EnsembleModelTest, MembersWithDifferentClassesGiveNoProbabilities) {
  SignalOutput three;
  three.signal = 0.4;
  three.confidence = 0.5;
  three.classes = 3;
  three.probabilities = {0.1, 0.4, 0.5};
  SignalOutput regression;
  regression.signal = -0.8;
  regression.confidence = 1.0;
  std::vector<std::unique_ptr<SignalModel>> members;
  members.push_back(std::make_unique<StubModel>("c", three));
  members.push_back(std::make_unique<StubModel>("r", regression));
  EnsembleModel ensemble(std::move(members), {3.0, 1.0}, "mixed");
  const Dataset data = ensemble_data(Task::regression, 4, 9);
  ASSERT_TRUE(ensemble.train(data, data).ok());
  auto outputs = ensemble.predict(data);
  ASSERT_TRUE(outputs.ok());
  ASSERT_EQ(outputs->size(), 4u);
  EXPECT_NEAR((*outputs)[0].signal, 0.75 * 0.4 - 0.25 * 0.8, 1e-12);
  EXPECT_NEAR((*outputs)[0].confidence, 0.75 * 0.5 + 0.25 * 1.0, 1e-12);
  EXPECT_EQ((*outputs)[0].classes, 0);
  EXPECT_EQ((*outputs)[0].probabilities, (std::array<double, 3>{}));
}

TEST(EnsembleModelTest, InfoDescribesTheEnsemble) {
  EnsembleModel ensemble(two_members(Task::multiclass), {1.0, 1.0}, "blend");
  ASSERT_TRUE(ensemble.train(ensemble_data(Task::multiclass, 1000, 10), ensemble_data(Task::multiclass, 300, 11)).ok());
  const ModelInfo info = ensemble.info();
  const ModelInfo a = ensemble.member(0).info();
  const ModelInfo b = ensemble.member(1).info();
  EXPECT_EQ(info.name, "blend");
  EXPECT_EQ(info.version, "1");
  EXPECT_EQ(info.framework, "ensemble");
  EXPECT_EQ(info.backend, "ensemble of " + a.backend + ", " + b.backend);
  EXPECT_THAT(info.backend, StartsWith("ensemble of xgboost 1."));
  EXPECT_EQ(info.task, Task::multiclass);
  EXPECT_EQ(info.parameter_count, a.parameter_count + b.parameter_count);
  EXPECT_GT(info.parameter_count, a.parameter_count);
  EXPECT_EQ(info.feature_names, a.feature_names);
  EXPECT_EQ(info.target, "direction_5");  // the first member's
  EXPECT_EQ(info.training_date, std::max(a.training_date, b.training_date));
  EXPECT_FALSE(info.training_date.empty());
}

TEST_F(EnsembleModelFileTest, SaveAndLoadGiveIdenticalOutputs) {
  const Dataset test = ensemble_data(Task::multiclass, 400, 14);
  EnsembleModel ensemble(two_members(Task::multiclass), {1.0, 2.0}, "saved");
  ASSERT_TRUE(ensemble.train(ensemble_data(Task::multiclass, 1500, 12), ensemble_data(Task::multiclass, 400, 13)).ok());
  const fs::path dir = dir_ / "ensemble";
  auto saved = ensemble.save(dir);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_TRUE(fs::exists(dir / "ensemble.json"));
  for (const char* member : {"member_0", "member_1"}) {
    EXPECT_TRUE(fs::exists(dir / member / "meta.json"));
    EXPECT_TRUE(fs::exists(dir / member / "booster.json"));
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);  // no staging left

  auto again = ensemble.save(dir);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, core::ErrorKind::input);
  EXPECT_THAT(again.error().message, HasSubstr("already exists"));

  auto loaded = EnsembleModel::load(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ((*loaded)->weights(), ensemble.weights());
  auto before = ensemble.predict(test);
  auto after = (*loaded)->predict(test);
  ASSERT_TRUE(before.ok() && after.ok());
  expect_identical(*before, *after);
  const ModelInfo a = ensemble.info();
  const ModelInfo b = (*loaded)->info();
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.backend, b.backend);
  EXPECT_EQ(a.parameter_count, b.parameter_count);
  EXPECT_EQ(a.training_date, b.training_date);
  EXPECT_EQ(a.feature_names, b.feature_names);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ((*loaded)->member(1).info().framework, "lightgbm");
}

TEST_F(EnsembleModelFileTest, DamagedOrForeignDirectoriesAreInputErrors) {
  EnsembleModel ensemble(two_members(Task::binary), {1.0, 1.0}, "e");
  ASSERT_TRUE(ensemble.train(ensemble_data(Task::binary, 500, 15), ensemble_data(Task::binary, 200, 16)).ok());
  const fs::path dir = dir_ / "e";
  ASSERT_TRUE(ensemble.save(dir).ok());

  // Another kind of member model: named by its file.
  const fs::path member_meta = dir / "member_1" / "meta.json";
  std::string text;
  {
    std::ifstream in(member_meta);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string gbdt = "\"itrade-gbdt-model\"";
  const auto at = text.find(gbdt);
  ASSERT_NE(at, std::string::npos);
  std::ofstream(member_meta) << std::string(text).replace(at, gbdt.size(), "\"itrade-torch-model\"");
  auto foreign = EnsembleModel::load(dir);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().kind, core::ErrorKind::input);
  EXPECT_THAT(foreign.error().message, HasSubstr(member_meta.string() + ": unknown member model format"));
  std::ofstream(member_meta) << text;
  ASSERT_TRUE(EnsembleModel::load(dir).ok());

  std::ofstream(dir / "ensemble.json") << "{ not json";
  auto damaged = EnsembleModel::load(dir);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.error().kind, core::ErrorKind::input);
  EXPECT_THAT(damaged.error().message, HasSubstr("ensemble.json: not valid JSON"));
  std::ofstream(dir / "ensemble.json") << R"({"format": "itrade-ensemble-model", "version": "1", "name": "e",
    "weights": [1], "members": [{"dir": "../elsewhere", "name": "deep", "framework": "xgboost"}]})";
  auto escaping = EnsembleModel::load(dir);
  ASSERT_FALSE(escaping.ok());
  EXPECT_THAT(escaping.error().message, HasSubstr("not a name inside the ensemble directory"));
  EXPECT_FALSE(EnsembleModel::load(dir_ / "nowhere").ok());
}

TEST(EnsembleModelTest, MemberErrorsReachTheCallerNamingTheMember) {
  EnsembleModel ensemble(two_members(Task::multiclass), {1.0, 1.0}, "blend");
  ASSERT_TRUE(ensemble.train(ensemble_data(Task::multiclass, 800, 17), ensemble_data(Task::multiclass, 200, 18)).ok());
  Dataset swapped = ensemble_data(Task::multiclass, 10, 19);
  std::swap(swapped.feature_names[1], swapped.feature_names[2]);
  auto mismatch = ensemble.predict(swapped);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().kind, core::ErrorKind::input);
  EXPECT_THAT(mismatch.error().message, HasSubstr("ensemble 'blend', member 0 ('deep')"));
  EXPECT_THAT(mismatch.error().message, HasSubstr("first difference at column 1: expected 'x1', got 'x2'"));

  // The second member cannot take these labels: the error says which member.
  std::vector<std::unique_ptr<SignalModel>> members;
  members.push_back(std::make_unique<GbdtModel>(deep(Task::multiclass), "three", "t"));
  members.push_back(std::make_unique<GbdtModel>(deep(Task::binary), "two", "t"));
  EnsembleModel mixed(std::move(members), {1.0, 1.0}, "mixed");
  auto bad = mixed.train(ensemble_data(Task::multiclass, 300, 20), ensemble_data(Task::multiclass, 100, 21));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, core::ErrorKind::input);
  EXPECT_THAT(bad.error().message, HasSubstr("ensemble 'mixed', member 1 ('two')"));
  EXPECT_THAT(bad.error().message, HasSubstr("does not fit a binary model"));

  EnsembleModel untrained(two_members(Task::multiclass), {1.0, 1.0}, "u");
  EXPECT_FALSE(untrained.predict(swapped).ok());
  EXPECT_FALSE(untrained.save(fs::temp_directory_path() / "itrade_ensemble_never_written").ok());
  EXPECT_FALSE(fs::exists(fs::temp_directory_path() / "itrade_ensemble_never_written"));
}

TEST(EnsembleModelTest, MembersOnDifferentFeaturesAreAnError) {
  std::vector<std::unique_ptr<SignalModel>> members;
  members.push_back(std::make_unique<StubModel>("a", SignalOutput{}));
  members.push_back(std::make_unique<StubModel>("b", SignalOutput{}, std::vector<std::string>{"x0", "x1"}));
  EnsembleModel ensemble(std::move(members), {1.0, 1.0}, "split");
  const Dataset data = ensemble_data(Task::regression, 10, 22);
  auto result = ensemble.train(data, data);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, core::ErrorKind::input);
  EXPECT_THAT(result.error().message, HasSubstr("member 1 ('b') has features (x0, x1)"));
}

}  // namespace
}  // namespace itrade::models
