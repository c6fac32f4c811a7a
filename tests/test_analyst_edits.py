"""The template edited as an analyst edits it: no silent wrong answer (issue 20).

Two layers. The formula-engine tests (fast, no LibreOffice) pin each finding of the
review on an edited copy of the template: a short holding, a blank or mistyped cell in one
planned trade, more ladder legs, another trade on the Margin sheet, new prices. The
LibreOffice test (marked ``office``) applies every edit of :data:`EDITS` at once to a copy,
recalculates it with the add-in, and compares every MF_ result cell with the Python
functions called on the edited inputs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from microsize import udfs as U
from microsize._errors import MicrosizeError
from tests.test_workbook import append_rows, engine_copy, engine_values

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook" / "microsize.xlsm"


def edited(
    tmp_path: Path,
    edits: list[tuple[str, str, Any]],
    rows: dict[str, list[list[Any]]] | None = None,
) -> dict[str, Any]:
    """Engine values of a copy of the template with (sheet, cell, value) typed in and
    ``rows`` typed below the tables they name."""
    src = TEMPLATE
    if rows:
        src = tmp_path / "grown.xlsm"
        append_rows(TEMPLATE, src, rows)
    wb = openpyxl.load_workbook(src, keep_vba=True)
    for sheet, ref, value in edits:
        wb[sheet][ref] = value
    book = tmp_path / "edited.xlsm"
    wb.save(book)
    engine_copy(book, tmp_path / "edited.xlsx")
    return engine_values(tmp_path / "edited.xlsx")


def _grid(values: dict[str, Any]) -> dict[tuple[str, int, int], Any]:
    """Every computed cell, one by one, from the engine's cells and ranges."""
    from openpyxl.utils.cell import range_boundaries

    out: dict[tuple[str, int, int], Any] = {}
    for key, value in values.items():
        sheet, ref = key.rsplit("!", 1)
        try:
            c0, r0, c1, r1 = range_boundaries(ref)
        except ValueError:  # a defined name (ContractKeys), not cells
            continue
        arr = np.asarray(value, dtype=object)
        if arr.ndim != 2 or arr.shape != (r1 - r0 + 1, c1 - c0 + 1):
            continue
        for i in range(arr.shape[0]):
            for j in range(arr.shape[1]):
                x = arr[i, j]
                out[(sheet, r0 + i, c0 + j)] = x.item() if hasattr(x, "item") else x
    return out


