"""Freeze: replace the perfscore function calls in formulas by native formulas (no add-in needed to open the file).

`freeze_formula(text, profile)` rewrites one formula text; `freeze_file(src, out, profile)` every formula cell of a
workbook (the ribbon's 转为内置公式 button and `perfscore freeze` call it). The calls' arguments keep referring to
the same cells; a call whose 规则 argument is not a literal text cannot be frozen and is kept (reported).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from perfscore.excel_functions import PROFILE_NAME, profile_from_refers_to
from perfscore.rules.profiles import load_profile

from .formulas import GENERATORS, native_call

_NAMES = "|".join(sorted(GENERATORS, key=len, reverse=True))
# [1]!NAME( (Excel with the .xlam), _xludf.NAME( (Excel without it), ORG.PERFSCORE...NAME( (LibreOffice's save)
_CALL = re.compile(rf"(?<![\w.])((?:\[\d+\]!)|(?:'[^']*'!)|(?:[A-Za-z_][\w]*\.)*)?({_NAMES})\s*\(", re.IGNORECASE)


class FreezeError(ValueError):
    pass


def _skip_string(text: str, i: int) -> int:
    """Index after the string literal starting at text[i] == '"'."""
    i += 1
    while i < len(text):
        if text[i] == '"':
            if i + 1 < len(text) and text[i + 1] == '"':
                i += 2
                continue
            return i + 1
        i += 1
    raise FreezeError("unterminated string")


def _split_args(text: str, start: int) -> tuple[list[str], int]:
    """Arguments of the call whose '(' is at text[start - 1]; returns (args, index after ')')."""
    args, depth, i, begin = [], 0, start, start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = _skip_string(text, i)
            continue
        if ch in "({":
            depth += 1
        elif ch in ")}":
            if depth == 0:
                if ch != ")":
                    raise FreezeError("unbalanced braces")
                last = text[begin:i].strip()
                if last or args:
                    args.append(last)
                return args, i + 1
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[begin:i].strip())
            begin = i + 1
        i += 1
    raise FreezeError("unbalanced parentheses")


@dataclass
class FrozenFormula:
    text: str
    calls: int = 0
    kept: list[str] = field(default_factory=list)  # calls left unchanged, with why


def freeze_formula(text: str, profile=None) -> FrozenFormula:
    """The formula with every perfscore call replaced by its native formula ("=" kept if given)."""
    lead = "=" if text.startswith("=") else ""
    body = text[len(lead):]
    result = FrozenFormula("")
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == '"':
            j = _skip_string(body, i)
            out.append(body[i:j])
            i = j
            continue
        m = _CALL.match(body, i)
        if m and (i == 0 or not (body[i - 1].isalnum() or body[i - 1] in "_.")):
            name = m.group(2).upper()
            args, end = _split_args(body, m.end())
            inner = [freeze_formula(a, profile) for a in args]
            for f in inner:
                result.calls += f.calls
                result.kept += f.kept
            args = [f.text for f in inner]
            n = GENERATORS[name][1]
            prof = profile
            if len(args) == n + 1:
                rule = args[-1]
                if re.fullmatch(r'"[^"]*"', rule):
                    prof = rule[1:-1] or profile
                    args = args[:n]
                else:
                    result.kept.append(f"{name} 的“规则”参数 {rule} 不是文字常量，无法转换")
            if len(args) == n:
                out.append("(" + native_call(name, args, load_profile(prof)) + ")")
                result.calls += 1
            else:
                if len(args) != n + 1:
                    result.kept.append(f"{name} 需要 {n} 个参数，实际 {len(args)} 个")
                out.append(f"{name}({','.join(args)})")
            i = end
            continue
        out.append(ch)
        i += 1
    result.text = lead + "".join(out)
    return result


@dataclass(frozen=True)
class FreezeReport:
    source: str
    output: str | None
    profile: str
    cells: tuple[tuple[str, str], ...]  # (Sheet!A1, what happened)
    frozen: int


def workbook_profile(defined_names: dict[str, str], fallback: str | None) -> str:
    """PERFSCORE_PROFILE (a literal) > the caller's profile > central, as everywhere (CONTRACTS.md)."""
    kind, name = profile_from_refers_to(defined_names.get(PROFILE_NAME))
    if kind == "literal" and name:
        return name
    return fallback or "central"


def freeze_file(src: str | Path, out: str | Path | None, profile: str | None = None) -> FreezeReport:
    """Write `out`: `src` with every perfscore call converted to native formulas; the input is never modified."""
    from perfscore.forms.apply import CellPlan, apply_plans
    from perfscore.xlsx.atomic import write_bytes_atomic
    from perfscore.xlsx.errors import XlsxError
    from perfscore.xlsx.package import XlsxPackage
    from perfscore.xlsx.reader import grid_from_package

    src_p = Path(src)
    if out is not None and Path(out).resolve() == src_p.resolve():
        raise XlsxError("freeze.same_file", f"输出文件不能与输入文件相同：{src_p}（perfscore 从不覆盖输入文件）", str(src_p))
    pkg = XlsxPackage.open(src_p)
    grid = grid_from_package(pkg)
    prof = workbook_profile(grid.defined_names, profile)
    load_profile(prof)  # an unknown name is refused before anything is written
    plans, notes, frozen = [], [], 0
    for sheet in grid.sheets:
        for (r, c), cell in sorted(sheet.cells.items()):
            if not cell.formula or not _CALL.search(cell.formula):
                continue
            try:
                f = freeze_formula(cell.formula, prof)
            except FreezeError as exc:
                notes.append((f"{sheet.name}!{_ref(r, c)}", f"公式无法解析（{exc}），未转换"))
                continue
            where = f"{sheet.name}!{_ref(r, c)}"
            for why in f.kept:
                notes.append((where, why))
            if f.calls:
                if len(f.text) > 8192:
                    notes.append((where, f"转换后公式长 {len(f.text)} 字符，超过 Excel 的 8192 上限，未转换"))
                    continue
                plans.append(CellPlan(sheet.name, _ref(r, c), "内置公式", "覆盖", f.text.removeprefix("="),
                                      cell.value, cell.formula))
                notes.append((where, f"已转换 {f.calls} 个函数调用为内置公式"))
                frozen += 1
    if out is not None:
        write_bytes_atomic(out, apply_plans(pkg, plans, None))
    return FreezeReport(str(src_p), str(out) if out else None, prof, tuple(notes), frozen)


def _ref(r: int, c: int) -> str:
    from perfscore.xlsx.grid import cell_ref

    return cell_ref(r, c)
