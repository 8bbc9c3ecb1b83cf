"""Outputs get ordinary file permissions (mkstemp alone would leave them 0600, unreadable to colleagues)."""

import os
import stat

from perfscore.xlsx.atomic import atomic_output, write_bytes_atomic


def _process_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_outputs_get_the_permissions_of_any_new_file(tmp_path):
    a = write_bytes_atomic(tmp_path / "a.xlsx", b"x", fsync=False)
    with atomic_output(tmp_path / "b.xlsx", fsync=False) as tmp:
        tmp.write_bytes(b"y")
    (tmp_path / "plain.xlsx").write_bytes(b"z")  # what open() gives under this umask
    expected = stat.S_IMODE((tmp_path / "plain.xlsx").stat().st_mode)
    assert expected == 0o666 & ~_process_umask()
    for path in (a, tmp_path / "b.xlsx"):
        assert stat.S_IMODE(path.stat().st_mode) == expected
