"""Atomic file output: never leave a half-written workbook behind, never touch the input in place."""

from __future__ import annotations

import os
import random
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


# Temp-name letters drawn in process (mkstemp draws them the same way); O_EXCL makes any clash a retry.
_NAMES = random.Random()
_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_temp(target: Path) -> tuple[int, str]:
    """An exclusive new temp file (.name.XXXXXXXX.tmp) in the target's folder, made with mode 0666 so it gets the
    permissions of any new file (the umask applies; mkstemp's 0600 would need a chmod per file)."""
    for _ in range(100):
        tmp = str(target.parent / f".{target.name}.{''.join(_NAMES.choices(_LETTERS, k=8))}.tmp")
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{target.parent}：无法创建临时文件")


def _open_temp_beside(target: Path) -> tuple[int, str]:
    """_open_temp, the folder made only when missing (a batch writes thousands of files into folders that
    exist: no mkdir call for each)."""
    try:
        return _open_temp(target)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        return _open_temp(target)


@contextmanager
def _temp_file(path: str | os.PathLike[str], fsync: bool, keep_open: bool) -> Iterator[tuple[int, str]]:
    """(descriptor, name) of a temp file renamed over `path` when the block succeeds, removed when it fails.
    keep_open: the block writes to the temp file's descriptor (closed here after it); otherwise the descriptor is
    closed first (-1) and the block writes by name."""
    target = Path(path)
    fd, tmp = _open_temp_beside(target)
    try:
        try:
            if not keep_open:
                os.close(fd)
                fd = -1
            yield fd, tmp
            if fsync and fd >= 0:
                os.fsync(fd)
        finally:
            if fd >= 0:
                os.close(fd)
        if fsync and not keep_open:
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


@contextmanager
def atomic_output(path: str | os.PathLike[str], *, fsync: bool = True) -> Iterator[Path]:
    """A temporary path in the target's folder to write to; renamed over the target when the block succeeds.

    On any failure the temporary file is removed and the target is left as it was. For writers that want a
    file name (xlsxwriter) rather than bytes in memory. fsync=False skips the flush to disk (see below)."""
    with _temp_file(path, fsync, keep_open=False) as (_fd, tmp):
        yield Path(tmp)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, *, fsync: bool = True) -> Path:
    """Write data to path via a temp file in the same folder and os.replace (atomic on one filesystem).

    The bytes go through the descriptor that created the temp file (one open per file, not two).
    fsync=False skips the per-file flush to disk (~2 ms each): a batch writing thousands of regenerable
    outputs calls os.sync() once at the end instead. Readers still never see a half-written file."""
    with _temp_file(path, fsync, keep_open=True) as (fd, _tmp):
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    return Path(path)
