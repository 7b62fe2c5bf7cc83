#pragma once
// Result<T>: the value of an operation that can fail for reasons outside the program's
// control (bad input, missing files, dead servers). Programming errors are not Results;
// they are assertions. The CLI maps ErrorKind to the exit code: input -> 2, runtime -> 1.

#include <fmt/format.h>

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace itrade::core {

enum class ErrorKind {
  input,    // the user's file, flag or config is wrong; fixing the input fixes it (exit 2)
  runtime,  // the environment failed: I/O error, server down, out of resources (exit 1)
};

struct Error {
  ErrorKind kind = ErrorKind::runtime;
  std::string message;  // says what, where (file:line or key path) and what to do
};

template <typename... Args>
Error input_error(fmt::format_string<Args...> format, Args&&... args) {
  return Error{ErrorKind::input, fmt::format(format, std::forward<Args>(args)...)};
}

template <typename... Args>
Error runtime_error(fmt::format_string<Args...> format, Args&&... args) {
  return Error{ErrorKind::runtime, fmt::format(format, std::forward<Args>(args)...)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Error> state_;
};

// Status: a Result without a value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace itrade::core
