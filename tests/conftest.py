from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _find_shared() -> Path:
    for candidate in (REPO.parent / "shared", REPO / "shared", Path("/work/shared")):
        if (candidate / "DOMAIN.md").exists():
            return candidate
    raise FileNotFoundError("找不到 shared/ 目录（应与仓库并列）")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return _find_shared()


@pytest.fixture(scope="session")
def examples_dir(shared_dir: Path) -> Path:
    return shared_dir / "examples"


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO
