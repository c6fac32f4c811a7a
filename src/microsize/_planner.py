"""Column-wise checks for a table of planned trades and a table of holdings.

Pure functions (numbers and keys in, rows out) for worksheets whose inputs are table
columns of any length: the liquidation check of each planned trade, and the beta of each
holding from a price table with one column per asset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._contracts import as_spec_table
from ._errors import MicrosizeError
from ._hedge import beta
from ._inputs import describe
from ._margin import liq_price, max_leverage


def _column(value: Any, name: str) -> list[Any]:
    """A cell or a column (or row) of cells as a flat list; a 2-D block is refused."""
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list):
        return [value]
    if value and all(isinstance(r, list | tuple) for r in value):
        if all(len(r) == 1 for r in value):
            return [r[0] for r in value]
        if len(value) == 1:
            return list(value[0])
        raise MicrosizeError(f"{name} must be one column or one row (got {describe(value)})")
    if any(isinstance(r, list | tuple) for r in value):
        raise MicrosizeError(f"{name} must be a rectangular range")
    if not value:
        raise MicrosizeError(f"{name} is an empty range")
    return value


def _columns(named: Sequence[tuple[str, Any]]) -> tuple[int, list[list[Any]]]:
    """Equal-length columns (a single cell is repeated); the row count."""
    cols = [_column(v, n) for n, v in named]
    n = max(len(c) for c in cols)
    for (name, _), col in zip(named, cols, strict=True):
        if len(col) not in (1, n):
            raise MicrosizeError(
                f"{name} has {len(col)} rows, the longest argument has {n}: "
                "give every column the same rows, or a single cell"
            )
    return n, [c * n if len(c) == 1 else c for c in cols]


def _decimals(tick: float | None) -> int:
    if not tick or not math.isfinite(tick) or tick <= 0:
        return 2
    return max(0, min(10, -math.floor(math.log10(tick) + 1e-9)))


def liquidation_checks(
    entry: Any,
    stop: Any,
    contracts: Any,
    leverage: Any,
    contract: Any,
    specs: Any = None,
) -> list[list[str]]:
    """One sentence per planned trade: where an isolated position at ``leverage`` would be
    liquidated, and whether that comes before the stop (then the highest leverage that
    keeps it beyond the stop). The side follows the stop: below the entry is a long.

    ``contracts`` are unsigned sizes in the venue's order unit (as MF_CONTRACTS gives
    them); a blank leverage means no leverage (nothing to check), 0 contracts nothing held.
    """
    n, (entries, stops, sizes, levs, keys) = _columns(
        [
            ("entry", entry),
            ("stop_price", stop),
            ("contracts", contracts),
            ("leverage", leverage),
            ("contract", contract),
        ]
    )
    table = as_spec_table(specs)
    out: list[list[str]] = []
    for i in range(n):
        where = f" (row {i + 1})" if n > 1 else ""
        e, s, q, lev = _checked_row(entries[i], stops[i], sizes[i], levs[i], where)
        table.lookup(keys[i])  # an unknown contract is refused on every row
        if lev is None:
            out.append(["no leverage: nothing to check"])
        elif q == 0:
            out.append(["no position: 0 contracts"])
        else:
            out.append([_liquidation_sentence(e, s, q, lev, keys[i], table)])
    return out


def _checked_row(e: Any, s: Any, q: Any, lev: Any, where: str) -> tuple[float, float, float, Any]:
    """One planned trade's numbers, refused with the row named; a blank leverage is None."""
    for name, v in (("entry", e), ("stop_price", s), ("contracts", q)):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise MicrosizeError(f"{name} must be a number{where} (got {describe(v)})")
    if e <= 0:
        raise MicrosizeError(f"entry must be > 0{where} (got {describe(e)})")
    if s <= 0:
        raise MicrosizeError(f"stop_price must be > 0{where} (got {describe(s)})")
    if q < 0:
        raise MicrosizeError(f"contracts must be >= 0{where} (got {describe(q)})")
    if e == s:
        raise MicrosizeError(f"stop_price must differ from entry{where} (got {describe(s)})")
    if lev is None or lev == "":
        return e, s, q, None
    if (
        isinstance(lev, bool)
        or not isinstance(lev, int | float)
        or not math.isfinite(lev)
        or lev <= 0
    ):
        raise MicrosizeError(f"leverage must be a number > 0{where} (got {describe(lev)})")
    return e, s, q, lev


