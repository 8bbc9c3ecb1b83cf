"""The Finding record every check returns, and the stable order findings are reported in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from perfscore.xlsx.grid import parse_ref

ERROR = "错误"
WARNING = "警告"
NOTE = "提示"
SEVERITIES = (ERROR, WARNING, NOTE)  # most severe first
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Finding:
    """One problem in one place. `cell` is "J12", a range "J10:J12", or "" for the sheet/file as a whole."""

    file: str
    sheet: str
    cell: str
    code: str
    severity: str
    message: str

    def __post_init__(self) -> None:
        if self.severity not in _SEVERITY_RANK:
            raise ValueError(f"未知的严重程度 (unknown severity): {self.severity!r}")

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.file

    def as_dict(self) -> dict[str, str]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


def severity_rank(severity: str) -> int:
    return _SEVERITY_RANK[severity]


def _cell_key(cell: str) -> tuple[int, int]:
    first = cell.split(":", 1)[0]
    try:
        return parse_ref(first)
    except ValueError:
        return (0, 0)


def sort_findings(findings: Iterable[Finding], sheet_order: Sequence[str] = ()) -> list[Finding]:
    """Sheets in workbook order, then row, column, severity, code; duplicates removed."""
    order = {name: i for i, name in enumerate(sheet_order)}

    def key(f: Finding) -> tuple:
        row, col = _cell_key(f.cell) if f.cell else (0, 0)
        return (f.file, order.get(f.sheet, len(order)), f.sheet, row, col, f.cell,
                _SEVERITY_RANK[f.severity], f.code, f.message)

    return sorted(set(findings), key=key)
