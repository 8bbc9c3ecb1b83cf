"""Build perfscore.xlam from the text sources in addin/src/ - on Linux, reproducibly.

1. pyOpenVBA creates an .xlam from its Excel-authored blank add-in and writes the VBA project:
   ThisWorkbook (Workbook_Open registers the function help), xlwings' custom add-in module (PROJECT_NAME
   = perfscore), the generated UDF wrappers, the ribbon dispatcher, the error module, the help register.
2. The package is then rewritten part by part: the blank sheet becomes the `perfscore.conf` sheet
   (xlwings reads its config there), the ribbon part customUI/customUI14.xml and its relationship are
   added, document properties are set.
3. Every zip entry gets a fixed timestamp and fixed attributes, so two builds are byte-identical.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from perfscore_addin.vba_gen import (PROJECT_NAME, SRC_DIR, custom_addin_module, dictionary_class, register_module,
                                     text_module, xlwings_udfs_module)

ADDIN_NAME = f"{PROJECT_NAME}.xlam"
CONF_SHEET = f"{PROJECT_NAME}.conf"
RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class VbaModule:
    name: str
    source: str  # LF line endings; converted to CRLF when written
    kind: str = "standard"  # "standard" | "document" | "class"


def vba_modules(src_dir: Path = SRC_DIR) -> list[VbaModule]:
    """Every module the add-in's VBA project holds, in project order, with its source text.

    The generated modules are regenerated here (not read from the committed copies) so a stale
    copy can never ship; tests compare the two.
    """
    def read(name: str) -> str:
        return (src_dir / name).read_text(encoding="ascii")

    return [
        VbaModule("ThisWorkbook", read("ThisWorkbook.cls"), kind="document"),
        VbaModule("xlwings", custom_addin_module()),
        # GetConfigFromSheet declares `As Dictionary` under #If Mac: without the class the project does not compile on Mac
        VbaModule("Dictionary", dictionary_class(), kind="class"),
        VbaModule("xlwings_udfs", xlwings_udfs_module()),
        VbaModule("perfscore_errors", read("perfscore_errors.bas")),
        VbaModule("perfscore_ribbon", read("perfscore_ribbon.bas")),
        VbaModule("perfscore_register", register_module()),
        VbaModule("perfscore_env", read("perfscore_env.bas")),
        VbaModule("perfscore_text", text_module()),
    ]


def conf_entries(src_dir: Path = SRC_DIR) -> list[tuple[str, str]]:
    rows = []
    for line in (src_dir / "perfscore.conf.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            key, _, value = line.partition("\t")
            rows.append((key, value))
    return rows


def _strip_attribute_lines(source: str) -> str:
    """pyOpenVBA takes the module body; VB_Name comes from the module name."""
    lines = source.splitlines()
    while lines and lines[0].startswith("Attribute VB_"):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def _write_vba_project(path: Path, modules: list[VbaModule]) -> None:
    from pyopenvba import ExcelFile
    from pyopenvba.vba import VBAModuleKind

    with ExcelFile.create_new(path) as book:
        project = book.vba_project()
        for module in modules:
            body = _strip_attribute_lines(module.source).replace("\n", "\r\n")
            if module.kind == "document":
                header = book.get_module(module.name)  # keep the document module's own attributes
                book.set_module(module.name, header + body)
            elif module.kind == "class":  # the .cls as exported (VERSION/BEGIN/Attribute header), pyOpenVBA normalises it
                project.add_module(module.name, module.source.replace("\n", "\r\n"), kind=VBAModuleKind.other)
            else:
                project.add_module(module.name, f'Attribute VB_Name = "{module.name}"\r\n' + body)
        project.delete_module("Module1")
        book.save()


def _cell(ref: str, value: str) -> str:
    """<c> for the conf sheet: booleans as t="b" (xlwings compares them as booleans), text inline."""
    if value.upper() in ("TRUE", "FALSE"):
        return f'<c r="{ref}" t="b"><v>{1 if value.upper() == "TRUE" else 0}</v></c>'
    if value == "":
        return ""
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def conf_sheet_xml(entries: list[tuple[str, str]]) -> bytes:
    """xl/worksheets/sheet1.xml: column A key, column B value (xlwings' <project>.conf layout)."""
    rows = []
    for i, (key, value) in enumerate(entries, start=1):
        rows.append(f'<row r="{i}">{_cell(f"A{i}", key)}{_cell(f"B{i}", value)}</row>')
    last = len(entries)
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheetPr codeName="Sheet1"/><dimension ref="A1:B{last}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="14.5"/><cols><col min="1" max="1" width="30" customWidth="1"/>'
        '<col min="2" max="2" width="60" customWidth="1"/></cols>'
        f'<sheetData>{"".join(rows)}</sheetData>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
    )
    return xml.encode("utf-8")


def core_xml(version: str) -> bytes:
    """docProps/core.xml: the Add-ins dialog shows dc:title and dc:description. Fixed dates: reproducible."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>绩效评分 perfscore</dc:title>"
        f"<dc:description>预算绩效自评评分函数与校验（perfscore {escape(version)}）</dc:description>"
        "<dc:creator>perfscore</dc:creator><cp:lastModifiedBy>perfscore</cp:lastModifiedBy>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode("utf-8")


def _replace_once(data: bytes, old: str, new: str, part: str) -> bytes:
    text = data.decode("utf-8")
    if text.count(old) != 1:
        raise RuntimeError(f"{part}: expected one {old!r} in pyOpenVBA's blank add-in")
    return text.replace(old, new).encode("utf-8")


def _edit_parts(parts: dict[str, bytes], ribbon_xml: bytes, entries: list[tuple[str, str]], version: str) -> dict[str, bytes]:
    out = dict(parts)
    out["xl/workbook.xml"] = _replace_once(parts["xl/workbook.xml"], '<sheet name="Sheet1"', f'<sheet name="{CONF_SHEET}"', "xl/workbook.xml")
    out["docProps/app.xml"] = _replace_once(parts["docProps/app.xml"], "<vt:lpstr>Sheet1</vt:lpstr>", f"<vt:lpstr>{CONF_SHEET}</vt:lpstr>", "docProps/app.xml")
    out["xl/worksheets/sheet1.xml"] = conf_sheet_xml(entries)
    out["docProps/core.xml"] = core_xml(version)
    rel = f'<Relationship Id="rIdPerfscoreRibbon" Type="{RIBBON_REL_TYPE}" Target="{RIBBON_PART}"/>'
    out["_rels/.rels"] = _replace_once(parts["_rels/.rels"], "</Relationships>", rel + "</Relationships>", "_rels/.rels")
    out[RIBBON_PART] = ribbon_xml
    return out


def _write_zip(path: Path, parts: dict[str, bytes], order: list[str]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, parts[name], compresslevel=6)


def build_addin(out_dir: Path, src_dir: Path = SRC_DIR) -> Path:
    """Build perfscore.xlam into out_dir and return its path (the file is replaced atomically)."""
    from perfscore import __version__ as version

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / ADDIN_NAME
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / ADDIN_NAME
        _write_vba_project(raw, vba_modules(src_dir))
        with zipfile.ZipFile(raw) as zf:
            order = zf.namelist()
            parts = {name: zf.read(name) for name in order}
    ribbon = (src_dir / "customUI14.xml").read_bytes()
    parts = _edit_parts(parts, ribbon, conf_entries(src_dir), version)
    order = order + [RIBBON_PART]
    tmp_target = target.with_name(target.name + ".tmp")
    _write_zip(tmp_target, parts, order)
    tmp_target.replace(target)
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
