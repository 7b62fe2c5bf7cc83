// Forest walks XGBoost's trees itself: on every row of a test set with missing values its outputs
// and margins are XGBoost's bit for bit, for the three tasks and both growth policies; a saved and
// loaded model gives the same forest; the split, missing-value and base-score rules hold on
// hand-made trees; and text that is not a usable model is an input error, never a crash.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "models/forest.h"
#include "models/gbdt_model.h"

namespace itrade::models {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr std::size_t kFeatures = 8;

// x0, x1 * x2 and a step in x3 drive the label; x4..x7 are noise. 10% of the values are missing,
// so that the trees learn default directions and the test rows take them.
Dataset synthetic(Task task, std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Dataset data;
  for (std::size_t c = 0; c < kFeatures; ++c) data.feature_names.push_back(fmt::format("x{}", c));
  for (std::size_t r = 0; r < rows; ++r) {
    float x[kFeatures];
    for (float& v : x) v = normal(rng);
    const float score = x[0] + 0.5f * x[1] * x[2] + (x[3] > 0.5f ? 0.7f : -0.2f) + 0.3f * normal(rng);
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
    for (float v : x) data.features.push_back(uniform(rng) < 0.1 ? std::nanf("") : v);
    data.labels.push_back(label);
  }
  return data;
}

GbdtParams params(Task task, bool lossguide) {
  GbdtParams p;
  p.task = task;
  p.max_rounds = 150;
  p.early_stopping_rounds = 20;
  p.threads = 2;
  if (lossguide) {
    p.booster = {{"grow_policy", "lossguide"}, {"max_leaves", "31"},       {"max_depth", "0"}, {"eta", "0.1"},
                 {"subsample", "0.8"},         {"colsample_bytree", "0.8"}};
  } else {
    p.booster = {{"eta", "0.3"}, {"max_depth", "5"}};
  }
  return p;
}

std::unique_ptr<GbdtModel> trained(Task task, bool lossguide, unsigned seed) {
  auto model = std::make_unique<GbdtModel>(params(task, lossguide), "m", "t");
  auto result = model->train(synthetic(task, 3000, seed), synthetic(task, 1000, seed + 1));
  EXPECT_TRUE(result.ok()) << result.error().message;
  return model;
}

int outputs_of(Task task) { return task == Task::multiclass ? 3 : 1; }

// Rows x outputs of the forest's predict() or margins().
std::vector<float> forest_outputs(const Forest& forest, const Dataset& data, bool margins) {
  const auto outputs = static_cast<std::size_t>(forest.num_outputs());
  std::vector<float> out(data.rows() * outputs);
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const float* row = data.features.data() + r * data.cols();
    if (margins) {
      forest.margins(row, out.data() + r * outputs);
    } else {
      forest.predict(row, out.data() + r * outputs);
    }
  }
  return out;
}

// Entries whose bits differ, with the largest absolute difference in the message.
::testing::AssertionResult identical(const std::vector<float>& ours, const std::vector<float>& xgboost) {
  if (ours.size() != xgboost.size()) {
    return ::testing::AssertionFailure() << ours.size() << " values against " << xgboost.size();
  }
  std::size_t differ = 0;
  double largest = 0.0;
  std::size_t first = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    if (std::bit_cast<std::uint32_t>(ours[i]) != std::bit_cast<std::uint32_t>(xgboost[i])) {
      if (differ++ == 0) first = i;
      largest = std::max(largest, std::abs(static_cast<double>(ours[i]) - xgboost[i]));
    }
  }
  if (differ == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << differ << " of " << ours.size() << " values differ, the largest by "
                                       << largest << "; first at " << first << ": " << ours[first] << " against "
                                       << xgboost[first];
}

struct Case {
  Task task;
  bool lossguide;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << task_name(c.task) << (c.lossguide ? " lossguide" : " depthwise");
}

class ForestVsXgboost : public ::testing::TestWithParam<Case> {};

