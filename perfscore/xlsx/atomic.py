"""Atomic file output: never leave a half-written workbook behind, never touch the input in place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, *, fsync: bool = True) -> Path:
    """Write data to path via a temp file in the same folder and os.replace (atomic on one filesystem).

    fsync=False skips the per-file flush to disk (~2 ms each): a batch writing thousands of regenerable
    outputs calls os.sync() once at the end instead. Readers still never see a half-written file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        # Remove the temp file on any failure, then re-raise: the caller decides what to tell the user.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target
