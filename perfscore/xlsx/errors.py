"""Typed errors of the xlsx package layer: each names the file and says what is wrong, in Chinese."""

from __future__ import annotations

try:  # the rule core's base error, when present, so shells catch one family
    from perfscore.rules.errors import PerfscoreError as _Base
except ImportError:  # pragma: no cover - the rule core lands separately
    _Base = Exception


class XlsxError(_Base):  # type: ignore[misc, valid-type]
    """A workbook file that cannot be read safely.

    code: stable machine code ("xlsx.encrypted", ...); message: Chinese, names the file;
    path: the file; cell: always None here (kept for the PerfscoreError shape).
    """

    def __init__(self, code: str, message_zh: str, path: str | None = None):
        Exception.__init__(self, message_zh)
        self.code = code
        self.message = message_zh
        self.message_zh = message_zh
        self.path = path
        self.cell = None

    def __str__(self) -> str:
        return self.message

    def with_cell(self, cell: str | None) -> "XlsxError":
        return self  # file-level refusal: no cell to name


# Stable codes (the recalc summary and the checks print them).
NOT_FOUND = "xlsx.not_found"
ENCRYPTED = "xlsx.encrypted"
XLS_FORMAT = "xlsx.xls_format"
NOT_ZIP = "xlsx.not_zip"
CORRUPT_ZIP = "xlsx.corrupt_zip"
ZIP_BOMB = "xlsx.zip_bomb"
DTD = "xlsx.dtd_forbidden"
BAD_XML = "xlsx.bad_xml"
MISSING_PART = "xlsx.missing_part"
