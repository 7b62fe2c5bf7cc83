// itrade backtest: the hypothesis loop in one command (docs/experiments.md).

#include <memory>
#include <optional>
#include <string>

#include "cli/backtest_run.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "cli/data_sources.h"
#include "cli/risk_settings.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;

struct BacktestArgs {
  BacktestRequest request;
  fs::path backtest_file;
  fs::path risk_file;
  bool no_risk = false;
  // Overrides of backtest.yaml.
  std::optional<std::string> fill;
  bool long_only = false;
  std::optional<double> cash;
  std::optional<double> position_fraction;
  std::optional<double> entry_threshold;
  std::optional<double> slippage_bps;
};

int run_backtest_command(BacktestArgs args, const GlobalOptions& global) {
  auto root = project_root(global);
  if (!root) return report_error(root.error());
  auto backtest = evaluation::load_backtest_config(
      args.backtest_file.empty() ? config_file(*root, global, "backtest.yaml") : args.backtest_file);
  if (!backtest) return report_error(backtest.error());
  evaluation::BacktestConfig& c = args.request.backtest;
  c = *backtest;
  if (args.fill) c.fill = *args.fill == "close" ? evaluation::FillMode::close : evaluation::FillMode::next_open;
  if (args.long_only) c.long_only = true;
  if (args.cash) c.initial_cash = *args.cash;
  if (args.position_fraction) c.position_fraction = *args.position_fraction;
  if (args.entry_threshold) c.entry_threshold = *args.entry_threshold;
  if (args.slippage_bps) c.slippage_bps = *args.slippage_bps;
  if (!args.no_risk) {
    auto risk = load_risk_settings(*root, global, args.risk_file);
    if (!risk) return report_error(risk.error());
    args.request.risk = std::move(*risk);
    args.request.risk_file = args.risk_file.empty() ? config_file(*root, global, "risk.yaml") : args.risk_file;
  }
  args.request.command = "backtest";
  return run_backtest_request(args.request, *root, global);
}

}  // namespace

void add_backtest_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<BacktestArgs>();
  auto* cmd = app.add_subcommand(
      "backtest",
      "Test a trading idea end to end: compute the features and the target, train the model with purged "
      "walk-forward (retrained per fold), backtest only its out-of-sample signals with costs (config/backtest.yaml), "
      "through the risk manager's limits (config/risk.yaml), and print Sharpe, Sortino, drawdown, win rate, profit "
      "factor, the deflated Sharpe over every run on the same "
      "data, and the features that mattered. Records the run under runs/<id>/ (metrics, trades, equity, "
      "predictions, importance, fold models, report.html) and in runs/registry.sqlite. With --signals FILE, "
      "backtests given signals instead of a model's (no training), with the same costs, analytics and record.");
  cmd->add_option("--features", args->request.features, "'all' or a list of feature names (default: the model's)");
  cmd->add_option("--target", args->request.target, "Target name in targets.yaml (default: the model's)");
  cmd->add_option("--model", args->request.model,
                  "A model of models.yaml, ensemble or meta_labeling (default: the enabled ensemble, else the first "
                  "enabled model)");
  cmd->add_option("--data", args->request.data, "Data directory (default: data.default_dir of config/system.yaml)");
  cmd->add_option("--tickers", args->request.tickers, "A universe or a list such as AAPL,MSFT (default: all)");
  cmd->add_option("--start", args->request.start, "First New York day to evaluate (YYYY-MM-DD)");
  cmd->add_option("--end", args->request.end, "Last New York day to evaluate (YYYY-MM-DD)");
  cmd->add_option("--signals", args->request.signals,
                  "Backtest these signals instead of training a model: a CSV with columns ticker, ts (bar start, "
                  "UTC, e.g. 2024-08-12T13:30:00Z), signal in [-1, 1] and optionally confidence in [0, 1]; a run's "
                  "predictions.csv works as it is. Tickers default to the file's")
      ->check(CLI::ExistingFile);
  cmd->add_option("--name", args->request.name, "A name for the run's record");
  cmd->add_option("--backtest-config", args->backtest_file,
                  "The backtest.yaml to use (default: the config directory's)");
  auto* risk_config = cmd->add_option("--risk-config", args->risk_file,
                                      "The risk.yaml whose limits every entry obeys, as in paper trading (default: "
                                      "the config directory's; docs/risk.md)");
  cmd->add_flag("--no-risk", args->no_risk,
                "Backtest without the risk manager: only cash limits entries (to see what the limits change)")
      ->excludes(risk_config);
  cmd->add_option("--models-config", args->request.models_file,
                  "The models.yaml to use (default: the config directory's)");
  cmd->add_option("--runs", args->request.runs_dir, "Where runs are recorded (default: runs/ of the project)");
  cmd->add_option("--importance-repeats", args->request.importance_repeats,
                  "Shuffles per feature for permutation importance on the last fold's test rows (0: skip)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  cmd->add_option("--fill", args->fill, "Override the fill mode: next_open or close")
      ->check(CLI::IsMember({"next_open", "close"}));
  cmd->add_flag("--long-only", args->long_only, "Ignore short signals");
  cmd->add_option("--cash", args->cash, "Override initial_cash (account currency)");
  cmd->add_option("--position-fraction", args->position_fraction, "Override position_fraction (of equity)");
  cmd->add_option("--entry-threshold", args->entry_threshold, "Override entry_threshold (on |signal|)");
  cmd->add_option("--slippage-bps", args->slippage_bps, "Override slippage_bps");
  cmd->add_option("--train-window", args->request.walk_forward.train_window, "Walk-forward training window, bars")
      ->capture_default_str();
  cmd->add_option("--test-window", args->request.walk_forward.test_window, "Walk-forward test window, bars")
      ->capture_default_str();
  cmd->add_option("--step", args->request.walk_forward.step, "Bars between the starts of test windows")
      ->capture_default_str();
  cmd->add_option("--purge", args->request.walk_forward.purge_window,
                  "Bars between training and test windows (raised to the target's horizon)")
      ->capture_default_str();
  cmd->add_flag("--expanding", args->request.walk_forward.expanding, "Train every fold from the first bar");
  cmd->add_option("--max-train-rows", args->request.walk_forward.max_train_rows,
                  "The most rows a fold trains on; a larger training window is sampled uniformly (0: every row)")
      ->capture_default_str();
  cmd->add_flag("--extended-hours", args->request.extended_hours,
                "Keep pre- and post-market bars (default: NYSE regular hours only, 78 five-minute bars a day)");
  cmd->callback([args, &global, &exit_code] { exit_code = run_backtest_command(*args, global); });
}

}  // namespace itrade::cli
