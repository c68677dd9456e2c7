"""ember.utils.tensorboard, as torch.utils.tensorboard: SummaryWriter writes TensorBoard event
files (scalars, scalar groups, histograms, images, text, hyperparameters), byte for byte as
torch's writer does, without needing the tensorboard or protobuf packages (the few protobuf
messages and the TFRecord framing are written here). Reading them needs TensorBoard, as always."""
import os
import socket
import struct
import time
import zlib
from datetime import datetime

import numpy as np

from ember._C import Tensor

__all__ = ["SummaryWriter"]

# ---- protobuf wire format: the fields of tensorboard's Event, Summary, HistogramProto, ... -----


def _varint(n):
    n &= (1 << 64) - 1  # negative int64s take ten bytes, as protobuf writes them
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field, wire):
    return _varint(field << 3 | wire)


def _double(field, v, keep_zero=False):
    return _key(field, 1) + struct.pack("<d", v) if v or keep_zero else b""


def _float(field, v, keep_zero=False):
    return _key(field, 5) + struct.pack("<f", v) if v or keep_zero else b""


def _int(field, v):
    return _key(field, 0) + _varint(int(v)) if v else b""


def _bytes(field, v, keep_empty=False):
    return _key(field, 2) + _varint(len(v)) + v if v or keep_empty else b""


def _packed_doubles(field, values):
    return _bytes(field, struct.pack(f"<{len(values)}d", *values)) if len(values) else b""


def _value(tag, **fields):
    """A Summary.Value: tag (1), then the one value field given (number -> encoded message)."""
    return _bytes(1, tag.encode()) + b"".join(fields.values())


def _summary(*values):
    return b"".join(_bytes(1, v, keep_empty=True) for v in values)


def _event(wall_time, step=None, summary=None, file_version=None, session_log=None):
    return (_double(1, wall_time) + (_int(2, step) if step is not None else b"")
            + (_bytes(3, file_version.encode()) if file_version else b"")
            + (_bytes(5, summary, keep_empty=True) if summary is not None else b"")
            + (_bytes(7, session_log, keep_empty=True) if session_log is not None else b""))


# ---- TFRecord framing: length, masked CRC-32C of it, data, masked CRC-32C of the data ----------

def _crc32c_table():
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc32c_table()


def _crc32c(data):
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _masked_crc(data):
    crc = _crc32c(data)
    return struct.pack("<I", (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF)


def _record(data):
    header = struct.pack("<Q", len(data))
    return header + _masked_crc(header) + data + _masked_crc(data)


class _FileWriter:
    """One event file in one directory: events are buffered and written in order, at
    ``max_queue`` events, after ``flush_secs``, and at flush() or close()."""

    _uid = 0

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        os.makedirs(log_dir, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}."
                f"{_FileWriter._uid}{filename_suffix}")
        _FileWriter._uid += 1
        self.log_dir, self.path = log_dir, os.path.join(log_dir, name)
        self.max_queue, self.flush_secs = max_queue, flush_secs
        self._pending, self._last_flush = [], time.time()
        self._file = open(self.path, "wb")
        self.add_event(_event(time.time(), file_version="brain.Event:2"))
        self.flush()

    def get_logdir(self):
        return self.log_dir

    def add_event(self, event):
        if self._file is None:
            raise RuntimeError(f"SummaryWriter: the event file {self.path} is closed")
        self._pending.append(_record(event))
        if len(self._pending) >= self.max_queue or time.time() - self._last_flush >= self.flush_secs:
            self.flush()

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(_event(time.time() if walltime is None else walltime,
                              None if global_step is None else int(global_step), summary=summary))

    def flush(self):
        if self._file is not None:
            self._file.write(b"".join(self._pending))
            self._file.flush()
        self._pending, self._last_flush = [], time.time()

    def close(self):
        if self._file is not None:
            self.flush()
            self._file.close()
            self._file = None


# ---- the summaries ------------------------------------------------------------------------------

def _numpy(x):
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    if isinstance(x, Tensor):
        import ember
        return (x.to(ember.float16) if x.dtype == ember.bfloat16 else x).detach().numpy()
    raise NotImplementedError(f"Got {type(x)}, but numpy array or ember tensor are expected.")


def _scalar_summary(tag, value, new_style=False, double_precision=False):
    value = _numpy(value).squeeze()
    if value.ndim != 0:
        raise AssertionError(f"Tensor should contain one element (0 dimensions). Was given size: {value.size} and "
                             f"{value.ndim} dimensions.")
    value = float(value)
    if not new_style:
        return _summary(_value(tag, simple=_float(2, value, keep_zero=True)))
    # a TensorProto of one float (or double) with the scalars plugin's metadata
    tensor = _int(1, 2) + _packed_doubles(6, [value]) if double_precision else \
        _int(1, 1) + _bytes(5, struct.pack("<f", value))
    metadata = _bytes(1, _bytes(1, b"scalars"), keep_empty=True)
    return _summary(_value(tag, tensor=_bytes(8, tensor, keep_empty=True), metadata=_bytes(9, metadata,
                                                                                          keep_empty=True)))


