#pragma once
// FeatureMatrix: computed feature (and target) values for one ticker, one row per bar, row-major
// (the layout model training reads), with the bar start times alongside.

#include <cstddef>
#include <string>
#include <vector>

#include "core/time.h"

namespace itrade::features {

struct FeatureMatrix {
  std::string ticker;
  std::vector<std::string> columns;  // feature names, then target names
  std::vector<core::Timestamp> ts;   // bar start, UTC ns, one per row
  std::vector<double> values;        // rows() * columns.size(), row-major; NaN = undefined

  std::size_t rows() const { return ts.size(); }
  std::size_t cols() const { return columns.size(); }
  double at(std::size_t row, std::size_t col) const { return values[row * columns.size() + col]; }
  double& at(std::size_t row, std::size_t col) { return values[row * columns.size() + col]; }
  // Index of a column by name, or -1.
  int column_index(const std::string& name) const;
  // Keeps rows [first, last) only.
  void keep_rows(std::size_t first, std::size_t last);
  // Keeps the rows whose bar starts on a New York day in [first, last].
  void keep_days(core::DayNumber first, core::DayNumber last);
};

}  // namespace itrade::features
