#include "features/registry/target_registry.h"

#include <algorithm>

#include "core/strings.h"
#include "features/registry/feature_registry.h"
#include "features/targets.h"

namespace itrade::features {

namespace {

using core::ConfigNode;

struct TargetFunction {
  std::string name;
  TargetType type;
  std::vector<std::string> params;
  std::vector<std::string> classes;  // empty for regression
};

const std::vector<TargetFunction>& target_functions() {
  static const std::vector<TargetFunction> functions = {
      {"targets.forward_return", TargetType::regression, {"bars_ahead"}, {}},
      {"targets.direction", TargetType::classification, {"bars_ahead", "threshold"}, {"short", "hold", "long"}},
      {"targets.volatility_regime",
       TargetType::classification,
       {"window", "threshold_low", "threshold_high"},
       {"low_vol", "normal", "high_vol"}},
      {"targets.triple_barrier",
       TargetType::classification,
       {"profit_take", "stop_loss", "max_bars"},
       {"stop_loss", "timeout", "profit_take"}},
  };
  return functions;
}

constexpr std::int64_t kMaxBars = 100'000;

}  // namespace

core::Result<TargetSet> TargetSet::load(const std::filesystem::path& file) {
  auto root = ConfigNode::load_file(file);
  if (!root) return root.error();
  return from_config(*root);
}

core::Result<TargetSet> TargetSet::parse(std::string_view text, std::string file) {
  auto root = ConfigNode::parse(text, std::move(file));
  if (!root) return root.error();
  return from_config(*root);
}

core::Result<TargetSet> TargetSet::from_config(const ConfigNode& top) {
  TargetSet set;
  set.file_ = top.file();
  if (auto known = top.only_keys({"targets"}); !known) return known.error();
  if (!top.has("targets")) return top.fail("targets", "missing", "add a `targets:` mapping of target names to entries");
  const ConfigNode targets = top.child("targets");
  if (auto unique = targets.only_keys(targets.keys()); !unique) return unique.error();
  std::vector<std::string> function_names;
  for (const auto& f : target_functions()) function_names.push_back(f.name);

  for (const std::string& name : targets.keys()) {
    const ConfigNode entry = targets.child(name);
    if (!valid_column_name(name)) {
      return targets.fail(name, "a target name must be letters, digits and _ (and not ticker or ts)",
                          "rename the target");
    }
    (void)entry.only_keys({"type", "function", "params", "classes", "description", "cross_session"});
    TargetDef def;
    def.name = name;
    def.line = entry.line();
    def.function = entry.choice("function", function_names);
    if (!top.ok()) return top.status().error();
    const TargetFunction& function =
        *std::find_if(target_functions().begin(), target_functions().end(),
                      [&](const TargetFunction& f) { return f.name == def.function; });
    const std::string type = entry.choice("type", {"regression", "classification"});
    def.type = type == "regression" ? TargetType::regression : TargetType::classification;
    def.description = entry.optional<std::string>("description", "");
    def.cross_session = entry.optional<bool>("cross_session", false);
    if (!top.ok()) return top.status().error();
    if (def.type != function.type) {
      return entry.fail("type", fmt::format("{} is a {} target", def.function, type == "regression" ? "classification" : "regression"),
                        fmt::format("set type: {}", type == "regression" ? "classification" : "regression"));
    }
    if (function.classes.empty()) {
      if (entry.has("classes")) return entry.fail("classes", "a regression target has no classes", "remove classes");
    } else {
      def.classes = entry.optional<std::vector<std::string>>("classes", function.classes);
      if (!top.ok()) return top.status().error();
      if (def.classes != function.classes) {
        return entry.fail("classes", fmt::format("{} labels [{}] (codes 0, 1, 2)", def.function, core::join(function.classes)),
                          fmt::format("set classes: [{}] or leave it out", core::join(function.classes)));
      }
    }
    const ConfigNode params = entry.child("params");
    (void)params.only_keys(function.params);
    if (def.function == "targets.forward_return") {
      def.bars = static_cast<int>(params.required_in_range<std::int64_t>("bars_ahead", 1, kMaxBars));
    } else if (def.function == "targets.direction") {
      def.bars = static_cast<int>(params.required_in_range<std::int64_t>("bars_ahead", 1, kMaxBars));
      def.threshold = params.required_in_range<double>("threshold", 0.0, 1.0);
    } else if (def.function == "targets.volatility_regime") {
      def.bars = static_cast<int>(params.required_in_range<std::int64_t>("window", 2, kMaxBars));
      def.threshold_low = params.required_in_range<double>("threshold_low", 0.0, 1e6);
      def.threshold_high = params.required_in_range<double>("threshold_high", 0.0, 1e6);
      if (params.ok() && def.threshold_low > def.threshold_high) {
        return params.fail("threshold_low", "is above threshold_high", "make threshold_low <= threshold_high");
      }
    } else {
      def.profit_take = params.required_in_range<double>("profit_take", 1e-12, 10.0);
      def.stop_loss = params.required_in_range<double>("stop_loss", 1e-12, 1.0);
      def.bars = static_cast<int>(params.required_in_range<std::int64_t>("max_bars", 1, kMaxBars));
    }
    if (!top.ok()) return top.status().error();
    set.targets_.push_back(std::move(def));
  }
  return set;
}

const TargetDef* TargetSet::find(std::string_view name) const {
  for (const auto& def : targets_) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

std::vector<std::string> TargetSet::names() const {
  std::vector<std::string> out;
  for (const auto& def : targets_) out.push_back(def.name);
  return out;
}

core::Result<std::vector<const TargetDef*>> TargetSet::select(std::string_view list) const {
  std::vector<const TargetDef*> selected;
  const std::string_view trimmed = core::trim(list);
  if (trimmed.empty()) return selected;
  if (trimmed == "all") {
    for (const auto& def : targets_) selected.push_back(&def);
    return selected;
  }
  for (const auto& item : core::split(trimmed, ',')) {
    const std::string_view name = core::trim(item);
    const TargetDef* def = find(name);
    if (def == nullptr) {
      const auto near = core::nearest_names(name, names());
      return core::input_error("unknown target '{}' ({}); {}", name, file_,
                               near.empty() ? fmt::format("known targets: {}", core::join(names()))
                                            : fmt::format("did you mean {}?", core::join(near, " or ")));
    }
    if (std::find(selected.begin(), selected.end(), def) != selected.end()) {
      return core::input_error("target '{}' is asked for twice; list it once", name);
    }
    selected.push_back(def);
  }
  return selected;
}

core::Result<std::vector<double>> compute_target(const TargetDef& target, const core::BarSeries& bars) {
  if (target.function == "targets.forward_return") return forward_return(bars, target.bars, target.cross_session);
  if (target.function == "targets.direction") {
    return direction(bars, target.bars, target.threshold, target.cross_session);
  }
  if (target.function == "targets.volatility_regime") {
    return volatility_regime(bars, target.bars, target.threshold_low, target.threshold_high, target.cross_session);
  }
  return triple_barrier(bars, target.profit_take, target.stop_loss, target.bars, target.cross_session);
}

}  // namespace itrade::features
