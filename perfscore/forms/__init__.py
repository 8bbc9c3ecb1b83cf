"""Forms: the model of a self-evaluation form, the layout reader, templates and apply-in-place."""

from .model import (
    MISSING, Form, FormKind, FormReadResult, FundsRow, GroupWeight, HeaderFacts, Indicator, Sourced, Subtotal,
)
from .reader import read_forms, read_sheet_forms

__all__ = [
    "MISSING", "Form", "FormKind", "FormReadResult", "FundsRow", "GroupWeight", "HeaderFacts", "Indicator",
    "Sourced", "Subtotal", "read_forms", "read_sheet_forms",
]
