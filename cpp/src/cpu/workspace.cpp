#include "cpu/workspace.h"

#include <array>
#include <memory>

namespace ember::cpu {

void* workspace(Scratch use, size_t bytes) {
  struct Buffer {
    std::unique_ptr<std::byte[]> data;
    size_t size = 0;
  };
  thread_local std::array<Buffer, static_cast<size_t>(Scratch::kCount)> buffers;
  Buffer& b = buffers[static_cast<size_t>(use)];
  if (b.size < bytes) {
    b.data.reset();  // before the new one: never both at once
    b.data.reset(new std::byte[bytes]);
    b.size = bytes;
  }
  return b.data.get();
}

}  // namespace ember::cpu
