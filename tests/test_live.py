"""Live data (``microsize prices``, ``microsize positions``): ccxt's own request building,
signing and parsing on recorded venue answers (tests/live_http.py), no network.

One venue per unit style: Binance USDⓈ-M (coin quantities) and COIN-M (contracts of 100
USD), OKX (contracts of 0.01 BTC), Deribit (USD), Bybit (BTC linear, USD inverse). Pagination,
a network failure midway, a rate-limit answer, an unknown symbol, missing keys, and planted
keys searched for in every output.
"""

from __future__ import annotations

import csv
import io
import math
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from microsize import venues_live
from microsize._hedge import beta
from microsize._volatility import atr
from microsize.cli import main
from tests import live_http as L  # the recorded answers

KEYS = {
    "MICROSIZE_BINANCE_API_KEY": "planted-binance-key-7f3a9c",
    "MICROSIZE_BINANCE_SECRET": "planted-binance-secret-2b8e",
    "MICROSIZE_OKX_API_KEY": "planted-okx-key-41d0",
    "MICROSIZE_OKX_SECRET": "planted-okx-secret-9c2f",
    "MICROSIZE_OKX_PASSWORD": "planted-okx-pass-77aa",
    "MICROSIZE_DERIBIT_API_KEY": "planted-deribit-key-5e1b",
    "MICROSIZE_DERIBIT_SECRET": "planted-deribit-secret-0c4d",
    "MICROSIZE_BYBIT_API_KEY": "planted-bybit-key-19ce",
    "MICROSIZE_BYBIT_SECRET": "planted-bybit-secret-a3f0",
}


@pytest.fixture
def venues(monkeypatch: pytest.MonkeyPatch) -> L.Venues:
    fake = L.install_fakes(monkeypatch)
    for var in KEYS:
        monkeypatch.delenv(var, raising=False)
    return fake


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def closed_days(n: int) -> list[int]:
    """The last n closed daily bars at NOW (the bar of 2026-11-30 is still forming)."""
    return [t for t in L.times() if t + L.DAY <= L.NOW][-n:]


