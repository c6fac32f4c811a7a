"""The MF_ functions in a real spreadsheet application: LibreOffice Calc with the add-in.

The add-in is generated from ``microsize.udfs`` (see the README, "LibreOffice"). One
session recalculates two workbooks headless through ``microsize recalc``'s code: the
committed template, whose MF_ cells must come out equal to the values cached in the file
(the only exception: text that depends on today's date), and a workbook with inputs
changed from the template's, whose MF_ cells must equal what the Python functions return
for the same inputs, with two numbers pinned to outside references (428 contracts for the
ETH seed; the 57,228.92 liquidation price Binance's formula gives, as the CLI tests pin).

Without LibreOffice and its Python bridge these tests skip, except in CI (CI set), where
``.ci/run`` installs them and a missing piece fails the test.
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
import shutil
import signal
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils.cell import range_boundaries

import microsize.udfs as U
from microsize.cli import main
from microsize.libreoffice import _cli, _extension, _meta, _office
from microsize.libreoffice import _recalc as rc
from microsize.libreoffice._office import OfficeError

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook" / "microsize.xlsm"
DAYS_OLD = re.compile(r"\b\d+ days? old\b")


def office_or_skip() -> _office.Office:
    try:
        office = _office.find_office()
        _office.require_matching_python(office)
    except OfficeError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs LibreOffice with its Python bridge (.ci/run): {exc}")
        pytest.skip(str(exc))
    return office


# ------------------------------------------------------------------ the generated add-in
def test_every_udf_is_in_the_extension_with_its_descriptions(tmp_path: Path) -> None:
    funcs = _meta.functions()
    names = sorted(n for n in dir(U) if n.startswith("MF_") and callable(getattr(U, n)))
    assert [f.name for f in funcs] == names
    oxt = _extension.build_oxt(tmp_path / "m.oxt", funcs)
    import zipfile

    with zipfile.ZipFile(oxt) as z:
        idl = z.read("XMicrosize.idl").decode()
        xcu = ET.fromstring(z.read("CalcAddIns.xcu"))
        manifest = z.read("META-INF/manifest.xml").decode()
        assert set(z.namelist()) >= {"microsize_addin.py", "functions.json", "env.json"}
    for name in ("XMicrosize.idl", "CalcAddIns.xcu", "Jobs.xcu", "microsize_addin.py"):
        assert f'full-path="{name}"' in manifest
    oor = "{http://openoffice.org/2001/registry}"
    entries = {
        n.get(f"{oor}name"): n
        for n in xcu.iter("node")
        if (n.get(f"{oor}name") or "").startswith("MF_")
    }
    assert sorted(entries) == names
    for f in funcs:
        sig = re.search(rf"\b{f.name}\((.*?)\);", idl)
        assert sig, f.name
        # optional arguments are `any` (Calc passes void when omitted), required ones
        # a matrix of any (a value or a range; the Function Wizard marks them required)
        kinds = re.findall(r"\[in\] (any|sequence< sequence< any > >) p\w+", sig.group(1))
        assert kinds == ["any" if p.optional else "sequence< sequence< any > >" for p in f.params]
        node = entries[f.name]
        props = {p.get(f"{oor}name"): p.findtext("value") for p in node.findall("prop")}
        assert props["CompatibilityName"] == f.name
        assert props["Description"] == f.description
        params = node.find("node")
        assert params is not None
        shown = [
            {p.get(f"{oor}name"): p.findtext("value") for p in q.findall("prop")}
            for q in params.findall("node")
        ]
        assert [s["DisplayName"] for s in shown] == [p.name for p in f.params]
    # the argument descriptions the Excel path shows (xlwings @arg docs)
    contracts = next(f for f in funcs if f.name == "MF_CONTRACTS")
    assert [p.optional for p in contracts.params] == [False] * 4 + [True] * 2
    stop = contracts.params[2]
    assert (stop.name, stop.description) == (
        "stop_price",
        "Stop price: below entry = long, above = short",
    )
    assert contracts.description.startswith("Contracts to trade: the largest multiple")


def test_the_extension_records_where_this_python_finds_microsize() -> None:
    import sys
    import sysconfig

    import numpy

    import microsize

    paths = _extension.import_paths()
    assert paths[0] == str(Path(microsize.__file__).resolve().parent.parent)
    assert any(Path(numpy.__file__).resolve().is_relative_to(p) for p in paths)
    assert os.path.realpath(sysconfig.get_paths()["stdlib"]) not in paths
    env = _extension.environment()
    assert env["python"] == list(sys.version_info[:2])
    assert env["paths"] == paths


def test_uno_parameter_names() -> None:
    assert _extension.param_id("risk_amount") == "pRiskAmount"
    assert _extension.param_id("in") == "pIn"  # an IDL keyword, made safe


# ------------------------------------------------------------------ clear refusals
def test_refuses_a_python_that_does_not_match_libreoffices(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    office = _office.Office(Path("/nonexistent/soffice"), tmp_path)
    (tmp_path / "pythonloader.py").write_text("")
    (tmp_path / "libpyuno.so").write_bytes(b"\0libpython3.99.so.1.0\0")
    monkeypatch.setattr(_office, "find_office", lambda: office)
    with pytest.raises(OfficeError, match=r"LibreOffice runs Python 3\.99, this is cpython 3\.\d+"):
        _office.require_matching_python(office)
    book = tmp_path / "b.xlsx"
    book.write_bytes(b"")
    monkeypatch.setattr(rc, "find_office", lambda: office)
    assert main(["recalc", str(book), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "LibreOffice runs Python 3.99" in err
    assert len(err) < 400
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_refuses_without_the_python_bridge(tmp_path: Path) -> None:
    office = _office.Office(tmp_path / "soffice", tmp_path)
    with pytest.raises(OfficeError, match=r"Python bridge is missing.*python3-uno"):
        _office.office_python_version(office)


def test_refuses_without_libreoffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("MICROSIZE_SOFFICE", raising=False)
    monkeypatch.setattr(_office, "_SOFFICE_CANDIDATES", ())
    monkeypatch.setattr(_office, "Path", _NoOpt)
    with pytest.raises(OfficeError, match="LibreOffice is not installed"):
        _office.find_office()


class _NoOpt(type(Path())):  # type: ignore[misc]
    """Path whose /opt holds no LibreOffice (the machine running the test may have one)."""

    def glob(self, pattern: str) -> Iterator[Any]:  # type: ignore[override]
        return iter(())


def test_recalc_refuses_a_missing_book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    office_or_skip()
    assert main(["recalc", str(tmp_path / "nope.xlsx"), "--out", str(tmp_path)]) == 2
    assert "nope.xlsx' is not a file" in capsys.readouterr().err


@pytest.fixture
def fake_office(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> _office.Office:
    """An Office that passes the Python check and starts nothing (a test that reaches a
    LibreOffice tool fails: its path does not exist)."""
    office = _office.Office(tmp_path / "lo" / "program" / "soffice", tmp_path / "lo" / "program")
    monkeypatch.setattr(rc, "find_office", lambda: office)
    monkeypatch.setattr(rc, "require_matching_python", lambda o: (3, 11))
    return office


def test_recalc_refuses_an_output_folder_it_cannot_create(
    fake_office: _office.Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "b.xlsx"
    book.write_bytes(b"PK")
    a_file = tmp_path / "somefile"
    a_file.write_text("")
    for out, says in (
        (
            a_file / "out",
            f"output folder {str(a_file / 'out')!r} cannot be created: {str(a_file)!r} is a file",
        ),
        (a_file, f"output folder {str(a_file)!r} is a file, not a folder"),
    ):
        assert main(["recalc", str(book), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err == f"microsize: error: {says}\n"
    assert main(["recalc", str(tmp_path), "--out", str(tmp_path / "o")]) == 2  # a folder
    assert f"BOOK {str(tmp_path)!r} is not a file" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_recalc_names_a_book_it_cannot_read(
    fake_office: _office.Office,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An unreadable BOOK (no permission: faked, as tests run as root here) is one line."""
    import builtins

    book = tmp_path / "locked.xlsx"
    book.write_bytes(b"PK")

    def locked(path: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(path) == book:
            raise PermissionError(13, "Permission denied", str(path))
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(rc, "open", locked, raising=False)
    assert main(["recalc", str(book), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        f"microsize: error: BOOK {str(book)!r} cannot be read (Permission denied)\n"
    )
    assert not (tmp_path / "out").exists()


def test_recalc_refuses_two_books_of_one_name_before_starting_anything(
    fake_office: _office.Office, tmp_path: Path
) -> None:
    books = [tmp_path / "a" / "b.xlsx", tmp_path / "c" / "b.xlsm"]
    for book in books:
        book.parent.mkdir()
        book.write_bytes(b"PK")
    with pytest.raises(OfficeError, match="two books with the same name"):
        rc.recalc_many(books, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_recalc_exit_status_names_at_most_ten_error_cells(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 1 when a cell shows an error value or an MF_ message, 0 otherwise; at most
    ten cells named, the rest counted (the CSVs LibreOffice would write, faked)."""
    message = "stop must be a number (got text 'abc')"
    a = tmp_path / "b-Sizing.csv"
    a.write_text("Contracts,428\n" + "#DIV/0!,x\n" * 11 + f'ok,"{message}"\n', encoding="utf-8")
    b = tmp_path / "b-Spec changes.csv"
    b.write_text("fine,Err:502\n", encoding="utf-8")
    clean = tmp_path / "b-Start.csv"
    clean.write_text("microsize,1\nstop must be a number,ok: liquidation beyond\n")
    results = {
        "errors": rc.Recalc({"Sizing": a, "Spec changes": b}, messages=frozenset({message})),
        "clean": rc.Recalc({"Start": clean}, messages=frozenset({message})),
    }
    for name, result in results.items():
        monkeypatch.setattr(rc, "recalc", lambda *_a, r=result, **_k: r)
        code = main(["recalc", "b.xlsx", "--out", str(tmp_path)])
        out, err = capsys.readouterr()
        if name == "clean":
            assert (code, err) == (0, "")
            assert out == f"Start: {clean}\n"
            continue
        assert code == 1
        lines = err.splitlines()
        assert lines[0] == "microsize recalc: 13 cells show an error:"
        assert lines[1:11] == [f"  Sizing!A{r}: #DIV/0!" for r in range(2, 12)]
        assert lines[11:] == ["  ... and 3 more"]
    errors = results["errors"].error_cells()
    assert errors[-2:] == [("Sizing", "B13", message), ("Spec changes", "B1", "Err:502")]
    assert _cli.error_report(errors[-1:]) == (
        "microsize recalc: 1 cell shows an error:\n  'Spec changes'!B1: Err:502"
    )


def test_the_messages_of_mf_calls_are_read_from_the_add_ins_tracebacks() -> None:
    log = """Writing sheet Inputs -> /tmp/x/b-Inputs.csv
Traceback (most recent call last):
  File "/x/microsize_addin.py", line 127, in method
    return _result(getattr(udfs, name)(*call))
microsize._errors.MicrosizeError: stop must be a number (got text 'abc')
Traceback (most recent call last):
  File "/x/microsize_addin.py", line 127, in method
ValueError: Invalid literal for Fraction: '-inf'
microsize: re-bound 3 MF_ formulas
"""
    assert rc.cell_messages(log) == {
        "stop must be a number (got text 'abc')",
        "ValueError: Invalid literal for Fraction: '-inf'",
    }
    assert rc.cell_messages("Writing sheet Inputs -> /tmp/x/b-Inputs.csv\n") == set()


def test_libreoffice_build_names_a_path_it_cannot_write_and_leaves_nothing_when_interrupted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "somefile"
    a_file.write_text("")
    assert main(["libreoffice", "build", str(a_file / "microsize.oxt")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("microsize: error: ")
    assert str(a_file) in err
    assert len(err.splitlines()) == 1
    assert main(["libreoffice", "build", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err

    def interrupted(path: Path, funcs: Any = None) -> Path:
        Path(path).write_bytes(b"PK\x03\x04 half an extension")
        raise KeyboardInterrupt

    monkeypatch.setattr(_extension, "build_oxt", interrupted)
    target = tmp_path / "out" / "microsize.oxt"
    assert main(["libreoffice", "build", str(target)]) == 130
    assert capsys.readouterr().err == "microsize libreoffice build: interrupted; no file written\n"
    assert list(target.parent.iterdir()) == []  # no partial file, no temporary folder


def test_libreoffice_install_as_root_says_it_installs_for_every_user_and_where(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from microsize.libreoffice import _install

    program = tmp_path / "libreoffice" / "program"
    office = _office.Office(program / "soffice", program)
    ran: list[list[str]] = []
    monkeypatch.setattr(_install, "require_matching_python", lambda o: (3, 11))
    monkeypatch.setattr(_install, "run", lambda cmd, what: ran.append(cmd) or "")
    monkeypatch.setattr(_office.Office, "unopkg", property(lambda self: program / "unopkg"))
    monkeypatch.setattr(_install, "is_root", lambda: True)
    said = _install.install(None, office)
    cache = (tmp_path / "libreoffice" / "share" / "uno_packages" / "cache").resolve()
    assert said.startswith(
        f"installed the microsize add-in for every user of the LibreOffice in {program.parent} "
        f"(run as root: unopkg add --shared, into {cache})"
    )
    assert ran[-1][:3] == [str(program / "unopkg"), "add", "--shared"]
    monkeypatch.setattr(_install, "is_root", lambda: False)
    assert "for this user;" in _install.install(None, office)
    assert "--shared" not in ran[-1]
    a_file = tmp_path / "somefile"
    a_file.write_text("")
    with pytest.raises(OfficeError, match=r"--profile .*somefile/p' cannot be created: Not a"):
        _install.install(a_file / "p", office)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_tool_that_outlives_its_time_is_ended_with_everything_it_started(
    tmp_path: Path,
) -> None:
    """run() ends the tool's whole process group (soffice is a script that starts
    soffice.bin): here a script whose child sleeps on after the script is ended."""
    import sys
    import time

    pid_file = tmp_path / "child.pid"
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(120)\n"
    )
    start = time.monotonic()
    with pytest.raises(OfficeError, match="did not finish within 2 s"):
        _office.run([sys.executable, "-c", script], "a tool", timeout=2)
    assert time.monotonic() - start < 30
    child = int(pid_file.read_text())
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie (a container's init may not reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@pytest.mark.office
def test_recalc_of_a_book_libreoffice_cannot_read_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office_or_skip()
    book = tmp_path / "corrupt.xlsx"
    book.write_bytes(bytes(range(256)) * 12)  # not a zip, not text
    out = tmp_path / "out"
    assert main(["recalc", str(book), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"microsize: error: BOOK {str(book)!r}: LibreOffice could not read it as a workbook ("
    )
    assert len(err.splitlines()) == 1
    assert not out.exists()


def _descendants(pid: int) -> dict[int, str]:
    """Command line of every living (not zombie) process descended from ``pid``."""
    table: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields[0] != "Z":
            table[int(entry.name)] = (int(fields[1]), cmd)
    found: dict[int, str] = {}
    frontier = {pid}
    while frontier:
        frontier = {p for p, (parent, _) in table.items() if parent in frontier} - set(found)
        found.update((p, table[p][1]) for p in frontier)
    return found


@pytest.mark.office
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_during_recalc_ends_libreoffice_and_leaves_nothing(tmp_path: Path) -> None:
    """SIGINT (what Ctrl-C sends) to a running `microsize recalc`, once LibreOffice is
    converting: one line on stderr, exit 130, every LibreOffice process it started ended,
    its throwaway profile removed and no output folder or file left behind."""
    import subprocess
    import sys
    import time

    office_or_skip()
    out = tmp_path / "out"
    code = "import sys; from microsize.cli import main; sys.exit(main(sys.argv[1:]))"
    command = subprocess.Popen(
        [sys.executable, "-c", code, "recalc", str(TEMPLATE), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    office: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and command.poll() is None:
            office = _descendants(command.pid)
            if any("--convert-to" in c for c in office.values()):
                break
            time.sleep(0.1)
        assert any("--convert-to" in c for c in office.values()), "no soffice was started"
        time.sleep(1.0)  # LibreOffice is loading the book
        office = _descendants(command.pid) | office
        command.send_signal(signal.SIGINT)
        stdout, stderr = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
    assert command.returncode == 130, stderr
    assert stderr == "microsize recalc: interrupted; LibreOffice stopped, no partial file left\n"
    assert stdout == ""
    assert [c for p, c in office.items() if _alive(p)] == []
    profiles = {m for c in office.values() for m in re.findall(r"file://(/\S+?)/profile", c)}
    assert profiles, office
    assert not [p for p in profiles if Path(p).exists()]
    assert not out.exists()


# ------------------------------------------------------------------ the quick loop
def test_a_test_without_the_office_marker_cannot_start_libreoffice() -> None:
    """tests/conftest.py refuses soffice, unopkg and poppler to unmarked tests, so that
    `pytest -m "not office"` never starts them (the program is refused before it runs)."""
    import subprocess

    for argv in (["/nowhere/program/soffice", "--version"], ["unopkg.bin"], ["pdftoppm"]):
        with pytest.raises(
            RuntimeError, match=r"without the office marker: add @pytest\.mark\.office"
        ):
            subprocess.run(argv, check=False)


@pytest.mark.office
def test_a_test_with_the_office_marker_may() -> None:
    import subprocess

    with pytest.raises(FileNotFoundError):  # reached the system: no such program
        subprocess.run(["/nowhere/program/soffice", "--version"], check=False)


# ------------------------------------------------------------------ through LibreOffice
@dataclass
class Sheets:
    """A recalculated book: sheet name -> rows of CSV text."""

    rows: dict[str, list[list[str]]]
    pdf: Path | None

    def cell(self, sheet: str, ref: str) -> str:
        col, row, _, _ = range_boundaries(ref)
        data = self.rows[sheet]
        return (
            data[row - 1][col - 1] if row - 1 < len(data) and col - 1 < len(data[row - 1]) else ""
        )


def read_sheets(result: Any) -> Sheets:
    rows = {}
    for sheet, path in result.csv.items():
        with open(path, encoding="utf-8", newline="") as f:
            rows[sheet] = list(csv.reader(f))
    return Sheets(rows, result.pdf)


# The changed-input workbook: inputs differ from the template's (account size, contract,
# fee, a blank optional cell, a stop on the wrong side), each result beside its formula.
_INPUTS: dict[str, Any] = {
    "B1": 5000,  # account size (template: 2000)
    "B2": 0.01,  # risk per trade
    "B3": 3520,  # entry
    "B4": 3450,  # stop
    "B5": "binance:ETHUSDT",  # contract (template: 0.001)
    "B6": 0.0005,  # fee rate (template: 0)
    # B7: leverage, left blank (optional)
    "B8": 60000,  # BTC entry
    "B9": 20,  # BTC leverage
    "B10": 0.003,  # BTC contracts
    # B11:B13 wallet balance, mmr, maintenance amount: blank (optional)
}
_LADDER_ENTRIES = [3500, 3450, 3400]
_LADDER_WEIGHTS = [30, 40, 30]


def _expected() -> dict[str, Any]:
    """What the Python functions return for the changed inputs (cell -> value or message)."""
    i = _INPUTS
    budget = U.MF_RISK_AMOUNT(i["B1"], i["B2"])

    def call(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:  # the cell shows the message
            return str(exc)

    return {
        "D1": call(U.MF_CONTRACTS, 30, 3520, 3450, 0.001),
        "D2": budget,
        "D3": call(U.MF_CONTRACTS, budget, i["B3"], i["B4"], i["B5"], i["B6"]),
        "D4": call(U.MF_CONTRACTS, budget, i["B3"], i["B4"], i["B5"], None),
        "D5": call(U.MF_LIQ_PRICE, i["B8"], i["B10"], i["B9"], "binance:BTCUSDT"),
        "D6": call(U.MF_RISK, 0.428, i["B3"], i["B4"], i["B5"], i["B6"]),
        "D7": call(U.MF_CONTRACTS, budget, i["B3"], "abc", i["B5"]),
        "D8": call(U.MF_LADDER, budget, _LADDER_ENTRIES, 3420, i["B5"]),
        "D9": call(U.MF_CONTRACTS, budget, i["B3"], i["B3"], i["B5"]),
        "SIZE": U.MF_SIZE(i["B1"], i["B2"], i["B3"], i["B4"], i["B5"], i["B6"], None),
        "LADDER": U.MF_LADDER(budget, _LADDER_ENTRIES, 3300, i["B5"], _LADDER_WEIGHTS, i["B6"]),
    }


def _write_changed_book(path: Path, expected: dict[str, Any]) -> dict[str, str]:
    """The changed-input workbook; returns the spill ranges of MF_SIZE and MF_LADDER."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Inputs")
    for ref, value in _INPUTS.items():
        ws.write(ref, value)
    ws.write_row("F1", _LADDER_ENTRIES)
    ws.write_row("F2", _LADDER_WEIGHTS)
    formulas = {
        "D1": "MF_CONTRACTS(30,3520,3450,0.001)",
        "D2": "MF_RISK_AMOUNT(B1,B2)",
        "D3": "MF_CONTRACTS(D2,B3,B4,B5,B6)",
        # a blank optional cell is written as a one-cell range, as the template writes it:
        # Calc hands a single empty cell over as 0, a range keeps the blank (README)
        "D4": "MF_CONTRACTS(D2,B3,B4,B5,B7:B7)",  # B7 blank: fee omitted
        "D5": 'MF_LIQ_PRICE(B8,B10,B9,"binance:BTCUSDT",B11:B11,B12:B12,B13:B13)',
        "D6": "MF_RISK(0.428,B3,B4,B5,B6)",
        "D7": 'MF_CONTRACTS(D2,B3,"abc",B5)',  # text where a price belongs
        "D8": "MF_LADDER(D2,F1:H1,3420,B5)",  # the stop between the entries
        "D9": "MF_CONTRACTS(D2,B3,B3,B5)",  # stop at the entry
    }
    for ref, text in formulas.items():
        ws.write_formula(ref, "=" + text)
    size, ladder = expected["SIZE"], expected["LADDER"]
    spills = {
        "SIZE": f"A20:B{20 + len(size) - 1}",
        "LADDER": f"D20:{chr(ord('D') + len(ladder[0]) - 1)}{20 + len(ladder) - 1}",
    }
    ws.write_dynamic_array_formula(spills["SIZE"], "=MF_SIZE(B1,B2,B3,B4,B5,B6,B7:B7)")
    ws.write_dynamic_array_formula(spills["LADDER"], "=MF_LADDER(D2,F1:H1,3300,B5,F2:H2,B6)")
    ws.write_formula("J1", "=1/0")  # a spreadsheet error, which recalc reports
    ws.write_formula("J2", "=MF_CONTRACTS(J1,3520,3450,0.001)")  # Calc passes errors on
    hidden = wb.add_worksheet("Hidden")
    hidden.write("A1", "not exported")
    hidden.hide()
    wb.close()
    return spills


@dataclass
class Cli:
    """One ``microsize recalc`` command: exit status, stdout, stderr."""

    code: int
    out: str
    err: str

    def sheets(self) -> Sheets:
        """The CSVs (and PDF) the command says it wrote."""
        rows, pdf = {}, None
        for line in self.out.splitlines():
            name, _, path = line.partition(": ")
            if name == "PDF":
                pdf = Path(path)
                continue
            with open(path, encoding="utf-8", newline="") as f:
                rows[name] = list(csv.reader(f))
        return Sheets(rows, pdf)


def _recalc_command(*args: str) -> Cli:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["recalc", *args])
    return Cli(code, out.getvalue(), err.getvalue())


@dataclass
class Run:
    template: Sheets
    changed: Sheets
    expected: dict[str, Any]
    spills: dict[str, str]
    book: Path
    book_hash: str
    book_mtime: float
    commands: dict[str, Cli]


@pytest.fixture(scope="module")
def lo(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """``microsize recalc`` of the template (with --pdf) and of the changed-input book
    (each soffice start costs seconds)."""
    office_or_skip()
    tmp = tmp_path_factory.mktemp("lo")
    book = tmp / "microsize.xlsm"
    shutil.copy2(TEMPLATE, book)
    digest = hashlib.sha256(book.read_bytes()).hexdigest()
    mtime = book.stat().st_mtime
    expected = _expected()
    spills = _write_changed_book(tmp / "changed.xlsx", expected)
    out = str(tmp / "out")
    commands = {
        "template": _recalc_command(str(book), "--out", out, "--pdf"),
        "changed": _recalc_command(str(tmp / "changed.xlsx"), "--out", out),
    }
    return Run(
        commands["template"].sheets(),
        commands["changed"].sheets(),
        expected,
        spills,
        book,
        digest,
        mtime,
        commands,
    )


def _number(text: str) -> float | None:
    s = text.strip()
    scale = 100.0 if s.endswith("%") else 1.0
    try:
        return float(s.rstrip("%")) / scale
    except ValueError:
        return None


def same_text(got: str, want: Any) -> bool:
    if isinstance(want, int | float) and not isinstance(want, bool):
        g = _number(got)
        return g is not None and math.isclose(g, want, rel_tol=1e-9, abs_tol=1e-12)
    return DAYS_OLD.sub("N days old", got.strip()) == DAYS_OLD.sub("N days old", str(want).strip())


def _mf_cells(book: Path) -> dict[str, list[tuple[int, int]]]:
    """Every cell of every MF_ formula (all cells of an array formula's range)."""
    wb = openpyxl.load_workbook(book)
    out: dict[str, list[tuple[int, int]]] = {}
    for ws in wb.worksheets:
        cells: set[tuple[int, int]] = set()
        for row in ws.iter_rows():
            for c in row:
                text = getattr(c.value, "text", c.value)
                if isinstance(text, str) and "MF_" in text and text.startswith(("=", "MF_")):
                    ref = getattr(c.value, "ref", None) or c.coordinate
                    c0, r0, c1, r1 = range_boundaries(ref)
                    cells |= {(r, k) for r in range(r0, r1 + 1) for k in range(c0, c1 + 1)}
        if cells:
            out[ws.title] = sorted(cells)
    return out


def _cached_empty_text(path: Path) -> set[tuple[str, int, int]]:
    """(sheet, row, column), 1-based, of each formula cell whose cached result is the empty
    text (``t="str"`` with an empty ``<v>``), which openpyxl reads as None like a cell with
    no cached value at all."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    from microsize.workbook._ooxml import Package

    pkg = Package(path)
    out = set()
    for sheet, part in pkg.sheets.items():
        for ref in re.findall(
            r'<c r="([A-Z]+\d+)"[^>]*\bt="str"[^>]*><f\b[^>]*>[^<]*</f><v></v>', pkg.text(part)
        ):
            col, row = coordinate_from_string(ref)
            out.add((sheet, row, column_index_from_string(col)))
    return out


@pytest.mark.office
def test_template_recalculated_by_libreoffice_equals_its_cached_values(lo: Run) -> None:
    cached = openpyxl.load_workbook(TEMPLATE, data_only=True)
    mf = _mf_cells(TEMPLATE)
    total = sum(len(v) for v in mf.values())
    assert total > 100  # the template's worked sheets
    empty = _cached_empty_text(TEMPLATE)  # openpyxl reads a cached "" as None
    bad, dated = [], []
    for sheet, cells in mf.items():
        for r, c in cells:
            want = cached[sheet].cell(r, c).value
            rows = lo.template.rows[sheet]
            got = rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else ""
            if DAYS_OLD.search(got) or DAYS_OLD.search(str(want)):
                # a spec's age counts from today in LibreOffice and from the template's
                # date in the cached value: which warnings appear may differ, not the rest
                dated.append((sheet, r, c))
                assert isinstance(want, str), (sheet, r, c, want)
                assert got.strip(), (sheet, r, c)
                assert not got.startswith("#"), (sheet, r, c, got)
            elif want is None and (sheet, r, c) in empty and got == "":
                continue  # a formula whose cached result is the empty text ("" past Legs)
            elif want is None or not same_text(got, want):
                bad.append((sheet, r, c, want, got[:60]))
    assert not bad, f"{len(bad)} of {total} MF_ cells differ: {bad[:5]}"
    assert len(dated) <= 5, dated  # the Warnings cells of the sizing examples


@pytest.mark.office
def test_recalc_writes_one_csv_per_visible_sheet_and_a_pdf(lo: Run) -> None:
    wb = openpyxl.load_workbook(TEMPLATE, read_only=True)
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert len(visible) == len(wb.sheetnames)  # the template hides no sheet
    assert list(lo.template.rows) == visible
    assert list(lo.changed.rows) == ["Inputs"]  # "Hidden" is not exported
    assert lo.template.pdf is not None
    assert lo.template.pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.office
def test_recalc_exits_0_on_the_template_and_1_naming_the_cells_that_show_errors(
    lo: Run,
) -> None:
    template, changed = lo.commands["template"], lo.commands["changed"]
    assert (template.code, template.err) == (0, "")
    assert changed.code == 1
    # error values (J1 =1/0, and J2 whose argument is J1) and the messages MF_ calls
    # returned for bad input (D7 text for a stop, D8 a stop between the entries, D9 a stop
    # at the entry), row by row
    lines = changed.err.splitlines()
    assert lines[0] == "microsize recalc: 5 cells show an error:"
    assert lines[1:3] == ["  Inputs!J1: #DIV/0!", "  Inputs!J2: #DIV/0!"]
    assert lines[3:] == [f"  Inputs!{ref}: {lo.expected[ref]}" for ref in ("D7", "D8", "D9")]
    assert "Hidden" not in changed.err
    # the CSVs are written all the same
    assert changed.out.startswith("Inputs: ")


@pytest.mark.office
def test_recalc_never_modifies_the_book(lo: Run) -> None:
    assert hashlib.sha256(lo.book.read_bytes()).hexdigest() == lo.book_hash
    assert lo.book.stat().st_mtime == lo.book_mtime
    assert sorted(p.name for p in lo.book.parent.iterdir()) == [
        "changed.xlsx",
        "microsize.xlsm",
        "out",
    ]
    # the output folder holds what the commands listed and nothing else (no temporary file)
    listed = {line.partition(": ")[2] for c in lo.commands.values() for line in c.out.splitlines()}
    assert {str(p) for p in (lo.book.parent / "out").iterdir()} == listed


@pytest.mark.office
def test_changed_inputs_recalculate_to_the_python_results(lo: Run) -> None:
    for ref in ("D1", "D2", "D3", "D4", "D5", "D6"):
        want = lo.expected[ref]
        assert isinstance(want, int | float), (ref, want)
        assert same_text(lo.changed.cell("Inputs", ref), want), (ref, want)
    # outside numbers: the ETH seed sizes to 428 contracts of 0.001 ETH, and Binance's
    # isolated-margin formula puts the 20x BTCUSDT long from 60,000 at 57,228.92
    assert lo.changed.cell("Inputs", "D1") == "428"
    assert round(float(lo.changed.cell("Inputs", "D5")), 2) == 57228.92
    # the fee changes the size: with the fee cell blank it is omitted (no fee)
    assert float(lo.changed.cell("Inputs", "D4")) > float(lo.changed.cell("Inputs", "D3"))


@pytest.mark.office
def test_error_cells_show_the_message(lo: Run) -> None:
    for ref, names in (("D7", "stop"), ("D8", "entries"), ("D9", "stop")):
        want = lo.expected[ref]
        assert isinstance(want, str), (ref, want)
        assert names in want, (ref, want)
        assert len(want) < 200, (ref, want)
        assert lo.changed.cell("Inputs", ref) == want


@pytest.mark.office
def test_multi_cell_results_fill_their_ranges(lo: Run) -> None:
    for key in ("SIZE", "LADDER"):
        c0, r0, c1, r1 = range_boundaries(lo.spills[key])
        want = lo.expected[key]
        assert (r1 - r0 + 1, c1 - c0 + 1) == (len(want), len(want[0]))
        for i, row in enumerate(want):
            for j, value in enumerate(row):
                got = lo.changed.rows["Inputs"][r0 - 1 + i][c0 - 1 + j]
                assert got != "", (key, i, j, value)
                assert same_text(got, value), (key, i, j, value, got)
    labels = [r[0] for r in lo.expected["SIZE"]]
    assert "Contracts" in labels
    assert "Liquidation price" in labels


@pytest.mark.office
def test_install_and_uninstall_into_a_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office_or_skip()
    from microsize.libreoffice._install import is_installed

    profile = tmp_path / "profile"
    assert main(["libreoffice", "install", "--profile", str(profile)]) == 0
    assert "installed the microsize add-in" in capsys.readouterr().out
    assert is_installed(profile)
    assert main(["libreoffice", "uninstall", "--profile", str(profile)]) == 0
    assert "removed" in capsys.readouterr().out
    assert not is_installed(profile)
    assert main(["libreoffice", "uninstall", "--profile", str(profile)]) == 0
    assert "not installed" in capsys.readouterr().out


# A client run by LibreOffice's own Python (it imports uno): asks the running soffice what
# its Function Wizard lists, then opens the template as a user would and reports the state.
# run_uno_client prepends RESULT and write_result(); the results are written before the
# office is told to terminate (PyUNO may crash in its teardown after that).
#: the start of every UNO client script: connect to the office listening on ``pipe``
UNO_CONNECT = r"""
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext(
    "com.sun.star.bridge.UnoUrlResolver", local)
for _ in range(240):
    try:
        ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        break
    except Exception:
        time.sleep(0.25)
"""

_UNO_CLIENT = (
    r"""
import sys, time, uno
pipe, book = sys.argv[1], sys.argv[2]
"""
    + UNO_CONNECT
    + r"""smgr = ctx.ServiceManager
fd = smgr.createInstanceWithContext("com.sun.star.sheet.FunctionDescriptions", ctx)
wizard = {}
for i in range(fd.Count):
    p = {x.Name: x.Value for x in fd.getByIndex(i)}
    if p["Name"].startswith("MF_"):
        wizard[p["Name"]] = {
            "category": p["Category"], "description": p["Description"],
            "args": [[a.Name, a.Description, bool(a.IsOptional)] for a in (p["Arguments"] or ())]}
desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
hidden = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
hidden.Name, hidden.Value = "Hidden", True
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(book), "_blank", 0, (hidden,))
sheet = doc.Sheets.getByName("Sizing")
cells = {}
for r in range(60):
    for c in range(6):
        cell = sheet.getCellByPosition(c, r)
        if cell.getFormula().lstrip("{").startswith("=") and "MF_" in cell.getFormula():
            cells[f"{c},{r}"] = [cell.getFormula(), cell.getString()]
state = {"modified": doc.isModified(), "protected": sheet.isProtected()}
doc.close(True)
write_result({"wizard": wizard, "cells": cells, "state": state})
try:
    desktop.terminate()
except Exception:
    pass
"""
)


def office_python(office: _office.Office) -> str:
    try:
        return str(_office.office_python(office))
    except OfficeError as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
        raise AssertionError from None  # unreachable


@pytest.mark.office
def test_function_wizard_and_opening_the_template(tmp_path: Path) -> None:
    """In a running LibreOffice with the add-in installed (as a user would have it): the
    Function Wizard lists every MF_ function with its descriptions and which arguments are
    optional; the template opens with its MF_ formulas bound and computed (a sheet with a
    table is not protected, so that the table can grow)."""
    from microsize.libreoffice._install import install, write_profile_settings

    office = office_or_skip()
    python = office_python(office)
    profile = tmp_path / "profile"
    write_profile_settings(profile)
    install(profile, office)
    book = tmp_path / "microsize.xlsm"
    shutil.copy2(TEMPLATE, book)
    pipe = f"microsize-test-{os.getpid()}"
    with _office.listening(office, profile, pipe):
        done = _office.run_uno_client(_UNO_CLIENT, [pipe, str(book)], python, tmp_path)
    got = done.value
    funcs = {f.name: f for f in _meta.functions()}
    assert sorted(got["wizard"]) == sorted(funcs)
    for name, entry in got["wizard"].items():
        f = funcs[name]
        assert entry["description"] == f.description
        assert entry["args"] == [[p.name, p.description, p.optional] for p in f.params]
    cached = openpyxl.load_workbook(TEMPLATE, data_only=True)["Sizing"]
    assert got["cells"], "no MF_ formula found on the Sizing sheet"
    seen_428 = False
    for key, (formula, shown) in got["cells"].items():
        c, r = map(int, key.split(","))
        assert "#NAME" not in shown, (formula, shown)
        assert shown != "", formula
        if cached.cell(r + 1, c + 1).value == 428:
            assert shown == "428 contracts"  # the workbook's contracts format
            seen_428 = True
    assert seen_428
    # The charts draw MF_ results: LibreOffice recalculates array formulas on load and the
    # charts that listen to them mark the document modified (a chart-free book opens
    # unmodified), so closing asks to save; the README says to close without saving.
    # Sizing holds a table (Bars): not protected, so that the table can grow
    assert got["state"] == {"modified": True, "protected": False}


# ------------------------------------------------------------------ UNO client results
# A stand-in client run by this Python: what it writes and how it ends, without LibreOffice.
_FAKE_CLIENT = """
import os, signal, sys
how = sys.argv[1]
if how == "partial":
    with open(RESULT, "w") as f:
        f.write('{"a": 1')
if how in ("segv", "exit1", "ok"):
    write_result({"answer": 428})
if how == "tampered":
    write_result({"answer": 428})
    text = open(RESULT).read().replace("428", "429")
    open(RESULT, "w").write(text)
    os.kill(os.getpid(), signal.SIGSEGV)
print("client stderr line", file=sys.stderr, flush=True)
if how in ("segv", "partial", "none"):
    os.kill(os.getpid(), signal.SIGSEGV)
if how == "exit1":
    sys.exit(1)
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGSEGV by os.kill is POSIX")
def test_a_client_that_crashes_after_complete_results_is_accepted_with_the_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import sys

    ok = _office.run_uno_client(_FAKE_CLIENT, ["ok"], sys.executable, tmp_path)
    assert (ok.value, ok.returncode, ok.note) == ({"answer": 428}, 0, "")
    with caplog.at_level("WARNING", logger="microsize.libreoffice"):
        crashed = _office.run_uno_client(_FAKE_CLIENT, ["segv"], sys.executable, tmp_path)
    assert crashed.value == {"answer": 428}
    assert crashed.returncode == -signal.SIGSEGV
    assert "killed by SIGSEGV (exit -11) after writing its complete results" in crashed.note
    assert "client stderr line" in crashed.note
    assert crashed.note in caplog.text  # the reason is in the log


@pytest.mark.skipif(os.name != "posix", reason="SIGSEGV by os.kill is POSIX")
@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("none", r"killed by SIGSEGV \(exit -11\) and it wrote no results"),
        ("partial", r"killed by SIGSEGV \(exit -11\) and its results are incomplete"),
        ("tampered", "do not match their checksum"),
        ("exit1", r"failed \(exit 1\): client stderr line"),
    ],
)
def test_a_client_without_complete_results_fails_clearly(
    tmp_path: Path, how: str, reason: str
) -> None:
    import sys

    with pytest.raises(OfficeError, match=reason):
        _office.run_uno_client(_FAKE_CLIENT, [how], sys.executable, tmp_path)


