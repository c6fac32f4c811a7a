"""The fast paths give the answers of the paths they shortcut, and their caches forget.

A worksheet makes one MF_ call per cell, so the one-cell paths (MF_CONTRACTS on floats,
clean_money of one number, max_leverage of a few rows in one pass) and the caches (a
Specs range read once per content, a contract resolved once per table, a plan's row
computed once per table) are held here to the vectorised answers, and to new answers
when a table changes. Timings live in bench/ (bench_cell.py), not here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import microsize as ms
from microsize import _exact, _margin, _one_cell, _planner
from microsize import udfs as U
from microsize._contracts import HOME_ENV, clear_spec_caches, load_specs
from microsize._errors import MicrosizeError
from microsize.udf_boundary import spec_table
from tests.strategies import bounded, budgets, trades


def _vectorised(b: Any, e: Any, s: Any, c: Any, f: Any) -> Any:
    """The array path for one trade (what contracts() did for every call before): the
    trade as the first of five rows, each computed alone."""
    rows = [np.asarray([x] * 5) if _plain(x) else x for x in (b, e, s)]
    return float(np.asarray(ms.contracts(*rows, c, f))[0])


def _plain(x: Any) -> bool:
    return type(x) in (int, float)


@bounded(600)
@given(trades())
def test_one_cell_contracts_are_the_vectorised_answer(trade: tuple[Any, ...]) -> None:
    b, e, s, c, f = trade
    fast = _one_cell.contracts_of_one(b, e, s, c, f, None)
    slow = _vectorised(b, e, s, c, f)
    assert fast is None or (fast == slow and math.copysign(1, fast) == math.copysign(1, slow))
    assert ms.contracts(b, e, s, c, f) == slow


@bounded(300)
@given(trades(), st.integers(min_value=0, max_value=5000))
def test_a_budget_on_a_lot_boundary_is_left_to_the_exact_count(
    trade: tuple[Any, ...], lots: int
) -> None:
    """Budgets worked back from a whole number of lots: the float count sits on the edge,
    and only the exact recount may answer (the one-cell path declines or agrees)."""
    _, e, s, c, f = trade
    spec = load_specs().lookup(c)
    loss = float(ms.risk(lots * spec.lot_step, e, s, c, f))
    fast = _one_cell.contracts_of_one(loss, e, s, c, f, None)
    assert fast is None or fast == _vectorised(loss, e, s, c, f)
    assert ms.contracts(loss, e, s, c, f) == _vectorised(loss, e, s, c, f)


def test_the_one_cell_path_counts_the_seed_scenarios() -> None:
    """Outside numbers: $30 from 3,520 to 3,450 buys 428 micros of 0.001 ETH (0.428 ETH),
    $0.90 on a 0.1 contract from 10 to 7 buys 3; and it answers these itself."""
    assert _one_cell.contracts_of_one(30.0, 3520.0, 3450.0, 0.001, None, None) == 428.0
    assert _one_cell.contracts_of_one(30.0, 3520.0, 3450.0, "binance:ETHUSDT", None, None) == 0.428
    # 0.9 / (0.1 x 3) is 3 on the dot: the exact count answers, not the float path
    assert _one_cell.contracts_of_one(0.9, 10.0, 7.0, 0.1, None, None) is None
    assert ms.contracts(0.9, 10, 7, 0.1) == 3.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("30", 3520.0, 3450.0, 0.001, None), "risk_amount must be a number (got text '30')"),
        ((True, 3520.0, 3450.0, 0.001, None), "risk_amount must be a number (got TRUE)"),
        ((30.0, 3520.0, 3520.0, 0.001, None), "stop must differ from entry"),
        ((30.0, -1.0, 3450.0, 0.001, None), "entry must be positive"),
        ((-5.0, 3520.0, 3450.0, 0.001, None), "risk_amount must be zero or more"),
        ((30.0, 3520.0, 3450.0, "nope:NOPE", None), "contract: unknown contract 'nope:NOPE'"),
        ((30.0, 3520.0, 3450.0, 0.001, 0.05), "fee_rate must be a fraction between 0 and 0.01"),
        ((30.0, 3520.0, 3450.0, 0.001, math.nan), "fee_rate must be a finite number"),
        ((30.123456789012345, 3520.0, 3450.0, 0.001, None), None),  # more than 12 digits
        ((30.0, 3520.0, 3450.0, [[0.001]], None), None),  # a range
    ],
)
def test_anything_but_plain_numbers_goes_the_vectorised_way(
    args: tuple[Any, ...], message: str | None
) -> None:
    """The one-cell path declines, and the vectorised path gives its message or answer."""
    b, e, s, c, f = args
    assert _one_cell.contracts_of_one(b, e, s, c, f, None) is None
    if message is None:
        assert np.asarray(ms.contracts(*args)).ravel()[0] == _vectorised(b, e, s, 0.001, f)
    else:
        with pytest.raises(MicrosizeError) as info:
            ms.contracts(*args)
        assert str(info.value).startswith(message), str(info.value)


def _clean_money_arrays(x: Any) -> Any:
    """clean_money's array steps (the path of more than four cells), element by element."""
    x = np.asarray(x, dtype=np.float64)
    flat = [_exact.clean_money(np.full(5, v))[0] for v in x.ravel().tolist()]
    return np.asarray(flat, dtype=np.float64).reshape(x.shape) + 0.0


