"""Spec refresh: ccxt markets mapped field by field, the diff, user tables, safe failure.

No network and no ccxt: fake exchange objects return the recorded unified market
structures in ``tests/fixtures/ccxt/`` (one file per venue, each with a ``_source`` key;
``build.py`` there rebuilds them with ccxt's own parsers from documented responses), and
raise errors named like ccxt's (``RequestTimeout``, ``NetworkError``, ...).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import microsize as ms
from microsize import MicrosizeError, SpecTable, diff_specs, diff_tiers
from microsize._contracts import SPEC_COLUMNS
from microsize._refresh import (
    DIFF_HEADER,
    STAMP_FIELDS,
    VENUE_CCXT,
    MalformedMarket,
    map_market,
    map_tiers,
    map_venue,
    merge_specs,
    spec_csv_rows,
)
from microsize.cli import main
from microsize.refresh import describe_failure, refresh_specs, write_table, write_tiers
from microsize.udfs import MF_SIZE, MF_SPEC

FIX = Path(__file__).resolve().parent / "fixtures" / "ccxt"
AS_OF = "2026-11-22"


# ------------------------------------------------------------------ ccxt-like fakes
class BaseError(Exception):
    """Names mirror ccxt.base.errors; the refresh classifies errors by class name."""


class ExchangeError(BaseError):
    pass


class AuthenticationError(ExchangeError):
    pass


class NetworkError(BaseError):
    pass


class RequestTimeout(NetworkError):
    pass


def fixture(ccxt_id: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIX / f"{ccxt_id}.json").read_text(encoding="utf-8"))
    return doc


class FakeExchange:
    """load_markets and fetch_leverage_tiers from a recorded fixture, or an error."""

    def __init__(
        self,
        ccxt_id: str,
        *,
        markets: dict[str, Any] | None = None,
        error: Exception | None = None,
        tiers_error: Exception | None = None,
    ) -> None:
        doc = fixture(ccxt_id)
        self.id = ccxt_id
        self.ccxt_version = "4.5.90"  # stamped into the source column
        self.markets = doc["markets"] if markets is None else markets
        self.tiers = doc.get("tiers", {})
        self.error = error
        self.tiers_error = tiers_error
        self.calls: list[str] = []

    def load_markets(self) -> dict[str, Any]:
        self.calls.append("load_markets")
        if self.error is not None:
            raise self.error
        return copy.deepcopy(self.markets)

    def fetch_leverage_tiers(self, symbols: list[str]) -> dict[str, Any]:
        self.calls.append("fetch_leverage_tiers")
        if self.tiers_error is not None:
            raise self.tiers_error
        return {s: copy.deepcopy(self.tiers[s]) for s in symbols if s in self.tiers}


# Binance serves leverage brackets only to signed requests; ccxt raises this without keys.
NO_KEYS = AuthenticationError('binance requires "apiKey" credential')


def factory(**per_venue: Any) -> Callable[[str], FakeExchange]:
    """ccxt id -> fake; keyword arguments (by ccxt id) override a venue's fake."""

    def make(ccxt_id: str) -> FakeExchange:
        if ccxt_id in per_venue:
            value = per_venue[ccxt_id]
            return value if isinstance(value, FakeExchange) else FakeExchange(ccxt_id, **value)
        if ccxt_id == "binance":
            return FakeExchange(ccxt_id, tiers_error=NO_KEYS)
        return FakeExchange(ccxt_id)

    return make


def bundled() -> SpecTable:
    return ms.load_bundled_specs()


def run(**kw: Any) -> Any:
    fake = kw.pop("fake", None) or factory()
    return refresh_specs(
        bundled(), ms.load_bundled_margin_tiers(), as_of=AS_OF, exchange_factory=fake, **kw
    )


def market(ccxt_id: str, venue_id: str) -> dict[str, Any]:
    for m in fixture(ccxt_id)["markets"].values():
        if m["id"] == venue_id or m.get("baseName") == venue_id:
            return dict(m)
    raise KeyError(venue_id)


# ------------------------------------------------------------------ the fixtures
def test_one_fixture_per_venue_with_its_source() -> None:
    for ccxt_id in VENUE_CCXT.values():
        doc = fixture(ccxt_id)
        assert len(doc["_source"]) > 100, ccxt_id
        assert doc["markets"], ccxt_id
    assert set(bundled().exchanges) - {"cme", "coinbase"} == set(VENUE_CCXT)


