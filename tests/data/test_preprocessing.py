"""Standardize and PCAWhitening against scikit-learn's StandardScaler and PCA(whiten=True), and
NumPy: statistics from the training set only, identity covariance of whitened training data,
inverses, state dicts, signatures from the C++ rows, and bad inputs."""
import inspect

import ember
import numpy as np
import pytest

skp = pytest.importorskip("sklearn.preprocessing")
skd = pytest.importorskip("sklearn.decomposition")

TOL = {"float32": 2e-5, "float64": 1e-12}


def _data(rng, n, d, dtype="float64"):
    """Correlated features with different scales and offsets."""
    x = rng.standard_normal((n, d)) @ rng.standard_normal((d, d)) * rng.uniform(0.5, 3, d) + rng.uniform(-5, 5, d)
    return x.astype(dtype)


def _np(t):
    return np.asarray(t).astype(np.float64)


# ---- Standardize ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_standardize_matches_sklearn(dtype):
    rng = np.random.default_rng(0)
    train, test = _data(rng, 200, 6, dtype), _data(rng, 50, 6, dtype)
    train[:, 3] = 2.5  # a constant feature: centred, divided by 1
    scaler = skp.StandardScaler().fit(train)
    s = ember.data.Standardize().fit(ember.tensor(train))
    out = s.transform(ember.tensor(test))
    assert out.dtype == getattr(ember, dtype) and tuple(out.shape) == (50, 6)
    np.testing.assert_allclose(_np(out), scaler.transform(test), rtol=TOL[dtype], atol=TOL[dtype] * 10)
    state = s.state_dict()
    assert list(state) == ["mean", "std"]
    np.testing.assert_allclose(_np(state["mean"]), scaler.mean_, rtol=TOL[dtype])
    np.testing.assert_allclose(_np(state["std"]), scaler.scale_, rtol=TOL[dtype])
    assert float(state["std"][3]) == 1.0
    # fit_transform equals fit then transform; inverse_transform undoes transform.
    ft = ember.data.Standardize().fit_transform(ember.tensor(train))
    np.testing.assert_allclose(_np(ft), scaler.transform(train), rtol=TOL[dtype], atol=TOL[dtype] * 10)
    np.testing.assert_allclose(_np(s.inverse_transform(out)), test, rtol=TOL[dtype] * 10, atol=TOL[dtype] * 10)
    # Population std (correction 0), as NumPy's default.
    np.testing.assert_allclose(_np(state["std"])[:3], train[:, :3].astype(np.float64).std(0), rtol=TOL[dtype])


def test_standardize_eps_and_near_constant_features():
    x = np.array([[1.0, 1000.1, 0.0], [1.0 + 1e-10, 1000.1, 1.0], [1.0, 1000.1, 2.0]], dtype=np.float32)
    s = ember.data.Standardize(eps=1e-6).fit(ember.tensor(x))
    std = _np(s.state_dict()["std"])
    assert std[0] == 1.0 and std[1] == 1.0 and std[2] == pytest.approx(np.std([0, 1, 2]))
    assert np.isfinite(_np(s.transform(ember.tensor(x)))).all()
    assert _np(s.transform(ember.tensor(x)))[:, 1].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="Standardize: eps must be non-negative"):
        ember.data.Standardize(eps=-1.0)


def test_standardize_state_dict_roundtrip_and_gradient():
    rng = np.random.default_rng(1)
    x = ember.tensor(_data(rng, 30, 4))
    s = ember.data.Standardize().fit(x)
    t = ember.data.Standardize()
    assert not t.fitted
    t.load_state_dict(s.state_dict())
    assert t.fitted
    np.testing.assert_array_equal(_np(t.transform(x)), _np(s.transform(x)))
    with pytest.raises(RuntimeError, match="Standardize.load_state_dict: missing key 'std'"):
        ember.data.Standardize().load_state_dict({"mean": ember.zeros(4)})
    with pytest.raises(RuntimeError, match="unexpected key 'scale'"):
        ember.data.Standardize().load_state_dict({"mean": ember.zeros(4), "std": ember.ones(4),
                                                  "scale": ember.ones(4)})
    with pytest.raises(ValueError, match=r"mean of shape \(4,\) and std of shape \(3,\) differ"):
        ember.data.Standardize().load_state_dict({"mean": ember.zeros(4), "std": ember.ones(3)})
    # transform is made of ember ops: the gradient reaches its input (1 / std per element).
    xr = x.clone().requires_grad_()
    s.transform(xr).sum().backward()
    np.testing.assert_allclose(_np(xr.grad), np.broadcast_to(1 / _np(s.state_dict()["std"]), (30, 4)))


