// Pointwise fusion of a captured graph (graph_fuse.h): a chain of elementwise.def kernels and
// copies becomes one step that runs the kernels' own loops (cpu::pointwise_span, cpu::copy_run)
// tile by tile, with intermediates in a stack buffer. No code is generated: the fused step
// interprets a list of rows.
#include "graph_fuse.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <unordered_map>

#include "cpu/loops.h"
#include "kernels.h"

namespace ember::graph {

namespace detail {
namespace {
using Unary = void (*)(const Tensor&, const Tensor&);
using Binary = void (*)(const Tensor&, const Tensor&, const Tensor&);
// The rows' kernels in the table's order: a kernel's row is its place here.
const void* const kRowKernels[] = {
#define EMBER_UNARY(name, ...) reinterpret_cast<const void*>(static_cast<Unary>(&cpu::name)),
#define EMBER_BINARY(name, ...) reinterpret_cast<const void*>(static_cast<Binary>(&cpu::name)),
#include "ember/elementwise.def"
};
int row_of(const void* fn) {
  const auto* end = std::end(kRowKernels);
  const auto* at = std::find(std::begin(kRowKernels), end, fn);
  return at == end ? -1 : static_cast<int>(at - std::begin(kRowKernels));
}
}  // namespace
// copy (a dtype conversion, clone, contiguous) joins chains as one more row after the table's.
const int kCopyRow = static_cast<int>(std::size(kRowKernels));
int pointwise_row(Unary fn) {
  return fn == static_cast<Unary>(&cpu::copy) ? kCopyRow : row_of(reinterpret_cast<const void*>(fn));
}
int pointwise_row(Binary fn) { return row_of(reinterpret_cast<const void*>(fn)); }
}  // namespace detail

namespace {
// Elements per tile, and the most intermediates a chain keeps in tiles at once: 8 slots of
// 1024 float64 are 64 KiB of stack, within L2. An intermediate beyond them goes to memory.
constexpr int64_t kTile = 1024;
constexpr int kMaxSlots = 8;
constexpr int64_t kSlotBytes = kTile * 8;

/// Where a row's operand lives during a fused run.
struct Arg {
  enum Kind : uint8_t { Dense, Scalar, Slot } kind;
  uint8_t itemsize;
  int16_t index;  // into Chain::memory (Dense, Scalar) or the tile slots (Slot)
};
struct Op {
  cpu::PointwiseSpan span;  // null: copy
  DType dtype, out_dtype;   // x's, which the row's loop is instantiated for, and out's
  int nargs;
  Arg args[3];  // out, x[, y]
};
/// A fused chain: the memory operands (re-read at every run: inputs are re-pointed and the
/// memory plan moves buffers) and the rows in order.
struct Chain {
  std::vector<Tensor> memory;
  std::vector<Op> ops;
  int64_t numel = 0;

