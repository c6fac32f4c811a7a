"""BTC and ETH perpetuals on every perpetual venue the README names, pinned to their sources.

Each row of the bundled table is pinned to the numbers its ``source`` column cites (contract
size, lot step, minimum, tick, kind, order unit), and each venue's order unit to one trade
worked by hand. Hyperliquid's margin tiers are pinned to its documentation
(https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margin-tiers): BTC 40x up to
150M USDC of notional and 20x past it, ETH 25x up to 100M and 15x past it, the maintenance
rate half the initial margin at the tier's max leverage, and

    maintenance_margin = notional x rate(n) - deduction(n),
    deduction(n) = deduction(n - 1) + lower_bound(n) x (rate(n) - rate(n - 1)).

Venues whose tier tables are not in any source read for this table (Bybit, OKX, MEXC,
BingX, WEEX) have no tier rows: the row's own ``mmr`` (MEXC) or nothing is used.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

import microsize as ms
from microsize.udfs import MF_CONTRACTS, MF_NOTIONAL, MF_PNL

from .strategies import typed_decimal

# The perpetual venues the README names, in its order.
README_VENUES = ("binance", "bybit", "okx", "hyperliquid", "mexc", "bingx", "weex")

# key: (contract_size, lot_step, min_qty, tick_size, kind, qty_unit, what the source says)
# - contract_size is the underlying per unit of the venue's order quantity (1 where the
#   order form takes the coin), lot_step and min_qty in that quantity;
# - the strings are quoted from the row's source column, so a row cannot drift from it.
PERPETUALS: dict[str, tuple[float, float, float, float | None, str, str, tuple[str, ...]]] = {
    # Binance USDⓈ-M exchangeInfo: coin quantity (LOT_SIZE), PRICE_FILTER tick
    "binance:BTCUSDT": (1, 0.001, 0.001, 0.1, "linear", "BTC", ("tick 0.10", "step/min 0.001")),
    "binance:ETHUSDT": (1, 0.001, 0.001, 0.01, "linear", "ETH", ("tick 0.01", "step/min 0.001")),
    # Bybit V5 instruments-info (ccxt@1f8d53e static bybit.json): coin quantity
    "bybit:BTCUSDT": (
        1,
        0.001,
        0.001,
        0.1,
        "linear",
        "BTC",
        ("tickSize 0.10", "qtyStep 0.001", "minOrderQty 0.001"),
    ),
    "bybit:ETHUSDT": (
        1,
        0.01,
        0.01,
        0.01,
        "linear",
        "ETH",
        ("tickSize 0.01", "qtyStep 0.01", "minOrderQty 0.01", "maxLeverage 100", "1f8d53e"),
    ),
    # OKX public/instruments: sz counts contracts of ctVal
    "okx:BTC-USDT-SWAP": (
        0.01,
        0.1,
        0.1,
        0.1,
        "linear",
        "contracts of 0.01 BTC",
        ("ctVal 0.01 BTC", "lotSz 0.1", "minSz 0.1", "tickSz 0.1"),
    ),
    "okx:ETH-USDT-SWAP": (
        0.1,
        0.1,
        0.1,
        0.01,
        "linear",
        "contracts of 0.1 ETH",
        ("ctVal 0.1 ETH", "lotSz 0.1", "minSz 0.1", "tickSz 0.01"),
    ),
    # Hyperliquid meta: coin quantity in szDecimals, prices in 5 significant figures (no tick)
    "hyperliquid:BTC": (1, 0.00001, 0.00001, None, "linear", "BTC", ("szDecimals 5",)),
    "hyperliquid:ETH": (1, 0.0001, 0.0001, None, "linear", "ETH", ("szDecimals 4",)),
    # MEXC contract/detail: vol counts contracts of contractSize
    "mexc:BTC_USDT": (
        0.0001,
        1,
        1,
        0.1,
        "linear",
        "contracts of 0.0001 BTC",
        ("contractSize 0.0001 BTC", "volUnit 1", "minVol 1", "priceUnit 0.1"),
    ),
    "mexc:ETH_USDT": (
        0.01,
        1,
        1,
        0.01,
        "linear",
        "contracts of 0.01 ETH",
        ("contractSize 0.01 ETH", "volUnit 1", "minVol 1", "priceUnit 0.01"),
    ),
    # BingX swap contracts: quantity in the coin, steps as precision digits
    "bingx:BTC-USDT": (
        1,
        0.0001,
        0.0001,
        0.1,
        "linear",
        "BTC",
        ("quantityPrecision 4", "pricePrecision 1", "tradeMinQuantity 0.0001"),
    ),
    "bingx:ETH-USDT": (
        1,
        0.01,
        0.01,
        0.01,
        "linear",
        "ETH",
        ("quantityPrecision 2", "pricePrecision 2", "tradeMinQuantity 0.01"),
    ),
    # WEEX capi/v3 exchangeInfo: quantity in the coin, in steps of contractVal
    "weex:BTCUSDT": (
        1,
        0.0001,
        0.0001,
        0.1,
        "linear",
        "BTC",
        ("contractVal 0.0001", "quantityPrecision 4", "minOrderSize 0.0001"),
    ),
    "weex:ETHUSDT": (
        1,
        0.001,
        0.001,
        0.01,
        "linear",
        "ETH",
        ("contractVal 0.001", "quantityPrecision 3", "minOrderSize 0.001"),
    ),
}


exact = typed_decimal  # the decimal a number was typed as, exactly


def test_every_readme_venue_has_a_btc_and_an_eth_perpetual() -> None:
    table = ms.load_bundled_specs()
    for venue in README_VENUES:
        for coin in ("BTC", "ETH"):
            keys = [k for k in PERPETUALS if k.startswith(f"{venue}:")]
            found = [table[k] for k in keys if table[k].base == coin]
            assert len(found) == 1, (venue, coin)
            assert found[0].settle in ("USDT", "USDC"), (venue, coin)


def test_the_readme_names_these_venues() -> None:
    from pathlib import Path

    intro = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    intro = intro.split("## ", 1)[0].replace("\n", " ")
    names = {"binance": "Binance", "bybit": "Bybit", "okx": "OKX", "hyperliquid": "Hyperliquid"}
    names |= {"mexc": "MEXC", "bingx": "BingX", "weex": "WEEX"}
    for venue in README_VENUES:
        assert names[venue] in intro, venue


@pytest.mark.parametrize("key", PERPETUALS)
def test_row_is_its_sources_numbers(key: str) -> None:
    size, step, min_qty, tick, kind, unit, quoted = PERPETUALS[key]
    s = ms.load_bundled_specs()[key]
    assert (s.contract_size, s.lot_step, s.min_qty, s.tick_size) == (size, step, min_qty, tick)
    assert (s.kind, s.qty_unit) == (kind, unit)
    for text in quoted:
        assert text in (s.source or ""), (key, text)
    assert s.as_of
    assert len(s.source or "") <= 255


def test_bybit_eth_is_the_snapshots_linear_perpetual() -> None:
    """ETH/USDT:USDT in ccxt/ccxt@1f8d53e static bybit.json (Bybit V5 instruments-info,
    LinearPerpetual): tickSize 0.01, qtyStep 0.01, minOrderQty 0.01, maxLeverage 100,
    settleCoin USDT; the fees are the bundled Bybit rows' non-VIP 0.02% / 0.055%."""
    s = ms.load_bundled_specs()["bybit:ETHUSDT"]
    assert (s.base, s.quote, s.settle) == ("ETH", "USDT", "USDT")
    assert (s.max_leverage, s.maker_fee, s.taker_fee, s.mmr) == (100, 0.0002, 0.00055, None)
    assert s.as_of == "2025-04-07"  # as the other rows read from the same snapshot
    btc = ms.load_bundled_specs()["bybit:BTCUSDT"]
    assert (s.maker_fee, s.taker_fee) == (btc.maker_fee, btc.taker_fee)


