#include "models/forest.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <utility>

#include "core/parallel.h"

namespace itrade::models {

using nlohmann::json;

namespace {

float to_float(double value) {
  // A double beyond float's range does not convert (undefined behaviour); it is infinite as a float.
  constexpr double kMax = std::numeric_limits<float>::max();
  if (value > kMax) return std::numeric_limits<float>::infinity();
  if (value < -kMax) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(value);
}

// nlohmann's DOM builder, except that a number with a fraction or an exponent becomes the float
// nearest its text (held exactly in the double). XGBoost writes each float32 as its shortest
// round-trip text; reading that as a double and then rounding to float lands one ulp away when the
// text lies next to the midpoint of two floats, and a threshold one ulp off splits some rows the
// other way.
class FloatDomParser : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  explicit FloatDomParser(json& root) : json_sax_dom_parser(root, /*allow_exceptions_=*/false) {}

  bool number_float(double value, const std::string& text) {
    float nearest = 0.0f;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, nearest);
    if (error != std::errc() || stop != end) nearest = to_float(value);  // beyond float's range
    return json_sax_dom_parser::number_float(static_cast<double>(nearest), text);
  }
};

template <typename... Args>
core::Error bad_model(fmt::format_string<Args...> format, Args&&... args) {
  return core::input_error(
      "not a usable XGBoost JSON model: {}; give the JSON model XGBoost 1.7 writes (GbdtModel::booster_json(), or "
      "booster.json in a saved model directory)",
      fmt::format(format, std::forward<Args>(args)...));
}

// The value at `path` below `root`, or null when a step is missing or not an object.
const json* find(const json& root, std::initializer_list<const char*> path) {
  const json* at = &root;
  for (const char* key : path) {
    if (!at->is_object()) return nullptr;
    const auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

// XGBoost writes its parameters as strings ("3", "5E-1"); plain numbers are accepted too.
bool as_integer(const json* value, long long& out) {
  if (value == nullptr) return false;
  if (value->is_number_integer()) {
    out = value->get<long long>();
    return true;
  }
  if (!value->is_string()) return false;
  const auto& text = value->get_ref<const std::string&>();
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, out);
  return !text.empty() && error == std::errc() && stop == end;
}

bool as_float(const json* value, float& out) {
  if (value == nullptr) return false;
  if (value->is_number()) {
    out = to_float(value->get<double>());
    return true;
  }
  if (!value->is_string()) return false;
  const auto& text = value->get_ref<const std::string&>();
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, out);
  return !text.empty() && error == std::errc() && stop == end;
}

const char* objective_name(Forest::Objective objective) {
  switch (objective) {
    case Forest::Objective::multi_softprob:
      return "multi:softprob";
    case Forest::Objective::binary_logistic:
      return "binary:logistic";
    case Forest::Objective::reg_squarederror:
      return "reg:squarederror";
  }
  return "?";
}

// One tree's arrays as XGBoost writes them, indexed by XGBoost's node id.
struct TreeArrays {
  std::vector<long long> left;
  std::vector<long long> right;
  std::vector<long long> feature;
  std::vector<float> value;
  std::vector<long long> default_left;
  std::vector<long long> split_type;  // empty when absent
};

// Integers, or for `booleans` also true / false as 1 / 0.
bool integer_array(const json* value, std::vector<long long>& out, bool booleans = false) {
  if (value == nullptr || !value->is_array()) return false;
  out.clear();
  out.reserve(value->size());
  for (const json& element : *value) {
    if (element.is_number_integer()) {
      out.push_back(element.get<long long>());
    } else if (booleans && element.is_boolean()) {
      out.push_back(element.get<bool>() ? 1 : 0);
    } else {
      return false;
    }
  }
  return true;
}

bool float_array(const json* value, std::vector<float>& out) {
  if (value == nullptr || !value->is_array()) return false;
  out.clear();
  out.reserve(value->size());
  for (const json& element : *value) {
    if (!element.is_number()) return false;
    out.push_back(to_float(element.get<double>()));
  }
  return true;
}

}  // namespace

