"""The layers' functional forms and what module_db's rows cannot express, against torch:
F.embedding_bag (modes, offsets, include_last_offset, 2-D bags, padding_idx, per_sample_weights,
int32 indices, max_norm, gradients, scale_grad_by_freq), F.embedding's scale_grad_by_freq, EmbeddingBag.from_pretrained, torch's text-classification
tutorial model trained step by step in both libraries, F.bilinear, F.glu, F.hardshrink,
F.softshrink, F.rrelu and the in-place forms torch.nn.functional has (relu_, elu_, leaky_relu_,
selu_, celu_, rrelu_), torch's top-level spellings, and the signatures of the functional forms.
(The module forms are rows of tests/nn/module_db.py.)"""
import inspect

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from op_db import to_numpy

RNG = np.random.default_rng(23)
W = RNG.standard_normal((10, 4))
IDX = np.array([1, 2, 4, 5, 4, 3, 2, 9, 0, 2], np.int64)
OFFSETS = np.array([0, 3, 3, 7], np.int64)           # an empty bag among them
LAST_OFFSETS = np.array([0, 3, 3, 7, 10], np.int64)  # include_last_offset: CSR, the last entry is the length
PSW = RNG.uniform(0.5, 2.0, 10)


def _t(lib, a):
    return ember.from_numpy(a.copy()) if lib is ember else lib.from_numpy(a.copy())


def _bag(lib, idx, offsets=None, psw=None, **kw):
    """(output, weight's gradient, per_sample_weights' gradient) for a random cotangent."""
    functional = F if lib is ember else lib.nn.functional
    w = _t(lib, W).requires_grad_(True)
    p = None if psw is None else _t(lib, psw).requires_grad_(True)
    out = functional.embedding_bag(_t(lib, idx), w, None if offsets is None else _t(lib, offsets),
                                   per_sample_weights=p, **kw)
    cot = np.random.default_rng(1).standard_normal(tuple(out.shape))
    (out * _t(lib, cot)).sum().backward()
    return [to_numpy(out.detach()) if lib is ember else out.detach().numpy(),
            to_numpy(w.grad) if lib is ember else w.grad.numpy(),
            None if p is None else (to_numpy(p.grad) if lib is ember else p.grad.numpy())]


def _assert_bags(torch, *args, **kw):
    got, want = _bag(ember, *args, **kw), _bag(torch, *args, **kw)
    for g, w, what in zip(got, want, ("output", "weight.grad", "per_sample_weights.grad")):
        if w is None:
            assert g is None, what
        else:
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12, err_msg=what)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2, -8])
def test_embedding_bag_offsets_match_torch(torch, mode, padding_idx):
    _assert_bags(torch, IDX, OFFSETS, mode=mode, padding_idx=padding_idx)
    _assert_bags(torch, IDX, LAST_OFFSETS, mode=mode, padding_idx=padding_idx, include_last_offset=True)
    _assert_bags(torch, IDX.reshape(2, 5), mode=mode, padding_idx=padding_idx)
    _assert_bags(torch, IDX.reshape(2, 5), mode=mode, padding_idx=padding_idx, include_last_offset=True)


@pytest.mark.parametrize("padding_idx", [None, 4])
def test_embedding_bag_per_sample_weights_match_torch(torch, padding_idx):
    _assert_bags(torch, IDX, OFFSETS, PSW, mode="sum", padding_idx=padding_idx)
    _assert_bags(torch, IDX, LAST_OFFSETS, PSW, mode="sum", padding_idx=padding_idx, include_last_offset=True)
    _assert_bags(torch, IDX.reshape(5, 2), None, PSW.reshape(5, 2), mode="sum", padding_idx=padding_idx)