# One trade per venue, worked by hand in the venue's own order unit:
# loss per unit = contract size x |entry - stop|, rounded down to the lot step.
# (key, risk, entry, stop, contracts)
BY_HAND = [
    # Bybit ETH, coin in steps of 0.01: 30 / 70 = 0.4285.. ETH -> 0.42
    ("bybit:ETHUSDT", 30, 3520, 3450, 0.42),
    # Binance ETH, steps of 0.001: 30 / 70 -> 0.428
    ("binance:ETHUSDT", 30, 3520, 3450, 0.428),
    # OKX ETH: 0.1 ETH x 70 = 7 USDT per contract; 30 / 7 = 4.28.. -> 4.2 (lot 0.1)
    ("okx:ETH-USDT-SWAP", 30, 3520, 3450, 4.2),
    # MEXC ETH: 0.01 ETH x 70 = 0.7 USDT per contract; 30 / 0.7 = 42.8.. -> 42 contracts
    ("mexc:ETH_USDT", 30, 3520, 3450, 42),
    # BingX ETH, coin in steps of 0.01 -> 0.42
    ("bingx:ETH-USDT", 30, 3520, 3450, 0.42),
    # WEEX ETH, coin in steps of 0.001 -> 0.428
    ("weex:ETHUSDT", 30, 3520, 3450, 0.428),
    # Hyperliquid ETH, coin in steps of 0.0001: 30 / 70 = 0.428571.. -> 0.4285
    ("hyperliquid:ETH", 30, 3520, 3450, 0.4285),
    # Hyperliquid BTC, steps of 0.00001: 25 / 1,000 = 0.025 BTC
    ("hyperliquid:BTC", 25, 60000, 59000, 0.025),
    # Bybit BTC, steps of 0.001: 25 / 1,300 = 0.01923.. -> 0.019
    ("bybit:BTCUSDT", 25, 60000, 58700, 0.019),
]


