"""A hostile corpus in one batch: every file gets its row with a Chinese reason, nothing crashes, no input changes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from perfscore.cli.main import app
from tests.recalc.books import make_form
from tests.recalc.conftest import sha

OLE = bytes.fromhex("D0CF11E0A1B11AE1")


def _rewrite(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info, data)
    return dst


def build_corpus(d: Path) -> dict[str, str]:
    """file name -> a word its Chinese reason must contain ("" = must succeed)."""
    good = make_form(d / "正常.xlsx", seed=1)
    expect = {"正常.xlsx": ""}
    data = good.read_bytes()
    (d / "截断.xlsx").write_bytes(data[: len(data) // 2])
    expect["截断.xlsx"] = "损坏"
    (d / "乱码.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    expect["乱码.xlsx"] = "损坏"
    (d / "加密.xlsx").write_bytes(OLE + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 2048)
    expect["加密.xlsx"] = "加密"
    (d / "旧格式.xls").write_bytes(OLE + b"\x00" * 1024)
    expect["旧格式.xls"] = ".xls"
    (d / "表格.ods").write_bytes(b"PK\x03\x04ods")
    expect["表格.ods"] = ".ods"
    (d / "文字.txt").write_text("not a workbook")  # not a spreadsheet: silently ignored in folders
    # zip bomb: a sheet part that inflates 200:1 and beyond the part limit
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        with zipfile.ZipFile(good) as zin:
            for info in zin.infolist():
                z.writestr(info, zin.read(info.filename))
        z.writestr("xl/media/padding.bin", b"\x00" * (60 * 1024 * 1024))
    (d / "炸弹.xlsx").write_bytes(bomb.getvalue())
    expect["炸弹.xlsx"] = "炸弹"
    _rewrite(good, d / "实体.xlsx", lambda n, b: (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa">'
                                                   b'<!ENTITY b "&a;&a;&a;&a;">]>' + b.split(b"?>", 1)[-1])
             if n == "xl/worksheets/sheet1.xml" else b)
    expect["实体.xlsx"] = "DTD"
    _rewrite(good, d / "缺表.xlsx", lambda n, b: None if n == "xl/worksheets/sheet1.xml" else b)
    expect["缺表.xlsx"] = "缺少"
    wb = Workbook()
    wb.active["A1"] = "=B1+1"
    wb.active["B1"] = "=A1*2"
    wb.save(d / "循环.xlsx")
    expect["循环.xlsx"] = "循环引用"
    wb = Workbook()
    wb.active["A1"] = "=GRADE(A2)"
    wb.active["A2"] = "=IF(A1=\"优\",95,85)"
    wb.save(d / "函数循环.xlsx")
    expect["函数循环.xlsx"] = "循环引用"
    (d / "空文件.xlsx").write_bytes(b"")
    expect["空文件.xlsx"] = "不是"
    (d / "~$正常.xlsx").write_bytes(b"lock")
    expect["~$正常.xlsx"] = "锁定"
    return expect


@pytest.mark.slow
def test_hostile_batch(tmp_path):
    src = tmp_path / "收件箱"
    src.mkdir()
    expect = build_corpus(src)
    hashes = {p.name: sha(p) for p in src.iterdir()}
    out = tmp_path / "输出"
    runner = CliRunner()
    result = runner.invoke(app, ["recalc", str(src), "-o", str(out), "--jobs", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    strict = runner.invoke(app, ["recalc", str(src), "-o", str(tmp_path / "o2"), "--jobs", "1", "--quiet", "--strict"])
    assert strict.exit_code == 1
    assert {p.name: sha(p) for p in src.iterdir()} == hashes  # no input changed
    import pandas as pd

    files = pd.read_excel(out / "重算汇总.xlsx", sheet_name="文件", engine="openpyxl").fillna("")
    rows = {Path(f).name: (state, reason) for f, state, reason in zip(files["文件"], files["状态"], files["失败原因"])}
    assert set(rows) == set(expect), set(rows) ^ set(expect)
    for name, word in expect.items():
        state, reason = rows[name]
        if word:
            assert state == "失败" and word in reason, (name, reason)
        else:
            assert state == "成功", (name, reason)
    assert (out / "正常.xlsx").exists()
    assert sorted(p.name for p in out.iterdir()) == ["正常.xlsx", "重算汇总.xlsx"]