TEST_P(ForestVsXgboost, EqualOnEveryRowOfATestSet) {
  const Case c = GetParam();
  const auto model = trained(c.task, c.lossguide, 1);
  auto text = model->booster_json();
  ASSERT_TRUE(text.ok()) << text.error().message;
  auto forest = Forest::from_xgboost_json(*text);
  ASSERT_TRUE(forest.ok()) << forest.error().message;
  EXPECT_EQ(forest->task(), c.task);
  EXPECT_EQ(forest->num_outputs(), outputs_of(c.task));
  EXPECT_EQ(forest->num_features(), static_cast<int>(kFeatures));
  EXPECT_GE(forest->num_trees(), static_cast<std::size_t>(10 * outputs_of(c.task)));
  // Every node XGBoost counted is reachable: nothing was lost in the layout.
  EXPECT_EQ(static_cast<long>(forest->num_nodes()), model->info().parameter_count);

  const Dataset test = synthetic(c.task, 1000, 99);
  auto raw = model->predict_raw(test);
  auto margin = model->predict_margin(test);
  ASSERT_TRUE(raw.ok() && margin.ok());
  EXPECT_TRUE(identical(forest_outputs(*forest, test, false), *raw));
  EXPECT_TRUE(identical(forest_outputs(*forest, test, true), *margin));
}

// The batch calls on `rows` rows of `data` with `threads` threads.
std::vector<float> batch_outputs(const Forest& forest, const Dataset& data, std::size_t rows, int threads,
                                 bool margins) {
  std::vector<float> out(rows * static_cast<std::size_t>(forest.num_outputs()));
  if (margins) {
    forest.margins_rows(data.features.data(), rows, out.data(), threads);
  } else {
    forest.predict_rows(data.features.data(), rows, out.data(), threads);
  }
  return out;
}

TEST_P(ForestVsXgboost, BatchEqualsOneRowAndXgboost) {
  const Case c = GetParam();
  const auto model = trained(c.task, c.lossguide, 1);
  auto forest = Forest::from_xgboost_json(*model->booster_json());
  ASSERT_TRUE(forest.ok()) << forest.error().message;
  // Both policies' trees here have at most 32 leaves: all are evaluated by bit masks.
  EXPECT_EQ(forest->num_mask_trees(), forest->num_trees());
  // More than two chunks, neither a multiple of the block nor of the chunk; 10% NaN.
  const std::size_t n = 2 * Forest::kChunkRows + Forest::kBlockRows + 5;
  const Dataset test = synthetic(c.task, n, 98);
  auto raw = model->predict_raw(test);
  auto margin = model->predict_margin(test);
  ASSERT_TRUE(raw.ok() && margin.ok());
  const auto one_row = forest_outputs(*forest, test, false);
  const auto one_row_margins = forest_outputs(*forest, test, true);
  ASSERT_TRUE(identical(one_row, *raw));
  for (int threads : {1, 2, 3, 0}) {
    SCOPED_TRACE(threads);
    EXPECT_TRUE(identical(batch_outputs(*forest, test, n, threads, false), one_row));
    EXPECT_TRUE(identical(batch_outputs(*forest, test, n, threads, true), one_row_margins));
  }
  // Short batches: their outputs are the first rows' (n = 0 writes nothing).
  const auto outputs = static_cast<std::size_t>(forest->num_outputs());
  for (std::size_t rows : {std::size_t{0}, std::size_t{1}, std::size_t{3}, Forest::kBlockRows - 1, Forest::kBlockRows,
                           Forest::kBlockRows + 1, Forest::kChunkRows + 1}) {
    SCOPED_TRACE(rows);
    std::vector<float> out(rows * outputs + 1, 12345.0f);
    forest->predict_rows(test.features.data(), rows, out.data(), 2);
    EXPECT_EQ(out.back(), 12345.0f);  // nothing written past the rows
    out.pop_back();
    EXPECT_TRUE(
        identical(out, std::vector<float>(one_row.begin(), one_row.begin() + static_cast<long>(rows * outputs))));
  }
}

INSTANTIATE_TEST_SUITE_P(Forest, ForestVsXgboost,
                         ::testing::Values(Case{Task::multiclass, false}, Case{Task::multiclass, true},
                                           Case{Task::binary, false}, Case{Task::binary, true},
                                           Case{Task::regression, false}, Case{Task::regression, true}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(task_name(info.param.task)) +
                                  (info.param.lossguide ? "_lossguide" : "_depthwise");
                         });

class ForestSaveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("itrade_forest_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ForestSaveTest, SavedAndLoadedModelGivesTheSameForest) {
  const auto model = trained(Task::multiclass, true, 5);
  auto before = Forest::from_xgboost_json(*model->booster_json());
  ASSERT_TRUE(before.ok()) << before.error().message;
  ASSERT_TRUE(model->save(dir_ / "model").ok());
  auto loaded = GbdtModel::load(dir_ / "model");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  auto after = Forest::from_xgboost_json(*(*loaded)->booster_json());
  ASSERT_TRUE(after.ok()) << after.error().message;
  std::stringstream file;
  file << std::ifstream(dir_ / "model" / "booster.json").rdbuf();
  auto from_file = Forest::from_xgboost_json(file.str());
  ASSERT_TRUE(from_file.ok()) << from_file.error().message;

  const Dataset test = synthetic(Task::multiclass, 1000, 7);
  const auto expected = forest_outputs(*before, test, false);
  auto xgboost = (*loaded)->predict_raw(test);
  ASSERT_TRUE(xgboost.ok());
  EXPECT_TRUE(identical(expected, *xgboost));
  for (const Forest* forest : {&*after, &*from_file}) {
    EXPECT_EQ(forest->num_trees(), before->num_trees());
    EXPECT_EQ(forest->num_nodes(), before->num_nodes());
    EXPECT_EQ(forest->base_margin(), before->base_margin());
    EXPECT_TRUE(identical(forest_outputs(*forest, test, false), expected));
    EXPECT_TRUE(identical(forest_outputs(*forest, test, true), forest_outputs(*before, test, true)));
  }
}

TEST(ForestTest, UntrainedModelHasNoJson) {
  GbdtModel untrained(params(Task::binary, false), "u", "t");
  auto text = untrained.booster_json();
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().kind, core::ErrorKind::input);
}

// One tree in XGBoost's layout: node 0 splits feature 1 at `threshold` (text as written), node 1
// is the left leaf, node 2 the right; a missing value goes left.
std::string stump(const std::string& objective, const std::string& num_class, const std::string& base_score,
                  const std::string& threshold = "5E-1") {
  return fmt::format(
      R"({{"learner":{{"attributes":{{}},"feature_names":[],"feature_types":[],
  "gradient_booster":{{"model":{{"gbtree_model_param":{{"num_parallel_tree":"1","num_trees":"1"}},"tree_info":[0],
  "trees":[{{"base_weights":[0,0,0],"default_left":[1,0,0],"id":0,"left_children":[1,-1,-1],
             "right_children":[2,-1,-1],"split_conditions":[{},-2.5E-1,5E-1],"split_indices":[1,0,0],
             "split_type":[0,0,0],"tree_param":{{"num_deleted":"0","num_feature":"2","num_nodes":"3",
             "size_leaf_vector":"0"}}}}]}},"name":"gbtree"}},
  "learner_model_param":{{"base_score":"{}","num_class":"{}","num_feature":"2","num_target":"1"}},
  "objective":{{"name":"{}"}}}},"version":[1,7,4]}})",
      threshold, base_score, num_class, objective);
}