# ------------------------------------------------------------------ mapping
# Where the mapped fixture row differs from the bundled row, and why (field: (old, new)).
EXPECTED_CHANGES: dict[str, dict[str, tuple[Any, Any]]] = {
    # public snapshots disagree (ccxt's 2023 static market file: step 1; a ~2024
    # exchangeInfo dump: step 0.01); the fixture is the ~2024 exchangeInfo, so a refresh takes the finer step
    "binance:SOLUSDT": {"lot_step": (1.0, 0.01), "min_qty": (1.0, 0.01)},
    # the bundled row chose the older nautilus tick 0.5; the ccxt static snapshot says 0.10
    "bybit:BTCUSD": {"tick_size": (0.5, 0.1)},
    # BitMEX fees come from the instrument itself (makerFee 0.0005 in the 2026-05
    # snapshot) where the bundled row had a blog's -0.0001 rebate; maintMargin is read too
    "bitmex:XBTUSD": {"maker_fee": (-0.0001, 0.0005)},
    "bitmex:XBTUSDT": {"maker_fee": (-0.0001, 0.0005), "mmr": (None, 0.005)},
    # ETHUSD's instrument in the fixture has illustrative fees and margins (see _source)
    "bitmex:ETHUSD": {
        "maker_fee": (None, 0.0005),
        "taker_fee": (None, 0.0005),
        "mmr": (None, 0.01),
    },
}
# every spec field a venue can report: all but the key and the provenance stamps
COMPARED = [c for c in SPEC_COLUMNS if c not in ("exchange", "symbol", "source", "as_of")]
# bundled rows whose recorded snapshot does not list them (their sources are others): a
# refresh against these fixtures reports them and keeps them as they are
NOT_IN_SNAPSHOT = {
    "okx:SOL-USDT-SWAP": "okx",  # an OKX announcement, not the ccxt@3802e1a file
    "mexc:DOGE_USDT": "mexc",  # derived from a MEXC order record
    "weex:SOLUSDT": "weex",  # a third-party step table
    "weex:XRPUSDT": "weex",
}
REFRESHABLE = [
    s.key
    for s in ms.load_bundled_specs().values()
    if s.exchange in VENUE_CCXT and s.key not in NOT_IN_SNAPSHOT
]


@pytest.mark.parametrize("key", REFRESHABLE)
def test_mapped_row_matches_the_bundled_row_field_by_field(key: str) -> None:
    old = bundled()[key]
    upd = map_venue(
        old.exchange,
        fixture(VENUE_CCXT[old.exchange])["markets"],
        [old],
        as_of=AS_OF,
        source="ccxt test",
    )
    assert upd.missing == ()
    (new,) = upd.specs
    assert new.key == old.key
    assert (new.source, new.as_of) == ("ccxt test", AS_OF)
    expected = EXPECTED_CHANGES.get(key, {})
    for f in COMPARED:
        a, b = getattr(old, f), getattr(new, f)
        if f in expected:
            assert (a, b) == expected[f], (key, f)
        elif isinstance(a, float) and isinstance(b, float):
            assert math.isclose(a, b, rel_tol=1e-12), (key, f, a, b)
        else:
            assert a == b, (key, f, a, b)


def test_ccxt_generic_values_that_the_mapping_overrides() -> None:
    """Each override, against the recorded ccxt value it replaces."""
    # BitMEX XBTUSD: ccxt's contractSize is the raw |multiplier| (1e8); one contract is 1 USD
    m = market("bitmex", "XBTUSD")
    assert m["contractSize"] == 100000000
    assert map_market("bitmex", m, as_of=AS_OF, source="t").contract_size == 1
    # BitMEX ETHUSD quanto: 100 XBt = 0.000001 XBT per 1 USD of price per contract
    q = map_market("bitmex", market("bitmex", "ETHUSD"), as_of=AS_OF, source="t")
    assert (q.kind, q.contract_size, q.settle) == ("quanto", 0.000001, "BTC")
    # Deribit: ccxt reports contractSize 10 and amounts in USD; our unit is 1 USD, lot 10
    d = market("deribit", "BTC-PERPETUAL")
    assert (d["contractSize"], d["precision"]["amount"]) == (10, 10)
    s = map_market("deribit", d, as_of=AS_OF, source="t")
    assert (s.contract_size, s.lot_step, s.min_qty, s.max_leverage) == (1, 10, 10, 50)
    # Bybit inverse: ccxt's contractSize is minOrderQty; a contract is 1 USD whatever it is
    b = market("bybit", "BTCUSD")
    b["contractSize"] = 5.0
    b["limits"] = {**b["limits"], "amount": {"min": 5.0, "max": None}}
    assert map_market("bybit", b, as_of=AS_OF, source="t").contract_size == 1
    # Hyperliquid: the ccxt id is an asset number; the tick is not fixed; quote USD
    h = market("hyperliquid", "BTC")
    assert h["id"] == "0"
    assert h["precision"]["price"] == 1  # derived by ccxt from the mark price
    s = map_market("hyperliquid", h, as_of=AS_OF, source="t")
    assert (s.symbol, s.tick_size, s.quote, s.settle, s.mmr) == ("BTC", None, "USD", "USDC", 0.0125)
    # Kraken: leverage and mmr from marginLevels[0] (1 / 0.02, 0.01)
    k = map_market("kraken", market("krakenfutures", "PF_XBTUSD"), as_of=AS_OF, source="t")
    assert (k.max_leverage, k.mmr, k.lot_step) == (50, 0.01, 0.0001)