def test_standardize_bad_inputs():
    s = ember.data.Standardize()
    for method in ("transform", "inverse_transform", "state_dict"):
        with pytest.raises(RuntimeError, match=f"^Standardize: {method} called before fit$"):
            getattr(s, method)(*([ember.ones(2, 2)] if method != "state_dict" else []))
    with pytest.raises(ValueError, match=r"^Standardize.fit: expected a 2-D \(N, features\) tensor, got shape \(4,\)"):
        s.fit(ember.ones(4))
    with pytest.raises(ValueError, match=r"got shape \(2, 3, 4\)"):
        s.fit(ember.ones(2, 3, 4))
    with pytest.raises(TypeError, match="Standardize.fit: expected a float32 or float64 tensor, got int64"):
        s.fit(ember.ones(3, 2, dtype=ember.int64))
    with pytest.raises(TypeError, match="Standardize.fit: expected a Tensor"):
        s.fit([[1.0, 2.0]])
    with pytest.raises(ValueError, match="needs at least 1 sample"):
        s.fit(ember.ones(0, 3))
    s.fit(ember.randn(5, 3))
    with pytest.raises(ValueError, match=r"^Standardize.transform: x has 4 features \(shape \(2, 4\)\), but "
                                         r"Standardize was fitted on 3 \(mean of shape \(3,\)\)"):
        s.transform(ember.ones(2, 4))


# ---- PCAWhitening --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n_components", [None, 3])
def test_pca_whitening_matches_sklearn(dtype, n_components):
    rng = np.random.default_rng(2)
    train, test = _data(rng, 400, 6, dtype), _data(rng, 40, 6, dtype)
    ref = skd.PCA(n_components, whiten=True, svd_solver="full").fit(train.astype(np.float64))
    p = ember.data.PCAWhitening(n_components).fit(ember.tensor(train))
    k = n_components or 6
    z = _np(p.transform(ember.tensor(test)))
    assert z.shape == (40, k)
    # Equal up to each component's sign (the signs follow scikit-learn's convention too).
    signs = np.sign(np.sum(z * ref.transform(test), axis=0))
    np.testing.assert_allclose(z * signs, ref.transform(test), rtol=1e-3 if dtype == "float32" else 1e-9,
                               atol=50 * TOL[dtype])
    state = p.state_dict()
    assert list(state) == ["mean", "components", "explained_variance"]
    np.testing.assert_allclose(_np(state["explained_variance"]), ref.explained_variance_, rtol=50 * TOL[dtype])
    np.testing.assert_allclose(np.abs(_np(state["components"]) @ ref.components_.T), np.eye(k), atol=50 * TOL[dtype])
    np.testing.assert_allclose(_np(state["mean"]), ref.mean_, rtol=TOL[dtype], atol=TOL[dtype])
    # Whitened training data has the identity covariance (divided by N - 1).
    zt = _np(p.transform(ember.tensor(train)))
    np.testing.assert_allclose(np.cov(zt, rowvar=False), np.eye(k), atol=1e-5)


def test_pca_whitening_identity_covariance_float32_at_scale():
    ember.manual_seed(0)
    mix = ember.randn(64, 64) * ember.linspace(0.2, 3.0, 64)
    x = ember.randn(4000, 64) @ mix + 3.0
    z = ember.data.PCAWhitening().fit_transform(x)
    z64 = _np(z)
    # float32 at a condition number of 15^2: the covariance is the identity to ~1e-5 (1.5e-5 for
    # this seed; a float32 covariance that lost precision was off by 1e-3)
    np.testing.assert_allclose(np.cov(z64, rowvar=False), np.eye(64), atol=3e-5)


def test_pca_zca_and_inverse():
    rng = np.random.default_rng(3)
    train = _data(rng, 300, 5)
    x = ember.tensor(train)
    zca = ember.data.PCAWhitening(zca=True).fit(x)
    w = _np(zca.transform(x))
    assert w.shape == (300, 5)
    np.testing.assert_allclose(np.cov(w, rowvar=False), np.eye(5), atol=1e-10)
    # ZCA's matrix is the symmetric inverse square root of the covariance (NumPy's).
    cov = np.cov(train, rowvar=False)
    vals, vecs = np.linalg.eigh(cov)
    expected = (train - train.mean(0)) @ (vecs @ np.diag(vals ** -0.5) @ vecs.T)
    np.testing.assert_allclose(w, expected, atol=1e-9)
    np.testing.assert_allclose(_np(zca.inverse_transform(zca.transform(x))), train, atol=1e-9)
    pca = ember.data.PCAWhitening().fit(x)
    np.testing.assert_allclose(_np(pca.inverse_transform(pca.transform(x))), train, atol=1e-9)
    # Fewer components: inverse_transform is the projection onto them, as scikit-learn's.
    two = ember.data.PCAWhitening(2).fit(x)
    ref = skd.PCA(2, whiten=True, svd_solver="full").fit(train)
    np.testing.assert_allclose(_np(two.inverse_transform(two.transform(x))), ref.inverse_transform(ref.transform(train)),
                               atol=1e-9)


