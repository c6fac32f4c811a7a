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
