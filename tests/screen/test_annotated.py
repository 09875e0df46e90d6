"""Annotated screenshots: a truth file beside an image gives the metrics of rendered screens, per type,
and label requests; a malformed truth file is a counted skip; an image without one is read as before."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from PIL import Image, ImageDraw

from conftest import run_cli
from datagen.errors import ItemError
from datagen.run import run
from datagen.screen.render import font
from datagen.screen.model import Box
from datagen.screen.score import TruthEntity
from datagen.screen.source import TRUTH_FORMAT, read_truth, shows_ink, truth_path, visible_truth

# (text, x, y, entity type or None, label): two fragments share the first row
PAGE = [("Acme Plumbing", 20, 20, None, ""), ("Open today", 560, 20, None, ""),
        ("Call 206-555-0142", 20, 100, None, ""), ("Fax 206-555-0199", 20, 180, None, ""),
        ("info@acmeplumbing.com", 20, 260, "EmailAddress", "")]
NUMBERS = {"Call 206-555-0142": ("206-555-0142", ""), "Fax 206-555-0199": ("206-555-0199", "fax")}


def _page(folder: Path, name: str = "page") -> Path:
    """A screenshot drawn here (28 px DejaVu Sans, black on white) and its truth file, boxes from Pillow."""
    img = Image.new("RGB", (900, 340), "white")
    draw = ImageDraw.Draw(img)
    f = font("sans", False, 28)
    fragments, entities = [], []
    for text, x, y, kind, label in PAGE:
        draw.text((x, y), text, font=f, fill="black")
        box = list(draw.textbbox((x, y), text, font=f))
        fragments.append({"text": text, "box": box})
        if kind:
            entities.append({"type": kind, "text": text, "boxes": [box], "label": label})
        if text in NUMBERS:
            number, label = NUMBERS[text]
            at = x + draw.textlength(text[: text.index(number)], font=f)
            entities.append({"type": "PhoneNumber", "text": number, "label": label,
                             "boxes": [list(draw.textbbox((at, y), number, font=f))]})
    path = folder / f"{name}.png"
    img.save(path)
    truth_path(path).write_text(json.dumps({"datagen_truth": TRUTH_FORMAT, "fragments": fragments,
                                            "entities": entities, "annotated": ["PhoneNumber", "EmailAddress"]}))
    return path


def test_truth_file_is_read_and_checked(tmp_path):
    truth = read_truth(truth_path(_page(tmp_path)))
    assert len(truth.fragments) == 5 and [e.type for e in truth.entities] == ["PhoneNumber", "PhoneNumber", "EmailAddress"]
    assert truth.entities[1].label == "fax" and truth.annotated == ("PhoneNumber", "EmailAddress")
    bad = tmp_path / "bad.truth.json"
    for text, why in [("{not json", "bad.truth.json"), ('{"fragments": []}', "datagen_truth"),
                      ('{"datagen_truth": 1, "fragments": [{"text": "a", "box": [5, 0, 1, 1]}]}', "fragments[0].box"),
                      ('{"datagen_truth": 1, "entities": [{"type": "Uri", "text": "a", "boxes": []}]}', "no boxes"),
                      ('{"datagen_truth": 1, "entities": [{"type": "Uri", "text": "a", "boxes": [[0, 0, 1, 1]], '
                       '"partial": "yes"}]}', "entities[0].partial")]:
        bad.write_text(text)
        with pytest.raises(ItemError) as e:
            read_truth(bad)
        assert e.value.reason == "bad_truth" and why in e.value.detail, e.value.detail


def test_an_entity_where_nothing_shows_is_left_out(tmp_path):
    truth = read_truth(truth_path(_page(tmp_path)))
    image = Image.open(tmp_path / "page.png")
    assert visible_truth(truth, image) == (truth, 0)  # every drawn entity shows ink
    blank = TruthEntity("PhoneNumber", "(800) 427-1769", (Box(600, 260, 860, 300),))
    grey = TruthEntity("PhoneNumber", "(800) 427-1770", (Box(600, 260, 860, 300), Box(20, 100, 300, 130)))
    outside = TruthEntity("PhoneNumber", "(800) 427-1771", (Box(1000, 0, 1100, 20),))
    kept, dropped = visible_truth(replace(truth, entities=truth.entities + (blank, grey, outside)), image)
    assert dropped == 2 and kept.entities == truth.entities + (grey,)  # one box showing text is enough
    light = Image.new("RGB", (100, 40), "white")
    ImageDraw.Draw(light).text((5, 5), "555-0100", fill=(200, 200, 200), font=font("sans", False, 20))
    assert shows_ink(light, Box(0, 0, 100, 40))  # light grey text on white is text


def test_annotated_screenshot_metrics_worked_out_by_hand(cfg_factory, tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    _page(shots, "a")
    doc = json.loads(truth_path(shots / "a.png").read_text())  # and a number labelled where the image is blank
    doc["entities"].append({"type": "PhoneNumber", "text": "(800) 427-1769", "boxes": [[600, 260, 860, 300]]})
    truth_path(shots / "a.png").write_text(json.dumps(doc))
    plain = shots / "b.png"
    Image.open(shots / "a.png").save(plain, compress_level=1)  # the same screen (other bytes) without truth: no metrics
    _page(shots, "c")
    (shots / "c.png").write_bytes((shots / "a.png").read_bytes()[:200])  # a broken image, with its truth
    Image.open(shots / "a.png").save(shots / "d.png", compress_level=2)  # identical bytes would be a `duplicate`
    truth_path(shots / "d.png").write_text('{"datagen_truth": 1, "entities": [{"type": "PhoneNumber"}]}')
    stats = run(cfg_factory("+recipe=screen", "screen.source=images", f"screen.images={shots}", "screen.previews=1",
                            "screen.mix.label=1", "screen.mix.type=0", "screen.mix.spatial=0", "screen.mix.multi=0",
                            "screen.mix.none=0", "screen.requests_per_screen=2"))
    out = Path(cfg_factory().output.dir)
    sc = stats["subsets"]["screen"]["screen"]
    assert stats["subsets"]["screen"]["skipped_by_reason"] == {"bad_truth": 1, "corrupt_image": 1}
    assert sc["truth"] == {"not_visible": 1} and "truth_not_visible" not in sc["requests"]
    rows = {r["image"]["path"]: r for p in sorted((out / "screens").glob("*.parquet"))
            for r in pq.read_table(p).to_pylist()}
    a, b = rows["a.png"], rows["b.png"]
    # by hand: two 10-digit numbers and one e-mail on the page, each read and detected where it is drawn
    assert {c["type"]: (c["labels"], c["found"], c["detected"], c["precise"]) for c in a["entity_counts"]} == {
        "PhoneNumber": (2, 2, 2, 2), "EmailAddress": (1, 1, 1, 1)}
    # 5 fragments: one pair shares a row (grouped together: tp), the other 9 pairs are rows apart (no error)
    assert a["line_pairs"] == {"tp": 1, "fp": 0, "fn": 0} and a["line_f1"] == 1.0 and a["line_f1_plain"] == 1.0
    assert a["entity_recall"] == 1.0 and a["entity_precision"] == 1.0
    assert b["entity_counts"] is None and b["line_f1"] is None and b["truth"] == []
    assert sc["per_type"]["PhoneNumber"] == {"labels": 2, "recall": 1.0, "detected": 2, "precision": 1.0}
    assert sc["line_pairs_f1"]["line_pairs"] == 1.0
    # the family's screen count counts b too (no truth, no metric), as the "all" row does
    assert sc["screens"] == sc["per_family"]["images"]["screens"] == 2 and sc["metrics"]["screens"] == 1
    examples = [r for p in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(p).to_pylist()]
    labelled = [r for r in examples if r["screen_id"] == a["screen_id"] and r["reference"] == "descriptive"]
    assert labelled and all("fax" in r["query"].lower() for r in labelled)  # only the fax number has a label
    fax = [e for r in labelled for e in r["entities"] if {"key": "label", "value": "fax"} in e["properties"]]
    assert fax and all("0199" in e["value"] for e in fax)
    card = (out / "README.md").read_text()
    assert "## Screen text quality" in card and "Truth entities left out: 1 " in card
    # the columns table names every subset and reference kind the data can hold (it had no screen, no spatial)
    assert "| subset | conversational, synthetic, screen, unseen |" in card and ", spatial, " in card


def test_margin_sweep_over_annotated_screenshots(tmp_path):
    """The sweep summary and plot work on real-style annotated screenshots as on rendered screens."""
    shots = tmp_path / "shots"
    shots.mkdir()
    _page(shots)
    proc = run_cli("-m", "+recipe=screen", "screen.source=images", f"screen.images={shots}", "screen.previews=0",
                   "progress=false", "screen.lines.margin=0.8,4.0", f"hydra.sweep.dir={tmp_path}/sweep", cwd=tmp_path)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    table = pq.read_table(tmp_path / "sweep" / "sweep_summary.parquet").to_pylist()
    by_margin = {r["screen.lines.margin"]: r for r in table}
    assert by_margin[0.8]["line_f1"] == 1.0 and by_margin[4.0]["line_f1"] < 1.0  # 4 heights: rows run together
    assert by_margin[0.8]["line_f1/images"] == 1.0
    assert (tmp_path / "sweep" / "sweep_summary.png").is_file()
