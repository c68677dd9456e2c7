#!/usr/bin/env python
"""Benchmark ember against PyTorch (CPU) and NumPy.

    python benchmarks/run.py                  # all cases, printed as a table
    python benchmarks/run.py --filter matmul  # only cases whose name contains "matmul"
    python benchmarks/run.py --filter startup # only import time and resident memory
    python benchmarks/run.py --filter memory  # only the peak memory of 20 ResNet-20 steps
    python benchmarks/run.py --filter metrics # only ember.metrics vs scikit-learn (1M scores)
    python benchmarks/run.py --json           # machine-readable results on stdout
    python benchmarks/run.py --threads 1 --repeat 10

Method: for every (case, library) pair the inputs are created once, outside the
timed region, by the case's setup function, which returns a zero-argument
callable. After a short pause (so the previous library's BLAS threads stop
spinning), that callable (which allocates its output, as a user's code would)
is called once as a warm-up, then in a calibration loop that picks an inner loop
count so one timed repeat lasts about 100 ms; those calls are discarded too.
Then `--repeat` repeats of the inner loop are timed with time.perf_counter
(garbage collection off) and the best (minimum) repeat, divided by the loop
count, is reported as the time per call. The minimum is the estimate least
disturbed by other work on a shared machine.

All libraries use the same thread count: os.cpu_count() unless `--threads N`
is given. ember and torch get it through set_num_threads; NumPy's BLAS through
the OPENBLAS/OMP/MKL_NUM_THREADS environment variables, which are set before
any library is imported (NumPy's elementwise kernels are single-threaded).

If torch is not installed, its column shows '-'. A case that raises for one
library shows 'error' in that cell (details with --json) and the run goes on.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

from data_cases import (AUG_N, AUGMENT_STAGES, LOADER_N, LOADER_WORKERS_N, augment_ember, augment_torch,
                        color_jitter_ember, color_jitter_torch, cutmix_ember, cutmix_torch, pca_fit_ember,
                        pca_fit_numpy, pca_fit_tensor_ops, tensor_dataset_epoch, worker_epoch)
from eager_cases import (adam_step_small, add_python_float, index_int, index_slice, linear_call, tanh_with_grad,
                         tiny_backward)
from graph_cases import (GRAPH_CHAIN_OPS, LM_BATCH, LM_STEPS, char_lm_replayed, chain_replayed,
                         mlp_adam_replayed)
from export_cases import mlp_adam_loaded
from graph_cases import (GRAPH_CHAIN_BIG, chain_big_replayed, chain_big_replayed_unfused, chain_replayed_unfused,
                         char_lm_replayed_unfused)
from attention_cases import encoder_layer_inference, encoder_layer_step
from ops_cases import (caught_shape_error, cdist_500, conv3d_step, ctc_step, lstsq_2000x50, max_pool3d_step, mode_rows,
                       pdist_500, scatter_reduce_amax, scatter_reduce_amax_numpy, scatter_reduce_mean, sn_discriminator_step,
                       resize_antialias, resize_uint8, solve_triangular_500, spatial_transformer)
from inputs import M, randint, randn

LIBRARIES = ("ember", "torch", "numpy")

# Setup functions take the library module and return the zero-argument callable
# to time. ember and torch share an API, so most cases use one function for both.
Setup = Callable[[Any], Callable[[], Any]]


@dataclass
class Case:
    name: str
    ember: Setup
    torch: Setup
    numpy: Setup | None  # None: NumPy has no counterpart (autograd)
    flops: float | None = None  # floating-point operations per call, for GFLOPS
    bytes_moved: float | None = None  # memory read + written per call, for GB/s (memory-bound cases)
    ops_per_call: int = 1  # times are reported per op: a call's time / ops_per_call
    # items per call and their unit, for a throughput such as "50.3k tok/s": tokens of a language
    # model, samples of a data loader, images of an augmentation
    items: tuple[int, str] | None = None


# --------------------------------------------------------------------------- #
# Cases                                                                         #
# --------------------------------------------------------------------------- #

def matmul(n: int) -> Case:
    def tensor_lib(m):
        a, b = randn(m, n, n), randn(m, n, n)
        return lambda: m.matmul(a, b)

    def numpy_lib(np):
        a, b = randn(np, n, n), randn(np, n, n)
        return lambda: np.matmul(a, b)

    return Case(f"matmul {n}x{n}", tensor_lib, tensor_lib, numpy_lib, flops=2.0 * n**3)


def binary_add(n: int, name: str) -> Case:
    def tensor_lib(m):
        a, b = randn(m, n), randn(m, n)
        return lambda: a + b

    def numpy_lib(np):
        a, b = randn(np, n), randn(np, n)
        return lambda: np.add(a, b)

    return Case(name, tensor_lib, tensor_lib, numpy_lib)


def _exp_tensor(m):
    x = randn(m, M)
    return lambda: x.exp()


def _exp_numpy(np):
    x = randn(np, M)
    return lambda: np.exp(x)


def _mul_scalar(m):  # same expression for all three libraries
    x = randn(m, M)
    return lambda: x * 2.5


def _sum_tensor(m):
    x = randn(m, M)
    return lambda: x.sum()


def _sum_numpy(np):
    x = randn(np, M)
    return lambda: np.sum(x)


def _sum_dim0_tensor(m):
    x = randn(m, 1024, 1024)
    return lambda: x.sum(dim=0)


def _sum_dim0_numpy(np):
    x = randn(np, 1024, 1024)
    return lambda: np.sum(x, axis=0)


def _transpose_contiguous_tensor(m):
    x = randn(m, 1024, 1024)
    return lambda: x.t().contiguous()


def _transpose_contiguous_numpy(np):
    x = randn(np, 1024, 1024)
    return lambda: np.ascontiguousarray(x.T)


def _cat_tensor(m):
    xs = [randn(m, 100_000) for _ in range(10)]
    return lambda: m.cat(xs)


def _cat_numpy(np):
    xs = [randn(np, 100_000) for _ in range(10)]
    return lambda: np.concatenate(xs)


def _index_rows(m):  # x[idx] with an int64 index vector, same for all three
    x = randn(m, 200_000, 16)
    idx = randint(m, 200_000, 100_000)
    return lambda: x[idx]


def _add_with_grad(m):
    a, b = randn(m, 4).requires_grad_(), randn(m, 4).requires_grad_()
    return lambda: a + b


CHAIN_OPS = 20


def _chain_backward(m):
    """20 small ops recorded, then backward through them (the per-op cost of autograd)."""
    x = randn(m, 16).requires_grad_()
    w = randn(m, 16)

    def run():
        y = x
        for _ in range(CHAIN_OPS // 4):
            y = ((y * w + 0.5).tanh() - y).exp()
        y.sum().backward()
        x.grad = None

    return run


def _softmax_backward(m):
    x = randn(m, 256, 1000).requires_grad_()

    def run():
        m.softmax(x, 1).sum().backward()
        x.grad = None

    return run


def _mlp_step(m):
    """One training step of an MLP 784-256-128-10 (ReLU) on a batch of 128: forward,
    cross-entropy, backward and a plain SGD update written out (the same for both)."""
    nn = m.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    x, y = randn(m, 128, 784), randint(m, 10, 128)
    params = list(model.parameters())

    def run():
        loss = nn.functional.cross_entropy(model(x), y)
        for p in params:
            p.grad = None
        loss.backward()
        with m.no_grad():
            for p in params:
                p.sub_(p.grad * 0.01)

    return run


def _small_model_forward(m):
    """A forward through 3 small layers without gradients: the per-module call overhead."""
    nn = m.nn
    model = nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 4))
    x = randn(m, 8, 16)

    def run():
        with m.no_grad():
            return model(x)

    return run


# conv2d 64 -> 64 channels, 3x3, padding 1, on 56x56, batch 8 (a ResNet stage): ember and torch
# convolve; the numpy column times the GEMM that ember's im2col reduces it to, per image
# (64 x 576) @ (576 x 3136), as one stacked float32 matmul (OpenBLAS sgemm), for its GFLOPS.
CONV_N, CONV_C, CONV_HW = 8, 64, 56
CONV_FLOPS = 2.0 * CONV_N * CONV_C * CONV_C * 9 * CONV_HW * CONV_HW


def _conv2d_forward(m):
    x, w, b = randn(m, CONV_N, CONV_C, CONV_HW, CONV_HW), randn(m, CONV_C, CONV_C, 3, 3), randn(m, CONV_C)
    return lambda: m.nn.functional.conv2d(x, w, b, padding=1)


def _conv2d_im2col_gemm(np):
    w, col = randn(np, CONV_C, CONV_C * 9), randn(np, CONV_N, CONV_C * 9, CONV_HW * CONV_HW)
    return lambda: np.matmul(w, col)


# The first layer of a small CNN on MNIST-sized images: forward and backward (input, weight and
# bias gradients), batch 32, 1 -> 32 channels, 3x3, padding 1, 28x28.
SMALL_CONV_FLOPS = 3 * 2.0 * 32 * 32 * 9 * 28 * 28  # forward, backward-input, backward-weight


def _conv2d_train_step(m):
    x, w, b = randn(m, 32, 1, 28, 28), randn(m, 32, 1, 3, 3), randn(m, 32)
    for t in (x, w, b):
        t.requires_grad_(True)
    g = randn(m, 32, 32, 28, 28)

    def run():
        for t in (x, w, b):
            t.grad = None
        m.nn.functional.conv2d(x, w, b, padding=1).backward(g)

    return run


def _small_cnn_step(m, monitored=False):
    """One training step of a small CNN on MNIST-sized images, batch 32: conv 3x3 1->32, ReLU,
    max pool 2, conv 3x3 32->64, ReLU, max pool 2, linear 1600->10, cross-entropy, SGD; with
    ``monitored``, ember's model carries an ember.train.Monitor (torch has none: its step is plain)."""
    nn = m.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 10))
    opt = m.optim.SGD(model.parameters(), lr=0.01)
    x, y = randn(m, 32, 1, 28, 28), randint(m, 10, 32)
    monitor = m.train.Monitor(model) if monitored and m.__name__ == "ember" else None

    def run():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        if monitor is not None:
            monitor.step(loss)

    return run


