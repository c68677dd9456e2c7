"""Small storages (at most 1 KiB: one block with their control block) and the per-thread cache of
freed TensorImpl/Storage blocks (cpp/src/block_cache.h): alignment, lifetime across threads and
views, and thread exit."""
import threading

import numpy as np
import pytest

import ember

DTYPES = [ember.bool, ember.uint8, ember.int16, ember.int32, ember.int64, ember.float16, ember.float32,
          ember.float64]


@pytest.mark.parametrize("numel", [0, 1, 3, 4, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200, 256, 257])
def test_small_storages_are_64_byte_aligned(numel):
    for dt in DTYPES:
        t = ember.empty(numel, dtype=dt)
        assert t.data_ptr() % 64 == 0, (numel, dt)
        if numel:
            t.fill_(1)
            assert t.sum().item() == numel


def test_values_survive_many_small_tensors():
    keep = [ember.full((k % 40 + 1,), float(k)) for k in range(2000)]
    for k, t in enumerate(keep):
        assert t.shape == (k % 40 + 1,) and bool((t == float(k)).all())


def test_data_and_views_keep_small_memory_alive():
    x = ember.arange(8.0)
    d, v = x.data, x[2:5]
    del x
    scratch = [ember.zeros(8) + 7 for _ in range(300)]  # reuses freed blocks
    assert d.tolist() == list(range(8)) and v.tolist() == [2.0, 3.0, 4.0]
    assert all(s.sum().item() == 56 for s in scratch)


def test_numpy_arrays_keep_small_memory_alive():
    t = ember.arange(5.0)
    arr = t.numpy()
    del t
    _ = [ember.ones(5) for _ in range(300)]
    np.testing.assert_array_equal(arr, np.arange(5.0, dtype=np.float32))


def test_tensors_made_on_one_thread_freed_on_others():
    """Blocks freed on another thread join that thread's cache; exiting threads empty theirs."""
    made, errors = [], []

    def make():
        made.extend(ember.full((3,), float(i)) * 2 for i in range(500))

    def check_and_drop(chunk):
        try:
            for i, t in chunk:
                assert t.tolist() == [2.0 * i] * 3
            chunk.clear()
            for _ in range(200):  # allocate on this thread from blocks others freed
                assert (ember.ones(4) + 1).sum().item() == 8
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    for _ in range(3):
        t = threading.Thread(target=make)
        t.start()
        t.join()
        chunks = [list(enumerate(made[k::4])) for k in range(4)]
        for k, chunk in enumerate(chunks):
            chunk[:] = [(i * 4 + k, t) for i, t in chunk]
        made.clear()
        threads = [threading.Thread(target=check_and_drop, args=(c,)) for c in chunks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors[0]
