#pragma once
// Recurrent layers, as torch.nn's: the cells RNNCell, LSTMCell and GRUCell (one step, one fused
// node: ember::lstm_cell, ...) and the layers RNN, LSTM and GRU (stacked, bidirectional, LSTM's
// projection), which run each layer and direction over the whole sequence in C++
// (ember::rnn_layer). Parameter names, shapes, gate orders and initialization are PyTorch's, so a
// PyTorch state_dict loads: weight_ih_l0 (gates * hidden_size, input_size), weight_hh_l0,
// bias_ih_l0, bias_hh_l0, weight_hr_l0 (proj_size, hidden_size), with _reverse for the backward
// direction; every one uniform in +-1/sqrt(hidden_size).
#include <string>
#include <utility>
#include <vector>

#include "ember/nn/layer.h"

namespace ember::nn {

namespace valid_rnn {
inline auto positive(const char* message) {
  return valid::that([](int64_t v) { return v > 0; }, message);
}
}  // namespace valid_rnn

/// The sizes every cell and layer starts with.
#define EMBER_RNN_SIZE_FIELDS(X)                                                                              \
  X(Required, int64_t, input_size, 0, valid_rnn::positive("input_size must be greater than zero"), Bare | Fixed) \
  X(Required, int64_t, hidden_size, 0, valid_rnn::positive("hidden_size must be greater than zero"), Bare | Fixed)

// ---- cells ------------------------------------------------------------------------------------

/// LSTMCell and GRUCell: weight_ih (gates * hidden_size, input_size), weight_hh (gates *
/// hidden_size, hidden_size), bias_ih and bias_hh (gates * hidden_size) unless bias is False.
#define EMBER_RNN_CELL_FIELDS(X)                                 \
  EMBER_RNN_SIZE_FIELDS(X)                                       \
  X(Arg, bool, bias, true, valid::any, Unless | Fixed)           \
  EMBER_FACTORY_FIELDS(X)
struct RNNCellBaseOptions {
  EMBER_LAYER_OPTIONS(EMBER_RNN_CELL_FIELDS)
};
using LSTMCellOptions = RNNCellBaseOptions;
using GRUCellOptions = RNNCellBaseOptions;

/// RNNCell: also a nonlinearity, 'tanh' or 'relu'.
#define EMBER_RNN_CELL_TANH_FIELDS(X)                                                                      \
  EMBER_RNN_SIZE_FIELDS(X)                                                                                 \
  X(Arg, bool, bias, true, valid::any, Unless | Fixed)                                                     \
  X(Arg, std::string, nonlinearity, "tanh", valid::one_of({"tanh", "relu"}, "Unknown nonlinearity: ", ""), \
    Unless | Plain | Fixed)                                                                                \
  EMBER_FACTORY_FIELDS(X)
struct RNNCellOptions {
  EMBER_LAYER_OPTIONS(EMBER_RNN_CELL_TANH_FIELDS)
};

/// What the cells share: their parameters, made from the sizes and the number of gates.
class EMBER_API RNNCellBase : public Module {
 public:
  void reset_parameters();
  int64_t input_size() const { return input_size_; }
  int64_t hidden_size() const { return hidden_size_; }

 protected:
  explicit RNNCellBase(std::string type_name) : Module(std::move(type_name)) {}
  void make_parameters(int64_t input_size, int64_t hidden_size, bool bias, int64_t gates,
                       const std::optional<DType>& dtype);
  /// The input as (B, input_size) and a state as (B, hidden_size) (zeros when undefined), with
  /// PyTorch's checks; `batched` tells whether to drop the batch dim from the results.
  Tensor batched_input(const Tensor& input, bool& batched) const;
  Tensor batched_state(const Tensor& state, const Tensor& input, bool batched, const char* what) const;

