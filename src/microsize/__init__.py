"""microsize: precise risk allocation with crypto micro-futures."""

from __future__ import annotations

__version__ = "0.1.0"