@pytest.mark.parametrize(("key", "risk", "entry", "stop", "want"), BY_HAND)
def test_size_by_hand(key: str, risk: float, entry: float, stop: float, want: float) -> None:
    assert MF_CONTRACTS(risk, entry, stop, key) == want
    s = ms.load_bundled_specs()[key]
    per_unit = exact(s.contract_size) * abs(exact(entry) - exact(stop))
    assert exact(want) * per_unit <= exact(risk) < (exact(want) + exact(s.lot_step)) * per_unit


def test_bybit_eth_notional_and_pnl_in_the_coin() -> None:
    """0.42 ETH at 3,520 is 1,478.40 USDT; one tick (0.01) on 1 ETH is 0.01 USDT."""
    assert MF_NOTIONAL(0.42, 3520, "bybit:ETHUSDT") == pytest.approx(1478.4, rel=1e-12)
    assert MF_PNL(1, 3520, 3520.01, "bybit:ETHUSDT") == pytest.approx(0.01, rel=1e-9)


def test_bybit_eth_below_the_minimum_buys_nothing() -> None:
    """A budget under one 0.01 ETH lot at the stop (0.01 x 70 = 0.70 USDT) sizes 0."""
    assert MF_CONTRACTS(0.69, 3520, 3450, "bybit:ETHUSDT") == 0
    assert MF_CONTRACTS(0.70, 3520, 3450, "bybit:ETHUSDT") == 0.01


# ------------------------------------------------------------------ Hyperliquid tiers
HL_TIERS = {
    # key: [(floor, cap, max leverage)], from the docs' mainnet table and meta marginTables
    "hyperliquid:BTC": [(0, 150_000_000, 40), (150_000_000, None, 20)],
    "hyperliquid:ETH": [(0, 100_000_000, 25), (100_000_000, None, 15)],
}


@pytest.mark.parametrize("key", HL_TIERS)
def test_hyperliquid_tiers_are_the_documented_table(key: str) -> None:
    tiers = [t for t in ms.load_bundled_margin_tiers() if t.key == key]
    assert [(t.floor, t.cap, t.max_leverage) for t in tiers] == HL_TIERS[key]
    for t in tiers:
        # half the initial margin at the tier's max leverage
        assert t.mmr == pytest.approx(1 / (2 * (t.max_leverage or 0)), rel=1e-15)
        assert t.floor_unit == "USDC notional"
        assert "margin-tiers" in t.source
        assert "marginTables" in t.source
    # the first tier is the spec row's own rate and leverage
    spec = ms.load_bundled_specs()[key]
    assert (tiers[0].mmr, tiers[0].max_leverage) == (spec.mmr, spec.max_leverage)


def test_hyperliquid_btc_maintenance_margin_by_the_docs_formula() -> None:
    """200M USDC of BTC: 200M x 2.5% - 150M x (2.5% - 1.25%) = 5,000,000 - 1,875,000."""
    assert ms.maintenance_margin(2000, 100_000, "hyperliquid:BTC") == pytest.approx(3_125_000)
    # below the first bound: notional x 1.25%, no deduction (0.01 BTC at 60,000 = 600)
    assert ms.maintenance_margin(0.01, 60_000, "hyperliquid:BTC") == pytest.approx(7.5)
    tier = ms.margin_tier(200_000_000, "hyperliquid:BTC")
    assert (tier.tier, tier.max_leverage, tier.maint_amount) == (2, 20, 1_875_000)


def test_hyperliquid_eth_maintenance_margin_is_continuous_at_the_bound() -> None:
    """At 100M the two tiers agree (the deduction's purpose in the docs); past it the rate
    is 1/30: 150M / 30 - 100M x (1/30 - 1/50) = 5,000,000 - 1,333,333.33.."""
    below = ms.maintenance_margin(99_999.99, 1000, "hyperliquid:ETH")
    at = ms.maintenance_margin(100_000, 1000, "hyperliquid:ETH")
    assert below == pytest.approx(99_999_990 * 0.02, rel=1e-12)
    assert at == pytest.approx(2_000_000, rel=1e-12)
    want = Fraction(150_000_000, 30) - 100_000_000 * (Fraction(1, 30) - Fraction(1, 50))
    got = ms.maintenance_margin(150_000, 1000, "hyperliquid:ETH")
    assert got == pytest.approx(float(want), rel=1e-9)


def test_hyperliquid_max_leverage_falls_past_the_bound() -> None:
    assert ms.max_leverage(60_000, 59_990, "hyperliquid:BTC", contracts=1) == 40
    assert ms.max_leverage(60_000, 59_990, "hyperliquid:BTC", contracts=3000) == 20


@pytest.mark.parametrize("venue", ["bybit", "okx", "mexc", "bingx", "weex"])
def test_no_tier_rows_where_no_source_gives_them(venue: str) -> None:
    """Their risk-limit tables were not in any snapshot read for the table: no row rather
    than a guess (the README says how to add them)."""
    assert not [t for t in ms.load_bundled_margin_tiers() if t.exchange == venue]
