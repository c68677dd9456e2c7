// Contractions built on the matrix products: einsum, tensordot, inner, vdot, and the scaled sums
// addmm / addmv / addr / baddbmm / addbmm. Composites of ember ops: their gradients (and double
// gradients) come from the ops they are made of, and the products run on BLAS.
#include <algorithm>
#include <array>
#include <string>

#include "ember/ops.h"
#include "ops/inplace.h"

namespace ember {

namespace {
constexpr int kLetters = 52;  // A-Z, a-z; ellipsis dims get the labels after them

int label_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
  return -1;
}
char letter_of(int l) { return l < 26 ? static_cast<char>('A' + l) : static_cast<char>('a' + l - 26); }

/// One operand of einsum while it is contracted: the tensor and the label of each of its dims.
struct Labeled {
  Tensor t;
  std::vector<int> labels;
};

Dims dims_of(const std::vector<int>& labels, const std::vector<int>& which) {
  Dims d;
  for (int l : which) d.push_back(std::find(labels.begin(), labels.end(), l) - labels.begin());
  return d;
}

/// Sums the dims whose label is not in keep.
Labeled sum_unkept(Labeled x, const std::vector<bool>& keep) {
  Dims drop;
  std::vector<int> rest;
  for (size_t i = 0; i < x.labels.size(); ++i) {
    if (keep[x.labels[i]]) rest.push_back(x.labels[i]);
    else drop.push_back(static_cast<int64_t>(i));
  }
  if (drop.empty()) return x;
  return {sum(x.t, drop), rest};
}

/// A repeated label within one operand takes the diagonal (masked by the identity and summed,
/// which differentiates as any product).
Labeled take_diagonals(Labeled x) {
  for (size_t p = 0; p < x.labels.size(); ++p) {
    for (size_t q = p + 1; q < x.labels.size();) {
      if (x.labels[q] != x.labels[p]) {
        ++q;
        continue;
      }
      const int64_t n = x.t.sizes()[p];
      EMBER_CHECK(x.t.sizes()[q] == n, "einsum(): subscript ", letter_of(x.labels[p] % kLetters),
                  " is repeated for an operand but the sizes don't match, ", n, " != ", x.t.sizes()[q]);
      Shape mshape(x.t.dim(), 1);
      mshape[p] = mshape[q] = n;
      const DType dt = x.t.dtype();
      Tensor masked = mul(x.t, reshape(eye(n, n, dt == DType::Bool ? DType::Bool : dt), mshape));
      x.t = sum(masked, Dims{static_cast<int64_t>(q)});
      if (!is_floating(dt)) x.t = to_dtype(x.t, dt);
      x.labels.erase(x.labels.begin() + static_cast<int64_t>(q));
    }
  }
  return x;
}

/// a and b contracted into one operand keeping the labels in keep: labels of both that are kept
/// become bmm's batch, those of both that are not its inner dim, the others its rows and columns.
Labeled contract_pair(Labeled a, Labeled b, const std::vector<bool>& keep, const std::vector<int64_t>& size) {
  auto has = [](const Labeled& x, int l) { return std::find(x.labels.begin(), x.labels.end(), l) != x.labels.end(); };
  std::vector<bool> keep_a = keep, keep_b = keep;
  for (int l : b.labels) keep_a[l] = true;
  for (int l : a.labels) keep_b[l] = true;
  a = sum_unkept(a, keep_a);
  b = sum_unkept(b, keep_b);
  std::vector<int> batch, free_a, free_b, inner;
  for (int l : a.labels) (has(b, l) ? (keep[l] ? batch : inner) : free_a).push_back(l);
  for (int l : b.labels)
    if (!has(a, l)) free_b.push_back(l);
  auto prod_of = [&](const std::vector<int>& ls) {
    int64_t p = 1;
    for (int l : ls) p *= size[l];
    return p;
  };
  auto arranged = [&](const Labeled& x, std::vector<int> order) {
    Shape full;
    for (int l : order) full.push_back(size[l]);
    return expand(permute(x.t, dims_of(x.labels, order)), full);
  };
  std::vector<int> order_a = batch, order_b = batch;
  order_a.insert(order_a.end(), free_a.begin(), free_a.end());
  order_a.insert(order_a.end(), inner.begin(), inner.end());
  order_b.insert(order_b.end(), inner.begin(), inner.end());
  order_b.insert(order_b.end(), free_b.begin(), free_b.end());
  // bool counts in int64 (einsum casts the result back: any product is true).
  const DType promoted = result_type(a.t, b.t), dt = promoted == DType::Bool ? DType::Int64 : promoted;
  Tensor a3 = reshape(to_dtype(arranged(a, order_a), dt), {prod_of(batch), prod_of(free_a), prod_of(inner)});
  Tensor b3 = reshape(to_dtype(arranged(b, order_b), dt), {prod_of(batch), prod_of(inner), prod_of(free_b)});
  Labeled out;
  out.labels = batch;
  out.labels.insert(out.labels.end(), free_a.begin(), free_a.end());
  out.labels.insert(out.labels.end(), free_b.begin(), free_b.end());
  Shape shape;
  for (int l : out.labels) shape.push_back(size[l]);
  out.t = reshape(bmm(a3, b3), shape);
  return out;
}
}  // namespace

Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  EMBER_CHECK(!operands.empty(), "einsum(): must provide at least one operand");
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq += c;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  // The subscripts of each operand: labels, with -1 where the ellipsis stands.
  std::vector<std::vector<int>> terms(1);
  for (size_t i = 0; i < lhs.size(); ++i) {
    if (lhs[i] == ',') {
      terms.emplace_back();
    } else if (lhs.compare(i, 3, "...") == 0) {
      EMBER_CHECK(std::count(terms.back().begin(), terms.back().end(), -1) == 0,
                  "einsum(): found more than one ellipsis (\"...\") in the subscripts for operand ", terms.size() - 1);
      terms.back().push_back(-1);
      i += 2;
    } else {
      EMBER_CHECK(label_of(lhs[i]) >= 0, "einsum(): invalid subscript given at index ", i, " in the equation string ",
                  "'", equation, "', subscripts must be in [a-zA-Z]");
      terms.back().push_back(label_of(lhs[i]));
    }
  }
  EMBER_CHECK(terms.size() == operands.size(), "einsum(): ",
              terms.size() < operands.size() ? "more operands were provided than specified in the equation"
                                             : "fewer operands were provided than specified in the equation",
              " (", terms.size(), " in '", equation, "', ", operands.size(), " given)");
  // Ellipsis dims align to the right across operands (they broadcast, as NumPy's).
  int64_t ell = 0;
  std::vector<Labeled> ops(operands.size());
  for (size_t i = 0; i < operands.size(); ++i) {
    const auto& term = terms[i];
    const bool has_ell = std::count(term.begin(), term.end(), -1) > 0;
    const int64_t letters = static_cast<int64_t>(term.size()) - (has_ell ? 1 : 0), nd = operands[i].dim();
    EMBER_CHECK(has_ell ? letters <= nd : letters == nd, "einsum(): the number of subscripts in the equation (",
                letters, ") ", has_ell ? "is more than" : "does not match", " the number of dimensions (", nd,
                ") for operand ", i, has_ell ? "" : " and no ellipsis was given");
    ell = std::max(ell, nd - letters);
  }
  std::vector<int64_t> size(kLetters + ell, 1);
  std::vector<int> count(kLetters + ell, 0);
  for (size_t i = 0; i < operands.size(); ++i) {
    const int64_t n_ell = operands[i].dim() - (static_cast<int64_t>(terms[i].size()) -
                                              (std::count(terms[i].begin(), terms[i].end(), -1) ? 1 : 0));
    ops[i].t = operands[i];
    for (int l : terms[i]) {
      if (l >= 0) ops[i].labels.push_back(l);
      else
        for (int64_t k = 0; k < n_ell; ++k) ops[i].labels.push_back(static_cast<int>(kLetters + ell - n_ell + k));
    }
    std::vector<int64_t> seen(kLetters + ell, -1);  // a label's size earlier in this operand
    for (size_t d = 0; d < ops[i].labels.size(); ++d) {
      const int l = ops[i].labels[d];
      const int64_t s = operands[i].sizes()[d];
      count[l] += 1;  // the implicit output keeps the labels written once in the whole equation
      EMBER_CHECK(seen[l] < 0 || seen[l] == s, "einsum(): subscript ", letter_of(l % kLetters),
                  " is repeated for operand ", i, " but the sizes don't match, ", seen[l], " != ", s);
      seen[l] = s;
      if (s == 1) continue;
      EMBER_CHECK(size[l] == 1 || size[l] == s, "einsum(): operands do not broadcast: ",
                  l < kLetters ? std::string("subscript ") + letter_of(l) : std::string("an ellipsis dim"),
                  " has size ", s, " for operand ", i, " ", shape_str(operands[i].sizes()), " and size ", size[l],
                  " elsewhere");
      size[l] = s;
    }
  }
  // The output's labels: as written after "->", or the ellipsis then the letters used once,
  // in label order (upper case first, as PyTorch's).
  std::vector<int> out_labels;
  if (arrow != std::string::npos) {
    const std::string rhs = eq.substr(arrow + 2);
    for (size_t i = 0; i < rhs.size(); ++i) {
      if (rhs.compare(i, 3, "...") == 0) {
        for (int64_t k = 0; k < ell; ++k) out_labels.push_back(static_cast<int>(kLetters + k));
        i += 2;
        continue;
      }
      const int l = label_of(rhs[i]);
      EMBER_CHECK(l >= 0, "einsum(): invalid subscript given at index ", arrow + 2 + i, " in the equation string '",
                  equation, "', subscripts must be in [a-zA-Z]");
      EMBER_CHECK(std::count(out_labels.begin(), out_labels.end(), l) == 0, "einsum(): output subscript ", rhs[i],
                  " appears more than once in the output");
      EMBER_CHECK(count[l] > 0, "einsum(): output subscript ", rhs[i],
                  " does not appear in the equation for any input operand");
      out_labels.push_back(l);
    }
  } else {
    for (int64_t k = 0; k < ell; ++k) out_labels.push_back(static_cast<int>(kLetters + k));
    for (int l = 0; l < kLetters; ++l)
      if (count[l] == 1) out_labels.push_back(l);
  }
  DType dt = operands[0].dtype();
  for (const Tensor& t : operands) dt = promote_types(dt, t.dtype());
  for (auto& op : ops) op = take_diagonals(op);
  // Left to right, as PyTorch's default path: a label stays while the output or a later operand has it.
  std::vector<bool> keep(kLetters + ell, false);
  for (int l : out_labels) keep[l] = true;
  Labeled acc = ops[0];
  for (size_t i = 1; i < ops.size(); ++i) {
    std::vector<bool> k = keep;
    for (size_t j = i + 1; j < ops.size(); ++j)
      for (int l : ops[j].labels) k[l] = true;
    acc = contract_pair(acc, ops[i], k, size);
  }
  acc = sum_unkept(acc, keep);
  Shape out_shape;
  for (int l : out_labels) out_shape.push_back(size[l]);
  // Sums of narrow integers and bools come back in int64: the result keeps the operands' dtype.
  Tensor out = to_dtype(permute(acc.t, dims_of(acc.labels, out_labels)), dt);
  return out.sizes() == out_shape ? out : contiguous(expand(out, out_shape));
}

