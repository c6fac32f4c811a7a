"""Messages name only what the user typed, stay under 200 characters, and a Python int no
float holds is a message naming its argument, never an exception.

The MF_ functions are found in :mod:`microsize.udfs` at run time (as in ``test_fuzz.py``)
and called with the fuzz run's arguments; every message is then read for the names it
gives as arguments ("X must ...", "X has 4 rows", "X=3520", "check X"): each must be a
parameter of that MF_ function. The core's ``stop`` is ``stop_price`` in Excel, and a
contract's lot step or size is no range the user typed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microsize import MicrosizeError
from microsize import udfs as U

from .strategies import bounded
from .test_fuzz import FUNCTIONS, argument, arity_of, plausible

EXAMPLES = int(os.environ.get("MICROSIZE_MESSAGE_EXAMPLES", "40"))
MAX_MESSAGE = 200

#: how a message names an argument
NAMED = [
    re.compile(r"^(\w+) (?:must|is|has|needs)\b"),
    re.compile(r"(\w+) has \d+ (?:rows|columns|values|cells)"),
    re.compile(r"(?<![\w.:'])(\w+)=[-\d]"),
    re.compile(r"\bcheck (?!the\b)(\w+)"),
    re.compile(r"^(\w+): "),
]
WITH_ARGS = sorted(n for n, f in FUNCTIONS.items() if arity_of(f)[0])


def names_in(message: str) -> set[str]:
    return {w for p in NAMED for w in p.findall(message)}


def test_names_in_reads_the_argument_names() -> None:
    assert names_in("stop must differ from entry (got entry=3520, stop=3520)") == {
        "stop",
        "entry",
    }
    assert names_in(
        "ranges do not line up: exposure has 4 rows x 1 columns, size has 2 rows x 1 columns"
    ) == {"exposure", "size"}
    assert names_in("numbers out of range: check equity (got 1e+300)") == {"equity"}
    assert names_in("liquidation at 57,228.92 comes before the stop") == set()
    assert names_in("entry, stop_price: the result is too large (check the inputs)") == set()


@pytest.mark.parametrize("name", WITH_ARGS)
def test_messages_name_only_the_functions_arguments(name: str) -> None:
    fn = FUNCTIONS[name]
    params, required = arity_of(fn)

    @bounded(EXAMPLES)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        n = data.draw(st.integers(min_value=required, max_value=len(params)), label="arity")
        args = [data.draw(argument(p), label=p) for p in params[:n]]
        try:
            fn(*args)
        except MicrosizeError as exc:
            message = str(exc)
            assert len(message) < MAX_MESSAGE, f"{len(message)} characters: {message}"
            foreign = names_in(message) - set(params)
            assert not foreign, f"names {sorted(foreign)} the user never typed: {message}"

    run()


def test_ragged_ranges_name_no_internal_array() -> None:
    """The fuzz run's MF_HEDGE message named size, step and min_qty (218 characters)."""
    with pytest.raises(MicrosizeError) as info:
        U.MF_HEDGE([[1e4], [2e4], [3e4], [4e4]], 1.2, 60000, [["binance:BTCUSDT"], ["cme:MBT"]])
    message = str(info.value)
    assert message == (
        "ranges do not line up: exposure has 4 rows x 1 columns, contract has 2 rows x 1 "
        "columns; use ranges of the same size or single cells"
    )


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (lambda: U.MF_CONTRACTS(30, 3520, 3520, 0.001), "stop_price must differ from entry"),
        (lambda: U.MF_TARGET(100, "x", 2), "stop_price must be a number (got text 'x')"),
        (lambda: U.MF_LADDER(30, [[3520]], [[3450], [3440]], 0.001), "stop_price must be a"),
        (lambda: U.MF_SPECS("x" * 1000), "(1000 characters)"),
        # an array where one cell is meant was compared with 0 and crashed
        (lambda: U.MF_ATR([[1.0]], [[1.0]], [[1.0]], 1, None, np.ones((2, 2))), "latest must"),
    ],
)
def test_messages_use_the_excel_names(call: Callable[[], Any], text: str) -> None:
    with pytest.raises(MicrosizeError) as info:
        call()
    assert text in str(info.value)
    assert len(str(info.value)) < MAX_MESSAGE


