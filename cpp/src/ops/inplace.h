#pragma once
// The in-place form of a composite op, written once.
#include <functional>
#include <initializer_list>

#include "ember/tensor.h"

namespace ember {

/// x = f(x) for an op composed of others: the result must keep x's shape and fit its dtype
/// (PyTorch's in-place rules); under autograd, x takes f's history (others: f's other inputs).
Tensor& assign_composite(Tensor& x, const char* op, std::initializer_list<const Tensor*> others,
                         const std::function<Tensor(const Tensor&)>& f);

}  // namespace ember
