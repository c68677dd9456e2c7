#pragma once
// The Module tree, as torch.nn.Module: each module holds parameters, buffers and child modules
// by name, in registration order; traversals give PyTorch's dotted names ("body.0.weight").
// One tree whether built in C++ or in Python (the bindings subclass these classes).
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/serialize.h"
#include "ember/tensor.h"

namespace ember::nn {

class EMBER_API Module {
 public:
  /// A named place for a tensor; an undefined tensor is an empty slot (a layer without bias).
  struct Slot {
    std::string name;
    Tensor value;
    bool persistent = true;  // buffers only: whether state_dict includes it
  };
  enum class Kind { Parameter, Buffer };
  using Children = std::vector<std::pair<std::string, std::shared_ptr<Module>>>;
  /// What load_state_dict did not match.
  struct LoadResult {
    std::vector<std::string> missing_keys, unexpected_keys;
  };

  explicit Module(std::string type_name = "Module") : type_name_(std::move(type_name)) {}
  /// Releases the children without recursing, so a 100,000-deep Sequential frees safely.
  virtual ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// The computation, one tensor in and one out. Layers override it; Module's own raises.
  virtual Tensor forward(const Tensor& input);
  /// forward and what wraps it (the Python bindings run forward hooks there). Containers call
  /// their children through it.
  virtual Tensor call(const Tensor& input) { return forward(input); }
  Tensor operator()(const Tensor& input) { return call(input); }

  /// The class name that repr and errors show ("Linear").
  virtual std::string type_name() const { return type_name_; }
  /// What repr shows between the parentheses ("in_features=784, out_features=10, bias=True").
  virtual std::string extra_repr() const { return {}; }
  /// PyTorch's layout: "Net(\n  (fc): Linear(in_features=2, out_features=1, bias=True)\n)".
  virtual std::string repr() const;
  /// "Linear(in_features=784, out_features=10)": how a layer names itself in its errors.
  std::string describe() const { return type_name() + "(" + extra_repr() + ")"; }

  // ---- registration -----------------------------------------------------------------------
  /// Adds (or replaces) a parameter; a defined value becomes a leaf with requires_grad set.
  Tensor& register_parameter(const std::string& name, Tensor value, bool requires_grad = true);
  Tensor& register_buffer(const std::string& name, Tensor value, bool persistent = true);
  std::shared_ptr<Module> register_module(const std::string& name, std::shared_ptr<Module> module);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    register_module(name, std::static_pointer_cast<Module>(module));
    return module;
  }
  /// Removes the parameter, buffer or child called name; false when there is none.
  bool unregister(const std::string& name);

  /// This module's own slots (nullptr when name is not one of them).
  Slot* find(Kind kind, const std::string& name);
  std::shared_ptr<Module>* find_child(const std::string& name);
  const std::vector<Slot>& slots(Kind kind) const { return kind == Kind::Parameter ? params_ : buffers_; }
  const Children& named_children() const { return children_; }
  /// The tensor in this module's own parameter or buffer slot `name` (undefined when empty).
  /// Layers read their tensors through these, so reassigning a slot (from Python too) counts.
  /// A parameter the module no longer has comes from missing_parameter.
  Tensor parameter(const std::string& name) const;
  const Tensor& buffer(const std::string& name) const { return slot_value(Kind::Buffer, name); }
  /// The parameter `name` that forward cannot do without: TypeError when it is None.
  Tensor required_parameter(const std::string& name) const;
  /// The tensor forward reads for a parameter that was removed (AttributeError here). A Python
  /// module answers with its attribute of that name, as a PyTorch forward reading self.weight
  /// would: the parametrized weight of ember.nn.utils.parametrize, or weight_norm's computed one.
  virtual Tensor missing_parameter(const std::string& name) const;

