"""The tables in use and their caches: the user's table if there is one, else the bundled
one, each parsed once per file version; tables read from a worksheet range, once per
content; and :func:`clear_spec_caches`, the one reset of all of them."""

from __future__ import annotations

import os
from functools import lru_cache
from itertools import chain
from typing import Any

from . import _spec_home as home
from ._errors import MicrosizeError
from ._inputs import describe, is_missing
from ._spec_home import SPECS_FILE, TIERS_FILE, file_stamp, read_user_table, user_file
from ._spec_table import SpecTable
from ._spec_types import MarginTier
from ._tier_rows import TierTable, tiers_from_rows

__all__ = [
    "clear_spec_caches",
    "forget_answers",
    "load_bundled_margin_tiers",
    "load_bundled_specs",
    "load_margin_tiers",
    "load_specs",
    "range_cell_types",
    "spec_field",
    "spec_table_of_cells",
    "spec_table_seen",
    "tier_table",
]


@lru_cache(maxsize=4)
def _specs_from(stamp: tuple[str, int, int] | None) -> SpecTable:
    if stamp is None:
        return SpecTable.of_trusted_rows(
            home.parse_csv(home.bundled_text(SPECS_FILE)), origin=f"bundled {SPECS_FILE}"
        )
    return SpecTable.from_rows(read_user_table(stamp), origin=f"user table {stamp[0]}")


#: where each user table is, by the environment variables that decide it (os.path.expanduser
#: reads HOME, or USERPROFILE / HOMEDRIVE + HOMEPATH on Windows): one stat a call remains
_PATHS: dict[tuple[str | None, ...], str] = {}
_PATH_VARS = (
    (home.HOME_ENV, "HOME")
    if os.name == "posix"
    else (home.HOME_ENV, "HOME", "USERPROFILE", "HOMEDRIVE", "HOMEPATH")
)


def _user_table(name: str, where: str | os.PathLike[str] | None) -> str:
    """:func:`~microsize._spec_home.user_file`, worked out once per environment."""
    if where is not None:
        return user_file(name, where)
    env = os.environ
    key = (name, *(env.get(v) for v in _PATH_VARS))
    path = _PATHS.get(key)
    if path is None:
        if len(_PATHS) > 64:
            _PATHS.clear()
        path = _PATHS[key] = user_file(name, None)
    return path


def load_specs(*, bundled: bool = False, home: str | os.PathLike[str] | None = None) -> SpecTable:
    """The contract table: the user's table if there is one, else the bundled one.

    The user table is ``contract_specs.csv`` in ``$MICROSIZE_HOME`` (default
    ``~/.microsize``), written by ``microsize specs refresh --apply`` or by hand; it is
    validated like any other table and a malformed one raises an error naming the file,
    the row and the field (it is never silently skipped). ``bundled=True`` always returns
    the table shipped in the package (read with importlib.resources); ``home`` reads the
    user table of another directory. Tables are parsed once and cached; a changed user
    file is read again. ``SpecTable.origin`` says which table it is.

    Parameters
    ----------
    bundled : bool, default False
        The table shipped in the package, whatever the user has.
    home : str or path, optional
        Read the user table of this directory instead of :func:`user_home`.

    Examples
    --------
    >>> load_specs(bundled=True)["cme:MBT"].contract_size
    0.1
    >>> load_specs(bundled=True).origin
    'bundled contract_specs.csv'
    """
    if bundled:
        return _specs_from(None)
    return _specs_from(file_stamp(_user_table(SPECS_FILE, home)))


def load_bundled_specs() -> SpecTable:
    """The table shipped in the package, whatever the user has (deterministic builds).

    >>> len(load_bundled_specs()) >= 29
    True
    """
    return load_specs(bundled=True)


@lru_cache(maxsize=4)
def _tier_table_from(stamp: tuple[str, int, int] | None) -> TierTable:
    if stamp is None:
        return TierTable.of_trusted_rows(
            home.parse_csv(home.bundled_text(TIERS_FILE)), f"bundled {TIERS_FILE}"
        )
    return TierTable.of_rows(tiers_from_rows(read_user_table(stamp), f"user table {stamp[0]}"))


def tier_table(*, bundled: bool = False, home: str | os.PathLike[str] | None = None) -> TierTable:
    """The margin-tier table in use (the user's if there is one, else the bundled one),
    parsed once per file version and cached until :func:`clear_spec_caches`.

    >>> tier_table(bundled=True).of("BINANCE:btcusdt")[1].mmr
    0.005
    """
    if bundled:
        return _tier_table_from(None)
    return _tier_table_from(file_stamp(_user_table(TIERS_FILE, home)))


def load_margin_tiers(
    *, bundled: bool = False, home: str | os.PathLike[str] | None = None
) -> tuple[MarginTier, ...]:
    """The maintenance-margin brackets: the user's ``margin_tiers.csv`` in
    ``$MICROSIZE_HOME`` if there is one, else the bundled table; validated (tiers
    contiguous per contract), cached, a malformed user table is an error naming the file.

    Parameters
    ----------
    bundled : bool, default False
        The brackets shipped in the package, whatever the user has.
    home : str or path, optional
        Read the user table of this directory instead of :func:`user_home`.

    Examples
    --------
    >>> load_margin_tiers(bundled=True)[0].key
    'binance:BTCUSDT'
    """
    return tier_table(bundled=bundled, home=home).rows