HUGE = [10**400, -(10**400), [[1.0], [10**400]], (10**5000,)]


@pytest.mark.parametrize("name", WITH_ARGS)
def test_a_huge_python_int_is_a_message_naming_its_argument(name: str) -> None:
    fn = FUNCTIONS[name]
    params, _ = arity_of(fn)

    @bounded(4)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        args = [data.draw(plausible(p), label=p) for p in params]
        for pos, param in enumerate(params):
            for huge in HUGE:
                bad = list(args)
                bad[pos] = huge
                with pytest.raises(MicrosizeError) as info:
                    fn(*bad)
                assert param in str(info.value), f"{param}={huge!r:.30}: {info.value}"
                assert len(str(info.value)) < MAX_MESSAGE

    run()


def test_the_huge_int_message() -> None:
    with pytest.raises(MicrosizeError) as info:
        U.MF_RISK_AMOUNT(10**400, 0.01)
    assert str(info.value) == (
        "equity must be a number between -1e308 and 1e308 (got an integer of 401 digits)"
    )
    with pytest.raises(MicrosizeError, match=r"entries must be a number .* at row 2 "):
        U.MF_LADDER(30, [[3520], [10**400]], 3450, 0.001)


# ------------------------------------------------------- one order: argument, rule, row, value
ONE_ORDER = re.compile(r"^\w+ (?:must|is) [^()]*(?:\([^()]*\)[^()]*)*? at row 2 \(got [^()]+\)$")


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda: U.MF_CONTRACTS(100, 3520, 3450, 0.001, [[0], [0.05]]),
            "fee_rate must be a fraction between 0 and 0.01, e.g. 0.0005 for 0.05% at row 2 (got 0.05)",
        ),
        (
            lambda: U.MF_RISK_TO_SETTLE([[1], [-1]], 57000, "deribit:BTC-PERPETUAL"),
            "usd_amount must be zero or more at row 2 (got -1)",
        ),
        (
            lambda: U.MF_TARGET(100, 95, [[1], [-1]]),
            "r_multiple must be zero or more at row 2 (got -1)",
        ),
        (
            lambda: U.MF_RISK_AMOUNT(1000, [[0.01], [1.5]]),
            "risk is a fraction of the account: 1.5% is 0.015 at row 2 (got 1.5)",
        ),
        (
            lambda: U.MF_STOP_FILL(57000, [[0.001], [1.5]], 60000),
            "slippage must be a fraction of the price from 0 to below 1, e.g. 0.001 for 0.1% at row 2 (got 1.5)",
        ),
        (
            lambda: U.MF_RISK([[1], [-1]], 3520, 3450, 0.001),
            "contracts must be zero or more: the side comes from the stop at row 2 (got -1)",
        ),
        (
            lambda: U.MF_LIQ_PRICE(60000, [[1], [0]], 10, "binance:BTCUSDT"),
            "contracts must not be zero: positive for a long, negative for a short at row 2 (got 0)",
        ),
        (
            lambda: U.MF_RR([[100], [100]], [[95], [105]], [[110], [110]]),
            "target must be below entry for a short at row 2 (got stop_price 105, entry 100, target 110)",
        ),
    ],
)
def test_every_check_says_argument_rule_row_value(call: Callable[[], Any], expected: str) -> None:
    """docs/CONVENTIONS.md, Errors: one order for every check, whichever module asks."""
    with pytest.raises(MicrosizeError) as info:
        call()
    assert str(info.value) == expected
    assert ONE_ORDER.match(expected), expected


