#pragma once
// Registration of the subcommands (one file each). A subcommand's callback stores its exit
// code in `exit_code`.

#include <CLI/CLI.hpp>
#include <filesystem>

namespace itrade::cli {

struct GlobalOptions {
  std::filesystem::path config_dir;  // empty: ./config, else the source tree's config/
};

void add_data_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_features_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_models_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_backtest_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_experiment_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_runs_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_importance_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_risk_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_paper_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_promote_command(CLI::App& app, const GlobalOptions& global, int& exit_code);

}  // namespace itrade::cli
