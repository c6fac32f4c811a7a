"""xlwings Lite: what can be checked here without Lite itself.

Lite runs Python in Pyodide (CPython 3.12 compiled to WebAssembly; ``sys.platform`` is
"emscripten") and installs the packages of the workbook's requirements.txt with micropip:
a pure-Python wheel, or a package Pyodide builds itself such as numpy and pandas
(https://lite.xlwings.org/dependencies, https://pyodide.org/en/stable/usage/packages-in-pyodide.html).
A Lite user puts microsize in requirements.txt and ``from microsize.lite import *`` in
main.py (README, "Set-up: macOS and Excel on the web (xlwings Lite)"). Checked here: the
wheel is pure Python and self-contained, every dependency exists for Pyodide, the Windows
pin of xlwings does not apply there, the line in main.py binds exactly the MF_ functions,
and those carry the xlwings decorators Lite reads. Not checked (no Lite, no Excel here):
that Lite registers them.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlwings
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

import microsize.lite as lite
from microsize.udfs_args import FAMILIES

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
TEMPLATE = ROOT / "workbook" / "microsize.xlsm"
LOCK = json.loads(
    (ROOT / "tests" / "fixtures" / "pyodide" / "pyodide-lock-0.27.5.json").read_text()
)

#: The marker environment of Pyodide 0.27.5: Python 3.12.7 (pyodide-lock.json), and
#: sys.platform "emscripten", platform.system() "Emscripten", machine "wasm32"
#: (https://pyodide.org/en/stable/usage/faq.html, "How to detect that code is run with Pyodide?").
PYODIDE = {
    "implementation_name": "cpython",
    "implementation_version": "3.12.7",
    "os_name": "posix",
    "platform_machine": "wasm32",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_system": "Emscripten",
    "platform_version": "",
    "python_full_version": "3.12.7",
    "python_version": "3.12",
    "sys_platform": "emscripten",
}
#: The xlwings version new Lite workbooks pin in requirements.txt (Lite 1.0.0.0-18,
#: https://lite.xlwings.org/changelog.html); microsize must accept it beside the latest.
LITE_XLWINGS = "0.33.15"


def _project() -> dict[str, Any]:
    tomllib = pytest.importorskip("tomllib")
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def _decorated_in_source() -> set[str]:
    """Functions that the declaration modules behind microsize/udfs.py (``FAMILIES``)
    decorate with ``xw.func``, read from their source."""
    names = set()
    for family in FAMILIES:
        path = SRC / "microsize" / f"{family.rpartition('.')[2]}.py"
        names |= _decorated_in(path.read_text(encoding="utf-8"))
    return names


def _decorated_in(source: str) -> set[str]:
    tree = ast.parse(source)
    names = set()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            if ast.unparse(target) in {"xw.func", "xlwings.func", "func"}:
                names.add(node.name)
    return names


# --------------------------------------------------------------- the line in main.py
def test_star_import_binds_exactly_the_excel_functions() -> None:
    decorated = _decorated_in_source()
    assert len(decorated) >= 30
    ns: dict[str, Any] = {}
    # Lite's sample main.py imports these names first: the line must not rebind them
    exec("import xlwings as xw\nfrom xlwings import func, script, arg, ret\n", ns)
    exec("from microsize.lite import *", ns)
    bound = {k for k in ns if k != "__builtins__"} - {"xw", "func", "script", "arg", "ret"}
    assert bound == decorated
    assert set(lite.__all__) == decorated
    for name in ("func", "script", "arg", "ret"):
        assert ns[name] is getattr(xlwings, name), name
    assert ns["xw"] is xlwings


def test_exported_functions_are_the_udfs_themselves() -> None:
    from microsize import udfs

    for name in lite.__all__:
        assert getattr(lite, name) is getattr(udfs, name), name
    # the same function, not a copy: a known result through the exported name
    # (CME Micro Bitcoin: 0.1 bitcoin per contract, so a $1,000 budget over a $1,000 stop
    # distance buys 10 contracts)
    assert lite.MF_SPEC("cme:MBT", "contract_size") == 0.1
    assert lite.MF_CONTRACTS(1000, 60000, 59000, "cme:MBT") == 10


def test_udfs_reexports_every_family_declaration() -> None:
    """microsize.udfs (what xlwings scans) holds every MF_ function the family modules
    declare, the same objects, and lists exactly them."""
    from microsize import udfs

    declared: set[str] = set()
    for family in FAMILIES:
        module = importlib.import_module(family)
        in_module = {n for n in vars(module) if n.startswith("MF_")}
        assert set(module.__all__) == in_module, family
        assert not declared & in_module, family  # each function declared once
        declared |= in_module
        for name in module.__all__:
            assert getattr(udfs, name) is getattr(module, name), name
    assert sorted(declared) == udfs.__all__
    assert {n for n in vars(udfs) if n.startswith("MF_")} == declared


def test_template_formulas_name_exported_functions() -> None:
    """Lite binds a formula to the function whose upper-cased Python name it calls."""
    used: set[str] = set()
    with zipfile.ZipFile(TEMPLATE) as book:
        for member in book.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                used |= set(re.findall(r"\b(MF_[A-Z0-9_]+)\(", book.read(member).decode()))
    assert len(used) >= 10
    assert used <= set(lite.__all__), sorted(used - set(lite.__all__))
    assert all(name == name.upper() for name in lite.__all__)


# ------------------------------------------------------------ what the decorators carry
_RECORDER = """
import inspect, json, sys
import xlwings

