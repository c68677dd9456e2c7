#pragma once
// Numeric limits of the floating dtypes, for the ops that check a value against them.
#include <limits>

#include "ember/dtype.h"

namespace ember {

/// The largest finite value of a floating dtype (float64's for the others).
inline double finite_max(DType dt) {
  switch (dt) {
    case DType::Float16: return 65504.0;
    case DType::BFloat16: return 3.3895313892515355e38;
    case DType::Float32: return std::numeric_limits<float>::max();
    default: return std::numeric_limits<double>::max();
  }
}

}  // namespace ember
