"""The MF_SIZE table: one trade sized in full, with its margin, liquidation and warnings.

It sits above :mod:`microsize._sizing` (the count) and :mod:`microsize._margin` (margin,
liquidation, leverage) and is the only module that composes MF_SIZE's rows and Warnings;
each warning is written once, by the function named beside it below.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._checks import account, fee, fraction, nonneg, number_text, one_cell, positive
from ._contracts import DEFAULT_MAX_SPEC_AGE_DAYS, ContractLike, ContractSpec, SpecsLike
from ._errors import MicrosizeError, TooManyStepsError
from ._exact import clean_money
from ._inputs import Numeric, Slippage, as_float_array, describe
from ._kind import coin_quantity, is_inverse, quote_value, settle_name, side_from_stop
from ._liq_check import leverage_warning, liquidation_check
from ._loss import inverse_loss_in_usd
from ._sizing import Sizing, notional, one_contract, risk_amount, sizing
from ._trade import big_risk_warning, notional_warning, spec_as_of, tick_warning

__all__ = ["SIZE_LABELS", "size_trade"]

#: The rows of the MF_SIZE table, in order.
SIZE_LABELS = (
    "Contract",
    "Side",
    "Currency",
    "Risk budget",
    "Contracts",
    "Quantity",
    "Notional",
    "Risk at stop",
    "Risk at stop (USD)",
    "Stop fill",
    "Risk %",
    "Unused budget",
    "Fees",
    "Leverage",
    "Margin",
    "Liquidation price",
    "Max leverage",
    "Spec as of",
    "Warnings",
)


@dataclass(frozen=True)
class _Trade:
    """MF_SIZE's arguments, checked, as single numbers."""

    budget: float
    equity: float
    risk: float
    entry: float
    stop: float
    fill: float  # the price the stop fills at (the stop itself without slippage)
    leverage: float
    leverage_given: bool
    fee_rate: Any
    mmr: Any
    maint_amount: Any
    spec: ContractSpec
    key: Any  # the contract as the vectorised functions take it
    specs: Any
    sizing: Sizing


def _single_cells(**named: Any) -> dict[str, Any]:
    """Each argument as one value: MF_SIZE sizes one trade, a range is refused."""
    return {name: one_cell(v, name, ": MF_SIZE sizes one trade") for name, v in named.items()}


def _trade(named: dict[str, Any], contract: Any, specs: Any) -> _Trade:
    """Check MF_SIZE's arguments in the order a user reads them."""
    budget = float(risk_amount(named["equity"], named["risk"]))
    eq = float(account(named["equity"], "equity"))
    r = float(as_float_array(named["risk"], "risk"))
    mmr, maint_amount = named["mmr"], named["maint_amount"]
    # checked even when no position needs them: an error value there is a mistake
    if mmr is not None:
        fraction(mmr, "mmr")
    if maint_amount is not None:
        nonneg(maint_amount, "maint_amount")
    spec = one_contract(contract, specs)
    leverage = named["leverage"]
    lev = 1.0 if leverage is None else float(positive(leverage, "leverage"))
    key: Any = spec.key if spec.exchange else spec.contract_size
    entry, stop, slippage = named["entry"], named["stop"], named["slippage"]
    if slippage is not None and not (isinstance(slippage, str) and slippage.strip() == ""):
        from ._targets import stop_fill  # the trader inputs build on sizing, like this table

        fill = float(stop_fill(stop, slippage, entry, key, specs))
    else:
        fill = float(positive(stop, "stop"))
    sz = sizing(budget, entry, fill, key, named["fee_rate"], specs)
    return _Trade(
        budget=budget,
        equity=eq,
        risk=r,
        entry=float(as_float_array(entry, "entry")),
        stop=float(as_float_array(stop, "stop")),
        fill=fill,
        leverage=lev,
        leverage_given=leverage is not None,
        fee_rate=named["fee_rate"],
        mmr=mmr,
        maint_amount=maint_amount,
        spec=spec,
        key=key,
        specs=specs,
        sizing=sz,
    )


