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
import difflib
import io
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from ._errors import MicrosizeError
from ._inputs import describe, is_missing, position

__all__ = [
    "KINDS",
    "SPEC_COLUMNS",
    "TIER_COLUMNS",
    "ContractArrays",
    "ContractSpec",
    "MarginTier",
    "SpecTable",
    "load_margin_tiers",
    "load_specs",
    "resolve_contracts",
]

KINDS = ("linear", "inverse", "quanto")
KIND_CODE = {k: i for i, k in enumerate(KINDS)}

#: Columns of the spec table, in order (``qty_unit`` is informative, the rest as SPEC.md).
SPEC_COLUMNS = (
    "exchange",
    "symbol",
    "kind",
    "base",
    "quote",
    "settle",
    "contract_size",
    "lot_step",
    "min_qty",
    "tick_size",
    "max_leverage",
    "maker_fee",
    "taker_fee",
    "mmr",
    "qty_unit",
    "source",
    "as_of",
)
_REQUIRED = ("exchange", "symbol", "kind", "contract_size", "lot_step")
_NUMERIC = (
    "contract_size",
    "lot_step",
    "min_qty",
    "tick_size",
    "max_leverage",
    "maker_fee",
    "taker_fee",
    "mmr",
)

TIER_COLUMNS = (
    "exchange",
    "symbol",
    "tier",
    "floor",
    "cap",
    "floor_unit",
    "mmr",
    "maint_amount",
    "max_leverage",
    "source",
    "as_of",
)


@dataclass(frozen=True)
class ContractSpec:
    """One tradable contract, in the venue's own order-quantity unit.

    ``min_qty`` is never ``None`` on a loaded spec: where the source gives no minimum the
    lot step is the minimum.
    """

    exchange: str
    symbol: str
    kind: str
    contract_size: float
    lot_step: float
    min_qty: float
    base: str | None = None
    quote: str | None = None
    settle: str | None = None
    tick_size: float | None = None
    max_leverage: float | None = None
    maker_fee: float | None = None
    taker_fee: float | None = None
    mmr: float | None = None
    qty_unit: str | None = None
    source: str | None = None
    as_of: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str:
        """The lookup key, ``exchange:symbol``."""
        return f"{self.exchange}:{self.symbol}"

    @classmethod
    def numeric(cls, contract_size: float) -> ContractSpec:
        """A linear contract of ``contract_size`` underlying units, whole contracts only."""
        return cls(
            exchange="",
            symbol=format(contract_size, ".15g"),
            kind="linear",
            contract_size=contract_size,
            lot_step=1.0,
            min_qty=1.0,
            qty_unit=f"contracts of {format(contract_size, '.15g')} units",
            source="a number typed as the contract: linear, whole contracts",
        )

    def get(self, name: str) -> Any:
        """The value of one field by name (``key`` included), or raise naming the field."""
        name = name.strip().lower()
        if name == "key":
            return self.key
        if name in _FIELD_NAMES:
            return getattr(self, name)
        if name in self.extra:
            return self.extra[name]
        raise MicrosizeError(
            f"field must be one of {', '.join(SPEC_COLUMNS)}, key (got {describe(name)})"
        )


_FIELD_NAMES = {f.name for f in fields(ContractSpec)} - {"extra"}


@dataclass(frozen=True)
class MarginTier:
    """One maintenance-margin bracket: notional in [floor, cap) uses ``mmr``."""

    exchange: str
    symbol: str
    tier: int
    floor: float
    cap: float | None
    floor_unit: str
    mmr: float
    maint_amount: float | None
    max_leverage: float | None
    source: str
    as_of: str

    @property
    def key(self) -> str:
        return f"{self.exchange}:{self.symbol}"


def _num(value: Any, what: str, *, required: bool) -> float | None:
    if is_missing(value):
        if required:
            raise MicrosizeError(f"{what} is empty: a number is needed")
        return None
    if isinstance(value, bool):
        raise MicrosizeError(f"{what} must be a number (got {describe(value)})")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise MicrosizeError(f"{what} must be a number (got {describe(value)})") from None
    if not math.isfinite(f):
        raise MicrosizeError(f"{what} must be a finite number (got {describe(f)})")
    return f


def _text(value: Any) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):  # a date cell
        return str(value.isoformat())[:10]
    return str(value).strip()


