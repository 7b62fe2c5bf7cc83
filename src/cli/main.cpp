// itrade: the command-line entry point. Each subcommand lives in its own file and registers
// itself here; exit codes: 0 success, 1 runtime error, 2 usage or input error, 3 promotion refused.

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/console.h"

int main(int argc, char** argv) {
  CLI::App app{
      "itrade: intraday trading research and execution.\n"
      "Loads, validates and caches 5-minute bars (data) and computes and checks features and targets\n"
      "(features), trains signal models (models), tests ideas end to end with purged walk-forward and a\n"
      "costed backtest (backtest, or experiment run FILE.yaml), keeps the record of every run (runs), and\n"
      "shows which features predict which target (importance). Checks risk limits (risk), runs a paper\n"
      "account over replayed bars behind the risk manager (paper) and decides whether its model may go\n"
      "live (promote).\n"
      "Exit codes: 0 success, 1 runtime error, 2 usage or input error, 3 promotion refused."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "itrade 0.1.0");

  itrade::cli::GlobalOptions global;
  app.add_option("--config", global.config_dir,
                 "Directory holding system.yaml and the other config files (default: ./config, else the "
                 "source tree's config/)")
      ->check(CLI::ExistingDirectory);

  int exit_code = itrade::cli::kExitOk;
  itrade::cli::add_data_command(app, global, exit_code);
  itrade::cli::add_features_command(app, global, exit_code);
  itrade::cli::add_models_command(app, global, exit_code);
  itrade::cli::add_backtest_command(app, global, exit_code);
  itrade::cli::add_experiment_command(app, global, exit_code);
  itrade::cli::add_runs_command(app, global, exit_code);
  itrade::cli::add_importance_command(app, global, exit_code);
  itrade::cli::add_risk_command(app, global, exit_code);
  itrade::cli::add_paper_command(app, global, exit_code);
  itrade::cli::add_promote_command(app, global, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? itrade::cli::kExitOk : itrade::cli::kExitInputError;
  }
  return exit_code;
}