calls = {}

def _entry(fn):
    return calls.setdefault(fn.__name__, {"func": [], "args": {}})

def func(f=None, **kwargs):
    def inner(fn):
        _entry(fn)["func"].append(kwargs)
        return fn
    return inner if f is None else inner(f)

def arg(name, convert=None, **kwargs):
    def inner(fn):
        _entry(fn)["args"].setdefault(name, []).append(dict(kwargs, convert=repr(convert)))
        return fn
    return inner

def ret(*args, **kwargs):
    return lambda fn: fn

xlwings.func, xlwings.arg, xlwings.ret = func, arg, ret
import microsize.lite as lite
out = {}
for name in lite.__all__:
    fn = getattr(lite, name)
    out[name] = dict(calls.get(name, {}), params=list(inspect.signature(fn).parameters))
print(json.dumps(out))
"""


def _recorded() -> dict[str, Any]:
    """What each exported function passes to xlwings.func and xlwings.arg when decorated.

    On Linux these decorators do nothing, so a fresh interpreter replaces them with
    recorders before microsize is imported: in Lite, xlwings' runtime decorators receive
    the same calls.
    """
    env = dict(os.environ, PYTHONPATH=str(SRC))
    run = subprocess.run(
        [sys.executable, "-c", _RECORDER], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    recorded: dict[str, Any] = json.loads(run.stdout)
    return recorded


def test_every_function_is_decorated_with_category_and_argument_docs() -> None:
    recorded = _recorded()
    assert sorted(recorded) == lite.__all__
    for name, meta in recorded.items():
        assert meta.get("func") == [{"category": "microsize"}], name
        params, args = meta["params"], meta["args"]
        # every argument described once, and no description for an argument that is not there
        assert sorted(args) == sorted(params), name
        for param, calls in args.items():
            assert len(calls) == 1, (name, param)
            doc = calls[0].get("doc")
            assert isinstance(doc, str), (name, param)
            assert 0 < len(doc.strip()) <= 255, (name, param)
        assert inspect.getdoc(getattr(lite, name)), f"{name} has no docstring"


# -------------------------------------------------------------- dependencies in Pyodide
def _active(requirements: list[str], env: dict[str, str]) -> list[Requirement]:
    reqs = [Requirement(r) for r in requirements]
    return [r for r in reqs if r.marker is None or r.marker.evaluate(env)]


def _is_pure(dist: importlib.metadata.Distribution) -> bool:
    wheel = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
    return (
        "Root-Is-Purelib: true" in wheel
        and bool(tags)
        and all(t.endswith("-none-any") for t in tags)
    )


def _check_for_pyodide(req: Requirement, seen: set[str]) -> None:
    """A requirement micropip can meet in Pyodide: a Pyodide package or a pure wheel."""
    name = canonicalize_name(req.name)
    if name in seen:
        return
    seen.add(name)
    built = LOCK["packages"].get(name)
    if built is not None:
        assert req.specifier.contains(built["version"], prereleases=True), (str(req), built)
        return
    assert name != "xlwings", "xlwings is checked on its own"
    try:
        dist = importlib.metadata.distribution(req.name)
    except importlib.metadata.PackageNotFoundError:
        pytest.fail(f"{req} is no Pyodide package and not installed here to check its wheel")
    assert req.specifier.contains(dist.version, prereleases=True), (str(req), dist.version)
    assert _is_pure(dist), f"{req.name} {dist.version} is not a pure-Python wheel"
    for sub in _active(dist.requires or [], {**PYODIDE, "extra": ""}):
        _check_for_pyodide(sub, seen)


def test_every_dependency_exists_for_pyodide() -> None:
    project = _project()
    assert SpecifierSet(project["requires-python"]).contains(PYODIDE["python_full_version"])
    assert LOCK["info"]["python"] == PYODIDE["python_full_version"]
    active = _active(project["dependencies"], PYODIDE)
    names = [canonicalize_name(r.name) for r in active]
    assert len(names) == len(set(names)), names
    assert {"numpy", "pandas", "openpyxl", "xlsxwriter", "xlwings"} <= set(names)
    seen: set[str] = set()
    for req in active:
        if canonicalize_name(req.name) == "xlwings":
            continue
        _check_for_pyodide(req, seen)
    # numpy and pandas come from Pyodide's own builds; openpyxl, et-xmlfile, XlsxWriter
    # are pure-Python wheels
    assert {"numpy", "pandas", "openpyxl", "et-xmlfile", "xlsxwriter"} <= seen


def test_xlwings_pin_is_for_windows_only() -> None:
    """Windows needs exactly the xlwings whose DLL the template's VBA loads; Lite brings its own."""
    deps = _project()["dependencies"]
    for platform, system in (("win32", "Windows"), ("emscripten", "Emscripten")):
        env = {**PYODIDE, "sys_platform": platform, "platform_system": system}
        xl = [r for r in _active(deps, env) if canonicalize_name(r.name) == "xlwings"]
        assert len(xl) == 1, (platform, [str(r) for r in xl])
        if platform == "win32":
            assert str(xl[0].specifier) == "==0.37.8"
        else:
            # what Lite workbooks pin must satisfy it, or micropip refuses microsize
            assert xl[0].specifier.contains(LITE_XLWINGS)
            assert xl[0].specifier.contains("0.37.8")
    assert Marker("sys_platform == 'win32'").evaluate(PYODIDE) is False