def _small_cnn_step_monitored(m):
    return _small_cnn_step(m, monitored=True)


def resnet(m, name, **kwargs):
    """ember.models' network for ember; for torch, the same architecture from
    tests/nn/torch_resnet.py (torchvision's, written for torch: torchvision is not needed)."""
    if m.__name__ == "ember":
        import ember.models
        return getattr(ember.models, name)(**kwargs)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "nn"))
    import torch_resnet
    return getattr(torch_resnet, name)(**kwargs)


def _resnet18_inference(m):
    model = resnet(m, "resnet18")
    model.eval()
    x = randn(m, 8, 3, 224, 224)

    def run():
        with m.no_grad():
            return model(x)

    return run


def _resnet20_step(m):
    """One CIFAR ResNet-20 training step, batch 64: forward, cross-entropy, backward, SGD with momentum."""
    model = resnet(m, "resnet20")
    opt = m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    x, y = randn(m, 64, 3, 32, 32), randint(m, 10, 64)

    def run():
        opt.zero_grad()
        m.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return run


def _checkpoint_round_trip(m):
    """A full training checkpoint of ResNet-20 with SGD momentum (model, optimizer, scheduler, RNG)
    written to a file and restored: ember.train.Checkpoint (save + resume) vs torch.save + torch.load
    + load_state_dict of the same dict."""
    import tempfile

    model = resnet(m, "resnet20")
    opt = m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = m.optim.lr_scheduler.StepLR(opt, step_size=10)
    m.nn.functional.cross_entropy(model(randn(m, 8, 3, 32, 32)), randint(m, 10, 8)).backward()
    opt.step()
    path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors" if m.__name__ == "ember" else "ckpt.pt")
    if m.__name__ == "ember":
        from ember.train import Checkpoint

        ckpt = Checkpoint(path, model=model, optimizer=opt, scheduler=sched)

        def run():
            ckpt.save(0)
            ckpt.resume()
    else:
        def run():
            m.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                    "epoch": 0, "rng": m.get_rng_state()}, path)
            state = m.load(path)
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["optimizer"])
            sched.load_state_dict(state["scheduler"])
            m.set_rng_state(state["rng"])

    return run


