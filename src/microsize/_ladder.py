"""Scale-in ladders under one risk budget and scale-out plans (their prices and weights:
:mod:`microsize._ladder_grid`).

A ladder is a handful of legs, so every quantity here is computed with exact fractions of
the decimals the user typed: the whole ladder, filled and stopped, never loses a cent more
than the budget, and the cumulative columns are exact too.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import Any

import numpy as np

from ._checks import check, distinct, nonneg, number_text, single
from ._checks import fee as _fee
from ._checks import positive as _positive
from ._contracts import ContractLike, ContractSpec, SpecsLike
from ._errors import MicrosizeError
from ._exact import clean_multiple, exact
from ._inputs import (
    FloatArray,
    Numeric,
    as_float_array,
    describe,
    is_missing,
)
from ._kind import (
    average_entry,
    is_inverse,
    side_from_stop,
    unit_loss_exact,
    unit_pnl_exact,
    value_at,
)
from ._sizing import one_contract

__all__ = [
    "LADDER_HEADER",
    "SCALE_OUT_HEADER",
    "Ladder",
    "ScaleOut",
    "ladder",
    "scale_out",
]

LADDER_HEADER = ("Entry", "Weight", "Contracts", "Cum contracts", "Avg entry", "Cum risk", "Note")
SCALE_OUT_HEADER = ("Target", "Weight", "Contracts", "PnL", "Cum PnL", "R", "Note")
OK = "ok"


# ------------------------------------------------------------------------ inputs
def _levels(value: Any, name: str) -> FloatArray:
    """A list of prices from one row or one column (or a Python sequence)."""
    arr = as_float_array(value, name)
    if arr.ndim == 2 and 1 not in arr.shape:
        raise MicrosizeError(
            f"{name} must be one row or one column (got {arr.shape[0]} rows x {arr.shape[1]} columns)"
        )
    return arr.reshape(-1)


def _weights(weights: Any, n: int, what: str) -> list[Fraction]:
    """Weights as exact shares summing to 1; any positive scale (30/40/30 or 0.3/0.4/0.3)."""
    if weights is None or is_missing(weights):
        return [Fraction(1, n)] * n
    w = _levels(weights, "weights")
    if w.size != n:
        raise MicrosizeError(
            f"weights has {w.size} cells but {what} has {n}: give one weight per level"
        )
    check("weights", "zero or more", w, w < 0)
    total = sum(exact(float(x)) for x in w)
    if total == 0:
        raise MicrosizeError("weights must not all be zero")
    return [exact(float(x)) / total for x in w]


def _side_of(entries: FloatArray, stop: float, name: str) -> int:
    """The one side of every entry (+1 long: entries above the stop), by the stop."""
    stops = np.full_like(entries, stop)
    distinct(stops, entries, "stop", name)
    sides = side_from_stop(entries, stops)
    if np.any(sides != sides[0]):
        raise MicrosizeError(
            f"{name} must all be on one side of the stop {describe(stop)}: above it for a long, "
            f"below it for a short (got {describe(float(entries.min()))} to {describe(float(entries.max()))})"
        )
    return int(sides[0])


def _avg(spec: ContractSpec, qty: list[Fraction], prices: list[Fraction]) -> Fraction | None:
    total = sum(qty, Fraction(0))
    if total == 0:
        return None
    inverse = is_inverse(spec)
    value = sum((value_at(inverse, q, p) for q, p in zip(qty, prices, strict=True)), Fraction(0))
    avg: Fraction = average_entry(inverse, total, value)
    return avg


def _clean(x: Fraction, step: float) -> float:
    return float(clean_multiple(np.asarray(float(x / exact(step))), np.asarray(step)))


# ------------------------------------------------------------------------ scale-in
@dataclass(frozen=True)
class Ladder:
    """A sized scale-in ladder: one row per entry, in the order given.

    ``cum_contracts``, ``avg_entry`` and ``cum_risk`` answer "what if only the first k legs
    fill and the stop is hit?"; ``avg_entry`` is None before the first filled leg.
    """

    side: int
    entries: tuple[float, ...]
    weights: tuple[float, ...]
    contracts: tuple[float, ...]
    cum_contracts: tuple[float, ...]
    avg_entry: tuple[float | None, ...]
    cum_risk: tuple[float, ...]
    notes: tuple[str, ...]

    @property
    def total_contracts(self) -> float:
        return self.cum_contracts[-1]

    @property
    def total_risk(self) -> float:
        return self.cum_risk[-1]

    def rows(self) -> list[list[Any]]:
        """Header row and one row per leg, as MF_LADDER spills them."""
        out: list[list[Any]] = [list(LADDER_HEADER)]
        for i in range(len(self.entries)):
            avg = self.avg_entry[i]
            out.append(
                [
                    self.entries[i],
                    self.weights[i],
                    self.contracts[i],
                    self.cum_contracts[i],
                    "none filled" if avg is None else avg,
                    self.cum_risk[i],
                    self.notes[i],
                ]
            )
        return out


# Long on purpose: the MF_LADDER algorithm in its documented steps: shares, floor, leftover hand-out, cumulative columns.
def ladder(
    risk_amount: Numeric,
    entries: Numeric,
    stop: Numeric,
    contract: ContractLike,
    weights: Numeric | None = None,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> Ladder:
    """Size a scale-in ladder: several entries, one stop, one risk budget.

    Parameters
    ----------
    risk_amount : float
        Budget in the settlement currency for the whole ladder, filled and stopped.
    entries : sequence of float
        Entry prices, all above the stop (long) or all below it (short).
    stop : float
        The one stop for every leg.
    contract : str or float
        Contract key or linear contract size (see :func:`microsize.contracts`).
    weights : sequence of float, optional
        Shares of quantity per entry, any positive scale (30/40/30 or 0.3/0.4/0.3);
        equal if omitted. A weight of 0 leaves that entry empty.
    fee_rate : float, optional
        Fee per side as a fraction of notional (entry at each entry, exit at the stop).
    specs : optional
        A spec table (see :func:`microsize.contracts`).

    Returns
    -------
    Ladder
        Legs that are multiples of the lot step whose total loss at the stop, fees
        included, is at most ``risk_amount``.

    Notes
    -----
    With per-unit losses ``L_i`` (fees included) and shares ``w_i``, the unrounded size is
    ``Q = budget / sum(w_i L_i)`` and leg ``i`` gets ``floor(Q w_i / step)`` lot steps.
    A leg below the venue's minimum order quantity is emptied and reported in its Note
    (never dropped silently); its share goes to the others. The lot steps the budget still
    pays for are then handed out one at a time, each to the leg furthest below its share
    (smallest steps / weight; ties to the earlier entry) among the legs one more step still
    fits, until no leg can take one more step. So the ladder never exceeds the budget, and
    one more lot step on any leg with a weight would.

    Examples
    --------
    The seed's 30/40/30 scale-in on an ETH micro of 0.001 ETH, $30 to a 3,450 stop:

    >>> lad = ladder(30, [3520, 3500, 3480], 3450, 0.001, [30, 40, 30])
    >>> lad.contracts, lad.total_risk
    ((180.0, 240.0, 180.0), 30.0)
    """
    budget = float(nonneg(single(risk_amount, "risk_amount"), "risk_amount"))
    s = single(_positive(stop, "stop"), "stop")
    e = _positive(_levels(entries, "entries"), "entries")
    side = _side_of(e, s, "entries")
    fee = (
        0.0 if fee_rate is None else single(_fee(fee_rate, "fee_rate"), "fee_rate", " for a ladder")
    )
    spec = one_contract(contract, specs)
    n = e.size
    w = _weights(weights, n, "entries")
    E = [exact(float(x)) for x in e]
    S, F, B = exact(s), exact(fee), exact(budget)
    step = exact(spec.lot_step)
    min_steps = -((-exact(spec.min_qty)) // step)  # ceil(min_qty / step)
    cost = [
        unit_loss_exact(is_inverse(spec), exact(spec.contract_size), Ei, S, F) * step for Ei in E
    ]  # loss of one lot step per leg

    steps = [0] * n
    active = [wi > 0 for wi in w]
    notes = [OK if wi > 0 else "weight 0" for wi in w]
    while True:  # drop legs the budget cannot fill to the minimum, share the rest again
        per_q = sum((w[i] * cost[i] for i in range(n) if active[i]), Fraction(0))
        if per_q == 0:
            break
        q_star = B / per_q  # lot steps of the whole ladder, unrounded
        steps = [floor(q_star * w[i]) if active[i] else 0 for i in range(n)]
        short = [i for i in range(n) if active[i] and steps[i] < min_steps]
        if not short:
            break
        for i in short:
            active[i] = False
            steps[i] = 0
            notes[i] = (
                f"below minimum {number_text(spec.min_qty)}: its share went to the other legs"
                if min_steps > 1
                else "budget too small for one lot step here"
            )
    remaining = B - sum((steps[i] * cost[i] for i in range(n)), Fraction(0))
    for i in hand_out(steps, w, cost, remaining, int(min_steps)):
        notes[i] = OK

    qty = [st * step for st in steps]
    cum_q: list[Fraction] = []
    cum_r: list[Fraction] = []
    avgs: list[Fraction | None] = []
    tq, tr, tv = Fraction(0), Fraction(0), Fraction(0)  # running quantity, risk, value
    for i in range(n):  # running sums: one pass, exact
        tq += qty[i]
        tr += steps[i] * cost[i]
        if qty[i]:
            tv += value_at(is_inverse(spec), qty[i], E[i])
        cum_q.append(tq)
        cum_r.append(tr)
        avgs.append(None if tq == 0 else average_entry(is_inverse(spec), tq, tv))
    with _in_range(f"check risk_amount (got {describe(budget)}), entries and stop"):
        return Ladder(
            side=side,
            entries=tuple(float(x) for x in e),
            weights=tuple(float(x) for x in w),
            contracts=tuple(_clean(q, spec.lot_step) for q in qty),
            cum_contracts=tuple(_clean(q, spec.lot_step) for q in cum_q),
            avg_entry=tuple(None if a is None else float(a) for a in avgs),
            cum_risk=tuple(float(r) for r in cum_r),
            notes=tuple(notes),
        )


@contextmanager
def _in_range(hint: str) -> Iterator[None]:
    """Exact fractions can outgrow floats (a budget of 1e307 over a cent's distance):
    their conversion then fails with a message that says what to check."""
    try:
        yield
    except (OverflowError, ZeroDivisionError):
        raise MicrosizeError(f"numbers out of range: {hint}") from None


def hand_out(
    steps: list[int], w: list[Fraction], cost: list[Fraction], remaining: Fraction, min_steps: int
) -> list[int]:
    """Hand out the lot steps ``remaining`` still pays for; returns the legs that got some.

    One lot step at a time (a leg at 0 takes its minimum in one go) to the leg furthest
    below its share, smallest ``steps / weight`` first, ties to the earlier entry, among
    the legs one more step still fits. A heap keeps that order; a leg that does not fit
    never fits again (the budget only shrinks), so it leaves the heap for good; and a leg
    ahead of every other takes, in one go, the steps it would take one by one until its
    share passes the next leg's. The result is the same as handing out one step per round.
    """
    heap = [(Fraction(steps[i]) / w[i], i) for i in range(len(steps)) if w[i] > 0]
    heapq.heapify(heap)
    given: list[int] = []
    rounds = 0

    def fits(i: int) -> bool:
        return (1 if steps[i] else min_steps) * cost[i] <= remaining

    while heap:
        rounds += 1
        if rounds > 2 * len(heap) + 8 and heap[0][0] > 0:
            # many single steps in a row (legs far above a minimum of many lot steps,
            # sharing a budget of many more): give every step below one level at once
            rounds = 0
            paid = _steps_below_level(heap, steps, w, cost, remaining)
            if paid:
                remaining -= paid
                heap = [(Fraction(steps[i]) / w[i], i) for _, i in heap]
                heapq.heapify(heap)
        _, i = heapq.heappop(heap)
        if not fits(i):
            continue  # the budget only shrinks: this leg is out for good
        if steps[i] == 0:
            extra = min_steps
            given.append(i)
        else:
            while heap and not fits(heap[0][1]):
                heapq.heappop(heap)
            room = int(remaining // cost[i])  # steps this leg alone could still take
            if not heap:
                extra = room
            else:
                key, j = heap[0]
                bound = key * w[i]  # this leg keeps the lead while steps < bound
                last = floor(bound) if i < j else -floor(-bound) - 1
                extra = max(1, min(room, last - steps[i] + 1))
        steps[i] += extra
        remaining -= extra * cost[i]
        heapq.heappush(heap, (Fraction(steps[i]) / w[i], i))
    return given


def _steps_below_level(
    heap: list[tuple[Fraction, int]],
    steps: list[int],
    w: list[Fraction],
    cost: list[Fraction],
    remaining: Fraction,
) -> Fraction:
    """Give, in one go, every lot step the one-at-a-time hand-out would give next while
    their total still fits ``remaining``; returns what they cost (``steps`` is updated).

    The hand-out gives leg ``j`` its next step when ``steps_j / w_j`` is the smallest, so
    the steps it gives first are those whose ``(steps_j + m) / w_j`` lies below some level
    ``k``: ``ceil(k w_j - steps_j)`` steps of leg ``j`` (legs already above ``k`` none).
    Where their total cost is within ``remaining`` every one of them fits when its turn
    comes, so giving them at once is the same as giving them one by one. ``k`` is the
    highest level whose upper bound ``sum cost_j (k w_j - steps_j + 1)`` is within
    ``remaining``: what is left after it is less than about one step of every leg, so the
    hand-out ends in a few rounds per leg whatever ``min_qty / lot_step`` is.
    Every leg in ``heap`` has at least one step.
    """
    legs = sorted(heap)
    a = b = Fraction(0)
    level = legs[0][0]
    for t, (key, j) in enumerate(legs):
        a += cost[j] * w[j]
        b += cost[j] * (1 - steps[j])
        cand = (remaining - b) / a  # the bound equals remaining here, legs 0..t counted
        nxt = legs[t + 1][0] if t + 1 < len(legs) else None
        if nxt is None or cand <= nxt:
            level = max(cand, key)
            break
    extra = {j: max(0, math.ceil(level * w[j] - steps[j])) for _, j in legs}
    paid = sum((cost[j] * n for j, n in extra.items()), Fraction(0))
    if paid > remaining:  # pragma: no cover - the bound above rules it out
        return Fraction(0)
    for j, n in extra.items():
        steps[j] += n
    return paid


# ------------------------------------------------------------------------ scale-out
@dataclass(frozen=True)
class ScaleOut:
    """A scale-out plan: one row per target; ``r`` is the leg's PnL per unit over the
    position's loss per unit at the stop (fees included), the target's R multiple."""

    side: int
    targets: tuple[float, ...]
    weights: tuple[float, ...]
    contracts: tuple[float, ...]
    pnl: tuple[float, ...]
    cum_pnl: tuple[float, ...]
    r: tuple[float, ...]
    notes: tuple[str, ...]

    def rows(self) -> list[list[Any]]:
        """Header row and one row per target, as MF_SCALE_OUT spills them."""
        out: list[list[Any]] = [list(SCALE_OUT_HEADER)]
        for i in range(len(self.targets)):
            out.append(
                [
                    self.targets[i],
                    self.weights[i],
                    self.contracts[i],
                    self.pnl[i],
                    self.cum_pnl[i],
                    self.r[i],
                    self.notes[i],
                ]
            )
        return out


# Long on purpose: the MF_SCALE_OUT algorithm in its documented steps: shares, floor, hand-out from the first target, PnL columns.
def scale_out(
    contracts: Numeric,
    entry: Numeric,
    stop: Numeric,
    targets: Numeric,
    contract: ContractLike,
    weights: Numeric | None = None,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> ScaleOut:
    """Split a position across take-profit targets.

    Parameters
    ----------
    contracts : float
        The position in the venue's order unit, a multiple of the lot step (> 0).
    entry, stop : float
        Entry and stop; the side comes from the stop (below entry = long).
    targets : sequence of float
        Exit prices on the profit side of the entry.
    contract : str or float
        Contract key or linear contract size.
    weights : sequence of float, optional
        Shares of the position per target, any positive scale; equal if omitted.
    fee_rate : float, optional
        Fee per side as a fraction of notional (entry and each exit).
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled (or user) table when omitted.

    Returns
    -------
    ScaleOut
        Legs that sum exactly to ``contracts``.

    Notes
    -----
    Each leg is ``floor(w_i x contracts / step)`` lot steps; the lot steps left over (fewer
    than the number of targets) are handed out one at a time from the first target on,
    skipping targets of weight 0. Leg PnL is ``q_i x`` the unit PnL at the target, fees
    on both sides deducted; ``R`` is that unit PnL over the unit loss at the stop.

    Examples
    --------
    Ten MBT contracts in thirds: 3 lots each, the tenth to the first target.

    >>> scale_out(10, 60000, 58000, [62000, 64000, 66000], "cme:MBT").contracts
    (4.0, 3.0, 3.0)
    """
    c = single(contracts, "contracts")
    e = single(_positive(entry, "entry"), "entry")
    s = single(_positive(stop, "stop"), "stop")
    distinct(np.asarray(e), np.asarray(s))
    side = int(side_from_stop(e, s))
    t = _positive(_levels(targets, "targets"), "targets")
    wrong = (t <= e) if side > 0 else (t >= e)
    if np.any(wrong):
        i = int(np.argmax(wrong))
        where = "above" if side > 0 else "below"
        raise MicrosizeError(
            f"targets must be {where} the entry {describe(e)} for a "
            f"{'long' if side > 0 else 'short'} (got {describe(float(t[i]))} at item {i + 1})"
        )
    fee = 0.0 if fee_rate is None else single(_fee(fee_rate, "fee_rate"), "fee_rate")
    spec = one_contract(contract, specs)
    step = exact(spec.lot_step)
    if c <= 0:
        raise MicrosizeError(
            f"contracts must be positive: the side comes from the stop (got {describe(c)})"
        )
    total = exact(c) / step
    if total.denominator != 1:
        raise MicrosizeError(
            f"contracts must be a multiple of the lot step {number_text(spec.lot_step)} of {spec.key or 'the contract'} "
            f"(got {describe(c)})"
        )
    n = t.size
    w = _weights(weights, n, "targets")
    steps = [floor(total * wi) for wi in w]
    left = int(total) - sum(steps)
    for i in range(n):  # from the first target on, one lot step each
        if left == 0:
            break
        if w[i] > 0:
            steps[i] += 1
            left -= 1
    E, S, F = exact(e), exact(s), exact(fee)
    T = [exact(float(x)) for x in t]
    risk_unit = unit_loss_exact(is_inverse(spec), exact(spec.contract_size), E, S, F)
    k = exact(spec.contract_size)
    unit = [unit_pnl_exact(is_inverse(spec), k, side, E, Ti, F) for Ti in T]
    legs = [st * step * u for st, u in zip(steps, unit, strict=True)]
    min_qty = exact(spec.min_qty)
    notes = [
        f"below minimum {number_text(spec.min_qty)}: merge it into another target"
        if 0 < st * step < min_qty
        else (OK if st else "0 contracts")
        for st in steps
    ]
    cum: list[Fraction] = []
    for x in legs:  # running sum: one pass
        cum.append(x + cum[-1] if cum else x)
    with _in_range(f"check contracts (got {describe(c)}), entry, stop and targets"):
        return ScaleOut(
            side=side,
            targets=tuple(float(x) for x in t),
            weights=tuple(float(x) for x in w),
            contracts=tuple(_clean(st * step, spec.lot_step) for st in steps),
            pnl=tuple(float(x) for x in legs),
            cum_pnl=tuple(float(x) for x in cum),
            r=tuple(float(u / risk_unit) for u in unit),
            notes=tuple(notes),
        )
