"""Test isolation: a user's real ~/.microsize never reaches the suite.

``MICROSIZE_HOME`` points at an empty temporary directory for the whole session (set at
import, so the doctests collected after this file see it too), and every test starts
with a fresh empty home and no cached tables.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from microsize._contracts import HOME_ENV, MAX_AGE_ENV

_SESSION_HOME = tempfile.mkdtemp(prefix="microsize-home-")
os.environ[HOME_ENV] = _SESSION_HOME
os.environ.pop(MAX_AGE_ENV, None)


def _clear() -> None:
    from microsize.refresh import reload_tables

    reload_tables()


@pytest.fixture(autouse=True)
def microsize_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty user-table directory for each test; caches cleared before and after."""
    home = tmp_path / "microsize-home"
    monkeypatch.setenv(HOME_ENV, str(home))
    monkeypatch.delenv(MAX_AGE_ENV, raising=False)
    _clear()
    yield home
    _clear()
