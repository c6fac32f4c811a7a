"""Blocks of a worked sheet as data: rows of (name, label, cell), written by one function.

A block is a sequence of rows. A row's position is its index in the block, its label goes
in the block's column and its cell in the column to the right; later rows, and the code
around the block, refer to the cell by the row's name (``cells["MF_ATR_STOP"]``), never by
a row number. A cell is one of:

- :class:`Input`: a yellow input cell, its value, number format and data validation;
- :class:`Mf`: an MF_ formula; each ``str`` argument names a cell written before it, a
  quoted ``'"tick_size"'`` is that text, anything else (``SPECS``, a number, ``True``, a
  table column) is passed as it is;
- :class:`Plain`: a formula over named cells: ``{entry}`` in its template is the cell's
  absolute address (``$B$7``), ``{entry:rel}`` its relative one (``B7``); ``value``
  computes the result the template gives, from the named cells' values, for the cached
  value of the file;
- :class:`Text`: a value written as it is, in a format of its own (a header, a label
  coloured as an input);
- :class:`Spilled`: a cell the spill of an :class:`Mf` above it fills (nothing written);
- :class:`Shown`: a check that a spill shows all its rows (:func:`._common.shown_check`);
- :class:`Warn`: another cell, red unless it reads "ok:" (or unless it is 0).

:func:`write_grid` writes rows of several named cells side by side (a small table whose
first column holds the labels, as :class:`Text` cells).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._book import Book, Call, Ref, cell_name
from ._common import shown_check


@dataclass(frozen=True)
class Input:
    """A value the user types: its number format and data validation (if any)."""

    value: Any
    fmt: str
    validation: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Mf:
    """``=function(args)``, the arguments named cells (see the module's note)."""

    function: str
    args: tuple[Any, ...]
    fmt: str = "out"


class Values:
    """The values of the named cells, for a :class:`Plain` cell's ``value``."""

    def __init__(self, book: Book, cells: Mapping[str, Ref]):
        self._book, self._cells = book, cells

    def __getitem__(self, name: str) -> Any:
        return self._book.model.value(self._cells[name])

    def mf(self, function: str, *args: Any) -> Any:
        """The result of an MF_ call over named cells, as :class:`Mf` writes it."""
        return self._book.model.value(Call(function, tuple(arg(a, self._cells) for a in args)))


@dataclass(frozen=True)
class Plain:
    """A formula over named cells (not an MF_ call at its top): its template, the value it
    gives (computed from the named cells) and its format. ``array``: stored as a one-cell
    dynamic-array formula, as every formula holding an MF_ call inside other functions is
    (so Excel adds no implicit @)."""

    template: str
    value: Callable[[Values], Any]
    fmt: str = "out"
    array: bool = False


@dataclass(frozen=True)
class Text:
    """A value written as it is, in its format (not an input: no validation)."""

    value: Any
    fmt: str


@dataclass(frozen=True)
class Spilled:
    """A cell filled by the spill of the :class:`Mf` above it: nothing is written, its
    name reads the spill's value there."""


@dataclass(frozen=True)
class Shown:
    """A check that a spill or table shows all its rows: ``counted`` is (formula counting
    the rows shown, formula giving how many there are, what they are), ``counts`` the two
    numbers in the template, ``note`` the end of the sentence when rows are missing (see
    :func:`._common.shown_check`)."""

    counted: tuple[str, str, str]
    counts: tuple[int, int]
    note: str = ""


@dataclass(frozen=True)
class Warn:
    """``cell``, red unless its text starts with "ok:" (``unless="ok"``) or unless it is 0
    (``unless="zero"``: an "Other" row a block does not list)."""

    cell: Input | Mf | Plain | Text
    unless: str = "ok"


Cell = Input | Mf | Plain | Text | Spilled | Shown | Warn
#: One row of a block: its name, its label (``None``: no label) and its cell.
Row = tuple[str, str | None, Cell]
#: One row of a grid: its cells from left to right, each with its name.
GridRow = Sequence[tuple[str, Cell]]


class _Address:
    def __init__(self, ref: Ref):
        self.ref = ref

    def __format__(self, spec: str) -> str:
        if spec not in ("", "rel"):
            raise ValueError(f"{spec!r}: a cell is {{name}} or {{name:rel}}")
        return cell_name(*self.ref.first, absolute=spec == "")


def arg(a: Any, cells: Mapping[str, Ref]) -> Any:
    """An :class:`Mf` argument as :meth:`Book.formula` takes it: a name is its cell, a
    quoted text the text."""
    if not isinstance(a, str):
        return a
    return a[1:-1] if a.startswith('"') else cells[a]


def formula_text(template: str, cells: Mapping[str, Ref]) -> str:
    """A :class:`Plain` template with the addresses of its named cells."""
    return template.format_map({k: _Address(r) for k, r in cells.items()})


def write_cell(
    book: Book, sheet: str, at: tuple[int, int], cell: Cell, cells: dict[str, Ref]
) -> Ref:
    """Write one cell at (row, col), its names read from ``cells``; returns its Ref."""
    a1 = cell_name(*at)
    if isinstance(cell, Warn):
        ref = write_cell(book, sheet, at, cell.cell, cells)
        _warn(book, sheet, at, cell.unless)
        return ref
    if isinstance(cell, Spilled):
        return Ref(sheet, at)
    if isinstance(cell, Text):
        return book.write(sheet, a1, cell.value, cell.fmt)
    if isinstance(cell, Shown):
        shown_check(book, sheet, a1, cell.counted, cell.counts, cell.note)
        return Ref(sheet, at)
    if isinstance(cell, Input):
        ref = book.write(sheet, a1, cell.value, cell.fmt)
        if cell.validation is not None:
            book.sheets[sheet].data_validation(a1, dict(cell.validation))
        return ref
    if isinstance(cell, Mf):
        f = book.formula(
            sheet, a1, cell.function, *(arg(a, cells) for a in cell.args), fmt=cell.fmt
        )
        return Ref(sheet, (f.row, f.col))
    text, value = formula_text(cell.template, cells), cell.value(Values(book, cells))
    if not cell.array:
        return book.plain(sheet, a1, text, value, cell.fmt)
    row, col = at
    book.sheets[sheet].write_dynamic_array_formula(
        row, col, row, col, text, book.fmt[cell.fmt], value
    )
    book.model.values[(sheet, row, col)] = value
    return Ref(sheet, at)


def _warn(book: Book, sheet: str, at: tuple[int, int], unless: str) -> None:
    """The red of a :class:`Warn` cell."""
    a1, absolute = cell_name(*at), cell_name(*at, absolute=True)
    if unless == "ok":
        rule: dict[str, Any] = {"type": "formula", "criteria": f'=LEFT({absolute},3)<>"ok:"'}
    elif unless == "zero":
        rule = {"type": "cell", "criteria": "not equal to", "value": 0}
    else:
        raise ValueError(f"{unless!r}: a Warn cell is red unless 'ok' or 'zero'")
    book.sheets[sheet].conditional_format(a1, rule | {"format": book.fmt["warn"]})


def write_grid(
    book: Book, sheet: str, at: tuple[int, int], rows: Sequence[GridRow], cells: dict[str, Ref]
) -> int:
    """Rows of cells side by side down from (row, col), each row left to right from
    ``col``, each cell named in ``cells`` as it is written (so a cell may read those left
    of it and above it). Returns the row below the grid."""
    top, col = at
    for i, row in enumerate(rows):
        for j, (name, cell) in enumerate(row):
            cells[name] = write_cell(book, sheet, (top + i, col + j), cell, cells)
    return top + len(rows)


def write_block(
    book: Book,
    sheet: str,
    at: tuple[int, int],
    rows: Sequence[Row],
    cells: dict[str, Ref],
    title: str | Plain | None = None,
    gap: int = 1,
) -> int:
    """The rows of a block down from (row, col), under the section heading ``title`` if
    given: each label in ``col``, its cell ``gap`` columns to the right, named in ``cells``
    (which holds the cells the rows may read, and gains theirs). A text heading is
    underlined over the label's and the cell's columns; a heading that is a
    :class:`Plain` formula is written last, as it reads the rows' cells. Returns the row
    below the block."""
    top, col = at
    if isinstance(title, str):
        book.section(sheet, cell_name(top, col), title, span=gap + 1)
    elif title is not None:
        book.write(sheet, cell_name(top, col + 1), None, "h2")  # the heading's underline
    first = top + (title is not None)
    for i, (name, label, cell) in enumerate(rows):
        if label is not None:
            book.write(sheet, cell_name(first + i, col), label, "label")
        cells[name] = write_cell(book, sheet, (first + i, col + gap), cell, cells)
    if isinstance(title, Plain):
        write_cell(book, sheet, (top, col), title, cells)
    return first + len(rows)