  void run() const {
    KernelScope scope("fused pointwise");
    char* base_small[16];
    std::vector<char*> base_big(memory.size() > 16 ? memory.size() : 0);
    char** base = memory.size() > 16 ? base_big.data() : base_small;
    for (size_t k = 0; k < memory.size(); ++k) base[k] = static_cast<char*>(memory[k].raw_data());
    // Split across threads by the work of all the rows (a long chain on 100k elements is worth it).
    const int64_t tiles = (numel + kTile - 1) / kTile;
    cpu::parallel_range(tiles, kTile * static_cast<int64_t>(ops.size()), [&](int64_t first, int64_t last) {
      alignas(64) char slots[kMaxSlots][kSlotBytes];
      for (int64_t t = first; t < last; ++t) {
        const int64_t at = t * kTile, n = std::min(kTile, numel - at);
        for (const Op& op : ops) {
          char* p[3];
          int64_t s[3];
          for (int a = 0; a < op.nargs; ++a) {
            const Arg& g = op.args[a];
            s[a] = g.kind == Arg::Scalar ? 0 : g.itemsize;
            p[a] = g.kind == Arg::Slot ? slots[g.index]
                   : g.kind == Arg::Dense ? base[g.index] + at * g.itemsize
                                          : base[g.index];
          }
          if (op.span) op.span(op.dtype, p, s, n);
          else cpu::copy_run(op.out_dtype, op.dtype, p, s, n);
        }
      }
    });
  }
};

/// How a step's tensor is read or written: a dense run of the chain's numel elements, or one
/// element broadcast (stride 0 everywhere).
struct Use {
  const Storage* storage;
  int64_t offset;  // elements
  DType dtype;
  bool scalar, written;
};

bool same_run(const Use& a, const Use& b) {
  return !a.scalar && !b.scalar && a.offset == b.offset && a.dtype == b.dtype;
}
/// Two uses of one storage in a chain are safe to interleave tile by tile when neither writes,
/// or both are the same dense run (an element then sees its ops in their order).
bool compatible(const Use& a, const Use& b) {
  return a.storage != b.storage || (!a.written && !b.written) || same_run(a, b);
}
/// The uses of one storage in a chain so far: the first, whether any wrote, whether any differed
/// from the first (then none may write).
struct Seen {
  Use first;
  bool written = false, mixed = false;
  bool admits(const Use& u) const { return (!written && !u.written) || (!mixed && same_run(first, u)); }
  void add(const Use& u) {
    written = written || u.written;
    mixed = mixed || !same_run(first, u);
  }
};
// At most this many steps per chain (the fused step indexes its operands with int16).
constexpr size_t kMaxChain = 4096;

/// The uses of a pointwise step (out first), or an empty list when it cannot join a chain of
/// `numel` elements (broadcasts other than scalars, non-contiguous operands).
std::vector<Use> uses_of(const Step& s, int64_t& numel) {
  if (s.effect || s.pointwise_row < 0 || s.tensors.size() < 2 || s.tensors.size() > 3) return {};
  const Tensor& out = s.tensors[0];
  numel = out.numel();
  if (numel == 0 || !out.is_contiguous()) return {};
  std::vector<Use> uses;
  for (size_t k = 0; k < s.tensors.size(); ++k) {
    const Tensor& t = s.tensors[k];
    if (t.numel() != numel) return {};
    bool scalar = false;
    if (!t.is_contiguous()) {
      scalar = k > 0;
      for (int64_t st : t.strides()) scalar = scalar && st == 0;
      if (!scalar) return {};
    }
    uses.push_back({t.storage().get(), t.offset(), t.dtype(), scalar, k == 0});
  }
  for (size_t i = 0; i < uses.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (!compatible(uses[i], uses[j])) return {};
  return uses;
}

/// Builds the fused step of the chain's steps (all pointwise, compatible, numel elements).
Step fuse(const std::vector<Step>& steps, const std::vector<size_t>& members, int64_t numel,
          const std::unordered_set<const Storage*>& internal, Plan::Fused& report) {
  auto chain = std::make_shared<Chain>();
  chain->numel = numel;
  // Last step of the chain that touches each internal storage: its slot is free after it.
  std::unordered_map<const Storage*, size_t> last_use;
  for (size_t i : members)
    for (const Tensor& t : steps[i].tensors) last_use[t.storage().get()] = i;
  std::unordered_map<const Storage*, int> slot_of;
  std::unordered_map<const void*, int> memory_of;  // by TensorImpl
  bool slot_busy[kMaxSlots] = {};
  for (size_t i : members) {
    const Step& s = steps[i];
    const cpu::PointwiseSpan span = s.pointwise_row == detail::kCopyRow ? nullptr : cpu::pointwise_span(s.pointwise_row);
    Op op{span, s.tensors[1].dtype(), s.tensors[0].dtype(), static_cast<int>(s.tensors.size()), {}};
    auto place = [&](size_t k) {
      const Tensor& t = s.tensors[k];
      const Storage* st = t.storage().get();
      Arg& a = op.args[k];
      a.itemsize = static_cast<uint8_t>(t.itemsize());
      auto slot = slot_of.find(st);
      if (slot == slot_of.end() && k == 0 && internal.count(st)) {
        int free = 0;
        while (free < kMaxSlots && slot_busy[free]) ++free;
        if (free < kMaxSlots) {
          slot_busy[free] = true;
          slot = slot_of.emplace(st, free).first;
        }
      }
      if (slot != slot_of.end()) {
        a.kind = Arg::Slot;
        a.index = static_cast<int16_t>(slot->second);
        if (k == 0) report.bytes_not_written += numel * t.itemsize();
      } else {
        a.kind = t.is_contiguous() ? Arg::Dense : Arg::Scalar;
        auto [at, fresh] = memory_of.emplace(t.impl(), static_cast<int>(chain->memory.size()));
        if (fresh) chain->memory.push_back(t);
        a.index = static_cast<int16_t>(at->second);
      }
    };
    // Slots whose last use this is: before placing the output when an element has the output's
    // size (the in-place case, o[i] = f(a[i])); after it otherwise, as a wider output would
    // overwrite elements not read yet.
    auto free_last = [&](bool same_size) {
      for (const Tensor& t : s.tensors) {
        auto slot = slot_of.find(t.storage().get());
        if (slot != slot_of.end() && last_use[slot->first] == i && (t.itemsize() == s.tensors[0].itemsize()) == same_size)
          slot_busy[slot->second] = false;
      }
    };
    for (size_t k = 1; k < s.tensors.size(); ++k) place(k);
    free_last(true);
    place(0);
    free_last(false);
    chain->ops.push_back(op);
    report.ops.emplace_back(s.op);
  }
  report.numel = numel;
  std::vector<Tensor> tensors = chain->memory;
  Step fused;  // no writer: a fused step is never saved (export captures the graph unoptimized)
  fused.op = "fused pointwise";
  fused.tensors = std::move(tensors);
  fused.run = [chain] { chain->run(); };
  return fused;
}
}  // namespace

void fuse_pointwise(std::vector<Step>& steps, const std::unordered_set<const Storage*>& own,
                    const std::unordered_set<const Storage*>& pinned, Plan& plan) {
  // How many steps touch each storage: an intermediate is internal to a chain when all of them
  // are in it (and only the graph holds it).
  std::unordered_map<const Storage*, size_t> touches;
  for (const Step& s : steps) {
    std::unordered_set<const Storage*> seen;
    for (const Tensor& t : s.tensors)
      if (seen.insert(t.storage().get()).second) ++touches[t.storage().get()];
  }
  std::vector<Step> out;
  // The open chain: its steps, the steps hoisted above it, its uses and what it wrote and touched.
  std::vector<size_t> members, hoisted;
  std::unordered_map<const Storage*, Seen> seen;
  int64_t numel = 0;
  auto close = [&] {
    for (size_t h : hoisted) out.push_back(std::move(steps[h]));
    if (members.size() >= 2) {
      // Internal: only the graph holds it, no constant, every step touching it is in the chain,
      // and the chain writes it before reading it.
      std::unordered_map<const Storage*, size_t> inside;
      std::unordered_set<const Storage*> read_first;
      for (size_t i : members) {
        const std::vector<Tensor>& ts = steps[i].tensors;
        for (size_t k = 1; k < ts.size(); ++k)
          if (!inside.count(ts[k].storage().get())) read_first.insert(ts[k].storage().get());
        std::unordered_set<const Storage*> seen;
        for (const Tensor& t : ts)
          if (seen.insert(t.storage().get()).second) ++inside[t.storage().get()];
      }
      std::unordered_set<const Storage*> internal;
      for (const auto& [st, n] : inside)
        if (own.count(st) && !pinned.count(st) && !read_first.count(st) && n == touches[st]) internal.insert(st);
      Plan::Fused report;
      out.push_back(fuse(steps, members, numel, internal, report));
      plan.fused.push_back(std::move(report));
    } else {
      for (size_t i : members) out.push_back(std::move(steps[i]));
    }
    members.clear();
    hoisted.clear();
    seen.clear();
  };
  // A kernel between a chain's steps that neither reads what the chain wrote so far nor writes
  // what it touched can run before the chain (an unrelated GEMM). Effects, random draws and checks
  // stay in place.
  auto hoistable = [&](const Step& s) {
    if (members.empty() || s.effect || s.keep) return false;
    const size_t writes = s.writes_first_only ? 1 : s.tensors.size();
    for (size_t k = 0; k < s.tensors.size(); ++k) {
      const Storage* st = s.tensors[k].storage().get();
      auto at = seen.find(st);
      if (at != seen.end() && (at->second.written || k < writes)) return false;
    }
    return true;
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    int64_t n = 0;
    std::vector<Use> uses = uses_of(steps[i], n);
    bool joins = !uses.empty() && (members.empty() || (n == numel && members.size() < kMaxChain));
    for (const Use& u : uses) {
      auto at = seen.find(u.storage);
      joins = joins && (at == seen.end() || at->second.admits(u));
    }
    // A one-element step (a Python scalar's conversion) is not worth a chain of its own either.
    if (!joins && (uses.empty() || n == 1) && hoistable(steps[i])) {
      hoisted.push_back(i);
      continue;
    }
    if (!joins) close();
    if (uses.empty()) {
      out.push_back(std::move(steps[i]));
      continue;
    }
    numel = n;
    members.push_back(i);
    for (const Use& u : uses) seen.try_emplace(u.storage, Seen{u}).first->second.add(u);
  }
  close();
  steps = std::move(out);
}

}  // namespace ember::graph