core::Result<Forest> Forest::from_xgboost_json(std::string_view text) {
  json model;
  FloatDomParser parser(model);
  bool parsed = false;
  try {
    parsed = json::sax_parse(text.data(), text.data() + text.size(), &parser);
  } catch (const json::exception&) {
    parsed = false;
  }
  if (!parsed) return bad_model("the text is not valid JSON");

  Forest forest;
  const json* objective = find(model, {"learner", "objective", "name"});
  if (objective == nullptr || !objective->is_string()) return bad_model("learner.objective.name is missing");
  const auto& objective_text = objective->get_ref<const std::string&>();
  bool known = false;
  for (Objective candidate : {Objective::multi_softprob, Objective::binary_logistic, Objective::reg_squarederror}) {
    if (objective_text == objective_name(candidate)) {
      forest.objective_ = candidate;
      known = true;
    }
  }
  if (!known) {
    return core::input_error(
        "XGBoost objective '{}' is not supported by the tree evaluator; train with multi:softprob, binary:logistic "
        "or reg:squarederror (the multiclass, binary and regression tasks)",
        objective_text);
  }
  const json* booster = find(model, {"learner", "gradient_booster", "name"});
  if (booster == nullptr || !booster->is_string()) return bad_model("learner.gradient_booster.name is missing");
  if (booster->get_ref<const std::string&>() != "gbtree") {
    return core::input_error("XGBoost booster '{}' is not supported by the tree evaluator; train with booster gbtree",
                             booster->get_ref<const std::string&>());
  }

  const json* param = find(model, {"learner", "learner_model_param"});
  if (param == nullptr) return bad_model("learner.learner_model_param is missing");
  long long num_class = 0;
  long long num_feature = 0;
  long long num_target = 1;
  float base_score = 0.0f;
  if (!as_integer(find(*param, {"num_class"}), num_class)) return bad_model("num_class is missing or not an integer");
  if (!as_integer(find(*param, {"num_feature"}), num_feature) || num_feature < 1 ||
      num_feature > std::numeric_limits<std::int32_t>::max()) {
    return bad_model("num_feature is missing or not a positive integer");
  }
  if (find(*param, {"num_target"}) != nullptr &&
      (!as_integer(find(*param, {"num_target"}), num_target) || num_target != 1)) {
    return bad_model("num_target must be 1 (one target per model)");
  }
  if (!as_float(find(*param, {"base_score"}), base_score) || !std::isfinite(base_score)) {
    return bad_model("base_score is missing or not a finite number");
  }
  forest.num_features_ = static_cast<int>(num_feature);
  switch (forest.objective_) {
    case Objective::multi_softprob:
      // The bound keeps output indices small; a direction model has 3 classes.
      if (num_class < 2 || num_class > 1024) return bad_model("multi:softprob with num_class {}", num_class);
      forest.num_outputs_ = static_cast<int>(num_class);
      forest.base_margin_ = base_score;
      break;
    case Objective::binary_logistic:
      if (num_class > 1) return bad_model("binary:logistic with num_class {}", num_class);
      if (!(base_score > 0.0f && base_score < 1.0f)) {
        return bad_model("binary:logistic base_score {} is not a probability in (0, 1)", base_score);
      }
      // XGBoost's ProbToMargin, in float as it computes it.
      forest.base_margin_ = -std::log(1.0f / base_score - 1.0f);
      break;
    case Objective::reg_squarederror:
      if (num_class > 1) return bad_model("reg:squarederror with num_class {}", num_class);
      forest.base_margin_ = base_score;
      break;
  }

  const json* trees = find(model, {"learner", "gradient_booster", "model", "trees"});
  const json* tree_info = find(model, {"learner", "gradient_booster", "model", "tree_info"});
  std::vector<long long> classes;
  if (trees == nullptr || !trees->is_array()) return bad_model("gradient_booster.model.trees is missing");
  if (!integer_array(tree_info, classes)) return bad_model("gradient_booster.model.tree_info is missing");
  if (classes.size() != trees->size()) {
    return bad_model("{} trees but {} entries in tree_info", trees->size(), classes.size());
  }

  TreeArrays arrays;
  std::vector<std::int32_t> order;  // XGBoost node ids in the order they are stored here
  std::vector<char> placed;
  std::vector<std::int32_t> depth;  // of each node in `order`
  forest.trees_.reserve(trees->size());
  for (std::size_t t = 0; t < trees->size(); ++t) {
    const json& tree = (*trees)[t];
    if (classes[t] < 0 || classes[t] >= forest.num_outputs_) {
      return bad_model("tree {} adds to output {} of {}", t, classes[t], forest.num_outputs_);
    }
    if (!integer_array(find(tree, {"left_children"}), arrays.left) ||
        !integer_array(find(tree, {"right_children"}), arrays.right) ||
        !integer_array(find(tree, {"split_indices"}), arrays.feature) ||
        !float_array(find(tree, {"split_conditions"}), arrays.value) ||
        !integer_array(find(tree, {"default_left"}), arrays.default_left, true)) {
      return bad_model(
          "tree {} lacks one of left_children, right_children, split_indices, split_conditions, "
          "default_left, or has a non-number in it",
          t);
    }
    arrays.split_type.clear();
    if (find(tree, {"split_type"}) != nullptr && !integer_array(find(tree, {"split_type"}), arrays.split_type)) {
      return bad_model("tree {} has a split_type that is not an integer array", t);
    }
    long long leaf_vector = 0;
    if (as_integer(find(tree, {"tree_param", "size_leaf_vector"}), leaf_vector) && leaf_vector > 1) {
      return bad_model("tree {} has vector leaves (size_leaf_vector {})", t, leaf_vector);
    }
    const std::size_t n = arrays.left.size();
    if (n == 0 || arrays.right.size() != n || arrays.feature.size() != n || arrays.value.size() != n ||
        arrays.default_left.size() != n || (!arrays.split_type.empty() && arrays.split_type.size() != n)) {
      return bad_model("tree {}'s node arrays differ in length or are empty", t);
    }
    if (forest.nodes_.size() + n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
      return bad_model("more than 2^31 nodes");
    }

    // Breadth-first from the root (XGBoost's node 0). Each node is placed once: a child index out
    // of range, or a node reached twice (a cycle or a shared child), is an error, so that every
    // walk ends at a leaf.
    const auto base = static_cast<std::int32_t>(forest.nodes_.size());
    order.assign(1, 0);
    depth.assign(1, 0);
    placed.assign(n, 0);
    placed[0] = 1;
    std::int32_t tree_depth = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
      const std::int32_t id = order[k];
      const auto self = base + static_cast<std::int32_t>(k);
      Node node{std::numeric_limits<float>::quiet_NaN(), 0, self, 0};
      float leaf = 0.0f;
      if (arrays.left[id] == -1) {
        if (arrays.right[id] != -1) return bad_model("tree {} node {} has a right child but no left child", t, id);
        tree_depth = std::max(tree_depth, depth[k]);
        leaf = arrays.value[id];
      } else {
        const long long left = arrays.left[id];
        const long long right = arrays.right[id];
        const auto usable = [&](long long child) {
          return child >= 0 && child < static_cast<long long>(n) && placed[static_cast<std::size_t>(child)] == 0;
        };
        if (!usable(left)) {
          return bad_model("tree {} node {} has left child {}: out of range or seen before", t, id, left);
        }
        placed[static_cast<std::size_t>(left)] = 1;
        if (!usable(right)) {
          return bad_model("tree {} node {} has right child {}: out of range or seen before", t, id, right);
        }
        placed[static_cast<std::size_t>(right)] = 1;
        if (arrays.feature[id] < 0 || arrays.feature[id] >= num_feature) {
          return bad_model("tree {} node {} splits on feature {} of {}", t, id, arrays.feature[id], num_feature);
        }
        if (!arrays.split_type.empty() && arrays.split_type[id] != 0) {
          return bad_model("tree {} node {} is a categorical split, which the evaluator does not support", t, id);
        }
        node.threshold = arrays.value[id];
        node.feature = static_cast<std::uint32_t>(arrays.feature[id]);
        node.left = base + static_cast<std::int32_t>(order.size());
        node.missing_right = arrays.default_left[id] != 0 ? 0 : 1;
        order.push_back(static_cast<std::int32_t>(left));
        order.push_back(static_cast<std::int32_t>(right));
        depth.push_back(depth[k] + 1);
        depth.push_back(depth[k] + 1);
      }
      forest.nodes_.push_back(node);
      forest.leaf_values_.push_back(leaf);
    }
    forest.trees_.push_back(Tree{base, static_cast<std::int32_t>(classes[t]), tree_depth});
  }
  for (std::size_t first = 0; first + kLanes <= forest.trees_.size(); first += kLanes) {
    std::int32_t steps = 0;
    for (std::size_t l = 0; l < kLanes; ++l) steps = std::max(steps, forest.trees_[first + l].depth);
    forest.group_steps_.push_back(steps);
  }
  forest.build_batch_layout();
  return forest;
}

