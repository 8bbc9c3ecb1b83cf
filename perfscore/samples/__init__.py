"""Row-by-row transcriptions of the real published forms in shared/examples/, shipped as data.

Used by the demo (to build the bundled example workbooks) and by the tests (as published figures).
"""

from __future__ import annotations

import tomllib
from importlib import resources


def published_forms() -> dict[str, dict]:
    """{'example_001': {...}, 'example_004': {...}} parsed from the TOML transcriptions."""
    folder = resources.files(__name__)
    return {
        entry.name.removesuffix(".toml"): tomllib.loads(entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.startswith("example_") and entry.name.endswith(".toml")
    }
