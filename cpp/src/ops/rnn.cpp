// Recurrent cells and layers: the checks, the buffers the kernels fill (cpu/rnn.cpp), and one
// autograd node per call whose backward runs the kernels' backward through time. A cell is a layer
// of one step. The same recurrence written with ember ops (rnn_ops) is the reference the kernels
// follow, and what the backward differentiates when a graph of the gradient is asked for
// (create_graph=True), so double backward works too, at the ops' speed.
#include "autograd/record.h"
#include "ember/ops.h"
#include "kernels.h"

namespace ember {

namespace {
using cpu::RnnGeom;
using cpu::RnnMode;

RnnMode mode_of(const std::string& mode) {
  if (mode == "LSTM") return RnnMode::Lstm;
  if (mode == "GRU") return RnnMode::Gru;
  if (mode == "RNN_TANH") return RnnMode::Tanh;
  EMBER_CHECK(mode == "RNN_RELU", "rnn_layer: unknown mode '", mode, "' (expected 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU')");
  return RnnMode::Relu;
}

const char* node_name(RnnMode mode, bool cell) {
  switch (mode) {
    case RnnMode::Lstm: return cell ? "LstmCellBackward0" : "LstmBackward0";
    case RnnMode::Gru: return cell ? "GruCellBackward0" : "GruBackward0";
    case RnnMode::Tanh: return cell ? "RnnTanhCellBackward0" : "RnnTanhBackward0";
    case RnnMode::Relu: break;
  }
  return cell ? "RnnReluCellBackward0" : "RnnReluBackward0";
}

void check_shape(const char* op, const char* what, const Tensor& t, const Shape& want) {
  EMBER_CHECK_RUNTIME(t.sizes() == want, op, ": expected ", what, " of shape ", shape_str(want), ", got ",
                      shape_str(t.sizes()));
}

/// The weights' and biases' shapes and dtypes against the geometry.
void check_parameters(const char* op, const RnnGeom& g, DType dtype, const Tensor& w_ih, const Tensor& w_hh,
                      const Tensor& b_ih, const Tensor& b_hh, const Tensor& w_hr) {
  const std::pair<const Tensor*, const char*> all[] = {
      {&w_ih, "weight_ih"}, {&w_hh, "weight_hh"}, {&b_ih, "bias_ih"}, {&b_hh, "bias_hh"}, {&w_hr, "weight_hr"}};
  for (const auto& [t, what] : all)
    EMBER_CHECK_TYPE(!t->defined() || t->dtype() == dtype, op, ": expected input and ", what,
                     " to have the same dtype, but got ", dtype_name(dtype), " and ", dtype_name(t->dtype()));
  EMBER_CHECK_RUNTIME(w_ih.defined() && w_hh.defined(), op, ": weight_ih and weight_hh are required");
  check_shape(op, "weight_ih", w_ih, {g.gates(), g.input});
  check_shape(op, "weight_hh", w_hh, {g.gates(), g.out()});
  if (b_ih.defined()) check_shape(op, "bias_ih", b_ih, {g.gates()});
  if (b_hh.defined()) check_shape(op, "bias_hh", b_hh, {g.gates()});
  if (g.proj > 0) check_shape(op, "weight_hr", w_hr, {g.proj, g.hidden});
}

/// The recurrence written with ember ops, step by step over the packed rows: (output, h_n, c_n)
/// as the kernels compute them (a cell: (h', c')).
Tensors rnn_ops(const RnnGeom& g, const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& w_ih,
                const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh, const Tensor& w_hr, bool cell) {
  const int64_t H = g.hidden, B = g.batch;
  const auto T = static_cast<int64_t>(g.batch_sizes.size());
  std::vector<int64_t> offset(T, 0);
  for (int64_t t = 1; t < T; ++t) offset[t] = offset[t - 1] + g.batch_sizes[t - 1];
  auto gate = [H](const Tensor& a, int64_t k) { return narrow(a, 1, k * H, H); };
  Tensor h = h0, c = c0;
  std::vector<Tensor> outs(T);
  for (int64_t k = 0; k < T; ++k) {
    const int64_t t = g.reverse ? T - 1 - k : k, b = g.batch_sizes[t];
    const Tensor hp = narrow(h, 0, 0, b);
    const Tensor gi = linear(narrow(x, 0, offset[t], b), w_ih, b_ih), gh = linear(hp, w_hh, b_hh);
    Tensor hn, cn;
    if (g.mode == RnnMode::Lstm) {
      const Tensor pre = add(gi, gh);
      cn = add(mul(sigmoid(gate(pre, 1)), narrow(c, 0, 0, b)), mul(sigmoid(gate(pre, 0)), tanh(gate(pre, 2))));
      hn = mul(sigmoid(gate(pre, 3)), tanh(cn));
      if (g.proj > 0) hn = linear(hn, w_hr);
    } else if (g.mode == RnnMode::Gru) {
      const Tensor r = sigmoid(add(gate(gi, 0), gate(gh, 0))), z = sigmoid(add(gate(gi, 1), gate(gh, 1)));
      const Tensor n = tanh(add(gate(gi, 2), mul(r, gate(gh, 2))));
      hn = add(n, mul(z, sub(hp, n)));
    } else {
      hn = g.mode == RnnMode::Tanh ? tanh(add(gi, gh)) : relu(add(gi, gh));
    }
    outs[t] = hn;
    h = b < B ? cat({hn, narrow(h, 0, b, B - b)}, 0) : hn;
    if (cn.defined()) c = b < B ? cat({cn, narrow(c, 0, b, B - b)}, 0) : cn;
  }
  const Tensor out = T > 0 ? cat(outs, 0) : narrow(h0, 0, 0, 0);
  if (cell) return g.mode == RnnMode::Lstm ? Tensors{out, c} : Tensors{out};
  return g.mode == RnnMode::Lstm ? Tensors{out, h, c} : Tensors{out, h};
}

/// Runs one direction of one layer and records its node. A cell records (h', c') only (its
/// output is its h_n).
Tensors run(const char* op, const RnnGeom& g, const Tensor& x_in, const Tensor& h0_in, const Tensor& c0_in,
            const Tensor& w_ih_in, const Tensor& w_hh_in, const Tensor& b_ih, const Tensor& b_hh,
            const Tensor& w_hr_in, bool cell) {
  const bool lstm = g.mode == RnnMode::Lstm, gru = g.mode == RnnMode::Gru;
  const int64_t N = g.rows(), B = g.batch, H = g.hidden, P = g.out(), G = g.gates();
  const bool rec = autograd::needs_grad({x_in, h0_in, c0_in, w_ih_in, w_hh_in, b_ih, b_hh, w_hr_in});
  const DType dt = x_in.dtype();
  Tensor out, h_n, c_n, x, h0, c0, w_ih, w_hh, w_hr, bi, bh;
  cpu::RnnWork work;
  {
    autograd::RecordingOff off(rec);
    x = contiguous(x_in), h0 = contiguous(h0_in), w_ih = contiguous(w_ih_in), w_hh = contiguous(w_hh_in);
    if (lstm) c0 = contiguous(c0_in);
    if (g.proj > 0) w_hr = contiguous(w_hr_in);
    if (b_ih.defined()) bi = contiguous(b_ih);
    if (b_hh.defined()) bh = contiguous(b_hh);
    out = Tensor::empty({N, P}, dt);
    h_n = cell ? out : Tensor::empty({B, P}, dt);
    if (lstm) c_n = Tensor::empty({B, H}, dt);
    work.gates = Tensor::empty({N, G}, dt);
    work.hprev = Tensor::empty({N, P}, dt);
    if (lstm) {
      work.cprev = Tensor::empty({N, H}, dt);
      work.tanh_c = Tensor::empty({N, H}, dt);
      if (g.proj > 0) work.hpre = Tensor::empty({N, H}, dt);
    }
    if (gru) work.hn = Tensor::empty({N, H}, dt);
    // A cell writes h' straight into its output (out and h_n share memory: B == N).
    call_kernel(x.device(), op, cpu::rnn_forward, g, out, h_n, c_n, work, x, h0, c0, w_ih, w_hh, bi, bh, w_hr);
  }
  Tensors outputs = cell ? Tensors{out} : Tensors{out, h_n};
  if (lstm) outputs.push_back(c_n);
  if (!rec) return outputs;
  // Which inputs want a gradient (saved non-leaves come back without history, so ask now).
  const Tensors inputs{x_in, h0_in, c0_in, w_ih_in, w_hh_in, b_ih, b_hh, w_hr_in};
  std::vector<bool> need;
  for (const Tensor& t : inputs) need.push_back(t.defined() && autograd::requires_grad(t));
  // Saved: the inputs as given (a graph of the gradient reaches them through their history), then
  // the kernels' work buffers.
  Tensors saved = inputs;
  for (const Tensor& t : {work.gates, work.hprev, work.cprev, work.tanh_c, work.hpre, work.hn}) saved.push_back(t);
  const std::string name = node_name(g.mode, cell);
  autograd::record(node_name(g.mode, cell), outputs, inputs, saved, [=](const Tensors& grads, const Tensors& s) {
    Tensors out(8);
    if (autograd::is_grad_enabled()) {  // a graph of the gradient: differentiate the ops' form
      Tensors wanted, grad_outputs;
      for (size_t k = 0; k < 8; ++k)
        if (need[k]) wanted.push_back(s[k]);
      const Tensors ys = rnn_ops(g, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], cell);
      Tensors gs = autograd::grad(ys, wanted, grads, true, true, true);
      for (size_t k = 0, i = 0; k < 8; ++k)
        if (need[k]) out[k] = gs[i++];
      return out;
    }
    const cpu::RnnWork w{s[8], s[9], s[10], s[11], s[12], s[13]};
    const Tensor dout = contiguous(grads[0]);
    const Tensor dh_n = cell ? zeros({B, P}, dt) : contiguous(grads[1]);
    const Tensor dc_n = lstm ? contiguous(grads[cell ? 1 : 2]) : Tensor();
    const Tensor x0 = contiguous(s[0]), wi = contiguous(s[3]), wh = contiguous(s[4]);
    const Tensor wr = s[7].defined() ? contiguous(s[7]) : Tensor();
    cpu::RnnGrads d;
    if (need[0]) d.dx = Tensor::empty(x0.sizes(), dt);
    if (need[1]) d.dh0 = Tensor::empty({B, P}, dt);
    if (need[2]) d.dc0 = Tensor::empty({B, H}, dt);
    if (need[3]) d.dw_ih = Tensor::empty(wi.sizes(), dt);
    if (need[4]) d.dw_hh = Tensor::empty(wh.sizes(), dt);
    if (need[5]) d.db_ih = Tensor::empty({G}, dt);
    if (need[6]) d.db_hh = Tensor::empty({G}, dt);
    if (need[7]) d.dw_hr = Tensor::empty(wr.sizes(), dt);
    call_kernel(x0.device(), name.c_str(), cpu::rnn_backward, g, d, dout, dh_n, dc_n, w, x0, wi, wh, wr);
    return Tensors{d.dx, d.dh0, d.dc0, d.dw_ih, d.dw_hh, d.db_ih, d.db_hh, d.dw_hr};
  });
  return outputs;
}

void check_float(const char* op, const Tensor& x) {
  EMBER_CHECK_TYPE(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, op,
                   ": expected a float32 or float64 input, got ", dtype_name(x.dtype()));
}

/// A cell's checks (PyTorch's messages), then the one-step layer.
Tensors cell(const char* op, RnnMode mode, const Tensor& x, const Tensor& hx, const Tensor& cx, const Tensor& w_ih,
             const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  check_float(op, x);
  EMBER_CHECK_RUNTIME(x.dim() == 2, op, ": expected input of 2 dims (batch, input_size), got ", shape_str(x.sizes()));
  EMBER_CHECK_RUNTIME(w_ih.defined() && w_ih.dim() == 2 && w_hh.defined() && w_hh.dim() == 2, op,
                      ": expected 2-D weight_ih and weight_hh");
  const int64_t per = mode == RnnMode::Lstm ? 4 : mode == RnnMode::Gru ? 3 : 1;
  EMBER_CHECK_RUNTIME(w_ih.sizes()[0] % per == 0, op, ": expected weight_ih with a multiple of ", per, " rows, got ",
                      shape_str(w_ih.sizes()));
  const int64_t B = x.sizes()[0], I = w_ih.sizes()[1], H = w_ih.sizes()[0] / per;
  EMBER_CHECK_RUNTIME(x.sizes()[1] == I, op, ": input has inconsistent input_size: got ", x.sizes()[1], " expected ",
                      I, " (input ", shape_str(x.sizes()), ", weight_ih ", shape_str(w_ih.sizes()), ")");
  const std::pair<const Tensor*, const char*> states[] = {{&hx, "hx"}, {&cx, "cx"}};
  for (const auto& [t, what] : states) {
    if (!t->defined()) continue;
    EMBER_CHECK_RUNTIME(t->dim() == 2 && t->sizes()[0] == B, op, ": input batch size ", B, " doesn't match ", what,
                        " batch size (input ", shape_str(x.sizes()), ", ", what, " ", shape_str(t->sizes()), ")");
    EMBER_CHECK_RUNTIME(t->sizes()[1] == H, op, ": ", what, " has inconsistent hidden_size: got ", t->sizes()[1],
                        ", expected ", H);
    EMBER_CHECK_TYPE(t->dtype() == x.dtype(), op, ": expected input and ", what, " to have the same dtype, but got ",
                     dtype_name(x.dtype()), " and ", dtype_name(t->dtype()));
  }
  EMBER_CHECK_RUNTIME(hx.defined() && (mode != RnnMode::Lstm || cx.defined()), op, ": the hidden state is required");
  const RnnGeom g{mode, I, H, 0, B, {B}, false};
  check_parameters(op, g, x.dtype(), w_ih, w_hh, b_ih, b_hh, Tensor());
  return run(op, g, x, hx, cx, w_ih, w_hh, b_ih, b_hh, Tensor(), true);
}
}  // namespace

Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh) {
  return cell("rnn_tanh_cell", RnnMode::Tanh, input, hx, Tensor(), w_ih, w_hh, b_ih, b_hh)[0];
}

Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh) {
  return cell("rnn_relu_cell", RnnMode::Relu, input, hx, Tensor(), w_ih, w_hh, b_ih, b_hh)[0];
}

