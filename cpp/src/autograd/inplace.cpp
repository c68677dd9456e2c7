// In-place ops under autograd. The new value is computed out of place (from a copy of the old
// one when the op's backward keeps it, so that it stays intact), written into the tensor's
// memory, and the tensor takes over the new history. A write through a view also rewrites the history of the base
// (CopySlices): the base's gradient outside the view goes to its old history, the part inside
// to the new value's. Other views of the base notice the version change and rebuild theirs.
#include <algorithm>

#include "autograd/graph.h"
#include "autograd/record.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember::autograd {

namespace {
/// For each element of `view`, its position in the row-major order of `base` (int64, view's shape).
/// The base may have any layout without overlap: a storage offset is turned back into the base's
/// index by taking its dims from the largest stride down.
Tensor view_offsets(const Tensor& view, const Tensor& base) {
  NoGradGuard no_grad;
  Tensor off = full({}, view.offset() - base.offset(), DType::Int64);
  for (int64_t d = 0; d < view.dim(); ++d) {
    Shape s(view.dim(), 1);
    s[d] = view.sizes()[d];
    off = add(off, mul(reshape(arange(0, view.sizes()[d]), s), scalar_tensor(view.strides()[d])));
  }
  off = contiguous(expand(off, view.sizes()));
  if (base.is_contiguous()) return off;
  Dims order(base.dim());
  for (int64_t d = 0; d < base.dim(); ++d) order[d] = d;
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return base.strides()[a] > base.strides()[b]; });
  const Shape row_major = contiguous_strides(base.sizes());
  Tensor pos = zeros(view.sizes(), DType::Int64);
  for (int64_t d : order) {
    if (base.sizes()[d] == 1) continue;
    Tensor idx = floor_divide(off, scalar_tensor(base.strides()[d]));
    off = sub(off, mul(idx, scalar_tensor(base.strides()[d])));
    pos = add(pos, mul(idx, scalar_tensor(row_major[d])));
  }
  return pos;
}

Tensor base_of(const Tensor& view) { return Tensor(view.impl()->view_base); }

bool overlaps(const Tensor& t) {
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.sizes()[d] > 1 && t.strides()[d] == 0) return true;
  return false;
}

void check_base_layout(const Tensor& base, const char* op) {
  EMBER_CHECK_RUNTIME(!overlaps(base), op, ": autograd does not support in-place writes through a view of a tensor "
                      "whose elements overlap in memory (shape ", shape_str(base.sizes()), ", strides ",
                      shape_str(base.strides()), "); clone() it first");
}

/// retain_grad() follows a tensor to its new history after an in-place op.
void move_retained(const Tensor& x, const std::shared_ptr<Node>& old_fn) {
  if (!x.impl()->autograd) return;
  AutogradMeta& m = *x.impl()->autograd;
  if (!m.retains_grad || !old_fn || !m.grad_fn || old_fn == m.grad_fn) return;
  auto& r = old_fn->retained;
  r.erase(std::remove_if(r.begin(), r.end(), [&](const auto& e) { return e.second.lock() == x.impl_ptr(); }), r.end());
  m.grad_fn->retained.emplace_back(m.output_nr, x.impl_ptr());
}

/// Records `view`'s history as the part of its base's that it covers.
void record_view_from_base(const Tensor& view, const Tensor& base) {
  Tensor offs = view_offsets(view, base);
  const Shape base_sizes = base.sizes();
  record("AsStridedBackward0", {view}, {base}, {}, [offs, base_sizes](const Tensors& g, const Tensors&) {
    // Elements the view repeats (expand) add up.
    Tensor flat = zeros({numel_of(base_sizes)}, g[0].dtype());
    return Tensors{reshape(scatter_add(flat, 0, reshape(offs, {-1}), reshape(g[0], {-1})), base_sizes)};
  });
}
}  // namespace

void refresh_view(const Tensor& view) {
  auto& meta = view.impl()->autograd;
  if (!meta) meta = std::make_shared<AutogradMeta>();
  const std::shared_ptr<Node> old_fn = meta->grad_fn;
  view.impl()->view_version = view.storage()->version.load(std::memory_order_relaxed);
  Tensor base = base_of(view);
  if (!requires_grad_fast(base)) return;
  check_base_layout(base, "autograd");
  record_view_from_base(view, base);
  move_retained(view, old_fn);
}

