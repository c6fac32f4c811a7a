"""The template workbook: built from the bundled data, deterministically, with XlsxWriter.

``build_workbook(path)`` writes ``microsize.xlsm``: a first sheet that explains what to do,
worked sheets (Sizing, Ladder, Planner, Hedge, Portfolio with its Prices, Margin) driven by
MF_ formulas, the exchange multiplier table (Specs, an Excel Table) and the margin Tiers,
the ``xlwings.conf`` sheet (``UDF Modules`` = ``microsize.udfs``) and the VBA project of
xlwings' standalone quickstart workbook, byte for byte.

Every MF_ formula is stored as a dynamic-array formula (so Excel never inserts an
implicit ``@``) and carries the value our own functions compute for it, so any reader
shows real numbers before Excel recalculates. Every formula that takes a contract passes
the workbook's own ``Specs[[#All]]``, so edits to the Specs table take effect; everything
that grows (prices, holdings, planned trades) is an Excel Table read through its columns.

Layout: ``_book`` (cell model, styles, the formula writer), ``_common`` (validations and
input blocks), one module per sheet, ``build`` (the whole template) ``update`` (``update-specs``,
``update-prices``, ``update-holdings``) over ``_ooxml`` and ``_grow``. This package sits at the edge (it writes files); the core never
imports it.
"""

from __future__ import annotations

from ._book import (
    LIST_ROWS,
    SHEETS,
    SPECS_REF,
    SPECS_TABLE,
    WORKBOOK_NAME,
    FormulaCell,
    Ref,
    cell_name,
)
from ._data import HULL_TABLE_3_2, SAMPLE_PRICES, hull_prices
from .build import (
    XLWINGS_VBA_VERSION,
    build_workbook,
    build_workbook_bytes,
    template_date,
    xlwings_vba_project,
)
from .reference import tier_rows
from .start import START_TEXT, VENUES_LEAD, venue_summary
from .update import UpdateReport, update_specs

__all__ = [
    "HULL_TABLE_3_2",
    "LIST_ROWS",
    "SAMPLE_PRICES",
    "SHEETS",
    "SPECS_REF",
    "SPECS_TABLE",
    "START_TEXT",
    "VENUES_LEAD",
    "WORKBOOK_NAME",
    "XLWINGS_VBA_VERSION",
    "FormulaCell",
    "Ref",
    "UpdateReport",
    "build_workbook",
    "build_workbook_bytes",
    "cell_name",
    "hull_prices",
    "template_date",
    "tier_rows",
    "update_specs",
    "venue_summary",
    "xlwings_vba_project",
]