def test_pca_eps_floors_tiny_variances():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((100, 3))
    x[:, 2] = x[:, 0] + x[:, 1]  # rank 2: one variance is ~0
    z = _np(ember.data.PCAWhitening(eps=1e-3).fit_transform(ember.tensor(x)))
    assert np.isfinite(z).all() and np.abs(z[:, 2]).max() < 1e-6
    np.testing.assert_allclose(np.cov(z[:, :2], rowvar=False), np.eye(2), atol=1e-10)


def test_pca_state_dict_roundtrip():
    rng = np.random.default_rng(5)
    x = ember.tensor(_data(rng, 50, 4))
    p = ember.data.PCAWhitening(3, zca=False).fit(x)
    q = ember.data.PCAWhitening(3)
    q.load_state_dict(p.state_dict())
    np.testing.assert_array_equal(_np(q.transform(x)), _np(p.transform(x)))
    with pytest.raises(ValueError, match=r"components of shape \(3, 4\) must be \(k, features\)"):
        ember.data.PCAWhitening().load_state_dict({"mean": ember.zeros(5), "components": ember.zeros(3, 4),
                                                   "explained_variance": ember.ones(3)})
    with pytest.raises(RuntimeError, match="missing key 'explained_variance'"):
        ember.data.PCAWhitening().load_state_dict({"mean": ember.zeros(4), "components": ember.zeros(3, 4)})


def test_pca_signature_repr_and_bad_inputs():
    sig = inspect.signature(ember.data.PCAWhitening)
    assert str(sig) == "(n_components=None, *, eps=1e-05, zca=False)"
    assert str(inspect.signature(ember.data.Standardize)) == "(eps=1e-08)"
    p = ember.data.PCAWhitening(2, zca=True)
    assert repr(p) == "PCAWhitening(n_components=2, eps=1e-05, zca=True)"
    assert (p.n_components, p.eps, p.zca) == (2, 1e-5, True)
    with pytest.raises(TypeError):
        ember.data.PCAWhitening(2, 1e-3)  # eps is keyword-only
    with pytest.raises(ValueError, match="PCAWhitening: n_components must be at least 1, got 0"):
        ember.data.PCAWhitening(0)
    with pytest.raises(ValueError, match="PCAWhitening: eps must be non-negative"):
        ember.data.PCAWhitening(eps=-1.0)
    with pytest.raises(RuntimeError, match="^PCAWhitening: transform called before fit$"):
        p.transform(ember.ones(3, 2))
    with pytest.raises(ValueError, match=r"PCAWhitening.fit: n_components=5 must be at most the number of features, "
                                         r"4 \(x of shape \(10, 4\)\)"):
        ember.data.PCAWhitening(5).fit(ember.randn(10, 4))
    with pytest.raises(ValueError, match=r"needs at least 2 samples for a covariance, got shape \(1, 4\)"):
        ember.data.PCAWhitening().fit(ember.randn(1, 4))
    with pytest.raises(ValueError, match=r"^PCAWhitening.fit: expected a 2-D \(N, features\) tensor, got shape "
                                         r"\(2, 3, 4\)"):
        ember.data.PCAWhitening().fit(ember.randn(2, 3, 4))
    with pytest.raises(TypeError, match="expected a float32 or float64 tensor, got int64"):
        ember.data.PCAWhitening().fit(ember.ones(4, 2, dtype=ember.int64))
    q = ember.data.PCAWhitening(2).fit(ember.randn(10, 4))
    with pytest.raises(ValueError, match=r"PCAWhitening.transform: x has 3 features \(shape \(5, 3\)\), but "
                                         r"PCAWhitening was fitted on 4"):
        q.transform(ember.randn(5, 3))
    with pytest.raises(ValueError, match=r"PCAWhitening.inverse_transform: x has 4 features .* fitted on 2 "
                                         r"\(components of shape \(2, 4\)\)"):
        q.inverse_transform(ember.randn(5, 4))
