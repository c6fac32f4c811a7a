"""Build the LibreOffice extension (``microsize.oxt``) from the functions microsize.udfs has.

The extension holds:

- ``XMicrosize.idl``: the UNO interface, one method per MF_ function. LibreOffice reads an
  ``.idl`` file listed as a type library directly (no SDK compiler needed). A required
  argument is ``sequence<sequence<any>>`` (a value or a range), an optional one ``any``
  (the only type Calc lets a formula leave out: it then passes void; a typed 0 and an
  empty single cell both arrive as 0.0, an empty one-cell range ``B5:B5`` as
  ``(('',),)``, see ``uno/microsize_addin.py``), and every result
  ``sequence<sequence<any>>`` (PyUNO cannot return a typed ``any`` from a component; a
  1x1 result shows as a plain value).
- ``CalcAddIns.xcu``: what the Function Wizard shows (names, descriptions, each argument's
  name and description) and the Excel compatibility name (``MF_SIZE``), by which
  LibreOffice 24.2 and later bind a formula read from an .xlsx file to the add-in.
- ``Jobs.xcu``: a job on OnLoadFinished that binds MF_ formulas on LibreOffice 7.4, which
  does not use compatibility names on import.
- ``microsize_addin.py``: the component, plus ``functions.json`` (names and optional
  flags) and ``env.json`` (where the Python that built it finds microsize and numpy).
"""

from __future__ import annotations

import json
import os
import sys
import sysconfig
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .. import __version__
from ._meta import Function, functions

__all__ = [
    "EXTENSION_ID",
    "IMPLEMENTATION",
    "build_oxt",
    "calc_addins_xcu",
    "idl",
    "import_paths",
    "param_id",
]

EXTENSION_ID = "org.microsize.calc"
#: The UNO implementation (and service) name; CalcAddIns.xcu is keyed by it.
IMPLEMENTATION = "org.microsize.calc.MicrosizeAddIn"
REBIND_JOB = "org.microsize.calc.RebindJob"
_MODULE = ("org", "microsize", "calc")
_INTERFACE = "XMicrosize"
#: Calc's Function Wizard knows a fixed set of categories; others are listed as Add-In.
WIZARD_CATEGORY = "Add-In"
_HERE = Path(__file__).resolve().parent


def param_id(name: str) -> str:
    """The UNO name of a parameter: ``risk_amount`` -> ``pRiskAmount``.

    unoidl rejects lower_case_with_underscores identifiers, and the prefix keeps names such
    as ``in``, ``string`` or ``optional`` clear of IDL keywords.
    """
    return "p" + "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


_MATRIX = "sequence< sequence< any > >"


def idl(funcs: Iterable[Function]) -> str:
    """The UNO IDL declaring one method per function."""
    lines = ["module org { module microsize { module calc {", ""]
    lines.append(f"interface {_INTERFACE} : com::sun::star::uno::XInterface")
    lines.append("{")
    for f in funcs:
        args = ", ".join(
            f"[in] {'any' if p.optional else _MATRIX} {param_id(p.name)}" for p in f.params
        )
        lines.append(f"    sequence< sequence< any > > {f.name}({args});")
    lines += ["};", "", "}; }; };", ""]
    return "\n".join(lines)


def _prop(name: str, value: str, localized: bool = True) -> str:
    lang = ' xml:lang="en-US"' if localized else ""
    return f'<prop oor:name="{name}"><value{lang}>{escape(value)}</value></prop>'


_XCU_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" oor:name="{name}" '
    'oor:package="org.openoffice.Office">\n'
)


def calc_addins_xcu(funcs: Iterable[Function]) -> str:
    """Function Wizard entries and Excel compatibility names for every function."""
    x = [_XCU_HEAD.format(name="CalcAddIns"), ' <node oor:name="AddInInfo">']
    x.append(f'  <node oor:name={quoteattr(IMPLEMENTATION)} oor:op="replace">')
    x.append('   <node oor:name="AddInFunctions">')
    for f in funcs:
        x.append(f'    <node oor:name="{f.name}" oor:op="replace">')
        x.append("     " + _prop("DisplayName", f.name))
        x.append("     " + _prop("Description", f.description))
        x.append("     " + _prop("Category", WIZARD_CATEGORY, localized=False))
        x.append("     " + _prop("CompatibilityName", f.name))
        x.append('     <node oor:name="Parameters">')
        for p in f.params:
            desc = p.description
            x.append(
                f'      <node oor:name="{param_id(p.name)}" oor:op="replace">'
                + _prop("DisplayName", p.name)
                + _prop("Description", desc)
                + "</node>"
            )
        x.append("     </node>")
        x.append("    </node>")
    x += ["   </node>", "  </node>", " </node>", "</oor:component-data>", ""]
    return "\n".join(x)


