#pragma once
// The binary bar cache: one columnar file per ticker that loads at memory speed
// instead of re-parsing CSV. The byte layout, the checksum choice and the
// measured speeds are in docs/cache-and-synth.md. A cache file is only ever
// trusted when it is complete, passes its checksum, has strictly increasing
// timestamps and was built from the same source as the caller's (the
// CacheStamp); anything else tells the caller to rebuild it.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/bars.h"
#include "core/result.h"

namespace itrade::data {

// Identifies what a cache file was built from. The caller computes the
// fingerprint from its source files and parse options (see fingerprint_files);
// a file whose stamp differs from the expected one is stale.
struct CacheStamp {
  std::uint64_t source_fingerprint = 0;
  friend bool operator==(const CacheStamp&, const CacheStamp&) = default;
};

enum class CacheStatus {
  fresh,    // complete, valid and built from the expected source: `bars` holds the
            // data
  missing,  // no file at the path
  stale,    // a valid file, but built from another source (stamp differs)
  corrupt,  // cannot be trusted: bad magic, wrong version or schema, truncated,
            // extra bytes, checksum mismatch, timestamps not strictly
            // increasing, or unreadable (I/O error)
};

// Name of a status for messages: "fresh", "missing", "stale", "corrupt".
std::string_view to_string(CacheStatus status);

struct CacheRead {
  CacheStatus status = CacheStatus::missing;
  std::string message;   // empty when fresh; otherwise names the path and what is wrong
  core::BarSeries bars;  // filled only when fresh
};

// Writes `bars` to `path` atomically: the bytes go to a temporary file in the
// same directory which is flushed and then renamed over `path`, so a reader
// sees the old file, the new file or no file, never a partial one. On failure
// the temporary file is removed. Errors: columns of different lengths or
// timestamps not strictly increasing (input kind, such a file would be rejected
// on read); the directory does not exist, is not writable, or any I/O failure
// (runtime kind). The directory is not created.
core::Status write_bar_cache(const std::filesystem::path& path, const core::BarSeries& bars, const CacheStamp& stamp);

// Memory-maps `path`, validates it and copies its columns into a BarSeries.
// Never fails with an error: every outcome is a CacheStatus and the caller
// rebuilds on anything but fresh. Cost: one pass for the checksum plus one
// copy, about 3 GB/s on a warm page cache.
CacheRead read_bar_cache(const std::filesystem::path& path, const CacheStamp& expected);

// A 64-bit fingerprint of source files: each path (as given, in order), its
// size and its last-write time, then `options` (the parse options that change
// the bars). A file that cannot be stat'ed contributes a fixed marker, so it
// changes the fingerprint too.
std::uint64_t fingerprint_files(const std::vector<std::filesystem::path>& files, std::string_view options);

// The checksum of the cache format (a 4-lane 64-bit multiply-rotate hash, see
// the docs). Exposed for the benchmark and the tests.
std::uint64_t bar_cache_checksum(const void* data, std::size_t size);

}  // namespace itrade::data