TEST(ForestTest, SplitMissingValueAndBaseScoreRules) {
  auto binary = Forest::from_xgboost_json(stump("binary:logistic", "0", "2.5E-1"));
  ASSERT_TRUE(binary.ok()) << binary.error().message;
  EXPECT_EQ(binary->task(), Task::binary);
  EXPECT_EQ(binary->num_trees(), 1u);
  EXPECT_EQ(binary->num_nodes(), 3u);
  // base_score is a probability for binary:logistic: the margin starts at its logit, in float.
  const float base = -std::log(1.0f / 0.25f - 1.0f);
  EXPECT_EQ(binary->base_margin(), base);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const struct {
    float x1;
    float leaf;
  } cases[] = {{0.4f, -0.25f}, {0.5f, 0.5f}, {0.6f, 0.5f}, {nan, -0.25f}, {-INFINITY, -0.25f}, {INFINITY, 0.5f}};
  for (const auto& c : cases) {
    const float row[2] = {123.0f, c.x1};  // feature 0 is never read
    float margin = 0.0f;
    float p = 0.0f;
    binary->margins(row, &margin);
    binary->predict(row, &p);
    EXPECT_EQ(margin, base + c.leaf) << "x1 = " << c.x1;
    EXPECT_EQ(p, 1.0f / (1.0f + std::exp(-(base + c.leaf)))) << "x1 = " << c.x1;
  }

  // reg:squarederror and multi:softprob add base_score as it is.
  auto regression = Forest::from_xgboost_json(stump("reg:squarederror", "0", "1.25E0"));
  ASSERT_TRUE(regression.ok()) << regression.error().message;
  EXPECT_EQ(regression->task(), Task::regression);
  const float row[2] = {0.0f, 0.0f};
  float y = 0.0f;
  regression->predict(row, &y);
  EXPECT_EQ(y, 1.25f - 0.25f);
  auto multiclass = Forest::from_xgboost_json(stump("multi:softprob", "3", "5E-1"));
  ASSERT_TRUE(multiclass.ok()) << multiclass.error().message;
  EXPECT_EQ(multiclass->task(), Task::multiclass);
  ASSERT_EQ(multiclass->num_outputs(), 3);
  float m[3];
  multiclass->margins(row, m);
  EXPECT_EQ(m[0], 0.25f);  // the one tree is class 0's
  EXPECT_EQ(m[1], 0.5f);
  EXPECT_EQ(m[2], 0.5f);
  float p[3];
  multiclass->predict(row, p);
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-6);
  EXPECT_LT(p[0], p[1]);
  EXPECT_EQ(p[1], p[2]);
}

TEST(ForestTest, BatchWalksTreesWithAThresholdOfMinusInfinity) {
  // -1E39 is beyond float's range: the threshold is -inf. No number is below it, so every row
  // goes right, except a missing value, which goes the default way (left); the bit masks, which
  // read a missing value as -inf on a default-left split, would send it right: the tree is walked.
  auto forest = Forest::from_xgboost_json(stump("reg:squarederror", "0", "0E0", "-1E39"));
  ASSERT_TRUE(forest.ok()) << forest.error().message;
  EXPECT_EQ(forest->num_mask_trees(), 0u);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float rows[] = {0.0f, nan, 0.0f, -INFINITY, 0.0f, -3.0e38f, 0.0f, 0.0f, 0.0f, INFINITY};
  const float expected[] = {-0.25f, 0.5f, 0.5f, 0.5f, 0.5f};
  float out[5];
  forest->predict_rows(rows, 5, out, 1);
  for (int r = 0; r < 5; ++r) EXPECT_EQ(out[r], expected[r]) << "row " << r;

  // A finite threshold: a mask tree, with the same rules.
  auto finite = Forest::from_xgboost_json(stump("reg:squarederror", "0", "0E0", "-3E38"));
  ASSERT_TRUE(finite.ok());
  EXPECT_EQ(finite->num_mask_trees(), 1u);
  const float expected_finite[] = {-0.25f, -0.25f, 0.5f, 0.5f, 0.5f};  // -3e38 is the threshold: right
  finite->predict_rows(rows, 5, out, 1);
  for (int r = 0; r < 5; ++r) EXPECT_EQ(out[r], expected_finite[r]) << "row " << r;
}

// Random trees in XGBoost's JSON layout, evaluated by a plain reference walk of the same arrays.
struct RandomTree {
  std::vector<long long> left, right, feature, default_left;
  std::vector<float> value;  // threshold at a split, leaf value at a leaf
  int output = 0;
};

// A tree of `leaves` leaves grown by splitting a random leaf each time (any shape, from a chain to
// a balanced tree), on random features of `features`, thresholds drawn from `thresholds`.
RandomTree random_tree(std::size_t leaves, int features, const std::vector<float>& thresholds, std::mt19937& rng) {
  RandomTree tree;
  auto add_leaf = [&] {
    tree.left.push_back(-1);
    tree.right.push_back(-1);
    tree.feature.push_back(0);
    tree.default_left.push_back(0);
    tree.value.push_back(std::normal_distribution<float>(0.0f, 1.0f)(rng));
  };
  add_leaf();
  std::vector<std::size_t> open = {0};
  while (open.size() < leaves) {
    const std::size_t pick = rng() % open.size();
    const std::size_t node = open[pick];
    open.erase(open.begin() + static_cast<long>(pick));
    tree.left[node] = static_cast<long long>(tree.left.size());
    tree.right[node] = static_cast<long long>(tree.left.size() + 1);
    tree.feature[node] = rng() % features;
    tree.default_left[node] = rng() % 2;
    tree.value[node] = thresholds[rng() % thresholds.size()];
    open.push_back(tree.left.size());
    open.push_back(tree.left.size() + 1);
    add_leaf();
    add_leaf();
  }
  return tree;
}

