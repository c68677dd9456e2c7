// What layers made from option rows share: the repr of their field types.
#include "ember/nn/layer.h"

namespace ember::nn {

std::string repr_value(const Sizes& v) {
  if (v.spelling == Sizes::Spelling::Int) return std::to_string(v.dims.at(0));
  const bool list = v.spelling == Sizes::Spelling::List;
  std::string out = list ? "[" : "(";
  for (size_t i = 0; i < v.dims.size(); ++i)
    out += (i ? ", " : "") + (v.dims[i] == Sizes::kNone ? std::string("None") : std::to_string(v.dims[i]));
  if (v.dims.size() == 1 && !list) out += ",";
  return out + (list ? "]" : ")");
}

}  // namespace ember::nn
