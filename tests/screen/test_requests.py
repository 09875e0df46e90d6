"""Screen requests: the geometric rule book on hand-built candidates, and drawn requests check out."""

from __future__ import annotations

import random
import re

import pytest

from datagen.errors import UserError
from datagen.screen.model import Box
from datagen.screen.requests import (KINDS, REFERENCE, REQUEST_KINDS, REQUESTS_FILE, SUB_KINDS, Candidate, draw, load,
                                     select)
from datagen.templates import builtin_dir


def c(type_, label, y, x=10.0):
    return Candidate(type_, label, Box(x, y, x + 100, y + 20))


SCREEN = [c("PhoneNumber", "Sales", 100), c("PhoneNumber", "Support", 140), c("EmailAddress", "Support", 180),
          c("Uri", "", 220), c("PhoneNumber", "Fax", 300)]
# listed out of order: picks go by position on the screen, not by list index
SHUFFLED = [c("PhoneNumber", "", 300), c("PhoneNumber", "", 100), c("Uri", "", 50), c("PhoneNumber", "", 200)]
SAME_ROW = [c("PhoneNumber", "", 100, x=10), c("PhoneNumber", "", 102, x=300)]


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


def test_type_picks_the_only_one():
    assert select("type", SHUFFLED, "Uri") == {2}
    assert select("type", SHUFFLED, "PhoneNumber") is None
    assert select("type", SHUFFLED, "EmailAddress") == set()  # draw then rejects it: nothing to refer to


def test_none_picks_nothing_of_an_absent_type():
    assert select("none", SHUFFLED, "EmailAddress") == set()
    assert select("none", SHUFFLED, "Uri") == {2}  # present: draw rejects a "none" request about it
    assert select("none", SHUFFLED, "PhoneNumber") is None


def test_multi_picks_all_of_two_or_more():
    assert select("multi", SHUFFLED, "PhoneNumber") == {0, 1, 3}
    assert select("multi", SAME_ROW, "PhoneNumber") == {0, 1}  # rows do not matter for "all"
    assert select("multi", SHUFFLED, "Uri") is None
    assert select("multi", SHUFFLED, "EmailAddress") is None


def test_label_picks_the_one_of_the_type_with_the_label():
    assert select("label", SCREEN, "PhoneNumber", "SUPPORT") == {1}  # the e-mail saying Support is another type
    assert select("label", SCREEN, "Uri", "Support") is None
    twice = [c("PhoneNumber", "Sales", 100), c("PhoneNumber", "sales", 200)]
    assert select("label", twice, "PhoneNumber", "Sales") is None


def test_bare_label_picks_the_one_with_the_label_of_any_type():
    assert select("bare_label", SCREEN, "PhoneNumber", "sales") == {0}
    assert select("bare_label", SCREEN, "EmailAddress", "Sales") == {0}  # the label alone names no type
    assert select("bare_label", SCREEN, "PhoneNumber", "Billing") is None


def test_bottom_and_top_go_by_position():
    assert select("bottom", SHUFFLED, "PhoneNumber") == {0}
    assert select("top", SHUFFLED, "PhoneNumber") == {1}
    assert select("bottom", SHUFFLED, "Uri") is None  # one link is not "the link at the bottom"
    assert select("top", SHUFFLED, "Uri") is None


def test_ordinal_counts_from_the_top():
    assert [select("ordinal", SHUFFLED, "PhoneNumber", ordinal=n) for n in range(4)] == [{1}, {3}, {0}, None]
    assert select("ordinal", SAME_ROW, "PhoneNumber", ordinal=0) is None
    assert select("ordinal", SHUFFLED, "Uri", ordinal=0) is None


def test_spatial_needs_distinct_rows():
    assert select("bottom", SAME_ROW, "PhoneNumber") is None
    assert select("top", SAME_ROW, "PhoneNumber") is None


def test_unknown_sub_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown sub-kind 'middle'"):
        select("middle", SCREEN, "PhoneNumber")


def test_records_fit_together():
    assert KINDS == ("type", "label", "spatial", "multi", "none")
    assert REFERENCE == {"type": "type", "multi": "multi", "label": "descriptive", "bare_label": "descriptive",
                         "bottom": "spatial", "top": "spatial", "ordinal": "positional", "none": "none"}
    assert {k.name: k.subs for k in REQUEST_KINDS} == {
        "type": ("type",), "label": ("label", "bare_label"), "spatial": ("bottom", "top", "ordinal"),
        "multi": ("multi",), "none": ("none",)}
    assert {s.drawn_as for s in SUB_KINDS} == set(KINDS)
    assert set(load(builtin_dir("templates")).mentions) == {s.name for s in SUB_KINDS}


