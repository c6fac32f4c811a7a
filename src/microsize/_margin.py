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

Maintenance brackets live in :mod:`microsize._tiers`, liquidation prices in
:mod:`microsize._liquidation`; this module prices margin and leverage with them and
re-exports both modules' public functions.

References
----------
Binance FAQ "Leverage and Margin of USDⓈ-M Futures"; Bybit help "Initial Margin";
Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ._checks import distinct
from ._checks import fraction as _fraction
from ._checks import nonneg as _nonneg
from ._checks import nonzero as _nonzero
from ._checks import positive as _positive
from ._contracts import (
    ContractLike,
    SpecsLike,
    groups,
    resolve_contracts,
)
from ._errors import MicrosizeError
from ._exact import clean_money, clean_multiple, count_steps, exact
from ._funding import MAX_FUNDING_RATE as MAX_FUNDING_RATE
from ._funding import funding as funding
from ._inputs import (
    FloatArray,
    Numeric,
    Result,
    as_float_array,
    broadcast,
    to_result,
)
from ._kind import is_inverse, side_from_stop, value_at
from ._liquidation import (
    DEFAULT_MAX_LEVERAGE,
    beyond_stop,
    check_basis,
    flat_arrays,
    leverage_limit,
    liq_price,
    liquidation_of,
)
from ._tiers import (
    TierLike,
    margin_tier,
    no_tier_data,
    rate_amount,
    schedule_of,
    tier_measure,
)

__all__ = [
    "DEFAULT_MAX_LEVERAGE",
    "funding",
    "liq_price",
    "maintenance_margin",
    "margin",
    "margin_tier",
    "max_contracts_for_margin",
    "max_leverage",
]


def margin(
    contracts: Numeric,
    price: Numeric,
    leverage: Numeric,
    contract: ContractLike,
    specs: SpecsLike = None,
    *,
    tiers: TierLike | None = None,
) -> Result:
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
    ca = resolve_contracts(contract, specs)
    codes = ca.codes
    c, p, lev, cd = broadcast(contracts=c, price=p, leverage=lev, contract=codes)
    shape = c.shape
    f = flat_arrays(shape, c=c, p=p, lev=lev, codes=cd.astype(np.intp))
    out = np.empty(f["c"].size)
    allowed = np.full(out.size, math.inf)
    tier = np.full(out.size, -1, dtype=np.intp)
    for spec, mask in groups(f["codes"], ca.specs):
        inv = is_inverse(spec)
        q = np.abs(f["c"][mask]) * spec.contract_size
        note = value_at(inv, q, f["p"][mask])
        out[mask] = note / f["lev"][mask]
        ok = np.full(q.shape, math.inf if spec.max_leverage is None else spec.max_leverage)
        sched = schedule_of(spec, tiers)
        if sched is not None and sched.tiered:
            i = sched.lev_index(tier_measure(sched, inv, q, np.abs(f["c"][mask]), f["p"][mask]))
            cap = sched.max_lev[i]
            ok = np.fmin(ok, np.where(np.isnan(cap), math.inf, cap))
            tier[mask] = i
        allowed[mask] = ok
    leverage_limit(f["lev"], allowed, tier, f["codes"], ca.specs, shape)
    return to_result(clean_money(out.reshape(shape)))


def maintenance_margin(
    contracts: Numeric,
    price: Numeric,
    contract: ContractLike,
    specs: SpecsLike = None,
    *,
    mmr: Numeric | None = None,
    maint_amount: Numeric | None = None,
    tiers: TierLike | None = None,
) -> Result:
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
    ca = resolve_contracts(contract, specs)
    codes = ca.codes
    c, p, m, a, cd = broadcast(contracts=c, price=p, mmr=m, maint_amount=a, contract=codes)
    shape = c.shape
    f = flat_arrays(shape, c=c, p=p, m=m, a=a, codes=cd.astype(np.intp))
    out = np.empty(f["c"].size)
    for spec, mask in groups(f["codes"], ca.specs):
        inv = is_inverse(spec)
        cabs = np.abs(f["c"][mask])
        q = cabs * spec.contract_size
        note = value_at(inv, q, f["p"][mask])
        M, A = f["m"][mask], f["a"][mask]
        rate = np.where(np.isnan(M), 0.0, M)
        amount = np.where(np.isnan(A), 0.0, A)
        need = np.isnan(M)
        if need.any():
            sched = schedule_of(spec, tiers)
            if sched is None:
                raise no_tier_data(spec)
            meas = tier_measure(sched, inv, q[need], cabs[need], f["p"][mask][need])
            r, am = rate_amount(sched, sched.index(meas), meas)
            rate[need] = r
            amount[need] = np.where(np.isnan(A[need]), am, A[need])
        out[mask] = note * rate - amount
    return to_result(clean_money(out.reshape(shape)))