def _default_bins():
    v, buckets = 1e-12, []
    while v < 1e20:
        buckets.append(v)
        v *= 1.1
    return [-b for b in buckets[::-1]] + [0] + buckets


def _histogram_summary(tag, values, bins, max_bins=None):
    values = _numpy(values).astype(float).reshape(-1)
    if values.size == 0:
        raise ValueError("The input has no element.")
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        subsampling = len(counts) // max_bins
        remainder = len(counts) % subsampling
        if remainder != 0:
            counts = np.pad(counts, pad_width=[[0, subsampling - remainder]], mode="constant", constant_values=0)
        counts = counts.reshape(-1, subsampling).sum(axis=-1)
        new_limits = np.empty((counts.size + 1,), limits.dtype)
        new_limits[:-1] = limits[:-1:subsampling]
        new_limits[-1] = limits[-1]
        limits = new_limits
    # only the buckets from the first to the last non-empty one (plus an empty one before)
    cum_counts = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
    start, end = int(start), int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    if counts.size == 0 or limits.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    histo = (_double(1, values.min()) + _double(2, values.max()) + _double(3, len(values)) + _double(4, values.sum())
             + _double(5, values.dot(values)) + _packed_doubles(6, [float(x) for x in limits])
             + _packed_doubles(7, [float(x) for x in counts]))
    return _summary(_value(tag, histo=_bytes(5, histo, keep_empty=True)))


def _grid(images, ncols=8):
    """NCHW images as one CHW grid, ncols wide (gray images as RGB)."""
    if images.shape[1] == 1:
        images = np.concatenate([images, images, images], 1)
    if images.ndim != 4 or images.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    n, _, h, w = images.shape
    ncols = min(n, ncols)
    nrows = int(np.ceil(float(n) / ncols))
    canvas = np.zeros((3, h * nrows, w * ncols), dtype=images.dtype)
    for i in range(n):
        y, x = divmod(i, ncols)
        canvas[:, y * h:(y + 1) * h, x * w:(x + 1) * w] = images[i]
    return canvas


def _to_hwc(tensor, dataformats):
    if len(set(dataformats)) != len(dataformats):
        raise AssertionError(f"You can not use the same dimension shorthand twice. input_format: {dataformats}")
    if len(tensor.shape) != len(dataformats):
        raise AssertionError(f"size of input tensor and input format are different. tensor shape: {tensor.shape}, "
                             f"input_format: {dataformats}")
    dataformats = dataformats.upper()
    if len(dataformats) == 4:
        return _grid(tensor.transpose([dataformats.find(c) for c in "NCHW"])).transpose(1, 2, 0)
    if len(dataformats) == 3:
        hwc = tensor.transpose([dataformats.find(c) for c in "HWC"])
        return np.concatenate([hwc, hwc, hwc], 2) if hwc.shape[2] == 1 else hwc
    hw = tensor.transpose([dataformats.find(c) for c in "HW"])
    return np.stack([hw, hw, hw], 2)