ADAM_PARAMS = 10_000_000


def _optimizer_step(name, pieces):
    """One step of optimizer `name` over ADAM_PARAMS float32 parameters split into `pieces`
    tensors, every gradient set. torch runs its fastest CPU path: the fused kernel where it has
    one (Adam), else its default (a loop of tensor ops per parameter)."""
    def setup(m):
        n = ADAM_PARAMS // pieces
        params = [m.zeros(n, requires_grad=True) for _ in range(pieces)]
        for p in params:
            p.grad = m.ones(n) * 1e-3
        fused = {"fused": True} if m.__name__ == "torch" and name == "Adam" else {}
        opt = getattr(m.optim, name)(params, lr=1e-3, **fused)
        opt.step()  # the state is allocated on the first step, outside the timed region
        return opt.step

    return setup


def _cumsum_tensor(dim):
    def setup(m):
        x = randn(m, 1024, 1024)
        return lambda: x.cumsum(dim)

    return setup


def _cumsum_numpy(dim):
    def setup(np):
        x = randn(np, 1024, 1024)
        return lambda: np.cumsum(x, axis=dim)

    return setup


def _topk_tensor(m):
    x = randn(m, 1000, 1000)
    return lambda: x.topk(5)  # (values, indices) of each row's 5 largest, sorted


def _sort_tensor(m):
    x = randn(m, M)
    return lambda: m.sort(x)  # values and int64 indices


def _sort_numpy(np):
    # Values and indices as ember and torch return them: a stable argsort, then the values.
    x = randn(np, M)

    def run():
        i = np.argsort(x, kind="stable")
        return x[i], i

    return run


def _zeros_tensor(m):
    return lambda: m.zeros(M)


def _zeros_numpy(np):
    # np.zeros gets pre-zeroed pages from calloc and never touches them, so this
    # measures allocation only; ember and torch write the zeros.
    return lambda: np.zeros(M, dtype=np.float32)


# Recurrent layers, forward + backward (the input needs no gradient): the workload, seq
# 50, batch 32, input 64, hidden 128. FLOPs per layer and direction with G gate rows (4H for an
# LSTM, 3H for a GRU): forward 2 T B (I + H) G (the input projection and the recurrence), backward
# 2 T B (I + 2 H) G (the weights' gradients and the one reaching h; the input's, where a lower
# layer needs it, 2 T B I G more). The 2-layer bidirectional LSTM's second layer has I = 2H.
RNN_T, RNN_B, RNN_I, RNN_H = 50, 32, 64, 128


def _rnn_flops(gates, layers=1, directions=1):
    total = 0.0
    for layer in range(layers):
        i = RNN_I if layer == 0 else RNN_H * directions
        per = 2.0 * RNN_T * RNN_B * gates * ((i + RNN_H) + (i + 2 * RNN_H) + (i if layer > 0 else 0))
        total += per * directions
    return total


def _rnn_layer_step(name, **kwargs):
    def setup(m):
        model = getattr(m.nn, name)(RNN_I, RNN_H, **kwargs)
        x = randn(m, RNN_T, RNN_B, RNN_I)
        g = randn(m, RNN_T, RNN_B, RNN_H * (2 if kwargs.get("bidirectional") else 1))
        params = list(model.parameters())

        def run():
            for p in params:
                p.grad = None
            model(x)[0].backward(g)

        return run

    return setup


def _lstm_cell_loop(m):
    """An LSTMCell stepped from Python 50 times, then backward through all the steps."""
    cell = m.nn.LSTMCell(RNN_I, RNN_H)
    xs = [randn(m, RNN_B, RNN_I) for _ in range(RNN_T)]
    g = randn(m, RNN_T, RNN_B, RNN_H)
    params = list(cell.parameters())

    def run():
        for p in params:
            p.grad = None
        state, outs = None, []
        for x in xs:
            state = cell(x, state)
            outs.append(state[0])
        m.stack(outs).backward(g)

    return run


# One training step of examples/char_lm.py's model: Embedding(100, 64) -> LSTM(64, 256) ->
# Linear(256, 100) on a (seq 100, batch 32) chunk, cross-entropy, backward, gradient norm clipping,
# Adam, the carried state detached as truncated BPTT does. The rate column is tokens (characters)
# per second: 3200 per step.
CHAR_LM_V, CHAR_LM_E, CHAR_LM_H, CHAR_LM_T, CHAR_LM_B = 100, 64, 256, 100, 32