def _liquidation_sentence(e: float, s: float, q: float, lev: Any, key: Any, table: Any) -> str:
    """Where one position is liquidated and whether that comes before its stop."""
    long = s < e
    try:
        liq = float(np.asarray(liq_price(e, q if long else -q, lev, key, specs=table)))
        top = float(np.asarray(max_leverage(e, s, key, specs=table)))
    except MicrosizeError as exc:  # this row only: the others are still checked
        reason = str(exc).split(" (", 1)[0].split(": pass", 1)[0]
        return f"not checked: {reason[:120]}"
    d = _decimals(table.lookup(key).tick_size)
    if (long and liq <= 0) or (not long and not math.isfinite(liq)):
        return "ok: cannot be liquidated"
    if (long and liq >= s) or (not long and liq <= s):
        return f"liquidation {liq:,.{d}f} comes before the stop: use at most {top:.0f}x"
    return f"ok: liquidation {liq:,.{d}f}, beyond the stop"


def betas_from_table(
    prices: Any, assets: Any, hedge_column: Any, lam: Any = None
) -> list[list[float]]:
    """The beta of each named asset on the hedge column of a price table.

    ``prices`` has a header row naming each column (oldest prices first below it);
    ``assets`` names one column per holding; ``hedge_column`` names the hedge's column.
    Names match without regard to case or surrounding spaces.
    """
    if not isinstance(prices, list) or len(prices) < 2 or not isinstance(prices[0], list):
        raise MicrosizeError(
            f"prices must be a table with a header row and prices below (got {describe(prices)})"
        )
    width = len(prices[0])
    if any(not isinstance(r, list) or len(r) != width for r in prices):
        raise MicrosizeError("prices must be a rectangular range")
    names_shown = [str(h).strip() if h is not None else "" for h in prices[0]]
    header = [h.lower() for h in names_shown]

    def column(name: Any, arg: str) -> list[Any]:
        if not isinstance(name, str) or not name.strip():
            raise MicrosizeError(f"{arg} must name a column of prices (got {describe(name)})")
        key = name.strip().lower()
        if key not in header:
            shown = ", ".join(h for h in names_shown[:8] if h)
            raise MicrosizeError(
                f"{arg}: {name.strip()[:30]!r} is not a column of prices ({shown[:80]})"
            )
        j = header.index(key)
        return [r[j] for r in prices[1:]]

    hedge_prices = column(hedge_column, "hedge_column")
    names = _column(assets, "assets")
    return [[beta(column(a, "assets"), hedge_prices, lam)] for a in names]


def risk_budgets(equity: Any, risk: Any, risk_amount: Any) -> list[list[float]]:
    """The risk budget of each planned trade: ``risk_amount`` where the row gives one,
    else ``equity x risk``. A blank or zero cell counts as not given (LibreOffice hands a
    blank cell over as 0); a row must give exactly one of the two."""
    if isinstance(equity, bool) or not isinstance(equity, int | float):
        raise MicrosizeError(f"equity must be a number (got {describe(equity)})")
    if not math.isfinite(equity) or equity <= 0:
        raise MicrosizeError(f"equity must be > 0 (got {describe(equity)})")
    n, (pcts, amounts) = _columns([("risk", risk), ("risk_amount", risk_amount)])
    out: list[list[float]] = []
    for i in range(n):
        where = f" (row {i + 1})" if n > 1 else ""
        given: dict[str, float] = {}
        for name, v in (("risk", pcts[i]), ("risk_amount", amounts[i])):
            if v is None or v == "":
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise MicrosizeError(f"{name} must be a number{where} (got {describe(v)})")
            if v < 0:
                raise MicrosizeError(f"{name} must be >= 0{where} (got {describe(v)})")
            if v > 0:
                given[name] = float(v)
        if "risk" in given and given["risk"] >= 1:
            raise MicrosizeError(
                f"risk is a fraction of the account{where}: type 1.5% (got {describe(pcts[i])})"
            )
        if len(given) != 1:
            what = "both" if given else "neither"
            raise MicrosizeError(f"give a risk % or a risk amount{where} (got {what})")
        out.append([given.get("risk_amount", equity * given.get("risk", 0.0))])
    return out
