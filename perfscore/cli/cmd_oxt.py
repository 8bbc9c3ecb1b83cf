"""`perfscore oxt build -o perfscore.oxt` (the LibreOffice extension) and `perfscore freeze IN -o OUT` (native formulas).

The .oxt is built from the text sources in addin/libreoffice/: the IDL is compiled with the LibreOffice SDK's
unoidl-write (Debian package libreoffice-dev), CalcAddIns.xcu is generated from perfscore.excel_functions.SPECS
(the same help texts as Excel's function wizard), and the pure rule core is bundled under pythonpath/ so that
LibreOffice's own Python needs nothing installed. Zip members are sorted and dated 1980-01-01: same sources,
same bytes.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Optional
from xml.sax.saxutils import escape

import typer
from rich.console import Console

from perfscore.rules import PerfscoreError

console = Console()
REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "addin" / "libreoffice"
PACKAGE = REPO / "perfscore"
IMPLEMENTATION = "org.perfscore.calc.Perfscore"
LO_PROGRAM = Path("/usr/lib/libreoffice/program")
# The pure core the add-in needs (perfscore.xlsx gets a stub __init__: its real one imports the file readers).
BUNDLE = ("__init__.py", "excel_functions.py", "rules/**/*.py", "rules/**/*.toml", "xlsx/grid.py")
XLSX_STUB = b'"""perfscore.xlsx inside the LibreOffice extension: only the grid types (ExcelError)."""\n'


class OxtError(PerfscoreError):
    code = "OXT"


def _unoidl_write() -> str:
    for candidate in (shutil.which("unoidl-write"), "/usr/lib/libreoffice/sdk/bin/unoidl-write"):
        if candidate and Path(candidate).exists():
            return candidate
    raise OxtError("找不到 unoidl-write（LibreOffice SDK）：请先安装 Debian 软件包 libreoffice-dev"
                   "（apt-get install libreoffice-dev），再运行 perfscore oxt build")


def compile_idl() -> bytes:
    """XPerfscore.rdb from idl/XPerfscore.idl, against LibreOffice's own type libraries."""
    refs = [str(LO_PROGRAM / "types.rdb"), str(LO_PROGRAM / "types" / "offapi.rdb")]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "XPerfscore.rdb"
        proc = subprocess.run([_unoidl_write(), *refs, str(SOURCES / "idl" / "XPerfscore.idl"), str(out)],
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise OxtError(f"unoidl-write 编译 {SOURCES / 'idl'} 失败：{proc.stderr.strip()}")
        return out.read_bytes()


def calc_addins_xcu() -> bytes:
    """The function wizard's names and help, generated from perfscore.excel_functions.SPECS."""
    from perfscore.excel_functions import SPECS

    def prop(name: str, value: str, lang: bool = True) -> str:
        attr = ' xml:lang="en"' if lang else ""
        return f'<prop oor:name="{name}"><value{attr}>{escape(value)}</value></prop>'

    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" '
             'xmlns:xs="http://www.w3.org/2001/XMLSchema" oor:name="CalcAddIns" oor:package="org.openoffice.Office">',
             '<node oor:name="AddInInfo">', f'<node oor:name="{IMPLEMENTATION}" oor:op="replace">',
             '<node oor:name="AddInFunctions">']
    for spec in SPECS.values():
        parts.append(f'<node oor:name="{spec.name}" oor:op="replace">')
        parts += [prop("DisplayName", spec.name), prop("Description", spec.doc), prop("Category", "Add-In", False),
                  prop("CompatibilityName", spec.name)]
        parts.append('<node oor:name="Parameters">')
        for p in spec.params:
            idl_name = {"operator": "direction", "very_unhappy": "veryUnhappy"}.get(p.name, p.name)  # IDL rules
            parts.append(f'<node oor:name="{idl_name}" oor:op="replace">')
            parts += [prop("DisplayName", p.label), prop("Description", p.doc)]
            parts.append("</node>")
        parts += ["</node>", "</node>"]
    parts += ["</node>", "</node>", "</node>", "</oor:component-data>", ""]
    return "\n".join(parts).encode("utf-8")


def _members() -> dict[str, bytes]:
    from perfscore import __version__

    members = {
        "META-INF/manifest.xml": (SOURCES / "META-INF" / "manifest.xml").read_bytes(),
        "description.xml": (SOURCES / "description.xml").read_text(encoding="utf-8")
        .replace("@VERSION@", __version__).encode("utf-8"),
        "perfscore_calc.py": (SOURCES / "perfscore_calc.py").read_bytes(),
        "CalcAddIns.xcu": calc_addins_xcu(),
        "XPerfscore.rdb": compile_idl(),
        "pythonpath/perfscore/xlsx/__init__.py": XLSX_STUB,
    }
    for pattern in BUNDLE:
        for path in sorted(PACKAGE.glob(pattern)):
            members[f"pythonpath/perfscore/{path.relative_to(PACKAGE).as_posix()}"] = path.read_bytes()
    return members


def oxt_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in sorted(_members().items()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def build_oxt(out: str | Path) -> Path:
    from perfscore.xlsx.atomic import write_bytes_atomic

    return write_bytes_atomic(out, oxt_bytes())


def build_cmd(output: Path = typer.Option(Path("perfscore.oxt"), "--output", "-o", help="输出的 .oxt 文件")) -> None:
    """生成 LibreOffice 扩展（.oxt）：在 Calc 单元格中使用 SCORE_INDICATOR 等评分函数。"""
    try:
        path = build_oxt(output)
    except PerfscoreError as err:
        console.print(f"[red]错误[/red]：{err}")
        raise typer.Exit(1)
    console.print(f"已生成 {path}；安装：unopkg add {path}（或 LibreOffice 菜单 工具 > 扩展管理器 > 添加）")


def freeze_cmd(
    book: Path = typer.Argument(..., help="含 SCORE_* / GRADE 函数的工作簿（不会被修改）"),
    output: Path = typer.Option(..., "--output", "-o", help="输出文件（不能与输入相同）"),
    profile: Optional[str] = typer.Option(None, "--profile", "-p", help="评分规则（工作簿的 PERFSCORE_PROFILE 优先）"),
) -> None:
    """把工作簿中的评分函数转换为内置函数公式（WPS、LibreOffice、无加载项的 Excel 均可计算）。"""
    from perfscore.native.freeze import freeze_file

    try:
        report = freeze_file(book, output, profile)
    except PerfscoreError as err:
        console.print(f"[red]错误[/red]：{err}")
        raise typer.Exit(1)
    for cell, what in report.cells:
        console.print(f"{cell}：{what}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"已转换 {report.frozen} 个单元格（评分规则 {report.profile}）→ {output}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    oxt = typer.Typer(help="LibreOffice 扩展 (.oxt)", no_args_is_help=True)
    oxt.command("build")(build_cmd)
    app.add_typer(oxt, name="oxt")
    app.command("freeze")(freeze_cmd)