def test_fees_from_ccxt_defaults_are_not_taken_over_documented_ones() -> None:
    """Bybit's instruments-info has no fees: ccxt fills its own default 0.0001/0.0006
    (not Bybit's schedule), so the table keeps its documented 0.0002/0.00055."""
    m = market("bybit", "BTCUSDT")
    assert (m["maker"], m["taker"]) == (0.0001, 0.0006)
    old = bundled()["bybit:BTCUSDT"]
    new = map_market("bybit", m, as_of=AS_OF, source="t", previous=old)
    assert (new.maker_fee, new.taker_fee) == (0.0002, 0.00055)
    # a contract added from scratch has no documented fee: ccxt's value is what there is
    assert map_market("bybit", m, as_of=AS_OF, source="t").taker_fee == 0.0006


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"contractSize": 0}, "contractSize must be positive"),
        ({"contractSize": None}, "contractSize is missing"),
        ({"contractSize": float("nan")}, "contractSize is not a finite number"),
        ({"contractSize": "ten"}, "contractSize is not a number"),
        ({"linear": None, "inverse": None}, "neither linear nor inverse"),
        ({"precision": {"amount": None, "price": 0.1}}, "lot step"),
        ({"precision": {"amount": -1, "price": 0.1}}, "precision.amount must be positive"),
    ],
)
def test_malformed_markets_are_refused(change: dict[str, Any], needle: str) -> None:
    m = {**market("okx", "BTC-USDT-SWAP"), **change}
    with pytest.raises(MalformedMarket, match=needle):
        map_market("okx", m, as_of=AS_OF, source="t")


def test_malformed_bitmex_instrument_is_refused() -> None:
    m = market("bitmex", "ETHUSD")
    m["info"] = {**m["info"], "settlCurrency": "Gwei"}
    with pytest.raises(MalformedMarket, match="quanto multiplier"):
        map_market("bitmex", m, as_of=AS_OF, source="t")


# ------------------------------------------------------------------ tiers
def test_kraken_tiers_map_to_the_bundled_brackets() -> None:
    """Kraken's marginLevels through ccxt: same floors, caps, rates, leverage, units."""
    tiers = fixture("krakenfutures")["tiers"]
    table = bundled()
    for key, sym in [
        ("kraken:PF_XBTUSD", "BTC/USD:USD"),
        ("kraken:PF_ETHUSD", "ETH/USD:USD"),
        ("kraken:PI_XBTUSD", "BTC/USD:BTC"),
    ]:
        mapped = map_tiers("kraken", table[key], tiers[sym], as_of=AS_OF, source="t")
        old = [t for t in ms.load_bundled_margin_tiers() if t.key == key]
        assert not diff_tiers(old, mapped, ignore=STAMP_FIELDS), key


def test_binance_tiers_with_keys_map_to_the_bundled_brackets() -> None:
    tiers = fixture("binance")["tiers"]
    spec = bundled()["binance:BTCUSDT"]
    mapped = map_tiers("binance", spec, tiers["BTC/USDT:USDT"], as_of=AS_OF, source="t")
    old = [t for t in ms.load_bundled_margin_tiers() if t.key == "binance:BTCUSDT"]
    assert len(mapped) == 12
    assert mapped[3].maint_amount == 11450  # Binance's "cum"
    assert not diff_tiers(old, mapped, ignore=STAMP_FIELDS)


def test_tiers_of_unverified_venues_are_not_mapped() -> None:
    with pytest.raises(MalformedMarket, match="not verified"):
        map_tiers("okx", bundled()["okx:BTC-USDT-SWAP"], [{"tier": 1}], as_of=AS_OF, source="t")


