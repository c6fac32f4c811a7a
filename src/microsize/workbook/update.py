"""``update-specs``, ``update-prices`` and ``update-holdings``: rewrite a workbook's tables
in place and keep everything else (the XML work is in ``_ooxml`` and ``_grow``)."""

from __future__ import annotations

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
from ._book import LIST_ROWS, SPECS_TABLE
from ._grow import (
    check_price_columns,
    follow_returns,
    keep_positions,
    retable,
    rewrite_table,
    with_calculated_columns,
)
from ._ooxml import (
    CELL_RE,
    Package,
    cell_xml,
    find_table,
    finish,
    formula_cell,
    label_cells,
    make_backup,
    open_book,
    plain_value,
    recalc_on_load,
    replace_block,
    set_cell,
    table_ref,
    table_values,
    table_values_named,
    table_xml,
    unescape,
)
from .reference import tier_rows
from .start import VENUES_LEAD, text_height, venue_summary

__all__ = [
    "ACCOUNT_LABEL",
    "ACCOUNT_SHEETS",
    "FUNDING_CONTRACT",
    "FUNDING_LABEL",
    "FUNDING_SHEET",
    "SAMPLE_NOTE",
    "LiveReport",
    "UpdateReport",
    "check_price_columns",
    "unsigned_exposure",
    "update_holdings",
    "update_prices",
    "update_specs",
]


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


def _patch_venues(pkg: Package, specs_rows: Sequence[Sequence[Any]]) -> bool:
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
            plain = unescape("".join(re.findall(r"<t\b[^>]*>(.*?)</t>", item, re.S)))
            if plain.startswith(VENUES_LEAD):
                index = i
                break
    text = venue_summary(specs_rows)
    for m in CELL_RE.finditer(xml):
        cell = m.group(0)
        shared = index is not None and 't="s"' in cell and f"<v>{index}</v>" in cell
        inline = 't="inlineStr"' in cell and f">{VENUES_LEAD}" in cell
        if not (shared or inline):
            continue
        ref = re.search(r'\br="([A-Z]+)(\d+)"', cell)
        style = re.search(r'\bs="(\d+)"', cell)
        assert ref is not None
        new = cell_xml(ref.group(1) + ref.group(2), text, style.group(1) if style else None)
        xml = xml[: m.start()] + new + xml[m.end() :]
        row = re.search(rf'<row\b[^>]*\br="{ref.group(2)}"[^>]*>', xml)
        if row is not None and ' ht="' in row.group(0):
            tag = re.sub(r'\bht="[^"]*"', f'ht="{text_height(text):g}"', row.group(0))
            xml = xml[: row.start()] + tag + xml[row.end() :]
        pkg.parts[part] = xml.encode("utf-8")
        return True
    return False


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
        pkg = Package(path)
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

    old_rows = table_values(path, "Specs")
    try:
        old_table: SpecTable | None = SpecTable.from_rows(
            old_rows, origin=f"{path.name} sheet Specs"
        )
    except MicrosizeError as exc:  # a broken table is what an update repairs; say so
        old_table, broken = None, str(exc)
    old_tiers = tiers_from_rows(table_values(path, "Tiers"), origin=f"{path.name} sheet Tiers")
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

    backup_path = make_backup(path, backup)

    def patch(
        sheet: str, rows: list[list[Any]], clear_cols: int, clear_rows: int, first_col: int = 0
    ) -> None:
        part = pkg.sheets[sheet]
        xml = replace_block(pkg.text(part), first_col, rows, clear_cols, clear_rows)
        pkg.parts[part] = xml.encode("utf-8")

    specs_xml, specs_txml = pkg.text(pkg.sheets["Specs"]), pkg.text(specs_part)
    # the table's calculated columns (its key column, which the contract dropdowns list)
    # after the new rows, each row with the column's formula
    written, calculated = with_calculated_columns(
        specs_xml,
        specs_txml,
        table_ref(specs_txml),
        [[None if v is None else v for v in r] for r in new_rows],
        [],
        SPECS_TABLE,
    )
    patch("Specs", written, max(len(written[0]), len(old_header)), len(old_rows))
    pkg.parts[specs_part] = retable(
        specs_txml, 0, 0, [str(h) for h in written[0]], len(written) - 1, calculated
    ).encode()
    old_tier_len = len(old_tiers) + 1
    patch("Tiers", tier_rows_new, len(TIER_COLUMNS), old_tier_len)
    pkg.parts[tiers_part] = table_xml(
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
    recalc_on_load(pkg)
    pkg.write(path)
    return UpdateReport(
        path, backup_path, spec_diff, tier_diff, [f"{r[0]}:{r[1]}" for r in user_rows]
    )


_LIST_SOURCE_RE = re.compile(r"(<formula1>Lists!\$A\$2:\$A\$)(\d+)(</formula1>)")


def _follow_lists(pkg: Package, keys: Sequence[str]) -> None:
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
                formula_cell(
                    f'IFERROR(INDEX({SPECS_TABLE}[exchange],{i})&":"&INDEX({SPECS_TABLE}[symbol],{i}),"")',
                    None,
                )
            ]
            for i in range(1, rows)
        ]
    else:
        body += [[k] for k in keys]
    pkg.parts[part] = replace_block(xml, 0, body, 1, rows).encode("utf-8")
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


