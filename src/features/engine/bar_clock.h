#pragma once
// TEMPORARY stub until the real ClockReader lands.
#include "core/time.h"
#include "features/operator.h"
namespace itrade::features {
class ClockReader {
 public:
  BarClock read(core::Timestamp) { return {}; }
};
}  // namespace itrade::features