# ------------------------------------------------------------------ the refresh
EXPECTED_DIFF = [
    list(DIFF_HEADER),
    ["changed", "binance:SOLUSDT", "lot_step", 1.0, 0.01],
    ["changed", "binance:SOLUSDT", "min_qty", 1.0, 0.01],
    ["changed", "bybit:BTCUSD", "tick_size", 0.5, 0.1],
    ["changed", "bitmex:XBTUSD", "maker_fee", -0.0001, 0.0005],
    ["changed", "bitmex:ETHUSD", "maker_fee", "", 0.0005],
    ["changed", "bitmex:ETHUSD", "taker_fee", "", 0.0005],
    ["changed", "bitmex:ETHUSD", "mmr", "", 0.01],
    ["changed", "bitmex:XBTUSDT", "maker_fee", -0.0001, 0.0005],
    ["changed", "bitmex:XBTUSDT", "mmr", "", 0.005],
]


def test_refresh_against_the_recorded_markets() -> None:
    res = run()
    assert [(r.venue, r.ok) for r in res.reports] == [(v, True) for v in VENUE_CCXT]
    assert res.visible_diff().rows() == EXPECTED_DIFF
    old, new = res.old, res.table
    assert list(new) == list(old)  # same keys, same order
    for key, spec in new.items():
        if spec.exchange in ("cme", "coinbase") or spec.key in NOT_IN_SNAPSHOT:
            assert spec == old[key]  # documented rows and rows not listed: untouched
            assert (spec.source, spec.as_of) == (old[key].source, old[key].as_of)
        else:
            assert spec.as_of == AS_OF, key
            assert spec.source.startswith("ccxt 4.5.90 "), key
            assert spec.source.endswith(AS_OF)
    # the full diff also lists the re-stamps: every refreshed row's source and as_of
    assert len([c for c in res.diff.changes if c.field == "source"]) == len(REFRESHABLE)
    restamped = [c.key for c in res.diff.changes if c.field == "as_of"]
    assert restamped == [k for k in REFRESHABLE if old[k].as_of != AS_OF]
    # Binance USDⓈ-M (2024-10-24) and BitMEX (2026-05-01) rows, and the 27 rows of MEXC,
    # BingX, WEEX, Bitget, Gate, the SOL/XRP/DOGE perpetuals and Bybit ETHUSDT, dated by
    # their snapshots
    assert len(restamped) == 5 + 27
    assert res.diff.summary() == (
        f"0 added, 0 removed, {len(REFRESHABLE)} changed ({len(res.diff)} fields)"
    )
    reports = {r.venue: r for r in res.reports}
    for key, venue in NOT_IN_SNAPSHOT.items():
        assert any(n.startswith("not listed by") and key in n for n in reports[venue].notes)
    # tiers: Kraken refreshed, same values (only re-stamped); Binance needs API keys
    assert not res.visible_tier_diff()
    reports = {r.venue: r for r in res.reports}
    assert "needs API keys" not in reports["binance"].message
    assert any("only with API keys; current tiers kept" in n for n in reports["binance"].notes)
    assert any(
        n.startswith("tiers refreshed for kraken:PF_XBTUSD") for n in reports["kraken"].notes
    )
    binance_tiers = [t for t in res.tiers if t.exchange == "binance"]
    assert binance_tiers == [t for t in res.old_tiers if t.exchange == "binance"]
    kraken = [t for t in res.tiers if t.exchange == "kraken"]
    assert {t.as_of for t in kraken} == {AS_OF}


