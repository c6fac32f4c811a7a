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
    """update-specs rewrites the Specs, Tiers, Lists, Spec changes and Start sheets and
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
