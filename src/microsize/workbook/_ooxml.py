"""The parts of a workbook file, read and rewritten as XML: the package, its sheets and
tables by name, cells written in place (keeping every other byte), backups and the
recalculate-on-load flag. Shared by ``update-specs`` and the live updates."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._errors import MicrosizeError
from ._book import cell_name, parse_ref

NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


class Formula(str):
    """A cell formula (without ``=``) to write as such, with its own style."""

    style: str | None = None


def formula_cell(text: str, style: str | None) -> Formula:
    f = Formula(text)
    f.style = style
    return f


def cell_xml(ref: str, value: Any, style: str | None) -> str:
    if isinstance(value, Formula):
        style = value.style or style
        s = f' s="{style}"' if style else ""
        return f'<c r="{ref}"{s}><f>{xml_escape(str(value))}</f></c>'
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{xml_escape(str(value))}</t></is></c>'


ROW_RE = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)


CELL_RE = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)


def replace_block(
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
    for rm in ROW_RE.finditer(m.group(1) or ""):
        attrs = rm.group(1)
        rnum = int(re.search(r'\br="(\d+)"', attrs).group(1))  # type: ignore[union-attr]
        old_rows[rnum] = (attrs, CELL_RE.findall(rm.group(2) or ""))
    in_block = range(first_col, first_col + clear_cols)
    styles: dict[tuple[bool, int], str] = {}
    kept: dict[int, list[tuple[int, str]]] = {}
    for rnum, (_attrs, cells) in old_rows.items():
        for cell in cells:
            ref = re.search(r'\br="([A-Z]+\d+)"', cell).group(1)  # type: ignore[union-attr]
            r, c = parse_ref(ref)
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
            xml = cell_xml(cell_name(i, col), v, styles.get((i == 0, col)))
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


def with_table_columns(xml: str, cols: str, n: int) -> str:
    """A table part with its ``<tableColumns>`` replaced by ``n`` columns ``cols`` (XML)."""
    return re.sub(
        r"<tableColumns\b.*?</tableColumns>",
        f'<tableColumns count="{n}">{cols}</tableColumns>',
        xml,
        count=1,
        flags=re.S,
    )


def table_xml(xml: str, header: Sequence[str], n_rows: int) -> str:
    last = cell_name(n_rows, len(header) - 1)
    xml = re.sub(r'(<table\b[^>]*?\sref=")[^"]*(")', rf"\g<1>A1:{last}\g<2>", xml, count=1)
    xml = re.sub(r'(<autoFilter\b[^>]*?\sref=")[^"]*(")', rf"\g<1>A1:{last}\g<2>", xml, count=1)
    cols = "".join(
        f'<tableColumn id="{i + 1}" name="{xml_escape(h)}"/>' for i, h in enumerate(header)
    )
    return with_table_columns(xml, cols, len(header))


class Package:
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
                self.sheets[unescape(name.group(1))] = part

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


def unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def table_values(path: Path, sheet: str) -> list[list[Any]]:
    """The values of a sheet's table region, read with openpyxl (header row first)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    ws = wb[sheet]
    table = next(iter(ws.tables.values()))
    cells = ws[table.ref]
    return [[c.value for c in row] for row in cells]


def write_new_file(path: Path, data: bytes, like: Path | None = None) -> bool:
    """Write ``data`` to ``path`` only if no file is there (atomic check); False if one is.
    With ``like`` (the book a backup copies) it takes that file's permissions."""
    from ..outfiles import write_new

    return write_new(path, data, like=like)


def next_backup(book: Path, data: bytes) -> Path:
    """Write ``data`` to the first free name of BOOK.bak.xlsm, BOOK.bak-2.xlsm, ...

    An existing backup is never overwritten, so the file as it was before the first update
    survives any number of runs.
    """
    n = 1
    while True:
        tag = ".bak" if n == 1 else f".bak-{n}"
        candidate = book.with_name(book.stem + tag + book.suffix)
        if write_new_file(candidate, data, like=book):
            return candidate
        n += 1


def open_book(book: str | Path) -> tuple[Path, Package]:
    path = Path(book)
    if not path.is_file():
        raise MicrosizeError(f"book must be an existing workbook file (got {str(book)[:80]!r})")
    try:
        return path, Package(path)
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, OSError):
        raise MicrosizeError(f"{path.name[:60]} is not an Excel workbook (.xlsm/.xlsx)") from None