std::pair<Tensor, Tensor> lstm_cell(const Tensor& input, const Tensor& hx, const Tensor& cx, const Tensor& w_ih,
                                    const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  Tensors r = cell("lstm_cell", RnnMode::Lstm, input, hx, cx, w_ih, w_hh, b_ih, b_hh);
  return {r[0], r[1]};
}

Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                const Tensor& b_hh) {
  return cell("gru_cell", RnnMode::Gru, input, hx, Tensor(), w_ih, w_hh, b_ih, b_hh)[0];
}

std::tuple<Tensor, Tensor, Tensor> rnn_layer(const std::string& mode_name, const Tensor& data,
                                             const std::vector<int64_t>& batch_sizes, const Tensor& h0,
                                             const Tensor& c0, const Tensor& w_ih, const Tensor& w_hh,
                                             const Tensor& b_ih, const Tensor& b_hh, const Tensor& w_hr,
                                             bool reverse) {
  const char* op = "rnn_layer";
  const RnnMode mode = mode_of(mode_name);
  check_float(op, data);
  EMBER_CHECK_RUNTIME(data.dim() == 2, op, ": expected packed data of 2 dims (rows, input_size), got ",
                      shape_str(data.sizes()));
  int64_t rows = 0;
  for (size_t t = 0; t < batch_sizes.size(); ++t) {
    EMBER_CHECK_RUNTIME(batch_sizes[t] >= 1 && (t == 0 || batch_sizes[t] <= batch_sizes[t - 1]), op,
                        ": batch_sizes must be positive and non-increasing, got ", shape_str(batch_sizes));
    rows += batch_sizes[t];
  }
  EMBER_CHECK_RUNTIME(rows == data.sizes()[0], op, ": batch_sizes ", shape_str(batch_sizes), " sum to ", rows,
                      " rows, but the data has ", data.sizes()[0]);
  EMBER_CHECK_RUNTIME(w_ih.defined() && w_ih.dim() == 2 && w_hh.defined() && w_hh.dim() == 2, op,
                      ": expected 2-D weight_ih and weight_hh");
  EMBER_CHECK_RUNTIME(!w_hr.defined() || w_hr.dim() == 2, op, ": expected a 2-D weight_hr, got ", shape_str(w_hr.sizes()));
  const int64_t proj = w_hr.defined() ? w_hr.sizes()[0] : 0;
  // The hidden size from weight_ih's rows (gates x hidden), so a weight_hh of another shape is the one named.
  const int64_t per = mode == RnnMode::Lstm ? 4 : mode == RnnMode::Gru ? 3 : 1;
  EMBER_CHECK_RUNTIME(w_ih.sizes()[0] % per == 0, op, ": expected weight_ih with a multiple of ", per,
                      " rows for ", mode_name, ", got ", shape_str(w_ih.sizes()));
  const int64_t hidden = w_ih.sizes()[0] / per;
  const int64_t B = h0.defined() && h0.dim() == 2 ? h0.sizes()[0] : 0;
  const RnnGeom g{mode, data.sizes()[1], hidden, proj, batch_sizes.empty() ? B : batch_sizes[0], batch_sizes, reverse};
  EMBER_CHECK_RUNTIME(mode == RnnMode::Lstm || proj == 0, op, ": a projection (weight_hr) is for LSTM only");
  EMBER_CHECK_RUNTIME(w_ih.sizes()[1] == g.input, op, ": input.size(-1) must be equal to input_size. Expected ",
                      w_ih.sizes()[1], ", got ", g.input);
  check_parameters(op, g, data.dtype(), w_ih, w_hh, b_ih, b_hh, w_hr);
  EMBER_CHECK_RUNTIME(h0.defined(), op, ": h0 is required");
  check_shape(op, "h0", h0, {g.batch, g.out()});
  EMBER_CHECK_TYPE(h0.dtype() == data.dtype(), op, ": expected input and h0 to have the same dtype, but got ",
                   dtype_name(data.dtype()), " and ", dtype_name(h0.dtype()));
  if (mode == RnnMode::Lstm) {
    EMBER_CHECK_RUNTIME(c0.defined(), op, ": c0 is required for LSTM");
    check_shape(op, "c0", c0, {g.batch, hidden});
    EMBER_CHECK_TYPE(c0.dtype() == data.dtype(), op, ": expected input and c0 to have the same dtype, but got ",
                     dtype_name(data.dtype()), " and ", dtype_name(c0.dtype()));
  }
  Tensors r = run(op, g, data, h0, mode == RnnMode::Lstm ? c0 : Tensor(), w_ih, w_hh, b_ih, b_hh, w_hr, false);
  return {r[0], r[1], r.size() > 2 ? r[2] : Tensor()};
}

}  // namespace ember
