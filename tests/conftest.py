"""Test isolation and the quick loop.

``MICROSIZE_HOME`` points at an empty temporary directory for the whole session (set at
import, so the doctests collected after this file see it too), and every test starts
with a fresh empty home and no cached tables.

A test that starts LibreOffice (soffice, unopkg) or poppler must carry
``@pytest.mark.office`` (pyproject.toml), so that ``python -m pytest -m "not office"`` is
the quick loop: an audit hook refuses to start those programs from any other test, with a
message that says so, before anything runs.

Hypothesis runs derandomized with no example database (profile ``microsize``): the same
examples on every machine and every run, so CI never fails on an example nobody saw
before. ``HYPOTHESIS_PROFILE=hunt`` draws new random examples, for looking for bugs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from microsize._contracts import HOME_ENV, MAX_AGE_ENV

settings.register_profile("microsize", derandomize=True, database=None)
settings.register_profile("hunt", derandomize=False, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "microsize"))

_SESSION_HOME = tempfile.mkdtemp(prefix="microsize-home-")
os.environ[HOME_ENV] = _SESSION_HOME
os.environ.pop(MAX_AGE_ENV, None)

#: Programs only a test marked ``office`` may start (any folder, any suffix).
OFFICE_PROGRAMS = frozenset(
    {"soffice", "soffice.bin", "libreoffice", "oosplash", "unopkg", "unopkg.bin", "unopkg.com"}
    | {"pdftoppm", "pdftotext"}
)


class UnmarkedOfficeTestError(RuntimeError):
    """A test without the office marker tried to start LibreOffice or poppler."""


_running: dict[str, Any] = {"test": None, "office": True}


def office_program(argv: Any) -> str | None:
    """The office program a Popen argv starts, if it is one."""
    if isinstance(argv, (str, bytes, os.PathLike)):
        argv = [argv]
    try:
        first = os.fsdecode(next(iter(argv)))
    except (StopIteration, TypeError):
        return None
    name = first.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
    return name if name in OFFICE_PROGRAMS else None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "subprocess.Popen" or _running["office"]:
        return
    executable, argv = args[0], args[1]
    name = office_program(executable) or office_program(argv)
    if name:
        raise UnmarkedOfficeTestError(
            f"{_running['test']} starts {name} without the office marker: add "
            '@pytest.mark.office (pyproject.toml markers) so that -m "not office" skips it'
        )


sys.addaudithook(_audit)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Setup, call and teardown of a test run with its marker known to the audit hook."""
    _running.update(test=item.nodeid, office=item.get_closest_marker("office") is not None)
    try:
        return (yield)
    finally:
        _running.update(test=None, office=True)


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
