"""How the command line reads its arguments and shows numbers (shared by every command).

>>> show_value(0.00001), show_value(1234567.891)
('0.00001', '1,234,567.891')
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from ._csvtext import decimal_value
from ._errors import MicrosizeError

__all__ = ["parse_contract", "parse_fraction", "show_value"]


def _finite_or_refuse(value: float, text: str, name: str) -> float:
    if not math.isfinite(value):
        raise MicrosizeError(f"{name} must be a finite number (got {text[:40]!r})")
    return value


def parse_fraction(
    text: str, name: str, *, limit: float = 1.0, positive: bool = False, hint: str = ""
) -> float:
    """Read ``1.5%`` or ``0.015`` as 0.015; refuse ``1.5`` (ambiguous), junk, ``inf``.

    ``limit`` is the largest sensible value (1 = 100%); ``positive`` refuses 0 as well as
    negatives; ``hint`` follows the message when the value is above ``limit``.

    >>> parse_fraction("1.5%", "risk")
    0.015
    >>> parse_fraction("0.015", "risk")
    0.015
    """
    raw = text.strip()
    quoted = repr(text[:40])
    try:
        value = decimal_value(raw[:-1].strip() if raw.endswith("%") else raw)  # 1,5% too
        if raw.endswith("%") and math.isfinite(value):
            value = float(f"{value}e-2")  # 1.5% -> 0.015 exactly: shift the decimal point
    except ValueError:
        raise MicrosizeError(f"{name} must be a number like 1.5% or 0.015 (got {quoted})") from None
    _finite_or_refuse(value, text, name)
    if value < 0 or (positive and value == 0):
        raise MicrosizeError(
            f"{name} must be {'positive' if positive else 'zero or more'} (got {quoted})"
        )
    if value > limit:
        if not raw.endswith("%") and value / 100 <= limit:  # 1.5 meant as 1.5%
            raise MicrosizeError(
                f"{name} is a fraction: write {raw}% or {value / 100:g} (got {quoted})"
            )
        raise MicrosizeError(
            f"{name} {format(value * 100, '.6g')}% is above {format(limit * 100, 'g')}%"
            f"{': ' + hint if hint else ''} (got {quoted})"
        )
    return value


def parse_contract(text: str) -> Any:
    """A contract argument: a number is a contract size, anything else a key."""
    try:
        return decimal_value(text)  # 0,5 too: docs/CONVENTIONS.md, Numbers as typed
    except ValueError:
        return text


def show_value(value: Any) -> str:
    """A number in positional notation with up to 10 significant digits: 0.00001, not 1e-05;
    thousands separated. Magnitudes beyond 1e15 or below 1e-12 use an exponent."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    x = float(value)
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    mag = math.floor(math.log10(abs(x)))
    if not -12 <= mag < 15:
        return format(x, ",.10g")
    text = f"{x:,.{max(0, 9 - mag)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
