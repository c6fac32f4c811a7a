"""Start-up: what ``import microsize`` and ``microsize size`` load, and the lazy bundled table.

The time itself is measured by ``bench/bench_startup.py`` (ratios to ``import numpy`` in
the same run), not here: these tests pin the properties the time rests on.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import microsize as ms
from microsize import MicrosizeError, SpecTable
from microsize._contracts import (
    HOME_ENV,
    SPECS_FILE,
    TIERS_FILE,
    TierTable,
    tiers_from_rows,
    user_specs_path,
    user_tiers_path,
)
from microsize._spec_home import bundled_text, parse_csv

SRC = str(Path(ms.__file__).resolve().parents[1])


def _loaded_after(code: str) -> list[str]:
    """sys.modules after ``code`` runs in a fresh interpreter (the package from src/)."""
    runner = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))\n"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-c", runner], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    modules: list[str] = json.loads(proc.stdout.splitlines()[-1])
    return modules


def test_import_microsize_loads_no_core_module() -> None:
    loaded = _loaded_after("import microsize")
    assert "microsize" in loaded
    assert [m for m in loaded if m.startswith("microsize.")] == []
    assert "numpy" not in loaded


SIZE = (
    "import runpy\n"
    "sys.argv = ['microsize', 'size', '2000', '1.5%', '3520', '3450', 'binance:ETHUSDT']\n"
    "try:\n"
    "    runpy.run_module('microsize.cli', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass"
)
# what the size command never needs: other commands' core modules, and the standard
# modules that cost more start-up than they do work here
NOT_FOR_SIZE = (
    "microsize._hedge",
    "microsize._histories",
    "microsize._ladder",
    "microsize._ladder_grid",
    "microsize._position",
    "microsize._refresh",
    "microsize._planner",
    "microsize._targets",
    "microsize._volatility",
    "microsize.refresh",
    "microsize.udfs",
    "importlib.resources",
    "difflib",
    "pathlib",
)


def test_size_loads_only_what_it_needs() -> None:
    loaded = _loaded_after(SIZE)
    assert "microsize._size_table" in loaded  # the command did run
    # what this interpreter loads before any code of ours (a site's .pth files may import
    # pathlib or importlib.resources at start-up: not the command's doing)
    bare = set(_loaded_after("pass"))
    assert [m for m in NOT_FOR_SIZE if m in loaded and m not in bare] == []


def test_every_public_name_resolves_on_first_use() -> None:
    for name in ms.__all__:
        assert getattr(ms, name) is not None, name
    assert set(ms.__all__) <= set(dir(ms))
    assert ms.contracts is importlib.import_module("microsize._sizing").contracts
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        _ = ms.no_such_name  # type: ignore[attr-defined]
    namespace: dict[str, object] = {}
    exec("from microsize import *", namespace)
    assert set(ms.__all__) <= set(namespace)


def test_lazy_bundled_table_is_the_validated_table() -> None:
    """Rows of the bundled table are validated on first use, by the same checks as a user
    table: every row, validated eagerly, gives the same specs in the same order."""
    rows = parse_csv(bundled_text(SPECS_FILE))
    eager = SpecTable.from_rows(rows, origin="eager")
    lazy = SpecTable.of_trusted_rows(rows, origin="lazy")
    assert list(lazy) == list(eager)
    assert len(lazy) == len(eager) >= 76
    assert [lazy[k] for k in lazy] == [eager[k] for k in eager]
    assert lazy.exchanges == eager.exchanges
    assert lazy.rows() == eager.rows()


def test_a_bad_bundled_row_is_an_error_naming_it_when_used() -> None:
    rows = parse_csv(bundled_text(SPECS_FILE))
    header = rows[0]
    bad = list(rows[1])
    bad[header.index("lot_step")] = "-1"
    table = SpecTable.of_trusted_rows([header, bad, rows[2]], origin="bundled t")
    assert table[rows[2][0] + ":" + rows[2][1]].key  # the good row is usable
    with pytest.raises(MicrosizeError, match=r"bundled t row 2 .*lot_step: must be positive"):
        table[f"{bad[0]}:{bad[1]}"]
    with pytest.raises(MicrosizeError, match="duplicate key"):
        SpecTable.of_trusted_rows([header, rows[1], rows[1]], origin="bundled t")
    with pytest.raises(MicrosizeError, match="no contract rows"):
        SpecTable.of_trusted_rows([header, [""] * len(header)], origin="bundled t")


def test_user_table_path_follows_the_home_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables' paths are built without pathlib; the public helpers still give Paths."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    assert user_specs_path() == tmp_path / SPECS_FILE
    assert user_tiers_path() == tmp_path / TIERS_FILE
    assert ms.user_home() == tmp_path
    (tmp_path / SPECS_FILE).write_text(
        "exchange,symbol,kind,contract_size,lot_step\nmy,X,linear,0.5,1\n", encoding="utf-8"
    )
    table = ms.load_specs()
    assert list(table) == ["my:x"]
    assert table.origin == f"user table {tmp_path / SPECS_FILE}"
    monkeypatch.delenv(HOME_ENV)
    assert ms.user_home() == Path.home() / ".microsize"


def test_lazy_bundled_tiers_are_the_validated_tiers() -> None:
    """The bundled tier file is grouped by contract at load and each contract's brackets
    validated when first looked up: the same brackets, in file order, as the eager parse."""
    rows = parse_csv(bundled_text(TIERS_FILE))
    eager = TierTable.of_rows(tiers_from_rows(rows, "eager"))
    lazy = TierTable.of_trusted_rows(rows, "lazy")
    assert lazy.of("BINANCE:ethusdt") == eager.of("binance:ETHUSDT")
    assert len(lazy.of("binance:ETHUSDT")) == 12
    assert lazy.rows == eager.rows
    assert len(lazy.rows) == len(rows) - 1
    for t in eager.rows:
        assert lazy.of(t.key) == eager.of(t.key)
    assert lazy.of("nowhere:X") == ()


def test_a_bad_bundled_tier_row_is_an_error_naming_its_line() -> None:
    rows = parse_csv(bundled_text(TIERS_FILE))
    header = rows[0]
    rows = [list(r) for r in rows]
    last = len(rows) - 1  # hyperliquid:ETH tier 2, line len(rows) of the file
    rows[last][header.index("mmr")] = "x"
    lazy = TierTable.of_trusted_rows(rows, "bundled t")
    assert len(lazy.of("binance:BTCUSDT")) == 12  # other contracts are not held up
    with pytest.raises(MicrosizeError, match=rf"bundled t row {last + 1}, field mmr"):
        lazy.of("hyperliquid:ETH")
    with pytest.raises(MicrosizeError, match="header row must be"):
        TierTable.of_trusted_rows([header[:-1], *rows[1:]], "bundled t")
