#include "evaluation/walk_forward.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace itrade::evaluation {
namespace {

// The fewest bars a training window may hold in the fallback plan: a week of 5-minute sessions.
constexpr std::size_t kMinFallbackTrainBars = 5 * 78;

// Splits the training window [first, last) into the fitted part and the early-stopping part, a
// purge apart. False when either would be empty.
bool split_training(Fold& fold, std::size_t first, std::size_t last, double validation_fraction, int purge) {
  const std::size_t span = last - first;
  const auto validation = static_cast<std::size_t>(std::ceil(validation_fraction * static_cast<double>(span)));
  const auto gap = static_cast<std::size_t>(purge);
  if (validation == 0 || validation + gap >= span) return false;
  fold.train_first = first;
  fold.train_last = last;
  fold.validation_first = last - validation;
  fold.fit_last = fold.validation_first - gap;
  return true;
}

std::string range_text(std::span<const core::Timestamp> timeline, std::size_t first, std::size_t last) {
  if (first >= last || last > timeline.size()) return "(empty)";
  return fmt::format("{} .. {}", core::format_utc(timeline[first]), core::format_utc(timeline[last - 1]));
}

// Position of each row's ts on the timeline; input error for a ts not on it.
core::Result<std::vector<std::size_t>> place_rows(const models::Dataset& data,
                                                  std::span<const core::Timestamp> timeline, const char* what) {
  std::vector<std::size_t> index(data.rows());
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const auto it = std::lower_bound(timeline.begin(), timeline.end(), data.ts[r]);
    if (it == timeline.end() || *it != data.ts[r]) {
      return core::input_error("walk-forward: {} row {} ({}) is not a bar of the timeline", what, r,
                               core::format_utc(data.ts[r]));
    }
    index[r] = static_cast<std::size_t>(it - timeline.begin());
  }
  return index;
}

// Keeps a uniform sample of `keep` of `rows` in their order (selection sampling, Knuth's
// Algorithm S). The draws come from mt19937_64, whose output the standard fixes, so a fold samples
// the same rows on every platform.
std::vector<std::size_t> sample_in_order(const std::vector<std::size_t>& rows, std::size_t keep, std::uint64_t seed) {
  if (keep >= rows.size()) return rows;
  std::mt19937_64 rng(seed);
  std::vector<std::size_t> kept;
  kept.reserve(keep);
  for (std::size_t i = 0; i < rows.size() && kept.size() < keep; ++i) {
    const double uniform = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    if (uniform * static_cast<double>(rows.size() - i) < static_cast<double>(keep - kept.size())) {
      kept.push_back(rows[i]);
    }
  }
  return kept;
}

}  // namespace

core::Status WalkForwardConfig::check() const {
  if (train_window < 1)
    return core::input_error("walk_forward.train_window is {}; give a positive bar count", train_window);
  if (test_window < 1)
    return core::input_error("walk_forward.test_window is {}; give a positive bar count", test_window);
  if (step < 1) return core::input_error("walk_forward.step is {}; give a positive bar count", step);
  if (purge_window < 0) return core::input_error("walk_forward.purge_window is {}; give 0 or more bars", purge_window);
  if (embargo < 0) return core::input_error("walk_forward.embargo is {}; give 0 or more bars", embargo);
  if (!(validation_fraction > 0.0 && validation_fraction < 0.5)) {
    return core::input_error("walk_forward.validation_fraction is {}; give a fraction in (0, 0.5)",
                             validation_fraction);
  }
  return {};
}

core::Result<FoldPlan> plan_walk_forward(std::size_t bars, const WalkForwardConfig& config, int horizon,
                                         bool allow_fallback) {
  if (auto ok = config.check(); !ok) return ok.error();
  FoldPlan plan;
  plan.purge = std::max(config.purge_window, std::max(horizon, 0));
  plan.max_train_rows = config.max_train_rows;
  const auto purge = static_cast<std::size_t>(plan.purge);
  const auto train = static_cast<std::size_t>(config.train_window);
  const auto test = static_cast<std::size_t>(config.test_window);
  const std::size_t full_fold = train + purge + test;

  std::size_t first_test = train + purge;
  std::size_t test_length = test;
  std::size_t step = static_cast<std::size_t>(config.step);
  bool expanding = config.expanding;
  if (bars < full_fold) {
    if (!allow_fallback) {
      return core::input_error(
          "walk-forward needs at least {} bars for one fold (train_window {} + purge {} + test_window {}); the data "
          "has "
          "{}; use more data or smaller windows",
          full_fold, train, purge, test, bars);
    }
    // Half the data to learn from at first; the other half predicted in test_window steps (a month
    // by default), at least two of them so that the model is retrained at least once.
    first_test = bars / 2;
    test_length = std::max<std::size_t>(1, std::min(test, (bars - first_test + 1) / 2));
    step = test_length;
    expanding = true;
    plan.fallback = true;
    if (first_test < kMinFallbackTrainBars + purge) {
      return core::input_error(
          "walk-forward needs at least {} bars (a fallback training window of {} bars plus the purge of {}, then as "
          "many "
          "to test); the data has {}; use more days",
          2 * (kMinFallbackTrainBars + purge), kMinFallbackTrainBars, purge, bars);
    }
  }

  for (std::size_t test_first = first_test; test_first < bars; test_first += step) {
    Fold fold;
    fold.index = static_cast<int>(plan.folds.size());
    fold.test_first = test_first;
    fold.test_last = std::min(bars, test_first + test_length);
    const std::size_t train_last = test_first - purge;
    const std::size_t train_first = expanding || train_last < train ? 0 : train_last - train;
    if (!split_training(fold, train_first, train_last, config.validation_fraction, plan.purge)) {
      return core::input_error(
          "walk-forward fold {}: a training window of {} bars leaves nothing to fit after setting aside {:.0f}% for "
          "early stopping and a purge of {} bars; use a longer train_window",
          fold.index + 1, train_last - train_first, 100.0 * config.validation_fraction, purge);
    }
    plan.folds.push_back(fold);
  }
  plan.description =
      plan.fallback
          ? fmt::format(
                "{} folds: the data ({} bars) is shorter than one blueprint fold ({} bars), so an expanding "
                "window from bar {} with test windows of {} bars; purge {} bars",
                plan.folds.size(), bars, full_fold, first_test, test_length, purge)
          : fmt::format("{} folds: {} training window of {} bars, test windows of {} bars every {} bars; purge {} bars",
                        plan.folds.size(), expanding ? "expanding" : "rolling", train, test_length, step, purge);
  return plan;
}

