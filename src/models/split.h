#pragma once
// Chronological train / validation / test split with purging (docs/models.md, "Splits").
//
// The New York days present in the data are cut by the given fractions, so each set is a block of
// whole days and every ticker is split at the same instants. A label at bar t reads the next
// `horizon` bars, so the last `horizon` labelled rows of each ticker before a boundary are
// dropped (purged): no training label can read a bar of the validation or test period. (The
// shipped targets stop at the session close, so with whole-day sets this is a safety margin;
// targets with cross_session: true need it.)

#include <cstddef>

#include "core/result.h"
#include "core/time.h"
#include "models/dataset.h"

namespace itrade::models {

struct SplitSets {
  Dataset train;
  Dataset validation;
  Dataset test;
  core::DayNumber validation_first_day = 0;
  core::DayNumber test_first_day = 0;
  std::size_t purged = 0;  // rows dropped at the two boundaries
};

// Fractions must be positive and sum to 1 (within 1e-9); the data must span at least 3 days.
core::Result<SplitSets> chronological_split(const Dataset& data, double train, double validation, double test,
                                            int horizon);

}  // namespace itrade::models
