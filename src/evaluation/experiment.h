#pragma once
// The hypothesis loop in one call (docs/experiments.md): bars -> features -> target -> purged
// walk-forward training and out-of-sample prediction -> backtest of the out-of-sample signals ->
// analytics and P&L attribution by feature. Only predictions of a fold's test window reach the
// backtester, and the backtest starts at the first predicted bar: an in-sample backtest cannot be
// produced this way. Recording the run (run_store.h) and rendering the report (report.h) are the
// caller's next steps.

#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bars.h"
#include "core/result.h"
#include "core/time.h"
#include "evaluation/analytics.h"
#include "evaluation/attribution.h"
#include "evaluation/backtest_config.h"
#include "evaluation/backtest_result.h"
#include "evaluation/backtester.h"
#include "evaluation/walk_forward.h"
#include "features/engine/feature_matrix.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/importance.h"
#include "models/metrics.h"
#include "models/model_config.h"

namespace itrade::evaluation {

struct ExperimentSpec {
  std::string name;                   // free text for the run's record
  std::string model;                  // a models.yaml name: an entry, ensemble or meta_labeling
  std::vector<std::string> features;  // empty: the model's
  std::string target;                 // empty: the model's
  // New York days to evaluate; bars before first_day still warm the features up.
  core::DayNumber first_day = std::numeric_limits<core::DayNumber>::min();
  core::DayNumber last_day = std::numeric_limits<core::DayNumber>::max();
  WalkForwardConfig walk_forward;
  bool allow_fallback = true;  // short data: an expanding window from the middle (walk_forward.h)
  BacktestConfig backtest;
  std::optional<RiskSettings> risk;  // the limits the backtest obeys; empty: none but cash
  int importance_repeats = 3;        // permutation importance shuffles per feature (0: skip)
};

// The configuration files an experiment resolves names against.
struct ExperimentConfigs {
  const features::FeatureSet& features;
  const features::TargetSet& targets;
  const models::ModelsConfig& models;
};

struct Experiment {
  // What was resolved and used.
  std::vector<std::string> features;
  std::string target;
  int horizon = 0;
  std::vector<std::string> tickers;
  core::DayNumber data_first_day = 0;  // the days of the requested range the data has
  core::DayNumber data_last_day = 0;
  core::Timestamp evaluated_from = 0;  // the first out-of-sample bar: the backtest starts here
  // XXH64 (hex) of the tickers and bars of the requested days: runs with equal fingerprints ran on
  // the same data and count as trials of one search.
  std::string fingerprint;
  FoldPlan plan;

  // Out-of-sample predictions, one FeatureMatrix per ticker (the feedback log): columns signal,
  // confidence, fold, label, forward return, then the features; only bars of a test window.
  std::vector<features::FeatureMatrix> predictions;
  models::Scores prediction_quality;                       // of the out-of-sample rows with a label
  std::vector<models::FeatureImportance> gain;             // mean over folds of each fold model's gain
  std::vector<models::PermutationImportance> permutation;  // last fold's model on its test rows
  WalkForwardResult walk_forward;                          // with the trained model of every fold

  BacktestResult backtest;
  Performance performance;
  std::vector<DailyReturn> daily;
  std::vector<MonthlyReturn> monthly;
  std::vector<TickerPerformance> per_ticker;
  // The trades' P&L split among the features that drove them (docs/analytics.md, "P&L
  // attribution"): each trade's decision bar explained by the model of the fold whose test window
  // holds it. Absent when the model gives no feature contributions (the progress line says why).
  std::optional<PnlAttribution> attribution;
};

// Fills run.performance, daily, monthly and per_ticker from run.backtest (analytics.h); their
// input errors.
core::Status analyse_backtest(Experiment& run);

// One line per stage and per fold, for progress on stderr.
using ExperimentProgress = std::function<void(std::string_view)>;

// Input errors: unknown model, feature or target names (nearest names given), a model that cannot
// learn the target, no bars inside [first_day, last_day], data too short for walk-forward (saying
// how many bars it needs), a bad walk-forward or backtest configuration.
core::Result<Experiment> run_experiment(std::span<const core::BarSeries> bars, const ExperimentConfigs& configs,
                                        const ExperimentSpec& spec, const ExperimentProgress& progress = {});

}  // namespace itrade::evaluation
