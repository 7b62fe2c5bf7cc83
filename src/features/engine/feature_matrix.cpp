#include "features/engine/feature_matrix.h"

#include <algorithm>
#include <cassert>

#include "core/nyse_calendar.h"

namespace itrade::features {

int FeatureMatrix::column_index(const std::string& name) const {
  const auto it = std::find(columns.begin(), columns.end(), name);
  return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
}

void FeatureMatrix::keep_rows(std::size_t first, std::size_t last) {
  assert(first <= last && last <= rows());
  const std::size_t width = cols();
  ts.erase(ts.begin() + static_cast<std::ptrdiff_t>(last), ts.end());
  ts.erase(ts.begin(), ts.begin() + static_cast<std::ptrdiff_t>(first));
  values.erase(values.begin() + static_cast<std::ptrdiff_t>(last * width), values.end());
  values.erase(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(first * width));
}

void FeatureMatrix::keep_days(core::DayNumber first, core::DayNumber last) {
  const auto& calendar = core::NyseCalendar::instance();
  std::size_t begin = 0;
  while (begin < rows() && calendar.new_york_day(ts[begin]) < first) ++begin;
  std::size_t end = begin;
  while (end < rows() && calendar.new_york_day(ts[end]) <= last) ++end;
  keep_rows(begin, end);
}

}  // namespace itrade::features
