"""Beta, minimum-variance hedge ratios, and hedges in lot steps of a futures contract.

Price histories arrive as one column or one row of prices, **oldest first** (docs/CONVENTIONS.md, Ranges), as
nested lists from Excel, numpy arrays or pandas Series. A row with a blank in either
series is dropped pairwise; two Series are first aligned on their index. Returns are
computed between consecutive rows that remain:

=====================  ================================================  ===============
quantity               formula (x: hedge, y: asset)                      unit
=====================  ================================================  ===============
simple return          r_t = (P_t - P_{t-1}) / P_{t-1}                   fraction
beta (OLS)             sum (x - x̄)(y - ȳ) / sum (x - x̄)^2               (Excel SLOPE)
beta (EWMA, λ)         sum λ^k x y / sum λ^k x^2, k = 0 newest           zero-mean
hedge ratio h*         ρ σ_ΔS / σ_ΔF = OLS slope of ΔS on ΔF             price / price
contracts              (target - beta) x exposure / value of 1 contract  venue's unit
=====================  ================================================  ===============

The value of one contract is in USD (the contract's quote currency): ``k x price`` for a
linear contract (it moves with the price), the face value ``k`` for an inverse one (fixed
in USD). Quanto contracts are refused: one contract's USD value depends on two prices.
Hedge counts round to the **nearest** lot step (Hull's convention), exactly for typed
decimals, and come out as clean decimals. Means and sums of products are the same float on
every CPU (:mod:`microsize._sums`: exactly rounded or in a fixed order, never BLAS).
Beta and the hedge ratio are computed in :mod:`microsize._beta` and named here too.

References
----------
J. C. Hull, *Options, Futures, and Other Derivatives*, ch. 3 "Hedging strategies using
futures" (minimum variance hedge ratio h* = ρ σS/σF, N* = h* Q_A/Q_F, tailing
N* = ĥ V_A/V_F, index hedge N* = β V_A/V_F, changing beta (β* - β) V_A/V_F).
J.P. Morgan/Reuters, *RiskMetrics Technical Document* (1996), exponentially weighted
zero-mean estimators, λ = 0.94 for daily data. Microsoft, Excel SLOPE function.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from math import ceil
from typing import Any

import numpy as np

from ._beta import HEDGE_STATS_LABELS as HEDGE_STATS_LABELS
from ._beta import HedgeStats as HedgeStats
from ._beta import beta as beta
from ._beta import hedge_ratio as hedge_ratio
from ._beta import hedge_stats as hedge_stats
from ._beta import rolling_beta as rolling_beta
from ._checks import positive as _positive
from ._checks import single
from ._contracts import (
    KIND_CODE,
    ContractArrays,
    ContractLike,
    ContractSpec,
    SpecsLike,
    resolve_contracts,
)
from ._errors import MicrosizeError
from ._exact import clean_money, clean_multiple, count_steps, exact
from ._histories import (
    price_column,
)
from ._inputs import (
    Column,
    FloatArray,
    Numeric,
    Result,
    as_float_array,
    broadcast,
    describe,
    is_missing,
    to_result,
)
from ._kind import inverse_mask, is_inverse, quote_value
from ._sizing import one_contract

__all__ = [
    "HEDGE_STATS_LABELS",
    "PORTFOLIO_HEDGE_LABELS",
    "HedgeStats",
    "PortfolioHedge",
    "beta",
    "exposure",
    "hedge",
    "hedge_ratio",
    "hedge_stats",
    "portfolio_hedge",
    "rolling_beta",
]

INVERSE = KIND_CODE["inverse"]
NA_FLAT = "n/a: exposures sum to 0"

PORTFOLIO_HEDGE_LABELS = (
    "Exposure",
    "Beta-weighted exposure",
    "Portfolio beta",
    "Hedge contracts",
    "Hedge notional",
    "Beta after hedge",
    "Beta-weighted after hedge",
)


# ------------------------------------------------------------------------ hedges
def _no_quanto(specs: tuple[ContractSpec, ...]) -> None:
    for s in specs:
        if s.kind == "quanto":
            raise MicrosizeError(
                f"contract {s.key} is quanto: one contract's USD value moves with two prices, "
                "so it cannot size a beta hedge; use a linear or inverse contract"
            )


@cache
def _min_steps(step: float, min_qty: float) -> int:
    """Lot steps in the minimum order quantity, rounded up, exactly."""
    return ceil(exact(min_qty) / exact(step))


def _nearest_lots(
    q: FloatArray, min_steps: Any, exact_q: Callable[[tuple[int, ...]], Fraction]
) -> FloatArray:
    """Nearest whole lot steps of ``q`` (already in steps), halves away from zero; a count
    below the minimum order becomes whichever of 0 and the minimum is nearer."""
    n = count_steps(q, "nearest", exact_q)
    small = (n != 0) & (np.abs(n) < min_steps)
    if np.any(small):
        up = 2 * np.abs(q) >= min_steps
        n = np.where(small, np.where(up, np.sign(n) * min_steps, 0.0), n)
    return np.asarray(n, dtype=np.float64) + 0.0


def _contract_value(kind: Any, size: Any, price: Any) -> Any:
    """USD value of one order unit: k x price (linear), the face value k (inverse)."""
    return np.asarray(quote_value(inverse_mask(kind), size, price), dtype=np.float64)


def hedge(
    exposure: Numeric,
    beta: Numeric,
    hedge_price: Numeric,
    contract: ContractLike,
    target_beta: Numeric = 0,
    specs: SpecsLike = None,
) -> Result:
    """Signed contracts to trade (negative = sell) to move an exposure's beta to a target.

    Parameters
    ----------
    exposure : float or array_like
        USD value of the position (the hedge contract's quote currency, USD or USDT),
        signed: positive long, negative short (a future purchase, as Hull's airline).
    beta : float or array_like
        The position's beta to the hedge instrument (or Hull's hedge ratio h*).
    hedge_price : float or array_like
        Price of the hedge contract, > 0: it sets a linear contract's USD value (an
        inverse contract's USD value does not depend on it).
    contract : str, float or array_like
        Contract key or a positive number (a linear contract of that many units, whole
        contracts), as in :func:`microsize.contracts`; quanto contracts are refused.
    target_beta : float or array_like, optional
        The beta wanted after the trade; 0 (a full hedge) when omitted or blank.
    specs : optional
        A spec table (see :func:`microsize.contracts`).

    Returns
    -------
    float or ndarray
        Contracts in the venue's order unit, a multiple of the lot step, broadcast over
        the numeric arguments.

    Notes
    -----
    ``N = (target - beta) x exposure / V_F``, with ``V_F`` the USD value of one order
    unit: linear ``k x hedge_price``; inverse ``k`` (its USD face value is fixed). N is
    rounded to the nearest lot step, halves away from zero, exactly for typed decimals. A
    count below the venue's minimum order becomes 0 or the minimum, whichever is nearer.
    The coin collateral of an inverse contract is an exposure of its own and is not
    counted here.

    References
    ----------
    Hull, *Options, Futures, and Other Derivatives*, ch. 3, "Stock index futures":
    N* = β V_A / V_F, and changing beta from β to β*: (β* - β) V_A / V_F contracts.

    Examples
    --------
    Hull's index hedge, $5,050,000 with beta 1.5, futures at 1,010 on $250 x the index:

    >>> hedge(5_050_000, 1.5, 1010, 250)
    -30.0
    >>> hedge(5_050_000, 1.5, 1010, 250, [[0.75], [2.0]]).tolist()
    [[-15.0], [10.0]]
    >>> hedge(250_000, 1.2, 60_000, "cme:MBT")
    -50.0
    >>> hedge(100_000, 1.2, 60_000, "binance:BTCUSD_PERP")
    -1200.0
    """
    e = as_float_array(exposure, "exposure")
    b = as_float_array(beta, "beta")
    p = _positive(hedge_price, "hedge_price")
    t = (
        np.asarray(0.0)
        if target_beta is None or is_missing(target_beta)
        else as_float_array(target_beta, "target_beta")
    )
    ca: ContractArrays = resolve_contracts(contract, specs)
    _no_quanto(ca.specs)
    one = ca.single
    if one is not None:
        e, b, p, t, _ = broadcast(
            exposure=e, beta=b, hedge_price=p, target_beta=t, contract=ca.kind
        )
        kind: Any = KIND_CODE[one.kind]
        size: Any = one.contract_size
        step: Any = np.asarray(one.lot_step)
        min_steps: Any = _min_steps(one.lot_step, one.min_qty)
    else:
        e, b, p, t, kind, size, step, mq = broadcast(
            exposure=e,
            beta=b,
            hedge_price=p,
            target_beta=t,
            contract=ca.kind,
            size=ca.size,
            step=ca.step,
            min_qty=ca.min_qty,
        )
        min_steps = np.vectorize(_min_steps, otypes=[np.float64])(step, mq)
    value = _contract_value(kind, size, p)
    q = (t - b) * e / value / step

    def exact_q(i: tuple[int, ...]) -> Fraction:
        k_i = int(kind if np.ndim(kind) == 0 else kind[i])
        s_i = float(size if np.ndim(size) == 0 else size[i])
        st = float(step if np.ndim(step) == 0 else step[i])
        v: Fraction = quote_value(k_i == INVERSE, exact(s_i), exact(float(p[i])))
        return (exact(float(t[i])) - exact(float(b[i]))) * exact(float(e[i])) / v / exact(st)

    n = _nearest_lots(np.asarray(q, dtype=np.float64), min_steps, exact_q)
    return to_result(clean_multiple(n, step))


@dataclass(frozen=True)
class PortfolioHedge:
    """A portfolio's beta and the hedge that moves it to the target.

    Money is in USD (the hedge contract's quote currency). ``beta`` and ``beta_after`` are
    None when the exposures sum to 0 (a dollar-neutral book has no portfolio beta; its
    hedge then neutralises the beta-weighted exposure). ``notional`` is signed like
    ``contracts``: negative for a short hedge.
    """

    exposure: float
    beta_weighted: float
    beta: float | None
    contracts: float
    notional: float
    beta_after: float | None
    beta_weighted_after: float
    contract: str

    def rows(self) -> list[list[Any]]:
        """``[label, value]`` rows, as MF_PORTFOLIO_HEDGE spills them."""
        values = (
            self.exposure,
            self.beta_weighted,
            NA_FLAT if self.beta is None else self.beta,
            self.contracts,
            self.notional,
            NA_FLAT if self.beta_after is None else self.beta_after,
            self.beta_weighted_after,
        )
        return [[label, v] for label, v in zip(PORTFOLIO_HEDGE_LABELS, values, strict=True)]


def _holdings(exposures: Any, betas: Any) -> tuple[FloatArray, FloatArray]:
    """Exposures and betas row by row; rows blank in both are skipped, half-blank refused."""
    ce = price_column(exposures, "exposures", scalar_ok=True)
    cb = price_column(betas, "betas", scalar_ok=True)
    if ce.values.size != cb.values.size:
        raise MicrosizeError(
            f"exposures and betas must have one cell per holding (got {ce.values.size} "
            f"and {cb.values.size})"
        )
    half = ce.blank != cb.blank
    if half.any():
        i = int(np.argmax(half))
        empty, other, col = (
            ("betas", "exposures", ce) if cb.blank[i] else ("exposures", "betas", cb)
        )
        raise MicrosizeError(
            f"{empty} has an empty cell{col.where(i)} where {other} has "
            f"{describe(float(col.values[i]))}: every holding needs both"
        )
    keep = ~ce.blank
    if not keep.any():
        raise MicrosizeError("exposures and betas hold no holdings: every cell is empty")
    return ce.values[keep], cb.values[keep]


# Long on purpose: builds the MF_PORTFOLIO_HEDGE table row by row, in the table's order.
def portfolio_hedge(
    exposures: Column,
    betas: Column,
    hedge_price: Numeric,
    contract: ContractLike,
    target_beta: Numeric = 0,
    specs: SpecsLike = None,
) -> PortfolioHedge:
    """Hedge a portfolio of holdings to a target beta with one futures contract.

    Parameters
    ----------
    exposures : column, row or array of float
        USD value of each holding, signed (negative = short). Rows blank in both ranges
        are skipped (a range may run past the last holding).
    betas : column, row or array of float
        Each holding's beta to the hedge instrument, one per exposure.
    hedge_price, contract, target_beta, specs
        As for :func:`hedge` (single cells).

    Returns
    -------
    PortfolioHedge
        Its :meth:`~PortfolioHedge.rows` are the MF_PORTFOLIO_HEDGE spill: Exposure (ΣV),
        Beta-weighted exposure (ΣβV), Portfolio beta (ΣβV / ΣV), Hedge contracts, Hedge
        notional, Beta after hedge, Beta-weighted after hedge.

    Raises
    ------
    MicrosizeError
        Ranges of different lengths, a holding with only one of its two cells, bad
        numbers, and a nonzero ``target_beta`` for exposures that sum to 0.

    Notes
    -----
    Contracts ``N = (target ΣV - ΣβV) / V_F`` rounded to the nearest lot step (``V_F`` as
    in :func:`hedge`); the hedge has beta 1 to itself, so what is left is
    ``(ΣβV + N V_F) / ΣV``. Sums are exactly rounded (:func:`math.fsum`) and ties are
    settled with exact fractions, so the order of the holdings never changes a result.

    Examples
    --------
    Hull's portfolio split in two holdings:

    >>> ph = portfolio_hedge([4_040_000, 1_010_000], [1.25, 2.5], 1010, 250)
    >>> ph.beta, ph.contracts, ph.beta_after
    (1.5, -30.0, 0.0)
    >>> ph.rows()[3]
    ['Hedge contracts', -30.0]
    """
    v, b = _holdings(exposures, betas)
    p = single(_positive(hedge_price, "hedge_price"), "hedge_price")
    t = (
        0.0
        if target_beta is None or is_missing(target_beta)
        else single(target_beta, "target_beta")
    )
    spec = one_contract(contract, specs)
    _no_quanto((spec,))
    with np.errstate(over="ignore"):
        products = b * v
    out_of_range = MicrosizeError(
        "numbers out of range: check exposures, betas, hedge_price and target_beta (got "
        f"{describe(float(np.max(np.abs(v))))}, {describe(float(np.max(np.abs(b))))}, "
        f"{describe(p)}, {describe(t)})"
    )
    if not np.isfinite(products).all():
        raise out_of_range
    try:
        total = math.fsum(v.tolist())
        weighted = math.fsum(products.tolist())
    except (OverflowError, ValueError):  # fsum's intermediate overflow, inf - inf
        raise out_of_range from None
    if total == 0 and t != 0:
        raise MicrosizeError(
            f"target_beta needs a net exposure, but exposures sum to 0 (got target_beta "
            f"{describe(t)}); use 0 to neutralise the beta-weighted exposure"
        )
    inverse = is_inverse(spec)
    value = quote_value(inverse, spec.contract_size, p)
    if not 0 < value < math.inf:
        raise MicrosizeError(
            f"hedge_price {describe(p)} times the contract size {describe(spec.contract_size)} "
            "is out of range: check hedge_price"
        )
    with np.errstate(over="ignore"):
        q = (t * total - weighted) / value / spec.lot_step
    if not math.isfinite(q):
        raise out_of_range

    def exact_q(_: tuple[int, ...]) -> Fraction:
        ev = [exact(float(x)) for x in v]
        eb = [exact(float(x)) for x in b]
        tv = exact(t) * sum(ev, Fraction(0))
        bw = sum((x * y for x, y in zip(eb, ev, strict=True)), Fraction(0))
        val: Fraction = quote_value(inverse, exact(spec.contract_size), exact(p))
        return (tv - bw) / val / exact(spec.lot_step)

    n = _nearest_lots(np.asarray(q), _min_steps(spec.lot_step, spec.min_qty), exact_q)
    contracts = float(clean_multiple(n, np.asarray(spec.lot_step)))
    notional = contracts * value
    try:
        after = math.fsum([*products.tolist(), notional])
    except (OverflowError, ValueError):
        raise out_of_range from None
    if not math.isfinite(notional):
        raise out_of_range
    if abs(after) <= 1e-12 * max(abs(weighted), abs(notional)):
        after = 0.0  # the hedge cancels exactly; what is left is rounding noise

    def money(x: float) -> float:
        return float(clean_money(np.asarray(x)))

    return PortfolioHedge(
        exposure=money(total),
        beta_weighted=money(weighted),
        beta=None if total == 0 else money(weighted / total),
        contracts=contracts,
        notional=money(notional),
        beta_after=None if total == 0 else money(after / total),
        beta_weighted_after=money(after),
        contract=spec.key if spec.exchange else format(spec.contract_size, ".15g"),
    )


# --------------------------------------------------------------- signed USD exposure
def exposure(
    contracts: Numeric, price: Numeric, contract: ContractLike, specs: SpecsLike = None
) -> Any:
    """Signed USD value of a position: positive long, negative short (docs/CONVENTIONS.md,
    "Signs"), the exposure a portfolio sums and a beta hedge offsets.

    Linear ``c k P``; inverse the face value ``c k`` (USD, whatever the price, as
    :func:`portfolio_hedge` counts the hedge); quanto refused (its USD value moves with two
    prices). Unlike :func:`~microsize.notional` (``|c|``, in the settlement currency), a
    short is negative.

    >>> exposure(-2, 60000, "cme:MBT")  # short 2 MBT (0.1 BTC each) at 60,000
    -12000.0
    >>> exposure(100, 50000, "binance:BTCUSD_PERP")  # 100 contracts of 100 USD
    10000.0
    """
    c = as_float_array(contracts, "contracts")
    p = _positive(price, "price")
    ca = resolve_contracts(contract, specs)
    c, p, kind, size = broadcast(contracts=c, price=p, contract=ca.kind, size=ca.size)
    quanto = kind == KIND_CODE["quanto"]
    if quanto.any():
        raise MicrosizeError(
            "contract is quanto: one contract's USD value moves with two prices; "
            "type the position's USD value instead"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        value = quote_value(inverse_mask(kind), c * size, p)
    return to_result(clean_money(np.asarray(value, dtype=np.float64)))
