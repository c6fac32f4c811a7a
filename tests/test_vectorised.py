"""Every vectorised MF_ function gives, row for row, what it gives cell by cell.

A column of inputs must answer exactly what each row typed alone answers: when every row
alone gives a number (or a sentence), the column gives the same cells in the same rows;
when any row alone is refused, the column is refused with a message (never a crash, never
a silent answer for the other rows). Mixing rows in one call must not change a row's
answer (the tier caps of MF_MAX_CONTRACTS_MARGIN once did: a leverage beyond every tier in
one row crashed the column, though each row alone worked).

The functions are found in :mod:`microsize.udfs` at run time, as in ``test_fuzz.py``;
those whose answer is not one cell per row (a table, a ladder, a statistic of a whole
series) are listed in :data:`NOT_ROWWISE` with the reason, so a new function is tested
here unless it is listed. Values are the plausible ones of the fuzz run (to reach deep
code) plus extremes. The run is derandomized and bounded (about 10 s in all).
"""

from __future__ import annotations

import inspect
import math
import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import microsize as ms
from microsize import MicrosizeError
from microsize import udfs as U
from microsize._tiers import schedule_of

from .strategies import KEYS, bounded
from .test_fuzz import FUNCTIONS, plausible

EXAMPLES = int(os.environ.get("MICROSIZE_VECTOR_EXAMPLES", "40"))

#: functions whose answer is not one cell per input row, and why
NOT_ROWWISE = {
    "MF_SIZE": "one trade as a (label, value) table",
    "MF_LADDER": "the legs of one ladder share one budget",
    "MF_SCALE_OUT": "the legs of one position share its size",
    "MF_LADDER_PRICES": "a column of prices from two cells",
    "MF_WEIGHTS": "a column of weights from one count",
    "MF_AVG_ENTRY": "one average over the fills of a range",
    "MF_BETA": "one statistic of two series",
    "MF_HEDGE_RATIO": "one statistic of two series",
    "MF_HEDGE_STATS": "a table of statistics of two series",
    "MF_ROLLING_BETA": "windows over two series",
    "MF_PORTFOLIO_HEDGE": "one hedge for a whole portfolio",
    "MF_ATR": "bars of one series",
    "MF_SPECS": "the spec table",
    "MF_SPEC": "one field of one contract",
    "MF_VERSION": "no arguments",
    "MF_PLAN_TOTALS": "the totals of a whole plan",
}

#: functions whose rows stand alone (docs/CONVENTIONS.md, Columns): a row that is refused
#: alone shows its message in its own row of the column, and the other rows compute
ROWS_STAND_ALONE = {"MF_BETAS", "MF_EXPOSURE", "MF_LIQ_CHECK", "MF_PLAN", "MF_RISK_BUDGETS"}


def _without_rows(message: str) -> str:
    """A message without its row references (a row alone is row 1, in a column row r)."""
    return re.sub(r",? ?\b(at |in )?rows? \d+(, \d+)*\b", "", message)


def _shows(cells: list[Any], message: str) -> bool:
    """Whether one of a row's cells shows ``message`` (row references aside)."""
    want = _without_rows(message)[:60]
    return any(isinstance(c, str) and want in _without_rows(c) for c in cells)


#: arguments that are one value for the whole call (everything else can be a column)
WHOLE = {"specs"}
WHOLE_IN = {
    # the trader-input functions take one contract (its tick and kind)
    "MF_ATR_STOP": {"contract"},
    "MF_STOP_FILL": {"contract"},
    "MF_RR": {"contract"},
    "MF_TARGET": {"contract"},
    "MF_ROI_TARGET": {"contract"},
    "MF_RISK_TO_SETTLE": {"contract"},
    "MF_CONTRACTS_USD": {"contract"},
    "MF_CONVERT": {"from_contract", "to_contract"},
    # one price table and one hedge column for a column of asset names
    "MF_BETAS": {"prices", "hedge_column", "lam"},
    # one account for a column of trades
    "MF_RISK_BUDGETS": {"equity"},
    "MF_PLAN": {"equity"},
}

#: functions where a blank cell in a column means "not given" for that row alone; elsewhere
#: a range given for an optional argument needs a number in every cell (a blank there is
#: refused as a probable gap, not read as the default)
BLANK_PER_ROW = {"MF_RISK_BUDGETS", "MF_LIQ_CHECK"}

