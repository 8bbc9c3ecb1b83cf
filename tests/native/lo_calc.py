#!/usr/bin/python3
"""LibreOffice headless for the native and extension tests (run with /usr/bin/python3, which has python3-uno).

  lo_calc.py [--oxt FILE.oxt] [--formulas JSON] [--pdf OUTDIR] BOOK.xlsx...
Prints JSON {book: {sheet: {"A1": ["n"|"s"|"e", value]}}} of every formula cell after calculateAll().
--oxt installs the extension with `unopkg add` into the throwaway user profile first.
--formulas {"Sheet": {"A1": "=FORMULA"}} sets these formulas through UNO after loading (extension calls: LibreOffice
  does not resolve add-in names read from .xlsx).
--pdf also exports each book as PDF into OUTDIR.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from lo_oracle import Office, formula_values  # noqa: E402


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
    office = Office.__new__(Office)
    import shutil
    import tempfile
    import time

    from lo_oracle import _free_port, make_profile

    office.tmp = Path(tempfile.mkdtemp(prefix="lo-native-"))
    make_profile(office.tmp / "profile")
    env_arg = f"-env:UserInstallation=file://{office.tmp / 'profile'}"
    if oxt:
        subprocess.run(["unopkg", "add", "--shared" if False else "-f", oxt, env_arg], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
    office.port = _free_port()
    office.proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", env_arg,
         f"--accept=socket,host=127.0.0.1,port={office.port};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    office.desktop = office._connect()
    out = {}
    try:
        for book in books:
            doc = office.load(book)
            if formulas:
                for sheet_name, cells in formulas.items():
                    sheet = doc.Sheets.getByName(sheet_name)
                    for ref, text in cells.items():
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
    json.dump(out, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
