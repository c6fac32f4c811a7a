"""Differences between two spec tables or two tier tables, key by key and field by field:
what ``microsize specs refresh`` shows before it writes."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ._contracts import (
    SPEC_COLUMNS,
    ContractSpec,
    MarginTier,
    SpecTable,
)

__all__ = ["DIFF_HEADER", "STAMP_FIELDS", "Change", "SpecDiff", "diff_specs", "diff_tiers"]

#: Fields stamped by every refresh; :func:`diff_specs` can ignore them.
STAMP_FIELDS = ("source", "as_of")
#: Header of :meth:`SpecDiff.rows`.
DIFF_HEADER = ("change", "key", "field", "old", "new")


# ------------------------------------------------------------------------------ diff
@dataclass(frozen=True)
class Change:
    """One difference: ``change`` is added, removed or changed; for added and removed
    contracts ``field`` is empty and ``old``/``new`` summarise the row."""

    change: str
    key: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class SpecDiff:
    """The differences between two tables, in table order (see :func:`diff_specs`)."""

    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def keys(self, change: str) -> list[str]:
        """Keys with a change of this kind (added, removed, changed), without repeats."""
        return list(dict.fromkeys(c.key for c in self.changes if c.change == change))

    def rows(self) -> list[list[Any]]:
        """Header row ``change, key, field, old, new`` and one row per change; unknown
        values are empty text, so the rows can go straight into a sheet or a CSV."""
        out: list[list[Any]] = [list(DIFF_HEADER)]
        for c in self.changes:
            old = "" if c.old is None else c.old
            new = "" if c.new is None else c.new
            out.append([c.change, c.key, c.field, old, new])
        return out

    def summary(self) -> str:
        """One line: how many contracts were added, removed and changed."""
        if not self.changes:
            return "no changes"
        added, removed, changed = (len(self.keys(k)) for k in ("added", "removed", "changed"))
        fields = sum(1 for c in self.changes if c.change == "changed")
        return (
            f"{added} added, {removed} removed, {changed} changed "
            f"({fields} field{'s' if fields != 1 else ''})"
        )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    return bool(a == b)


def _brief(spec: ContractSpec) -> str:
    parts = [f"{spec.kind} {spec.base or '?'}/{spec.quote or '?'}"]
    parts.append(f"size {format(spec.contract_size, 'g')}")
    parts.append(f"lot {format(spec.lot_step, 'g')}")
    parts.append(f"min {format(spec.min_qty, 'g')}")
    if spec.tick_size is not None:
        parts.append(f"tick {format(spec.tick_size, 'g')}")
    return ", ".join(parts)


def diff_specs(old: SpecTable, new: SpecTable, *, ignore: Iterable[str] = ()) -> SpecDiff:
    """Which contracts were added, removed, or changed in which field from what to what.

    Parameters
    ----------
    old, new : SpecTable
        The table before and after (keys match case-insensitively).
    ignore : iterable of str, optional
        Fields not compared, e.g. :data:`STAMP_FIELDS` (``source``, ``as_of``) to hide
        rows that a refresh only re-stamped.

    Returns
    -------
    SpecDiff
        Removed contracts and changed fields in ``old``'s order, then added contracts in
        ``new``'s order. ``.rows()`` gives a header row ``change, key, field, old, new``
        and one row per change, ready for a sheet.

    Examples
    --------
    >>> from microsize import SpecTable
    >>> head = ["exchange", "symbol", "kind", "contract_size", "lot_step"]
    >>> a = SpecTable.from_rows([head, ["x", "A", "linear", 1, 0.1], ["x", "B", "linear", 1, 1]])
    >>> b = SpecTable.from_rows([head, ["x", "A", "linear", 1, 0.01], ["x", "C", "inverse", 10, 1]])
    >>> for row in diff_specs(a, b).rows():
    ...     print(row)
    ['change', 'key', 'field', 'old', 'new']
    ['changed', 'x:A', 'lot_step', 0.1, 0.01]
    ['changed', 'x:A', 'min_qty', 0.1, 0.01]
    ['removed', 'x:B', '', 'linear ?/?, size 1, lot 1, min 1', '']
    ['added', 'x:C', '', '', 'inverse ?/?, size 10, lot 1, min 1']
    """
    skip = {f.strip().lower() for f in ignore}
    fields = [f for f in SPEC_COLUMNS if f not in skip and f not in ("exchange",)]
    changes: list[Change] = []
    for k, spec in old.items():
        if k not in new:
            changes.append(Change("removed", spec.key, "", _brief(spec), None))
            continue
        other = new[k]
        for f in fields:
            a, b = getattr(spec, f), getattr(other, f)
            if not _same(a, b):
                changes.append(Change("changed", spec.key, f, a, b))
    for k, spec in new.items():
        if k not in old:
            changes.append(Change("added", spec.key, "", None, _brief(spec)))
    return SpecDiff(tuple(changes))


_TIER_FIELDS = ("floor", "cap", "floor_unit", "mmr", "maint_amount", "max_leverage")


def diff_tiers(
    old: Sequence[MarginTier], new: Sequence[MarginTier], *, ignore: Iterable[str] = ()
) -> SpecDiff:
    """The same diff for margin tiers, keyed ``exchange:symbol tier n``.

    ``ignore`` may name ``source`` and ``as_of`` as for :func:`diff_specs`.

    Parameters
    ----------
    old, new : sequence of MarginTier
        The tier tables before and after.
    ignore : iterable of str, optional
        Fields left out of the comparison: ``source`` and ``as_of``.
    """
    skip = {f.strip().lower() for f in ignore}
    fields = [f for f in (*_TIER_FIELDS, *STAMP_FIELDS) if f not in skip]

    def index(tiers: Sequence[MarginTier]) -> dict[str, MarginTier]:
        return {f"{t.key} tier {t.tier}".lower(): t for t in tiers}

    a, b = index(old), index(new)
    changes: list[Change] = []
    for k, t in a.items():
        label = f"{t.key} tier {t.tier}"
        if k not in b:
            changes.append(Change("removed", label, "", f"mmr {format(t.mmr, 'g')}", None))
            continue
        for f in fields:
            x, y = getattr(t, f), getattr(b[k], f)
            if not _same(x, y):
                changes.append(Change("changed", label, f, x, y))
    for k, t in b.items():
        if k not in a:
            changes.append(
                Change("added", f"{t.key} tier {t.tier}", "", None, f"mmr {format(t.mmr, 'g')}")
            )
    return SpecDiff(tuple(changes))
