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

namespace {
/// Where a walk stands in one module: the child it enters next, and the length of the dotted
/// path before this module's name was added.
struct Frame {
  Module* module;
  ModulePtr hold;  // a child stays alive while its subtree is walked (Python code may drop it)
  size_t next;
  size_t path_size;
};

/// What a walk's callbacks see: the module, its dotted path, its depth below the start.
struct Visit {
  Module& module;
  const std::string& path;
  size_t depth;
};

/// Depth-first over the tree under root without recursion (a 100,000-deep Sequential needs no
/// stack), one path string extended and cut back as it goes (a name costs its depth only where
/// a caller copies it). pre(visit), in pre-order, returns whether to enter the module's
/// children; post(visit) follows the children of a module entered. With dedup a module reached
/// again is skipped (remove_duplicate); without, it is walked under each of its names, and a
/// module met inside its own subtree, or reached by a walk nested in one it started, raises.
template <class Pre, class Post>
void walk(Module& root, const std::string& prefix, bool dedup, const char* op, Pre&& pre, Post&& post) {
  std::string path = prefix;
  std::vector<Frame> stack;
  std::unordered_set<const Module*> seen;  // dedup: every module visited; else: those on the path
  auto enter = [&](Module* m, ModulePtr hold, size_t path_size) {
    if (!seen.insert(m).second) {
      EMBER_CHECK_RUNTIME(dedup, op, ": the module tree contains a cycle: ", m->type_name(), " is its own descendant");
      path.resize(path_size);
      return;
    }
    EMBER_CHECK_RUNTIME(dedup || m == &root || std::find(walk_path.begin(), walk_path.end(), m) == walk_path.end(),
                        op, ": the module tree contains a cycle: ", m->type_name(), " is its own descendant");
    if (!pre(Visit{*m, path, stack.size()})) {
      if (!dedup) seen.erase(m);
      path.resize(path_size);
      return;
    }
    stack.push_back(Frame{m, std::move(hold), 0, path_size});
  };
  enter(&root, nullptr, prefix.size());
  while (!stack.empty()) {
    Frame& top = stack.back();
    const Module::Children& kids = top.module->named_children();
    if (top.next < kids.size()) {
      auto [name, child] = kids[top.next++];  // copies: the callbacks may change the list
      if (!child) continue;
      const size_t size = path.size();
      if (!path.empty()) path += '.';
      path += name;
      Module* raw = child.get();  // before the move below: argument order is unspecified
      enter(raw, std::move(child), size);
      continue;
    }
    Frame done = std::move(top);
    stack.pop_back();
    post(Visit{*done.module, path, stack.size()});
    if (!dedup) seen.erase(done.module);
    path.resize(done.path_size);
  }
}

constexpr auto nothing = [](const Visit&) {};
}  // namespace

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

Tensor Module::parameter(const std::string& name) const {
  for (const Slot& s : params_)
    if (s.name == name) return s.value;
  return missing_parameter(name);
}

Tensor Module::missing_parameter(const std::string& name) const {
  throw AttributeError(detail::cat("'", type_name(), "' object has no parameter '", name, "'"));
}

Tensor Module::required_parameter(const std::string& name) const {
  Tensor t = parameter(name);
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
  walk(*this, prefix, remove_duplicate, "named_modules", [&](const Visit& v) {
    out.emplace_back(v.path, &v.module);
    return true;
  }, nothing);
  return out;
}

std::vector<Module::WalkEntry> Module::walk_modules(bool remove_duplicate) {
  std::vector<WalkEntry> out;
  walk(*this, "", remove_duplicate, "named_modules", [&](const Visit& v) {
    const size_t dot = v.path.find_last_of('.');
    out.push_back(WalkEntry{v.depth, dot == std::string::npos ? v.path : v.path.substr(dot + 1), &v.module});
    return true;
  }, nothing);
  return out;
}

void Module::visit_slots(Kind kind, bool recurse, const OwnerVisitor& fn, bool remove_duplicate) {
  std::unordered_set<const TensorImpl*> seen;
  walk(*this, "", remove_duplicate, "named_parameters", [&](const Visit& v) {
    for (const Slot& slot : v.module.slots(kind))
      if (slot.value.defined() && (!remove_duplicate || seen.insert(slot.value.impl()).second))
        fn(v.path, v.module, slot);
    return recurse;
  }, nothing);
}

void Module::visit(Kind kind, bool recurse, const SlotVisitor& fn, bool remove_duplicate) {
  visit_slots(kind, recurse, [&](const std::string& owner_path, Module& owner, const Slot& slot) {
    fn(qualified(owner_path, slot.name), owner, kind, slot);
  }, remove_duplicate);
}

