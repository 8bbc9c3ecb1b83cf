"""The wheel must carry every package and its data: an installed perfscore works outside the repo."""

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _config():
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_directory_is_listed():
    cfg = _config()
    listed = set(cfg["packages"])
    roots = {"perfscore": REPO / "perfscore", **{k: REPO / v for k, v in cfg["package-dir"].items()}}
    found = set()
    for name, root in roots.items():
        for init in root.rglob("__init__.py"):
            rel = init.parent.relative_to(root).parts
            found.add(".".join((name, *rel)))
    assert found == listed


def test_no_generic_top_level_import_names():
    for name in _config()["packages"]:
        assert name.split(".")[0].startswith("perfscore"), name