void Forest::build_batch_layout() {
  constexpr std::size_t kMaxLeaves = 32 * kMaxMaskWords;
  std::vector<std::uint32_t> leaves_below;  // by node of the tree: leaves in its subtree
  std::vector<std::uint32_t> first_below;   // by node: left-to-right number of its subtree's first leaf
  for (std::size_t t = 0; t < trees_.size(); ++t) {
    const auto begin = static_cast<std::size_t>(trees_[t].root);
    const std::size_t end = t + 1 < trees_.size() ? static_cast<std::size_t>(trees_[t + 1].root) : nodes_.size();
    const auto is_leaf = [&](std::size_t i) { return static_cast<std::size_t>(nodes_[i].left) == i; };
    std::size_t leaves = 0;
    bool maskable = true;
    for (std::size_t i = begin; i < end; ++i) {
      if (is_leaf(i)) {
        ++leaves;
      } else if (!(nodes_[i].threshold > -std::numeric_limits<float>::infinity())) {
        // -inf or NaN: the missing-value copies (-inf, +inf) would not go the default way.
        maskable = false;
      }
    }
    if (!maskable || leaves > kMaxLeaves) {
      batch_trees_.push_back(BatchTree{0, 0, 0, 0});
      continue;
    }
    // Nodes are stored breadth-first, children after their parent: leaf counts from the last node
    // up, leaf numbers from the root down.
    const std::size_t size = end - begin;
    leaves_below.assign(size, 0);
    first_below.assign(size, 0);
    for (std::size_t k = size; k-- > 0;) {
      const std::size_t i = begin + k;
      if (is_leaf(i)) {
        leaves_below[k] = 1;
      } else {
        const auto left = static_cast<std::size_t>(nodes_[i].left) - begin;
        leaves_below[k] = leaves_below[left] + leaves_below[left + 1];
      }
    }
    BatchTree tree{static_cast<std::uint32_t>(mask_splits_.size()), 0, static_cast<std::uint32_t>(mask_leaves_.size()),
                   leaves <= 32 ? 1u : 2u};
    mask_leaves_.resize(mask_leaves_.size() + leaves, 0.0f);
    for (std::size_t k = 0; k < size; ++k) {
      const std::size_t i = begin + k;
      if (is_leaf(i)) {
        mask_leaves_[tree.first_leaf + first_below[k]] = leaf_values_[i];
        continue;
      }
      const auto left = static_cast<std::size_t>(nodes_[i].left) - begin;
      first_below[left] = first_below[k];
      first_below[left + 1] = first_below[k] + leaves_below[left];
      MaskSplit split{nodes_[i].threshold, 2 * nodes_[i].feature + nodes_[i].missing_right, {~0u, ~0u}};
      for (std::uint32_t leaf = first_below[left]; leaf < first_below[left] + leaves_below[left]; ++leaf) {
        split.kept_leaves[leaf / 32] &= ~(1u << (leaf % 32));
      }
      mask_splits_.push_back(split);
      ++tree.num_splits;
    }
    batch_trees_.push_back(tree);
  }
}

