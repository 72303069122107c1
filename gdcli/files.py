"""Writing a file so that no reader ever sees half of it: the one atomic writer of the
saved model (neuron/saved.py) and of --save-config (commands/run.py). Callers check the
path and word the errors; an OSError here is theirs to report."""

from __future__ import annotations

import os


def replace_atomically(target: str, data: bytes, prefix: str, suffix: str) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder, flushed to
    disk, then os.replace. The file keeps the permissions of the one it replaces (else the
    usual ones under the umask: mkstemp's 0600 would hide it from its group). The temporary
    file is removed whatever ends the write."""
    import tempfile

    folder = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode(target))
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _mode(path: str) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
