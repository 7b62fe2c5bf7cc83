#include "cli/console.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace itrade::cli {

int report_error(const core::Error& error) {
  fmt::print(stderr, "itrade: error: {}\n", error.message);
  return error.kind == core::ErrorKind::input ? kExitInputError : kExitRuntimeError;
}

data::ProgressFn progress_line(std::string_view label) {
  if (isatty(STDERR_FILENO) == 0) return {};
  return [label = std::string(label)](std::size_t done, std::size_t total, std::string_view what) {
    if (done >= total) {
      fmt::print(stderr, "\r\033[K");
    } else {
      fmt::print(stderr, "\r\033[K{} [{}/{}] {}", label, done + 1, total, what);
    }
    std::fflush(stderr);
  };
}

}  // namespace itrade::cli
