"""Prices derived for an order are never 0 and never on the wrong side of entry, and they
keep their promise exactly (docs/CONVENTIONS.md, Rounding).

- MF_TARGET: above entry for a long, below for a short, and the R it reaches after fees,
  computed with exact fractions of the decimal the cell shows, is never below the R asked.
  R = 0 without fees is the entry itself (breakeven); with fees it lies beyond entry.
- MF_ROI_TARGET: the return on margin reached is never below the one asked, the price is
  above 0.
- MF_ATR_STOP and MF_STOP_FILL: beyond entry on the loss side, at least the distance asked.

A price that would round to 0 on the tick (a short whose entry is about one tick) is
refused with a message. The oracles below are written out by hand from the formulas of
docs/CONVENTIONS.md (linear and inverse PnL), not taken from the package.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import microsize as ms
from microsize import MicrosizeError
from microsize import udfs as U

from .strategies import decimals, unit_pnl
from .strategies import typed_decimal as dec

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


#: contracts with a tick (linear and inverse), and none (no rounding, linear)
CONTRACTS = [None, "binance:ETHUSDT", "cme:MBT", "bybit:BTCUSD", "binance:BTCUSD_PERP", 0.1]
prices = st.one_of(
    decimals("0.01", "0.05", 2),  # within a few ticks of 0
    decimals("0.5", "10", 4),
    decimals("10", "150000", 2),
)
fees = st.sampled_from([0.0, 0.0002, 0.0005, 0.001, 0.0075])
r_multiples = st.one_of(st.just(0.0), decimals("0", "10", 3), st.sampled_from([1.0, 2.0, 3.0]))


def _inverse(contract: object) -> bool:
    if contract is None or not isinstance(contract, str):
        return False
    return ms.load_specs().lookup(contract).kind == "inverse"


@SETTINGS
@given(
    entry=prices,
    stop=prices,
    r=r_multiples,
    contract=st.sampled_from(CONTRACTS),
    fee=fees,
)
def test_target_reaches_at_least_the_r_asked_on_the_profit_side(
    entry: float, stop: float, r: float, contract: object, fee: float
) -> None:
    if entry == stop:
        return
    try:
        t = U.MF_TARGET(entry, stop, r, contract, fee)
    except MicrosizeError:
        return
    side = 1 if stop < entry else -1
    inv = _inverse(contract)
    E, S, T, F, R = dec(entry), dec(stop), dec(t), dec(fee), dec(r)
    assert T > 0
    risk = -unit_pnl(inv, side, E, S, F)  # loss at the stop, both fees
    reached = unit_pnl(inv, side, E, T, F) / risk
    assert reached >= R, f"target {t} reaches R {float(reached)!r} < {r}"
    if r == 0 and fee == 0 and contract is None:
        assert T == E  # breakeven without fees is the entry itself
    elif r > 0 or fee > 0:
        assert (T > E) if side > 0 else (T < E), f"target {t} not beyond entry {entry}"
    else:
        assert (T >= E) if side > 0 else (T <= E)


@SETTINGS
@given(
    entry=prices,
    roi=st.one_of(decimals("-0.9", "5", 2), st.just(0.0)),
    leverage=st.sampled_from([1.0, 2.0, 5.0, 10.0, 20.0, 100.0]),
    side=st.sampled_from(["long", "short"]),
    contract=st.sampled_from(CONTRACTS),
    fee=fees,
)
def test_roi_target_reaches_at_least_the_roi_asked_above_zero(
    entry: float, roi: float, leverage: float, side: str, contract: object, fee: float
) -> None:
    try:
        t = U.MF_ROI_TARGET(entry, roi, leverage, side, contract, fee)
    except MicrosizeError:
        return
    s = 1 if side == "long" else -1
    inv = _inverse(contract)
    E, T, F, L = dec(entry), dec(t), dec(fee), dec(leverage)
    assert T > 0
    margin = (1 / E if inv else E) / L  # initial margin per unit of size
    reached = unit_pnl(inv, s, E, T, F) / margin
    assert reached >= dec(roi), f"exit {t} reaches roi {float(reached)!r} < {roi}"


@SETTINGS
@given(
    entry=prices,
    atr=st.one_of(decimals("0.0001", "1", 4), decimals("1", "5000", 2), st.just(1e-300)),
    multiple=st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]),
    side=st.sampled_from(["long", "short"]),
    contract=st.sampled_from(CONTRACTS),
)
def test_atr_stop_is_beyond_entry_by_at_least_the_distance_asked(
    entry: float, atr: float, multiple: float, side: str, contract: object
) -> None:
    try:
        stop = U.MF_ATR_STOP(entry, atr, multiple, side, contract)
    except MicrosizeError:
        return
    s = 1 if side == "long" else -1
    E, St = dec(entry), dec(stop)
    assert St > 0
    assert s * (E - St) >= dec(multiple) * dec(atr) > 0, f"stop {stop} from entry {entry}"


@SETTINGS
@given(
    stop=prices,
    entry=prices,
    slippage=st.one_of(st.sampled_from([0.0, 0.001, 0.005, 0.5]), decimals("0", "0.01", 5)),
    contract=st.sampled_from(CONTRACTS),
)
def test_stop_fill_is_at_or_beyond_the_trigger_on_the_loss_side(
    stop: float, entry: float, slippage: float, contract: object
) -> None:
    if entry == stop:
        return
    try:
        fill = U.MF_STOP_FILL(stop, slippage, entry, contract)
    except MicrosizeError:
        return
    side = 1 if stop < entry else -1
    S, E, Fi = dec(stop), dec(entry), dec(fill)
    assert Fi > 0
    assert side * (E - Fi) > 0  # beyond entry on the loss side
    assert side * (S - Fi) >= dec(slippage) * S  # at least the slippage past the trigger


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # a short at two ticks above 0 whose 1.5R target rounds down to 0 on the 0.01 tick
        (
            lambda: U.MF_TARGET(0.02, 0.03, 1.5, "binance:ETHUSDT"),
            "r_multiple 1.5 cannot be reached: a short's target would round to 0 on the tick 0.01",
        ),
        (
            lambda: U.MF_ROI_TARGET(0.01, 0.9, 1, "short", "binance:ETHUSDT"),
            "roi 0.9 cannot be reached at leverage 1: the exit price would round to 0 on the "
            "tick 0.01",
        ),
    ],
)
def test_a_price_that_rounds_to_zero_is_refused(call: object, message: str) -> None:
    with pytest.raises(MicrosizeError) as info:
        call()  # type: ignore[operator]
    assert str(info.value) == message


def test_the_fuzz_runs_findings() -> None:
    # without a tick the float formula reached R = 2 - 1e-14; the decimal shown reaches 2
    t = U.MF_TARGET(3520, 3450, 2, None, 0.0005)
    E, S, T, F = dec(3520), dec(3450), dec(t), dec(0.0005)
    assert (T - E - F * (E + T)) / (E - S + F * (E + S)) >= 2
    # R = 0 on an inverse contract (no fee) is the entry itself, not a hair beyond it
    assert U.MF_TARGET(60000, 59000, 0, "bybit:BTCUSD") == 60000.0
    assert U.MF_TARGET(60000, 61000, 0, "bybit:BTCUSD") == 60000.0
    # a stop a tiny ATR away is still beyond entry, never entry itself
    assert U.MF_ATR_STOP(60000, 1e-300, 1, "long") < 60000
    assert U.MF_ATR_STOP(60000, 1e-300, 1, "short") > 60000
    # short decimals stay short decimals
    assert U.MF_TARGET(100, 95, 2) == 110.0
    assert U.MF_ATR_STOP(3520, 41.3, 1.5, "short") == 3581.95
