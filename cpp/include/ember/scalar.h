#pragma once
#include <cstdint>

#include "ember/dtype.h"

namespace ember {

/// A Python number: bool, int or float, kept with its kind for type promotion.
class Scalar {
 public:
  Scalar() : d_(0), kind_(DType::Int64) {}
  Scalar(bool v) : i_(v), kind_(DType::Bool) {}
  Scalar(int v) : i_(v), kind_(DType::Int64) {}
  Scalar(int64_t v) : i_(v), kind_(DType::Int64) {}
  Scalar(double v) : d_(v), kind_(DType::Float64) {}
  Scalar(float v) : d_(v), kind_(DType::Float64) {}

  /// Bool, Int64 or Float64: the category of the number.
  DType kind() const { return kind_; }
  bool is_floating() const { return kind_ == DType::Float64; }
  template <class T>
  T to() const {
    return kind_ == DType::Float64 ? static_cast<T>(d_) : static_cast<T>(i_);
  }
  double to_double() const { return to<double>(); }

 private:
  union {
    int64_t i_;
    double d_;
  };
  DType kind_;
};

}  // namespace ember
