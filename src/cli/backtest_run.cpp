#include "cli/backtest_run.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cli/console.h"
#include "cli/risk_settings.h"
#include "core/strings.h"
#include "core/time.h"
#include "evaluation/experiment.h"
#include "evaluation/run_recorder.h"
#include "evaluation/run_store.h"
#include "evaluation/signal_backtest.h"
#include "evaluation/signal_file.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/model_config.h"
#include "models/model_factory.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

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

void print_summary(const evaluation::Experiment& run, const evaluation::RecordedRun& recorded) {
  const evaluation::Performance& p = run.performance;
  fmt::print("\nout-of-sample backtest {} .. {} ({} days, {} trades)\n", core::format_utc(run.evaluated_from),
             core::format_date(run.data_last_day), p.days, p.trades);
  fmt::print("  Sharpe        {:>10}    Sortino        {:>10}\n", ratio(p.sharpe), ratio(p.sortino));
  fmt::print("  max drawdown  {:>10}    total return   {:>10}\n", percent(p.max_drawdown), percent(p.total_return));
  fmt::print("  win rate      {:>10}    profit factor  {:>10}\n", percent(p.win_rate), ratio(p.profit_factor));
  fmt::print("  trades/day    {:>10}    exposure       {:>10}\n", ratio(p.trades_per_day), percent(p.exposure));
  fmt::print("  risk limits   trips: {}; entries cut: {}\n", evaluation::risk_trips_text(run.backtest),
             evaluation::risk_blocks_text(run.backtest));
  const int trials = recorded.record.trials;
  if (recorded.deflated) {
    fmt::print(
        "  deflated Sharpe {:>8}    (probability that the true Sharpe exceeds what the best of {} trial(s) on "
        "this data would show by luck)\n",
        percent(recorded.deflated->dsr), trials);
  } else {
    fmt::print("  deflated Sharpe      n/a    (fewer than 2 days evaluated; {} trial(s) on this data)\n", trials);
  }
  if (!run.features.empty()) {
    const models::Scores& q = run.prediction_quality;
    fmt::print("  prediction    accuracy {}, log loss {}, AUC {}, IC vs forward return {} ({} rows)\n",
               ratio(q.accuracy), ratio(q.loss), ratio(q.auc), ratio(q.ic), q.rows);
    fmt::print("  top features by gain:");
    for (std::size_t i = 0; i < std::min<std::size_t>(5, run.gain.size()); ++i) {
      fmt::print("{} {}", i == 0 ? "" : ",", run.gain[i].feature);
    }
    fmt::print("\n");
  }
  if (!run.permutation.empty()) {
    fmt::print("  top features by permutation (loss increase):");
    for (std::size_t i = 0; i < std::min<std::size_t>(5, run.permutation.size()); ++i) {
      fmt::print("{} {} {:+.2g}", i == 0 ? "" : ",", run.permutation[i].feature, run.permutation[i].mean_increase);
    }
    fmt::print("\n");
  }
  if (run.attribution && run.attribution->attributed_trades > 0) {
    const evaluation::PnlAttribution& a = *run.attribution;
    std::vector<std::size_t> order(a.features.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // By size: in a losing run the features that lost most are the news.
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t x, std::size_t y) { return std::abs(a.totals[x]) > std::abs(a.totals[y]); });
    fmt::print("  largest attributed P&L:");
    for (std::size_t i = 0; i < std::min<std::size_t>(5, order.size()); ++i) {
      fmt::print("{} {} {:+.2f}", i == 0 ? "" : ",", a.features[order[i]], a.totals[order[i]]);
    }
    fmt::print(" (unattributed {:+.2f} over {} trades)\n", a.unattributed,
               a.trades_without_row + a.trades_without_push);
  }
  fmt::print("\nrun {} saved in {}\n", recorded.record.id, recorded.dir.string());
}

void print_data_used(const BacktestRequest& request, const evaluation::Experiment& run) {
  const std::string used =
      fmt::format("{} .. {}", core::format_date(run.data_first_day), core::format_date(run.data_last_day));
  if ((!request.start.empty() && core::format_date(run.data_first_day) != request.start) ||
      (!request.end.empty() && core::format_date(run.data_last_day) != request.end)) {
    fmt::print("requested {} .. {}; the data covers {} of it: that part was used\n",
               request.start.empty() ? "(all)" : request.start, request.end.empty() ? "(all)" : request.end, used);
  } else {
    fmt::print("data: {}\n", used);
  }
}

// --start and --end as days; open ends when not given.
core::Result<std::pair<core::DayNumber, core::DayNumber>> requested_days(const BacktestRequest& request) {
  auto first_day = optional_date(request.start, std::numeric_limits<core::DayNumber>::min());
  if (!first_day) return first_day.error();
  auto last_day = optional_date(request.end, std::numeric_limits<core::DayNumber>::max());
  if (!last_day) return last_day.error();
  return std::pair{*first_day, *last_day};
}

