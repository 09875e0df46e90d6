"""The kinds of reference on hand-built candidate lists: what each rule draws and what it picks."""

from __future__ import annotations

import random

import pytest

from datagen.conversational import _mention
from datagen.entities import Entity
from datagen.errors import UserError
from datagen.rules import RULES, Mention, Vocabulary, occurs, resolve
from datagen.templates import fill

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


PHONES = [Entity("PhoneNumber", "1", (), "1"), Entity("EmailAddress", "a@b.co", (), "a@b.co"),
          Entity("PhoneNumber", "2", (), "2")]
SEEDS = range(20)
FRESH = biz("Safeway", "Oak Ave", "Reno")  # an entity not in LIST


def _draw(m: Mention, cands, kind="positional", seed=0):
    return RULES[m.select].draw(m, V, cands, kind, random.Random(seed), lambda: FRESH)


def _request(m: Mention, values) -> str:
    merged = dict(V.statics)
    merged.update(values)
    return "call " + fill(m.text, merged)


def test_every_rule_is_one_record_under_its_name():
    assert set(RULES) == {"ordinal", "number", "from_bottom", "last", "top", "second_to_last", "middle", "first_n",
                          "last_n", "pair", "all", "unrelated", "type", "type_ordinal", "property", "property_ordinal",
                          "other", "earliest", "latest", "ending_in", "area_code"}
    assert all(name == r.name and r.label in ("positional", "descriptive", "type") for name, r in RULES.items())
    assert sorted(n for n, r in RULES.items() if r.entity_fields) == ["other", "property", "property_ordinal"]


@pytest.mark.parametrize("text, select, types, cands", [
    ("the {ordinal} one", "ordinal", (), LIST),
    ("number {number}", "number", (), LIST),
    ("the {ordinal} one from the bottom", "from_bottom", (), LIST),
    ("the last one", "last", (), LIST),
    ("the first {count}", "first_n", (), LIST),
    ("the last {count} {nouns}", "last_n", (), LIST),
    ("the {ordinal} and the {ordinal2} one", "pair", (), LIST),
    ("all of them", "all", (), LIST),
    ("the weather", "unrelated", (), LIST),
    ("the email address", "type", ("EmailAddress",), PHONES),
    ("the {ordinal} phone number", "type_ordinal", ("PhoneNumber",), PHONES),
    ("the one on {street_name}", "property", (), LIST),
])
def test_draw_then_pick_gives_the_drawn_targets(text, select, types, cands):
    m = Mention("m", text, select, types)
    for seed in SEEDS:
        targets, values = _draw(m, cands, seed=seed)
        assert set(RULES[select].slots) <= set(values)  # the rule fills the slots it declares
        assert resolve(m, _request(m, values), cands, V) == targets, (seed, values)


def test_position_draws():
    top = {min(_draw(Mention("m", "the {ordinal} one", "ordinal"), LIST, seed=s)[0]) for s in SEEDS}
    bottom = {min(_draw(Mention("m", "the {ordinal} one from the bottom", "from_bottom"), LIST, seed=s)[0]) for s in SEEDS}
    assert top == {0, 1, 2, 3}
    assert bottom == {0, 1, 2}  # never "the first one from the bottom"
    assert _draw(Mention("m", "the last one", "last"), LIST) == ({3}, {})
    targets, values = _draw(Mention("m", "number {number}", "number"), LIST, seed=0)
    assert values["number"] == str(min(targets) + 1)


def test_run_draws_name_two_or_more_and_leave_one_out():
    first, last = Mention("m", "the first {count}", "first_n"), Mention("m", "the last {count}", "last_n")
    assert _draw(first, LIST[:2]) is None and _draw(last, LIST[:2]) is None
    runs = {frozenset(_draw(first, LIST, seed=s)[0]) for s in SEEDS}
    assert runs == {frozenset({0, 1}), frozenset({0, 1, 2})}
    assert {frozenset(_draw(last, LIST, seed=s)[0]) for s in SEEDS} == {frozenset({2, 3}), frozenset({1, 2, 3})}
    assert _draw(first, LIST[:3]) == ({0, 1}, {"count": "two"})