Tensor tensordot(const Tensor& a, const Tensor& b, const Dims& dims_a, const Dims& dims_b) {
  EMBER_CHECK(dims_a.size() == dims_b.size(), "tensordot: both dimension lists should have the same length, got ",
              dims_a.size(), " and ", dims_b.size());
  auto wrap = [](int64_t d, int64_t n) {
    EMBER_CHECK_INDEX(d >= -n && d < std::max<int64_t>(n, 1) && n > 0, "tensordot: dimension ", d,
                      " out of range for a tensor of ", n, " dims");
    return d < 0 ? d + n : d;
  };
  std::vector<bool> in_a(a.dim(), false), in_b(b.dim(), false);
  Dims ca, cb;
  int64_t inner = 1;
  for (size_t i = 0; i < dims_a.size(); ++i) {
    const int64_t da = wrap(dims_a[i], a.dim()), db = wrap(dims_b[i], b.dim());
    EMBER_CHECK(a.sizes()[da] == b.sizes()[db], "tensordot: contracted dimensions need to match, but first has size ",
                a.sizes()[da], " in dim ", da, " and second has size ", b.sizes()[db], " in dim ", db, " (shapes ",
                shape_str(a.sizes()), " and ", shape_str(b.sizes()), ")");
    EMBER_CHECK(!in_a[da] && !in_b[db], "tensordot: a dimension is listed twice");
    in_a[da] = in_b[db] = true;
    ca.push_back(da);
    cb.push_back(db);
    inner *= a.sizes()[da];
  }
  Dims pa, pb = cb;
  Shape out_shape;
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (!in_a[d]) {
      pa.push_back(d);
      out_shape.push_back(a.sizes()[d]);
      rows *= a.sizes()[d];
    }
  pa.insert(pa.end(), ca.begin(), ca.end());
  for (int64_t d = 0; d < b.dim(); ++d)
    if (!in_b[d]) {
      pb.push_back(d);
      out_shape.push_back(b.sizes()[d]);
      cols *= b.sizes()[d];
    }
  return reshape(mm(reshape(permute(a, pa), {rows, inner}), reshape(permute(b, pb), {inner, cols})), out_shape);
}

