#pragma once
// The settings of a backtest (docs/backtesting.md, "Configuration"): config/backtest.yaml, later
// overridden field by field from the command line.
//
//     initial_cash: 100000          # account currency, > 0
//     position_fraction: 0.10       # base position value / current equity, (0, 1]
//     entry_threshold: 0.10         # |signal| >= this opens a position, (0, 1]
//     exit_threshold: 0.0           # a long exits at signal <= this, [0, entry_threshold)
//     long_only: false
//     commission: { per_share: 0.005, minimum: 1.0, maximum_fraction: 0.01, bps: 0.0 }
//     slippage_bps: 1.0             # the fill price moves against the order by this
//     fill: next_open               # next_open | close
//     flatten_at_close: true        # close every position at the last bar of each NY day
//     max_holding_bars: 0           # 0 = no limit
//     whole_shares: true
//
// Every key is optional (the defaults above apply). Errors are input errors naming the file,
// line and key: "config/backtest.yaml:4: exit_threshold: 0.2 must be below entry_threshold
// (0.1); ...". BacktestConfig::check() applies the same rules to values set in code.

#include <filesystem>
#include <string>
#include <string_view>

#include "core/config_node.h"
#include "core/result.h"
#include "execution/cost_model.h"
#include "execution/trading_policy.h"

namespace itrade::evaluation {

enum class FillMode {
  next_open,  // a decision at bar t's close fills at the ticker's next bar's open (default)
  close,      // it fills at bar t's close (vectorized tools' convention; look-ahead of one fill)
};

std::string_view fill_mode_name(FillMode mode);

// The commission schedule is execution's, shared with the simulated broker (cost_model.h).
using CommissionConfig = execution::CommissionConfig;

struct BacktestConfig {
  double initial_cash = 100'000.0;
  double position_fraction = 0.10;
  double entry_threshold = 0.10;
  double exit_threshold = 0.0;
  bool long_only = false;
  CommissionConfig commission;
  double slippage_bps = 1.0;  // [0, 1000]
  FillMode fill = FillMode::next_open;
  bool flatten_at_close = true;
  int max_holding_bars = 0;  // >= 0; 0 = no limit
  bool whole_shares = true;

  // The price paid by a buy / received by a sell at market price `price`:
  // buy = price x (1 + slippage_bps / 1e4), sell = price x (1 - slippage_bps / 1e4).
  double buy_price(double price) const { return execution::buy_price(price, slippage_bps); }
  double sell_price(double price) const { return execution::sell_price(price, slippage_bps); }
  // The fill costs as the simulated broker applies them.
  execution::CostModel cost_model() const { return {commission, slippage_bps}; }
  // The decision and sizing rules as the live engine applies them.
  execution::PolicyConfig policy() const {
    return {position_fraction, entry_threshold, exit_threshold, long_only, max_holding_bars, whole_shares};
  }

  // The first rule a field breaks, as an input error "<key>: <problem>; <fix>" (key paths as in
  // the YAML file, e.g. "commission.minimum"); OK when every field is in range.
  core::Status check() const;
};

// Reads a backtest YAML file (all keys optional, unknown keys rejected). Errors (input): the
// file cannot be read or parsed, an unknown key, a value of the wrong type or out of range,
// exit_threshold >= entry_threshold; each names "<file>:<line>: <key>".
core::Result<BacktestConfig> load_backtest_config(const std::filesystem::path& file);
// The same from text in memory; `file` is the name used in messages.
core::Result<BacktestConfig> parse_backtest_config(std::string_view text, std::string file);
// The same keys read from a mapping inside another file (such as an experiment's `backtest:`
// block), each key present replacing its value in `base`; messages name the mapping's key path.
core::Result<BacktestConfig> read_backtest_config(const core::ConfigNode& node, const BacktestConfig& base);

}  // namespace itrade::evaluation
