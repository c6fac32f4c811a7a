"""``microsize recalc BOOK --out DIR``: recalculate a workbook headless in LibreOffice.

BOOK is copied into a temporary directory and only the copy is opened, with a throwaway
LibreOffice profile into which the add-in (built from this Python's microsize.udfs) is
installed; BOOK itself is never written. LibreOffice writes one CSV per sheet (values,
not the formatted text: 57228.9156627, not 57,228.92) and, on request, a PDF of the whole
workbook; the CSVs of visible sheets are copied to DIR as ``<book>-<sheet>.csv``.

Nothing reaches DIR until LibreOffice has finished: each file is copied into a temporary
folder beside its target and renamed into place, so an interrupted run (Ctrl-C, which also
ends the soffice it started) leaves no partial file. The add-in runs with its debug output on, so
LibreOffice's log holds every exception an MF_ call raised; a cell that shows one of those
messages, or a spreadsheet error value, is an error cell (:meth:`Recalc.error_cells`).
"""

from __future__ import annotations

import contextlib
import csv
import logging
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ._extension import build_oxt
from ._install import env_args, write_profile_settings
from ._office import Office, OfficeError, find_office, require_matching_python, run

_LOG = logging.getLogger("microsize.libreoffice")

__all__ = [
    "CSV_FILTER",
    "Recalc",
    "atomic_path",
    "cell_messages",
    "hidden_sheets",
    "make_folder",
    "recalc",
    "recalc_many",
]

#: LibreOffice's CSV export: comma, double quotes, UTF-8, values rather than the formatted
#: text, and (the 12th field, LibreOffice 7.2+) every sheet to its own file.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
_SETUP = "microsize add-in:"


#: What a cell shows for a spreadsheet error: Excel's names and LibreOffice's Err:nnn.
_ERROR_CELL = re.compile(
    r"^(#NAME\?|#VALUE!|#REF!|#DIV/0!|#N/A|#NUM!|#NULL!|#SPILL!|#CALC!|Err:\d+)$"
)
#: The add-in prints each exception of an MF_ call (a traceback) when this is set.
_ADDIN_DEBUG = {"MICROSIZE_ADDIN_DEBUG": "1"}
#: The longest text a cell of the add-in shows (``microsize_addin._message``).
_CELL_TEXT = 255


def cell_messages(log: str) -> frozenset[str]:
    """The texts the add-in put into cells for the exceptions in LibreOffice's ``log``.

    With ``MICROSIZE_ADDIN_DEBUG`` set the add-in prints a traceback for every MF_ call
    that raised; its last line is ``module.Type: message``. The cell shows the message of
    a MicrosizeError (bad input) and ``Type: message`` for any other exception, cut to
    255 characters.
    """
    found = set()
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.strip() != "Traceback (most recent call last):":
            continue
        last = next((x for x in lines[i + 1 :] if x and not x.startswith(" ")), "")
        kind, sep, message = last.partition(": ")
        if not sep:
            continue
        name = kind.rsplit(".", 1)[-1]
        shown = message if name == "MicrosizeError" else f"{name}: {message}"
        found.add(shown[:_CELL_TEXT])
    return frozenset(found)


@dataclass
class Recalc:
    """What one recalculation wrote."""

    csv: dict[str, Path] = field(default_factory=dict)  # visible sheet name -> CSV
    pdf: Path | None = None
    #: the texts of the messages MF_ calls returned during the recalculation
    messages: frozenset[str] = frozenset()

    def error_cells(self) -> list[tuple[str, str, str]]:
        """(sheet, cell, text) for every cell showing a spreadsheet error value or the
        message of an MF_ call that refused its input, in sheet order, row by row (the
        messages are those of the whole run: with several books, of any of them)."""
        from openpyxl.utils.cell import get_column_letter

        found = []
        for sheet, path in self.csv.items():
            with open(path, encoding="utf-8", newline="") as f:
                for r, row in enumerate(csv.reader(f), start=1):
                    for c, text in enumerate(row, start=1):
                        if _ERROR_CELL.match(text) or (text and text in self.messages):
                            found.append((sheet, f"{get_column_letter(c)}{r}", text))
        return found


@contextlib.contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """A path to write in a temporary folder beside ``dest``; moved to ``dest`` when the
    block ends normally, removed with the folder otherwise (an error, Ctrl-C): ``dest``
    is whole or untouched."""
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=f".{dest.name}.") as tmp:
        path = Path(tmp) / dest.name
        yield path
        os.replace(path, dest)


def _publish(src: Path, dest: Path) -> Path:
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)
    return dest


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


def _check_books(paths: list[Path]) -> None:
    for p in paths:
        if not p.is_file():
            raise OfficeError(f"BOOK {str(p)[:80]!r} is not a file")
        try:
            with open(p, "rb") as f:
                f.read(1)
        except OSError as exc:
            raise OfficeError(f"BOOK {str(p)[:80]!r} cannot be read ({exc.strerror})") from None
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise OfficeError("two books with the same name: recalculate them one at a time")


