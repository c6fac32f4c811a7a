"""One trade's margin, liquidation price and leverage, checked together (MF_SIZE's rows):
:func:`liquidation_check` and the warnings it gives."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from ._checks import distinct, fraction, nonneg, number_text, positive, single
from ._contracts import (
    ContractLike,
    ContractSpec,
    SpecsLike,
    SpecTable,
    as_spec_table,
    resolve_contracts,
)
from ._errors import MicrosizeError
from ._exact import clean_money
from ._inputs import (
    FloatArray,
    Numeric,
    describe,
)
from ._kind import is_inverse, side_from_stop, value_at
from ._liquidation import (
    beyond_stop,
    check_basis,
    liquidation_of,
)
from ._margin import max_leverage
from ._tiers import TierLike, schedule_of, spec_label

__all__ = ["LiquidationCheck", "leverage_warning", "liquidation_check"]


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


def _price_text(x: float, tick: float | None) -> str:
    """A price in a warning: to the contract's tick (0.1 -> one decimal), as MF_LIQ_CHECK
    and the command line's price rows show it; ten significant digits without a tick."""
    if tick is None or not math.isfinite(tick) or tick <= 0:
        return number_text(x)
    digits = format(Decimal(repr(float(tick))).normalize(), "f")  # 0.1 -> "0.1", 5 -> "5"
    places = len(digits.partition(".")[2])
    return f"{x:,.{min(10, places)}f}"


def leverage_warning(
    leverage: float, top: float | None, words: str = "the contract's maximum {}"
) -> str | None:
    """The warning for a leverage above ``top`` (None: no known maximum), or None.

    >>> leverage_warning(200, 100)
    "leverage 200 is above the contract's maximum 100"
    """
    if top is None or leverage <= top * (1 + 1e-12):
        return None
    return f"leverage {number_text(leverage)} is above {words.format(number_text(top))}"


def _liquidation_of_one(
    e: float,
    st: float,
    c: float,
    lev: float,
    wb: float,
    m: float,
    a: float,
    spec: ContractSpec,
    table: SpecTable,
    tiers: Any,
    basis: str | None,
) -> tuple[float, float, bool, list[str], float]:
    """Liquidation price, the highest leverage that keeps it beyond the stop, whether the
    position is liquidated at once, the warnings about both, and the leverage the venue
    allows for this size (inf: unknown), for one checked trade (NaN: not given)."""
    one = [np.asarray([x]) for x in (e, c, lev, wb, m, a)]
    liq = liquidation_of(
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
    key: Any = spec.key if spec.exchange else spec.contract_size
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
    long = side_from_stop(e, st) > 0
    if (lp >= e) if long else (lp <= e):
        said = [
            f"the position would be liquidated at once: its margin "
            f"{number_text(float(liq.wallet[0]))} is below the maintenance margin "
            f"{number_text(float(clean_money(liq.mm_at_entry)[0]))}"
        ]
        return lp, best, True, said, float(liq.allowed[0])
    said = []
    if not bool(beyond_stop(np.asarray(lp), np.asarray(st), long)):
        hint = (
            f"at most {number_text(best)}x keeps it beyond the stop"
            if best >= 1
            else "no leverage keeps it beyond the stop"
        )
        said.append(
            f"liquidation at {_price_text(lp, spec.tick_size)} comes before the stop at "
            f"{_price_text(st, spec.tick_size)}; {hint}"
        )
    return lp, best, False, said, float(liq.allowed[0])


def _trade_inputs(
    entry: Any, stop: Any, contracts: Any, leverage: Any, equity: Any
) -> tuple[float, float, float, float, float]:
    """One trade's numbers, checked in the order a user reads them; the signed
    contracts must be on the side the stop says (below entry: a long, positive)."""
    why = ": one trade is checked"
    e = single(entry, "entry", why)
    st = single(stop, "stop", why)
    e, st = float(positive(e, "entry")), float(positive(st, "stop"))
    distinct(np.asarray(e), np.asarray(st))
    c = single(contracts, "contracts", why)
    lev = float(positive(single(leverage, "leverage", why), "leverage"))
    eq = float(positive(single(equity, "equity", why), "equity"))
    long = side_from_stop(e, st) > 0
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
    return e, st, c, lev, eq


def _one(check: Callable[[Any, str], FloatArray], value: Any, name: str) -> float:
    """A single-cell optional argument of one trade, validated by ``check``."""
    return float(check(single(value, name, ": one trade is checked"), name))


def liquidation_check(
    entry: Numeric,
    stop: Numeric,
    contracts: Numeric,
    leverage: Numeric,
    contract: ContractLike,
    equity: Numeric,
    specs: SpecsLike = None,
    *,
    wallet_balance: Numeric | None = None,
    mmr: Numeric | None = None,
    maint_amount: Numeric | None = None,
    tiers: TierLike | None = None,
    mm_basis: str | None = None,
    warn_unknown: bool = True,
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
    warn_unknown : bool, default True
        Whether a liquidation price unknown for want of maintenance data is a warning.

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
    ['liquidation at 57,228.9 comes before the stop at 57,000.0; at most 18x keeps it beyond the stop']
    """
    e, st, c, lev, eq = _trade_inputs(entry, stop, contracts, leverage, equity)
    wb = math.nan if wallet_balance is None else _one(nonneg, wallet_balance, "wallet_balance")
    m = math.nan if mmr is None else _one(fraction, mmr, "mmr")
    a = math.nan if maint_amount is None else _one(nonneg, maint_amount, "maint_amount")
    basis = check_basis(mm_basis)
    table = as_spec_table(specs)
    ca = resolve_contracts(contract, table)
    spec = ca.single
    if spec is None:
        raise MicrosizeError("contract must be a single contract, not a range of different ones")
    q = abs(c) * spec.contract_size
    # the initial margin as MF_SIZE's Margin row shows it: the notional cut to 12 digits
    # (as MF_NOTIONAL), divided by the leverage, cut again
    note = float(clean_money(np.asarray(value_at(is_inverse(spec), q, e))))
    im = float(clean_money(np.asarray(note / lev)))
    warnings: list[str] = []
    lp: float | None = None
    best: float | None = None
    at_once = False
    top = spec.max_leverage
    top_words = "the contract's maximum {}"
    known = not math.isnan(m) or schedule_of(spec, tiers) is not None
    if c != 0 and not known:
        if warn_unknown:
            warnings.append(
                f"liquidation price unknown: {spec_label(spec)} has no maintenance-margin data "
                "(pass mmr)"
            )
    elif c != 0:
        lp, best, at_once, said, allowed = _liquidation_of_one(
            e, st, c, lev, wb, m, a, spec, table, tiers, basis
        )
        warnings.extend(said)
        if math.isfinite(allowed) and (top is None or allowed < top):
            top, top_words = allowed, "the maximum {} for this position's size"
    if im > eq:
        warnings.append(f"margin {number_text(im)} exceeds the account {number_text(eq)}")
    over = leverage_warning(lev, top, top_words)
    if over:
        warnings.append(over)
    return LiquidationCheck(
        liq_price=lp, margin=im, max_leverage=best, warnings=warnings, at_once=at_once
    )
