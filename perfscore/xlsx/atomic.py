"""Atomic file output: never leave a half-written workbook behind, never touch the input in place."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates 0600 files; outputs should get the permissions any new file gets (0666 less the umask).
_FILE_MODE = 0o666 & ~_umask()


@contextmanager
def atomic_output(path: str | os.PathLike[str], *, fsync: bool = True) -> Iterator[Path]:
    """A temporary path in the target's folder to write to; renamed over the target when the block succeeds.

    On any failure the temporary file is removed and the target is left as it was. For writers that want a
    file name (xlsxwriter) rather than bytes in memory. fsync=False skips the flush to disk (see below)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.fchmod(fd, _FILE_MODE)
    os.close(fd)
    try:
        yield Path(tmp)
        if fsync:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        # Remove the temp file on any failure, then re-raise: the caller decides what to tell the user.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, *, fsync: bool = True) -> Path:
    """Write data to path via a temp file in the same folder and os.replace (atomic on one filesystem).

    fsync=False skips the per-file flush to disk (~2 ms each): a batch writing thousands of regenerable
    outputs calls os.sync() once at the end instead. Readers still never see a half-written file."""
    with atomic_output(path, fsync=fsync) as tmp:
        tmp.write_bytes(data)
    return Path(path)
