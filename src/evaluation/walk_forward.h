#pragma once
// Purged walk-forward validation (docs/walk_forward.md): the model is retrained for every fold on
// the bars before the fold's test window and predicts only that window; the test windows tile the
// evaluated period, so the concatenated out-of-sample predictions are what the backtester sees.
//
// Windows count bars of the merged timeline (every distinct bar start of any ticker), so every
// ticker is cut at the same instants. A label at bar t reads bars t+1 .. t+horizon; a training
// row's label must not read a test bar, so between a training window and its test window lie
// `purge` bars that no one trains on, purge >= horizon:
//
//     | train_first ........ fit_last | purge | validation_first .. train_last | purge | test |
//       rows the model fits on                  early-stopping rows
//
// The model's early stopping needs data it did not fit: the last validation_fraction of each
// training window, itself separated from the fitted rows by the purge. Nothing of the test window
// is used to choose anything.

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "models/dataset.h"
#include "models/signal_model.h"

namespace itrade::evaluation {

// Bar counts; the defaults are the blueprint's: one year of 5-minute bars to train on, a month of
// test, a month's step.
struct WalkForwardConfig {
  int train_window = 252 * 78;
  int test_window = 20 * 78;
  int purge_window = 12;             // raised to the target's horizon when shorter
  int embargo = 0;                   // walk-forward trains only on the past; used by purged k-fold
  int step = 20 * 78;                // test windows start this many bars apart; step = test_window tiles them
  bool expanding = false;            // true: every fold trains from the first bar
  double validation_fraction = 0.2;  // of each training window, for early stopping
  // The most rows a fold trains on (fit and early-stopping rows together); a fold whose window
  // holds more trains on a uniform sample of them, the same fraction of each part (see
  // docs/walk_forward.md, "Training-row cap"). 0: every row.
  static constexpr std::size_t kDefaultMaxTrainRows = 250'000;
  std::size_t max_train_rows = kDefaultMaxTrainRows;

  // Input error naming the field for a value out of range.
  core::Status check() const;
};

struct Fold {
  int index = 0;
  // Timeline indexes, half-open ranges.
  std::size_t train_first = 0;
  std::size_t fit_last = 0;          // the model fits on [train_first, fit_last)
  std::size_t validation_first = 0;  // and early-stops on [validation_first, train_last)
  std::size_t train_last = 0;
  std::size_t test_first = 0;  // predicts [test_first, test_last)
  std::size_t test_last = 0;
};

struct FoldPlan {
  std::vector<Fold> folds;
  int purge = 0;  // bars, >= the horizon
  // True when the data was shorter than train_window + purge + test_window and the plan fell back
  // to an expanding window from the middle of the data (see plan_walk_forward).
  bool fallback = false;
  std::size_t max_train_rows = 0;  // WalkForwardConfig::max_train_rows; 0: every row
  std::string description;         // one line for the terminal: windows, purge, mode
};

// The folds over a timeline of `bars` bars for a target of `horizon` bars. Test windows start at
// train_window + purge (or, when expanding, at the same bar) and follow every `step` bars; the last
// one may be shorter, ending at the data's end.
// When the data is too short for one full fold and `allow_fallback`, the plan instead starts the
// test windows at half the data with an expanding training window and test windows of
// test_window bars (at most half of the remaining data, so that there are at least two folds): the
// data still gets an out-of-sample answer and the description says so. Input error when even that leaves no room
// (saying how many bars are needed), or when !allow_fallback and one full fold does not fit.
core::Result<FoldPlan> plan_walk_forward(std::size_t bars, const WalkForwardConfig& config, int horizon,
                                         bool allow_fallback);

// A fresh, untrained model for each fold.
using ModelMaker = std::function<std::unique_ptr<models::SignalModel>()>;

struct FoldOutcome {
  Fold fold;
  models::TrainResult training;
  std::size_t fit_rows = 0;         // trained on
  std::size_t validation_rows = 0;  // early-stopped on
  std::size_t available_rows = 0;   // labelled rows in the fit and validation ranges, before the cap
  std::size_t test_rows = 0;
  std::unique_ptr<models::SignalModel> model;  // trained on this fold
};

struct WalkForwardResult {
  // One per row of the `predict` data set; rows outside every test window keep a NaN signal and
  // fold -1: they have no out-of-sample prediction.
  std::vector<models::SignalOutput> predictions;
  std::vector<int> fold_of_row;
  std::vector<FoldOutcome> folds;
};

// Called after each fold is trained and has predicted (for progress on stderr).
using FoldProgress = std::function<void(const FoldOutcome&, std::size_t fold_count)>;

// Trains a model from `make` per fold on the rows of `labelled` inside the fold's fit and
// validation ranges, and predicts the rows of `predict` inside its test range. Rows are placed on
// `timeline` (ascending, every bar start of the data) by their ts; both data sets must have the
// same columns. Input error when a fold has no rows to fit or validate on (naming the fold and its
// dates), or a row's ts is not on the timeline.
core::Result<WalkForwardResult> run_walk_forward(const FoldPlan& plan, std::span<const core::Timestamp> timeline,
                                                 const models::Dataset& labelled, const models::Dataset& predict,
                                                 const ModelMaker& make, const FoldProgress& progress = {});

}  // namespace itrade::evaluation
