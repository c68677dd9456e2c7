// Builds and trains a small MLP with ember's C++ API alone (no Python): a two-class problem
// that no linear model separates (points inside or outside a circle), cross-entropy, and
// ember::optim's SGD and Adam; LBFGS with its closure on Rosenbrock's function.
// Then checks accuracy, eval mode, state_dict through a safetensors file, and layer errors.
#include <ember/ember.h>
#include <ember/nn.h>
#include <ember/optim.h>
#include <ember/serialize.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

using namespace ember;

namespace {
int failed = 0;
void check(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  failed += !ok;
}

std::shared_ptr<nn::Sequential> make_model() {
  return std::make_shared<nn::Sequential>(std::vector<nn::ModulePtr>{
      std::make_shared<nn::Linear>(2, 32), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(32, 32),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(32, 2)});
}

double accuracy(nn::Module& model, const Tensor& x, const Tensor& y) {
  autograd::NoGradGuard no_grad;
  Tensor predicted = argmax(model(x), 1);
  return mean(to_dtype(eq(predicted, y), DType::Float64)).item<double>();
}
}  // namespace

int main(int argc, char** argv) {
  manual_seed(0);
  const int64_t n = 512;
  Tensor x = sub(mul(rand({n, 2}), scalar_tensor(2.0)), scalar_tensor(1.0));  // uniform in [-1, 1]^2
  Tensor radius2 = sum(square(x), Dims{1});
  Tensor y = to_dtype(lt(radius2, scalar_tensor(0.5)), DType::Int64);  // about 39% inside

  auto model = make_model();
  check(model->named_parameters().size() == 6, "6 parameters (3 weights, 3 biases)");
  check(model->named_parameters()[0].first == "0.weight", "PyTorch's names (0.weight)");
  // Trains model with opt for 400 full-batch steps; returns the first and last loss.
  auto train = [&](nn::Module& m, optim::Optimizer& opt) {
    double first = 0, last = 0;
    for (int step = 0; step < 400; ++step) {
      opt.zero_grad();
      Tensor loss = nn::functional::cross_entropy(m.forward(x), y);
      loss.backward();
      opt.step();
      if (step == 0) first = loss.item<double>();
      last = loss.item<double>();
    }
    return std::pair{first, last};
  };
  optim::SGDOptions sgd_options;
  sgd_options.lr = 0.5;
  optim::SGD sgd(model->parameters(), sgd_options);
  auto [first_loss, last_loss] = train(*model, sgd);
  std::printf("SGD: loss %.4f -> %.4f\n", first_loss, last_loss);
  check(last_loss < 0.25 * first_loss, "SGD: loss falls to under a quarter");

  auto adam_model = make_model();
  optim::AdamOptions adam_options;
  adam_options.lr = 0.01;
  optim::Adam adam(adam_model->parameters(), adam_options);
  // A schedule from C++ too: the rate decays by 0.99 per epoch, 0.01 * 0.99^400 at the end.
  optim::ExponentialLROptions decay_options;
  decay_options.gamma = 0.99;
  optim::ExponentialLR decay(decay_options);
  double adam_first = 0, adam_last = 0;
  for (int step = 0; step < 400; ++step) {
    adam.zero_grad();
    Tensor loss = nn::functional::cross_entropy(adam_model->forward(x), y);
    loss.backward();
    adam.step();
    decay.advance();
    optim::apply_schedule(decay, adam, {adam_options.lr});
    if (step == 0) adam_first = loss.item<double>();
    adam_last = loss.item<double>();
  }
  check(std::abs(adam.lr(0) - 0.01 * std::pow(0.99, 400)) < 1e-12, "ExponentialLR drives the C++ optimizer's rate");
  std::printf("Adam: loss %.4f -> %.4f\n", adam_first, adam_last);
  check(adam_last < 0.25 * adam_first, "Adam: loss falls to under a quarter");
  check(adam.state()[0].step == 400 && adam.state()[0].get("exp_avg").defined(), "Adam keeps its state per parameter");
  // LBFGS from C++ alone: its closure re-evaluates the loss and the gradients, several times a step.
  Tensor px = full({}, -1.2, DType::Float64), py = full({}, 1.0, DType::Float64);
  autograd::set_requires_grad(px, true);
  autograd::set_requires_grad(py, true);
  optim::LBFGSOptions lbfgs_options;
  lbfgs_options.line_search_fn = "strong_wolfe";
  optim::LBFGS lbfgs({px, py}, lbfgs_options);
  auto rosenbrock = [&] {
    lbfgs.zero_grad();
    Tensor loss = square(1.0 - px) + 100.0 * square(py - square(px));
    loss.backward();
    return loss.item<double>();
  };
  const double lbfgs_first = lbfgs.step(rosenbrock);
  for (int step = 1; step < 10; ++step) lbfgs.step(rosenbrock);
  check(std::abs(lbfgs_first - 24.2) < 1e-12, "LBFGS.step returns the first loss");
  check(std::abs(px.item<double>() - 1) < 1e-4 && std::abs(py.item<double>() - 1) < 1e-4,
        "LBFGS (strong Wolfe) finds Rosenbrock's minimum (1, 1)");
  check(lbfgs.lbfgs_state().n_iter > 10 && lbfgs.lbfgs_state().func_evals >= lbfgs.lbfgs_state().n_iter,
        "LBFGS counts its iterations and evaluations");

  const double acc = accuracy(*model, x, y);
  std::printf("accuracy %.3f\n", acc);
  check(acc > 0.95, "accuracy above 95% on a non-linear problem");

  model->eval();
  check(!model->at(0)->is_training(), "eval reaches the children");

  // state_dict through a safetensors file into a fresh model: the same predictions.
  const std::string path = argc > 1 ? argv[1] : "mlp.safetensors";
  save_safetensors(model->state_dict(), path);
  auto copy = make_model();
  copy->load_state_dict(load_safetensors(path).tensors);
  check(accuracy(*copy, x, y) == acc, "a reloaded model predicts the same");

  bool named = false;
  try {
    model->forward(ones({4, 3}));
  } catch (const ValueError& e) {
    named = std::string(e.what()).find("Linear(in_features=2, out_features=32): expected input (..., 2), got (4, 3)") !=
            std::string::npos;
  }
  check(named, "a shape error names the layer");
  std::printf("%d failed\n", failed);
  return failed == 0 ? 0 : 1;
}
