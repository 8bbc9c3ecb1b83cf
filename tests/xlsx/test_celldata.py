"""CellData's hand-written __init__ behaves as the dataclass-generated one would."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from perfscore.xlsx.grid import CellData


def test_init_sets_every_field_in_declaration_order():
    values = (3, 4, 1.5, "=A1*2", "0.00%", True)
    cell = CellData(*values)
    assert [f.name for f in dataclasses.fields(CellData)] == list(CellData.__slots__)
    assert dataclasses.astuple(cell) == values
    assert CellData(**dict(zip(CellData.__slots__, values))) == cell


def test_defaults_equality_hash_and_copies():
    cell = CellData(2, 5)
    assert (cell.value, cell.formula, cell.number_format, cell.is_text_typed) == (None, None, None, False)
    assert cell == CellData(2, 5, None) and hash(cell) == hash(CellData(2, 5))
    assert cell != CellData(2, 5, 0)
    changed = dataclasses.replace(cell, value="x")
    assert changed == CellData(2, 5, "x") and cell.value is None
    assert pickle.loads(pickle.dumps(changed)) == changed == copy.deepcopy(changed)
    assert repr(changed) == "CellData(row=2, col=5, value='x', formula=None, number_format=None, is_text_typed=False)"


def test_still_frozen_and_strict_about_arguments():
    cell = CellData(1, 1, 7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cell.value = 8  # type: ignore[misc]
    with pytest.raises(TypeError):
        CellData(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        CellData(1, 1, colour="red")  # type: ignore[call-arg]
