"""Fuzz every MF_ function with what an Excel cell or range can hold.

The functions are found in :mod:`microsize.udfs` at run time and their arity read from
their signatures, so a function added later is fuzzed too. Each argument is drawn either
from values a user plausibly types for that argument (to reach deep code paths) or from
anything a cell or range can deliver: floats up to +-9.99e307 and subnormals, text of any
length, empty cells, error values as text (xlwings' ``err_to_str``), booleans, dates,
empty and ragged ranges, and Python objects no cell holds.

The contract checked, exactly: every call either returns cells that are finite numbers or
non-empty text (nested lists walked to the last cell; no NaN, infinity, None or blank),
or raises :class:`~microsize.MicrosizeError` with a short message. Nothing else escapes.
And an error value (#N/A) in any argument of a call that works is refused, never ignored.

The run is bounded and reproducible (derandomized, no example database): set
``MICROSIZE_FUZZ_EXAMPLES`` for a longer local hunt.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microsize import MicrosizeError
from microsize import udfs as U

from .strategies import KEYS, bounded

#: messages Excel shows in a cell stay short (Excel's own limit is about 255)
MAX_MESSAGE = 250
EXAMPLES = int(os.environ.get("MICROSIZE_FUZZ_EXAMPLES", "100"))

FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: getattr(U, name)
    for name in sorted(dir(U))
    if name.startswith("MF_") and callable(getattr(U, name))
}

# --------------------------------------------------------------------- cell values
ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!"]
EXTREMES = [0.0, -0.0, 1.0, -1.0, 5e-324, -5e-324, 1e-300, 1e-30, 1e-12, 1e12, 1e300,
            9.99e307, -9.99e307, 2.0**53 + 1, 0.1, 1e-9, 4503599627370497.0]  # fmt: skip
LONG_TEXTS = ["x" * 50_000, "binance:" + "B" * 5_000, " " * 300, "1" * 400, "é" * 1_000]


class _Opaque:
    """An object no cell can hold."""

    def __repr__(self) -> str:
        return "<opaque " + "z" * 500 + ">"


OBJECTS: list[Any] = [
    _Opaque(),
    {"a": 1},
    {1, 2},
    complex(1, 2),
    Decimal("1.5"),
    b"bytes",
    np.float64("nan"),
    np.array([[1.0, 2.0], [3.0, 4.0]]),
    np.array([]),
    np.array(["a", "b"]),
    dt.datetime(2026, 1, 2, 3, 4),
    dt.date(2026, 1, 2),
    dt.time(12, 0),
    range(3),
    object,
]

numbers = st.one_of(
    st.floats(min_value=-9.99e307, max_value=9.99e307, allow_nan=False),
    st.sampled_from(EXTREMES),
    st.integers(min_value=-(10**6), max_value=10**6),
)
texts = st.one_of(
    st.text(max_size=30), st.sampled_from(ERRORS), st.sampled_from(LONG_TEXTS), st.just("")
)
scalar_cells = st.one_of(
    numbers,
    texts,
    st.none(),
    st.booleans(),
    st.sampled_from([math.nan, math.inf, -math.inf]),
)
ranges = st.one_of(
    st.lists(st.lists(scalar_cells, max_size=4), max_size=4),  # empty and ragged too
    st.lists(scalar_cells, max_size=4),
    st.lists(st.lists(scalar_cells, min_size=2, max_size=2), min_size=1, max_size=3).map(
        lambda rows: tuple(tuple(r) for r in rows)  # a literal array {1,2;3,4}
    ),
)
wild = st.one_of(scalar_cells, ranges, st.sampled_from(OBJECTS))

# ------------------------------------------------------------ plausible per argument
price = st.one_of(
    st.floats(min_value=0.5, max_value=150_000).map(lambda x: round(x, 2)),
    st.sampled_from([3520.0, 3450.0, 60000.0, 57000.0, 63000.0, 1.0, 0.35]),
)
fraction = st.sampled_from([0.0, 0.0005, 0.001, 0.004, 0.01, 0.015, 0.05, 0.5, 1.0])
count = st.one_of(
    st.integers(min_value=-50, max_value=50).map(float),
    st.sampled_from([0.001, 0.428, 0.1, 10.0, 100.0, -0.5]),
)


def _column(cell: st.SearchStrategy[Any], lo: int = 1, hi: int = 8) -> st.SearchStrategy[Any]:
    return st.lists(cell.map(lambda x: [x]), min_size=lo, max_size=hi)


_HEADER = ["exchange", "symbol", "kind", "contract_size", "lot_step", "min_qty", "tick_size",
           "max_leverage", "mmr", "as_of"]  # fmt: skip
#: workbook Specs tables: a small valid one, one with blanks and odd cells, a header only
SPEC_TABLES: list[Any] = [
    [_HEADER, ["cme", "MBT", "linear", 0.1, 1, 1, 5, None, None, "2026-11-22"],
     ["binance", "ETHUSDT", "linear", 1, 0.001, 0.001, 0.01, 125, 0.004, "2024-10-24"]],
    [_HEADER, ["cme", "MBT", "linear", 0.1, 1, None, "", "#N/A", None, "soon"],
     [None, None, None, None, None, None, None, None, None, None]],
    [_HEADER],
]  # fmt: skip
contract_like = st.one_of(
    st.sampled_from(KEYS), st.sampled_from([0.001, 0.1, 1.0, 5.0, "CME:mbt", " okx:btc-usdt-swap "])
)
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "contract": contract_like,
    "from_contract": contract_like,
    "to_contract": contract_like,
    "tick": st.one_of(contract_like, st.sampled_from([0.01, 0.5, 5.0])),
    "side": st.sampled_from(["long", "short", 1.0, -1.0, "Buy", "S"]),
    "spacing": st.sampled_from(["even", "geometric", None]),
    "preset": st.sampled_from(["equal", "pyramid", "increasing", None]),
    "field": st.sampled_from(["contract_size", "lot_step", "tick_size", "max_leverage", "as_of"]),
    "exchange": st.sampled_from(["binance", "cme", "okx", None]),
    "specs": st.one_of(st.none(), st.none(), st.sampled_from(SPEC_TABLES)),
    "lam": st.sampled_from([0.94, 0.97, None]),
    "window": st.sampled_from([2.0, 3.0, 5.0]),
    "legs": st.sampled_from([1.0, 2.0, 3.0, 10.0]),
    "periods": st.sampled_from([1.0, 3.0, 90.0]),
    "rate": st.sampled_from([0.0001, -0.0001, 0.0]),
    "leverage": st.sampled_from([1.0, 5.0, 20.0, 125.0, 500.0, None]),
    "risk": fraction,
    "mmr": st.sampled_from([0.004, 0.005, None]),
    "target_beta": st.sampled_from([0.0, 0.5, None]),
    "beta": st.sampled_from([1.2, 0.8, -0.3]),
    "weights": st.one_of(st.none(), _column(st.sampled_from([1.0, 2.0, 0.3, 0.0]), 2, 2)),
    "entries": _column(price, 1, 6),
    "targets": _column(price, 1, 6),
    "prices": _column(price, 1, 6),
    "exposures": _column(st.sampled_from([10000.0, -5000.0, 250000.0]), 1, 4),
    # bars that make sense together (high >= close >= low), 20 rows
    "high": st.just([[110.0 + i % 5 + i] for i in range(20)]),
    "low": st.just([[90.0 + i] for i in range(20)]),
    "close_price": st.just([[100.0 + i] for i in range(20)]),
    "method": st.sampled_from([None, "wilder", "simple", "exponential"]),
    "betas": _column(st.sampled_from([1.0, 1.4, 0.6]), 1, 4),
}
SERIES = {"asset_prices", "hedge_prices", "spot_prices", "futures_prices"}
FRACTIONS = {"fee_rate", "fee_rate_open", "fee_rate_close"}
COUNTS = {"contracts"}
MONEY = {"equity", "risk_amount", "available", "exposure", "wallet_balance", "maint_amount"}


def plausible(name: str) -> st.SearchStrategy[Any]:
    if name in PLAUSIBLE:
        return PLAUSIBLE[name]
    if name in SERIES:
        return _column(price, 2, 12)
    if name in FRACTIONS:
        return fraction
    if name in COUNTS:
        return count
    if name in MONEY:
        return st.sampled_from([2000.0, 30.0, 0.5, 1e6, 0.0])
    return price


EXTREME_POSITIVE = [5e-324, 1e-300, 1e-30, 1e-9, 1e9, 1e15, 1e300, 9.99e307]
extreme = st.sampled_from(EXTREME_POSITIVE)


def argument(name: str) -> st.SearchStrategy[Any]:
    # mostly plausible, so that one wild argument at a time reaches the deep code; a
    # plausible shape with an extreme magnitude reaches the arithmetic's edges
    shaped = (
        extreme.map(lambda x: [[x], [x / 2]])
        if name in PLAUSIBLE and name.endswith("s")
        else extreme
    )
    return st.one_of(plausible(name), plausible(name), plausible(name), wild, shaped)


def arity_of(fn: Callable[..., Any]) -> tuple[list[str], int]:
    params = list(inspect.signature(fn).parameters.values())
    required = sum(p.default is inspect.Parameter.empty for p in params)
    return [p.name for p in params], required


# ------------------------------------------------------------------------- checks
#: arguments of the core a function's user never typed: a message must not start with them
INTERNAL_NAMES = {"MF_SIZE": ("contracts ", "risk_amount ", "price ")}


def bad_cells(result: Any, where: str = "") -> list[str]:
    """Every cell of a result that Excel would show as blank, NaN or infinity."""
    if isinstance(result, list | tuple):
        if not result:
            return [f"{where} is an empty range"]
        out: list[str] = []
        for i, item in enumerate(result):
            out.extend(bad_cells(item, f"{where}[{i}]"))
        return out
    if isinstance(result, bool):
        return []
    if isinstance(result, int | float | np.integer | np.floating):
        return [] if math.isfinite(float(result)) else [f"{where}={result!r}"]
    if isinstance(result, str):
        return [] if result.strip() else [f"{where} is blank text"]
    return [f"{where} is {type(result).__name__} {result!r:.60}"]


def check_call(fn: Callable[..., Any], args: list[Any]) -> None:
    try:
        result = fn(*args)
    except MicrosizeError as exc:
        message = str(exc)
        assert message.strip(), "empty error message"
        assert len(message) <= MAX_MESSAGE, f"message of {len(message)} chars: {message[:300]}"
        for internal in INTERNAL_NAMES.get(fn.__name__, ()):
            assert not message.startswith(internal), f"names {internal!r}: {message}"
        return
    bad = bad_cells(result)
    if fn is U.MF_SPECS:
        # the spec table leaves a field blank where a venue publishes none (CME's
        # leverage); read back as `specs` a blank means "not given"
        bad = [b for b in bad if not b.endswith("is blank text")]
    assert not bad, f"bad cells {bad[:5]} in {result!r:.300}"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_excel_function_refuses_or_answers(name: str) -> None:
    fn = FUNCTIONS[name]
    names, required = arity_of(fn)

    @bounded(EXAMPLES if names else 1)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        n = data.draw(st.integers(min_value=required, max_value=len(names)), label="arity")
        args = [data.draw(argument(p), label=p) for p in names[:n]]
        check_call(fn, args)

    run()


def test_the_fuzz_sees_every_function() -> None:
    # a renamed or hidden UDF module would make the fuzz vacuous
    assert len(FUNCTIONS) >= 25
    assert {"MF_SIZE", "MF_LADDER", "MF_PORTFOLIO_HEDGE", "MF_CONVERT"} <= set(FUNCTIONS)


def test_bad_cells_finds_what_excel_would_show_blank() -> None:
    assert bad_cells([["Risk", 1.0], ["Fees", math.nan]]) == ["[1][1]=nan"]
    assert bad_cells([[None, ""], [math.inf, "ok"]]) == [
        "[0][0] is NoneType None",
        "[0][1] is blank text",
        "[1][0]=inf",
    ]
    assert bad_cells([[1, "a"], [2.5, -3]]) == []
    assert bad_cells([]) == [" is an empty range"]


@pytest.mark.parametrize("name", sorted(n for n, f in FUNCTIONS.items() if arity_of(f)[0]))
def test_an_error_value_in_any_argument_is_refused(name: str) -> None:
    """#N/A (as xlwings hands it over) in any argument, optional ones included, is
    refused, even where the function would not need that argument: never ignored."""
    fn = FUNCTIONS[name]
    names, _ = arity_of(fn)

    @bounded(EXAMPLES // 4)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        args = [data.draw(plausible(p), label=p) for p in names]
        try:
            fn(*args)
        except MicrosizeError:
            return  # only a call that works shows an argument being ignored
        for pos in range(len(args)):
            bad = list(args)
            bad[pos] = "#N/A"
            with pytest.raises(MicrosizeError):
                fn(*bad)

    run()