def test_embedding_bag_edge_cases_match_torch(torch):
    empty = np.zeros(0, np.int64)
    for mode in ("sum", "mean", "max"):
        _assert_bags(torch, empty, np.array([0, 0], np.int64), mode=mode)      # two empty bags
        _assert_bags(torch, empty, empty, mode=mode)                           # no bag at all
        _assert_bags(torch, IDX, np.array([0], np.int64), mode=mode)          # one bag of everything
        _assert_bags(torch, IDX, np.array([0, 10], np.int64), mode=mode)      # a trailing empty bag
        _assert_bags(torch, np.zeros((0, 3), np.int64), mode=mode)            # 2-D, no bag
        _assert_bags(torch, np.array([2, 2, 2], np.int64), np.array([0], np.int64), mode=mode, padding_idx=2)


def test_embedding_bag_int32_indices_and_offsets(torch):
    for mode in ("sum", "mean", "max"):
        want = _bag(torch, IDX, OFFSETS, mode=mode)[0]
        got = F.embedding_bag(ember.from_numpy(IDX.astype(np.int32)), ember.from_numpy(W),
                              ember.from_numpy(OFFSETS.astype(np.int32)), mode=mode)
        np.testing.assert_allclose(to_numpy(got), want, rtol=1e-12)


def test_embedding_bag_max_norm_renormalizes_like_torch(torch):
    w, wt = ember.from_numpy(W.copy()), torch.from_numpy(W.copy())
    out = F.embedding_bag(ember.from_numpy(IDX), w, ember.from_numpy(OFFSETS), max_norm=1.0, mode="sum")
    want = torch.nn.functional.embedding_bag(torch.from_numpy(IDX), wt, torch.from_numpy(OFFSETS), max_norm=1.0,
                                             mode="sum")
    np.testing.assert_allclose(to_numpy(out), want.numpy(), rtol=1e-7)
    np.testing.assert_allclose(to_numpy(w), wt.numpy(), rtol=1e-7)  # the rows looked up, renormalized in place


def _freq_scaled_grad(idx, bag_of, cot, bag_size, padding_idx=None):
    """NumPy: the weight's gradient with scale_grad_by_freq: index j adds cot[bag_of[j]] / bag_size
    to its row, divided by how often idx holds that row (padding_idx's row gets none)."""
    counts = np.bincount(idx, minlength=len(W))
    grad = np.zeros_like(W)
    for j, row in enumerate(idx):
        if row != padding_idx and bag_of[j] >= 0:
            grad[row] += cot[bag_of[j]] / bag_size[bag_of[j]] / counts[row]
    return grad


