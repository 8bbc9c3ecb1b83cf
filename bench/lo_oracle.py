#!/usr/bin/python3
"""LibreOffice headless with forced recalculation: the oracle for tests and the baseline for the benchmark.

Runs under the system Python that has python3-uno (`/usr/bin/python3 bench/lo_oracle.py ...`):
  values FILE...            -> JSON {file: {sheet: {"A1": ["n"|"s"|"e", value]}}} of every formula cell
                               after calculateAll() on a persistent soffice instance (UNO)
  convert OUTDIR FILE...    -> load, calculateAll(), store as .xlsx in OUTDIR; prints JSON timing
  cli OUTDIR FILE...        -> plain `soffice --convert-to xlsx` with a profile whose OOXMLRecalcMode=0
                               (recalculate on load), one process per call; prints JSON timing
LibreOffice keeps stale cached values unless recalculation is forced (../shared/ENGINES.md), hence both.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def make_profile(root: Path) -> Path:
    """A LibreOffice user profile that recalculates OOXML files on load."""
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(RECALC_XCU, encoding="utf-8")
    return root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Office:
    """One persistent soffice process reached over UNO."""

    def __init__(self) -> None:
        import uno  # noqa: F401  (system python3-uno)

        self.tmp = Path(tempfile.mkdtemp(prefix="lo-oracle-"))
        make_profile(self.tmp / "profile")
        self.port = _free_port()
        self.proc = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
             f"-env:UserInstallation=file://{self.tmp / 'profile'}",
             f"--accept=socket,host=127.0.0.1,port={self.port};urp;StarOffice.ComponentContext"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.desktop = self._connect()

    def _connect(self):
        import uno

        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.time() + 60
        while True:
            try:
                ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={self.port};urp;StarOffice.ComponentContext")
                return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            except Exception:  # NoConnectException until soffice listens
                if time.time() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.2)

    def load(self, path: str):
        import uno
        from com.sun.star.beans import PropertyValue

        def prop(name, value):
            p = PropertyValue()
            p.Name, p.Value = name, value
            return p

        url = uno.systemPathToFileUrl(os.path.abspath(path))
        doc = self.desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True), prop("ReadOnly", True)))
        doc.calculateAll()
        return doc

    def store(self, doc, out: str) -> None:
        import uno
        from com.sun.star.beans import PropertyValue

        p = PropertyValue()
        p.Name, p.Value = "FilterName", "Calc MS Excel 2007 XML"
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(out)), (p,))

    def close(self) -> None:
        try:
            self.desktop.terminate()
        except Exception:  # the bridge drops as soffice exits
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _col(c: int) -> str:
    s = ""
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def formula_values(doc) -> dict:
    from com.sun.star.table.CellContentType import FORMULA

    out = {}
    sheets = doc.Sheets
    for i in range(sheets.Count):
        sheet = sheets.getByIndex(i)
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        last_row, last_col = cursor.RangeAddress.EndRow, cursor.RangeAddress.EndColumn
        cells = {}
        for r in range(last_row + 1):
            for c in range(last_col + 1):
                cell = sheet.getCellByPosition(c, r)
                if cell.Type != FORMULA:
                    continue
                ref = f"{_col(c + 1)}{r + 1}"
                if cell.getError():
                    cells[ref] = ["e", cell.getString()]
                elif cell.FormulaResultType2 == 2:  # com.sun.star.sheet.FormulaResult.STRING
                    cells[ref] = ["s", cell.getString()]
                else:
                    cells[ref] = ["n", cell.getValue()]
        out[sheet.Name] = cells
    return out


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "values":
        office = Office()
        try:
            result = {}
            for f in argv[1:]:
                doc = office.load(f)
                result[f] = formula_values(doc)
                doc.close(True)
        finally:
            office.close()
        json.dump(result, sys.stdout, ensure_ascii=False)
        return 0
    if mode == "convert":
        outdir = Path(argv[1])
        outdir.mkdir(parents=True, exist_ok=True)
        t_start = time.perf_counter()
        office = Office()
        t0 = time.perf_counter()
        try:
            for f in argv[2:]:
                doc = office.load(f)
                office.store(doc, str(outdir / Path(f).name))
                doc.close(True)
        finally:
            t1 = time.perf_counter()
            office.close()
        json.dump({"files": len(argv) - 2, "seconds": t1 - t0, "startup": t0 - t_start}, sys.stdout)
        return 0
    if mode == "cli":
        outdir = Path(argv[1])
        outdir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="lo-cli-"))
        make_profile(tmp / "profile")
        t0 = time.perf_counter()
        try:
            for f in argv[2:]:  # one soffice process per file, as a script would call it
                subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp / 'profile'}",
                                "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), f],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=300)
        finally:
            t1 = time.perf_counter()
            shutil.rmtree(tmp, ignore_errors=True)
        json.dump({"files": len(argv) - 2, "seconds": t1 - t0}, sys.stdout)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
