"""Bad input to the trader-input functions (MF_ATR to MF_RISK_TO_SETTLE): a short message naming
the argument, never a number, NaN, infinity or a blank cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from microsize import MicrosizeError
from microsize import udfs as U

from .badinput import BAD_VALUES, Matrix, finite

H = [[48.70], [48.72], [48.90], [48.87]]
L = [[47.79], [48.14], [48.39], [48.37]]
C = [[48.16], [48.61], [48.75], [48.63]]

VALID: dict[str, tuple[Callable[..., Any], list[Any]]] = {
    "MF_ATR": (U.MF_ATR, [H, L, C, 2, "wilder"]),
    "MF_ATR_STOP": (U.MF_ATR_STOP, [60000, 1234.5, 2, "long", "cme:MBT"]),
    "MF_STOP_FILL": (U.MF_STOP_FILL, [57000, 0.001, 60000, "cme:MBT"]),
    "MF_RR": (U.MF_RR, [100, 95, 110, "binance:BTCUSDT", 0.0005]),
    "MF_TARGET": (U.MF_TARGET, [60000, 57000, 3, "bybit:BTCUSD", 0.0005]),
    "MF_ROI_TARGET": (U.MF_ROI_TARGET, [60000, 0.5, 10, "long", "binance:BTCUSDT", 0.0005]),
    "MF_RISK_TO_SETTLE": (U.MF_RISK_TO_SETTLE, [100, 57000, "deribit:BTC-PERPETUAL"]),
    "MF_CONTRACTS_USD": (
        U.MF_CONTRACTS_USD,
        [100, 60000, 57000, "deribit:BTC-PERPETUAL", 0.0005],
    ),
}

# (function, position, name in the message) for every numeric argument
NUMERIC = [
    ("MF_ATR", 0, "high"),
    ("MF_ATR", 1, "low"),
    ("MF_ATR", 2, "close"),
    ("MF_ATR", 3, "periods"),
    ("MF_ATR_STOP", 0, "entry"),
    ("MF_ATR_STOP", 1, "atr"),
    ("MF_ATR_STOP", 2, "multiple"),
    ("MF_STOP_FILL", 0, "stop"),
    ("MF_STOP_FILL", 1, "slippage"),
    ("MF_STOP_FILL", 2, "entry"),
    ("MF_RR", 0, "entry"),
    ("MF_RR", 1, "stop"),
    ("MF_RR", 2, "target"),
    ("MF_RR", 4, "fee_rate"),
    ("MF_TARGET", 0, "entry"),
    ("MF_TARGET", 1, "stop"),
    ("MF_TARGET", 2, "r_multiple"),
    ("MF_TARGET", 4, "fee_rate"),
    ("MF_ROI_TARGET", 0, "entry"),
    ("MF_ROI_TARGET", 1, "roi"),
    ("MF_ROI_TARGET", 2, "leverage"),
    ("MF_ROI_TARGET", 5, "fee_rate"),
    ("MF_RISK_TO_SETTLE", 0, "usd_amount"),
    ("MF_RISK_TO_SETTLE", 1, "stop"),
    ("MF_CONTRACTS_USD", 0, "usd_amount"),
    ("MF_CONTRACTS_USD", 1, "entry"),
    ("MF_CONTRACTS_USD", 2, "stop"),
    ("MF_CONTRACTS_USD", 4, "fee_rate"),
]
RANGES = {("MF_ATR", 0), ("MF_ATR", 1), ("MF_ATR", 2)}
# optional arguments and what an empty cell means
OPTIONAL = {
    ("MF_ATR", 3): 14,  # bars
    ("MF_RR", 4): 0,  # no fee
    ("MF_TARGET", 4): 0,
    ("MF_ROI_TARGET", 5): 0,
    ("MF_CONTRACTS_USD", 4): 0,
}
NEGATIVE_OK = {("MF_ROI_TARGET", 1)}  # a negative ROI is a loss target


MATRIX = Matrix(VALID, NUMERIC, OPTIONAL, max_message=219)


def _call(fname: str, pos: int, value: Any) -> Any:
    return MATRIX.call(fname, pos, value)


@pytest.mark.parametrize("fname", sorted(VALID))
def test_valid_calls_return_finite_values(fname: str) -> None:
    MATRIX.valid_call(fname)


@pytest.mark.parametrize(("fname", "pos", "name"), NUMERIC)
@pytest.mark.parametrize("kind", sorted(BAD_VALUES))
def test_bad_value_names_argument_and_value(fname: str, pos: int, name: str, kind: str) -> None:
    value, shown = BAD_VALUES[kind]
    if (fname, pos) in RANGES and kind == "empty-in-range":
        return  # a blank row in a price history is skipped (test_trader covers it)
    if (fname, pos) in RANGES and "range" not in kind:
        value = [[48.0], [value]]  # a bad cell inside a price column
        shown = "row 2" if kind in ("nan", "inf") else shown
    elif (fname, pos) == ("MF_ATR", 3) and "range" in kind:
        shown = "row 2"
    elif (fname, pos) in RANGES:
        value = [*value, [48.0], [48.0]]
    if (fname, pos) == ("MF_STOP_FILL", 1) and kind == "text":
        shown = "'2 ticks'"  # text slippage must be ticks
    MATRIX.refused(fname, pos, value, name, shown)


@pytest.mark.parametrize(("fname", "pos", "name"), NUMERIC)
def test_empty_cell(fname: str, pos: int, name: str) -> None:
    MATRIX.empty_cell(fname, pos, name)


@pytest.mark.parametrize(
    ("fname", "pos", "name"), [n for n in NUMERIC if n[:2] not in NEGATIVE_OK | RANGES]
)
def test_negative(fname: str, pos: int, name: str) -> None:
    MATRIX.negative(fname, pos, name)


@pytest.mark.parametrize(("fname", "pos", "name"), NUMERIC)
@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", "#VALUE!"])
def test_error_values_are_refused(fname: str, pos: int, name: str, error: str) -> None:
    value: Any = [[48.0], [error]] if (fname, pos) in RANGES else error
    if (fname, pos) in OPTIONAL and (fname, pos) not in RANGES:
        value = error
    MATRIX.refused(fname, pos, value, name, error)


@pytest.mark.parametrize(("fname", "pos", "name"), NUMERIC)
@pytest.mark.parametrize("big", [9.99e307, -9.99e307, 1e-300])
def test_huge_and_tiny_numbers_give_a_number_or_a_message(
    fname: str, pos: int, name: str, big: float
) -> None:
    value: Any = [[48.0], [big], [48.0], [48.0]] if (fname, pos) in RANGES else big
    try:
        out = _call(fname, pos, value)
    except MicrosizeError as exc:
        out = str(exc)
        assert len(out) < 220, out
        return
    assert finite(out), out


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: U.MF_ATR(H, L, C[:3]), "same number of rows"),
        (lambda: U.MF_ATR(L, H, C), "high must be at least low at row 1"),
        (
            lambda: U.MF_ATR(H, L, [[50.0], [48.61], [48.75], [48.63]]),
            "close_price must lie between",
        ),
        (lambda: U.MF_ATR([[1, 2], [3, 4]], L, C), "high must be one column or one row"),
        (lambda: U.MF_ATR([[48.7], [48.72, 1]], L, C), "high must be one column or one row"),
        (lambda: U.MF_ATR(H, L, C, 2.5), "periods must be a whole number"),
        (lambda: U.MF_ATR(H, L, C, 0), "periods must be a whole number"),
        (lambda: U.MF_ATR(H, L, C, 14, "hull"), "method must be wilder, simple or exponential"),
        (lambda: U.MF_ATR(H, L, C, 14, None, "yes"), "latest must be TRUE or FALSE"),
        (
            lambda: U.MF_ATR(H, L, C, 14, None, True),
            "14 bars with prices are needed for a 14-bar ATR (got 4)",
        ),
        (lambda: U.MF_ATR(48.7, 47.79, 48.16), "high must be a column or row of prices"),
        (lambda: U.MF_ATR_STOP(100, 30, 4, "long"), "at or below 0"),
        (lambda: U.MF_ATR_STOP(100, 3, 2, "up"), "side must be long, short, 1 or -1"),
        (lambda: U.MF_STOP_FILL(57000, 1.5, 60000), "0.001 for 0.1%"),
        (lambda: U.MF_STOP_FILL(57000, "2 ticks", 60000), "needs a contract with a tick"),
        (lambda: U.MF_STOP_FILL(57000, "2 ticks", 60000, 0.1), "no tick_size"),
        (lambda: U.MF_STOP_FILL(60000, 0.001, 60000), "stop_price must differ from entry"),
        (lambda: U.MF_STOP_FILL(20, "5 ticks", 60000, "cme:MBT"), "at or below 0"),
        (lambda: U.MF_RR(100, 95, 90), "target must be above entry for a long"),
        (lambda: U.MF_RR(100, 105, 110), "target must be below entry for a short"),
        (lambda: U.MF_RR(100, 100, 110), "stop_price must differ from entry"),
        (lambda: U.MF_TARGET(100, 105, 30), "cannot be reached"),
        (lambda: U.MF_TARGET(60000, 57000, 30, "bybit:BTCUSD"), "cannot be reached"),
        (lambda: U.MF_ROI_TARGET(60000, -20, 10, "long"), "cannot be reached"),
        (lambda: U.MF_ROI_TARGET(60000, 10, 10, "long", "bybit:BTCUSD"), "cannot be reached"),
        (lambda: U.MF_ROI_TARGET(60000, 0.5, 10, "sideways"), "side must be"),
        (lambda: U.MF_RISK_TO_SETTLE(100, 3000, "bitmex:ETHUSD"), "quanto"),
        (lambda: U.MF_RISK_TO_SETTLE(100, 3000, "binance:NOPE"), "unknown contract"),
        (lambda: U.MF_CONTRACTS_USD(100, 3100, 3000, "bitmex:ETHUSD"), "quanto"),
        (lambda: U.MF_CONTRACTS_USD(100, 57000, 57000, "bybit:BTCUSD"), "stop_price must differ"),
        (lambda: U.MF_RR([[100], [100]], [[95], [95], [95]], 110), "ranges do not line up"),
        (lambda: U.MF_TARGET(100, 95, 2, [["cme:MBT"], ["cme:MET"]]), "single contract"),
    ],
)
def test_specific_messages(call: Callable[[], Any], needle: str) -> None:
    with pytest.raises(MicrosizeError) as info:
        call()
    assert needle in str(info.value), str(info.value)
    assert len(str(info.value)) < 220


# Anything a cell or range can hold, for the random calls below.
POOL: list[Any] = [
    9.99e307,
    -9.99e307,
    1e-300,
    -1e-300,
    0.0,
    1.0,
    -1.0,
    0.5,
    14.0,
    60000.0,
    57000.0,
    "abc",
    "#N/A",
    "",
    None,
    True,
    [],
    [[]],
    [[None]],
    [[1.0], [2.0, 3.0]],
    [[1.0], ["x"]],
    [[60000.0], [61000.0]],
    [[1.0, 2.0]],
    "long",
    "short",
    "cme:MBT",
    "bybit:BTCUSD",
    "deribit:BTC-PERPETUAL",
    "2 ticks",
    "wilder",
]
ARITY = {
    "MF_ATR": 6,
    "MF_ATR_STOP": 6,
    "MF_STOP_FILL": 5,
    "MF_RR": 6,
    "MF_TARGET": 6,
    "MF_ROI_TARGET": 7,
    "MF_RISK_TO_SETTLE": 4,
    "MF_CONTRACTS_USD": 6,
}


@pytest.mark.parametrize("fname", sorted(ARITY))
def test_random_cells_give_finite_values_or_a_short_message(fname: str) -> None:
    """Any mix of numbers up to 9.99e307, text, error values, empty and ragged ranges: a
    finite result with no blank cell, or a MicrosizeError; never another exception."""
    import random

    fn = getattr(U, fname)
    rng = random.Random(fname)
    refused = 0
    for _ in range(400):
        args = [rng.choice(POOL) for _ in range(rng.randint(1, ARITY[fname]))]
        kind, out = _outcome(fn, args)
        if kind == "message":
            refused += 1
            assert len(out) < 220, (args, out)
        elif kind == "arity":  # too few required arguments for a plain Python call
            assert "required positional argument" in out, (args, out)
        else:
            assert finite(out), (args, out)
    assert refused > 0


def _outcome(fn: Callable[..., Any], args: list[Any]) -> tuple[str, Any]:
    try:
        return "value", fn(*args)
    except MicrosizeError as exc:
        return "message", str(exc)
    except TypeError as exc:
        return "arity", str(exc)
