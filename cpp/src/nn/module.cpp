// The Module tree: registration, traversal, training mode, state dicts and repr.
#include "ember/nn/module.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ember/autograd.h"
#include "ember/error.h"
#include "ember/ops.h"

namespace ember::nn {

namespace {
std::string qualified(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

std::string size_repr(const Shape& s) {
  std::string out = "ember.Size([";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "])";
}

template <class T>
T* find_named(std::vector<T>& items, const std::string& name) {
  for (auto& item : items)
    if (item.name == name) return &item;
  return nullptr;
}

/// The modules the recursive walks of this thread are inside, outermost first.
thread_local std::vector<const Module*> walk_path;
/// Children whose release ~Module deferred; non-null while the outermost ~Module drains it.
thread_local std::vector<ModulePtr>* pending_release = nullptr;
}  // namespace

TreeWalkGuard::TreeWalkGuard(const Module& module, const char* op) {
  EMBER_CHECK_RUNTIME(std::find(walk_path.begin(), walk_path.end(), &module) == walk_path.end(), op,
                      ": the module tree contains a cycle: ", module.type_name(), " is its own descendant");
  EMBER_CHECK_RUNTIME(walk_path.size() < kMaxDepth, op, ": the module tree is nested more than ", kMaxDepth,
                      " levels deep");
  walk_path.push_back(&module);
}

TreeWalkGuard::~TreeWalkGuard() { walk_path.pop_back(); }

Module::~Module() {
  // Releasing a child may free it, whose destructor would release its own children, and so
  // on down the tree: the outermost destructor frees them all from one list instead.
  if (pending_release) {
    for (auto& [name, child] : children_)
      if (child) pending_release->push_back(std::move(child));
    return;
  }
  std::vector<ModulePtr> pending;
  pending_release = &pending;
  for (auto& [name, child] : children_)
    if (child) pending.push_back(std::move(child));
  while (!pending.empty()) {
    ModulePtr last = std::move(pending.back());
    pending.pop_back();
    last.reset();  // may append to pending
  }
  pending_release = nullptr;
}

Tensor Module::forward(const Tensor&) {
  throw NotImplementedError(detail::cat("Module [", type_name(), "] is missing the required \"forward\" function"));
}

// ---- registration ---------------------------------------------------------------------------

void Module::check_new_name(const std::string& name, const char* what) const {
  EMBER_CHECK_KEY(!name.empty(), what, " name can't be empty string \"\"");
  EMBER_CHECK_KEY(name.find('.') == std::string::npos, what, " name can't contain \".\"");
}

Tensor& Module::register_parameter(const std::string& name, Tensor value, bool requires_grad) {
  check_new_name(name, "parameter");
  EMBER_CHECK_KEY(!find(Kind::Buffer, name) && !find_child(name), "attribute '", name, "' already exists");
  if (value.defined()) {
    EMBER_CHECK(autograd::is_leaf(value), "Cannot assign non-leaf Tensor to parameter '", name,
                "'. Model parameters must be created explicitly. To express '", name,
                "' as a function of another Tensor, compute the value in the forward() method.");
    autograd::set_requires_grad(value, requires_grad);
  }
  Slot* slot = find(Kind::Parameter, name);
  if (!slot) slot = &params_.emplace_back(Slot{name, {}, true});
  slot->value = std::move(value);
  return slot->value;
}

Tensor& Module::register_buffer(const std::string& name, Tensor value, bool persistent) {
  check_new_name(name, "buffer");
  EMBER_CHECK_KEY(!find(Kind::Parameter, name) && !find_child(name), "attribute '", name, "' already exists");
  Slot* slot = find(Kind::Buffer, name);
  if (!slot) slot = &buffers_.emplace_back(Slot{name, {}, true});
  slot->value = std::move(value);
  slot->persistent = persistent;
  return slot->value;
}

std::shared_ptr<Module> Module::register_module(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name, "module");
  EMBER_CHECK_KEY(!find(Kind::Parameter, name) && !find(Kind::Buffer, name), "attribute '", name, "' already exists");
  if (auto* child = find_child(name)) {
    *child = module;
  } else {
    children_.emplace_back(name, module);
  }
  return module;
}

bool Module::unregister(const std::string& name) {
  auto drop = [&](auto& items, auto key) {
    auto it = std::find_if(items.begin(), items.end(), [&](const auto& item) { return key(item) == name; });
    if (it == items.end()) return false;
    items.erase(it);
    return true;
  };
  auto slot_name = [](const Slot& s) -> const std::string& { return s.name; };
  auto child_name = [](const Children::value_type& c) -> const std::string& { return c.first; };
  return drop(params_, slot_name) || drop(buffers_, slot_name) || drop(children_, child_name);
}

Module::Slot* Module::find(Kind kind, const std::string& name) { return find_named(slots_mut(kind), name); }

const Tensor& Module::slot_value(Kind kind, const std::string& name) const {
  for (const Slot& s : slots(kind))
    if (s.name == name) return s.value;
  throw AttributeError(detail::cat("'", type_name(), "' object has no ", kind == Kind::Parameter ? "parameter" : "buffer",
                                  " '", name, "'"));
}

const Tensor& Module::required_parameter(const std::string& name) const {
  const Tensor& t = parameter(name);
  EMBER_CHECK_TYPE(t.defined(), describe(), ": parameter '", name, "' is None; forward needs a tensor there");
  return t;
}

std::shared_ptr<Module>* Module::find_child(const std::string& name) {
  for (auto& [n, m] : children_)
    if (n == name) return &m;
  return nullptr;
}

// ---- traversal ------------------------------------------------------------------------------

std::vector<std::pair<std::string, Module*>> Module::named_modules(const std::string& prefix, bool remove_duplicate) {
  std::vector<std::pair<std::string, Module*>> out;
  std::unordered_set<const Module*> seen;
  // Iterative pre-order walk (deep Sequentials must not recurse).
  std::vector<std::pair<std::string, Module*>> stack{{prefix, this}};
  while (!stack.empty()) {
    auto [name, m] = stack.back();
    stack.pop_back();
    if (remove_duplicate && !seen.insert(m).second) continue;
    out.emplace_back(name, m);
    for (auto it = m->children_.rbegin(); it != m->children_.rend(); ++it)
      if (it->second) stack.emplace_back(qualified(name, it->first), it->second.get());
  }
  return out;
}

void Module::visit(Kind kind, bool recurse, const SlotVisitor& fn, bool remove_duplicate) {
  std::unordered_set<const TensorImpl*> seen;
  auto modules = recurse ? named_modules("", remove_duplicate)
                         : std::vector<std::pair<std::string, Module*>>{{"", this}};
  for (auto& [prefix, m] : modules)
    for (const Slot& slot : m->slots(kind))
      if (slot.value.defined() && (!remove_duplicate || seen.insert(slot.value.impl()).second))
        fn(qualified(prefix, slot.name), *m, kind, slot);
}

void Module::visit_state(const SlotVisitor& fn, const std::string& prefix) {
  TreeWalkGuard guard(*this, "state_dict");
  for (auto kind : {Kind::Parameter, Kind::Buffer})
    for (const Slot& s : slots(kind))
      if (s.value.defined() && s.persistent) fn(qualified(prefix, s.name), *this, kind, s);
  for_each_child([&](const std::string& name, Module& child) { child.visit_state(fn, qualified(prefix, name)); });
}

void Module::for_each_child(const std::function<void(const std::string&, Module&)>& fn) const {
  for (size_t i = 0; i < children_.size(); ++i) {
    auto [name, child] = children_[i];
    if (child) fn(name, *child);
  }
}

NamedTensors Module::named_parameters(bool recurse) {
  NamedTensors out;
  visit(Kind::Parameter, recurse, [&](const std::string& n, Module&, Kind, const Slot& s) { out.emplace_back(n, s.value); });
  return out;
}

NamedTensors Module::named_buffers(bool recurse) {
  NamedTensors out;
  visit(Kind::Buffer, recurse, [&](const std::string& n, Module&, Kind, const Slot& s) { out.emplace_back(n, s.value); });
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_buffers(recurse)) out.push_back(t);
  return out;
}