def test_a_result_file_cut_short_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"a": 1}\n', encoding="utf-8")
    with pytest.raises(OfficeError, match="incomplete"):
        _office.read_result(path)
    path.write_text('{"a": 1}\n' + _office.RESULT_END + "00", encoding="utf-8")
    with pytest.raises(OfficeError, match="incomplete"):  # the end line itself cut short
        _office.read_result(path)


# ------------------------------------------------------------------ tables that grow
@pytest.mark.office
def test_rows_added_to_the_tables_change_what_libreoffice_computes(tmp_path: Path) -> None:
    """Rows typed below the Prices, Holdings and Trades tables reach the MF_ formulas in
    LibreOffice too: the structured references cover them (the results that are single
    cells are checked; LibreOffice keeps an array formula's range as saved)."""
    from microsize.workbook._data import SAMPLE_PRICES
    from microsize.workbook.planner import TRADES
    from microsize.workbook.portfolio import HOLDINGS
    from tests.test_workbook import append_rows

    office_or_skip()
    new_prices = [[28, 39000.0, 1500.0, 80.0, 9.5], [29, 42000.0, 1700.0, 88.0, 10.5]]
    new_holding = ["BTC perpetual", "BTC", "bybit:BTCUSDT", 0.5, 41144.35]
    # a risk amount
    new_trade = ["XRP", "binance:XRPUSDT", "long", 2.5, 2.4, 2.8, None, 75, 0.0005, 5]
    book = tmp_path / "grown.xlsm"
    specs = openpyxl.load_workbook(TEMPLATE)["Specs"]
    header = [c.value for c in specs[1]]
    mine = dict.fromkeys(header)
    mine |= {"exchange": "mybroker", "symbol": "XYZ", "kind": "linear", "base": "BTC"}
    mine |= {"quote": "USDT", "settle": "USDT", "contract_size": 1, "lot_step": 0.001}
    mine |= {"min_qty": 0.001, "tick_size": 0.1}
    append_rows(
        TEMPLATE,
        book,
        {
            "Prices": new_prices,
            "Holdings": [new_holding],
            "Trades": [new_trade],
            "Specs": [[mine[h] for h in header]],
        },
    )
    (result,) = rc.recalc_many([book], tmp_path / "out")
    got = read_sheets(result)
    # the contract dropdowns list the Specs table's key column (the name ContractKeys):
    # the new row's key is computed there
    n_specs = specs.max_row - 1
    last_key = f"{specs.cell(n_specs + 1, 1).value}:{specs.cell(n_specs + 1, 2).value}"
    assert got.cell("Specs", f"R{n_specs + 1}") == last_key
    assert got.cell("Specs", f"R{n_specs + 2}") == "mybroker:XYZ"
    assert got.cell("Specs", f"R{n_specs + 3}") == ""

    table = [["Week", "BTC", "ETH", "SOL", "LINK"]]
    table += [[i + 1, *r] for i, r in enumerate(SAMPLE_PRICES)] + new_prices
    eth, btc = [[r[2]] for r in table[1:]], [[r[1]] for r in table[1:]]
    held = [list(h) for h in HOLDINGS] + [new_holding]
    exposure = U.MF_NOTIONAL([[h[3]] for h in held], [[h[4]] for h in held], [[h[2]] for h in held])
    betas = U.MF_BETAS(table, [[h[1]] for h in held], "BTC")
    plan = {r[0]: r[1] for r in U.MF_PORTFOLIO_HEDGE(exposure, betas, 41144.35, "cme:MBT", 0.5)}
    risk = 0.0
    for t in [*(list(r) for r in TRADES), new_trade]:
        # Trade, Contract, Side, Entry, Stop, Target, Risk %, Risk amount, Fee, Leverage
        budget = U.MF_RISK_BUDGETS(10000, t[6], t[7])[0][0]
        n = U.MF_CONTRACTS(budget, t[3], t[4], t[1], t[8])
        risk += U.MF_RISK(n, t[3], t[4], t[1], t[8])
    cached = openpyxl.load_workbook(TEMPLATE, data_only=True)
    for ref, want in (
        ("L29", U.MF_BETA(eth, btc, 0.94)),  # ETH's EWMA beta over 29 weeks
        ("L10", plan["Exposure"]),  # five holdings
        ("L11", plan["Beta-weighted exposure"]),
    ):
        assert same_text(got.cell("Portfolio", ref), want), (ref, got.cell("Portfolio", ref), want)
        assert not same_text(got.cell("Portfolio", ref), cached["Portfolio"][ref].value), ref
    assert same_text(got.cell("Planner", "G5"), risk), (got.cell("Planner", "G5"), risk)
    assert not same_text(got.cell("Planner", "G5"), cached["Planner"]["G5"].value)


