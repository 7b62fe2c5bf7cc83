#pragma once
// The feature registry: reads a features.yaml, validates every entry against the operator
// catalog, resolves the dependency graph and derives each feature's lookback and warm-up
// (docs/features.md, "Registry").
//
//     features:
//       atr_14:
//         function: volatility.atr
//         params: { window: 14 }
//         lookback: 15
//         category: volatility
//         dependencies: [true_range]
//
// `lookback` is the number of bars, the current one included, a feature needs before its first
// value. It must be at least what the operator and its dependencies really need; a shorter one is
// rejected. Every error names the file, line and key: "config/features.yaml:12:
// features.atr_14.lookback: 10 is shorter than ...; set lookback: 15 or more".

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_node.h"
#include "core/result.h"
#include "features/registry/operator_catalog.h"

namespace itrade::features {

struct FeatureDef {
  std::string name;
  const OperatorSpec* spec = nullptr;  // from the catalog the set was loaded with
  Params params;
  int declared_lookback = 0;  // `lookback` in the file, in bars
  std::string category;
  std::string description;  // the entry's own, else the operator's
  std::vector<std::string> dependencies;
  int line = 0;  // line of the feature's key in the file

  // Derived from the dependency graph, as 0-based bar indexes from the start of a stream.
  int first_valid = 0;  // first bar with a value: bars needed = first_valid + 1
  int settle = 0;       // from this bar on, the value no longer depends on where the stream started
  bool reads_volume = false;
  bool needs_clock = false;

  const std::string& function() const { return spec->function; }
  // Bars of history, the current one included, before the first value.
  int lookback_bars() const { return first_valid + 1; }
  // Bars of history a live stream must start with to match values computed on all history (1e-9).
  int warmup_bars() const { return settle + 1; }
};

// What one engine computes: the requested features and, before them in the graph, everything
// they depend on, in topological order. Immutable; shared by engines on every thread.
struct FeaturePlan {
  struct Node {
    FeatureDef def;
    std::vector<int> inputs;  // node indexes of the dependencies, in declared order
    int ready_at = 0;         // first bar where all inputs have values (update() starts here)
  };
  std::vector<Node> nodes;                // topological order
  std::vector<int> outputs;               // node index of each output column
  std::vector<std::string> output_names;  // in the order asked for
  bool needs_clock = false;
  bool reads_volume = false;

  // Largest lookback_bars() / warmup_bars() over the plan's nodes.
  int lookback_bars() const;
  int warmup_bars() const;
};

class FeatureSet {
 public:
  static core::Result<FeatureSet> load(const std::filesystem::path& file,
                                       const OperatorCatalog& catalog = builtin_catalog());
  // Same, from text; `file` is the name used in messages.
  static core::Result<FeatureSet> parse(std::string_view text, std::string file,
                                        const OperatorCatalog& catalog = builtin_catalog());

  const std::string& file() const { return file_; }
  // In file order.
  const std::vector<FeatureDef>& features() const { return features_; }
  const FeatureDef* find(std::string_view name) const;
  std::vector<std::string> names() const;

  // The plan computing `wanted` (output columns in that order; duplicates are an error). An
  // unknown name is an input error listing the nearest known ones.
  core::Result<std::shared_ptr<const FeaturePlan>> plan(std::span<const std::string> wanted) const;
  std::shared_ptr<const FeaturePlan> plan_all() const;

 private:
  static core::Result<FeatureSet> from_config(const core::ConfigNode& root, const OperatorCatalog& catalog);

  std::string file_;
  std::vector<FeatureDef> features_;  // file order
  std::vector<int> topo_order_;       // indexes into features_
};

// Whether `name` can name a feature or target column: letters, digits and _, and not one of the
// fixed columns of feature files (ticker, ts).
bool valid_column_name(std::string_view name);

// "all" -> every feature of the set; else a comma-separated list, trimmed, empty items rejected.
core::Result<std::vector<std::string>> parse_feature_list(std::string_view text, const FeatureSet& set);

}  // namespace itrade::features
