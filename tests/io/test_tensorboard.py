"""ember.utils.tensorboard.SummaryWriter against torch's: the same calls write the same event
records byte for byte (scalars, scalar groups, histograms, text; images decode to the same
pixels), TensorBoard's own reader reads them, and the framing's checksums are right."""
import glob
import io
import os
import struct

import numpy as np
import pytest

import ember
from ember.utils import tensorboard as tb
from ember.utils.tensorboard import SummaryWriter


def _records(path):
    """The payloads of an event file's records (each length and payload CRC-checked)."""
    data, out, at = open(path, "rb").read(), [], 0
    while at < len(data):
        (length,) = struct.unpack_from("<Q", data, at)
        assert data[at + 8:at + 12] == tb._masked_crc(data[at:at + 8])
        payload = data[at + 12:at + 12 + length]
        assert data[at + 12 + length:at + 16 + length] == tb._masked_crc(payload)
        out.append(payload)
        at += 16 + length
    return out


def _event_files(log_dir):
    return sorted(glob.glob(os.path.join(log_dir, "**", "events.out.tfevents.*"), recursive=True))


def test_crc32c_known_values():
    assert tb._crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    assert tb._crc32c(b"") == 0


def _write(writer_cls, log_dir, lib):
    x = lib.tensor(np.linspace(-3, 5, 1000).astype(np.float32))
    with writer_cls(log_dir) as w:
        for step in range(3):
            w.add_scalar("loss/train", 1.0 / (step + 1), step, walltime=100.0 + step)
            w.add_scalar("acc", lib.tensor(0.5 + step / 10), global_step=step, walltime=200.0 + step)
            w.add_scalar("new", 2.5, step, walltime=300.0, new_style=True)
            w.add_scalar("newd", 2.5, step, walltime=300.0, new_style=True, double_precision=True)
        w.add_scalars("run", {"a": 1.0, "b": 2.0}, 7, walltime=400.0)
        w.add_histogram("weights", x, 1, walltime=500.0)
        w.add_histogram("weights_np", np.arange(10.0), 2, bins=5, walltime=501.0)
        w.add_histogram("weights_max", x, 3, walltime=502.0, max_bins=20)
        w.add_text("notes", "**hello** tensorboard", 4, walltime=600.0)
        w.add_image("img", np.linspace(0, 1, 3 * 4 * 5, dtype=np.float32).reshape(3, 4, 5), 5, walltime=700.0)
        w.add_images("imgs", (np.arange(2 * 1 * 4 * 4) % 256).astype(np.uint8).reshape(2, 1, 4, 4), 6,
                     walltime=701.0)
        w.add_hparams({"lr": 0.1, "layers": 3, "opt": "adam", "bn": True, "none": None, "t": lib.tensor([0.5])},
                      {"hparam/acc": 0.9, "hparam/loss": 0.0}, hparam_domain_discrete={"opt": ["adam", "sgd"],
                                                                                    "layers": [2, 3]},
                      run_name="run1", global_step=8)


