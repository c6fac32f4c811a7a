"""Shared pieces of the bad-input matrices: the values Excel can hand over that must be
refused, and a helper that corrupts one argument of a valid call."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any

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
