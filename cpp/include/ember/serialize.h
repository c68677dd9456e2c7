#pragma once
// State dicts on disk in the safetensors format: an 8-byte little-endian header length, a JSON
// header (each tensor's dtype, shape and byte range, plus string metadata), then the raw bytes.
// Files are written atomically; loading never runs code and rejects malformed files.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

/// Writes tensors (and string metadata) to path: a temporary file in the same folder, flushed
/// to disk, then renamed over path.
EMBER_API void save_safetensors(const NamedTensors& tensors, const std::string& path,
                                const std::map<std::string, std::string>& metadata = {});

struct Loaded {
  NamedTensors tensors;  // in file order
  std::map<std::string, std::string> metadata;
};
/// Reads a safetensors file; raises ValueError naming the file and the problem when it is not one.
EMBER_API Loaded load_safetensors(const std::string& path);

}  // namespace ember