def make_folder(folder: Path, what: str = "output folder") -> bool:
    """Create ``folder`` and its parents; True when it did not exist. OfficeError naming
    the path when it cannot be (a file in the way, no permission)."""
    if folder.is_dir():
        return False
    shown = repr(str(folder)[:80])
    if folder.exists():
        raise OfficeError(f"{what} {shown} is a file, not a folder")
    blocker = next((p for p in folder.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise OfficeError(f"{what} {shown} cannot be created: {str(blocker)[:80]!r} is a file")
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise OfficeError(f"{what} {shown} cannot be created: {exc.strerror}") from None
    return True


def _read_results(
    paths: list[Path], copied: list[Path], log: str, messages: frozenset[str]
) -> list[tuple[Recalc, dict[str, Path]]]:
    """Per book: its Recalc (CSVs still to be published) and {sheet: CSV LibreOffice wrote}."""
    out = []
    for book, copy in zip(paths, copied, strict=True):
        produced = {
            sheet: Path(path)
            for sheet, path in re.findall(r"Writing sheet (.*?) -> (.*)", log)
            if Path(path).name.startswith(copy.stem + "-")
        }
        if not produced:
            said = [x.strip() for x in log.splitlines() if x.startswith("Error")] or [
                x.strip() for x in log.splitlines()[-1:]
            ]
            raise OfficeError(
                f"BOOK {str(book)[:80]!r}: LibreOffice could not read it as a workbook "
                f"({' '.join(said)[:200] or 'no output'})"
            )
        hidden = hidden_sheets(copy)
        visible = {}
        for sheet, path in produced.items():
            if sheet in hidden:
                continue
            text = path.read_text(encoding="utf-8")
            if _SETUP in text:
                start = text.index(_SETUP)
                raise OfficeError(text[start : text.find('"', start)][:300] or text[start:][:300])
            visible[sheet] = path
        out.append((Recalc(messages=messages), visible))
    return out


def recalc_many(
    books: Sequence[str | Path],
    out: str | Path,
    pdf: bool | str = False,
    office: Office | None = None,
) -> list[Recalc]:
    """Recalculate several workbooks with one add-in install (one soffice run per format).

    Every soffice and unopkg it starts is ended when it returns or raises (Ctrl-C
    included); files reach ``out`` only after LibreOffice has finished, each whole.
    ``pdf`` may be a ``--convert-to`` target with filter options (``pdf:calc_pdf_Export:
    {...}``) in place of ``True``.
    """
    office = office or find_office()
    require_matching_python(office)
    paths = [Path(b) for b in books]
    _check_books(paths)
    target = Path(out)
    created = make_folder(target)
    try:
        return _recalc_into(office, paths, target, pdf)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                target.rmdir()  # only when still empty
        raise


def add_to_throwaway(office: Office, profile: Path, oxt: Path) -> None:
    """Register the add-in in a throwaway profile. LibreOffice 7.4's unopkg now and then
    fails while it disposes of its bridge ("caught exception while disposing", or a
    SIGSEGV) though nothing was wrong with the extension: it is tried once more (with
    --force, over whatever the first try registered), and the second failure is reported."""
    cmd = [str(office.unopkg), "add", "--shared", "--force", *env_args(profile), str(oxt)]
    what = "installing the add-in into a throwaway profile"
    try:
        run(cmd, what)
    except OfficeError as first:
        _LOG.warning("%s failed once, trying again: %s", what, str(first)[:300])
        run(cmd, what)


def _recalc_into(office: Office, paths: list[Path], target: Path, pdf: bool | str) -> list[Recalc]:
    with tempfile.TemporaryDirectory(prefix="microsize-recalc-") as tmp_name:
        tmp = Path(tmp_name)
        profile = tmp / "profile"
        write_profile_settings(profile)
        oxt = build_oxt(tmp / "microsize.oxt")
        add_to_throwaway(office, profile, oxt)
        copies = tmp / "in"
        copies.mkdir()
        copied = [Path(shutil.copy2(p, copies / p.name)) for p in paths]
        log = run(
            _soffice(office, profile, "--convert-to", CSV_FILTER, "--outdir", str(tmp / "csv"))
            + [str(c) for c in copied],
            "LibreOffice (CSV export)",
            env=_ADDIN_DEBUG,
        )
        results = _read_results(paths, copied, log, cell_messages(log))
        pdfs: list[Path] = []
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
            pdfs = [pdf_dir / (copy.stem + ".pdf") for copy in copied]
            for made, copy in zip(pdfs, copied, strict=True):
                if not made.exists():
                    raise OfficeError(f"LibreOffice wrote no PDF for {copy.name}")
        # LibreOffice is done: only now does anything reach the output folder
        try:
            for k, (result, produced) in enumerate(results):
                for sheet, path in produced.items():
                    result.csv[sheet] = _publish(path, target / path.name)
                if pdfs:
                    result.pdf = _publish(pdfs[k], target / pdfs[k].name)
        except OSError as exc:
            raise OfficeError(
                f"cannot write into the output folder {str(target)[:80]!r}: {exc.strerror}"
            ) from None
    return [result for result, _ in results]


def recalc(book: str | Path, out: str | Path, pdf: bool = False) -> Recalc:
    """Recalculate BOOK headless in LibreOffice; write CSVs (and a PDF) into ``out``."""
    return recalc_many([book], out, pdf)[0]
