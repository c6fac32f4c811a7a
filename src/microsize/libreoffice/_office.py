"""Find LibreOffice, its Python bridge and its Python, and run its tools.

LibreOffice runs Python components in its own interpreter: on Debian and Ubuntu the system
``python3`` (``python3-uno`` provides the bridge), in the builds from libreoffice.org a
Python inside the installation. microsize and numpy must be importable there. The add-in
adds the import paths of the Python that installed it, so that Python must have the same
version (``major.minor``) as LibreOffice's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import MicrosizeError

__all__ = [
    "RESULT_END",
    "ClientResult",
    "Office",
    "OfficeError",
    "env_args",
    "exit_text",
    "find_office",
    "listening",
    "office_python",
    "office_python_version",
    "read_result",
    "require_matching_python",
    "run",
    "run_uno_client",
    "start",
    "stop",
    "tool_env",
]

_DEBIAN_PACKAGES = "libreoffice-calc python3-uno libreoffice-script-provider-python"
_SOFFICE_CANDIDATES = (
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/usr/local/lib/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)


class OfficeError(MicrosizeError):
    """LibreOffice, its Python bridge or a matching Python is missing, or a tool failed."""


@dataclass(frozen=True)
class Office:
    soffice: Path
    program: Path

    @property
    def unopkg(self) -> Path:
        for name in ("unopkg", "unopkg.com", "unopkg.exe", "unopkg.bin"):
            if (self.program / name).exists():
                return self.program / name
        raise OfficeError(f"LibreOffice's unopkg is missing in {self.program}")


def find_office() -> Office:
    """LibreOffice's soffice: $MICROSIZE_SOFFICE, then soffice/libreoffice on PATH, then
    the usual install locations."""
    candidates: list[str] = []
    if os.environ.get("MICROSIZE_SOFFICE"):
        candidates.append(os.environ["MICROSIZE_SOFFICE"])
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            candidates.append(found)
    candidates += [
        *_SOFFICE_CANDIDATES,
        *sorted(map(str, Path("/opt").glob("libreoffice*/program/soffice"))),
    ]
    for c in candidates:
        path = Path(c)
        if path.is_file():
            real = path.resolve()
            if real.name == "libreoffice" or not (real.parent / "types.rdb").exists():
                # /usr/bin/libreoffice is a shell script next to nothing: find the program dir
                for guess in ("/usr/lib/libreoffice/program", "/opt/libreoffice/program"):
                    if (Path(guess) / "soffice").exists():
                        return Office(Path(guess) / "soffice", Path(guess))
            return Office(real, real.parent)
    raise OfficeError(
        "LibreOffice is not installed (no soffice found; set MICROSIZE_SOFFICE to its path). "
        f"Debian/Ubuntu: apt-get install {_DEBIAN_PACKAGES}"
    )


def env_args(profile: Path) -> list[str]:
    """soffice/unopkg arguments that keep the profile and shared extensions in ``profile``."""
    return [
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        f"-env:UNO_SHARED_PACKAGES_CACHE={(profile / 'shared').resolve().as_uri()}",
    ]


def office_python_version(office: Office) -> tuple[int, int]:
    """The Python version LibreOffice runs components with; OfficeError without a bridge."""
    program = office.program
    homes = (program, program.parent / "Resources")  # macOS keeps Python files in Resources
    if not any((d / "pythonloader.py").exists() for d in homes):
        raise OfficeError(
            "LibreOffice's Python bridge is missing (no pythonloader.py in "
            f"{program}). Debian/Ubuntu: apt-get install python3-uno "
            "libreoffice-script-provider-python"
        )
    # A Python bundled with LibreOffice (libreoffice.org builds, Windows, macOS)
    for lib in sorted(program.glob("python-core-*")) + sorted(program.glob("python3*.dll")):
        m = re.search(r"(\d+)\.?(\d+)", lib.name.replace("python-core-", ""))
        if m:
            return int(m.group(1)), int(m.group(2))
    # The system Python the bridge links against (Debian, Ubuntu, Fedora)
    for name in ("libpyuno.so", "libpyuno.dylib"):
        lib = program / name
        if lib.exists():
            linked = re.search(rb"libpython(\d+)\.(\d+)", lib.read_bytes())
            if linked:
                return int(linked.group(1)), int(linked.group(2))
    raise OfficeError(f"cannot tell which Python LibreOffice in {program} runs")


def require_matching_python(office: Office) -> tuple[int, int]:
    """Refuse, with the way out, when this Python cannot serve LibreOffice's."""
    want = office_python_version(office)
    have = sys.version_info[:2]
    if have != want or sys.implementation.name != "cpython":
        v = f"{want[0]}.{want[1]}"
        raise OfficeError(
            f"LibreOffice runs Python {v}, this is {sys.implementation.name} "
            f"{have[0]}.{have[1]}: packages built for one do not load in the other. Install "
            f"microsize for Python {v} (e.g. python{v} -m venv --system-site-packages ~/.microsize-lo "
            f"&& ~/.microsize-lo/bin/pip install microsize) and run its microsize"
        )
    return want