def test_pair_all_unrelated_draws():
    for seed in SEEDS:
        targets, values = _draw(Mention("m", "the {ordinal} and the {ordinal2} one", "pair"), LIST, seed=seed)
        i, j = sorted(targets)
        assert i < j and values == {"ordinal": ORD[i], "ordinal2": ORD[j]}
    assert _draw(Mention("m", "all of them", "all"), LIST) == ({0, 1, 2, 3}, {})
    assert _draw(Mention("m", "the weather", "unrelated"), LIST) == (set(), {})


def test_type_draws_and_feasibility():
    phone, phones = Mention("m", "the phone number", "type", ("PhoneNumber",)), \
        Mention("m", "the phone numbers", "type", ("PhoneNumber",), many=True)
    email, nth = Mention("m", "the email", "type", ("EmailAddress",)), \
        Mention("m", "the {ordinal} phone number", "type_ordinal", ("PhoneNumber",))
    song = Mention("m", "the song", "type", ("Song",))
    assert _draw(phone, PHONES) is None and not RULES["type"].fits(phone, PHONES, "type")
    assert _draw(phones, PHONES, "multi") == ({0, 2}, {}) and RULES["type"].fits(phones, PHONES, "multi")
    assert _draw(email, PHONES, "type") == ({1}, {}) and RULES["type"].fits(email, PHONES, "type")
    assert _draw(song, PHONES, "none") == (set(), {}) and RULES["type"].fits(song, PHONES, "none")
    assert _draw(email, PHONES, "none") is None and not RULES["type"].fits(email, PHONES, "none")
    assert {_draw(nth, PHONES, seed=s)[0].pop() for s in SEEDS} == {0, 2}
    assert RULES["type_ordinal"].fits(nth, PHONES, "positional") and not RULES["type_ordinal"].fits(nth, PHONES, "none")
    assert _draw(nth, PHONES[:2]) is None and not RULES["type_ordinal"].fits(nth, PHONES[:2], "positional")
    assert all(RULES[n].fits(phone, PHONES, "none") for n in ("ordinal", "last", "all", "unrelated", "property"))


def test_property_draws_a_candidate_or_describes_an_absent_one():
    m = Mention("m", "the one on {street_name}", "property")
    targets, values = _draw(m, LIST, "descriptive")
    assert len(targets) == 1 and values == dict(LIST[targets.pop()].properties)
    assert _draw(m, LIST, "none") == (set(), dict(FRESH.properties))
    assert resolve(m, _request(m, dict(FRESH.properties)), LIST, V) == set()


def test_mention_checks_select_and_slots_against_the_rules():
    def mention(text, select):
        return _mention({"id": "x", "text": text, "select": select}, "w", ["city"], ["noun", "nouns"], None)

    assert mention("the {ordinal} and {ordinal2} {nouns}", "pair").select == "pair"
    assert mention("the {noun} in {city}", "property").select == "property"
    assert mention("{noun} number {number}", "number").select == "number"
    with pytest.raises(UserError, match="unknown rule 'nearest'.*type_ordinal"):
        mention("the nearest one", "nearest")
    with pytest.raises(UserError, match="count"):
        mention("the first {count}", "ordinal")
    with pytest.raises(UserError, match="city"):
        mention("the one in {city}", "first_n")


def test_string_baseline_picks_the_candidates_sharing_most_words():
    from datagen.baselines import predict_string

    values = ["Thomas Bookstore", "Main Street Bakery", "123 Main Street, Springfield"]
    assert predict_string("Call the bakery on Main Street", values) == frozenset({2})
    assert predict_string("Navigate to Main Street please", values) == frozenset({2, 3})  # a tie: both
    assert predict_string("Play the second one", values) == frozenset()  # no word shared: none


