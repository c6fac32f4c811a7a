"""Maintenance-margin brackets: the tier tables as arrays, and the bracket of a position.

Maintenance margin is tiered: ``MM = notional x mmr(tier) - maint_amount(tier)``, the
tier being the bracket that holds the position's notional. Where a tier table gives no
maintenance amount it is derived by the chain the exchanges document,
``amount(n) = amount(n-1) + floor(n) x (mmr(n) - mmr(n-1))`` with ``amount(1) = 0``.

The bundled or user tier table is parsed and cached once by
:func:`microsize._contracts.load_margin_tiers`; the per-contract brackets built here are
kept on that cached table (:func:`microsize._contracts.tier_table`), so
:func:`microsize.clear_spec_caches` (or a changed user file) reaches them too.

References
----------
Binance FAQ "Leverage and Margin of USDⓈ-M Futures"; Kraken "Margin schedule"; OKX
"Position tiers".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from ._checks import nonneg, single
from ._contracts import (
    ContractLike,
    ContractSpec,
    MarginTier,
    SpecsLike,
    as_spec_table,
    resolve_contracts,
    tier_from_cells,
    tier_table,
)
from ._errors import MicrosizeError
from ._exact import clean_money
from ._inputs import (
    FloatArray,
    Numeric,
    describe,
    is_missing,
)
from ._kind import is_inverse, value_at

__all__ = ["TierLike", "margin_tier"]

#: A ``tiers`` argument (a contract's maintenance brackets in place of the bundled table):
#: MarginTier objects, or a table with a header row (floor and mmr required; cap,
#: maint_amount, max_leverage, floor_unit, exchange, symbol optional) and one row per
#: bracket, as nested lists, a worksheet range or an array.
TierLike: TypeAlias = Sequence[MarginTier] | Sequence[Sequence[Any]] | npt.NDArray[Any]


def spec_label(spec: ContractSpec) -> str:
    """How a contract reads in a message."""
    return spec.key if spec.exchange else f"contract {spec.symbol}"


@dataclass(frozen=True)
class Schedule:
    """One contract's maintenance brackets as arrays (a single bracket for a flat mmr)."""

    floor: FloatArray
    cap: FloatArray  # +inf when open-ended
    mmr: FloatArray
    amount: FloatArray  # maintenance amount, derived by the chain where not given
    max_lev: FloatArray  # NaN where unknown
    measure: str  # "notional" (settlement currency), "contracts" or "face" (USD)
    tiered: bool  # from a tier table, not the spec's flat mmr
    unit: str = ""
    sources: tuple[str, ...] = field(default=(), compare=False)  # one per bracket
    as_of: tuple[str, ...] = field(default=(), compare=False)  # one per bracket

    def index(self, n: FloatArray) -> npt.NDArray[np.intp]:
        """Bracket holding measure ``n`` (floor inclusive; beyond the last cap: the last)."""
        i = np.searchsorted(self.floor, n, side="right") - 1
        return np.clip(i, 0, len(self.floor) - 1).astype(np.intp)

    def lev_index(self, n: FloatArray) -> npt.NDArray[np.intp]:
        """Bracket whose maximum leverage applies to a position of measure ``n``: the
        first whose cap is at least ``n`` (a position exactly at a cap may still use that
        bracket's leverage, as the exchanges' "maximum position at this leverage" says).
        The maintenance rate does not depend on this choice: the amounts make the
        maintenance margin continuous at every cap."""
        i = np.searchsorted(self.cap, n, side="left")
        return np.clip(i, 0, len(self.cap) - 1).astype(np.intp)


def _chain(
    floor: Sequence[float], mmr: Sequence[float], given: Sequence[float | None]
) -> list[float]:
    """Maintenance amounts: given ones kept, missing ones by the documented chain."""
    out: list[float] = []
    for n, (f, m, a) in enumerate(zip(floor, mmr, given, strict=True)):
        if a is not None:
            out.append(a)
        elif n == 0:
            out.append(0.0)
        else:
            out.append(out[-1] + f * (m - mmr[n - 1]))
    return out


def _measure_of(unit: str, spec: ContractSpec) -> str:
    """What a tier table's floors count: the settlement notional, contracts, or USD face."""
    word = unit.strip().split(" ")[0].lower() if unit.strip() else ""
    if word.startswith("contract"):
        return "contracts"
    if is_inverse(spec) and word and word == (spec.quote or "").lower():
        return "face"
    return "notional"


