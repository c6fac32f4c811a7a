"""A table of a workbook file grown or shrunk in place: its rows rewritten from its
corner, its calculated columns carried to every row, and the array formulas, return
columns and chart series over it following its new length."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._errors import MicrosizeError
from ._book import cell_name, parse_ref
from ._ooxml import (
    CELL_RE,
    ROW_RE,
    Package,
    cell_xml,
    find_table,
    formula_cell,
    merged_ranges,
    open_book,
    sheet_cells,
    table_ref,
    unescape,
    with_table_columns,
    xml_escape,
)


def check_room(
    xml: str, sheet: str, table: str, old: tuple[int, int, int, int], n_rows: int, n_cols: int
) -> None:
    """Refuse when the grown table would cover a cell or a merged range outside it."""
    top, left, bottom, right = old
    new_bottom, new_right = top + n_rows - 1, left + n_cols - 1

    def inside_old(r: int, c: int) -> bool:
        return top <= r <= bottom and left <= c <= right

    for (r, c), cell in sorted(sheet_cells(xml).items()):
        if not (top <= r <= new_bottom and left <= c <= new_right) or inside_old(r, c):
            continue
        if "<v>" in cell or "<f" in cell or "<is>" in cell:
            raise MicrosizeError(
                f"the {table} table on {sheet} cannot grow to {n_rows - 1} rows and {n_cols} "
                f"columns: cell {cell_name(r, c)} is in the way (ask for fewer bars or contracts)"
            )
    for r0, c0, r1, c1 in merged_ranges(xml):
        overlaps = r0 <= new_bottom and r1 >= top and c0 <= new_right and c1 >= left
        if overlaps and not (inside_old(r0, c0) and inside_old(r1, c1)):
            raise MicrosizeError(
                f"the {table} table on {sheet} cannot grow to {n_rows - 1} rows and "
                f"{n_cols} columns: merged cells {cell_name(r0, c0)}:{cell_name(r1, c1)} "
                "are in the way (ask for fewer bars or contracts)"
            )


def replace_region(
    xml: str, old: tuple[int, int, int, int], rows: list[list[Any]], clear_to: tuple[int, int]
) -> str:
    """Rewrite the block from the table's top-left corner: the old cells of the rectangle
    up to ``clear_to`` (bottom, right) go, ``rows`` are written (each column keeps the
    style of its old header or first data cell; a new column takes the last one's); every
    other cell of the sheet is kept byte for byte."""
    top, left, _bottom, right = old
    m = re.search(r"<sheetData>(.*?)</sheetData>|<sheetData/>", xml, re.S)
    if m is None:
        raise MicrosizeError("the sheet has no cell data")
    row_attrs: dict[int, str] = {}
    kept: dict[int, list[tuple[int, str]]] = {}
    styles: dict[tuple[bool, int], str] = {}
    for rm in ROW_RE.finditer(m.group(1) or ""):
        attrs = rm.group(1)
        rnum = int(re.search(r'\br="(\d+)"', attrs).group(1))  # type: ignore[union-attr]
        row_attrs[rnum] = attrs
        for cell in CELL_RE.findall(rm.group(2) or ""):
            r, c = parse_ref(re.search(r'\br="([A-Z]+\d+)"', cell).group(1))  # type: ignore[union-attr]
            sm = re.search(r'\bs="(\d+)"', cell)
            if top <= r <= clear_to[0] and left <= c <= clear_to[1]:
                if sm and r in (top, top + 1):
                    styles.setdefault((r == top, c), sm.group(1))
                continue
            kept.setdefault(rnum, []).append((c, cell))
    for header in (True, False):
        last = styles.get((header, right))
        for c in range(left, left + max(len(r) for r in rows)):
            if (header, c) not in styles and last is not None:
                styles[(header, c)] = last
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            r, c = top + i, left + j
            cell = cell_xml(cell_name(r, c), v, styles.get((i == 0, c)))
            if cell:
                kept.setdefault(r + 1, []).append((c, cell))
    parts = []
    for rnum in sorted(set(kept) | set(row_attrs)):
        attrs = re.sub(r'\s+spans="[^"]*"', "", row_attrs.get(rnum, f' r="{rnum}"'))
        parts.append(f"<row{attrs}>" + "".join(x for _, x in sorted(kept.get(rnum, []))) + "</row>")
    out = xml[: m.start()] + "<sheetData>" + "".join(parts) + "</sheetData>" + xml[m.end() :]
    return re.sub(r'<dimension ref="[^"]*"/>', "", out)


def retable(
    xml: str,
    top: int,
    left: int,
    header: Sequence[str],
    n_rows: int,
    calculated: dict[str, str] | None = None,
) -> str:
    """A table part for ``header`` and ``n_rows`` data rows from (top, left); the columns
    named in ``calculated`` keep their calculated-column formula (XML text as it was)."""
    span = f"{cell_name(top, left)}:{cell_name(top + n_rows, left + len(header) - 1)}"
    xml = re.sub(r'(<table\b[^>]*?\sref=")[^"]*(")', rf"\g<1>{span}\g<2>", xml, count=1)
    xml = re.sub(r'(<autoFilter\b[^>]*?\sref=")[^"]*(")', rf"\g<1>{span}\g<2>", xml, count=1)
    calculated = calculated or {}
    cols = "".join(
        f'<tableColumn id="{i + 1}" name="{xml_escape(h)}">'
        f"<calculatedColumnFormula>{calculated[h]}</calculatedColumnFormula></tableColumn>"
        if h in calculated
        else f'<tableColumn id="{i + 1}" name="{xml_escape(h)}"/>'
        for i, h in enumerate(header)
    )
    return with_table_columns(xml, cols, len(header))


ARRAY_RE = re.compile(
    r'(<f\b[^>]*\bt="array"[^>]*\bref=")([A-Z]+)(\d+):([A-Z]+)(\d+)("[^>]*>)(.*?)</f>', re.S
)


def follow_arrays(
    pkg: Package, table: str, first: int, old_last: int, new_last: int, changes: list[str]
) -> None:
    """Array formulas over ``table`` that filled exactly its old data rows (Excel rows
    ``first`` .. ``old_last``, e.g. the MF_ATR column beside Bars) fill the new ones; a
    formula whose new rows are not free is left as it was (and said so)."""
    if new_last == old_last:
        return
    for sheet, part in pkg.sheets.items():
        xml = pkg.text(part)
        cells = sheet_cells(xml)
        for m in list(ARRAY_RE.finditer(xml)):
            c0, r0, c1, r1 = m.group(2), int(m.group(3)), m.group(4), int(m.group(5))
            if (r0, r1) != (first, old_last) or f"{table}[" not in unescape(m.group(7)):
                continue
            cols = range(parse_ref(f"{c0}1")[1], parse_ref(f"{c1}1")[1] + 1)
            grown = [
                cells.get((r - 1, c), "") for r in range(old_last + 1, new_last + 1) for c in cols
            ]
            if any("<v>" in x or "<f" in x or "<is>" in x for x in grown):
                changes.append(
                    f"{sheet}!{c0}{r0}:{c1}{r1} left as it was: the rows below are not free"
                )
                continue
            tag = f"{m.group(1)}{c0}{r0}:{c1}{new_last}{m.group(6)}"
            xml = xml.replace(m.group(0), f"{tag}{m.group(7)}</f>", 1)
            for r in range(new_last + 1, old_last + 1):  # shrunk: old results go
                for c in cols:
                    old = cells.get((r - 1, c))
                    if old is not None:
                        style = re.search(r'\bs="(\d+)"', old)
                        ref = cell_name(r - 1, c)
                        xml = xml.replace(
                            old, cell_xml(ref, None, style.group(1) if style else None), 1
                        )
            changes.append(
                f"{sheet}!{c0}{r0}:{c1}{r1} (reads {table}) now fills {c0}{r0}:{c1}{new_last}"
            )
        pkg.parts[part] = xml.encode("utf-8")


def formula_columns(pkg: Package, table: str) -> set[str]:
    """Column names the book's formulas read from ``table`` (``Prices[ETH]``), lower-case."""
    names: set[str] = set()
    for part in pkg.sheets.values():
        for f in re.findall(r"<f\b[^>]*>(.*?)</f>", pkg.text(part), re.S):
            for col in re.findall(rf"\b{re.escape(table)}\[([^\]\[]+)\]", unescape(f)):
                if not col.startswith("#"):
                    names.add(col.strip())
    return names


def keep_positions(old_header: Sequence[Any], rows: list[list[Any]]) -> list[list[Any]]:
    """The new columns in the old columns' places: an asset the table had stays in its
    column (the returns beside the table read columns by letter); the others fill the
    free places in the order given, then follow.

    >>> keep_positions(["Week", "BTC", "ETH", "SOL"], [["Date", "ETH", "LINK", "BTC"], [1, 2, 3, 4]])
    [['Date', 'BTC', 'ETH', 'LINK'], [1, 4, 2, 3]]
    """
    names = [str(h).strip().lower() for h in rows[0][1:]]
    old = [str(h or "").strip().lower() for h in old_header[1:]]
    slots: list[int | None] = [names.index(o) if o in names else None for o in old]
    rest = iter([i for i in range(len(names)) if i not in slots])
    placed = [i if i is not None else next(rest, None) for i in slots]
    order = [i for i in placed if i is not None] + list(rest)
    return [[r[0]] + [r[1 + i] for i in order] for r in rows]


def check_price_columns(book: str | Path, names: Sequence[str]) -> None:
    """Refuse (before any download) a Prices table that would lose a column the book's
    formulas read (the Portfolio sheet's ``MF_BETA(Prices[ETH], Prices[BTC])``)."""
    _, pkg = open_book(book)
    _, tpart = find_table(pkg, "Prices")
    have = {n.strip().lower() for n in names}
    # a calculated column (the weekly returns) comes with the table: what it needs is the
    # columns its own formula reads
    calculated = calculated_reads(pkg.text(tpart))
    needed: set[str] = set()
    for n in formula_columns(pkg, "Prices"):
        needed |= calculated.get(n, {n})
    lost = sorted(n for n in needed if n.lower() not in have)
    if lost:
        raise MicrosizeError(
            f"the workbook's formulas read Prices[{'], Prices['.join(lost)}]: include a contract "
            f"for {', '.join(lost)} (or name one: {lost[0]}=exchange:symbol); nothing written"
        )


def rewrite_table(
    pkg: Package, name: str, rows: list[list[Any]], changes: list[str], what: str
) -> None:
    """Replace table ``name``'s header and rows (it grows or shrinks from its corner)."""
    sheet, tpart = find_table(pkg, name)
    part = pkg.sheets[sheet]
    xml, txml = pkg.text(part), pkg.text(tpart)
    old = table_ref(txml)
    top, left, bottom, right = old
    old_header = column_names(txml)
    rows, calculated = with_calculated_columns(xml, txml, old, rows, changes, name)
    n_cols = max(len(r) for r in rows)
    check_room(xml, sheet, name, old, len(rows), n_cols)
    clear_to = (max(bottom, top + len(rows) - 1), max(right, left + n_cols - 1))
    pkg.parts[part] = replace_region(xml, old, rows, clear_to).encode("utf-8")
    header = [str(h) for h in rows[0]]
    pkg.parts[tpart] = retable(txml, top, left, header, len(rows) - 1, calculated).encode("utf-8")
    changes.append(
        f"{name} table ({sheet}): {len(rows) - 1} rows x {', '.join(header)} "
        f"(was {bottom - top} rows x {right - left + 1} columns){what}"
    )
    follow_arrays(pkg, name, top + 2, bottom + 1, top + len(rows), changes)
    follow_charts(pkg, sheet, old, old_header, header, top + len(rows), changes)


TABLE_COLUMN_RE = re.compile(r"<tableColumn\b([^>]*?)(?:/>|>(.*?)</tableColumn>)", re.S)


CALCULATED_RE = re.compile(r"<calculatedColumnFormula>(.*?)</calculatedColumnFormula>", re.S)


def calculated_reads(txml: str) -> dict[str, set[str]]:
    """Each calculated column of a table part: the columns its formula reads."""
    out: dict[str, set[str]] = {}
    for m in TABLE_COLUMN_RE.finditer(txml):
        f = CALCULATED_RE.search(m.group(2) or "")
        nm = re.search(r'\bname="([^"]*)"', m.group(1))
        if f is not None and nm is not None:
            column = unescape(nm.group(1))
            reads = set(re.findall(r"\[([^\[\]#]+)\]", unescape(f.group(1))))
            out[column] = {r.strip() for r in reads} - {column}
    return out


def column_names(txml: str) -> list[str]:
    """A table part's column names, in order."""
    out = []
    for m in TABLE_COLUMN_RE.finditer(txml):
        nm = re.search(r'\bname="([^"]*)"', m.group(1))
        out.append(unescape(nm.group(1)) if nm else "")
    return out


def with_calculated_columns(
    xml: str,
    txml: str,
    old: tuple[int, int, int, int],
    rows: list[list[Any]],
    changes: list[str],
    name: str,
) -> tuple[list[list[Any]], dict[str, str]]:
    """``rows`` with the table's calculated columns after the typed ones (the returns of
    Prices, the exposures of Holdings): each row gets the column's formula, with the style
    of its old first data cell. A calculated column that reads a column the new rows lack
    is dropped, and said."""
    top, left = old[0], old[1]
    cells = sheet_cells(xml)
    header = [str(h) for h in rows[0]]
    kept: list[tuple[str, str, str | None]] = []
    for i, m in enumerate(TABLE_COLUMN_RE.finditer(txml)):
        f = CALCULATED_RE.search(m.group(2) or "")
        nm = re.search(r'\bname="([^"]*)"', m.group(1))
        if f is None or nm is None:
            continue
        column, formula = unescape(nm.group(1)), f.group(1)
        reads = set(re.findall(r"\[([^\[\]#]+)\]", unescape(formula)))
        if column in header:  # the new rows bring the column themselves
            continue
        if not reads <= set(header) | {column} | {k for k, _, _ in kept}:
            changes.append(f"{name}[{column}] dropped: it reads a column the new rows lack")
            continue
        first = cells.get((top + 1, left + i), "")
        sm = re.search(r'\bs="(\d+)"', first)
        kept.append((column, formula, sm.group(1) if sm else None))
    if not kept:
        return rows, {}
    width = len(header)
    out = [header + [c for c, _, _ in kept]]
    for row in rows[1:]:
        padded = list(row) + [None] * (width - len(row))
        out.append(padded + [formula_cell(unescape(f), st) for _, f, st in kept])
    return out, {c: f for c, f, _ in kept}


def follow_charts(
    pkg: Package,
    sheet: str,
    old: tuple[int, int, int, int],
    old_header: list[str],
    header: list[str],
    new_bottom: int,
    changes: list[str],
) -> None:
    """Chart series over the table's data rows (``Prices!$F$3:$F$28``, down to its last
    row) follow it: to the column of the same name and to the new last row (Excel rows)."""
    top, left, bottom, _right = old
    prefix = re.escape(sheet) if re.fullmatch(r"\w+", sheet) else re.escape(f"'{sheet}'")
    series = re.compile(rf"({prefix}!)\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)")
    where = {n: left + i for i, n in enumerate(header)}

    def move(m: re.Match[str]) -> str:
        (_, c0), (_, c1) = parse_ref(f"{m.group(2)}1"), parse_ref(f"{m.group(4)}1")
        r0, r1 = int(m.group(3)), int(m.group(5))
        if c0 != c1 or r1 != bottom + 1 or r0 <= top + 1 or not 0 <= c0 - left < len(old_header):
            return m.group(0)
        to = where.get(old_header[c0 - left])
        if to is None:
            return m.group(0)
        letter = cell_name(0, to)[:-1]
        return f"{m.group(1)}${letter}${r0}:${letter}${new_bottom}"

    moved = []
    for part in [n for n in pkg.parts if n.startswith("xl/charts/chart")]:
        text = pkg.text(part)
        new = series.sub(move, text)
        if new != text:
            pkg.parts[part] = new.encode("utf-8")
            moved.append(part.rsplit("/", 1)[-1])
    if moved:
        changes.append(f"charts over {sheet}'s table follow it to row {new_bottom}")


RETURN_RE = re.compile(
    r"^(?:IF\(OR\(([A-Z]+)\d+=\"\",\1\d+=\"\"\),NA\(\),)?([A-Z]+)(\d+)/\2(\d+)-1\)?$"
)


def follow_returns(pkg: Package, sheet: str, top: int, n_rows: int, changes: list[str]) -> None:
    """The return columns beside a price table (``=B3/B2-1`` down a column) and the charts
    that plot them follow the table's new length; a return next to a blank close is #N/A
    (a gap in a chart), not -100%."""
    part = pkg.sheets[sheet]
    xml = pkg.text(part)
    m = re.search(r"<sheetData>(.*?)</sheetData>", xml, re.S)
    if m is None:
        return
    columns: dict[int, tuple[str, str | None]] = {}  # return column -> (source column, style)
    rows: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for rm in ROW_RE.finditer(m.group(1)):
        attrs = rm.group(1)
        rnum = int(re.search(r'\br="(\d+)"', attrs).group(1))  # type: ignore[union-attr]
        kept: list[tuple[int, str]] = []
        for cell in CELL_RE.findall(rm.group(2) or ""):
            r, c = parse_ref(re.search(r'\br="([A-Z]+\d+)"', cell).group(1))  # type: ignore[union-attr]
            f = re.search(r"<f>(.*?)</f>", cell)
            hit = RETURN_RE.match(unescape(f.group(1))) if f else None
            if hit and r > top + 1:
                sm = re.search(r'\bs="(\d+)"', cell)
                columns.setdefault(c, (hit.group(2), sm.group(1) if sm else None))
                continue
            kept.append((c, cell))
        rows[rnum] = (attrs, kept)
    if not columns:
        return
    first, last = top + 3, top + n_rows + 1  # Excel rows of the second .. last data row
    for c, (src, style) in columns.items():
        for r in range(first, last + 1):
            formula = f'IF(OR({src}{r}="",{src}{r - 1}=""),NA(),{src}{r}/{src}{r - 1}-1)'
            s = f' s="{style}"' if style else ""
            ref = cell_name(r - 1, c)
            attrs, kept = rows.setdefault(r, (f' r="{r}"', []))
            kept.append((c, f'<c r="{ref}"{s}><f>{xml_escape(formula)}</f></c>'))
    body = []
    for rnum in sorted(rows):
        attrs, kept = rows[rnum]
        attrs = re.sub(r'\s+spans="[^"]*"', "", attrs)
        body.append(f"<row{attrs}>" + "".join(x for _, x in sorted(kept)) + "</row>")
    xml = xml[: m.start()] + "<sheetData>" + "".join(body) + "</sheetData>" + xml[m.end() :]
    pkg.parts[part] = xml.encode("utf-8")
    letters = [cell_name(0, c)[:-1] for c in sorted(columns)]
    prefix = re.escape(sheet) if re.fullmatch(r"\w+", sheet) else re.escape(f"'{sheet}'")
    for name in [n for n in pkg.parts if n.startswith("xl/charts/chart")]:
        text = pkg.text(name)
        new = re.sub(
            rf"({prefix}!\$({'|'.join(letters)})\${first}:\$\2\$)\d+",
            rf"\g<1>{last}",
            text,
        )
        if new != text:
            pkg.parts[name] = new.encode("utf-8")
    changes.append(
        f"{sheet} columns {', '.join(letters)} (returns) and their charts: rows {first} to {last}"
    )
