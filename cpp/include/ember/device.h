#pragma once
#include <string>

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
  /// Parses "cpu", "cuda", "cuda:1"; raises when CUDA is asked for and not built.
  EMBER_API static Device parse(const std::string& s);
};

/// True when this build carries the CUDA backend.
EMBER_API bool cuda_is_built();

}  // namespace ember
