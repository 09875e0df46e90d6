"""Scoring against annotated truth (the shared real-page definitions), on hand-built boxes."""

from __future__ import annotations

from datagen.screen.model import Box, Detection, Element, Word
from datagen.screen.score import (EntityCounts, Fragment, ScreenTruth, TruthEntity, f1, fragment_labels,
                                  line_counts, line_pair_counts, plain_lines, row_conflicts, same_entity, score_entities)


def det(type_, text, x0, y0, x1, y1):
    return Detection(type_, text, Box(x0, y0, x1, y1), 0, 0, len(text))


PHONE = TruthEntity("PhoneNumber", "3 16-69 1-85 19", (Box(50, 760, 100, 780), Box(105, 760, 160, 780)))
TRUTH = ScreenTruth((), (
    PHONE,
    TruthEntity("PhoneNumber", "+44 1730 268592", (Box(0, 0, 90, 20),)),  # 12 digits: not counted in recall
    TruthEntity("EmailAddress", "Info@Acme.com", (Box(0, 100, 120, 120),)),
    TruthEntity("PostalAddress", "5 N. Beech Rd., Wichita, KS 67206", (Box(0, 200, 90, 220), Box(0, 222, 150, 242))),
), ("PhoneNumber", "EmailAddress", "PostalAddress"))


def test_a_phone_is_found_by_overlap_and_its_last_ten_digits():
    assert same_entity(det("PhoneNumber", "(316) 691-8519", 120, 762, 200, 779), PHONE)  # overlaps the 2nd box
    assert same_entity(det("PhoneNumber", "+1 316 691 8519", 55, 762, 90, 779), PHONE)
    assert not same_entity(det("PhoneNumber", "316 691 8518", 55, 762, 90, 779), PHONE)  # another number
    assert not same_entity(det("PhoneNumber", "316 691 8519", 55, 800, 90, 819), PHONE)  # somewhere else


def test_per_type_counts_worked_out_by_hand():
    detections = [
        det("PhoneNumber", "316-691-8519", 50, 760, 160, 780),   # finds PHONE
        det("PhoneNumber", "1730 268592", 0, 0, 90, 20),          # overlaps the uncounted number: precise
        det("PhoneNumber", "555 0100", 400, 400, 480, 420),       # on no label: imprecise
        det("EmailAddress", "info@acme.com", 2, 101, 118, 119),   # same text, case ignored
        det("PostalAddress", "5 N. Beech Rd.", 0, 200, 90, 220),  # holds the street number
        det("Uri", "acme.com", 0, 300, 80, 320),                  # URLs were not annotated: not scored
    ]
    c = score_entities(detections, TRUTH)
    assert isinstance(c, EntityCounts)
    assert dict(c.labels) == {"PhoneNumber": 1, "EmailAddress": 1, "PostalAddress": 1}
    assert dict(c.found) == {"PhoneNumber": 1, "EmailAddress": 1, "PostalAddress": 1}
    assert dict(c.detected) == {"PhoneNumber": 3, "EmailAddress": 1, "PostalAddress": 1}
    assert dict(c.precise) == {"PhoneNumber": 2, "EmailAddress": 1, "PostalAddress": 1}


def test_an_address_without_its_street_number_is_not_found():
    c = score_entities([det("PostalAddress", "Wichita, KS 67206", 0, 222, 150, 242)], TRUTH)
    assert c.found["PostalAddress"] == 0 and c.precise["PostalAddress"] == 1


def test_a_partial_address_label_makes_a_detection_precise_but_is_not_counted_in_recall():
    # the real case (desktop page 31 of the shared pages): the annotators grouped only the city line
    # "Danville, CA, 94526" into an address; the street line above carries its own label
    city = TruthEntity("PostalAddress", "Danville, CA, 94526", (Box(9, 589, 133, 606),), partial=True)
    street = TruthEntity("PostalAddress", "588 San Ramon Valley Blvd. Suite 202", (Box(9, 553, 200, 570),), partial=True)
    truth = ScreenTruth((), (city, street), ("PostalAddress",))
    found = det("PostalAddress", "588 San Ramon Valley Blvd. Suite 202, Danville CA 94526", 9, 553, 200, 606)
    c = score_entities([found, det("PostalAddress", "1 Elm St, Reno NV 89501", 9, 900, 200, 940)], truth)
    assert dict(c.labels) == {} and dict(c.found) == {}  # "94526" is no street number to find
    assert c.detected["PostalAddress"] == 2 and c.precise["PostalAddress"] == 1