float reference_leaf(const RandomTree& tree, const float* row) {
  std::size_t node = 0;
  while (tree.left[node] != -1) {
    const float x = row[tree.feature[node]];
    const bool left = std::isnan(x) ? tree.default_left[node] != 0 : x < tree.value[node];
    node = static_cast<std::size_t>(left ? tree.left[node] : tree.right[node]);
  }
  return tree.value[node];
}

std::string forest_json(const std::vector<RandomTree>& trees, int num_class, int features, float base_score) {
  json array = json::array();
  json info = json::array();
  for (std::size_t t = 0; t < trees.size(); ++t) {
    const RandomTree& tree = trees[t];
    json values = json::array();
    // XGBoost writes each float as its shortest round-trip text; so does fmt. JSON has no
    // infinity: a number beyond float's range reads as one.
    for (float v : tree.value)
      values.push_back(json::parse(std::isinf(v) ? (v > 0 ? "1E39" : "-1E39") : fmt::format("{}", v)));
    array.push_back({{"id", t},
                     {"left_children", tree.left},
                     {"right_children", tree.right},
                     {"split_indices", tree.feature},
                     {"split_conditions", values},
                     {"default_left", tree.default_left},
                     {"split_type", std::vector<int>(tree.left.size(), 0)},
                     {"tree_param", {{"num_nodes", std::to_string(tree.left.size())}, {"size_leaf_vector", "0"}}}});
    info.push_back(tree.output);
  }
  json model = {{"learner",
                 {{"gradient_booster", {{"name", "gbtree"}, {"model", {{"trees", array}, {"tree_info", info}}}}},
                  {"learner_model_param",
                   {{"base_score", fmt::format("{}", base_score)},
                    {"num_class", std::to_string(num_class)},
                    {"num_feature", std::to_string(features)}}},
                  {"objective", {{"name", "multi:softprob"}}}}}};
  return model.dump();
}

TEST(ForestTest, BatchEqualsAPlainWalkOnRandomTreesOfEveryShape) {
  // Trees of 1 to 90 leaves: one or two mask words, or walked (more than 64 leaves). Row values
  // are often exactly a threshold (which goes right), missing, or infinite.
  constexpr int kFeatures = 5;
  constexpr int kClasses = 3;
  std::mt19937 rng(2024);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> thresholds;
  for (int i = 0; i < 12; ++i) thresholds.push_back(normal(rng));
  thresholds.push_back(3.0e38f);
  thresholds.push_back(INFINITY);  // +inf: only +inf goes right (still a mask tree)
  std::vector<RandomTree> trees;
  for (std::size_t leaves : {1, 2, 3, 17, 31, 32, 33, 47, 63, 64, 65, 90, 5, 31, 2, 64, 40}) {
    trees.push_back(random_tree(leaves, kFeatures, thresholds, rng));
    trees.back().output = static_cast<int>(trees.size() % kClasses);
  }
  auto forest = Forest::from_xgboost_json(forest_json(trees, kClasses, kFeatures, 0.5f));
  ASSERT_TRUE(forest.ok()) << forest.error().message;
  EXPECT_EQ(forest->num_trees(), trees.size());
  EXPECT_EQ(forest->num_mask_trees(), trees.size() - 2);  // all but 65 and 90 leaves

  const std::size_t n = Forest::kChunkRows + 3 * Forest::kBlockRows + 7;
  std::vector<float> rows(n * kFeatures);
  for (float& x : rows) {
    const unsigned kind = rng() % 10;
    x = kind < 3   ? thresholds[rng() % thresholds.size()]
        : kind < 5 ? std::numeric_limits<float>::quiet_NaN()
        : kind < 6 ? (rng() % 2 ? INFINITY : -INFINITY)
                   : normal(rng);
  }
  std::vector<float> margins(n * kClasses);
  std::vector<float> outputs(n * kClasses);
  forest->margins_rows(rows.data(), n, margins.data(), 2);
  forest->predict_rows(rows.data(), n, outputs.data(), 2);
  std::size_t differ = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const float* row = rows.data() + r * kFeatures;
    float expected[kClasses] = {0.5f, 0.5f, 0.5f};
    for (const RandomTree& tree : trees) expected[tree.output] += reference_leaf(tree, row);
    float one_row[kClasses];
    forest->predict(row, one_row);
    for (int k = 0; k < kClasses; ++k) {
      const bool same =
          std::bit_cast<std::uint32_t>(margins[r * kClasses + k]) == std::bit_cast<std::uint32_t>(expected[k]) &&
          std::bit_cast<std::uint32_t>(outputs[r * kClasses + k]) == std::bit_cast<std::uint32_t>(one_row[k]);
      if (!same && differ++ < 5) {
        ADD_FAILURE() << "row " << r << " class " << k << ": margin " << margins[r * kClasses + k] << " against "
                      << expected[k] << ", output " << outputs[r * kClasses + k] << " against " << one_row[k];
      }
    }
  }
  EXPECT_EQ(differ, 0u);
  // Batches of at most 4 rows (the live engine's: one bar of a few tickers) evaluate one vector of
  // the block instead of all: the same bits, NaN and infinities included.
  for (std::size_t size = 1; size <= 5; ++size) {
    for (std::size_t first = 0; first + size <= 200; first += size) {
      float small[5 * kClasses];
      forest->predict_rows(rows.data() + first * kFeatures, size, small, 1);
      for (std::size_t i = 0; i < size * kClasses; ++i) {
        ASSERT_EQ(std::bit_cast<std::uint32_t>(small[i]), std::bit_cast<std::uint32_t>(outputs[first * kClasses + i]))
            << "batch of " << size << " from row " << first;
      }
    }
  }
}

