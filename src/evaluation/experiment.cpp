#include "evaluation/experiment.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>

#include "core/nyse_calendar.h"
#include "evaluation/backtester.h"
#include "evaluation/data_fingerprint.h"
#include "features/engine/batch.h"
#include "models/dataset.h"
#include "models/model_factory.h"

namespace itrade::evaluation {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void say(const ExperimentProgress& progress, const std::string& line) {
  if (progress) progress(line);
}

// Per ticker (in run.tickers' order), the direction contributions of the bars at whose close the
// backtest's trades were decided, each explained by the model of the fold whose test window holds
// the bar; bars outside every test window get no row. Only these bars are explained: TreeSHAP
// costs far more per row than a prediction, and the attribution reads no other bar. `rows` is the
// walk-forward's prediction data set (run.walk_forward.fold_of_row is indexed by its rows).
// Errors: those of the models' direction_contributions (an input error for a model without them).
core::Result<std::vector<TickerContributions>> decision_contributions(const Experiment& run,
                                                                      const models::Dataset& rows) {
  const std::size_t width = rows.cols();
  std::vector<std::vector<core::Timestamp>> decided(run.tickers.size());
  for (const Trade& trade : run.backtest.trades) {
    decided[static_cast<std::size_t>(trade.ticker)].push_back(trade.decision_ts);
  }
  for (auto& times : decided) {
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
  }
  const std::vector<FoldOutcome>& folds = run.walk_forward.folds;
  std::vector<std::size_t> position_of_fold;  // Fold::index -> position in `folds`
  for (std::size_t k = 0; k < folds.size(); ++k) {
    const auto index = static_cast<std::size_t>(folds[k].fold.index);
    if (position_of_fold.size() <= index) position_of_fold.resize(index + 1, folds.size());
    position_of_fold[index] = k;
  }
  struct Wanted {
    std::size_t row;   // in `rows`
    std::size_t slot;  // the row's place in its ticker's table
  };
  std::vector<std::vector<Wanted>> by_fold(folds.size());
  std::vector<TickerContributions> tables(run.tickers.size());
  // Rows are in ticker order and in time order within a ticker, so each table's ts ascend.
  for (std::size_t row = 0; row < rows.rows(); ++row) {
    const int fold = run.walk_forward.fold_of_row[row];
    if (fold < 0 || static_cast<std::size_t>(fold) >= position_of_fold.size()) continue;
    const std::size_t k = position_of_fold[static_cast<std::size_t>(fold)];
    const auto ticker = static_cast<std::size_t>(rows.ticker_of_row[row]);
    if (k == folds.size() || ticker >= tables.size() ||
        !std::binary_search(decided[ticker].begin(), decided[ticker].end(), rows.ts[row])) {
      continue;
    }
    by_fold[k].push_back({row, tables[ticker].ts.size()});
    tables[ticker].ts.push_back(rows.ts[row]);
  }
  for (TickerContributions& table : tables) table.values.resize(table.ts.size() * width);
  // Every fold's model is asked, even with no row to explain, so that a model without
  // contributions says so whether or not it traded.
  for (std::size_t k = 0; k < folds.size(); ++k) {
    models::Dataset bars;
    bars.feature_names = rows.feature_names;
    bars.tickers = rows.tickers;
    for (const Wanted& w : by_fold[k]) models::append_row(bars, rows, w.row);
    auto pushes = folds[k].model->direction_contributions(bars);
    if (!pushes) return pushes.error();
    if (pushes->size() != by_fold[k].size() * width) {
      return core::runtime_error("fold {}: the model gave {} contributions for {} rows of {} features",
                                 folds[k].fold.index + 1, pushes->size(), by_fold[k].size(), width);
    }
    for (std::size_t j = 0; j < by_fold[k].size(); ++j) {
      const Wanted& w = by_fold[k][j];
      TickerContributions& table = tables[static_cast<std::size_t>(rows.ticker_of_row[w.row])];
      std::copy_n(pushes->begin() + static_cast<std::ptrdiff_t>(j * width), width,
                  table.values.begin() + static_cast<std::ptrdiff_t>(w.slot * width));
    }
  }
  return tables;
}

// The columns of the feedback log before the features.
const std::vector<std::string> kLogColumns = {"signal", "confidence", "fold", "label", "forward_return"};

}  // namespace

core::Status analyse_backtest(Experiment& run) {
  auto performance = compute_performance(run.backtest);
  if (!performance) return performance.error();
  run.performance = *performance;
  auto daily = daily_returns(run.backtest);
  if (!daily) return daily.error();
  run.daily = std::move(daily).value();
  run.monthly = monthly_returns(run.daily);
  auto tickers = per_ticker(run.backtest);
  if (!tickers) return tickers.error();
  run.per_ticker = std::move(tickers).value();
  return {};
}