 private:
  int64_t input_size_ = 0, hidden_size_ = 0;
};

/// h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu): one step of an Elman RNN.
class EMBER_API RNNCell : public Layer<RNNCellOptions, RNNCellBase> {
 public:
  explicit RNNCell(RNNCellOptions options = {});
  EMBER_LAYER_SHORT_FORM(RNNCell)
  Tensor forward(const Tensor& input) override { return forward(input, Tensor()); }
  /// input (B, input_size) or (input_size,); hx of the same batching (zeros when undefined).
  Tensor forward(const Tensor& input, const Tensor& hx);
  std::string extra_repr() const override { return fields_repr(options); }
};

/// One LSTM step: gates i, f, g, o; c' = f c + i g; h' = o tanh(c').
class EMBER_API LSTMCell : public Layer<LSTMCellOptions, RNNCellBase> {
 public:
  explicit LSTMCell(LSTMCellOptions options = {});
  EMBER_LAYER_SHORT_FORM(LSTMCell)
  Tensor forward(const Tensor& input) override { return forward(input, Tensor(), Tensor()).first; }
  /// (h', c'); hx and cx zeros when undefined.
  std::pair<Tensor, Tensor> forward(const Tensor& input, const Tensor& hx, const Tensor& cx);
  std::string extra_repr() const override { return fields_repr(options); }
};

/// One GRU step: gates r, z, n; n = tanh(W_in x + b_in + r (W_hn h + b_hn)); h' = (1 - z) n + z h.
class EMBER_API GRUCell : public Layer<GRUCellOptions, RNNCellBase> {
 public:
  explicit GRUCell(GRUCellOptions options = {});
  EMBER_LAYER_SHORT_FORM(GRUCell)
  Tensor forward(const Tensor& input) override { return forward(input, Tensor()); }
  Tensor forward(const Tensor& input, const Tensor& hx);
  std::string extra_repr() const override { return fields_repr(options); }
};

// ---- layers -----------------------------------------------------------------------------------

#define EMBER_RNN_LAYERS_FIELD(X)                                                                             \
  X(Arg, int64_t, num_layers, 1, valid_rnn::positive("num_layers must be greater than zero"), Unless | Fixed)
#define EMBER_RNN_TAIL_FIELDS(X)                                                                              \
  X(Arg, bool, bias, true, valid::any, Unless | Fixed)                                                        \
  X(Arg, bool, batch_first, false, valid::any, Unless)                                                        \
  X(Arg, double, dropout, 0.0,                                                                                \
    valid::that([](double p) { return 0 <= p && p <= 1; },                                                    \
                "dropout should be a number in range [0, 1] representing the probability of an element being " \
                "zeroed"),                                                                                    \
    Unless)                                                                                                   \
  X(Arg, bool, bidirectional, false, valid::any, Unless | Fixed)

/// RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
/// dropout=0.0, bidirectional=False): PyTorch's positional order (nonlinearity fourth).
#define EMBER_RNN_FIELDS(X)                                                                                  \
  EMBER_RNN_SIZE_FIELDS(X)                                                                                   \
  EMBER_RNN_LAYERS_FIELD(X)                                                                                  \
  X(Arg, std::string, nonlinearity, "tanh",                                                                  \
    valid::one_of({"tanh", "relu"}, "Unknown nonlinearity '", "'. Select from 'tanh' or 'relu'."), Quiet | Fixed) \
  EMBER_RNN_TAIL_FIELDS(X)                                                                                   \
  EMBER_FACTORY_FIELDS(X)
struct RNNOptions {
  EMBER_LAYER_OPTIONS(EMBER_RNN_FIELDS)
};
#define EMBER_GRU_FIELDS(X) \
  EMBER_RNN_SIZE_FIELDS(X)  \
  EMBER_RNN_LAYERS_FIELD(X) \
  EMBER_RNN_TAIL_FIELDS(X)  \
  EMBER_FACTORY_FIELDS(X)
struct GRUOptions {
  EMBER_LAYER_OPTIONS(EMBER_GRU_FIELDS)
};
/// LSTM: also proj_size (0: none): h is projected to proj_size by weight_hr_l{k}.
#define EMBER_LSTM_FIELDS(X)                                                                                  \
  EMBER_RNN_SIZE_FIELDS(X)                                                                                    \
  EMBER_RNN_LAYERS_FIELD(X)                                                                                   \
  EMBER_RNN_TAIL_FIELDS(X)                                                                                    \
  X(Arg, int64_t, proj_size, 0,                                                                               \
    valid::that([](int64_t v) { return v >= 0; }, "proj_size should be a positive integer or zero to disable projections"), \
    Unless | Fixed)                                                                                           \
  EMBER_FACTORY_FIELDS(X)
struct EMBER_API LSTMOptions {
  EMBER_LAYER_OPTIONS(EMBER_LSTM_FIELDS)
  void cross_checks() const;
};

/// A recurrent layer's settings, whichever its class.
struct RnnConfig {
  std::string mode;  // "RNN_TANH", "RNN_RELU", "LSTM", "GRU" (PyTorch's)
  int64_t input_size, hidden_size, num_layers, proj_size;
  bool bias, batch_first, bidirectional;
  double dropout;
};

/// What RNN, LSTM and GRU share: the parameters and the forward over all layers and directions.
class EMBER_API RNNBase : public Module {
 public:
  /// output: (L, N, D * out) (batch_first: (N, L, ...); unbatched: (L, ...)); h_n: (D *
  /// num_layers, N, out); c_n: LSTM's (D * num_layers, N, hidden_size).
  struct Output {
    Tensor output, h_n, c_n;
  };
  Tensor forward(const Tensor& input) override { return forward(input, Tensor(), Tensor()).output; }
  /// input (L, N, input_size) ((N, L, ...) when batch_first, (L, input_size) unbatched); h0 and
  /// c0 zeros when undefined.
  Output forward(const Tensor& input, const Tensor& h0, const Tensor& c0 = {});
  /// A packed sequence: data (sum(batch_sizes), input_size), time-major; states in the packed
  /// (sorted) order. output is the packed output's data.
  Output forward_packed(const Tensor& data, const std::vector<int64_t>& batch_sizes, const Tensor& h0,
                        const Tensor& c0 = {});
  void reset_parameters();
  /// The parameters' names, layer by layer and direction by direction (PyTorch's _flat_weights_names).
  std::vector<std::string> flat_weights_names() const;
  virtual RnnConfig config() const = 0;

