"""The MF_ Excel functions and nothing else, for an xlwings Lite workbook's main.py.

xlwings Lite (Excel on Windows, macOS and the web, with Python running in Pyodide)
registers the custom functions of the workbook's Python code. One line in main.py brings
in every microsize function under its Excel name::

    from microsize.lite import *

This module exports only the MF_ functions, the names ``microsize.udfs`` lists in its
``__all__``: the same objects, decorated with ``xlwings.func`` and ``xlwings.arg``
(category, argument descriptions, dimensions) in the family modules ``udfs`` gathers. Lite's sample main.py imports ``func``,
``script``, ``arg`` and ``ret`` from xlwings first; the line never rebinds them.
"""

from __future__ import annotations

from .udfs import *  # noqa: F403  (exactly the names udfs.__all__ lists: the MF_ functions)
from .udfs import __all__ as __all__
