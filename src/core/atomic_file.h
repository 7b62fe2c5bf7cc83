#pragma once
// Writing a whole text file so that a reader never sees part of it: reports, the importance page,
// the risk manager's and the live engine's state (a crash mid-write leaves the previous state).

#include <filesystem>
#include <string_view>

#include "core/result.h"

namespace itrade::core {

// `text` written to `path` atomically: into a temporary file in the same directory
// (<path>.tmp.<pid>.<n>), flushed to disk, then renamed over `path`; a reader sees the old file or
// the complete new one. The temporary file is removed on failure.
// Runtime errors for a directory that does not exist or cannot be written, naming `what` (e.g.
// "importance page"), the path and the system's reason.
Status write_file_atomically(const std::filesystem::path& path, std::string_view text, std::string_view what);

}  // namespace itrade::core