def load_bundled_margin_tiers() -> tuple[MarginTier, ...]:
    """The brackets shipped in the package, whatever the user has."""
    return load_margin_tiers(bundled=True)


#: tables read from a range (a worksheet's Specs table), by content: a workbook passes the
#: same range to every formula, and reading it once per recalculation is enough
_TABLE_CACHE: dict[Any, SpecTable] = {}
#: cells whose kind alone tells them apart (1 == 1.0 == True: those are keyed by type too)
_PLAIN_CELLS = frozenset({float, str, type(None)})
#: the last range of tuples asked about, its cell types and whether its rows are all
#: tuples: the MF_ boundary's check and the table cache both ask, once per formula (a
#: tuple of tuples cannot change)
_LAST_TYPES: list[Any] = [None, None, False]


def _range_types(rows: Any) -> tuple[frozenset[type] | None, bool]:
    """(the types of the cells of a 2-D range given as rows, whether it is a tuple of
    tuples); (None, False) when ``rows`` is not a list or tuple of lists or tuples."""
    if _LAST_TYPES[0] is rows:
        return _LAST_TYPES[1], _LAST_TYPES[2]
    if type(rows) not in (list, tuple):
        return None, False
    row_types = set(map(type, rows))
    if not row_types <= {list, tuple}:
        return None, False
    types = frozenset(map(type, chain.from_iterable(rows)))
    tuples = type(rows) is tuple and row_types == {tuple}
    if tuples:
        _LAST_TYPES[:] = [rows, types, tuples]  # immutable: the answer stays true
    return types, tuples


def range_cell_types(rows: Any) -> frozenset[type] | None:
    """The types of the cells of a 2-D range given as rows (lists or tuples), read in one
    pass; None when ``rows`` is not a list or tuple of rows."""
    return _range_types(rows)[0]


def _cells_key(rows: Any) -> Any:
    """The content of a range as a dict key that tells apart every two ranges the
    validator could read differently (TRUE from 1, 1 from 1.0 by their types); None when
    the rows are not rows. (A cell that cannot be a key makes the key unhashable.)"""
    types, tuples = _range_types(rows)
    try:
        # LibreOffice hands a range over as tuples: the key without a copy
        content = rows if tuples else tuple(tuple(r) for r in rows)
    except TypeError:
        return None
    if types is not None and types <= _PLAIN_CELLS:
        return content
    return (content, tuple(map(type, chain.from_iterable(content))))


def _cached(key: Any) -> SpecTable | None:
    try:
        return _TABLE_CACHE.get(key)
    except TypeError:  # an unhashable cell
        return None


def spec_table_of_cells(rows: Any) -> SpecTable:
    """:meth:`SpecTable.from_rows` of a range's rows, kept by content (at most 33 tables;
    rows of unhashable cells are read every time)."""
    key = _cells_key(rows)
    table = None if key is None else _cached(key)
    if table is None:
        table = SpecTable.from_rows(rows)
        try:
            hash(key)
        except TypeError:
            return table
        if key is not None:
            if len(_TABLE_CACHE) > 32:
                _TABLE_CACHE.clear()
            _TABLE_CACHE[key] = table
    return table


def spec_table_seen(rows: Any) -> SpecTable | None:
    """The table already read from a range of this content, else None (nothing is read)."""
    key = _cells_key(rows)
    return None if key is None else _cached(key)


def spec_field(contract: Any, field: Any, specs: SpecTable | None = None) -> Any:
    """One field of a contract's spec (MF_SPEC): ``specs`` or the table in use.

    >>> spec_field("cme:MBT", "contract_size")
    0.1
    """
    table = specs or load_specs()
    spec = table.lookup(contract)
    if is_missing(field) or not isinstance(field, str):
        raise MicrosizeError(f"field must be a field name such as lot_step (got {describe(field)})")
    value = spec.get(field)
    if value is None or value == "":
        raise MicrosizeError(f"{spec.key} has no {field.strip().lower()} in the spec table")
    return value


def forget_answers() -> None:
    """Forget what the tables in use remember (resolved contracts, the planner's rows)
    and keep the tables: benchmarks time computing those answers."""
    for table in (load_specs(), *_TABLE_CACHE.values()):
        table.resolved.clear()
        table.memo.clear()


def clear_spec_caches() -> None:
    """Forget every parsed spec and tier table, and everything derived from them (the
    one reset: tests, and after writing a user table). A changed user file is read again
    without it; this also forgets tables whose file was replaced within the same
    timestamp tick."""
    _specs_from.cache_clear()
    _tier_table_from.cache_clear()
    _TABLE_CACHE.clear()
    _LAST_TYPES[:] = [None, None, False]