def _char_lm_step(m):
    nn = m.nn

    class CharLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Embedding(CHAR_LM_V, CHAR_LM_E)
            self.rnn = nn.LSTM(CHAR_LM_E, CHAR_LM_H)
            self.decoder = nn.Linear(CHAR_LM_H, CHAR_LM_V)

        def forward(self, x, hidden=None):
            out, hidden = self.rnn(self.encoder(x), hidden)
            return self.decoder(out), hidden

    model = CharLM()
    params = list(model.parameters())
    opt = m.optim.Adam(params, lr=2e-3)
    x = m.randint(0, CHAR_LM_V, (CHAR_LM_T, CHAR_LM_B))
    y = m.randint(0, CHAR_LM_V, (CHAR_LM_T * CHAR_LM_B,))
    state = [None]

    def run():
        hidden = state[0] and tuple(h.detach() for h in state[0])
        logits, state[0] = model(x, hidden)
        loss = nn.functional.cross_entropy(logits.reshape(-1, CHAR_LM_V), y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    return run


def _pickle_round_trip(m):  # the same for all three: what DataLoader workers and copies cost
    import pickle

    x = randn(m, 25_000_000)  # 100 MB of float32
    return lambda: pickle.loads(pickle.dumps(x))


CASES: list[Case] = [
    matmul(256),
    matmul(1024),
    matmul(2048),
    binary_add(M, "add 1M"),
    Case("mul scalar 1M", _mul_scalar, _mul_scalar, _mul_scalar),
    Case("exp 1M", _exp_tensor, _exp_tensor, _exp_numpy),
    Case("sum 1M", _sum_tensor, _sum_tensor, _sum_numpy),
    Case("sum(dim=0) 1024x1024", _sum_dim0_tensor, _sum_dim0_tensor, _sum_dim0_numpy),
    Case("t().contiguous() 1024^2", _transpose_contiguous_tensor,
         _transpose_contiguous_tensor, _transpose_contiguous_numpy),
    Case("cumsum(dim=1) 1024x1024", _cumsum_tensor(1), _cumsum_tensor(1), _cumsum_numpy(1)),
    Case("cumsum(dim=0) 1024x1024", _cumsum_tensor(0), _cumsum_tensor(0), _cumsum_numpy(0)),
    Case("topk(k=5) 1000x1000", _topk_tensor, _topk_tensor, None),  # NumPy has no topk
    Case("sort 1M", _sort_tensor, _sort_tensor, _sort_numpy),
    Case("cat 10x100k", _cat_tensor, _cat_tensor, _cat_numpy),
    Case("index 100k rows (int64)", _index_rows, _index_rows, _index_rows),
    Case("zeros 1M", _zeros_tensor, _zeros_tensor, _zeros_numpy),
    Case("scatter_reduce amax 1M->1000", scatter_reduce_amax, scatter_reduce_amax, scatter_reduce_amax_numpy),
    Case("scatter_reduce mean 1M->1000", scatter_reduce_mean, scatter_reduce_mean, None),
    Case("mode(dim=1) 1000x1000 int64", mode_rows, mode_rows, None),
    Case("pdist 500x64", pdist_500, pdist_500, None),
    Case("cdist 500x400x64", cdist_500, cdist_500, None),
    Case("linalg.lstsq 2000x50, 4 rhs", lstsq_2000x50, lstsq_2000x50, lstsq_2000x50),
    Case("linalg.solve_triangular 500x500, 64 rhs", solve_triangular_500, solve_triangular_500, None),
    Case("interpolate bilinear antialias 8x3x256^2->128^2", resize_antialias, resize_antialias, None),
    Case("interpolate uint8 bilinear antialias 3x512^2->224^2", resize_uint8, resize_uint8, None),
    Case("matmul shape error caught x100", caught_shape_error, caught_shape_error, None),
    Case("affine_grid+grid_sample 64x28x28 fwd+bwd", spatial_transformer, spatial_transformer, None),
    Case("Conv3d 16-32 3^3 8x32^2 b4 fwd+bwd", conv3d_step, conv3d_step, None),
    Case("max_pool3d(2) 4x32x16x32^2 fwd+bwd", max_pool3d_step, max_pool3d_step, None),
    Case("ctc_loss T200 N16 C30 S30 fwd+bwd", ctc_step, ctc_step, None),
    Case("spectral-norm DCGAN discriminator Adam step 16x3x32x32", sn_discriminator_step, sn_discriminator_step, None),
    Case("pickle round trip 100 MB", _pickle_round_trip, _pickle_round_trip, _pickle_round_trip),
    Case("DataLoader TensorDataset 60k b128", tensor_dataset_epoch, tensor_dataset_epoch, None,
         items=(LOADER_N, "smp")),
    Case("DataLoader 2 workers 4096 3x32^2", worker_epoch, worker_epoch, None, items=(LOADER_WORKERS_N, "smp")),
    # ember's fit computes in float64 (identity covariance to 1e-5 for float32 data); the torch and
    # NumPy rows are the same steps in float32.
    Case("PCAWhitening.fit 10000x256 f32", pca_fit_ember, pca_fit_tensor_ops, pca_fit_numpy),
    binary_add(4, "add 4 elems (overhead)"),
    Case("add 4 elems, with grad", _add_with_grad, _add_with_grad, None),
    Case(f"{CHAIN_OPS}-op chain+bwd, per op", _chain_backward, _chain_backward, None,
         ops_per_call=CHAIN_OPS),
    Case("add python float, 4 elems", add_python_float, add_python_float, add_python_float),
    Case("x[1] of 4x4", index_int, index_int, index_int),
    Case("x[2:10] of 16", index_slice, index_slice, index_slice),
    Case("tanh 4 elems, with grad", tanh_with_grad, tanh_with_grad, None),
    Case("(x*2).sum().backward() 4 elems", tiny_backward, tiny_backward, None),
    Case("Linear 4-4 call, 1x4, no grad", linear_call, linear_call, None),
    Case("Adam step 3x4 params", adam_step_small, adam_step_small, None),
    Case("softmax+bwd 256x1000", _softmax_backward, _softmax_backward, None),
    Case("Sequential 16-16-4 forward", _small_model_forward, _small_model_forward, None),
    Case("MLP 784-256-128-10 step, batch 128", _mlp_step, _mlp_step, None),
    Case("conv2d 64-64 3x3 56^2 b8; np=gemm", _conv2d_forward, _conv2d_forward, _conv2d_im2col_gemm,
         flops=CONV_FLOPS),
    Case("conv2d+bwd 1-32 3x3 28^2 b32", _conv2d_train_step, _conv2d_train_step, None, flops=SMALL_CONV_FLOPS),
    Case("small CNN step, batch 32", _small_cnn_step, _small_cnn_step, None),
    Case("small CNN step + ember Monitor", _small_cnn_step_monitored, _small_cnn_step_monitored, None),
    Case("ResNet-18 inference, batch 8", _resnet18_inference, _resnet18_inference, None),
    Case("ResNet-20 step, batch 64", _resnet20_step, _resnet20_step, None),
    Case("Checkpoint save+resume ResNet-20+SGD", _checkpoint_round_trip, _checkpoint_round_trip, None),
    Case("LSTM 64-128 seq50 b32 fwd+bwd", _rnn_layer_step("LSTM"), _rnn_layer_step("LSTM"), None,
         flops=_rnn_flops(4 * RNN_H)),
    Case("GRU 64-128 seq50 b32 fwd+bwd", _rnn_layer_step("GRU"), _rnn_layer_step("GRU"), None,
         flops=_rnn_flops(3 * RNN_H)),
    Case("LSTM 2-layer bidir seq50 b32 fwd+bwd", _rnn_layer_step("LSTM", num_layers=2, bidirectional=True),
         _rnn_layer_step("LSTM", num_layers=2, bidirectional=True), None, flops=_rnn_flops(4 * RNN_H, 2, 2)),
    Case("LSTMCell x50 from Python fwd+bwd", _lstm_cell_loop, _lstm_cell_loop, None,
         flops=_rnn_flops(4 * RNN_H)),
    Case("char-LM step 64-256 seq100 b32", _char_lm_step, _char_lm_step, None,
         items=(CHAR_LM_T * CHAR_LM_B, "tok")),
    Case("TransformerEncoderLayer 128x4 seq64 b16 fwd+bwd", encoder_layer_step, encoder_layer_step, None),
    Case("TransformerEncoderLayer 128x4 seq64 b16 eval", encoder_layer_inference, encoder_layer_inference, None),
    # Adam reads p, g, m, v and writes p, m, v: 7 float32 per parameter.
    Case("Adam step 10M params, 1 tensor", _optimizer_step("Adam", 1), _optimizer_step("Adam", 1), None,
         bytes_moved=28.0 * ADAM_PARAMS),
    Case("Adam step 10M params, 100 tensors", _optimizer_step("Adam", 100), _optimizer_step("Adam", 100), None,
         bytes_moved=28.0 * ADAM_PARAMS),
    # NAdam and RAdam move what Adam does; torch has no fused kernel for them.
    Case("NAdam step 10M params, 1 tensor", _optimizer_step("NAdam", 1), _optimizer_step("NAdam", 1), None,
         bytes_moved=28.0 * ADAM_PARAMS),
    Case("RAdam step 10M params, 1 tensor", _optimizer_step("RAdam", 1), _optimizer_step("RAdam", 1), None,
         bytes_moved=28.0 * ADAM_PARAMS),
    Case("+".join(name for name, _, _ in AUGMENT_STAGES) + f" {AUG_N}x3x32x32", augment_ember, augment_torch, None,
         items=(AUG_N, "img")),
    Case(f"ColorJitter(0.4, 0.4, 0.4) {AUG_N}x3x32x32", color_jitter_ember, color_jitter_torch, None, items=(AUG_N, "img")),
    Case(f"CutMix {AUG_N}x3x32x32", cutmix_ember, cutmix_torch, None, items=(AUG_N, "img")),
    # ember.compile: ember replays the captured step, torch runs it eagerly
    Case(f"{GRAPH_CHAIN_OPS}-op chain+bwd replayed, per op", chain_replayed, chain_replayed, None,
         ops_per_call=GRAPH_CHAIN_OPS),
    Case("MLP 784-256-128-10 Adam step replayed", mlp_adam_replayed, mlp_adam_replayed, None),
    Case("MLP 784-256-128-10 Adam step, exported and loaded", mlp_adam_loaded, mlp_adam_loaded, None),
    Case("char-LM step replayed", char_lm_replayed, char_lm_replayed, None, items=(LM_STEPS * LM_BATCH, "tok")),
    # The same replays without pointwise fusion (options={"pointwise_fusion": False}): before/after.
    Case(f"{GRAPH_CHAIN_OPS}-op chain+bwd replayed unfused, per op", chain_replayed_unfused, chain_replayed, None,
         ops_per_call=GRAPH_CHAIN_OPS),
    Case(f"{GRAPH_CHAIN_OPS}-op chain+bwd on {GRAPH_CHAIN_BIG} replayed", chain_big_replayed, chain_big_replayed, None),
    Case(f"{GRAPH_CHAIN_OPS}-op chain+bwd on {GRAPH_CHAIN_BIG} replayed unfused", chain_big_replayed_unfused,
         chain_big_replayed, None),
    Case("char-LM step replayed unfused", char_lm_replayed_unfused, char_lm_replayed, None,
         items=(LM_STEPS * LM_BATCH, "tok")),
]


# --------------------------------------------------------------------------- #
# Timing harness                                                                #
# --------------------------------------------------------------------------- #

CALIBRATION_MIN_S = 0.05   # grow the inner loop until one pass takes at least this
TARGET_REPEAT_S = 0.1      # then size the inner loop so one repeat takes about this
SLOW_REPEAT_S = 0.5        # repeats longer than this are capped at 3 (bounds run time)
SETTLE_S = 0.15            # pause before each measurement: lets the previous library's
                           # BLAS threads stop spinning (OpenBLAS spins ~0.1 s after a call)


def _time_loop(fn: Callable[[], Any], number: int) -> float:
    """Seconds taken by `number` back-to-back calls of fn, with gc disabled."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in itertools.repeat(None, number):
            fn()
        return time.perf_counter() - start
    finally:
        if gc_was_enabled:
            gc.enable()


def measure(fn: Callable[[], Any], repeat: int) -> dict:
    """Best time per call of fn, in seconds, plus how it was measured."""
    time.sleep(SETTLE_S)
    fn()  # warm-up: first-call costs (lazy init, page faults, thread pool start)

    # Calibration (also warm-up; discarded): 1, 2, 5, 10, 20, 50, ... calls.
    for number in (k * 10**e for e in itertools.count() for k in (1, 2, 5)):
        elapsed = _time_loop(fn, number)
        if elapsed >= CALIBRATION_MIN_S:
            break
    per_call = elapsed / number
    number = max(1, round(TARGET_REPEAT_S / per_call))
    if per_call * number > SLOW_REPEAT_S:  # a single call is slow
        repeat = min(repeat, 3)

    times = sorted(_time_loop(fn, number) / number for _ in range(repeat))
    return {
        "seconds": times[0],  # the reported figure
        "median_seconds": times[len(times) // 2],  # median/best >> 1 means a noisy run
        "number": number,
        "repeat": repeat,
    }


# --------------------------------------------------------------------------- #
# Libraries                                                                     #
# --------------------------------------------------------------------------- #

def load_libraries(threads: int) -> dict[str, Any]:
    """Import the libraries with `threads` threads each; torch is None if missing."""
    # Must happen before numpy (which ember and torch also import) loads its BLAS.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)

    import numpy
    import ember

    ember.set_num_threads(threads)
    try:
        import torch
    except ImportError:
        torch = None
    else:
        torch.set_num_threads(threads)
    return {"ember": ember, "torch": torch, "numpy": numpy}


def library_versions(libs: dict[str, Any]) -> dict[str, str | None]:
    return {name: getattr(mod, "__version__", "?") if mod else None
            for name, mod in libs.items()}


def thread_counts(libs: dict[str, Any]) -> dict[str, int | None]:
    return {
        "ember": libs["ember"].get_num_threads(),
        "torch": libs["torch"].get_num_threads() if libs["torch"] else None,
        "numpy": int(os.environ["OPENBLAS_NUM_THREADS"]),  # BLAS only
    }


# --------------------------------------------------------------------------- #
# Running and reporting                                                         #
# --------------------------------------------------------------------------- #

def run_case(case: Case, libs: dict[str, Any], repeat: int) -> dict:
    result: dict[str, Any] = {"case": case.name, "flops": case.flops}
    for lib in LIBRARIES:
        module, setup = libs[lib], getattr(case, lib)
        if module is None or setup is None:
            result[lib] = None
            continue
        try:
            fn = setup(module)
            result[lib] = measure(fn, repeat)
            for key in ("seconds", "median_seconds"):
                result[lib][key] /= case.ops_per_call
        except Exception as exc:  # keep going: one failing op should not end the run
            result[lib] = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            fn = None  # free this library's inputs before the next one runs
            gc.collect()

    def seconds(lib):
        entry = result[lib]
        return entry["seconds"] if entry and "seconds" in entry else None

    ember_s = seconds("ember")
    for other in ("torch", "numpy"):
        other_s = seconds(other)
        result[f"ember/{other}"] = ember_s / other_s if ember_s and other_s else None
    if case.flops:
        result["gflops"] = {lib: case.flops / s / 1e9 if (s := seconds(lib)) else None
                            for lib in LIBRARIES}
    if case.items:
        count, result["unit"] = case.items
        result["per_s"] = {lib: count / s if (s := seconds(lib)) else None for lib in LIBRARIES}
    if case.bytes_moved:
        result["gbps"] = {lib: case.bytes_moved / s / 1e9 if (s := seconds(lib)) else None
                          for lib in LIBRARIES}
    return result


def format_time(entry: dict | None) -> str:
    if entry is None:
        return "-"
    if "error" in entry:
        return "error"
    s = entry["seconds"]
    if s < 1e-3:
        return f"{s * 1e6:.2f} us"
    if s < 1.0:
        return f"{s * 1e3:.3f} ms"
    return f"{s:.3f} s"


def format_number(x: float | None, fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


COLUMNS = [  # (title, width)
    ("case", 34), ("ember", 11), ("torch", 11), ("numpy", 11),
    ("ember/torch", 11), ("ember/numpy", 11),
    ("GFLOPS ember", 12), ("torch", 12), ("numpy", 7),
]


def table_row(cells: list[str]) -> str:
    first, *rest = zip(cells, COLUMNS)
    return "  ".join([first[0].ljust(first[1][1])]
                     + [cell.rjust(width) for cell, (_, width) in rest])


def format_result(r: dict) -> str:
    gflops, gbps, per_s = r.get("gflops") or {}, r.get("gbps") or {}, r.get("per_s") or {}
    rate = [format_number(gflops.get(lib), ".1f") if gflops else
            format_number(gbps.get(lib), ".1f") + " GB/s" if gbps.get(lib) else
            format_number(per_s.get(lib) / 1e3, ".1f") + f"k {r['unit']}/s" if per_s.get(lib) else ""
            for lib in LIBRARIES]
    return table_row([
        r["case"],
        *(format_time(r[lib]) for lib in LIBRARIES),
        format_number(r["ember/torch"], ".2f"),
        format_number(r["ember/numpy"], ".2f"),
        *rate,
    ])


def print_header(meta: dict) -> None:
    v, t = meta["versions"], meta["threads"]
    print(f"ember {v['ember']} | torch {v['torch'] or 'not installed'} | "
          f"numpy {v['numpy']} | Python {meta['python']} | {meta['machine']}")
    print(f"threads: ember {t['ember']}, torch {t['torch'] if t['torch'] else '-'}, "
          f"numpy BLAS {t['numpy']} (os.cpu_count() = {meta['cpu_count']}); "
          f"load average before the run: {meta['load_average']:.2f}")
    if meta["load_average"] > 0.25 * (meta["cpu_count"] or 1):
        print("warning: the machine is busy; multi-threaded timings will be noisy "
              "(see median_seconds in --json)")
    print(f"time per call: best of {meta['repeat']} repeats of ~{TARGET_REPEAT_S * 1e3:.0f} ms "
          f"(output allocation included); ratios are ember time / other time, "
          f"lower is better for ember")
    print()
    print(table_row([title for title, _ in COLUMNS]))
    print(table_row(["-" * width for _, width in COLUMNS]))


# --------------------------------------------------------------------------- #
# Startup: import time and resident memory, each in a fresh interpreter         #
# --------------------------------------------------------------------------- #

STARTUP_RUNS = 5
_STARTUP_SCRIPT = """
import time
t = time.perf_counter()
import {lib}
elapsed = time.perf_counter() - t
rss_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS"))
print(elapsed, rss_kb * 1024)
"""


def measure_startup(lib: str) -> dict | None:
    """Best-of-N `import lib` time and the process's resident memory after it (Linux)."""
    import subprocess

    times, rss = [], []
    for _ in range(STARTUP_RUNS):
        run = subprocess.run([sys.executable, "-c", _STARTUP_SCRIPT.format(lib=lib)], capture_output=True,
                             text=True)
        if run.returncode != 0:
            return None
        t, r = run.stdout.split()
        times.append(float(t))
        rss.append(int(r))
    return {"import_seconds": min(times), "rss_bytes": min(rss)}


def startup_results() -> dict:
    results = {lib: measure_startup(lib) for lib in LIBRARIES}
    e, t = results["ember"], results["torch"]
    if e and t:
        results["ember/torch"] = {"import": e["import_seconds"] / t["import_seconds"],
                                  "rss": e["rss_bytes"] / t["rss_bytes"]}
    return results


def print_startup(results: dict) -> None:
    print()
    print(f"startup, each in a fresh interpreter (best of {STARTUP_RUNS}):")
    for lib in LIBRARIES:
        r = results[lib]
        cells = "-" if r is None else f"{r['import_seconds'] * 1e3:8.1f} ms  {r['rss_bytes'] / 2**20:7.1f} MB RSS"
        print(f"  import {lib:<6} {cells}")
    if "ember/torch" in results:
        ratio = results["ember/torch"]
        print(f"  ember/torch: import time {ratio['import']:.2f}, resident memory {ratio['rss']:.2f}")


# --------------------------------------------------------------------------- #
# Peak memory: 20 ResNet-20 training steps, each library in a fresh interpreter #
# --------------------------------------------------------------------------- #

_PEAK_SCRIPT = """
import sys
sys.path.insert(0, {here!r})
import {lib} as m
from run import randint, randn, resnet
m.set_num_threads({threads})
model = resnet(m, "resnet20")
opt = m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
x, y = randn(m, 64, 3, 32, 32), randint(m, 10, 64)
for _ in range(20):
    opt.zero_grad()
    m.nn.functional.cross_entropy(model(x), y).backward()
    opt.step()
# VmHWM: this process's peak (ru_maxrss would carry the parent's peak across fork and exec)
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) * 1024)
"""


def peak_memory_results(threads: int) -> dict:
    """The peak resident memory (VmHWM, Linux) of a process that imports the library and runs 20
    ResNet-20 training steps at batch 64."""
    import subprocess

    here = os.path.dirname(os.path.abspath(__file__))
    results = {}
    for lib in ("ember", "torch"):
        run = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT.format(here=here, lib=lib, threads=threads)],
                             capture_output=True, text=True)
        results[lib] = int(run.stdout.split()[-1]) if run.returncode == 0 else None
    if results["ember"] and results["torch"]:
        results["ember/torch"] = results["ember"] / results["torch"]
    return results


