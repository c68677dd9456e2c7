#pragma once
#include <string>

#include "ember/error.h"
#include "ember/export.h"

namespace ember {

enum class DeviceType : int8_t { CPU = 0, CUDA = 1 };

/// Where a tensor's memory lives.
struct Device {
  DeviceType type = DeviceType::CPU;
  int index = 0;
  bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  bool is_cpu() const { return type == DeviceType::CPU; }
  /// "cpu" or "cuda:0".
  EMBER_API std::string str() const;
  /// Parses "cpu", "cpu:0", "cuda" (index -1: the current one), "cuda:1". A CUDA device can be
  /// named in any build (as torch.device); using it is what check_device_available refuses.
  EMBER_API static Device parse(const std::string& s);
};

/// True when this build carries the CUDA backend.
EMBER_API bool cuda_is_built();

/// What every "no CUDA" error says (after the op's name).
inline constexpr const char* kNoCudaMessage =
    "this build of ember has no CUDA backend (the CUDA backend is future work); tensors live on the CPU "
    "(device='cpu')";
/// Raises DeviceUnavailableError (AssertionError in Python, as torch's "Torch not compiled with
/// CUDA enabled") when d is a device this build cannot use; op starts the message.
EMBER_API void check_device_available(Device d, const char* op);

}  // namespace ember