def _schedule_from(rows: Sequence[MarginTier], spec: ContractSpec) -> Schedule:
    floor = [t.floor for t in rows]
    mmr = [t.mmr for t in rows]
    unit = rows[0].floor_unit
    return Schedule(
        floor=np.array(floor, dtype=np.float64),
        cap=np.array([math.inf if t.cap is None else t.cap for t in rows], dtype=np.float64),
        mmr=np.array(mmr, dtype=np.float64),
        amount=clean_money(
            np.array(_chain(floor, mmr, [t.maint_amount for t in rows]), dtype=np.float64)
        ),
        max_lev=np.array(
            [math.nan if t.max_leverage is None else t.max_leverage for t in rows],
            dtype=np.float64,
        ),
        measure=_measure_of(unit, spec),
        tiered=True,
        unit=unit,
        sources=tuple(t.source for t in rows),
        as_of=tuple(t.as_of for t in rows),
    )


def _tier_rows(tiers: Any) -> list[MarginTier]:
    """A user tier table: MarginTier objects, or a header row (floor, mmr required;
    cap, maint_amount, max_leverage, floor_unit, exchange, symbol optional) and rows,
    each read by :func:`~microsize._contracts.tier_from_cells`."""
    if isinstance(tiers, Sequence) and tiers and all(isinstance(t, MarginTier) for t in tiers):
        return list(tiers)
    if hasattr(tiers, "tolist"):
        tiers = tiers.tolist()
    if not isinstance(tiers, Sequence) or isinstance(tiers, str) or len(tiers) < 2:
        raise MicrosizeError(
            "tiers must be a table with a header row (floor, cap, mmr, maint_amount, "
            "max_leverage) and at least one bracket row"
        )
    header = [str(h).strip().lower() if h is not None else "" for h in tiers[0]]
    missing = [c for c in ("floor", "mmr") if c not in header]
    if missing:
        raise MicrosizeError(f"tiers: header row lacks column(s) {', '.join(missing)}")
    rows: list[MarginTier] = []
    for r, raw in enumerate(tiers[1:], start=2):
        if all(is_missing(c) for c in raw):
            continue
        cells = {h: v for h, v in zip(header, raw, strict=False) if h}
        where = f"tiers row {r}"
        rows.append(
            tier_from_cells(cells, where, tier=len(rows) + 1, source="tiers argument", as_of="")
        )
    return rows


def _check_rows(rows: Sequence[MarginTier], what: str) -> None:
    for i, t in enumerate(rows, start=1):
        if not (math.isfinite(t.mmr) and 0 <= t.mmr < 1):
            raise MicrosizeError(
                f"{what} row {i}, field mmr: must be a fraction in [0, 1) (got {describe(t.mmr)})"
            )
        if not (math.isfinite(t.floor) and t.floor >= 0):
            raise MicrosizeError(
                f"{what} row {i}, field floor: must be zero or more (got {describe(t.floor)})"
            )
        if i > 1:
            prev = rows[i - 2]
            if t.floor <= prev.floor or t.mmr < prev.mmr:
                raise MicrosizeError(
                    f"{what} row {i}: brackets must rise (floor above {describe(prev.floor)}, "
                    f"mmr at least {describe(prev.mmr)}; got floor {describe(t.floor)}, "
                    f"mmr {describe(t.mmr)})"
                )
    if rows and rows[0].floor != 0:
        raise MicrosizeError(
            f"{what}: the first bracket must start at 0 (got {describe(rows[0].floor)})"
        )


def _table_schedule(spec: ContractSpec) -> Schedule | None:
    """The contract's brackets from the tier table in use (the user's, else the bundled
    one), built once and kept on that table's cache entry."""
    table = tier_table()
    if spec not in table.views:
        rows = table.of(spec.key)
        table.views[spec] = None if not rows else _schedule_from(rows, spec)
    sched: Schedule | None = table.views[spec]
    return sched


