"""Scale-in ladders and scale-out plans: the seed scenario, outside examples, invariants."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import microsize as ms
from microsize import ContractSpec, MicrosizeError
from microsize.udfs import MF_LADDER, MF_LADDER_PRICES, MF_SCALE_OUT, MF_WEIGHTS

from .strategies import contracts_keys, decimals, fees, spec_of, unit_loss
from .strategies import typed_decimal as F


# ------------------------------------------------------------------ seed scenario
def test_seed_30_40_30_scale_in_eth_micro() -> None:
    """$30 budget, ETH micro of 0.001 ETH, 30/40/30 at 3,520 / 3,500 / 3,480, stop 3,450.

    Derived by hand: one ladder contract split 0.3/0.4/0.3 loses
    0.3 x 0.07 + 0.4 x 0.05 + 0.3 x 0.03 = $0.05, so $30 buys 600: 180 / 240 / 180, losing
    12.60 + 12.00 + 5.40 = $30.00 exactly if all fill and the stop is hit.
    """
    rows = MF_LADDER(30, [[3520], [3500], [3480]], 3450, 0.001, [[30], [40], [30]])
    assert rows[0] == [
        "Entry",
        "Weight",
        "Contracts",
        "Cum contracts",
        "Avg entry",
        "Cum risk",
        "Note",
    ]
    assert [r[2] for r in rows[1:]] == [180.0, 240.0, 180.0]
    assert [r[3] for r in rows[1:]] == [180.0, 420.0, 600.0]
    assert [r[5] for r in rows[1:]] == [12.6, 24.6, 30.0]
    assert rows[2][4] == pytest.approx((180 * 3520 + 240 * 3500) / 420, rel=1e-15)
    assert rows[3][4] == 3500.0
    assert [r[1] for r in rows[1:]] == [0.3, 0.4, 0.3]
    assert {r[6] for r in rows[1:]} == {"ok"}
    # the same ladder in Binance's unit (ETH, lot 0.001) and with 0.05% fees stays within $30
    lad = ms.ladder(30, [3520, 3500, 3480], 3450, "binance:ETHUSDT", [0.3, 0.4, 0.3], 0.0005)
    assert lad.total_risk <= 30
    assert lad.contracts == (0.168, 0.225, 0.168)


def test_ladder_hands_out_leftover_steps_in_documented_order() -> None:
    """CME MET (0.1 ETH, whole contracts): lots lose $7 / $5 / $3. The share gives 1.8 / 2.4 /
    1.8 -> 1 / 2 / 1 ($20); $10 is left: the first leg is furthest below its share (1/0.3,
    tie with the third, earlier wins) and takes one ($7); only the third still fits ($3)."""
    lad = ms.ladder(30, [3520, 3500, 3480], 3450, "cme:MET", [30, 40, 30])
    assert lad.contracts == (2.0, 2.0, 2.0)
    assert lad.cum_risk == (14.0, 24.0, 30.0)


def test_ladder_short_and_inverse_average_entry_is_harmonic() -> None:
    lad = ms.ladder(0.01, [60000, 61000, 62000], 64000, "bybit:BTCUSD")
    assert lad.side == -1
    q = [F(c) for c in lad.contracts]
    prices = [F(p) for p in lad.entries]
    assert F(lad.avg_entry[-1]) == pytest.approx(
        sum(q) / sum(a / b for a, b in zip(q, prices, strict=True))
    )
    assert lad.total_risk <= 0.01


def test_ladder_reports_legs_below_minimum() -> None:
    """A venue with minimum 5 lots: a leg that would get 2 is emptied and said so."""
    specs = [
        ["exchange", "symbol", "kind", "contract_size", "lot_step", "min_qty"],
        ["test", "MIN5", "linear", 1, 1, 5],
    ]
    lad = ms.ladder(100, [100, 95], 90, "test:MIN5", [90, 10], specs=specs)
    assert lad.contracts[1] == 0.0
    assert "below minimum 5" in lad.notes[1]
    assert lad.contracts[0] == 10.0  # its share went to the first leg: 10 x $10 = $100
    assert lad.total_risk == 100.0
    assert ms.ladder(0.5, [100, 95], 90, 1.0).notes == (
        "budget too small for one lot step here",
        "budget too small for one lot step here",
    )


def test_ladder_zero_weight_leg_is_empty() -> None:
    lad = ms.ladder(30, [3520, 3500, 3480], 3450, 0.001, [1, 0, 1])
    assert lad.contracts[1] == 0.0
    assert lad.notes[1] == "weight 0"


# --------------------------------------------------------------------- scale-out
def test_scale_out_thirds_mbt() -> None:
    """10 contracts in thirds: floor gives 3/3/3, the tenth goes to the first target.
    PnL per MBT contract is 0.1 BTC x the move: 2,000 -> $200 (derived from the CME spec)."""
    rows = MF_SCALE_OUT(10, 60000, 58000, [[62000, 64000, 66000]], "cme:MBT")
    assert rows[0] == ["Target", "Weight", "Contracts", "PnL", "Cum PnL", "R", "Note"]
    assert [r[2] for r in rows[1:]] == [4.0, 3.0, 3.0]
    assert [r[3] for r in rows[1:]] == [800.0, 1200.0, 1800.0]
    assert [r[4] for r in rows[1:]] == [800.0, 2000.0, 3800.0]
    assert [r[5] for r in rows[1:]] == [1.0, 2.0, 3.0]


def test_scale_out_short_with_fees() -> None:
    plan = ms.scale_out(0.5, 3000, 3100, [2900, 2800], "binance:ETHUSDT", [1, 1], 0.0005)
    assert plan.side == -1
    assert plan.contracts == (0.25, 0.25)
    # short 0.25 ETH from 3,000 to 2,900: 25 USDT, minus 0.05% of 750 and of 725
    assert plan.pnl[0] == pytest.approx(25 - 0.0005 * (750 + 725), abs=1e-12)
    assert plan.r[0] == pytest.approx((100 - 0.0005 * 5900) / (100 + 0.0005 * 6100), rel=1e-12)


def test_scale_out_flags_leg_below_minimum() -> None:
    plan = ms.scale_out(0.2, 60000, 59000, [61000, 62000, 63000], "okx:BTC-USDT-SWAP")
    assert plan.contracts == (0.1, 0.1, 0.0)
    assert plan.notes[2] == "0 contracts"


# ------------------------------------------------------------------ prices, weights
def test_ladder_prices_even_geometric_and_tick() -> None:
    assert MF_LADDER_PRICES(3520, 3480, 3) == [[3520.0], [3500.0], [3480.0]]
    assert ms.ladder_prices(100, 400, 3, "geometric").tolist() == [100.0, 200.0, 400.0]
    # 4 even levels between 3,521.3 and 3,480 on Binance ETHUSDT's 0.01 tick
    assert ms.ladder_prices(3521.3, 3480, 4, None, "binance:ETHUSDT").tolist() == [
        3521.3,
        3507.53,
        3493.77,
        3480.0,
    ]
    # geometric: 60,000 x (50,000 / 60,000)^(i/4), to the nearest $5 tick
    expected = [round(60000 * (50000 / 60000) ** (i / 4) / 5) * 5 for i in range(5)]
    assert ms.ladder_prices(60000, 50000, 5, "geometric", 5).tolist() == expected


def test_weights_presets() -> None:
    assert MF_WEIGHTS(3) == [[1 / 3], [1 / 3], [1 / 3]]
    assert ms.ladder_weights(4, "pyramid").tolist() == [0.4, 0.3, 0.2, 0.1]
    assert ms.ladder_weights(4, "increasing").tolist() == [0.1, 0.2, 0.3, 0.4]


# -------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (
            lambda: ms.ladder(30, [3520, 3400], 3450, 0.001),
            "entries must all be on one side of the stop 3450",
        ),
        (
            lambda: ms.ladder(30, [3520, 3450], 3450, 0.001),
            "entries must differ from stop at item 2 (got stop=3450, entries=3450)",
        ),
        (
            lambda: ms.ladder(30, [3520, 3500], 3450, 0.001, [1, -1]),
            "weights must be zero or more at item 2 (got -1)",
        ),
        (lambda: ms.ladder(30, [3520, 3500], 3450, 0.001, [0, 0]), "weights must not all be zero"),
        (
            lambda: ms.ladder(30, [3520, 3500], 3450, 0.001, [1, 2, 3]),
            "weights has 3 cells but entries has 2",
        ),
        (lambda: ms.ladder(30, [[3520, 3500], [3480, 3470]], 3450, 0.001), "one row or one column"),
        (lambda: ms.ladder(-1, [3520], 3450, 0.001), "risk_amount must be zero or more (got -1)"),
        (lambda: ms.ladder(30, [3520, None], 3450, 0.001), "entries has an empty cell"),
        (lambda: ms.ladder(30, [3520], [3450, 3440], 0.001), "stop must be a single cell"),
        (lambda: ms.ladder(30, [3520], 3450, "cme:NOPE"), "unknown contract"),
        (lambda: MF_LADDER(30, [[3520]], 3450, 0.001, None, "x"), "fee_rate must be a number"),
        (
            lambda: ms.scale_out(10, 60000, 58000, [62000, 59000], "cme:MBT"),
            "targets must be above the entry",
        ),
        (
            lambda: ms.scale_out(10, 60000, 62000, [61000], "cme:MBT"),
            "targets must be below the entry",
        ),
        (
            lambda: ms.scale_out(0.4285, 3000, 2900, [3100], "binance:ETHUSDT"),
            "multiple of the lot step 0.001",
        ),
        (
            lambda: ms.scale_out(0, 3000, 2900, [3100], "binance:ETHUSDT"),
            "contracts must be positive",
        ),
        (
            lambda: ms.scale_out(1, 3000, 3000, [3100], "binance:ETHUSDT"),
            "stop must differ from entry",
        ),
        (
            lambda: ms.scale_out(1, 3000, 2900, [3100, 3200], 1.0, [1]),
            "weights has 1 cells but targets has 2",
        ),
        (lambda: ms.ladder_prices(100, 200, 2.5), "legs must be a whole number"),
        (lambda: ms.ladder_prices(100, 100, 3), "last_price must differ"),
        (lambda: ms.ladder_prices(100, 200, 3, "log"), "spacing must be even or geometric"),
        (lambda: ms.ladder_prices(100, 100.5, 5, None, 1), "closer than one tick"),
        (lambda: ms.ladder_prices(100, 200, 3, None, "cme:BFF"), "cme:BFF has no tick_size"),
        (lambda: ms.ladder_weights(3, "random"), "preset must be equal, pyramid or increasing"),
        (lambda: ms.ladder_weights(0), "legs must be a whole number from 1"),
    ],
)
def test_bad_input(call: Any, needle: str) -> None:
    with pytest.raises(MicrosizeError) as info:
        call()
    assert needle in str(info.value)


# -------------------------------------------------------------------- invariants
@st.composite
def ladders(draw: st.DrawFn) -> tuple[float, list[float], float, object, list[float], float]:
    stop = draw(decimals("100", "100000", 2))
    side = draw(st.sampled_from([1, -1]))
    n = draw(st.integers(1, 6))
    gaps = draw(st.lists(decimals("0.01", "0.2", 4), min_size=n, max_size=n, unique=True))
    entries = [float(F(stop) * (1 + side * F(g))) for g in gaps]
    entries = [round(e, 2) for e in entries]
    assume(all(e > 0 and e != stop for e in entries))
    weights = draw(
        st.lists(st.integers(0, 50), min_size=n, max_size=n).filter(lambda w: sum(w) > 0)
    )
    budget = draw(decimals("0", "50000", 2))
    return budget, entries, stop, draw(contracts_keys), [float(w) for w in weights], draw(fees)


@settings(max_examples=300, deadline=None)
@given(ladders())
def test_ladder_never_over_budget_and_no_leg_can_take_one_more_step(
    case: tuple[float, list[float], float, object, list[float], float],
) -> None:
    budget, entries, stop, contract, weights, fee = case
    spec = spec_of(contract)
    lad = ms.ladder(budget, entries, stop, contract, weights, fee)
    step, min_qty = F(spec.lot_step), F(spec.min_qty)
    losses = [unit_loss(spec, e, stop, fee) for e in entries]
    qty = [F(c) for c in lad.contracts]
    total = sum((q * L for q, L in zip(qty, losses, strict=True)), Fraction(0))
    assert total <= F(budget)
    for q, L, w in zip(qty, losses, weights, strict=True):
        assert (q / step).denominator == 1  # a multiple of the lot step
        assert q == 0 or q >= min_qty
        if w > 0:  # one more step (or the minimum, from 0) would break the budget
            more = step if q > 0 else min_qty
            assert total + more * L > F(budget)
    # cumulative columns are consistent with the legs
    for i in range(len(entries)):
        assert F(lad.cum_contracts[i]) == sum(qty[: i + 1], Fraction(0))
        cum = sum((q * L for q, L in zip(qty[: i + 1], losses[: i + 1], strict=True)), Fraction(0))
        assert abs(F(lad.cum_risk[i]) - cum) <= Fraction(1, 10**12) * max(1, cum)


@settings(max_examples=100, deadline=None)
@given(ladders(), st.integers(2, 9))
def test_ladder_weights_are_scale_free(
    case: tuple[float, list[float], float, object, list[float], float], factor: int
) -> None:
    budget, entries, stop, contract, weights, fee = case
    a = ms.ladder(budget, entries, stop, contract, weights, fee)
    b = ms.ladder(budget, entries, stop, contract, [w * factor for w in weights], fee)
    assert a == b


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 10_000),
    st.sampled_from(
        ["cme:MBT", "binance:ETHUSDT", "okx:BTC-USDT-SWAP", "deribit:BTC-PERPETUAL", 0.001]
    ),
    st.lists(st.integers(0, 40), min_size=1, max_size=8).filter(lambda w: sum(w) > 0),
    st.sampled_from([1, -1]),
)
def test_scale_out_legs_sum_exactly(
    lots: int, contract: object, weights: list[int], side: int
) -> None:
    spec = spec_of(contract)
    c = float(lots * F(spec.lot_step))
    entry, stop = 50000.0, 50000.0 - side * 1000
    targets = [entry + side * 500 * (i + 1) for i in range(len(weights))]
    plan = ms.scale_out(c, entry, stop, targets, contract, weights)
    legs = [F(q) for q in plan.contracts]
    assert sum(legs) == F(c)
    shares = [Fraction(w, sum(weights)) for w in weights]
    for q, share in zip(legs, shares, strict=True):
        assert (q / F(spec.lot_step)).denominator == 1
        ideal = share * F(c)
        assert (
            ideal - F(spec.lot_step) < q <= ideal + F(spec.lot_step)
        )  # within one step of its share
    assert plan.cum_pnl[-1] == pytest.approx(sum(plan.pnl), rel=1e-12, abs=1e-12)
    assert all(r > 0 for r, w in zip(plan.r, weights, strict=True))
    # weights are scale-free
    assert ms.scale_out(c, entry, stop, targets, contract, [w * 3 for w in weights]) == plan


# --------------------------------------------------------------- outside examples
def test_leftover_goes_to_the_first_target_ninjatrader_rule() -> None:
    """NinjaTrader ATM strategies: "The quantity left over after distribution is always
    allocated to the first target" (FlowBots support article on ATM target distribution).
    10 contracts at 33/33/34: floors 3/3/3, the tenth to the first target."""
    plan = ms.scale_out(10, 60000, 58000, [61000, 62000, 63000], "cme:MBT", [33, 33, 34])
    assert plan.contracts == (4.0, 3.0, 3.0)


def test_scale_out_mattswick() -> None:
    """mattswick.com "Scaling Out of a Pullback Trade": long 100 shares at $10.00, stop $9.80;
    "25 shares sold at $10.20; $5.00 profited", "50 shares sold at $10.40; $20.00 profited";
    the last 25 go at the $11.00 target (5R): $25 (derived)."""
    plan = ms.scale_out(100, 10.00, 9.80, [10.20, 10.40, 11.00], 1.0, [25, 50, 25])
    assert plan.contracts == (25.0, 50.0, 25.0)
    assert plan.pnl == pytest.approx((5.0, 20.0, 25.0), abs=1e-12)
    assert plan.r == pytest.approx((1.0, 2.0, 5.0), abs=1e-12)


def test_scale_out_journalplus() -> None:
    """journalplus.co glossary "Scaling Out": long 150 shares at 2,800, stop 2,700; sell 50 at
    2,950 = +7,500, 50 at 3,100 = +15,000, final 50 at 3,200 = +20,000; total 42,500."""
    plan = ms.scale_out(150, 2800, 2700, [2950, 3100, 3200], 1.0)
    assert plan.contracts == (50.0, 50.0, 50.0)
    assert plan.pnl == (7500.0, 15000.0, 20000.0)
    assert plan.cum_pnl[-1] == 42500.0
    assert plan.r == (1.5, 3.0, 4.0)


def test_scale_out_r_blend_babypips() -> None:
    """babypips "How To Calculate Risk For Split Trades": short 1.5316, stop 1.5563 (247
    pips), T1 1.5069 (1R), T2 1.4930 (386 pips = 1.56R); half at each: 0.5R + 0.78R = 1.28R."""
    plan = ms.scale_out(2, 1.5316, 1.5563, [1.5069, 1.4930], 1.0)
    assert plan.side == -1
    assert plan.r[0] == pytest.approx(1.0, rel=1e-9)
    assert plan.r[1] == pytest.approx(386 / 247, rel=1e-9)
    assert 0.5 * plan.r[0] + 0.5 * plan.r[1] == pytest.approx(1.28, abs=0.005)


def test_ladder_average_entry_gain_optimizer_30_40_30() -> None:
    """gain-optimizer.com scaling tutorial: 30% at 2,650, 40% at 2,645, 30% at 2,640; "Only
    1+2 fill: Average 2647"; all three: 2,645 (the page's table; its text's 2644.5 is a slip).
    A stop at 2,600 makes one 30/40/30 unit lose 45, so a budget of 4,500 buys exactly
    30/40/30 (derived)."""
    lad = ms.ladder(4500, [2650, 2645, 2640], 2600, 1.0, [30, 40, 30])
    assert lad.contracts == (30.0, 40.0, 30.0)
    assert lad.avg_entry[1] == pytest.approx(2647.14, abs=0.005)
    assert lad.avg_entry[2] == 2645.0
    assert lad.total_risk == 4500.0


def test_average_entry_freqtrade_position_adjust() -> None:
    """freqtrade docs, "Position adjust calculations": buy 100@8 and 100@9 -> 8.5; after
    selling 100, buy 150@11 -> 10 (exits do not move the average)."""
    assert ms.avg_entry([8, 9], [100, 100]) == 8.5
    assert ms.avg_entry([8.5, 11], [100, 150]) == 10.0
    lad = ms.ladder(1000, [9, 8], 7, 1.0)
    assert lad.avg_entry[-1] == pytest.approx(
        8.5 if lad.contracts[0] == lad.contracts[1] else lad.avg_entry[-1]
    )


@pytest.mark.parametrize(
    ("first", "last", "legs", "spacing", "expected", "source"),
    [
        (1800, 800, 3, "even", [1800, 1300, 800], "Pionex grid bot: arithmetic 1800 / 1300 / 800"),
        (1800, 800, 3, "geometric", [1800, 1200, 800], "Pionex grid bot: geometric, ratio 1.5"),
        (
            2000,
            3000,
            11,
            "even",
            [2000 + 100 * i for i in range(11)],
            "c9s/bbgo grid2 test: spread 100",
        ),
        (100, 500, 101, "even", [100 + 4 * i for i in range(101)], "c9s/bbgo grid2 test: spread 4"),
    ],
)
def test_grid_bot_spacing(
    first: float, last: float, legs: int, spacing: str, expected: list[float], source: str
) -> None:
    assert ms.ladder_prices(first, last, legs, spacing).tolist() == pytest.approx(
        expected, rel=1e-12
    ), source


def test_geometric_grid_jordantete() -> None:
    """jordantete/grid_trading_bot test_grid_manager: 1,000 to 2,000 in 10 geometric levels,
    ratio 2^(1/9): the second level is 1080.059738892306."""
    prices = ms.ladder_prices(1000, 2000, 10, "geometric")
    assert prices[1] == pytest.approx(1080.059738892306, rel=1e-15)
    assert prices[-1] == 2000.0
    assert all(
        b / a == pytest.approx(2 ** (1 / 9), rel=1e-12) for a, b in itertools.pairwise(prices)
    )


# ------------------------------------------------------- the hand-out, one step a round
def reference_ladder(
    budget: float, entries: list[float], stop: float, spec: ContractSpec, weights: list[float]
) -> list[Fraction]:
    """The ladder exactly as its docstring states it, one lot step per round (slow).

    Shares ``Q w_i`` floored to lot steps; legs below the minimum emptied and the shares
    recomputed; then each round one lot step (a leg at 0: its minimum) to the leg with
    the smallest steps / weight, ties to the earlier entry, among the legs it still fits.
    """
    w = [F(x) / sum(F(y) for y in weights) for x in weights]
    step = F(spec.lot_step)
    min_steps = -((-F(spec.min_qty)) // step)
    cost = [unit_loss(spec, e, stop, 0.0) * step for e in entries]
    n = len(entries)
    active = [x > 0 for x in w]
    steps = [0] * n
    while True:
        per_q = sum((w[i] * cost[i] for i in range(n) if active[i]), Fraction(0))
        if per_q == 0:
            break
        steps = [int((F(budget) / per_q * w[i]) // 1) if active[i] else 0 for i in range(n)]
        short = [i for i in range(n) if active[i] and steps[i] < min_steps]
        if not short:
            break
        for i in short:
            active[i], steps[i] = False, 0
    left = F(budget) - sum((steps[i] * cost[i] for i in range(n)), Fraction(0))
    while True:
        fits = [
            (Fraction(steps[i]) / w[i], i)
            for i in range(n)
            if w[i] > 0 and (1 if steps[i] else min_steps) * cost[i] <= left
        ]
        if not fits:
            break
        _, i = min(fits)
        give = 1 if steps[i] else int(min_steps)
        steps[i] += give
        left -= give * cost[i]
    return [st * step for st in steps]


@settings(max_examples=150, deadline=None)
@given(ladders())
def test_ladder_hands_out_as_documented_one_step_per_round(
    case: tuple[float, list[float], float, object, list[float], float],
) -> None:
    budget, entries, stop, contract, weights, _ = case
    spec = spec_of(contract)
    assume(budget / float(unit_loss(spec, entries[0], stop, 0.0) * F(spec.lot_step)) < 5000)
    lad = ms.ladder(budget, entries, stop, contract, weights)
    assert [F(c) for c in lad.contracts] == reference_ladder(budget, entries, stop, spec, weights)


def test_many_legs_hand_out_as_documented() -> None:
    """300 legs close to the stop (lot-step costs 1 to 300 apart): hundreds of rounds."""
    entries = [3451 + i * 0.25 for i in range(300)]
    weights = [float(1 + i % 7) for i in range(300)]
    spec = ms.load_specs()["binance:ETHUSDT"]
    for budget in (7.5, 300, 12345.67):
        lad = ms.ladder(budget, entries, 3450, "binance:ETHUSDT", weights)
        assert [F(c) for c in lad.contracts] == reference_ladder(
            budget, entries, 3450, spec, weights
        )


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (
            lambda: ms.ladder(9.99e307, [3520, 3500], 3450, 0.001),
            "numbers out of range: check risk_amount (got 9.99e+307), entries and stop",
        ),
        (
            lambda: ms.scale_out(9.99e307, 60000, 58000, [62000, 64000], "cme:MBT"),
            "numbers out of range: check contracts (got 9.99e+307)",
        ),
        (
            lambda: ms.scale_out(10, 1e-300, 1e-301, [9.99e307], 1.0),
            "entry, stop and targets",
        ),
    ],
)
def test_exact_results_too_large_for_floats_are_refused(call: Any, needle: str) -> None:
    """The exact fractions hold any size; a float cannot: a message, not OverflowError."""
    with pytest.raises(MicrosizeError) as info:
        call()
    assert needle in str(info.value)
