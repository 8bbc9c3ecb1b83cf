"""Validate tests/realforms/data/*.toml against the schema in README.md.

Usage: python tests/realforms/validate_data.py [files...]   (default: every data/*.toml)
Prints schema errors (which make the exit code 1) and the consistency facts of each table
(Σ weights, Σ scores, grade band, funds score) next to the known_defects it declares, so a
transcriber sees at once whether a declared defect is real and whether one is missing.
"""

from __future__ import annotations

import sys
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
KINDS = {"project", "department", "third_party"}
CODES = {"TOTAL_MISMATCH", "WEIGHT_SUM", "GRADE_MISMATCH", "SCORE_OVER_WEIGHT", "EXEC_RATE_MISMATCH",
         "SCORE_DIFFERS_FROM_RULE", "FUNDS_ROWS_MISMATCH", "MISSING_DEVIATION_REASON", "QUAL_SCORE_OUT_OF_BAND"}
TOP = {
    "id": str, "source": str, "publisher": str, "kind": str, "year": int, "title": str,
    "department": str, "implementer": str, "total_weight": (int, float), "total": (int, float),
    "grade": str, "transcription": str, "known_defects": list, "funds": dict, "rows": list, "truncated": str,
    "reason_column": bool,
}
# `total` is required unless the stored copy is `truncated` (README: partial tables).
REQUIRED_TOP = ("id", "source", "publisher", "kind", "year", "title", "known_defects", "rows")
ROW = {
    "level1": str, "level1_weight": (int, float), "level2": str, "level3": str, "nature": str,
    "operator": str, "target": (str, int, float), "actual": (str, int, float), "unit": str,
    "weight": (int, float), "score": (int, float), "reason": str, "rule": str,
}
REQUIRED_ROW = ("level1", "level2", "level3", "weight")
FUNDS = {"weight": (int, float), "score": (int, float), "rate": str, "rows": list}
FUNDS_ROW = {"label": str, "initial": (int, float), "budget": (int, float), "spent": (int, float)}


def _round2(x: float) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _grade(total: float) -> str:
    t = Decimal(repr(total))
    return "优" if t >= 90 else "良" if t >= 80 else "中" if t >= 60 else "差"


def _is_bonus(row: dict) -> bool:
    labels = f"{row.get('level1', '')}{row.get('level2', '')}"
    return any(word in labels for word in ("加减分", "加分", "减分", "扣分"))


def _groups(rows: list) -> dict[str, tuple[Decimal | None, Decimal]]:
    """level1 name -> (printed label weight or None, Σ row weights), in printed order."""
    out: dict[str, tuple[Decimal | None, Decimal]] = {}
    for r in rows:
        if not isinstance(r, dict) or "level1" not in r:
            continue
        gw, gsum = out.get(r["level1"], (None, Decimal(0)))
        if "level1_weight" in r:
            gw = Decimal(repr(r["level1_weight"]))
        out[r["level1"]] = (gw, gsum + Decimal(repr(r.get("weight", 0))))
    return out


def _complete_groups(rows: list, defects: list) -> list[str]:
    """A truncated table keeps whole level-1 groups only: a printed label weight must equal Σ its rows
    (unless the published form itself is off, declared as WEIGHT_SUM)."""
    if any(str(d).startswith("WEIGHT_SUM") for d in defects):
        return []
    bonus = {r.get("level1") for r in rows if isinstance(r, dict) and _is_bonus(r)}  # a cap, rows often unweighted
    return [f"truncated: group {name} Σweights {gsum} != label {gw} (cut group? drop it, or declare WEIGHT_SUM)"
            for name, (gw, gsum) in _groups(rows).items() if gw is not None and gsum != gw and name not in bonus]


def _funds_parts(frows: list) -> list[str]:
    """年度资金总额 against the sum of its parts (FUNDS_ROWS_MISMATCH when they differ)."""
    if not frows or frows[0].get("label") != "年度资金总额" or len(frows) < 2:
        return []
    out = []
    for key in ("initial", "budget", "spent"):
        parts = [Decimal(repr(fr[key])) for fr in frows[1:] if key in fr]
        if parts:
            out.append(f"funds {key}: 年度资金总额 {frows[0].get(key)} Σparts {sum(parts)}")
    return out


def _typed(where: str, table: dict, spec: dict, errors: list[str]) -> None:
    for key, value in table.items():
        if key not in spec:
            errors.append(f"{where}: unknown key {key!r}")
        elif (isinstance(value, bool) and spec[key] is not bool) or not isinstance(value, spec[key]):
            errors.append(f"{where}: {key} has type {type(value).__name__}")


