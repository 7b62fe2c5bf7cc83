#include "models/split.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/nyse_calendar.h"

namespace itrade::models {

core::Result<SplitSets> chronological_split(const Dataset& data, double train, double validation, double test,
                                            int horizon) {
  if (!(train > 0.0 && validation > 0.0 && test > 0.0) || std::abs(train + validation + test - 1.0) > 1e-9) {
    return core::input_error("split fractions {}, {}, {} must be positive and sum to 1 (e.g. 0.6,0.2,0.2)", train,
                             validation, test);
  }
  const auto& calendar = core::NyseCalendar::instance();
  std::vector<core::DayNumber> day_of_row(data.rows());
  for (std::size_t r = 0; r < data.rows(); ++r) day_of_row[r] = calendar.new_york_day(data.ts[r]);
  std::vector<core::DayNumber> days = day_of_row;
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  if (days.size() < 3) {
    return core::input_error("the data spans {} day(s); a train/validation/test split needs at least 3", days.size());
  }
  const auto cut = [&](double fraction) {
    const auto index = static_cast<std::size_t>(std::floor(fraction * static_cast<double>(days.size())));
    return days[std::clamp<std::size_t>(index, 1, days.size() - 1)];
  };
  SplitSets sets;
  sets.validation_first_day = cut(train);
  sets.test_first_day = std::max(cut(train + validation), sets.validation_first_day + 1);
  if (sets.test_first_day > days.back()) {
    return core::input_error("too few days ({}) for these split fractions; use more data", days.size());
  }
  for (Dataset* set : {&sets.train, &sets.validation, &sets.test}) {
    set->feature_names = data.feature_names;
    set->tickers = data.tickers;
  }
  // Rows are grouped by ticker and in time order within a ticker: walk each ticker's block and
  // drop its last `horizon` rows before each boundary.
  std::size_t begin = 0;
  while (begin < data.rows()) {
    std::size_t end = begin;
    while (end < data.rows() && data.ticker_of_row[end] == data.ticker_of_row[begin]) ++end;
    std::size_t validation_start = begin;
    while (validation_start < end && day_of_row[validation_start] < sets.validation_first_day) ++validation_start;
    std::size_t test_start = validation_start;
    while (test_start < end && day_of_row[test_start] < sets.test_first_day) ++test_start;
    const auto h = static_cast<std::size_t>(std::max(horizon, 0));
    const std::size_t train_keep = validation_start - std::min(h, validation_start - begin);
    const std::size_t validation_keep = test_start - std::min(h, test_start - validation_start);
    for (std::size_t r = begin; r < train_keep; ++r) append_row(sets.train, data, r);
    for (std::size_t r = validation_start; r < validation_keep; ++r) append_row(sets.validation, data, r);
    for (std::size_t r = test_start; r < end; ++r) append_row(sets.test, data, r);
    sets.purged += (validation_start - train_keep) + (test_start - validation_keep);
    begin = end;
  }
  if (sets.train.rows() == 0 || sets.validation.rows() == 0 || sets.test.rows() == 0) {
    return core::input_error("a split set is empty (train {}, validation {}, test {} rows); use more data",
                             sets.train.rows(), sets.validation.rows(), sets.test.rows());
  }
  return sets;
}

}  // namespace itrade::models