void Module::visit_state(const SlotVisitor& fn, const std::string& prefix) {
  TreeWalkGuard guard(*this, "state_dict");
  walk(*this, prefix, false, "state_dict", [&](const Visit& v) {
    for (auto kind : {Kind::Parameter, Kind::Buffer})
      for (const Slot& s : v.module.slots(kind))
        if (s.value.defined() && s.persistent) fn(qualified(v.path, s.name), v.module, kind, s);
    return true;
  }, nothing);
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
  visit_slots(Kind::Parameter, recurse, [&](const std::string&, Module&, const Slot& s) { out.push_back(s.value); });
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) {
  std::vector<Tensor> out;
  visit_slots(Kind::Buffer, recurse, [&](const std::string&, Module&, const Slot& s) { out.push_back(s.value); });
  return out;
}

// ---- state ----------------------------------------------------------------------------------

void Module::train(bool on) {
  TreeWalkGuard guard(*this, "train");
  walk(*this, "", false, "train", [&](const Visit& v) {
    if (&v.module != this && v.module.overrides_train()) {
      v.module.train(on);  // the override walks its own subtree (or not), as PyTorch's would
      return false;
    }
    v.module.training_ = on;
    return true;
  }, nothing);
}

void Module::zero_grad(bool set_to_none) { autograd::zero_grads(parameters(), set_to_none); }

void Module::apply(const std::function<void(Module&)>& fn) {
  TreeWalkGuard guard(*this, "apply");
  walk(*this, "", false, "apply", [](const Visit&) { return true; }, [&](const Visit& v) { fn(v.module); });
}

void Module::to(DType dtype) {
  EMBER_CHECK_TYPE(is_floating(dtype), "Module.to: nn.Module.to only accepts floating point dtypes, but got desired "
                   "dtype=", dtype_name(dtype));
  autograd::NoGradGuard no_grad;
  auto cast = [dtype](const Tensor& t) {
    if (t.defined() && is_floating(t.dtype()) && t.dtype() != dtype) autograd::set_data(t, to_dtype(t, dtype));
  };
  walk(*this, "", true, "to", [&](const Visit& v) {
    for (const Slot& s : v.module.params_) {
      cast(s.value);
      if (s.value.defined()) cast(autograd::grad(s.value));
    }
    for (const Slot& s : v.module.buffers_) cast(s.value);
    return true;
  }, nothing);
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
  // PyTorch's layout (a child's text indented under its parent, _addindent at every level),
  // written in one pre-order pass with each module's lines indented by its depth: no recursion,
  // and each character written once rather than once per level above it.
  std::string out;
  auto indent = [&out](size_t depth) -> std::string& { return out.append(2 * depth, ' '); };
  // Writes m's first line (and its extra_repr lines); true when children and a ")" line follow.
  auto open = [&](const Module& m, size_t depth) {
    std::vector<std::string> extra;
    const std::string text = m.extra_repr();
    for (size_t start = 0; !text.empty();) {
      const size_t end = text.find('\n', start);
      extra.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    out += m.type_name() + "(";
    if (m.children_.empty() && extra.size() <= 1) {
      out += (extra.empty() ? "" : extra[0]) + ")";
      return false;
    }
    out += '\n';
    for (const auto& line : extra) indent(depth + 1) += line + "\n";
    if (!m.children_.empty()) return true;
    indent(depth) += ')';
    return false;
  };
  struct Open {
    const Module* module;
    ModulePtr hold;  // Python code (an extra_repr) may drop a child while it is written
    size_t next;
  };
  std::vector<Open> stack;
  std::unordered_set<const Module*> on_path{this};
  if (open(*this, 0)) stack.push_back(Open{this, nullptr, 0});
  while (!stack.empty()) {
    Open& top = stack.back();
    const size_t depth = stack.size() - 1;
    if (top.next == top.module->children_.size()) {
      indent(depth) += ')';
      on_path.erase(top.module);
      stack.pop_back();
      if (!stack.empty()) out += '\n';
      continue;
    }
    auto [name, child] = top.module->children_[top.next++];
    indent(depth + 1) += "(" + name + "): ";
    if (!child) {
      out += "None\n";
    } else if (child->overrides_repr()) {  // its own text, indented as _addindent does
      for (char c : child->repr()) {
        out += c;
        if (c == '\n') indent(depth + 1);
      }
      out += '\n';
    } else {
      EMBER_CHECK_RUNTIME(on_path.insert(child.get()).second &&
                              std::find(walk_path.begin(), walk_path.end(), child.get()) == walk_path.end(),
                          "repr: the module tree contains a cycle: ", child->type_name(), " is its own descendant");
      if (open(*child, depth + 1)) {
        stack.push_back(Open{child.get(), std::move(child), 0});
      } else {
        on_path.erase(child.get());
        out += '\n';
      }
    }
  }
  return out;
}

}  // namespace ember::nn
