"""Kept for the tests that import the published-form fixtures from here; the data lives in perfscore.samples."""

from perfscore.samples.published import *  # noqa: F401,F403
from perfscore.samples.published import (  # noqa: F401  (names with a leading underscore are not star-exported)
    _box,
    _merge_blocks,
)
