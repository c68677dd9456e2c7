// Runs a graph that Python saved with ember.compile(fn).export(path, *inputs), with ember's C++
// API alone: inference, or N training steps (forward, backward and the optimizer's step, all in
// the graph), then writes what it computed.
//
//   run_graph GRAPH INPUTS STEPS RESULTS
//
// GRAPH: the exported file. INPUTS: a safetensors file with the graph's inputs as "input.0",
// "input.1", ... (ember.save_file / safetensors.numpy.save_file). STEPS: how many runs. RESULTS:
// a safetensors file written with the last run's outputs ("output.<i>") and every named tensor
// of the graph after the runs ("<name>", e.g. the trained parameters).
#include <ember/ember.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace ember;
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s GRAPH INPUTS STEPS RESULTS\n", argv[0]);
    return 2;
  }
  try {
    std::shared_ptr<graph::Graph> g = graph::load(argv[1]);
    const Loaded file = load_safetensors(argv[2]);
    std::map<std::string, Tensor> given(file.tensors.begin(), file.tensors.end());
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < g->inputs().size(); ++i) {
      const auto at = given.find("input." + std::to_string(i));
      if (at == given.end()) throw std::runtime_error("no input." + std::to_string(i) + " in " + argv[2]);
      inputs.push_back(at->second);
    }
    const long steps = std::atol(argv[3]);
    std::vector<Tensor> outputs;
    for (long k = 0; k < steps; ++k) {
      outputs = g->run(inputs);
      if (!outputs.empty() && outputs[0].defined() && outputs[0].numel() == 1)
        std::printf("run %ld: %.6g\n", k + 1, outputs[0].item<double>());  // a training step's loss
    }
    NamedTensors results;
    for (size_t i = 0; i < outputs.size(); ++i)
      if (outputs[i].defined()) results.emplace_back("output." + std::to_string(i), outputs[i]);
    for (const auto& [name, t] : g->named()) results.emplace_back(name, contiguous(t));
    save_safetensors(results, argv[4]);
    std::printf("%ld runs of %lld kernels and %lld effects; %zu outputs, %zu named tensors\n", steps,
                static_cast<long long>(g->kernel_count()), static_cast<long long>(g->effect_count()), outputs.size(),
                g->named().size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "run_graph: %s\n", e.what());
    return 1;
  }
  return 0;
}