ROWWISE = {name: fn for name, fn in FUNCTIONS.items() if name not in NOT_ROWWISE}

#: bundled contracts whose tier table caps the leverage per bracket (the rows of a column
#: then fall in different brackets)
TIERED = sorted(
    spec.key
    for spec in ms.load_specs().values()
    if (sched := schedule_of(spec, None)) is not None
    and sched.tiered
    and not np.isnan(sched.max_lev).all()
)
price_table = st.just(
    [["ETH", "BTC", "SOL"]]
    + [[1000.0 + 13 * i % 7 + i, 20000.0 + 37 * i % 11 + 2 * i, 20.0 + i % 3] for i in range(12)]
)
#: per-row values where the fuzz run's plausible ones do not fit a row of a column
OVERRIDES: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "MF_RISK_BUDGETS": {
        "risk": st.one_of(st.none(), st.sampled_from([0.01, 0.015, 2.0])),
        "risk_amount": st.one_of(st.none(), st.sampled_from([30.0, 0.0, -5.0])),
    },
    "MF_BETAS": {
        "prices": price_table,
        "assets": st.sampled_from(["ETH", "SOL", "BTC", "XRP"]),
        "hedge_column": st.just("BTC"),
    },
    "MF_LIQ_CHECK": {
        "contracts": st.sampled_from([0.01, 0.5, 3.0, -0.2, 0.0]),
        "leverage": st.sampled_from([1.0, 10.0, 20.0, 50.0, 150.0, None]),
    },
    "MF_MAX_CONTRACTS_MARGIN": {
        # leverages inside, at the edge of and beyond the tier brackets
        "leverage": st.sampled_from([1.0, 5.0, 20.0, 50.0, 75.0, 100.0, 125.0, 150.0, 1e15]),
        "available": st.sampled_from([2000.0, 30.0, 1e6, 1e9, 0.0]),
    },
}


def _params(fn: Callable[..., Any]) -> tuple[list[str], int]:
    params = list(inspect.signature(fn).parameters.values())
    return [p.name for p in params], sum(p.default is inspect.Parameter.empty for p in params)


def row_value(fname: str, arg: str) -> st.SearchStrategy[Any]:
    """One cell's value: a plausible one (the fuzz run covers the extremes of each cell;
    here the rows of a column meet), a bundled contract key for ``contract``, often one
    whose tier table caps the leverage per bracket."""
    if arg in OVERRIDES.get(fname, {}):
        return OVERRIDES[fname][arg]
    if arg == "contract":
        return st.one_of(st.sampled_from(TIERED), st.sampled_from(KEYS), plausible(arg))
    return plausible(arg)


def _cells(result: Any) -> list[Any]:
    """The cells of one row's answer: a scalar, or a 1x1 / 1-row spill."""
    if isinstance(result, list):
        flat = [c for row in result for c in (row if isinstance(row, list) else [row])]
        return flat
    return [result]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    x, y = float(a), float(b)
    return x == y or math.isclose(x, y, rel_tol=1e-12, abs_tol=0.0)


def _call(fn: Callable[..., Any], args: list[Any]) -> tuple[bool, Any]:
    """(True, result) or (False, message); anything but a MicrosizeError escapes."""
    try:
        return True, fn(*args)
    except MicrosizeError as exc:
        return False, str(exc)


