"""The one exception type microsize raises for caller mistakes."""

from __future__ import annotations

__all__ = ["MicrosizeError", "TooManyStepsError"]


class MicrosizeError(ValueError):
    """Bad input: the message names the argument, what was expected and the value received.

    It subclasses :class:`ValueError` so callers that already catch ``ValueError`` keep
    working. In Excel the message is what the cell shows.

    ``brief`` is the message without the value received or the advice (``risk must be
    positive at row 2``), for a cell with room for one short line beside other text;
    without one it is the whole message.
    """

    def __init__(self, message: str, *, brief: str | None = None) -> None:
        super().__init__(message)
        self.brief = message if brief is None else brief


class TooManyStepsError(MicrosizeError):
    """A budget that counts more lot steps than a float holds at these prices (a size
    of inf). A caller whose user typed other arguments (MF_SIZE's equity and risk, not
    a risk_amount) says it in their words."""
