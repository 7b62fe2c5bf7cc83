#pragma once
// The risk limits a backtest (and later a paper run) obeys: config/risk.yaml or another file, the
// sector map of the universes, and the bar length of config/system.yaml (docs/risk.md).

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/result.h"
#include "evaluation/backtester.h"

namespace itrade::cli {

// `file` empty: the config directory's risk.yaml. Errors name the file and key.
core::Result<evaluation::RiskSettings> load_risk_settings(const std::filesystem::path& root,
                                                          const GlobalOptions& global,
                                                          const std::filesystem::path& file);

// The limits as recorded in a run's config.json.
nlohmann::json risk_limits_json(const execution::RiskConfig& limits);

}  // namespace itrade::cli
