#pragma once
// Model directories on disk: every model saves into a new directory that appears complete or
// not at all, and reads its files with errors that say what the directory should have been.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace itrade::models {

// Creates `dir` atomically: `write` fills a staging directory next to it (same file system),
// which is then renamed to `dir`. `dir` must not exist (input error: models are never
// overwritten). On any failure the staging directory is removed and the error returned.
core::Status write_model_dir(const std::filesystem::path& dir,
                             const std::function<core::Status(const std::filesystem::path& staging)>& write);

// Whole-file text I/O. A missing or unreadable file is an input error: "cannot read <path>; is
// this <expected>?" (expected e.g. "a directory written by a model save").
core::Status write_text_file(const std::filesystem::path& path, std::string_view text);
core::Result<std::string> read_text_file(const std::filesystem::path& path, std::string_view expected);

}  // namespace itrade::models
