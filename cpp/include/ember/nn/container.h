#pragma once
// Modules that hold or reshape other modules' data: Sequential, ModuleList, ModuleDict,
// Identity, Flatten, Unflatten (as torch.nn's).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/nn/layer.h"

namespace ember::nn {

/// Children named "0", "1", ... by position; removing or inserting renumbers them (as PyTorch).
class EMBER_API ModuleSequence : public Module {
 public:
  using Module::Module;
  int64_t size() const { return static_cast<int64_t>(named_children().size()); }
  /// The child at position index (negative counts from the end); IndexError outside.
  ModulePtr at(int64_t index) const;
  void set(int64_t index, ModulePtr module);
  void push_back(ModulePtr module);
  /// Inserts before position index (clamped as Python's list.insert).
  void insert(int64_t index, ModulePtr module);
  /// Removes the child at index and renumbers the rest.
  ModulePtr erase(int64_t index);

 protected:
  int64_t position(int64_t index) const;
  void renumber();
};

/// Calls its children in order, each on the previous one's output.
class EMBER_API Sequential : public ModuleSequence {
 public:
  Sequential() : ModuleSequence("Sequential") {}
  explicit Sequential(const std::vector<ModulePtr>& modules);
  /// Children under given names (PyTorch's Sequential(OrderedDict(...))).
  explicit Sequential(const Children& named);
  Tensor forward(const Tensor& input) override;
};

/// A list of modules (no forward of its own).
class EMBER_API ModuleList : public ModuleSequence {
 public:
  ModuleList() : ModuleSequence("ModuleList") {}
  explicit ModuleList(const std::vector<ModulePtr>& modules);
  /// PyTorch's repr: consecutive equal children shown once ("(0-2): 3 x Linear(...)").
  std::string repr() const override;
  bool overrides_repr() const override { return true; }
};

/// Modules by name, in insertion order (no forward of its own).
class EMBER_API ModuleDict : public Module {
 public:
  ModuleDict() : Module("ModuleDict") {}
  explicit ModuleDict(const Children& named);
  ModulePtr at(const std::string& key) const;
  void set(const std::string& key, ModulePtr module) { register_module(key, std::move(module)); }
  bool contains(const std::string& key) const;
  /// Removes key and returns its module (KeyError when absent).
  ModulePtr pop(const std::string& key);
  std::vector<std::string> keys() const;
};

/// Returns its input.
class EMBER_API Identity : public Module {
 public:
  Identity() : Module("Identity") {}
  Tensor forward(const Tensor& input) override { return input; }
};

/// Flattens dims start_dim..end_dim into one.
#define EMBER_FLATTEN_FIELDS(X)                         \
  X(Arg, int64_t, start_dim, 1, valid::any, Named)      \
  X(Arg, int64_t, end_dim, -1, valid::any, Named)
struct FlattenOptions {
  EMBER_LAYER_OPTIONS(EMBER_FLATTEN_FIELDS)
};
class EMBER_API Flatten : public Layer<FlattenOptions> {
 public:
  explicit Flatten(FlattenOptions options = {}) : Layer("Flatten", options) {}
  EMBER_LAYER_SHORT_FORM(Flatten)
  Tensor forward(const Tensor& input) override;
};

/// Splits dim into unflattened_size (shown as given, a list or a tuple, as PyTorch keeps it).
#define EMBER_UNFLATTEN_FIELDS(X)                                \
  X(Required, int64_t, dim, 0, valid::any, Named)                \
  X(Required, Sizes, unflattened_size, {}, valid::any, Named | Fixed)
struct UnflattenOptions {
  EMBER_LAYER_OPTIONS(EMBER_UNFLATTEN_FIELDS)
};
class EMBER_API Unflatten : public Layer<UnflattenOptions> {
 public:
  explicit Unflatten(UnflattenOptions options = {}) : Layer("Unflatten", options) {}
  EMBER_LAYER_SHORT_FORM(Unflatten)
  Tensor forward(const Tensor& input) override;
};

}  // namespace ember::nn
