#pragma once
// Dataset: the matrix a model trains on or predicts from. Row-major float32 (XGBoost's input
// type, so no copy is made for it), NaN = missing, with named columns and optional labels.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "features/engine/feature_matrix.h"

namespace itrade::models {

struct Dataset {
  std::vector<std::string> feature_names;
  std::vector<float> features;  // rows() * cols(), row-major
  std::vector<float> labels;    // rows() values, or empty (prediction only)
  // The realised forward return of each row over the target's horizon, or empty. Meta-labeling
  // learns from it whether the primary model's trades made money.
  std::vector<float> outcomes;
  // Where each row came from, for reports and purging: ticker index into `tickers`, bar start.
  std::vector<std::string> tickers;
  std::vector<int> ticker_of_row;
  std::vector<core::Timestamp> ts;

  std::size_t cols() const { return feature_names.size(); }
  std::size_t rows() const { return cols() == 0 ? 0 : features.size() / cols(); }
};

// Rows of `matrices` with columns `features` (in that order) as float32, labelled by column
// `label` when it is not empty; rows whose label is NaN are dropped (no horizon: never trained
// on). `outcome`, when not empty, names the column copied into Dataset::outcomes (rows where it
// is NaN are dropped too). Input error naming the ticker and column when a column is missing.
core::Result<Dataset> make_dataset(std::span<const features::FeatureMatrix> matrices,
                                   const std::vector<std::string>& features, const std::string& label,
                                   const std::string& outcome = "");

// Appends row `row` of `from` (features, and label, outcome, ticker and time where `from` has
// them) to `to`, which must have the same columns.
void append_row(Dataset& to, const Dataset& from, std::size_t row);

// Rows [first, last) of `data`.
Dataset slice_rows(const Dataset& data, std::size_t first, std::size_t last);

}  // namespace itrade::models