#: The first sentence of the template's note beside its sample prices.
SAMPLE_NOTE = "Illustrative weekly closes, made up for this example, oldest first."


def _replace_sample_note(
    pkg: Package, path: Path, sheet: str, note: str, changes: list[str]
) -> None:
    """The note that calls the prices made up now says where they come from."""
    import openpyxl

    ws = openpyxl.load_workbook(path, data_only=False)[sheet]
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith(SAMPLE_NOTE):
                set_cell(pkg, sheet, c.coordinate, note + c.value[len(SAMPLE_NOTE) :])
                changes.append(f"{sheet}!{c.coordinate} note: {note}")
                return


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
    path, pkg = open_book(book)
    changes: list[str] = []
    prices = keep_positions(table_values_named(path, "Prices")[0], prices)
    rewrite_table(pkg, "Prices", prices, changes, source)
    sheet, tpart = find_table(pkg, "Prices")
    follow_returns(pkg, sheet, table_ref(pkg.text(tpart))[0], len(prices) - 1, changes)
    if note is not None:
        _replace_sample_note(pkg, path, sheet, note, changes)
    if bars is not None:
        rewrite_table(pkg, "Bars", bars, changes, "")
    if funding is not None:
        key, rate, when = funding
        contract = label_cells(path, FUNDING_SHEET, FUNDING_CONTRACT)
        cells = label_cells(path, FUNDING_SHEET, FUNDING_LABEL)
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
            set_cell(pkg, FUNDING_SHEET, ref, rate)
            changes.append(
                f"{FUNDING_SHEET}!{ref} {FUNDING_LABEL}: {plain_value(old)} -> {plain_value(rate)} ({key}, current "
                f"rate, next funding {when})"
            )
    if dry_run:
        return LiveReport(path, None, changes)
    return LiveReport(path, finish(pkg, path, backup), changes)


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
    path, pkg = open_book(book)
    changes: list[str] = []
    if holdings is not None:
        old_rows = table_values_named(path, "Holdings")
        rewrite_table(pkg, "Holdings", holdings, changes, "")
        # the typed columns only: the calculated ones (exposures, betas) follow the rows
        typed = [i for i, h in enumerate(old_rows[0]) if h in holdings[0]]
        rows = [
            "  was: " + " | ".join(plain_value(row[i]) for i in typed if i < len(row))
            for row in old_rows[1:]
        ]
        rows += ["  now: " + " | ".join(plain_value(v) for v in row) for row in holdings[1:]]
        changes[1:1] = rows  # under the table's line, before the formulas that follow it
    if account_size is not None:
        for sheet in ACCOUNT_SHEETS:
            for ref, old in label_cells(path, sheet, ACCOUNT_LABEL):
                set_cell(pkg, sheet, ref, account_size)
                changes.append(
                    f"{sheet}!{ref} {ACCOUNT_LABEL}: {plain_value(old)} -> {plain_value(account_size)}"
                )
    if dry_run:
        return LiveReport(path, None, changes)
    return LiveReport(path, finish(pkg, path, backup), changes)


def unsigned_exposure(book: str | Path) -> bool:
    """True when the book values its holdings with MF_NOTIONAL (a template before signed
    exposures): that counts a short as long, and an inverse contract in coin."""
    _, pkg = open_book(book)
    for part in pkg.sheets.values():
        for f in re.findall(r"<f\b[^>]*>(.*?)</f>", pkg.text(part), re.S):
            if re.search(r"MF_NOTIONAL\(\s*Holdings\[", unescape(f)):
                return True
    return False
