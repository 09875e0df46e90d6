"""Families and the renderer: truth boxes sit on drawn pixels, rows are consistent, options apply."""

from __future__ import annotations

import random

import pytest
from PIL import Image, ImageChops

from datagen.entities import Entity, Pools
from datagen.errors import UserError
from datagen.screen.families import LaidCell, ScreenEntity, load_families, layout
from datagen.screen.render import RenderSettings, render
from datagen.templates import builtin_dir

T = builtin_dir("templates")


@pytest.fixture(scope="module")
def pools():
    return Pools(T, "en_US", 0, 40)


@pytest.fixture(scope="module")
def families(pools):
    return load_families(T, pools)


def test_at_least_8_families_with_entities_and_two_column_rows(families):
    assert len(families) >= 8
    two_col = [f for f in families.values() if any(isinstance(r, list) and len(r) >= 2 for r in f.rows)]
    assert len(two_col) >= 6


@pytest.mark.parametrize("seed", range(8))
def test_truth_boxes_cover_ink_and_rows_increase(families, pools, seed):
    rng = random.Random(seed)
    fam = sorted(families.values(), key=lambda f: f.id)[seed % len(families)]
    ents, rows = layout(fam, pools, rng)
    sc = render(ents, rows, RenderSettings(), rng)
    W, H = sc.image.size
    assert (W, H) == (780, 1688)
    bg = sc.image.getpixel((1, 1))
    last = (-1, -1.0)
    for t in sc.truth:
        b = t.box
        assert 0 <= b.x0 < b.x1 <= W and 0 <= b.y0 < b.y1 <= H
        crop = sc.image.crop((int(b.x0), int(b.y0), int(b.x1) + 1, int(b.y1) + 1))
        blank = Image.new("RGB", crop.size, bg)
        assert ImageChops.difference(crop, blank).getbbox() is not None  # ink inside every truth box
        assert t.row >= last[0]
        if t.row == last[0]:
            assert b.x0 >= last[1]  # cells of a row left to right
        last = (t.row, b.x1)
    kinds = {t.kind for t in sc.truth}
    assert "text" in kinds and kinds - {"text"}
    shown = {t.entity for t in sc.truth if t.entity is not None}
    assert shown == set(range(len(sc.entities)))


def test_a_cell_too_wide_for_its_row_moves_to_its_own_row():
    cells = [LaidCell("Label", "label", "left", None), LaidCell("x" * 40, "body", "col2", 0)]
    ent = ScreenEntity("e", Entity("Uri", "x", (), "x"), "")
    sc = render([ent], [cells], RenderSettings(fonts=("mono",), base_size=(14.0, 14.0)), random.Random(0))
    rows = [t.row for t in sc.truth]
    assert rows == [0, 1]


def test_same_seed_same_pixels_and_options_change_pixels(families, pools):
    fam = families["contact_page"]

    def draw(settings, seed=3):
        rng = random.Random(seed)
        ents, rows = layout(fam, pools, rng)
        return render(ents, rows, settings, rng).image

    base = draw(RenderSettings())
    assert base.tobytes() == draw(RenderSettings()).tobytes()
    for s in (RenderSettings(blur=1.5), RenderSettings(jpeg_quality=20), RenderSettings(noise=20.0)):
        assert draw(s).tobytes() != base.tobytes()
    assert draw(RenderSettings(scale=1.0)).size == (390, 844)


def test_themes_and_fonts_vary(families, pools):
    seen = set()
    for seed in range(16):
        rng = random.Random(seed)
        ents, rows = layout(families["place_card"], pools, rng)
        sc = render(ents, rows, RenderSettings(), rng)
        seen.add((sc.theme, sc.font))
    assert {t for t, _ in seen} == {"light", "dark"} and {f for _, f in seen} == {"sans", "serif", "mono"}


def test_broken_family_is_a_user_error(tmp_path, pools):
    import shutil

    shutil.copytree(T, tmp_path / "t")
    p = tmp_path / "t" / "screens" / "place_card.yaml"
    p.write_text(p.read_text().replace("{entity: phone}", "{entity: fone}"))
    with pytest.raises(UserError, match="place_card.yaml.*fone"):
        load_families(tmp_path / "t", pools)
