"""The template edited as an analyst edits it: no silent wrong answer (issue 20).

Two layers. The formula-engine tests (fast, no LibreOffice) pin each finding of the
review on an edited copy of the template: a short holding, a blank or mistyped cell in one
planned trade, more ladder legs, another trade on the Margin sheet, new prices. The
LibreOffice test (marked ``office``) applies every edit of :data:`EDITS` at once to a copy,
recalculates it with the add-in, and compares every MF_ result cell with the Python
functions called on the edited inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from microsize import udfs as U
from tests.test_workbook import _engine_copy, _engine_values

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook" / "microsize.xlsm"


def _edited(tmp_path: Path, edits: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """Engine values of a copy of the template with (sheet, cell, value) typed in."""
    wb = openpyxl.load_workbook(TEMPLATE, keep_vba=True)
    for sheet, ref, value in edits:
        wb[sheet][ref] = value
    book = tmp_path / "edited.xlsm"
    wb.save(book)
    _engine_copy(book, tmp_path / "edited.xlsx")
    return _engine_values(tmp_path / "edited.xlsx")


def _cells(values: dict[str, Any], key: str) -> list[list[Any]]:
    v = np.asarray(values[key], dtype=object)
    return [
        [x.item() if hasattr(x, "item") else x for x in row] for row in v.reshape(v.shape[0], -1)
    ]


# ------------------------------------------------------------------ 1. signed exposure
def test_portfolio_counts_a_short_holding_as_negative(tmp_path: Path) -> None:
    """The ETH swap turned short (-150 contracts of 0.1 ETH at 1,610.84): its exposure is
    -24,162.60 and the book's exposure falls by twice that (on main MF_NOTIONAL kept it
    +24,162.60, so the hedge sold as if the book were longer)."""
    got = _edited(tmp_path, [("Portfolio", "D7", -150)])
    exposures = [r[0] for r in _cells(got, "PORTFOLIO!G6:G9")]
    assert exposures == [72487.8, -24162.6, 16108.4, 12576.0]  # 45 ETH, -15 ETH, 10 ETH, 150 SOL
    plan = dict(map(tuple, _cells(got, "PORTFOLIO!K10:L16")))
    assert plan["Exposure"] == pytest.approx(72487.8 - 24162.6 + 16108.4 + 12576.0, abs=1e-6)
    betas = [[r[0]] for r in _cells(got, "PORTFOLIO!H6:H9")]
    want = dict(U.MF_PORTFOLIO_HEDGE([[x] for x in exposures], betas, 41144.35, "cme:MBT", 0.5))
    assert plan == pytest.approx(want)


def test_the_hedge_price_is_the_latest_close_of_the_prices_table(tmp_path: Path) -> None:
    """A new last close of BTC in Prices is the hedge's price (main typed 41,144.35)."""
    got = _edited(tmp_path, [("Prices", "B28", 45000.0)])
    assert _cells(got, "PORTFOLIO!L5") == [[45000.0]]
    one = _cells(got, "PORTFOLIO!L18")[0][0]
    assert one == pytest.approx(4500.0)  # one MBT: 0.1 BTC at 45,000


# ------------------------------------------------------------------ 2. rows stand alone
@pytest.mark.parametrize(
    ("edits", "row", "words"),
    [
        ([("Planner", "G11", None)], None, None),  # a blank Fee: no fee on that row
        ([("Planner", "H12", None)], None, None),  # a blank Leverage: no leverage
        ([("Planner", "G12", 0.05)], 3, "error: fee_rate"),  # 5% typed for 0.05%
        ([("Planner", "B11", "binance:NOPE")], 2, "error: contract"),  # an unknown key
    ],
)
def test_planner_a_bad_or_blank_cell_stays_in_its_row(
    tmp_path: Path, edits: list[tuple[str, str, Any]], row: int | None, words: str | None
) -> None:
    """On main any of these turned every trade's result into the error text, SUM read 0
    and the status said "ok: combined risk within your limit"."""
    got = _edited(tmp_path, edits)
    plan = _cells(got, "PLANNER!J10:O13")
    trades = [list(r) for r in _planner_inputs(edits)]
    for i, trade in enumerate(trades):
        want = U.MF_PLAN(10000, *trade)[0] if i + 1 != row else None
        if want is None:
            assert plan[i][5].startswith(str(words)), plan[i]
            assert plan[i][:5] == ["n/a: see Check"] * 5
        else:
            assert plan[i][:5] == pytest.approx(want[:5])
            assert plan[i][5] == want[5]
    totals = _cells(got, "PLANNER!G5:G7")
    status = _cells(got, "PLANNER!O5")[0][0]
    if row is None:
        assert all(isinstance(t[0], float) for t in totals)
        assert totals[0][0] == pytest.approx(sum(r[2] for r in plan))
        assert status.startswith(("ok:", "Combined risk is above"))
    else:
        assert totals == [[f"n/a: 1 trade has an error: row {row}"]] * 3
        assert status == f"n/a: 1 trade has an error: row {row}"


def _planner_inputs(edits: list[tuple[str, str, Any]]) -> list[tuple[Any, ...]]:
    """The Trades rows after the edits, as MF_PLAN's arguments after equity."""
    from microsize.workbook.planner import TRADES

    rows = [list(t) for t in TRADES]
    cols = "ABCDEFGH"
    for _, ref, value in edits:
        rows[int(ref[1:]) - 10][cols.index(ref[0])] = value
    return [(r[4], r[5], r[2], r[3], r[1], r[6], r[7]) for r in rows]
