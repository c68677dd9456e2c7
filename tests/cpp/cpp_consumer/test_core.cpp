// C++ tests of what Python cannot see: view geometry, strides, the size check and errors.
// Built against the installed package by tests/test_cmake_package.py.
#include <ember/ember.h>
#include <ember/nn.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

namespace {
int passed = 0, failed = 0;

void check(bool ok, const char* what, int line) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::printf("FAILED line %d: %s\n", line, what);
  }
}
#define CHECK(cond) check((cond), #cond, __LINE__)

template <class E, class F>
bool throws_with(F&& f, const std::string& needle) {
  try {
    f();
  } catch (const E& e) {
    return std::string(e.what()).find(needle) != std::string::npos;
  } catch (...) {
    return false;
  }
  return false;
}
}  // namespace

int main() {
  using namespace ember;
  Tensor a = arange(0, 24, 1, DType::Float32);
  Tensor m = reshape(a, {2, 3, 4});
  CHECK(m.sizes() == (Shape{2, 3, 4}));
  CHECK(m.strides() == (Shape{12, 4, 1}));
  CHECK(m.storage() == a.storage());  // a view: same memory

  Tensor t = transpose(m, 0, 2);
  CHECK(t.sizes() == (Shape{4, 3, 2}));
  CHECK(t.strides() == (Shape{1, 4, 12}));
  CHECK(!t.is_contiguous());
  CHECK(contiguous(t).is_contiguous());
  CHECK(contiguous(t).storage() != a.storage());

  Tensor s = slice(m, 2, 1, std::nullopt, 2);  // m[:, :, 1::2]
  CHECK(s.sizes() == (Shape{2, 3, 2}));
  CHECK(s.strides() == (Shape{12, 4, 2}));
  CHECK(s.offset() == 1);
  CHECK(select(s, 0, 1).offset() == 13);

  Tensor e = expand(reshape(arange(0, 3, 1, DType::Float32), {3, 1}), {3, 5});
  CHECK(e.strides() == (Shape{1, 0}));
  CHECK(sum(e).item<double>() == 15.0);

  // Writes through a view reach the base.
  Tensor row = select(m, 1, 2);
  fill_(row, -1.0);
  CHECK(m.data<float>()[8] == -1.0f && a.data<float>()[23] == -1.0f);
  CHECK(a.storage()->version.load() > 0);

  // The size check: negative dims, overflowing counts, impossible allocations.
  CHECK(throws_with<ValueError>([] { empty({2, -3}); }, "negative dimension -3"));
  CHECK(throws_with<ValueError>([] { empty({int64_t(1) << 40, int64_t(1) << 40}); }, "too many elements"));
  CHECK(throws_with<RuntimeError>([] { empty({int64_t(1) << 50}); }, "cannot allocate"));
  CHECK(checked_numel({3, 0, 5}, 4, "test") == 0);

  // Errors name the op and the shapes.
  CHECK(throws_with<ValueError>([] { matmul(ones({2, 3}), ones({4, 5})); }, "matmul: shapes (2, 3) and (4, 5)"));
  CHECK(throws_with<ValueError>([] { add(ones({2, 3}), ones({4})); }, "add: shapes (2, 3) and (4,)"));
  CHECK(throws_with<IndexError>([&] { select(m, 0, 5); }, "select: index 5 is out of bounds"));

  // BLAS through the installed library.
  Tensor p = matmul(ones({2, 3}), ones({3, 4}));
  CHECK(p.sizes() == (Shape{2, 4}) && p.data<float>()[7] == 3.0f);

  // Autograd from C++ alone: backward into .grad, gradients of gradients, gradcheck.
  Tensor w = randn({3, 2}, DType::Float64).requires_grad_();
  Tensor x = randn({4, 3}, DType::Float64);
  Tensor loss = sum(square(tanh(matmul(x, w))));
  loss.backward();
  CHECK(w.grad().defined() && w.grad().sizes() == w.sizes());
  Tensor u = full({}, 2.0, DType::Float64).requires_grad_();
  Tensor du = autograd::grad({mul(mul(u, u), u)}, {u}, {}, {}, true)[0];  // 3u^2, with history
  CHECK(du.item<double>() == 12.0 && autograd::grad({du}, {u})[0].item<double>() == 12.0);
  auto layer = [&x](const Tensors& in) { return Tensors{sum(square(tanh(matmul(x, in[0]))), Dims{0})}; };
  CHECK(autograd::gradcheck(layer, {w}) && autograd::gradgradcheck(layer, {w}));
  CHECK(!autograd::gradcheck([](const Tensors& in) { return Tensors{mul(autograd::detach(in[0]), in[0])}; }, {w},
                             {1e-6, 1e-5, 1e-3, false}));
  {
    autograd::NoGradGuard no_grad;
    CHECK(!mul(w, w).requires_grad());
  }
  CHECK(throws_with<RuntimeError>([&] { loss.backward(); }, "retain_graph=True"));

  {  // Recurrent layers from C++ alone: a stacked LSTM over a batch, backward through time; a cell.
    nn::LSTM lstm(3, 5, 2);
    nn::RNNBase::Output r = lstm.forward(randn({4, 2, 3}), Tensor(), Tensor());
    CHECK(r.output.sizes() == (Shape{4, 2, 5}) && r.h_n.sizes() == (Shape{2, 2, 5}) && r.c_n.sizes() == (Shape{2, 2, 5}));
    sum(r.output).backward();
    CHECK(lstm.parameter("weight_hh_l1").grad().defined() && lstm.parameter("bias_ih_l0").grad().defined());
    nn::GRUCell cell(3, 4);
    CHECK(cell.forward(randn({2, 3}), Tensor()).sizes() == (Shape{2, 4}));
    CHECK(throws_with<RuntimeError>([&] { lstm.forward(randn({4, 2, 3}), zeros({1, 2, 5}), zeros({2, 2, 5})); },
                                    "Expected hidden"));
  }

  {  // Graph capture: a replay reruns the kernels on the captured memory, drawing fresh numbers.
    Tensor w = ones({4});
    Tensor x = graph::make_input(full({4}, 2.0));
    manual_seed(7);
    graph::Capture capture;
    Tensor y = add(mul(x, w), rand({4}));
    std::shared_ptr<graph::Graph> g = capture.finish();
    CHECK(g->replayable() && g->kernel_count() >= 3);
    g->set_io({x}, {y});
    manual_seed(8);
    const Tensor first = g->run({full({4}, 3.0)})[0];
    manual_seed(8);
    const Tensor eager = add(mul(full({4}, 3.0), w), rand({4}));
    CHECK(equal(first, eager));
    CHECK(!equal(g->run({full({4}, 3.0)})[0], first));  // the generator moved on
    graph::Capture reads;
    (void)sum(w).item<double>();  // w existed before the capture: its values are runtime data
    CHECK(!reads.finish()->replayable());
  }

  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
