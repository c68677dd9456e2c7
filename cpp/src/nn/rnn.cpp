// Recurrent cells and layers: parameters, PyTorch's input checks and batching, and the loop over
// layers and directions (each one ember::rnn_layer call over the whole sequence).
#include "ember/nn/rnn.h"

#include <cmath>

#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/ops.h"

namespace ember::nn {

namespace {
DType floating_dtype(const std::optional<DType>& dtype, const std::string& layer) {
  const DType dt = dtype.value_or(default_dtype());
  EMBER_CHECK_TYPE(dt == DType::Float32 || dt == DType::Float64, layer, ": dtype must be float32 or float64, got ",
                   dtype_name(dt));
  return dt;
}

/// "[2, 3, 20]": a size as PyTorch's messages print list(t.size()).
std::string list_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}
std::string tuple_str(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

void uniform_all(Module& m, int64_t hidden_size) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  for (Tensor p : m.parameters(false)) init::uniform_(p, -bound, bound);
}
}  // namespace

// ---- cells ----------------------------------------------------------------------------------

void RNNCellBase::make_parameters(int64_t input_size, int64_t hidden_size, bool bias, int64_t gates,
                                  const std::optional<DType>& dtype) {
  input_size_ = input_size, hidden_size_ = hidden_size;
  const DType dt = floating_dtype(dtype, type_name());
  register_parameter("weight_ih", empty({gates * hidden_size, input_size}, dt));
  register_parameter("weight_hh", empty({gates * hidden_size, hidden_size}, dt));
  register_parameter("bias_ih", bias ? empty({gates * hidden_size}, dt) : Tensor());
  register_parameter("bias_hh", bias ? empty({gates * hidden_size}, dt) : Tensor());
  reset_parameters();
}

void RNNCellBase::reset_parameters() { uniform_all(*this, hidden_size_); }

Tensor RNNCellBase::batched_input(const Tensor& input, bool& batched) const {
  EMBER_CHECK(input.dim() == 1 || input.dim() == 2, type_name(), ": Expected input to be 1D or 2D, got ", input.dim(),
              "D instead");
  batched = input.dim() == 2;
  EMBER_CHECK_RUNTIME(input.sizes().back() == input_size_, describe(), ": input has inconsistent input_size: got ",
                      input.sizes().back(), " expected ", input_size_, " (input ", shape_str(input.sizes()), ")");
  return batched ? input : unsqueeze(input, 0);
}

Tensor RNNCellBase::batched_state(const Tensor& state, const Tensor& input, bool batched, const char* what) const {
  if (!state.defined()) return zeros({input.sizes()[0], hidden_size_}, input.dtype());
  EMBER_CHECK(state.dim() == 1 || state.dim() == 2, type_name(), ": Expected ", what, " to be 1D or 2D, got ",
              state.dim(), "D instead");
  EMBER_CHECK_RUNTIME(state.dim() == (batched ? 2 : 1), describe(), ": expected ", what, " of ", batched ? 2 : 1,
                      " dims for input ", shape_str(input.sizes()), ", got ", shape_str(state.sizes()));
  return batched ? state : unsqueeze(state, 0);
}

namespace {
Tensor unbatch(const Tensor& t, bool batched) { return batched ? t : squeeze(t, Dims{0}); }
}  // namespace

RNNCell::RNNCell(RNNCellOptions o) : Layer("RNNCell", std::move(o)) {
  make_parameters(options.input_size, options.hidden_size, options.bias, 1, options.dtype);
}

Tensor RNNCell::forward(const Tensor& input, const Tensor& hx) {
  bool batched = true;
  const Tensor x = batched_input(input, batched);
  const Tensor h = batched_state(hx, batched ? x : x, batched, "hidden");
  auto cell = options.nonlinearity == "relu" ? &rnn_relu_cell : &rnn_tanh_cell;
  EMBER_CHECK_RUNTIME(options.nonlinearity == "tanh" || options.nonlinearity == "relu",
                      "Unknown nonlinearity: ", options.nonlinearity);
  return unbatch(cell(x, h, required_parameter("weight_ih"), required_parameter("weight_hh"), parameter("bias_ih"),
                      parameter("bias_hh")),
                 batched);
}

LSTMCell::LSTMCell(LSTMCellOptions o) : Layer("LSTMCell", std::move(o)) {
  make_parameters(options.input_size, options.hidden_size, options.bias, 4, options.dtype);
}

std::pair<Tensor, Tensor> LSTMCell::forward(const Tensor& input, const Tensor& hx, const Tensor& cx) {
  bool batched = true;
  const Tensor x = batched_input(input, batched);
  const Tensor h = batched_state(hx, x, batched, "hx[0]"), c = batched_state(cx, x, batched, "hx[1]");
  auto [h1, c1] = lstm_cell(x, h, c, required_parameter("weight_ih"), required_parameter("weight_hh"),
                            parameter("bias_ih"), parameter("bias_hh"));
  return {unbatch(h1, batched), unbatch(c1, batched)};
}