def _size_warnings(t: _Trade, c: float, qty: float, note: float) -> list[str]:
    """Warnings about the size itself: below the minimum, budget too small, a risk typed
    as a per cent, a stop inside one tick, a notional beyond any venue's limit."""
    spec, sz, out = t.spec, t.sizing, []
    if bool(sz.below_min):
        raw = float(np.floor(t.budget / float(sz.unit_loss) / spec.lot_step) * spec.lot_step)
        out.append(
            f"below minimum size: the budget buys {number_text(raw)} but the minimum is "
            f"{number_text(spec.min_qty)}, so 0 contracts"
        )
    elif c == 0:
        lost = float(clean_money(np.asarray(spec.lot_step * float(sz.unit_loss))))
        out.append(
            f"budget too small: one lot step ({number_text(spec.lot_step)}) would lose "
            f"{number_text(lost)}"
        )
    usd = quote_value(is_inverse(spec), c * spec.contract_size, t.entry)
    for extra in (
        big_risk_warning(t.risk),
        tick_warning(t.entry, t.stop, spec.tick_size),
        notional_warning(usd, note, settle_name(spec)),
    ):
        if extra:
            out.append(extra)
    return out


def _margin_rows(t: _Trade, c: float) -> tuple[Any, Any, list[str]]:
    """Liquidation price, max leverage and the margin warnings (composed once, by
    :func:`~microsize.liquidation_check`, or :func:`~microsize._liq_check.leverage_warning`
    when there is no position)."""
    if c == 0:
        w = leverage_warning(t.leverage, t.spec.max_leverage)
        return "n/a: no position", "n/a: no position", [w] if w else []
    chk = liquidation_check(
        t.entry,
        t.fill,
        c * side_from_stop(t.entry, t.fill),
        t.leverage,
        t.key,
        t.equity,
        t.specs,
        mmr=t.mmr,
        maint_amount=t.maint_amount,
        # 1x by default: no maintenance data is not a threat worth a warning there
        warn_unknown=t.leverage_given,
    )
    liq: Any
    if chk.liq_price is None:
        liq = "unknown: no maintenance-margin data for this contract (pass mmr)"
    elif chk.at_once:
        liq = "at once: margin below maintenance"
    elif chk.liq_price == 0 or math.isinf(chk.liq_price):
        liq = "none: cannot be liquidated"
    else:
        liq = chk.liq_price
    max_lev = "unknown" if chk.max_leverage is None else chk.max_leverage
    return liq, max_lev, chk.warnings


def _usd_loss(t: _Trade, c: float) -> Any:
    """Risk at stop (USD): an inverse contract's coin loss valued at the fill price."""
    spec = t.spec
    if spec.kind == "inverse":
        f = 0.0 if t.fee_rate is None else float(fee(t.fee_rate, "fee_rate"))
        return inverse_loss_in_usd(c, spec.contract_size, t.entry, t.fill, f)
    settle = settle_name(spec)
    if spec.kind == "linear":
        return f"n/a: the risk is already in {settle}"
    return f"n/a: quanto, value the {settle} loss at the {settle} price"


def _all_finite(rows: list[list[Any]], t: _Trade) -> None:
    """No cell of the table is NaN or infinite: refuse with the arguments to check."""
    for label, value in rows:
        if isinstance(value, float) and not math.isfinite(value):
            if label == "Margin":  # notional is finite: the leverage divided it away
                raise MicrosizeError(
                    f"Margin is not a finite number: check leverage (got {describe(t.leverage)})"
                )
            raise MicrosizeError(
                f"{label} is not a finite number: check equity, entry and stop "
                f"(got equity {describe(t.equity)}, entry {describe(t.entry)}, "
                f"stop {describe(t.stop)})"
            )


