"""Lint and type checks run with the tests, so one command checks everything."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint_and_format() -> None:
    """ruff's lint (with the complexity and naming rules, see pyproject.toml) and format
    check. A missing ruff is a failure, never a skip: CI must not pass unchecked."""
    assert shutil.which("ruff") is not None, "ruff is not installed: pip install -e '.[test]'"
    lint = _run("ruff", "check", "src", "tests", "bench")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = _run("ruff", "format", "--check", "src", "tests", "bench")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict_on_the_package() -> None:
    """mypy --strict over src/microsize; a missing mypy fails (never skips)."""
    try:
        import mypy  # noqa: F401
    except ImportError:
        pytest.fail("mypy is not installed: pip install -e '.[test]'")
    res = _run(sys.executable, "-m", "mypy")
    assert res.returncode == 0, res.stdout + res.stderr


def test_core_never_imports_the_edges() -> None:
    """Core modules stay pure: they import no xlwings, openpyxl, CLI or UDF module."""
    banned = {"xlwings", "openpyxl", "argparse", "microsize.cli", "microsize.udfs", "cli", "udfs"}
    core = sorted((ROOT / "src" / "microsize").glob("_*.py"))
    assert len(core) >= 5
    for path in core:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [a.name for a in node.names]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in banned, f"{path.name} imports {name}"
                assert name not in banned, f"{path.name} imports {name}"


PACKAGE = "microsize"


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(src: Path, package: str = PACKAGE) -> dict[str, set[str]]:
    """Which modules of ``package`` each of its modules imports, from the source (every
    import statement, at module level or inside a function: a lazy import is still a
    dependency). ``from . import x`` counts as importing the module ``x``."""
    root = src / package
    modules = {_module_name(p, src): p for p in root.rglob("*.py") if "uno" not in p.parts}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        base = mod.split(".") if is_pkg else mod.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = base[: len(base) - node.level + 1]
                    stem = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                targets = [stem] + [f"{stem}.{a.name}" for a in node.names]
            for t in targets:
                if t in modules and t != mod and not mod.startswith(t + "."):
                    graph[mod].add(t)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or None (depth-first search)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return [*path[path.index(n) :], n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        path.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_package_has_no_import_cycle() -> None:
    """Dependencies run one way (edges import the core, the core's modules build on one
    another without a loop); a package module may import its own submodules."""
    graph = import_graph(ROOT / "src")
    assert graph["microsize._size_table"] >= {"microsize._sizing", "microsize._liq_check"}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: a two-module loop and a three-module loop are found."""
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


# ----------------------------------------------------------- private names stay home


def _is_module(parts: list[str]) -> bool:
    """Whether the dotted name (from the repository root, under src/ or not) is a module."""
    for base in (ROOT / "src", ROOT):
        path = base.joinpath(*parts)
        if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
            return True
    return False


def _package_of(path: Path) -> list[str]:
    rel = path.relative_to(ROOT / "src" if path.is_relative_to(ROOT / "src") else ROOT)
    return list(rel.parent.parts)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_imports(path: Path, text: str | None = None) -> list[tuple[int, str]]:
    """(line, what) for each private name this file takes from another module: ``from m
    import _x`` and ``m._x`` on a module bound by an import. A private module itself
    (``_sizing``, ``libreoffice._recalc``) is a package's inside reached through its
    plain, module-level names: importing it is no crossing, its private names are."""
    package = _package_of(path)
    tree = ast.parse(path.read_text(encoding="utf-8") if text is None else text)
    modules: set[str] = set()  # local names bound to a module of the project
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("microsize", "tests"):
                    modules.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = (node.module or "").split(".") if node.module else []
            if node.level:
                base = package[: len(package) - node.level + 1] + base
            if not base or base[0] not in ("microsize", "tests"):
                continue
            for alias in node.names:
                is_module = _is_module([*base, alias.name])
                if is_module:
                    modules.add(alias.asname or alias.name)
                if _private(alias.name) and not is_module:
                    found.append((node.lineno, f"from {'.'.join(base)} import {alias.name}"))
    return found + private_attributes(tree, modules)


def private_attributes(tree: ast.AST, modules: set[str]) -> list[tuple[int, str]]:
    """(line, ``m._x``) for each private attribute read from a name bound to a module."""
    return [
        (node.lineno, f"{node.value.id}.{node.attr}")
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and _private(node.attr)
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
    ]


