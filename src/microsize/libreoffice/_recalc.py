"""``microsize recalc BOOK --out DIR``: recalculate a workbook headless in LibreOffice.

BOOK is copied into a temporary directory and only the copy is opened, with a throwaway
LibreOffice profile into which the add-in (built from this Python's microsize.udfs) is
installed; BOOK itself is never written. LibreOffice writes one CSV per sheet (values,
not the formatted text: 57228.9156627, not 57,228.92) and, on request, a PDF of the whole
workbook; the CSVs of visible sheets are copied to DIR as ``<book>-<sheet>.csv``.
"""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ._extension import build_oxt
from ._install import env_args, write_profile_settings
from ._office import Office, OfficeError, find_office, require_matching_python, run

__all__ = ["CSV_FILTER", "Recalc", "hidden_sheets", "recalc", "recalc_many"]

#: LibreOffice's CSV export: comma, double quotes, UTF-8, values rather than the formatted
#: text, and (the 12th field, LibreOffice 7.2+) every sheet to its own file.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
_SETUP = "microsize add-in:"


_ERROR_CELL = re.compile(r"^(#NAME\?|#VALUE!|#REF!|#DIV/0!|#N/A|#NUM!|#NULL!|Err:\d+)$")


@dataclass
class Recalc:
    """What one recalculation wrote."""

    csv: dict[str, Path] = field(default_factory=dict)  # visible sheet name -> CSV
    pdf: Path | None = None

    def error_cells(self) -> list[tuple[str, str, str]]:
        """(sheet, cell, error) for every cell showing a spreadsheet error value."""
        from openpyxl.utils.cell import get_column_letter

        found = []
        for sheet, path in self.csv.items():
            with open(path, encoding="utf-8", newline="") as f:
                for r, row in enumerate(csv.reader(f), start=1):
                    for c, text in enumerate(row, start=1):
                        if _ERROR_CELL.match(text):
                            found.append((sheet, f"{get_column_letter(c)}{r}", text))
        return found


def hidden_sheets(book: Path) -> set[str]:
    """Names of the hidden sheets of an .xlsx/.xlsm (none known for other formats)."""
    try:
        with zipfile.ZipFile(book) as z:
            xml = z.read("xl/workbook.xml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError, OSError):
        return set()
    hidden = set()
    for tag in re.findall(r"<sheet\b[^>]*>", xml):
        if re.search(r'\bstate="(hidden|veryHidden)"', tag):
            name = re.search(r'\bname="([^"]*)"', tag)
            if name:
                hidden.add(_unescape(name.group(1)))
    return hidden


def _unescape(text: str) -> str:
    for a, b in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(a, b)
    return text


def _soffice(office: Office, profile: Path, *args: str) -> list[str]:
    return [str(office.soffice), *env_args(profile), "--headless", "--norestore", *args]


# Long on purpose: one LibreOffice session: start, open each book, export, always close.
def recalc_many(
    books: Sequence[str | Path],
    out: str | Path,
    pdf: bool | str = False,
    office: Office | None = None,
) -> list[Recalc]:
    """Recalculate several workbooks with one add-in install (one soffice run per format).
    ``pdf`` may be a ``--convert-to`` target with filter options (``pdf:calc_pdf_Export:
    {...}``) in place of ``True``."""
    office = office or find_office()
    require_matching_python(office)
    paths = [Path(b) for b in books]
    for p in paths:
        if not p.is_file():
            raise OfficeError(f"BOOK {str(p)[:80]!r} is not a file")
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise OfficeError("two books with the same name: recalculate them one at a time")
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="microsize-recalc-") as tmp_name:
        tmp = Path(tmp_name)
        profile = tmp / "profile"
        write_profile_settings(profile)
        oxt = build_oxt(tmp / "microsize.oxt")
        run(
            [str(office.unopkg), "add", "--shared", *env_args(profile), str(oxt)],
            "installing the add-in into a throwaway profile",
        )
        copies = tmp / "in"
        copies.mkdir()
        copied = [Path(shutil.copy2(p, copies / p.name)) for p in paths]
        csv_dir = tmp / "csv"
        log = run(
            _soffice(office, profile, "--convert-to", CSV_FILTER, "--outdir", str(csv_dir))
            + [str(c) for c in copied],
            "LibreOffice (CSV export)",
        )
        results = []
        for book, copy in zip(paths, copied, strict=True):
            produced = {
                sheet: Path(path)
                for sheet, path in re.findall(r"Writing sheet (.*?) -> (.*)", log)
                if Path(path).name.startswith(copy.stem + "-")
            }
            if not produced:
                raise OfficeError(f"LibreOffice wrote no CSV for {book.name}: {log.strip()[-200:]}")
            hidden = hidden_sheets(copy)
            result = Recalc()
            for sheet, path in produced.items():
                if sheet in hidden:
                    continue
                text = path.read_text(encoding="utf-8")
                if _SETUP in text:
                    start = text.index(_SETUP)
                    raise OfficeError(
                        text[start : text.find('"', start)][:300] or text[start:][:300]
                    )
                dest = target / path.name
                shutil.copyfile(path, dest)
                result.csv[sheet] = dest
            results.append(result)
        if pdf:
            pdf_dir = tmp / "pdf"
            run(
                _soffice(
                    office,
                    profile,
                    *("--convert-to", pdf if isinstance(pdf, str) else "pdf"),
                    *("--outdir", str(pdf_dir)),
                )
                + [str(c) for c in copied],
                "LibreOffice (PDF export)",
            )
            for result, copy in zip(results, copied, strict=True):
                made = pdf_dir / (copy.stem + ".pdf")
                if not made.exists():
                    raise OfficeError(f"LibreOffice wrote no PDF for {copy.name}")
                result.pdf = Path(shutil.copyfile(made, target / made.name))
    return results


def recalc(book: str | Path, out: str | Path, pdf: bool = False) -> Recalc:
    """Recalculate BOOK headless in LibreOffice; write CSVs (and a PDF) into ``out``."""
    return recalc_many([book], out, pdf)[0]