std::size_t Forest::num_mask_trees() const {
  return static_cast<std::size_t>(
      std::count_if(batch_trees_.begin(), batch_trees_.end(), [](const BatchTree& t) { return t.mask_words != 0; }));
}

Task Forest::task() const {
  switch (objective_) {
    case Objective::multi_softprob:
      return Task::multiclass;
    case Objective::binary_logistic:
      return Task::binary;
    case Objective::reg_squarederror:
      return Task::regression;
  }
  return Task::regression;
}

inline std::size_t Forest::step(const Node* nodes, std::size_t i, const float* row) noexcept {
  const Node& node = nodes[i];
  const float x = row[node.feature];
  // XGBoost's rule: left when x < threshold, the default way when x is missing. Integer arithmetic
  // rather than bools and ?:, which GCC turns into branches, and the way a row goes at a split is
  // a coin toss the branch predictor loses (twice as slow). At a leaf the threshold is NaN: x >=
  // threshold is false, isunordered true but missing_right 0, so the walk stays.
  const auto right = static_cast<std::uint32_t>(std::isgreaterequal(x, node.threshold)) |
                     (static_cast<std::uint32_t>(std::isunordered(x, node.threshold)) & node.missing_right);
  return static_cast<std::size_t>(node.left) + right;
}

void Forest::margins(const float* row, float* out) const noexcept {
  for (int k = 0; k < num_outputs_; ++k) out[k] = base_margin_;
  const Node* nodes = nodes_.data();
  const float* leaves = leaf_values_.data();
  const Tree* tree = trees_.data();
  // Full groups: kLanes walks in lockstep for the group's largest depth, no branch on the way,
  // then the leaves added in tree order, as XGBoost adds them.
  for (const std::int32_t steps : group_steps_) {
    std::size_t at[kLanes];
    for (std::size_t l = 0; l < kLanes; ++l) at[l] = static_cast<std::size_t>(tree[l].root);
    for (std::int32_t s = 0; s < steps; ++s) {
#pragma GCC unroll 16
      for (std::size_t l = 0; l < kLanes; ++l) at[l] = step(nodes, at[l], row);
    }
    for (std::size_t l = 0; l < kLanes; ++l) out[tree[l].output] += leaves[at[l]];
    tree += kLanes;
  }
  for (; tree != trees_.data() + trees_.size(); ++tree) {
    auto at = static_cast<std::size_t>(tree->root);
    for (std::int32_t s = 0; s < tree->depth; ++s) at = step(nodes, at, row);
    out[tree->output] += leaves[at];
  }
}

