#pragma once
// Records a finished experiment (docs/experiments.md, "Runs"): counts the trials on the same data,
// deflates the Sharpe ratio by them, writes runs/<id>/ atomically (it appears complete or not at
// all) and adds the run to the registry. The directory holds:
//   config.json      the resolved configuration (what to run again to reproduce it)
//   metrics.json     every figure of the summary, the folds, the prediction quality, the trials
//   trades.csv       every round trip, with the bar that decided its entry (decision_time)
//   equity.csv       equity, cash and gross exposure at every bar of the evaluated period
//   predictions.csv  the feedback log: out-of-sample signal, confidence, fold, label, forward return
//                    and the features of every predicted bar
//   importance.csv   gain (mean over folds) and permutation importance per feature
//   attribution.csv  per New York exit day, the P&L attributed to each feature and the unattributed
//                    P&L (only when the model gives feature contributions; metrics.json has the
//                    totals under "attribution")
//   folds/fold_<k>/  the model trained for fold k
//   report.html      the self-contained report (report.h)

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "evaluation/deflated_sharpe.h"
#include "evaluation/experiment.h"
#include "evaluation/run_store.h"

namespace itrade::evaluation {

struct RecordedRun {
  RunRecord record;
  std::filesystem::path dir;
  std::optional<DeflatedSharpe> deflated;  // absent with fewer than 2 evaluated days
};

// The code version compiled in (release + git describe at configure time).
const char* code_version();

// `config` is the resolved configuration (written as config.json and kept in the registry).
core::Result<RecordedRun> record_run(RunStore& store, const Experiment& run, const std::string& name,
                                     const std::string& model, const nlohmann::json& config);

}  // namespace itrade::evaluation
