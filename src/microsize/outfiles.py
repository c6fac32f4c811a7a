"""Files the command line writes (workbooks, backups, pictures): whole or not at all.

A file is written to a temporary name in its own folder and renamed over the target
(``os.replace``, atomic on one file system), so an error or a Ctrl-C never leaves a
partial file; a backup is created only where no file exists, never over one. An OS
error is a :class:`MicrosizeError` naming the path the user gave, not the temporary one.
"""

from __future__ import annotations

import contextlib
import errno
import os
from typing import TYPE_CHECKING

from ._errors import MicrosizeError

if TYPE_CHECKING:  # pathlib and tempfile load only when a file is written (start-up time)
    from pathlib import Path

__all__ = ["show_path", "write_atomic", "write_new"]


def show_path(path: str | os.PathLike[str], limit: int = 100) -> str:
    """A path quoted for a message; a long one keeps its end (the file's name).

    >>> show_path("/tmp/" + "x" * 200 + "/file.txt", 30)
    "'...xxxxxxxxxxxxxxxxxx/file.txt'"
    """
    text = str(path)
    return repr(text if len(text) <= limit else "..." + text[len(text) - limit + 3 :])


def _refuse(path: Path, exc: OSError) -> MicrosizeError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    parent = path.parent
    if not parent.exists():
        reason = f"folder {show_path(parent)} does not exist"
    elif not parent.is_dir():
        reason = f"{show_path(parent)} is a file, not a folder"
    return MicrosizeError(f"cannot write {show_path(path, 160)} ({reason})")


def _mode_for(path: Path) -> int:
    """The permissions ``path`` gets: those of the file it replaces (or, for a backup, of
    the book it copies), else what a new file gets from the user's umask (0644 under the
    usual 022), as any program's output."""
    import stat

    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask: read from /proc on Linux (setting it to read it, elsewhere,
    changes it for every thread for a moment)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temp_beside(path: Path, data: bytes, like: Path | None = None) -> Path:
    """``data`` in a new temporary file in ``path``'s folder (removed again on any error)."""
    import tempfile
    from pathlib import Path

    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        if os.name == "posix":  # mkstemp's 0600 would replace the book's own permissions
            # a file system that stores no modes (FAT on a USB stick) refuses: write anyway
            with contextlib.suppress(OSError):
                os.fchmod(fd, _mode_for(like or path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _staged(
    path: str | os.PathLike[str], data: bytes, like: Path | None = None
) -> tuple[Path, Path]:
    """The target path and a complete temporary copy of ``data`` beside it; an OS error
    names the target."""
    from pathlib import Path

    target = Path(path)
    try:
        return target, _temp_beside(target, data, like)
    except OSError as exc:
        raise _refuse(target, exc) from None


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path``: the old file, if any, stays whole until the new one is."""
    target, tmp = _staged(path, data)
    try:
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _refuse(target, exc) from None
        raise
    return target


def write_new(path: str | os.PathLike[str], data: bytes, *, like: Path | None = None) -> bool:
    """Write ``data`` to ``path`` only if no file is there, whole (a hard link of a complete
    temporary file, which fails when the name exists); False if a file is there. With
    ``like`` (the book a backup copies), the new file takes that file's permissions."""
    target, tmp = _staged(path, data, like)
    try:
        os.link(tmp, target)
    except FileExistsError:
        return False
    except OSError as exc:  # a file system without hard links: exclusive create instead
        if exc.errno not in (errno.EPERM, errno.ENOSYS, errno.EOPNOTSUPP):
            raise _refuse(target, exc) from None
        return _write_exclusive(target, tmp)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _write_exclusive(target: Path, tmp: Path) -> bool:
    data = tmp.read_bytes()
    try:
        with target.open("xb") as fh:
            try:
                fh.write(data)
            except BaseException:
                fh.close()
                target.unlink(missing_ok=True)
                raise
    except FileExistsError:
        return False
    except OSError as exc:
        raise _refuse(target, exc) from None
    return True