GRUCell::GRUCell(GRUCellOptions o) : Layer("GRUCell", std::move(o)) {
  make_parameters(options.input_size, options.hidden_size, options.bias, 3, options.dtype);
}

Tensor GRUCell::forward(const Tensor& input, const Tensor& hx) {
  bool batched = true;
  const Tensor x = batched_input(input, batched);
  const Tensor h = batched_state(hx, x, batched, "hidden");
  return unbatch(gru_cell(x, h, required_parameter("weight_ih"), required_parameter("weight_hh"), parameter("bias_ih"),
                          parameter("bias_hh")),
                 batched);
}

// ---- layers ---------------------------------------------------------------------------------

void LSTMOptions::cross_checks() const {
  EMBER_CHECK(proj_size < hidden_size, "proj_size has to be smaller than hidden_size");
}

std::vector<std::string> RNNBase::flat_weights_names() const {
  const RnnConfig c = config();
  std::vector<std::string> names;
  for (int64_t l = 0; l < c.num_layers; ++l)
    for (int d = 0; d < (c.bidirectional ? 2 : 1); ++d) {
      const std::string suffix = "_l" + std::to_string(l) + (d ? "_reverse" : "");
      names.push_back("weight_ih" + suffix);
      names.push_back("weight_hh" + suffix);
      if (c.bias) names.push_back("bias_ih" + suffix), names.push_back("bias_hh" + suffix);
      if (c.proj_size > 0) names.push_back("weight_hr" + suffix);
    }
  return names;
}

void RNNBase::make_parameters(const std::optional<DType>& dtype) {
  const RnnConfig c = config();
  const DType dt = floating_dtype(dtype, type_name());
  const int64_t gates = (c.mode == "LSTM" ? 4 : c.mode == "GRU" ? 3 : 1) * c.hidden_size;
  const int64_t D = c.bidirectional ? 2 : 1, out = c.proj_size > 0 ? c.proj_size : c.hidden_size;
  for (const std::string& name : flat_weights_names()) {
    const int64_t layer = std::stoll(name.substr(name.find("_l") + 2));
    Shape shape;
    if (name.rfind("weight_ih", 0) == 0) shape = {gates, layer == 0 ? c.input_size : out * D};
    else if (name.rfind("weight_hh", 0) == 0) shape = {gates, out};
    else if (name.rfind("weight_hr", 0) == 0) shape = {c.proj_size, c.hidden_size};
    else shape = {gates};
    register_parameter(name, empty(shape, dt));
  }
  reset_parameters();
}

void RNNBase::reset_parameters() { uniform_all(*this, config().hidden_size); }

void RNNBase::check_state(const Tensor& t, const Shape& want, const char* message) const {
  EMBER_CHECK_RUNTIME(t.sizes() == want, message, tuple_str(want), ", got ", list_str(t.sizes()));
}

RNNBase::Output RNNBase::run_layers(const Tensor& data, const std::vector<int64_t>& batch_sizes, int64_t batch,
                                    const Tensor& h0_in, const Tensor& c0_in) {
  const RnnConfig c = config();
  const bool lstm = c.mode == "LSTM";
  const int64_t D = c.bidirectional ? 2 : 1, out = c.proj_size > 0 ? c.proj_size : c.hidden_size;
  EMBER_CHECK_RUNTIME(data.sizes().back() == c.input_size, "input.size(-1) must be equal to input_size. Expected ",
                      c.input_size, ", got ", data.sizes().back());
  const Tensor w0 = required_parameter("weight_ih_l0");  // read once: a parametrized weight is computed per read
  EMBER_CHECK(data.dtype() == w0.dtype(), type_name(), ": input dtype (", dtype_name(data.dtype()),
              ") does not match weight dtype (", dtype_name(w0.dtype()), "). Convert the input or the model");
  const Shape h_shape{c.num_layers * D, batch, out}, c_shape{c.num_layers * D, batch, c.hidden_size};
  Tensor h0 = h0_in, c0 = c0_in;
  if (h0.defined()) check_state(h0, h_shape, lstm ? "Expected hidden[0] size " : "Expected hidden size ");
  else h0 = zeros(h_shape, data.dtype());
  if (lstm) {
    if (c0.defined()) check_state(c0, c_shape, "Expected hidden[1] size ");
    else c0 = zeros(c_shape, data.dtype());
  }
  Tensor layer_in = data;
  std::vector<Tensor> hs, cs;
  for (int64_t l = 0; l < c.num_layers; ++l) {
    std::vector<Tensor> outs;
    for (int64_t d = 0; d < D; ++d) {
      const std::string s = "_l" + std::to_string(l) + (d ? "_reverse" : "");
      const int64_t k = l * D + d;
      auto [o, hn, cn] = rnn_layer(c.mode, layer_in, batch_sizes, select(h0, 0, k), lstm ? select(c0, 0, k) : Tensor(),
                                   k == 0 ? w0 : required_parameter("weight_ih" + s), required_parameter("weight_hh" + s),
                                   c.bias ? parameter("bias_ih" + s) : Tensor(), c.bias ? parameter("bias_hh" + s) : Tensor(),
                                   c.proj_size > 0 ? required_parameter("weight_hr" + s) : Tensor(), d == 1);
      outs.push_back(o), hs.push_back(hn);
      if (lstm) cs.push_back(cn);
    }
    layer_in = D == 2 ? cat(outs, 1) : outs[0];
    if (c.dropout > 0 && is_training() && l + 1 < c.num_layers) layer_in = functional::dropout(layer_in, c.dropout, true);
  }
  return {layer_in, stack(hs, 0), lstm ? stack(cs, 0) : Tensor()};
}