Tensor tensordot(const Tensor& a, const Tensor& b, int64_t dims) {
  EMBER_CHECK(dims >= 0, "tensordot: expects dims >= 0, but got dims=", dims);
  EMBER_CHECK(dims <= a.dim() && dims <= b.dim(), "tensordot: expects dims <= the number of dims of both tensors, got ",
              dims, " for shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()));
  Dims da, db;
  for (int64_t i = 0; i < dims; ++i) {
    da.push_back(a.dim() - dims + i);
    db.push_back(i);
  }
  return tensordot(a, b, da, db);
}

Tensor inner(const Tensor& a, const Tensor& b) {
  if (a.dim() == 0 || b.dim() == 0) return mul(a, b);
  EMBER_CHECK(a.sizes().back() == b.sizes().back(), "inner: the last dimension must match on both input tensors but got ",
              "shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()));
  return tensordot(a, b, Dims{-1}, Dims{-1});
}

Tensor vdot(const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dim() == 1 && b.dim() == 1, "vdot: 1D tensors expected, but got shapes ", shape_str(a.sizes()),
              " and ", shape_str(b.sizes()));
  EMBER_CHECK_TYPE(a.dtype() == b.dtype(), "vdot: expected both vectors to have same dtype, but found ",
                   dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  EMBER_CHECK(a.numel() == b.numel(), "vdot: inconsistent tensor size, expected tensor ", shape_str(a.sizes()),
              " and ", shape_str(b.sizes()), " to have the same number of elements");
  return dot(a, b);
}

// ---- beta * input + alpha * product ------------------------------------------------------------
namespace {
/// beta or alpha as PyTorch's kernels read it: in the result's dtype, which must hold it; an integer
/// dtype truncates a float (addr alone refuses one), a float32 or 16-bit float rounds it (so 5e-324
/// is 0 there, and beta = 0 then ignores the input).
Scalar read_scalar(const char* op, DType dt, Scalar s, const char* name) {
  EMBER_CHECK_RUNTIME(is_floating(dt) || !s.is_floating() || std::string(op) != "addr", op,
                      ": for integral input tensors, argument ", name, " must not be a floating point number");
  check_fits(s, dt, op);
  if (is_floating(dt))
    return dt == DType::Float64 ? s : Scalar(scalar_tensor(s.to<double>(), dt).item<double>());
  return s.is_floating() ? Scalar(s.to<int64_t>()) : s;
}
/// beta * input + alpha * prod; input must broadcast to prod's shape; beta == 0 ignores input
/// (its NaNs included), as PyTorch's.
Tensor scaled_sum(const char* op, const Tensor& input, const Tensor& prod, Scalar beta, Scalar alpha) {
  EMBER_CHECK(broadcast_shapes(input.sizes(), prod.sizes(), op) == prod.sizes(), op, ": input of shape ",
              shape_str(input.sizes()), " cannot be broadcast to the product's shape ", shape_str(prod.sizes()));
  EMBER_CHECK_TYPE(input.dtype() == prod.dtype(), op, ": expected input and the matrices to have the same dtype, got ",
                   dtype_name(input.dtype()), " and ", dtype_name(prod.dtype()));
  beta = read_scalar(op, prod.dtype(), beta, "beta");
  alpha = read_scalar(op, prod.dtype(), alpha, "alpha");
  const Tensor p = alpha.to_double() == 1 ? prod : mul(prod, scalar_tensor(alpha));
  if (beta.to_double() == 0) return p;
  return add(beta.to_double() == 1 ? input : mul(input, scalar_tensor(beta)), p);
}

/// Whether input, a and b are all of one 16-bit float dtype (torch's kernels then round differently).
bool all_16bit_float(const Tensor& input, const Tensor& a, const Tensor& b) {
  const DType dt = input.dtype();
  return is_narrow(dt) && is_floating(dt) && a.dtype() == dt && b.dtype() == dt;
}

/// beta * input + alpha * (a @ b) of float16 or bfloat16 operands (one dtype): computed in float32
/// and rounded once, as torch's addmm and baddbmm kernels (rounding the product first, and each
/// scaled term, differed from torch's in most elements). An undefined tensor for other operands.
template <class F>
Tensor rounded_once(const char* op, const Tensor& input, const Tensor& a, const Tensor& b, Scalar beta, Scalar alpha,
                    F&& f) {
  if (!all_16bit_float(input, a, b)) return Tensor();
  const auto wide = [](const Tensor& t) { return to_dtype(t, DType::Float32); };
  // beta and alpha read (and range-checked) in float32, as torch's: float16 takes 3.4e38. The
  // product f (mm or bmm) in float32 is no BLAS call of torch's: alpha = 0 still multiplies.
  return to_dtype(scaled_sum(op, wide(input), f(wide(a), wide(b)), beta, alpha), input.dtype());
}
/// The product as torch's float32/float64 addmm, addmv and addbmm see it: they call BLAS, which
/// skips the product when alpha is 0 (its infs and NaNs included); its other kernels multiply.
Tensor blas_product(const Tensor& prod, Scalar alpha) {
  const bool blas = prod.dtype() == DType::Float32 || prod.dtype() == DType::Float64;
  // alpha in the dtype: a float32 BLAS takes 5e-324 as 0
  if (!blas || scalar_tensor(alpha.to_double(), prod.dtype()).item<double>() != 0) return prod;
  const Tensor z = zeros(prod.sizes(), prod.dtype());
  // through where, the matrices still get their (zero) gradients, as from torch's alpha * product
  return prod.requires_grad() ? where(ones(prod.sizes(), DType::Bool), z, prod) : z;
}
}  // namespace

Tensor addmm(const Tensor& input, const Tensor& mat1, const Tensor& mat2, Scalar beta, Scalar alpha) {
  EMBER_CHECK(mat1.dim() == 2 && mat2.dim() == 2, "addmm: mat1 and mat2 must be matrices, got shapes ",
              shape_str(mat1.sizes()), " and ", shape_str(mat2.sizes()));
  if (Tensor r = rounded_once("addmm", input, mat1, mat2, beta, alpha, mm); r.defined()) return r;
  return scaled_sum("addmm", input, blas_product(mm(mat1, mat2), alpha), beta, alpha);
}
Tensor addmv(const Tensor& input, const Tensor& mat, const Tensor& vec, Scalar beta, Scalar alpha) {
  if (all_16bit_float(input, mat, vec)) {
    const DType dt = input.dtype();
    // torch's gemv for 16-bit floats: y = beta * y rounded to the dtype, then y + alpha * (the
    // product in float32), rounded; beta and alpha in the dtype.
    const Tensor p = mv(to_dtype(mat, DType::Float32), to_dtype(vec, DType::Float32));
    const Tensor ap = mul(p, scalar_tensor(read_scalar("addmv", dt, alpha, "alpha")));
    EMBER_CHECK(broadcast_shapes(input.sizes(), p.sizes(), "addmv") == p.sizes(), "addmv: input of shape ",
                shape_str(input.sizes()), " cannot be broadcast to the product's shape ", shape_str(p.sizes()));
    beta = read_scalar("addmv", dt, beta, "beta");
    if (beta.to_double() == 0) return to_dtype(ap, dt);
    return to_dtype(add(to_dtype(mul(input, scalar_tensor(beta)), DType::Float32), ap), dt);
  }
  return scaled_sum("addmv", input, blas_product(mv(mat, vec), alpha), beta, alpha);
}
Tensor addr(const Tensor& input, const Tensor& vec1, const Tensor& vec2, Scalar beta, Scalar alpha) {
  EMBER_CHECK(vec1.dim() == 1 && vec2.dim() == 1, "addr: expected 1-D vectors, got shapes ", shape_str(vec1.sizes()),
              " and ", shape_str(vec2.sizes()));
  // The three dtypes promote to one, as torch's addr (a 0-d input counts as much as the vectors;
  // addmm and the others take one dtype only).
  const DType dt = promote_types(promote_types(input.dtype(), vec1.dtype()), vec2.dtype());
  // (alpha * vec1) * vec2 in that order, as torch's kernel: alpha = 0 makes an overflowing outer 0, not NaN.
  alpha = read_scalar("addr", dt, alpha, "alpha");
  const Tensor v1 = to_dtype(vec1, dt);
  const Tensor prod = outer(alpha.to_double() == 1 ? v1 : mul(v1, scalar_tensor(alpha)), to_dtype(vec2, dt));
  return scaled_sum("addr", to_dtype(input, dt), prod, beta, 1);
}
Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, Scalar beta, Scalar alpha) {
  if (Tensor r = rounded_once("baddbmm", input, batch1, batch2, beta, alpha, bmm); r.defined()) return r;
  return scaled_sum("baddbmm", input, bmm(batch1, batch2), beta, alpha);
}
Tensor addbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, Scalar beta, Scalar alpha) {
  if (all_16bit_float(input, batch1, batch2) && batch1.dim() == 3 && batch2.dim() == 3 &&
      batch1.sizes()[0] == batch2.sizes()[0] && batch1.sizes()[0] > 0 && batch1.sizes()[2] == batch2.sizes()[1]) {
    // torch's for 16-bit floats: one addmm per batch (each rounding once), beta on the first only.
    Tensor r = input;
    for (int64_t i = 0; i < batch1.sizes()[0]; ++i)
      r = addmm(r, select(batch1, 0, i), select(batch2, 0, i), i == 0 ? beta : Scalar(1), alpha);
    return r;
  }
  const Tensor p = bmm(batch1, batch2);
  return scaled_sum("addbmm", input, blas_product(sum(p, Dims{0}, false, p.dtype()), alpha), beta, alpha);
}

#define EMBER_SCALED_SUM_INPLACE(name)                                                                   \
  Tensor& name##_(Tensor& x, const Tensor& a, const Tensor& b, Scalar beta, Scalar alpha) {               \
    return assign_composite(x, #name "_", {&a, &b}, [&](const Tensor& old) { return name(old, a, b, beta, alpha); }); \
  }
EMBER_SCALED_SUM_INPLACE(addmm)
EMBER_SCALED_SUM_INPLACE(addmv)
EMBER_SCALED_SUM_INPLACE(addr)
EMBER_SCALED_SUM_INPLACE(baddbmm)
EMBER_SCALED_SUM_INPLACE(addbmm)
#undef EMBER_SCALED_SUM_INPLACE

}  // namespace ember