def schedule_of(spec: ContractSpec, tiers: TierLike | None = None) -> Schedule | None:
    """The contract's brackets: the ``tiers`` argument, else the bundled table, else the
    spec's flat ``mmr`` (amount 0); ``None`` when no maintenance data exists."""
    sched: Schedule | None = None
    if tiers is not None:
        rows = _tier_rows(tiers)
        if all(t.exchange and t.symbol for t in rows):
            rows = [t for t in rows if t.key.lower() == spec.key.lower()]
        if rows:
            _check_rows(rows, "tiers")
            sched = _schedule_from(rows, spec)
    else:
        sched = _table_schedule(spec)
    if sched is None and spec.mmr is not None:
        sched = Schedule(
            floor=np.zeros(1),
            cap=np.full(1, math.inf),
            mmr=np.full(1, spec.mmr),
            amount=np.zeros(1),
            max_lev=np.full(1, math.nan if spec.max_leverage is None else spec.max_leverage),
            measure="notional",
            tiered=False,
            sources=(spec.source or "spec table mmr",),
            as_of=(spec.as_of or "",),
        )
    return sched


def no_tier_data(spec: ContractSpec) -> MicrosizeError:
    brief = f"{spec_label(spec)} has no maintenance-margin data"
    return MicrosizeError(
        f"{brief} (no margin tiers and no mmr in the spec table): pass mmr explicitly, e.g. "
        "0.005 for 0.5%",
        brief=brief,
    )


def tier_measure(
    sched: Schedule, inverse: bool, q: FloatArray, c_abs: FloatArray, price: FloatArray
) -> FloatArray:
    """The quantity a schedule's floors count, for positions of size ``q`` at ``price``."""
    if sched.measure == "contracts":
        return c_abs
    if sched.measure == "face":
        return q
    with np.errstate(divide="ignore"):
        return np.asarray(value_at(inverse, q, price), dtype=np.float64)


def rate_amount(
    sched: Schedule, idx: npt.NDArray[np.intp], meas: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(mmr, amount) of bracket ``idx``; a bracket counted in contracts or face value does
    not move with price, so its amount becomes part of an effective rate."""
    m, a = sched.mmr[idx], sched.amount[idx]
    if sched.measure == "notional":
        return m, a
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = np.where(meas > 0, m - a / meas, m)
    return np.asarray(eff, dtype=np.float64), np.zeros_like(eff)


def margin_tier(
    notional: Numeric,
    contract: ContractLike,
    specs: SpecsLike = None,
    *,
    tiers: TierLike | None = None,
) -> MarginTier:
    """The maintenance bracket that holds a position of ``notional``.

    Parameters
    ----------
    notional : float
        Position size in the unit the contract's tier table counts (``floor_unit``):
        the notional in the settlement currency for most contracts, contracts for
        Kraken inverse (PI_) futures.
    contract : str or float
        A key ``exchange:symbol`` or a positive number.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.
    tiers : sequence of MarginTier or 2-D range, optional
        Brackets to use instead of the bundled ones (header row with floor, mmr and
        optionally cap, maint_amount, max_leverage, floor_unit, exchange, symbol).

    Returns
    -------
    MarginTier
        The bracket, ``maint_amount`` filled in (derived by the chain where the table has
        none). A contract without tiers but with an ``mmr`` in its spec gives a single
        open-ended bracket with amount 0.

    Raises
    ------
    MicrosizeError
        When the contract has no maintenance-margin data at all.

    Examples
    --------
    Kraken's table lists no maintenance amount; it is derived, 500,000 x (2% - 1%):

    >>> t = margin_tier(600_000, "kraken:PF_XBTUSD")
    >>> t.tier, t.mmr, t.maint_amount
    (2, 0.02, 5000.0)
    """
    n = nonneg(single(notional, "notional"), "notional")
    table = as_spec_table(specs)
    ca = resolve_contracts(contract, table)
    spec = ca.single
    if spec is None:
        raise MicrosizeError("contract must be a single contract, not a range of different ones")
    sched = schedule_of(spec, tiers)
    if sched is None:
        raise no_tier_data(spec)
    i = int(sched.index(n))
    cap = float(sched.cap[i])
    lev = float(sched.max_lev[i])
    return MarginTier(
        exchange=spec.exchange,
        symbol=spec.symbol,
        tier=i + 1,
        floor=float(sched.floor[i]),
        cap=None if math.isinf(cap) else cap,
        floor_unit=sched.unit or f"{spec.settle or 'settlement'} notional",
        mmr=float(sched.mmr[i]),
        maint_amount=float(sched.amount[i]),
        max_leverage=None if math.isnan(lev) else lev,
        source=sched.sources[i] if sched.sources else "",
        as_of=sched.as_of[i] if sched.as_of else "",
    )
