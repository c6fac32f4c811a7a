"""``microsize workbook pictures BOOK DIR``: a PNG of each worked sheet, as LibreOffice
renders it with the microsize add-in computing the MF_ formulas.

The book is recalculated headless by :func:`microsize.libreoffice._recalc.recalc_many`
(which never modifies it) into a PDF with one page per sheet holding its whole used
range (LibreOffice's ``SinglePageSheets`` export, pages in tab order, hidden sheets
included); each worked sheet's page is rasterised by poppler's ``pdftoppm``, cropped to
what is drawn on it, at the resolution asked for or the higher one that makes it at
least :data:`MIN_WIDTH` pixels wide. This module sits at the edge: it runs programs and
writes files.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from ._errors import MicrosizeError
from .outfiles import show_path

#: The sheets whose pictures the README shows, in tab order.
WORKED_SHEETS = ("Start", "Sizing", "Ladder", "Planner", "Hedge", "Portfolio", "Margin")
#: Dots per inch: 11-point text is about 23 pixels high, readable without zooming.
DEFAULT_RESOLUTION = 150
#: Narrowest picture in pixels: a narrow sheet is drawn at a higher resolution.
MIN_WIDTH = 1400
#: Highest resolution used to reach MIN_WIDTH.
MAX_RESOLUTION = 300
#: White border left around what is drawn, in pixels.
_PAD = 12
#: One page per sheet, each holding the sheet's whole used range.
PDF_TARGET = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'


def picture_name(sheet: str) -> str:
    """File name of a sheet's picture: ``Portfolio`` -> ``portfolio.png``."""
    return sheet.lower().replace(" ", "-") + ".png"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MicrosizeError(f"{name} (poppler-utils) is needed to render pictures: install it")
    return path


def _sheet_names(book: Path) -> list[str]:
    """Every sheet of the book in tab order, hidden ones included (as the PDF pages)."""
    try:
        with zipfile.ZipFile(book) as z:
            xml = z.read("xl/workbook.xml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise MicrosizeError(f"book must be an .xlsx/.xlsm workbook ({exc})") from None
    names = re.findall(r'<sheet\b[^>]*\bname="([^"]*)"', xml)
    return [n.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">") for n in names]


def ink_box(ppm: bytes) -> tuple[int, int, int, int, int, int]:
    """(width, height, left, top, right, bottom) of the non-white pixels of a binary PPM."""
    import numpy as np

    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", ppm)
    if m is None:
        raise MicrosizeError("pdftoppm wrote an unreadable picture")
    w, h = int(m.group(1)), int(m.group(2))
    pixels = np.frombuffer(ppm, dtype=np.uint8, count=w * h * 3, offset=m.end())
    ink = np.any(pixels.reshape(h, w, 3) < 245, axis=2)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return w, h, 0, 0, w, h
    return w, h, int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _render_page(pdftoppm: str, pdf: Path, page: int, resolution: int, png: Path) -> None:
    """Page ``page`` of ``pdf`` to ``png``, cropped to its ink, at least MIN_WIDTH wide."""
    first = subprocess.run(
        [pdftoppm, "-r", str(resolution), "-f", str(page), "-l", str(page), str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    w, h, left, top, right, bottom = ink_box(first)
    dpi = resolution
    seen = min(w, right + _PAD) - max(0, left - _PAD)  # the crop's width at ``resolution``
    if seen < MIN_WIDTH:  # a little over, for the rounding below
        dpi = min(MAX_RESOLUTION, math.ceil(resolution * (MIN_WIDTH + 8) / seen))
    k = dpi / resolution
    x, y = max(0, int((left - _PAD) * k)), max(0, int((top - _PAD) * k))
    x1, y1 = (
        min(int(w * k), math.ceil((right + _PAD) * k)),
        min(int(h * k), math.ceil((bottom + _PAD) * k)),
    )
    subprocess.run(
        [
            *(pdftoppm, "-png", "-r", str(dpi), "-singlefile"),
            *("-f", str(page), "-l", str(page)),
            *("-x", str(x), "-y", str(y), "-W", str(x1 - x), "-H", str(y1 - y)),
            *(str(pdf), str(png.with_suffix(""))),
        ],
        check=True,
        capture_output=True,
    )


def render_pictures(
    book: str | Path, out_dir: str | Path, resolution: int = DEFAULT_RESOLUTION
) -> list[Path]:
    """Render each worked sheet of ``book`` to ``out_dir/<sheet>.png``, cropped to its
    used range."""
    from .libreoffice import _recalc
    from .outfiles import write_atomic

    src, out = Path(book), Path(out_dir)
    if not src.is_file():
        raise MicrosizeError(f"book must be an existing workbook file (got {show_path(book)})")
    if out.exists() and not out.is_dir():
        raise MicrosizeError(f"{show_path(out)} is a file, not a folder: pick a folder")
    if not out.is_dir():
        raise MicrosizeError(f"folder {show_path(out)} does not exist: create it first")
    if not 20 <= resolution <= MAX_RESOLUTION:
        raise MicrosizeError(f"resolution must be 20 to {MAX_RESOLUTION} dpi (got {resolution})")
    pdfinfo, pdftoppm = _tool("pdfinfo"), _tool("pdftoppm")
    names = _sheet_names(src)
    missing = [s for s in WORKED_SHEETS if s not in names]
    if missing:
        raise MicrosizeError(f"no sheet(s) {', '.join(missing)} in {show_path(src)}")
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        (result,) = _recalc.recalc_many([src], Path(tmp) / "out", pdf=PDF_TARGET)
        pdf = result.pdf
        if pdf is None:
            raise MicrosizeError("LibreOffice wrote no PDF")
        info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True)
        pages = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
        if pages is None or int(pages.group(1)) != len(names):
            raise MicrosizeError(
                f"the render has {pages.group(1) if pages else 'no'} pages for {len(names)} "
                "sheets: LibreOffice did not export one page per sheet"
            )
        for sheet in WORKED_SHEETS:
            # rendered in the temporary folder, then moved in whole: an error or a Ctrl-C
            # never leaves a partial picture in DIR
            png = Path(tmp) / picture_name(sheet)
            _render_page(pdftoppm, pdf, names.index(sheet) + 1, resolution, png)
            written.append(write_atomic(out / png.name, png.read_bytes()))
    return written