def cells(values: dict[str, Any], key: str) -> list[list[Any]]:
    """The values of a range, read cell by cell (what the sheet shows there)."""
    from openpyxl.utils.cell import range_boundaries

    grid = values.get("__grid__")
    if grid is None:
        grid = values["__grid__"] = _grid({k: v for k, v in values.items() if k != "__grid__"})
    sheet, ref = key.rsplit("!", 1)
    c0, r0, c1, r1 = range_boundaries(ref)
    return [[grid.get((sheet, r, c)) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]


# ------------------------------------------------------------------ 1. signed exposure
def test_portfolio_counts_a_short_holding_as_negative(tmp_path: Path) -> None:
    """The ETH swap turned short (-150 contracts of 0.1 ETH at 1,610.84): its exposure is
    -24,162.60 and the book's exposure falls by twice that (on main MF_NOTIONAL kept it
    +24,162.60, so the hedge sold as if the book were longer)."""
    got = edited(tmp_path, [("Portfolio", "D7", -150)])
    exposures = [r[0] for r in cells(got, "PORTFOLIO!F6:F9")]
    assert exposures == [72487.8, -24162.6, 16108.4, 12576.0]  # 45 ETH, -15 ETH, 10 ETH, 150 SOL
    plan = dict(map(tuple, cells(got, "PORTFOLIO!K10:L16")))
    assert plan["Exposure"] == pytest.approx(72487.8 - 24162.6 + 16108.4 + 12576.0, abs=1e-6)
    betas = [[r[0]] for r in cells(got, "PORTFOLIO!G6:G9")]
    want = dict(U.MF_PORTFOLIO_HEDGE([[x] for x in exposures], betas, 41144.35, "cme:MBT", 0.5))
    assert plan == pytest.approx(want)


def test_the_hedge_price_is_the_latest_close_of_the_prices_table(tmp_path: Path) -> None:
    """A new last close of BTC in Prices is the hedge's price (main typed 41,144.35)."""
    got = edited(tmp_path, [("Prices", "B28", 45000.0)])
    assert cells(got, "PORTFOLIO!L5") == [[45000.0]]
    one = cells(got, "PORTFOLIO!L18")[0][0]
    assert one == pytest.approx(4500.0)  # one MBT: 0.1 BTC at 45,000


# ------------------------------------------------------------------ 2. rows stand alone
@pytest.mark.parametrize(
    ("edits", "row", "words"),
    [
        ([("Planner", "I21", None)], None, None),  # a blank Fee: no fee on that row
        ([("Planner", "J22", None)], None, None),  # a blank Leverage: no leverage
        ([("Planner", "I22", 0.05)], 3, "error: fee_rate"),  # 5% typed for 0.05%
        ([("Planner", "B21", "binance:NOPE")], 2, "error: contract"),  # an unknown key
    ],
)
def test_planner_a_bad_or_blank_cell_stays_in_its_row(
    tmp_path: Path, edits: list[tuple[str, str, Any]], row: int | None, words: str | None
) -> None:
    """On main any of these turned every trade's result into the error text, SUM read 0
    and the status said "ok: combined risk within your limit"."""
    got = edited(tmp_path, edits)
    plan = _plan(got, 20, 23)
    trades = [list(r) for r in _planner_inputs(edits)]
    for i, trade in enumerate(trades):
        want = U.MF_PLAN(10000, *trade)[0] if i + 1 != row else None
        if want is None:
            assert plan[i][5].startswith(str(words)), plan[i]
            assert plan[i][:5] == ["n/a: see Check"] * 5
        else:
            assert plan[i][:5] == pytest.approx(want[:5])
            assert plan[i][5] == want[5]
    totals = cells(got, "PLANNER!G5:G7")
    status = cells(got, "PLANNER!N5")[0][0]
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
    cols = "ABCDEFGHIJ"  # Trade, Contract, Side, Entry, Stop, Target, Risk %, amount, Fee, Lev
    for _, ref, value in edits:
        rows[int(ref[1:]) - 20][cols.index(ref[0])] = value
    return [(r[6], r[7], r[3], r[4], r[1], r[8], r[9]) for r in rows]


#: Columns of the Trades table holding MF_PLAN's six results (Risk budget, Contracts, Risk
#: at stop, Exposure, Margin, Check), in the row of the table's first trade (20) and down.
PLAN_COLS = "MNOQRU"


def _plan(got: dict[str, Any], first: int, last: int) -> list[list[Any]]:
    """MF_PLAN's six results of the Trades rows first..last, as the sheet shows them."""
    return [
        [cells(got, f"PLANNER!{c}{r}")[0][0] for c in PLAN_COLS] for r in range(first, last + 1)
    ]


# ------------------------------------------------------------------ 3. the Ladder's legs
#: The evenly spaced block: its inputs (First price, Last price, Legs, Tick) in B31:B34,
#: one row per leg from row 32 (Leg in C, Price in D, Weight in E), checks in G32 and G33.
EVEN_ROWS = (32, 51)


def test_ladder_weights_sit_beside_their_prices() -> None:
    """Row k of the evenly spaced block holds the k-th price and the k-th weight (on
    main MF_WEIGHTS once started a row below MF_LADDER_PRICES: 3,510 read against the
    weight of 3,520), each its own formula, not a spill (LibreOffice 7.4 keeps a spill's
    saved range)."""
    from microsize.workbook.ladder import LEG_ROWS

    ws = openpyxl.load_workbook(TEMPLATE)["Ladder"]
    first, last = EVEN_ROWS
    assert last - first + 1 == LEG_ROWS
    for k, r in enumerate(range(first, last + 1), start=1):
        price, weight = (str(getattr(c.value, "text", c.value)) for c in ws[f"D{r}:E{r}"][0])
        assert "MF_LADDER_PRICES(" in price, (r, price)
        assert "MF_WEIGHTS(" in weight, (r, weight)
        for text in (price, weight):
            assert text.endswith(f",{k})" if k == 1 else f",{k}))"), (r, text)
            ref = getattr(ws[f"D{r}"].value, "ref", None)
            assert ref in (None, f"D{r}"), ref  # one cell, never a spill over the rows


def _even(got: dict[str, Any]) -> list[list[Any]]:
    first, last = EVEN_ROWS
    return cells(got, f"LADDER!C{first}:E{last}")


@pytest.mark.parametrize("legs", [7, 1, 20])
def test_ladder_shows_as_many_evenly_spaced_legs_as_typed(tmp_path: Path, legs: int) -> None:
    """An analyst types 7 legs where the template has 5 (and 1, and the 20 rows written):
    every leg is shown, each price and weight is MF_LADDER_PRICES' and MF_WEIGHTS' row for
    that many legs, the weights sum to 1, the rows below are blank and both checks say ok
    (on main the block was a spill saved for 5 rows: LibreOffice showed 5 of 7)."""
    got = edited(tmp_path, [("Ladder", "B33", legs)])
    rows = _even(got)
    prices = U.MF_LADDER_PRICES(3520, 3480, legs, "even", "binance:ETHUSDT")
    weights = U.MF_WEIGHTS(legs, "pyramid")
    assert [r[0] for r in rows[:legs]] == list(range(1, legs + 1))
    assert [r[1] for r in rows[:legs]] == pytest.approx([p[0] for p in prices])
    assert [r[2] for r in rows[:legs]] == pytest.approx([w[0] for w in weights])
    assert sum(r[2] for r in rows[:legs]) == pytest.approx(1.0)
    assert rows[0][1] == 3520  # the first and the last price typed
    assert rows[legs - 1][1] == (3480 if legs > 1 else 3520)
    assert all(r == ["", "", ""] for r in rows[legs:])
    assert cells(got, "LADDER!G32:G33") == [
        [f"ok: all {legs} prices shown"],
        [f"ok: all {legs} weights shown"],
    ]


def test_ladder_says_when_more_legs_are_typed_than_rows_written(tmp_path: Path) -> None:
    """25 legs typed, 20 rows written: the 20 rows show the first 20 of the 25 prices and
    weights, and the checks say the rest are not shown, in red."""
    got = edited(tmp_path, [("Ladder", "B33", 25)])
    rows = _even(got)
    prices = U.MF_LADDER_PRICES(3520, 3480, 25, "even", "binance:ETHUSDT")
    assert [r[1] for r in rows] == pytest.approx([p[0] for p in prices[:20]])
    note = "the sheet has rows for 20 legs"
    assert cells(got, "LADDER!G32:G33") == [
        [f"only 20 of 25 prices shown: {note}"],
        [f"only 20 of 25 weights shown: {note}"],
    ]
    rules = {
        str(r.sqref) for r in openpyxl.load_workbook(TEMPLATE)["Ladder"].conditional_formatting
    }
    assert {"G32", "G33"} <= rules  # red unless ok


@pytest.mark.parametrize(
    ("cell", "value", "argument"),
    [("B33", 0, "legs"), ("B33", "five", "legs"), ("B34", "nowhere:XYZ", "tick")],
)
def test_a_refused_evenly_spaced_block_says_why(
    tmp_path: Path, cell: str, value: Any, argument: str
) -> None:
    """0 or a word typed for Legs, an unknown contract for the tick: the first row and the
    check cells show the function's message naming the argument, the other rows are
    blank (no #REF!, no #NAME?)."""
    got = edited(tmp_path, [("Ladder", cell, value)])
    rows = _even(got)
    check = cells(got, "LADDER!G32")[0][0]
    assert check.startswith("error: "), check
    assert argument in check, check
    assert rows[0][1] == check.removeprefix("error: ")
    assert all(r[1] == "" for r in rows[1:])
    if argument == "legs":  # MF_WEIGHTS refuses the same legs
        assert cells(got, "LADDER!G33")[0][0].startswith("error: legs")


def test_ladder_new_leg_has_its_own_results(tmp_path: Path) -> None:
    """A 4th entry typed below Entries (its grey columns filled as Excel fills them): the
    4th leg has its own results, the legs sum to the position the scale-out starts from
    and the check cell counts 4 of 4 (before the legs were a spill saved for 3: a
    cumulative risk of 28.85 of 30 shown as the whole ladder)."""
    got = edited(tmp_path, [], rows={"Entries": [[3460, 20]]})
    full = U.MF_LADDER(
        30, [[3520], [3500], [3480], [3460]], 3450, 0.001, [[30], [40], [30], [20]], 0
    )
    assert len(full) == 5  # four legs and the header
    legs = cells(got, "LADDER!C18:G21")
    for leg, want in zip(legs, full[1:], strict=True):
        assert leg[:4] == pytest.approx(want[2:6])
        assert leg[4] == want[6] == "ok"
    assert sum(r[0] for r in legs) == legs[-1][1]  # the legs sum to the position
    assert legs[-1][3] <= 30  # the whole ladder within the budget
    assert cells(got, "LADDER!B28") == [["ok: all 4 legs shown"]]
    assert cells(got, "LADDER!B54:B55") == [[legs[-1][1]], [pytest.approx(legs[-1][2])]]
    ws = openpyxl.load_workbook(TEMPLATE)["Ladder"]
    rules = {str(r.sqref) for r in ws.conditional_formatting}
    assert {"B28", "B78"} <= rules  # red unless ok


def test_a_ladder_the_function_refuses_says_why_in_every_leg(tmp_path: Path) -> None:
    """An entry typed below the stop: MF_LADDER refuses the ladder, every leg's Note says
    why, its numbers read "n/a: see Note", and the check cell says error (not "ok: all 3
    legs shown", which counting the filled rows alone would say)."""
    got = edited(tmp_path, [("Ladder", "A20", 3440)])
    legs = cells(got, "LADDER!C18:G20")
    with pytest.raises(MicrosizeError) as refused:
        U.MF_LADDER(30, [[3520], [3500], [3440]], 3450, 0.001, [[30], [40], [30]], 0)
    for leg in legs:
        assert leg[:4] == ["n/a: see Note"] * 4
        assert leg[4] == f"error: {refused.value}"
    assert cells(got, "LADDER!B28") == [["error: see Note"]]
    assert cells(got, "LADDER!B54")[0][0] == "n/a: see Note"  # the scale-out says so too


def test_a_row_typed_below_the_planner_and_portfolio_tables_has_its_own_results(
    tmp_path: Path,
) -> None:
    """A 5th trade and a 5th holding typed below their tables, the calculated columns
    filled as Excel fills them: the new rows have their own results (MF_PLAN and
    MF_EXPOSURE of that row), the check cells count 5 of 5, and the totals are the sums of
    the rows shown (on main the per-row results were spills that kept 4 rows in
    LibreOffice while the totals counted 5)."""
    trade = ["XRP", "binance:XRPUSDT", "long", 2.5, 2.4, 2.8, None, 75, 0.0005, 5]
    holding = ["BTC perpetual", "BTC", "bybit:BTCUSDT", -0.5, 41144.35]
    got = edited(tmp_path, [], rows={"Trades": [trade], "Holdings": [holding]})
    assert cells(got, "PLANNER!L7") == [["ok: all 5 trades shown"]]
    assert cells(got, "PORTFOLIO!F3") == [["ok: all 5 holdings shown"]]
    xrp = U.MF_PLAN(10000, None, 75, 2.5, 2.4, "binance:XRPUSDT", 0.0005, 5)[0]
    new = _plan(got, 24, 24)[0]
    assert new[:5] == pytest.approx(xrp[:5])
    assert new[5] == xrp[5]
    assert 74 < new[2] <= 75  # at most the 75 risked, within a lot (fees included)
    plan = _plan(got, 20, 24)
    totals = [t[0] for t in cells(got, "PLANNER!G5:G7")]
    assert totals[0] == pytest.approx(sum(r[2] for r in plan))  # risk at stop
    assert totals[1] == pytest.approx(sum(r[4] for r in plan))  # margin
    assert totals[2] == pytest.approx(sum(r[3] for r in plan))  # net exposure
    btc = cells(got, "PORTFOLIO!F10:H10")[0]
    assert btc[0] == pytest.approx(-20572.175)  # short 0.5 BTC at 41,144.35
    assert btc[2] == pytest.approx(btc[0] * btc[1])
    assert btc[1] == pytest.approx(1.0)  # BTC's beta to itself
    rows = cells(got, "PORTFOLIO!F6:H10")
    plan_p = dict(map(tuple, cells(got, "PORTFOLIO!K10:L16")))
    assert plan_p["Exposure"] == pytest.approx(sum(r[0] for r in rows))
    assert plan_p["Beta-weighted exposure"] == pytest.approx(sum(r[2] for r in rows))


def test_check_cells_say_when_a_new_row_has_no_results(tmp_path: Path) -> None:
    """A row inside the table whose grey cells were not filled (LibreOffice fills none when
    a row is inserted): the check cells say a row is not computed, in red."""
    trade = ["XRP", "binance:XRPUSDT", "long", 2.5, 2.4, 2.8, None, 75, 0.0005, 5]
    holding = ["BTC perpetual", "BTC", "bybit:BTCUSDT", -0.5, 41144.35]
    grown = tmp_path / "grown.xlsm"
    append_rows(TEMPLATE, grown, {"Trades": [trade], "Holdings": [holding]})
    wb = openpyxl.load_workbook(grown, keep_vba=True)
    for ref in ("M24", "N24", "O24", "P24", "Q24", "R24", "U24"):
        wb["Planner"][ref] = None
    for ref in ("F10", "G10", "H10"):
        wb["Portfolio"][ref] = None
    wb.save(grown)
    engine_copy(grown, tmp_path / "engine.xlsx")
    got = engine_values(tmp_path / "engine.xlsx")
    note = ": copy the grey cells of the row above into the new row"
    assert cells(got, "PLANNER!L7") == [[f"only 4 of 5 trades shown{note}"]]
    assert cells(got, "PORTFOLIO!F3") == [[f"only 4 of 5 holdings shown{note}"]]
    rules = {
        str(r.sqref) for r in openpyxl.load_workbook(TEMPLATE)["Planner"].conditional_formatting
    }
    assert "L7" in rules


# ------------------------------------------------------------------ 4. the Margin sheet
def test_margin_pnl_charges_the_fee_and_stops_at_liquidation(tmp_path: Path) -> None:
    got = edited(tmp_path, [])
    fee = cells(got, "MARGIN!G9")[0][0]
    assert fee == U.MF_SPEC("binance:BTCUSDT", "taker_fee") == 0.0005
    marks = dict(map(tuple, cells(got, "MARGIN!F12:G16")))
    pnl = dict(zip(marks, (r[0] for r in cells(got, "MARGIN!H12:H16")), strict=True))
    # at the stop: 0.01 BTC x -3,000 = -30, minus 0.05% of 600 and of 570: -30.585
    assert pnl["Stop"] == pytest.approx(-30.585, abs=1e-9)
    assert pnl["Entry"] == pytest.approx(-0.6, abs=1e-9)  # both fees, no move
    curve = cells(got, "MARGIN!F19:H41")
    liq = marks["Liquidation"]
    for price, raw, drawn in curve:
        if price <= liq:  # the exchange closed the position at the liquidation price
            assert drawn == pytest.approx(pnl["Liquidation"])
            assert raw < drawn
        else:
            assert (
                drawn == raw == pytest.approx(U.MF_PNL(0.01, 60000, price, "binance:BTCUSDT", fee))
            )


def test_margin_chart_follows_an_eth_trade(tmp_path: Path) -> None:
    """Another trade (ETH short at 5x): the marks, the chart's range and the sentence follow
    (on main the targets stayed at 63,000 / 66,000 and the axis at 56,000-67,000: an empty
    chart)."""
    edits = [
        ("Margin", "B5", 3500),
        ("Margin", "B6", -2),
        ("Margin", "B7", 5),
        ("Margin", "B8", 3600),
        ("Margin", "B9", "binance:ETHUSDT"),
    ]
    got = edited(tmp_path, edits)
    marks = dict(map(tuple, cells(got, "MARGIN!F12:G16")))
    assert marks["Target 1"] == U.MF_TARGET(3500, 3600, 1, "binance:ETHUSDT", 0.0005)
    assert marks["Target 2"] < marks["Target 1"] < 3500 < 3600 < marks["Liquidation"]
    low, high = cells(got, "MARGIN!G7")[0][0], cells(got, "MARGIN!G8")[0][0]
    assert low <= min(marks.values())
    assert high >= max(marks.values())
    prices = [r[0] for r in cells(got, "MARGIN!F19:F41")]
    assert prices[0] == pytest.approx(low, abs=0.01)
    assert prices[-1] == pytest.approx(high, abs=0.01)
    sentence = cells(got, "MARGIN!D22")[0][0]
    assert sentence.startswith(
        f"This trade: liquidation at {marks['Liquidation']:,.2f}, stop at 3,600.00"
    )
    assert sentence.endswith("is beyond the stop")


def test_margin_chart_axis_is_not_fixed_and_the_stop_is_drawn_last() -> None:
    import zipfile

    with zipfile.ZipFile(TEMPLATE) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    (pnl,) = [c for c in charts if "Profit and loss at exit" in c]
    assert "<c:min " not in pnl
    assert "<c:max " not in pnl
    names = re.findall(r"<c:tx><c:v>([^<]+)</c:v></c:tx>", pnl)
    assert names.index("Stop") > names.index("Liquidation")


# ------------------------------------------------------------------ 5. no typed copies
def test_results_and_prose_follow_the_inputs(tmp_path: Path) -> None:
    """A $3,000 account, 40/20/40 weights on the ladder, 10x on the Margin sheet, a 3 ATR
    stop: the notes, headings and scale-out inputs that carried figures follow."""
    edits = [
        ("Sizing", "B5", 3000),
        ("Sizing", "E11", 10),
        ("Sizing", "M8", 3),
        ("Ladder", "B18", 40),
        ("Ladder", "B19", 20),
        ("Ladder", "B20", 40),
        ("Margin", "B7", 10),
    ]
    got = edited(tmp_path, edits)
    budget = 45.0  # 3,000 x 1.5%
    n = U.MF_CONTRACTS(budget, 3520, 3450, 0.001, 0)
    note = cells(got, "SIZING!D54")[0][0]
    loss = U.MF_RISK(431, 3520, 3450, 0.001, 0)
    assert note == (
        f"431 contracts lose ${loss:,.2f} at the stop: within the $45.00 budget. Sized to the "
        f"budget (never over): {n:g} lose ${U.MF_RISK(n, 3520, 3450, 0.001, 0):,.2f}."
    )
    assert cells(got, "SIZING!D4") == [["Trade: binance:BTCUSDT at 10x"]]
    assert cells(got, "SIZING!L27")[0][0].startswith("The stop is 3 ATR below entry")
    ladder = cells(got, "LADDER!A18:F20")
    assert [r[1] for r in ladder] == [40, 20, 40]
    assert [r[2] for r in ladder] == [240, 120, 240]  # 40/20/30 of the 600 contracts
    assert cells(got, "LADDER!B54:B55") == [[ladder[-1][3]], [ladder[-1][4]]]
    sentence = cells(got, "MARGIN!D22")[0][0]
    assert sentence.endswith("is beyond the stop")  # at 10x liquidation is below 57,000


# ------------------------------------------------------------------ 6. through LibreOffice
# The analyst's edits, in one place: (sheet, cell, value, why). Add the edit that breaks
# the workbook here; the test below applies them all to one copy of the template.
EDITS: list[tuple[str, str, Any, str]] = [
    # Sizing: both worked trades, the size to test, the ATR block, one bar
    ("Sizing", "B5", 3000, "another account size"),
    ("Sizing", "B6", 0.01, "another risk per trade"),
    ("Sizing", "B7", 3600, "another entry"),
    ("Sizing", "B8", 3480, "another stop"),
    ("Sizing", "B9", "mybroker:XYZ", "the contract of the Specs row added below (ROWS)"),
    ("Sizing", "B10", 0.0004, "a fee where there was none"),
    ("Sizing", "E5", 5000, "another account size"),
    ("Sizing", "E6", 0.02, "another risk per trade"),
    ("Sizing", "E7", 3500, "an ETH short instead of the BTC long"),
    ("Sizing", "E8", 3600, "its stop, above the entry"),
    ("Sizing", "E9", "binance:ETHUSDT", "another contract"),
    ("Sizing", "E10", 0.0002, "another fee"),
    ("Sizing", "E11", 10, "another leverage"),
    ("Sizing", "B56", 300, "another size to test against the budget"),
    ("Sizing", "M5", 62000, "another entry for the ATR block"),
    ("Sizing", "M6", 10, "a 10-bar ATR"),
    ("Sizing", "M7", "simple", "another ATR method"),
    ("Sizing", "M8", 1.5, "another ATR multiple"),
    ("Sizing", "M9", "short", "the other side"),
    ("Sizing", "M10", "binance:BTCUSDT", "another contract"),
    ("Sizing", "M11", 0.0004, "another fee"),
    ("Sizing", "M12", "2 ticks", "slippage in ticks"),
    ("Sizing", "M13", 2, "a 2R target"),
    ("Sizing", "M14", 500, "another USD budget"),
    ("Sizing", "M15", -0.25, "a loss as the ROI"),
    ("Sizing", "M16", 5, "another leverage for the ROI"),
    ("Sizing", "G25", 63000, "a higher high on the last bar"),
    # Ladder: every input, more legs than the spills were saved with, scale-out overrides
    ("Ladder", "B5", 5000, "another account size"),
    ("Ladder", "B6", 0.01, "another risk"),
    ("Ladder", "B7", 3400, "another stop"),
    ("Ladder", "B8", "binance:ETHUSDT", "a contract key instead of a size"),
    ("Ladder", "B9", 0.0005, "a fee"),
    ("Ladder", "A18", 3500, "other entries and weights"),
    ("Ladder", "B18", 20, ""),
    ("Ladder", "A19", 3470, ""),
    ("Ladder", "B19", 50, ""),
    ("Ladder", "A20", 3440, ""),
    ("Ladder", "B20", 30, ""),
    ("Ladder", "B31", 3600, "other evenly spaced prices"),
    ("Ladder", "B32", 3400, ""),
    ("Ladder", "B33", 7, "7 legs where the template has 5: all 7 shown"),
    ("Ladder", "B34", 0.5, "a tick as a number"),
    ("Ladder", "B54", 2.0, "typed over the ladder's position (an input overriding a default)"),
    ("Ladder", "B55", 3480, "typed over the ladder's average entry"),
    ("Ladder", "A68", 3550, "other targets and weights"),
    ("Ladder", "B68", 40, ""),
    ("Ladder", "A69", 3650, ""),
    ("Ladder", "B69", 40, ""),
    ("Ladder", "A70", 3800, ""),
    ("Ladder", "B70", 20, ""),
    # Planner: blanks in optional columns, a mistyped fee, a short, a risk amount
    ("Planner", "B5", 25000, "another account size"),
    ("Planner", "B6", 0.02, "another risk limit"),
    ("Planner", "J20", None, "a blank Leverage: no leverage (margin at 1x)"),
    ("Planner", "I21", None, "a blank Fee: no fee"),
    ("Planner", "I22", 0.05, "5% typed where 0.05% was meant: its row says why, totals name it"),
    ("Planner", "D23", 61000, "BTC at 20x turned short by its stop, its Side still long"),
    ("Planner", "E23", 63000, "its stop above the entry"),
    ("Planner", "F23", 57000, "its target below"),
    ("Planner", "G23", None, "a risk amount instead of a risk %"),
    ("Planner", "H23", 120, ""),
    # Hedge: a short exposure hedged with an inverse contract
    ("Hedge", "B5", -120000, "a short exposure"),
    ("Hedge", "B6", 0.8, "another beta"),
    ("Hedge", "B7", 58000, "another hedge price"),
    ("Hedge", "B8", "binance:BTCUSD_PERP", "an inverse hedge contract"),
    ("Hedge", "B9", 0.25, "another target beta"),
    # Portfolio and Prices: a short holding, another price, a new last close
    ("Portfolio", "D7", -150, "the ETH swap turned short"),
    ("Portfolio", "E9", 90.5, "another SOL price"),
    ("Portfolio", "L6", "binance:BTCUSDT", "another hedge contract"),
    ("Portfolio", "L7", 0.25, "another target beta"),
    ("Prices", "B28", 45000.0, "a new last BTC close: the hedge price follows"),
    # Margin: an ETH short at 5x, funding received, a fee typed over the default
    ("Margin", "B5", 3500, "an ETH short instead of the BTC long"),
    ("Margin", "B6", -2, ""),
    ("Margin", "B7", 5, ""),
    ("Margin", "B8", 3600, ""),
    ("Margin", "B9", "binance:ETHUSDT", ""),
    ("Margin", "B10", -0.0002, "a negative funding rate"),
    ("Margin", "B11", 30, "more intervals"),
    ("Margin", "B12", 800, "less margin available"),
    ("Margin", "G9", 0.0004, "a fee typed over the contract's taker fee"),
]

#: Rows typed below tables, their calculated columns filled as Excel fills them. Trades,
#: Holdings and Prices compute each row in the table itself, so the new rows have their
#: own results, and so do Entries (the ladder's legs). The single-cell results (totals,
#: the hedge, the user's Specs row) include the new rows.
SPEC_ROW = {
    "exchange": "mybroker",
    "symbol": "XYZ",
    "kind": "linear",
    "base": "ETH",
    "quote": "USDT",
    "settle": "USDT",
    "contract_size": 0.01,
    "lot_step": 1,
    "min_qty": 1,
    "tick_size": 0.05,
}
ROWS: dict[str, list[list[Any]]] = {
    "Entries": [[3420, 10]],  # a 4th leg
    "Trades": [
        ["XRP", "binance:XRPUSDT", "long", 2.5, 2.4, 2.8, None, 75, None, 5]
    ],  # blank % and fee
    "Holdings": [["BTC perpetual", "BTC", "bybit:BTCUSDT", -0.5, 45000]],  # a short
    "Prices": [[28, 46000.0, 1650.0, 85.0, 10.2]],  # a new week: the hedge price follows
}


def _analyst_copy(tmp_path: Path) -> Path:
    specs = openpyxl.load_workbook(TEMPLATE)["Specs"]
    header = [c.value for c in specs[1]]
    rows = {**ROWS, "Specs": [[SPEC_ROW.get(h) for h in header]]}
    book = tmp_path / "analyst.xlsm"
    append_rows(TEMPLATE, book, rows)
    wb = openpyxl.load_workbook(book, keep_vba=True)
    for sheet, ref, value, _why in EDITS:
        wb[sheet][ref] = value
    wb.save(book)
    return book


def _result_cells(book: Path) -> dict[str, list[tuple[int, int, bool]]]:
    """Every formula cell of the book: (row, column, is an MF_ cell), array ranges whole."""
    from openpyxl.utils.cell import range_boundaries

    wb = openpyxl.load_workbook(book)
    out: dict[str, list[tuple[int, int, bool]]] = {}
    for ws in wb.worksheets:
        if ws.title in ("Lists", "Specs", "Tiers", "Spec changes", "xlwings.conf"):
            continue
        found: set[tuple[int, int, bool]] = set()
        for row in ws.iter_rows():
            for c in row:
                text = getattr(c.value, "text", c.value)
                if isinstance(text, str) and text.startswith("="):
                    ref = getattr(c.value, "ref", None) or c.coordinate
                    c0, r0, c1, r1 = range_boundaries(ref)
                    mf = "MF_" in text
                    found |= {(r, k, mf) for r in range(r0, r1 + 1) for k in range(c0, c1 + 1)}
        out[ws.title] = sorted(found)
    return out


@pytest.mark.office
def test_an_analysts_edits_recalculate_in_libreoffice_to_the_python_results(
    tmp_path: Path,
) -> None:
    """Every result cell of the edited copy (MF_ cells and the plain formulas built on
    them) as LibreOffice computes it with the add-in equals what the Python functions give
    for the same cells (the formula engine calling microsize.udfs), the 7 evenly spaced
    legs typed where the template has 5 included."""
    from microsize.libreoffice import _recalc as rc
    from tests.test_libreoffice import DAYS_OLD, office_or_skip, read_sheets, same_text

    office_or_skip()
    book = _analyst_copy(tmp_path)
    engine_copy(book, tmp_path / "engine.xlsx")
    want = engine_values(tmp_path / "engine.xlsx")
    (result,) = rc.recalc_many([book], tmp_path / "out")
    got = read_sheets(result)
    grid = _grid(want)
    compared, mf_cells, dated, bad = 0, 0, 0, []
    for sheet, found in _result_cells(book).items():
        for r, c, mf in found:
            shown = got.cell(sheet, openpyxl.utils.get_column_letter(c) + str(r))
            value = grid.get((sheet.upper(), r, c))
            if not isinstance(value, int | float | str) or isinstance(value, bool):
                bad.append((sheet, r, c, "no Python value", shown[:40]))
                continue
            if DAYS_OLD.search(shown) or DAYS_OLD.search(str(value)):
                dated += 1  # a spec's age counts from today in LibreOffice
                assert shown.strip(), (sheet, r, c)
                assert not shown.startswith("#"), (sheet, r, c, shown)
                continue
            compared += 1
            mf_cells += mf
            if not same_text(shown, value):
                bad.append((sheet, r, c, str(value)[:60], shown[:60]))
    assert not bad, f"{len(bad)} of {compared} result cells differ: {bad[:6]}"
    assert compared > 400, compared
    assert dated <= 6, dated
    # what the edits are about, named: a short is negative, a bad row stands alone, the
    # totals name it, every leg typed is shown, the user's Specs row is used
    assert float(got.cell("Portfolio", "F7")) == pytest.approx(-24162.6)
    assert got.cell("Planner", "U22").startswith("error: fee_rate")
    assert got.cell("Planner", "N5") == "n/a: 1 trade has an error: row 3"
    assert got.cell("Ladder", "B28") == "ok: all 4 legs shown"  # the 4th leg computed
    assert got.cell("Ladder", "G32") == "ok: all 7 prices shown"
    assert got.cell("Ladder", "G33") == "ok: all 7 weights shown"
    edits = {(s, ref): v for s, ref, v, _ in EDITS}
    first, last, legs, tick = (edits[("Ladder", f"B{r}")] for r in (31, 32, 33, 34))
    prices = U.MF_LADDER_PRICES(first, last, legs, "even", tick)  # a tick typed: 0.5
    weights = U.MF_WEIGHTS(legs, "pyramid")
    for k in range(legs):  # the 7 legs against Python, not only against the engine
        assert same_text(got.cell("Ladder", f"D{32 + k}"), prices[k][0]), k
        assert same_text(got.cell("Ladder", f"E{32 + k}"), weights[k][0]), k
    assert got.cell("Ladder", f"D{32 + legs}") == ""
    assert got.cell("Sizing", "B22") == "mybroker:XYZ"
    # trade 2 turned into a short by its stop while its side still says long: red, not flipped
    assert got.cell("Sizing", "E19") == "stop above entry: a SHORT, not the long typed"
    assert got.cell("Sizing", "E23") == "Short"
    # the rows typed below Trades and Holdings have their own results (compared above)
    assert got.cell("Planner", "L7") == "ok: all 5 trades shown"
    assert got.cell("Portfolio", "F3") == "ok: all 5 holdings shown"
    assert 74 < float(got.cell("Planner", "O24")) <= 75  # the XRP trade's risk at stop
    # the BTC trade turned short by its stop while its Side says long: red, not flipped
    assert got.cell("Planner", "L23") == "stop above entry: a SHORT, not the long typed"
    assert float(got.cell("Planner", "Q23")) < 0  # sized (and counted) as the short it is
    assert got.cell("Planner", "L8").startswith("1 of 5 trades: the side typed disagrees")
    assert float(got.cell("Portfolio", "F10")) == pytest.approx(-22500.0)  # -0.5 BTC at 45,000
    assert float(got.cell("Portfolio", "L5")) == 46000  # the new week's BTC close
    print(
        f"analyst's edits: {len(EDITS)} cells edited, {sum(map(len, ROWS.values())) + 1} "
        f"table rows added, {compared} result "
        f"cells compared ({mf_cells} of MF_ formulas), {dated} dated cells checked not blank"
    )
