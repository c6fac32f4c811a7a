"""Register the add-in with LibreOffice (``unopkg``), for the user or, as root, shared.

``unopkg`` refuses a per-user install when run as root; root gets the documented
equivalent, ``unopkg add --shared``, which installs for every user of that LibreOffice.
``profile`` (tests, recalc) points both the user profile and the shared-extension cache
into one directory, so nothing outside it changes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ._extension import EXTENSION_ID, build_oxt, import_paths
from ._office import Office, OfficeError, env_args, find_office, require_matching_python, run

__all__ = [
    "env_args",
    "install",
    "is_installed",
    "is_root",
    "shared_extensions",
    "uninstall",
    "write_profile_settings",
]

#: Recalculate every formula of an .xlsx/.xlsm on load: without it LibreOffice keeps the
#: cached values of non-array cells in files that say Excel wrote them (XlsxWriter's do).
_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Recovery/RecoveryInfo"><prop oor:name="Enabled" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def write_profile_settings(profile: Path) -> None:
    """A fresh profile that recalculates on load and never offers document recovery."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_SETTINGS, encoding="utf-8")


def _unopkg(office: Office, profile: Path | None, command: str, *args: str) -> list[str]:
    """``unopkg COMMAND [--shared] [-env:...] ARGS`` (the command must come first)."""
    cmd = [str(office.unopkg), command]
    if profile is not None or is_root():
        cmd.append("--shared")
    if profile is not None:
        cmd += env_args(profile)
    return [*cmd, *args]


def _shared(profile: Path | None) -> bool:
    return profile is None and is_root()


def shared_extensions(office: Office) -> Path:
    """Where ``unopkg add --shared`` keeps extensions: the installation's
    ``share/uno_packages/cache`` (on Debian a link to /var/spool/libreoffice/...)."""
    return (office.program.parent / "share" / "uno_packages" / "cache").resolve()


def _where(office: Office, profile: Path | None) -> str:
    if profile is not None:
        return f"into the profile {profile}"
    if is_root():
        return (
            f"for every user of the LibreOffice in {office.program.parent} (run as root: "
            f"unopkg add --shared, into {shared_extensions(office)})"
        )
    return "for this user"


def _check_profile(profile: Path | None) -> None:
    """A --profile folder that exists or can be created (the message names it)."""
    if profile is None:
        return
    if profile.exists() and not profile.is_dir():
        raise OfficeError(f"--profile {str(profile)[:80]!r} is a file, not a folder")
    try:
        profile.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OfficeError(
            f"--profile {str(profile)[:80]!r} cannot be created: {exc.strerror}"
        ) from None


def install(profile: Path | None = None, office: Office | None = None) -> str:
    """Build the extension from this Python's microsize.udfs and register it: for this
    user, into ``profile``, or (as root, where unopkg refuses a per-user install) for every
    user of that LibreOffice, which the returned text says, with where."""
    office = office or find_office()
    require_matching_python(office)
    _check_profile(profile)
    with tempfile.TemporaryDirectory(prefix="microsize-oxt-") as tmp:
        oxt = build_oxt(Path(tmp) / "microsize.oxt")
        run(_unopkg(office, profile, "add", "--force", str(oxt)), "unopkg add")
    import numpy

    numpy_root = str(Path(numpy.__file__).resolve().parent.parent)
    return (
        f"installed the microsize add-in {_where(office, profile)}; restart LibreOffice to "
        f"use it. LibreOffice's Python will import microsize from {import_paths()[0]} and "
        f"numpy from {numpy_root}"
    )


def is_installed(profile: Path | None = None, office: Office | None = None) -> bool:
    office = office or find_office()
    return EXTENSION_ID in run(_unopkg(office, profile, "list"), "unopkg list")


def uninstall(profile: Path | None = None, office: Office | None = None) -> str:
    office = office or find_office()
    _check_profile(profile)
    if not is_installed(profile, office):
        return "the microsize add-in is not installed"
    run(_unopkg(office, profile, "remove", EXTENSION_ID), "unopkg remove")
    return f"removed the microsize add-in {_where(office, profile)}; restart LibreOffice"