@pytest.mark.parametrize("name", sorted(ROWWISE))
def test_a_column_answers_what_each_row_answers(name: str) -> None:
    fn = ROWWISE[name]
    names, required = _params(fn)
    whole = WHOLE | WHOLE_IN.get(name, set())
    optional = set(names[required:])

    @bounded(EXAMPLES)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        arity = data.draw(st.integers(min_value=required, max_value=len(names)), label="arity")
        used = names[:arity]
        n = data.draw(st.integers(min_value=2, max_value=4), label="rows")
        candidates = [p for p in used if p not in whole]
        # every argument a column but the contract (rows of one contract that differ in
        # everything else) or some of them
        columns = data.draw(
            st.one_of(
                st.just([p for p in candidates if p != "contract"] or candidates),
                st.lists(st.sampled_from(candidates), min_size=1, unique=True),
            ),
            label="columns",
        )
        values: dict[str, Any] = {}
        for p in used:
            strat = row_value(name, p)
            if p in columns and p in optional and name not in BLANK_PER_ROW:
                strat = strat.filter(lambda v: v is not None)
            values[p] = (
                data.draw(st.lists(strat, min_size=n, max_size=n), label=p)
                if p in columns
                else data.draw(strat, label=p)
            )

        def row(r: int) -> list[Any]:
            return [values[p][r] if p in columns else values[p] for p in used]

        together = [[[v] for v in values[p]] if p in columns else values[p] for p in used]
        alone = [_call(fn, row(r)) for r in range(n)]
        ok, result = _call(fn, together)
        if name in ROWS_STAND_ALONE:
            if not ok:  # only an argument every row shares may refuse the whole column
                assert not any(good for good, _ in alone), f"column refused: {result}"
                return
            assert isinstance(result, list), f"{n} rows in, {result!r:.200} out"
            assert len(result) == n, f"{n} rows in, {result!r:.200} out"
            for r, (good, one) in enumerate(alone):
                got = _cells(result[r])
                if good:
                    want = _cells(one)
                    assert len(got) == len(want), (r, got, want)
                    assert all(_same(g, w) for g, w in zip(got, want, strict=True)), (r, got)
                else:
                    assert _shows(got, one), f"row {r + 1} shows {got!r:.200}, alone: {one}"
            return
        if not all(good for good, _ in alone):
            refused = [f"row {r + 1}: {m}" for r, (good, m) in enumerate(alone) if not good]
            assert not ok, f"the column answered {result!r:.200} though {refused[0]}"
            return
        assert ok, f"the column was refused ({result}) though every row alone answers"
        assert isinstance(result, list), f"{n} rows in, {result!r:.200} out"
        assert len(result) == n, f"{n} rows in, {result!r:.200} out"
        for r, (_, one) in enumerate(alone):
            got = _cells(result[r])
            want = _cells(one)
            why = f"row {r + 1}: the column gives {got!r:.200}, the row alone {want!r:.200}"
            assert len(got) == len(want), why
            assert all(_same(g, w) for g, w in zip(got, want, strict=True)), why

    run()


def test_every_function_is_tested_or_listed() -> None:
    assert set(NOT_ROWWISE) <= set(FUNCTIONS), "a listed function no longer exists"
    assert len(ROWWISE) >= 20
    assert "binance:BTCUSDT" in TIERED
    assert {"MF_MAX_CONTRACTS_MARGIN", "MF_CONTRACTS", "MF_TARGET", "MF_LIQ_CHECK"} <= set(ROWWISE)


def test_a_leverage_beyond_every_tier_in_one_row_is_refused_not_a_crash() -> None:
    """The fuzz run's finding: 150x is beyond every BTCUSDT bracket (alone: refused); in a
    column beside 20x it crashed with "Invalid literal for Fraction: '-inf'"."""
    alone = U.MF_MAX_CONTRACTS_MARGIN(1e9, 60000, 20, "binance:BTCUSDT")
    with pytest.raises(MicrosizeError, match=r"leverage must be at most 125 .*at row 2"):
        U.MF_MAX_CONTRACTS_MARGIN(1e9, 60000, [[20], [150]], "binance:BTCUSDT")
    # 1x sits in the open-ended bracket (no cap), 20x in a capped one: each row as alone
    both = U.MF_MAX_CONTRACTS_MARGIN(1e9, 60000, [[20], [1]], "binance:BTCUSDT")
    assert both == [[alone], [U.MF_MAX_CONTRACTS_MARGIN(1e9, 60000, 1, "binance:BTCUSDT")]]
    assert np.isfinite(np.asarray(both, dtype=float)).all()


def test_a_column_of_prices_gives_a_column_even_where_no_price_is_needed() -> None:
    """Linear to linear needs no price; a column of them still gives one answer per row
    (docs/CONVENTIONS.md, Ranges: a column in, a column out)."""
    got = U.MF_CONVERT(1, "cme:MBT", "binance:BTCUSDT", [[60000.0], [61000.0]])
    assert got == [[0.1], [0.1]]
