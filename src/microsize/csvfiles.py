"""CSV files as Excel saves them, for the command line (price histories, holdings, specs).

Excel writes "CSV UTF-8" (with a byte-order mark), "CSV" in the Windows code page
(cp1252 in western locales), "Unicode Text" (UTF-16 with a BOM, TAB separated), and in
decimal-comma locales separates fields with semicolons. :func:`read_csv` reads all of
them; a number written with a decimal comma is refused rather than misread (``1,5`` is
neither 15 nor unambiguous).

>>> _decode("Société".encode("cp1252"))
'Société'
>>> _decode(b"\\xff\\xfea\\x00\\t\\x00b\\x00")
'a\\tb'
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from dataclasses import dataclass

from ._errors import MicrosizeError

__all__ = ["CsvTable", "parse_number", "read_csv", "read_text"]


def _decode(data: bytes) -> str:
    """Text in the encodings Excel saves: UTF-8 (BOM or not), UTF-16 ("Unicode Text"),
    else the Windows code page cp1252 (latin-1 for its five unassigned bytes)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if len(data) >= 4 and data[1::2].count(0) > len(data) // 4:  # UTF-16 without a BOM
        return data.decode("utf-16-le" if data[1] == 0 else "utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def read_text(path: str, what: str) -> str:
    """The text of a file in any encoding Excel writes; ``what`` names the argument."""
    try:
        with open(path, "rb") as fh:
            return _decode(fh.read())
    except OSError as exc:
        raise MicrosizeError(f"{what}: cannot read {path[:80]!r} ({exc.strerror})") from None


def parse_number(text: str, name: str) -> float:
    """A number as typed: ``1,234.5`` and ``1_234.5`` are read, a decimal comma is refused.

    >>> parse_number("1,234.5", "entry")
    1234.5
    """
    raw = text.strip().replace("_", "")
    if "," in raw:
        if not re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?", raw):
            raise MicrosizeError(
                f"{name} must be a number with a decimal point, e.g. 3520.5 (got {text[:40]!r})"
            )
        raw = raw.replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        raise MicrosizeError(f"{name} must be a number (got {text[:40]!r})") from None
    if not math.isfinite(value):
        raise MicrosizeError(f"{name} must be a finite number (got {text[:40]!r})")
    return value


@dataclass(frozen=True)
class CsvTable:
    """A header row and data rows (blank rows dropped) read from one file."""

    what: str  # the argument that named the file, for messages
    header: list[str]
    rows: list[dict[str, str]]
    delimiter: str

    def column(self, name: str) -> list[float | None]:
        """The numbers of one column; a blank cell is None (dropped pairwise later)."""
        if name not in self.header:
            columns = ", ".join(self.header)
            raise MicrosizeError(f"{self.what}: no column {name[:40]!r} (columns: {columns[:120]})")
        out: list[float | None] = []
        for i, row in enumerate(self.rows, start=2):
            cell = (row.get(name) or "").strip()
            if not cell:
                out.append(None)
                continue
            where = f"{self.what}: column {name[:40]!r} row {i}"
            if "," in cell and self.delimiter == ";":
                raise MicrosizeError(
                    f"{where} has a decimal comma ({cell[:40]!r}): save the file with "
                    "decimal points"
                )
            try:
                out.append(parse_number(cell, where))
            except MicrosizeError:
                raise MicrosizeError(f"{where} is not a number ({cell[:40]!r})") from None
        return out


def read_csv(path: str, what: str) -> CsvTable:
    """A CSV saved by Excel: comma, semicolon or TAB separated, any encoding it writes."""
    text = read_text(path, what)
    head = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in head else ";" if head.count(";") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = [row for row in reader if any(c.strip() for c in row)]
    if len(table) < 2:
        raise MicrosizeError(f"{what}: {path[:80]!r} needs a header row and at least one data row")
    header = [h.strip() for h in table[0]]
    rows = [dict(zip(header, row, strict=False)) for row in table[1:]]
    return CsvTable(what, header, rows, delimiter)
