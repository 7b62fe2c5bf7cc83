// itrade backtest: the hypothesis loop in one command (docs/experiments.md).

#include <fmt/core.h>

#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/console.h"
#include "cli/data_sources.h"
#include "core/strings.h"
#include "core/time.h"
#include "evaluation/experiment.h"
#include "evaluation/run_recorder.h"
#include "evaluation/run_store.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/model_config.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct BacktestArgs {
  std::string features;
  std::string target;
  std::string model;
  fs::path data;
  std::string tickers_spec;
  std::string start;
  std::string end;
  std::string name;
  fs::path backtest_file;
  fs::path models_file;
  fs::path runs_dir;
  int importance_repeats = 3;
  // Overrides of backtest.yaml.
  std::optional<std::string> fill;
  bool long_only = false;
  std::optional<double> cash;
  std::optional<double> position_fraction;
  std::optional<double> entry_threshold;
  std::optional<double> slippage_bps;
  // Walk-forward windows, in bars.
  evaluation::WalkForwardConfig walk_forward;
  bool extended_hours = false;
  SourceOverrides overrides;
};

// The model `--model` names, else the enabled ensemble, else the first enabled entry.
core::Result<std::string> default_model(const models::ModelsConfig& config) {
  if (config.ensemble().enabled) return std::string(models::kEnsembleName);
  for (const auto& spec : config.models()) {
    if (spec.enabled && spec.built()) return spec.name;
  }
  return core::input_error("{} enables no model; pass --model NAME or set enabled: true on one", config.file());
}

std::string percent(double fraction) {
  if (std::isnan(fraction)) return "n/a";
  if (std::isinf(fraction)) return fraction > 0 ? "+inf" : "-inf";
  return fmt::format("{:.2f}%", 100.0 * fraction);
}

std::string ratio(double value) {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "+inf" : "-inf";
  return fmt::format("{:.2f}", value);
}

json backtest_json(const evaluation::BacktestConfig& c) {
  return {{"initial_cash", c.initial_cash},
          {"position_fraction", c.position_fraction},
          {"entry_threshold", c.entry_threshold},
          {"exit_threshold", c.exit_threshold},
          {"long_only", c.long_only},
          {"commission",
           {{"per_share", c.commission.per_share},
            {"minimum", c.commission.minimum},
            {"maximum_fraction", c.commission.maximum_fraction},
            {"bps", c.commission.bps}}},
          {"slippage_bps", c.slippage_bps},
          {"fill", std::string(evaluation::fill_mode_name(c.fill))},
          {"flatten_at_close", c.flatten_at_close},
          {"max_holding_bars", c.max_holding_bars},
          {"whole_shares", c.whole_shares}};
}

void print_summary(const evaluation::Experiment& run, const evaluation::RecordedRun& recorded) {
  const evaluation::Performance& p = run.performance;
  fmt::print("\nout-of-sample backtest {} .. {} ({} days, {} trades)\n", core::format_utc(run.evaluated_from),
             core::format_date(run.data_last_day), p.days, p.trades);
  fmt::print("  Sharpe        {:>10}    Sortino        {:>10}\n", ratio(p.sharpe), ratio(p.sortino));
  fmt::print("  max drawdown  {:>10}    total return   {:>10}\n", percent(p.max_drawdown), percent(p.total_return));
  fmt::print("  win rate      {:>10}    profit factor  {:>10}\n", percent(p.win_rate), ratio(p.profit_factor));
  fmt::print("  trades/day    {:>10}    exposure       {:>10}\n", ratio(p.trades_per_day), percent(p.exposure));
  const int trials = recorded.record.trials;
  if (recorded.deflated) {
    fmt::print("  deflated Sharpe {:>8}    (probability that the true Sharpe exceeds what the best of {} trial(s) on "
               "this data would show by luck)\n",
               percent(recorded.deflated->dsr), trials);
  } else {
    fmt::print("  deflated Sharpe      n/a    (fewer than 2 days evaluated; {} trial(s) on this data)\n", trials);
  }
  const models::Scores& q = run.prediction_quality;
  fmt::print("  prediction    accuracy {}, log loss {}, AUC {}, IC vs forward return {} ({} rows)\n",
             ratio(q.accuracy), ratio(q.loss), ratio(q.auc), ratio(q.ic), q.rows);
  fmt::print("  top features by gain:");
  for (std::size_t i = 0; i < std::min<std::size_t>(5, run.gain.size()); ++i) {
    fmt::print("{} {}", i == 0 ? "" : ",", run.gain[i].feature);
  }
  fmt::print("\n");
  if (!run.permutation.empty()) {
    fmt::print("  top features by permutation (loss increase):");
    for (std::size_t i = 0; i < std::min<std::size_t>(5, run.permutation.size()); ++i) {
      fmt::print("{} {} {:+.2g}", i == 0 ? "" : ",", run.permutation[i].feature, run.permutation[i].mean_increase);
    }
    fmt::print("\n");
  }
  fmt::print("\nrun {} saved in {}\n", recorded.record.id, recorded.dir.string());
}

