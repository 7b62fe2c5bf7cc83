#pragma once
// Forest: an XGBoost tree ensemble evaluated without XGBoost, for the live engine, which must turn
// one bar's features into a SignalOutput in 20 us (median). XGBoost's C API spends tens of
// microseconds on one row whatever the model's size (it builds a proxy matrix on every call);
// walking the trees here, in flat arrays, takes about 10 us for 450 trees of 31 leaves with the
// forest in L3 or closer, but about 70 us when it has to come from memory: keep it warm
// (bench/bench_forest.cpp).
//
// Read from XGBoost 1.7's JSON model (GbdtModel::booster_json(), or booster.json of a saved model)
// and evaluated as XGBoost's CPU predictor does, so that the outputs are bit for bit XGBoost's
// (tests/models/test_forest.cpp checks every row of test sets, NaN included):
// - a split sends the row left when value < threshold, compared in float, right otherwise; a
//   missing value (NaN) goes the node's default way;
// - output k's margin starts at the base margin and adds, in float and in tree order, the leaf
//   value of every tree of class k (summing in double, for one, differs from XGBoost by up to
//   1.4e-6 on the margins of the tests' models);
// - the base margin is base_score as is for multi:softprob and reg:squarederror, and
//   -logf(1 / base_score - 1) for binary:logistic, where base_score is a probability;
// - predict() applies XGBoost's transform: its softmax (shifted by the largest margin, expf, the
//   sum in double) for multi:softprob, 1 / (1 + expf(-margin)) for binary:logistic, nothing for
//   reg:squarederror.
// Only numeric splits of a gbtree booster are supported (no dart, no categorical splits). A Forest
// does not change once made: margins() and predict() may run on several threads at once.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "models/signal_model.h"

namespace itrade::models {

class Forest {
 public:
  enum class Objective {
    multi_softprob,    // num_outputs() class probabilities
    binary_logistic,   // p(1)
    reg_squarederror,  // the prediction
  };

  // Input error, saying what is wrong, for text that is not JSON, is not an XGBoost gbtree model,
  // has another objective, or whose trees are inconsistent (array lengths, child indices out of
  // range or shared, feature indices beyond num_feature): a Forest that exists is safe to walk.
  static core::Result<Forest> from_xgboost_json(std::string_view json);

  // The margins (untransformed outputs) of one row of num_features() values (NaN = missing), in
  // the training column order, into out[0 .. num_outputs()). No allocation.
  void margins(const float* row, float* out) const noexcept;
  // The transformed outputs, laid out as GbdtModel::predict_raw's row: class probabilities for
  // multi:softprob, p(1) for binary:logistic, the prediction for reg:squarederror. No allocation.
  void predict(const float* row, float* out) const noexcept;

  Objective objective() const { return objective_; }
  Task task() const;
  int num_outputs() const { return num_outputs_; }
  int num_features() const { return num_features_; }
  std::size_t num_trees() const { return trees_.size(); }
  // Nodes reachable from the roots (the unreachable ones a model file may carry are dropped).
  std::size_t num_nodes() const { return nodes_.size(); }
  float base_margin() const { return base_margin_; }

 private:
  // One split or leaf. A tree's nodes are stored breadth-first, the children of a split side by
  // side (right = left + 1). A leaf is its own left child and sends every row left (its threshold
  // is NaN and missing_right 0), so that a walk can take more steps than the leaf's depth and stay
  // there: trees are walked in lockstep groups (see margins()).
  struct Node {
    float threshold;              // a row goes right when value >= threshold
    std::uint32_t feature;        // the row's column the split reads
    std::int32_t left;            // index of the left child in nodes_
    std::uint32_t missing_right;  // 1: a missing value goes right
  };
  struct Tree {
    std::int32_t root;    // index in nodes_
    std::int32_t output;  // which margin the tree adds to (its class)
    std::int32_t depth;   // edges on the longest path from the root to a leaf
  };
  // Trees walked together: each walk is a chain of dependent loads, and independent ones keep the
  // core busy while each waits on memory. One row of 450 trees: 21 us one tree at a time, 17 us
  // with 2, 11 us with 8; more spill registers.
  static constexpr std::size_t kLanes = 8;

  Forest() = default;

  // The node after `i` on the walk of `row`.
  static std::size_t step(const Node* nodes, std::size_t i, const float* row) noexcept;

  std::vector<Node> nodes_;                // every tree's nodes, one tree after another
  std::vector<float> leaf_values_;         // by node index (0 at a split), read once per tree
  std::vector<Tree> trees_;                // in XGBoost's order, which is the order of summation
  std::vector<std::int32_t> group_steps_;  // for each full group of kLanes trees, its largest depth
  Objective objective_ = Objective::reg_squarederror;
  int num_outputs_ = 1;
  int num_features_ = 0;
  float base_margin_ = 0.0f;
};

}  // namespace itrade::models
