#pragma once
// The target registry: reads targets.yaml (docs/targets.md) and computes each target through the
// functions of features/targets.h.
//
//     targets:
//       direction_5:
//         type: classification
//         function: targets.direction
//         params: { bars_ahead: 5, threshold: 0.001 }
//         classes: [short, hold, long]
//         description: "Direction in 5 bars with dead zone"
//         cross_session: false      # optional; the horizon stops at the session close
//
// Errors name the file, line and key, like features.yaml.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/bars.h"
#include "core/config_node.h"
#include "core/result.h"

namespace itrade::features {

enum class TargetType { regression, classification };

struct TargetDef {
  std::string name;
  std::string function;  // targets.forward_return | direction | volatility_regime | triple_barrier
  TargetType type = TargetType::regression;
  std::vector<std::string> classes;  // class names by code 0, 1, 2 (classification only)
  std::string description;
  bool cross_session = false;
  int line = 0;
  // Parameters; each function reads its own.
  int bars = 0;  // bars_ahead, window or max_bars
  double threshold = 0.0;
  double threshold_low = 0.0;
  double threshold_high = 0.0;
  double profit_take = 0.0;
  double stop_loss = 0.0;

  // Bars after t the label reads: purge/embargo train-test boundaries by this many bars.
  int horizon() const { return bars; }
};

class TargetSet {
 public:
  static core::Result<TargetSet> load(const std::filesystem::path& file);
  static core::Result<TargetSet> parse(std::string_view text, std::string file);

  const std::string& file() const { return file_; }
  const std::vector<TargetDef>& targets() const { return targets_; }
  const TargetDef* find(std::string_view name) const;
  std::vector<std::string> names() const;
  // "all", "" (none) or a comma-separated list; unknown names are input errors naming the nearest.
  core::Result<std::vector<const TargetDef*>> select(std::string_view list) const;

 private:
  static core::Result<TargetSet> from_config(const core::ConfigNode& root);

  std::string file_;
  std::vector<TargetDef> targets_;
};

// The label of every bar (NaN where undefined), by the target's function.
core::Result<std::vector<double>> compute_target(const TargetDef& target, const core::BarSeries& bars);

}  // namespace itrade::features
