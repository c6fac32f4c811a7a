"""Find LibreOffice, its Python bridge and its Python, and run its tools.

LibreOffice runs Python components in its own interpreter: on Debian and Ubuntu the system
``python3`` (``python3-uno`` provides the bridge), in the builds from libreoffice.org a
Python inside the installation. microsize and numpy must be importable there. The add-in
adds the import paths of the Python that installed it, so that Python must have the same
version (``major.minor``) as LibreOffice's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .._errors import MicrosizeError

__all__ = [
    "Office",
    "OfficeError",
    "find_office",
    "office_python_version",
    "require_matching_python",
    "run",
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


def run(cmd: list[str], what: str, timeout: float = 300, env: dict[str, str] | None = None) -> str:
    """Run a LibreOffice tool; OfficeError with its output when it fails."""
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=tool_env(env),
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise OfficeError(f"{what}: LibreOffice did not finish within {timeout:.0f} s") from None
    except OSError as exc:
        raise OfficeError(f"{what}: cannot run {cmd[0]} ({exc.strerror})") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise OfficeError(f"{what} failed (exit {done.returncode}): {' '.join(tail)[:300]}")
    return done.stdout + done.stderr
