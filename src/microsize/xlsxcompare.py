"""Compare two workbook files part by part, cached numbers within a relative tolerance.

A cached formula result is a float computed by numpy, and numpy's BLAS picks its kernel
per CPU (AVX2, AVX-512, ...): a sum or a dot product can differ in the 16th or 17th
significant digit from one machine to the next. The template keeps the full doubles its
functions returned (what Excel itself writes when it saves), so two honest builds may
differ there and nowhere else. :func:`workbook_differences` compares everything exactly
(part names and order, formulas, strings, styles, VBA, every other byte) except the
values of numeric cells in sheet XML, which must agree within ``rel_tol``.

>>> workbook_differences(b"not a zip", b"not a zip")
[]
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from typing import Any

__all__ = ["REL_TOL", "workbook_differences"]

#: far above the 1e-16 jitter of a BLAS kernel, far below any change a person would make
REL_TOL = 1e-12

# a cell with content (never self-closing), its attributes and its inner XML
_CELL = re.compile(r"<c\b([^>/]*)>(.*?)</c>", re.S)
_TYPE = re.compile(r'\bt="([^"]*)"')
_REF = re.compile(r'\br="([^"]*)"')
_VALUE = re.compile(r"<v>([^<]*)</v>")


def _numeric_cells(xml: str) -> tuple[str, list[tuple[str, float]]]:
    """The XML with each numeric cell's value replaced by ``#``, and those values."""
    numbers: list[tuple[str, float]] = []

    def mask(m: re.Match[str]) -> str:
        attrs, inner = m.group(1), m.group(2)
        t = _TYPE.search(attrs)
        if t and t.group(1) != "n":  # shared string, inline string, bool, error: exact
            return m.group(0)
        v = _VALUE.search(inner)
        if not v:
            return m.group(0)
        try:
            number = float(v.group(1))
        except ValueError:
            return m.group(0)
        ref = _REF.search(attrs)
        numbers.append((ref.group(1) if ref else "?", number))
        return f"<c{attrs}>{inner[: v.start(1)]}#{inner[v.end(1) :]}</c>"

    return _CELL.sub(mask, xml), numbers


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


def workbook_differences(a: bytes, b: bytes, *, rel_tol: float = REL_TOL) -> list[str]:
    """What differs between workbook files ``a`` and ``b``; ``[]`` when they are the same.

    Part names, their order and their bytes must be equal, except that in worksheet parts
    a numeric cell's value may differ by at most ``rel_tol`` relative to the larger one.
    Bytes that are not a zip compare as bytes.
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
        if xa == xb:
            continue
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            out.append(f"{name} differs")
            continue
        skel_a, nums_a = _numeric_cells(xa.decode("utf-8"))
        skel_b, nums_b = _numeric_cells(xb.decode("utf-8"))
        if skel_a != skel_b or [r for r, _ in nums_a] != [r for r, _ in nums_b]:
            out.append(f"{name} differs beyond cached numbers (formulas, text or styles)")
            continue
        for (ref, x), (_, y) in zip(nums_a, nums_b, strict=True):
            if not math.isclose(x, y, rel_tol=rel_tol, abs_tol=0.0):
                out.append(f"{name} cell {ref}: {x!r} vs {y!r}")
    return out