def check(path: Path) -> tuple[list[str], list[str]]:
    """Return (schema errors, consistency facts) of one file."""
    errors: list[str] = []
    facts: list[str] = []
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return [f"TOML: {exc}"], facts
    _typed("top", doc, TOP, errors)
    errors += [f"missing {k}" for k in REQUIRED_TOP if k not in doc]
    if "truncated" not in doc and "total" not in doc:
        errors.append("missing total (required unless the table is truncated)")
    if "truncated" in doc and not doc["truncated"].strip():
        errors.append("truncated is empty: say where the stored copy ends and what is missing")
    for key in ("grade", "total_weight"):
        if key in doc and "total" not in doc:
            errors.append(f"{key} without total: both are printed in the total rows (omit them when cut)")
    if doc.get("id") != path.stem:
        errors.append(f"id {doc.get('id')!r} != file name {path.stem!r}")
    if doc.get("kind") not in KINDS:
        errors.append(f"kind {doc.get('kind')!r}")
    if doc.get("reason_column") is False and any("reason" in r for r in doc.get("rows", []) if isinstance(r, dict)):
        errors.append("reason_column = false but a row has a reason")
    for d in doc.get("known_defects", []):
        if not isinstance(d, str) or d.split(":")[0] not in CODES:
            errors.append(f"bad known_defect {d!r}")
    rows = doc.get("rows", [])
    if not rows:
        errors.append("no rows")
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            errors.append(f"row {i} is not a table")
            continue
        _typed(f"row {i}", row, ROW, errors)
        # 加减分项 rows often print no 分值 (README: omit weight), so weight is optional there only.
        need = REQUIRED_ROW if not _is_bonus(row) else tuple(k for k in REQUIRED_ROW if k != "weight")
        errors += [f"row {i}: missing {k}" for k in need if k not in row]
    if "truncated" in doc:
        errors += _complete_groups(rows, doc.get("known_defects", []))
    wsum = sum(Decimal(repr(r.get("weight", 0))) for r in rows)
    ssum = sum(Decimal(repr(r.get("score", 0))) for r in rows)
    funds = doc.get("funds")
    if funds is not None:
        _typed("funds", funds, FUNDS, errors)
        for i, fr in enumerate(funds.get("rows", []), 1):
            _typed(f"funds row {i}", fr, FUNDS_ROW, errors)
        if "weight" in funds:
            wsum += Decimal(repr(funds["weight"]))
        if "score" in funds:
            ssum += Decimal(repr(funds["score"]))
        frows = funds.get("rows", [])
        facts += _funds_parts(frows)
        if frows and "weight" in funds and frows[0].get("budget"):
            ratio = min(frows[0].get("spent", 0) / frows[0]["budget"], 1)
            expect = _round2(ratio * funds["weight"])
            facts.append(f"funds score expected {expect} printed {funds.get('score')} "
                         f"(rate {ratio:.2%} printed {funds.get('rate')})")
    facts.append(f"Σweights {wsum} (total_weight {doc.get('total_weight')})")
    facts.append(f"Σscores {ssum} (total {doc.get('total')})")
    if "truncated" in doc and "total" in doc and ssum != Decimal(repr(doc["total"])):
        errors.append(f"truncated table with total {doc['total']} but its kept rows sum to {ssum}: the total "
                      f"belongs to rows that were cut — leave total/total_weight/grade out (say them in truncated)")
    for name, (gw, gsum) in _groups(rows).items():
        if gw is not None:
            facts.append(f"group {name}: Σweights {gsum} (label {gw})")
    over = [r["level3"] for r in rows if "weight" in r and r.get("score", 0) > r["weight"]]
    if over:
        facts.append(f"score>weight: {over}")
    if "grade" in doc and "total" in doc:
        facts.append(f"grade {doc['grade']} band-of-total {_grade(doc['total'])}")
    return errors, facts


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(DATA.glob("*.toml"))
    bad = 0
    for path in paths:
        errors, facts = check(path)
        try:  # what the file declares, printed beside the facts (check() reported a TOML error already)
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError:
            doc = {}
        doc_defects, cut = doc.get("known_defects", []), doc.get("truncated")
        status = "ERROR" if errors else "ok"
        bad += bool(errors)
        print(f"{path.name}: {status}")
        if cut:
            print(f"   ~ truncated: {cut}")
        for e in errors:
            print(f"   ! {e}")
        for f in facts:
            print(f"   - {f}")
        for d in doc_defects:
            print(f"   * {d}")
    print(f"{len(paths)} files, {bad} with errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
