"""The README shows what the program does today: its console sessions are re-run and must
print exactly what is pasted, and its function table matches the Excel functions."""

from __future__ import annotations

import datetime as dt
import inspect
import re
import shlex
from pathlib import Path

import pytest

from microsize import udfs
from microsize._size_table import size_trade
from microsize.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
#: the day the README's outputs were made; its "Spec as of" ages count from it
README_DAY = dt.date(2026, 11, 29)


def _sessions() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for every ``$ microsize`` line of a console block."""
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *lines = chunk.rstrip("\n").split("\n")
            out.append((command, lines))
    return out


SESSIONS = _sessions()


def test_the_readme_has_sessions() -> None:
    commands = [c.split()[1] for c, _ in SESSIONS]
    assert commands.count("size") >= 3
    assert {"ladder", "scale-out"} <= set(commands)


@pytest.mark.parametrize(("command", "expected"), SESSIONS, ids=[c for c, _ in SESSIONS])
def test_console_sessions_print_what_the_readme_shows(
    command: str,
    expected: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("microsize.clock.today", lambda: README_DAY)
    argv = shlex.split(command)
    assert argv[0] == "microsize"
    main(argv[1:])
    captured = capsys.readouterr()
    assert (captured.out + captured.err).splitlines() == expected


def _table() -> dict[str, str]:
    """Function name -> the signature text of its row in the README's function table."""
    rows = re.findall(r"^\| `(MF_[A-Z_]+)\(([^`]*)\)` \|", README, re.M)
    return dict(rows)


def test_function_table_matches_the_excel_functions() -> None:
    table = _table()
    functions = {n: getattr(udfs, n) for n in dir(udfs) if n.startswith("MF_")}
    assert set(table) == set(functions)
    for name, fn in functions.items():
        params = inspect.signature(fn).parameters.values()
        shown = [p.name if p.default is inspect.Parameter.empty else f"[{p.name}]" for p in params]
        assert table[name] == ", ".join(shown), name


def test_mf_size_row_lists_the_rows_mf_size_returns() -> None:
    row = next(line for line in README.splitlines() if line.startswith("| `MF_SIZE("))
    listed = row.split("two-column spill: ", 1)[1].split(". ", 1)[0]
    labels = [r[0] for r in size_trade(2000, 0.015, 3520, 3450, "binance:ETHUSDT")]
    assert listed.split(", ") == labels
