"""MEXC, BingX, WEEX, Bitget and Gate, and SOL/XRP/DOGE on every venue: order units.

Each venue is pinned to a number worked by hand from its own documented unit:

- MEXC futures (``vol`` counts contracts of ``contractSize`` coin; contract detail docs,
  https://www.mexc.com/api-docs/futures/market-endpoints/get-contract-info): BTC_USDT
  0.0001 BTC, DOGE_USDT 100 DOGE;
- Gate USDT futures (``size`` counts contracts of ``quanto_multiplier`` coin; Gate API v4,
  https://www.gate.com/docs/developers/apiv4/en/#query-all-futures-contracts);
- BingX perpetuals (``quantity`` "only support units by COIN"; BingX swap API,
  https://bingx-api.github.io/docs-v3/#/en/Swap/Trades%20Endpoints/Place%20order);
- WEEX contracts (``quantity`` in the coin, in steps of ``contractVal``; WEEX contract API,
  https://www.weex.com/api-doc/contract/Market_API/GetContractInfo);
- Bitget USDT-M (``size`` in the coin, steps of ``sizeMultiplier``; Bitget v2 mix API,
  https://www.bitget.com/api-doc/contract/market/Get-All-Symbols-Contracts);
- OKX (``sz`` counts contracts of ``ctVal``; OKX v5 public instruments,
  https://www.okx.com/docs-v5/en/#public-data-rest-api-get-instruments);
- CME micro and standard SOL and XRP (contract unit and tick value from cmegroup.com
  contract specifications) and Coinbase Derivatives contracts (contracts of a coin size).

The refresh of each new venue runs on fixtures recorded with ccxt's own parsers
(``tests/fixtures/ccxt/build.py``), without ccxt or the network.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microsize as ms
from microsize import MicrosizeError
from microsize._contracts import order_unit
from microsize._refresh import MalformedMarket, map_market, map_venue
from microsize.cli import main
from microsize.udfs import MF_CONTRACTS, MF_CONVERT, MF_LIQ_PRICE, MF_NOTIONAL, MF_PNL, MF_SPEC
from tests.test_refresh import (  # noqa: F401  (fake_ccxt is a fixture)
    AS_OF,
    factory,
    fake_ccxt,
    fixture,
    market,
    run,
)


def F(x: object) -> Fraction:
    """The decimal a number was typed as, exactly (0.0001 is 1/10000, not the binary float)."""
    return Fraction(repr(float(x))) if isinstance(x, float) else Fraction(str(x))


# Every contract added with these venues, and the order unit its venue's form takes.
NEW_KEYS = {
    "mexc:BTC_USDT": "contracts of 0.0001 BTC",
    "mexc:ETH_USDT": "contracts of 0.01 ETH",
    "mexc:SOL_USDT": "contracts of 0.1 SOL",
    "mexc:XRP_USDT": "contracts of 1 XRP",
    "mexc:DOGE_USDT": "contracts of 100 DOGE",
    "bingx:BTC-USDT": "BTC",
    "bingx:ETH-USDT": "ETH",
    "bingx:SOL-USDT": "SOL",
    "bingx:DOGE-USDT": "DOGE",
    "weex:BTCUSDT": "BTC",
    "weex:ETHUSDT": "ETH",
    "weex:DOGEUSDT": "DOGE",
    "weex:SOLUSDT": "SOL",
    "weex:XRPUSDT": "XRP",
    "bitget:BTCUSDT": "BTC",
    "bitget:ETHUSDT": "ETH",
    "bitget:XRPUSDT": "XRP",
    "bitget:DOGEUSDT": "DOGE",
    "gate:BTC_USDT": "contracts of 0.0001 BTC",
    "gate:ETH_USDT": "contracts of 0.01 ETH",
    "gate:XRP_USDT": "contracts of 10 XRP",
    "gate:DOGE_USDT": "contracts of 10 DOGE",
    "binance:XRPUSDT": "XRP",
    "binance:DOGEUSDT": "DOGE",
    "bybit:XRPUSDT": "XRP",
    "bybit:DOGEUSDT": "DOGE",
    "bybit:ETHUSDT": "ETH",
    "okx:XRP-USDT-SWAP": "contracts of 100 XRP",
    "okx:DOGE-USDT-SWAP": "contracts of 1000 DOGE",
    "okx:SOL-USDT-SWAP": "contracts of 1 SOL",
    "hyperliquid:SOL": "SOL",
    "cme:MSL": "contracts of 25 SOL",
    "cme:SOL": "contracts of 500 SOL",
    "cme:MXP": "contracts of 2500 XRP",
    "cme:XRP": "contracts of 50000 XRP",
    "cme:QBTC": "contracts of 0.01 BTC",
    "cme:QETH": "contracts of 0.2 ETH",
    "cme:QSOL": "contracts of 5 SOL",
    "cme:QXRP": "contracts of 250 XRP",
    "coinbase:SLP": "contracts of 5 SOL",
    "coinbase:XPP": "contracts of 500 XRP",
    "coinbase:DOP": "contracts of 5000 DOGE",
    "coinbase:XRL": "contracts of 10000 XRP",
    "coinbase:SLC": "contracts of 100 SOL",
    "coinbase:SOL": "contracts of 5 SOL",
    "coinbase:XRP": "contracts of 500 XRP",
    "coinbase:DOG": "contracts of 5000 DOGE",
}


# ------------------------------------------------------------------ the table
@pytest.mark.parametrize(("key", "unit"), NEW_KEYS.items())
def test_new_contract_is_bundled_in_its_venues_order_unit(key: str, unit: str) -> None:
    assert MF_SPEC(key, "qty_unit") == unit
    spec = ms.load_bundled_specs()[key]
    assert spec.key == key  # the venue's own symbol, as written
    assert spec.source
    assert 20 < len(spec.source) <= 255
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", spec.as_of or "")
    if unit.startswith("contracts of "):
        size, coin = unit.removeprefix("contracts of ").split()
        assert (spec.contract_size, spec.base) == (float(size), coin)
    else:  # a coin quantity: one unit is one coin
        assert (spec.contract_size, spec.base) == (1, unit)


def test_at_least_seventy_contracts_each_with_a_source(capsys: pytest.CaptureFixture[str]) -> None:
    table = ms.load_bundled_specs()
    assert len(table) >= 70
    assert all(s.source for s in table.values())
    assert set(NEW_KEYS) <= {s.key for s in table.values()}
    assert main(["specs"]) == 0
    listing = capsys.readouterr().out.split("\n\n")[0].splitlines()[1:]
    assert len(listing) == len(table) >= 70


@pytest.mark.parametrize("key", ["bingx:XRP-USDT", "bybit:SOLUSDT", "bitget:SOLUSDT"])
def test_contracts_with_a_missing_field_are_not_bundled(key: str) -> None:
    """Lot step, minimum and tick of these were not found: no row rather than a guess."""
    with pytest.raises(MicrosizeError, match="unknown contract"):
        MF_SPEC(key, "lot_step")


def test_gate_sol_is_not_bundled_on_a_mock_size() -> None:
    with pytest.raises(MicrosizeError, match="unknown contract 'gate:SOL_USDT'"):
        MF_CONTRACTS(100, 150, 140, "gate:SOL_USDT")


def test_every_row_states_a_unit_that_matches_its_size() -> None:
    """qty_unit and contract_size never disagree, in the bundled table."""
    for s in ms.load_bundled_specs().values():
        unit = s.qty_unit or ""
        m = re.fullmatch(r"contracts of ([\d.]+) (\w+)", unit)
        if m:
            assert float(m.group(1)) == s.contract_size, s.key
            assert m.group(2) in (s.base, s.quote), s.key
        elif unit.startswith("USD"):
            assert (s.kind, s.contract_size) == ("inverse", 1), s.key
        elif s.kind == "quanto":
            assert unit == "contracts (quanto)", s.key
        else:
            assert (unit, s.contract_size) == (s.base, 1), s.key


def test_a_row_without_qty_unit_gets_one_from_its_size() -> None:
    head = ["exchange", "symbol", "kind", "base", "quote", "contract_size", "lot_step"]
    rows = [
        head,
        ["my", "COIN", "linear", "DOGE", "USDT", 1, 100],
        ["my", "CT", "linear", "BTC", "USDT", 0.0001, 1],
        ["my", "INV", "inverse", "BTC", "USD", 100, 1],
    ]
    assert MF_SPEC("my:COIN", "qty_unit", rows) == "DOGE"
    assert MF_SPEC("my:CT", "qty_unit", rows) == "contracts of 0.0001 BTC"
    assert MF_SPEC("my:INV", "qty_unit", rows) == "contracts of 100 USD"
    assert order_unit("quanto", 0.000001, "ETH", "USD") == "contracts (quanto)"


# ------------------------------------------------------------------ sizes by hand
# (key, risk, entry, stop, contracts, why): loss per unit = size x |entry - stop|
SIZING = [
    # MEXC: 0.0001 BTC x 1,000 = 0.1 USDT per contract; 100 / 0.1 = 1,000 contracts
    ("mexc:BTC_USDT", 100, 60000, 59000, 1000),
    # Gate: 0.01 ETH x 50 = 0.5 USDT per contract; 50 / 0.5 = 100 contracts
    ("gate:ETH_USDT", 50, 3000, 2950, 100),
    # Gate: 10 XRP x 0.02 = 0.2 USDT per contract; 9.99 / 0.2 = 49.95 -> 49 contracts
    ("gate:XRP_USDT", 9.99, 0.5, 0.48, 49),
    # BingX: coin; 30 / 1,000 = 0.03 BTC (lot 0.0001)
    ("bingx:BTC-USDT", 30, 60000, 59000, 0.03),
    # WEEX: coin in steps of 100 DOGE; 10.5 / 0.01 = 1,050 DOGE -> 1,000
    ("weex:DOGEUSDT", 10.5, 0.1, 0.09, 1000),
    # Bitget: coin; 25 / 1,000 = 0.025 BTC (lot 0.0001)
    ("bitget:BTCUSDT", 25, 50000, 49000, 0.025),
    # OKX: 100 XRP x 0.02 = 2 USDT per contract; 21 / 2 = 10.5 contracts (lot 0.1)
    ("okx:XRP-USDT-SWAP", 21, 0.5, 0.48, 10.5),
    # OKX: 1 SOL per contract, lot 0.01; 10 / 3 = 3.333.. -> 3.33 contracts
    ("okx:SOL-USDT-SWAP", 10, 150, 147, 3.33),
    # Binance: coin, XRP step 0.1; 10.03 / 0.05 = 200.6 XRP
    ("binance:XRPUSDT", 10.03, 0.5, 0.45, 200.6),
    # Bybit: coin, DOGE step 1; 10.005 / 0.01 = 1,000.5 -> 1,000 DOGE
    ("bybit:DOGEUSDT", 10.005, 0.1, 0.09, 1000),
    # Hyperliquid: coin, SOL step 0.01
    ("hyperliquid:SOL", 10, 150, 147, 3.33),
    # CME Micro SOL: 25 SOL x 10 = 250 USD per contract; 500 / 250 = 2 contracts
    ("cme:MSL", 500, 150, 140, 2),
    # CME Micro XRP: 2,500 XRP x 0.1 = 250 USD per contract
    ("cme:MXP", 600, 2.5, 2.4, 2),
    # Coinbase nano SOL perp-style: 5 SOL x 10 = 50 USD per contract
    ("coinbase:SLP", 120, 150, 140, 2),
]


@pytest.mark.parametrize(("key", "risk", "entry", "stop", "want"), SIZING)
def test_contract_count_by_hand(
    key: str, risk: float, entry: float, stop: float, want: float
) -> None:
    assert MF_CONTRACTS(risk, entry, stop, key) == want
    spec = ms.load_bundled_specs()[key]
    step = F(spec.lot_step)
    loss = F(want) * F(spec.contract_size) * abs(F(entry) - F(stop))
    assert loss <= F(risk)
    assert (F(want) + step) * F(spec.contract_size) * abs(F(entry) - F(stop)) > F(risk)


@pytest.mark.parametrize(
    ("qty", "price", "key", "notional"),
    [
        # MEXC order record: vol 1 at 0.18537 with orderMargin 0.92685 at 20x = 18.537
        (1, 0.18537, "mexc:DOGE_USDT", 18.537),
        (1000, 60000, "mexc:BTC_USDT", 6000),
        (100, 3000, "gate:ETH_USDT", 3000),
        (1, 0.5, "gate:XRP_USDT", 5),
        (0.03, 60000, "bingx:BTC-USDT", 1800),
        # WEEX position example: size 100 (DOGE), openValue 9.311 at 0.09311
        (100, 0.09311, "weex:DOGEUSDT", 9.311),
        (0.025, 50000, "bitget:BTCUSDT", 1250),
        (1, 0.1, "okx:DOGE-USDT-SWAP", 100),
        (1, 150, "cme:MSL", 3750),
        (1, 150, "coinbase:SLP", 750),
    ],
)
def test_notional_by_hand(qty: float, price: float, key: str, notional: float) -> None:
    assert MF_NOTIONAL(qty, price, key) == pytest.approx(notional, rel=1e-12)


def test_mexc_doge_margin_is_the_order_records() -> None:
    assert ms.margin(1, 0.18537, 20, "mexc:DOGE_USDT") == pytest.approx(0.92685, rel=1e-12)


@pytest.mark.parametrize(
    ("key", "entry", "exit_price", "pnl"),
    [
        # CME: one tick is $1.25 on the micros and $25 on the standards
        ("cme:MSL", 150, 150.05, 1.25),
        ("cme:SOL", 150, 150.05, 25),
        ("cme:MXP", 2.5, 2.5005, 1.25),
        ("cme:XRP", 2.5, 2.5005, 25),
        # Coinbase XRP futures: tick $0.0001 x 10,000 XRP = $1.00
        ("coinbase:XRL", 2.5, 2.5001, 1),
    ],
)
def test_one_tick_is_worth_what_the_exchange_says(
    key: str, entry: float, exit_price: float, pnl: float
) -> None:
    assert MF_PNL(1, entry, exit_price, key) == pytest.approx(pnl, rel=1e-9)
    assert MF_SPEC(key, "tick_size") == pytest.approx(exit_price - entry, rel=1e-9)


# ------------------------------------------------------------------ conversions
@pytest.mark.parametrize(
    ("qty", "src", "dst", "want"),
    [
        # 1,000 DOGE typed on WEEX = 10 MEXC contracts = 100 Gate contracts = 1 OKX contract
        (1000, "weex:DOGEUSDT", "mexc:DOGE_USDT", 10),
        (1000, "weex:DOGEUSDT", "gate:DOGE_USDT", 100),
        (1000, "weex:DOGEUSDT", "okx:DOGE-USDT-SWAP", 1),
        (10000, "bybit:DOGEUSDT", "coinbase:DOP", 2),
        (10, "mexc:DOGE_USDT", "bitget:DOGEUSDT", 1000),
        # 0.05 BTC on BingX = 500 contracts on MEXC and on Gate = 5 OKX contracts
        (0.05, "bingx:BTC-USDT", "mexc:BTC_USDT", 500),
        (0.05, "bingx:BTC-USDT", "gate:BTC_USDT", 500),
        (0.05, "bingx:BTC-USDT", "okx:BTC-USDT-SWAP", 5),
        (3000, "gate:BTC_USDT", "cme:MBT", 3),
        # one CME Micro SOL (25 SOL) = 250 MEXC contracts = 25 OKX contracts = 25 SOL
        (1, "cme:MSL", "mexc:SOL_USDT", 250),
        (1, "cme:MSL", "okx:SOL-USDT-SWAP", 25),
        (1, "cme:MSL", "bingx:SOL-USDT", 25),
        (250, "mexc:SOL_USDT", "coinbase:SLP", 5),
        # 1,234 XRP on Bitget: 123.4 Gate contracts of 10 XRP -> nearest 123
        (1234, "bitget:XRPUSDT", "gate:XRP_USDT", 123),
        (1234, "bitget:XRPUSDT", "mexc:XRP_USDT", 1234),
        (5000, "binance:XRPUSDT", "cme:MXP", 2),
        (12.3, "okx:XRP-USDT-SWAP", "weex:XRPUSDT", 1230),
        (-0.25, "bitget:ETHUSDT", "mexc:ETH_USDT", -25),
    ],
)
def test_convert_between_coin_and_contract_venues(
    qty: float, src: str, dst: str, want: float
) -> None:
    assert MF_CONVERT(qty, src, dst) == want


def test_convert_refuses_different_coins() -> None:
    with pytest.raises(MicrosizeError, match="is on DOGE but to_contract"):
        MF_CONVERT(1, "mexc:DOGE_USDT", "gate:XRP_USDT")


def _linear_by_coin() -> list[tuple[str, str]]:
    specs = [s for s in ms.load_bundled_specs().values() if s.kind == "linear" and s.base]
    coin = {"XBT": "BTC"}
    return [
        (a.key, b.key)
        for a in specs
        for b in specs
        if coin.get(a.base or "", a.base) == coin.get(b.base or "", b.base)
    ]


PAIRS = _linear_by_coin()


@settings(max_examples=300, deadline=None)
@given(st.integers(-2000, 2000), st.sampled_from(PAIRS))
def test_convert_is_the_nearest_lot_of_the_same_coin_amount(
    n_steps: int, pair: tuple[str, str]
) -> None:
    """Between any two linear contracts of a coin in the table, new venues included."""
    src, dst = (ms.load_bundled_specs()[k] for k in pair)
    qty = n_steps * F(src.lot_step)
    out = ms.convert(float(qty), src.key, dst.key)
    coins_in = qty * F(src.contract_size)
    coins_out = F(out) * F(dst.contract_size)
    assert (F(out) / F(dst.lot_step)).denominator == 1  # a whole number of lot steps
    assert abs(coins_out - coins_in) <= F(dst.lot_step) * F(dst.contract_size) / 2


# ------------------------------------------------------------------ unknown fields
def test_unknown_fields_say_so() -> None:
    with pytest.raises(MicrosizeError, match="cme:QBTC has no tick_size"):
        MF_SPEC("cme:QBTC", "tick_size")
    with pytest.raises(MicrosizeError, match="weex:SOLUSDT has no max_leverage"):
        MF_SPEC("weex:SOLUSDT", "max_leverage")
    with pytest.raises(MicrosizeError, match="gate:BTC_USDT has no taker_fee"):
        MF_SPEC("gate:BTC_USDT", "taker_fee")
    with pytest.raises(MicrosizeError, match="maintenance-margin data"):
        MF_LIQ_PRICE(0.18, 1000, 10, "mexc:DOGE_USDT")
    # given a rate, the same contract has a liquidation price
    assert 0 < MF_LIQ_PRICE(0.18, 1000, 10, "mexc:DOGE_USDT", None, 0.005) < 0.18


# ------------------------------------------------------------------ refresh per venue
@pytest.mark.parametrize(
    ("ccxt_id", "venue", "keys"),
    [
        ("mexc", "mexc", ["mexc:BTC_USDT", "mexc:ETH_USDT", "mexc:SOL_USDT", "mexc:XRP_USDT"]),
        ("gate", "gate", ["gate:BTC_USDT", "gate:ETH_USDT", "gate:XRP_USDT", "gate:DOGE_USDT"]),
        ("bingx", "bingx", ["bingx:BTC-USDT", "bingx:ETH-USDT", "bingx:SOL-USDT"]),
        ("weex", "weex", ["weex:BTCUSDT", "weex:ETHUSDT", "weex:DOGEUSDT"]),
        ("bitget", "bitget", ["bitget:BTCUSDT", "bitget:XRPUSDT", "bitget:DOGEUSDT"]),
    ],
)
def test_refresh_fixture_of_each_new_venue(ccxt_id: str, venue: str, keys: list[str]) -> None:
    doc = fixture(ccxt_id)
    assert "ccxt" in doc["_source"]
    assert len(doc["_source"]) > 200
    res = run(venues=[venue])
    (report,) = res.reports
    assert report.ok, report.message
    assert not res.visible_diff()  # the recorded venue agrees with every bundled row
    for key in keys:
        assert res.table[key].as_of == AS_OF
        assert res.table[key].qty_unit == NEW_KEYS[key]


def test_weex_coin_quantity_not_ccxts_contract_size() -> None:
    """ccxt's WEEX market says contractSize = contractVal (0.0001 for BTC) while ccxt
    sends the amount as WEEX's coin quantity: 0.01 BTC at 60,000 is worth 600 USDT, not
    0.01 x 0.0001 x 60,000 = 0.06."""
    m = market("weex", "BTCUSDT")
    assert m["contractSize"] == 0.0001
    assert m["precision"]["amount"] == 0.0001
    spec = map_market("weex", m, as_of=AS_OF, source="t")
    assert (spec.contract_size, spec.lot_step, spec.min_qty, spec.qty_unit) == (
        1,
        0.0001,
        0.0001,
        "BTC",
    )
    assert ms.notional(0.01, 60000, "weex:BTCUSDT") == pytest.approx(600)
    assert 0.01 * m["contractSize"] * 60000 == pytest.approx(0.06)
    # DOGE: quantityPrecision -2, so the step is 100 DOGE, the contractVal
    doge = map_market("weex", market("weex", "DOGEUSDT"), as_of=AS_OF, source="t")
    assert (doge.contract_size, doge.lot_step, doge.max_leverage) == (1, 100, 200)
    # a contractVal coarser than the precision wins: both steps are then respected
    coarse = copy.deepcopy(m)
    coarse["info"]["contractVal"] = "0.001"
    assert map_market("weex", coarse, as_of=AS_OF, source="t").lot_step == 0.001


def test_mexc_and_gate_count_contracts() -> None:
    m = map_market("mexc", market("mexc", "TRX_USDT"), as_of=AS_OF, source="t")
    assert (m.contract_size, m.lot_step, m.qty_unit, m.mmr) == (10, 1, "contracts of 10 TRX", 0.004)
    assert (m.maker_fee, m.taker_fee) == (0, 0.0002)  # the contract's own rates
    g_market = market("gate", "XRP_USDT")
    assert (g_market["maker"], g_market["taker"]) == (0.0002, 0.0005)  # ccxt's defaults
    g = map_market("gate", g_market, as_of=AS_OF, source="t")
    assert (g.contract_size, g.qty_unit, g.mmr, g.max_leverage) == (
        10,
        "contracts of 10 XRP",
        0.0066,
        75,
    )
    assert (g.maker_fee, g.taker_fee) == (None, None)  # not Gate's schedule: left unknown


def test_bingx_fees_from_the_contract_and_no_account_leverage() -> None:
    b = market("bingx", "SOL-USDT")
    b["info"] = {**b["info"], "makerFeeRate": "0.00015"}
    spec = map_market("bingx", b, as_of=AS_OF, source="t")
    assert spec.maker_fee == 0.00015
    assert b["info"]["maxLongLeverage"] == "5"
    assert spec.max_leverage is None  # the per-account setting is not the venue's cap


@pytest.mark.parametrize("venue", ["bingx", "weex", "bitget", "mexc", "gate"])
def test_coin_margined_contracts_are_refused_not_guessed(venue: str) -> None:
    m = dict(next(iter(fixture(venue)["markets"].values())))
    m.update(linear=False, inverse=True, settle=m["base"])
    with pytest.raises(MalformedMarket, match="coin-margined contract, its order unit"):
        map_market(venue, m, as_of=AS_OF, source="t")


# ------------------------------------------------------------------ a whole venue
def test_add_a_whole_venue_adds_every_listed_perpetual() -> None:
    res = run(venues=["mexc"], add=["mexc"])
    added = res.visible_diff().keys("added")
    assert added == ["mexc:LTC_USDT", "mexc:TRX_USDT"]
    assert res.table["mexc:TRX_USDT"].qty_unit == "contracts of 10 TRX"
    keys = list(res.table)
    assert keys.index("mexc:ltc_usdt") == keys.index("mexc:doge_usdt") + 1  # after its venue
    (report,) = res.reports
    assert "added 2: mexc:LTC_USDT, mexc:TRX_USDT" in report.notes
    # the rows already in the table are refreshed, not added twice
    assert len([k for k in keys if k.startswith("mexc:")]) == 5 + 2
    # a coin-margined perpetual in the list is reported, not guessed
    markets = copy.deepcopy(fixture("mexc")["markets"])
    inverse = copy.deepcopy(markets["BTC/USDT:USDT"])
    inverse.update(id="BTC_USD", symbol="BTC/USD:BTC", quote="USD", settle="BTC")
    inverse.update(linear=False, inverse=True, contractSize=100)
    markets["BTC/USD:BTC"] = inverse
    res = run(venues=["mexc"], add=["mexc"], fake=factory(mexc={"markets": markets}))
    assert res.visible_diff().keys("added") == ["mexc:LTC_USDT", "mexc:TRX_USDT"]
    notes = res.reports[0].notes
    assert any(
        n.startswith("not added, cannot be mapped (1): mexc:BTC_USD: coin-margined") for n in notes
    )


def test_a_whole_venue_skips_what_it_cannot_map_and_what_does_not_trade() -> None:
    markets = copy.deepcopy(fixture("gate")["markets"])
    markets["0G/USDT:USDT"]["contractSize"] = None  # cannot be mapped: skipped, reported
    res = run(venues=["gate"], add=["gate:*"], fake=factory(gate={"markets": markets}))
    (report,) = res.reports
    assert report.ok
    assert not res.visible_diff().keys("added")
    assert any(n.startswith("not added, cannot be mapped (1): gate:0G_USDT") for n in report.notes)
    markets = copy.deepcopy(fixture("gate")["markets"])
    markets["0G/USDT:USDT"]["active"] = False
    res = run(venues=["gate"], add=["gate"], fake=factory(gate={"markets": markets}))
    assert not res.visible_diff().keys("added")
    res = run(venues=["gate"], add=["gate"])
    assert res.visible_diff().keys("added") == ["gate:0G_USDT"]
    assert (res.table["gate:0G_USDT"].taker_fee, res.table["gate:0G_USDT"].mmr) == (None, 0.01)


def test_a_whole_venue_leaves_demo_and_dated_contracts_out() -> None:
    markets = copy.deepcopy(fixture("bitget")["markets"])
    demo = copy.deepcopy(markets["BTC/USDT:USDT"])
    demo.update(id="SBTCSUSDT", symbol="SBTC/SUSDT:SUSDT", settle="SUSDT", quote="SUSDT")
    dated = copy.deepcopy(markets["ETH/USDT:USDT"])
    dated.update(id="ETHUSDT_260327", type="future", expiry=1774569600000)
    markets.update({"demo": demo, "dated": dated})
    upd = map_venue("bitget", markets, [], add=["*"], as_of=AS_OF, source="t")
    assert [s.symbol for s in upd.specs] == ["BTCUSDT", "ETHUSDT", "XRPUSDT", "DOGEUSDT"]


def test_cli_adds_a_whole_venue(
    fake_ccxt: dict[str, Any],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "mexc.csv"
    assert main(["specs", "refresh", "--exchange", "mexc", "--add", "mexc", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "mexc: ok: 6 contracts refreshed" in text
    assert "added 2: mexc:LTC_USDT, mexc:TRX_USDT" in text
    assert "not listed by mexc, kept unchanged: mexc:DOGE_USDT" in text
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    written = ms.SpecTable.from_rows(rows)  # the loader's own validation
    assert len(written) == len(ms.load_bundled_specs()) + 2
    assert rows[[r[1] for r in rows].index("LTC_USDT")][:14] == (
        [
            "mexc",
            "LTC_USDT",
            "linear",
            "LTC",
            "USDT",
            "USDT",
            "0.01",
            "1",
            "1",
            "0.01",
            "200",
            "0",
            "0.0002",
            "0.004",
        ]
    )
    with pytest.raises(SystemExit):
        main(["specs", "refresh", "--add"])


def test_add_names_keys_or_venues() -> None:
    with pytest.raises(MicrosizeError, match="or a venue like mexc"):
        run(add=["nowhere"])
    with pytest.raises(MicrosizeError, match="rows stay as documented"):
        run(add=["cme"])


# ------------------------------------------------------------------ the workbook
def test_update_specs_brings_a_workbook_of_the_old_table_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workbook built from the 29-contract table gains every new row, the dropdown keys
    and the venues on its Start sheet."""
    openpyxl = pytest.importorskip("openpyxl")
    import microsize._spec_home as spec_home
    from microsize._refresh import spec_csv_rows
    from microsize.refresh import reload_tables
    from microsize.workbook import build_workbook_bytes, update_specs

    bundled = ms.load_bundled_specs()
    old = ms.SpecTable(s for s in bundled.values() if s.key not in NEW_KEYS)
    assert len(old) == 29
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(spec_csv_rows(old))
    real = spec_home.bundled_text
    with monkeypatch.context() as m:
        m.setattr(
            spec_home,
            "bundled_text",
            lambda name: buf.getvalue() if name == spec_home.SPECS_FILE else real(name),
        )
        reload_tables()
        path = tmp_path / "old.xlsm"
        path.write_bytes(build_workbook_bytes())
    reload_tables()

    def start_venues() -> str:
        wb = openpyxl.load_workbook(path)
        (line,) = [c.value for c in wb["Start"]["B"] if str(c.value).startswith("Venues in")]
        return str(line)

    assert start_venues().startswith("Venues in the Specs table (29 contracts):")
    assert "mexc" not in start_venues()
    report = update_specs(path)
    added = [r[1] for r in report.spec_changes if r[0] == "added"]
    assert sorted(added) == sorted(NEW_KEYS)
    wb = openpyxl.load_workbook(path)
    table = ms.SpecTable.from_rows(
        [[c.value for c in r] for r in wb["Specs"][wb["Specs"].tables["Specs"].ref]]
    )
    assert not ms.diff_specs(bundled, table)
    # the key column, which every contract dropdown lists (ContractKeys), reaches every row
    header = [c.value for c in wb["Specs"][1]]
    last = wb["Specs"].cell(len(bundled) + 1, header.index("key") + 1).value
    assert last == '=Specs[[#This Row],[exchange]]&":"&Specs[[#This Row],[symbol]]'
    assert wb["Specs"].tables["Specs"].ref.endswith(f"{len(bundled) + 1}")
    venues = start_venues()
    assert venues.startswith(f"Venues in the Specs table ({len(bundled)} contracts): cme,")
    for name in ("mexc", "bingx", "weex", "bitget", "gate"):
        assert name in venues
    assert (
        "contracts of a fixed size on cme, coinbase, binance, bybit, okx, bitmex, kraken, mexc, gate"
        in venues
    )
