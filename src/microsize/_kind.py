"""A contract's kind (linear, inverse, quanto) and the unit arithmetic that depends on it.

The one place that knows what a kind means for a position of ``Q = |contracts| x
contract_size`` (underlying units for linear and quanto, USD face value for inverse):

=========  ==========================  ==========================  ===================
kind       value at price P            coin quantity at entry E    money (settlement)
=========  ==========================  ==========================  ===================
linear     Q P  (quote)                Q                           quote currency
inverse    Q / P  (coin)               Q / E                       the coin
quanto     Q P  (settlement coin)      Q                           settlement coin
=========  ==========================  ==========================  ===================

The functions take the kind as a flag (``inverse``: a bool or a boolean array) or as a
code array (:data:`~microsize._spec_types.KIND_CODE`, as in
:class:`~microsize._resolve.ContractArrays`) and work on floats, arrays or
:class:`fractions.Fraction` alike.

References
----------
ccxt "Market structure" (linear, inverse, contractSize); Binance FAQ "Leverage and Margin
of USDⓈ-M Futures" and "... of COIN-M Futures".
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from ._spec_types import KIND_CODE, ContractSpec

__all__ = [
    "INVERSE",
    "LINEAR",
    "average_entry",
    "breakeven_exit",
    "coin_quantity",
    "contracts_for_coins",
    "exit_for_gain",
    "exit_for_roi",
    "fee_per_size",
    "inverse_mask",
    "is_inverse",
    "price_move",
    "quote_value",
    "settle_name",
    "side_from_stop",
    "stop_move",
    "unit_loss",
    "unit_loss_exact",
    "unit_pnl_exact",
    "value_at",
]

LINEAR, INVERSE = KIND_CODE["linear"], KIND_CODE["inverse"]


def is_inverse(spec: ContractSpec) -> bool:
    """True for an inverse contract (money in the coin, size in USD face value)."""
    return spec.kind == "inverse"


def inverse_mask(kind: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Per element of a kind-code array: is that contract inverse?"""
    return np.asarray(np.asarray(kind) == INVERSE, dtype=np.bool_)


def value_at(inverse: Any, q: Any, price: Any) -> Any:
    """Value of a position of ``q`` (= |contracts| x contract_size) at ``price`` in the
    settlement currency: ``q / price`` for inverse, ``q x price`` otherwise.

    >>> value_at(False, 0.01, 60000), value_at(True, 100, 50000)
    (600.0, 0.002)
    """
    if isinstance(inverse, bool | np.bool_):
        return q / price if inverse else q * price
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(inverse, q / price, q * price)


def quote_value(inverse: Any, q: Any, price: Any) -> Any:
    """Value of ``q`` in the quote currency (USD): ``q x price``, or for an inverse
    contract its face value ``q`` itself, which does not move with the price (the unit a
    beta hedge counts; Hull, "Hedging using index futures").

    >>> quote_value(False, 0.1, 60000), quote_value(True, 100, 60000)
    (6000.0, 100)
    """
    if isinstance(inverse, bool | np.bool_):
        return q if inverse else q * price
    return np.where(inverse, q, q * price)


def coin_quantity(inverse: bool, q: Any, entry: Any) -> Any:
    """The position in the underlying coin at ``entry``: ``q / entry`` for inverse (face
    value in USD), ``q`` otherwise (quanto: settlement coin per point of price).

    >>> coin_quantity(True, 1000.0, 50000.0)
    0.02
    """
    return q / entry if inverse else q


def settle_name(spec: ContractSpec) -> str:
    """The settlement currency's name, or what it is when the spec does not say."""
    return spec.settle or ("quote currency" if spec.kind == "linear" else "settlement currency")


def average_entry(inverse: Any, quantity: Any, value: Any) -> Any:
    """The average entry of fills whose sizes sum to ``quantity`` and whose values at
    their prices (:func:`value_at`) sum to ``value``: ``value / quantity`` (quantity-
    weighted), inverse ``quantity / value`` (harmonic: weighted by size over price).

    >>> average_entry(False, 2, 300), average_entry(True, 2.0, 1 / 100 + 1 / 200)
    (150.0, 133.33333333333334)
    """
    return quantity / value if inverse else value / quantity


def price_move(kind: Any, e: Any, x: Any) -> Any:
    """What one unit of contract size gains, long, from ``e`` to ``x``, before fees, in
    the settlement currency: ``X - E`` (linear, quanto), ``1/E - 1/X`` (inverse: coin).
    ``kind`` is one kind code or an array of them.

    >>> float(price_move(LINEAR, 100.0, 110.0)), float(price_move(INVERSE, 100.0, 200.0))
    (10.0, 0.005)
    """
    if isinstance(kind, int):
        return 1.0 / e - 1.0 / x if kind == INVERSE else x - e
    return np.where(inverse_mask(kind), 1.0 / e - 1.0 / x, x - e)


