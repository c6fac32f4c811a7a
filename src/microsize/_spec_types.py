"""The vocabulary of contract data: kinds, the spec and tier columns, a contract's spec
and one margin bracket (ccxt's market structure: linear/inverse, contract size, lot and
tick as step sizes, unknown values explicit), and the cell readers every table shares.

:mod:`microsize._contracts` loads and looks these up; this module holds only the types,
so every other module can depend on it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from ._errors import MicrosizeError
from ._inputs import clip, describe, is_missing

__all__ = [
    "KINDS",
    "KIND_CODE",
    "MAX_CONTRACT_SIZE",
    "MIN_CONTRACT_SIZE",
    "SPEC_COLUMNS",
    "TIER_COLUMNS",
    "ContractSpec",
    "MarginTier",
]

KINDS = ("linear", "inverse", "quanto")
#: A number typed as the contract is its size in underlying units; sizes outside these
#: bounds are typing mistakes (1e-30), and their arithmetic would overflow or underflow.
MIN_CONTRACT_SIZE, MAX_CONTRACT_SIZE = 1e-12, 1e12
KIND_CODE = {k: i for i, k in enumerate(KINDS)}

#: Columns of the spec table, in order (``qty_unit`` is informative; the rest as docs/CONVENTIONS.md, Units).
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
REQUIRED_FIELDS = ("exchange", "symbol", "kind", "contract_size", "lot_step")
#: the numeric columns: contract_size to mmr, in the table's order
NUMERIC_FIELDS = SPEC_COLUMNS[SPEC_COLUMNS.index("contract_size") : SPEC_COLUMNS.index("mmr") + 1]

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
        if name in FIELD_NAMES:
            return getattr(self, name)
        if name in self.extra:
            return self.extra[name]
        raise MicrosizeError(
            "field must be one of contract_size, lot_step, min_qty, tick_size, kind, settle, "
            f"max_leverage, taker_fee, mmr, as_of, key or a Specs column (got {describe(clip(name, 20))})"
        )


FIELD_NAMES = {f.name for f in fields(ContractSpec)} - {"extra"}


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


def spec_number(value: Any, what: str, *, required: bool) -> float | None:
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


def spec_text(value: Any) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):  # a date cell
        return str(value.isoformat())[:10]
    return str(value).strip()
