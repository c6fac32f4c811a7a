"""A ``contract`` argument resolved against a spec table: one key, a number (a linear
contract of that size) or a range of either, into per-element parameter arrays."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from ._errors import MicrosizeError
from ._inputs import position
from ._spec_loader import load_specs
from ._spec_table import SpecTable
from ._spec_types import KIND_CODE, ContractSpec

__all__ = [
    "ContractArrays",
    "ContractLike",
    "SpecsLike",
    "as_spec_table",
    "groups",
    "resolve_contracts",
]

#: A ``contract`` argument: a key ``exchange:symbol``, a positive number (a linear contract
#: of that many units), or a range of either.
ContractLike: TypeAlias = npt.ArrayLike

#: A ``specs`` argument: a spec table, rows with a header row (a workbook range), or None
#: for the user's or the bundled table.
SpecsLike: TypeAlias = "SpecTable | Sequence[Sequence[Any]] | None"


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
    if type(contract) is str or type(contract) is float:  # one cell: resolved once a table
        found = table.resolved.get((type(contract), contract))
        if found is None:
            found = _frozen(_resolve(contract, table, name))
            if len(table.resolved) > 4096:
                table.resolved.clear()
            table.resolved[(type(contract), contract)] = found
        return found
    return _resolve(contract, table, name)


def _frozen(ca: ContractArrays) -> ContractArrays:
    """``ca`` with its arrays read-only: one answer shared by every call with the cell."""
    for a in (ca.kind, ca.size, ca.step, ca.min_qty, ca.codes):
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    return ca


def _resolve(contract: Any, table: SpecTable, name: str) -> ContractArrays:
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
