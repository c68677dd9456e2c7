"""ctc_loss and CTCLoss against torch's: reductions, padded and concatenated targets, unbatched
input, repeated labels, another blank, impossible alignments with and without zero_infinity,
float32 and float64; gradients with respect to the logits (through log_softmax) and to the
log-probabilities directly (torch's, which assume log-softmax outputs); gradcheck and
gradgradcheck; bad inputs; and a small recognizer trained in both libraries."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TARGETS = np.array([[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 3, 0]])


def _run(L, LF, x, targets, in_lens, tg_lens, concat=False, log_softmax=True, **kw):
    xs = L.tensor(x, requires_grad=True)
    log_probs = xs.log_softmax(-1) if log_softmax else xs
    if concat:
        targets = np.concatenate([row[:n] for row, n in zip(targets, tg_lens)])
    lengths = (L.tensor(in_lens), L.tensor(tg_lens)) if L is torch else (in_lens, tg_lens)
    loss = LF.ctc_loss(log_probs, L.tensor(targets), *lengths, **kw)
    loss.sum().backward()
    return loss.detach().numpy(), xs.grad.numpy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("concat", [False, True], ids=["padded", "concatenated"])
def test_ctc_loss_matches_torch(reduction, concat, dtype):
    x = np.random.default_rng(0).standard_normal((12, 3, 5)).astype(dtype)
    args = (x, TARGETS, [12, 10, 7], [4, 2, 3], concat)
    le, ge = _run(ember, F, *args, reduction=reduction)
    lt, gt = _run(torch, TF, *args, reduction=reduction)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(le, lt, rtol=tol, atol=tol)
    np.testing.assert_allclose(ge, gt, rtol=tol, atol=tol)


@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_impossible_alignments_as_torch(zero_infinity, reduction):
    """'3 3 3' needs 5 steps (blanks between repeats): with 4 it has no alignment, loss inf."""
    x = np.random.default_rng(1).standard_normal((6, 3, 5))
    args = (x, TARGETS, [6, 2, 4], [4, 2, 3])
    le, ge = _run(ember, F, *args, reduction=reduction, zero_infinity=zero_infinity)
    lt, gt = _run(torch, TF, *args, reduction=reduction, zero_infinity=zero_infinity)
    np.testing.assert_allclose(le, lt, rtol=1e-12)
    if zero_infinity:
        np.testing.assert_allclose(ge, gt, rtol=1e-10, atol=1e-12)
    else:  # torch's gradient of an infinite loss is NaN or inf somewhere; ember's finite samples agree
        assert np.isinf(le).any()
        np.testing.assert_allclose(ge[:, 0], gt[:, 0], rtol=1e-10, atol=1e-12)


def test_direct_log_probs_gradient_is_torchs():
    lp = torch.tensor(np.random.default_rng(2).standard_normal((9, 3, 5))).log_softmax(2).numpy()
    for kw in (dict(), dict(blank=4), dict(reduction="sum")):
        targets = TARGETS % 4 if kw.get("blank") == 4 else TARGETS
        targets = np.where(targets == 0, 1, targets) if kw.get("blank") == 4 else targets
        le, ge = _run(ember, F, lp, targets, [9, 8, 9], [4, 2, 3], log_softmax=False, **kw)
        lt, gt = _run(torch, TF, lp, targets, [9, 8, 9], [4, 2, 3], log_softmax=False, **kw)
        np.testing.assert_allclose(le, lt, rtol=1e-12)
        np.testing.assert_allclose(ge, gt, rtol=1e-10, atol=1e-12)


def test_unbatched_and_empty_targets():
    x = np.random.default_rng(3).standard_normal((7, 4))
    for targets, length in ((np.array([1, 3, 3]), 3), (np.array([2]), 1), (np.zeros(0, dtype=np.int64), 0)):
        outs = []
        for L, LF in ((ember, F), (torch, TF)):
            xs = L.tensor(x, requires_grad=True)
            lengths = (7, length) if L is ember else (torch.tensor(7), torch.tensor(length))
            loss = LF.ctc_loss(xs.log_softmax(-1), L.tensor(targets), *lengths)
            loss.backward()
            outs.append((loss.item(), xs.grad.numpy()))
        np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-12)
        np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-10, atol=1e-12)


def test_ctc_gradcheck_and_gradgradcheck():
    x = ember.tensor(np.random.default_rng(4).standard_normal((5, 2, 4)), requires_grad=True)

    def f(t):
        return F.ctc_loss(t.log_softmax(2), ember.tensor([[1, 2], [3, 3]]), (5, 5), (2, 2), reduction="sum")

    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_ctc_module():
    m, mt = ember.nn.CTCLoss(blank=1, reduction="sum", zero_infinity=True), torch.nn.CTCLoss(1, "sum", True)
    assert repr(m) == repr(mt) == "CTCLoss()"
    x = np.random.default_rng(5).standard_normal((8, 2, 6))
    targets = np.array([[2, 3, 4], [5, 5, 0]])
    le = m(ember.tensor(x).log_softmax(2), ember.tensor(targets), (8, 6), (3, 2))
    lt = mt(torch.tensor(x).log_softmax(2), torch.tensor(targets), torch.tensor([8, 6]), torch.tensor([3, 2]))
    np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-12)


@pytest.mark.parametrize("make, error", [
    (lambda L: (L.zeros(5, 2, 4).log_softmax(2), L.tensor([[1, 2], [1, 1]]), (6, 5), (2, 2)), RuntimeError),
    (lambda L: (L.zeros(5, 2, 4).log_softmax(2), L.tensor([[1, 2], [1, 1]]), (5,), (2,)), RuntimeError),
    (lambda L: (L.zeros(5, 2, 4).log_softmax(2), L.tensor([[1, 2], [1, 1]]), (5, 5), (3, 2)), RuntimeError),
    (lambda L: (L.zeros(5, 2, 4).log_softmax(2), L.tensor([1, 2, 3]), (5, 5), (2, 2)), RuntimeError),
])
def test_ctc_bad_inputs(make, error):
    for L, LF in ((ember, F), (torch, TF)):
        log_probs, targets, il, tl = make(L)
        if L is torch:
            il, tl = torch.tensor(il), torch.tensor(tl)
        with pytest.raises(error):
            LF.ctc_loss(log_probs, targets, il, tl)
    with pytest.raises(ValueError, match="reduction"):
        F.ctc_loss(ember.zeros(5, 2, 4), ember.tensor([[1], [2]]), (5, 5), (1, 1), reduction="avg")
    with pytest.raises(RuntimeError, match="blank"):
        F.ctc_loss(ember.zeros(5, 2, 4), ember.tensor([[1], [2]]), (5, 5), (1, 1), blank=4)


def test_a_recognizer_trains_as_torch():
    """A linear frame classifier trained with CTC for three SGD steps: the same losses and weights."""
    rng = np.random.default_rng(6)
    w0 = rng.uniform(-0.3, 0.3, (6, 10)).astype(np.float32)
    frames = rng.standard_normal((15, 4, 10)).astype(np.float32)
    targets = rng.integers(1, 6, (4, 5))
    in_lens, tg_lens = [15, 13, 15, 11], [5, 4, 3, 5]
    results = []
    for L, LF in ((ember, F), (torch, TF)):
        layer = L.nn.Linear(10, 6, bias=False)
        with L.no_grad():
            layer.weight.copy_(L.tensor(w0))
        opt = L.optim.SGD(layer.parameters(), lr=0.1)
        losses = []
        for _ in range(3):
            lengths = (in_lens, tg_lens) if L is ember else (torch.tensor(in_lens), torch.tensor(tg_lens))
            loss = LF.ctc_loss(layer(L.tensor(frames)).log_softmax(2), L.tensor(targets), *lengths)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        results.append((losses, layer.weight.detach().numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-4, atol=1e-6)