def find_table(pkg: Package, name: str) -> tuple[str, str]:
    """(sheet, table part) of the table named ``name``, refused when the book has none."""
    for sheet in pkg.sheets:
        part = pkg.table_part(sheet, name)
        if part is not None:
            return sheet, part
    raise MicrosizeError(f"the workbook has no table named {name}: is it a microsize workbook?")


def table_ref(xml: str) -> tuple[int, int, int, int]:
    """(top, left, bottom, right), zero-based, of a table part's ``ref``."""
    m = re.search(r'<table\b[^>]*?\sref="([A-Z]+\d+):([A-Z]+\d+)"', xml)
    if m is None:
        raise MicrosizeError("a table of the workbook has no range")
    (top, left), (bottom, right) = parse_ref(m.group(1)), parse_ref(m.group(2))
    return top, left, bottom, right


def sheet_cells(xml: str) -> dict[tuple[int, int], str]:
    """Every cell element of a sheet by (row, col), zero-based."""
    out: dict[tuple[int, int], str] = {}
    for cell in CELL_RE.findall(xml):
        ref = re.search(r'\br="([A-Z]+\d+)"', cell)
        if ref is not None:
            out[parse_ref(ref.group(1))] = cell
    return out


def merged_ranges(xml: str) -> list[tuple[int, int, int, int]]:
    out = []
    for a, b in re.findall(r'<mergeCell\b[^>]*\sref="([A-Z]+\d+):([A-Z]+\d+)"', xml):
        (r0, c0), (r1, c1) = parse_ref(a), parse_ref(b)
        out.append((r0, c0, r1, c1))
    return out


def label_cells(path: Path, sheet: str, label: str) -> list[tuple[str, Any]]:
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


def set_cell(pkg: Package, sheet: str, ref: str, value: Any) -> None:
    """Write one value into an existing sheet cell, keeping its style."""
    part = pkg.sheets[sheet]
    xml = pkg.text(part)
    r, c = parse_ref(ref)
    cell = sheet_cells(xml).get((r, c))
    if cell is None:
        raise MicrosizeError(f"{sheet}!{ref} is not a cell of the workbook")
    style = re.search(r'\bs="(\d+)"', cell)
    new = cell_xml(ref, value, style.group(1) if style else None)
    pkg.parts[part] = xml.replace(cell, new, 1).encode("utf-8")


def make_backup(path: Path, backup: str | Path | None) -> Path:
    """The book as it is, copied to ``backup`` (never over a file, never the book itself)
    or to the next free ``NAME.bak.xlsm``-style name; its path."""
    original = path.read_bytes()
    if backup:
        backup_path = Path(backup)
        if backup_path.resolve() == path.resolve():
            raise MicrosizeError(f"backup must differ from the book (got {str(backup)[:80]!r})")
        if not write_new_file(backup_path, original, like=path):
            raise MicrosizeError(
                f"backup {str(backup)[:80]!r} exists: a backup is never overwritten, pick a new name"
            )
        return backup_path
    return next_backup(path, original)


def recalc_on_load(pkg: Package) -> None:
    """Ask the application to recalculate the book when it opens (fullCalcOnLoad)."""
    wbxml = pkg.text("xl/workbook.xml")
    if "<calcPr" in wbxml:
        if "fullCalcOnLoad" not in wbxml:
            wbxml = wbxml.replace("<calcPr", '<calcPr fullCalcOnLoad="1"', 1)
    else:
        wbxml = wbxml.replace("</workbook>", '<calcPr fullCalcOnLoad="1"/></workbook>')
    pkg.parts["xl/workbook.xml"] = wbxml.encode("utf-8")


def finish(pkg: Package, path: Path, backup: str | Path | None) -> Path:
    """The backup (as update-specs makes it), the recalculation flag, the book written."""
    backup_path = make_backup(path, backup)
    recalc_on_load(pkg)
    pkg.write(path)
    return backup_path


def plain_value(value: Any) -> str:
    """A cell value for a message: 0.0000792, not 7.92e-05; 15251, not 15251.0."""
    from ..cli_args import csv_value

    return csv_value(value) if value is not None else "(blank)"


def table_values_named(path: Path, table: str) -> list[list[Any]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    for ws in wb.worksheets:
        if table in ws.tables:
            return [[c.value for c in row] for row in ws[ws.tables[table].ref]]
    raise MicrosizeError(f"the workbook has no table named {table}: is it a microsize workbook?")
