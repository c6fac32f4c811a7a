"""MF_LADDER's leftover hand-out gives what the one-step-per-round rule gives, in a time
that does not grow with min_qty / lot_step.

The rule (docs/CONVENTIONS.md, Rounding; :func:`microsize._ladder.ladder`): one lot step at
a time (a leg at 0 takes its minimum in one go) to the leg furthest below its share,
smallest ``steps / weight`` first, ties to the earlier entry, among the legs one more step
still fits, until none fits. The reference below does exactly that, one round per step;
the package gives many steps at once and must agree with it leg for leg.

The speed itself is measured in ``bench/bench_ladder.py`` (a Specs row with lot 1e-7 and
minimum 1), not timed here.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microsize import udfs as U
from microsize._ladder import hand_out


def reference(
    steps: list[int], w: list[Fraction], cost: list[Fraction], remaining: Fraction, min_steps: int
) -> list[int]:
    steps = list(steps)
    out = {i for i in range(len(w)) if w[i] == 0}
    while True:
        order = sorted((Fraction(steps[i]) / w[i], i) for i in range(len(w)) if i not in out)
        for _, i in order:
            need = (1 if steps[i] else min_steps) * cost[i]
            if need <= remaining:
                steps[i] += 1 if steps[i] else min_steps
                remaining -= need
                break
            out.add(i)  # the budget only shrinks: it never fits again
        else:
            return steps


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    legs=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=40),  # steps already given
            st.integers(min_value=0, max_value=9),  # weight
            st.integers(min_value=1, max_value=20),  # cost of one lot step
        ),
        min_size=1,
        max_size=6,
    ),
    budget_steps=st.integers(min_value=0, max_value=3000),
    min_steps=st.sampled_from([1, 1, 3, 25]),
)
def test_the_hand_out_gives_what_one_step_per_round_gives(
    legs: list[tuple[int, int, int]], budget_steps: int, min_steps: int
) -> None:
    steps = [s if s == 0 or s >= min_steps else min_steps for s, _, _ in legs]
    w = [Fraction(x) for _, x, _ in legs]
    cost = [Fraction(c, 7) for _, _, c in legs]
    remaining = Fraction(budget_steps, 7) + Fraction(1, 3)
    want = reference(steps, w, cost, remaining, min_steps)
    got = list(steps)
    hand_out(got, w, cost, remaining, min_steps)
    assert got == want


H = ["exchange", "symbol", "kind", "contract_size", "lot_step", "min_qty", "tick_size"]


def test_a_ladder_with_a_tiny_lot_and_a_minimum_of_one() -> None:
    """The fuzz run's slow case (1e-6: 1.7 s, 1e-7: 17.5 s): two legs share millions of
    lot steps after the third is emptied; legs stay multiples of the lot step, within
    the budget, and the same as with a hundred times fewer steps, scaled."""
    rows = {}
    for lot in (1e-5, 1e-7):
        specs = [H, ["my", "X", "linear", 1, lot, 1, 0.01]]
        rows[lot] = U.MF_LADDER(140, [[3520], [3500], [3480]], 3450, "my:X", None, None, specs)
    fine = rows[1e-7]
    assert [r[2] for r in fine[1:]] == [1.1666667, 1.1666666, 0.0]
    assert fine[-1][5] <= 140
    assert "below minimum 1" in fine[3][6]
    coarse = rows[1e-5]
    assert [r[2] for r in coarse[1:]] == [1.16667, 1.16666, 0.0]