def stop_move(kind: Any, distance: Any, e: Any, s: Any) -> Any:
    """The loss per unit of contract size before fees when the price moves ``distance``
    (= ``|E - S|``, however it was computed) from entry ``e`` to stop ``s``: the distance
    itself (linear, quanto), ``distance / (E S)`` = ``|1/S - 1/E|`` (inverse).

    >>> float(stop_move(LINEAR, 70.0, 3520.0, 3450.0)), float(stop_move(INVERSE, 1.0, 1.0, 2.0))
    (70.0, 0.5)
    """
    if isinstance(kind, int):
        return distance / (e * s) if kind == INVERSE else distance
    return np.where(np.asarray(kind) == INVERSE, distance / (e * s), distance)


def exit_for_gain(inverse: bool, side: Any, e: Any, f: Any, gain: Any) -> Any:
    """The exit price at which one unit of contract size of a ``side`` position (+1 long,
    -1 short) entered at ``e`` gains ``gain`` after a fee ``f`` on both sides (the inverse
    of :func:`unit_pnl_exact`): linear and quanto, long ``(E (1 + f) + g) / (1 - f)``, short
    ``(E (1 - f) - g) / (1 + f)``; inverse, long ``1 / (((1 - f)/E - g) / (1 + f))``, short
    ``1 / (((1 + f)/E + g) / (1 - f))``.

    One trade (a number ``side``: floats or fractions) gives None where no price does
    (a reciprocal or a price at or below 0); arrays give NaN there.

    >>> exit_for_gain(False, 1, 100.0, 0.0, 10.0), exit_for_gain(True, 1, 100.0, 0.0, 0.005)
    (110.0, 200.0)
    """
    if isinstance(side, int | float):
        if inverse:
            inv = ((1 - f) / e - gain) / (1 + f) if side > 0 else ((1 + f) / e + gain) / (1 - f)
            return None if inv <= 0 else 1 / inv
        t = (e * (1 + f) + gain) / (1 - f) if side > 0 else (e * (1 - f) - gain) / (1 + f)
        return None if t <= 0 else t
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if inverse:
            inv = np.where(side > 0, ((1 - f) / e - gain) / (1 + f), ((1 + f) / e + gain) / (1 - f))
            return np.where(inv > 0, 1 / inv, np.nan)
        return np.where(side > 0, (e * (1 + f) + gain) / (1 - f), (e * (1 - f) - gain) / (1 + f))


def exit_for_roi(inverse: bool, side: Any, e: Any, f: Any, m: Any) -> Any:
    """The exit price that returns ``m`` (= ROI / leverage) on a position entered at
    ``e``, after a fee ``f`` on both sides: linear and quanto, long
    ``E (1 + f + m) / (1 - f)``, short ``E (1 - f - m) / (1 + f)``; inverse, long
    ``E (1 + f) / (1 - f - m)``, short ``E (1 - f) / (1 + f + m)``.

    One trade (a number ``side``: floats or fractions) is computed as is; arrays give NaN
    where an inverse denominator is at or below 0 (no price returns that much).

    >>> exit_for_roi(False, 1, 100.0, 0.0, 0.5), exit_for_roi(True, -1, 100.0, 0.0, 1.0)
    (150.0, 50.0)
    """
    if isinstance(side, int | float):
        if inverse:
            return e * (1 + f) / (1 - f - m) if side > 0 else e * (1 - f) / (1 + f + m)
        return e * (1 + f + m) / (1 - f) if side > 0 else e * (1 - f - m) / (1 + f)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if inverse:
            den = np.where(side > 0, 1 - f - m, 1 + f + m)
            return np.where(den > 0, e * np.where(side > 0, 1 + f, 1 - f) / den, np.nan)
        return np.where(side > 0, e * (1 + f + m) / (1 - f), e * (1 - f - m) / (1 + f))


def breakeven_exit(kind: Any, side: Any, e: Any, fo: Any, fc: Any) -> Any:
    """The exit price at which a ``side`` position (+1 long, -1 short; arrays) entered at
    ``e`` nets zero after an opening fee ``fo`` and a closing fee ``fc``: linear and
    quanto, long ``E (1 + fo) / (1 - fc)``, short ``E (1 - fo) / (1 + fc)``; inverse, long
    ``E (1 + fc) / (1 - fo)``, short ``E (1 - fc) / (1 + fo)``. ``kind``: kind codes.

    >>> float(breakeven_exit(np.asarray(LINEAR), np.asarray(1.0), 3000.0, 0.0005, 0.0005))
    3003.001500750375
    """
    lin = np.where(side > 0, e * (1 + fo) / (1 - fc), e * (1 - fo) / (1 + fc))
    inv = np.where(side > 0, e * (1 + fc) / (1 - fo), e * (1 - fc) / (1 + fo))
    return np.where(inverse_mask(kind), inv, lin)


