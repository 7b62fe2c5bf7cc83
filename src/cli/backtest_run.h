#pragma once
// The run behind `itrade backtest` and `itrade experiment run` (docs/experiments.md): each command
// turns its flags or its YAML file into one BacktestRequest; this loads the data, runs the
// experiment (a model's purged walk-forward, or given signals), records it under runs/ and prints
// the summary.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/data_sources.h"
#include "evaluation/backtest_config.h"
#include "evaluation/backtester.h"
#include "evaluation/walk_forward.h"

namespace itrade::cli {

struct BacktestRequest {
  std::string command;  // for the record: "backtest" or "experiment run <file>"
  std::string name;
  std::string model;     // a models.yaml name; empty: models::default_model_name
  std::string features;  // "all" or a comma-separated list; empty: the model's
  std::string target;    // empty: the model's
  std::filesystem::path data;
  std::string tickers;  // a universe or a list; empty: every ticker (signals: the file's tickers)
  std::string start;    // YYYY-MM-DD or empty
  std::string end;
  bool extended_hours = false;
  SourceOverrides overrides;
  evaluation::WalkForwardConfig walk_forward;
  evaluation::BacktestConfig backtest;  // resolved: backtest.yaml with the command's overrides
  // The limits the backtest obeys (risk.yaml and the sector map); empty: none but cash.
  std::optional<evaluation::RiskSettings> risk;
  std::filesystem::path risk_file;    // for the record
  std::filesystem::path models_file;  // empty: the config directory's models.yaml
  std::filesystem::path runs_dir;     // empty: runs/ of the project
  int importance_repeats = 3;
  std::filesystem::path signals;  // non-empty: backtest these signals; no model is trained
};

// Exit code of the whole run; errors are reported on stderr.
int run_backtest_request(const BacktestRequest& request, const std::filesystem::path& root,
                         const GlobalOptions& global);

// The backtest settings as recorded in config.json.
nlohmann::json backtest_json(const evaluation::BacktestConfig& config);

}  // namespace itrade::cli
