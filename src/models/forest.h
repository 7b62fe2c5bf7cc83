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
// does not change once made: margins(), predict() and the batch calls may run on several threads
// at once.
//
// Batches (predict_rows(), margins_rows()) give the same bits as the one-row calls, row by row, but
// evaluate a block of kBlockRows rows one tree at a time, so that the tree stays in L1 and the block
// shares its work. A tree of at most 64 leaves whose thresholds are all above -inf (XGBoost's always
// are) is evaluated without walking it, by bit masks (QuickScorer, Lucchese et al., SIGIR 2015):
// - its leaves are numbered left to right; split s has the mask of the leaves of its left subtree;
// - for every row, every split the row would pass to the right (value >= threshold, or missing and
//   the default way is right) clears its mask's bits from the row's set of leaves, starting from all;
// - the row's leaf is the lowest bit left: at the deepest common ancestor of a leaf to its left and
//   its own, the row went right, which cleared the former; its own bit is cleared by no split, as a
//   split the row passes to the right is not above it on its left side.
// That is one compare and two bit operations per split for 4 rows at once (SSE2, through GCC's
// portable vector extensions), with no chain of dependent loads. Missing values take no branch: the
// block holds each feature twice, NaN replaced by -inf in one copy (which every threshold above
// -inf sends left) and by +inf in the other (sent right), and each split reads the copy of its
// default way. Other trees are walked row by row. The leaf values are added in tree order, as in
// margins().

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

  // predict() for each of `n` rows, row-major at `rows` (num_features() values per row), into
  // out[r * num_outputs() ...] for row r: bit for bit what predict() gives row by row. The rows are
  // split into chunks of kChunkRows over up to `threads` threads (0: one per hardware thread; the
  // caller's thread is one of them; 1 or a single chunk: the caller's alone). Allocates a few KB of
  // work space per chunk. Throws std::system_error only when a thread cannot be started.
  void predict_rows(const float* rows, std::size_t n, float* out, int threads = 1) const;
  // margins() for each of `n` rows, as predict_rows().
  void margins_rows(const float* rows, std::size_t n, float* out, int threads = 1) const;
  // Trees the batch calls evaluate by bit masks rather than by walking them (see above).
  std::size_t num_mask_trees() const;

  // Rows evaluated together, tree by tree (a multiple of 4).
  static constexpr std::size_t kBlockRows = 32;
  // Rows handed to one thread at a time.
  static constexpr std::size_t kChunkRows = 2048;

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

  // The batch calls' view of a tree evaluated by bit masks (see the top of this file).
  struct MaskSplit {
    float threshold;
    std::uint32_t column;          // 2 * feature + missing_right: the block's copy of the feature to read
    std::uint32_t kept_leaves[2];  // bit k % 32 of word k / 32 clear: leaf k is in the left subtree
  };
  struct BatchTree {
    std::uint32_t first_split;  // in mask_splits_
    std::uint32_t num_splits;
    std::uint32_t first_leaf;  // in mask_leaves_
    std::uint32_t mask_words;  // 1 (up to 32 leaves) or 2 (up to 64); 0: walk trees_[t] instead
  };
  static constexpr std::size_t kMaxMaskWords = 2;

  Forest() = default;

  // The node after `i` on the walk of `row`.
  static std::size_t step(const Node* nodes, std::size_t i, const float* row) noexcept;
  // predict()'s transform of one row's margins, in place.
  void transform(float* out) const noexcept;
  // Fills batch_trees_, mask_splits_ and mask_leaves_ from the trees.
  void build_batch_layout();
  // Rows [0, n) of `rows`, n <= kChunkRows, into out (margins, or predict()'s outputs).
  void run_chunk(const float* rows, std::size_t n, float* out, bool outputs) const;
  void run_rows(const float* rows, std::size_t n, float* out, int threads, bool outputs) const;

  std::vector<Node> nodes_;                // every tree's nodes, one tree after another
  std::vector<float> leaf_values_;         // by node index (0 at a split), read once per tree
  std::vector<Tree> trees_;                // in XGBoost's order, which is the order of summation
  std::vector<std::int32_t> group_steps_;  // for each full group of kLanes trees, its largest depth
  std::vector<BatchTree> batch_trees_;     // one per tree, in trees_' order
  std::vector<MaskSplit> mask_splits_;     // the splits of the mask trees, tree after tree
  std::vector<float> mask_leaves_;         // their leaf values, left to right, tree after tree
  Objective objective_ = Objective::reg_squarederror;
  int num_outputs_ = 1;
  int num_features_ = 0;
  float base_margin_ = 0.0f;
};

}  // namespace itrade::models