def _png(rgb):
    """An HxWxC uint8 array (C 3 or 4) as a PNG file."""
    height, width, channels = rgb.shape
    rows = b"".join(b"\x00" + rgb[y].tobytes() for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if channels == 4 else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _image_summary(tag, img, dataformats):
    array = _numpy(img)
    hwc = _to_hwc(array, dataformats)
    scale = 1 if hwc.dtype == np.uint8 else 255
    hwc = (hwc.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    height, width, channels = hwc.shape
    image = _int(1, height) + _int(2, width) + _int(3, channels) + _bytes(4, _png(np.ascontiguousarray(hwc)))
    return _summary(_value(tag, image=_bytes(4, image, keep_empty=True)))


def _text_summary(tag, text):
    metadata = _bytes(1, _bytes(1, b"text"), keep_empty=True)  # plugin "text", content TextPluginData() (empty)
    shape = _bytes(2, _int(1, 1), keep_empty=True)  # one dim of size 1
    tensor = _int(1, 7) + _bytes(2, shape, keep_empty=True) + _bytes(8, text.encode("utf_8"), keep_empty=True)
    return _summary(_value(tag + "/text_summary", tensor=_bytes(8, tensor, keep_empty=True),
                           metadata=_bytes(9, metadata, keep_empty=True)))


def _plugin_metadata(name, content):
    """SummaryMetadata(plugin_data=PluginData(plugin_name=name, content=content))."""
    return _bytes(9, _bytes(1, _bytes(1, name.encode()) + _bytes(2, content), keep_empty=True), keep_empty=True)


def _hparams_summaries(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The hparams plugin's three summaries (experiment, session start, session end), as
    torch.utils.tensorboard.summary.hparams makes them."""
    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    hparam_domain_discrete = hparam_domain_discrete or {}
    if not isinstance(hparam_domain_discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in hparam_domain_discrete.items():
        if k not in hparam_dict or not isinstance(v, list) or not all(isinstance(d, type(hparam_dict[k])) for d in v):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same type as "
                            f"hparam_dict[{k}].")

    # google.protobuf.Value: number_value (2), string_value (3); a oneof, so zeros are written too
    def number(v):
        return _double(2, float(v), keep_zero=True)

    def string(v):
        return _bytes(3, v.encode(), keep_empty=True)

    infos, start_values = [], []
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if isinstance(v, (int, float)):  # bools too, as torch's (bool is an int)
            value, data_type, encode = number(v), 3, number  # DATA_TYPE_FLOAT64
        elif isinstance(v, str):
            value, data_type, encode = string(v), 1, string  # DATA_TYPE_STRING
        elif isinstance(v, Tensor):
            value, data_type, encode = number(_numpy(v).reshape(-1)[0]), 3, None
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        start_values.append(_bytes(1, _bytes(1, k.encode()) + _bytes(2, value, keep_empty=True), keep_empty=True))
        domain = b""
        if encode is not None and k in hparam_domain_discrete:  # a ListValue of Values
            domain = _bytes(5, b"".join(_bytes(1, encode(d), keep_empty=True) for d in hparam_domain_discrete[k]),
                            keep_empty=True)
        infos.append(_bytes(4, _bytes(1, k.encode()) + _int(4, data_type) + domain, keep_empty=True))
    metrics = [_bytes(5, _bytes(1, _bytes(2, k.encode()), keep_empty=True), keep_empty=True) for k in metric_dict]
    # HParamsPluginData: version 0, then experiment (2), session_start_info (3) or session_end_info (4)
    experiment = _bytes(2, b"".join(infos) + b"".join(metrics), keep_empty=True)
    start = _bytes(3, b"".join(start_values), keep_empty=True)
    end = _bytes(4, _int(1, 1), keep_empty=True)  # STATUS_SUCCESS
    return [_summary(_value(tag, metadata=_plugin_metadata("hparams", content)))
            for tag, content in (("_hparams_/experiment", experiment), ("_hparams_/session_start_info", start),
                                 ("_hparams_/session_end_info", end))]


class SummaryWriter:
    """Writes TensorBoard event files into ``log_dir``, as torch.utils.tensorboard.SummaryWriter:
    ``add_scalar``, ``add_scalars``, ``add_histogram``, ``add_image``, ``add_images``,
    ``add_text``, ``add_hparams``; ``flush`` and ``close`` (also as a context manager). View them
    with ``tensorboard --logdir runs``. The graph, embedding, figure and PR-curve summaries are not
    written yet (they raise NotImplementedError).

    Args:
        log_dir (str, optional): the directory. Default: ``runs/<date>_<host><comment>``.
        comment (str, optional): appended to the default ``log_dir``. Default: ``""``.
        purge_step (int, optional): events from this step on, left by a crashed run, are hidden
            by TensorBoard. Default: None.
        max_queue (int, optional): events buffered before they are written. Default: 10.
        flush_secs (int, optional): seconds after which buffered events are written. Default: 120.
        filename_suffix (str, optional): appended to the event files' names. Default: ``""``.

    Example::

        >>> import tempfile
        >>> from ember.utils.tensorboard import SummaryWriter
        >>> with SummaryWriter(tempfile.mkdtemp()) as writer:
        ...     for step in range(3):
        ...         writer.add_scalar("loss/train", 1.0 / (step + 1), step)
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120, filename_suffix=""):
        if not log_dir:
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.default_bins = _default_bins()
        self.file_writer = self.all_writers = None
        self._get_file_writer()

    def _get_file_writer(self):
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = _FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                now = time.time()
                self.file_writer.add_event(_event(now, self.purge_step, file_version="brain.Event:2"))
                self.file_writer.add_event(_event(now, self.purge_step, session_log=_int(1, 1)))  # START
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        """The directory the events go to."""
        return self.log_dir

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Records a number (a Python number, a one-element tensor or array) under ``tag``.

        Args:
            tag (str): the series' name (``"loss/train"`` groups it under ``loss``).
            scalar_value (float or Tensor): the value.
            global_step (int, optional): the step. Default: None.
            walltime (float, optional): seconds since the epoch. Default: now.
            new_style (bool, optional): as a tensor summary (faster to load in TensorBoard). Default: False.
            double_precision (bool, optional): with new_style, keep it as a double. Default: False.
        """
        self._get_file_writer().add_summary(_scalar_summary(tag, scalar_value, new_style, double_precision),
                                            global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Records several series under one chart: each key goes to a run directory of its own
        (``<log_dir>/<main_tag>_<key>``).

        Args:
            main_tag (str): the chart's name.
            tag_scalar_dict (dict): {key: value}.
            global_step (int, optional): the step. Default: None.
            walltime (float, optional): seconds since the epoch. Default: now.
        """
        walltime = time.time() if walltime is None else walltime
        fw_logdir = self._get_file_writer().get_logdir()
        for tag, scalar_value in tag_scalar_dict.items():
            fw_tag = fw_logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            if fw_tag not in self.all_writers:
                self.all_writers[fw_tag] = _FileWriter(fw_tag, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers[fw_tag].add_summary(_scalar_summary(main_tag, scalar_value), global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """Records the distribution of ``values`` (weights, gradients, activations).

        Args:
            tag (str): the name.
            values (Tensor or ndarray): the values.
            global_step (int, optional): the step. Default: None.
            bins (str or int or sequence, optional): ``"tensorflow"`` (TensorBoard's exponential
                buckets) or anything ``numpy.histogram`` takes. Default: ``"tensorflow"``.
            walltime (float, optional): seconds since the epoch. Default: now.
            max_bins (int, optional): merge buckets down to at most this many. Default: None.
        """
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._get_file_writer().add_summary(_histogram_summary(tag, values, bins, max_bins), global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """Records an image (floats in [0, 1], or uint8), stored as PNG.

        Args:
            tag (str): the name.
            img_tensor (Tensor or ndarray): the image, laid out as ``dataformats`` says.
            global_step (int, optional): the step. Default: None.
            walltime (float, optional): seconds since the epoch. Default: now.
            dataformats (str, optional): ``"CHW"``, ``"HWC"``, ``"HW"``, ... Default: ``"CHW"``.
        """
        self._get_file_writer().add_summary(_image_summary(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """Records a batch of images as one grid image (8 per row).

        Args:
            tag (str): the name.
            img_tensor (Tensor or ndarray): the images, laid out as ``dataformats`` says.
            global_step (int, optional): the step. Default: None.
            walltime (float, optional): seconds since the epoch. Default: now.
            dataformats (str, optional): ``"NCHW"``, ``"NHWC"``, ... Default: ``"NCHW"``.
        """
        self._get_file_writer().add_summary(_image_summary(tag, img_tensor, dataformats), global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Records text (Markdown, shown in TensorBoard's Text tab).

        Args:
            tag (str): the name.
            text_string (str): the text.
            global_step (int, optional): the step. Default: None.
            walltime (float, optional): seconds since the epoch. Default: now.
        """
        self._get_file_writer().add_summary(_text_summary(tag, text_string), global_step, walltime)

    def _not_written(self, what):
        raise NotImplementedError(f"SummaryWriter.{what}: this summary is not written by ember yet (scalars, "
                                  "histograms, images, text and hyperparameters are)")

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Not written yet: raises NotImplementedError."""
        self._not_written("add_graph")

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None, global_step=None):
        """Records a run's hyperparameters and its final metrics for TensorBoard's HParams tab, in a
        run directory of its own (``<log_dir>/<run_name>``), with the metrics as scalars there.

        Args:
            hparam_dict (dict): {name: value}; values int, float, str, bool, a one-element tensor or None.
            metric_dict (dict): {name: number}; names should not be tags added with add_scalar.
            hparam_domain_discrete (dict, optional): {name: list of the values it can take}.
            run_name (str, optional): the run's directory. Default: the current time.
            global_step (int, optional): the step. Default: None.

        Raises:
            TypeError: the dicts are not dicts, or a domain does not fit its hyperparameter.
            ValueError: a value of another type.
        """
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        summaries = _hparams_summaries(hparam_dict, metric_dict, hparam_domain_discrete)
        run_name = run_name or str(time.time())
        with SummaryWriter(log_dir=os.path.join(self._get_file_writer().get_logdir(), run_name)) as w_hp:
            for summary in summaries:
                w_hp.file_writer.add_summary(summary, global_step)
            for k, v in metric_dict.items():
                w_hp.add_scalar(k, v, global_step)

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag="default",
                      metadata_header=None):
        """Not written yet: raises NotImplementedError."""
        self._not_written("add_embedding")

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Not written yet: raises NotImplementedError."""
        self._not_written("add_figure")

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None):
        """Not written yet: raises NotImplementedError."""
        self._not_written("add_pr_curve")

    def flush(self):
        """Writes the buffered events of every event file to disk."""
        for writer in (self.all_writers or {}).values():
            writer.flush()

    def close(self):
        """Writes what is buffered and closes the event files (a later add opens a new one)."""
        for writer in (self.all_writers or {}).values():
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