def test_clean_money_of_one_cell_is_the_array_answer() -> None:
    rng = np.random.default_rng(7)
    values = rng.standard_normal(5000) * 10.0 ** rng.integers(-330, 309, 5000)
    special = [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e308]
    powers = [float(f"1e{k}") for k in range(-323, 309)]
    below = [math.nextafter(p, 0.0) for p in powers]
    cents = list(np.round(rng.uniform(0, 1e6, 3000), 2) + 0.005)
    for v in [*values.tolist(), *special, *powers, *below, *cents, 0.1 + 0.2, 0.428 * 70]:
        one, want = _exact.clean_money(v), _clean_money_arrays(v)
        assert isinstance(one, np.float64)
        assert np.array_equal(one, want, equal_nan=True), v
        assert math.copysign(1, one) == math.copysign(1, want), v
    few = np.array([[0.1 + 0.2, -0.0], [1e300 * 10, 29.960000000000004]])
    got = _exact.clean_money(few)
    assert got.shape == (2, 2)
    assert np.array_equal(got, _clean_money_arrays(few), equal_nan=True)


@bounded(150)
@given(
    st.sampled_from(["binance:BTCUSDT", "bybit:BTCUSDT", "binance:BTCUSD_PERP", "cme:MBT", 0.01]),
    budgets,
    st.floats(min_value=0.55, max_value=1.6),
    st.one_of(st.none(), st.floats(min_value=0.0001, max_value=50)),
)
def test_max_leverage_in_one_pass_is_the_bisection(
    contract: Any, entry: float, ratio: float, size: float | None
) -> None:
    """Every whole leverage at once, then the bisection on those answers, is the
    bisection computing each answer it needs (the result and any refusal)."""
    entry = max(entry, 1.0)
    stop = round(entry * ratio, 2)
    if stop == entry or stop <= 0:
        return

    def run() -> Any:
        try:
            return ms.max_leverage(entry, stop, contract, mmr=0.005, contracts=size)
        except MicrosizeError as exc:
            return str(exc)

    fast = run()
    at_once = _margin.AT_ONCE
    _margin.AT_ONCE = 0
    try:
        slow = run()
    finally:
        _margin.AT_ONCE = at_once
    assert fast == slow


def test_max_leverage_in_one_pass_for_the_stop_trap() -> None:
    """Outside numbers (Binance's BTCUSDT brackets): long at 60,000, stop 57,000: 18x."""
    assert ms.max_leverage(60000, 57000, "binance:BTCUSDT") == 18.0
    stops = [57000, 63000, 59000, 45000]
    col = np.asarray(ms.max_leverage([60000] * 4, stops, "binance:BTCUSDT"))
    assert col.tolist() == [ms.max_leverage(60000, s, "binance:BTCUSDT") for s in stops]
    assert col[0] == 18.0


# ------------------------------------------------------------------ caches forget
def _specs_rows() -> list[list[Any]]:
    return [list(r) for r in load_specs().rows()]


def _as_calc(rows: list[list[Any]]) -> tuple[tuple[Any, ...], ...]:
    """A range as LibreOffice hands it to an add-in: tuples, blanks as '', numbers floats."""
    return tuple(
        tuple("" if c is None else float(c) if isinstance(c, int | float) else c for c in r)
        for r in rows
    )


def _set(rows: list[list[Any]], key: str, column: str, value: Any) -> list[list[Any]]:
    out = [list(r) for r in rows]
    j = out[0].index(column)
    for r in out[1:]:
        if f"{r[0]}:{r[1]}".lower() == key.lower():
            r[j] = value
    return out


def _table(rows: Any) -> Any:
    """The table MF_ functions read from a Specs range."""
    return spec_table(rows)


TRADE = (10000.0, 0.005, "", 3500.0, 3400.0, "binance:ETHUSDT", 0.0005, 5.0)


def test_a_changed_specs_range_gives_new_answers() -> None:
    rows = _specs_rows()
    before = U.MF_PLAN(*TRADE, rows)
    assert before[0][1] == 0.483  # 50 / (100 + 0.0005 x 6900) = 0.4833..: 483 lots of 0.001
    coarse = _set(rows, "binance:ETHUSDT", "lot_step", 0.01)
    coarse = _set(coarse, "binance:ETHUSDT", "min_qty", 0.01)
    assert U.MF_PLAN(*TRADE, coarse)[0][1] == 0.48
    assert U.MF_PLAN(*TRADE, _as_calc(coarse))[0][1] == 0.48
    assert U.MF_PLAN(*TRADE, rows)[0][1] == 0.483  # and back
    assert U.MF_CONTRACTS(50.0, 3500.0, 3400.0, "binance:ETHUSDT", 0.0005, coarse) == 0.48
    assert U.MF_CONTRACTS(50.0, 3500.0, 3400.0, "binance:ETHUSDT", 0.0005, rows) == 0.483