// ---- state ----------------------------------------------------------------------------------

void Module::train(bool on) {
  TreeWalkGuard guard(*this, "train");
  training_ = on;
  for_each_child([on](const std::string&, Module& child) { child.train(on); });
}

void Module::zero_grad(bool set_to_none) { autograd::zero_grads(parameters(), set_to_none); }

void Module::apply(const std::function<void(Module&)>& fn) {
  TreeWalkGuard guard(*this, "apply");
  for_each_child([&fn](const std::string&, Module& child) { child.apply(fn); });
  fn(*this);
}

void Module::to(DType dtype) {
  EMBER_CHECK_TYPE(is_floating(dtype), "Module.to: nn.Module.to only accepts floating point dtypes, but got desired "
                   "dtype=", dtype_name(dtype));
  autograd::NoGradGuard no_grad;
  auto cast = [dtype](const Tensor& t) {
    if (t.defined() && is_floating(t.dtype()) && t.dtype() != dtype) autograd::set_data(t, to_dtype(t, dtype));
  };
  for (auto& [prefix, m] : named_modules()) {
    for (const Slot& s : m->params_) {
      cast(s.value);
      if (s.value.defined()) cast(autograd::grad(s.value));
    }
    for (const Slot& s : m->buffers_) cast(s.value);
  }
}

