"""Compare two workbook files part by part, every number within a relative tolerance.

The template caches the full doubles its functions return (what Excel itself writes when it
saves), in sheet cells and again in the charts' caches. The core computes them with sums
that are the same on every CPU (:mod:`microsize._sums`), so two builds are normally byte for
byte the same; but a dependency (numpy, XlsxWriter) may still round a last digit its own way
on some machine. :func:`workbook_differences` therefore compares everything exactly (part
names and order, formulas, strings, number formats, styles, VBA, the zip container) except
**numbers**, which must agree within ``rel_tol``:

* the cached value of a numeric sheet cell (``<c><v>``);
* in every XML part, a text node that is a number (a chart's ``<c:v>`` cache, an anchor
  offset, a property) and an attribute value that is a number (``val="..."`` of a chart's
  axis bounds or trendline, widths, heights, counts), except where the text is a formula,
  a string or a number format (``<f>``, ``<formula1>``, ``<t>``, ``<definedName>``,
  ``<formatCode>``, a string cache's ``<c:v>``, a text cell's ``<v>``, ``formatCode=``,
  ``name=``, the texts of a data validation): those are exact.

Two numbers that are the same float but written differently (``0.00`` and ``0.000``) differ.
A tolerance of 1e-12 passes a change in the last digit or two of a double and fails any
change a person makes: a whole number below 1e12 cannot change at all.

>>> workbook_differences(b"not a zip", b"not a zip")
[]
>>> _masked('<c:pt idx="0"><c:v>84078.93926858414</c:v></c:pt>')[1]
[('<c:pt idx=...>', '0'), ('<c:v> of point 0', '84078.93926858414')]
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from typing import Any

__all__ = ["REL_TOL", "workbook_differences"]

#: far above the 1e-16 jitter of a last digit, far below any change a person would make
REL_TOL = 1e-12

# the parts of a workbook that are XML text
_XML_PART = re.compile(r"\.(xml|rels|vml)\Z")
# a tag (or a declaration, comment, processing instruction) or the text between two tags
_TOKEN = re.compile(r"<[^>]*>|[^<]+")
_ATTR = re.compile(r"""([\w:.-]+)(\s*=\s*)(["'])(.*?)\3""", re.S)
_NAME = re.compile(r"</?([\w:.-]+)")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# elements whose text is a formula, a string or a number format: compared exactly
_EXACT_TEXT = frozenset(
    {
        "f",
        "formula",
        "formula1",
        "formula2",
        "definedName",
        "t",
        "formatCode",
        "calculatedColumnFormula",
        "totalsRowFormula",
        "oddHeader",
        "oddFooter",
        "evenHeader",
        "evenFooter",
        "firstHeader",
        "firstFooter",
    }
)
# a cached value inside these is text (a chart's string cache, a series name)
_STRING_CONTAINERS = frozenset({"strCache", "strLit", "multiLvlStrCache", "tx"})
# attributes that hold a name, a number format or a message: compared exactly
_EXACT_ATTRS = frozenset(
    {
        "formatCode",
        "name",
        "codeName",
        "display",
        "tooltip",
        "location",
        "prompt",
        "promptTitle",
        "error",
        "errorTitle",
    }
)
_HOLE = "\x00"  # stands for a number in the skeleton; never in XML text


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _text_is_number(stack: list[tuple[str, dict[str, str]]]) -> bool:
    """Whether a numeric text node under ``stack`` (innermost last) is a value, not text."""
    if not stack or _local(stack[-1][0]) in _EXACT_TEXT:
        return False
    if _local(stack[-1][0]) == "v":
        for tag, attrs in reversed(stack[:-1]):
            local = _local(tag)
            if local == "c" and tag == "c":  # a sheet cell: a number only if t is n or absent
                return attrs.get("t", "n") == "n"
            if local in _STRING_CONTAINERS:
                return False
    return not any(_local(tag) in _STRING_CONTAINERS for tag, _ in stack)


def _where(stack: list[tuple[str, dict[str, str]]]) -> str:
    """Where a number sits, for a message: a sheet cell, a chart point, or its element."""
    for tag, attrs in reversed(stack):
        if tag == "c" and "r" in attrs:
            return f"cell {attrs['r']}"
        if _local(tag) == "pt" and "idx" in attrs:
            return f"<{stack[-1][0]}> of point {attrs['idx']}"
    return f"<{stack[-1][0]}>" if stack else "text"


def _mask_tag(token: str, numbers: list[tuple[str, str]]) -> tuple[str, str, dict[str, str]]:
    """A start tag with each numeric attribute value masked; its name and attributes."""
    name = _NAME.match(token)
    tag = name.group(1) if name else ""
    attrs: dict[str, str] = {}

    def mask(m: re.Match[str]) -> str:
        key, value = m.group(1), m.group(4)
        attrs[key] = value
        if _local(key) in _EXACT_ATTRS or not _NUMBER.fullmatch(value):
            return m.group(0)
        numbers.append((f"<{tag} {key}=...>", value))
        return f"{key}{m.group(2)}{m.group(3)}{_HOLE}{m.group(3)}"

    if token.startswith(("<?", "<!", "</")):
        return token, tag, attrs
    return _ATTR.sub(mask, token), tag, attrs


def _masked(xml: str) -> tuple[str, list[tuple[str, str]]]:
    """The XML with every number that may jitter replaced by a hole, and those numbers
    (where, as written), in document order."""
    numbers: list[tuple[str, str]] = []
    stack: list[tuple[str, dict[str, str]]] = []
    out: list[str] = []
    for m in _TOKEN.finditer(xml):
        token = m.group(0)
        if token.startswith("<"):
            masked, tag, attrs = _mask_tag(token, numbers)
            out.append(masked)
            if token.startswith("</"):
                if stack:
                    stack.pop()
            elif not token.startswith(("<?", "<!")) and not token.endswith("/>"):
                stack.append((tag, attrs))
        elif _NUMBER.fullmatch(token) and _text_is_number(stack):
            numbers.append((_where(stack), token))
            out.append(_HOLE)
        else:
            out.append(token)
    return "".join(out), numbers


def _parts(data: bytes) -> tuple[list[tuple[str, bytes]], list[tuple[Any, ...]]] | None:
    """Each part's name and bytes, and the container's own fields (dates, compression,
    archive comment, bytes after the end record), or None for bytes that are no zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = [(n, z.read(n)) for n in z.namelist()]
            end = data.rfind(b"PK\x05\x06")
            container: list[tuple[Any, ...]] = [
                (i.filename, i.date_time, i.compress_type, i.external_attr, i.extra, i.comment)
                for i in z.infolist()
            ]
            container.append(("end", z.comment, len(data) - end - 22 - len(z.comment)))
            return parts, container
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None


def _number_differences(
    name: str, nums_a: list[tuple[str, str]], nums_b: list[tuple[str, str]], rel_tol: float
) -> list[str]:
    out = []
    for (where, sa), (_, sb) in zip(nums_a, nums_b, strict=True):
        if sa == sb:
            continue
        x, y = float(sa), float(sb)
        if x == y:  # the same number written another way: a change, not a rounding
            out.append(f"{name} {where}: {sa} written as {sb}")
        elif not math.isclose(x, y, rel_tol=rel_tol, abs_tol=0.0):
            out.append(f"{name} {where}: {x!r} vs {y!r}")
    return out


def _part_differences(name: str, xa: bytes, xb: bytes, rel_tol: float) -> list[str]:
    """What differs in one part: numbers within ``rel_tol`` in XML, all else exact."""
    if xa == xb:
        return []
    if not _XML_PART.search(name):
        return [f"{name} differs"]
    try:
        skel_a, nums_a = _masked(xa.decode("utf-8"))
        skel_b, nums_b = _masked(xb.decode("utf-8"))
    except UnicodeDecodeError:
        return [f"{name} differs"]
    if skel_a != skel_b:
        return [f"{name} differs beyond its numbers (formulas, text, styles or structure)"]
    return _number_differences(name, nums_a, nums_b, rel_tol)


def workbook_differences(a: bytes, b: bytes, *, rel_tol: float = REL_TOL) -> list[str]:
    """What differs between workbook files ``a`` and ``b``; ``[]`` when they are the same.

    Part names, their order and their bytes must be equal, except that in XML parts a
    number (a numeric cell's value, a chart's cached value, a numeric attribute; see the
    module's notes for what stays exact) may differ by at most ``rel_tol`` relative to the
    larger one. Bytes that are not a zip compare as bytes.
    """
    if a == b:
        return []
    pa, pb = _parts(a), _parts(b)
    if pa is None or pb is None:
        return ["the files differ (not both workbooks)"]
    names_a, names_b = [n for n, _ in pa[0]], [n for n, _ in pb[0]]
    if names_a != names_b:
        only = sorted(set(names_a) ^ set(names_b))
        return [f"parts differ: {', '.join(only) or 'same parts, another order'}"]
    out: list[str] = []
    if pa[1] != pb[1]:
        out.append("the zip container differs (dates, compression, comment or trailing bytes)")
    for (name, xa), (_, xb) in zip(pa[0], pb[0], strict=True):
        out += _part_differences(name, xa, xb, rel_tol)
    return out
