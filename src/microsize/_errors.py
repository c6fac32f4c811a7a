"""The one exception type microsize raises for caller mistakes."""

from __future__ import annotations

__all__ = ["MicrosizeError"]


class MicrosizeError(ValueError):
    """Bad input: the message names the argument, what was expected and the value received.

    It subclasses :class:`ValueError` so callers that already catch ``ValueError`` keep
    working. In Excel the message is what the cell shows.
    """