def test_refreshed_table_is_a_valid_table_that_round_trips(tmp_path: Path) -> None:
    res = run()
    path = write_table(res.table, tmp_path / "contract_specs.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    assert not diff_specs(res.table, SpecTable.from_rows(rows))
    assert not diff_specs(res.table, ms.load_specs(home=tmp_path))
    assert "0.000001" in rows[[r[1] for r in rows].index("ETHUSD")]  # plain decimals


def test_add_a_contract_from_a_venue() -> None:
    res = run(venues=["bitmex"], add=["bitmex:ETHUSDT"])
    assert res.visible_diff().keys("added") == ["bitmex:ETHUSDT"]
    spec = res.table["bitmex:ETHUSDT"]
    # ccxt static bitmex.json: underlyingToPositionMultiplier 100000, lotSize 1000
    assert (spec.kind, spec.contract_size, spec.lot_step, spec.tick_size) == (
        "linear",
        0.00001,
        1000,
        0.01,
    )
    keys = list(res.table)
    assert keys.index("bitmex:ethusdt") == keys.index("bitmex:xbtusdt") + 1  # after its venue
    with pytest.raises(MicrosizeError, match="lists no derivative 'NOPE'"):
        map_venue("bitmex", fixture("bitmex")["markets"], [], add=["NOPE"], as_of=AS_OF, source="")


def test_rows_the_venue_no_longer_lists_are_kept_or_pruned() -> None:
    markets = {k: v for k, v in fixture("bitmex")["markets"].items() if v["id"] != "ETHUSD"}
    fake = factory(bitmex={"markets": markets})
    kept = run(venues=["bitmex"], fake=fake)
    assert kept.table["bitmex:ETHUSD"] == bundled()["bitmex:ETHUSD"]
    assert kept.table["bitmex:ETHUSD"].as_of == bundled()["bitmex:ETHUSD"].as_of  # turns stale
    assert "kept unchanged: bitmex:ETHUSD" in kept.reports[0].notes[0]
    pruned = run(venues=["bitmex"], fake=fake, prune=True)
    assert "bitmex:ETHUSD" not in pruned.table
    assert pruned.visible_diff().keys("removed") == ["bitmex:ETHUSD"]


def test_user_rows_and_columns_survive_a_refresh(tmp_path: Path) -> None:
    rows = bundled().rows()
    rows[0].append("desk_note")
    for r in rows[1:]:
        r.append("")
    rows[1][-1] = "our main hedge"
    rows.append(["myfund", "BTCX", "linear", "BTC", "USD", "USD", 0.5, 1, 1, None, None]
                + [None] * 6 + ["internal"])  # fmt: skip
    mine = SpecTable.from_rows(rows, origin="user table")
    res = refresh_specs(mine, (), as_of=AS_OF, exchange_factory=factory())
    assert res.table["myfund:BTCX"] == mine["myfund:BTCX"]
    assert res.table["myfund:BTCX"].extra == {"desk_note": "internal"}
    assert res.table["cme:MBT"].extra == {"desk_note": "our main hedge"}
    assert res.table["binance:BTCUSDT"].extra == {"desk_note": ""}
    assert "myfund" not in {r.venue for r in res.reports}
    out = spec_csv_rows(res.table)
    assert out[0][-1] == "desk_note"
    assert next(r for r in out if r[1] == "BTCX")[-1] == "internal"


# ------------------------------------------------------------------ safe failure
@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"error": NetworkError("binance GET https://fapi.binance.com failed")}, "network error"),
        ({"error": RequestTimeout("binance GET https://fapi.binance.com timed out")}, "timed out"),
        ({"error": ExchangeError('{"code":-1121,"msg":"Invalid symbol."}')}, "exchange error"),
        ({"markets": {}}, "malformed market: binance: load_markets returned no markets"),
        (
            {"markets": {"X": {**market("binance", "BTCUSDT"), "contractSize": 0}}},
            "malformed market: binance:BTCUSDT contractSize must be positive",
        ),
        (
            {"markets": {"X": {**market("binance", "ETHUSDT"), "linear": None, "inverse": None}}},
            "malformed market: binance:ETHUSDT: neither linear nor inverse",
        ),
        ({"markets": {"X": "not a market"}}, "malformed market: binance: a market is not"),
    ],
)
def test_one_failing_venue_keeps_its_rows_and_the_others_proceed(
    kwargs: dict[str, Any], reason: str
) -> None:
    res = run(fake=factory(binance={**kwargs, "tiers_error": NO_KEYS}))
    reports = {r.venue: r for r in res.reports}
    assert not reports["binance"].ok
    assert reports["binance"].message.startswith(reason)
    assert all(r.ok for v, r in reports.items() if v != "binance")
    old = res.old
    for key, spec in res.table.items():
        if spec.exchange == "binance":
            assert spec == old[key]
            assert (spec.source, spec.as_of) == (old[key].source, old[key].as_of)
    assert res.table["okx:BTC-USDT-SWAP"].as_of == AS_OF
    binance_tiers = [t for t in res.tiers if t.exchange == "binance"]
    assert binance_tiers == [t for t in res.old_tiers if t.exchange == "binance"]


def test_a_malformed_market_fails_its_whole_venue() -> None:
    """One bad market among a venue's wanted markets: none of that venue's rows change."""
    markets = copy.deepcopy(fixture("okx")["markets"])
    markets["ETH/USDT:USDT"]["contractSize"] = float("nan")
    res = run(venues=["okx"], fake=factory(okx={"markets": markets}))
    assert res.failed == ["okx"]
    assert "ETH-USDT-SWAP contractSize is not a finite number" in res.reports[0].message
    assert not res.diff
    assert res.all_failed


