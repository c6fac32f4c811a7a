"""The MF_ Excel functions and nothing else, for an xlwings Lite workbook's main.py.

xlwings Lite (Excel on Windows, macOS and the web, with Python running in Pyodide)
registers the custom functions of the workbook's Python code. One line in main.py brings
in every microsize function under its Excel name::

    from microsize.lite import *

``from microsize.udfs import *`` would also bind that module's helpers and imports
(``arg``, ``np``, ``xw``, the core functions), and ``arg`` would then replace xlwings'
own decorator for the rest of main.py. This module exports only the MF_ functions: the
same objects as ``microsize.udfs``, decorated there with ``xlwings.func`` and
``xlwings.arg`` (category, argument descriptions, dimensions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import udfs as _udfs


def _excel_functions() -> dict[str, Callable[..., Any]]:
    """Every MF_ function of :mod:`microsize.udfs`, by name."""
    return {
        name: value
        for name, value in vars(_udfs).items()
        if name.startswith("MF_") and callable(value)
    }


_FUNCTIONS = _excel_functions()
globals().update(_FUNCTIONS)
__all__ = sorted(_FUNCTIONS)
