"""Families and the renderer: truth boxes sit on drawn pixels, rows are consistent, options apply."""

from __future__ import annotations

import random

import pytest

from datagen.entities import Entity, Pools
from datagen.errors import UserError
from datagen.screen.align import screen_truth
from datagen.screen.families import LaidCell, Run, ScreenEntity, load_families, layout
from datagen.screen.render import DEVICE_OF, MARGIN, PhoneDevice, RenderSettings, font, render
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


def _cases():
    """(family, device) for every family on every device it is drawn on (read from the YAML files)."""
    import yaml

    out = []
    for path in sorted((T / "screens").glob("*.yaml")):
        kind = (yaml.safe_load(path.read_text()) or {}).get("device", "phone")
        out += [(path.stem, d) for d in DEVICE_OF[kind]]
    return out


CASES = _cases()


def _draw(families, pools, name, device, seed, settings=None):
    rng = random.Random(seed)
    ents, rows = layout(families[name], pools, rng)
    return render(ents, rows, settings or RenderSettings(), rng, device)


@pytest.mark.parametrize("name,device", CASES)
def test_every_family_has_ink_inside_every_truth_box(families, pools, name, device):
    for seed in (0, 1):
        sc = _draw(families, pools, name, device, seed)
        W, H = sc.image.size
        assert sc.device == device and sc.truth and sc.entities
        last = (-1, -1.0)
        for t in sc.truth:
            b, lb = t.box, t.line_box
            assert 0 <= b.x0 < b.x1 <= W and 0 <= b.y0 < b.y1 <= H, t
            crop = sc.image.crop((int(b.x0), int(b.y0), int(b.x1) + 1, int(b.y1) + 1))
            assert any(lo != hi for lo, hi in crop.getextrema()), t  # ink inside every truth box (not one flat colour)
            # the line box (what a browser reports: advance width x ascent + descent) holds the glyphs but for
            # overhangs (a serif J reaches left of its origin)
            tol = 0.2 * lb.height
            assert lb.x0 - tol <= b.x0 and b.x1 <= lb.x1 + tol and lb.y0 - tol <= b.y0 and b.y1 <= lb.y1 + tol, t
            assert t.row >= last[0]
            if t.row == last[0]:
                assert b.x0 >= last[1] - 1  # pieces of a row left to right
            last = (t.row, b.x1)
        shown = {t.entity for t in sc.truth if t.entity is not None}
        assert shown == set(range(len(sc.entities)))  # every on-screen entity is drawn, and only those


@pytest.mark.parametrize("name,device", CASES)
def test_every_family_is_deterministic_per_seed(families, pools, name, device):
    a, b = _draw(families, pools, name, device, 5), _draw(families, pools, name, device, 5)
    assert a.image.tobytes() == b.image.tobytes() and a.truth == b.truth
    assert _draw(families, pools, name, device, 6).image.tobytes() != a.image.tobytes()


def test_a_wrapped_entity_keeps_one_value_over_two_boxes():
    value = "(206) 555-0142"
    ent = ScreenEntity("phone", Entity("PhoneNumber", value, (), value), "Sales")
    para = LaidCell("", "body", "left", None, runs=(Run("Call", None), Run(" ", None), Run(value, 0),
                                                    Run(" today.", None)))
    f = font("sans", False, 28)  # 14 logical px at scale 2
    room = (f.getlength("Call (206)") + f.getlength("Call (206) 555-0142")) / 2  # "(206)" fits, the rest does not
    narrow = RenderSettings(phone=PhoneDevice(width=[room / 2 + 2 * MARGIN] * 2, fonts=["sans"], base_size=[14.0, 14.0]))
    sc = render([ent], [[para]], narrow, random.Random(0))
    parts = [t for t in sc.truth if t.entity == 0]
    assert [t.text for t in parts] == ["(206)", "555-0142"]  # wrapped at its space, as a browser wraps it
    assert parts[0].row < parts[1].row and parts[0].box.y1 <= parts[1].box.y0
    truth = screen_truth(sc.truth, ["Sales"])
    (only,) = truth.entities
    assert only.text == value and only.boxes == (parts[0].box, parts[1].box) and only.label == "Sales"


