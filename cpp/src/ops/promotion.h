#pragma once
// PyTorch's type promotion over any number of operands (ops.h's result_type takes two).
#include <initializer_list>

#include "ember/tensor.h"

namespace ember {

/// The dtype an op on these operands computes in: tensors with dims, then 0-d tensors, then
/// Python numbers, a later group counting only where it is of a higher category (bool < integer
/// < float), as torch's addcmul(uint8 x, float16 y, float32 0-d) is float16.
DType result_type_of(std::initializer_list<const Tensor*> operands);

}  // namespace ember