def _jobs_xcu() -> str:
    return (
        _XCU_HEAD.format(name="Jobs")
        + ' <node oor:name="Jobs">\n'
        + '  <node oor:name="MicrosizeRebind" oor:op="replace">\n'
        + f"   {_prop('Service', REBIND_JOB, localized=False)}\n"
        + "  </node>\n </node>\n"
        + ' <node oor:name="Events">\n  <node oor:name="OnLoadFinished" oor:op="fuse">\n'
        + '   <node oor:name="JobList"><node oor:name="MicrosizeRebind" oor:op="replace"/></node>\n'
        + "  </node>\n </node>\n</oor:component-data>\n"
    )


def _description_xml() -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<description xmlns="http://openoffice.org/extensions/description/2006"
             xmlns:d="http://openoffice.org/extensions/description/2006"
             xmlns:xlink="http://www.w3.org/1999/xlink">
  <identifier value="{EXTENSION_ID}"/>
  <version value="{escape(__version__)}"/>
  <display-name><name lang="en">microsize MF_ functions</name></display-name>
  <dependencies>
    <OpenOffice.org-minimal-version d:name="LibreOffice 7.0" value="4.0"/>
  </dependencies>
</description>
"""


_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="http://openoffice.org/2001/manifest">
  <manifest:file-entry manifest:media-type="application/vnd.sun.star.uno-typelibrary;type=RDB"
                       manifest:full-path="XMicrosize.idl"/>
  <manifest:file-entry manifest:media-type="application/vnd.sun.star.configuration-data"
                       manifest:full-path="CalcAddIns.xcu"/>
  <manifest:file-entry manifest:media-type="application/vnd.sun.star.configuration-data"
                       manifest:full-path="Jobs.xcu"/>
  <manifest:file-entry manifest:media-type="application/vnd.sun.star.uno-component;type=Python"
                       manifest:full-path="microsize_addin.py"/>
</manifest:manifest>
"""


def import_paths() -> list[str]:
    """Where this Python finds microsize and its dependencies, microsize's own root first.

    The standard library is left out: LibreOffice's Python brings its own.
    """
    import microsize

    stdlib = {
        os.path.realpath(p)
        for key in ("stdlib", "platstdlib")
        if (p := sysconfig.get_paths().get(key))
    }
    root = str(Path(microsize.__file__).resolve().parent.parent)
    paths = [root]
    # sys.path[0] is the running script's folder or the current directory: not needed
    # for imports, and a stray module there must not shadow one inside LibreOffice
    for entry in sys.path[1:]:
        if not entry or not os.path.isdir(entry):
            continue
        real = os.path.realpath(entry)
        if real in stdlib or os.path.basename(real) == "lib-dynload":
            continue
        if real not in paths:
            paths.append(real)
    return paths


def environment() -> dict[str, object]:
    """What the add-in checks before importing microsize inside LibreOffice."""
    return {
        "python": list(sys.version_info[:2]),
        "implementation": sys.implementation.name,
        "paths": import_paths(),
        "microsize": __version__,
    }


def build_oxt(path: str | os.PathLike[str], funcs: list[Function] | None = None) -> Path:
    """Write the extension to ``path`` and return it."""
    funcs = functions() if funcs is None else funcs
    table = {
        "functions": [{"name": f.name, "optional": [p.optional for p in f.params]} for f in funcs]
    }
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    component = (_HERE / "uno" / "microsize_addin.py").read_text(encoding="utf-8")
    tmp = target.with_name(target.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("META-INF/manifest.xml", _MANIFEST)
        z.writestr("description.xml", _description_xml())
        z.writestr("XMicrosize.idl", idl(funcs))
        z.writestr("CalcAddIns.xcu", calc_addins_xcu(funcs))
        z.writestr("Jobs.xcu", _jobs_xcu())
        z.writestr("functions.json", json.dumps(table, indent=1))
        z.writestr("env.json", json.dumps(environment(), indent=1))
        z.writestr("microsize_addin.py", component)
    os.replace(tmp, target)
    return target
