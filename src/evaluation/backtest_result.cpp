#include "evaluation/backtest_result.h"

namespace itrade::evaluation {

const char* exit_reason_name(ExitReason reason) {
  switch (reason) {
    case ExitReason::signal:
      return "signal";
    case ExitReason::reversal:
      return "reversal";
    case ExitReason::flatten:
      return "flatten";
    case ExitReason::max_holding:
      return "max_holding";
    case ExitReason::end_of_data:
      return "end_of_data";
  }
  return "?";
}

}  // namespace itrade::evaluation
