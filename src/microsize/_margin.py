"""Initial and maintenance margin, isolated liquidation price, maximum leverage, funding.

Pure and vectorised like :mod:`microsize._sizing`: numeric arguments may be scalars or
ranges, they broadcast like numpy, and a 0-d result comes back as a Python float.

Position size. ``contracts`` is signed (positive long, negative short) and counted in the
venue's order unit; ``Q = |contracts| x contract_size`` is the position in underlying
units for linear and quanto contracts (settlement coin per point of price for quanto) and
in USD face value for inverse contracts. ``s`` is +1 for a long and -1 for a short.

=========  ==============================  ================================
kind       notional at price P             initial margin at leverage L
=========  ==============================  ================================
linear     Q P  (quote, e.g. USDT)         Q P / L
inverse    Q / P  (coin, e.g. BTC)         Q / (P L)
quanto     Q P  (settlement coin)          Q P / L
=========  ==============================  ================================

Maintenance margin is tiered: ``MM = notional x mmr(tier) - maint_amount(tier)``, the
tier being the bracket that holds the position's notional. Where a tier table gives no
maintenance amount it is derived by the chain the exchanges document,
``amount(n) = amount(n-1) + floor(n) x (mmr(n) - mmr(n-1))`` with ``amount(1) = 0``.

Isolated liquidation (one-way mode) is the price at which the isolated wallet balance WB
plus the unrealised PnL equals the maintenance margin. With the maintenance margin valued
at the liquidation price itself (Binance, and Bybit inverse since its 2026 revision):

* linear (Binance USDⓈ-M): ``LP = (WB + cum - s Q E) / (Q mmr - s Q)``
* inverse (Binance COIN-M): ``LP = Q (mmr + s) / (WB + cum + s Q / E)``

With the maintenance margin valued at entry (Bybit USDT contracts; Bybit inverse before
2026), ``MM_E = mmr x notional(E) - cum``:

* linear (Bybit): ``LP = E - s (WB - MM_E) / Q``
* inverse (Bybit): ``LP = Q / (Q / E + s (WB - MM_E))``

A long whose liquidation price would be at or below zero cannot be liquidated and gets
0.0; a short that cannot be liquidated (an inverse short fully margined at 1x) gets
``inf``. Both compare correctly with a stop: 0 is below any stop, ``inf`` above.

References
----------
Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"
(b3c689c1f50a44cabb3a84e663b81d93) and "... of COIN-M Futures Contracts"
(ceccfcfb4e3a45e3b48b0b1bb1a8ae46); Bybit help "Liquidation Price (USDT Contract)" and
"Liquidation Price Calculation under Isolated Mode (Unified Trading Account)";
Hyperliquid docs "Liquidations"; BitMEX "Perpetual Contracts Guide".
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from ._contracts import (
    ContractArrays,
    ContractSpec,
    MarginTier,
    as_spec_table,
    load_margin_tiers,
    resolve_contracts,
)
from ._errors import MicrosizeError
from ._exact import clean_money, clean_multiple, count_steps, exact
from ._inputs import (
    FloatArray,
    as_float_array,
    broadcast,
    describe,
    is_missing,
    position,
    to_result,
)
from ._sizing import INVERSE, _fail, _fmt, _nonneg, _positive

__all__ = [
    "DEFAULT_MAX_LEVERAGE",
    "LiquidationCheck",
    "funding",
    "liq_price",
    "liquidation_check",
    "maintenance_margin",
    "margin",
    "margin_tier",
    "max_contracts_for_margin",
    "max_leverage",
]

#: Leverage cap of :func:`max_leverage` for a contract with no known maximum (a number
#: typed as the contract, CME, Coinbase): Binance USDⓈ-M's highest, 125x.
DEFAULT_MAX_LEVERAGE = 125

#: Funding rates above this per interval are taken for a per-cent typing mistake.
MAX_FUNDING_RATE = 0.1

_LIQ, _ENTRY = "liquidation", "entry"


# ------------------------------------------------------------------------- contracts
def _label(spec: ContractSpec) -> str:
    """How a contract reads in a message."""
    return spec.key if spec.exchange else f"contract {spec.symbol}"


def _resolve(contract: Any, specs: Any) -> tuple[ContractArrays, npt.NDArray[np.intp]]:
    """Resolve ``contract`` and give each element the index of its spec in ``ca.specs``."""
    table = as_spec_table(specs)
    ca = resolve_contracts(contract, table)
    if len(ca.specs) == 1:
        return ca, np.zeros(ca.kind.shape, dtype=np.intp)
    if hasattr(contract, "to_numpy"):
        contract = contract.to_numpy()
    arr = np.empty(np.shape(contract), dtype=object)
    arr[...] = contract.tolist() if isinstance(contract, np.ndarray) else contract
    codes = np.empty(arr.shape, dtype=np.intp)
    seen: dict[Any, int] = {}
    for idx, value in np.ndenumerate(arr):
        hkey = value.strip().lower() if isinstance(value, str) else (type(value), value)
        if hkey not in seen:
            seen[hkey] = ca.specs.index(table.lookup(value))
        codes[idx] = seen[hkey]
    return ca, codes


def _groups(
    codes: npt.NDArray[np.intp], specs: Sequence[ContractSpec]
) -> Iterator[tuple[ContractSpec, npt.NDArray[np.bool_]]]:
    """(spec, mask) for each distinct contract of a flat ``codes`` array."""
    for j, spec in enumerate(specs):
        mask = codes == j
        if mask.any():
            yield spec, mask


# ----------------------------------------------------------------------- tier tables
@dataclass(frozen=True)
class _Schedule:
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
    if spec.kind == "inverse" and word and word == (spec.quote or "").lower():
        return "face"
    return "notional"


def _schedule_from(rows: Sequence[MarginTier], spec: ContractSpec) -> _Schedule:
    floor = [t.floor for t in rows]
    mmr = [t.mmr for t in rows]
    unit = rows[0].floor_unit
    return _Schedule(
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


@lru_cache(maxsize=1)
def _bundled() -> dict[str, tuple[MarginTier, ...]]:
    out: dict[str, list[MarginTier]] = {}
    for t in load_margin_tiers():
        out.setdefault(t.key.lower(), []).append(t)
    return {k: tuple(sorted(v, key=lambda t: t.tier)) for k, v in out.items()}


_TIER_FIELDS = ("floor", "cap", "mmr", "maint_amount", "max_leverage")


def _tier_rows(tiers: Any) -> list[MarginTier]:
    """A user tier table: MarginTier objects, or a header row (floor, mmr required;
    cap, maint_amount, max_leverage, floor_unit, exchange, symbol optional) and rows."""
    if isinstance(tiers, Sequence) and tiers and all(isinstance(t, MarginTier) for t in tiers):
        rows = list(tiers)
    else:
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
        col = {h: i for i, h in enumerate(header) if h}
        rows = []
        for r, raw in enumerate(tiers[1:], start=2):
            cells = list(raw) + [None] * (len(header) - len(raw))
            if all(is_missing(c) for c in cells):
                continue
            num: dict[str, float | None] = {}
            for name in _TIER_FIELDS:
                v: Any = cells[col[name]] if name in col else None
                if is_missing(v):
                    num[name] = None
                    continue
                if isinstance(v, bool):
                    raise MicrosizeError(
                        f"tiers row {r}, field {name}: must be a number (got {describe(v)})"
                    )
                try:
                    num[name] = float(v)
                except (TypeError, ValueError):
                    raise MicrosizeError(
                        f"tiers row {r}, field {name}: must be a number (got {describe(v)})"
                    ) from None
            if num["floor"] is None or num["mmr"] is None:
                raise MicrosizeError(f"tiers row {r}: floor and mmr are needed")

            def text(name: str, cells: list[Any] = cells) -> str:
                v = cells[col[name]] if name in col else None
                return "" if is_missing(v) else str(v).strip()

            rows.append(
                MarginTier(
                    exchange=text("exchange"),
                    symbol=text("symbol"),
                    tier=len(rows) + 1,
                    floor=num["floor"],
                    cap=num["cap"],
                    floor_unit=text("floor_unit"),
                    mmr=num["mmr"],
                    maint_amount=num["maint_amount"],
                    max_leverage=num["max_leverage"],
                    source="tiers argument",
                    as_of="",
                )
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


@lru_cache(maxsize=256)
def _bundled_schedule(spec: ContractSpec) -> _Schedule | None:
    rows = _bundled().get(spec.key.lower())
    return None if not rows else _schedule_from(rows, spec)


def _schedule(spec: ContractSpec, tiers: Any = None) -> _Schedule | None:
    """The contract's brackets: the ``tiers`` argument, else the bundled table, else the
    spec's flat ``mmr`` (amount 0); ``None`` when no maintenance data exists."""
    sched: _Schedule | None = None
    if tiers is not None:
        rows = _tier_rows(tiers)
        if all(t.exchange and t.symbol for t in rows):
            rows = [t for t in rows if t.key.lower() == spec.key.lower()]
        if rows:
            _check_rows(rows, "tiers")
            sched = _schedule_from(rows, spec)
    else:
        sched = _bundled_schedule(spec)
    if sched is None and spec.mmr is not None:
        sched = _Schedule(
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


def _no_data(spec: ContractSpec) -> MicrosizeError:
    return MicrosizeError(
        f"{_label(spec)} has no maintenance-margin data (no margin tiers and no mmr in the "
        "spec table): pass mmr explicitly, e.g. 0.005 for 0.5%"
    )


def _measure(
    sched: _Schedule, inverse: bool, q: FloatArray, c_abs: FloatArray, price: FloatArray
) -> FloatArray:
    """The quantity a schedule's floors count, for positions of size ``q`` at ``price``."""
    if sched.measure == "contracts":
        return c_abs
    if sched.measure == "face":
        return q
    with np.errstate(divide="ignore"):
        return np.asarray(q / price if inverse else q * price, dtype=np.float64)


def _rate_amount(
    sched: _Schedule, idx: npt.NDArray[np.intp], meas: FloatArray
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
    notional: Any, contract: Any, specs: Any = None, *, tiers: Any = None
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
    n = as_float_array(notional, "notional")
    if n.ndim != 0:
        raise MicrosizeError(f"notional must be a single cell (got {n.size} cells)")
    if n < 0:
        _fail("notional", "zero or more", n, n < 0)
    table = as_spec_table(specs)
    ca = resolve_contracts(contract, table)
    spec = ca.single
    if spec is None:
        raise MicrosizeError("contract must be a single contract, not a range of different ones")
    sched = _schedule(spec, tiers)
    if sched is None:
        raise _no_data(spec)
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


# ------------------------------------------------------------------------- checks
def _fraction(value: Any, name: str, example: str = "0.005 for 0.5%") -> FloatArray:
    arr = as_float_array(value, name)
    bad = (arr < 0) | (arr >= 1)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise MicrosizeError(
            f"{name} must be a fraction in [0, 1), e.g. {example}{position(idx, arr.shape)} "
            f"(got {describe(float(arr[idx]))})"
        )
    return arr


def _nonzero(value: Any, name: str) -> FloatArray:
    arr = as_float_array(value, name)
    if np.any(arr == 0):
        idx = tuple(int(i) for i in np.argwhere(arr == 0)[0])
        raise MicrosizeError(
            f"{name} must not be zero: positive for a long, negative for a short"
            f"{position(idx, arr.shape)} (got 0)"
        )
    return arr


def _basis(spec: ContractSpec, override: str | None) -> str:
    """Where the maintenance margin is valued: at the liquidation price or at entry."""
    if override is not None:
        return override
    if spec.exchange.lower() == "bybit" and spec.kind != "inverse":
        return _ENTRY
    return _LIQ


def _check_basis(mm_basis: Any) -> str | None:
    if mm_basis is None:
        return None
    text = str(mm_basis).strip().lower()
    if text not in (_LIQ, _ENTRY):
        raise MicrosizeError(
            f"mm_basis must be 'liquidation' or 'entry' (got {describe(mm_basis)})"
        )
    return text


def _flat(shape: tuple[int, ...], **arrays: Any) -> dict[str, Any]:
    return {k: np.broadcast_to(np.asarray(v), shape).reshape(-1) for k, v in arrays.items()}


# ------------------------------------------------------------------------ formulas
def _lines(
    inverse: bool, basis: str, s: Any, q: Any, e: Any, wb: Any, m: Any, a: Any
) -> FloatArray:
    """Liquidation price for maintenance rate ``m`` and amount ``a`` (broadcasting);
    0.0 for a long that cannot be liquidated, ``inf`` for such a short."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if inverse and basis == _LIQ:
            lp = q * (m + s) / (wb + a + s * q / e)
        elif inverse:
            lp = q / (q / e + s * (wb - (q / e * m - a)))
        elif basis == _LIQ:
            lp = (s * q * e - wb - a) / (q * (s - m))
        else:
            lp = e - s * (wb - (q * e * m - a)) / q
        lp = np.asarray(lp, dtype=np.float64)
    none = ~np.isfinite(lp) | (lp <= 0)
    return np.where(none, np.where(s > 0, 0.0, np.inf), lp)


@dataclass(frozen=True)
class _Liq:
    price: FloatArray  # liquidation price, flat
    allowed: FloatArray  # highest leverage the venue allows for the position (inf: unknown)
    tier: npt.NDArray[np.intp]  # bracket used (-1: mmr given)
    entry_tier: npt.NDArray[np.intp]  # bracket at entry, which sets the maximum leverage
    mm_at_entry: FloatArray  # maintenance margin at entry, settlement currency
    wallet: FloatArray  # isolated wallet balance used


def _liquidation(
    e: FloatArray,
    c: FloatArray,
    lev: FloatArray,
    wb: FloatArray,
    mmr: FloatArray,
    amt: FloatArray,
    codes: npt.NDArray[np.intp],
    specs: Sequence[ContractSpec],
    *,
    tiers: Any,
    mm_basis: str | None,
) -> _Liq:
    """Isolated liquidation prices for flat arrays; NaN in wb, mmr, amt means default."""
    n = e.size
    out = np.empty(n)
    allowed = np.full(n, math.inf)
    tier = np.full(n, -1, dtype=np.intp)
    tier_e = np.full(n, -1, dtype=np.intp)
    mm_e = np.empty(n)
    wallet = np.empty(n)
    for spec, mask in _groups(codes, specs):
        inv = spec.kind == "inverse"
        basis = _basis(spec, mm_basis)
        E, C, L = e[mask], c[mask], lev[mask]
        s = np.sign(C)
        q = np.abs(C) * spec.contract_size
        note_e = q / E if inv else q * E
        W = np.where(np.isnan(wb[mask]), note_e / L, wb[mask])
        M, A = mmr[mask], amt[mask]
        given = ~np.isnan(M)
        lp = np.empty(E.shape)
        mme = np.empty(E.shape)
        tr = np.full(E.shape, -1, dtype=np.intp)
        tr_e = np.full(E.shape, -1, dtype=np.intp)
        ok = np.full(E.shape, math.inf if spec.max_leverage is None else spec.max_leverage)
        if given.any():
            g = given
            m_g, a_g = M[g], np.where(np.isnan(A[g]), 0.0, A[g])
            lp[g] = _lines(inv, basis, s[g], q[g], E[g], W[g], m_g, a_g)
            mme[g] = note_e[g] * m_g - a_g
        rest = ~given
        if rest.any():
            sched = _schedule(spec, tiers)
            if sched is None:
                raise _no_data(spec)
            r = rest
            meas_e = _measure(sched, inv, q[r], np.abs(C[r]), E[r])
            i_e = sched.index(meas_e)
            if sched.tiered:
                i_l = sched.lev_index(meas_e)
                tr_e[r] = i_l
                cap = sched.max_lev[i_l]
                ok[r] = np.fmin(ok[r], np.where(np.isnan(cap), math.inf, cap))
            m_e, a_e = _rate_amount(sched, i_e, meas_e)
            has_a = ~np.isnan(A[r])
            a_e = np.where(has_a, A[r], a_e)
            mme[r] = note_e[r] * m_e - a_e
            # the entry bracket stands when the measure does not move with price, when
            # there is one bracket, when an amount is given, or when MM is valued at entry
            one = (
                has_a | (sched.measure != "notional") | (len(sched.floor) == 1) | (basis == _ENTRY)
            )
            lp_r = _lines(inv, basis, s[r], q[r], E[r], W[r], m_e, a_e)
            tr_r = i_e.copy()
            many = ~one
            if many.any():
                lp_r[many], tr_r[many] = _bracketed(
                    inv, basis, s[r][many], q[r][many], E[r][many], W[r][many], sched
                )
            lp[r] = lp_r
            tr[r] = tr_r
        out[mask] = lp
        allowed[mask] = ok
        tier[mask] = tr
        tier_e[mask] = tr_e
        mm_e[mask] = mme
        wallet[mask] = W
    return _Liq(
        price=out, allowed=allowed, tier=tier, entry_tier=tier_e, mm_at_entry=mm_e, wallet=wallet
    )


def _bracketed(
    inv: bool,
    basis: str,
    s: FloatArray,
    q: FloatArray,
    e: FloatArray,
    wb: FloatArray,
    sched: _Schedule,
) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Liquidation price with the bracket that holds the position at that price.

    Every bracket's formula is evaluated at once; the one whose notional at its own
    liquidation price falls inside it is the fixed point that recomputing the bracket
    (as the exchanges instruct) converges to. It is unique when the amounts follow the
    chain; otherwise, or if none is consistent, the price nearest entry is kept (the
    conservative choice), so the search is bounded by the number of brackets.
    """
    col = (slice(None), None)
    lp = _lines(inv, basis, s[col], q[col], e[col], wb[col], sched.mmr, sched.amount)
    with np.errstate(divide="ignore", invalid="ignore"):
        meas = q[col] / lp if inv else q[col] * lp
    meas = np.where(np.isnan(meas), 0.0, meas)
    held = sched.index(meas) == np.arange(len(sched.floor))
    long = s[col] > 0
    worst = np.where(long, -math.inf, math.inf)
    pick = np.where(held, lp, worst)
    best = np.where(long[:, 0], pick.max(axis=1), pick.min(axis=1))
    anyheld = held.any(axis=1)
    fallback = np.where(long[:, 0], lp.max(axis=1), lp.min(axis=1))
    price = np.where(anyheld, best, fallback)
    idx = np.where(
        long[:, 0],
        np.argmax(np.where(held, lp, -math.inf), axis=1),
        np.argmin(np.where(held, lp, math.inf), axis=1),
    )
    idx_fb = np.where(long[:, 0], np.argmax(lp, axis=1), np.argmin(lp, axis=1))
    return price, np.where(anyheld, idx, idx_fb).astype(np.intp)


def _leverage_limit(
    lev: FloatArray,
    allowed: FloatArray,
    tier: npt.NDArray[np.intp],
    codes: npt.NDArray[np.intp],
    specs: Sequence[ContractSpec],
    shape: tuple[int, ...],
) -> None:
    """Refuse leverage above the venue's maximum for the position (flat arrays)."""
    bad = lev > allowed * (1 + 1e-12)
    if not bad.any():
        return
    k = int(np.argmax(bad))
    spec = specs[int(codes[k])]
    idx = tuple(int(i) for i in np.unravel_index(k, shape)) if shape else ()
    top = float(allowed[k])
    where = ""
    if spec.max_leverage is None or top < spec.max_leverage:
        where = f" at this position's size (tier {int(tier[k]) + 1})"
    raise MicrosizeError(
        f"leverage must be at most {_fmt(top)} for {_label(spec)}{where}"
        f"{position(idx, shape)} (got {describe(float(lev[k]))})"
    )


# ----------------------------------------------------------------------- public API
def margin(
    contracts: Any,
    price: Any,
    leverage: Any,
    contract: Any,
    specs: Any = None,
    *,
    tiers: Any = None,
) -> Any:
    """Initial margin of a position: notional / leverage, in the settlement currency.

    Parameters
    ----------
    contracts : float or array_like
        Position in the venue's order unit; the sign (side) does not matter.
    price : float or array_like
        Entry price, > 0.
    leverage : float or array_like
        Leverage, > 0 and at most the contract's maximum (and, where the contract has a
        tier table, the maximum of the bracket that holds the position).
    contract : str, float or array_like
        A key ``exchange:symbol`` or a positive number (a linear contract of that many
        underlying units, no maximum leverage).
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.
    tiers : sequence of MarginTier or 2-D range, optional
        Brackets to use instead of the bundled ones (see :func:`margin_tier`).

    Returns
    -------
    float or ndarray
        Linear and quanto ``|c| k P / L``; inverse ``|c| k / (P L)`` (coin).

    Raises
    ------
    MicrosizeError
        Leverage <= 0 or above the maximum, bad numbers, unknown contract.

    References
    ----------
    Bybit help "Initial Margin (Inverse Contract)": 12,000 BTCUSD at 8,000 with 50x is
    0.03 BTC; Binance FAQ "Leverage and Margin of USDⓈ-M Futures".

    Examples
    --------
    >>> margin(0.01, 60000, 20, "binance:BTCUSDT")
    30.0
    >>> margin(12000, 8000, 50, "bybit:BTCUSD")
    0.03
    """
    c = as_float_array(contracts, "contracts")
    p = _positive(price, "price")
    lev = _positive(leverage, "leverage")
    ca, codes = _resolve(contract, specs)
    c, p, lev, cd = broadcast(contracts=c, price=p, leverage=lev, contract=codes)
    shape = c.shape
    f = _flat(shape, c=c, p=p, lev=lev, codes=cd.astype(np.intp))
    out = np.empty(f["c"].size)
    allowed = np.full(out.size, math.inf)
    tier = np.full(out.size, -1, dtype=np.intp)
    for spec, mask in _groups(f["codes"], ca.specs):
        inv = spec.kind == "inverse"
        q = np.abs(f["c"][mask]) * spec.contract_size
        note = q / f["p"][mask] if inv else q * f["p"][mask]
        out[mask] = note / f["lev"][mask]
        ok = np.full(q.shape, math.inf if spec.max_leverage is None else spec.max_leverage)
        sched = _schedule(spec, tiers)
        if sched is not None and sched.tiered:
            i = sched.lev_index(_measure(sched, inv, q, np.abs(f["c"][mask]), f["p"][mask]))
            cap = sched.max_lev[i]
            ok = np.fmin(ok, np.where(np.isnan(cap), math.inf, cap))
            tier[mask] = i
        allowed[mask] = ok
    _leverage_limit(f["lev"], allowed, tier, f["codes"], ca.specs, shape)
    return to_result(clean_money(out.reshape(shape)))


def maintenance_margin(
    contracts: Any,
    price: Any,
    contract: Any,
    specs: Any = None,
    *,
    mmr: Any = None,
    maint_amount: Any = None,
    tiers: Any = None,
) -> Any:
    """Maintenance margin of a position: notional x mmr(tier) - maint_amount(tier).

    Parameters
    ----------
    contracts : float or array_like
        Position in the venue's order unit; the sign does not matter.
    price : float or array_like
        Price at which the position is valued (mark price), > 0.
    contract : str, float or array_like
        A key ``exchange:symbol`` or a positive number.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.
    mmr, maint_amount : float or array_like, optional
        A maintenance rate (fraction in [0, 1)) and amount to use instead of the tier
        table; ``maint_amount`` defaults to 0 when ``mmr`` is given.
    tiers : sequence of MarginTier or 2-D range, optional
        Brackets to use instead of the bundled ones (see :func:`margin_tier`).

    Returns
    -------
    float or ndarray
        In the settlement currency. The bracket is the one holding the position's
        notional at ``price``; tables without amounts use the chain
        ``amount(n) = amount(n-1) + floor(n) (mmr(n) - mmr(n-1))``. A contract with no
        tiers uses its spec's ``mmr`` with amount 0.

    Raises
    ------
    MicrosizeError
        When neither tiers nor an ``mmr`` exist for the contract (pass ``mmr``).

    References
    ----------
    Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"
    (Maintenance Margin = Position Notional x Maintenance Margin Rate - Maintenance
    Amount); Bybit help "Maintenance Margin (USDT Contract)" (MM deduction).

    Examples
    --------
    1 BTC at 60,000 sits in Binance's second BTCUSDT bracket (0.5%, amount 50):

    >>> maintenance_margin(1, 60000, "binance:BTCUSDT")
    250.0
    """
    c = as_float_array(contracts, "contracts")
    p = _positive(price, "price")
    m = np.asarray(math.nan) if mmr is None else _fraction(mmr, "mmr", "0.005 for 0.5%")
    a = np.asarray(math.nan) if maint_amount is None else _nonneg(maint_amount, "maint_amount")
    ca, codes = _resolve(contract, specs)
    c, p, m, a, cd = broadcast(contracts=c, price=p, mmr=m, maint_amount=a, contract=codes)
    shape = c.shape
    f = _flat(shape, c=c, p=p, m=m, a=a, codes=cd.astype(np.intp))
    out = np.empty(f["c"].size)
    for spec, mask in _groups(f["codes"], ca.specs):
        inv = spec.kind == "inverse"
        cabs = np.abs(f["c"][mask])
        q = cabs * spec.contract_size
        note = q / f["p"][mask] if inv else q * f["p"][mask]
        M, A = f["m"][mask], f["a"][mask]
        rate = np.where(np.isnan(M), 0.0, M)
        amount = np.where(np.isnan(A), 0.0, A)
        need = np.isnan(M)
        if need.any():
            sched = _schedule(spec, tiers)
            if sched is None:
                raise _no_data(spec)
            meas = _measure(sched, inv, q[need], cabs[need], f["p"][mask][need])
            r, am = _rate_amount(sched, sched.index(meas), meas)
            rate[need] = r
            amount[need] = np.where(np.isnan(A[need]), am, A[need])
        out[mask] = note * rate - amount
    return to_result(clean_money(out.reshape(shape)))


def liq_price(
    entry: Any,
    contracts: Any,
    leverage: Any,
    contract: Any,
    wallet_balance: Any = None,
    mmr: Any = None,
    maint_amount: Any = None,
    specs: Any = None,
    *,
    tiers: Any = None,
    mm_basis: str | None = None,
) -> Any:
    """Isolated-margin liquidation price in one-way mode, by the venue's formula.

    Parameters
    ----------
    entry : float or array_like
        Entry price, > 0.
    contracts : float or array_like
        Signed position in the venue's order unit: positive long, negative short; not 0.
    leverage : float or array_like
        Leverage, > 0 and at most the venue's maximum for the position. It sets the
        default wallet balance (the initial margin).
    contract : str, float or array_like
        A key ``exchange:symbol`` or a positive number: a linear contract of that many
        underlying units (Binance's formula); a number has no maintenance data, so pass
        ``mmr`` with it.
    wallet_balance : float or array_like, optional
        Isolated margin in the settlement currency (>= 0); defaults to the initial
        margin, notional / leverage. For Binance cross margin pass
        ``WB - TMM + UPNL`` (the other positions' terms of Binance's formula).
    mmr : float or array_like, optional
        Maintenance margin rate, a fraction in [0, 1). Defaults to the bracket of the
        contract's tier table (or its spec ``mmr``) that holds the position.
    maint_amount : float or array_like, optional
        Maintenance amount ("cum", "MM deduction"), >= 0, settlement currency. Defaults
        to the bracket's amount, or 0 when ``mmr`` is given.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted. Brackets come
        from the bundled tier table by key either way (or from ``tiers``).
    tiers : sequence of MarginTier or 2-D range, optional
        Brackets to use instead of the bundled ones (see :func:`margin_tier`).
    mm_basis : {'liquidation', 'entry'}, optional
        Where the maintenance margin is valued; defaults to the venue's convention
        (entry for Bybit linear contracts, the liquidation price elsewhere).

    Returns
    -------
    float or ndarray
        The mark price at which the position is liquidated: below entry for a long,
        above for a short; 0.0 for a long and ``inf`` for a short that cannot be
        liquidated. A result on the profit side of entry means the wallet balance is
        below the maintenance margin already.

    Raises
    ------
    MicrosizeError
        Zero contracts, leverage <= 0 or above the maximum, wallet balance < 0,
        mmr outside [0, 1), a contract without maintenance data and no ``mmr``.

    Notes
    -----
    Formulas (``s`` = +1 long / -1 short, ``Q = |c| k``, ``cum`` the maintenance amount):

    * Binance USDⓈ-M, and the default for linear and quanto contracts:
      ``LP = (WB + cum - s Q E) / (Q mmr - s Q)``, Q in base units.
    * Binance COIN-M, and the default for inverse contracts:
      ``LP = Q (mmr + s) / (WB + cum + s Q / E)``, Q in USD, WB in coin.
    * Bybit USDT (linear) contracts, maintenance valued at entry:
      ``LP = E - s (IM - MM) / Q - s extra / Q``, ``MM = Q E mmr - deduction``.
    * Bybit inverse (UTA isolated, 2026): long ``Q (mmr + 1) / (Q/E + Q/E/L + extra +
      deduction)``, short mirrored: the COIN-M formula with ``WB = IM + extra``.
      ``mm_basis='entry'`` gives Bybit's earlier ``Q / (Q/E + IM - MM)`` (long).
    * Hyperliquid publishes ``price - s margin_available / size / (1 - s mmr)`` with
      mmr = 1 / (2 max leverage): the USDⓈ-M formula with cum = 0 (exact).
    * Estimates, venues without a closed form: Deribit (incremental liquidation), the
      inverse formula with cum = 0 (pass ``mmr``); BitMEX, the formula of its kind with
      the instrument's maintMargin and cum = 0 (BitMEX adds the exit taker fee and
      funding to maintenance, so its price is slightly nearer entry); OKX and Kraken,
      the formula of their kind with their brackets, fees ignored.

    Fees to close are ignored everywhere. With a tier table, the bracket is the one
    that holds the position's notional *at the liquidation price*: when that differs
    from the bracket at entry, the price is recomputed with the other bracket (all
    brackets are tried at once; the consistent one is the fixed point, so the search is
    bounded).

    References
    ----------
    Binance FAQ b3c689c1f50a44cabb3a84e663b81d93 (USDⓈ-M) and
    ceccfcfb4e3a45e3b48b0b1bb1a8ae46 (COIN-M); Bybit help "Liquidation Price (USDT
    Contract)", "Liquidation Price Calculation under Isolated Mode (Unified Trading
    Account)" and 360039261334 (inverse); Hyperliquid docs "Liquidations";
    freqtrade ``exchange/binance.py`` ``dry_run_liquidation_price``.

    Examples
    --------
    Long 0.01 BTC at 60,000 with 20x on Binance (bracket 1, 0.4%): liquidated above
    a 57,000 stop:

    >>> liq_price(60000, 0.01, 20, "binance:BTCUSDT")
    57228.9156627
    >>> liq_price(20000, 1, 50, "bybit:BTCUSDT", mmr=0.005)
    19700.0
    """
    e = _positive(entry, "entry")
    c = _nonzero(contracts, "contracts")
    lev = _positive(leverage, "leverage")
    wb = (
        np.asarray(math.nan)
        if wallet_balance is None
        else _nonneg(wallet_balance, "wallet_balance")
    )
    m = np.asarray(math.nan) if mmr is None else _fraction(mmr, "mmr", "0.005 for 0.5%")
    a = np.asarray(math.nan) if maint_amount is None else _nonneg(maint_amount, "maint_amount")
    basis = _check_basis(mm_basis)
    ca, codes = _resolve(contract, specs)
    e, c, lev, wb, m, a, cd = broadcast(
        entry=e, contracts=c, leverage=lev, wallet_balance=wb, mmr=m, maint_amount=a, contract=codes
    )
    shape = e.shape
    f = _flat(shape, e=e, c=c, lev=lev, wb=wb, m=m, a=a, codes=cd.astype(np.intp))
    liq = _liquidation(
        f["e"],
        f["c"],
        f["lev"],
        f["wb"],
        f["m"],
        f["a"],
        f["codes"],
        ca.specs,
        tiers=tiers,
        mm_basis=basis,
    )
    _leverage_limit(f["lev"], liq.allowed, liq.entry_tier, f["codes"], ca.specs, shape)
    return to_result(clean_money(liq.price.reshape(shape)))


def _beyond(lp: FloatArray, stop: FloatArray, long: Any) -> npt.NDArray[np.bool_]:
    """Liquidation strictly on the far side of the stop from entry."""
    return np.asarray(np.where(long, lp < stop, lp > stop), dtype=np.bool_)


def max_leverage(
    entry: Any,
    stop: Any,
    contract: Any,
    mmr: Any = None,
    specs: Any = None,
    *,
    contracts: Any = None,
    maint_amount: Any = None,
    tiers: Any = None,
    mm_basis: str | None = None,
) -> Any:
    """The highest whole-number leverage whose isolated liquidation price lies beyond
    the stop.

    Parameters
    ----------
    entry, stop : float or array_like
        Prices > 0; a stop below entry is a long, above a short.
    contract : str, float or array_like
        A key ``exchange:symbol`` or a positive number.
    mmr : float or array_like, optional
        Maintenance rate (fraction in [0, 1)); defaults to the contract's first bracket
        (or the bracket of ``contracts``, when given).
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.
    contracts : float or array_like, optional
        Position size (its sign is ignored: the side comes from the stop). With it the
        bracket of that position is used, with its maintenance amount and maximum
        leverage; without it the first bracket with amount 0, which makes the answer
        independent of size.
    maint_amount : float or array_like, optional
        As in :func:`liq_price`; only with ``contracts`` (an amount needs a size).
    tiers, mm_basis
        As in :func:`liq_price`.

    Returns
    -------
    float or ndarray
        A whole number from 1 up to the contract's maximum leverage (125 for a contract
        with no known maximum, such as a number typed as the contract), or 0.0 when even
        1x liquidates at or before the stop (e.g. an inverse long whose stop is below
        about half the entry, or a linear short whose stop is above about twice it).
        The wallet balance is the initial margin at each leverage.

    Notes
    -----
    "Beyond" is strict: for a long the liquidation price is below the stop, for a short
    above it. The liquidation price moves toward entry as leverage rises, so at the
    returned leverage it is beyond the stop and at one more it is not, unless the
    maximum leverage capped the answer.

    Examples
    --------
    The 20x / 5% stop trap: long BTCUSDT at 60,000 with a stop at 57,000. At 20x
    Binance liquidates at 57,228.92, before the stop; 18x is the most that keeps
    liquidation beyond it:

    >>> max_leverage(60000, 57000, "binance:BTCUSDT")
    18.0
    """
    e = _positive(entry, "entry")
    st = _positive(stop, "stop")
    m = np.asarray(math.nan) if mmr is None else _fraction(mmr, "mmr", "0.005 for 0.5%")
    a = np.asarray(math.nan) if maint_amount is None else _nonneg(maint_amount, "maint_amount")
    c = np.asarray(math.nan) if contracts is None else _nonzero(contracts, "contracts")
    if maint_amount is not None and contracts is None:
        raise MicrosizeError(
            "maint_amount needs contracts: a maintenance amount only has a meaning for a "
            "position of a given size"
        )
    basis = _check_basis(mm_basis)
    ca, codes = _resolve(contract, specs)
    e, st, m, a, c, cd = broadcast(
        entry=e, stop=st, mmr=m, maint_amount=a, contracts=c, contract=codes
    )
    same = e == st
    if np.any(same):
        idx = tuple(int(i) for i in np.argwhere(same)[0])
        raise MicrosizeError(
            f"stop must differ from entry{position(idx, e.shape)} "
            f"(got entry={describe(float(e[idx]))}, stop={describe(float(st[idx]))})"
        )
    shape = e.shape
    f = _flat(shape, e=e, st=st, m=m, a=a, c=c, codes=cd.astype(np.intp))
    long = f["st"] < f["e"]
    n = f["e"].size
    # without a size: the first bracket, no maintenance amount (size-free formulas)
    sized = ~np.isnan(f["c"])
    m_use = f["m"].copy()
    a_use = np.where(sized, f["a"], 0.0)
    cap = np.empty(n)
    for spec, mask in _groups(f["codes"], ca.specs):
        cap[mask] = DEFAULT_MAX_LEVERAGE if spec.max_leverage is None else spec.max_leverage
        free = mask & ~sized & np.isnan(m_use)
        if free.any():
            sched = _schedule(spec, tiers)
            if sched is None:
                raise _no_data(spec)
            m_use[free] = sched.mmr[0]
    size = np.where(sized, np.abs(f["c"]), 1.0)
    signed = np.where(long, size, -size)
    # the bracket's maximum leverage at entry (with a size) lowers the cap
    probe = _liquidation(
        f["e"],
        signed,
        np.ones(n),
        np.full(n, math.nan),
        m_use,
        a_use,
        f["codes"],
        ca.specs,
        tiers=tiers,
        mm_basis=basis,
    )
    top = np.floor(np.fmin(probe.allowed, cap) + 1e-9)
    # bisection: the liquidation price moves toward entry as leverage rises, so
    # "beyond the stop" holds up to some leverage and fails above it; lo holds (or is 0),
    # hi fails (or is one above the cap)
    lo = np.zeros(n)
    hi = np.maximum(top, 0.0) + 1.0
    while True:
        todo = np.flatnonzero(hi - lo > 1)
        if todo.size == 0:
            break
        mid = np.floor((lo[todo] + hi[todo]) / 2)
        liq = _liquidation(
            f["e"][todo],
            signed[todo],
            mid,
            np.full(todo.size, math.nan),
            m_use[todo],
            a_use[todo],
            f["codes"][todo],
            ca.specs,
            tiers=tiers,
            mm_basis=basis,
        )
        # compared as liq_price reports it, so the two never disagree at a tie
        good = _beyond(clean_money(liq.price), f["st"][todo], long[todo])
        lo[todo] = np.where(good, mid, lo[todo])
        hi[todo] = np.where(good, hi[todo], mid)
    return to_result((lo + 0.0).reshape(shape))


def funding(
    contracts: Any, price: Any, rate: Any, periods: Any, contract: Any, specs: Any = None
) -> Any:
    """Funding paid (positive) or received (negative) over ``periods`` intervals.

    Parameters
    ----------
    contracts : float or array_like
        Signed position in the venue's order unit: positive long, negative short.
    price : float or array_like
        Mark price at the funding times, > 0.
    rate : float or array_like
        Funding rate per interval as a fraction (0.01% is 0.0001); positive: longs pay
        shorts. At most 0.1 in size (larger values are taken for per cents).
    periods : float or array_like
        Number of funding intervals held, >= 0 (8h, 4h or 1h by venue).
    contract : str, float or array_like
        A key ``exchange:symbol`` or a positive number.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.

    Returns
    -------
    float or ndarray
        ``sign(c) x value x rate x periods`` in the settlement currency, with value the
        position value at ``price``: linear and quanto ``|c| k P``, inverse
        ``|c| k / P`` (coin). A long pays when the rate is positive; a short receives.

    References
    ----------
    BitMEX "Perpetual Contracts Guide" (Funding Amount = Mark Value x Funding Rate);
    Binance and Bybit funding FAQs (position value x funding rate).

    Examples
    --------
    BitMEX's guide: long 15,000 XBTUSD at 750 (20 XBT), funding 0.25%, pays 0.05 XBT:

    >>> funding(15000, 750, 0.0025, 1, "bitmex:XBTUSD")
    0.05
    """
    c = as_float_array(contracts, "contracts")
    p = _positive(price, "price")
    r = as_float_array(rate, "rate")
    if np.any(np.abs(r) > MAX_FUNDING_RATE):
        idx = tuple(int(i) for i in np.argwhere(np.abs(r) > MAX_FUNDING_RATE)[0])
        raise MicrosizeError(
            f"rate is a fraction per funding interval: 0.01% is 0.0001"
            f"{position(idx, r.shape)} (got {describe(float(r[idx]))})"
        )
    n = _nonneg(periods, "periods")
    ca = resolve_contracts(contract, as_spec_table(specs))
    c, p, r, n, kind, size = broadcast(
        contracts=c, price=p, rate=r, periods=n, contract=ca.kind, size=ca.size
    )
    value = np.where(kind == INVERSE, c * size / p, c * size * p)
    return to_result(clean_money(value * r * n))


def max_contracts_for_margin(
    available: Any,
    price: Any,
    leverage: Any,
    contract: Any,
    specs: Any = None,
    *,
    tiers: Any = None,
) -> Any:
    """The largest position whose initial margin fits the available margin.

    Parameters
    ----------
    available : float or array_like
        Margin available in the settlement currency, >= 0.
    price : float or array_like
        Entry price, > 0.
    leverage : float or array_like
        Leverage, > 0 and at most the contract's maximum.
    contract : str, float or array_like
        A key ``exchange:symbol`` or a positive number.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.
    tiers : sequence of MarginTier or 2-D range, optional
        Brackets to use instead of the bundled ones.

    Returns
    -------
    float or ndarray
        Contracts in the venue's order unit: the most lot steps with
        ``margin <= available``, rounded down exactly; 0 below the minimum order
        quantity. Where the tier table gives maximum leverages, the position is also
        kept within the largest bracket that allows ``leverage`` (the exchange would
        refuse more).

    Examples
    --------
    100 USDT at 20x buys 2,000 USDT of BTC at 60,000: 0.0333... rounded down to 0.033:

    >>> max_contracts_for_margin(100, 60000, 20, "binance:BTCUSDT")
    0.033
    """
    av = _nonneg(available, "available")
    p = _positive(price, "price")
    lev = _positive(leverage, "leverage")
    ca, codes = _resolve(contract, specs)
    av, p, lev, cd = broadcast(available=av, price=p, leverage=lev, contract=codes)
    shape = av.shape
    f = _flat(shape, av=av, p=p, lev=lev, codes=cd.astype(np.intp))
    size = f["av"].size
    steps = np.zeros(size)
    step_of = np.empty(size)
    allowed = np.full(size, math.inf)
    for spec, mask in _groups(f["codes"], ca.specs):
        inv = spec.kind == "inverse"
        k, st = spec.contract_size, spec.lot_step
        A, P, L = f["av"][mask], f["p"][mask], f["lev"][mask]
        if spec.max_leverage is not None:
            allowed[mask] = spec.max_leverage
        per_step = st * k / P / L if inv else st * k * P / L
        q = A / per_step

        def exact_q(
            i: tuple[int, ...],
            A: FloatArray = A,
            P: FloatArray = P,
            L: FloatArray = L,
            inv: bool = inv,
            k: float = k,
            st: float = st,
        ) -> Fraction:
            j = i[0]
            K, S, Pj = exact(k), exact(st), exact(float(P[j]))
            margin_step = (
                S * K / Pj / exact(float(L[j])) if inv else S * K * Pj / exact(float(L[j]))
            )
            return exact(float(A[j])) / margin_step

        n = count_steps(q, "floor", exact_q)
        sched = _schedule(spec, tiers)
        if sched is not None and sched.tiered and not np.isnan(sched.max_lev).all():
            # the largest bracket cap whose maximum leverage allows L
            lv = np.where(np.isnan(sched.max_lev), math.inf, sched.max_lev)
            fits = lv[None, :] >= L[:, None] * (1 - 1e-12)
            cap_l = np.where(fits, sched.cap[None, :], -math.inf).max(axis=1)
            if sched.measure == "contracts":
                unit = np.full(P.shape, st)
            elif sched.measure == "face":
                unit = np.full(P.shape, st * k)
            else:
                unit = st * k / P if inv else st * k * P
            finite = np.isfinite(cap_l)
            if finite.any():
                with np.errstate(invalid="ignore"):
                    qc = np.where(finite, np.maximum(cap_l, 0.0) / unit, 0.0)

                def exact_c(
                    i: tuple[int, ...],
                    P: FloatArray = P,
                    cap_l: FloatArray = cap_l,
                    measure: str = sched.measure,
                    inv: bool = inv,
                    k: float = k,
                    st: float = st,
                ) -> Fraction:
                    j = i[0]
                    S, K, Pj = exact(st), exact(k), exact(float(P[j]))
                    per = {"contracts": S, "face": S * K}.get(
                        measure, S * K / Pj if inv else S * K * Pj
                    )
                    return exact(float(cap_l[j])) / per

                nc = count_steps(qc, "floor", exact_c)
                n = np.where(finite, np.minimum(n, nc), n)
            none_fit = ~np.isfinite(cap_l) & (cap_l < 0)
            n = np.where(none_fit, 0.0, n)
        min_steps = math.ceil(spec.min_qty / st - 1e-9)
        n = np.where(n < min_steps, 0.0, n)
        steps[mask] = n
        step_of[mask] = st
    _leverage_limit(
        f["lev"], allowed, np.full(size, -1, dtype=np.intp), f["codes"], ca.specs, shape
    )
    return to_result(clean_multiple(steps, step_of).reshape(shape))


@dataclass(frozen=True)
class LiquidationCheck:
    """What :func:`liquidation_check` finds for one trade (the MF_SIZE rows).

    ``liq_price`` is ``None`` when it cannot be computed (no contracts, or no
    maintenance data for the contract and no ``mmr``); ``max_leverage`` likewise.
    ``at_once`` is True when the margin is below the maintenance margin at entry: the
    formula's price then lies beyond the entry and is no price the position would see,
    so a table shows "at once" instead of it.
    ``warnings`` are short sentences for the Warnings row, empty when all is well.
    """

    liq_price: float | None
    margin: float
    max_leverage: float | None
    warnings: list[str]
    at_once: bool = False


def _price_text(x: float) -> str:
    return f"{x:,.2f}" if abs(x) >= 1 else format(x, ".6g")


def _one(check: Any, value: Any, name: str) -> float:
    """A single-cell optional argument, validated by ``check`` (e.g. :func:`_nonneg`)."""
    _scalar(value, name)
    return float(check(value, name).reshape(-1)[0])


def _scalar(value: Any, name: str) -> float:
    arr = as_float_array(value, name)
    if arr.size != 1:
        raise MicrosizeError(
            f"{name} must be a single cell: one trade is checked (got {arr.size} cells)"
        )
    return float(arr.reshape(()))


def liquidation_check(
    entry: Any,
    stop: Any,
    contracts: Any,
    leverage: Any,
    contract: Any,
    equity: Any,
    specs: Any = None,
    *,
    wallet_balance: Any = None,
    mmr: Any = None,
    maint_amount: Any = None,
    tiers: Any = None,
    mm_basis: str | None = None,
) -> LiquidationCheck:
    """Liquidation price, margin and warnings for one sized trade (for MF_SIZE).

    Parameters
    ----------
    entry, stop : float
        Prices > 0; a stop below entry is a long, above a short.
    contracts : float
        Signed position in the venue's order unit: positive long, negative short. The
        stop must be on the losing side (below entry for a long, above for a short);
        the other side is refused. 0 gives no liquidation price.
    leverage : float
        Leverage > 0. Above the venue's maximum is a warning here, not an error.
    contract : str or float
        A key ``exchange:symbol`` or a positive number.
    equity : float
        Account size in the settlement currency, > 0.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.
    wallet_balance, mmr, maint_amount, tiers, mm_basis
        As in :func:`liq_price`; the wallet balance defaults to the initial margin.

    Returns
    -------
    LiquidationCheck
        ``liq_price``, ``margin`` (notional / leverage), ``max_leverage`` for the stop
        and ``warnings``: "liquidation at X comes before the stop at Y" (with the
        leverage that avoids it), "margin M exceeds the account E", "leverage L is above
        the contract's maximum N", "the position would be liquidated at once", or that
        the liquidation price is unknown for want of maintenance data.

    Examples
    --------
    >>> chk = liquidation_check(60000, 57000, 0.01, 20, "binance:BTCUSDT", 1000)
    >>> chk.liq_price
    57228.9156627
    >>> chk.warnings
    ['liquidation at 57,228.92 comes before the stop at 57,000.00; at most 18x keeps it beyond the stop']
    """
    e = _scalar(entry, "entry")
    st = _scalar(stop, "stop")
    if e <= 0:
        raise MicrosizeError(f"entry must be positive (got {describe(e)})")
    if st <= 0:
        raise MicrosizeError(f"stop must be positive (got {describe(st)})")
    if st == e:
        raise MicrosizeError(
            f"stop must differ from entry (got entry={describe(e)}, stop={describe(st)})"
        )
    c = _scalar(contracts, "contracts")
    lev = _scalar(leverage, "leverage")
    if lev <= 0:
        raise MicrosizeError(f"leverage must be positive (got {describe(lev)})")
    eq = _scalar(equity, "equity")
    if eq <= 0:
        raise MicrosizeError(f"equity must be positive (got {describe(eq)})")
    long = st < e
    if c < 0 and long:
        raise MicrosizeError(
            f"contracts is a short ({describe(c)}) but the stop {describe(st)} is below "
            f"entry {describe(e)} (a long)"
        )
    if c > 0 and not long:
        raise MicrosizeError(
            f"contracts is a long ({describe(c)}) but the stop {describe(st)} is above "
            f"entry {describe(e)} (a short): a short has negative contracts"
        )
    signed = c
    wb = math.nan if wallet_balance is None else _one(_nonneg, wallet_balance, "wallet_balance")
    m = math.nan if mmr is None else _one(_fraction, mmr, "mmr")
    a = math.nan if maint_amount is None else _one(_nonneg, maint_amount, "maint_amount")
    basis = _check_basis(mm_basis)
    table = as_spec_table(specs)
    ca = resolve_contracts(contract, table)
    spec = ca.single
    if spec is None:
        raise MicrosizeError("contract must be a single contract, not a range of different ones")
    key: Any = spec.key if spec.exchange else spec.contract_size
    q = abs(c) * spec.contract_size
    note = q / e if spec.kind == "inverse" else q * e
    im = float(clean_money(np.asarray(note / lev)))
    warnings: list[str] = []
    lp: float | None = None
    best: float | None = None
    at_once = False
    top = spec.max_leverage
    top_words = "the contract's maximum {}"
    known = not math.isnan(m) or _schedule(spec, tiers) is not None
    if c != 0 and not known:
        warnings.append(
            f"liquidation price unknown: {_label(spec)} has no maintenance-margin data (pass mmr)"
        )
    elif c != 0:
        one = [np.asarray([x]) for x in (e, signed, lev, wb, m, a)]
        liq = _liquidation(
            one[0],
            one[1],
            one[2],
            one[3],
            one[4],
            one[5],
            np.zeros(1, dtype=np.intp),
            (spec,),
            tiers=tiers,
            mm_basis=basis,
        )
        lp = float(clean_money(liq.price)[0])
        allowed = float(liq.allowed[0])
        if math.isfinite(allowed) and (top is None or allowed < top):
            top, top_words = allowed, "the maximum {} for this position's size"
        best = float(
            max_leverage(
                e,
                st,
                key,
                None if math.isnan(m) else m,
                table,
                contracts=c,
                maint_amount=None if math.isnan(a) else a,
                tiers=tiers,
                mm_basis=basis,
            )
        )
        if (lp >= e) if long else (lp <= e):
            at_once = True
            warnings.append(
                f"the position would be liquidated at once: its margin "
                f"{_fmt(float(liq.wallet[0]))} is below the maintenance margin "
                f"{_fmt(float(clean_money(liq.mm_at_entry)[0]))}"
            )
        elif not bool(_beyond(np.asarray(lp), np.asarray(st), long)):
            hint = (
                f"at most {_fmt(best)}x keeps it beyond the stop"
                if best >= 1
                else "no leverage keeps it beyond the stop"
            )
            warnings.append(
                f"liquidation at {_price_text(lp)} comes before the stop at "
                f"{_price_text(st)}; {hint}"
            )
    if im > eq:
        warnings.append(f"margin {_fmt(im)} exceeds the account {_fmt(eq)}")
    if top is not None and lev > top * (1 + 1e-12):
        warnings.append(f"leverage {_fmt(lev)} is above {top_words.format(_fmt(top))}")
    return LiquidationCheck(
        liq_price=lp, margin=im, max_leverage=best, warnings=warnings, at_once=at_once
    )