def w(text, x0, y0, x1, y1):
    return Word(text, Box(x0, y0, x1, y1), 90.0)


def test_line_pairs_worked_out_by_hand():
    # two fragments on one row (a label and a value in two columns), one below, one half-overlapping
    frags = [Fragment("Phone", Box(0, 0, 60, 20)), Fragment("555 0100", Box(300, 2, 400, 22)),
             Fragment("Fax", Box(0, 40, 40, 60)), Fragment("x", Box(500, 12, 520, 40))]
    words = [w("Phone", 0, 0, 60, 20), w("555", 300, 2, 340, 22), w("0100", 345, 2, 400, 22), w("Fax", 0, 40, 40, 60),
             w("x", 500, 12, 520, 40)]
    # lines: the row split in two (a miss), Fax alone, x with Fax (a false "same")
    assert fragment_labels(frags, words, [0, 1, 1, 2, 2]) == [0, 1, 2, 2]
    counts = line_pair_counts(frags, [0, 1, 2, 2])
    # pairs: (Phone, 555 0100) overlap 18 >= 10: same row, split -> fn; (Phone, Fax), (555 0100, Fax) apart and
    # apart -> nothing; (Phone, x) overlap 8 < 10 but > 0 -> not scored; (555 0100, x) overlap 10 >= 10 -> same
    # row, split -> fn; (Fax, x) touch without overlapping -> different rows, together -> fp
    assert counts == {"tp": 0, "fp": 1, "fn": 2}
    assert f1(counts) == 0.0
    # the row together and x with it: (Phone, 555 0100) and (555 0100, x) tp, nothing else scored wrong
    assert line_pair_counts(frags, [0, 0, 1, 0]) == {"tp": 2, "fp": 0, "fn": 0}
    assert f1({"tp": 0, "fp": 0, "fn": 0}) is None


def test_fragments_without_words_are_not_scored_and_rows_win_over_overlap():
    frags = [Fragment("a", Box(0, 0, 10, 10), row=0), Fragment("b", Box(20, 30, 30, 40), row=0),
             Fragment("c", Box(50, 0, 60, 10))]
    words = [w("a", 0, 0, 10, 10), w("b", 20, 30, 30, 40)]
    els = [Element("a", words[0].box, (words[0],)), Element("b", words[1].box, (words[1],))]
    assert line_counts(frags, words, [[0], [1]], [e.words for e in els]) == {"tp": 0, "fp": 0, "fn": 1}
    assert line_counts(frags, words, [[0, 1]], [e.words for e in els]) == {"tp": 1, "fp": 0, "fn": 0}


def test_plain_reference_groups_words_by_centre():
    words = [w("a", 0, 0, 10, 10), w("b", 50, 6, 60, 16), w("c", 0, 30, 10, 40)]  # centres 5, 11, 35; height 10
    assert plain_lines(words, 100.0) == [[0, 1], [2]]  # 6 <= 0.8 x 10


def test_row_conflicts_bound_every_grouping():
    # a tall cell (0-30) beside two rows (0-12, 16-28): it shares a row with each, they share none
    frags = [Fragment("Tall cell", Box(0, 0, 50, 30)), Fragment("row one", Box(60, 0, 120, 12)),
             Fragment("row two", Box(60, 16, 120, 28)), Fragment("below", Box(0, 40, 50, 52))]
    assert row_conflicts(frags) == {"conflicts": 1, "pairs": 2}
    bound = 2 * 2 / (2 * 2 + 1)
    groupings = [[0, 0, 0, 1], [0, 0, 1, 2], [0, 1, 0, 2], [0, 1, 2, 3], [0, 1, 1, 2]]
    scores = [f1(line_pair_counts(frags, g)) for g in groupings]
    assert max(scores) == bound and all(s <= bound for s in scores)  # one grouping reaches it: it is tight here
    assert row_conflicts(frags[1:]) == {"conflicts": 0, "pairs": 0}
