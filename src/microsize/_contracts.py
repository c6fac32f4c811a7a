"""Contract specifications: one name for what the modules below provide, where code has
always found it.

Each job has its module, lowest first:

- :mod:`microsize._spec_types`: the vocabulary (:class:`ContractSpec`, :class:`MarginTier`,
  the columns, the kinds);
- :mod:`microsize._spec_table`: :class:`SpecTable`, the one validator of a spec row;
- :mod:`microsize._tier_rows`: the one parser of a margin-tier row, :class:`TierTable`;
- :mod:`microsize._spec_home`: the user's folder and the bundled files;
- :mod:`microsize._spec_loader`: the tables in use, their caches, the one reset;
- :mod:`microsize._staleness`: how old a spec row is, and the warning;
- :mod:`microsize._resolve`: a ``contract`` argument into per-element arrays.

Code inside the package may import from the module that does the job; this module stays
the one place the public package and the workbook builder read them from.
"""

from __future__ import annotations

from ._resolve import ContractArrays as ContractArrays
from ._resolve import ContractLike as ContractLike
from ._resolve import SpecsLike as SpecsLike
from ._resolve import as_spec_table as as_spec_table
from ._resolve import groups as groups
from ._resolve import resolve_contracts as resolve_contracts
from ._spec_home import HOME_ENV as HOME_ENV
from ._spec_home import SPECS_FILE as SPECS_FILE
from ._spec_home import TIERS_FILE as TIERS_FILE
from ._spec_home import user_home as user_home
from ._spec_home import user_specs_path as user_specs_path
from ._spec_home import user_tiers_path as user_tiers_path
from ._spec_loader import clear_spec_caches as clear_spec_caches
from ._spec_loader import load_bundled_margin_tiers as load_bundled_margin_tiers
from ._spec_loader import load_bundled_specs as load_bundled_specs
from ._spec_loader import load_margin_tiers as load_margin_tiers
from ._spec_loader import load_specs as load_specs
from ._spec_loader import spec_field as spec_field
from ._spec_loader import spec_table_of_cells as spec_table_of_cells
from ._spec_loader import tier_table as tier_table
from ._spec_table import SpecTable as SpecTable
from ._spec_table import order_unit as order_unit
from ._spec_types import KIND_CODE as KIND_CODE
from ._spec_types import KINDS as KINDS
from ._spec_types import MAX_CONTRACT_SIZE as MAX_CONTRACT_SIZE
from ._spec_types import MIN_CONTRACT_SIZE as MIN_CONTRACT_SIZE
from ._spec_types import SPEC_COLUMNS as SPEC_COLUMNS
from ._spec_types import TIER_COLUMNS as TIER_COLUMNS
from ._spec_types import ContractSpec as ContractSpec
from ._spec_types import MarginTier as MarginTier
from ._staleness import DEFAULT_MAX_SPEC_AGE_DAYS as DEFAULT_MAX_SPEC_AGE_DAYS
from ._staleness import MAX_AGE_ENV as MAX_AGE_ENV
from ._staleness import max_spec_age_days as max_spec_age_days
from ._staleness import spec_age_days as spec_age_days
from ._staleness import stale_warning as stale_warning
from ._tier_rows import TierTable as TierTable
from ._tier_rows import tier_from_cells as tier_from_cells
from ._tier_rows import tiers_from_rows as tiers_from_rows

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
