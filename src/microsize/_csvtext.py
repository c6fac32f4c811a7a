"""Text as Excel saves it, and the one decimal rule: pure functions from bytes or a typed
token to text, rows and numbers (no file is opened here; :mod:`microsize.csvfiles` reads
the files, and the core's user-table loader passes the bytes it read).

Encodings: UTF-8 with or without a byte-order mark, UTF-16 LE or BE with a BOM (Excel's
"Unicode Text", TAB separated), else the Windows code page cp1252 (latin-1 for its five
unassigned bytes). A file holding control bytes (a workbook, a picture) is refused.

The decimal rule (docs/CONVENTIONS.md, "Numbers as typed"): a number may use a point or a
comma as its decimal mark, and the other mark as a thousands separator in groups of three
digits. A comma is a decimal mark only where no thousands reading exists:

>>> [decimal_value(t) for t in ("0,52", "3450,5", "1,2345", "1,234,567", "1,234.5", "1.234,5")]
[0.52, 3450.5, 1.2345, 1234567.0, 1234.5, 1234.5]
>>> decimal_value("1,234")
Traceback (most recent call last):
...
microsize._csvtext.AmbiguousNumberError: 1,234

In a file, the convention (decimal point or decimal comma) is the one under which every
number of the file reads; a file where neither or both do with different values is
refused, so a number is never read one way on one row and another way on the next.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ._errors import MicrosizeError

__all__ = [
    "COMMA",
    "POINT",
    "AmbiguousNumberError",
    "CsvText",
    "convention_of",
    "decimal_value",
    "decode",
    "normalise",
    "parse_csv_bytes",
    "readings",
]

#: A decimal point, commas grouping thousands (1,234.5).
POINT = "decimal point"
#: A decimal comma, points grouping thousands (1.234,5).
COMMA = "decimal comma"

# Patterns as text, compiled on first use by re's own cache: the command line imports this
# module at start-up and most commands never read a comma.
_TOKEN = r"([+-]?)([0-9.,]*[0-9][0-9.,]*)((?:[eE][+-]?[0-9]+)?)"
_PLAIN = r"[0-9]*(?:\.[0-9]*)?"
# thousands groups: a first group of 1 to 3 digits (never a lone 0), then groups of 3
_GROUPED = {
    POINT: r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]*)?",
    COMMA: r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]*)?",
}
# control characters that no text file Excel writes holds (TAB, LF, CR, FF, VT and the
# old end-of-file mark Ctrl-Z are allowed)
_BINARY = r"[\x00-\x08\x0e-\x19\x1b-\x1f]"


class AmbiguousNumberError(ValueError):
    """A number that reads as two different values (``1,234``: 1234 or 1.234)."""


def _reading(body: str, convention: str) -> str | None:
    """``body`` (digits, points, commas) as plain decimal-point digits, or None when the
    convention cannot read it."""
    group, decimal = (",", ".") if convention == POINT else (".", ",")
    if group in body:
        if not re.fullmatch(_GROUPED[convention], body):
            return None
        body = body.replace(group, "")
    body = body.replace(decimal, ".")
    return body if re.fullmatch(_PLAIN, body) else None


def readings(text: str) -> dict[str, str]:
    """The plain (decimal-point, ungrouped) spelling of a number under each convention
    that can read it; empty for text that is no number in either.

    >>> readings("1,234") == {POINT: "1234", COMMA: "1.234"}
    True
    >>> readings("-0,5e3")
    {'decimal comma': '-0.5e3'}
    >>> readings("2024-01-02")
    {}
    """
    m = re.fullmatch(_TOKEN, text.strip())
    if m is None:
        return {}
    sign, body, exponent = m.groups()
    out = {}
    for convention in (POINT, COMMA):
        plain = _reading(body, convention)
        if plain is not None:
            out[convention] = sign + plain + exponent
    return out


def decimal_value(text: str) -> float:
    """A number typed on the command line, by the decimal rule: without a comma as Python
    reads it (``1e3``, ``1_000``, ``.5``); with one, read as a decimal comma or as thousands
    groups where only one of them fits. Raises :class:`AmbiguousNumberError` for ``1,234`` (both
    fit) and ValueError for anything else that is not a number."""
    raw = text.strip()
    if "," not in raw:
        return float(raw)
    found = set(readings(raw.replace("_", "")).values())
    if len(found) > 1:
        raise AmbiguousNumberError(text)
    if not found:
        raise ValueError(text)
    return float(found.pop())


def decode(data: bytes) -> str:
    r"""Text in the encodings Excel saves.

    >>> decode("Société".encode("cp1252"))
    'Société'
    >>> decode(b"\xff\xfea\x00\t\x00b\x00")
    'a\tb'
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def is_binary(text: str) -> bool:
    """True when decoded text holds control characters no saved table has (NUL, ...)."""
    return re.search(_BINARY, text) is not None


