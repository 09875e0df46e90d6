"""Screen requests: the geometric rule book on hand-built candidates, and drawn requests check out."""

from __future__ import annotations

import random

from datagen.screen.model import Box
from datagen.screen.requests import Candidate, draw, load, select
from datagen.templates import builtin_dir


def c(type_, label, y, x=10.0):
    return Candidate(type_, label, Box(x, y, x + 100, y + 20))


SCREEN = [c("PhoneNumber", "Sales", 100), c("PhoneNumber", "Support", 140), c("EmailAddress", "Support", 180),
          c("Uri", "", 220), c("PhoneNumber", "Fax", 300)]


def test_rules():
    assert select("type", SCREEN, "Uri") == {3}
    assert select("type", SCREEN, "PhoneNumber") is None  # three numbers: "this number" is ambiguous
    assert select("none", SCREEN, "PostalAddress") == set()
    assert select("multi", SCREEN, "PhoneNumber") == {0, 1, 4}
    assert select("multi", SCREEN, "Uri") is None
    assert select("label", SCREEN, "PhoneNumber", "sales") == {0}
    assert select("label", SCREEN, "EmailAddress", "Support") == {2}
    assert select("bare_label", SCREEN, "PhoneNumber", "Support") is None  # a number and an e-mail say Support
    assert select("bare_label", SCREEN, "PhoneNumber", "Fax") == {4}
    assert select("bottom", SCREEN, "PhoneNumber") == {4}
    assert select("top", SCREEN, "PhoneNumber") == {0}
    assert select("ordinal", SCREEN, "PhoneNumber", ordinal=1) == {1}


def test_spatial_needs_distinct_rows():
    same_row = [c("PhoneNumber", "", 100, x=10), c("PhoneNumber", "", 102, x=300)]
    assert select("bottom", same_row, "PhoneNumber") is None
    assert select("top", same_row, "PhoneNumber") is None


def test_drawn_requests_pick_what_the_rules_pick():
    t = load(builtin_dir("templates"))
    rng = random.Random(0)
    made = 0
    for _ in range(300):
        kind = rng.choice(["type", "label", "spatial", "multi", "none"])
        got = draw(t, kind, SCREEN, rng, ["PostalAddress", "DateTime"])
        if got is None:
            continue
        made += 1
        assert select(got.sub, SCREEN, got.type, got.label, got.ordinal) == set(got.targets)
        assert got.query[0].isupper() and "{" not in got.query
        if got.sub == "none":
            assert not got.targets and got.type in ("PostalAddress", "DateTime")
    assert made > 100
