"""Margin-tier tables: the one parser of a tier row and :class:`TierTable`, the parsed
brackets with what other modules derive from them."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ._errors import MicrosizeError
from ._inputs import clip, describe, is_missing
from ._spec_types import TIER_COLUMNS, MarginTier

__all__ = ["TierTable", "tier_from_cells", "tiers_from_rows"]


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
