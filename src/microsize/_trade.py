"""The words of the MF_SIZE table: the "Spec as of" row and warnings about typing mistakes.

Pure: numbers and specs in, short sentences out. The thresholds are the constants below;
each warning says what it found, so a user can tell why it appeared.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from ._checks import MAX_EQUITY as MAX_EQUITY
from ._contracts import ContractSpec, spec_age_days
from ._exact import exact
from ._inputs import clip

__all__ = [
    "BIG_RISK",
    "MAX_EQUITY",
    "MAX_NOTIONAL",
    "big_risk_warning",
    "notional_warning",
    "spec_as_of",
    "tick_warning",
]

#: A risk per trade from 10% of the account up is almost always a percentage typed as a
#: whole number (1 meant as 1%).
BIG_RISK = 0.10
#: Notional, in the quote currency (USD for inverse contracts), above any venue's
#: position limit: the largest bundled margin tier (Binance BTCUSDT) ends at 1.8e9 USDT.
MAX_NOTIONAL = 1e10

_REFRESH = "check the venue or run microsize specs refresh"


def _fmt(x: float) -> str:
    return format(x, ",.10g")


def spec_as_of(spec: ContractSpec, today: dt.date | None, max_age_days: float) -> str:
    """The "Spec as of" row: the spec row's date, with its age when ``today`` is given.

    >>> from microsize import load_bundled_specs
    >>> spec = load_bundled_specs()["binance:BTCUSDT"]
    >>> spec_as_of(spec, dt.date(2024, 11, 3), 180)
    '2024-10-24 (10 days old)'
    >>> spec_as_of(spec, dt.date(2026, 11, 29), 180)
    '2024-10-24 (766 days old, limit 180: check the venue or run microsize specs refresh)'
    """
    if not spec.exchange:
        return "n/a: contract size typed"
    if not spec.as_of:
        return f"unknown: the row has no as_of date; {_REFRESH}"
    if today is None:
        return spec.as_of
    age = spec_age_days(spec, today)
    if age is None:
        return f"{clip(spec.as_of)!r}: unreadable date; {_REFRESH}"
    if age < 0:
        return f"{spec.as_of} (in the future: check the row's as_of date)"
    if age > max_age_days:
        return f"{spec.as_of} ({age} days old, limit {format(max_age_days, 'g')}: {_REFRESH})"
    return f"{spec.as_of} ({age} day{'' if age == 1 else 's'} old)"


def big_risk_warning(risk: float) -> str | None:
    """A warning when the risk per trade is so large it is probably a typed percentage.

    >>> big_risk_warning(1.0)
    'risk 100% of equity per trade: for 1% type 1% or 0.01'
    >>> big_risk_warning(0.015) is None
    True
    """
    if risk < BIG_RISK:
        return None
    return f"risk {format(risk * 100, '.6g')}% of equity per trade: for 1% type 1% or 0.01"


def tick_warning(entry: float, stop: float, tick: float | None) -> str | None:
    """A warning when the stop is closer to the entry than one tick (exact decimals).

    >>> tick_warning(60000, 59999.99, 0.1)
    'stop is 0.01 from entry, closer than one tick (0.1): check the stop'
    >>> tick_warning(0.3, 0.2, 0.1) is None
    True
    """
    if tick is None or tick <= 0:
        return None
    dist: Fraction = abs(exact(entry) - exact(stop))
    if dist >= exact(tick):
        return None
    return (
        f"stop is {format(float(dist), '.6g')} from entry, closer than one tick "
        f"({_fmt(tick)}): check the stop"
    )


def notional_warning(quote_value: float, notional: float, currency: str) -> str | None:
    """A warning when the position is beyond any venue's position limit.

    ``quote_value`` is the position in the quote currency (for an inverse contract its
    USD face value); ``notional`` and ``currency`` are as the table shows them.

    >>> notional_warning(3e13, 3e13, "USDT")
    "notional 3e+13 USDT is beyond any venue's position limit (1e10): check entry, stop and risk"
    """
    if quote_value <= MAX_NOTIONAL:
        return None
    return (
        f"notional {format(notional, '.6g')} {currency} is beyond any venue's position limit "
        f"({format(MAX_NOTIONAL, 'g').replace('e+', 'e')}): check entry, stop and risk"
    )