def _templates(tmp_path, mentions: str):
    (tmp_path / REQUESTS_FILE).write_text("types:\n  Uri: {noun: link, nouns: links, verbs: ['open {ref}']}\n"
                                          f"mentions:\n{mentions}")
    (tmp_path / "grammar.yaml").write_text((builtin_dir("templates") / "grammar.yaml").read_text())
    return load(tmp_path)


def test_load_checks_mentions_against_their_sub_kind(tmp_path):
    ok = _templates(tmp_path, "  ordinal: ['the {ordinal} {noun}']\n")
    assert ok.mentions == {"ordinal": ["the {ordinal} {noun}"]}
    with pytest.raises(UserError, match="mentions.middle: unknown kind"):
        _templates(tmp_path, "  middle: ['the {noun} in the middle']\n")
    with pytest.raises(UserError, match="unknown slot '{ordinal}'"):
        _templates(tmp_path, "  top: ['the {ordinal} {noun}']\n")
    with pytest.raises(UserError, match="unknown slot '{noun}'"):
        _templates(tmp_path, "  bare_label: ['the {label} {noun}']\n")


def test_draw_declines_what_the_screen_does_not_allow():
    t = load(builtin_dir("templates"))
    rng = random.Random(0)
    assert draw(t, "none", SCREEN, rng, []) is None
    assert draw(t, "type", SAME_ROW, rng, []) is None  # two numbers, no single one
    assert draw(t, "spatial", [c("Uri", "", 100)], rng, []) is None
    assert draw(t, "label", [c("PhoneNumber", "phone", 100), c("Uri", "", 200)], rng, []) is None  # stopword only
    assert rng.random() == random.Random(0).random()  # and drew nothing while declining


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


def test_draws_are_pinned():
    """The first request of each sub-kind in a seeded run (update deliberately when templates or the grammar change)."""
    t = load(builtin_dir("templates"))
    rng = random.Random(0)
    first = {}
    for _ in range(300):
        kind = rng.choice(["type", "label", "spatial", "multi", "none"])
        got = draw(t, kind, SCREEN, rng, ["PostalAddress", "DateTime"])
        if got is not None and got.sub not in first:
            first[got.sub] = (got.query, sorted(got.targets), got.template, got.reference, got.type, got.label,
                              got.ordinal)
    assert first == {
        'multi': ("I'd like to copy these numbers, thanks", [0, 1, 4], 'screen/multi/0/PhoneNumber', 'multi', 'PhoneNumber', '', 0),
        'none': ('Save the address, thanks a lot', [], 'screen/none/0/PostalAddress', 'none', 'PostalAddress', '', 0),
        'type': ('Share the link', [3], 'screen/type/1/Uri', 'type', 'Uri', '', 0),
        'top': ('I want to copy the number at the top real quick', [0], 'screen/top/0/PhoneNumber', 'spatial', 'PhoneNumber', '', 0),
        'label': ('Could you copy the sales number', [0], 'screen/label/0/PhoneNumber', 'descriptive', 'PhoneNumber', 'Sales', 0),
        'ordinal': ('I need to copy the second number, thanks', [1], 'screen/ordinal/0/PhoneNumber', 'positional', 'PhoneNumber', '', 1),
        'bottom': ('Go ahead and copy the number at the bottom', [4], 'screen/bottom/0/PhoneNumber', 'spatial', 'PhoneNumber', '', 0),
        'bare_label': ('Go ahead and dial sales right away', [0], 'screen/bare_label/0/PhoneNumber', 'descriptive', 'PhoneNumber', 'Sales', 0),
    }
    assert rng.random() == 0.5449131408796454  # the run drew exactly as many numbers as when pinned


def test_no_fax_is_called_and_no_noun_is_said_twice():
    # the reviewed requests "Text fax", "Please email the email address for support"
    t = load(builtin_dir("templates"))
    rng = random.Random(1)
    made = [draw(t, k, SCREEN, rng, ["PostalAddress"]) for k in ["label"] * 400]
    queries = [d.query.lower() for d in made if d is not None]
    assert queries
    fax = [q for d, q in zip([d for d in made if d is not None], queries) if d.label.lower() == "fax"]
    assert fax and not any(w in q.split() for q in fax for w in ("call", "dial", "text"))
    assert not any(re.search(r"\bemail the email\b|\bcall the call\b", q) for q in queries)
    # nor when the request names it otherwise: rendered "Call the third number", "Text all numbers on this page" were
    # said of a fax number or a page listing one
    drawn = [draw(t, k, SCREEN, rng, ["PostalAddress"]) for k in ["spatial", "multi"] * 300]
    with_fax = [d.query.lower() for d in drawn if d is not None and 4 in d.targets]
    assert with_fax and not any(w in q.split() for q in with_fax for w in ("call", "dial", "text"))
