#pragma once
// State dicts on disk in the safetensors format: an 8-byte little-endian header length, a JSON
// header (each tensor's dtype, shape and byte range, plus string metadata), then the raw bytes.
// Files are written atomically; loading never runs code and rejects malformed files. ember adds
// a CRC-32C of every tensor (its dtype, shape and bytes) and of the other metadata to the
// metadata ("ember.crc32c.<name>": 8 hex digits) and checks them on load when a file has them.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

/// Writes tensors (and string metadata) to path: an unnamed temporary file in the same folder
/// (a named one where the system has none), flushed to disk, then linked or renamed over path,
/// so an interrupted save leaves path as it was and nothing else behind.
EMBER_API void save_safetensors(const NamedTensors& tensors, const std::string& path,
                                const std::map<std::string, std::string>& metadata = {});

struct Loaded {
  NamedTensors tensors;  // in file order
  std::map<std::string, std::string> metadata;
};
/// Reads a safetensors file; raises ValueError naming the file and the problem when it is not one
/// or when a tensor does not match its checksum. Time linear in the file's size.
EMBER_API Loaded load_safetensors(const std::string& path);

/// CRC-32C of n bytes continuing crc (0 to start); portable skips the SSE4.2 instruction (tests).
EMBER_API uint32_t crc32c(uint32_t crc, const void* data, size_t n, bool portable = false);

}  // namespace ember
