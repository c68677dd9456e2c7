#pragma once
// Scratch buffers that stay with a thread between calls. A kernel's large temporary buffers (a
// convolution's column matrix, its transformed tiles) come from here rather than from a fresh
// allocation per call: a fresh buffer of megabytes is page-faulted in on every call, which on
// virtual machines can cost as much as the arithmetic.
#include <cstddef>
#include <cstdint>

namespace ember::cpu {

/// The buffers a thread holds, one per use that can be live at once.
enum class Scratch { Columns, Gathered, WinogradWeights, WinogradTiles, kCount };

/// The calling thread's buffer for `use`, at least `bytes` long, contents unspecified. It stays
/// valid until the same thread asks for the same use again.
void* workspace(Scratch use, size_t bytes);

template <class T>
T* workspace(Scratch use, int64_t n) {
  return static_cast<T*>(workspace(use, static_cast<size_t>(n) * sizeof(T)));
}

}  // namespace ember::cpu