def print_peak_memory(results: dict) -> None:
    print()
    print("peak resident memory, 20 ResNet-20 training steps at batch 64, each in a fresh interpreter:")
    for lib in ("ember", "torch"):
        r = results[lib]
        print(f"  {lib:<6} {'-' if r is None else f'{r / 2**20:7.1f} MB'}")
    if "ember/torch" in results:
        print(f"  ember/torch: {results['ember/torch']:.2f}")


# --------------------------------------------------------------------------- #
# ember.metrics vs scikit-learn on 1M binary scores (issue 17: <= 0.5x)         #
# --------------------------------------------------------------------------- #

METRICS_CASES = ("roc_auc_score", "precision_recall_curve")


def metrics_results(repeat: int) -> dict | None:
    """ember.metrics and sklearn.metrics timed on the same NumPy inputs: 1M float64 scores of a
    binary problem (some ties); None where scikit-learn is not installed."""
    try:
        import sklearn.metrics as skm
    except ImportError:
        return None
    import numpy
    import ember.metrics as em

    rng = numpy.random.default_rng(0)
    y = rng.integers(0, 2, M)
    scores = numpy.round(rng.random(M) + 0.3 * y, 6)
    results = {}
    for name in METRICS_CASES:
        e = measure(lambda: getattr(em, name)(y, scores), repeat)
        k = measure(lambda: getattr(skm, name)(y, scores), repeat)
        results[name] = {"ember": e, "sklearn": k, "ember/sklearn": e["seconds"] / k["seconds"]}
    return results