int run_backtest_command(const BacktestArgs& args, const GlobalOptions& global) {
  auto root = project_root(global);
  if (!root) return report_error(root.error());
  auto models_config = models::ModelsConfig::load(args.models_file.empty() ? config_file(*root, global, "models.yaml")
                                                                           : args.models_file);
  if (!models_config) return report_error(models_config.error());
  auto feature_set = features::FeatureSet::load(config_file(*root, global, "features.yaml"));
  if (!feature_set) return report_error(feature_set.error());
  auto target_set = features::TargetSet::load(config_file(*root, global, "targets.yaml"));
  if (!target_set) return report_error(target_set.error());
  auto backtest = evaluation::load_backtest_config(
      args.backtest_file.empty() ? config_file(*root, global, "backtest.yaml") : args.backtest_file);
  if (!backtest) return report_error(backtest.error());

  evaluation::ExperimentSpec spec;
  if (args.model.empty()) {
    auto model = default_model(*models_config);
    if (!model) return report_error(model.error());
    spec.model = *model;
  } else {
    spec.model = args.model;
  }
  if (!args.features.empty()) {
    auto parsed = features::parse_feature_list(args.features, *feature_set);
    if (!parsed) return report_error(parsed.error());
    spec.features = *parsed;
  }
  spec.target = args.target;
  auto first_day = optional_date(args.start, std::numeric_limits<core::DayNumber>::min());
  if (!first_day) return report_error(first_day.error());
  auto last_day = optional_date(args.end, std::numeric_limits<core::DayNumber>::max());
  if (!last_day) return report_error(last_day.error());
  spec.first_day = *first_day;
  spec.last_day = *last_day;
  spec.walk_forward = args.walk_forward;
  spec.importance_repeats = args.importance_repeats;
  spec.backtest = *backtest;
  if (args.fill) spec.backtest.fill = *args.fill == "close" ? evaluation::FillMode::close : evaluation::FillMode::next_open;
  if (args.long_only) spec.backtest.long_only = true;
  if (args.cash) spec.backtest.initial_cash = *args.cash;
  if (args.position_fraction) spec.backtest.position_fraction = *args.position_fraction;
  if (args.entry_threshold) spec.backtest.entry_threshold = *args.entry_threshold;
  if (args.slippage_bps) spec.backtest.slippage_bps = *args.slippage_bps;
  if (auto ok = spec.backtest.check(); !ok) return report_error(ok.error());

  SourceOverrides overrides = args.overrides;
  overrides.regular_session_only = !args.extended_hours;
  auto bars = load_bars(args.data, args.tickers_spec, global, overrides, "backtest");
  if (!bars) return report_error(bars.error());
  const auto progress = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
  auto run = evaluation::run_experiment(*bars, {*feature_set, *target_set, *models_config}, spec, progress);
  if (!run) return report_error(run.error());

  const std::string requested = fmt::format("{} .. {}", args.start.empty() ? "(all)" : args.start,
                                            args.end.empty() ? "(all)" : args.end);
  const std::string used = fmt::format("{} .. {}", core::format_date(run->data_first_day),
                                       core::format_date(run->data_last_day));
  fmt::print("model {} learning {} from {} features on {}\n", spec.model, run->target, run->features.size(),
             core::join(run->tickers, ","));
  if ((!args.start.empty() && core::format_date(run->data_first_day) != args.start) ||
      (!args.end.empty() && core::format_date(run->data_last_day) != args.end)) {
    fmt::print("requested {}; the data covers {} of it: that part was used\n", requested, used);
  } else {
    fmt::print("data: {}\n", used);
  }
  fmt::print("walk-forward: {}\n", run->plan.description);
  for (const auto& fold : run->walk_forward.folds) {
    fmt::print("  fold {}: fit {} + validate {} rows, test {} rows\n", fold.fold.index + 1, fold.fit_rows,
               fold.validation_rows, fold.test_rows);
  }

  auto store = evaluation::RunStore::open(args.runs_dir.empty() ? *root / "runs" : args.runs_dir);
  if (!store) return report_error(store.error());
  json config = {
      {"command", "backtest"},
      {"name", args.name},
      {"model", spec.model},
      {"target", run->target},
      {"features", run->features},
      {"tickers", run->tickers},
      {"data", args.data.empty() ? std::string("(default)") : args.data.string()},
      {"session", args.extended_hours ? "extended" : "regular"},
      {"requested", {{"start", args.start}, {"end", args.end}}},
      {"walk_forward",
       {{"train_window", spec.walk_forward.train_window},
        {"test_window", spec.walk_forward.test_window},
        {"purge_window", spec.walk_forward.purge_window},
        {"step", spec.walk_forward.step},
        {"expanding", spec.walk_forward.expanding},
        {"validation_fraction", spec.walk_forward.validation_fraction}}},
      {"backtest", backtest_json(spec.backtest)},
  };
  auto recorded = evaluation::record_run(*store, *run, args.name, spec.model, config);
  if (!recorded) return report_error(recorded.error());
  print_summary(*run, *recorded);
  return kExitOk;
}

}  // namespace