def test_importing_the_functions_loads_nothing_pyodide_lacks() -> None:
    """Modules Pyodide removes or cannot run (https://pyodide.org/en/stable/usage/wasm-constraints.html)."""
    probe = (
        "import sys, numpy, xlwings\n"
        "before = set(sys.modules)\n"
        "import microsize.lite\n"
        "print(' '.join(sorted(set(sys.modules) - before)))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(SRC))
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    added = {m.split(".")[0] for m in run.stdout.split()}
    assert "microsize" in added
    lacking = {
        "curses", "dbm", "ensurepip", "fcntl", "grp", "idlelib", "lib2to3", "msvcrt",
        "multiprocessing", "pwd", "resource", "subprocess", "syslog", "termios", "tkinter",
        "turtle", "venv", "winreg", "winsound", "_ssl", "ssl", "lzma", "_lzma", "sqlite3",
        "_sqlite3", "socket", "_socket", "threading", "concurrent", "pandas", "openpyxl",
        "xlsxwriter", "ccxt",
    }  # fmt: skip
    assert not added & lacking, sorted(added & lacking)


# ---------------------------------------------------------------------- the wheel
def _build_wheel(tmp_path: Path) -> Path:
    """Build microsize's wheel offline from a copy of the sources (no index, no isolation)."""
    try:
        import setuptools

        new_enough = tuple(int(p) for p in setuptools.__version__.split(".")[:2]) >= (70, 1)
    except ImportError:
        new_enough = False
    has_wheel = importlib.util.find_spec("wheel") is not None
    if not (new_enough or has_wheel):
        reason = "building the wheel offline needs setuptools>=70.1 (the test extra)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    proj = tmp_path / "proj"
    proj.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, proj / name)
    shutil.copytree(
        SRC, proj / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    )
    dist = tmp_path / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    cmd += ["--no-index", "--disable-pip-version-check", str(proj), "-w", str(dist)]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout[-1500:] + run.stderr[-1500:]
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_is_pure_python_and_self_contained(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    assert wheel.name.endswith("-py3-none-any.whl"), wheel.name
    with zipfile.ZipFile(wheel) as whl:
        names = whl.namelist()
        info = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        assert "Root-Is-Purelib: true" in whl.read(info).decode()
        native = [n for n in names if n.endswith((".so", ".pyd", ".dll", ".dylib"))]
        assert native == []
        assert {"microsize/lite.py", "microsize/udfs.py"} <= set(names)
        assert any(n.startswith("microsize/data/") and n.endswith(".csv") for n in names)
        site = tmp_path / "site"
        whl.extractall(site)
    # the unpacked wheel alone answers with its bundled contract table
    probe = (
        "import sys\n"
        f"sys.path.insert(0, {str(site)!r})\n"
        "import microsize, microsize.lite as lite\n"
        f"assert microsize.__file__.startswith({str(site)!r}), microsize.__file__\n"
        "print(lite.MF_SPEC('cme:MBT', 'contract_size'), lite.MF_CONTRACTS(1000, 60000, 59000, 'cme:MBT'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    size, count = (float(x) for x in run.stdout.split())
    assert size == 0.1
    assert count == 10
