"""Invariants of sizing under Hypothesis, checked against an exact rational oracle."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import microsize as ms
from microsize import ContractSpec

from .strategies import budgets, contracts_keys, fees, prices, spec_of, trades, unit_loss
from .strategies import typed_decimal as F


def exact_loss(
    qty: Fraction, entry: float, stop: float, spec: ContractSpec, fee: float
) -> Fraction:
    """Loss at the stop with both fees, as docs/CONVENTIONS.md (Units, Fees) defines it."""
    return qty * unit_loss(spec, entry, stop, fee)


@settings(max_examples=400, deadline=None)
@given(trades())
def test_never_over_budget_and_maximal(trade: tuple[float, float, float, object, float]) -> None:
    budget, entry, stop, contract, fee = trade
    spec = spec_of(contract)
    n = ms.contracts(budget, entry, stop, contract, fee)
    q = F(n)
    step, min_qty = F(spec.lot_step), F(spec.min_qty)
    # a multiple of the lot step, and a clean decimal
    assert (q / step).denominator == 1
    assert n == float(q)
    # within budget, exactly
    assert exact_loss(q, entry, stop, spec, fee) <= F(budget)
    # maximal: one more lot step would break the budget, unless the minimum forced 0
    one_more = exact_loss(q + step, entry, stop, spec, fee)
    if q == 0 and exact_loss(step, entry, stop, spec, fee) <= F(budget):
        assert exact_loss(min_qty, entry, stop, spec, fee) > F(budget)
    else:
        assert one_more > F(budget)


@settings(max_examples=200, deadline=None)
@given(trades())
def test_reported_risk_matches_size(trade: tuple[float, float, float, object, float]) -> None:
    budget, entry, stop, contract, fee = trade
    n = ms.contracts(budget, entry, stop, contract, fee)
    r = ms.risk(n, entry, stop, contract, fee)
    spec = spec_of(contract)
    assert r <= budget
    assert abs(F(r) - exact_loss(F(n), entry, stop, spec, fee)) <= Fraction(1, 10**9) * max(1, F(r))


@settings(max_examples=150, deadline=None)
@given(trades(), fees)
def test_fees_and_smaller_budget_never_increase_size(
    trade: tuple[float, float, float, object, float], fee2: float
) -> None:
    budget, entry, stop, contract, fee = trade
    lo, hi = sorted([fee, fee2])
    assert ms.contracts(budget, entry, stop, contract, hi) <= ms.contracts(
        budget, entry, stop, contract, lo
    )
    assert ms.contracts(budget / 2, entry, stop, contract, fee) <= ms.contracts(
        budget, entry, stop, contract, fee
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(trades(), min_size=1, max_size=12))
def test_column_equals_cell_by_cell_and_inputs_untouched(
    rows: list[tuple[float, float, float, object, float]],
) -> None:
    cols = [list(c) for c in zip(*rows, strict=True)]
    arrays = [
        np.array(c, dtype=object if i == 3 else float).reshape(-1, 1) for i, c in enumerate(cols)
    ]
    copies = [a.copy() for a in arrays]
    lists = [[[v] for v in c] for c in cols]
    list_copies = [[list(r) for r in c] for c in lists]
    out_arr = ms.contracts(*arrays)
    out_list = ms.contracts(*lists)
    singles = [ms.contracts(*r) for r in rows]
    assert out_arr.shape == (len(rows), 1)
    assert out_arr.ravel().tolist() == singles
    assert np.asarray(out_list).ravel().tolist() == singles
    for a, c in zip(arrays, copies, strict=True):
        assert (a == c).all()
    assert lists == list_copies


LINEAR_BTC = [
    "cme:MBT",
    "cme:BTC",
    "binance:BTCUSDT",
    "okx:BTC-USDT-SWAP",
    "kraken:PF_XBTUSD",
    "coinbase:BIT",
]
INVERSE_BTC = [
    "binance:BTCUSD_PERP",
    "bybit:BTCUSD",
    "okx:BTC-USD-SWAP",
    "deribit:BTC-PERPETUAL",
    "bitmex:XBTUSD",
]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(-500, 500),
    st.sampled_from(LINEAR_BTC + INVERSE_BTC),
    st.sampled_from(LINEAR_BTC + INVERSE_BTC),
    prices,
)
def test_convert_is_nearest_lot_of_same_exposure(
    n_steps: int, src: str, dst: str, price: float
) -> None:
    s, d = ms.load_specs()[src], ms.load_specs()[dst]
    c = float(F(n_steps) * F(s.lot_step))
    out = ms.convert(c, src, dst, price)

    # exposure in BTC, exactly
    def btc(qty: Fraction, spec: ContractSpec) -> Fraction:
        k = F(spec.contract_size)
        return qty * k / F(price) if spec.kind == "inverse" else qty * k

    want = btc(F(c), s)
    got = btc(F(out), d)
    step_btc = btc(F(d.lot_step), d)
    assert (F(out) / F(d.lot_step)).denominator == 1
    assert abs(got - want) <= step_btc / 2
    # round trip between linear contracts whose steps nest exactly returns the start
    if (
        s.kind == d.kind == "linear"
        and (F(s.lot_step) * F(s.contract_size) / (F(d.lot_step) * F(d.contract_size))).denominator
        == 1
    ):
        assert ms.convert(out, dst, src, price) == c


@settings(max_examples=150, deadline=None)
@given(budgets, prices, prices, contracts_keys, fees)
def test_pnl_at_stop_is_minus_risk(
    budget: float, entry: float, stop: float, contract: object, fee: float
) -> None:
    if entry == stop:
        return
    n = ms.contracts(budget, entry, stop, contract, fee)
    side = 1 if stop < entry else -1
    loss = ms.risk(n, entry, stop, contract, fee)
    pnl = ms.pnl(side * n, entry, stop, contract, fee)
    assert abs(pnl + loss) <= 1e-9 * max(1.0, loss)


@settings(max_examples=150, deadline=None)
@given(prices, fees, fees, st.sampled_from(["long", "short"]), contracts_keys)
def test_breakeven_has_zero_pnl(
    entry: float, fo: float, fc: float, side: str, contract: object
) -> None:
    spec = spec_of(contract)
    if spec.kind == "quanto":
        return
    x = ms.breakeven(entry, side, fo, fc, contract)
    s = 1 if side == "long" else -1
    k = spec.contract_size
    if spec.kind == "inverse":
        gross = s * k * (1 / entry - 1 / x)
        fees_paid = k * (fo / entry + fc / x)
    else:
        gross = s * k * (x - entry)
        fees_paid = k * (fo * entry + fc * x)
    assert abs(gross - fees_paid) <= 1e-9 * k * max(entry, 1 / entry)


# ------------------------------------------- what is shown stays within the budget
#: budgets typed with more digits than the 12 significant digits results are shown with
long_budgets = st.one_of(
    st.decimals(min_value=1, max_value=10**6, places=10), st.decimals("0.001", "10", places=15)
).map(lambda d: float(f"{d:.17g}"))


@settings(max_examples=400, deadline=None)
@given(long_budgets, prices, prices, contracts_keys, fees)
def test_shown_risk_never_above_budget(
    budget: float, entry: float, stop: float, contract: object, fee: float
) -> None:
    """MF_RISK(MF_CONTRACTS(b, ...), ...) <= b as shown, and the shown loss is never
    above the exact loss: compared as the decimals the cells display (exact fractions)."""
    if entry == stop:
        return
    n = ms.contracts(budget, entry, stop, contract, fee)
    shown = ms.risk(n, entry, stop, contract, fee)
    assert F(shown) <= F(budget)
    assert F(shown) <= exact_loss(F(n), entry, stop, spec_of(contract), fee)
    # and rounding down costs at most one unit in the 12th significant digit
    exact = exact_loss(F(n), entry, stop, spec_of(contract), fee)
    assert exact - F(shown) <= exact * Fraction(1, 10**11) + Fraction(1, 10**300)
    table = dict(ms.size_trade(budget, 1, entry, stop, contract, fee))
    assert F(table["Risk at stop"]) <= F(table["Risk budget"])
    assert table["Unused budget"] >= 0


def test_risk_shown_rounds_down_where_nearest_would_overshoot() -> None:
    """A budget of 15 significant digits: 12 digits to the nearest would show a loss
    above it (the case that used to print MF_RISK > budget)."""
    b = 1000.00000000049  # 15 digits; 1000 contracts of 1 unit, entry 2, stop 1
    n = ms.contracts(b, 2, 1, 1.0)
    assert n == 1000.0
    assert ms.risk(n, 2, 1, 1.0) == 1000.0
    b = 30.1234567890789
    n = ms.contracts(b, 2, 1, 1e-12)  # a contract of 1e-12 units: lots of 1e-12 at risk
    shown = ms.risk(n, 2, 1, 1e-12)
    assert F(shown) <= F(b)
    assert shown == 30.1234567890  # nearest would be 30.1234567891 > b


def _digits(x: Fraction) -> int:
    """Significant digits of a decimal fraction (x > 0 with a power-of-ten denominator)."""
    n, d = x.numerator, x.denominator
    while n % 10 == 0:
        n //= 10
    return len(str(n)) if d in {10**k for k in range(40)} else 99


near_gaps = st.sampled_from(["0.01", "0.05", "0.5", "1", "2.5"])


@settings(max_examples=300, deadline=None)
@given(prices, near_gaps, st.sampled_from([1, -1]), contracts_keys, fees, budgets)
def test_near_stops_show_the_clean_decimal(
    entry: float, gap: str, side: int, contract: object, fee: float, budget: float
) -> None:
    """A stop a cent from 60,000: the float difference is off by 1e-7 of itself, yet a
    loss that is a decimal of at most 12 digits shows as exactly that decimal (and any
    other loss rounded down), never float noise such as 0.0300000000061."""
    stop = float(F(entry) - side * Fraction(gap))
    if stop <= 0:
        return
    spec = spec_of(contract)
    n = ms.contracts(budget, entry, stop, contract, fee)
    shown = ms.risk(n, entry, stop, contract, fee)
    loss = exact_loss(F(n), entry, stop, spec, fee)
    assert F(shown) <= loss
    if loss > 0 and _digits(loss) <= 12:
        assert F(shown) == loss


def test_a_cent_from_60000_shows_cents() -> None:
    # the float 60000.01 - 60000 is 0.010000000002037268
    assert ms.risk(3, 60000.01, 60000, "binance:BTCUSDT") == 0.03
    # inverse, 100 contracts of 100 USD: 10,000 x (1/60000 - 1/60000.01) BTC, 12 digits down
    loss = 10_000 * (Fraction(1, 60000) - 1 / Fraction("60000.01"))
    assert loss == Fraction(100, 3600000600)
    assert ms.risk(100, 60000, 60000.01, "binance:BTCUSD_PERP") == 2.77777731481e-08


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(long_budgets, budgets.filter(lambda b: b > 0)),
    st.one_of(
        st.sampled_from([0.01, 0.015, 0.0025, 0.1]),
        st.decimals("0.000001", "1", places=10).map(lambda d: float(f"{d:.15g}")),
    ),
)
def test_risk_budget_never_above_equity_times_risk(equity: float, risk: float) -> None:
    """MF_RISK_AMOUNT cuts equity x risk to 12 digits downwards: the budget sized against
    is never above the exact product, and a product of at most 12 digits is itself."""
    shown = F(ms.risk_amount(equity, risk))
    product = F(equity) * F(risk)
    assert shown <= product
    if _digits(product) <= 12:
        assert shown == product
    assert product - shown <= product / 10**11
