"""Isolated liquidation price (one-way mode), by the formula each venue publishes.

Position size. ``contracts`` is signed (positive long, negative short) and counted in the
venue's order unit; ``Q = |contracts| x contract_size``; ``s`` is +1 for a long and -1 for
a short; ``WB`` the isolated wallet balance; ``mmr`` and ``cum`` the maintenance rate and
amount of the bracket (see :mod:`microsize._tiers`).
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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import fraction as _fraction
from ._checks import nonneg as _nonneg
from ._checks import nonzero as _nonzero
from ._checks import number_text
from ._checks import positive as _positive
from ._contracts import (
    ContractLike,
    ContractSpec,
    SpecsLike,
    groups,
    resolve_contracts,
)
from ._errors import MicrosizeError
from ._exact import clean_money
from ._inputs import (
    FloatArray,
    Numeric,
    Result,
    broadcast,
    describe,
    position,
    to_result,
)
from ._kind import is_inverse, value_at
from ._tiers import (
    Schedule,
    TierLike,
    no_tier_data,
    rate_amount,
    schedule_of,
    spec_label,
    tier_measure,
)

__all__ = ["liq_price"]

#: Leverage cap of :func:`max_leverage` for a contract with no known maximum (a number
#: typed as the contract, CME, Coinbase): Binance USDⓈ-M's highest, 125x.
DEFAULT_MAX_LEVERAGE = 125


_LIQ, _ENTRY = "liquidation", "entry"


def _basis(spec: ContractSpec, override: str | None) -> str:
    """Where the maintenance margin is valued: at the liquidation price or at entry."""
    if override is not None:
        return override
    if spec.exchange.lower() == "bybit" and spec.kind != "inverse":
        return _ENTRY
    return _LIQ


def check_basis(mm_basis: Any) -> str | None:
    if mm_basis is None:
        return None
    text = str(mm_basis).strip().lower()
    if text not in (_LIQ, _ENTRY):
        raise MicrosizeError(
            f"mm_basis must be 'liquidation' or 'entry' (got {describe(mm_basis)})"
        )
    return text


def flat_arrays(shape: tuple[int, ...], **arrays: Any) -> dict[str, Any]:
    """Each array broadcast to ``shape`` and flattened (read-only: they are the inputs)."""
    return {k: _flat(np.asarray(v), shape) for k, v in arrays.items()}


def _flat(a: Any, shape: tuple[int, ...]) -> Any:
    if a.shape != shape:
        return np.broadcast_to(a, shape).reshape(-1)
    out = a.reshape(-1).view()  # a view of the input, as broadcast_to gives: read-only
    out.flags.writeable = False
    return out


def _liq_formula(
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


# Long on purpose: one vectorised pass per contract: given rates, then the tier table's brackets; the venue formulas are in _liq_formula.
def liquidation_of(
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
    for spec, mask in groups(codes, specs):
        inv = is_inverse(spec)
        basis = _basis(spec, mm_basis)
        E, C, L = e[mask], c[mask], lev[mask]
        s = np.sign(C)
        q = np.abs(C) * spec.contract_size
        note_e = value_at(inv, q, E)
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
            lp[g] = _liq_formula(inv, basis, s[g], q[g], E[g], W[g], m_g, a_g)
            mme[g] = note_e[g] * m_g - a_g
        rest = ~given
        if rest.any():
            sched = schedule_of(spec, tiers)
            if sched is None:
                raise no_tier_data(spec)
            r = rest
            meas_e = tier_measure(sched, inv, q[r], np.abs(C[r]), E[r])
            i_e = sched.index(meas_e)
            if sched.tiered:
                i_l = sched.lev_index(meas_e)
                tr_e[r] = i_l
                cap = sched.max_lev[i_l]
                ok[r] = np.fmin(ok[r], np.where(np.isnan(cap), math.inf, cap))
            m_e, a_e = rate_amount(sched, i_e, meas_e)
            has_a = ~np.isnan(A[r])
            a_e = np.where(has_a, A[r], a_e)
            mme[r] = note_e[r] * m_e - a_e
            # the entry bracket stands when the measure does not move with price, when
            # there is one bracket, when an amount is given, or when MM is valued at entry
            one = (
                has_a | (sched.measure != "notional") | (len(sched.floor) == 1) | (basis == _ENTRY)
            )
            lp_r = _liq_formula(inv, basis, s[r], q[r], E[r], W[r], m_e, a_e)
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
    sched: Schedule,
) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Liquidation price with the bracket that holds the position at that price.

    Every bracket's formula is evaluated at once; the one whose notional at its own
    liquidation price falls inside it is the fixed point that recomputing the bracket
    (as the exchanges instruct) converges to. It is unique when the amounts follow the
    chain; otherwise, or if none is consistent, the price nearest entry is kept (the
    conservative choice), so the search is bounded by the number of brackets.
    """
    col = (slice(None), None)
    lp = _liq_formula(inv, basis, s[col], q[col], e[col], wb[col], sched.mmr, sched.amount)
    with np.errstate(divide="ignore", invalid="ignore"):
        meas = value_at(inv, q[col], lp)
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


def leverage_limit(
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
    rule = f"leverage must be at most {number_text(top)} for {spec_label(spec)}{where}"
    raise MicrosizeError(
        f"{rule}{position(idx, shape)} (got {describe(float(lev[k]))})",
        brief=f"{rule}{position(idx, shape)}",
    )


def liq_price(
    entry: Numeric,
    contracts: Numeric,
    leverage: Numeric,
    contract: ContractLike,
    wallet_balance: Numeric | None = None,
    mmr: Numeric | None = None,
    maint_amount: Numeric | None = None,
    specs: SpecsLike = None,
    *,
    tiers: TierLike | None = None,
    mm_basis: str | None = None,
) -> Result:
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
    basis = check_basis(mm_basis)
    ca = resolve_contracts(contract, specs)
    codes = ca.codes
    e, c, lev, wb, m, a, cd = broadcast(
        entry=e, contracts=c, leverage=lev, wallet_balance=wb, mmr=m, maint_amount=a, contract=codes
    )
    shape = e.shape
    f = flat_arrays(shape, e=e, c=c, lev=lev, wb=wb, m=m, a=a, codes=cd.astype(np.intp))
    liq = liquidation_of(
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
    leverage_limit(f["lev"], liq.allowed, liq.entry_tier, f["codes"], ca.specs, shape)
    return to_result(clean_money(liq.price.reshape(shape)))


def beyond_stop(lp: FloatArray, stop: FloatArray, long: Any) -> npt.NDArray[np.bool_]:
    """Liquidation strictly on the far side of the stop from entry."""
    return np.asarray(np.where(long, lp < stop, lp > stop), dtype=np.bool_)