@pytest.mark.parametrize("rule,text,n,want", [
    ("top", "the top one", 4, {0}), ("second_to_last", "the second to last one", 5, {3}),
    ("middle", "the middle one", 5, {2}), ("middle", "the middle one", 4, None),  # no middle in an even list
    ("second_to_last", "the second to last one", 2, None), ("top", "the one at the top", 1, None),
])
def test_fixed_places_draw_and_resolve_to_exactly_their_target(rule, text, n, want):
    cands = (LIST + [biz("Target", "Oak Ave", "Fremont")])[:n]
    m = Mention("m", text, rule)
    assert RULES[rule].fits(m, cands, "positional") == (want is not None)
    if want is None:
        return
    assert _draw(m, cands) == (want, {})
    assert resolve(m, "call " + text + " please", cands, V) == want
    assert resolve(m, "call the last one", cands, V) == set()  # another place is not this one
    assert not RULES[rule].fits(m, cands, "none")


def test_the_nth_of_those_sharing_a_value():
    # "the second one in San Jose": the second of the candidates in San Jose (list order), not the second overall
    m = Mention("m", "the {ordinal} one in {city}", "property_ordinal")
    assert resolve(m, "call the second one in san jose", LIST, V) == {2}
    assert resolve(m, "call the first one in san jose", LIST, V) == {0}
    assert resolve(m, "call the second one in fremont", LIST, V) == set()  # Fremont has one candidate
    targets, values = _draw(m, LIST)
    assert values["city"] == "San Jose" and targets == {[0, 2][["first", "second"].index(values["ordinal"])]}
    assert not RULES["property_ordinal"].fits(m, LIST, "none") and RULES["property_ordinal"].shares
    # a candidate elsewhere in the list whose line shows the value makes the request ambiguous
    other = biz("San Jose Cafe", "Oak Ave", "Campbell")
    assert resolve(m, "call the second one in san jose", LIST + [other], V) == {2, 4}


def _alarm(time, label="gym"):
    return Entity("Alarm", time, (("time", time), ("label", label)), f"time: {time}; label: {label}")


def _person(name, phone):
    return Entity("Person", name, (("name", name), ("phone", phone)), f"Name: {name} | Phone: {phone}")


def test_earliest_and_latest_by_clock_time():
    from datagen.rules import minutes_of

    assert minutes_of("7:30 AM") == 450 and minutes_of("12:05 AM") == 5 and minutes_of("12:00 PM") == 720
    alarms = [_alarm("7:30 AM"), _alarm("6:15 AM"), _alarm("11:05 PM"), _alarm("12:10 PM")]
    early, late = Mention("m", "the earliest alarm", "earliest"), Mention("m", "the latest alarm", "latest")
    assert _draw(early, alarms) == ({1}, {}) and _draw(late, alarms) == ({2}, {})
    assert resolve(early, "snooze the earliest alarm", alarms, V) == {1}
    tie = alarms + [_alarm("6:15 AM", "yoga")]
    assert not RULES["earliest"].fits(early, tie, "descriptive")  # two at the earliest time: not unique


def test_phone_digits_name_one_contact():
    people = [_person("Ann Lee", "(415) 555-0142"), _person("Bo Kim", "+1 212-555-0177"),
              _person("Cy Dunn", "(650) 555-0177")]
    ends, area = Mention("m", "the one ending in {last_digits}", "ending_in"), Mention(
        "m", "the {area_code} number", "area_code")
    assert resolve(ends, "call the one ending in 42", people, V) == {0}
    assert resolve(ends, "call the one ending in 77", people, V) == {1, 2}  # two end in 77: ambiguous
    assert resolve(area, "call the 212 number", people, V) == {1}  # +1 taken off
    for _ in range(5):
        targets, values = _draw(ends, people)
        assert targets == {0} and values == {"last_digits": "42"}  # the only unique ending


def test_the_other_one_of_two():
    # negation: "the one that isn't the Walgreens" in a list of two is the other one
    m = Mention("m", "the one that isn't {name}", "other")
    two = LIST[:2]
    assert resolve(m, "call the one that isn't walgreens", two, V) == {1}
    assert resolve(m, "call the one that isn't cvs", two, V) == {0}
    assert resolve(m, "call the one that isn't walgreens", LIST, V) == set()  # only said of two
    targets, values = _draw(m, two)
    assert values["name"] == two[1 - next(iter(targets))].value  # it names the one that is not meant
    assert not RULES["other"].fits(m, LIST, "descriptive") and RULES["other"].fits(m, two, "descriptive")