# Long on purpose: one vectorised pass per contract: every whole leverage's liquidation price at once, then the highest beyond the stop.
def max_leverage(
    entry: Numeric,
    stop: Numeric,
    contract: ContractLike,
    mmr: Numeric | None = None,
    specs: SpecsLike = None,
    *,
    contracts: Numeric | None = None,
    maint_amount: Numeric | None = None,
    tiers: TierLike | None = None,
    mm_basis: str | None = None,
) -> Result:
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
    basis = check_basis(mm_basis)
    ca = resolve_contracts(contract, specs)
    codes = ca.codes
    e, st, m, a, c, cd = broadcast(
        entry=e, stop=st, mmr=m, maint_amount=a, contracts=c, contract=codes
    )
    distinct(e, st)
    shape = e.shape
    f = flat_arrays(shape, e=e, st=st, m=m, a=a, c=c, codes=cd.astype(np.intp))
    long = side_from_stop(f["e"], f["st"]) > 0
    n = f["e"].size
    # without a size: the first bracket, no maintenance amount (size-free formulas)
    sized = ~np.isnan(f["c"])
    m_use = f["m"].copy()
    a_use = np.where(sized, f["a"], 0.0)
    cap = np.empty(n)
    for spec, mask in groups(f["codes"], ca.specs):
        cap[mask] = DEFAULT_MAX_LEVERAGE if spec.max_leverage is None else spec.max_leverage
        free = mask & ~sized & np.isnan(m_use)
        if free.any():
            sched = schedule_of(spec, tiers)
            if sched is None:
                raise no_tier_data(spec)
            m_use[free] = sched.mmr[0]
    size = np.where(sized, np.abs(f["c"]), 1.0)
    signed = np.where(long, size, -size)
    # the bracket's maximum leverage at entry (with a size) lowers the cap
    probe = liquidation_of(
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

    def beyond(todo: Any, mid: FloatArray) -> Any:
        """Rows ``todo`` at leverage ``mid``: liquidated beyond the stop?"""
        liq = liquidation_of(
            f["e"][todo],
            signed[todo],
            mid,
            np.full(mid.size, math.nan),
            m_use[todo],
            a_use[todo],
            f["codes"][todo],
            ca.specs,
            tiers=tiers,
            mm_basis=basis,
        )
        # compared as liq_price reports it, so the two never disagree at a tie
        return beyond_stop(clean_money(liq.price), f["st"][todo], long[todo])

    levels = int(hi.max()) - 1 if n else 0
    if 0 < n * levels <= AT_ONCE:
        # few rows: every whole leverage of every row in one pass (each element is
        # computed alone, so the bisection below reads the very answers it would compute)
        rows = np.repeat(np.arange(n), levels)
        table = beyond(rows, np.tile(np.arange(1.0, levels + 1.0), n)).reshape(n, levels)
    while True:
        todo = np.flatnonzero(hi - lo > 1)
        if todo.size == 0:
            break
        mid = np.floor((lo[todo] + hi[todo]) / 2)
        if 0 < n * levels <= AT_ONCE:
            good = table[todo, mid.astype(np.intp) - 1]
        else:
            good = beyond(todo, mid)
        lo[todo] = np.where(good, mid, lo[todo])
        hi[todo] = np.where(good, hi[todo], mid)
    return to_result((lo + 0.0).reshape(shape))


#: rows x leverages that :func:`max_leverage` computes in one pass rather than bisecting
AT_ONCE = 1 << 15


# Long on purpose: one vectorised pass per contract: float count, exact recount at lot boundaries, tier caps; split, the arrays would travel through five signatures.
def max_contracts_for_margin(
    available: Numeric,
    price: Numeric,
    leverage: Numeric,
    contract: ContractLike,
    specs: SpecsLike = None,
    *,
    tiers: TierLike | None = None,
) -> Result:
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
    ca = resolve_contracts(contract, specs)
    codes = ca.codes
    av, p, lev, cd = broadcast(available=av, price=p, leverage=lev, contract=codes)
    shape = av.shape
    f = flat_arrays(shape, av=av, p=p, lev=lev, codes=cd.astype(np.intp))
    size = f["av"].size
    steps = np.zeros(size)
    step_of = np.empty(size)
    allowed = np.full(size, math.inf)
    for spec, mask in groups(f["codes"], ca.specs):
        inv = is_inverse(spec)
        k, st = spec.contract_size, spec.lot_step
        A, P, L = f["av"][mask], f["p"][mask], f["lev"][mask]
        if spec.max_leverage is not None:
            allowed[mask] = spec.max_leverage
        per_step = value_at(inv, st * k, P) / L
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
        sched = schedule_of(spec, tiers)
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
                unit = value_at(inv, st * k, P)
            finite = np.isfinite(cap_l)
            if finite.any():
                # only the rows whose bracket has a cap are counted: a row beyond every
                # bracket (-inf) or in an open-ended one (+inf) has no exact count
                rows = np.flatnonzero(finite)
                qc = np.maximum(cap_l[rows], 0.0) / unit[rows]

                def exact_c(
                    i: tuple[int, ...],
                    P: FloatArray = P[rows],
                    cap_l: FloatArray = cap_l[rows],
                    measure: str = sched.measure,
                    inv: bool = inv,
                    k: float = k,
                    st: float = st,
                ) -> Fraction:
                    j = i[0]
                    S, K, Pj = exact(st), exact(k), exact(float(P[j]))
                    per: Fraction = {"contracts": S, "face": S * K}.get(
                        measure, value_at(inv, S * K, Pj)
                    )
                    return max(exact(float(cap_l[j])), Fraction(0)) / per

                n = n.copy()
                n[rows] = np.minimum(n[rows], count_steps(qc, "floor", exact_c))
            none_fit = ~np.isfinite(cap_l) & (cap_l < 0)
            n = np.where(none_fit, 0.0, n)
        min_steps = math.ceil(spec.min_qty / st - 1e-9)
        n = np.where(n < min_steps, 0.0, n)
        steps[mask] = n
        step_of[mask] = st
    leverage_limit(f["lev"], allowed, np.full(size, -1, dtype=np.intp), f["codes"], ca.specs, shape)
    return to_result(clean_multiple(steps, step_of).reshape(shape))
