"""``update-specs``: refresh a workbook's Specs and Tiers, keep everything else."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from .._contracts import (
    SPEC_COLUMNS,
    TIER_COLUMNS,
    load_margin_tiers,
    load_specs,
)
from .._errors import MicrosizeError
from ._book import LIST_ROWS, SPECS_TABLE, _parse, cell_name
from .reference import tier_rows
from .start import VENUES_LEAD, _text_height, venue_summary

# --------------------------------------------------------------------------- update-specs
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass
class UpdateReport:
    """What ``update_specs`` did: the backup, the diff rows and the kept user rows."""

    book: Path
    backup: Path
    spec_changes: list[list[Any]]
    tier_changes: list[list[Any]]
    kept_user_keys: list[str]

    def lines(self) -> list[str]:
        n_spec, n_tier = len(self.spec_changes) - 1, len(self.tier_changes) - 1
        out = [
            f"updated {self.book} (backup: {self.backup})",
            f"Specs: {n_spec} change{'s' if n_spec != 1 else ''}; Tiers: {n_tier} change{'s' if n_tier != 1 else ''}",
        ]
        if self.kept_user_keys:
            out.append("kept your own rows: " + ", ".join(self.kept_user_keys))
        return out


def _xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


class _Formula(str):
    """A cell formula (without ``=``) to write as such, with its own style."""

    style: str | None = None


def _formula(text: str, style: str | None) -> _Formula:
    f = _Formula(text)
    f.style = style
    return f


def _cell_xml(ref: str, value: Any, style: str | None) -> str:
    if isinstance(value, _Formula):
        style = value.style or style
        s = f' s="{style}"' if style else ""
        return f'<c r="{ref}"{s}><f>{_xml_escape(str(value))}</f></c>'
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_xml_escape(str(value))}</t></is></c>'


_ROW_RE = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL_RE = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)


def _replace_block(
    sheet_xml: str, first_col: int, rows: list[list[Any]], clear_cols: int, clear_rows: int
) -> str:
    """Rewrite the cells of columns first_col .. first_col+clear_cols-1 from row 1 down:
    the old cells there (up to clear_rows rows) go, ``rows`` are written, every other cell
    of the sheet is kept byte for byte. Each column keeps the style of its old cells
    (header style for row 1, first data row's style below)."""
    m = re.search(r"<sheetData>(.*?)</sheetData>|<sheetData/>", sheet_xml, re.S)
    if m is None:
        raise MicrosizeError("the sheet has no cell data")
    old_rows: dict[int, tuple[str, list[str]]] = {}
    for rm in _ROW_RE.finditer(m.group(1) or ""):
        attrs = rm.group(1)
        rnum = int(re.search(r'\br="(\d+)"', attrs).group(1))  # type: ignore[union-attr]
        old_rows[rnum] = (attrs, _CELL_RE.findall(rm.group(2) or ""))
    in_block = range(first_col, first_col + clear_cols)
    styles: dict[tuple[bool, int], str] = {}
    kept: dict[int, list[tuple[int, str]]] = {}
    for rnum, (_attrs, cells) in old_rows.items():
        for cell in cells:
            ref = re.search(r'\br="([A-Z]+\d+)"', cell).group(1)  # type: ignore[union-attr]
            r, c = _parse(ref)
            sm = re.search(r'\bs="(\d+)"', cell)
            if c in in_block and r < max(clear_rows, len(rows)):
                key = (r == 0, c)
                if sm and key not in styles and (r in (0, 1)):
                    styles[key] = sm.group(1)
                continue
            kept.setdefault(rnum, []).append((c, cell))
    new_cells: dict[int, list[tuple[int, str]]] = {k: list(v) for k, v in kept.items()}
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            col = first_col + j
            xml = _cell_xml(cell_name(i, col), v, styles.get((i == 0, col)))
            if xml:
                new_cells.setdefault(i + 1, []).append((col, xml))
    parts: list[str] = []
    for rnum in sorted(set(new_cells) | set(old_rows)):
        attrs = old_rows.get(rnum, (f' r="{rnum}"', []))[0]
        attrs = re.sub(r'\s+spans="[^"]*"', "", attrs)
        row_cells = sorted(new_cells.get(rnum, []))
        parts.append(f"<row{attrs}>" + "".join(x for _, x in row_cells) + "</row>")
    out = (
        sheet_xml[: m.start()]
        + "<sheetData>"
        + "".join(parts)
        + "</sheetData>"
        + sheet_xml[m.end() :]
    )
    return re.sub(r'<dimension ref="[^"]*"/>', "", out)


def _table_xml(xml: str, header: Sequence[str], n_rows: int) -> str:
    last = cell_name(n_rows, len(header) - 1)
    xml = re.sub(r'(<table\b[^>]*?\sref=")[^"]*(")', rf"\g<1>A1:{last}\g<2>", xml, count=1)
    xml = re.sub(r'(<autoFilter\b[^>]*?\sref=")[^"]*(")', rf"\g<1>A1:{last}\g<2>", xml, count=1)
    cols = "".join(
        f'<tableColumn id="{i + 1}" name="{_xml_escape(h)}"/>' for i, h in enumerate(header)
    )
    return re.sub(
        r"<tableColumns\b.*?</tableColumns>",
        f'<tableColumns count="{len(header)}">{cols}</tableColumns>',
        xml,
        count=1,
        flags=re.S,
    )


class _Package:
    """The parts of an .xlsx/.xlsm zip, with sheet and table lookup by name."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as z:
            self.infos = z.infolist()
            self.parts = {i.filename: z.read(i.filename) for i in self.infos}
        wb = self.text("xl/workbook.xml")
        rels = self.text("xl/_rels/workbook.xml.rels")
        targets = dict(re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
        targets |= {
            k: v
            for v, k in re.findall(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
        }
        self.sheets: dict[str, str] = {}
        for m in re.finditer(r"<sheet\b([^>]*)/>", wb):
            name = re.search(r'name="([^"]*)"', m.group(1))
            rid = re.search(r'r:id="([^"]*)"', m.group(1))
            if name and rid:
                target = targets[rid.group(1)].lstrip("/")
                part = target if target.startswith("xl/") else "xl/" + target
                self.sheets[_unescape(name.group(1))] = part

    def text(self, part: str) -> str:
        return self.parts[part].decode("utf-8")

    def table_part(self, sheet: str, table: str) -> str | None:
        part = self.sheets[sheet]
        rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rels not in self.parts:
            return None
        for target in re.findall(r'Target="([^"]*tables/[^"]+)"', self.text(rels)):
            tpart: str = "xl/tables/" + str(target).rsplit("/", 1)[1]
            if re.search(rf'<table\b[^>]*\sname="{re.escape(table)}"', self.text(tpart)):
                return tpart
        return None

    def write(self, path: Path) -> None:
        from ..outfiles import write_atomic

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for info in self.infos:
                z.writestr(info, self.parts[info.filename])
        write_atomic(path, buf.getvalue())  # the book stays whole until the new one is


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def _patch_venues(pkg: _Package, specs_rows: Sequence[Sequence[Any]]) -> bool:
    """Rewrite the Start sheet's list of venues (the cell whose text begins with
    :data:`VENUES_LEAD`, a shared or an inline string) for ``specs_rows``; False when the
    sheet has no such cell (a workbook built before the list existed)."""
    part = pkg.sheets.get("Start")
    if part is None:
        return False
    xml = pkg.text(part)
    index = None
    if "xl/sharedStrings.xml" in pkg.parts:
        items = re.findall(r"<si>(.*?)</si>", pkg.text("xl/sharedStrings.xml"), re.S)
        for i, item in enumerate(items):
            plain = _unescape("".join(re.findall(r"<t\b[^>]*>(.*?)</t>", item, re.S)))
            if plain.startswith(VENUES_LEAD):
                index = i
                break
    text = venue_summary(specs_rows)
    for m in _CELL_RE.finditer(xml):
        cell = m.group(0)
        shared = index is not None and 't="s"' in cell and f"<v>{index}</v>" in cell
        inline = 't="inlineStr"' in cell and f">{VENUES_LEAD}" in cell
        if not (shared or inline):
            continue
        ref = re.search(r'\br="([A-Z]+)(\d+)"', cell)
        style = re.search(r'\bs="(\d+)"', cell)
        assert ref is not None
        new = _cell_xml(ref.group(1) + ref.group(2), text, style.group(1) if style else None)
        xml = xml[: m.start()] + new + xml[m.end() :]
        row = re.search(rf'<row\b[^>]*\br="{ref.group(2)}"[^>]*>', xml)
        if row is not None and ' ht="' in row.group(0):
            tag = re.sub(r'\bht="[^"]*"', f'ht="{_text_height(text):g}"', row.group(0))
            xml = xml[: row.start()] + tag + xml[row.end() :]
        pkg.parts[part] = xml.encode("utf-8")
        return True
    return False


def _table_values(path: Path, sheet: str) -> list[list[Any]]:
    """The values of a sheet's table region, read with openpyxl (header row first)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    ws = wb[sheet]
    table = next(iter(ws.tables.values()))
    cells = ws[table.ref]
    return [[c.value for c in row] for row in cells]