def test_describe_failure_names_the_reason() -> None:
    assert describe_failure(RequestTimeout("x")) == "timed out: x"
    assert describe_failure(AuthenticationError("x")) == "needs API keys: x"
    assert describe_failure(KeyError("info")) == "unexpected KeyError: 'info'"


def test_without_ccxt_the_message_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", None)  # import ccxt -> ImportError
    with pytest.raises(MicrosizeError, match=r'pip install "microsize\[refresh\]"'):
        refresh_specs(bundled(), ())


def test_unknown_and_documented_venues_are_refused() -> None:
    with pytest.raises(MicrosizeError, match="exchange must be one of binance, bybit"):
        run(venues=["ftx"])
    with pytest.raises(MicrosizeError, match="'cme': its rows stay as documented"):
        run(venues=["cme"])
    with pytest.raises(MicrosizeError, match="add must be keys like bitmex:ETHUSDT"):
        run(add=["ETHUSDT"])


# ------------------------------------------------------------------ the command line
@pytest.fixture
def fake_ccxt(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The CLI's exchanges are fakes; tests may set per-venue overrides in the dict."""
    overrides: dict[str, Any] = {}
    monkeypatch.setattr("microsize.refresh._ccxt", lambda: object())
    monkeypatch.setattr(
        "microsize.refresh.ccxt_exchange",
        lambda ccxt_id, timeout_s=20.0: factory(**overrides)(ccxt_id),
    )
    monkeypatch.setattr("microsize.clock.today", lambda: dt.date(2026, 11, 22))
    return overrides


def test_cli_shows_the_diff_and_writes_nothing(
    fake_ccxt: dict[str, Any], microsize_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["specs", "refresh"]) == 0
    out = capsys.readouterr().out
    assert "current table: bundled contract_specs.csv" in out
    assert "binance: ok: 7 contracts refreshed" in out
    assert "Spec changes: 0 added, 0 removed, 5 changed (9 fields)\n" in out
    assert "changed  binance:SOLUSDT  lot_step   1" in out
    assert "nothing written: run again with --apply" in out
    assert not microsize_home.exists()


def test_cli_apply_writes_the_user_table_the_loader_prefers(
    fake_ccxt: dict[str, Any], microsize_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ms.load_specs()["binance:SOLUSDT"].lot_step == 1
    assert main(["specs", "refresh", "--apply"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {microsize_home / 'contract_specs.csv'}" in out
    table = ms.load_specs()
    assert table.origin == f"user table {microsize_home / 'contract_specs.csv'}"
    assert table["binance:SOLUSDT"].lot_step == 0.01
    assert MF_SPEC("binance:SOLUSDT", "as_of") == AS_OF
    assert MF_SPEC("cme:MBT", "as_of") == "2026-11-22"
    assert ms.load_specs(bundled=True)["binance:SOLUSDT"].lot_step == 1  # bundled unchanged
    assert ms.contracts(30, 150, 140, "binance:SOLUSDT") == 3.0
    assert ms.load_margin_tiers()[0].source.startswith("freqtrade")  # Binance tiers kept
    assert {t.as_of for t in ms.load_margin_tiers() if t.exchange == "kraken"} == {AS_OF}
    # the listing says where the table came from; a second refresh has nothing to change
    assert main(["specs", "--exchange", "okx"]) == 0
    assert f"table: user table {microsize_home / 'contract_specs.csv'}" in capsys.readouterr().out
    assert main(["specs", "refresh"]) == 0
    assert "Spec changes: no changes\n" in capsys.readouterr().out


def test_cli_out_writes_only_that_file(
    fake_ccxt: dict[str, Any], microsize_home: Path, tmp_path: Path
) -> None:
    out, tiers = tmp_path / "review.csv", tmp_path / "review_tiers.csv"
    assert (
        main(
            ["specs", "refresh", "--exchange", "okx", "--out", str(out), "--tiers-out", str(tiers)]
        )
        == 0
    )
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert SpecTable.from_rows(rows)["okx:BTC-USD-SWAP"].as_of == AS_OF
    assert tiers.exists()
    assert not microsize_home.exists()


def test_cli_every_venue_failing_exits_1_and_writes_nothing(
    fake_ccxt: dict[str, Any], microsize_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for ccxt_id in VENUE_CCXT.values():
        fake_ccxt[ccxt_id] = {"error": NetworkError(f"{ccxt_id} GET https://... failed")}
    assert main(["specs", "refresh", "--apply"]) == 1
    out = capsys.readouterr().out
    assert "okx: FAILED, rows kept as they were: network error: okx GET" in out
    assert "every venue failed: nothing written" in out
    assert not microsize_home.exists()


def test_cli_some_venues_failing_still_applies_the_others(
    fake_ccxt: dict[str, Any], microsize_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_ccxt["binance"] = {"error": RequestTimeout("binance GET https://fapi timed out")}
    assert main(["specs", "refresh", "--apply"]) == 0
    assert "binance: FAILED, rows kept as they were: timed out" in capsys.readouterr().out
    table = ms.load_specs()
    assert table["binance:SOLUSDT"].lot_step == 1  # kept
    assert table["bybit:BTCUSD"].tick_size == 0.1  # refreshed


def test_cli_without_ccxt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", None)
    assert main(["specs", "refresh"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("microsize: error: refreshing specs needs ccxt")
    assert 'pip install "microsize[refresh]"' in err


# ------------------------------------------------------------------ writing safely
def test_writes_are_validated_and_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "contract_specs.csv"
    target.write_text("previous\n", encoding="utf-8")
    bad = list(ms.load_bundled_margin_tiers())
    bad[1], bad[2] = bad[2], bad[1]  # not contiguous
    with pytest.raises(MicrosizeError, match="tiers of binance:BTCUSDT are not contiguous"):
        write_tiers(bad, tmp_path / "margin_tiers.csv")
    assert not (tmp_path / "margin_tiers.csv").exists()

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_table(bundled(), target)
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["contract_specs.csv"]  # no temp left


# ------------------------------------------------------------------ the loader
def _write_user(home: Path, table: SpecTable) -> Path:
    return write_table(table, home / "contract_specs.csv")


def test_loader_prefers_the_user_table_and_rereads_it(microsize_home: Path) -> None:
    assert ms.load_specs().origin == "bundled contract_specs.csv"
    rows = bundled().rows()
    rows[1][6] = 0.2  # cme:MBT contract_size
    path = _write_user(microsize_home, SpecTable.from_rows(rows))
    assert ms.load_specs()["cme:MBT"].contract_size == 0.2
    assert ms.load_specs().origin == f"user table {path}"
    assert ms.load_bundled_specs()["cme:MBT"].contract_size == 0.1
    assert ms.contracts(100, 60000, 59000, "cme:MBT") == 0  # 0.2 BTC loses 200 per contract
    rows[1][6] = 0.05
    _write_user(microsize_home, SpecTable.from_rows(rows))
    path.touch()
    assert ms.load_specs()["cme:MBT"].contract_size == 0.05  # edited file read again


def test_a_malformed_user_table_names_file_row_and_field(microsize_home: Path) -> None:
    path = _write_user(microsize_home, bundled())
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = next(csv.reader([lines[3]]))
    cells[7] = "-1"  # lot_step of row 4
    buf = ",".join(f'"{c}"' for c in cells)
    path.write_text("\n".join([*lines[:3], buf, *lines[4:]]) + "\n", encoding="utf-8")
    with pytest.raises(MicrosizeError) as err:
        ms.load_specs()
    assert str(err.value) == (
        f"user table {path} row 4 (cme:MET), field lot_step: must be positive (got -1)"
    )
    with pytest.raises(MicrosizeError, match="user table"):
        MF_SPEC("cme:MBT", "lot_step")  # no silent fallback to the bundled table
    assert ms.load_specs(bundled=True)["cme:MET"].lot_step == 1


def test_a_malformed_user_tier_table_names_the_file(microsize_home: Path) -> None:
    microsize_home.mkdir()
    path = microsize_home / "margin_tiers.csv"
    path.write_text("exchange,symbol,tier\nx,y,1\n", encoding="utf-8")
    with pytest.raises(MicrosizeError, match=f"user table {path}: header row must be"):
        ms.load_margin_tiers()


# ------------------------------------------------------------------ staleness
def test_stale_warning_is_pure_and_says_how_to_refresh() -> None:
    spec = bundled()["binance:ETHUSDT"]
    day = dt.date(2026, 11, 22)
    assert ms.spec_age_days(spec, day) == 759
    text = ms.stale_warning(spec, day, 180)
    assert text == (
        "spec of binance:ETHUSDT is 759 days old (as of 2024-10-24, limit 180): "
        "check the venue or run microsize specs refresh"
    )
    assert ms.stale_warning(spec, day, 1000) is None
    assert ms.stale_warning(ms.ContractSpec.numeric(0.001), day, 0) is None
    odd = SpecTable.from_rows([["exchange", "symbol", "kind", "contract_size", "lot_step", "as_of"],
                               ["x", "Y", "linear", 1, 1, "last spring"]])["x:Y"]  # fmt: skip
    assert "unreadable as_of date 'last spring'" in (ms.stale_warning(odd, day, 180) or "")


def _warnings(rows: list[list[Any]]) -> str:
    return str(dict(rows)["Warnings"])


def _spec_age(rows: Any) -> str:
    return str({r[0]: r[1] for r in rows}["Spec as of"])


def test_mf_size_shows_the_age_of_stale_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A spec's date and age have their own row; staleness never fills Warnings."""
    monkeypatch.setattr("microsize.clock.today", lambda: dt.date(2026, 11, 22))
    args = (2000, 0.015, 3520, 3450)
    eth = MF_SIZE(*args, "binance:ETHUSDT")
    assert _spec_age(eth) == (
        "2024-10-24 (759 days old, limit 180: check the venue or run microsize specs refresh)"
    )
    assert _warnings(eth) == "none"
    assert _spec_age(MF_SIZE(*args, "cme:MET")) == "2026-11-22 (0 days old)"
    assert _spec_age(MF_SIZE(*args, 0.001)) == "n/a: contract size typed"
    monkeypatch.setenv("MICROSIZE_MAX_SPEC_AGE_DAYS", "1000")
    assert _spec_age(MF_SIZE(*args, "binance:ETHUSDT")) == "2024-10-24 (759 days old)"
    monkeypatch.setenv("MICROSIZE_MAX_SPEC_AGE_DAYS", "soon")
    with pytest.raises(
        MicrosizeError, match="MICROSIZE_MAX_SPEC_AGE_DAYS must be a number of days"
    ):
        MF_SIZE(*args, "binance:ETHUSDT")
    # a workbook's own table is checked by its as_of column
    rows = bundled().rows()
    eth_row = next(i for i, r in enumerate(rows) if r[:2] == ["binance", "ETHUSDT"])
    rows[eth_row][-1] = "2026-11-01"
    monkeypatch.delenv("MICROSIZE_MAX_SPEC_AGE_DAYS")
    own = MF_SIZE(*args, "binance:ETHUSDT", None, None, rows)
    assert _spec_age(own) == "2026-11-01 (21 days old)"
    assert _warnings(own) == "none"


def test_size_trade_dates_the_spec_only_when_given_a_date() -> None:
    plain = ms.size_trade(2000, 0.015, 3520, 3450, "binance:ETHUSDT")
    assert _spec_age(plain) == "2024-10-24"
    late = ms.size_trade(2000, 0.015, 3520, 3450, "binance:ETHUSDT", today=dt.date(2030, 1, 1))
    assert "1895 days old, limit 180" in _spec_age(late)
    assert _warnings(late) == "none"
    fresh = ms.size_trade(
        2000, 0.015, 3520, 3450, "binance:ETHUSDT", today=dt.date(2030, 1, 1), max_age_days=5000
    )
    assert _spec_age(fresh) == "2024-10-24 (1895 days old)"


def test_cli_size_warns_and_max_age_days_overrides(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("microsize.clock.today", lambda: dt.date(2026, 11, 22))
    assert main(["size", "2000", "1.5%", "3520", "3450", "binance:ETHUSDT"]) == 0
    assert "759 days old" in capsys.readouterr().out
    argv = ["size", "2000", "1.5%", "3520", "3450", "binance:ETHUSDT", "--max-age-days", "800"]
    assert main(argv) == 0
    assert re.search(r"Warnings\s+none", capsys.readouterr().out)
    assert main([*argv[:-1], "-3"]) == 2
    assert "--max-age-days must be 0 or more (got '-3')" in capsys.readouterr().err


# ------------------------------------------------------------------ diff helpers
def test_diff_rows_for_a_sheet_and_tiers_diff() -> None:
    old = bundled()
    rows = old.rows()
    rows[1][9] = 2  # cme:MBT tick_size
    new = merge_specs(SpecTable.from_rows(rows), [])
    d = diff_specs(old, new)
    assert d.rows() == [list(DIFF_HEADER), ["changed", "cme:MBT", "tick_size", 5.0, 2.0]]
    assert d.summary() == "0 added, 0 removed, 1 changed (1 field)"
    assert not diff_specs(old, old)
    assert diff_specs(old, old).summary() == "no changes"
    tiers = list(ms.load_bundled_margin_tiers())
    t = diff_tiers(tiers, tiers[:-1])
    assert t.rows()[1][:3] == ["removed", "hyperliquid:ETH tier 2", ""]
