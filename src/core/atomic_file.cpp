#include "core/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

#include "core/file_descriptor.h"

namespace itrade::core {

namespace fs = std::filesystem;

Status write_file_atomically(const fs::path& path, std::string_view text, std::string_view what) {
  // Unique per process and call, in the same directory so that rename() is atomic.
  static std::atomic<std::uint64_t> counter{0};
  fs::path temporary = path;
  temporary += fmt::format(".tmp.{}.{}", ::getpid(), counter.fetch_add(1));
  core::FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    const int error = errno;
    return core::runtime_error(
        "cannot write the {} {}: cannot create {}: {} (does the directory exist and is it "
        "writable?)",
        what, path.string(), temporary.string(), core::errno_text(error));
  }
  auto fail = [&](std::string_view step, int error) -> core::Status {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return core::runtime_error("cannot write the {} {}: {} failed: {}", what, path.string(), step,
                               core::errno_text(error));
  };
  std::size_t written = 0;
  while (written < text.size()) {
    const ::ssize_t n = ::write(fd.get(), text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write", errno);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("fsync", errno);
  if (fd.close() != 0) return fail("close", errno);
  if (::rename(temporary.c_str(), path.c_str()) != 0) return fail("rename", errno);
  return {};
}

}  // namespace itrade::core