def _delimiter(text: str) -> str:
    """TAB, semicolon or comma: the one that splits the first non-blank line into the most
    fields (ties: TAB, then semicolon, then comma); TAB for a one-column file."""
    head = next((line for line in text.splitlines() if line.strip()), "")
    best, fields = "\t", 1
    for candidate in ("\t", ";", ","):
        n = len(next(csv.reader([head], delimiter=candidate), []))
        if n > fields:
            best, fields = candidate, n
    return best


class CsvText:
    """The rows of one CSV text (blank rows kept, so row n is line n of a simple file),
    its delimiter and the decimal convention of its numbers. (A plain class: a dataclass
    costs the command line's start-up most of a millisecond.)"""

    __slots__ = ("convention", "delimiter", "rows")

    def __init__(self, rows: list[list[str]], delimiter: str, convention: str) -> None:
        self.rows, self.delimiter, self.convention = rows, delimiter, convention


def _where(what: str, rows: Sequence[Sequence[str]], r: int, c: int) -> str:
    header = rows[0] if rows else []
    column = header[c].strip() if c < len(header) and r > 0 else f"{c + 1}"
    return f"{what} row {r + 1} column {column[:40]!r}"


def convention_of(cells: Iterable[tuple[Any, str]], where: Callable[[Any], str] = str) -> str:
    """The decimal convention under which every number of ``cells`` ((place, text) pairs;
    ``where(place)`` words the place for a message) reads, POINT when both do with the
    same values; MicrosizeError otherwise."""
    point_only = comma_only = ambiguous = None
    for place, text in cells:
        if "," not in text and "." not in text:
            continue  # an integer or text: the same under both conventions
        found = readings(text)
        if not found:
            continue
        if COMMA not in found:
            point_only = point_only or (place, text)
        elif POINT not in found:
            comma_only = comma_only or (place, text)
        elif found[POINT] != found[COMMA]:
            ambiguous = ambiguous or (place, text)
    if point_only and comma_only:
        raise MicrosizeError(
            f"{where(point_only[0])} has a decimal point ({point_only[1][:20]!r}) but "
            f"{where(comma_only[0])} a decimal comma ({comma_only[1][:20]!r}): use one of them"
        )
    if comma_only:
        return COMMA
    if ambiguous and not point_only:
        place, text = ambiguous
        found = readings(text)
        raise MicrosizeError(
            f"{where(place)} is {text[:20]!r}: {found[POINT]} or {found[COMMA]}? No other "
            "number in the file tells: write it without a thousands separator"
        )
    return POINT


def normalise(text: str, convention: str) -> str:
    """A cell as plain decimal-point digits when it is a number under ``convention``
    (``1.234,5`` -> ``1234.5`` for COMMA); any other cell unchanged."""
    return readings(text).get(convention, text)


def _refuse_extra_cells(rows: Sequence[Sequence[str]], what: str) -> None:
    """A row with a filled cell beyond the header's is refused: an unquoted decimal comma in
    a comma-separated file would otherwise shift every column after it."""
    width = len(next((r for r in rows if any(c.strip() for c in r)), []))
    for r, row in enumerate(rows, start=1):
        if len(row) > width and any(c.strip() for c in row[width:]):
            raise MicrosizeError(
                f"{what} row {r} has {len(row)} cells, the header {width}: quote a number "
                "written with a comma, or save the file with another separator"
            )


def parse_csv_bytes(data: bytes, what: str) -> CsvText:
    """The rows of a CSV file's bytes as Excel saves them; ``what`` (the argument and the
    file) begins every message. Refuses binary data, rows longer than the header and mixed
    or ambiguous numbers."""
    if data.startswith(b"PK\x03\x04"):
        raise MicrosizeError(
            f"{what} is a workbook or zip file, not CSV: save the sheet as CSV (File > Save As)"
        )
    text = decode(data)
    if is_binary(text):
        raise MicrosizeError(f"{what} is not a text CSV file (it holds binary data)")
    delimiter = _delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise MicrosizeError(f"{what} is not a readable CSV file ({exc})") from None
    _refuse_extra_cells(rows, what)
    cells = (((r, c), cell) for r, row in enumerate(rows) if r > 0 for c, cell in enumerate(row))
    return CsvText(rows, delimiter, convention_of(cells, lambda rc: _where(what, rows, *rc)))