def tool_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for soffice and unopkg.

    LibreOffice's embedded system Python finds its standard library from the first
    ``python3`` on PATH: a pyenv or venv ``bin`` first on PATH makes it load the wrong one
    (unopkg then dies with ``std::bad_alloc``). The system Python's directory goes first.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
    for d in ("/usr/bin", "/usr/local/bin", "/bin"):
        if any(Path(d).glob("python3*")):
            env["PATH"] = d + os.pathsep + env.get("PATH", "")
            break
    env.update(extra or {})
    return env


def _new_group() -> dict[str, Any]:
    """Popen arguments that start a tool in a process group of its own.

    soffice is a script that starts ``soffice.bin``: ending the process Popen knows would
    leave the office running. In its own group every process of the tool can be ended at
    once (and a Ctrl-C at the terminal reaches only microsize, which then ends the tool).
    """
    if os.name == "posix":
        return {"start_new_session": True}
    return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}


def _group_running(pgid: int) -> bool:
    """Whether a process of group ``pgid`` still runs. Zombies do not count: a container's
    init may never reap a killed soffice.bin whose parent died first."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def stop(process: subprocess.Popen[Any], grace: float = 5.0) -> None:
    """End a tool started in its own group (see :func:`start`) and everything it started:
    SIGTERM to the group, up to ``grace`` seconds for all of it to end, then SIGKILL to
    whatever is left. It returns once none of the group runs (so that a throwaway profile
    can be removed)."""
    if os.name != "posix":
        process.kill()
        process.wait()
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            break  # the whole group is gone
        deadline = time.monotonic() + grace
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
        while _group_running(process.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if not _group_running(process.pid):
            break
    process.wait()


def start(
    cmd: list[str], what: str, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.Popen[str]:
    """Start a LibreOffice tool in its own process group (end it with :func:`stop`)."""
    try:
        return subprocess.Popen(
            cmd,
            env=tool_env(env),
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            **_new_group(),
            **kwargs,
        )
    except OSError as exc:
        raise OfficeError(f"{what}: cannot run {cmd[0]} ({exc.strerror})") from None


def run(cmd: list[str], what: str, timeout: float = 300, env: dict[str, str] | None = None) -> str:
    """Run a LibreOffice tool; OfficeError with its output when it fails.

    The tool and every process it starts are ended when it outlives ``timeout`` or when
    this process is interrupted (Ctrl-C): no soffice is left running.
    """
    process = start(cmd, what, env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = _outputs(process, timeout, f"{what}: LibreOffice")
    if process.returncode != 0:
        tail = (err or out).strip().splitlines()[-3:]
        raise OfficeError(
            f"{what} failed ({exit_text(process.returncode)}): {' '.join(tail)[:300]}"
        )
    return out + err


def _outputs(process: subprocess.Popen[str], timeout: float, who: str) -> tuple[str, str]:
    """stdout and stderr of a tool started by :func:`start`, once it has ended; the tool
    and everything it started are ended first when it outlives ``timeout`` (OfficeError)
    or this process is interrupted (KeyboardInterrupt goes on)."""
    with process:
        try:
            return process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop(process)
            raise OfficeError(f"{who} did not finish within {timeout:.0f} s") from None
        except BaseException:
            stop(process)
            raise


def exit_text(code: int) -> str:
    """``exit 1``, or ``killed by SIGSEGV (exit -11)`` for a process ended by a signal."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name} (exit {code})"
    return f"exit {code}"


def office_python(office: Office) -> Path:
    """The Python interpreter LibreOffice runs components with (it can ``import uno``)."""
    version = "{}.{}".format(*office_python_version(office))
    for candidate in (
        office.program / "python",
        office.program / "python.exe",
        Path(f"/usr/bin/python{version}"),
    ):
        if candidate.is_file():
            return candidate
    raise OfficeError(
        f"no Python {version} for LibreOffice found (in {office.program} or /usr/bin)"
    )