void Forest::predict(const float* row, float* out) const noexcept {
  margins(row, out);
  transform(out);
}

void Forest::transform(float* out) const noexcept {
  switch (objective_) {
    case Objective::multi_softprob: {
      // XGBoost's Softmax (common/math.h), operation for operation.
      float largest = out[0];
      for (int k = 1; k < num_outputs_; ++k) largest = std::fmax(out[k], largest);
      double sum = 0.0;
      for (int k = 0; k < num_outputs_; ++k) {
        out[k] = std::exp(out[k] - largest);
        sum += out[k];
      }
      for (int k = 0; k < num_outputs_; ++k) out[k] /= static_cast<float>(sum);
      break;
    }
    case Objective::binary_logistic:
      out[0] = 1.0f / (1.0f + std::exp(-out[0]));
      break;
    case Objective::reg_squarederror:
      break;
  }
}

namespace {

// Four rows' values of one column, and four rows' leaf bits. GCC's vector extensions: SSE2 on
// x86-64 without -m flags, other code elsewhere.
using Floats = float __attribute__((vector_size(16)));
using Bits = std::int32_t __attribute__((vector_size(16)));  // what comparing Floats gives
constexpr std::size_t kVectors = Forest::kBlockRows / 4;
static_assert(Forest::kBlockRows % 4 == 0);

// Clears, for the block's rows, the leaves of the left subtree of every split they pass to the
// right; alive[w][v] holds bits 32w.. of rows 4v..4v+3. Only the first `Vectors` vectors are
// evaluated: a block of at most 4 rows (the live engine's one bar) pays for one vector, not 8.
template <std::size_t Words, std::size_t Vectors, typename Split>
inline void clear_left_leaves(const Split* split, std::uint32_t count, const Floats* columns,
                              Bits (&alive)[Words][kVectors]) {
  static_assert(Vectors >= 1 && Vectors <= kVectors);
  for (std::size_t w = 0; w < Words; ++w) {
    for (std::size_t v = 0; v < Vectors; ++v) alive[w][v] = ~Bits{};
  }
  for (const Split* end = split + count; split != end; ++split) {
    const Floats* column = columns + static_cast<std::size_t>(split->column) * kVectors;
    const float t = split->threshold;
    const Floats threshold = {t, t, t, t};
    Bits kept[Words];
    for (std::size_t w = 0; w < Words; ++w) {
      const auto bits = static_cast<std::int32_t>(split->kept_leaves[w]);
      kept[w] = Bits{bits, bits, bits, bits};
    }
#pragma GCC unroll 16
    for (std::size_t v = 0; v < Vectors; ++v) {
      // All ones where the row goes left, x < threshold; where it goes right, the leaves outside
      // the left subtree. The block's values are never NaN, nor the thresholds of a mask tree.
      const Bits left = column[v] < threshold;
      for (std::size_t w = 0; w < Words; ++w) alive[w][v] &= left | kept[w];
    }
  }
}

}  // namespace