def contracts_for_coins(inverse: bool, coins: Any, price: Any, size: Any) -> Any:
    """How many contracts of size ``size`` hold ``coins`` of the underlying at ``price``:
    ``coins / size``, inverse (size in USD face value) ``coins x price / size``; the
    converse of :func:`coin_quantity` (floats, arrays or fractions).

    >>> contracts_for_coins(False, 0.1, 60000.0, 0.01), contracts_for_coins(True, 0.1, 60000.0, 100)
    (10.0, 60.0)
    """
    return coins * price / size if inverse else coins / size


def fee_per_size(kind: Any, e: Any, s: Any, f: Any) -> Any:
    """Fees of both sides per unit of contract size (docs/CONVENTIONS.md, Fees): ``f`` of
    the notional at entry ``e`` and again at exit ``s``: ``f (E + S)``, inverse
    ``f (1/E + 1/S)``. ``kind`` is one kind code or an array of them.

    >>> round(float(fee_per_size(LINEAR, 3520.0, 3450.0, 0.0005)), 6)
    3.485
    """
    if isinstance(kind, int):
        return f * (1.0 / e + 1.0 / s) if kind == INVERSE else f * (e + s)
    return np.where(inverse_mask(kind), f * (1.0 / e + 1.0 / s), f * (e + s))


def unit_loss(kind: Any, size: Any, e: Any, s: Any, f: Any) -> npt.NDArray[np.float64]:
    """Loss of one order unit (contract size ``size``) entered at ``e`` and stopped at
    ``s``, fee rate ``f`` on both sides, in the settlement currency: linear and quanto
    ``k (|E - S| + f (E + S))``, inverse ``k (|1/S - 1/E| + f (1/E + 1/S))``. ``kind`` is
    one kind code (only its branch is computed) or an array of them.

    >>> float(unit_loss(LINEAR, 0.001, 3520.0, 3450.0, 0.0))
    0.07
    """
    if isinstance(kind, int):  # one contract: compute its branch only
        move = np.abs(1.0 / s - 1.0 / e) if kind == INVERSE else np.abs(e - s)
    else:
        move = np.where(inverse_mask(kind), np.abs(1.0 / s - 1.0 / e), np.abs(e - s))
    return np.asarray(size * (move + fee_per_size(kind, e, s, f)), dtype=np.float64)


def unit_loss_one(kind: int, size: float, e: float, s: float, f: float) -> float:
    """:func:`unit_loss` of one contract on Python floats: the same operations in the same
    order, so the same double (one cell of a worksheet, sized without numpy's cost per
    call; see ``microsize._one_cell``).

    >>> unit_loss_one(LINEAR, 0.001, 3520.0, 3450.0, 0.0)
    0.07
    """
    if kind == INVERSE:
        return size * (abs(1.0 / s - 1.0 / e) + f * (1.0 / e + 1.0 / s))
    return size * (abs(e - s) + f * (e + s))


def unit_loss_exact(inverse: bool, k: Fraction, e: Fraction, s: Fraction, f: Fraction) -> Fraction:
    """:func:`unit_loss` for one contract in exact fractions.

    >>> unit_loss_exact(True, Fraction(100), Fraction(50000), Fraction(40000), Fraction(0))
    Fraction(1, 2000)
    """
    if inverse:
        return k * (abs(1 / s - 1 / e) + f * (1 / e + 1 / s))
    return k * (abs(e - s) + f * (e + s))


def unit_pnl_exact(
    inverse: bool, k: Fraction, side: int, e: Fraction, x: Fraction, f: Fraction
) -> Fraction:
    """PnL of one order unit of a ``side`` (+1 long, -1 short) position from ``e`` to
    ``x``, both fees deducted: linear and quanto ``k (side (X - E) - f (E + X))``,
    inverse ``k (side (1/E - 1/X) - f (1/E + 1/X))``."""
    if inverse:
        return k * (side * (1 / e - 1 / x) - f * (1 / e + 1 / x))
    return k * (side * (x - e) - f * (e + x))


def side_from_stop(entry: Any, stop: Any) -> Any:
    """The side a stop implies: +1.0 (long) where the stop is below the entry, -1.0
    (short) where it is above (docs/CONVENTIONS.md, Side); floats in, a float out, arrays
    in, an array out. A stop equal to the entry is refused before this is asked.

    >>> side_from_stop(3520.0, 3450.0), side_from_stop(np.array([10.0, 10.0]), np.array([9.0, 11.0]))
    (1.0, array([ 1., -1.]))
    """
    if isinstance(entry, float | int) and isinstance(stop, float | int):
        return 1.0 if stop < entry else -1.0
    return np.where(np.asarray(stop) < np.asarray(entry), 1.0, -1.0)
