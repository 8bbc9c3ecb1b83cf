"""Random indicator rows as people fill them (property corpus shared by the native and the extension tests)."""

from __future__ import annotations

import random

from perfscore.xlsx.grid import ExcelError

NATURES = ["正向", "反向", "定性", "", None, " 正向", "逆向", "正向指标", "abc", 5]
OPERATORS = ["≥", "≤", "=", ">", "<", "", None, "大于等于", "≥ ", "?"]
LEVELS = ["达成预期目标", "部分达成预期目标并具有一定效果", "未达成预期目标且效果较差", "达成", "未完成", "基本完成",
          "有效保障", "明显提升", "较好", "85%", "120%", "60%", " 达成 ", "无上访", "未发生安全事故", "无法统计"]
QUAL_TARGETS = ["有效保障", "明显提升", "健全", "", None, "达成", "规范"]
ERRORS = {"=NA()": ExcelError("#N/A"), "=1/0": ExcelError("#DIV/0!")}


def _number(rng: random.Random) -> float:
    kind = rng.random()
    if kind < 0.1:
        return 0.0
    if kind < 0.5:
        return float(rng.randint(1, 400))
    if kind < 0.9:
        return round(rng.uniform(0.01, 300), rng.choice([1, 2, 3]))
    return -float(rng.randint(1, 50))


def _quantity(rng: random.Random, near: float | None = None) -> object:
    """A target or actual: numbers, percent and number texts, blanks, units, operators, 不适用, errors."""
    r = rng.random()
    base = near if near is not None and rng.random() < 0.6 else None
    if base is not None and r < 0.45:
        factor = rng.choice([1.0, 1.0, 0.5, 0.9, 0.99, 1.01, 1.1, 1.5, 2.0, 3.0, 0.0])
        x = base * factor
        return round(x, 4)
    if r < 0.45:
        return _number(rng)
    if r < 0.6:
        return f"{rng.randint(0, 120)}%"
    if r < 0.68:
        return f"{round(rng.uniform(0, 100), 1)}%"
    if r < 0.76:
        return str(rng.choice([rng.randint(0, 500), round(rng.uniform(0, 50), 2)]))
    extras = ["", None, "-", "不适用", "≥95%", "2900条", " 17 ", "1,200", "3-5", ".5", "5.", "95%%", "%", "abc",
              "９５", "=NA()", "=1/0"]
    return rng.choice(extras)


def _weight(rng: random.Random) -> object:
    r = rng.random()
    if r < 0.8:
        return rng.choice([2, 3, 5, 6, 10, 2.5, 1.5, 4, 8, 20])
    return rng.choice([0, None, -1, "2", 0.125, "=NA()"])


def indicator_rows(n: int, seed: int) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        nature = rng.choice(NATURES)
        op = rng.choice(OPERATORS)
        if nature == "定性" or (rng.random() < 0.15):
            target = rng.choice(QUAL_TARGETS)
            actual = rng.choice(LEVELS + [target] if target else LEVELS)
        else:
            target = _quantity(rng)
            tnum = target if isinstance(target, float) else None
            actual = _quantity(rng, tnum)
        rows.append((nature, op, target, actual, _weight(rng)))
    # the adversarial half cases of ENGINES.md: ROUND(80.1/90*2.5, 2) = 2.23
    rows += [("正向", "≥", 90, 80.1, 2.5), ("正向", "≥", 3000, 932.92, 10), ("正向", "≥", 19, 17, 2),
             ("正向", "=", "100%", "80%", 3), ("反向", "≤", 5, 0, 4), ("定性", None, "有效保障", "有效保障", 6)]
    return rows


def cell_arg(v: object) -> object:
    """What the core receives for a value written into a cell (formula inputs become their error)."""
    if isinstance(v, str) and v in ERRORS:
        return ERRORS[v]
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    if v == "":
        return None  # openpyxl writes no cell for an empty string
    return v


def write_value(ws, row: int, col: int, v: object) -> None:
    """Write one corpus value: error inputs as formulas, every other text as text (even "=")."""
    if v is None or v == "":
        return
    cell = ws.cell(row, col, v)
    if isinstance(v, str) and v not in ERRORS:
        cell.data_type = "s"


def pair_rows(n: int, seed: int) -> list[tuple]:
    """(A, B, 分值) for SCORE_EXEC_RATE and SCORE_COST_SAVING: over/under, zero, negative, text numbers."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        a = _quantity(rng)
        b = _quantity(rng, a if isinstance(a, float) else None)
        rows.append((a, b, _weight(rng)))
    return rows + [(3000, 932.92, 10), (100, 92.84, 10), (90, 80.1, 2.5)]


def survey_rows(n: int, seed: int) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        counts = [rng.choice([rng.randint(0, 90), rng.randint(0, 9), 0, None, "-", -1, "12", "不适用"])
                  if rng.random() < 0.25 else rng.randint(0, 90) for _ in range(5)]
        rows.append((*counts, _weight(rng)))
    return rows + [(70, 9, 8, 0, 4, 10)]


def total_rows(n: int, seed: int) -> list[tuple]:
    rng = random.Random(seed)
    edges = [90, 80, 60, 89.99, 79.995, 100, 100.01, 0, -1, None, "91.5", "abc", 89.99999999999999]
    return [(rng.choice(edges) if rng.random() < 0.3 else round(rng.uniform(0, 100), 2),) for _ in range(n)]
