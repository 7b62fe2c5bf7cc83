#include "models/model_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "core/config_node.h"
#include "core/strings.h"

namespace itrade::models {

namespace {

using core::ConfigNode;

const std::vector<std::string> kFrameworks = {"xgboost", "lightgbm", "pytorch", "stable_baselines3"};
const std::vector<std::string> kTasks = {"classification", "binary", "regression", "rl"};

constexpr std::int64_t kMaxCount = 1'000'000;  // rounds, leaves, bins beyond this are typos
constexpr std::int64_t kMaxThreads = 1024;
constexpr std::int64_t kMaxSeed = std::numeric_limits<std::int64_t>::max();

// LightGBM's min_child_samples counts rows; XGBoost's min_child_weight bounds the hessian sum of a
// leaf. Squared error has hessian 1 per row, so regression maps exactly. Logistic and softmax
// hessians p(1-p) (x2 in XGBoost's softmax) start near 0.25-0.44 and shrink as the model grows
// sure; 0.1 per row is a middle value, looser than the row count early on and tighter once the
// model is confident (docs/models.md, "min_child_samples"). Kept as rows per unit of hessian so
// that the division prints short values (3 rows -> "0.3", not 3 * 0.1 = "0.30000000000000004").
constexpr double kClassificationRowsPerHessian = 10.0;  // hessian 0.1 per row

// The value kinds of a hyperparameter, with the ranges checked here.
enum class Kind {
  fraction,      // a real in (0, 1]
  non_negative,  // a real >= 0
  positive,      // a real > 0
  integer,       // an integer in [min, max]
  choice,        // one of `choices`
  constraints,   // monotone / interaction constraints: XGBoost's text, or a YAML list
};

// Where a hyperparameter goes. `booster`: GbdtParams::booster under Rule::target; the others are
// GbdtParams fields or LightGBM settings combined after all keys are read.
enum class Dest {
  booster,
  max_rounds,
  early_stopping_rounds,
  threads,
  seed,
  min_child_samples,   // lightgbm: -> min_child_weight (see kClassificationRowsPerHessian)
  min_sum_hessian,     // lightgbm: -> min_child_weight, the stricter with min_child_samples
  lightgbm_max_depth,  // lightgbm: <= 0 (no limit) -> 0
};

struct Rule {
  std::string name;    // as written in models.yaml
  std::string target;  // XGBoost's name for Dest::booster; the setting's name otherwise
  Kind kind;
  Dest dest;
  std::int64_t min = 0;  // Kind::integer
  std::int64_t max = kMaxCount;
  std::vector<std::string> choices = {};
};

Rule to_booster(std::string name, std::string target, Kind kind, std::int64_t min = 0, std::int64_t max = kMaxCount) {
  return Rule{std::move(name), std::move(target), kind, Dest::booster, min, max};
}
Rule booster(std::string name, Kind kind, std::int64_t min = 0, std::int64_t max = kMaxCount) {
  std::string target = name;
  return to_booster(std::move(name), std::move(target), kind, min, max);
}
Rule setting(std::string name, std::string target, Dest dest, std::int64_t min, std::int64_t max) {
  return Rule{std::move(name), std::move(target), Kind::integer, dest, min, max};
}

// XGBoost's tree-booster parameters itrade passes through (the sklearn-style aliases included).
// An allow-list, not everything XGBoost knows: the rest are either set by itrade (objective,
// tree_method, ...), belong to other boosters, or change what a model means (base_score).
const std::vector<Rule>& xgboost_rules() {
  static const std::vector<Rule> rules = [] {
    std::vector<Rule> r = {
        booster("eta", Kind::fraction),
        to_booster("learning_rate", "eta", Kind::fraction),
        booster("gamma", Kind::non_negative),
        booster("max_depth", Kind::integer, 0, 1000),
        booster("min_child_weight", Kind::non_negative),
        booster("max_delta_step", Kind::non_negative),
        booster("subsample", Kind::fraction),
        booster("sampling_method", Kind::choice),
        booster("colsample_bytree", Kind::fraction),
        booster("colsample_bylevel", Kind::fraction),
        booster("colsample_bynode", Kind::fraction),
        booster("lambda", Kind::non_negative),
        to_booster("reg_lambda", "lambda", Kind::non_negative),
        booster("alpha", Kind::non_negative),
        to_booster("reg_alpha", "alpha", Kind::non_negative),
        booster("grow_policy", Kind::choice),
        booster("max_leaves", Kind::integer, 0),
        booster("max_bin", Kind::integer, 2),
        booster("max_cat_to_onehot", Kind::integer, 1),
        booster("num_parallel_tree", Kind::integer, 1),
        booster("scale_pos_weight", Kind::positive),
        booster("monotone_constraints", Kind::constraints),
        booster("interaction_constraints", Kind::constraints),
        setting("n_estimators", "max_rounds", Dest::max_rounds, 1, kMaxCount),
        setting("early_stopping_rounds", "early_stopping_rounds", Dest::early_stopping_rounds, 1, kMaxCount),
        setting("nthread", "threads", Dest::threads, 1, kMaxThreads),
        setting("n_jobs", "threads", Dest::threads, 1, kMaxThreads),
        setting("seed", "seed", Dest::seed, 0, kMaxSeed),
        setting("random_state", "seed", Dest::seed, 0, kMaxSeed),
    };
    for (Rule& rule : r) {
      // gradient_based sampling needs tree_method gpu_hist in XGBoost 1.7; itrade trains on the CPU.
      if (rule.name == "sampling_method") rule.choices = {"uniform"};
      if (rule.name == "grow_policy") rule.choices = {"depthwise", "lossguide"};
    }
    return r;
  }();
  return rules;
}

// LightGBM's names (sklearn and native aliases) and their XGBoost equivalents under
// grow_policy lossguide.
const std::vector<Rule>& lightgbm_rules() {
  static const std::vector<Rule> rules = {
      to_booster("num_leaves", "max_leaves", Kind::integer, 2, 131072),  // LightGBM's own bounds
      to_booster("learning_rate", "eta", Kind::fraction),
      setting("n_estimators", "max_rounds", Dest::max_rounds, 1, kMaxCount),
      setting("num_iterations", "max_rounds", Dest::max_rounds, 1, kMaxCount),
      setting("min_child_samples", "min_child_samples", Dest::min_child_samples, 0, kMaxCount),
      setting("min_data_in_leaf", "min_child_samples", Dest::min_child_samples, 0, kMaxCount),
      to_booster("subsample", "subsample", Kind::fraction),
      to_booster("bagging_fraction", "subsample", Kind::fraction),
      to_booster("colsample_bytree", "colsample_bytree", Kind::fraction),
      to_booster("feature_fraction", "colsample_bytree", Kind::fraction),
      to_booster("reg_lambda", "lambda", Kind::non_negative),
      to_booster("lambda_l2", "lambda", Kind::non_negative),
      to_booster("reg_alpha", "alpha", Kind::non_negative),
      to_booster("lambda_l1", "alpha", Kind::non_negative),
      to_booster("max_bin", "max_bin", Kind::integer, 2),
      to_booster("min_split_gain", "gamma", Kind::non_negative),
      Rule{"min_child_weight", "min_child_weight", Kind::non_negative, Dest::min_sum_hessian},
      Rule{"min_sum_hessian_in_leaf", "min_child_weight", Kind::non_negative, Dest::min_sum_hessian},
      setting("early_stopping_rounds", "early_stopping_rounds", Dest::early_stopping_rounds, 1, kMaxCount),
      setting("n_jobs", "threads", Dest::threads, 1, kMaxThreads),
      setting("num_threads", "threads", Dest::threads, 1, kMaxThreads),
      setting("random_state", "seed", Dest::seed, 0, kMaxSeed),
      setting("seed", "seed", Dest::seed, 0, kMaxSeed),
      setting("max_depth", "max_depth", Dest::lightgbm_max_depth, -1, 1000),
  };
  return rules;
}

// Names itrade sets itself from the task, or fixes: an entry may not choose them.
const std::vector<std::string> kXgboostReserved = {"objective", "num_class", "eval_metric", "tree_method"};
const std::vector<std::string> kLightgbmReserved = {"objective",   "num_class",     "metric",
                                                    "eval_metric", "boosting_type", "boosting"};

// LightGBM's defaults where XGBoost's differ, so that an entry means what LightGBM would do with it.
constexpr std::int64_t kLightgbmLeaves = 31;
constexpr double kLightgbmLearningRate = 0.1;
constexpr std::int64_t kLightgbmMinChildSamples = 20;
constexpr double kLightgbmMinSumHessian = 1e-3;
constexpr double kLightgbmLambda = 0.0;
constexpr std::int64_t kLightgbmMaxBin = 255;

std::string did_you_mean(std::string_view wanted, const std::vector<std::string>& known, std::string_view listing) {
  const auto near = core::nearest_names(wanted, known);
  if (near.empty()) return fmt::format("{} lists the accepted names", listing);
  return fmt::format("did you mean {}? ({} lists the accepted names)", core::join(near, " or "), listing);
}

// The value of `key` in a raw YAML mapping (the first, like ConfigNode), or an undefined node.
YAML::Node raw_child(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::optional<std::int64_t> to_integer(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  const std::string& text = node.Scalar();
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> to_number(std::string_view text) {
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// monotone_constraints / interaction_constraints as XGBoost's text. A scalar is passed as is
// ("(1,0,-1)"); a YAML list is written in XGBoost's syntax: [1, 0, -1] -> "(1,0,-1)",
// [[0, 1], [2, 3]] -> "[[0,1],[2,3]]" (feature indexes in the model's column order).
std::optional<std::string> constraints_text(const ConfigNode& hp, const YAML::Node& raw, const std::string& key) {
  if (raw.IsScalar() && !raw.Scalar().empty()) return raw.Scalar();
  const bool monotone = key == "monotone_constraints";
  const std::string example = monotone ? "[1, 0, -1]" : "[[0, 1], [2, 3]]";
  const auto bad = [&](std::string_view problem) -> std::optional<std::string> {
    hp.fail(key, problem, fmt::format("write a list such as `{}: {}` (feature indexes in column order)", key, example));
    return std::nullopt;
  };
  if (!raw.IsSequence() || raw.size() == 0) return bad("expected XGBoost's text or a non-empty list");
  std::vector<std::string> items;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (monotone) {
      const auto value = to_integer(raw[i]);
      if (!value || *value < -1 || *value > 1) return bad(fmt::format("item {} is not -1, 0 or 1", i + 1));
      items.push_back(fmt::format("{}", *value));
      continue;
    }
    const YAML::Node group = raw[i];
    if (!group.IsSequence() || group.size() == 0) return bad(fmt::format("item {} is not a list of indexes", i + 1));
    std::vector<std::string> indexes;
    for (std::size_t j = 0; j < group.size(); ++j) {
      const auto index = to_integer(group[j]);
      if (!index || *index < 0) return bad(fmt::format("item {} holds something other than a feature index", i + 1));
      indexes.push_back(fmt::format("{}", *index));
    }
    items.push_back(fmt::format("[{}]", core::join(indexes, ",")));
  }
  return monotone ? fmt::format("({})", core::join(items, ",")) : fmt::format("[{}]", core::join(items, ","));
}

struct Value {
  std::string text;  // for XGBoost
  double number = 0.0;
  std::int64_t integer = 0;
};

// Reads one hyperparameter by its rule; nullopt after recording an error.
std::optional<Value> read_value(const ConfigNode& hp, const YAML::Node& raw, const Rule& rule) {
  const std::string& key = rule.name;
  Value value;
  switch (rule.kind) {
    case Kind::fraction:
    case Kind::non_negative:
    case Kind::positive: {
      value.number = hp.required<double>(key);
      if (!hp.ok()) return std::nullopt;
      const double v = value.number;
      if (rule.kind == Kind::fraction && !(v > 0.0 && v <= 1.0)) {
        hp.fail(key, fmt::format("{} is out of range (0, 1]", v), "choose a value above 0 and at most 1");
        return std::nullopt;
      }
      if (rule.kind == Kind::non_negative && v < 0.0) {
        hp.fail(key, fmt::format("{} is negative", v), "choose a value >= 0");
        return std::nullopt;
      }
      if (rule.kind == Kind::positive && v <= 0.0) {
        hp.fail(key, fmt::format("{} is not above 0", v), "choose a value > 0");
        return std::nullopt;
      }
      value.text = fmt::format("{}", v);
      return value;
    }
    case Kind::integer:
      value.integer = hp.required_in_range<std::int64_t>(key, rule.min, rule.max);
      if (!hp.ok()) return std::nullopt;
      value.number = static_cast<double>(value.integer);
      value.text = fmt::format("{}", value.integer);
      return value;
    case Kind::choice:
      if (key == "sampling_method" && raw.IsScalar() && raw.Scalar() == "gradient_based") {
        hp.fail(key, "gradient_based sampling needs XGBoost's GPU tree method; itrade trains with hist on the CPU",
                "use uniform or leave it out");
        return std::nullopt;
      }
      value.text = hp.choice(key, rule.choices);
      if (!hp.ok()) return std::nullopt;
      return value;
    case Kind::constraints: {
      auto text = constraints_text(hp, raw, key);
      if (!text) return std::nullopt;
      value.text = std::move(*text);
      return value;
    }
  }
  return std::nullopt;
}

using Booster = std::vector<std::pair<std::string, std::string>>;

// Sets `name` in place when present (keeps the order), else appends.
void set_param(Booster& params, const std::string& name, std::string value) {
  for (auto& [n, v] : params) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  params.emplace_back(name, std::move(value));
}

const std::string* find_param(const Booster& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return &v;
  }
  return nullptr;
}

// One hyperparameter read, kept until the framework-specific translation.
struct Read {
  const Rule* rule;
  Value value;
};

// Reads the hyperparameters of a built framework against its rules. Reserved and unknown names,
// two aliases of one setting and bad values are errors at the key.
std::vector<Read> read_hyperparameters(const ConfigNode& hp, const YAML::Node& raw_hp, const std::string& framework) {
  const bool lightgbm = framework == "lightgbm";
  const std::vector<Rule>& rules = lightgbm ? lightgbm_rules() : xgboost_rules();
  const std::vector<std::string>& reserved = lightgbm ? kLightgbmReserved : kXgboostReserved;
  const char* library = lightgbm ? "LightGBM" : "XGBoost";
  std::vector<std::string> known;
  for (const Rule& rule : rules) known.push_back(rule.name);

  std::vector<Read> reads;
  if (!hp.only_keys(hp.keys())) return reads;  // a key written twice
  std::map<std::string, std::string> set_by;   // setting -> the key that set it
  for (const std::string& key : hp.keys()) {
    if (std::find(reserved.begin(), reserved.end(), key) != reserved.end()) {
      hp.fail(key,
              "is set by itrade: the objective, classes and metric follow `task`, and the trees are grown by "
              "XGBoost's hist method",
              "remove it");
      return reads;
    }
    const auto rule = std::find_if(rules.begin(), rules.end(), [&](const Rule& r) { return r.name == key; });
    if (rule == rules.end()) {
      hp.fail(key, fmt::format("unknown {} parameter", library),
              did_you_mean(key, known, "the config/models.yaml section of docs/models.md"));
      return reads;
    }
    const std::string slot = rule->dest == Dest::booster ? rule->target : rule->target + "#setting";
    if (auto [it, inserted] = set_by.emplace(slot, key); !inserted) {
      hp.fail(key, fmt::format("sets {} like {} above", rule->target, it->second), "keep one of them");
      return reads;
    }
    auto value = read_value(hp, raw_child(raw_hp, key), *rule);
    if (!value) return reads;
    reads.push_back({&*rule, std::move(*value)});
  }
  return reads;
}

// Applies the settings that are GbdtParams fields (the same for both frameworks).
void apply_setting(GbdtParams& params, const Read& read) {
  switch (read.rule->dest) {
    case Dest::max_rounds:
      params.max_rounds = static_cast<int>(read.value.integer);
      break;
    case Dest::early_stopping_rounds:
      params.early_stopping_rounds = static_cast<int>(read.value.integer);
      break;
    case Dest::threads:
      params.threads = static_cast<int>(read.value.integer);
      break;
    case Dest::seed:
      params.seed = static_cast<std::uint64_t>(read.value.integer);
      break;
    default:
      break;
  }
}

void translate_xgboost(const ConfigNode& hp, const std::vector<Read>& reads, GbdtParams& params) {
  for (const Read& read : reads) {
    if (read.rule->dest == Dest::booster) {
      set_param(params.booster, read.rule->target, read.value.text);
    } else {
      apply_setting(params, read);
    }
  }
  // XGBoost grows a tree without limit when both are 0: almost surely a mistake in a config.
  const std::string* depth = find_param(params.booster, "max_depth");
  const std::string* leaves = find_param(params.booster, "max_leaves");
  if (depth != nullptr && *depth == "0" && (leaves == nullptr || *leaves == "0")) {
    hp.fail("max_depth", "0 (no depth limit) with no max_leaves grows trees without bound",
            "set max_depth >= 1, or max_leaves >= 1 with grow_policy: lossguide");
  }
}

// LightGBM grows trees leaf-wise with num_leaves as the bound: XGBoost's lossguide policy with
// max_leaves and no depth limit. Keys left out take LightGBM's defaults where XGBoost's differ.
void translate_lightgbm(const std::vector<Read>& reads, Task task, GbdtParams& params) {
  Booster& b = params.booster;
  set_param(b, "grow_policy", "lossguide");
  set_param(b, "max_depth", "0");
  set_param(b, "max_leaves", fmt::format("{}", kLightgbmLeaves));
  set_param(b, "eta", fmt::format("{}", kLightgbmLearningRate));
  set_param(b, "lambda", fmt::format("{}", kLightgbmLambda));
  set_param(b, "max_bin", fmt::format("{}", kLightgbmMaxBin));
  std::int64_t min_child_samples = kLightgbmMinChildSamples;
  double min_sum_hessian = kLightgbmMinSumHessian;
  for (const Read& read : reads) {
    switch (read.rule->dest) {
      case Dest::booster:
        set_param(b, read.rule->target, read.value.text);
        break;
      case Dest::min_child_samples:
        min_child_samples = read.value.integer;
        break;
      case Dest::min_sum_hessian:
        min_sum_hessian = read.value.number;
        break;
      case Dest::lightgbm_max_depth:
        set_param(b, "max_depth", read.value.integer <= 0 ? "0" : read.value.text);
        break;
      default:
        apply_setting(params, read);
        break;
    }
  }
  // Both are lower bounds on a leaf in LightGBM; XGBoost has one, so the stricter one wins.
  const double rows = static_cast<double>(min_child_samples);
  const double per_rows = task == Task::regression ? rows : rows / kClassificationRowsPerHessian;
  set_param(b, "min_child_weight", fmt::format("{}", std::max(per_rows, min_sum_hessian)));
}

bool valid_model_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool built_framework(std::string_view framework) { return framework == "xgboost" || framework == "lightgbm"; }

const char* class_of(std::string_view framework) { return framework == "xgboost" ? "XGBoostSignal" : "LightGBMSignal"; }

Task task_of(std::string_view text) {
  if (text == "binary") return Task::binary;
  if (text == "regression") return Task::regression;
  return Task::multiclass;  // classification: the 3-class direction targets
}

// One entry of `models`; nullopt after recording an error.
std::optional<ModelSpec> read_model(const ConfigNode& models, const YAML::Node& raw_models, const std::string& name) {
  const ConfigNode entry = models.child(name);
  const YAML::Node raw = raw_child(raw_models, name);
  if (!valid_model_name(name)) {
    models.fail(name, "a model name must be letters, digits, _ and - (it names the model's directory)",
                "rename the model");
    return std::nullopt;
  }
  if (name == kEnsembleName || name == kMetaLabelingName) {
    models.fail(name, fmt::format("is a reserved name: `--model {0}` trains the {0} block", name), "rename the model");
    return std::nullopt;
  }
  if (!entry.present()) return std::nullopt;  // not a mapping: child() recorded it
  if (!entry.only_keys(
          {"framework", "class", "task", "target", "features", "hyperparameters", "enabled", "environment"})) {
    return std::nullopt;
  }
  ModelSpec spec;
  spec.name = name;
  spec.line = entry.line();
  spec.framework = entry.choice("framework", kFrameworks);
  spec.task_text = entry.choice("task", kTasks);
  spec.enabled = entry.optional<bool>("enabled", false);
  if (!entry.ok()) return std::nullopt;
  const bool built = built_framework(spec.framework);

  if (built) {
    spec.class_name = entry.optional<std::string>("class", class_of(spec.framework));
    if (entry.ok() && spec.class_name != class_of(spec.framework)) {
      entry.fail("class", fmt::format("{} entries are trained by {}", spec.framework, class_of(spec.framework)),
                 fmt::format("set class: {} or leave it out", class_of(spec.framework)));
    }
    if (spec.task_text == "rl") {
      entry.fail("task", fmt::format("framework {} does not do reinforcement learning", spec.framework),
                 "use classification, binary or regression (task rl is for stable_baselines3, not built yet)");
    }
  } else {
    spec.class_name = entry.optional<std::string>("class", "");
    if (spec.enabled) {
      entry.fail("enabled", fmt::format("framework {} is not built yet", spec.framework), "set enabled: false");
    }
  }
  if (!entry.ok()) return std::nullopt;

  // target: null is how an agent without a label says so; every other task learns a target.
  const YAML::Node raw_target = raw_child(raw, "target");
  if (raw_target.IsDefined() && raw_target.IsNull()) {
    if (spec.task_text != "rl") {
      entry.fail("target", fmt::format("task {} learns a target; null is only for task rl", spec.task_text),
                 "name a target from targets.yaml");
      return std::nullopt;
    }
  } else if (spec.task_text == "rl") {
    spec.target = entry.optional<std::string>("target", "");
  } else {
    spec.target = entry.required<std::string>("target");
    if (entry.ok() && spec.target.empty()) entry.fail("target", "is empty", "name a target from targets.yaml");
  }
  if (!entry.ok()) return std::nullopt;

  // features: all (the default) or a list; `all` keeps the list empty.
  const YAML::Node raw_features = raw_child(raw, "features");
  if (raw_features.IsDefined()) {
    if (raw_features.IsScalar() && raw_features.Scalar() == "all") {
      // every feature
    } else if (raw_features.IsSequence()) {
      spec.features = entry.required<std::vector<std::string>>("features");
      if (!entry.ok()) return std::nullopt;
      if (spec.features.empty()) {
        entry.fail("features", "the list is empty", "name at least one feature, or write `features: all`");
        return std::nullopt;
      }
      for (std::size_t i = 0; i < spec.features.size(); ++i) {
        const std::string& feature = spec.features[i];
        if (feature.empty() || feature == "all") {
          entry.fail("features", fmt::format("item {} is \"{}\", not a feature name", i + 1, feature),
                     "write `features: all` alone, or list feature names");
          return std::nullopt;
        }
        if (std::find(spec.features.begin(), spec.features.begin() + static_cast<std::ptrdiff_t>(i), feature) !=
            spec.features.begin() + static_cast<std::ptrdiff_t>(i)) {
          entry.fail("features", fmt::format("{} is listed twice", feature), "list each feature once");
          return std::nullopt;
        }
      }
    } else {
      entry.fail("features", "expected `all` or a list of feature names",
                 "write `features: all` or `features: [rsi_14, atr_14]`");
      return std::nullopt;
    }
  }

  // environment describes a reinforcement-learning agent's world; nothing else has one.
  if (entry.has("environment") && spec.task_text != "rl") {
    entry.fail("environment", "only task rl entries have an environment", "remove it");
    return std::nullopt;
  }
  (void)entry.child("environment");  // a mapping; its keys are the not-built agent's business

  const ConfigNode hp = entry.child("hyperparameters");
  if (!entry.ok()) return std::nullopt;
  if (built) {
    spec.gbdt.task = task_of(spec.task_text);
    const std::vector<Read> reads = read_hyperparameters(hp, raw_child(raw, "hyperparameters"), spec.framework);
    if (!entry.ok()) return std::nullopt;
    if (spec.framework == "lightgbm") {
      translate_lightgbm(reads, spec.gbdt.task, spec.gbdt);
    } else {
      translate_xgboost(hp, reads, spec.gbdt);
    }
    if (!entry.ok()) return std::nullopt;
  }
  return spec;
}

// The `ensemble` block; records errors on `top`'s slot.
EnsembleSpec read_ensemble(const ConfigNode& top, const std::vector<ModelSpec>& models) {
  EnsembleSpec ensemble;
  const ConfigNode node = top.child("ensemble");
  if (!node.only_keys({"enabled", "models", "weights"})) return ensemble;
  ensemble.enabled = node.optional<bool>("enabled", false);
  ensemble.models = node.optional<std::vector<std::string>>("models", {});
  if (!node.ok()) return ensemble;
  std::vector<std::string> names;
  for (const auto& m : models) names.push_back(m.name);
  for (std::size_t i = 0; i < ensemble.models.size(); ++i) {
    const std::string& name = ensemble.models[i];
    const auto spec = std::find_if(models.begin(), models.end(), [&](const ModelSpec& m) { return m.name == name; });
    if (spec == models.end()) {
      const auto near = core::nearest_names(name, names);
      node.fail("models", fmt::format("'{}' is not a model of this file", name),
                near.empty() ? fmt::format("known models: {}", core::join(names))
                             : fmt::format("did you mean {}?", core::join(near, " or ")));
      return ensemble;
    }
    if (std::find(ensemble.models.begin(), ensemble.models.begin() + static_cast<std::ptrdiff_t>(i), name) !=
        ensemble.models.begin() + static_cast<std::ptrdiff_t>(i)) {
      node.fail("models", fmt::format("'{}' is listed twice", name), "list each model once");
      return ensemble;
    }
    if (ensemble.enabled && !spec->built()) {
      node.fail("models", fmt::format("'{}' (framework {}) is not built yet", name, spec->framework),
                "remove it from the ensemble");
      return ensemble;
    }
    if (ensemble.enabled && !spec->enabled) {
      node.fail("models", fmt::format("'{}' is enabled: false (line {})", name, spec->line),
                "set enabled: true on it, or remove it from the ensemble");
      return ensemble;
    }
  }
  if (ensemble.enabled && ensemble.models.empty()) {
    node.fail("models", "an enabled ensemble has no models", "list the models to combine, or set enabled: false");
    return ensemble;
  }

  if (!node.has("weights")) {  // equal weights
    ensemble.weights.assign(ensemble.models.size(), ensemble.models.empty() ? 0.0 : 1.0 / ensemble.models.size());
    return ensemble;
  }
  const auto texts = node.required<std::vector<std::string>>("weights");
  if (!node.ok()) return ensemble;
  if (texts.size() != ensemble.models.size()) {
    node.fail("weights", fmt::format("{} weights for {} models", texts.size(), ensemble.models.size()),
              "give one weight per model, in the order of ensemble.models");
    return ensemble;
  }
  double sum = 0.0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto weight = to_number(texts[i]);
    if (!weight || *weight < 0.0) {
      node.fail("weights", fmt::format("item {} is \"{}\", not a number >= 0", i + 1, texts[i]),
                "give each model a weight >= 0");
      return ensemble;
    }
    ensemble.weights.push_back(*weight);
    sum += *weight;
  }
  if (!ensemble.models.empty() && !(sum > 0.0)) {
    node.fail("weights", "the weights sum to 0", "give at least one model a weight above 0");
  }
  return ensemble;
}

// The `meta_labeling` block; records errors on `top`'s slot.
MetaLabelSpec read_meta_labeling(const ConfigNode& top, const YAML::Node& raw, const std::vector<ModelSpec>& models) {
  MetaLabelSpec meta;
  if (!top.has("meta_labeling")) return meta;
  const ConfigNode node = top.child("meta_labeling");
  if (!node.only_keys({"primary", "secondary"})) return meta;
  meta.present = true;
  meta.primary = node.required<std::string>("primary");
  if (!node.ok()) return meta;
  const auto spec = std::find_if(models.begin(), models.end(), [&](const ModelSpec& m) { return m.name == meta.primary; });
  if (spec == models.end()) {
    std::vector<std::string> names;
    for (const auto& m : models) names.push_back(m.name);
    node.fail("primary", fmt::format("{} is not a model of this file", meta.primary),
              did_you_mean(meta.primary, names, "the `models` section"));
    return meta;
  }
  if (!spec->built()) {
    node.fail("primary", fmt::format("{} (framework {}) is not built yet", meta.primary, spec->framework),
              "pick an xgboost or lightgbm model");
    return meta;
  }
  const ConfigNode secondary = node.child("secondary");
  if (!node.ok() || !secondary.only_keys({"framework", "hyperparameters"})) return meta;
  meta.secondary_framework = secondary.choice("framework", {"xgboost", "lightgbm"}, "lightgbm");
  const ConfigNode hp = secondary.child("hyperparameters");
  if (!node.ok()) return meta;
  meta.secondary.task = Task::binary;
  const YAML::Node raw_secondary = raw_child(raw_child(raw, "meta_labeling"), "secondary");
  const std::vector<Read> reads =
      read_hyperparameters(hp, raw_child(raw_secondary, "hyperparameters"), meta.secondary_framework);
  if (!node.ok()) return meta;
  if (meta.secondary_framework == "lightgbm") {
    translate_lightgbm(reads, Task::binary, meta.secondary);
  } else {
    translate_xgboost(hp, reads, meta.secondary);
  }
  return meta;
}

}  // namespace

bool ModelSpec::built() const { return built_framework(framework); }

core::Result<ModelsConfig> ModelsConfig::load(const std::filesystem::path& file) {
  // Read here rather than by ConfigNode::load_file: parse() also needs the text for shapes
  // ConfigNode does not expose (target: null, features: all or a list).
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return core::input_error("{}: cannot read config file: {}; check the path", file.string(), std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return core::input_error("{}: cannot read config file: read error; check the file", file.string());
  return parse(text.str(), file.string());
}

core::Result<ModelsConfig> ModelsConfig::parse(std::string_view text, std::string file) {
  auto root = ConfigNode::parse(text, file);
  if (!root) return root.error();
  const ConfigNode& top = *root;
  YAML::Node raw;
  try {
    raw = YAML::Load(std::string(text));  // cannot fail: ConfigNode just parsed the same text
  } catch (const YAML::Exception& e) {
    return core::input_error("{}: YAML syntax error: {}; fix the YAML", file, e.msg);
  }

  ModelsConfig config;
  config.file_ = std::move(file);
  if (auto known = top.only_keys({"models", "ensemble", "meta_labeling"}); !known) return known.error();
  if (!top.has("models")) return top.fail("models", "missing", "add a `models:` mapping of model names to entries");
  const ConfigNode models = top.child("models");
  if (!top.ok()) return top.status().error();
  // Every name is known; only_keys then reports a name defined twice, at its second line.
  if (auto unique = models.only_keys(models.keys()); !unique) return unique.error();
  const YAML::Node raw_models = raw_child(raw, "models");
  for (const std::string& name : models.keys()) {
    auto spec = read_model(models, raw_models, name);
    if (!top.ok()) return top.status().error();
    if (!spec) return core::input_error("{}: models.{}: cannot be read; check the entry", config.file_, name);
    config.models_.push_back(std::move(*spec));
  }
  config.ensemble_ = read_ensemble(top, config.models_);
  if (!top.ok()) return top.status().error();
  config.meta_labeling_ = read_meta_labeling(top, raw, config.models_);
  if (!top.ok()) return top.status().error();
  return config;
}

const ModelSpec* ModelsConfig::find(std::string_view name) const {
  for (const auto& spec : models_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::vector<std::string> ModelsConfig::names() const {
  std::vector<std::string> out;
  for (const auto& spec : models_) out.push_back(spec.name);
  return out;
}

core::Result<const ModelSpec*> ModelsConfig::trainable(std::string_view name) const {
  const ModelSpec* spec = find(name);
  if (spec == nullptr) {
    const auto near = core::nearest_names(name, names());
    return core::input_error("unknown model '{}' ({}); {}", name, file_,
                             near.empty() ? fmt::format("known models: {}", core::join(names()))
                                          : fmt::format("did you mean {}?", core::join(near, " or ")));
  }
  if (!spec->built()) {
    std::vector<std::string> built;
    for (const auto& m : models_) {
      if (m.built()) built.push_back(m.name);
    }
    return core::input_error(
        "{}:{}: model '{}' (framework {}) is not built yet; itrade trains xgboost and lightgbm "
        "models{}",
        file_, spec->line, spec->name, spec->framework,
        built.empty() ? std::string() : fmt::format(" ({})", core::join(built)));
  }
  return spec;
}

}  // namespace itrade::models
