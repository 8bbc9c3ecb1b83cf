"""Why one file could not be recalculated: a typed refusal with a Chinese reason for the summary row."""

from __future__ import annotations

try:  # the rule core's base class once it exists; recalc must not wait for it
    from perfscore.rules.errors import PerfscoreError as _Base
except ImportError:  # pragma: no cover - only before the rule core lands
    class _Base(Exception):  # type: ignore[no-redef]
        def __init__(self, message: str, *, code: str = "error", cell: str | None = None) -> None:
            super().__init__(message)
            self.message = message
            self.code = code
            self.cell = cell


class RecalcFileError(_Base):
    """A file-level refusal: corrupt zip, encryption, .xls, zip bomb, DTD, circular reference, missing sheet."""

    def __init__(self, code: str, message: str, cell: str | None = None) -> None:
        try:
            super().__init__(message, code=code, cell=cell)
        except TypeError:  # a base class with another signature: keep our own fields
            Exception.__init__(self, message)
        self.code = code
        self.message = message
        self.cell = cell

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # survive pickling across process pools and dask workers
        return (RecalcFileError, (self.code, self.message, self.cell))
