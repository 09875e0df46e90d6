"""The unambiguity check on hand-built candidate lists."""

from __future__ import annotations

import pytest

from datagen.entities import Entity
from datagen.resolve import Mention, Vocabulary, occurs, resolve

ORD = ["first", "second", "third", "fourth", "fifth"]
V = Vocabulary(ORD, ["one", "two", "three", "four", "five"], {"noun": "place", "nouns": "places"})


def biz(name: str, street: str, city: str) -> Entity:
    props = (("name", name), ("street_name", street), ("city", city))
    return Entity("LocalBusiness", name, props, f"Name: {name} | Address: 1 {street}, {city}")


LIST = [biz("Walgreens", "Rainbow St", "San Jose"), biz("CVS", "El Camino Real", "Sunnyvale"),
        biz("Rite Aid", "Main Street", "San Jose"), biz("Costco", "Main St", "Fremont")]


@pytest.mark.parametrize("text, select, query, expected", [
    ("the {ordinal} one", "ordinal", "call the second one", {1}),
    ("the {ordinal} one from the bottom", "from_bottom", "call the first one from the bottom", {3}),
    ("the {ordinal} one from the bottom", "from_bottom", "call the second one from the bottom", {2}),
    ("number {number}", "number", "call number 4", {3}),
    ("number {number}", "number", "call number 41", set()),
    ("the last one", "last", "call the last one", {3}),
    ("the first {count}", "first_n", "call the first three", {0, 1, 2}),
    ("the last {count} {nouns}", "last_n", "call the last two places", {2, 3}),
    ("the {ordinal} and the {ordinal2} one", "pair", "the first and the third one", {0, 2}),
    ("all of them", "all", "call all of them", {0, 1, 2, 3}),
    ("the one on {street_name}", "property", "call the one on Rainbow St", {0}),
    ("the one in {city}", "property", "navigate to the one in San Jose", {0, 2}),
    ("the one in {city}", "property", "navigate to the one in Fresno", set()),
    # whole words: "Main St" does not occur in "Main Street", nor the reverse
    ("the one on {street_name}", "property", "call the one on Main Street", {2}),
    ("the one on {street_name}", "property", "call the one on Main St now", {3}),
    ("{name}", "property", "call cvs please", {1}),
])
def test_rules(text, select, query, expected):
    assert resolve(Mention("m", text, select), query, LIST, V) == expected


def test_property_sees_values_in_other_fields():
    shared = [biz("Main Street Deli", "Oak Ave", "Reno"), biz("Bob's", "Main Street", "Reno")]
    m = Mention("m", "the one on {street_name}", "property")
    assert resolve(m, "call the one on Main Street", shared, V) == {0, 1}


def test_type_rules():
    cands = [Entity("PhoneNumber", "1", (), "1"), Entity("EmailAddress", "a@b.co", (), "a@b.co"),
             Entity("PhoneNumber", "2", (), "2")]
    assert resolve(Mention("m", "the phone numbers", "type", ("PhoneNumber",)), "save the phone numbers", cands, V) == {0, 2}
    assert resolve(Mention("m", "the {ordinal} phone number", "type_ordinal", ("PhoneNumber",)),
                   "call the second phone number", cands, V) == {2}
    assert resolve(Mention("m", "the weather", "unrelated"), "the weather", cands, V) == set()


def test_occurs_whole_words():
    assert occurs("main st", "call main st now")
    assert not occurs("main st", "call main street")
    assert not occurs("one", "call someone")
    assert occurs("a@b.co", "mail a@b.co.")