TEST(ForestTest, ThresholdIsTheFloatNearestItsText) {
  // Just above the midpoint of 1 and the next float: the nearest float is the next one, but read
  // as a double it is the midpoint itself, which rounds (to even) down to 1, and then 1 would go
  // right instead of left.
  auto forest = Forest::from_xgboost_json(stump("reg:squarederror", "0", "0E0", "1.00000005960464477539062500001"));
  ASSERT_TRUE(forest.ok()) << forest.error().message;
  const float row[2] = {0.0f, 1.0f};
  float y = 0.0f;
  forest->margins(row, &y);
  EXPECT_EQ(y, -0.25f);
  const float next[2] = {0.0f, std::nextafter(1.0f, 2.0f)};
  forest->margins(next, &y);
  EXPECT_EQ(y, 0.5f);
}

// The text of `model` after `change`.
template <typename Change>
std::string edited(const std::string& text, Change change) {
  json model = json::parse(text);
  change(model["learner"]);
  return model.dump();
}

void expect_input_error(const std::string& text, const std::string& says) {
  auto forest = Forest::from_xgboost_json(text);
  ASSERT_FALSE(forest.ok()) << "accepted: " << text.substr(0, 200);
  EXPECT_EQ(forest.error().kind, core::ErrorKind::input);
  EXPECT_THAT(forest.error().message, HasSubstr(says));
}

