// What layers made from option rows share: the repr of their field types.
#include "ember/nn/layer.h"

namespace ember::nn {

std::string repr_value(const Sizes& v) {
  std::string out = v.as_list ? "[" : "(";
  for (size_t i = 0; i < v.dims.size(); ++i) out += (i ? ", " : "") + std::to_string(v.dims[i]);
  if (v.dims.size() == 1 && !v.as_list) out += ",";
  return out + (v.as_list ? "]" : ")");
}

}  // namespace ember::nn
