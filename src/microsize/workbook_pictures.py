"""``microsize workbook pictures BOOK DIR``: a PNG of each worked sheet, as LibreOffice
renders it with the microsize add-in computing the MF_ formulas.

The book is recalculated headless by :func:`microsize.libreoffice._recalc.recalc_many`
(which never modifies it) into a PDF; each page's header names its sheet (the template
prints ``&A``), and the first page of each worked sheet is rasterised by poppler's
``pdftoppm``. This module sits at the edge: it runs programs and writes files.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ._errors import MicrosizeError
from .outfiles import show_path

#: The sheets whose pictures the README shows, in tab order.
WORKED_SHEETS = ("Start", "Sizing", "Ladder", "Planner", "Hedge", "Portfolio", "Margin")
#: Dots per inch: keeps each picture of the template under about 150 KB.
DEFAULT_RESOLUTION = 75


def picture_name(sheet: str) -> str:
    """File name of a sheet's picture: ``Portfolio`` -> ``portfolio.png``."""
    return sheet.lower().replace(" ", "-") + ".png"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MicrosizeError(f"{name} (poppler-utils) is needed to render pictures: install it")
    return path


def render_pictures(
    book: str | Path, out_dir: str | Path, resolution: int = DEFAULT_RESOLUTION
) -> list[Path]:
    """Render the first page of each worked sheet of ``book`` to ``out_dir/<sheet>.png``."""
    from .libreoffice import _recalc
    from .outfiles import write_atomic

    src, out = Path(book), Path(out_dir)
    if not src.is_file():
        raise MicrosizeError(f"book must be an existing workbook file (got {show_path(book)})")
    if out.exists() and not out.is_dir():
        raise MicrosizeError(f"{show_path(out)} is a file, not a folder: pick a folder")
    if not out.is_dir():
        raise MicrosizeError(f"folder {show_path(out)} does not exist: create it first")
    if not 20 <= resolution <= 300:
        raise MicrosizeError(f"resolution must be 20 to 300 dpi (got {resolution})")
    pdftotext, pdftoppm = _tool("pdftotext"), _tool("pdftoppm")
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        (result,) = _recalc.recalc_many([src], Path(tmp) / "out", pdf=True)
        pdf = result.pdf
        if pdf is None:
            raise MicrosizeError("LibreOffice wrote no PDF")
        page, seen = 1, set()
        while True:
            text = subprocess.run(
                [pdftotext, "-f", str(page), "-l", str(page), str(pdf), "-"],
                capture_output=True,
                text=True,
                check=False,
            )
            if text.returncode != 0:
                break  # past the last page
            lines = [ln.strip() for ln in text.stdout.splitlines() if ln.strip()]
            sheet = lines[0] if lines else ""
            if sheet in WORKED_SHEETS and sheet not in seen:
                seen.add(sheet)
                # rendered in the temporary folder, then moved in whole: an error or a
                # Ctrl-C never leaves a partial picture in DIR
                png = Path(tmp) / picture_name(sheet)
                subprocess.run(
                    [
                        *(pdftoppm, "-png", "-r", str(resolution), "-singlefile"),
                        *("-f", str(page), "-l", str(page), str(pdf), str(png.with_suffix(""))),
                    ],
                    check=True,
                    capture_output=True,
                )
                written.append(write_atomic(out / png.name, png.read_bytes()))
            page += 1
    missing = [s for s in WORKED_SHEETS if s not in seen]
    if missing:
        raise MicrosizeError(f"no page found for sheet(s) {', '.join(missing)} in the render")
    return sorted(written, key=lambda p: [picture_name(s) for s in WORKED_SHEETS].index(p.name))
