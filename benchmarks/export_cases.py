"""The benchmark case of a saved graph (issue 18 item 3): the MLP Adam step of graph_cases.py exported
to a file and loaded again (as a C++ program loads it, through ember::graph::load), timed per run
against the same step in torch eager (benchmarks/run.py lists it in CASES)."""
import os
import tempfile

from inputs import randint, randn


def mlp_adam_loaded(m):
    """MLP 784-256-128-10 (ReLU) on a batch of 128, Adam: ember runs the loaded graph."""
    nn = m.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = m.optim.Adam(model.parameters(), lr=1e-3)
    x, y = randn(m, 128, 784), randint(m, 10, 128)

    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    if m.__name__ != "ember":
        return lambda: step(x, y)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "step.safetensors")
        m.compile(step, fullgraph=True).export(path, x, y)
        graph = m._C._graph.load(path)
    return lambda: graph.run([x, y])