TEST(ForestTest, MalformedJsonIsAnInputError) {
  for (const char* text : {"", "{", "not json", "[1, 2]", "{}", "null", "{\"learner\": 3}", "{} {}"}) {
    SCOPED_TRACE(text);
    auto forest = Forest::from_xgboost_json(text);
    ASSERT_FALSE(forest.ok());
    EXPECT_EQ(forest.error().kind, core::ErrorKind::input);
  }
  expect_input_error("{", "not valid JSON");
  expect_input_error(std::string(100000, '[') + std::string(100000, ']'), "learner.objective.name is missing");

  const std::string good = stump("multi:softprob", "3", "5E-1");
  ASSERT_TRUE(Forest::from_xgboost_json(good).ok());
  auto tree = [](json& learner) -> json& { return learner["gradient_booster"]["model"]["trees"][0]; };
  expect_input_error(edited(good, [&](json& l) { tree(l)["split_conditions"].erase(2); }), "differ in length");
  expect_input_error(edited(good, [&](json& l) { tree(l)["left_children"] = json::array(); }), "differ in length");
  expect_input_error(edited(good, [&](json& l) { tree(l).erase("default_left"); }), "lacks one of");
  expect_input_error(edited(good, [&](json& l) { tree(l)["left_children"][0] = "1"; }), "lacks one of");
  expect_input_error(edited(good, [&](json& l) { tree(l)["left_children"][0] = 3; }), "left child 3");
  expect_input_error(edited(good, [&](json& l) { tree(l)["right_children"][0] = -7; }), "right child -7");
  expect_input_error(edited(good, [&](json& l) { tree(l)["right_children"][0] = 1; }), "right child 1");
  expect_input_error(edited(good,
                            [&](json& l) {  // node 1 points back at the root: a cycle
                              tree(l)["left_children"][1] = 0;
                              tree(l)["right_children"][1] = 2;
                            }),
                     "left child 0");
  expect_input_error(edited(good, [&](json& l) { tree(l)["right_children"][1] = 2; }), "right child but no left");
  expect_input_error(edited(good, [&](json& l) { tree(l)["split_indices"][0] = 2; }), "feature 2 of 2");
  expect_input_error(edited(good, [&](json& l) { tree(l)["split_type"][0] = 1; }), "categorical");
  expect_input_error(edited(good, [&](json& l) { l["gradient_booster"]["model"]["tree_info"][0] = 3; }),
                     "output 3 of 3");
  expect_input_error(edited(good, [&](json& l) { l["gradient_booster"]["model"]["tree_info"].push_back(0); }),
                     "1 trees but 2 entries");
  expect_input_error(edited(good, [&](json& l) { l["learner_model_param"]["num_feature"] = "two"; }), "num_feature");
  expect_input_error(edited(good, [&](json& l) { l["learner_model_param"].erase("base_score"); }), "base_score");
  expect_input_error(stump("binary:logistic", "0", "1E0"), "not a probability");
  expect_input_error(stump("multi:softprob", "0", "5E-1"), "num_class 0");
}

TEST(ForestTest, UnsupportedModelIsAnInputError) {
  const std::string good = stump("multi:softprob", "3", "5E-1");
  for (const char* objective : {"multi:softmax", "reg:pseudohubererror", "binary:logitraw", "rank:pairwise"}) {
    expect_input_error(stump(objective, "0", "5E-1"), fmt::format("objective '{}' is not supported", objective));
  }
  expect_input_error(edited(good, [](json& l) { l["gradient_booster"]["name"] = "dart"; }),
                     "booster 'dart' is not supported");
  expect_input_error(edited(good, [](json& l) { l["learner_model_param"]["num_target"] = "2"; }), "num_target");
}

TEST(ForestTest, DamagedModelTextNeverCrashes) {
  // Truncations and byte changes of a real model: each is rejected as an input error or, when the
  // change happens to keep a valid model, evaluates (a walk out of bounds would crash under ASan).
  const auto model = trained(Task::multiclass, false, 11);
  const std::string text = *model->booster_json();
  const Dataset rows = synthetic(Task::multiclass, 20, 12);
  auto check = [&](const std::string& damaged) {
    auto forest = Forest::from_xgboost_json(damaged);
    if (!forest.ok()) {
      EXPECT_EQ(forest.error().kind, core::ErrorKind::input);
      return;
    }
    // A change may have altered num_feature or num_class: size the buffers by the forest.
    std::vector<float> row(static_cast<std::size_t>(forest->num_features()), 0.0f);
    std::vector<float> out(static_cast<std::size_t>(forest->num_outputs()));
    for (std::size_t r = 0; r < rows.rows(); ++r) {
      std::copy_n(rows.features.data() + r * kFeatures, std::min(row.size(), kFeatures), row.data());
      forest->predict(row.data(), out.data());
    }
  };
  for (std::size_t cut = 0; cut < text.size(); cut += text.size() / 97 + 1) check(text.substr(0, cut));
  std::mt19937 rng(13);
  const std::string alphabet = "0123456789-+.eE[]{},:\"aZ ";
  for (int i = 0; i < 400; ++i) {
    std::string damaged = text;
    for (int k = 0; k < 3; ++k) damaged[rng() % damaged.size()] = alphabet[rng() % alphabet.size()];
    check(damaged);
  }
}

}  // namespace
}  // namespace itrade::models