def test_a_changed_leverage_cap_reaches_the_check_of_a_remembered_row() -> None:
    rows = _specs_rows()
    ok = U.MF_PLAN(*TRADE, _as_calc(rows))[0][5]
    assert ok.startswith("ok: liquidation")
    capped = _set(rows, "binance:ETHUSDT", "max_leverage", 3.0)
    with pytest.raises(MicrosizeError, match="leverage must be at most 3 for binance:ETHUSDT"):
        U.MF_PLAN(*TRADE, _as_calc(capped))
    assert U.MF_PLAN(*TRADE, _as_calc(rows))[0][5] == ok


def test_a_changed_user_tier_table_is_seen(tmp_path: Any, monkeypatch: Any) -> None:
    """The liquidation check of a row already computed follows a new margin_tiers.csv in
    the user's folder (a changed file is another table), without clear_spec_caches()."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    trade = (10000.0, 0.01, "", 60000.0, 57000.0, "binance:BTCUSDT", 0.0, 20.0)
    bundled = U.MF_PLAN(*trade)[0][5]
    assert bundled.startswith("liquidation 57,228.9 comes before the stop")
    (tmp_path / "margin_tiers.csv").write_text(
        "exchange,symbol,tier,floor,cap,floor_unit,mmr,maint_amount,max_leverage,source,as_of\n"
        "binance,BTCUSDT,1,0,,,0.001,0,125,test,2026-01-01\n",
        encoding="utf-8",
    )
    mine = U.MF_PLAN(*trade)[0][5]
    assert mine != bundled
    assert mine.startswith("liquidation 57,057.1 comes before the stop")  # mmr 0.1%
    (tmp_path / "margin_tiers.csv").unlink()
    assert U.MF_PLAN(*trade)[0][5] == bundled


def test_the_one_reset_forgets_remembered_rows() -> None:
    """Answers are kept on the table they were computed with: after the one reset the
    range is another table, which starts with none (and a plain range of rows passed to
    the planner is read into a new table each call, keeping nothing anywhere)."""
    rows = _specs_rows()
    U.MF_PLAN(*TRADE, rows)
    table = _table(rows)
    assert table.memo
    clear_spec_caches()
    again = _table(rows)
    assert again is not table
    assert not again.memo
    assert U.MF_PLAN(*TRADE, rows)[0][1] == 0.483
    assert again.memo
    _planner.plan_trades(*TRADE, rows)
    assert len(again.memo) == 3


def test_a_range_from_calc_is_the_table_of_the_same_cells() -> None:
    rows = _specs_rows()
    calc = _as_calc(rows)
    assert _table(calc) is _table([list(r) for r in calc])
    assert _table(_as_calc(rows)) is _table(calc)  # by content, not object


def test_the_table_cache_tells_true_from_one() -> None:
    """TRUE == 1 == 1.0 as Python keys: a range whose cell turned from 1 to TRUE is read
    again (and refused), never answered with the table of the 1."""
    rows = _set(_specs_rows(), "binance:ETHUSDT", "max_leverage", 1.0)
    assert _table(rows)["binance:ETHUSDT"].max_leverage == 1.0
    truthy = _set(rows, "binance:ETHUSDT", "max_leverage", True)
    with pytest.raises(MicrosizeError, match="max_leverage"):
        _table(truthy)


def test_a_huge_int_in_a_specs_range_is_still_named() -> None:
    rows = _set(_specs_rows(), "binance:ETHUSDT", "max_leverage", 10**400)
    with pytest.raises(MicrosizeError, match=r"^specs must be a number between .* at row \d+, "):
        U.MF_CONTRACTS(50.0, 3500.0, 3400.0, "binance:ETHUSDT", 0.0005, rows)


def test_a_plans_rows_are_the_answers_of_a_fresh_computation() -> None:
    """The same plan computed with its rows remembered and with none remembered."""
    entries = [3500.0, 60000.0, 150.0, 60000.0, 3500.0]
    stops = [3400.0, 61000.0, 140.0, 57000.0, 3500.0]  # the last one refused
    keys = [
        "binance:ETHUSDT",
        "bybit:BTCUSDT",
        "binance:SOLUSDT",
        "binance:BTCUSD_PERP",
        "binance:ETHUSDT",
    ]
    args: tuple[Any, ...] = (
        10000.0,
        [[0.005]] * 5,
        [[""]] * 5,
        [[e] for e in entries],
        [[s] for s in stops],
        [[k] for k in keys],
        [[0.0005]] * 5,
        [[5.0], [""], [20.0], [50.0], [5.0]],
    )
    load_specs().memo.clear()
    fresh = U.MF_PLAN(*args)
    again = U.MF_PLAN(*args)
    assert again == fresh
    assert U.MF_PLAN_TOTALS(*args) == [["n/a: 1 trade has an error: row 5"]] * 3
    assert fresh[4][5].startswith("error: stop_price must differ from entry")
    for i in range(4):
        one = U.MF_PLAN(*(a[i][0] if isinstance(a, list) else a for a in args))
        assert one == [fresh[i]]