def test_the_throwaway_install_is_tried_once_more_after_a_unopkg_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """unopkg (LibreOffice 7.4) now and then fails while disposing of its bridge: the
    throwaway install tries once more, says so in the log, and a second failure is the
    error (no LibreOffice started: the runs are faked)."""
    from microsize.libreoffice import _recalc

    (tmp_path / "unopkg").touch()
    office = _office.Office(soffice=tmp_path / "soffice", program=tmp_path)
    calls: list[list[str]] = []
    failures = ["caught exception while disposing"]

    def run(cmd: list[str], what: str, **kwargs: object) -> str:
        calls.append(cmd)
        if failures:
            raise OfficeError(f"{what} failed (exit 1): {failures.pop()}")
        return ""

    monkeypatch.setattr(_recalc, "run", run)
    with caplog.at_level("WARNING", logger="microsize.libreoffice"):
        _recalc.add_to_throwaway(office, tmp_path / "profile", tmp_path / "m.oxt")
    assert len(calls) == 2
    assert "--force" in calls[1]
    assert "failed once, trying again" in caplog.text
    failures[:] = ["second", "first"]
    with pytest.raises(OfficeError, match="second"):
        _recalc.add_to_throwaway(office, tmp_path / "profile", tmp_path / "m.oxt")