 protected:
  explicit RNNBase(std::string type_name) : Module(std::move(type_name)) {}
  void make_parameters(const std::optional<DType>& dtype);
  /// "(2, 3, 20)" (and PyTorch's check of h0 and c0 against it).
  void check_state(const Tensor& t, const Shape& want, const char* message) const;
  Output run_layers(const Tensor& data, const std::vector<int64_t>& batch_sizes, int64_t batch, const Tensor& h0,
                    const Tensor& c0);
};

/// The order of PyTorch's repr: input_size, hidden_size, proj_size, num_layers, bias, ...
#define EMBER_RNN_REPR_ORDER \
  {"input_size", "hidden_size", "proj_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"}

/// What every stacked recurrent layer declares: made from its options (or the short form),
/// forward and the rest from RNNBase, PyTorch's repr order.
#define EMBER_RECURRENT_LAYER(Cls)                                                 \
 public:                                                                          \
  explicit Cls(Cls##Options options = {});                                        \
  EMBER_LAYER_SHORT_FORM(Cls)                                                     \
  using RNNBase::forward;                                                         \
  Tensor forward(const Tensor& input) override { return RNNBase::forward(input); } \
  RnnConfig config() const override;                                              \
  std::string extra_repr() const override { return fields_repr(options, EMBER_RNN_REPR_ORDER); }

/// An Elman RNN, stacked: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).
class EMBER_API RNN : public Layer<RNNOptions, RNNBase> {
  EMBER_RECURRENT_LAYER(RNN)
};

/// A long short-term memory layer, stacked (PyTorch's gates i, f, g, o; proj_size as its).
class EMBER_API LSTM : public Layer<LSTMOptions, RNNBase> {
  EMBER_RECURRENT_LAYER(LSTM)
};

/// A gated recurrent unit layer, stacked (PyTorch's gates r, z, n).
class EMBER_API GRU : public Layer<GRUOptions, RNNBase> {
  EMBER_RECURRENT_LAYER(GRU)
};

}  // namespace ember::nn
