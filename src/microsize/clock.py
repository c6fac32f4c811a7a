"""Today's date: the only place microsize reads the clock.

The core never reads it (functions that age a spec take ``today=``); the edges (MF_SIZE,
the command line, the refresh stamp) call :func:`today`, and tests and the workbook
builder replace ``microsize.clock.today`` to pin the date.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["today"]


def today() -> dt.date:
    """Today's date (replace ``microsize.clock.today`` to pin it)."""
    return dt.date.today()
