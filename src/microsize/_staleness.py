"""How old a contract's spec row is, and when that deserves a warning."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping

from ._errors import MicrosizeError
from ._spec_types import ContractSpec

__all__ = [
    "DEFAULT_MAX_SPEC_AGE_DAYS",
    "MAX_AGE_ENV",
    "max_spec_age_days",
    "spec_age_days",
    "stale_warning",
]

#: Environment variable for the age in days after which a spec row is called stale.
MAX_AGE_ENV = "MICROSIZE_MAX_SPEC_AGE_DAYS"
#: Default staleness limit: about six months. Venues change lot steps, ticks, tiers and
#: leverage caps a few times a year; a row older than that deserves a check.
DEFAULT_MAX_SPEC_AGE_DAYS = 180


def max_spec_age_days(environ: Mapping[str, str] | None = None) -> float:
    """The staleness limit in days: ``$MICROSIZE_MAX_SPEC_AGE_DAYS`` or 180.

    Parameters
    ----------
    environ : mapping, optional
        The environment to read; ``os.environ`` when omitted.

    Examples
    --------
    >>> max_spec_age_days({})
    180.0
    >>> max_spec_age_days({"MICROSIZE_MAX_SPEC_AGE_DAYS": "30"})
    30.0
    """
    env = os.environ if environ is None else environ
    raw = (env.get(MAX_AGE_ENV) or "").strip()
    if not raw:
        return float(DEFAULT_MAX_SPEC_AGE_DAYS)
    try:
        days = float(raw)
    except ValueError:
        days = math.nan
    if not math.isfinite(days) or days < 0:
        raise MicrosizeError(f"{MAX_AGE_ENV} must be a number of days, 0 or more (got {raw!r})")
    return days


def spec_age_days(spec: ContractSpec, today: dt.date) -> int | None:
    """Whole days from the spec's ``as_of`` to ``today``; None without a readable date.

    Parameters
    ----------
    spec : ContractSpec
        The contract's row.
    today : datetime.date
        The date to count to (the caller passes it).

    Examples
    --------
    >>> from microsize import load_bundled_specs
    >>> spec = load_bundled_specs()["binance:BTCUSDT"]
    >>> spec_age_days(spec, dt.date(2024, 11, 3))
    10
    """
    if not spec.as_of:
        return None
    try:
        when = dt.date.fromisoformat(spec.as_of.strip()[:10])
    except ValueError:
        return None
    return (today - when).days


def stale_warning(spec: ContractSpec, today: dt.date, max_age_days: float) -> str | None:
    """A warning when the spec's row is older than ``max_age_days`` on ``today``.

    Pure: the caller passes the date. Rows without a date (a numeric contract, a user row
    with no as_of) get no warning; an unreadable date gets one.

    Parameters
    ----------
    spec : ContractSpec
        The contract's row.
    today : datetime.date
        The date to count to (the caller passes it).
    max_age_days : float
        The limit in days (:func:`max_spec_age_days`).

    Examples
    --------
    >>> from microsize import load_bundled_specs
    >>> spec = load_bundled_specs()["binance:BTCUSDT"]
    >>> stale_warning(spec, dt.date(2024, 11, 3), 180) is None
    True
    >>> print(stale_warning(spec, dt.date(2025, 10, 24), 180))
    spec of binance:BTCUSDT is 365 days old (as of 2024-10-24, limit 180): check the venue or run microsize specs refresh
    """
    if not spec.as_of or not spec.exchange:
        return None
    age = spec_age_days(spec, today)
    if age is None:
        return (
            f"spec of {spec.key} has an unreadable as_of date {spec.as_of!r}: "
            "check the venue or run microsize specs refresh"
        )
    if age <= max_age_days:
        return None
    return (
        f"spec of {spec.key} is {age} days old (as of {spec.as_of}, limit "
        f"{format(max_age_days, 'g')}): check the venue or run microsize specs refresh"
    )
