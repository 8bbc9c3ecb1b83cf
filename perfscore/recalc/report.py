"""What the per-file task returns: small frozen records, picklable, with no workbook objects.

Kept apart from the task itself so the batch's parent process (progress bar, summary) and the Dask client
import these records without the engine, ironcalc or openpyxl."""

from __future__ import annotations

from dataclasses import dataclass, field

from perfscore.checks.findings import Finding

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm"}
OTHER_SPREADSHEETS = {".xls": "旧版 .xls 格式不支持，请另存为 .xlsx", ".ods": "OpenDocument (.ods) 格式不支持，请另存为 .xlsx",
                      ".et": "WPS 表格 (.et) 格式不支持，请另存为 .xlsx", ".xlsb": "二进制 .xlsb 格式不支持，请另存为 .xlsx",
                      ".csv": "CSV 不是工作簿，未处理", ".xltx": "模板文件 (.xltx) 未处理", ".ett": "WPS 模板 (.ett) 未处理"}


@dataclass(frozen=True)
class FormRow:
    file: str
    sheet: str
    kind: str
    project_name: str
    implementer: str
    budget: object
    spent: object
    exec_rate: object
    declared_total: object
    recomputed_total: object
    declared_grade: object
    recomputed_grade: object
    total_cell: str


@dataclass(frozen=True)
class SummaryRows:
    """A report's rows on the summary's table sheets as SpreadsheetML templates (summary_rows.render), made in
    the worker so the batch parent only numbers and appends them."""

    file: str
    forms: tuple[str, ...]
    findings: tuple[str, ...]
    grades: tuple[tuple[str, str], ...]  # (申报等级, 重算等级) of each forms row


@dataclass(frozen=True)
class FileReport:
    file: str
    output: str | None
    ok: bool
    engine: str
    reason: str  # Chinese, empty when ok
    seconds: float
    formulas: int = 0  # formula cells recomputed
    patched: int = 0  # cells whose cached value changed in the output
    calls: int = 0  # perfscore calls bridged
    errors: int = 0  # findings of severity 错误 (checker)
    warnings: int = 0  # 警告
    forms: tuple[FormRow, ...] = ()
    findings: tuple[Finding, ...] = ()  # the checker's own records (frozen, picklable)
    notes: tuple[str, ...] = ()
    summary_rows: SummaryRows | None = field(default=None, compare=False, repr=False)  # TaskOptions.summary_rows


@dataclass(frozen=True)
class TaskOptions:
    profile: str | None = None
    run_checks: bool = True
    write: bool = True
    summary_rows: bool = False  # render the report's summary rows in the worker (the batch writes a summary)
    rows_only: bool = False  # with summary_rows: drop the forms/findings records the rows were made from (the
    # parent only appends rows; a third of the bytes to unpickle there)


def failed(path: str, reason: str, seconds: float = 0.0, engine: str = "") -> FileReport:
    return FileReport(path, None, False, engine, reason, seconds)