@pytest.mark.parametrize("mode", ["sum", "mean"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_scale_grad_by_freq(torch, mode, padding_idx):
    # IDX repeats rows 2 and 4 among single ones. torch 2.13's CPU kernel divides by another row's
    # count there (pytorch/pytorch#190063), so the reference is NumPy; where every row is picked
    # equally often torch is right, and both are compared with it.
    out, grad, _ = _bag(ember, IDX, OFFSETS, mode=mode, padding_idx=padding_idx, scale_grad_by_freq=True)
    bag_of = np.searchsorted(OFFSETS, np.arange(len(IDX)), side="right") - 1
    kept = (IDX != padding_idx)
    sizes = np.bincount(bag_of[kept], minlength=len(OFFSETS)).clip(1) if mode == "mean" else np.ones(len(OFFSETS))
    cot = np.random.default_rng(1).standard_normal(out.shape)
    np.testing.assert_allclose(grad, _freq_scaled_grad(IDX, bag_of, cot, sizes, padding_idx), rtol=1e-12)
    np.testing.assert_allclose(out, _bag(ember, IDX, OFFSETS, mode=mode, padding_idx=padding_idx)[0], rtol=0)
    twice = np.array([[1, 5, 5, 1], [7, 1, 7, 5], [1, 5, 7, 7]])
    _assert_bags(torch, twice, mode=mode, padding_idx=padding_idx, scale_grad_by_freq=True)


def test_embedding_scale_grad_by_freq_matches_torch(torch):
    idx = np.array([[1, 2, 4, 4], [4, 9, 1, 4]])
    for dtype in ("float64", "float32", "float16", "bfloat16"):
        for padding_idx in (None, 4):
            grads = []
            for lib in (ember, torch):
                w = lib.tensor(W.tolist(), dtype=getattr(lib, dtype), requires_grad=True)
                out = (F if lib is ember else lib.nn.functional).embedding(
                    lib.tensor(idx.tolist()), w, padding_idx=padding_idx, scale_grad_by_freq=True)
                out.backward(lib.arange(32.0).reshape(2, 4, 4).to(getattr(lib, dtype)))
                grads.append(np.array(w.grad.double().tolist()))
            np.testing.assert_array_equal(*grads, err_msg=f"{dtype}, padding_idx={padding_idx}")
    want = np.zeros_like(W)
    want[4] = (np.arange(32.0).reshape(8, 4)[[2, 3, 4, 7]]).sum(0) / 4
    w = ember.from_numpy(W).requires_grad_(True)
    F.embedding(ember.tensor(idx), w, scale_grad_by_freq=True).backward(ember.arange(32.0, dtype=ember.float64)
                                                                       .reshape(2, 4, 4))
    np.testing.assert_allclose(to_numpy(w.grad)[4], want[4], rtol=1e-15)


def test_sparse_gradients_come_dense_with_torch_values(torch):
    # torch's sparse=True gives a sparse gradient; ember's is dense, with the same values, so SGD
    # steps the same.
    for name, kw in (("embedding", {}), ("embedding_bag", {"mode": "sum"})):
        grads = []
        for lib in (ember, torch):
            w = _t(lib, W).requires_grad_(True)
            out = getattr(F if lib is ember else lib.nn.functional, name)(_t(lib, IDX.reshape(2, 5)), w, sparse=True,
                                                                        **kw)
            out.backward(_t(lib, np.random.default_rng(2).standard_normal(tuple(out.shape))))
            grads.append(to_numpy(w.grad) if lib is ember else w.grad.to_dense().numpy())
        assert not grads[0].size == 0
        np.testing.assert_allclose(*grads, rtol=1e-12, err_msg=name)
    m = ember.nn.Embedding(10, 3, sparse=True)
    assert m.sparse and repr(m) == "Embedding(10, 3, sparse=True)"


def test_embedding_max_norm_like_torch(torch):
    # torch rescales every looked-up row whose norm exceeds max_norm by max_norm / (norm + 1e-7),
    # max_norm <= 0 included; the scale in float64, rounded to the dtype for the product
    for dtype in ("float64", "float32", "float16", "bfloat16"):
        for max_norm, norm_type in ((1.0, 2.0), (0.5, 1.0), (2.0, 3.5), (0.0, 2.0), (-1.5, 2.0), (1.0, float("inf"))):
            tables = []
            for lib in (ember, torch):
                w = lib.tensor((W * 3).tolist(), dtype=getattr(lib, dtype))
                (F if lib is ember else lib.nn.functional).embedding(lib.tensor(IDX.tolist()), w, max_norm=max_norm,
                                                                      norm_type=norm_type)
                tables.append(np.array(w.double().tolist()))
            np.testing.assert_array_equal(*tables, err_msg=f"{dtype} max_norm={max_norm} p={norm_type}")


def test_embedding_bag_refusals():
    w = ember.from_numpy(W)
    with pytest.raises(ValueError, match="max mode does not support scaling the gradient"):
        F.embedding_bag(ember.tensor([[1, 2]]), w, mode="max", scale_grad_by_freq=True)
    with pytest.raises(ValueError, match="max mode does not support sparse weights"):
        F.embedding_bag(ember.tensor([[1, 2]]), w, mode="max", sparse=True)
    with pytest.raises(ValueError, match="mode has to be one of sum, mean or max"):
        F.embedding_bag(ember.tensor([[1, 2]]), w, mode="avg")
    with pytest.raises(ValueError, match="include_last_offset"):
        F.embedding_bag(ember.tensor([1, 2]), w, ember.tensor([], dtype=ember.int64), include_last_offset=True)
    with pytest.raises(TypeError, match="floating"):
        F.embedding_bag(ember.tensor([[1, 2]]), ember.ones(10, 2, dtype=ember.int64))
    with pytest.raises(ValueError, match=r"weight has to be 2-D.*\(10,\)"):
        F.embedding_bag(ember.tensor([[1, 2]]), ember.ones(10))
    with pytest.raises(ValueError, match="padding_idx"):
        F.embedding_bag(ember.tensor([[1, 2]]), w, padding_idx=10)


def test_embedding_bag_from_pretrained(torch):
    table = ember.from_numpy(W.astype(np.float32))
    m = ember.nn.EmbeddingBag.from_pretrained(table, mode="sum", padding_idx=1)
    mt = torch.nn.EmbeddingBag.from_pretrained(torch.from_numpy(W.astype(np.float32)), mode="sum", padding_idx=1)
    assert repr(m) == repr(mt)
    assert not m.weight.requires_grad
    np.testing.assert_array_equal(to_numpy(m.weight), W.astype(np.float32))  # a copy, row 1 kept as given
    np.testing.assert_allclose(to_numpy(m(ember.from_numpy(IDX), ember.from_numpy(OFFSETS))),
                               mt(torch.from_numpy(IDX), torch.from_numpy(OFFSETS)).numpy(), rtol=1e-6)
    assert ember.nn.EmbeddingBag.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(ValueError, match="2-D"):
        ember.nn.EmbeddingBag.from_pretrained(ember.ones(3))


def test_embedding_bag_keyword_forward_and_attributes():
    m = ember.nn.EmbeddingBag(10, 3, mode="sum")
    out = m(ember.from_numpy(IDX), offsets=ember.from_numpy(OFFSETS), per_sample_weights=ember.ones(10))
    assert tuple(out.shape) == (4, 3)
    assert (m.num_embeddings, m.embedding_dim, m.mode, m.include_last_offset, m.padding_idx) == (10, 3, "sum", False,
                                                                                                None)


# ---- torch's text-classification tutorial (AG_NEWS), its model and training steps ----------------

def _text_model(lib, vocab_size, embed_dim, num_class):
    nn = lib.nn

    class TextClassificationModel(nn.Module):
        def __init__(self, vocab_size, embed_dim, num_class):
            super().__init__()
            self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
            self.fc = nn.Linear(embed_dim, num_class)
            self.init_weights()

        def init_weights(self):
            initrange = 0.5
            self.embedding.weight.data.uniform_(-initrange, initrange)
            self.fc.weight.data.uniform_(-initrange, initrange)
            self.fc.bias.data.zero_()

        def forward(self, text, offsets):
            embedded = self.embedding(text, offsets)
            return self.fc(embedded)

    return TextClassificationModel(vocab_size, embed_dim, num_class)


def _collate_batch(lib, batch):
    """The tutorial's collate_batch: labels, the texts concatenated, and each text's offset."""
    label_list, text_list, offsets = [], [], [0]
    for _label, _text in batch:
        label_list.append(_label)
        processed_text = lib.tensor(_text, dtype=lib.int64)
        text_list.append(processed_text)
        offsets.append(processed_text.size(0))
    label_list = lib.tensor(label_list, dtype=lib.int64)
    offsets = lib.tensor(offsets[:-1]).cumsum(dim=0)
    text_list = lib.cat(text_list)
    return label_list, text_list, offsets


def test_text_classification_tutorial_trains_like_torch(torch):
    """The tutorial's model, collate function and training step (CrossEntropyLoss, SGD lr=5,
    clip_grad_norm_ 0.1, StepLR): the same losses and weights as torch's, step by step."""
    rng = np.random.default_rng(5)
    vocab, dim, classes = 50, 8, 4
    batches = [[(int(rng.integers(0, classes)), rng.integers(0, vocab, int(rng.integers(1, 12))).tolist())
                for _ in range(6)] for _ in range(4)]
    models = {lib: _text_model(lib, vocab, dim, classes) for lib in (ember, torch)}
    with torch.no_grad():
        for name, p in models[torch].named_parameters():
            p.copy_(torch.from_numpy(to_numpy(dict(models[ember].named_parameters())[name].detach())))
    losses = {}
    for lib, model in models.items():
        criterion = lib.nn.CrossEntropyLoss()
        optimizer = lib.optim.SGD(model.parameters(), lr=5)
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
        model.train()
        losses[lib] = []
        for epoch in range(2):
            for batch in batches:
                label, text, offsets = _collate_batch(lib, batch)
                optimizer.zero_grad()
                predicted_label = model(text, offsets)
                loss = criterion(predicted_label, label)
                loss.backward()
                lib.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
                optimizer.step()
                losses[lib].append(loss.item())
            scheduler.step()
        model.eval()
        with lib.no_grad():
            label, text, offsets = _collate_batch(lib, batches[0])
            assert tuple(model(text, offsets).argmax(1).shape) == (6,)
    np.testing.assert_allclose(losses[ember], losses[torch], rtol=1e-5)
    for name, p in models[torch].named_parameters():
        np.testing.assert_allclose(to_numpy(dict(models[ember].named_parameters())[name].detach()),
                                   p.detach().numpy(), rtol=1e-4, atol=1e-6, err_msg=name)


# ---- bilinear and the activations ---------------------------------------------------------------

@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("lead", [(5,), (), (2, 3), (0,)])
def test_bilinear_matches_torch(torch, bias, lead):
    x1, x2 = RNG.standard_normal(lead + (3,)), RNG.standard_normal(lead + (4,))
    w, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal(2)
    results = []
    for lib in (ember, torch):
        functional = F if lib is ember else lib.nn.functional
        ts = [_t(lib, a).requires_grad_(True) for a in (x1, x2, w, b)]
        out = functional.bilinear(ts[0], ts[1], ts[2], ts[3] if bias else None)
        out.sum().backward()
        results.append([out.detach()] + [t.grad for t in ts[:3 + bias]])
    for g, want in zip(*results):
        np.testing.assert_allclose(to_numpy(g), want.numpy(), rtol=1e-10, atol=1e-12)
    for a, b_ in ((ember.bilinear, torch.bilinear),):
        np.testing.assert_allclose(to_numpy(a(_t(ember, x1), _t(ember, x2), _t(ember, w))),
                                   b_(_t(torch, x1), _t(torch, x2), _t(torch, w)).numpy(), rtol=1e-10, atol=1e-12)


POINTS = np.array([-2.0, -0.7, -0.5, -0.3, 0.0, 0.2, 0.5, 0.6, 1.5, np.nan])


@pytest.mark.parametrize("name,kwargs", [("hardshrink", {}), ("hardshrink", {"lambd": 1.0}), ("softshrink", {}),
                                         ("softshrink", {"lambd": 0.0}), ("glu", {}), ("glu", {"dim": 0}),
                                         ("rrelu", {}), ("rrelu", {"lower": 0.1, "upper": 0.2})])
def test_activations_match_torch(torch, name, kwargs):
    x = np.tile(POINTS, (2, 1))
    outs = []
    for lib in (ember, torch):
        functional = F if lib is ember else lib.nn.functional
        t = _t(lib, x).requires_grad_(True)
        y = getattr(functional, name)(t, **kwargs)
        y.backward(_t(lib, np.ones(tuple(y.shape))))
        outs.append((y.detach(), t.grad))
    (y, g), (yt, gt) = outs
    np.testing.assert_array_equal(to_numpy(y), yt.numpy())
    finite = ~np.isnan(x)  # torch's gradient at NaN differs between its vectorized loop and its tail
    np.testing.assert_allclose(to_numpy(g)[finite], gt.numpy()[finite], rtol=1e-12)


def test_rrelu_training_is_random_and_reproducible(torch):
    x = -ember.ones(1000, dtype=ember.float64)
    ember.manual_seed(0)
    a = F.rrelu(x, 0.1, 0.3, training=True)
    ember.manual_seed(0)
    b = F.rrelu(x, 0.1, 0.3, training=True)
    assert ember.equal(a, b)
    slopes = -to_numpy(a)
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    with pytest.raises(RuntimeError, match="rrelu: lower bound"):
        F.rrelu(x, 0.5, 0.1)


@pytest.mark.parametrize("name,args", [("relu_", ()), ("elu_", (0.5,)), ("leaky_relu_", (0.2,)), ("selu_", ()),
                                       ("celu_", (2.0,)), ("rrelu_", (0.1, 0.3))])
def test_inplace_forms_write_their_input(torch, name, args):
    x = RNG.standard_normal(7)
    e, t = _t(ember, x), _t(torch, x)
    assert getattr(F, name)(e, *args) is e
    getattr(torch.nn.functional, name)(t, *args)
    np.testing.assert_allclose(to_numpy(e), t.numpy(), rtol=1e-12)


def test_inplace_form_records_its_gradient(torch):
    x = RNG.standard_normal(7)
    e, t = _t(ember, x).requires_grad_(True), _t(torch, x).requires_grad_(True)
    F.celu_(e * 1, 2.0).sum().backward()
    torch.nn.functional.celu_(t * 1, 2.0).sum().backward()
    np.testing.assert_allclose(to_numpy(e.grad), t.grad.numpy(), rtol=1e-12)


def test_top_level_spellings_match_torch(torch):
    x = np.array([-1.0, -0.3, 0.4, 2.0])
    for name, args in (("hardshrink", ()), ("hardshrink", (0.35,)), ("rrelu", ()), ("rrelu", (0.1, 0.2)),
                       ("relu_", ()), ("selu_", ()), ("celu_", ()), ("rrelu_", ())):
        e, t = _t(ember, x), _t(torch, x)
        np.testing.assert_allclose(to_numpy(getattr(ember, name)(e, *args)), getattr(torch, name)(t, *args).numpy(),
                                   rtol=1e-12, err_msg=name)
        assert name in ember.__all__


NEW_FUNCTIONAL = ["bilinear", "embedding_bag", "glu", "hardshrink", "softshrink", "rrelu", "rrelu_", "relu_", "elu_",
                  "leaky_relu_", "selu_", "celu_"]


@pytest.mark.parametrize("name", NEW_FUNCTIONAL)
def test_functional_signatures_match_torch(torch, name):
    """Each new functional form takes torch's argument names in torch's order (with torch's
    defaults where torch's Python signature states them)."""
    ours = inspect.signature(getattr(F, name))
    assert name in F.__all__
    try:
        theirs = inspect.signature(getattr(torch.nn.functional, name))
    except ValueError:  # a builtin: its docstring's first line is the signature
        line = getattr(torch.nn.functional, name).__doc__.strip().splitlines()[0]
        names = [p.split("=")[0].strip() for p in line[line.index("(") + 1:line.index(")")].split(",")]
        assert list(ours.parameters) == names
        return
    assert list(ours.parameters) == list(theirs.parameters)
    for p in theirs.parameters.values():
        if p.default is not inspect.Parameter.empty:
            assert ours.parameters[p.name].default == p.default, p.name


# ---- rms_norm, local_response_norm, instance_norm, channel_shuffle --------------------------------

def _grads(lib, fn, arrays, **kw):
    ts = [None if a is None else _t(lib, a).requires_grad_(True) for a in arrays]
    y = fn(lib)(*ts, **kw)
    (y * _t(lib, np.random.default_rng(2).standard_normal(tuple(y.shape)))).sum().backward()
    conv = to_numpy if lib is ember else (lambda t: t.numpy())
    return [conv(y.detach())] + [None if t is None else conv(t.grad) for t in ts]


def _assert_same_grads(torch, fn, arrays, rtol=1e-10, **kw):
    for g, w in zip(_grads(ember, fn, arrays, **kw), _grads(torch, fn, arrays, **kw)):
        if w is None:
            assert g is None
        else:
            np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("eps", [None, 1e-3])
@pytest.mark.parametrize("shape", [[4], [3, 4]])
def test_rms_norm_matches_torch(torch, eps, shape):
    x, w = RNG.standard_normal((2, 3, 4)), RNG.standard_normal(shape)
    fn = lambda lib: lambda x, w: (F if lib is ember else lib.nn.functional).rms_norm(x, shape, w, eps=eps)
    _assert_same_grads(torch, fn, [x, w])
    fn = lambda lib: lambda x: (F if lib is ember else lib.nn.functional).rms_norm(x, shape, eps=eps)
    _assert_same_grads(torch, fn, [x])
    x32 = x.astype(np.float32)  # eps None: float32's machine epsilon
    np.testing.assert_allclose(to_numpy(F.rms_norm(ember.from_numpy(x32 * 1e-4), shape)),
                               torch.nn.functional.rms_norm(torch.from_numpy(x32 * 1e-4), shape).numpy(), rtol=1e-5)
    np.testing.assert_allclose(to_numpy(ember.rms_norm(ember.from_numpy(x), shape)),
                               torch.rms_norm(torch.from_numpy(x), shape).numpy(), rtol=1e-12)


@pytest.mark.parametrize("size", [1, 2, 3, 6])
@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 5, 2, 3), (1, 5, 2, 2, 2)])
def test_local_response_norm_matches_torch(torch, size, shape):
    x = RNG.standard_normal(shape)
    fn = lambda lib: lambda x: (F if lib is ember else lib.nn.functional).local_response_norm(x, size, alpha=0.5,
                                                                                             beta=0.7, k=1.5)
    _assert_same_grads(torch, fn, [x])


