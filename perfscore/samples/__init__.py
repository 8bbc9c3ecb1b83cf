"""Row-by-row transcriptions of the real published forms in shared/examples/, and builders for their workbooks."""

from perfscore.samples.published import (
    CENTRAL,
    CENTRAL_LAYOUT,
    CENTRAL_ROWS,
    EXAMPLE_001,
    EXAMPLE_001_LAYOUT,
    EXAMPLE_001_ROWS,
    EXAMPLE_004,
    EXAMPLE_004_LAYOUT,
    EXAMPLE_004_ROWS,
    Row001,
    Row004,
    RowCentral,
    build_central,
    build_example_001,
    build_example_004,
)

__all__ = [name for name in dir() if not name.startswith("_")]