def _write_new(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` only if no file is there (atomic check); False if one is."""
    from ..outfiles import write_new

    return write_new(path, data)


def _next_backup(book: Path, data: bytes) -> Path:
    """Write ``data`` to the first free name of BOOK.bak.xlsm, BOOK.bak-2.xlsm, ...

    An existing backup is never overwritten, so the file as it was before the first update
    survives any number of runs.
    """
    n = 1
    while True:
        tag = ".bak" if n == 1 else f".bak-{n}"
        candidate = book.with_name(book.stem + tag + book.suffix)
        if _write_new(candidate, data):
            return candidate
        n += 1


def update_specs(book: str | Path, *, backup: str | Path | None = None) -> UpdateReport:
    """Replace a workbook's Specs and Tiers tables with the package's current tables.

    Rows of the workbook's Specs table whose key the package does not know (your own
    contracts) are kept, after the package's rows. Every other sheet, the VBA project and
    every other part of the file are copied byte for byte; only the Specs, Tiers, Lists and
    Spec changes sheets, the two tables, the Start sheet's list of venues and the
    workbook's recalculation flag change. A backup copy is written first:
    ``BOOK.bak.xlsm``, or ``BOOK.bak-2.xlsm``, ``-3`` ... when that exists (a backup is
    never overwritten), or ``backup`` if given (which must not exist yet).
    """
    from .._contracts import SpecTable, tiers_from_rows
    from .._refresh import diff_specs, diff_tiers

    path = Path(book)
    if not path.is_file():
        raise MicrosizeError(f"book must be an existing workbook file (got {str(book)[:80]!r})")
    try:
        pkg = _Package(path)
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, OSError) as exc:
        raise MicrosizeError(
            f"{path.name[:60]} is not an Excel workbook (.xlsm/.xlsx): "
            f"{'not a zip file' if isinstance(exc, zipfile.BadZipFile) else 'a part is missing or unreadable'}"
        ) from None
    for needed in ("Specs", "Tiers"):
        if needed not in pkg.sheets:
            raise MicrosizeError(
                f"{path.name} has no sheet named {needed!r}: is it a microsize workbook?"
            )
    specs_part = pkg.table_part("Specs", SPECS_TABLE)
    tiers_part = pkg.table_part("Tiers", "Tiers")
    if specs_part is None or tiers_part is None:
        raise MicrosizeError(
            f"{path.name}: the Specs or Tiers sheet has no table named Specs / Tiers"
        )

    old_rows = _table_values(path, "Specs")
    try:
        old_table: SpecTable | None = SpecTable.from_rows(
            old_rows, origin=f"{path.name} sheet Specs"
        )
    except MicrosizeError as exc:  # a broken table is what an update repairs; say so
        old_table, broken = None, str(exc)
    old_tiers = tiers_from_rows(_table_values(path, "Tiers"), origin=f"{path.name} sheet Tiers")
    new_pkg = load_specs()
    new_keys = {s.key.lower() for s in new_pkg.filter(None)}
    old_header = [str(h).strip().lower() for h in old_rows[0]]
    ex, sym = old_header.index("exchange"), old_header.index("symbol")
    user_rows = [
        r
        for r in old_rows[1:]
        if any(v not in (None, "") for v in r)
        and f"{r[ex]}:{r[sym]}".strip().lower() not in new_keys
    ]
    header = list(SPEC_COLUMNS)
    user_rows = [
        [r[old_header.index(h)] if h in old_header else None for h in header] for r in user_rows
    ]
    new_rows = new_pkg.rows() + user_rows
    new_table = SpecTable.from_rows(new_rows, origin="updated Specs")
    if old_table is None:
        spec_diff = [
            ["change", "key", "field", "old", "new"],
            ["replaced", "", "", f"the old table was not valid: {broken}", ""],
        ]
    else:
        spec_diff = diff_specs(old_table, new_table).rows()
    tier_rows_new = tier_rows(load_margin_tiers())
    tier_diff = diff_tiers(old_tiers, load_margin_tiers()).rows()

    backup_path = _make_backup(path, backup)

    def patch(
        sheet: str, rows: list[list[Any]], clear_cols: int, clear_rows: int, first_col: int = 0
    ) -> None:
        part = pkg.sheets[sheet]
        xml = _replace_block(pkg.text(part), first_col, rows, clear_cols, clear_rows)
        pkg.parts[part] = xml.encode("utf-8")

    specs_xml, specs_txml = pkg.text(pkg.sheets["Specs"]), pkg.text(specs_part)
    # the table's calculated columns (its key column, which the contract dropdowns list)
    # after the new rows, each row with the column's formula
    written, calculated = _with_calculated_columns(
        specs_xml,
        specs_txml,
        _table_ref(specs_txml),
        [[None if v is None else v for v in r] for r in new_rows],
        [],
        SPECS_TABLE,
    )
    patch("Specs", written, max(len(written[0]), len(old_header)), len(old_rows))
    pkg.parts[specs_part] = _retable(
        specs_txml, 0, 0, [str(h) for h in written[0]], len(written) - 1, calculated
    ).encode()
    old_tier_len = len(old_tiers) + 1
    patch("Tiers", tier_rows_new, len(TIER_COLUMNS), old_tier_len)
    pkg.parts[tiers_part] = _table_xml(
        pkg.text(tiers_part), list(TIER_COLUMNS), len(tier_rows_new) - 1
    ).encode()
    if "Lists" in pkg.sheets:  # an older workbook: its dropdowns read a list on Lists
        _follow_lists(pkg, [f"{r[0]}:{r[1]}" for r in new_rows[1:]])
    _patch_venues(pkg, new_table.rows())  # validated: a blank qty_unit is derived
    if "Spec changes" in pkg.sheets:
        stamp = f"update-specs with microsize {__version__}: {len(spec_diff) - 1} spec and {len(tier_diff) - 1} tier changes"
        body = [*spec_diff, *tier_diff[1:]]
        if len(body) == 1:
            body.append(["none", "", "", "", ""])
        patch("Spec changes", [*body, [], [stamp]], 5, 100000)
    _recalc_on_load(pkg)
    pkg.write(path)
    return UpdateReport(
        path, backup_path, spec_diff, tier_diff, [f"{r[0]}:{r[1]}" for r in user_rows]
    )


_LIST_SOURCE_RE = re.compile(r"(<formula1>Lists!\$A\$2:\$A\$)(\d+)(</formula1>)")


def _follow_lists(pkg: _Package, keys: Sequence[str]) -> None:
    """The Lists sheet of a workbook built before the dropdowns read the Specs table's key
    column (the name ContractKeys): its list is rewritten to hold every key, however many
    (as values where it held values, as formulas over the Specs table where it held
    formulas), and every dropdown over it (``Lists!$A$2:$A$201``) is widened to cover it."""
    part = pkg.sheets["Lists"]
    xml = pkg.text(part)
    sources = [
        int(n) for _, n, _ in _LIST_SOURCE_RE.findall("".join(map(pkg.text, pkg.sheets.values())))
    ]
    rows = max([len(keys) + 1, LIST_ROWS + 1, *sources])
    body: list[list[Any]] = [["Contract keys (dropdowns)"]]
    if "<f>" in xml:
        body += [
            [
                _formula(
                    f'IFERROR(INDEX({SPECS_TABLE}[exchange],{i})&":"&INDEX({SPECS_TABLE}[symbol],{i}),"")',
                    None,
                )
            ]
            for i in range(1, rows)
        ]
    else:
        body += [[k] for k in keys]
    pkg.parts[part] = _replace_block(xml, 0, body, 1, rows).encode("utf-8")
    for sheet_part in pkg.sheets.values():
        text = pkg.text(sheet_part)
        widened = _LIST_SOURCE_RE.sub(rf"\g<1>{rows}\g<3>", text)
        if widened != text:
            pkg.parts[sheet_part] = widened.encode("utf-8")


# ------------------------------------------------------- update-prices, update-holdings
#: Sheets whose "Account size" inputs take the account size of update-holdings.
ACCOUNT_SHEETS = ("Sizing", "Planner", "Ladder")
ACCOUNT_LABEL = "Account size"
FUNDING_SHEET, FUNDING_LABEL, FUNDING_CONTRACT = "Margin", "Funding rate per interval", "Contract"


@dataclass
class LiveReport:
    """What ``update_prices``/``update_holdings`` changed (or would change, ``dry_run``)."""

    book: Path
    backup: Path | None
    changes: list[str]

    def lines(self) -> list[str]:
        head = (
            f"updated {self.book} (backup: {self.backup})"
            if self.backup is not None
            else f"{self.book}: nothing written (--dry-run); it would change:"
        )
        return [head, *(f"  {c}" for c in self.changes)]


def _open_book(book: str | Path) -> tuple[Path, _Package]:
    path = Path(book)
    if not path.is_file():
        raise MicrosizeError(f"book must be an existing workbook file (got {str(book)[:80]!r})")
    try:
        return path, _Package(path)
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, OSError):
        raise MicrosizeError(f"{path.name[:60]} is not an Excel workbook (.xlsm/.xlsx)") from None


def _find_table(pkg: _Package, name: str) -> tuple[str, str]:
    """(sheet, table part) of the table named ``name``, refused when the book has none."""
    for sheet in pkg.sheets:
        part = pkg.table_part(sheet, name)
        if part is not None:
            return sheet, part
    raise MicrosizeError(f"the workbook has no table named {name}: is it a microsize workbook?")


def _table_ref(xml: str) -> tuple[int, int, int, int]:
    """(top, left, bottom, right), zero-based, of a table part's ``ref``."""
    m = re.search(r'<table\b[^>]*?\sref="([A-Z]+\d+):([A-Z]+\d+)"', xml)
    if m is None:
        raise MicrosizeError("a table of the workbook has no range")
    (top, left), (bottom, right) = _parse(m.group(1)), _parse(m.group(2))
    return top, left, bottom, right


def _sheet_cells(xml: str) -> dict[tuple[int, int], str]:
    """Every cell element of a sheet by (row, col), zero-based."""
    out: dict[tuple[int, int], str] = {}
    for cell in _CELL_RE.findall(xml):
        ref = re.search(r'\br="([A-Z]+\d+)"', cell)
        if ref is not None:
            out[_parse(ref.group(1))] = cell
    return out


def _merged(xml: str) -> list[tuple[int, int, int, int]]:
    out = []
    for a, b in re.findall(r'<mergeCell\b[^>]*\sref="([A-Z]+\d+):([A-Z]+\d+)"', xml):
        (r0, c0), (r1, c1) = _parse(a), _parse(b)
        out.append((r0, c0, r1, c1))
    return out


def _check_room(
    xml: str, sheet: str, table: str, old: tuple[int, int, int, int], n_rows: int, n_cols: int
) -> None:
    """Refuse when the grown table would cover a cell or a merged range outside it."""
    top, left, bottom, right = old
    new_bottom, new_right = top + n_rows - 1, left + n_cols - 1

    def inside_old(r: int, c: int) -> bool:
        return top <= r <= bottom and left <= c <= right

    for (r, c), cell in sorted(_sheet_cells(xml).items()):
        if not (top <= r <= new_bottom and left <= c <= new_right) or inside_old(r, c):
            continue
        if "<v>" in cell or "<f" in cell or "<is>" in cell:
            raise MicrosizeError(
                f"the {table} table on {sheet} cannot grow to {n_rows - 1} rows and {n_cols} "
                f"columns: cell {cell_name(r, c)} is in the way (ask for fewer bars or contracts)"
            )
    for r0, c0, r1, c1 in _merged(xml):
        overlaps = r0 <= new_bottom and r1 >= top and c0 <= new_right and c1 >= left
        if overlaps and not (inside_old(r0, c0) and inside_old(r1, c1)):
            raise MicrosizeError(
                f"the {table} table on {sheet} cannot grow to {n_rows - 1} rows and "
                f"{n_cols} columns: merged cells {cell_name(r0, c0)}:{cell_name(r1, c1)} "
                "are in the way (ask for fewer bars or contracts)"
            )


def _replace_region(
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
    for rm in _ROW_RE.finditer(m.group(1) or ""):
        attrs = rm.group(1)
        rnum = int(re.search(r'\br="(\d+)"', attrs).group(1))  # type: ignore[union-attr]
        row_attrs[rnum] = attrs
        for cell in _CELL_RE.findall(rm.group(2) or ""):
            r, c = _parse(re.search(r'\br="([A-Z]+\d+)"', cell).group(1))  # type: ignore[union-attr]
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
            cell = _cell_xml(cell_name(r, c), v, styles.get((i == 0, c)))
            if cell:
                kept.setdefault(r + 1, []).append((c, cell))
    parts = []
    for rnum in sorted(set(kept) | set(row_attrs)):
        attrs = re.sub(r'\s+spans="[^"]*"', "", row_attrs.get(rnum, f' r="{rnum}"'))
        parts.append(f"<row{attrs}>" + "".join(x for _, x in sorted(kept.get(rnum, []))) + "</row>")
    out = xml[: m.start()] + "<sheetData>" + "".join(parts) + "</sheetData>" + xml[m.end() :]
    return re.sub(r'<dimension ref="[^"]*"/>', "", out)


def _retable(
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
        f'<tableColumn id="{i + 1}" name="{_xml_escape(h)}">'
        f"<calculatedColumnFormula>{calculated[h]}</calculatedColumnFormula></tableColumn>"
        if h in calculated
        else f'<tableColumn id="{i + 1}" name="{_xml_escape(h)}"/>'
        for i, h in enumerate(header)
    )
    return re.sub(
        r"<tableColumns\b.*?</tableColumns>",
        f'<tableColumns count="{len(header)}">{cols}</tableColumns>',
        xml,
        count=1,
        flags=re.S,
    )


_ARRAY_RE = re.compile(
    r'(<f\b[^>]*\bt="array"[^>]*\bref=")([A-Z]+)(\d+):([A-Z]+)(\d+)("[^>]*>)(.*?)</f>', re.S
)


def _follow_arrays(
    pkg: _Package, table: str, first: int, old_last: int, new_last: int, changes: list[str]
) -> None:
    """Array formulas over ``table`` that filled exactly its old data rows (Excel rows
    ``first`` .. ``old_last``, e.g. the MF_ATR column beside Bars) fill the new ones; a
    formula whose new rows are not free is left as it was (and said so)."""
    if new_last == old_last:
        return
    for sheet, part in pkg.sheets.items():
        xml = pkg.text(part)
        cells = _sheet_cells(xml)
        for m in list(_ARRAY_RE.finditer(xml)):
            c0, r0, c1, r1 = m.group(2), int(m.group(3)), m.group(4), int(m.group(5))
            if (r0, r1) != (first, old_last) or f"{table}[" not in _unescape(m.group(7)):
                continue
            cols = range(_parse(f"{c0}1")[1], _parse(f"{c1}1")[1] + 1)
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
                            old, _cell_xml(ref, None, style.group(1) if style else None), 1
                        )
            changes.append(
                f"{sheet}!{c0}{r0}:{c1}{r1} (reads {table}) now fills {c0}{r0}:{c1}{new_last}"
            )
        pkg.parts[part] = xml.encode("utf-8")


def _formula_columns(pkg: _Package, table: str) -> set[str]:
    """Column names the book's formulas read from ``table`` (``Prices[ETH]``), lower-case."""
    names: set[str] = set()
    for part in pkg.sheets.values():
        for f in re.findall(r"<f\b[^>]*>(.*?)</f>", pkg.text(part), re.S):
            for col in re.findall(rf"\b{re.escape(table)}\[([^\]\[]+)\]", _unescape(f)):
                if not col.startswith("#"):
                    names.add(col.strip())
    return names


def _keep_positions(old_header: Sequence[Any], rows: list[list[Any]]) -> list[list[Any]]:
    """The new columns in the old columns' places: an asset the table had stays in its
    column (the returns beside the table read columns by letter); the others fill the
    free places in the order given, then follow.

    >>> _keep_positions(["Week", "BTC", "ETH", "SOL"], [["Date", "ETH", "LINK", "BTC"], [1, 2, 3, 4]])
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
    _, pkg = _open_book(book)
    _, tpart = _find_table(pkg, "Prices")
    have = {n.strip().lower() for n in names}
    # a calculated column (the weekly returns) comes with the table: what it needs is the
    # columns its own formula reads
    calculated = _calculated_reads(pkg.text(tpart))
    needed: set[str] = set()
    for n in _formula_columns(pkg, "Prices"):
        needed |= calculated.get(n, {n})
    lost = sorted(n for n in needed if n.lower() not in have)
    if lost:
        raise MicrosizeError(
            f"the workbook's formulas read Prices[{'], Prices['.join(lost)}]: include a contract "
            f"for {', '.join(lost)} (or name one: {lost[0]}=exchange:symbol); nothing written"
        )


def _rewrite_table(
    pkg: _Package, name: str, rows: list[list[Any]], changes: list[str], what: str
) -> None:
    """Replace table ``name``'s header and rows (it grows or shrinks from its corner)."""
    sheet, tpart = _find_table(pkg, name)
    part = pkg.sheets[sheet]
    xml, txml = pkg.text(part), pkg.text(tpart)
    old = _table_ref(txml)
    top, left, bottom, right = old
    old_header = _column_names(txml)
    rows, calculated = _with_calculated_columns(xml, txml, old, rows, changes, name)
    n_cols = max(len(r) for r in rows)
    _check_room(xml, sheet, name, old, len(rows), n_cols)
    clear_to = (max(bottom, top + len(rows) - 1), max(right, left + n_cols - 1))
    pkg.parts[part] = _replace_region(xml, old, rows, clear_to).encode("utf-8")
    header = [str(h) for h in rows[0]]
    pkg.parts[tpart] = _retable(txml, top, left, header, len(rows) - 1, calculated).encode("utf-8")
    changes.append(
        f"{name} table ({sheet}): {len(rows) - 1} rows x {', '.join(header)} "
        f"(was {bottom - top} rows x {right - left + 1} columns){what}"
    )
    _follow_arrays(pkg, name, top + 2, bottom + 1, top + len(rows), changes)
    _follow_charts(pkg, sheet, old, old_header, header, top + len(rows), changes)


_TABLE_COLUMN_RE = re.compile(r"<tableColumn\b([^>]*?)(?:/>|>(.*?)</tableColumn>)", re.S)
_CALCULATED_RE = re.compile(r"<calculatedColumnFormula>(.*?)</calculatedColumnFormula>", re.S)


def _calculated_reads(txml: str) -> dict[str, set[str]]:
    """Each calculated column of a table part: the columns its formula reads."""
    out: dict[str, set[str]] = {}
    for m in _TABLE_COLUMN_RE.finditer(txml):
        f = _CALCULATED_RE.search(m.group(2) or "")
        nm = re.search(r'\bname="([^"]*)"', m.group(1))
        if f is not None and nm is not None:
            column = _unescape(nm.group(1))
            reads = set(re.findall(r"\[([^\[\]#]+)\]", _unescape(f.group(1))))
            out[column] = {r.strip() for r in reads} - {column}
    return out


def _column_names(txml: str) -> list[str]:
    """A table part's column names, in order."""
    out = []
    for m in _TABLE_COLUMN_RE.finditer(txml):
        nm = re.search(r'\bname="([^"]*)"', m.group(1))
        out.append(_unescape(nm.group(1)) if nm else "")
    return out


def _with_calculated_columns(
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
    cells = _sheet_cells(xml)
    header = [str(h) for h in rows[0]]
    kept: list[tuple[str, str, str | None]] = []
    for i, m in enumerate(_TABLE_COLUMN_RE.finditer(txml)):
        f = _CALCULATED_RE.search(m.group(2) or "")
        nm = re.search(r'\bname="([^"]*)"', m.group(1))
        if f is None or nm is None:
            continue
        column, formula = _unescape(nm.group(1)), f.group(1)
        reads = set(re.findall(r"\[([^\[\]#]+)\]", _unescape(formula)))
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
        out.append(padded + [_formula(_unescape(f), st) for _, f, st in kept])
    return out, {c: f for c, f, _ in kept}


def _follow_charts(
    pkg: _Package,
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
        (_, c0), (_, c1) = _parse(f"{m.group(2)}1"), _parse(f"{m.group(4)}1")
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


_RETURN_RE = re.compile(
    r"^(?:IF\(OR\(([A-Z]+)\d+=\"\",\1\d+=\"\"\),NA\(\),)?([A-Z]+)(\d+)/\2(\d+)-1\)?$"
)


def _follow_returns(pkg: _Package, sheet: str, top: int, n_rows: int, changes: list[str]) -> None:
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
    for rm in _ROW_RE.finditer(m.group(1)):
        attrs = rm.group(1)
        rnum = int(re.search(r'\br="(\d+)"', attrs).group(1))  # type: ignore[union-attr]
        kept: list[tuple[int, str]] = []
        for cell in _CELL_RE.findall(rm.group(2) or ""):
            r, c = _parse(re.search(r'\br="([A-Z]+\d+)"', cell).group(1))  # type: ignore[union-attr]
            f = re.search(r"<f>(.*?)</f>", cell)
            hit = _RETURN_RE.match(_unescape(f.group(1))) if f else None
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
            kept.append((c, f'<c r="{ref}"{s}><f>{_xml_escape(formula)}</f></c>'))
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


#: The first sentence of the template's note beside its sample prices.
SAMPLE_NOTE = "Illustrative weekly closes, made up for this example, oldest first."


def _replace_sample_note(
    pkg: _Package, path: Path, sheet: str, note: str, changes: list[str]
) -> None:
    """The note that calls the prices made up now says where they come from."""
    import openpyxl

    ws = openpyxl.load_workbook(path, data_only=False)[sheet]
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith(SAMPLE_NOTE):
                _set_cell(pkg, sheet, c.coordinate, note + c.value[len(SAMPLE_NOTE) :])
                changes.append(f"{sheet}!{c.coordinate} note: {note}")
                return


def _label_cells(path: Path, sheet: str, label: str) -> list[tuple[str, Any]]:
    """(A1 name, value) of the input right of every cell of ``sheet`` reading ``label``."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=False, read_only=False)
    if sheet not in wb.sheetnames:
        return []
    ws = wb[sheet]
    out = []
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.strip() == label:
                right = ws.cell(c.row, c.column + 1)
                out.append((right.coordinate, right.value))
    return out


def _set_cell(pkg: _Package, sheet: str, ref: str, value: Any) -> None:
    """Write one value into an existing sheet cell, keeping its style."""
    part = pkg.sheets[sheet]
    xml = pkg.text(part)
    r, c = _parse(ref)
    cell = _sheet_cells(xml).get((r, c))
    if cell is None:
        raise MicrosizeError(f"{sheet}!{ref} is not a cell of the workbook")
    style = re.search(r'\bs="(\d+)"', cell)
    new = _cell_xml(ref, value, style.group(1) if style else None)
    pkg.parts[part] = xml.replace(cell, new, 1).encode("utf-8")


def _make_backup(path: Path, backup: str | Path | None) -> Path:
    """The book as it is, copied to ``backup`` (never over a file, never the book itself)
    or to the next free ``NAME.bak.xlsm``-style name; its path."""
    original = path.read_bytes()
    if backup:
        backup_path = Path(backup)
        if backup_path.resolve() == path.resolve():
            raise MicrosizeError(f"backup must differ from the book (got {str(backup)[:80]!r})")
        if not _write_new(backup_path, original):
            raise MicrosizeError(
                f"backup {str(backup)[:80]!r} exists: a backup is never overwritten, pick a new name"
            )
        return backup_path
    return _next_backup(path, original)


def _recalc_on_load(pkg: _Package) -> None:
    """Ask the application to recalculate the book when it opens (fullCalcOnLoad)."""
    wbxml = pkg.text("xl/workbook.xml")
    if "<calcPr" in wbxml:
        if "fullCalcOnLoad" not in wbxml:
            wbxml = wbxml.replace("<calcPr", '<calcPr fullCalcOnLoad="1"', 1)
    else:
        wbxml = wbxml.replace("</workbook>", '<calcPr fullCalcOnLoad="1"/></workbook>')
    pkg.parts["xl/workbook.xml"] = wbxml.encode("utf-8")


def _finish(pkg: _Package, path: Path, backup: str | Path | None) -> Path:
    """The backup (as update-specs makes it), the recalculation flag, the book written."""
    backup_path = _make_backup(path, backup)
    _recalc_on_load(pkg)
    pkg.write(path)
    return backup_path


def update_prices(
    book: str | Path,
    prices: list[list[Any]],
    bars: list[list[Any]] | None,
    *,
    funding: tuple[str, float, str] | None = None,
    source: str = "",
    note: str | None = None,
    backup: str | Path | None = None,
    dry_run: bool = False,
) -> LiveReport:
    """Write a price history into the Prices table (``prices``: header ``Date``, one close
    column per asset), one contract's bars into the Bars table (``bars``: header High,
    Low, Close) and, given ``funding`` (contract, rate, when), the Margin sheet's funding
    rate when its Contract is that contract. Refused, with nothing written, when a formula
    of the book reads a Prices column the new table lacks, or the table cannot grow."""
    check_price_columns(book, [str(h) for h in prices[0]])
    path, pkg = _open_book(book)
    changes: list[str] = []
    prices = _keep_positions(_table_values_named(path, "Prices")[0], prices)
    _rewrite_table(pkg, "Prices", prices, changes, source)
    sheet, tpart = _find_table(pkg, "Prices")
    _follow_returns(pkg, sheet, _table_ref(pkg.text(tpart))[0], len(prices) - 1, changes)
    if note is not None:
        _replace_sample_note(pkg, path, sheet, note, changes)
    if bars is not None:
        _rewrite_table(pkg, "Bars", bars, changes, "")
    if funding is not None:
        key, rate, when = funding
        contract = _label_cells(path, FUNDING_SHEET, FUNDING_CONTRACT)
        cells = _label_cells(path, FUNDING_SHEET, FUNDING_LABEL)
        if not cells or not contract:
            changes.append(
                f"no {FUNDING_LABEL!r} input on a {FUNDING_SHEET} sheet: funding not written"
            )
        elif str(contract[0][1]).strip().lower() != key.lower():
            changes.append(
                f"{FUNDING_SHEET}!{contract[0][0]} holds {contract[0][1]!r}, not {key}: funding not written"
            )
        else:
            ref, old = cells[0]
            _set_cell(pkg, FUNDING_SHEET, ref, rate)
            changes.append(
                f"{FUNDING_SHEET}!{ref} {FUNDING_LABEL}: {_plain(old)} -> {_plain(rate)} ({key}, current "
                f"rate, next funding {when})"
            )
    if dry_run:
        return LiveReport(path, None, changes)
    return LiveReport(path, _finish(pkg, path, backup), changes)


def update_holdings(
    book: str | Path,
    holdings: list[list[Any]] | None,
    account_size: float | None,
    *,
    backup: str | Path | None = None,
    dry_run: bool = False,
) -> LiveReport:
    """Replace the Holdings table (header Holding, Asset, Contract, Contracts, Price) and set
    every ``Account size`` input of :data:`ACCOUNT_SHEETS` to ``account_size``."""
    path, pkg = _open_book(book)
    changes: list[str] = []
    if holdings is not None:
        old_rows = _table_values_named(path, "Holdings")
        _rewrite_table(pkg, "Holdings", holdings, changes, "")
        # the typed columns only: the calculated ones (exposures, betas) follow the rows
        typed = [i for i, h in enumerate(old_rows[0]) if h in holdings[0]]
        rows = [
            "  was: " + " | ".join(_plain(row[i]) for i in typed if i < len(row))
            for row in old_rows[1:]
        ]
        rows += ["  now: " + " | ".join(_plain(v) for v in row) for row in holdings[1:]]
        changes[1:1] = rows  # under the table's line, before the formulas that follow it
    if account_size is not None:
        for sheet in ACCOUNT_SHEETS:
            for ref, old in _label_cells(path, sheet, ACCOUNT_LABEL):
                _set_cell(pkg, sheet, ref, account_size)
                changes.append(
                    f"{sheet}!{ref} {ACCOUNT_LABEL}: {_plain(old)} -> {_plain(account_size)}"
                )
    if dry_run:
        return LiveReport(path, None, changes)
    return LiveReport(path, _finish(pkg, path, backup), changes)


def unsigned_exposure(book: str | Path) -> bool:
    """True when the book values its holdings with MF_NOTIONAL (a template before signed
    exposures): that counts a short as long, and an inverse contract in coin."""
    _, pkg = _open_book(book)
    for part in pkg.sheets.values():
        for f in re.findall(r"<f\b[^>]*>(.*?)</f>", pkg.text(part), re.S):
            if re.search(r"MF_NOTIONAL\(\s*Holdings\[", _unescape(f)):
                return True
    return False


def _plain(value: Any) -> str:
    """A cell value for a message: 0.0000792, not 7.92e-05; 15251, not 15251.0."""
    from ..cli_args import csv_value

    return csv_value(value) if value is not None else "(blank)"


def _table_values_named(path: Path, table: str) -> list[list[Any]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    for ws in wb.worksheets:
        if table in ws.tables:
            return [[c.value for c in row] for row in ws[ws.tables[table].ref]]
    raise MicrosizeError(f"the workbook has no table named {table}: is it a microsize workbook?")
