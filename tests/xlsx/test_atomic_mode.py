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


def test_missing_folders_are_made_and_a_failed_write_leaves_nothing(tmp_path):
    deep = tmp_path / "a" / "b" / "out.xlsx"
    assert write_bytes_atomic(deep, b"data" * 50_000, fsync=True).read_bytes() == b"data" * 50_000
    deep.write_bytes(b"old")
    try:
        write_bytes_atomic(deep, "not bytes", fsync=False)  # type: ignore[arg-type]
    except TypeError:
        pass
    else:
        raise AssertionError("a str is not bytes")
    assert deep.read_bytes() == b"old" and sorted(p.name for p in deep.parent.iterdir()) == ["out.xlsx"]
    with atomic_output(tmp_path / "c" / "d.xlsx") as tmp:
        tmp.write_bytes(b"named")
    assert (tmp_path / "c" / "d.xlsx").read_bytes() == b"named"