  // ---- traversal ------------------------------------------------------------------------------
  // Every walk over the tree is iterative, and the dotted names are built only where they are
  // returned: time and memory are linear in the number of modules at any depth (names aside).
  using SlotVisitor = std::function<void(const std::string& name, Module& owner, Kind kind, const Slot& slot)>;
  /// fn(owner's dotted path, owner, slot): SlotVisitor's work without building each slot's name.
  using OwnerVisitor = std::function<void(const std::string& owner_path, Module& owner, const Slot& slot)>;
  /// This module and its descendants, pre-order; a module reached twice is listed once (the
  /// first name found for it) unless remove_duplicate is false.
  std::vector<std::pair<std::string, Module*>> named_modules(const std::string& prefix = "",
                                                             bool remove_duplicate = true);
  /// One module of a pre-order walk: its depth below the start, its own name ("" for the start).
  struct WalkEntry {
    size_t depth;
    std::string name;
    Module* module;
  };
  /// named_modules without the dotted names (which grow with depth): a caller rebuilds them
  /// from the depths and names as it goes.
  std::vector<WalkEntry> walk_modules(bool remove_duplicate = true);
  /// Calls fn(qualified name, owner, kind, slot) for every filled slot of kind, in named_modules
  /// order (just this module's own when recurse is false), each tensor once unless
  /// remove_duplicate is false.
  void visit(Kind kind, bool recurse, const SlotVisitor& fn, bool remove_duplicate = true);
  /// visit without building the names (parameters(), buffers()).
  void visit_slots(Kind kind, bool recurse, const OwnerVisitor& fn, bool remove_duplicate = true);
  /// Calls fn for every entry of state_dict, in its order: per module, parameters then
  /// persistent buffers, then the children's (a shared module under each of its names).
  void visit_state(const SlotVisitor& fn, const std::string& prefix = "");
  /// True where repr or train is overridden past Module's own (ModuleList's repr, a Python
  /// subclass's method): walks call the override for that subtree instead of entering it.
  virtual bool overrides_repr() const { return false; }
  virtual bool overrides_train() const { return false; }
  NamedTensors named_parameters(bool recurse = true);
  NamedTensors named_buffers(bool recurse = true);
  std::vector<Tensor> parameters(bool recurse = true);
  std::vector<Tensor> buffers(bool recurse = true);

  // ---- state ----------------------------------------------------------------------------------
  bool is_training() const { return training_; }
  /// Sets the training flag of this module only (the Python attribute `training`).
  void set_training_flag(bool on) { training_ = on; }
  /// Training mode (on) or evaluation mode for this module and every descendant.
  virtual void train(bool on = true);
  void eval() { train(false); }
  /// Drops (set_to_none) or zeroes every parameter's gradient.
  void zero_grad(bool set_to_none = true);
  /// fn on every descendant (children first), then on this module.
  void apply(const std::function<void(Module&)>& fn);
  /// Casts floating-point parameters, their gradients and buffers to dtype, in place (the
  /// tensors keep their identity, so optimizers holding them stay valid).
  void to(DType dtype);

  /// Parameters and persistent buffers under their dotted names, detached, module by module.
  NamedTensors state_dict();
  /// Copies state into the parameters and buffers (casting dtype). Raises, copying nothing,
  /// on a shape mismatch or (strict) on missing or unexpected keys; returns those keys.
  LoadResult load_state_dict(const NamedTensors& state, bool strict = true);

 protected:
  Children& children_mut() { return children_; }

 private:
  std::vector<Slot>& slots_mut(Kind kind) { return kind == Kind::Parameter ? params_ : buffers_; }
  void check_new_name(const std::string& name, const char* what) const;
  const Tensor& slot_value(Kind kind, const std::string& name) const;

  std::string type_name_;
  std::vector<Slot> params_, buffers_;
  Children children_;
  bool training_ = true;
};

using ModulePtr = std::shared_ptr<Module>;

/// Marks a walk over a module tree (train, apply, repr, state dicts) in progress on this thread.
/// Walks nest only where an override (a Python train or __repr__) starts a new one: raises
/// RuntimeError, naming op, when such a walk reaches a module an outer one started from (a
/// cycle) or walks nest deeper than kMaxDepth, where they would otherwise overflow the stack.
class EMBER_API TreeWalkGuard {
 public:
  static constexpr size_t kMaxDepth = 1000;
  TreeWalkGuard(const Module& module, const char* op);
  ~TreeWalkGuard();
  TreeWalkGuard(const TreeWalkGuard&) = delete;
  TreeWalkGuard& operator=(const TreeWalkGuard&) = delete;
};

/// A double as Python's repr writes it ("0.01", "1.0", "1e-05"), for extra_repr.
EMBER_API std::string repr_float(double v);
/// Indents every line of a child's repr but the first by two spaces (PyTorch's _addindent).
EMBER_API std::string indent_repr(const std::string& s);

}  // namespace ember::nn
