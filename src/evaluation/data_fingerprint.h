#pragma once
// Which data a run saw, as one hash: runs with equal fingerprints ran on the same bars and count as
// trials of one search (the deflated Sharpe ratio, docs/experiments.md).

#include <span>
#include <string>

#include "core/bars.h"

namespace itrade::evaluation {

// XXH64 (16 hex digits) of every series' ticker, timestamps and OHLCV columns, in order.
std::string data_fingerprint(std::span<const core::BarSeries> bars);

}  // namespace itrade::evaluation