RNNBase::Output RNNBase::forward_packed(const Tensor& data, const std::vector<int64_t>& batch_sizes, const Tensor& h0,
                                        const Tensor& c0) {
  EMBER_CHECK_RUNTIME(data.dim() == 2, type_name(), ": expected packed data of 2 dims, got ", shape_str(data.sizes()));
  return run_layers(data, batch_sizes, batch_sizes.empty() ? 0 : batch_sizes[0], h0, c0);
}

RNNBase::Output RNNBase::forward(const Tensor& input, const Tensor& h0_in, const Tensor& c0_in) {
  const RnnConfig c = config();
  const bool lstm = c.mode == "LSTM";
  const std::string name = c.mode == "LSTM" ? "LSTM" : c.mode == "GRU" ? "GRU" : "RNN";
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, name, ": Expected input to be 2D or 3D, got ", input.dim(),
              lstm || c.mode == "GRU" ? "D instead" : "D tensor instead");
  const bool batched = input.dim() == 3;
  Tensor h0 = h0_in, c0 = c0_in;
  const int64_t want = batched ? 3 : 2;
  const bool given = h0.defined() || c0.defined();
  if (lstm && given) {
    EMBER_CHECK_RUNTIME(h0.defined() && c0.defined() && h0.dim() == want && c0.dim() == want, "For ",
                        batched ? "batched 3-D" : "unbatched 2-D", " input, hx and cx should also be ", want,
                        "-D but got (", h0.defined() ? h0.dim() : 0, "-D, ", c0.defined() ? c0.dim() : 0, "-D) tensors");
  } else if (given) {
    EMBER_CHECK_RUNTIME(h0.dim() == want, "For ", batched ? "batched 3-D" : "unbatched 2-D", " input, hx should also be ",
                        want, "-D but got ", h0.dim(), "-D tensor");
  }
  Tensor x = batched ? input : unsqueeze(input, c.batch_first ? 0 : 1);
  if (!batched) {
    if (h0.defined()) h0 = unsqueeze(h0, 1);
    if (c0.defined()) c0 = unsqueeze(c0, 1);
  }
  if (c.batch_first) x = transpose(x, 0, 1);
  const int64_t T = x.sizes()[0], B = x.sizes()[1];
  EMBER_CHECK_RUNTIME(T > 0, "Expected sequence length to be larger than 0 in RNN");
  EMBER_CHECK_RUNTIME(x.sizes()[2] == c.input_size, "input.size(-1) must be equal to input_size. Expected ",
                      c.input_size, ", got ", x.sizes()[2]);
  const std::vector<int64_t> batch_sizes(B > 0 ? T : 0, B);
  Output r = run_layers(reshape(contiguous(x), {T * B, c.input_size}), batch_sizes, B, h0, c0);
  Tensor out = reshape(r.output, {T, B, r.output.sizes().back()});
  if (c.batch_first) out = transpose(out, 0, 1);
  if (!batched) {
    out = squeeze(out, Dims{c.batch_first ? 0 : 1});
    r.h_n = squeeze(r.h_n, Dims{1});
    if (r.c_n.defined()) r.c_n = squeeze(r.c_n, Dims{1});
  }
  r.output = out;
  return r;
}

namespace {
template <class O>
RnnConfig config_of(const O& o, std::string mode, int64_t proj_size) {
  return {std::move(mode), o.input_size, o.hidden_size, o.num_layers, proj_size, o.bias, o.batch_first,
          o.bidirectional, o.dropout};
}
}  // namespace

RNN::RNN(RNNOptions o) : Layer("RNN", std::move(o)) { make_parameters(options.dtype); }
RnnConfig RNN::config() const {
  return config_of(options, options.nonlinearity == "relu" ? "RNN_RELU" : "RNN_TANH", 0);
}

LSTM::LSTM(LSTMOptions o) : Layer("LSTM", std::move(o)) { make_parameters(options.dtype); }
RnnConfig LSTM::config() const { return config_of(options, "LSTM", options.proj_size); }

GRU::GRU(GRUOptions o) : Layer("GRU", std::move(o)) { make_parameters(options.dtype); }
RnnConfig GRU::config() const { return config_of(options, "GRU", 0); }

}  // namespace ember::nn
