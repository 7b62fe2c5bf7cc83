#pragma once
// DataSource: where bars come from (CSV files, the binary cache, IBKR, Azure Blob ...).
// Every source returns the unified bar schema of core/bars.h: ts = bar start in UTC,
// sorted, no duplicate ts per ticker, OHLC consistent.

#include <string>
#include <vector>

#include "core/bars.h"
#include "core/interval.h"
#include "core/result.h"
#include "core/time.h"

namespace itrade::data {

class DataSource {
 public:
  virtual ~DataSource() = default;

  // Bars of `tickers` with start <= ts < end, at `interval` (a source may resample finer
  // bars to a coarser interval; asking for a finer interval than it holds is an input
  // error). The frame's series follow the order of `tickers`. A ticker the source does not
  // have is an input error naming it; a ticker with no bars in the range gives an empty
  // series (callers report it). Errors carry the file and line that caused them.
  virtual core::Result<core::BarFrame> fetch(const std::vector<std::string>& tickers, core::Timestamp start,
                                             core::Timestamp end, core::Interval interval) = 0;

  // Whether the source can serve requests now (files readable, server reachable).
  virtual bool healthcheck() = 0;
};

}  // namespace itrade::data