bool inplace_requires_grad(const Tensor& x, std::initializer_list<const Tensor*> others, const char* op) {
  if (!state::grad_enabled) return false;
  const bool self = requires_grad_fast(x);
  bool any = self;
  for (const Tensor* t : others) any = any || (t && t->defined() && requires_grad_fast(*t));
  const bool base_requires = x.is_view() && requires_grad_fast(base_of(x));
  if (!any && !base_requires) return false;
  if (!is_floating(x.dtype())) return false;  // an integer or bool tensor takes the values, never a gradient
  EMBER_CHECK_RUNTIME(!x.impl()->view_without_grad, op, ": a view was created in no_grad mode and is being modified "
                      "inplace with grad mode enabled; the base's gradient would miss the change. Take the view with "
                      "grad mode on, or do the in-place op under no_grad too.");
  EMBER_CHECK_RUNTIME(!(self && is_leaf(x)), op, ": a leaf Variable that requires grad is being used in an in-place "
                      "operation.");
  EMBER_CHECK_RUNTIME(!(base_requires && is_leaf(base_of(x))), op, ": a view of a leaf Variable that requires grad is "
                      "being used in an in-place operation.");
  if (x.is_view()) check_base_layout(base_of(x), op);
  return true;
}

Tensor& apply_inplace(Tensor& x, const char* op, const std::function<Tensor(const Tensor&)>& compute, bool keeps_old) {
  const Edge old_edge = gradient_edge(x);  // (a stale view's history is rebuilt here)
  // The old value enters compute with x's history: a copy when compute's backward keeps it
  // (x is about to be overwritten), else a second handle on x's memory.
  Tensor old = keeps_old ? clone(x) : detach(x);
  if (!keeps_old && old_edge.fn) {
    AutogradMeta& m = *(old.impl()->autograd = std::make_shared<AutogradMeta>());
    m.requires_grad = true;
    m.grad_fn = old_edge.fn;
    m.output_nr = old_edge.input_nr;
  }
  Tensor r = compute(old);
  if (r.dtype() != x.dtype()) r = to_dtype(r, x.dtype());
  if (r.sizes() != x.sizes()) r = expand(r, x.sizes());
  if (!requires_grad_fast(r) && old_edge.fn) {
    // A value owing nothing to the old one (fill_, copy_ of a constant): x still requires grad
    // and its old history receives zeros, as PyTorch's.
    Tensor constant = detach(r);
    record(backward_name(op).c_str(), {constant}, {old}, {}, [sizes = x.sizes()](const Tensors& g, const Tensors&) {
      return Tensors{zeros(sizes, g[0].dtype())};
    });
    r = constant;
  }
  call_kernel(x.device(), op, cpu::copy, x, r);
  x.bump_version();
  if (!x.is_view()) {
    AutogradMeta* rm = r.impl()->autograd.get();
    if (!rm || !rm->grad_fn) return x;  // nothing required grad before or after
    AutogradMeta& m = *(x.impl()->autograd ? x.impl()->autograd : (x.impl()->autograd = std::make_shared<AutogradMeta>()));
    m.requires_grad = true;
    m.grad_fn = rm->grad_fn;
    m.output_nr = rm->output_nr;
    move_retained(x, old_edge.fn);
    return x;
  }
  // CopySlices: the base's gradient outside the view goes to its old history, inside to r's.
  Tensor base = base_of(x);
  Tensor offs = view_offsets(x, base);
  const Shape base_sizes = base.sizes();
  auto node = std::make_shared<FunctionNode>("CopySlices", [offs, base_sizes](const Tensors& g, const Tensors&) {
    Tensor flat = reshape(g[0], {-1}), idx = reshape(offs, {-1});
    Tensor outside = scatter(flat, 0, idx, zeros({idx.numel()}, g[0].dtype()));
    return Tensors{reshape(outside, base_sizes), reshape(gather(flat, 0, idx), offs.sizes())};
  });
  connect(node, {}, {base, r});
  node->output_meta.push_back({base.sizes(), base.dtype()});
  AutogradMeta& bm = *(base.impl()->autograd ? base.impl()->autograd
                                              : (base.impl()->autograd = std::make_shared<AutogradMeta>()));
  bm.requires_grad = true;
  bm.grad_fn = node;
  bm.output_nr = 0;
  record_view_from_base(x, base);
  move_retained(x, old_edge.fn);
  return x;
}

}  // namespace ember::autograd