def test_no_private_name_crosses_a_module_line() -> None:
    """A module's interface is its plain names: a private name (``_x``) is used only where
    it is defined. Package-internal helpers get plain names in their private modules;
    tests use public or module-level interfaces."""
    files = sorted([*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").glob("*.py")])
    assert len(files) > 50
    crossing = []
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        for line, what in private_imports(path):
            crossing.append(f"{rel}:{line}: {what}")
    assert crossing == [], "private names imported across modules:\n" + "\n".join(crossing)


def test_the_private_name_check_sees_each_form() -> None:
    """The check above finds ``from .m import _x``, ``from microsize.m import _x`` and
    ``m._x``, on a module bound by ``import`` or ``from``; it passes plain names and
    private modules."""
    probe = (
        "from ._sizing import _one, contracts\n"
        "from microsize._inputs import _two\n"
        "from .libreoffice import _recalc\n"
        "from . import _kind\n"
        "import microsize._sizing as sizing\n"
        "x = sizing._three + _kind.plain + sizing.plain + _recalc._four + _recalc.plain\n"
    )
    found = [what for _, what in private_imports(ROOT / "src" / "microsize" / "probe.py", probe)]
    assert sorted(found) == sorted(
        [
            "from microsize._sizing import _one",
            "from microsize._inputs import _two",
            "sizing._three",
            "_recalc._four",
        ]
    )


# ------------------------------------------------------------------ modules a reader takes in
MAX_MODULE_LINES = 650


def long_modules(root: Path, limit: int = MAX_MODULE_LINES) -> list[str]:
    """``path: lines`` (the path from root's parent) for each Python module under ``root``
    longer than ``limit`` lines."""
    out = []
    for path in sorted(root.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            out.append(f"{path.relative_to(root.parent).as_posix()}: {lines}")
    return out


def test_no_module_passes_650_lines() -> None:
    """A module a newcomer can read through: above about 650 lines it is split by job (the
    MF_ declarations by family, udfs_*.py, with udfs.py re-exporting them)."""
    assert long_modules(ROOT / "src") == []


def test_the_length_check_counts_lines(tmp_path: Path) -> None:
    (tmp_path / "short.py").write_text("x = 1\n" * 650)
    (tmp_path / "long.py").write_text("x = 1\n" * 651)
    found = long_modules(tmp_path)
    assert found == [f"{tmp_path.name}/long.py: 651"]


# ---------------------------------------------------------------------- the public API
def _public_functions() -> dict[str, Any]:
    import inspect

    import microsize

    functions = {n: getattr(microsize, n) for n in microsize.__all__}
    return {n: f for n, f in functions.items() if inspect.isfunction(f)}


def documented_parameters(doc: str) -> set[str] | None:
    """The names a numpy-style ``Parameters`` section describes (``a, b : float`` names
    two), or None without the section."""
    head = "Parameters\n----------\n"
    if head not in doc:
        return None
    section = re.split(r"\n\S[^\n]*\n-{3,}\n", doc.split(head, 1)[1])[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line and not line[0].isspace():
            names.update(n.strip() for n in line.split(" : ")[0].split(","))
    return names


def test_every_public_function_documents_each_parameter() -> None:
    """numpydoc: each parameter of each function in ``microsize.__all__`` is described
    in a Parameters section."""
    import inspect

    functions = _public_functions()
    assert len(functions) > 40
    missing = []
    for name, fn in functions.items():
        params = list(inspect.signature(fn).parameters)
        documented = documented_parameters(inspect.getdoc(fn) or "")
        if documented is None:
            if params:
                missing.append(f"{name}: no Parameters section")
            continue
        missing += [f"{name}: {p}" for p in params if p not in documented]
    assert missing == [], missing


def test_the_parameters_check_reads_numpy_sections() -> None:
    doc = "Sum.\n\nParameters\n----------\na, b : float\n    Two.\nc\n    As above.\n\nReturns\n-------\nfloat\n    x\n"
    assert documented_parameters(doc) == {"a", "b", "c"}
    assert documented_parameters("No section.") is None


#: public functions whose result type follows their input (a pandas Series in, a Series
#: out), so their return stays ``Any``
RETURNS_FOLLOW_THE_INPUT = {"rolling_beta"}


def test_no_public_function_takes_or_returns_bare_any() -> None:
    """The public signatures say what they take (``TierLike``, ``SideLike``, ``Literal``
    methods and spacings) and what they return (``Result``: a float or an array)."""
    import inspect

    loose = []
    for name, fn in _public_functions().items():
        sig = inspect.signature(fn)
        loose += [f"{name}({p})" for p, v in sig.parameters.items() if str(v.annotation) == "Any"]
        if str(sig.return_annotation) == "Any" and name not in RETURNS_FOLLOW_THE_INPUT:
            loose.append(f"{name} -> Any")
    assert loose == [], loose
