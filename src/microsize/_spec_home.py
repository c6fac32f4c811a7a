"""The files behind the tables: the user's folder (``$MICROSIZE_HOME`` or ``~/.microsize``)
and the tables shipped in ``microsize/data``, read as CSV rows.

Paths are text (os.path): the sizing commands never import pathlib, which costs more
start-up than reading the tables; only the functions that return a Path import it.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ._errors import MicrosizeError

if TYPE_CHECKING:  # pathlib is imported by the functions that return a Path (start-up time)
    from pathlib import Path

__all__ = [
    "HOME_ENV",
    "SPECS_FILE",
    "TIERS_FILE",
    "bundled_text",
    "file_stamp",
    "home_dir",
    "parse_csv",
    "read_user_table",
    "user_file",
    "user_home",
    "user_specs_path",
    "user_tiers_path",
]

#: Environment variable naming the directory of the user tables (default ``~/.microsize``).
HOME_ENV = "MICROSIZE_HOME"
SPECS_FILE = "contract_specs.csv"
TIERS_FILE = "margin_tiers.csv"


def home_dir(environ: Mapping[str, str] | None = None) -> str:
    """The directory of the user tables as text (os.path: the sizing commands never import
    pathlib, which costs more start-up than reading the tables)."""
    env = os.environ if environ is None else environ
    raw = (env.get(HOME_ENV) or "").strip()
    if raw:
        return os.path.expanduser(raw)
    return os.path.join(os.path.expanduser("~"), ".microsize")


def user_file(name: str, home: str | os.PathLike[str] | None) -> str:
    """A user table's path: in ``home`` when given, else in :func:`user_home`."""
    base = home_dir() if home is None else os.path.expanduser(os.fspath(home))
    return os.path.join(base, name)


def user_home(environ: Mapping[str, str] | None = None) -> Path:
    """The directory of the user tables: ``$MICROSIZE_HOME`` or ``~/.microsize``.

    Public because a script or a notebook needs the answer: it is where ``microsize specs
    refresh --apply`` writes ``contract_specs.csv`` and ``margin_tiers.csv``, and where a
    user puts a hand-edited table that :func:`load_specs` then reads instead of the
    bundled one.

    Parameters
    ----------
    environ : mapping, optional
        The environment to read ``MICROSIZE_HOME`` from; ``os.environ`` when omitted.
    """
    from pathlib import Path

    return Path(home_dir(environ))


def user_specs_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the user's contract table lives (it may not exist)."""
    return user_home(environ) / SPECS_FILE


def user_tiers_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the user's margin-tier table lives (it may not exist)."""
    return user_home(environ) / TIERS_FILE


def bundled_text(name: str) -> str:
    """A table shipped in ``microsize/data``: read next to this file (no importlib.resources,
    which costs more start-up than the table), else through importlib.resources (a zipped
    package)."""
    try:
        with open(os.path.join(os.path.dirname(__file__), "data", name), encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        from importlib import resources

        return resources.files("microsize").joinpath("data", name).read_text(encoding="utf-8")


def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def file_stamp(path: str) -> tuple[str, int, int] | None:
    """(path, mtime, size) of an existing user table, else None: the cache key, so an
    applied refresh or an edit is read on the next call without a restart."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_mtime_ns, st.st_size)


def read_user_table(stamp: tuple[str, int, int]) -> list[list[str]]:
    from ._csvtext import normalise, parse_csv_bytes  # only when there is a user table

    path = stamp[0]
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise MicrosizeError(f"user table {path}: cannot be read ({exc.strerror})") from None
    table = parse_csv_bytes(data, f"user table {path}")  # as Excel saves it, like --specs
    return [[normalise(c, table.convention) for c in row] for row in table.rows]