void add_backtest_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<BacktestArgs>();
  auto* cmd = app.add_subcommand(
      "backtest",
      "Test a trading idea end to end: compute the features and the target, train the model with purged "
      "walk-forward (retrained per fold), backtest only its out-of-sample signals with costs (config/backtest.yaml), "
      "and print Sharpe, Sortino, drawdown, win rate, profit factor, the deflated Sharpe over every run on the same "
      "data, and the features that mattered. Records the run under runs/<id>/ (metrics, trades, equity, "
      "predictions, importance, fold models) and in runs/registry.sqlite.");
  cmd->add_option("--features", args->features, "'all' or a list of feature names (default: the model's)");
  cmd->add_option("--target", args->target, "Target name in targets.yaml (default: the model's)");
  cmd->add_option("--model", args->model,
                  "A model of models.yaml, ensemble or meta_labeling (default: the enabled ensemble, else the first "
                  "enabled model)");
  cmd->add_option("--data", args->data, "Data directory (default: data.default_dir of config/system.yaml)");
  cmd->add_option("--tickers", args->tickers_spec, "A universe or a list such as AAPL,MSFT (default: all)");
  cmd->add_option("--start", args->start, "First New York day to evaluate (YYYY-MM-DD)");
  cmd->add_option("--end", args->end, "Last New York day to evaluate (YYYY-MM-DD)");
  cmd->add_option("--name", args->name, "A name for the run's record");
  cmd->add_option("--backtest-config", args->backtest_file, "The backtest.yaml to use (default: the config directory's)");
  cmd->add_option("--models-config", args->models_file, "The models.yaml to use (default: the config directory's)");
  cmd->add_option("--runs", args->runs_dir, "Where runs are recorded (default: runs/ of the project)");
  cmd->add_option("--importance-repeats", args->importance_repeats,
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
  cmd->add_option("--train-window", args->walk_forward.train_window, "Walk-forward training window, bars")
      ->capture_default_str();
  cmd->add_option("--test-window", args->walk_forward.test_window, "Walk-forward test window, bars")->capture_default_str();
  cmd->add_option("--step", args->walk_forward.step, "Bars between the starts of test windows")->capture_default_str();
  cmd->add_option("--purge", args->walk_forward.purge_window,
                  "Bars between training and test windows (raised to the target's horizon)")
      ->capture_default_str();
  cmd->add_flag("--expanding", args->walk_forward.expanding, "Train every fold from the first bar");
  cmd->add_flag("--extended-hours", args->extended_hours,
                "Keep pre- and post-market bars (default: NYSE regular hours only, 78 five-minute bars a day)");
  cmd->callback([args, &global, &exit_code] { exit_code = run_backtest_command(*args, global); });
}

}  // namespace itrade::cli