class SpecTable(Mapping[str, ContractSpec]):
    """Validated contract specs keyed by lower-case ``exchange:symbol``.

    Build one with :meth:`from_rows` (a header row then data rows, as an Excel range
    arrives) or use :func:`load_specs` for the bundled table.
    """

    def __init__(self, specs: Iterable[ContractSpec], origin: str = "specs") -> None:
        self._specs: dict[str, ContractSpec] = {}
        self.origin = origin
        for spec in specs:
            k = spec.key.lower()
            if k in self._specs:
                raise MicrosizeError(f"{origin}: duplicate key {spec.key}")
            self._specs[k] = spec

    def __getitem__(self, key: str) -> ContractSpec:
        return self._specs[key.strip().lower()]

    def __iter__(self) -> Any:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    @property
    def exchanges(self) -> list[str]:
        """Exchange names in table order, without repeats."""
        return list(dict.fromkeys(s.exchange for s in self._specs.values()))

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
        raise MicrosizeError(f"{name}: unknown contract {text!r}{self._suggest(text)}")

    def _suggest(self, text: str) -> str:
        low = text.lower()
        keys = [s.key for s in self._specs.values()]
        if ":" not in low:
            same = [s.key for s in self._specs.values() if s.symbol.lower() == low]
            if same:
                return f"; keys are exchange:symbol, did you mean {' or '.join(same)}?"
            hint = "; keys are exchange:symbol, e.g. cme:MBT"
        else:
            ex = low.split(":", 1)[0]
            if ex not in {e.lower() for e in self.exchanges}:
                return f"; exchanges in the table: {', '.join(self.exchanges)}"
            hint = ""
        close = difflib.get_close_matches(low, [k.lower() for k in keys], n=3, cutoff=0.6)
        if close:
            return f"; did you mean {' or '.join(self[c].key for c in close)}?"
        return hint or "; see MF_SPECS() for the keys"

    def filter(self, exchange: str | None) -> list[ContractSpec]:
        """The specs of one exchange (case-insensitive), or all of them."""
        if exchange is None or is_missing(exchange):
            return list(self._specs.values())
        ex = str(exchange).strip().lower()
        out = [s for s in self._specs.values() if s.exchange.lower() == ex]
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
                f"(found {', '.join(h for h in header if h) or 'no names'})"
            )
        col = {h: i for i, h in enumerate(header) if h}
        specs = []
        for r, row in enumerate(rows[1:], start=2):
            cells = list(row) + [None] * (len(header) - len(row))
            if all(is_missing(c) for c in cells):
                continue
            rec = {h: cells[i] for h, i in col.items()}
            specs.append(_spec_from_record(rec, f"{origin} row {r}"))
        if not specs:
            raise MicrosizeError(f"{origin} has a header row but no contract rows")
        return cls(specs, origin=origin)


def _spec_from_record(rec: Mapping[str, Any], where: str) -> ContractSpec:
    exchange = _text(rec.get("exchange"))
    symbol = _text(rec.get("symbol"))
    if not exchange:
        raise MicrosizeError(f"{where}, field exchange: is empty")
    if not symbol:
        raise MicrosizeError(f"{where}, field symbol: is empty")
    if ":" in exchange or ":" in symbol:
        raise MicrosizeError(f"{where}: exchange and symbol may not contain ':'")
    label = f"{where} ({exchange}:{symbol}), field"
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
        qty_unit=_text(rec.get("qty_unit")),
        source=_text(rec.get("source")),
        as_of=_text(rec.get("as_of")),
        extra=extra,
    )


def _read_csv(name: str) -> list[list[str]]:
    text = resources.files("microsize").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


@lru_cache(maxsize=1)
def load_specs() -> SpecTable:
    """The bundled contract table, read with importlib.resources and validated once.

    >>> load_specs()["cme:MBT"].contract_size
    0.1
    """
    return SpecTable.from_rows(_read_csv("contract_specs.csv"), origin="bundled contract_specs.csv")


@lru_cache(maxsize=1)
def load_margin_tiers() -> tuple[MarginTier, ...]:
    """The bundled maintenance-margin brackets, validated (tiers contiguous per contract)."""
    rows = _read_csv("margin_tiers.csv")
    header = rows[0]
    if tuple(header) != TIER_COLUMNS:
        raise MicrosizeError(f"bundled margin_tiers.csv: unexpected header {header}")
    tiers: list[MarginTier] = []
    for r, row in enumerate(rows[1:], start=2):
        rec = dict(zip(header, row, strict=True))
        where = f"bundled margin_tiers.csv row {r}"
        mmr = _num(rec["mmr"], f"{where}, field mmr", required=True)
        floor = _num(rec["floor"], f"{where}, field floor", required=True)
        assert mmr is not None
        assert floor is not None
        if not 0 <= mmr < 1:
            raise MicrosizeError(f"{where}, field mmr: must be in [0, 1) (got {mmr})")
        tiers.append(
            MarginTier(
                exchange=rec["exchange"],
                symbol=rec["symbol"],
                tier=int(rec["tier"]),
                floor=floor,
                cap=_num(rec["cap"], f"{where}, field cap", required=False),
                floor_unit=rec["floor_unit"],
                mmr=mmr,
                maint_amount=_num(
                    rec["maint_amount"], f"{where}, field maint_amount", required=False
                ),
                max_leverage=_num(
                    rec["max_leverage"], f"{where}, field max_leverage", required=False
                ),
                source=rec["source"],
                as_of=rec["as_of"],
            )
        )
    by_key: dict[str, list[MarginTier]] = {}
    for t in tiers:
        by_key.setdefault(t.key, []).append(t)
    for key, ts in by_key.items():
        for prev, nxt in itertools.pairwise(ts):
            if nxt.tier != prev.tier + 1 or prev.cap != nxt.floor or nxt.mmr < prev.mmr:
                raise MicrosizeError(f"bundled margin_tiers.csv: tiers of {key} are not contiguous")
    return tuple(tiers)


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
        arr = np.empty(np.shape(contract), dtype=object)
        try:
            arr[...] = contract if not isinstance(contract, np.ndarray) else contract.tolist()
        except ValueError as exc:
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
    return ContractArrays(kind=kind, size=size, step=step, min_qty=min_qty, specs=tuple(found))
