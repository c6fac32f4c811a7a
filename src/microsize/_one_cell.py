"""One trade of :func:`~microsize.contracts` on Python floats.

A worksheet whose table computes one row per formula calls ``contracts`` (MF_CONTRACTS)
once per cell, with single numbers. The vectorised path spends most of such a call on
numpy's cost per operation on 0-d arrays; here the same steps run on Python floats,
operation for operation (IEEE arithmetic gives the same double either way), and the
answer is the same float.

Only the plain case is answered here: numbers (no text, ranges or booleans) that pass
every check, one contract resolved without error, a lot count not within 1e-9 of a whole
step (those are recounted exactly) and a budget of at most 12 significant digits (a longer
one is checked against the loss it shows). Anything else returns ``None`` and the caller
takes the vectorised path, which gives every message and every exact recount.
``tests/test_speed.py`` holds the two paths to the same answers.
"""

from __future__ import annotations

import math
from typing import Any

from ._checks import MAX_FEE
from ._errors import MicrosizeError
from ._exact import clean_one, step_parts
from ._kind import unit_loss_one
from ._resolve import resolve_contracts
from ._spec_table import SpecTable
from ._spec_types import KIND_CODE

__all__ = ["contracts_of_one"]

_TOL = 1e-9  # as microsize._exact.count_steps


def _number(x: Any) -> float | None:
    """A finite float from a Python float or int (not a bool), else None."""
    if type(x) is not float and type(x) is not int:
        return None
    try:
        f = float(x)
    except OverflowError:
        return None
    return f if math.isfinite(f) else None


def contracts_of_one(
    risk_amount: Any, entry: Any, stop: Any, contract: Any, fee_rate: Any, specs: Any
) -> float | None:
    """``contracts(...)`` of one trade given as numbers, or None: use the vectorised path.

    The steps of :func:`microsize._sizing._lots` for one element: unit loss
    ``k (|E - S| + f (E + S))`` (inverse ``k (|1/S - 1/E| + f (1/E + 1/S))``), lot
    steps ``floor(budget / (unit x step))``, 0 below the minimum, the clean decimal
    ``n x step``.
    """
    b, e, s = _number(risk_amount), _number(entry), _number(stop)
    f = 0.0 if fee_rate is None else _number(fee_rate)
    if b is None or e is None or s is None or f is None:
        return None
    if not (b >= 0 and e > 0 and s > 0 and e != s and 0 <= f <= MAX_FEE):
        return None
    if specs is not None and not isinstance(specs, SpecTable):
        return None
    if type(contract) is not str and type(contract) is not float:
        return None
    try:
        spec = resolve_contracts(contract, specs).single
    except MicrosizeError:
        return None  # the vectorised path raises it, after its own checks
    if spec is None:  # pragma: no cover - one cell names one contract
        return None
    size, step = spec.contract_size, spec.lot_step
    unit = unit_loss_one(KIND_CODE[spec.kind], size, e, s, f)
    if not unit * step > 0:  # underflow to 0 (tiny prices): Python would divide by zero
        return None
    q = b / (unit * step)
    if not math.isfinite(q) or abs(q - round(q)) <= max(abs(q), 1.0) * _TOL:
        return None  # out of range, or near a whole step: counted exactly there
    if clean_one(b) != b:
        return None  # a budget of more than 12 digits: its shown loss is checked there
    n = float(math.floor(q))
    if n < float(math.ceil(spec.min_qty / step - 1e-9)):
        n = 0.0
    units, decimals = step_parts(float(step))
    qty = (n * units) / 10.0**decimals if units else n * step
    return qty + 0.0
