"""The one bad-input harness: the values Excel can hand over that must be refused, and a
:class:`Matrix` of valid calls whose arguments it corrupts one at a time.

``test_bad_input`` (the foundation MF_ functions), ``test_trader_bad_input`` (the trader
inputs) and ``test_margin`` (the margin functions) each declare a matrix and ask it the
same questions: a bad value is refused naming the argument and the value, an empty cell is
refused or is the argument's default, a negative number is refused where it is a mistake.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from microsize import MicrosizeError

#: bad value -> text the message must show
BAD_VALUES: dict[str, tuple[Any, str]] = {
    "text": ("abc", "text 'abc'"),
    "nan": (math.nan, "NaN"),
    "inf": (math.inf, "inf"),
    "bool": (True, "TRUE"),
    "date": (dt.date(2026, 1, 2), "a date"),
    "nan-in-range": ([[1.0], [math.nan]], "row 2"),
    "text-in-range": ([[1.0], ["x"]], "row 2"),
    "empty-in-range": ([[1.0], [None]], "row 2"),
}

#: more of what a cell or range can hold, with the text the foundation functions' messages
#: show for it (other matrices may word a ragged range or a long text their own way)
EDGE_VALUES: dict[str, tuple[Any, str]] = {
    # xlwings hands an error value over as its text (err_to_str)
    "error-value": ("#N/A", "text '#N/A'"),
    # a 50,000-character text: the message quotes 40 characters of it and says how long
    "long-text": ("x" * 50_000, "(50000 characters)"),
    "ragged-range": ([[1.0, 2.0], [3.0]], "rectangular"),
    "object": (complex(1, 2), "(1+2j)"),
}

#: the longest message a cell should show (Excel shows about 255 characters)
MAX_MESSAGE = 200


def call_with(
    valid: Mapping[str, tuple[Callable[..., Any], list[Any]]], fname: str, pos: int, value: Any
) -> Any:
    """Call ``valid[fname]`` with argument ``pos`` replaced by ``value``."""
    fn, args = valid[fname]
    args = list(args)
    args[pos] = value
    return fn(*args)


#: an optional argument whose default no typed value stands for (a tier, a wallet balance
#: worked out from the position): only the empty cell and the empty 1x1 range are compared
NO_TYPED_DEFAULT = object()


def finite(x: Any) -> bool:
    """A value a cell may show: a finite number or a non-empty text, in any nesting."""
    if isinstance(x, list):
        return bool(x) and all(finite(v) for v in x)
    if isinstance(x, float):
        return math.isfinite(x)
    return x is not None and x != ""


@dataclass(frozen=True)
class Matrix:
    """Valid calls (``valid[name] = (function, arguments)``) and what each argument is."""

    valid: Mapping[str, tuple[Callable[..., Any], list[Any]]]
    #: (function, position, the name its messages use) for every numeric argument
    numeric: list[tuple[str, int, str]]
    #: (function, position) of each optional argument -> the value an empty cell means
    optional: Mapping[tuple[str, int], Any] = field(default_factory=dict)
    #: the longest message allowed
    max_message: int = MAX_MESSAGE
    #: MF_ functions take cells: an empty 1x1 range is an empty cell (the Python functions
    #: read None alone as "omitted")
    cells: bool = True
    #: what a required empty cell's message shows (``{name}``: the argument's name)
    empty_says: str = "{name}"

    def call(self, fname: str, pos: int, value: Any) -> Any:
        """The valid call of ``fname`` with argument ``pos`` replaced by ``value``."""
        return call_with(self.valid, fname, pos, value)

    def valid_call(self, fname: str) -> Any:
        """The valid call's result, which a cell can show (finite, never blank)."""
        fn, args = self.valid[fname]
        out = fn(*args)
        assert finite(out), out
        return out

    def refused(self, fname: str, pos: int, value: Any, *shown: str) -> str:
        """The message refusing ``value`` as argument ``pos``: short, and showing each of
        ``shown`` (the argument's name, the value, where it is)."""
        with pytest.raises(MicrosizeError) as info:
            self.call(fname, pos, value)
        msg = str(info.value)
        for text in shown:
            assert text in msg, (text, msg)
        assert len(msg) <= self.max_message, msg
        return msg

    def empty_cell(self, fname: str, pos: int, name: str) -> None:
        """A required empty cell is refused naming the argument; an optional one is its
        default, whether it comes as None, an empty 1x1 range or the default typed."""
        if (fname, pos) not in self.optional:
            for empty in (None, [[None]], "") if self.cells else (None,):
                self.refused(fname, pos, empty, self.empty_says.format(name=name))
            return
        default = self.optional[(fname, pos)]
        got = self.call(fname, pos, None)
        assert finite(got), got
        if self.cells:
            assert self.call(fname, pos, [[None]]) == got
        if default is not NO_TYPED_DEFAULT:
            assert self.call(fname, pos, default) == got

    def negative(self, fname: str, pos: int, name: str, value: Any = -1) -> str:
        """A negative number where none belongs is refused, naming the argument and -1."""
        return self.refused(fname, pos, value, name, "-1")
