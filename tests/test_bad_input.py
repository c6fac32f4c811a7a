"""Bad input to every MF_ function gives a message naming the argument, never a number.

Empty cells arrive from xlwings as None, ranges as nested lists, literal arrays as
nested tuples; NaN, text, booleans, dates and negative numbers must all be refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from microsize import MicrosizeError
from microsize import udfs as U

from .badinput import BAD_VALUES, EDGE_VALUES, MAX_MESSAGE, NO_TYPED_DEFAULT, Matrix

# A valid call per function; the matrix below corrupts one argument at a time.
VALID: dict[str, tuple[Callable[..., Any], list[Any]]] = {
    "MF_RISK_AMOUNT": (U.MF_RISK_AMOUNT, [2000, 0.015]),
    "MF_CONTRACTS": (U.MF_CONTRACTS, [30, 3520, 3450, "binance:ETHUSDT", 0.0005]),
    "MF_SIZE": (U.MF_SIZE, [2000, 0.015, 3520, 3450, "binance:ETHUSDT", 0.0005, 5]),
    "MF_RISK": (U.MF_RISK, [0.428, 3520, 3450, "binance:ETHUSDT", 0.0005]),
    "MF_NOTIONAL": (U.MF_NOTIONAL, [0.428, 3520, "binance:ETHUSDT"]),
    "MF_PNL": (U.MF_PNL, [0.428, 3520, 3600, "binance:ETHUSDT", 0.0005]),
    "MF_AVG_ENTRY": (U.MF_AVG_ENTRY, [[[3500], [3400]], [[1], [2]], "binance:ETHUSDT"]),
    "MF_BREAKEVEN": (U.MF_BREAKEVEN, [3520, "long", 0.0005, 0.0005, "binance:ETHUSDT"]),
    "MF_CONVERT": (U.MF_CONVERT, [1, "cme:MBT", "deribit:BTC-PERPETUAL", 60000]),
    "MF_LADDER": (U.MF_LADDER, [30, [[3520], [3500]], 3450, 0.001, [[1], [2]], 0.0005]),
    "MF_SCALE_OUT": (
        U.MF_SCALE_OUT,
        [10, 60000, 58000, [[62000], [64000]], "cme:MBT", [[1], [1]], 0.0005],
    ),
    "MF_LADDER_PRICES": (U.MF_LADDER_PRICES, [3520, 3480, 3, "even", 0.01]),
    "MF_WEIGHTS": (U.MF_WEIGHTS, [3, "pyramid"]),
}

# (function, position, name in the message) for every numeric argument
NUMERIC = [
    ("MF_RISK_AMOUNT", 0, "equity"),
    ("MF_RISK_AMOUNT", 1, "risk"),
    ("MF_CONTRACTS", 0, "risk_amount"),
    ("MF_CONTRACTS", 1, "entry"),
    ("MF_CONTRACTS", 2, "stop"),
    ("MF_CONTRACTS", 4, "fee_rate"),
    ("MF_SIZE", 0, "equity"),
    ("MF_SIZE", 1, "risk"),
    ("MF_SIZE", 2, "entry"),
    ("MF_SIZE", 3, "stop"),
    ("MF_SIZE", 5, "fee_rate"),
    ("MF_SIZE", 6, "leverage"),
    ("MF_RISK", 0, "contracts"),
    ("MF_RISK", 1, "entry"),
    ("MF_RISK", 2, "stop"),
    ("MF_RISK", 4, "fee_rate"),
    ("MF_NOTIONAL", 0, "contracts"),
    ("MF_NOTIONAL", 1, "price"),
    ("MF_PNL", 0, "contracts"),
    ("MF_PNL", 1, "entry"),
    ("MF_PNL", 2, "exit_price"),
    ("MF_PNL", 4, "fee_rate"),
    ("MF_AVG_ENTRY", 0, "prices"),
    ("MF_AVG_ENTRY", 1, "contracts"),
    ("MF_BREAKEVEN", 0, "entry"),
    ("MF_BREAKEVEN", 2, "fee_rate_open"),
    ("MF_BREAKEVEN", 3, "fee_rate_close"),
    ("MF_CONVERT", 0, "contracts"),
    ("MF_CONVERT", 3, "price"),
    ("MF_LADDER", 0, "risk_amount"),
    ("MF_LADDER", 2, "stop"),
    ("MF_LADDER", 5, "fee_rate"),
    ("MF_SCALE_OUT", 0, "contracts"),
    ("MF_SCALE_OUT", 1, "entry"),
    ("MF_SCALE_OUT", 2, "stop"),
    ("MF_SCALE_OUT", 6, "fee_rate"),
    ("MF_LADDER_PRICES", 0, "first_price"),
    ("MF_LADDER_PRICES", 1, "last_price"),
    ("MF_LADDER_PRICES", 2, "legs"),
    ("MF_LADDER_PRICES", 4, "tick"),
    ("MF_WEIGHTS", 0, "legs"),
]
# range arguments of the ladder functions: bad cells inside them, and sizes that differ
LEVELS = [
    ("MF_LADDER", 1, "entries"),
    ("MF_LADDER", 4, "weights"),
    ("MF_SCALE_OUT", 3, "targets"),
    ("MF_SCALE_OUT", 5, "weights"),
]
# optional arguments and what an empty cell means (docs/CONVENTIONS.md, Arguments)
OPTIONAL = {
    ("MF_CONTRACTS", 4): 0,  # no fee
    ("MF_SIZE", 5): 0,
    ("MF_SIZE", 6): 1,  # 1x
    ("MF_RISK", 4): 0,
    ("MF_PNL", 4): 0,
    ("MF_BREAKEVEN", 2): 0,
    ("MF_BREAKEVEN", 3): 0.0005,  # the opening fee of the valid call
    ("MF_LADDER", 5): 0,
    ("MF_SCALE_OUT", 6): 0,
    ("MF_LADDER_PRICES", 4): NO_TYPED_DEFAULT,  # unrounded
}
# arguments for which a negative number is a caller mistake
NO_NEGATIVE = {
    ("MF_RISK_AMOUNT", 0),
    ("MF_RISK_AMOUNT", 1),
    ("MF_CONTRACTS", 0),
    ("MF_CONTRACTS", 1),
    ("MF_CONTRACTS", 2),
    ("MF_CONTRACTS", 4),
    ("MF_SIZE", 0),
    ("MF_SIZE", 1),
    ("MF_SIZE", 2),
    ("MF_SIZE", 3),
    ("MF_SIZE", 5),
    ("MF_SIZE", 6),
    ("MF_RISK", 0),
    ("MF_RISK", 1),
    ("MF_RISK", 2),
    ("MF_RISK", 4),
    ("MF_NOTIONAL", 1),
    ("MF_PNL", 1),
    ("MF_PNL", 2),
    ("MF_AVG_ENTRY", 0),
    ("MF_BREAKEVEN", 0),
    ("MF_CONVERT", 3),
    ("MF_LADDER", 0),
    ("MF_LADDER", 2),
    ("MF_LADDER", 5),
    ("MF_SCALE_OUT", 0),
    ("MF_SCALE_OUT", 1),
    ("MF_SCALE_OUT", 2),
    ("MF_SCALE_OUT", 6),
    ("MF_LADDER_PRICES", 0),
    ("MF_LADDER_PRICES", 1),
    ("MF_LADDER_PRICES", 2),
    ("MF_LADDER_PRICES", 4),
    ("MF_WEIGHTS", 0),
}


MATRIX = Matrix(VALID, NUMERIC, OPTIONAL)


def _call(fname: str, pos: int, value: Any) -> Any:
    return MATRIX.call(fname, pos, value)


@pytest.mark.parametrize("fname", sorted(VALID))
def test_valid_calls_return_finite_numbers(fname: str) -> None:
    MATRIX.valid_call(fname)


@pytest.mark.parametrize(("fname", "pos", "name"), NUMERIC)
@pytest.mark.parametrize("kind", sorted(BAD_VALUES | EDGE_VALUES))
def test_bad_value_names_argument_and_value(fname: str, pos: int, name: str, kind: str) -> None:
    value, shown = (BAD_VALUES | EDGE_VALUES)[kind]
    if fname == "MF_SIZE" and "range" in kind:
        shown = "single cell"  # MF_SIZE sizes one trade: a range is refused as such
    if (fname, pos) == ("MF_LADDER_PRICES", 4) and kind in ("text", "error-value", "long-text"):
        shown = "unknown contract '"  # a tick may be a contract key
    if fname == "MF_AVG_ENTRY" and kind in ("nan", "inf", "text", "bool", "date"):
        value = [[3500], [value]]
        shown = "row 2" if kind not in ("text", "bool", "date") else shown
    MATRIX.refused(fname, pos, value, name, shown)


@pytest.mark.parametrize(("fname", "pos", "name"), NUMERIC)
def test_empty_cell(fname: str, pos: int, name: str) -> None:
    """A required empty cell is an error; an optional one means the default."""
    MATRIX.empty_cell(fname, pos, name)


@pytest.mark.parametrize(("fname", "pos", "name"), [n for n in NUMERIC if n[:2] in NO_NEGATIVE])
def test_negative(fname: str, pos: int, name: str) -> None:
    MATRIX.negative(fname, pos, name, [[3500], [-1]] if fname == "MF_AVG_ENTRY" else -1)


@pytest.mark.parametrize(
    ("fname", "pos"),
    [
        ("MF_CONTRACTS", 3),
        ("MF_SIZE", 4),
        ("MF_RISK", 3),
        ("MF_NOTIONAL", 2),
        ("MF_PNL", 3),
        ("MF_CONVERT", 1),
        ("MF_CONVERT", 2),
        ("MF_AVG_ENTRY", 2),
        ("MF_BREAKEVEN", 4),
    ],
)
@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("binance:NOPE", "unknown contract 'binance:NOPE'"),
        ("ETHUSDT", "did you mean"),
        (-0.1, "positive contract size"),
        (True, "TRUE"),
    ],
)
def test_bad_contract(fname: str, pos: int, value: Any, needle: str) -> None:
    with pytest.raises(MicrosizeError, match="contract") as info:
        _call(fname, pos, value)
    assert needle in str(info.value)


@pytest.mark.parametrize(
    ("fname", "entry_pos", "stop_pos"),
    [("MF_CONTRACTS", 1, 2), ("MF_RISK", 1, 2), ("MF_SIZE", 2, 3)],
)
def test_zero_distance(fname: str, entry_pos: int, stop_pos: int) -> None:
    fn, args = VALID[fname]
    args = list(args)
    args[stop_pos] = args[entry_pos]
    with pytest.raises(
        MicrosizeError,
        match=r"stop_price must differ from entry \(got entry=3520, stop_price=3520\)",
    ):
        fn(*args)


@pytest.mark.parametrize(
    "call",
    [
        lambda: U.MF_CONTRACTS([[30], [40]], [[3520], [3520], [3520]], 3450, 0.001),
        lambda: U.MF_RISK([[1], [2]], 3520, [[3450], [3450], [3450]], 0.001),
        lambda: U.MF_PNL([[1, 2]], [[3520], [3520], [3520]], [[3600, 3600, 3600]], 0.001),
        lambda: U.MF_NOTIONAL([[1], [2]], [[3520], [3520], [3520]], 0.001),
        lambda: U.MF_CONTRACTS(
            30, 3520, 3450, [["cme:MBT"], ["cme:MET"], ["cme:BTC"]], [[0.001], [0]]
        ),
    ],
)
def test_mismatched_ranges(call: Callable[[], Any]) -> None:
    with pytest.raises(MicrosizeError, match="ranges do not line up"):
        call()


def test_avg_entry_mismatch_and_sides() -> None:
    with pytest.raises(MicrosizeError, match="same number of cells"):
        U.MF_AVG_ENTRY([[1], [2]], [[1], [2], [3]])
    with pytest.raises(MicrosizeError, match="one side"):
        U.MF_AVG_ENTRY([[1], [2]], [[1], [-2]])
    with pytest.raises(MicrosizeError, match="not all be zero"):
        U.MF_AVG_ENTRY([[1], [2]], [[0], [0]])


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: U.MF_RISK_AMOUNT(2000, 1.5), "1.5% is 0.015 (got 1.5)"),
        (lambda: U.MF_CONTRACTS(30, 3520, 3450, 0.001, 0.05), "0.0005 for 0.05% (got 0.05)"),
        (lambda: U.MF_CONTRACTS(30, 3520, 3450, 0.001, -0.0001), "between 0 and 0.01"),
        (
            lambda: U.MF_BREAKEVEN(3520, "sideways"),
            "side must be long, short, 1 or -1 (got text 'sideways')",
        ),
        (lambda: U.MF_BREAKEVEN(3520, 0), "side must be long, short"),
        (
            lambda: U.MF_SIZE(2000, 0.015, 3520, 3450, 0.001, None, 0),
            "leverage must be positive (got 0)",
        ),
        (
            lambda: U.MF_SIZE(2000, 0.015, [[3520], [3500]], 3450, 0.001),
            "entry must be a single cell",
        ),
        (lambda: U.MF_CONVERT(1, "cme:MBT", "binance:BTCUSD_PERP"), "price is needed"),
        (
            lambda: U.MF_CONVERT(1, "cme:MBT", "cme:MET"),
            "is on BTC but to_contract cme:MET is on ETH",
        ),
        (lambda: U.MF_CONVERT(1, "bitmex:ETHUSD", "cme:MET"), "quanto"),
        (lambda: U.MF_SPEC("cme:MBT", None), "field must be"),
        (lambda: U.MF_SPEC(None, "lot_step"), "contract is empty"),
        (
            lambda: U.MF_CONTRACTS(30, 3520, 3450, 0.001, None, [["exchange"], ["x"]]),
            "specs: header row lacks",
        ),
        (lambda: U.MF_CONTRACTS(30, 3520, 3450, 0.001, None, "cme"), "specs must be a range"),
        (lambda: U.MF_CONTRACTS([[1, 2], [3]], 3520, 3450, 0.001), "rectangular"),
        # one value is required: an empty or ragged range is refused, never a blank spill
        (lambda: U.MF_BREAKEVEN(3520, []), "side is an empty range: type long or short"),
        (lambda: U.MF_BREAKEVEN(3520, [[]]), "side is an empty range"),
        (lambda: U.MF_BREAKEVEN(3520, [["long"], ["short", 1]]), "side must be a rectangular"),
        # an error value in an optional argument the conversion does not need
        (
            lambda: U.MF_CONVERT(1, "cme:MBT", "binance:BTCUSDT", "#N/A"),
            "price must be a number (got text '#N/A')",
        ),
        (lambda: U.MF_CONVERT(1, "cme:MBT", "binance:BTCUSDT", -5), "price must be positive"),
        # a tick that rounds a price to 0
        (
            lambda: U.MF_LADDER_PRICES(0.001, 0.001, 1, "even", 0.01),
            "tick 0.01 rounds the price 0.001 at item 1 to 0: use a smaller tick",
        ),
        (
            lambda: U.MF_LADDER_PRICES(0.004, 0.02, 3, "even", "binance:ETHUSDT"),
            "rounds the price 0.004 at item 1 to 0",
        ),
        # ragged ranges and objects no cell holds, as the contract
        (
            lambda: U.MF_CONTRACTS(30, 3520, 3450, [["cme:MBT", "cme:MET"], ["cme:MBT"]]),
            "contract must be a rectangular range",
        ),
        (
            lambda: U.MF_CONTRACTS(30, 3520, 3450, {"a": 1}),
            "contract must be a key like cme:MBT or a positive number (got {'a': 1})",
        ),
        (lambda: U.MF_CONVERT(1, {1}, "cme:MBT"), "from_contract must be a key"),
        (lambda: U.MF_CONTRACTS(30, 3520, 3450, 1e-30), "contract size 1e-30 is outside"),
        (lambda: U.MF_CONTRACTS(30, 3520, 3450, 1e13), "outside 1e-12 to 1e12 units"),
        # magnitudes at the edge of floats: the message names the extreme argument
        (
            lambda: U.MF_LADDER(9.99e307, [[3520], [3500]], 3450, 0.001),
            "numbers out of range: check risk_amount (got 9.99e+307)",
        ),
        (
            lambda: U.MF_SCALE_OUT(9.99e307, 60000, 58000, [[62000], [64000]], "cme:MBT"),
            "numbers out of range: check contracts (got 9.99e+307)",
        ),
        (
            lambda: U.MF_PORTFOLIO_HEDGE(
                [[9.99e307], [9.99e307]], [[9.99e307], [-9.99e307]], 60000, "cme:MBT"
            ),
            "numbers out of range: check exposures, betas, hedge_price and target_beta",
        ),
        (
            lambda: U.MF_PORTFOLIO_HEDGE([[1e5]], [[1]], 9.99e307, "cme:MBT", 9.99e307),
            "numbers out of range: check exposures, betas, hedge_price and target_beta (got 100000, 1, 9.99e+307, 9.99e+307)",
        ),
        (
            lambda: U.MF_NOTIONAL(9.99e307, 9.99e307, 0.5),
            "the result is not a finite number (inf): check contracts (got 9.99e+307)",
        ),
        (
            lambda: U.MF_SIZE(1e300, 0.01, 60000, 59000, "binance:BTCUSDT"),
            "equity must be at most 1e12, more than any trading account holds (got 1e+300)",
        ),
        (
            lambda: U.MF_SIZE(1e11, 1, 1e300, 1e-300, 1e12),
            "is not a finite number: check equity, entry and stop",
        ),
    ],
)
def test_specific_messages(call: Callable[[], Any], needle: str) -> None:
    with pytest.raises(MicrosizeError) as info:
        call()
    assert needle in str(info.value)
    assert len(str(info.value)) <= MAX_MESSAGE


@pytest.mark.parametrize(
    "value",
    ["x" * 50_000, "binance:" + "Q" * 10_000, [["x" * 50_000]], object(), b"\x00" * 1000],
)
@pytest.mark.parametrize("fname", sorted(VALID))
def test_messages_quote_a_few_dozen_characters(fname: str, value: Any) -> None:
    """Whatever the cell holds, the message stays short: every argument in turn."""
    _, args = VALID[fname]
    for pos in range(len(args)):
        MATRIX.refused(fname, pos, value)


@pytest.mark.parametrize(("fname", "pos", "name"), LEVELS)
@pytest.mark.parametrize(
    ("cells", "shown"),
    [
        ([[3500], [None]], "empty cell at row 2"),
        ([[3500], ["x"]], "text 'x'"),
        ([[3500], [math.nan]], "NaN"),
        ([[3500], [True]], "TRUE"),
        ([[62000], [63000], [64000]], "has 3"),
    ],
)
def test_ladder_ranges(fname: str, pos: int, name: str, cells: Any, shown: str) -> None:
    with pytest.raises(MicrosizeError) as info:
        _call(fname, pos, cells)
    msg = str(info.value)
    assert name in msg, msg
    assert shown in msg, msg


SPEC_HEADER = ["exchange", "symbol", "kind", "contract_size", "lot_step", "min_qty", "tick_size"]
SPEC_ROW = ["t", "X", "linear", 1, 0.001, 0.001, 0.1]


@pytest.mark.parametrize("column", range(len(SPEC_HEADER)))
@pytest.mark.parametrize("key", ["t:X", "zz:X", "X", "t" + "y" * 49_999 + ":X"])
def test_a_spec_table_with_a_huge_cell_gives_a_short_message(column: int, key: str) -> None:
    """A workbook's Specs table may hold any text: messages still quote a few dozen
    characters of it (names of exchanges and keys included)."""
    row = list(SPEC_ROW)
    row[column] = str(row[column]) + "y" * 50_000
    with pytest.raises(MicrosizeError) as info:
        U.MF_CONTRACTS(30, 3520, 3450, key, None, [SPEC_HEADER, row])
    assert len(str(info.value)) <= MAX_MESSAGE, str(info.value)[:300]