core::Result<WalkForwardResult> run_walk_forward(const FoldPlan& plan, std::span<const core::Timestamp> timeline,
                                                 const models::Dataset& labelled, const models::Dataset& predict,
                                                 const ModelMaker& make, const FoldProgress& progress) {
  if (labelled.feature_names != predict.feature_names) {
    return core::input_error("walk-forward: the training and prediction data sets have different columns");
  }
  auto labelled_at = place_rows(labelled, timeline, "labelled");
  if (!labelled_at) return labelled_at.error();
  auto predict_at = place_rows(predict, timeline, "prediction");
  if (!predict_at) return predict_at.error();

  WalkForwardResult result;
  models::SignalOutput none;
  none.signal = std::numeric_limits<double>::quiet_NaN();
  result.predictions.assign(predict.rows(), none);
  result.fold_of_row.assign(predict.rows(), -1);

  for (const Fold& fold : plan.folds) {
    std::vector<std::size_t> fit_rows;
    std::vector<std::size_t> validation_rows;
    for (std::size_t r = 0; r < labelled.rows(); ++r) {
      const std::size_t at = (*labelled_at)[r];
      if (at >= fold.train_first && at < fold.fit_last) {
        fit_rows.push_back(r);
      } else if (at >= fold.validation_first && at < fold.train_last) {
        validation_rows.push_back(r);
      }
    }
    const std::size_t available = fit_rows.size() + validation_rows.size();
    if (plan.max_train_rows > 0 && available > plan.max_train_rows) {
      // The same fraction of both parts, so early stopping keeps its share of the window.
      const double fraction = static_cast<double>(plan.max_train_rows) / static_cast<double>(available);
      const auto keep_validation =
          static_cast<std::size_t>(std::max(1.0, std::round(fraction * static_cast<double>(validation_rows.size()))));
      const std::size_t keep_fit = plan.max_train_rows - std::min(plan.max_train_rows, keep_validation);
      const auto seed = static_cast<std::uint64_t>(fold.index);
      fit_rows = sample_in_order(fit_rows, keep_fit, 2 * seed);
      validation_rows = sample_in_order(validation_rows, keep_validation, 2 * seed + 1);
    }
    models::Dataset fit;
    models::Dataset validation;
    models::Dataset test;
    for (models::Dataset* set : {&fit, &validation, &test}) {
      set->feature_names = labelled.feature_names;
      set->tickers = labelled.tickers;
    }
    for (std::size_t r : fit_rows) models::append_row(fit, labelled, r);
    for (std::size_t r : validation_rows) models::append_row(validation, labelled, r);
    std::vector<std::size_t> test_rows;
    for (std::size_t r = 0; r < predict.rows(); ++r) {
      const std::size_t at = (*predict_at)[r];
      if (at >= fold.test_first && at < fold.test_last) {
        models::append_row(test, predict, r);
        test_rows.push_back(r);
      }
    }
    if (fit.rows() == 0 || validation.rows() == 0) {
      return core::input_error("walk-forward fold {} has {} rows to fit ({}) and {} to validate ({}); use more data",
                               fold.index + 1, fit.rows(), range_text(timeline, fold.train_first, fold.fit_last),
                               validation.rows(), range_text(timeline, fold.validation_first, fold.train_last));
    }
    FoldOutcome outcome;
    outcome.fold = fold;
    outcome.fit_rows = fit.rows();
    outcome.validation_rows = validation.rows();
    outcome.available_rows = available;
    outcome.test_rows = test.rows();
    outcome.model = make();
    auto trained = outcome.model->train(fit, validation);
    if (!trained) {
      return core::Error{trained.error().kind,
                         fmt::format("walk-forward fold {}: {}", fold.index + 1, trained.error().message)};
    }
    outcome.training = std::move(trained).value();
    if (test.rows() > 0) {
      auto predicted = outcome.model->predict(test);
      if (!predicted) return predicted.error();
      for (std::size_t i = 0; i < test_rows.size(); ++i) {
        result.predictions[test_rows[i]] = (*predicted)[i];
        result.fold_of_row[test_rows[i]] = fold.index;
      }
    }
    if (progress) progress(outcome, plan.folds.size());
    result.folds.push_back(std::move(outcome));
  }
  return result;
}

}  // namespace itrade::evaluation
