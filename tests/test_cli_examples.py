"""Help examples that run as pasted: ``microsize examples DIR`` writes the files they read,
and every line of every ``--help`` that starts with ``microsize`` runs from that folder
with exit status 0, or 1 where the example is there to show a warning; never a refusal
(2), an internal error (3) or a traceback."""

from __future__ import annotations

import csv
import io
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from microsize.cli import EXAMPLE_FILES, build_parser, main
from tests.test_refresh import fake_ccxt  # noqa: F401  (fixture: the venues are fakes)

#: Examples that change the user's LibreOffice or run it for seconds: parsed here;
#: tests/test_libreoffice.py and tests/test_pictures.py run the same commands.
NOT_RUN_HERE = (
    "microsize libreoffice install",
    "microsize libreoffice uninstall",
    "microsize recalc",
    "microsize workbook pictures",
    # talk to the venues: tests/test_live.py runs them on recorded answers
    "microsize prices",
    "microsize positions",
    "microsize workbook update-prices",
    "microsize workbook update-holdings",
)

#: Examples that are there to show a warning (exit status 1): the liquidation before the
#: stop of issue 5's 20x long.
WARNS = {
    "microsize liq 60000 0.01 20 binance:BTCUSDT --stop 57000",
}


def _parsers() -> dict[str, Any]:
    """Every (sub)command's parser by its command line, e.g. 'specs refresh'."""
    out: dict[str, Any] = {}

    def walk(parser: Any, prefix: str) -> None:
        out[prefix] = parser
        for action in parser._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                for name, sub in action.choices.items():
                    walk(sub, f"{prefix} {name}".strip())

    walk(build_parser(), "")
    return out


def _examples_of(text: str) -> list[str]:
    tail = text.split("\nexamples:\n", 1)[1] if "\nexamples:\n" in text else ""
    return [line.strip() for line in tail.splitlines() if line.startswith("  microsize ")]


EXAMPLES = sorted({line for p in _parsers().values() for line in _examples_of(p.format_help())})


def test_every_help_ends_with_examples_one_command_a_line() -> None:
    for name, parser in _parsers().items():
        text = parser.format_help()
        assert "%%" not in text, name  # argparse escaping shown to the user
        tail = text.split("\nexamples:\n", 1)[1] if "\nexamples:\n" in text else ""
        found = _examples_of(text)
        # one command per line: a command wrapped onto a second line cannot be pasted
        assert [line for line in tail.splitlines() if line.strip()] == [
            f"  {line}" for line in found
        ], name
        if not parser._subparsers or name == "":  # every command and the top level
            assert found, f"microsize {name} --help has no example".replace("  ", " ")
    assert len(EXAMPLES) >= 20


def test_examples_read_only_files_the_examples_folder_has() -> None:
    """No example names a file a user does not have (px.csv, book.csv, workbook/...)."""
    made_by_examples = {"microsize-examples", "report", "pictures", "microsize.oxt"}
    for line in EXAMPLES:
        for word in shlex.split(line):
            if re.search(r"\.(csv|xlsm|xlsx|ods)$", word) and word not in EXAMPLE_FILES:
                # only outputs the example itself writes may be new names
                assert "--out" in line or word in made_by_examples, (line, word)
            assert "/" not in word or word.startswith("-"), (line, word)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder written by ``microsize examples``, as a user makes it."""
    out = tmp_path_factory.mktemp("examples") / "microsize-examples"
    assert main(["examples", str(out)]) == 0
    return out


def test_the_examples_folder(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(EXAMPLE_FILES)
    for name in EXAMPLE_FILES:
        if name.endswith(".csv"):
            text = (folder / name).read_text(encoding="utf-8")
            rows = list(csv.reader(io.StringIO(text)))
            assert len(rows) >= 5, name
            assert all(len(r) == len(rows[0]) for r in rows), name
            numbers = [c for r in rows for c in r if re.fullmatch(r"-?[\d.eE+-]+", c)]
            assert numbers, name
            assert not [c for c in numbers if "e" in c.lower()], name  # 0.00001, not 1e-05
    holdings = list(csv.DictReader(io.StringIO((folder / "holdings.csv").read_text())))
    prices = (folder / "prices.csv").read_text().splitlines()[0].split(",")
    assert {h["symbol"] for h in holdings} <= set(prices)  # every blank beta can be estimated
    # 45 ETH on binance:ETHUSDT at the last close 1,610.84: the exposure is its notional
    assert float(holdings[0]["exposure"]) == pytest.approx(45 * 1610.84)
    assert (folder / "microsize.xlsm").read_bytes()[:2] == b"PK"


def test_examples_refuses_to_overwrite(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (folder / "prices.csv").read_bytes()
    assert main(["examples", str(folder)]) == 2
    assert "prices.csv exists" in capsys.readouterr().err
    assert (folder / "prices.csv").read_bytes() == before


@pytest.mark.parametrize("line", EXAMPLES)
def test_every_help_example_runs_from_the_examples_folder(
    line: str,
    folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_ccxt: dict[str, Any],  # noqa: F811  (specs refresh talks to fake venues)
) -> None:
    argv = shlex.split(line)[1:]
    if line.startswith(NOT_RUN_HERE):  # parsed here; run through LibreOffice elsewhere
        assert build_parser().parse_args(argv).func is not None, line
        return
    here = tmp_path / "here"
    shutil.copytree(folder, here)  # each example in its own copy: none sees another's output
    monkeypatch.chdir(here)
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == (1 if line in WARNS else 0), (line, out, err)
    assert "error" not in err, (line, err)
    if code == 1:
        assert err.startswith("microsize: warning: ")


def test_a_pasted_example_runs_in_a_shell(folder: Path, tmp_path: Path) -> None:
    """Through the installed console script, as a user pastes it: the ATR of bars.csv."""
    exe = shutil.which("microsize") or ""
    if not exe:
        pytest.skip("the microsize console script is not on PATH")
    shutil.copytree(folder, tmp_path / "here")
    line = next(x for x in EXAMPLES if x.startswith("microsize atr "))
    proc = subprocess.run(
        shlex.split(line), cwd=tmp_path / "here", capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert re.match(r"ATR +[\d,.]+ price units$", proc.stdout.splitlines()[0])


def test_top_level_help_has_an_example_and_the_exit_status() -> None:
    text = build_parser().format_help()
    assert "exit status: 0 done; 1 done" in text
    assert "  microsize examples " in text
    assert "  microsize size " in text


def test_workbook_usage_names_every_form() -> None:
    usage = _parsers()["workbook"].format_usage()
    assert "update-specs BOOK" in usage
    assert "pictures BOOK DIR" in usage


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["size", "2000", "1%", "3520", "3450", "cme:MET", "extra"], "usage: microsize size "),
        (["specs", "refresh", "--prune", "extra"], "usage: microsize specs refresh "),
        (["atr-stop", "1", "2", "3", "long", "cme:MBT", "x"], "usage: microsize atr-stop "),
    ],
)
def test_an_extra_argument_shows_the_usage_of_the_command_typed(
    argv: list[str], usage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage), err
    assert "unrecognized arguments" in err
    assert "{size,ladder" not in err  # not the list of every command


def test_libreoffice_install_help_says_root_installs_for_every_user() -> None:
    text = _parsers()["libreoffice install"].format_help()
    assert "as root" in text.replace("\n", " ").replace("run as", "as")
    assert "every user" in " ".join(text.split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
