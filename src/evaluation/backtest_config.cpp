#include "evaluation/backtest_config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "core/config_node.h"

namespace itrade::evaluation {

namespace {

using core::ConfigNode;

constexpr double kMaxCash = 1e15;  // beyond this a value is a typo, not an account
constexpr std::int64_t kMaxHoldingBars = 1'000'000'000;

// One broken rule: the key as written in the YAML file (dotted under `commission`).
using Problem = execution::ConfigProblem;

Problem out_of_range(std::string key, double value, std::string_view range, std::string fix) {
  return Problem{std::move(key), fmt::format("{} is out of range {}", value, range), std::move(fix)};
}

// The rules shared by the YAML reader and BacktestConfig::check(); the first one broken.
std::optional<Problem> first_problem(const BacktestConfig& c) {
  if (!(c.initial_cash > 0.0 && c.initial_cash <= kMaxCash)) {
    return out_of_range("initial_cash", c.initial_cash, "(0, 1e15]", "give the starting cash, e.g. 100000");
  }
  if (auto policy = execution::policy_problem(c.policy())) return policy;
  return execution::cost_problem(c.commission, c.slippage_bps);
}

}  // namespace

core::Result<BacktestConfig> read_backtest_config(const ConfigNode& root, const BacktestConfig& base) {
  (void)root.only_keys({"initial_cash", "position_fraction", "entry_threshold", "exit_threshold", "long_only",
                        "commission", "slippage_bps", "fill", "flatten_at_close", "max_holding_bars", "whole_shares"});

  BacktestConfig c = base;
  c.initial_cash = root.optional<double>("initial_cash", c.initial_cash);
  c.position_fraction = root.optional<double>("position_fraction", c.position_fraction);
  c.entry_threshold = root.optional<double>("entry_threshold", c.entry_threshold);
  c.exit_threshold = root.optional<double>("exit_threshold", c.exit_threshold);
  c.long_only = root.optional<bool>("long_only", c.long_only);
  c.slippage_bps = root.optional<double>("slippage_bps", c.slippage_bps);
  c.fill = root.choice("fill", {"next_open", "close"}, std::string(fill_mode_name(c.fill))) == "close"
               ? FillMode::close
               : FillMode::next_open;
  c.flatten_at_close = root.optional<bool>("flatten_at_close", c.flatten_at_close);
  // Read as a wide integer so that a huge value is reported as out of range, not truncated.
  const std::int64_t holding = root.optional<std::int64_t>("max_holding_bars", c.max_holding_bars);
  c.whole_shares = root.optional<bool>("whole_shares", c.whole_shares);

  const ConfigNode commission = root.child("commission");
  (void)commission.only_keys({"per_share", "minimum", "maximum_fraction", "bps"});
  c.commission.per_share = commission.optional<double>("per_share", c.commission.per_share);
  c.commission.minimum = commission.optional<double>("minimum", c.commission.minimum);
  c.commission.maximum_fraction = commission.optional<double>("maximum_fraction", c.commission.maximum_fraction);
  c.commission.bps = commission.optional<double>("bps", c.commission.bps);
  if (!root.ok()) return root.status().error();

  if (holding < 0 || holding > kMaxHoldingBars) {
    root.fail("max_holding_bars", fmt::format("{} is out of range [0, 1e9]", holding),
              "give a number of bars, or 0 for no limit");
    return root.status().error();
  }
  c.max_holding_bars = static_cast<int>(holding);

  if (auto problem = first_problem(c)) {
    constexpr std::string_view kCommission = "commission.";
    if (problem->key.starts_with(kCommission)) {
      commission.fail(problem->key.substr(kCommission.size()), problem->problem, problem->fix);
    } else {
      root.fail(problem->key, problem->problem, problem->fix);
    }
    return root.status().error();
  }
  return c;
}

std::string_view fill_mode_name(FillMode mode) { return mode == FillMode::close ? "close" : "next_open"; }

core::Status BacktestConfig::check() const {
  if (auto problem = first_problem(*this)) {
    return core::input_error("backtest config: {}: {}; {}", problem->key, problem->problem, problem->fix);
  }
  return {};
}

core::Result<BacktestConfig> parse_backtest_config(std::string_view text, std::string file) {
  core::Result<ConfigNode> parsed = ConfigNode::parse(text, std::move(file));
  if (!parsed) return parsed.error();
  return read_backtest_config(*parsed, BacktestConfig{});
}

core::Result<BacktestConfig> load_backtest_config(const std::filesystem::path& file) {
  core::Result<ConfigNode> loaded = ConfigNode::load_file(file);
  if (!loaded) return loaded.error();
  return read_backtest_config(*loaded, BacktestConfig{});
}

}  // namespace itrade::evaluation
