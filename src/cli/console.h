#pragma once
// What every subcommand shares for talking to the user: error reporting with the exit code
// of the error's kind, and progress lines on stderr when stderr is a terminal.

#include <cstddef>
#include <string_view>

#include "core/result.h"
#include "data/csv_source.h"

namespace itrade::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitInputError = 2;
inline constexpr int kExitRefused = 3;  // itrade promote: the gate said no (not an error)

// Prints "itrade: error: <message>" on stderr and returns the exit code for its kind.
int report_error(const core::Error& error);

// A progress callback that redraws one line on stderr, or does nothing when stderr is not a
// terminal (logs and CI stay clean). `label` prefixes the line.
data::ProgressFn progress_line(std::string_view label);

}  // namespace itrade::cli
