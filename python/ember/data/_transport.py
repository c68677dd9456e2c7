"""How a worker's batch reaches the main process. The object is pickled (protocol 5) with its
tensors' bytes out of band; when they are large, the worker writes them to a file in /dev/shm
(memory), and the main process maps that file and unlinks it at once: its tensors then live in the
mapping, with no copy through the pipe (PyTorch shares memory too). Small batches, and systems
without /dev/shm, send the bytes through the pipe."""
import mmap
import os
import pickle

SHM_DIR = "/dev/shm"
MIN_SHARED_BYTES = 1 << 16  # below this the pipe is as fast
_ALIGN = 64  # each tensor's bytes start on a cache line, as ember's allocator gives them


def shared_prefix(tag):
    """A file-name prefix for one loader's shared batches (None where /dev/shm is missing)."""
    if not os.path.isdir(SHM_DIR) or not os.access(SHM_DIR, os.W_OK):
        return None
    return os.path.join(SHM_DIR, f"ember-loader-{tag}-")


def _aligned(n):
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN


def pack(obj, prefix, counter):
    """The message for ``obj``: (pickle, in-band buffers or None, shared file or None, sizes).
    Raises what pickling raises."""
    buffers = []
    meta = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    sizes = [r.nbytes for r in raws]
    if prefix is None or sum(sizes) < MIN_SHARED_BYTES:
        return meta, [bytearray(r) for r in raws], None, sizes  # writable: the tensors take them as they are
    path = f"{prefix}{counter}"
    try:
        with open(path, "xb") as f:  # plain writes: a full /dev/shm raises here (a mapping would SIGBUS)
            for r in raws:
                f.write(r)
                f.write(b"\0" * (_aligned(r.nbytes) - r.nbytes))
    except OSError:
        try:
            os.unlink(path)
        except OSError:
            pass
        return meta, [bytearray(r) for r in raws], None, sizes
    return meta, None, path, sizes


def unpack(message):
    """The object a message from pack() carries; a shared file is mapped, then unlinked."""
    meta, inband, path, sizes = message
    if path is None:
        return pickle.loads(meta, buffers=inband)
    with open(path, "r+b") as f:
        os.unlink(path)
        mapping = mmap.mmap(f.fileno(), 0)
    view, views, offset = memoryview(mapping), [], 0
    for n in sizes:
        views.append(view[offset:offset + n] if n else bytearray())
        offset += _aligned(n)
    # the tensors keep the mapping alive through their buffers; it is unmapped when the last dies
    return pickle.loads(meta, buffers=views)


def remove_leftovers(prefix):
    """Deletes the shared files of batches that were never received (an epoch cut short)."""
    if prefix is None:
        return
    folder, start = os.path.split(prefix)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(start):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass
