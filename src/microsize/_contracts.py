"""Contract specifications: the bundled exchange table, user tables, and key resolution.

The vocabulary follows ccxt's market structure: ``kind`` is linear, inverse or quanto;
``contract_size`` is the value of one unit of the venue's order quantity (underlying units
for linear, quote units for inverse, settlement units per quote point for quanto);
``lot_step`` and ``tick_size`` are step sizes; unknown values are ``None``.

One loader validates every table, bundled or typed by a user into a workbook, so Excel
and Python never disagree about what a key means.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt

from ._errors import MicrosizeError
from ._inputs import clip, describe, is_missing, position
from ._spec_types import _FIELD_NAMES as _FIELD_NAMES
from ._spec_types import _NUMERIC as _NUMERIC
from ._spec_types import _REQUIRED as _REQUIRED

# the vocabulary lives in _spec_types; re-exported here, where code has always found it
from ._spec_types import KIND_CODE as KIND_CODE
from ._spec_types import KINDS as KINDS
from ._spec_types import MAX_CONTRACT_SIZE as MAX_CONTRACT_SIZE
from ._spec_types import MIN_CONTRACT_SIZE as MIN_CONTRACT_SIZE
from ._spec_types import SPEC_COLUMNS as SPEC_COLUMNS
from ._spec_types import TIER_COLUMNS as TIER_COLUMNS
from ._spec_types import ContractSpec as ContractSpec
from ._spec_types import MarginTier as MarginTier
from ._spec_types import _num as _num
from ._spec_types import _text as _text

if TYPE_CHECKING:  # pathlib is imported by the functions that return a Path (start-up time)
    from pathlib import Path

#: A ``contract`` argument: a key ``exchange:symbol``, a positive number (a linear contract
#: of that many units), or a range of either.
ContractLike: TypeAlias = npt.ArrayLike

__all__ = [
    "DEFAULT_MAX_SPEC_AGE_DAYS",
    "HOME_ENV",
    "KINDS",
    "MAX_AGE_ENV",
    "SPEC_COLUMNS",
    "TIER_COLUMNS",
    "ContractArrays",
    "ContractLike",
    "ContractSpec",
    "MarginTier",
    "SpecTable",
    "SpecsLike",
    "TierTable",
    "clear_spec_caches",
    "groups",
    "load_bundled_margin_tiers",
    "load_bundled_specs",
    "load_margin_tiers",
    "load_specs",
    "max_spec_age_days",
    "order_unit",
    "resolve_contracts",
    "spec_age_days",
    "spec_field",
    "spec_table_of_cells",
    "stale_warning",
    "tier_from_cells",
    "tier_table",
    "tiers_from_rows",
    "user_home",
    "user_specs_path",
    "user_tiers_path",
]


class SpecTable(Mapping[str, ContractSpec]):
    """Validated contract specs keyed by lower-case ``exchange:symbol``.

    Build one with :meth:`from_rows` (a header row then data rows, as an Excel range
    arrives) or use :func:`load_specs` for the bundled table.
    """

    def __init__(self, specs: Iterable[ContractSpec], origin: str = "specs") -> None:
        # a spec, or (record, where) of a row validated on first use (the bundled table)
        self._specs: dict[str, ContractSpec | tuple[dict[str, Any], str]] = {}
        self.origin = origin
        for spec in specs:
            self._add(spec.key, spec)

    def _add(self, key: str, entry: ContractSpec | tuple[dict[str, Any], str]) -> None:
        k = key.lower()
        if k in self._specs:
            raise MicrosizeError(f"{self.origin}: duplicate key {clip(key)}")
        self._specs[k] = entry

    def _get(self, k: str) -> ContractSpec:
        entry = self._specs[k]
        if isinstance(entry, tuple):  # validated now, once
            entry = _spec_from_record(*entry)
            self._specs[k] = entry
        return entry

    def _all(self) -> list[ContractSpec]:
        return [self._get(k) for k in self._specs]

    def __getitem__(self, key: str) -> ContractSpec:
        return self._get(key.strip().lower())

    def __iter__(self) -> Any:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    @property
    def exchanges(self) -> list[str]:
        """Exchange names in table order, without repeats."""
        return list(dict.fromkeys(s.exchange for s in self._all()))

    def lookup(self, key: Any, name: str = "contract") -> ContractSpec:
        """Resolve a key or a positive number to a spec, or raise with suggestions."""
        if isinstance(key, int | float | np.integer | np.floating) and not isinstance(
            key, bool | np.bool_
        ):
            size = float(key)
            if not math.isfinite(size) or size <= 0:
                raise MicrosizeError(
                    f"{name} must be a key like cme:MBT or a positive contract size "
                    f"(got {describe(size)})"
                )
            if not MIN_CONTRACT_SIZE <= size <= MAX_CONTRACT_SIZE:
                raise MicrosizeError(
                    f"{name} size {describe(size)} is outside 1e-12 to 1e12 units: "
                    "type the contract's size, or a key like cme:MBT"
                )
            return ContractSpec.numeric(size)
        if is_missing(key):
            raise MicrosizeError(f"{name} is empty: type a key like cme:MBT or binance:ETHUSDT")
        if not isinstance(key, str):
            raise MicrosizeError(
                f"{name} must be a key like cme:MBT or a positive number (got {describe(key)})"
            )
        text = key.strip()
        try:
            return self[text]
        except KeyError:
            pass
        try:  # a number typed as text, e.g. '0.001'
            return self.lookup(float(text), name)
        except ValueError:
            pass
        raise MicrosizeError(f"{name}: unknown contract {clip(text)!r}{self._suggest(text)}")

    def _suggest(self, text: str) -> str:
        """A hint after an unknown key, cut short (a table's names can be any length)."""
        return clip(self._hint(text), 100)

    def _hint(self, text: str) -> str:
        low = text.lower()
        keys = [s.key for s in self._all()]
        if ":" not in low:
            same = [s.key for s in self._all() if s.symbol.lower() == low]
            if same:
                return f"; keys are exchange:symbol, did you mean {' or '.join(same)}?"
            hint = "; keys are exchange:symbol, e.g. cme:MBT"
        else:
            ex = low.split(":", 1)[0]
            if ex not in {e.lower() for e in self.exchanges}:
                return f"; exchanges in the table: {', '.join(self.exchanges)}"
            hint = ""
        import difflib  # only when a key is not found

        close = difflib.get_close_matches(low, [k.lower() for k in keys], n=3, cutoff=0.6)
        if close:
            return f"; did you mean {' or '.join(self[c].key for c in close)}?"
        return hint or "; see MF_SPECS() for the keys"

    def filter(self, exchange: str | None) -> list[ContractSpec]:
        """The specs of one exchange (case-insensitive), or all of them."""
        if exchange is None or is_missing(exchange):
            return self._all()
        ex = str(exchange).strip().lower()
        out = [s for s in self._all() if s.exchange.lower() == ex]
        if not out:
            raise MicrosizeError(
                f"exchange must be one of {', '.join(self.exchanges)} (got {describe(exchange)})"
            )
        return out

    def rows(self, exchange: str | None = None) -> list[list[Any]]:
        """Header row plus one row per spec, in :data:`SPEC_COLUMNS` order (None = unknown)."""
        out: list[list[Any]] = [list(SPEC_COLUMNS)]
        for s in self.filter(exchange):
            out.append([getattr(s, c) for c in SPEC_COLUMNS])
        return out

    @classmethod
    def from_rows(cls, rows: Any, origin: str = "specs") -> SpecTable:
        """Validate a table given as a header row followed by data rows.

        Blank rows are skipped; column names are matched case-insensitively; extra columns
        are kept. Every error names the row (1-based, header = row 1) and the field.
        """
        table = cls(
            (_spec_from_record(rec, where) for rec, where in _records(rows, origin)),
            origin=origin,
        )
        if not table:
            raise MicrosizeError(f"{origin} has a header row but no contract rows")
        return table

    @classmethod
    def _of_trusted_rows(cls, rows: Sequence[Sequence[str]], origin: str) -> SpecTable:
        """The bundled table: its keys now, each row validated by the same checks as
        :meth:`from_rows` when first looked up (``microsize size`` needs one row of 76;
        tests validate every row)."""
        table = cls((), origin=origin)
        for rec, where in _records(rows, origin):
            table._add(f"{_text(rec.get('exchange'))}:{_text(rec.get('symbol'))}", (rec, where))
        if not table._specs:
            raise MicrosizeError(f"{origin} has a header row but no contract rows")
        return table


def _records(rows: Any, origin: str) -> Iterator[tuple[dict[str, Any], str]]:
    """(cells by lower-case column name, the row's name in messages) of each non-blank row
    of a spec table given as a header row followed by data rows; the header is checked."""
    if hasattr(rows, "tolist"):
        rows = rows.tolist()
    if not isinstance(rows, Sequence) or isinstance(rows, str) or len(rows) < 2:
        raise MicrosizeError(
            f"{origin} must be a range with a header row and at least one contract row "
            f"(got {describe(rows) if not isinstance(rows, Sequence) else 'too few rows'})"
        )
    header_raw = rows[0]
    if not isinstance(header_raw, Sequence) or isinstance(header_raw, str):
        raise MicrosizeError(f"{origin} must be a 2-D range with a header row")
    header = [(_text(h) or "").lower() for h in header_raw]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise MicrosizeError(
            f"{origin}: header row lacks column(s) {', '.join(missing)} "
            f"(found {clip(', '.join(h for h in header if h) or 'no names', 60)})"
        )
    col = {h: i for i, h in enumerate(header) if h}
    for r, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * (len(header) - len(row))
        if all(is_missing(c) for c in cells):
            continue
        yield {h: cells[i] for h, i in col.items()}, f"{origin} row {r}"


#: A ``specs`` argument: a spec table, rows with a header row (a workbook range), or None
#: for the user's or the bundled table.
SpecsLike: TypeAlias = "SpecTable | Sequence[Sequence[Any]] | None"


# Long on purpose: one row of the spec table: a check per column, in the column order a message names.
def _spec_from_record(rec: Mapping[str, Any], where: str) -> ContractSpec:  # noqa: C901 (one row of the spec table: a check per column, in the column order a message names)
    exchange = _text(rec.get("exchange"))
    symbol = _text(rec.get("symbol"))
    if not exchange:
        raise MicrosizeError(f"{where}, field exchange: is empty")
    if not symbol:
        raise MicrosizeError(f"{where}, field symbol: is empty")
    if ":" in exchange or ":" in symbol:
        raise MicrosizeError(f"{where}: exchange and symbol may not contain ':'")
    label = f"{where} ({clip(f'{exchange}:{symbol}', 30)}), field"
    kind = (_text(rec.get("kind")) or "").lower()
    if kind not in KINDS:
        raise MicrosizeError(
            f"{label} kind: must be linear, inverse or quanto (got {describe(rec.get('kind'))})"
        )
    nums: dict[str, float | None] = {}
    for c in _NUMERIC:
        nums[c] = _num(rec.get(c), f"{label} {c}", required=c in _REQUIRED)
    for c in ("contract_size", "lot_step", "min_qty", "tick_size", "max_leverage"):
        v = nums[c]
        if v is not None and v <= 0:
            raise MicrosizeError(f"{label} {c}: must be positive (got {describe(v)})")
    lot = nums["lot_step"]
    assert lot is not None
    min_qty = nums["min_qty"]
    if min_qty is None:
        min_qty = lot
    elif min_qty < lot * (1 - 1e-12):
        raise MicrosizeError(
            f"{label} min_qty: must be at least the lot step {describe(lot)} "
            f"(got {describe(min_qty)})"
        )
    mmr = nums["mmr"]
    if mmr is not None and not 0 <= mmr < 1:
        raise MicrosizeError(f"{label} mmr: must be a fraction in [0, 1) (got {describe(mmr)})")
    for c in ("maker_fee", "taker_fee"):
        v = nums[c]
        if v is not None and not -0.01 <= v <= 0.01:
            raise MicrosizeError(
                f"{label} {c}: must be a fraction between -0.01 and 0.01, "
                f"e.g. 0.0005 for 0.05% (got {describe(v)})"
            )
    known = set(SPEC_COLUMNS)
    extra = {k: v for k, v in rec.items() if k not in known}
    size = nums["contract_size"]
    assert size is not None
    return ContractSpec(
        exchange=exchange,
        symbol=symbol,
        kind=kind,
        contract_size=size,
        lot_step=lot,
        min_qty=min_qty,
        base=_text(rec.get("base")),
        quote=_text(rec.get("quote")),
        settle=_text(rec.get("settle")),
        tick_size=nums["tick_size"],
        max_leverage=nums["max_leverage"],
        maker_fee=nums["maker_fee"],
        taker_fee=nums["taker_fee"],
        mmr=mmr,
        qty_unit=_text(rec.get("qty_unit"))
        or order_unit(kind, size, _text(rec.get("base")), _text(rec.get("quote"))),
        source=_text(rec.get("source")),
        as_of=_text(rec.get("as_of")),
        extra=extra,
    )


def order_unit(kind: str, contract_size: float, base: str | None, quote: str | None) -> str:
    """What one unit of the venue's order quantity is, for a row whose table leaves
    ``qty_unit`` empty: the coin itself when a linear unit is one coin (Binance USDⓈ-M,
    Bybit linear, Bitget, BingX, WEEX), else contracts of the size (CME, OKX, MEXC, Gate:
    underlying units; inverse: quote units).

    >>> order_unit("linear", 1.0, "DOGE", "USDT")
    'DOGE'
    >>> order_unit("linear", 0.0001, "BTC", "USDT")
    'contracts of 0.0001 BTC'
    >>> order_unit("inverse", 100.0, "BTC", "USD")
    'contracts of 100 USD'
    """
    size = format(contract_size, ".15g")
    if "e" in size:
        size = format(Decimal(repr(contract_size)), "f")
    if kind == "quanto":
        return "contracts (quanto)"
    if kind == "inverse":
        return f"contracts of {size} {quote or 'USD'}"
    if contract_size == 1 and base:
        return base
    return f"contracts of {size} {base or 'units'}"


#: Environment variable naming the directory of the user tables (default ``~/.microsize``).
HOME_ENV = "MICROSIZE_HOME"
#: Environment variable for the age in days after which a spec row is called stale.
MAX_AGE_ENV = "MICROSIZE_MAX_SPEC_AGE_DAYS"
#: Default staleness limit: about six months. Venues change lot steps, ticks, tiers and
#: leverage caps a few times a year; a row older than that deserves a check.
DEFAULT_MAX_SPEC_AGE_DAYS = 180
SPECS_FILE = "contract_specs.csv"
TIERS_FILE = "margin_tiers.csv"


def _home_dir(environ: Mapping[str, str] | None = None) -> str:
    """The directory of the user tables as text (os.path: the sizing commands never import
    pathlib, which costs more start-up than reading the tables)."""
    env = os.environ if environ is None else environ
    raw = (env.get(HOME_ENV) or "").strip()
    if raw:
        return os.path.expanduser(raw)
    return os.path.join(os.path.expanduser("~"), ".microsize")


def _user_file(name: str, home: str | os.PathLike[str] | None) -> str:
    """A user table's path: in ``home`` when given, else in :func:`user_home`."""
    base = _home_dir() if home is None else os.path.expanduser(os.fspath(home))
    return os.path.join(base, name)


def user_home(environ: Mapping[str, str] | None = None) -> Path:
    """The directory of the user tables: ``$MICROSIZE_HOME`` or ``~/.microsize``."""
    from pathlib import Path

    return Path(_home_dir(environ))


def user_specs_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the user's contract table lives (it may not exist)."""
    return user_home(environ) / SPECS_FILE


def user_tiers_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the user's margin-tier table lives (it may not exist)."""
    return user_home(environ) / TIERS_FILE


def _bundled_text(name: str) -> str:
    """A table shipped in ``microsize/data``: read next to this file (no importlib.resources,
    which costs more start-up than the table), else through importlib.resources (a zipped
    package)."""
    try:
        with open(os.path.join(os.path.dirname(__file__), "data", name), encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        from importlib import resources

        return resources.files("microsize").joinpath("data", name).read_text(encoding="utf-8")


def _parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _stamp(path: str) -> tuple[str, int, int] | None:
    """(path, mtime, size) of an existing user table, else None: the cache key, so an
    applied refresh or an edit is read on the next call without a restart."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_mtime_ns, st.st_size)


def _read_user(stamp: tuple[str, int, int]) -> list[list[str]]:
    from ._csvtext import normalise, parse_csv_bytes  # only when there is a user table

    path = stamp[0]
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise MicrosizeError(f"user table {path}: cannot be read ({exc.strerror})") from None
    table = parse_csv_bytes(data, f"user table {path}")  # as Excel saves it, like --specs
    return [[normalise(c, table.convention) for c in row] for row in table.rows]


@lru_cache(maxsize=4)
def _specs_from(stamp: tuple[str, int, int] | None) -> SpecTable:
    if stamp is None:
        return SpecTable._of_trusted_rows(
            _parse_csv(_bundled_text(SPECS_FILE)), origin=f"bundled {SPECS_FILE}"
        )
    return SpecTable.from_rows(_read_user(stamp), origin=f"user table {stamp[0]}")


def load_specs(*, bundled: bool = False, home: str | os.PathLike[str] | None = None) -> SpecTable:
    """The contract table: the user's table if there is one, else the bundled one.

    The user table is ``contract_specs.csv`` in ``$MICROSIZE_HOME`` (default
    ``~/.microsize``), written by ``microsize specs refresh --apply`` or by hand; it is
    validated like any other table and a malformed one raises an error naming the file,
    the row and the field (it is never silently skipped). ``bundled=True`` always returns
    the table shipped in the package (read with importlib.resources); ``home`` reads the
    user table of another directory. Tables are parsed once and cached; a changed user
    file is read again. ``SpecTable.origin`` says which table it is.

    >>> load_specs(bundled=True)["cme:MBT"].contract_size
    0.1
    >>> load_specs(bundled=True).origin
    'bundled contract_specs.csv'
    """
    if bundled:
        return _specs_from(None)
    return _specs_from(_stamp(_user_file(SPECS_FILE, home)))


def load_bundled_specs() -> SpecTable:
    """The table shipped in the package, whatever the user has (deterministic builds).

    >>> len(load_bundled_specs()) >= 29
    True
    """
    return load_specs(bundled=True)


_TIER_NUMBERS = ("floor", "cap", "mmr", "maint_amount", "max_leverage")
_TIER_TEXTS = ("exchange", "symbol", "floor_unit")


def _tier_number(value: Any, where: str, name: str, *, required: bool) -> float | None:
    """One numeric cell of a tier row; ``None`` for an empty optional one."""
    if is_missing(value) or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise MicrosizeError(f"{where}, field {name}: is empty, a number is needed")
        return None
    if isinstance(value, bool):
        raise MicrosizeError(f"{where}, field {name}: must be a number (got {describe(value)})")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise MicrosizeError(
            f"{where}, field {name}: must be a number (got {describe(value)})"
        ) from None
    if not math.isfinite(f):
        raise MicrosizeError(f"{where}, field {name}: must be a finite number (got {describe(f)})")
    return f


def tier_from_cells(
    cells: Mapping[str, Any], where: str, *, tier: int, source: str, as_of: str
) -> MarginTier:
    """One maintenance bracket from a row's cells by column name (a missing column is an
    empty cell): floor and mmr required; cap, maint_amount, max_leverage, exchange,
    symbol and floor_unit optional. The one tier-row parser: the tier files
    (:func:`tiers_from_rows`) and the ``tiers`` argument (:mod:`microsize._tiers`) both
    read their rows here; ``where`` names the row in messages.

    >>> tier_from_cells({"floor": "0", "mmr": 0.004}, "tiers row 2", tier=1, source="", as_of="").mmr
    0.004
    """
    num = {
        name: _tier_number(cells.get(name), where, name, required=name in ("floor", "mmr"))
        for name in _TIER_NUMBERS
    }
    text = {
        name: "" if is_missing(cells.get(name)) else str(cells.get(name)).strip()
        for name in _TIER_TEXTS
    }
    floor, mmr = num["floor"], num["mmr"]
    assert floor is not None
    assert mmr is not None
    return MarginTier(
        exchange=text["exchange"],
        symbol=text["symbol"],
        tier=tier,
        floor=floor,
        cap=num["cap"],
        floor_unit=text["floor_unit"],
        mmr=mmr,
        maint_amount=num["maint_amount"],
        max_leverage=num["max_leverage"],
        source=source,
        as_of=as_of,
    )


def tiers_from_rows(  # noqa: C901 (one pass over a tier file: header, per-row fields, then contiguity per contract)
    rows: Sequence[Sequence[Any]], origin: str, *, row_numbers: Sequence[int] | None = None
) -> tuple[MarginTier, ...]:
    """Validate a margin-tier table given as a header row (:data:`TIER_COLUMNS`) and rows.

    Errors name ``origin``, the row (header = row 1, or ``row_numbers`` for the data rows
    when they are a part of a file) and the field; the tiers of each contract must be
    numbered 1, 2, ..., each starting where the previous one ends, with rates that never
    fall.
    """
    if not rows:
        raise MicrosizeError(f"{origin}: empty, a header row is needed")
    header = [str(h).strip().lower() for h in rows[0]]
    if tuple(header) != TIER_COLUMNS:
        raise MicrosizeError(
            f"{origin}: header row must be {','.join(TIER_COLUMNS)} (got {','.join(header)})"
        )
    tiers: list[MarginTier] = []
    numbers = range(2, len(rows) + 1) if row_numbers is None else row_numbers
    for r, row in zip(numbers, rows[1:], strict=True):
        if all(is_missing(c) or str(c).strip() == "" for c in row):
            continue
        if len(row) != len(header):
            raise MicrosizeError(
                f"{origin} row {r}: {len(row)} cells, the header has {len(header)}"
            )
        rec = {h: ("" if c is None else str(c).strip()) for h, c in zip(header, row, strict=True)}
        where = f"{origin} row {r}"
        if not rec["exchange"] or not rec["symbol"]:
            raise MicrosizeError(f"{where}, field exchange/symbol: is empty")
        try:
            tier = int(rec["tier"])
        except ValueError:
            raise MicrosizeError(
                f"{where}, field tier: must be a whole number (got {clip(repr(rec['tier']))})"
            ) from None
        t = tier_from_cells(rec, where, tier=tier, source=rec["source"], as_of=rec["as_of"])
        if not 0 <= t.mmr < 1:
            raise MicrosizeError(f"{where}, field mmr: must be in [0, 1) (got {t.mmr})")
        tiers.append(t)
    by_key: dict[str, list[MarginTier]] = {}
    for t in tiers:
        by_key.setdefault(t.key.lower(), []).append(t)
    for ts in by_key.values():
        if ts[0].tier != 1:
            raise MicrosizeError(f"{origin}: tiers of {ts[0].key} must start at tier 1")
        for prev, nxt in itertools.pairwise(ts):
            if nxt.tier != prev.tier + 1 or prev.cap != nxt.floor or nxt.mmr < prev.mmr:
                raise MicrosizeError(f"{origin}: tiers of {prev.key} are not contiguous")
    return tuple(tiers)


class TierTable:
    """A parsed margin-tier table and what is derived from it, cached together.

    ``rows`` are the validated brackets in file order; :meth:`of` gives one contract's,
    sorted by tier. ``views`` holds per-contract objects built from the rows by other
    modules (the brackets as arrays, :mod:`microsize._tiers`): they live and die with
    this table, so there is one cache per table and one reset
    (:func:`clear_spec_caches`) for all of it. The bundled table validates a contract's
    rows when that contract is first looked up (:meth:`of_trusted_rows`).
    """

    def __init__(self) -> None:
        self._by_key: dict[str, tuple[MarginTier, ...]] = {}
        self._rows: tuple[MarginTier, ...] | None = ()
        # the bundled table: per contract, its (row number, cells), validated on first use
        self._pending: dict[str, list[tuple[int, Sequence[str]]]] = {}
        self._loaded: list[tuple[int, MarginTier]] = []
        self._header: Sequence[str] = ()
        self._origin = ""
        self.views: dict[Any, Any] = {}

    @classmethod
    def of_rows(cls, rows: tuple[MarginTier, ...]) -> TierTable:
        table = cls()
        grouped: dict[str, list[MarginTier]] = {}
        for t in rows:
            grouped.setdefault(t.key.lower(), []).append(t)
        table._by_key = {k: tuple(sorted(v, key=lambda t: t.tier)) for k, v in grouped.items()}
        table._rows = rows
        return table

    @classmethod
    def of_trusted_rows(cls, rows: Sequence[Sequence[str]], origin: str) -> TierTable:
        """The bundled file: rows grouped by contract now, each contract's rows validated
        by :func:`tiers_from_rows` when first looked up (``microsize size`` needs one)."""
        if not rows or tuple(str(h).strip().lower() for h in rows[0]) != TIER_COLUMNS:
            return cls.of_rows(tiers_from_rows(rows, origin))  # the checks say what is wrong
        table = cls()
        table._header, table._origin, table._rows = rows[0], origin, None
        for r, row in enumerate(rows[1:], start=2):
            if all(str(c).strip() == "" for c in row):
                continue  # a blank line, as tiers_from_rows skips it
            key = f"{row[0].strip()}:{row[1].strip()}".lower() if len(row) > 1 else ""
            table._pending.setdefault(key, []).append((r, row))
        return table

    def _load(self, k: str) -> None:
        part = self._pending.pop(k)
        numbers = [r for r, _ in part]
        tiers = tiers_from_rows(
            [self._header, *(row for _, row in part)], self._origin, row_numbers=numbers
        )
        self._loaded.extend(zip(numbers, tiers, strict=True))
        self._by_key[k] = tuple(sorted(tiers, key=lambda t: t.tier))

    @property
    def rows(self) -> tuple[MarginTier, ...]:
        """Every bracket, in file order."""
        if self._rows is None:
            for k in list(self._pending):
                self._load(k)
            self._rows = tuple(t for _, t in sorted(self._loaded, key=lambda x: x[0]))
        return self._rows

    def of(self, key: str) -> tuple[MarginTier, ...]:
        """The brackets of contract ``key`` (case-insensitive), empty if it has none."""
        k = key.lower()
        if k in self._pending:
            self._load(k)
        return self._by_key.get(k, ())


@lru_cache(maxsize=4)
def _tier_table_from(stamp: tuple[str, int, int] | None) -> TierTable:
    if stamp is None:
        return TierTable.of_trusted_rows(
            _parse_csv(_bundled_text(TIERS_FILE)), f"bundled {TIERS_FILE}"
        )
    return TierTable.of_rows(tiers_from_rows(_read_user(stamp), f"user table {stamp[0]}"))


def tier_table(*, bundled: bool = False, home: str | os.PathLike[str] | None = None) -> TierTable:
    """The margin-tier table in use (the user's if there is one, else the bundled one),
    parsed once per file version and cached until :func:`clear_spec_caches`.

    >>> tier_table(bundled=True).of("BINANCE:btcusdt")[1].mmr
    0.005
    """
    if bundled:
        return _tier_table_from(None)
    return _tier_table_from(_stamp(_user_file(TIERS_FILE, home)))


def load_margin_tiers(
    *, bundled: bool = False, home: str | os.PathLike[str] | None = None
) -> tuple[MarginTier, ...]:
    """The maintenance-margin brackets: the user's ``margin_tiers.csv`` in
    ``$MICROSIZE_HOME`` if there is one, else the bundled table; validated (tiers
    contiguous per contract), cached, a malformed user table is an error naming the file.

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


def spec_table_of_cells(rows: list[Any]) -> SpecTable:
    """:meth:`SpecTable.from_rows` of a range's rows, kept by content (at most 33 tables;
    rows of unhashable cells are read every time)."""
    try:
        key: Any = tuple(tuple(r) for r in rows)
        hash(key)
    except TypeError:
        return SpecTable.from_rows(rows)
    table = _TABLE_CACHE.get(key)
    if table is None:
        table = SpecTable.from_rows(rows)
        if len(_TABLE_CACHE) > 32:
            _TABLE_CACHE.clear()
        _TABLE_CACHE[key] = table
    return table


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


def clear_spec_caches() -> None:
    """Forget every parsed spec and tier table, and everything derived from them (the
    one reset: tests, and after writing a user table). A changed user file is read again
    without it; this also forgets tables whose file was replaced within the same
    timestamp tick."""
    _specs_from.cache_clear()
    _tier_table_from.cache_clear()
    _TABLE_CACHE.clear()


# ----------------------------------------------------------------------- staleness
def max_spec_age_days(environ: Mapping[str, str] | None = None) -> float:
    """The staleness limit in days: ``$MICROSIZE_MAX_SPEC_AGE_DAYS`` or 180.

    >>> max_spec_age_days({})
    180.0
    >>> max_spec_age_days({"MICROSIZE_MAX_SPEC_AGE_DAYS": "30"})
    30.0
    """
    env = os.environ if environ is None else environ
    raw = (env.get(MAX_AGE_ENV) or "").strip()
    if not raw:
        return float(DEFAULT_MAX_SPEC_AGE_DAYS)
    try:
        days = float(raw)
    except ValueError:
        days = math.nan
    if not math.isfinite(days) or days < 0:
        raise MicrosizeError(f"{MAX_AGE_ENV} must be a number of days, 0 or more (got {raw!r})")
    return days


def spec_age_days(spec: ContractSpec, today: dt.date) -> int | None:
    """Whole days from the spec's ``as_of`` to ``today``; None without a readable date.

    >>> spec = load_bundled_specs()["binance:BTCUSDT"]
    >>> spec_age_days(spec, dt.date(2024, 11, 3))
    10
    """
    if not spec.as_of:
        return None
    try:
        when = dt.date.fromisoformat(spec.as_of.strip()[:10])
    except ValueError:
        return None
    return (today - when).days


def stale_warning(spec: ContractSpec, today: dt.date, max_age_days: float) -> str | None:
    """A warning when the spec's row is older than ``max_age_days`` on ``today``.

    Pure: the caller passes the date. Rows without a date (a numeric contract, a user row
    with no as_of) get no warning; an unreadable date gets one.

    >>> spec = load_bundled_specs()["binance:BTCUSDT"]
    >>> stale_warning(spec, dt.date(2024, 11, 3), 180) is None
    True
    >>> print(stale_warning(spec, dt.date(2025, 10, 24), 180))
    spec of binance:BTCUSDT is 365 days old (as of 2024-10-24, limit 180): check the venue or run microsize specs refresh
    """
    if not spec.as_of or not spec.exchange:
        return None
    age = spec_age_days(spec, today)
    if age is None:
        return (
            f"spec of {spec.key} has an unreadable as_of date {spec.as_of!r}: "
            "check the venue or run microsize specs refresh"
        )
    if age <= max_age_days:
        return None
    return (
        f"spec of {spec.key} is {age} days old (as of {spec.as_of}, limit "
        f"{format(max_age_days, 'g')}): check the venue or run microsize specs refresh"
    )


def as_spec_table(specs: Any) -> SpecTable:
    """``None`` means the bundled table; a :class:`SpecTable` is used as is; else rows."""
    if specs is None:
        return load_specs()
    if isinstance(specs, SpecTable):
        return specs
    return SpecTable.from_rows(specs)


@dataclass(frozen=True)
class ContractArrays:
    """Per-element contract parameters, shaped like the ``contract`` argument."""

    kind: npt.NDArray[np.int8]
    size: npt.NDArray[np.float64]
    step: npt.NDArray[np.float64]
    min_qty: npt.NDArray[np.float64]
    specs: tuple[ContractSpec, ...]  # one per distinct contract, in order of appearance
    codes: npt.NDArray[np.intp]  # per element: the index of its spec in ``specs``

    @property
    def single(self) -> ContractSpec | None:
        """The spec when the argument named exactly one contract."""
        return self.specs[0] if len(self.specs) == 1 else None


def resolve_contracts(contract: Any, specs: Any = None, name: str = "contract") -> ContractArrays:
    """Resolve a contract key, a number, or a range of either into parameter arrays."""
    table = as_spec_table(specs)
    if hasattr(contract, "to_numpy"):
        contract = contract.to_numpy()
    if isinstance(contract, list | tuple | np.ndarray):
        try:
            arr = np.empty(np.shape(contract), dtype=object)
            arr[...] = contract if not isinstance(contract, np.ndarray) else contract.tolist()
        except ValueError as exc:  # ragged nested lists
            raise MicrosizeError(f"{name} must be a rectangular range") from exc
        if arr.size == 0:
            raise MicrosizeError(f"{name} is an empty range")
    else:
        arr = np.empty((), dtype=object)
        arr[()] = contract
    seen: dict[Any, int] = {}
    found: list[ContractSpec] = []
    codes = np.empty(arr.shape, dtype=np.int64)
    for idx, value in np.ndenumerate(arr):
        hkey = value.strip().lower() if isinstance(value, str) else (type(value), value)
        try:
            hash(hkey)
        except TypeError:  # a set or dict is no cell value; lookup refuses it below
            hkey = (type(value), id(value))
        j = seen.get(hkey)
        if j is None:
            try:
                spec = table.lookup(value, name)
            except MicrosizeError as exc:
                where = position(tuple(int(i) for i in idx), arr.shape)
                if where:
                    raise MicrosizeError(f"{exc}{where}") from None
                raise
            j = seen.setdefault(hkey, len(found))
            found.append(spec)
        codes[idx] = j
    kind = np.array([KIND_CODE[s.kind] for s in found], dtype=np.int8)[codes]
    size = np.array([s.contract_size for s in found])[codes]
    step = np.array([s.lot_step for s in found])[codes]
    min_qty = np.array([s.min_qty for s in found])[codes]
    return ContractArrays(
        kind=kind,
        size=size,
        step=step,
        min_qty=min_qty,
        specs=tuple(found),
        codes=codes.astype(np.intp),
    )


def groups(
    codes: npt.NDArray[np.intp], specs: Sequence[ContractSpec]
) -> Iterator[tuple[ContractSpec, npt.NDArray[np.bool_]]]:
    """(spec, mask) for each distinct contract of a flat ``codes`` array (see
    :attr:`ContractArrays.codes`): the loop that applies one contract's rules at once."""
    for j, spec in enumerate(specs):
        mask = codes == j
        if mask.any():
            yield spec, mask