core::Result<Experiment> run_experiment(std::span<const core::BarSeries> bars, const ExperimentConfigs& configs,
                                        const ExperimentSpec& spec, const ExperimentProgress& progress) {
  if (auto ok = spec.walk_forward.check(); !ok) return ok.error();
  if (auto ok = spec.backtest.check(); !ok) return ok.error();
  auto recipe = models::model_recipe(configs.models, spec.model);
  if (!recipe) return recipe.error();

  Experiment run;
  run.features = !spec.features.empty()      ? spec.features
                 : !recipe->features.empty() ? recipe->features
                                             : configs.features.names();
  auto plan = configs.features.plan(run.features);
  if (!plan) return plan.error();
  auto selected = configs.targets.select(spec.target.empty() ? recipe->target : spec.target);
  if (!selected) return selected.error();
  const features::TargetDef& target = *selected->front();
  if (auto ok = models::check_learnable(*recipe, target); !ok) return ok.error();
  run.target = target.name;
  run.horizon = target.horizon();
  const features::TargetDef outcome = models::outcome_target(target);

  // Features see all history (warm-up before first_day); evaluation keeps the requested days.
  auto started = Clock::now();
  auto matrices = features::compute_features(*plan, bars, {});
  if (!matrices) return matrices.error();
  std::vector<core::BarSeries> kept(bars.begin(), bars.end());
  const features::TargetDef* const wanted[] = {&target, &outcome};
  std::vector<core::Timestamp> timeline;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    auto& m = (*matrices)[i];
    if (auto ok = features::append_targets(m, wanted, kept[i]); !ok) return ok.error();
    const auto [first, last] = core::rows_in_days(kept[i].ts, spec.first_day, spec.last_day);
    m.keep_rows(first, last);
    kept[i].keep_range(first, last);
    timeline.insert(timeline.end(), kept[i].ts.begin(), kept[i].ts.end());
    run.tickers.push_back(kept[i].ticker);
  }
  std::sort(timeline.begin(), timeline.end());
  timeline.erase(std::unique(timeline.begin(), timeline.end()), timeline.end());
  if (timeline.empty()) return core::input_error("no bars of the requested tickers fall between the requested days");
  const auto& calendar = core::NyseCalendar::instance();
  run.fingerprint = data_fingerprint(kept);
  run.data_first_day = calendar.new_york_day(timeline.front());
  run.data_last_day = calendar.new_york_day(timeline.back());
  say(progress,
      fmt::format("features: {} features and {} of {} ticker(s), {} bars from {} to {} ({:.1f} s)", run.features.size(),
                  target.name, kept.size(), timeline.size(), core::format_date(run.data_first_day),
                  core::format_date(run.data_last_day), seconds_since(started)));

  auto labelled =
      models::make_dataset(*matrices, run.features, target.name, recipe->needs_outcomes ? outcome.name : std::string());
  if (!labelled) return labelled.error();
  auto all_rows = models::make_dataset(*matrices, run.features, "");
  if (!all_rows) return all_rows.error();

  auto folds = plan_walk_forward(timeline.size(), spec.walk_forward, target.horizon(), spec.allow_fallback);
  if (!folds) return folds.error();
  run.plan = std::move(folds).value();
  say(progress, fmt::format("walk-forward: {}", run.plan.description));

  const models::ModelsConfig& models_config = configs.models;
  const models::ModelRecipe model_recipe = *recipe;
  const std::string target_name = target.name;
  started = Clock::now();
  auto walk = run_walk_forward(
      run.plan, timeline, *labelled, *all_rows,
      [&] { return models::make_model(models_config, model_recipe, target_name); },
      [&](const FoldOutcome& fold, std::size_t count) {
        const std::size_t trained = fold.fit_rows + fold.validation_rows;
        const std::string sampled =
            trained < fold.available_rows ? fmt::format(" (a sample of {})", fold.available_rows) : std::string();
        say(progress,
            fmt::format("fold {}/{}: trained on {} rows{} to {} ({} rounds), predicted {} rows from {} ({:.1f} s)",
                        fold.fold.index + 1, count, trained, sampled,
                        core::format_utc(timeline[fold.fold.train_last - 1]), fold.training.rounds.size(),
                        fold.test_rows, core::format_utc(timeline[fold.fold.test_first]), seconds_since(started)));
      });
  if (!walk) return walk.error();
  run.walk_forward = std::move(walk).value();
  run.evaluated_from = timeline[run.plan.folds.front().test_first];

  // Signals per ticker, aligned with the kept bars from the first out-of-sample bar on. all_rows
  // holds every kept bar of every ticker, in ticker order, so row r of ticker i is bar r - offset.
  std::vector<core::BarSeries> evaluated = kept;
  std::vector<TickerSignals> signals(kept.size());
  std::vector<double> oos_signal;
  std::vector<double> oos_return;
  std::vector<models::SignalOutput> oos_outputs;
  std::vector<float> oos_labels;
  const auto& predictions = run.walk_forward.predictions;
  std::size_t offset = 0;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const features::FeatureMatrix& m = (*matrices)[i];
    const auto label_col = static_cast<std::size_t>(m.column_index(target.name));
    const auto outcome_col = static_cast<std::size_t>(m.column_index(outcome.name));
    const std::size_t first = static_cast<std::size_t>(
        std::lower_bound(kept[i].ts.begin(), kept[i].ts.end(), run.evaluated_from) - kept[i].ts.begin());
    evaluated[i].keep_range(first, kept[i].size());
    features::FeatureMatrix log;
    log.ticker = m.ticker;
    log.columns = kLogColumns;
    log.columns.insert(log.columns.end(), run.features.begin(), run.features.end());
    for (std::size_t r = first; r < kept[i].size(); ++r) {
      const std::size_t row = offset + r;
      const models::SignalOutput& p = predictions[row];
      signals[i].signal.push_back(p.signal);
      signals[i].confidence.push_back(p.confidence);
      const int fold = run.walk_forward.fold_of_row[row];
      if (fold < 0) continue;
      const double label = m.at(r, label_col);
      const double forward = m.at(r, outcome_col);
      log.ts.push_back(m.ts[r]);
      log.values.insert(log.values.end(), {p.signal, p.confidence, static_cast<double>(fold), label, forward});
      for (std::size_t c = 0; c < all_rows->cols(); ++c)
        log.values.push_back(all_rows->features[row * all_rows->cols() + c]);
      if (!std::isnan(label)) {
        oos_outputs.push_back(p);
        oos_labels.push_back(static_cast<float>(label));
      }
      if (!std::isnan(forward)) {
        oos_signal.push_back(p.signal);
        oos_return.push_back(forward);
      }
    }
    run.predictions.push_back(std::move(log));
    offset += kept[i].size();
  }
  run.prediction_quality = models::score(oos_outputs, oos_labels, recipe->task);
  // The information coefficient against the realised return, whatever the target's type.
  run.prediction_quality.ic = models::spearman(oos_signal, oos_return);

  started = Clock::now();
  auto backtest = run_backtest_with_limits(evaluated, signals, spec.backtest, spec.risk);
  if (!backtest) return backtest.error();
  run.backtest = std::move(backtest).value();
  if (auto ok = analyse_backtest(run); !ok) return ok.error();
  say(progress, fmt::format("backtest: {} bar-steps, {} trades from {} ({:.2f} s)", run.backtest.bar_steps,
                            run.backtest.trades.size(), core::format_utc(run.evaluated_from), seconds_since(started)));

  started = Clock::now();
  auto contributions = decision_contributions(run, *all_rows);
  if (!contributions) {
    // A model that cannot explain its signals is no reason to fail the run: the attribution is left out.
    if (contributions.error().kind != core::ErrorKind::input) return contributions.error();
    say(progress, fmt::format("attribution: none ({})", contributions.error().message));
  } else {
    auto attribution = attribute_pnl(run.backtest, run.features, *contributions);
    if (!attribution) return attribution.error();
    run.attribution = std::move(attribution).value();
    const PnlAttribution& a = *run.attribution;
    say(progress, fmt::format("attribution: {} trades split among {} features, {} unattributed ({} without a "
                              "contribution row, {} with no feature pushing their side) ({:.2f} s)",
                              a.attributed_trades, a.features.size(), a.trades_without_row + a.trades_without_push,
                              a.trades_without_row, a.trades_without_push, seconds_since(started)));
  }

  // Gain: the mean over folds; permutation: the last fold's model on its own labelled test rows.
  std::unordered_map<std::string, std::size_t> at;
  for (const FoldOutcome& fold : run.walk_forward.folds) {
    for (const auto& g : fold.training.gain) {
      auto [it, inserted] = at.emplace(g.feature, run.gain.size());
      if (inserted) run.gain.push_back({g.feature, 0.0});
      run.gain[it->second].value += g.value / static_cast<double>(run.walk_forward.folds.size());
    }
  }
  std::stable_sort(run.gain.begin(), run.gain.end(), [](const auto& a, const auto& b) { return a.value > b.value; });
  if (spec.importance_repeats > 0 && !run.walk_forward.folds.empty()) {
    const FoldOutcome& last = run.walk_forward.folds.back();
    models::Dataset test;
    test.feature_names = all_rows->feature_names;
    test.tickers = all_rows->tickers;
    std::size_t row = 0;
    for (std::size_t i = 0; i < kept.size(); ++i) {
      const features::FeatureMatrix& m = (*matrices)[i];
      const auto label_col = static_cast<std::size_t>(m.column_index(target.name));
      for (std::size_t r = 0; r < kept[i].size(); ++r, ++row) {
        if (run.walk_forward.fold_of_row[row] != last.fold.index || std::isnan(m.at(r, label_col))) continue;
        models::append_row(test, *all_rows, row);
        test.labels.push_back(static_cast<float>(m.at(r, label_col)));
      }
    }
    if (test.rows() > 0) {
      started = Clock::now();
      auto importance = models::permutation_importance(*last.model, test, spec.importance_repeats, 7);
      if (!importance) return importance.error();
      run.permutation = std::move(importance).value();
      say(progress, fmt::format("permutation importance: {} features x {} repeats on {} test rows of the last fold "
                                "({:.1f} s)",
                                run.features.size(), spec.importance_repeats, test.rows(), seconds_since(started)));
    }
  }
  return run;
}

}  // namespace itrade::evaluation
