"""The contract table: :class:`SpecTable`, the one validator of its rows, and the order unit.

The vocabulary follows ccxt's market structure: ``kind`` is linear, inverse or quanto;
``contract_size`` is the value of one unit of the venue's order quantity (underlying units
for linear, quote units for inverse, settlement units per quote point for quanto);
``lot_step`` and ``tick_size`` are step sizes; unknown values are ``None``.

One validator reads every table, bundled or typed by a user into a workbook, so Excel
and Python never disagree about what a key means. Where the tables come from is
:mod:`microsize._spec_loader`'s job.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from ._errors import MicrosizeError
from ._inputs import clip, describe, is_missing
from ._spec_types import (
    KINDS,
    MAX_CONTRACT_SIZE,
    MIN_CONTRACT_SIZE,
    NUMERIC_FIELDS,
    REQUIRED_FIELDS,
    SPEC_COLUMNS,
    ContractSpec,
    spec_number,
    spec_text,
)

__all__ = ["SpecTable", "order_unit", "spec_from_record"]


class SpecTable(Mapping[str, ContractSpec]):
    """Validated contract specs keyed by lower-case ``exchange:symbol``.

    Build one with :meth:`from_rows` (a header row then data rows, as an Excel range
    arrives) or use :func:`load_specs` for the bundled table.
    """

    def __init__(self, specs: Iterable[ContractSpec], origin: str = "specs") -> None:
        # a spec, or (record, where) of a row validated on first use (the bundled table)
        self._specs: dict[str, ContractSpec | tuple[dict[str, Any], str]] = {}
        self.origin = origin
        #: what a single-cell ``contract`` argument resolved to in this table (by
        #: microsize._resolve), and answers computed with it (microsize._planner's rows):
        #: the table never changes once built, and they go with it
        self.resolved: dict[Any, Any] = {}
        self.memo: dict[Any, Any] = {}
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
            entry = spec_from_record(*entry)
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
            (spec_from_record(rec, where) for rec, where in _records(rows, origin)),
            origin=origin,
        )
        if not table:
            raise MicrosizeError(f"{origin} has a header row but no contract rows")
        return table

    @classmethod
    def of_trusted_rows(cls, rows: Sequence[Sequence[str]], origin: str) -> SpecTable:
        """The bundled table: its keys now, each row validated by the same checks as
        :meth:`from_rows` when first looked up (``microsize size`` needs one row of 76;
        tests validate every row)."""
        table = cls((), origin=origin)
        for rec, where in _records(rows, origin):
            table._add(
                f"{spec_text(rec.get('exchange'))}:{spec_text(rec.get('symbol'))}", (rec, where)
            )
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
    header = [(spec_text(h) or "").lower() for h in header_raw]
    missing = [c for c in REQUIRED_FIELDS if c not in header]
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


# Long on purpose: one row of the spec table: a check per column, in the column order a message names.
def spec_from_record(rec: Mapping[str, Any], where: str) -> ContractSpec:  # noqa: C901 (one row of the spec table: a check per column, in the column order a message names)
    exchange = spec_text(rec.get("exchange"))
    symbol = spec_text(rec.get("symbol"))
    if not exchange:
        raise MicrosizeError(f"{where}, field exchange: is empty")
    if not symbol:
        raise MicrosizeError(f"{where}, field symbol: is empty")
    if ":" in exchange or ":" in symbol:
        raise MicrosizeError(f"{where}: exchange and symbol may not contain ':'")
    label = f"{where} ({clip(f'{exchange}:{symbol}', 30)}), field"
    kind = (spec_text(rec.get("kind")) or "").lower()
    if kind not in KINDS:
        raise MicrosizeError(
            f"{label} kind: must be linear, inverse or quanto (got {describe(rec.get('kind'))})"
        )
    nums: dict[str, float | None] = {}
    for c in NUMERIC_FIELDS:
        nums[c] = spec_number(rec.get(c), f"{label} {c}", required=c in REQUIRED_FIELDS)
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
        base=spec_text(rec.get("base")),
        quote=spec_text(rec.get("quote")),
        settle=spec_text(rec.get("settle")),
        tick_size=nums["tick_size"],
        max_leverage=nums["max_leverage"],
        maker_fee=nums["maker_fee"],
        taker_fee=nums["taker_fee"],
        mmr=mmr,
        qty_unit=spec_text(rec.get("qty_unit"))
        or order_unit(kind, size, spec_text(rec.get("base")), spec_text(rec.get("quote"))),
        source=spec_text(rec.get("source")),
        as_of=spec_text(rec.get("as_of")),
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
