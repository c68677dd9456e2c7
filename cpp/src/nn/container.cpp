// Sequential, ModuleList, ModuleDict, Identity, Flatten, Unflatten.
#include "ember/nn/container.h"

#include <algorithm>

#include "ember/error.h"
#include "ember/ops.h"

namespace ember::nn {

// ---- ModuleSequence -------------------------------------------------------------------------

int64_t ModuleSequence::position(int64_t index) const {
  const int64_t n = size();
  EMBER_CHECK_INDEX(index >= -n && index < n, "index ", index, " is out of range (", type_name(), " of length ", n,
                    ")");
  return index < 0 ? index + n : index;
}

ModulePtr ModuleSequence::at(int64_t index) const { return named_children()[position(index)].second; }

void ModuleSequence::set(int64_t index, ModulePtr module) {
  children_mut()[position(index)].second = std::move(module);
}

void ModuleSequence::push_back(ModulePtr module) { register_module(std::to_string(size()), std::move(module)); }

void ModuleSequence::insert(int64_t index, ModulePtr module) {
  const int64_t n = size();
  index = std::clamp<int64_t>(index < 0 ? index + n : index, 0, n);
  auto& kids = children_mut();
  kids.insert(kids.begin() + index, {std::string(), std::move(module)});
  renumber();
}

ModulePtr ModuleSequence::erase(int64_t index) {
  auto& kids = children_mut();
  auto it = kids.begin() + position(index);
  ModulePtr removed = it->second;
  kids.erase(it);
  renumber();
  return removed;
}

void ModuleSequence::renumber() {
  auto& kids = children_mut();
  for (size_t i = 0; i < kids.size(); ++i) kids[i].first = std::to_string(i);
}

// ---- Sequential, ModuleList, ModuleDict -----------------------------------------------------

Sequential::Sequential(const std::vector<ModulePtr>& modules) : Sequential() {
  for (const auto& m : modules) push_back(m);
}

Sequential::Sequential(const Children& named) : Sequential() {
  for (const auto& [name, m] : named) register_module(name, m);
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  const auto& kids = named_children();
  for (size_t i = 0; i < kids.size(); ++i) {  // by position, holding the child: a hook may change the list
    auto [name, child] = kids[i];
    EMBER_CHECK_TYPE(child, "Sequential: child '", name, "' is None and cannot be called");
    x = child->call(x);
  }
  return x;
}

ModuleList::ModuleList(const std::vector<ModulePtr>& modules) : ModuleList() {
  for (const auto& m : modules) push_back(m);
}

std::string ModuleList::repr() const {
  TreeWalkGuard guard(*this, "repr");
  const Children kids = named_children();  // a copy: children's Python reprs may change the list
  if (kids.empty()) return type_name() + "()";
  std::string out = type_name() + "(\n";
  for (size_t start = 0; start < kids.size();) {
    const std::string r = kids[start].second ? kids[start].second->repr() : "None";
    size_t end = start;
    while (end + 1 < kids.size() && (kids[end + 1].second ? kids[end + 1].second->repr() : "None") == r) ++end;
    std::string line = end == start ? "(" + std::to_string(start) + "): " + r
                                     : "(" + std::to_string(start) + "-" + std::to_string(end) + "): " +
                                           std::to_string(end - start + 1) + " x " + r;
    out += "  " + indent_repr(line) + "\n";
    start = end + 1;
  }
  return out + ")";
}

ModuleDict::ModuleDict(const Children& named) : ModuleDict() {
  for (const auto& [name, m] : named) register_module(name, m);
}

ModulePtr ModuleDict::at(const std::string& key) const {
  for (const auto& [name, m] : named_children())
    if (name == key) return m;
  throw KeyError(key);
}

bool ModuleDict::contains(const std::string& key) const {
  const auto& kids = named_children();
  return std::any_of(kids.begin(), kids.end(), [&](const auto& kv) { return kv.first == key; });
}

ModulePtr ModuleDict::pop(const std::string& key) {
  ModulePtr m = at(key);
  unregister(key);
  return m;
}

std::vector<std::string> ModuleDict::keys() const {
  std::vector<std::string> out;
  for (const auto& [name, m] : named_children()) out.push_back(name);
  return out;
}

// ---- Flatten, Unflatten ---------------------------------------------------------------------

Tensor Flatten::forward(const Tensor& input) { return flatten(input, options.start_dim, options.end_dim); }

Tensor Unflatten::forward(const Tensor& input) { return unflatten(input, options.dim, options.unflattened_size); }

}  // namespace ember::nn