# ------------------------------------------------------------------------- prices
def test_prices_paginates_and_keeps_closed_bars_only(
    venues: L.Venues, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "prices.csv"
    code, text, err = run(
        capsys, "prices", "binance:BTCUSDT", "binance:ETHUSDT", "--bars", "30", "--csv", str(out)
    )
    assert code == 0, err
    got = rows(out)
    assert list(got[0]) == ["date", "BTC", "BTC_high", "BTC_low", "ETH", "ETH_high", "ETH_low"]
    assert len(got) == 30
    assert (got[0]["date"], got[-1]["date"]) == ("2026-10-31", "2026-11-29")  # not 11-30
    for row, t in zip(got, closed_days(30), strict=True):
        _, _, h, lo, c = L.bar("ETH", t)
        assert (float(row["ETH"]), float(row["ETH_high"]), float(row["ETH_low"])) == (c, h, lo)
        assert float(row["BTC"]) == L.close("BTC", t)
    # the venue answers 7 bars a request: 30 bars of each contract took several pages
    klines = [u for u in venues.http["binance"].calls if "/fapi/v1/klines" in u]
    assert len([u for u in klines if "BTCUSDT" in u]) >= 5
    assert all(ex.enableRateLimit for ex in venues.made)
    assert "30 closed 1d bars, 2026-10-31 to 2026-11-29 (UTC)" in text
    assert "of 30 bars" in err  # the progress display


def test_betas_and_atrs_from_the_download_equal_those_typed_by_hand(
    venues: L.Venues, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "prices.csv"
    assert run(capsys, "prices", "binance:BTCUSDT", "okx:ETH-USDT-SWAP", "--bars", "40",
               "--csv", str(out))[0] == 0  # fmt: skip
    days = closed_days(40)
    btc = [L.close("BTC", t) for t in days]
    eth = [L.close("ETH", t) for t in days]
    bars = [L.bar("BTC", t) for t in days]
    # the same numbers typed by hand into a CSV (semicolons and decimal commas, as Excel
    # writes in a German locale), and straight into the core functions
    hand = tmp_path / "hand.csv"
    lines = ["week;ETH;BTC;high;low;close"] + [
        ";".join(str(x).replace(".", ",") for x in (i, e, b, h, lo, c))
        for i, (e, b, (_, _, h, lo, c)) in enumerate(zip(eth, btc, bars, strict=True), 1)
    ]
    hand.write_text("\n".join(lines) + "\n", encoding="utf-8")

    hedge = ["hedge", "100000", "60000", "cme:MBT", "--hedge-col", "BTC"]
    a = run(capsys, *hedge, "--prices", str(out), "--asset", "ETH")
    b = run(capsys, *hedge, "--prices", str(hand), "--asset", "ETH")
    assert a[0] == b[0]
    assert a[1] == b[1]
    assert "Beta" in a[1]
    expected_beta = float(beta([[x] for x in eth], [[x] for x in btc], None))
    assert 0.1 < expected_beta < 5
    assert f"{expected_beta:.2f}x" in a[1]

    a = run(capsys, "atr", str(out), "--high-col", "BTC_high", "--low-col", "BTC_low",
            "--close-col", "BTC")  # fmt: skip
    b = run(capsys, "atr", str(hand))
    assert a[0] == b[0] == 0
    assert a[1] == b[1]
    values = atr([[r[2]] for r in bars], [[r[3]] for r in bars], [[r[4]] for r in bars], 14, None)
    shown = a[1].split()[1].replace(",", "")  # "ATR  4,777.695822 price units"
    assert math.isclose(float(shown), float(values[-1]), rel_tol=1e-9, abs_tol=1e-6)


@pytest.mark.parametrize(
    ("key", "host"),
    [
        ("okx:BTC-USDT-SWAP", "okx"),  # contracts of 0.01 BTC
        ("deribit:BTC-PERPETUAL", "deribit"),  # inverse, USD
        ("binance:BTCUSD_PERP", "binance"),  # inverse, contracts of 100 USD
    ],
)
def test_prices_of_each_unit_style(
    venues: L.Venues, tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, host: str
) -> None:
    out = tmp_path / "p.csv"
    code, _, err = run(capsys, "prices", f"X={key}", "--bars", "50", "--csv", str(out))
    assert code == 0, err
    got = rows(out)
    assert len(got) == 50
    assert [float(r["X"]) for r in got] == [L.close("BTC", t) for t in closed_days(50)]
    assert venues.http[host].calls


def test_a_contract_listed_later_has_blanks_and_betas_skip_them(
    venues: L.Venues, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.csv"
    code, text, _ = run(
        capsys, "prices", "binance:BTCUSDT", "binance:SOLUSDT", "--bars", "30", "--csv", str(out)
    )
    assert code == 0
    got = rows(out)
    listed = L.LISTED["SOLUSDT"]
    blank = [r["date"] for r, t in zip(got, closed_days(30), strict=True) if t < listed]
    assert len(blank) == 11
    assert all(r["SOL"] == "" for r in got[:11])
    assert got[11]["SOL"]
    assert "SOL: binance:SOLUSDT; blank in 11 rows" in text
    # the beta reads the 19 rows where both have a close
    code, hedged, _ = run(capsys, "hedge", "1000", "60000", "cme:MBT", "--prices", str(out),
                          "--asset", "SOL", "--hedge-col", "BTC")  # fmt: skip
    days = [t for t in closed_days(30) if t >= listed]
    b = float(beta([[L.close("ETH", t)] for t in days], [[L.close("BTC", t)] for t in days], None))
    assert f"{b:.2f}x" in hedged


def test_network_failure_midway_writes_nothing(
    venues: L.Venues, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "prices.csv"
    out.write_text("the old file\n", encoding="utf-8")
    venues.http["binance"].fail_after = 3  # the 4th request: BTC's 4th page
    code, text, err = run(
        capsys, "prices", "binance:BTCUSDT", "binance:ETHUSDT", "--bars", "30", "--csv", str(out)
    )
    assert code == 2
    assert out.read_text(encoding="utf-8") == "the old file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["prices.csv"]  # no temporary left
    line = err.strip().splitlines()[-1]
    assert line.startswith("microsize: error: binance:BTCUSDT prices: no connection")
    assert "nothing written" in line
    assert "signature" not in line
    assert text == ""


def test_no_network_at_all_refuses_in_one_line(
    venues: L.Venues, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    venues.http["okx"].fail_after = 0
    code, _, err = run(capsys, "prices", "okx:BTC-USDT-SWAP", "--csv", str(tmp_path / "p.csv"))
    assert code == 2
    assert "no connection to the venue" in err
    assert err.count("microsize: error") == 1
    assert "Traceback" not in err
    assert not (tmp_path / "p.csv").exists()


def test_rate_limit_answer(
    venues: L.Venues, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    venues.http["binance"].status["/fapi/v1/klines"] = (
        429,
        {"code": -1003, "msg": "Too many requests; current limit is 2400 requests per minute."},
    )
    code, _, err = run(capsys, "prices", "binance:BTCUSDT", "--csv", str(tmp_path / "p.csv"))
    assert code == 2
    assert "rate limited, try again later" in err
    assert not (tmp_path / "p.csv").exists()


def test_unknown_symbol(
    venues: L.Venues, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "prices", "binance:FOOUSDT", "--csv", str(tmp_path / "p.csv"))
    assert code == 2
    assert "binance:FOOUSDT: unknown symbol, binance lists no such contract" in err
    assert venues.http["binance"].calls == []  # refused from the market list, before any bar


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["prices", "cme:MBT", "--csv", "p.csv"], "'cme' is not served by ccxt"),
        (["prices", "binance:BTCUSDT", "--bars", "x", "--csv", "p.csv"], "--bars must be a whole"),
        (
            ["prices", "binance:BTCUSDT", "--timeframe", "2d", "--csv", "p.csv"],
            "--timeframe must be",
        ),
        (["prices", "BTCUSDT", "--csv", "p.csv"], "contract must be exchange:symbol"),
        (
            ["prices", "binance:BTCUSDT", "okx:BTC-USDT-SWAP", "--csv", "p.csv"],
            "are both named BTC",
        ),
        (["positions", "kucoin"], "exchange must be one of"),
        (
            ["prices", "binance:BTCUSDT", "--csv", "nowhere/p.csv"],
            "folder 'nowhere' does not exist",
        ),
        (["prices", "binance:BTCUSDT", "--csv", "."], "is a folder"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(
    venues: L.Venues, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert all(not h.calls for h in venues.http.values())  # refused before any request
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------------- positions
def test_positions_without_keys_name_the_variables(
    venues: L.Venues, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "positions", "okx")
    assert code == 2
    assert err.strip() == (
        "microsize: error: okx positions need a read-only API key: set MICROSIZE_OKX_API_KEY, "
        "MICROSIZE_OKX_SECRET, MICROSIZE_OKX_PASSWORD (see README, Live data)"
    )
    assert venues.made == []  # nothing was asked of the venue


@pytest.mark.parametrize(
    ("venue", "expected", "size"),
    [
        # Binance USDⓈ-M in BTC and ETH (coin), COIN-M in contracts of 100 USD
        ("binance", [("binance:BTCUSDT", 0.015, 60100), ("binance:ETHUSDT", -1.25, 3050.5),
                     ("binance:BTCUSD_PERP", -3, 60500)], 5250.5),
        # OKX in contracts (0.01 BTC, 0.1 ETH): pos 150 and -40 as the venue sent them
        ("okx", [("okx:BTC-USDT-SWAP", 150, 60200.5), ("okx:ETH-USDT-SWAP", -40, 3020.1)], 10000.5),
        # Deribit in USD: size -500 (a sell), the order form's amount
        ("deribit", [("deribit:BTC-PERPETUAL", -500, 60321.5)], 1200),
        # Bybit: linear in BTC, inverse in USD (size "2500", side Sell)
        ("bybit", [("bybit:BTCUSDT", 0.01, 60150), ("bybit:BTCUSD", -2500, 60400.5)], 3000.25),
    ],
)  # fmt: skip
def test_positions_in_the_venues_order_unit(
    venues: L.Venues,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    venue: str,
    expected: list[tuple[str, float, float]],
    size: float,
) -> None:
    for var, value in KEYS.items():
        monkeypatch.setenv(var, value)
    out = tmp_path / "pos.csv"
    code, text, err = run(capsys, "positions", venue, "--csv", str(out))
    assert code == 0, err
    got = [(r["contract"], float(r["contracts"]), float(r["entry"])) for r in rows(out)]
    assert got == [(k, float(q), float(e)) for k, q, e in expected]
    line = next(ln for ln in text.splitlines() if ln.startswith("account size (USD coins): "))
    assert float(line.rpartition(" ")[2].replace(",", "")) == size


def test_a_planted_key_appears_in_no_output(
    venues: L.Venues,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for var, value in KEYS.items():
        monkeypatch.setenv(var, value)
    outputs: list[str] = []
    # a good run, with a CSV
    for venue in ("binance", "okx", "deribit", "bybit"):
        outputs += run(capsys, "positions", venue, "--csv", str(tmp_path / f"{venue}.csv"))[1:]
    # the venue refuses the key and echoes it with the signed URL (as a venue may)
    echo = {"code": "50113", "msg": f"Invalid sign for key {KEYS['MICROSIZE_OKX_API_KEY']}"}
    venues.http["okx"].status["/api/v5/account/positions"] = (401, echo)
    code, out, err = run(capsys, "positions", "okx")
    assert code == 2
    assert "the key was refused" in err
    outputs += [out, err]
    # a network failure on a signed request (its URL carries the signature)
    venues.http["binance"].fail_after = len(venues.http["binance"].calls)
    code, out, err = run(capsys, "positions", "binance")
    assert code == 2
    assert "no connection" in err
    outputs += [out, err]
    files = [p.read_text(encoding="utf-8") for p in tmp_path.iterdir()]
    assert len(files) == 4
    for secret in KEYS.values():
        for text in outputs + files:
            assert secret not in text
    # the venues did receive the key (the test would pass vacuously otherwise)
    assert any("signature=" in u for u in venues.http["binance"].calls)


def test_a_unit_that_ccxt_and_the_table_disagree_on_is_refused() -> None:
    """Outside the verified venues a position is taken only when ccxt's contract size is
    the table's: Gate's BTC_USDT counts contracts of 0.0001 BTC in both."""
    from microsize._contracts import load_specs

    specs = {s.key.lower(): s for s in load_specs(bundled=True).filter(None)}
    market = {"symbol": "BTC/USDT:USDT", "id": "BTC_USDT", "base": "BTC", "contractSize": 0.0001}
    raw = {"symbol": "BTC/USDT:USDT", "contracts": 12, "side": "short", "entryPrice": 60000}
    got = venues_live.position_of("gate", raw, {"BTC/USDT:USDT": market}, specs)
    assert isinstance(got, venues_live.Position)
    assert got.contracts == -12
    wrong = {**market, "contractSize": 0.001}
    refused = venues_live.position_of("gate", raw, {"BTC/USDT:USDT": wrong}, specs)
    assert isinstance(refused, str)
    assert "position left out" in refused


def test_scrub_removes_secrets_signatures_and_header_dumps() -> None:
    text = (
        "okx GET https://www.okx.com/api/v5/account/positions?sign=abc&ts=1 "
        "{'OK-ACCESS-KEY': 'k3y-1234', 'OK-ACCESS-PASSPHRASE': 'pw-5678'} k3y-1234"
    )
    out = venues_live.scrub(text, ["k3y-1234", "pw-5678"])
    assert "k3y" not in out
    assert "pw-5678" not in out
    assert "sign=" not in out
    assert out.startswith("okx GET https://www.okx.com/api/v5/account/positions?...")


def test_funding_rates_from_the_venues(venues: L.Venues) -> None:
    got = venues_live.fetch_funding(
        ["binance:BTCUSDT", "okx:BTC-USDT-SWAP"], exchange_factory=venues
    )
    assert got["binance:BTCUSDT"][0] == 0.0000625  # lastFundingRate "0.00006250"
    assert got["okx:BTC-USDT-SWAP"][0] == 0.0000792


def test_make_exchange_turns_the_rate_limiter_on() -> None:
    ex: Any = venues_live.make_exchange("binance", None, timeout_s=5)
    assert ex.enableRateLimit is True
    assert ex.timeout == 5000
    assert not ex.apiKey


# ------------------------------------------------------------------------- README
README = Path(__file__).resolve().parents[1] / "README.md"


def _live_sessions() -> list[tuple[str, list[str]]]:
    """(command, expected lines) of the README's Live data section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Live data", 1)[1].split("\n## ", 1)[0]
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```text\n(.*?)```", section, re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *lines = chunk.rstrip("\n").split("\n")
            out.append((command, lines))
    return out


def _steady(lines: list[str]) -> list[str]:
    """The lines without what depends on the template's own sample rows and layout (the
    old table sizes, the old holdings, cell names, the array formulas beside the tables),
    which other work may change."""
    out = []
    for line in lines:
        if line.startswith("    was: ") or re.search(
            r"now fills|left as it was|![A-Z]+\d+ note: ", line
        ):
            continue
        line = re.sub(r"\(was \d+ rows x \d+ columns\)", "(was ...)", line)
        out.append(re.sub(r"\b(Sizing|Planner|Ladder|Margin)![A-Z]+\d+", r"\1!..", line))
    return out


def test_the_readme_live_sessions_print_what_it_shows(
    venues: L.Venues,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sessions = _live_sessions()
    commands = [c.split()[1] for c, _ in sessions if c.startswith("microsize ")]
    assert {"prices", "positions", "workbook"} <= set(commands)
    assert any("update-prices" in c for c, _ in sessions)
    assert any("update-holdings" in c for c, _ in sessions)
    from tests.test_live_workbook import with_exposure

    # the README's book is a current template: holdings valued by signed exposures
    with_exposure(README.parent / "workbook" / "microsize.xlsm", tmp_path / "microsize.xlsm",
                  "MF_EXPOSURE")  # fmt: skip
    monkeypatch.chdir(tmp_path)
    for command, expected in sessions:
        argv = shlex.split(command)
        if argv[0] == "export":
            for item in argv[1:]:
                name, _, value = item.partition("=")
                monkeypatch.setenv(name, value)
            continue
        main(argv[1:])
        out, err = capsys.readouterr()
        said = out.splitlines() + [ln for ln in err.splitlines() if ln.startswith("microsize:")]
        assert _steady(said) == _steady(expected), command


@pytest.mark.parametrize(
    ("venue", "variables"),
    [
        ("binance", "MICROSIZE_BINANCE_API_KEY, MICROSIZE_BINANCE_SECRET"),
        ("kraken", "MICROSIZE_KRAKEN_API_KEY, MICROSIZE_KRAKEN_SECRET"),
        ("bitget", "MICROSIZE_BITGET_API_KEY, MICROSIZE_BITGET_SECRET, MICROSIZE_BITGET_PASSWORD"),
        ("weex", "MICROSIZE_WEEX_API_KEY, MICROSIZE_WEEX_SECRET, MICROSIZE_WEEX_PASSWORD"),
        ("hyperliquid", "MICROSIZE_HYPERLIQUID_WALLET_ADDRESS"),
    ],
)
def test_each_venue_names_the_variables_of_its_key(
    venues: L.Venues,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    venue: str,
    variables: str,
) -> None:
    """What ccxt requires to sign (requiredCredentials); Hyperliquid reads by address."""
    for name in variables.split(", "):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys, "positions", venue)
    assert code == 2
    assert err.strip() == (
        f"microsize: error: {venue} positions need a read-only API key: set {variables} "
        "(see README, Live data)"
    )
    assert venues.made == []


def test_a_partial_key_names_only_what_is_missing(
    venues: L.Venues, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MICROSIZE_OKX_API_KEY", "planted-okx-key-41d0")
    monkeypatch.setenv("MICROSIZE_OKX_SECRET", "planted-okx-secret-9c2f")
    code, _, err = run(capsys, "positions", "okx")
    assert code == 2
    assert "set MICROSIZE_OKX_PASSWORD (see README" in err
    assert "planted" not in err


def test_an_impossible_bar_is_refused(
    venues: L.Venues, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bar whose close is above its high (a venue's or a parser's error) stops the
    download: no row of the file is made from it."""
    t = L.times()[-5]
    venues.http["binance"].status["/fapi/v1/klines"] = (
        200,
        [[t, "100", "101", "99", "105", "1", t + L.DAY - 1, "1", 1, "1", "1", "0"]],
    )
    code, _, err = run(capsys, "prices", "binance:BTCUSDT", "--csv", str(tmp_path / "p.csv"))
    assert code == 2
    assert "binance:BTCUSDT: the venue returned an impossible bar" in err
    assert not (tmp_path / "p.csv").exists()