def print_metrics(results: dict | None) -> None:
    print()
    if results is None:
        print("ember.metrics vs scikit-learn: scikit-learn is not installed")
        return
    print("ember.metrics vs scikit-learn, 1M float64 scores (target: ember/sklearn <= 0.5):")
    for name, r in results.items():
        print(f"  {name:<24} ember {format_time(r['ember']):>11}  sklearn {format_time(r['sklearn']):>11}  "
              f"ember/sklearn {r['ember/sklearn']:.2f}")


# --------------------------------------------------------------------------- #
# ember.train.fit's epoch vs the same epoch written by hand (issue 17: <= 5%)    #
# --------------------------------------------------------------------------- #

FIT_N, FIT_BATCH = 4096, 64


def fit_results(repeat: int) -> dict:
    """One epoch (64 steps of an MLP 64-128-10, SGD, a shuffled DataLoader) through
    ember.train.fit and through a hand-written loop that also sums loss.item() per batch."""
    import ember
    import ember.nn.functional as F
    from ember import data, train

    ember.manual_seed(0)
    dataset = data.TensorDataset(ember.randn(FIT_N, 64), ember.randint(0, 10, (FIT_N,)))
    loader = data.DataLoader(dataset, batch_size=FIT_BATCH, shuffle=True)
    model = ember.nn.Sequential(ember.nn.Linear(64, 128), ember.nn.ReLU(), ember.nn.Linear(128, 10))
    opt = ember.optim.SGD(model.parameters(), lr=0.01)

    def by_hand():
        model.train()
        total = 0.0
        for x, y in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
        return total

    def by_fit():
        return train.fit(model, opt, F.cross_entropy, loader, epochs=1, progress=False)

    hand, fitted = measure(by_hand, repeat), measure(by_fit, repeat)
    return {"hand": hand, "fit": fitted, "fit/hand": fitted["seconds"] / hand["seconds"]}


