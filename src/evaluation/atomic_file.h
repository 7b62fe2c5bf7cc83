#pragma once
// Writing a whole text file so that a reader never sees part of it: the importance page and its
// CSV (and any other output a user may open while it is being rewritten).

#include <filesystem>
#include <string_view>

#include "core/result.h"

namespace itrade::evaluation {

// `text` written to `path` atomically: into a temporary file in the same directory
// (<path>.tmp.<pid>.<n>), flushed to disk, then renamed over `path`; a reader sees the old file or
// the complete new one. The temporary file is removed on failure.
// Runtime errors for a directory that does not exist or cannot be written, naming `what` (e.g.
// "importance page"), the path and the system's reason.
core::Status write_file_atomically(const std::filesystem::path& path, std::string_view text, std::string_view what);

}  // namespace itrade::evaluation