@contextlib.contextmanager
def listening(office: Office, profile: Path, pipe: str) -> Iterator[subprocess.Popen[str]]:
    """A headless soffice accepting UNO connections on ``pipe``; ended (with every process
    it started) when the block is left, however it is left."""
    process = start(
        [
            str(office.soffice),
            *env_args(profile),
            "--headless",
            "--norestore",
            f"--accept=pipe,name={pipe};urp;",
        ],
        "LibreOffice",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        try:
            process.wait(timeout=30)  # a client that calls desktop.terminate() ends it
        except subprocess.TimeoutExpired:
            pass
        finally:
            stop(process)


# --------------------------------------------------------------------- UNO clients
#: The last line of a UNO client's result file: the SHA-256 of everything before it.
RESULT_END = "# end of results, sha256="
#: Defines ``RESULT`` (the result file) and ``write_result(value)`` for a client script;
#: prepended to every script :func:`run_uno_client` runs. The results are written to a
#: temporary file beside RESULT and renamed, so RESULT is either absent or whole.
_CLIENT_PRELUDE = f"""\
import hashlib as _hashlib, json as _json, os as _os, sys as _sys
RESULT = _sys.argv.pop(1)
def write_result(value):
    text = _json.dumps(value, sort_keys=True) + "\\n"
    digest = _hashlib.sha256(text.encode("utf-8")).hexdigest()
    partial = RESULT + ".partial"
    with open(partial, "w", encoding="utf-8") as f:
        f.write(text + {RESULT_END!r} + digest + "\\n")
        f.flush()
        _os.fsync(f.fileno())
    _os.replace(partial, RESULT)
"""

_log = logging.getLogger("microsize.libreoffice")


@dataclass(frozen=True)
class ClientResult:
    """What a UNO client wrote, and why its exit status was accepted when it was not 0."""

    value: Any
    returncode: int
    note: str = ""


def read_result(path: Path) -> Any:
    """The value a client wrote with ``write_result``; OfficeError when the file is missing,
    cut short (no end line) or does not match its checksum."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OfficeError("it wrote no results") from None
    body, sep, tail = text.rpartition(RESULT_END)
    if not sep or not tail.endswith("\n"):
        raise OfficeError(f"its results are incomplete ({len(text)} bytes, no end line)")
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != tail.strip():
        raise OfficeError("its results do not match their checksum")
    return json.loads(body)


def run_uno_client(
    script: str,
    args: Sequence[str],
    python: str | Path,
    workdir: Path,
    timeout: float = 180,
) -> ClientResult:
    """Run ``script`` (Python source that connects to a running soffice and calls
    ``write_result(value)`` once it has everything) with LibreOffice's ``python``.

    PyUNO may crash while the interpreter shuts down after the office has gone (the bridge
    is torn down under it: exit -11, SIGSEGV), after the results were written. Results
    that are complete and verified (end line, checksum) are accepted from a client killed
    by a signal; the reason is logged and returned in ``note``. A client that exits with
    an error, or without complete results, is an OfficeError with the reason and its
    stderr.
    """
    source = workdir / "uno_client.py"
    result = workdir / "uno_client.json"
    source.write_text(_CLIENT_PRELUDE + script, encoding="utf-8")
    result.unlink(missing_ok=True)
    process = start(
        [str(python), str(source), str(result), *args],
        "the UNO client",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = _outputs(process, timeout, "the UNO client")
    code = process.returncode
    stderr = " ".join((err or out).strip().splitlines()[-5:])[-400:]
    try:
        value = read_result(result)
    except OfficeError as exc:
        ended = f"was {exit_text(code)}" if code < 0 else f"ended with {exit_text(code)}"
        raise OfficeError(f"the UNO client {ended} and {exc}: {stderr}") from None
    if code == 0:
        return ClientResult(value, code)
    if code > 0:
        raise OfficeError(f"the UNO client failed ({exit_text(code)}): {stderr}")
    note = (
        f"the UNO client was {exit_text(code)} after writing its complete results "
        f"(end line and checksum verified): results accepted. stderr: {stderr or '(empty)'}"
    )
    _log.warning(note)
    return ClientResult(value, code, note)