def print_fit(results: dict) -> None:
    print()
    print(f"ember.train.fit vs a hand-written loop, one epoch ({FIT_N // FIT_BATCH} steps, MLP 64-128-10, "
          f"batch {FIT_BATCH}; target: fit/hand <= 1.05):")
    print(f"  hand {format_time(results['hand']):>11}  fit {format_time(results['fit']):>11}  "
          f"fit/hand {results['fit/hand']:.3f}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--filter", metavar="SUBSTR", default="",
                   help="run only cases whose name contains SUBSTR (case-insensitive)")
    p.add_argument("--repeat", metavar="N", type=int, default=5,
                   help="timed repeats per case and library; the best is kept (default 5)")
    p.add_argument("--threads", metavar="N", type=int, default=os.cpu_count() or 1,
                   help="threads for every library (default: os.cpu_count())")
    p.add_argument("--json", action="store_true",
                   help="print machine-readable JSON instead of a table")
    p.add_argument("--list", action="store_true", help="list case names and exit")
    args = p.parse_args(argv)
    if args.repeat < 1 or args.threads < 1:
        p.error("--repeat and --threads must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cases = [c for c in CASES if args.filter.lower() in c.name.lower()]
    if args.list:
        print("\n".join(c.name for c in cases))
        return 0
    if not cases and args.filter.lower() not in "startup import peak memory metrics sklearn fit":
        print(f"no case matches --filter {args.filter!r}; try --list", file=sys.stderr)
        return 1

    libs = load_libraries(args.threads)
    meta = {
        "versions": library_versions(libs),
        "threads": thread_counts(libs),
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "repeat": args.repeat,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
    }

    if not args.json:
        print_header(meta)
    results = []
    for case in cases:
        results.append(run_case(case, libs, args.repeat))
        if not args.json:
            print(format_result(results[-1]), flush=True)

    startup = startup_results() if args.filter.lower() in "startup import" else None
    if startup and not args.json:
        print_startup(startup)
    peak = peak_memory_results(args.threads) if args.filter.lower() in "peak memory resnet" else None
    if peak and not args.json:
        print_peak_memory(peak)
    metrics = metrics_results(args.repeat) if args.filter.lower() in "metrics sklearn" else None
    if metrics is not None and not args.json:
        print_metrics(metrics)
    fit = fit_results(args.repeat) if args.filter.lower() in "fit loop" else None
    if fit is not None and not args.json:
        print_fit(fit)
    if args.json:
        json.dump({"meta": meta, "results": results, "startup": startup, "peak_memory": peak, "metrics": metrics,
                   "fit": fit},
                  sys.stdout, indent=2)
        print()
    else:
        errors = [(r["case"], lib, r[lib]["error"]) for r in results for lib in LIBRARIES
                  if r[lib] and "error" in r[lib]]
        for case_name, lib, message in errors:
            print(f"error: {case_name} [{lib}]: {message}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
