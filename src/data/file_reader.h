#pragma once
// Reads a whole data file into memory, inflating gzip transparently, so that parsers work on
// one contiguous buffer (see csv_parser.h).

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"

namespace itrade::data {

// The whole content of `path`. The content is inflated when the name ends in ".gz" or the
// bytes start with the gzip magic (1f 8b); multi-member gzip (concatenated .gz files) is
// read to the end. An empty file gives an empty string (the parser reports "no rows").
// Errors name the path and say what to do: missing file, directory, unreadable file
// (input kind); I/O failure while reading (runtime kind); truncated or corrupt gzip, or a
// ".gz" name whose content is not gzip (input kind).
core::Result<std::string> read_file(const std::filesystem::path& path);

// Inflates gzip bytes (one or more members). `name` is used in error messages only.
// Trailing zero bytes after the last member are ignored; other trailing bytes are an error.
core::Result<std::string> gunzip(std::string_view compressed, std::string_view name);

}  // namespace itrade::data
