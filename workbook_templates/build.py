"""Regenerate the committed templates from their specs: python workbook_templates/build.py [--check]

--check compares instead of writing and exits 1 when a committed file differs from its spec.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from perfscore.forms.templates import build_template, list_templates, load_spec  # noqa: E402


def main(argv: list[str]) -> int:
    check = "--check" in argv
    status = 0
    for info in list_templates(HERE / "specs"):
        data = build_template(load_spec(info.spec_path))
        target = HERE / info.file
        if check:
            same = target.exists() and target.read_bytes() == data
            print(("一致 " if same else "不一致 ") + str(target.name))
            status |= 0 if same else 1
        else:
            target.write_bytes(data)
            print(f"已生成 {target.name}（{len(data)} 字节）")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