// The experiment of a model: features, target, purged walk-forward, backtest.
core::Result<evaluation::Experiment> run_model(const BacktestRequest& request, const fs::path& root,
                                               const GlobalOptions& global, std::string& model) {
  auto models_config = models::ModelsConfig::load(request.models_file.empty() ? config_file(root, global, "models.yaml")
                                                                              : request.models_file);
  if (!models_config) return models_config.error();
  auto feature_set = features::FeatureSet::load(config_file(root, global, "features.yaml"));
  if (!feature_set) return feature_set.error();
  auto target_set = features::TargetSet::load(config_file(root, global, "targets.yaml"));
  if (!target_set) return target_set.error();

  evaluation::ExperimentSpec spec;
  spec.name = request.name;
  if (request.model.empty()) {
    auto name = models::default_model_name(*models_config);
    if (!name) return name.error();
    spec.model = *name;
  } else {
    spec.model = request.model;
  }
  model = spec.model;
  if (!request.features.empty()) {
    auto parsed = features::parse_feature_list(request.features, *feature_set);
    if (!parsed) return parsed.error();
    spec.features = *parsed;
  }
  spec.target = request.target;
  auto days = requested_days(request);
  if (!days) return days.error();
  std::tie(spec.first_day, spec.last_day) = *days;
  spec.walk_forward = request.walk_forward;
  spec.importance_repeats = request.importance_repeats;
  spec.backtest = request.backtest;
  spec.risk = request.risk;

  SourceOverrides overrides = request.overrides;
  overrides.regular_session_only = !request.extended_hours;
  auto bars = load_bars(request.data, request.tickers, global, overrides, "backtest");
  if (!bars) return bars.error();
  const auto progress = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
  auto run = evaluation::run_experiment(*bars, {*feature_set, *target_set, *models_config}, spec, progress);
  if (!run) return run.error();

  fmt::print("model {} learning {} from {} features on {}\n", spec.model, run->target, run->features.size(),
             core::join(run->tickers, ","));
  print_data_used(request, *run);
  fmt::print("walk-forward: {}\n", run->plan.description);
  for (const auto& fold : run->walk_forward.folds) {
    const bool sampled = fold.fit_rows + fold.validation_rows < fold.available_rows;
    fmt::print("  fold {}: fit {} + validate {} rows{}, test {} rows\n", fold.fold.index + 1, fold.fit_rows,
               fold.validation_rows,
               sampled ? fmt::format(" (sampled from {}: max_train_rows)", fold.available_rows) : std::string(),
               fold.test_rows);
  }
  return run;
}

// The experiment of given signals: no model, the same backtest and analytics.
core::Result<evaluation::Experiment> run_signals(const BacktestRequest& request, const GlobalOptions& global) {
  if (!request.model.empty() || !request.features.empty() || !request.target.empty()) {
    return core::input_error(
        "--signals backtests the signals of {} as given: --model, --features and --target do "
        "not apply; drop them, or drop --signals to train a model",
        request.signals.string());
  }
  auto file = evaluation::read_signal_file(request.signals);
  if (!file) return file.error();
  evaluation::SignalBacktestSpec spec;
  auto days = requested_days(request);
  if (!days) return days.error();
  std::tie(spec.first_day, spec.last_day) = *days;
  spec.backtest = request.backtest;
  spec.risk = request.risk;

  SourceOverrides overrides = request.overrides;
  overrides.regular_session_only = !request.extended_hours;
  const std::string tickers = request.tickers.empty() ? core::join(file->tickers, ",") : request.tickers;
  auto bars = load_bars(request.data, tickers, global, overrides, "backtest");
  if (!bars) return bars.error();
  auto run = evaluation::run_signal_backtest(*bars, *file, spec);
  if (!run) return run.error();
  fmt::print("signals of {} on {}\n", request.signals.string(), core::join(run->tickers, ","));
  print_data_used(request, *run);
  return run;
}

}  // namespace

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

int run_backtest_request(const BacktestRequest& request, const fs::path& root, const GlobalOptions& global) {
  if (auto ok = request.backtest.check(); !ok) return report_error(ok.error());
  std::string model = "signals";
  auto run = request.signals.empty() ? run_model(request, root, global, model) : run_signals(request, global);
  if (!run) return report_error(run.error());

  auto store = evaluation::RunStore::open(request.runs_dir.empty() ? root / "runs" : request.runs_dir);
  if (!store) return report_error(store.error());
  json config = {
      {"command", request.command},
      {"name", request.name},
      {"model", model},
      {"target", run->target},
      {"features", run->features},
      {"tickers", run->tickers},
      {"data", request.data.empty() ? std::string("(default)") : request.data.string()},
      {"session", request.extended_hours ? "extended" : "regular"},
      {"requested", {{"start", request.start}, {"end", request.end}}},
      {"backtest", backtest_json(request.backtest)},
      {"risk", request.risk
                   ? json{{"config", request.risk_file.string()}, {"limits", risk_limits_json(request.risk->limits)}}
                   : json("off")},
  };
  if (request.signals.empty()) {
    config["walk_forward"] = {{"train_window", request.walk_forward.train_window},
                              {"test_window", request.walk_forward.test_window},
                              {"purge_window", request.walk_forward.purge_window},
                              {"step", request.walk_forward.step},
                              {"expanding", request.walk_forward.expanding},
                              {"validation_fraction", request.walk_forward.validation_fraction},
                              {"max_train_rows", request.walk_forward.max_train_rows}};
  } else {
    config["signals"] = request.signals.string();
  }
  auto recorded = evaluation::record_run(*store, *run, request.name, model, config);
  if (!recorded) return report_error(recorded.error());
  print_summary(*run, *recorded);
  return kExitOk;
}

}  // namespace itrade::cli
