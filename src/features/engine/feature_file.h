#pragma once
// Feature files: FeatureMatrix values of several tickers (same columns) written to disk, as CSV
// for people and spreadsheets or as the binary "itrade feature matrix" (.ifm) that model
// training reads back bit for bit. The format follows the path's extension.
//
// CSV (.csv), write only. UTF-8, "\n" line ends, one header line `ticker,ts,<columns...>`, then
// one line per bar, tickers in the given order, rows in matrix order. `ts` is the bar start
// in UTC as core::format_utc prints it: `2025-01-02T14:30:00Z`, or with all nine fraction
// digits when the time has a sub-second part (`2025-01-02T14:30:00.250000000Z`). Values are
// printed with fmt "{}" (shortest text that reads back to the same double: `0.1`, `-0`,
// `5e-324`); NaN is an empty field; infinities are `inf` and `-inf`. Tickers and column names
// containing `,`, `"`, CR or LF are quoted as in RFC 4180 (`"` doubled).
//
// Binary (.ifm), format version 1. All integers and doubles little-endian (a static_assert
// refuses big-endian builds):
//
//   offset      bytes        field
//   0           8            magic "ITRFMAT1" (ASCII)
//   8           8            u64 L: length of the JSON header in bytes
//   16          L            JSON header, UTF-8:
//                              {"format":"itrade-feature-matrix","version":1,
//                               "columns":["sma_20",...],
//                               "tickers":[{"ticker":"AAPL","rows":N},...]}
//                            this writer pads it with trailing spaces (still valid JSON) so
//                            that the data starts at a multiple of 8; readers must accept any L
//   16+L        per ticker, in header order, C = number of columns, N = its rows:
//                 8N         int64 ts[N]: bar start, ns since the Unix epoch, UTC
//                 8NC        double values[N*C], row-major; NaN = undefined
//   S-8         8            u64 XXH64 (seed 0) of bytes [0, S-8)
//
// The file size S is exactly 16 + L + sum over tickers of 8N(1+C) + 8. Keys of the header
// other than the four above are ignored; the reader requires exactly these types: "format"
// the string above, "version" the integer 1, "columns" an array of strings, "tickers" an
// array of objects with a string "ticker" and a non-negative integer "rows".

#include <filesystem>
#include <span>
#include <vector>

#include "core/result.h"
#include "features/engine/feature_matrix.h"

namespace itrade::features {

// Writes `matrices` to `path`; `.csv` writes CSV, `.ifm` the binary format (extension compared
// exactly, lower case). Every matrix must have the same `columns` and `values.size() ==
// rows() * cols()`; zero matrices and matrices with zero rows are allowed.
// Atomic: the file is written to `<path>.tmp.<pid>.<n>` in the same directory and renamed over
// `path` at the end, so readers see the old file or the new one, never a partial one; on any
// failure the temporary file is removed and `path` is untouched. No fsync: after a machine
// crash the file may be lost or fail its checksum, which the reader reports.
// Errors: another extension, differing columns, inconsistent matrix sizes, names that are not
// valid UTF-8 (.ifm) are input errors (nothing is created); a missing or unwritable
// directory and any I/O failure are runtime errors naming the path. The directory is not
// created.
core::Status write_feature_file(const std::filesystem::path& path, std::span<const FeatureMatrix> matrices);

// Reads a `.ifm` file written by write_feature_file: the matrices in file order, each with the
// file's columns. Checks the magic, the header JSON and its fields, that the file size is
// exactly what the header implies and the checksum; any problem is an input error naming the
// file and the problem and saying to recompute it with `itrade features compute`, as is a
// missing file or a `.csv` path (CSV is not read back). Failing to open or read an existing
// file for other reasons (permissions, I/O error) is a runtime error.
core::Result<std::vector<FeatureMatrix>> read_feature_file(const std::filesystem::path& path);

}  // namespace itrade::features
