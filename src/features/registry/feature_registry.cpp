#include "features/registry/feature_registry.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "core/config_node.h"
#include "core/strings.h"

namespace itrade::features {

bool valid_column_name(std::string_view name) {
  if (name.empty() || name == "ticker" || name == "ts") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

namespace {

using core::ConfigNode;

constexpr std::int64_t kMaxInteger = 1'000'000;  // windows beyond this are typos, and ring buffers are sized by them
constexpr std::size_t kMaxInputs = 4;            // the engine gathers inputs into a fixed array

std::string did_you_mean(std::string_view wanted, const std::vector<std::string>& known, std::string_view listing) {
  const auto near = core::nearest_names(wanted, known);
  if (near.empty()) return fmt::format("{} lists them", listing);
  return fmt::format("did you mean {}? ({} lists them all)", core::join(near, " or "), listing);
}

// Reads the params mapping of one entry against the operator's schema, filling defaults.
Params read_params(const ConfigNode& entry, const OperatorSpec& spec) {
  Params params;
  const ConfigNode node = entry.child("params");
  if (spec.params.empty()) {
    if (!node.keys().empty()) {
      entry.fail("params", fmt::format("{} takes no parameters", spec.function), "remove params");
    }
    return params;
  }
  std::vector<std::string> names;
  for (const auto& p : spec.params) names.push_back(p.name);
  (void)node.only_keys(names);
  for (const auto& p : spec.params) {
    switch (p.kind) {
      case ParamKind::integer: {
        const auto lo = static_cast<std::int64_t>(std::max(p.min, -1e15));
        const auto hi = std::isinf(p.max) ? kMaxInteger : static_cast<std::int64_t>(p.max);
        params.set(p.name, p.default_value ? node.optional_in_range<std::int64_t>(
                                                 p.name, std::get<std::int64_t>(*p.default_value), lo, hi)
                                           : node.required_in_range<std::int64_t>(p.name, lo, hi));
        break;
      }
      case ParamKind::number:
        params.set(p.name, p.default_value
                               ? node.optional_in_range<double>(p.name, std::get<double>(*p.default_value), p.min, p.max)
                               : node.required_in_range<double>(p.name, p.min, p.max));
        break;
      case ParamKind::choice:
      case ParamKind::column: {
        std::optional<std::string> fallback;
        if (p.default_value) fallback = std::get<std::string>(*p.default_value);
        params.set(p.name, node.choice(p.name, p.choices, fallback));
        break;
      }
    }
  }
  if (node.ok() && spec.check) {
    if (std::string problem = spec.check(params); !problem.empty()) {
      entry.fail("params", problem, "change the parameters");
    }
  }
  return params;
}

// The first dependency cycle among `pending` features (indexes), as "a -> b -> a".
std::string describe_cycle(const std::vector<FeatureDef>& defs, const std::vector<bool>& pending,
                           const std::map<std::string, int, std::less<>>& index_of, int start) {
  std::vector<int> path;
  std::vector<int> position(defs.size(), -1);
  int at = start;
  while (position[static_cast<std::size_t>(at)] < 0) {
    position[static_cast<std::size_t>(at)] = static_cast<int>(path.size());
    path.push_back(at);
    for (const auto& dep : defs[static_cast<std::size_t>(at)].dependencies) {
      const int next = index_of.at(dep);
      if (pending[static_cast<std::size_t>(next)]) {
        at = next;
        break;
      }
    }
  }
  std::string text;
  for (std::size_t i = static_cast<std::size_t>(position[static_cast<std::size_t>(at)]); i < path.size(); ++i) {
    text += defs[static_cast<std::size_t>(path[i])].name + " -> ";
  }
  return text + defs[static_cast<std::size_t>(at)].name;
}

}  // namespace

int FeaturePlan::lookback_bars() const {
  int bars = 0;
  for (const auto& node : nodes) bars = std::max(bars, node.def.lookback_bars());
  return bars;
}

int FeaturePlan::warmup_bars() const {
  int bars = 0;
  for (const auto& node : nodes) bars = std::max(bars, node.def.warmup_bars());
  return bars;
}

core::Result<FeatureSet> FeatureSet::load(const std::filesystem::path& file, const OperatorCatalog& catalog) {
  auto root = ConfigNode::load_file(file);
  if (!root) return root.error();
  return from_config(*root, catalog);
}

core::Result<FeatureSet> FeatureSet::from_config(const core::ConfigNode& top, const OperatorCatalog& catalog) {
  FeatureSet set;
  set.file_ = top.file();
  if (auto known = top.only_keys({"features"}); !known) return known.error();
  if (!top.has("features")) {
    return top.fail("features", "missing", "add a `features:` mapping of feature names to entries");
  }
  const ConfigNode features = top.child("features");
  // Every name is known; only_keys then reports a name defined twice, at its second line.
  if (auto unique = features.only_keys(features.keys()); !unique) return unique.error();
  const std::vector<std::string> functions = catalog.functions();
  std::map<std::string, int, std::less<>> index_of;

  for (const std::string& name : features.keys()) {
    const ConfigNode entry = features.child(name);
    if (!valid_column_name(name)) {
      return features.fail(name, "a feature name must be letters, digits and _ (and not ticker or ts)",
                           "rename the feature");
    }
    (void)entry.only_keys({"function", "params", "lookback", "category", "dependencies", "description"});
    const auto function = entry.required<std::string>("function");
    if (!top.ok()) return top.status().error();
    FeatureDef def;
    def.name = name;
    def.line = entry.line();
    def.spec = catalog.find(function);
    if (def.spec == nullptr) {
      return entry.fail("function", fmt::format("unknown function '{}'", function),
                        did_you_mean(function, functions, "itrade features list --functions"));
    }
    def.params = read_params(entry, *def.spec);
    def.declared_lookback = static_cast<int>(entry.required_in_range<std::int64_t>("lookback", 1, kMaxInteger));
    def.category = entry.required<std::string>("category");
    def.description = entry.optional<std::string>("description", def.spec->description);
    def.dependencies = entry.optional<std::vector<std::string>>("dependencies", {});
    if (!top.ok()) return top.status().error();
    const auto& inputs = def.spec->inputs;
    if (def.dependencies.size() != inputs.size()) {
      std::vector<std::string> roles;
      for (const auto& input : inputs) roles.push_back(input.role);
      const std::string problem =
          inputs.empty() ? fmt::format("{} takes no dependencies, got {}", function, def.dependencies.size())
                         : fmt::format("{} needs {} dependenc{} ({}), got {}", function, inputs.size(),
                                       inputs.size() == 1 ? "y" : "ies", core::join(roles), def.dependencies.size());
      return entry.fail("dependencies", problem,
                        inputs.empty() ? "remove dependencies" : "list them in that order");
    }
    if (inputs.size() > kMaxInputs) {
      return entry.fail("function", fmt::format("{} declares more than {} inputs", function, kMaxInputs),
                        "this is an operator bug; report it");
    }
    def.reads_volume = def.spec->reads_volume(def.params);
    def.needs_clock = def.spec->needs_clock;
    index_of.emplace(name, static_cast<int>(set.features_.size()));
    set.features_.push_back(std::move(def));
  }

  // Dependencies must name features of this file, computed by the function the operator expects.
  for (const auto& def : set.features_) {
    const ConfigNode entry = features.child(def.name);
    for (std::size_t i = 0; i < def.dependencies.size(); ++i) {
      const std::string& dep = def.dependencies[i];
      const auto it = index_of.find(dep);
      if (it == index_of.end()) {
        return entry.fail("dependencies", fmt::format("'{}' is not a feature in this file", dep),
                          did_you_mean(dep, set.names(), "itrade features list"));
      }
      const std::string& required = def.spec->inputs[i].function;
      const FeatureDef& dep_def = set.features_[static_cast<std::size_t>(it->second)];
      if (!required.empty() && dep_def.function() != required) {
        return entry.fail("dependencies",
                          fmt::format("'{}' is computed by {}, but {} needs its {} from {}", dep, dep_def.function(),
                                      def.function(), def.spec->inputs[i].role, required),
                          fmt::format("depend on a feature with function: {}", required));
      }
    }
  }

  // Kahn's algorithm, taking ready features in file order so that the order is stable.
  const std::size_t n = set.features_.size();
  std::vector<bool> pending(n, true);
  for (std::size_t done = 0; done < n;) {
    bool progressed = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (!pending[i]) continue;
      const auto& deps = set.features_[i].dependencies;
      const bool ready = std::none_of(deps.begin(), deps.end(), [&](const std::string& dep) {
        return pending[static_cast<std::size_t>(index_of.at(dep))];
      });
      if (!ready) continue;
      pending[i] = false;
      set.topo_order_.push_back(static_cast<int>(i));
      ++done;
      progressed = true;
      break;  // restart from the top: earlier features first
    }
    if (!progressed) {
      const int start = static_cast<int>(std::find(pending.begin(), pending.end(), true) - pending.begin());
      const FeatureDef& def = set.features_[static_cast<std::size_t>(start)];
      return features.child(def.name).fail(
          "dependencies", fmt::format("dependency cycle {}", describe_cycle(set.features_, pending, index_of, start)),
          "remove one of these dependencies");
    }
  }

  // Lookback and settle through the graph, from a probe instance of each operator.
  for (const int i : set.topo_order_) {
    FeatureDef& def = set.features_[static_cast<std::size_t>(i)];
    const OperatorPtr probe = def.spec->make(def.params);
    int ready_at = 0;
    int inputs_settle = 0;
    for (const auto& dep : def.dependencies) {
      const FeatureDef& dep_def = set.features_[static_cast<std::size_t>(index_of.at(dep))];
      ready_at = std::max(ready_at, dep_def.first_valid);
      inputs_settle = std::max(inputs_settle, dep_def.settle);
      def.reads_volume = def.reads_volume || dep_def.reads_volume;
      def.needs_clock = def.needs_clock || dep_def.needs_clock;
    }
    def.first_valid = ready_at + probe->lookback();
    def.settle = std::max(inputs_settle + probe->settle(), def.first_valid);
    if (def.declared_lookback < def.lookback_bars()) {
      const std::string params = def.params.to_string();
      return features.child(def.name).fail(
          "lookback",
          fmt::format("{} is shorter than the {} bars {}({}){} really needs", def.declared_lookback,
                      def.lookback_bars(), def.function(), params,
                      def.dependencies.empty() ? "" : " over its dependencies"),
          fmt::format("set lookback: {} or more", def.lookback_bars()));
    }
  }
  return set;
}

core::Result<FeatureSet> FeatureSet::parse(std::string_view text, std::string file, const OperatorCatalog& catalog) {
  auto root = ConfigNode::parse(text, std::move(file));
  if (!root) return root.error();
  return from_config(*root, catalog);
}

const FeatureDef* FeatureSet::find(std::string_view name) const {
  for (const auto& def : features_) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

std::vector<std::string> FeatureSet::names() const {
  std::vector<std::string> out;
  out.reserve(features_.size());
  for (const auto& def : features_) out.push_back(def.name);
  return out;
}

core::Result<std::shared_ptr<const FeaturePlan>> FeatureSet::plan(std::span<const std::string> wanted) const {
  if (wanted.empty()) return core::input_error("no features asked for; name at least one, or all");
  std::vector<bool> needed(features_.size(), false);
  std::vector<int> output_index;
  for (const std::string& name : wanted) {
    const FeatureDef* def = find(name);
    if (def == nullptr) {
      return core::input_error("unknown feature '{}' ({}); {}", name, file_,
                               did_you_mean(name, names(), "itrade features list"));
    }
    const int index = static_cast<int>(def - features_.data());
    if (std::find(output_index.begin(), output_index.end(), index) != output_index.end()) {
      return core::input_error("feature '{}' is asked for twice; list it once", name);
    }
    output_index.push_back(index);
    needed[static_cast<std::size_t>(index)] = true;
  }
  // Close over dependencies: walking the topological order backwards visits every dependent
  // before its dependencies.
  for (auto it = topo_order_.rbegin(); it != topo_order_.rend(); ++it) {
    const FeatureDef& def = features_[static_cast<std::size_t>(*it)];
    if (!needed[static_cast<std::size_t>(*it)]) continue;
    for (const auto& dep : def.dependencies) needed[static_cast<std::size_t>(find(dep) - features_.data())] = true;
  }
  auto plan = std::make_shared<FeaturePlan>();
  std::vector<int> node_of(features_.size(), -1);
  for (const int i : topo_order_) {
    if (!needed[static_cast<std::size_t>(i)]) continue;
    FeaturePlan::Node node;
    node.def = features_[static_cast<std::size_t>(i)];
    for (const auto& dep : node.def.dependencies) {
      const int input = node_of[static_cast<std::size_t>(find(dep) - features_.data())];
      node.inputs.push_back(input);
      node.ready_at = std::max(node.ready_at, plan->nodes[static_cast<std::size_t>(input)].def.first_valid);
    }
    plan->needs_clock = plan->needs_clock || node.def.spec->needs_clock;
    plan->reads_volume = plan->reads_volume || node.def.spec->reads_volume(node.def.params);
    node_of[static_cast<std::size_t>(i)] = static_cast<int>(plan->nodes.size());
    plan->nodes.push_back(std::move(node));
  }
  for (const int index : output_index) {
    plan->outputs.push_back(node_of[static_cast<std::size_t>(index)]);
    plan->output_names.push_back(features_[static_cast<std::size_t>(index)].name);
  }
  return std::shared_ptr<const FeaturePlan>(std::move(plan));
}

std::shared_ptr<const FeaturePlan> FeatureSet::plan_all() const {
  const std::vector<std::string> all = names();
  auto plan = this->plan(all);
  assert(plan.ok() || all.empty());
  return plan.ok() ? *plan : std::make_shared<const FeaturePlan>();
}

core::Result<std::vector<std::string>> parse_feature_list(std::string_view text, const FeatureSet& set) {
  const std::string_view trimmed = core::trim(text);
  if (trimmed == "all") return set.names();
  std::vector<std::string> names;
  for (const auto& item : core::split(trimmed, ',')) {
    const std::string_view name = core::trim(item);
    if (name.empty()) return core::input_error("empty name in the feature list '{}'; separate names with commas", text);
    names.emplace_back(name);
  }
  return names;
}

}  // namespace itrade::features