void Forest::run_chunk(const float* rows, std::size_t n, float* out, bool outputs) const {
  const auto features = static_cast<std::size_t>(num_features_);
  const auto k_outputs = static_cast<std::size_t>(num_outputs_);
  constexpr float kInf = std::numeric_limits<float>::infinity();
  // Column 2f + m, vector v: feature f of rows 4v..4v+3 of the block, NaN replaced by -inf (m = 0)
  // or +inf (m = 1).
  std::vector<Floats> columns(2 * features * kVectors);
  for (std::size_t first = 0; first < n; first += kBlockRows) {
    const std::size_t count = std::min(kBlockRows, n - first);
    const float* block = rows + first * features;
    float* sums = out + first * k_outputs;
    const bool one_vector = count <= 4;
    const std::size_t vectors = one_vector ? 1 : kVectors;
    for (std::size_t v = 0; v < vectors; ++v) {
      // Rows 4v..4v+3; past the end, row 0 again (any number does: never read back).
      const float* row[4];
      for (std::size_t i = 0; i < 4; ++i) row[i] = block + (4 * v + i < count ? (4 * v + i) * features : 0);
      for (std::size_t f = 0; f < features; ++f) {
        const Floats x = {row[0][f], row[1][f], row[2][f], row[3][f]};
        const Bits missing = x != x;
        columns[2 * f * kVectors + v] = missing ? Floats{-kInf, -kInf, -kInf, -kInf} : x;
        columns[(2 * f + 1) * kVectors + v] = missing ? Floats{kInf, kInf, kInf, kInf} : x;
      }
    }
    for (std::size_t i = 0; i < count * k_outputs; ++i) sums[i] = base_margin_;
    for (std::size_t t = 0; t < trees_.size(); ++t) {
      const BatchTree& plan = batch_trees_[t];
      const auto output = static_cast<std::size_t>(trees_[t].output);
      const float* leaves = mask_leaves_.data() + plan.first_leaf;
      if (plan.mask_words == 1) {
        Bits alive[1][kVectors];
        if (one_vector) {
          clear_left_leaves<1, 1>(mask_splits_.data() + plan.first_split, plan.num_splits, columns.data(), alive);
        } else {
          clear_left_leaves<1, kVectors>(mask_splits_.data() + plan.first_split, plan.num_splits, columns.data(),
                                         alive);
        }
        for (std::size_t l = 0; l < count; ++l) {
          // Never 0: the row's own leaf is left (see forest.h), so no test for it.
          sums[l * k_outputs + output] += leaves[__builtin_ctz(static_cast<std::uint32_t>(alive[0][l / 4][l % 4]))];
        }
      } else if (plan.mask_words == 2) {
        Bits alive[2][kVectors];
        if (one_vector) {
          clear_left_leaves<2, 1>(mask_splits_.data() + plan.first_split, plan.num_splits, columns.data(), alive);
        } else {
          clear_left_leaves<2, kVectors>(mask_splits_.data() + plan.first_split, plan.num_splits, columns.data(),
                                         alive);
        }
        for (std::size_t l = 0; l < count; ++l) {
          const auto low = static_cast<std::uint32_t>(alive[0][l / 4][l % 4]);
          const auto high = static_cast<std::uint32_t>(alive[1][l / 4][l % 4]);
          const int leaf = low != 0 ? std::countr_zero(low) : 32 + std::countr_zero(high);
          sums[l * k_outputs + output] += leaves[leaf];
        }
      } else {
        // The block's rows walk the tree in lockstep, as margins() walks kLanes trees.
        std::size_t at[kBlockRows];
        for (std::size_t l = 0; l < count; ++l) at[l] = static_cast<std::size_t>(trees_[t].root);
        for (std::int32_t s = 0; s < trees_[t].depth; ++s) {
          for (std::size_t l = 0; l < count; ++l) at[l] = step(nodes_.data(), at[l], block + l * features);
        }
        for (std::size_t l = 0; l < count; ++l) sums[l * k_outputs + output] += leaf_values_[at[l]];
      }
    }
    if (outputs) {
      for (std::size_t l = 0; l < count; ++l) transform(sums + l * k_outputs);
    }
  }
}

void Forest::run_rows(const float* rows, std::size_t n, float* out, int threads, bool outputs) const {
  const auto features = static_cast<std::size_t>(num_features_);
  const auto k_outputs = static_cast<std::size_t>(num_outputs_);
  const std::size_t chunks = (n + kChunkRows - 1) / kChunkRows;
  core::parallel_for(chunks, threads, [&](std::size_t c) {
    const std::size_t first = c * kChunkRows;
    run_chunk(rows + first * features, std::min(kChunkRows, n - first), out + first * k_outputs, outputs);
  });
}

void Forest::predict_rows(const float* rows, std::size_t n, float* out, int threads) const {
  run_rows(rows, n, out, threads, true);
}

void Forest::margins_rows(const float* rows, std::size_t n, float* out, int threads) const {
  run_rows(rows, n, out, threads, false);
}

}  // namespace itrade::models
