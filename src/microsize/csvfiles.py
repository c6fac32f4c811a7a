"""The command line's one CSV reader (price histories, bars, holdings, spec tables) and its
one number reader.

Excel writes "CSV UTF-8" (with a byte-order mark), "CSV" in the Windows code page
(cp1252 in western locales), "Unicode Text" (UTF-16 with a BOM, TAB separated), and in
decimal-comma locales separates fields with semicolons and writes ``1234,5``.
:func:`read_csv` reads all of them: the decoding, the delimiter and the decimal rule are
in :mod:`microsize._csvtext` (pure, shared with the core's user-table loader); this
module opens the files and words the messages. A file that is not text (a workbook, a
picture) or cannot be read is refused in one line naming it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ._csvtext import AmbiguousNumberError, decimal_value, normalise, parse_csv_bytes, readings
from ._errors import MicrosizeError
from .outfiles import show_path

__all__ = ["CsvTable", "parse_number", "read_csv", "read_rows"]


def _bytes(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise MicrosizeError(f"{what}: cannot read {show_path(path)} ({exc.strerror})") from None


def parse_number(text: str, name: str) -> float:
    """A number as typed, by the decimal rule: ``0,52`` is 0.52, ``1,234.5`` 1234.5,
    ``1.234,5`` 1234.5; ``1,234`` is refused (1234 or 1.234?).

    >>> parse_number("0,52", "entry"), parse_number("1,234,567", "account")
    (0.52, 1234567.0)
    """
    try:
        value = decimal_value(text)
    except AmbiguousNumberError:
        raise MicrosizeError(
            f"{name} {text[:40]!r} could be a thousands group or a decimal comma: "
            f"type {text.strip().replace(',', '')} or {text.strip().replace(',', '.')}"
        ) from None
    except ValueError:
        raise MicrosizeError(f"{name} must be a number (got {text[:40]!r})") from None
    if not math.isfinite(value):
        raise MicrosizeError(f"{name} must be a finite number (got {text[:40]!r})")
    return value


@dataclass(frozen=True)
class CsvTable:
    """A header row and the data rows of one file, with their row numbers (header = 1)."""

    what: str  # the argument that named the file, for messages
    header: list[str]
    rows: list[dict[str, str]]
    delimiter: str
    convention: str  # the file's decimal convention (microsize._csvtext.POINT or COMMA)
    numbers: Sequence[int] = ()  # row number of each of rows

    def find(self, name: str) -> str:
        """The header cell named ``name``: exactly, else the one equal ignoring case."""
        if name in self.header:
            return name
        folded = [h for h in self.header if h.lower() == name.strip().lower()]
        if len(folded) == 1:
            return folded[0]
        columns = ", ".join(self.header)
        raise MicrosizeError(f"{self.what}: no column {name[:40]!r} (columns: {columns[:120]})")

    def column(self, name: str) -> list[float | None]:
        """The numbers of one column; a blank cell is None (dropped pairwise later)."""
        key = self.find(name)
        out: list[float | None] = []
        for i, row in zip(self.numbers, self.rows, strict=True):
            cell = (row.get(key) or "").strip()
            if not cell:
                out.append(None)
                continue
            plain = readings(cell).get(self.convention)
            value = math.nan if plain is None else float(plain)
            if not math.isfinite(value):
                raise MicrosizeError(
                    f"{self.what} row {i} column {key[:40]!r} is not a number ({cell[:40]!r})"
                )
            out.append(value)
        return out


def read_rows(path: str, what: str) -> list[list[str]]:
    """Every row of a CSV file (blank rows kept, so errors name the file's row), each
    number spelt with a decimal point and no thousands separator: for a spec or tier table."""
    table = parse_csv_bytes(_bytes(path, what), f"{what} {show_path(path)}")
    return [[normalise(c, table.convention) for c in row] for row in table.rows]


def read_csv(path: str, what: str) -> CsvTable:
    """A CSV saved by Excel: a header row and data rows, comma, semicolon or TAB separated,
    any encoding it writes."""
    label = f"{what} {show_path(path)}"
    parsed = parse_csv_bytes(_bytes(path, what), label)
    numbered = [
        (i, row) for i, row in enumerate(parsed.rows, start=1) if any(c.strip() for c in row)
    ]
    if len(numbered) < 2:
        raise MicrosizeError(f"{label} needs a header row and at least one data row")
    (_, head), body = numbered[0], numbered[1:]
    header = [h.strip() for h in head]
    rows = [dict(zip(header, row, strict=False)) for _, row in body]
    return CsvTable(label, header, rows, parsed.delimiter, parsed.convention, [i for i, _ in body])
