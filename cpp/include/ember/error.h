#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

#include "ember/export.h"

namespace ember {

/// Base of every error ember raises; python/src/module.cpp maps each kind to a Python exception.
class EMBER_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
/// Raised as ValueError: a value or shape the op cannot take.
class EMBER_API ValueError : public Error { using Error::Error; };
/// A ValueError that a factorization raises for a singular or not positive-definite input:
/// ember.linalg.LinAlgError in Python (a ValueError and a RuntimeError, as torch's is).
class EMBER_API LinAlgError : public ValueError { using ValueError::ValueError; };
/// Raised as TypeError: a dtype or argument kind the op does not support.
class EMBER_API TypeError : public Error { using Error::Error; };
/// Raised as IndexError: an index or dimension out of range.
class EMBER_API IndexError : public Error { using Error::Error; };
/// Raised as KeyError: a name that cannot be registered or looked up (module slots).
class EMBER_API KeyError : public Error { using Error::Error; };
/// Raised as AttributeError: a module attribute that is not there (a deleted parameter).
class EMBER_API AttributeError : public Error { using Error::Error; };
/// Raised as NotImplementedError: a method a subclass must provide (Module.forward).
class EMBER_API NotImplementedError : public Error { using Error::Error; };
/// Raised as OSError with errno and the path (Python picks FileNotFoundError, IsADirectoryError, ...).
class EMBER_API OSError : public Error {
 public:
  OSError(int error_number, std::string path, const std::string& what)
      : Error(what), error_number(error_number), path(std::move(path)) {}
  int error_number;
  std::string path;
};
/// Raised as RuntimeError: everything else (allocation failure, not implemented, ...).
class EMBER_API RuntimeError : public Error { using Error::Error; };
/// A device this build has no backend for (CUDA): AssertionError in Python, as torch's.
class EMBER_API DeviceUnavailableError : public Error { using Error::Error; };

namespace detail {
template <class... Args>
std::string cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace ember

/// Throws ErrorType with the concatenated message when cond is false. Messages start with the op.
#define EMBER_CHECK_T(ErrorType, cond, ...)                        \
  do {                                                             \
    if (__builtin_expect(!(cond), 0)) {                            \
      throw ::ember::ErrorType(::ember::detail::cat(__VA_ARGS__)); \
    }                                                              \
  } while (0)
#define EMBER_CHECK(cond, ...) EMBER_CHECK_T(ValueError, cond, __VA_ARGS__)
#define EMBER_CHECK_TYPE(cond, ...) EMBER_CHECK_T(TypeError, cond, __VA_ARGS__)
#define EMBER_CHECK_INDEX(cond, ...) EMBER_CHECK_T(IndexError, cond, __VA_ARGS__)
#define EMBER_CHECK_KEY(cond, ...) EMBER_CHECK_T(KeyError, cond, __VA_ARGS__)
#define EMBER_CHECK_RUNTIME(cond, ...) EMBER_CHECK_T(RuntimeError, cond, __VA_ARGS__)