@pytest.mark.parametrize("use_input_stats", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_instance_norm_matches_torch(torch, use_input_stats, affine):
    x = RNG.standard_normal((2, 3, 5, 4))
    w, b = (RNG.standard_normal(3), RNG.standard_normal(3)) if affine else (None, None)
    stats = {}
    for lib in (ember, torch):
        rm, rv = _t(lib, np.full(3, 0.5)), _t(lib, np.full(3, 2.0))
        functional = F if lib is ember else lib.nn.functional
        fn = lambda lib_, rm=rm, rv=rv, functional=functional: lambda x, w, b: functional.instance_norm(
            x, rm, rv, w, b, use_input_stats=use_input_stats, momentum=0.3, eps=1e-3)
        stats[lib] = (_grads(lib, fn, [x, w, b]), rm, rv)
    (ge, rme, rve), (gt, rmt, rvt) = stats[ember], stats[torch]
    for g, want in zip(ge, gt):
        if want is not None:
            np.testing.assert_allclose(g, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(to_numpy(rme), rmt.numpy(), rtol=1e-12)
    np.testing.assert_allclose(to_numpy(rve), rvt.numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        to_numpy(ember.instance_norm(_t(ember, x), None, None, None, None, True, 0.1, 1e-5, False)),
        torch.instance_norm(_t(torch, x), None, None, None, None, True, 0.1, 1e-5, False).numpy(), rtol=1e-10)


@pytest.mark.parametrize("groups", [1, 2, 3, 6])
def test_channel_shuffle_matches_torch(torch, groups):
    x = RNG.standard_normal((2, 6, 3, 2))
    np.testing.assert_array_equal(to_numpy(F.channel_shuffle(_t(ember, x), groups)),
                                  torch.nn.functional.channel_shuffle(_t(torch, x), groups).numpy())
    np.testing.assert_array_equal(to_numpy(ember.channel_shuffle(_t(ember, x), groups)),
                                  torch.channel_shuffle(_t(torch, x), groups).numpy())
    ints = np.arange(12).reshape(1, 6, 2)
    np.testing.assert_array_equal(to_numpy(F.channel_shuffle(_t(ember, ints), groups)),
                                  torch.nn.functional.channel_shuffle(_t(torch, ints), groups).numpy())


NORM_FUNCTIONAL = ["rms_norm", "local_response_norm", "instance_norm", "channel_shuffle"]


@pytest.mark.parametrize("name", NORM_FUNCTIONAL)
def test_norm_functional_signatures_match_torch(torch, name):
    test_functional_signatures_match_torch(torch, name)