def test_event_records_as_torchs_writer(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("tensorboard")
    from torch.utils.tensorboard import SummaryWriter as TorchWriter
    from PIL import Image
    _write(TorchWriter, str(tmp_path / "torch"), torch)
    _write(SummaryWriter, str(tmp_path / "ember"), ember)
    theirs, mine = _event_files(str(tmp_path / "torch")), _event_files(str(tmp_path / "ember"))
    assert [os.path.relpath(os.path.dirname(p), tmp_path / "torch") for p in theirs] == \
        [os.path.relpath(os.path.dirname(p), tmp_path / "ember") for p in mine]
    from tensorboard.compat.proto import event_pb2
    for t_path, e_path in zip(theirs, mine):
        t_records, e_records = _records(t_path), _records(e_path)
        assert len(t_records) == len(e_records)
        assert event_pb2.Event.FromString(e_records[0]).file_version == "brain.Event:2"
        for t_rec, e_rec in zip(t_records[1:], e_records[1:]):
            t_event, e_event = event_pb2.Event.FromString(t_rec), event_pb2.Event.FromString(e_rec)
            t_value, e_value = t_event.summary.value[0], e_event.summary.value[0]
            if t_value.HasField("image"):  # PNG encoders differ: the same pixels, sizes and channels
                for a, b in ((t_value.image, e_value.image),):
                    assert (a.height, a.width, a.colorspace) == (b.height, b.width, b.colorspace)
                    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(a.encoded_image_string))),
                                                  np.asarray(Image.open(io.BytesIO(b.encoded_image_string))))
                assert (t_event.wall_time, t_event.step, t_value.tag) == (e_event.wall_time, e_event.step,
                                                                          e_value.tag)
            elif t_value.tag == "_hparams_/session_start_info":  # a protobuf map: its order is unspecified
                from tensorboard.plugins.hparams import plugin_data_pb2
                t_ssi, e_ssi = (plugin_data_pb2.HParamsPluginData.FromString(v.metadata.plugin_data.content)
                                .session_start_info for v in (t_value, e_value))
                assert dict(t_ssi.hparams) == dict(e_ssi.hparams) and len(e_ssi.hparams) == 5
                assert t_event.step == e_event.step
            elif "run1" in t_path:  # add_hparams stamps its events with the time of the call
                assert e_rec[:1] == t_rec[:1] == b"\x09" and e_rec[9:] == t_rec[9:], (t_event, e_event)
            else:
                assert e_rec == t_rec, (t_event, e_event)


def test_tensorboard_reads_the_scalars(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    with SummaryWriter(str(tmp_path)) as w:
        for step in range(5):
            w.add_scalar("loss", 10.0 - step, step)
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [(e.step, e.value) for e in acc.Scalars("loss")] == [(s, 10.0 - s) for s in range(5)]


def test_writer_buffers_flushes_and_names_as_torch(tmp_path, monkeypatch):
    w = SummaryWriter(str(tmp_path), max_queue=3, filename_suffix=".x")
    (path,) = _event_files(str(tmp_path))
    assert os.path.basename(path).startswith("events.out.tfevents.") and path.endswith(".x")
    assert len(_records(path)) == 1  # the file version, written at once
    w.add_scalar("a", 1.0, 0)
    w.add_scalar("a", 2.0, 1)
    assert len(_records(path)) == 1  # buffered
    w.add_scalar("a", 3.0, 2)
    assert len(_records(path)) == 4  # max_queue reached: written
    w.add_scalar("a", 3.5, 3)
    w.flush()
    assert len(_records(path)) == 5
    w.close()
    w.add_scalar("a", 4.0, 3)  # a new file after close, as torch's
    w.close()
    assert len(_event_files(str(tmp_path))) == 2
    monkeypatch.chdir(tmp_path)
    default = SummaryWriter(comment="_lr0.1")
    assert default.get_logdir().startswith("runs" + os.sep) and default.get_logdir().endswith("_lr0.1")
    default.close()
    p = SummaryWriter(str(tmp_path / "purged"), purge_step=5)
    p.close()
    from_purge = _records(_event_files(str(tmp_path / "purged"))[0])
    assert len(from_purge) == 3  # the version, then the purge step's version and SessionLog START


def test_writer_errors():
    w = SummaryWriter(__import__("tempfile").mkdtemp())
    with pytest.raises(AssertionError, match="Tensor should contain one element"):
        w.add_scalar("x", ember.ones(2))
    with pytest.raises(ValueError, match="The input has no element."):
        w.add_histogram("h", ember.ones(0))
    with pytest.raises(AssertionError, match="size of input tensor and input format are different"):
        w.add_image("i", np.zeros((2, 2)), dataformats="CHW")
    with pytest.raises(NotImplementedError, match="add_graph"):
        w.add_graph(ember.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="hparam_dict and metric_dict should be dictionary"):
        w.add_hparams([], {})
    with pytest.raises(ValueError, match="value should be one of int, float, str, bool"):
        w.add_hparams({"a": [1]}, {})
    with pytest.raises(TypeError, match=r"hparam_domain_discrete\[a\] should be a list of same type"):
        w.add_hparams({"a": 1}, {}, hparam_domain_discrete={"a": ["x"]})
    with pytest.raises(NotImplementedError, match="Got <class 'object'>"):
        w.add_histogram("h", object())
    w.close()
