#pragma once
// Signals from a file (docs/experiments.md, "Backtesting given signals"): what `itrade backtest
// --signals FILE` trades when there is no model. A CSV with a header line naming at least the
// columns `ticker`, `ts` and `signal`, optionally `confidence`, in any order; other columns are
// ignored, so a run's own predictions.csv (ticker,ts,signal,confidence,fold,...) reads back as it
// is. `ts` is the start of the bar whose close the signal was computed at, as core::parse_utc reads
// it ("2024-08-12T13:30:00Z"); the signal then trades like a model's (next_open: at the next bar's
// open). `signal` in [-1, 1], `confidence` in [0, 1] (1 when the column is absent); an empty
// signal field means no prediction for that bar.

#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/bars.h"
#include "core/result.h"
#include "core/time.h"
#include "evaluation/backtester.h"

namespace itrade::evaluation {

struct SignalRow {
  core::Timestamp ts = 0;
  double signal = 0.0;
  double confidence = 1.0;
  int line = 0;  // 1-based line in the file, for messages
};

struct SignalFile {
  std::filesystem::path path;
  std::map<std::string, std::vector<SignalRow>> rows;  // by ticker, ascending ts
  std::vector<std::string> tickers;                    // in the order of their first row
};

// Input errors name the file and line: an unreadable or empty file, a header without ticker, ts or
// signal, a row with the wrong number of fields, a time that does not parse, a signal outside
// [-1, 1] or a confidence outside [0, 1] (as numbers that do not parse), a ticker whose times are
// not strictly increasing, a file with no signal rows.
core::Result<SignalFile> read_signal_file(const std::filesystem::path& path);

// The signals aligned with `bars` (one TickerSignals per series, same length as its bars; NaN where
// the file has no row for a bar). Input errors: a ticker of the file not among `bars`, a row whose
// time is not the start of one of its ticker's bars (naming file, line and time: no signal is ever
// moved to a neighbouring bar).
core::Result<std::vector<TickerSignals>> align_signals(const SignalFile& file, std::span<const core::BarSeries> bars);

}  // namespace itrade::evaluation
