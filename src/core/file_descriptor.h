#pragma once
// A POSIX file descriptor owned by one object, for the writers that need more than iostreams
// (O_EXCL temporary files, close() errors): the bar cache and feature files.

#include <unistd.h>

#include <string>
#include <system_error>

namespace itrade::core {

// The text of an errno value ("No such file or directory").
inline std::string errno_text(int error) { return std::generic_category().message(error); }

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports the error close() may give (delayed write errors on NFS).
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

}  // namespace itrade::core
