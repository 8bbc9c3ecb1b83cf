#!/usr/bin/python3
"""LibreOffice headless for the native and extension tests (run with /usr/bin/python3, which has python3-uno).

  lo_calc.py [--oxt FILE.oxt] [--formulas JSON] [--pdf OUTDIR] BOOK.xlsx...
Prints JSON {book: {sheet: {"A1": ["n"|"s"|"e", value]}}} of every formula cell after calculateAll().
--oxt adds the extension to the throwaway user profile first (through the ExtensionManager of a first soffice:
  `unopkg add` refuses to run as root without --shared), then restarts soffice so Calc sees its functions.
--formulas {"Sheet": {"A1": "=FORMULA", "B1:B9": [["=F1"], ...]}} sets these formulas through UNO after loading (extension calls: LibreOffice
  does not resolve add-in names read from .xlsx, ../shared/ADDIN.md).
--pdf OUTDIR also exports each book as PDF.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from lo_oracle import _free_port, formula_values, make_profile  # noqa: E402


class Soffice:
    def __init__(self, profile: Path) -> None:
        import uno

        self.port = _free_port()
        self.proc = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
             f"-env:UserInstallation=file://{profile}",
             f"--accept=socket,host=127.0.0.1,port={self.port};urp;StarOffice.ComponentContext"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.time() + 60
        while True:
            try:
                self.ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={self.port};urp;StarOffice.ComponentContext")
                break
            except Exception:  # NoConnectException until soffice listens
                if time.time() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.2)
        self.desktop = self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)

    def load(self, path: str):
        import uno
        from com.sun.star.beans import PropertyValue

        p = PropertyValue()
        p.Name, p.Value = "Hidden", True
        doc = self.desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0, (p,))
        doc.calculateAll()
        return doc

    def close(self) -> None:
        try:
            self.desktop.terminate()
        except Exception:  # the bridge drops as soffice exits
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _unopkg_add(oxt: Path, tmp: Path, profile: Path) -> None:
    """`unopkg add` into the throwaway profile; as root (CI containers) through the unprivileged user nobody,
    since unopkg refuses root without --shared (which would change the installation)."""
    local = tmp / oxt.name
    shutil.copyfile(oxt, local)
    cmd = ["unopkg", "add", "-f", str(local), f"-env:UserInstallation=file://{profile}"]
    if os.geteuid() == 0:
        for path in (tmp, *tmp.rglob("*")):
            path.chmod(0o777)
        cmd = ["su", "nobody", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp)})
    if proc.returncode != 0:
        raise SystemExit(f"unopkg add failed: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")


def main(argv: list[str]) -> int:
    oxt = formulas = pdf = None
    books = []
    it = iter(argv)
    for arg in it:
        if arg == "--oxt":
            oxt = next(it)
        elif arg == "--formulas":
            formulas = json.loads(Path(next(it)).read_text(encoding="utf-8"))
        elif arg == "--pdf":
            pdf = Path(next(it))
        else:
            books.append(arg)
    tmp = Path(tempfile.mkdtemp(prefix="lo-native-"))
    profile = make_profile(tmp / "profile")
    out = {}
    try:
        if oxt:
            _unopkg_add(Path(oxt), tmp, profile)
        office = Soffice(profile)
        try:
            for book in books:
                doc = office.load(book)
                book_formulas = (formulas or {}).get(Path(book).name, formulas if formulas and "*" in formulas else None)
                if book_formulas:
                    doc.enableAutomaticCalculation(False)  # one calculateAll below, not one per formula set
                    for sheet_name, cells in book_formulas.items():
                        if sheet_name == "*":
                            continue
                        sheet = doc.Sheets.getByName(sheet_name)
                        for ref, text in cells.items():
                            if isinstance(text, list):  # a range: one call over the bridge
                                sheet.getCellRangeByName(ref).setFormulaArray(tuple(tuple(r) for r in text))
                            else:
                                sheet.getCellRangeByName(ref).setFormula(text)
                    doc.calculateAll()
                out[book] = formula_values(doc)
                if pdf is not None:
                    import uno
                    from com.sun.star.beans import PropertyValue

                    pdf.mkdir(parents=True, exist_ok=True)
                    p = PropertyValue()
                    p.Name, p.Value = "FilterName", "calc_pdf_Export"
                    doc.storeToURL(uno.systemPathToFileUrl(str((pdf / (Path(book).stem + ".pdf")).resolve())), (p,))
                doc.close(True)
        finally:
            office.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    json.dump(out, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