def size_trade(
    equity: Numeric,
    risk: Numeric,
    entry: Numeric,
    stop: Numeric,
    contract: ContractLike,
    fee_rate: Numeric | None = None,
    leverage: Numeric | None = None,
    specs: SpecsLike = None,
    slippage: Slippage | None = None,
    *,
    today: dt.date | None = None,
    max_age_days: float = DEFAULT_MAX_SPEC_AGE_DAYS,
    mmr: Numeric | None = None,
    maint_amount: Numeric | None = None,
) -> list[list[Any]]:
    """One trade sized in full: rows of ``[label, value]`` (the MF_SIZE table).

    Rows: Contract, Side, Currency, Risk budget, Contracts, Quantity, Notional, Risk at
    stop, Risk at stop (USD), Stop fill, Risk %, Unused budget, Fees, Leverage, Margin,
    Liquidation price, Max leverage, Spec as of, Warnings. ``slippage`` (see
    :func:`~microsize.stop_fill`) sizes against the price the stop fills at, shown as Stop
    fill (the stop itself without slippage); Risk at stop is the loss there. For inverse
    contracts Risk at stop (USD) values the coin loss at that price. Quantity is the
    position in the underlying coin at entry (inverse: face value / entry; quanto:
    settlement coin per one point of price).

    Leverage defaults to 1 (1x, the position fully paid for): Margin is notional /
    leverage, and Liquidation price and Max leverage are computed at that leverage by
    :func:`~microsize.liquidation_check`, with ``mmr`` and ``maint_amount`` (keyword
    only) overriding the contract's margin tier. A liquidation price that the formula puts
    beyond the entry shows as "at once: margin below maintenance".

    Warnings name what threatens the trade: below the minimum size, liquidation before
    the stop or at once, margin above the account, leverage above the maximum, a risk
    per trade of 10% or more (probably 1 typed for 1%), a stop closer to entry than the
    contract's tick, a notional beyond any venue's position limit (1e10 in the quote
    currency). An equity above 1e12 is refused as a typing mistake.

    "Spec as of" shows the spec row's date; with ``today`` (the core never reads the
    clock: MF_SIZE and the command line pass the date) also its age, and past
    ``max_age_days`` a hint to refresh (see :func:`~microsize.spec_age_days`).

    Parameters
    ----------
    equity : float
        Account size in the settlement currency, > 0 and at most 1e12.
    risk : float
        Fraction of the account to risk, 0 to 1 (1.5% is 0.015).
    entry, stop : float
        Prices > 0; a stop below entry is a long, above a short.
    contract : str or float
        A key ``exchange:symbol`` (case-insensitive) or a positive number: a linear
        contract of that size.
    fee_rate : float, optional
        Fraction of notional per side (0 to 0.01); 0 when omitted.
    leverage : float, optional
        Leverage > 0 for Margin and the liquidation rows; 1 (1x) when omitted.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled (or user) table when omitted.
    slippage : float or str, optional
        Stop slippage: a fraction of the stop price, or ticks as text (``"2 ticks"``).
    today : datetime.date, optional
        The date, for the spec's age (the core never reads the clock).
    max_age_days : float, default 180
        Past this age the spec's row gets a hint to refresh.
    mmr, maint_amount : float, optional
        A maintenance margin rate in [0, 1) and amount in place of the contract's tier.

    Examples
    --------
    >>> dict(size_trade(2000, 0.015, 3520, 3450, 0.001))["Contracts"]
    428.0
    >>> import datetime as dt
    >>> rows = size_trade(1000, 0.01, 60000, 57000, "binance:BTCUSDT", today=dt.date(2026, 11, 22))
    >>> dict(rows)["Spec as of"]
    '2024-10-24 (759 days old, limit 180: check the venue or run microsize specs refresh)'
    >>> dict(size_trade(2000, 1, 3520, 3450, 0.001))["Warnings"].split("; ")[0]
    'risk 100% of equity per trade: for 1% type 1% or 0.01'
    """
    named = _single_cells(
        equity=equity,
        risk=risk,
        entry=entry,
        stop=stop,
        fee_rate=fee_rate,
        leverage=leverage,
        slippage=slippage,
        mmr=mmr,
        maint_amount=maint_amount,
    )
    try:
        t = _trade(named, contract, specs)
    except TooManyStepsError:  # the user typed equity and risk, not a risk_amount
        raise MicrosizeError(
            f"equity {describe(named['equity'])} buys more contracts than a number holds: "
            "check equity and stop"
        ) from None
    spec, sz = t.spec, t.sizing
    c = float(sz.contracts)
    qty = coin_quantity(is_inverse(spec), c * spec.contract_size, t.entry)
    note = float(notional(c, t.entry, t.key, specs))
    margin = float(clean_money(np.asarray(note / t.leverage)))
    loss = float(sz.loss)
    liq, max_lev, margin_warnings = _margin_rows(t, c)
    warnings = _size_warnings(t, c, qty, note) + margin_warnings
    if spec.exchange:
        contract_text = spec.key
    else:
        contract_text = f"{number_text(spec.contract_size)} units (linear)"
    values = (
        contract_text,
        "Long" if float(sz.side) > 0 else "Short",
        settle_name(spec),
        t.budget,
        c,
        float(clean_money(np.asarray(qty))),
        note,
        loss,
        _usd_loss(t, c),
        t.fill,
        float(clean_money(np.asarray(loss / t.equity))),
        float(clean_money(np.asarray(t.budget - loss))),
        float(sz.fees),
        t.leverage,
        margin,
        liq,
        max_lev,
        spec_as_of(spec, today, max_age_days),
        "; ".join(warnings) if warnings else "none",
    )
    rows = [[label, v] for label, v in zip(SIZE_LABELS, values, strict=True)]
    _all_finite(rows, t)
    return rows