def test_no_module_writes_the_value_before_the_row() -> None:
    """The order is built in one place (``_checks.refuse``): no core module writes a
    ``(got {value}{position(...)})`` message of its own."""
    from pathlib import Path

    src = Path(U.__file__).parent
    pattern = re.compile(r"\(got \{[^}]*\}\{position\(")
    found = [
        f"{p.name}:{i}"
        for p in sorted(src.rglob("*.py"))
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_fail_always_raises_and_check_looks_first() -> None:
    from microsize._checks import check, fail

    arr = np.asarray([[1.0], [-2.0]])
    with pytest.raises(MicrosizeError, match=r"^x must be zero or more at row 2 \(got -2\)$"):
        fail("x", "zero or more", arr, arr < 0)
    check("x", "zero or more", arr, arr < -5)  # nothing bad: nothing raised
    with pytest.raises(ValueError, match="without a bad cell"):
        fail("x", "zero or more", arr, arr < -5)  # a caller's mistake, never a silent pass


def test_a_message_brief_is_the_rule_and_place_without_the_value() -> None:
    """MicrosizeError.brief is what a cell beside other text shows (MF_PLAN's Check: "not
    checked: ..."): the rule and the place, not the value received nor the advice; a
    message raised without one is its own brief."""
    from microsize._checks import refuse
    from microsize._errors import MicrosizeError
    from microsize.udfs import MF_PLAN

    with pytest.raises(MicrosizeError) as caught:
        refuse("usd_amount must be zero or more", (1, 0), (3, 1), "-1")
    assert str(caught.value) == "usd_amount must be zero or more at row 2 (got -1)"
    assert caught.value.brief == "usd_amount must be zero or more at row 2"
    assert MicrosizeError("plain words").brief == "plain words"
    # a contract with no maintenance-margin data: sized, its liquidation not checked
    (row,) = MF_PLAN(10000, 0.01, None, 100, 95, "deribit:BTC-PERPETUAL", None, 50)
    # $100 at risk over a 5% stop: 2,000 USD of the inverse contract (its order unit is USD)
    assert row[1] == 2000.0
    assert row[-1] == "not checked: deribit:BTC-PERPETUAL has no maintenance-margin data"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # prices near the smallest floats: a lot step's loss underflows to 0 (the one-cell
        # path divided by zero there; the array path gave inf, or nan for a 0 budget)
        ((1.0, 5e-324, 1e-323, 1e-10), "entry must be far enough from zero"),
        ((0.0, 5e-324, 1e-323, 1e-10), "entry must be far enough from zero"),
        # a budget near the largest float counts an infinity of steps
        ((1e308, 3520.0, 3450.0, "binance:ETHUSDT"), "risk_amount must be small enough"),
    ],
)
def test_contracts_out_of_float_range_is_a_message_not_inf(
    args: tuple[float, float, float, Any], message: str
) -> None:
    import microsize
    from microsize._errors import MicrosizeError
    from microsize.udfs import MF_CONTRACTS

    with pytest.raises(MicrosizeError, match=message):
        microsize.contracts(*args)
    with pytest.raises(MicrosizeError, match=message):
        MF_CONTRACTS(*args)
    assert microsize.contracts(30.0, 3520.0, 3450.0, "binance:ETHUSDT") == 0.428  # still sized


def test_a_zero_typed_as_minus_zero_is_shown_as_0() -> None:
    from microsize._errors import MicrosizeError
    from microsize._margin import liq_price

    with pytest.raises(MicrosizeError, match=r"\(got 0\)$"):
        liq_price(60000, -0.0, 10, "binance:BTCUSDT")


def test_mf_liq_check_reason_is_the_rule_without_the_value() -> None:
    from microsize import liquidation_checks

    rows = liquidation_checks(
        [[60000.0]] * 2, [[59000.0]] * 2, [[100.0], [0.01]], [[50], [200]],
        [["binance:BTCUSDT"]] * 2,
    )  # fmt: skip
    assert rows[1][-1] == "not checked: leverage must be at most 125 for binance:BTCUSDT"
