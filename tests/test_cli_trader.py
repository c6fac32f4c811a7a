"""The trader-input commands: every help example runs as printed, and prints the core's numbers."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import microsize as ms
from microsize.cli import main
from microsize.cli_trader import EXAMPLES

from .test_trader import QQQ


def _lines(out: str) -> dict[str, str]:
    pairs = [re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in out.splitlines()]
    return {p[0]: p[1] for p in pairs if len(p) == 2}


@pytest.fixture
def prices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bars.csv"  # the name the atr example reads
    rows = ["date,high,low,close"] + [f"d{i},{h},{lo},{c}" for i, (h, lo, c, *_) in enumerate(QQQ)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return path


@pytest.mark.parametrize("command", sorted(EXAMPLES))
def test_help_examples_run_as_printed(
    command: str, prices: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = shlex.split(EXAMPLES[command])[1:]
    assert main(argv) == 0
    assert capsys.readouterr().out.strip()


def test_atr_command_is_the_stockcharts_value(
    prices: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["atr", str(prices)]) == 0
    atr_row = _lines(capsys.readouterr().out)["ATR"]
    assert atr_row.startswith("1.316")
    assert atr_row.endswith(" price units")
    assert main(["atr", str(prices), "--all"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["2", "n/a"]
    assert out[14].split()[1].startswith("0.554")


def test_number_commands_match_the_core(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["atr-stop", "60000", "1234.5", "2", "long", "cme:MBT"]) == 0
    assert _lines(capsys.readouterr().out)["Stop"] == "57,530 USD"
    # the side typed as a number: 1 is a long, -1 a short (not the text '1')
    assert main(["atr-stop", "60000", "1234.5", "2", "1", "cme:MBT"]) == 0
    assert _lines(capsys.readouterr().out)["Stop"] == "57,530 USD"
    assert main(["atr-stop", "60000", "1234.5", "2", "-1", "cme:MBT"]) == 0
    assert _lines(capsys.readouterr().out)["Stop"] == "62,470 USD"
    assert main(["stop-fill", "57000", "2 ticks", "60000", "cme:MBT"]) == 0
    assert _lines(capsys.readouterr().out)["Stop fill"] == "56,990 USD"
    assert main(["target", "60000", "57000", "3", "bybit:BTCUSD"]) == 0
    assert _lines(capsys.readouterr().out)["Target"] == "71,250.0 USD"  # Bybit's tick: 0.5
    assert main(["rr", "50", "48", "55"]) == 0
    assert _lines(capsys.readouterr().out)["Reward to risk"] == "2.50R"
    assert main(["roi-target", "7000", "20%", "5", "long", "bybit:BTCUSD"]) == 0
    assert _lines(capsys.readouterr().out)["Target"] == "7,292.0 USD"
    assert main(["roi-target", "--", "60000", "-50%", "10", "long"]) == 0
    assert _lines(capsys.readouterr().out)["Target"] == "57,000 quote currency"


def test_usd_budget_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["usd-budget", "100", "60000", "57000", "deribit:BTC-PERPETUAL"]) == 0
    lines = _lines(capsys.readouterr().out)
    assert lines["Contracts"] == "2,000 USD (multiples of 10)"
    assert lines["Risk at stop (USD)"] == "100.00 USD"
    assert lines["Budget"] == "0.00175438 BTC"  # 100 / 57,000 = 0.001754385..., cut
    assert (
        main(["usd-budget", "100", "60000", "57000", "deribit:BTC-PERPETUAL", "--fee", "0.05%"])
        == 0
    )
    assert _lines(capsys.readouterr().out)["Contracts"] == "1,960 USD (multiples of 10)"


def test_size_slippage_option(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["size", "2000", "1.5%", "3520", "3450", "binance:ETHUSDT", "--fee", "0.05%"]
    assert main(argv) == 0
    plain = _lines(capsys.readouterr().out)
    assert main([*argv, "--slippage", "0.1%"]) == 0
    slipped = _lines(capsys.readouterr().out)
    assert plain["Stop fill"] == "3,450.00 USDT"  # to ETHUSDT's tick of 0.01
    assert slipped["Stop fill"] == "3,446.55 USDT"
    plain_n, slipped_n = (float(t["Contracts"].removesuffix(" ETH")) for t in (plain, slipped))
    assert slipped_n < plain_n
    assert slipped_n == ms.contracts(30, 3520, 3446.55, "binance:ETHUSDT", 0.0005)


def test_bad_input_is_a_short_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stop-fill", "57000", "2 ticks", "60000"]) == 2
    assert "needs a contract with a tick" in capsys.readouterr().err
    assert main(["atr", "no-such-file.csv"]) == 2
    assert "cannot read" in capsys.readouterr().err
