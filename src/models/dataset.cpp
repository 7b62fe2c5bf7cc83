#include "models/dataset.h"

#include <cassert>
#include <cmath>

namespace itrade::models {

core::Result<Dataset> make_dataset(std::span<const features::FeatureMatrix> matrices,
                                   const std::vector<std::string>& features, const std::string& label,
                                   const std::string& outcome) {
  Dataset data;
  data.feature_names = features;
  for (const auto& matrix : matrices) {
    std::vector<int> columns;
    for (const auto& name : features) {
      const int column = matrix.column_index(name);
      if (column < 0) {
        return core::input_error(
            "{}: no column '{}' among the computed features; compute it (itrade features "
            "compute --features ...) or drop it from the model's features",
            matrix.ticker, name);
      }
      columns.push_back(column);
    }
    const int label_column = label.empty() ? -1 : matrix.column_index(label);
    if (!label.empty() && label_column < 0) {
      return core::input_error("{}: no target column '{}'; compute it with --targets {}", matrix.ticker, label, label);
    }
    const int outcome_column = outcome.empty() ? -1 : matrix.column_index(outcome);
    if (!outcome.empty() && outcome_column < 0) {
      return core::input_error("{}: no outcome column '{}'; compute it with --targets {}", matrix.ticker, outcome,
                               outcome);
    }
    const int ticker = static_cast<int>(data.tickers.size());
    data.tickers.push_back(matrix.ticker);
    for (std::size_t r = 0; r < matrix.rows(); ++r) {
      const double y = label_column >= 0 ? matrix.at(r, static_cast<std::size_t>(label_column)) : 0.0;
      const double o = outcome_column >= 0 ? matrix.at(r, static_cast<std::size_t>(outcome_column)) : 0.0;
      if (std::isnan(y) || std::isnan(o)) continue;
      if (label_column >= 0) data.labels.push_back(static_cast<float>(y));
      if (outcome_column >= 0) data.outcomes.push_back(static_cast<float>(o));
      for (const int c : columns)
        data.features.push_back(static_cast<float>(matrix.at(r, static_cast<std::size_t>(c))));
      data.ticker_of_row.push_back(ticker);
      data.ts.push_back(matrix.ts[r]);
    }
  }
  return data;
}

void append_row(Dataset& to, const Dataset& from, std::size_t row) {
  const std::size_t width = from.cols();
  to.features.insert(to.features.end(), from.features.begin() + static_cast<std::ptrdiff_t>(row * width),
                     from.features.begin() + static_cast<std::ptrdiff_t>((row + 1) * width));
  if (!from.labels.empty()) to.labels.push_back(from.labels[row]);
  if (!from.outcomes.empty()) to.outcomes.push_back(from.outcomes[row]);
  if (!from.ticker_of_row.empty()) to.ticker_of_row.push_back(from.ticker_of_row[row]);
  if (!from.ts.empty()) to.ts.push_back(from.ts[row]);
}

Dataset slice_rows(const Dataset& data, std::size_t first, std::size_t last) {
  assert(first <= last && last <= data.rows());
  Dataset out;
  out.feature_names = data.feature_names;
  out.tickers = data.tickers;
  // Every per-row column is optional but features: an absent one (empty) stays absent.
  const auto copy = [first, last](const auto& from, auto& to, std::size_t width) {
    if (from.empty()) return;
    to.assign(from.begin() + static_cast<std::ptrdiff_t>(first * width),
              from.begin() + static_cast<std::ptrdiff_t>(last * width));
  };
  copy(data.features, out.features, data.cols());
  copy(data.labels, out.labels, 1);
  copy(data.outcomes, out.outcomes, 1);
  copy(data.ticker_of_row, out.ticker_of_row, 1);
  copy(data.ts, out.ts, 1);
  return out;
}

}  // namespace itrade::models