def test_a_paragraph_reads_back_as_drawn(families, pools):
    sc = _draw(families, pools, "web_article", "desktop", 2)
    text = " ".join(t.text for t in sorted(sc.truth, key=lambda t: (t.row, t.box.x0)))
    for e in sc.entities:
        parts = [t.text for t in sc.truth if t.entity == sc.entities.index(e)]
        assert parts and " ".join(parts) in text


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
    p.write_text(p.read_text().replace("{entity: phone", "{entity: fone", 1))
    with pytest.raises(UserError, match="place_card.yaml.*fone"):
        load_families(tmp_path / "t", pools)


def test_a_marked_clock_is_truth_of_its_type_but_no_entity(families, pools):
    """The status bar's clock of the e-mail family (which shows a DateTime entity too): a detection over it
    is right, and recall counts only the entity."""
    sc = _draw(families, pools, "email_message", "phone", 0)
    clock = [t for t in sc.truth if t.kind == "DateTime (text)"]
    assert len(clock) == 1 and clock[0].entity is None and clock[0].text in {"9:41", "10:07", "16:32", "08:15"}
    scored = screen_truth(sc.truth, [e.label for e in sc.entities])
    dates = [e for e in scored.entities if e.type == "DateTime"]
    assert [e.partial for e in dates] == [False, True] and dates[1].boxes == (clock[0].box,)
    assert scored.annotated.count("DateTime") == 1


def test_a_mark_must_be_a_detected_type_on_a_text_cell(tmp_path, pools):
    import shutil

    shutil.copytree(T, tmp_path / "t")
    p = tmp_path / "t" / "screens" / "email_message.yaml"
    for bad in ("mark: Clock", "entity: meet, mark: DateTime"):
        p.write_text(p.read_text().replace('style: bold, mark: DateTime', f'style: bold, {bad}', 1)
                     if "Clock" in bad else p.read_text().replace("{entity: meet}", "{" + bad + "}", 1))
        with pytest.raises(UserError, match=r"email_message.yaml.*mark"):
            load_families(tmp_path / "t", pools)
        shutil.copy(T / "screens" / "email_message.yaml", p)


@pytest.mark.parametrize("seed", [0, 4, 10])
def test_a_row_of_buttons_leaves_the_row_above_uncovered(families, pools, seed):
    """contact_page draws its link right above the Call / Email us buttons: their boxes used to reach into
    its line (OCR then read the link as "~ net"). The button's top, found by walking up its fill from beside
    its text, is below the link's line box."""
    sc = _draw(families, pools, "contact_page", "phone", seed)
    link = next(t for t in sc.truth if t.kind == "Uri")
    call = next(t for t in sc.truth if t.text == "Call")
    x, y = int(call.box.x0) - 3, int(call.box.cy)
    fill = sc.image.getpixel((x, y))
    assert fill != sc.image.getpixel((2, 2))  # inside the button, not on the page
    while y > 0 and sc.image.getpixel((x, y - 1)) == fill:
        y -= 1
    assert y >= link.line_box.y1, (y, link.line_box)


def test_a_long_address_too_wide_for_its_column_is_stacked_under_its_label(families, pools):
    """A long e-mail at col2 of a phone's contact page ("customerservice@rogers-anderson.biz") does not fit
    beside its label; as a narrow screen stacks a table's cells, it is drawn under it, not left out."""
    stacked = 0
    for seed in range(12):
        sc = _draw(families, pools, "contact_page", "phone", seed)
        email = [t for t in sc.truth if t.kind == "EmailAddress"]
        label = next(t for t in sc.truth if t.text == "Email")
        assert len(email) == 1, seed  # every screen shows its e-mail
        if email[0].box.y0 > label.box.y1:
            stacked += 1
            assert email[0].box.x0 < label.box.x1  # from the row's start, under the label
    assert stacked  # (the case happens among these screens)
