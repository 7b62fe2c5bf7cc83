#pragma once
// Plain-text tables for `itrade data validate` and `itrade data inspect`.

#include <vector>

#include "cli/data_sources.h"
#include "data/csv_source.h"

namespace itrade::cli {

// One row per ticker with every count of the DataQualityReport, then the findings in words
// with file:line examples. Times are New York wall clock.
void print_quality_reports(const OpenedSource& source, const std::vector<data::LoadedTicker>& loaded);

// One row per ticker: bars, first and last bar, sessions, price range, mean volume.
void print_summary(const OpenedSource& source, const std::vector<data::LoadedTicker>& loaded);

}  // namespace itrade::cli
