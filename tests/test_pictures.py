"""The README's pictures of the worked sheets: ``microsize workbook pictures``.

The command is run on the committed template (LibreOffice with the add-in renders it):
it must write one PNG per worked sheet, each at least 1,400 pixels wide (text readable
without zooming) and under 1 MB, and the committed pictures must be the same set with
about the same pixel sizes (each is cropped to what is drawn, which moves by a few pixels
with the fonts; pixels are never compared byte for byte). The README must show every one.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from microsize.cli import main
from microsize.workbook_pictures import WORKED_SHEETS, picture_name

ROOT = Path(__file__).resolve().parent.parent
PICTURES = ROOT / "docs" / "pictures"
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAX_BYTES = 1024 * 1024
MIN_WIDTH = 1400


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_committed_pictures_are_small_pngs_shown_in_the_readme() -> None:
    names = sorted(p.name for p in PICTURES.glob("*.png"))
    assert names == sorted(picture_name(s) for s in WORKED_SHEETS)
    for name in names:
        path = PICTURES / name
        assert 5_000 < path.stat().st_size < MAX_BYTES, name
        assert _png_size(path)[0] >= MIN_WIDTH, name
        assert f"](docs/pictures/{name})" in README, name


@pytest.mark.office
def test_the_command_renders_one_picture_per_worked_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_libreoffice import office_or_skip

    office_or_skip()
    code = main(
        [
            "workbook",
            "pictures",
            str(ROOT / "workbook" / "microsize.xlsm"),
            str(tmp_path),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    made = sorted(p.name for p in tmp_path.glob("*.png"))
    assert made == sorted(picture_name(s) for s in WORKED_SHEETS)
    for name in made:
        assert f"wrote {tmp_path / name}" in out
        assert (tmp_path / name).stat().st_size < MAX_BYTES, name
        (w, h), (cw, ch) = _png_size(tmp_path / name), _png_size(PICTURES / name)
        assert w >= MIN_WIDTH, name
        # the same used range at the same resolution: the committed picture's size, to
        # the few pixels that text drawn by other fonts moves the crop
        assert abs(w - cw) <= 0.02 * cw, (name, w, cw)
        assert abs(h - ch) <= 0.02 * ch, (name, h, ch)


def test_the_command_refuses_what_it_cannot_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["workbook", "pictures", str(tmp_path / "none.xlsm"), str(tmp_path)]) != 0
    assert "book must be an existing workbook file" in capsys.readouterr().err
    book = ROOT / "workbook" / "microsize.xlsm"
    assert main(["workbook", "pictures", str(book), str(tmp_path / "nowhere")]) != 0
    assert "does not exist" in capsys.readouterr().err
    assert main(["workbook", "pictures", str(book)]) != 0
    assert "usage: microsize workbook pictures BOOK DIR" in capsys.readouterr().err
    assert main(["workbook", "pictures", str(book), str(tmp_path), "--resolution", "5"]) != 0
    assert "resolution must be 20 to 300 dpi" in capsys.readouterr().err


def test_the_crop_box_is_what_is_drawn() -> None:
    """The picture is cropped to the non-white pixels: a 3 x 2 grey block at (5, 4) in a
    white 20 x 10 page gives left 5, top 4, right 8, bottom 6."""
    from microsize.workbook_pictures import ink_box

    w, h = 20, 10
    pixels = bytearray(b"\xff" * (w * h * 3))
    for y in range(4, 6):
        for x in range(5, 8):
            pixels[(y * w + x) * 3 : (y * w + x) * 3 + 3] = b"\x80\x80\x80"
    assert ink_box(b"P6\n20 10\n255\n" + bytes(pixels)) == (20, 10, 5, 4, 8, 6)
    # a blank page keeps its whole size
    assert ink_box(b"P6 20 10 255\n" + b"\xff" * (w * h * 3)) == (20, 10, 0, 0, 20, 10)
