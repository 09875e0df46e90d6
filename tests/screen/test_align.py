"""Alignment of detections and OCR elements to the rendered truth."""

from __future__ import annotations

from datagen.screen.align import iou, match_entities, truth_entities
from datagen.screen.model import Box, Detection, TruthElement


def test_iou():
    assert iou(Box(0, 0, 10, 10), Box(0, 0, 10, 10)) == 1.0
    assert iou(Box(0, 0, 10, 10), Box(5, 0, 15, 10)) == 50 / 150
    assert iou(Box(0, 0, 1, 1), Box(2, 2, 3, 3)) == 0.0


TRUTH = [TruthElement("Sales", Box(0, 0, 50, 20), "text", 0),
         TruthElement("(206) 555-0142", Box(100, 0, 250, 20), "PhoneNumber", 0, 0),
         TruthElement("12 Main St", Box(0, 40, 120, 60), "PostalAddress", 1, 1),
         TruthElement("Springfield, IL 62704", Box(0, 70, 200, 90), "PostalAddress", 2, 1)]


def test_truth_entities_join_multi_row_parts():
    ents = truth_entities(TRUTH)
    assert [(e.type, e.text) for e in ents] == [("PhoneNumber", "(206) 555-0142"),
                                               ("PostalAddress", "12 Main St, Springfield, IL 62704")]
    assert ents[1].box == Box(0, 40, 200, 90)


def test_match_needs_type_overlap_and_similar_text():
    ents = truth_entities(TRUTH)
    dets = [Detection("PhoneNumber", "(206) 555-0142", Box(101, 1, 249, 19), 1, 0, 14),
            Detection("PostalAddress", "12 Main St, Springfield, IL 62704", Box(0, 40, 200, 90), 2, 0, 10),
            Detection("PhoneNumber", "(206) 555-9999", Box(100, 0, 250, 20), 1, 0, 14),  # same place, other text
            Detection("EmailAddress", "(206) 555-0142", Box(100, 0, 250, 20), 1, 0, 14)]  # wrong type
    m = match_entities(dets, ents, 0.5, 80)
    assert m == {0: 0, 1: 1}
