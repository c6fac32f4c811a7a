"""Every book the product writes is valid OOXML as far as a validator without Excel can tell.

``openxml-audit`` (pure Python) checks each part against the ECMA-376 schemas and the
package rules: element order, required attributes, shared-string indexes, content types,
relationships, duplicate sheet names. What it cannot see (checked elsewhere or not at all):
whether formulas are well formed and their references valid (tests/test_workbook.py
parses every formula with the formula engine), whether defined names and structured
references resolve, whether style indexes are in range, and anything Excel repairs
silently on open; no Excel runs here.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from microsize.workbook import build_workbook_bytes, update_specs

audit = pytest.importorskip("openxml_audit")


def _errors(path: Path) -> list[str]:
    result = audit.OpenXmlValidator().validate(str(path))
    return [str(e) for e in result.errors]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ooxml") / "microsize.xlsm"
    path.write_bytes(build_workbook_bytes())
    return path


def test_the_template_is_valid_ooxml(template: Path) -> None:
    assert _errors(template) == []


def test_a_book_after_update_specs_is_valid_ooxml(template: Path, tmp_path: Path) -> None:
    """update-specs rewrites the Specs, Tiers, Spec changes and Start sheets and
    the tables of a book in place. (A copy saved by openpyxl, which tests use to stand in
    for a user's edits, draws the validator's complaints about openpyxl's inline strings:
    not a book the product writes.)"""
    book = tmp_path / "mine.xlsm"
    shutil.copy2(template, book)
    report = update_specs(book)
    assert report.backup is not None
    assert report.backup.exists()
    assert book.read_bytes() != template.read_bytes()  # it did rewrite the book
    assert _errors(book) == []


def test_the_validator_sees_a_misordered_table(template: Path, tmp_path: Path) -> None:
    """The check can fail: a table part with its style before its columns is refused."""
    bad = tmp_path / "bad.xlsm"
    buf = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/tables/table1.xml":
                text = body.decode()
                style = re.search(r"<tableStyleInfo[^>]*/>", text)
                assert style
                text = text.replace(style.group(0), "")
                text = text.replace("<tableColumns", style.group(0) + "<tableColumns", 1)
                body = text.encode()
            out.writestr(info, body)
    bad.write_bytes(buf.getvalue())
    assert _errors(bad) != []


# ------------------------------------------------- update-specs with more than 200 keys
#: More contracts than the 200 rows the old dropdown list held.
MANY = 250


def _many_specs() -> Any:
    """The bundled table and made-up linear contracts of a venue of the user's, MANY in all."""
    from microsize._contracts import SpecTable, load_bundled_specs

    rows = load_bundled_specs().rows()
    header = rows[0]
    for i in range(MANY - len(rows) + 1):
        mine = {"exchange": "myvenue", "symbol": f"C{i:03d}USDT", "kind": "linear"}
        mine |= {"base": f"C{i:03d}", "quote": "USDT", "settle": "USDT", "contract_size": 1}
        mine |= {"lot_step": 1, "tick_size": 0.01}
        rows.append([mine.get(h) for h in header])
    table = SpecTable.from_rows(rows, origin="test")
    assert len(table) == MANY
    return table


def test_update_specs_takes_more_than_200_keys_and_the_dropdowns_follow(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """250 contracts: every row of Specs gets its key, the table's key column keeps its
    formula for rows added later, and the dropdowns' name still reads the whole column
    (on main the dropdowns read 200 rows of the hidden Lists sheet: keys past the 200th
    were in no dropdown); the book stays valid OOXML."""
    import openpyxl

    from microsize.workbook import update as up

    monkeypatch.setattr(up, "load_specs", _many_specs)
    book = tmp_path / "many.xlsm"
    shutil.copy2(template, book)
    report = update_specs(book)
    assert sum(r[0] == "added" for r in report.spec_changes) == MANY - 76
    wb = openpyxl.load_workbook(book)
    ws = wb["Specs"]
    assert ws.tables["Specs"].ref == f"A1:R{MANY + 1}"
    assert ws["R1"].value == "key"
    formula = '=Specs[[#This Row],[exchange]]&":"&Specs[[#This Row],[symbol]]'
    assert all(ws.cell(r, 18).value == formula for r in range(2, MANY + 2))
    assert ws.cell(MANY + 1, 2).value == "C173USDT"
    (calc,) = [c for c in ws.tables["Specs"].tableColumns if c.calculatedColumnFormula]
    assert calc.name == "key"
    assert str(wb.defined_names["ContractKeys"].attr_text) == "Specs[key]"
    assert _errors(book) == []


@pytest.mark.parametrize("as_formulas", [False, True])
def test_update_specs_widens_the_list_of_an_older_book(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_formulas: bool
) -> None:
    """A book built before the dropdowns read ContractKeys has a hidden Lists sheet of 200
    keys (as values, or as formulas over the Specs table) and dropdowns over
    Lists!$A$2:$A$201: update-specs with 250 contracts writes every key there and widens
    every such dropdown to cover them (on main: refused for a list of values, and a list
    of formulas stayed at 200)."""
    import openpyxl
    from openpyxl.worksheet.datavalidation import DataValidation

    from microsize.workbook import update as up

    book = tmp_path / "old.xlsm"
    wb = openpyxl.load_workbook(template, keep_vba=True)
    lists = wb.create_sheet("Lists")
    lists["A1"] = "Contract keys (dropdowns)"
    for i in range(1, 201):
        lists.cell(i + 1, 1).value = (
            f'=IFERROR(INDEX(Specs[exchange],{i})&":"&INDEX(Specs[symbol],{i}),"")'
            if as_formulas
            else (f"old:{i}" if i <= 76 else None)
        )
    dv = DataValidation(type="list", formula1="Lists!$A$2:$A$201")
    wb["Planner"].add_data_validation(dv)
    dv.add("B10:B13")
    wb.save(book)
    monkeypatch.setattr(up, "load_specs", _many_specs)
    update_specs(book)
    wb = openpyxl.load_workbook(book)
    column = [c.value for c in wb["Lists"]["A"]]
    assert len(column) == MANY + 1
    if as_formulas:
        assert column[-1] == (
            f'=IFERROR(INDEX(Specs[exchange],{MANY})&":"&INDEX(Specs[symbol],{MANY}),"")'
        )
    else:
        assert column[1] == "cme:MBT"
        assert column[-1] == "myvenue:C173USDT"
    sources = {d.formula1 for d in wb["Planner"].data_validations.dataValidation}
    assert f"Lists!$A$2:$A${MANY + 1}" in sources
    assert "Lists!$A$2:$A$201" not in sources


def test_a_template_of_more_than_200_contracts_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The builder takes a table of 250 contracts (on main: refused, "the Lists sheet holds
    200 keys"): Specs holds them all with their keys, and the book is valid OOXML."""
    import openpyxl

    from microsize.workbook import build

    monkeypatch.setattr(build, "load_bundled_specs", _many_specs)
    book = tmp_path / "many.xlsm"
    book.write_bytes(build_workbook_bytes())
    ws = openpyxl.load_workbook(book, data_only=True)["Specs"]
    assert ws.tables["Specs"].ref == f"A1:R{MANY + 1}"
    assert ws.cell(MANY + 1, 18).value == "myvenue:C173USDT"  # its cached key
    assert _errors(book) == []
