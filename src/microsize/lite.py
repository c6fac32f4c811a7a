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

from .udfs import *  # noqa: F403  (exactly the names udfs.__all__ lists: the MF_ functions)
from .udfs import __all__ as __all__
