"""Building the template: every sheet, the VBA project, the pinned environment."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import tempfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from .._contracts import (
    load_bundled_margin_tiers,
    load_bundled_specs,
)
from .._errors import MicrosizeError
from ._book import PCT_FORMAT, SHEETS, WORKBOOK_NAME, Book
from ._common import print_setup, unprotect_sheets_with_tables
from .hedge import hedge_sheet
from .ladder import ladder_sheet
from .margin import margin_sheet
from .planner import planner_sheet
from .portfolio import portfolio_sheet, prices_sheet
from .reference import (
    CONTRACT_KEYS,
    changes_sheet,
    conf_sheet,
    specs_sheet,
    tier_rows,
    tiers_sheet,
)
from .sizing import sizing_sheet
from .start import start_sheet

XLWINGS_VBA_VERSION = "0.37.8"


def xlwings_vba_project() -> bytes:
    """``vbaProject.bin`` of xlwings 0.37.8's standalone quickstart workbook, byte for byte.

    It embeds the xlwings VBA module (ImportPythonUDFs, the settings reader, the call into
    ``xlwings64-0.37.8.dll``). It is vendored under ``data/`` (BSD-3, licence alongside) so
    that the template is the same whatever xlwings version builds it; on Windows the
    package pins xlwings to the same version, which the DLL name requires.
    """
    name = f"xlwings-{XLWINGS_VBA_VERSION}-standalone-vbaProject.bin"
    return resources.files("microsize").joinpath("data").joinpath(name).read_bytes()


def template_date() -> dt.date:
    """The date the template is computed for: the newest as-of date in the bundled table.

    Staleness warnings in the cached results are measured from it, not from the day the
    builder runs, so the same data always gives the same file.
    """
    dates = [
        dt.date.fromisoformat(str(s.as_of)) for s in load_bundled_specs().filter(None) if s.as_of
    ]
    return max(dates)


@contextlib.contextmanager
def _pinned_environment() -> Iterator[None]:
    """Compute cached values from the bundled tables only, at :func:`template_date`, with
    the default staleness limit, whatever the user's ~/.microsize and environment hold."""
    from .. import clock, refresh
    from .._contracts import HOME_ENV, MAX_AGE_ENV

    saved_today = clock.today
    saved_env = {k: os.environ.get(k) for k in (HOME_ENV, MAX_AGE_ENV)}
    day = template_date()
    with tempfile.TemporaryDirectory() as empty_home:
        os.environ[HOME_ENV] = empty_home
        os.environ.pop(MAX_AGE_ENV, None)
        clock.today = lambda: day
        refresh.reload_tables()
        try:
            yield
        finally:
            clock.today = saved_today
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            refresh.reload_tables()


def build_workbook_bytes() -> bytes:
    """The template as bytes: the same bundled data always gives the same bytes."""
    with _pinned_environment():
        return _build()


def _build() -> bytes:
    specs_rows = load_bundled_specs().rows()
    buf = io.BytesIO()
    book = Book(buf, specs_rows)
    book.fmt["spec_pct"] = book.wb.add_format({"num_format": PCT_FORMAT})
    book.wb.add_vba_project(io.BytesIO(xlwings_vba_project()), is_stream=True)
    book.wb.set_vba_name("ThisWorkbook")
    book.add_sheets(SHEETS)
    keys_ref = f"={CONTRACT_KEYS}"  # the Specs table's key column, however long
    start_sheet(book, specs_rows)
    sizing_sheet(book, keys_ref)
    ladder_sheet(book, keys_ref)
    planner_sheet(book, keys_ref)
    hedge_sheet(book, keys_ref)
    prices = prices_sheet(book)
    portfolio_sheet(book, prices, keys_ref)
    margin_sheet(book, keys_ref)
    specs_sheet(book, specs_rows)
    tiers_sheet(book, tier_rows(load_bundled_margin_tiers()))
    changes_sheet(book)
    conf_sheet(book)
    unprotect_sheets_with_tables(book)
    book.singular_contracts()
    print_setup(book)
    book.sheets["Start"].activate()
    book.wb.close()
    return buf.getvalue()


def build_workbook(path: str | Path = WORKBOOK_NAME) -> Path:
    """Write the template workbook to ``path`` (a ``.xlsm``) and return the path."""
    out = Path(path)
    if out.suffix.lower() != ".xlsm":
        raise MicrosizeError(
            f"path must end in .xlsm: the workbook carries macros (got {str(path)!r})"
        )
    if not out.parent.is_dir():
        raise MicrosizeError(
            f"folder {str(out.parent)[:60]!r} does not exist: create it first, or pick another "
            "path for the workbook"
        )
    from ..outfiles import write_atomic

    return write_atomic(out, build_workbook_bytes())  # whole or not at all


#: How the Start sheet's list of venues begins; ``update-specs`` finds the cell by it.
