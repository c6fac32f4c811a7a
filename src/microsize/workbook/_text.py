"""Rows as tall as their wrapped text: Calibri's widths (Carlito's metrics) over Excel's
columns."""

from __future__ import annotations

#: Advance widths of Carlito (Calibri's metrics), regular and italic, in 1/2048 of the
#: font size, of the printable ASCII characters from the space on: a wrapped text is laid
#: out by them to size its row.
_ADVANCE_TEXT = {
    False: """
    463 667 821 1020 1038 1464 1397 452 621 621 1020 1020 511 627 517 791
    1038 1038 1038 1038 1038 1038 1038 1038 1038 1038 548 548 1020 1020 1020 949
    1831 1185 1114 1092 1260 1000 941 1292 1276 516 653 1064 861 1751 1322 1356
    1058 1378 1112 941 998 1314 1162 1822 1063 998 959 628 791 628 1020 1020
    596 981 1076 866 1076 1019 625 964 1076 470 490 931 470 1636 1076 1080
    1076 1076 714 801 686 1076 925 1464 887 927 809 644 943 644 1020
    """,
    True: """
    463 667 821 1020 1038 1464 1397 452 621 621 1020 1020 511 627 517 794
    1038 1038 1038 1038 1038 1038 1038 1038 1038 1038 548 548 1020 1020 1020 949
    1831 1185 1114 1070 1260 1000 941 1292 1276 516 653 1064 861 1751 1320 1340
    1058 1360 1112 926 998 1314 1162 1823 1063 998 959 628 787 628 1020 1020
    596 1053 1053 852 1053 978 625 1053 1053 470 490 931 470 1620 1053 1051
    1053 1053 702 797 686 1053 913 1464 887 916 809 644 943 644 1020
    """,
}
_ADVANCE = {k: tuple(int(w) for w in v.split()) for k, v in _ADVANCE_TEXT.items()}
#: Points per line of the 11-point body font (Excel's default row height), and the
#: spare a row keeps over its lines (Excel may draw Calibri a little wider than its
#: metrics at some zooms: a word may move to the next line, never out of the row).
_LINE_PT, _ROW_SPARE_PT = 15.0, 4.0


def wrapped_lines(text: str, width: float, span: int = 1, italic: bool = False) -> int:
    """Lines of ``text`` wrapped in 11-point Calibri over ``span`` columns of ``width``
    characters in all: laid out word by word (a word never splits; a newline starts a
    line) in Carlito's widths over the cells' pixels less their padding.

    >>> wrapped_lines("a short line", 20), wrapped_lines("word " * 40, 30)
    (1, 7)
    """
    advance = _ADVANCE[italic]
    # Excel's column of w characters is w x 7 + 5 pixels of the 11-point font; a cell
    # keeps about 3 pixels each side; 0.75 point a pixel; 2% kept for rounding
    avail = ((width * 7 + 5 * span) - 6) * 0.75 * 0.98
    space = advance[0] * 11 / 2048

    def wide(word: str) -> float:
        units = sum(advance[ord(c) - 32] if 32 <= ord(c) < 127 else 1038 for c in word)
        return units * 11 / 2048

    lines = 0
    for para in text.split("\n"):
        lines, used = lines + 1, 0.0
        for word in para.split():
            w = wide(word)
            if used and used + space + w > avail:
                lines, used = lines + 1, 0.0
            used += (space if used else 0.0) + w
    return lines


def note_height(note: str, width: float, span: int = 1) -> float:
    """Height in points of a row whose wrapped italic ``note`` spans ``span`` columns of
    ``width`` characters in all: 15 points a line, and a little spare."""
    return _LINE_PT * wrapped_lines(note, width, span, italic=True) + _ROW_SPARE_PT