NamedTensors Module::state_dict() {
  NamedTensors out;
  visit_state([&](const std::string& n, Module&, Kind, const Slot& s) { out.emplace_back(n, autograd::detach(s.value)); });
  return out;
}

Module::LoadResult Module::load_state_dict(const NamedTensors& state, bool strict) {
  NamedTensors targets;
  visit_state([&](const std::string& n, Module&, Kind, const Slot& s) { targets.emplace_back(n, s.value); });
  std::set<std::string> expected;
  for (auto& [name, t] : targets) expected.insert(name);
  std::unordered_map<std::string, const Tensor*> given;
  for (auto& [name, t] : state) given.emplace(name, &t);

  LoadResult result;
  std::vector<std::string> mismatches;
  std::vector<std::pair<Tensor, Tensor>> copies;  // (target, source)
  for (auto& [name, target] : targets) {
    auto it = given.find(name);
    if (it == given.end()) {
      result.missing_keys.push_back(name);
      continue;
    }
    const Tensor& source = *it->second;
    EMBER_CHECK_TYPE(source.defined(), "load_state_dict: the value of \"", name, "\" is not a tensor");
    if (source.sizes() != target.sizes()) {
      mismatches.push_back(detail::cat("size mismatch for ", name, ": copying a param with shape ",
                                       size_repr(source.sizes()), " from checkpoint, the shape in current model is ",
                                       size_repr(target.sizes()), "."));
      continue;
    }
    copies.emplace_back(target, source);
  }
  for (auto& [name, t] : state)
    if (!expected.count(name)) result.unexpected_keys.push_back(name);

  std::vector<std::string> errors;
  auto quoted = [](const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "\"" : ", \"") + k + "\"";
    return out;
  };
  if (strict && !result.missing_keys.empty())
    errors.push_back("Missing key(s) in state_dict: " + quoted(result.missing_keys) + ". ");
  if (strict && !result.unexpected_keys.empty())
    errors.push_back("Unexpected key(s) in state_dict: " + quoted(result.unexpected_keys) + ". ");
  errors.insert(errors.end(), mismatches.begin(), mismatches.end());
  if (!errors.empty()) {
    std::string msg = "Error(s) in loading state_dict for " + type_name() + ":";
    for (const auto& e : errors) msg += "\n\t" + e;
    throw RuntimeError(msg);
  }
  autograd::NoGradGuard no_grad;
  for (auto& [target, src] : copies) copy_(target, src);
  return result;
}

// ---- repr -----------------------------------------------------------------------------------

std::string repr_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // The shortest digits that read back as v (to_chars: as Python's repr, locale-free), then
  // Python's layout: positional for exponents in [-4, 16), else "1e-05" / "1.5e+20".
  char buf[64];
  const std::string s(buf, std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific).ptr);
  const size_t e = s.find('e');
  const int exponent = std::stoi(s.substr(e + 1));
  if (exponent < -4 || exponent >= 16) return s;
  const bool negative = s[0] == '-';
  std::string digits;
  for (char c : s.substr(negative, e - negative))
    if (c != '.') digits += c;
  std::string out;
  if (exponent < 0) {
    out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  } else {
    const auto whole = static_cast<size_t>(exponent + 1);
    if (digits.size() <= whole) out = digits + std::string(whole - digits.size(), '0') + ".0";
    else out = digits.substr(0, whole) + "." + digits.substr(whole);
  }
  return negative ? "-" + out : out;
}

std::string indent_repr(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

std::string Module::repr() const {
  TreeWalkGuard guard(*this, "repr");
  std::vector<std::string> lines;
  const std::string extra = extra_repr();
  size_t start = 0;
  while (!extra.empty()) {
    size_t end = extra.find('\n', start);
    lines.push_back(extra.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  const size_t extra_lines = lines.size();
  for (size_t i = 0; i < children_.size(); ++i) {
    auto [name, child] = children_[i];
    lines.push_back("(" + name + "): " + indent_repr(child ? child->repr() : "None"));
  }
  std::string out = type_name() + "(";
  if (extra_lines == 1 && children_.empty()) {
    out += lines[0];
  } else if (!lines.empty()) {
    out += "\n";
    for (const auto& l : lines) out += "  " + l + "\n";
  }
  return out + ")";
}

}  // namespace ember::nn
