#pragma once
// Universes: named ticker lists in <dir>/<NAME>.csv (data/universes/ in the project), and the
// resolution of a user's ticker spec ("DOW_30", "dow_30", "AAPL, msft") into tickers.
//
// File format (docs/configuration.md):
//     # as_of: 2024-12-31
//     # source: where the list came from
//     ticker,sector              (or: ticker | ticker,name,sector | ticker,sector)
//     AAPL,Information Technology
// Lines starting with '#' are comments; the as_of and source comments are required.
// Whether a ticker has data is checked later by the data source, not here.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace itrade::data {

struct Universe {
  std::string name;                  // upper case, the file stem: "DOW_30"
  std::string as_of;                 // YYYY-MM-DD: the date the constituents are valid for
  std::string source;                // free text from the "# source:" line
  std::vector<std::string> tickers;  // file order, upper case, unique
  std::vector<std::string> names;    // parallel to tickers; empty strings without a name column
  std::vector<std::string> sectors;  // parallel to tickers (GICS sector); empty without a sector column
};

// True for US-style tickers: 1-5 letters, optionally "." and a 1-3 letter class (BRK.B).
bool is_valid_ticker(std::string_view ticker);

// Universe names found in `dir` (file stems of *.csv, upper case), sorted.
// Error (input) when `dir` is not a readable directory.
core::Result<std::vector<std::string>> list_universes(const std::filesystem::path& dir);

// Loads <dir>/<name>.csv; `name` is matched case-insensitively. Errors (input, "file:line:"
// where it applies): unknown name (lists the nearest known names), missing as_of/source
// comment, bad header, ill-formed or duplicate ticker, wrong column count.
core::Result<Universe> load_universe(std::string_view name, const std::filesystem::path& dir);

// A spec is either one universe name (case-insensitive) or a comma-separated ticker list.
// Tickers are trimmed, upper-cased and de-duplicated keeping first occurrences. A single
// valid-looking ticker that is not a universe ("AAPL") is a one-ticker list. Errors (input):
// empty spec, empty item ("AAPL,,MSFT"), ill-formed ticker, or a name that is neither a
// universe nor a ticker ("DOW30": did you mean DOW_30?).
core::Result<std::vector<std::string>> resolve_tickers(std::string_view spec,
                                                       const std::filesystem::path& universes_dir);

}  // namespace itrade::data
