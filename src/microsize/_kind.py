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
    "coin_quantity",
    "fee_per_size",
    "inverse_mask",
    "is_inverse",
    "quote_value",
    "settle_name",
    "side_from_stop",
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


def coin_quantity(inverse: bool, q: float, entry: float) -> float:
    """The position in the underlying coin at ``entry``: ``q / entry`` for inverse (face
    value in USD), ``q`` otherwise (quanto: settlement coin per point of price).

    >>> coin_quantity(True, 1000.0, 50000.0)
    0.02
    """
    return q / entry if inverse else q


def settle_name(spec: ContractSpec) -> str:
    """The settlement currency's name, or what it is when the spec does not say."""
    return spec.settle or ("quote currency" if spec.kind == "linear" else "settlement currency")


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
