"""Line grouping on hand-built boxes (superscripts, tight leading, columns, tilt, drift) and its invariants."""

from __future__ import annotations

from statistics import median

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datagen.screen.lines import (LineSettings, element_y, group_lines, line_pairs_f1, merge_words, read_lines,
                                  screen_text, tesseract_lines, word_y)
from datagen.screen.model import Box, Element, Word

FAST = settings(max_examples=80, deadline=None)


def el(text, x0, y0, x1, y1, tid=None):
    """An element with one word; `tid` = (block, par, line) gives it a Tesseract line."""
    box = Box(x0, y0, x1, y1)
    b, p, l = tid or (0, 0, 0)
    return Element(text, box, (Word(text, box, 90.0, b, p, l),))


def wd(text, x0, y0, x1, y1, tid=(0, 0, 0)):
    return Word(text, Box(x0, y0, x1, y1), 90.0, *tid)


def texts(elements, lines):
    return [[elements[i].text for i in line] for line in lines]


def grouping(elements, lines):
    """Lines as a multiset of multisets of element geometry+text: comparable across index renamings."""
    key = lambda e: (e.box.as_tuple(), e.text)  # noqa: E731
    return sorted(tuple(sorted(key(elements[i]) for i in line)) for line in lines)


# ---------------------------------------------------------------- merge_words

def test_merge_joins_close_words_and_keeps_columns_apart():
    # height 20 -> threshold 0.6 * 20 = 12 px; "John"-"Smith" gap 8, "Smith"-"555" gap 200
    words = [wd("John", 10, 100, 50, 120), wd("Smith", 58, 100, 110, 120), wd("555 1234", 310, 100, 400, 120)]
    out = merge_words(words)
    assert [e.text for e in out] == ["John Smith", "555 1234"]
    assert out[0].box == Box(10, 100, 110, 120)
    assert [w.text for w in out[0].words] == ["John", "Smith"]


def test_merge_gap_threshold_is_strict_and_relative_to_height():
    pair = lambda gap, h: [wd("a", 0, 0, 10, h), wd("b", 10 + gap, 0, 20 + gap, h)]  # noqa: E731
    assert len(merge_words(pair(11.9, 20), word_gap=0.6)) == 1
    assert len(merge_words(pair(12, 20), word_gap=0.6)) == 2  # gap == 0.6 * 20 is not below the threshold
    assert len(merge_words(pair(23, 40), word_gap=0.6)) == 1  # same gap in px joins at a larger font
    assert len(merge_words(pair(11.9, 20), word_gap=0.5)) == 2
    assert len(merge_words(pair(29.9, 20))) == 1 and len(merge_words(pair(30, 20))) == 2  # default: 1.5 heights


def test_merge_glues_tokens_ocr_split_at_url_punctuation_only():
    def texts(*words):
        return [e.text for e in merge_words(list(words))]
    h = 20
    assert texts(wd("https:", 0, 0, 60, h), wd("//www.x.com", 68, 0, 180, h)) == ["https://www.x.com"]
    assert texts(wd("me@example.", 0, 0, 110, h), wd("net", 116, 0, 146, h)) == ["me@example.net"]
    assert texts(wd("sanders", 0, 0, 70, h), wd(".com", 75, 0, 115, h)) == ["sanders.com"]
    # the same small gap between ordinary words keeps its space; so does a wide gap after a '.'
    assert texts(wd("Main", 0, 0, 40, h), wd("St", 46, 0, 66, h)) == ["Main St"]
    assert texts(wd("Dr.", 0, 0, 30, h), wd("Smith", 36, 0, 86, h)) == ["Dr. Smith"]
    assert texts(wd("example.", 0, 0, 80, h), wd("net", 100, 0, 130, h)) == ["example. net"]


def test_merge_tesseract_line_joins_superscript_but_geometry_alone_does_not():
    acme, tm = (0, 100, 60, 120), (61, 96, 75, 106)  # "TM" centre 9 px above, height 10
    assert [e.text for e in merge_words([wd("Acme", *acme, (1, 1, 1)), wd("TM", *tm, (1, 1, 1))])] == ["Acme TM"]
    assert sorted(e.text for e in merge_words([wd("Acme", *acme), wd("TM", *tm)])) == ["Acme", "TM"]


def test_merge_geometry_joins_across_tesseract_lines_and_rows_stay_apart():
    a, b = wd("Call", 0, 100, 40, 120, (1, 1, 1)), wd("now", 45, 102, 80, 122, (2, 1, 1))
    below = wd("later", 10, 121, 50, 141, (1, 1, 2))  # overlaps in x, next row
    out = merge_words([below, b, a])
    assert [e.text for e in out] == ["Call now", "later"]


def test_merge_same_row_means_centres_within_half_the_smaller_height():
    big = wd("big", 0, 100, 40, 120)  # centre 110, height 20
    assert len(merge_words([big, wd("sub", 42, 105, 50, 115)])) == 1  # centre 110
    assert len(merge_words([big, wd("sup", 42, 100, 50, 110)])) == 1  # centre 105: 5 = 10 / 2
    assert len(merge_words([big, wd("sup", 42, 99, 50, 109)])) == 2  # centre 104: 6 > 5


def test_merge_orders_by_top_then_x_and_rejects_bad_gap():
    out = merge_words([wd("c", 0, 50, 10, 60), wd("b", 200, 0, 210, 10), wd("a", 0, 0, 10, 10)])
    assert [e.text for e in out] == ["a", "b", "c"]
    assert merge_words([]) == []
    with pytest.raises(ValueError, match="word_gap=-1"):
        merge_words([wd("a", 0, 0, 1, 1)], word_gap=-1)


word_st = st.builds(
    lambda t, x, y, w, h, line: wd(t, x, y, x + w, y + h, (1, 1, line)),
    st.sampled_from("abc"), st.integers(0, 300), st.integers(0, 300), st.integers(0, 60),
    st.integers(0, 30), st.integers(0, 3),
)


@FAST
@given(st.lists(word_st, max_size=25), st.randoms(use_true_random=False))
def test_merge_is_order_independent_and_keeps_every_word(words, rnd):
    shuffled = list(words)
    rnd.shuffle(shuffled)
    out = merge_words(words)
    assert out == merge_words(shuffled)
    assert sorted(map(repr, (w for e in out for w in e.words))) == sorted(map(repr, words))
    for e in out:
        assert list(e.words) == sorted(e.words, key=lambda w: (w.box.x0, w.box.y0, w.box.x1, w.box.y1, w.text))
        assert e.text == " ".join(w.text for w in e.words)


# ---------------------------------------------------------------- group_lines: hand-built boxes

def test_superscript_stays_on_its_line():
    els = [el("Acme", 0, 100, 60, 120), el("TM", 61, 96, 75, 106), el("Inc", 90, 100, 130, 120),
           el("next", 0, 124, 40, 144)]
    assert texts(els, group_lines(els)) == [["Acme", "TM", "Inc"], ["next"]]


def test_tight_leading_stays_two_lines():
    els = [el("one", 0, 100, 50, 120), el("two", 60, 100, 110, 120),
           el("three", 0, 121, 50, 141), el("four", 60, 121, 110, 141)]  # boxes 1 px apart
    assert texts(els, group_lines(els, margin=0.8)) == [["one", "two"], ["three", "four"]]


def test_two_columns_stay_two_elements_but_share_a_line():
    words = [wd("Name", 10, 100, 60, 120), wd("Jane", 300, 101, 350, 121), wd("Doe", 356, 101, 390, 121),
             wd("Phone", 10, 130, 70, 150), wd("555", 300, 130, 340, 150)]
    els = merge_words(words)
    assert [e.text for e in els] == ["Name", "Jane Doe", "Phone", "555"]
    assert texts(els, group_lines(els)) == [["Name", "Jane Doe"], ["Phone", "555"]]


def tilted_row(y, n=8, step=3, tag="r"):
    return [el(f"{tag}{k}", 100 * k, y + step * k, 100 * k + 80, y + step * k + 20) for k in range(n)]


def test_tilted_row_stays_one_line_with_mean_reference():
    # 8 elements, centres drift 3 px each (21 px overall) > margin_px 16; next row 40 px lower
    els = tilted_row(100) + tilted_row(140, tag="s")
    lines = group_lines(els, reference="mean")
    assert texts(els, lines) == [[f"r{k}" for k in range(8)], [f"s{k}" for k in range(8)]]
    assert len(group_lines(els, reference="first")) > 2  # a fixed reference cuts the tilted row


def test_slow_drift_first_bounds_extent_mean_follows_but_does_not_chain():
    # 20 elements, height 10, centres 0, 2, ..., 38 px: margin_px = 0.8 * 10 = 8
    els = [el(str(k), 50 * k, 2 * k, 50 * k + 40, 2 * k + 10) for k in range(20)]
    first = group_lines(els, reference="first", anchor="centre")
    mean = group_lines(els, reference="mean", anchor="centre")
    assert [len(line) for line in first] == [5, 5, 5, 5]  # each line spans 8 px <= margin_px
    assert [len(line) for line in mean] == [8, 8, 4]  # spans 14 px: the running mean lags behind
    for lines, bound in [(first, 8), (mean, 16)]:
        for line in lines:
            cys = [els[i].box.cy for i in line]
            assert max(cys) - min(cys) <= bound


@pytest.mark.parametrize("anchor", ["centre", "xheight"])
def test_margin_units_px_and_screen(anchor):
    els = [el("a", 0, 0, 10, 10), el("b", 20, 6, 30, 16)]  # centres (and x-height centres: "b" rises) 5 and 11
    if anchor == "xheight":
        els[1] = el("e", 20, 6, 30, 16)
    assert len(group_lines(els, margin=5.9, unit="px", anchor=anchor)) == 2
    assert len(group_lines(els, margin=6, unit="px", anchor=anchor)) == 1
    assert len(group_lines(els, margin=0.01, unit="screen", screen_height=500, anchor=anchor)) == 2  # 5 px
    assert len(group_lines(els, margin=0.012, unit="screen", screen_height=500, anchor=anchor)) == 1  # 6 px
    assert len(group_lines(els, margin=0.6, unit="height", anchor=anchor)) == 1  # 0.6 * 10 = 6 px


@pytest.mark.parametrize("kwargs, message", [
    ({"margin": -0.1}, "margin=-0.1"),
    ({"margin": float("nan")}, "margin=nan"),
    ({"unit": "em"}, "unit='em'"),
    ({"unit": "screen"}, "screen_height=None"),
    ({"unit": "screen", "screen_height": 0}, "screen_height=0"),
    ({"reference": "median"}, "reference='median'"),
    ({"anchor": "baseline"}, "anchor='baseline'"),
])
def test_group_lines_errors_name_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        group_lines([el("a", 0, 0, 1, 1)], **kwargs)


def test_equal_float_centres_share_a_line_at_margin_zero():
    # 0.1 + 0.1 + 0.1 == 0.30000000000000004 in floats: a float running mean would drift off 0.1
    els = [el(str(k), 10 * k, 0, 10 * k + 5, 0.2) for k in range(4)] + [el("low", 0, 0.2, 5, 0.4)]
    for reference in ["mean", "first"]:
        assert texts(els, group_lines(els, margin=0, reference=reference)) == [["0", "1", "2", "3"], ["low"]]


def test_group_lines_empty_and_order_within_line():
    assert group_lines([]) == []
    els = [el("right", 200, 0, 250, 20), el("left", 0, 2, 50, 22)]
    assert group_lines(els) == [[1, 0]]


# ---------------------------------------------------------------- group_lines: properties

tenths = lambda hi: st.integers(0, 10 * hi).map(lambda v: v / 10)  # noqa: E731  (inexact binary floats)
elem_st = st.builds(
    lambda t, x, y, w, h: el(t, x, y, x + w, y + h),
    st.sampled_from("xyz"), st.integers(0, 400), tenths(400), st.integers(0, 80), tenths(40),
)
elems_st = st.lists(elem_st, max_size=30)
ref_st = st.sampled_from(["mean", "first"])
anchor_st = st.sampled_from(["xheight", "centre"])


@FAST
@given(elems_st, st.floats(0, 3), ref_st, anchor_st)
def test_every_element_exactly_once(els, margin, reference, anchor):
    lines = group_lines(els, margin=margin, reference=reference, anchor=anchor)
    assert sorted(i for line in lines for i in line) == list(range(len(els)))
    assert all(line for line in lines)
    for line in lines:
        assert [els[i].box.x0 for i in line] == sorted(els[i].box.x0 for i in line)


@FAST
@given(elems_st, st.floats(0, 3), ref_st, anchor_st, st.randoms(use_true_random=False))
def test_invariant_to_input_permutation(els, margin, reference, anchor, rnd):
    shuffled = list(els)
    rnd.shuffle(shuffled)
    a = group_lines(els, margin=margin, reference=reference, anchor=anchor)
    b = group_lines(shuffled, margin=margin, reference=reference, anchor=anchor)
    assert grouping(els, a) == grouping(shuffled, b)
    assert texts(els, a) == texts(shuffled, b)  # same order of lines and within lines too


@FAST
@given(elems_st, ref_st, anchor_st)
def test_margin_zero_separates_different_centres(els, reference, anchor):
    lines = group_lines(els, margin=0, reference=reference, anchor=anchor)
    line_of = {i: k for k, line in enumerate(lines) for i in line}
    med = median(e.box.height for e in els) if els else None
    for i in range(len(els)):
        for j in range(len(els)):
            same = line_of[i] == line_of[j]
            assert same == (element_y(els[i], anchor, med) == element_y(els[j], anchor, med))


@FAST
@given(elems_st, st.floats(0, 3), st.floats(0, 3), ref_st, st.sampled_from(["height", "px"]), anchor_st)
def test_larger_margin_never_gives_more_lines(els, m1, m2, reference, unit, anchor):
    small, large = sorted((m1, m2 * (20 if unit == "px" else 1)))
    assert (len(group_lines(els, small, unit, reference=reference, anchor=anchor))
            >= len(group_lines(els, large, unit, reference=reference, anchor=anchor)))


# ---------------------------------------------------------------- word_y and read_lines

def test_word_y_is_the_x_height_centre_whatever_the_letters():
    # x-height 10 px, baseline at y=110: "more" (x-height only), "Hello" (rises 0.4 x 10),
    # "happy" (rises and falls 0.35 x 10) have box centres 105, 103 and 104.75; one x-height centre
    more, hello, happy = wd("more", 0, 100, 40, 110), wd("Hello", 50, 96, 90, 110), wd("happy", 100, 96, 140, 113.5)
    assert [w.box.cy for w in (more, hello, happy)] == [105, 103, 104.75]
    assert [word_y(w) for w in (more, hello, happy)] == pytest.approx([105, 105, 105])
    assert word_y(wd("...", 0, 100, 10, 110)) == 105  # symbols only: the box centre


def sidebar_and_paragraph():
    """Real failure (desktop page 6 of the shared real pages): a sidebar list beside a paragraph whose
    rows are offset by half a row; Tesseract's word boxes as read (x-height 8 px)."""
    side = [wd("Minivans", 200.5, 305, 260, 316), wd("SUVs", 201, 323, 238, 334), wd("Trucks", 200, 340, 243.5, 352),
            wd("Vans", 200.5, 359, 231, 370)]
    text = [("To", 335, 333, 351.5, 344), ("make", 356, 332, 390, 344), ("navigation", 394.5, 333, 461, 348),
            ("of", 466, 332, 479, 344), ("this", 483.5, 332, 506, 344), ("page", 510.5, 335, 540, 348),
            ("easier,", 545, 333, 584.5, 346), ("we've", 589.5, 333, 625.5, 344)]
    return side + [wd(*t, tid=(18, 1, 1)) for t in text]


def test_real_sidebar_beside_offset_paragraph_rows_stay_apart():
    # the browser's rows: SUVs 320-337, the paragraph 330-347, Trucks 338-355: the paragraph shares
    # Trucks' row (overlap 9 of 17 px) and not SUVs' (7 px). Box centres (the paper's anchor) put
    # SUVs and Trucks on one line with the paragraph; x-height centres keep them apart.
    words = sidebar_and_paragraph()
    els, lines = read_lines(words, LineSettings(), 1600)
    assert texts(els, lines) == [["Minivans"], ["SUVs"], ["Trucks", "To make navigation of this page easier, we've"],
                                 ["Vans"]]
    els, lines = read_lines(words, LineSettings(anchor="centre"), 1600)
    assert texts(els, lines)[1] == ["Trucks", "SUVs", "To make navigation of this page easier, we've"]  # x0 200, 201


def test_a_tall_box_ocr_read_as_a_word_is_grouped_by_its_centre():
    # real case (a rendered place card, en_GB): OCR read a map picture 89 px tall as "= «ep"; by its
    # letters its x-height centre fell on the "1.2 mi" row beside it
    words = [wd("= «ep", 20, 110, 100, 199), wd("1.2", 300, 113, 330, 132), wd("mi", 336, 116, 360, 132),
             wd("Bell", 20, 57, 60, 80), wd("Store", 66, 57, 120, 80), wd("5", 20, 212, 30, 240)]
    els, lines = read_lines(words, LineSettings(), 800)
    assert texts(els, lines) == [["Bell Store"], ["1.2 mi"], ["= «ep"], ["5"]]


def test_read_lines_tesseract_mode_and_empty():
    words = sidebar_and_paragraph()
    els, lines = read_lines(words, LineSettings(mode="tesseract"), 1600)
    # one Tesseract line for the paragraph; the sidebar's words have no line id: each a line of its own
    assert texts(els, lines) == [["Minivans"], ["SUVs"], ["To make navigation of this page easier, we've"], ["Trucks"],
                                 ["Vans"]]
    assert read_lines([], LineSettings(), 100) == ([], [])


@FAST
@given(st.lists(word_st, max_size=25), st.floats(0, 2), anchor_st, st.randoms(use_true_random=False))
def test_read_lines_elements_stay_inside_lines(words, margin, anchor, rnd):
    settings = LineSettings(margin=margin, anchor=anchor)
    els, lines = read_lines(words, settings, 400)
    assert sorted(i for line in lines for i in line) == list(range(len(els)))
    assert sorted(map(repr, (w for e in els for w in e.words))) == sorted(map(repr, words))
    word_lines = group_lines([Element(w.text, w.box, (w,)) for w in words], margin, "height", 400, "mean", anchor)
    line_of_word = {id(words[i]): k for k, line in enumerate(word_lines) for i in line}
    for line in lines:  # an element's words are all on one line of words, and a line's elements run left to right
        assert len({line_of_word[id(w)] for i in line for w in els[i].words}) == 1
        assert [els[i].box.x0 for i in line] == sorted(els[i].box.x0 for i in line)
    shuffled = list(words)
    rnd.shuffle(shuffled)
    assert read_lines(shuffled, settings, 400) == (els, lines)


# ---------------------------------------------------------------- tesseract_lines

def test_tesseract_lines_group_by_id_and_order_by_top_then_x():
    els = [el("b2", 100, 52, 140, 70, (1, 1, 2)), el("a1", 0, 10, 40, 30, (1, 1, 1)),
           el("b1", 0, 50, 40, 70, (1, 1, 2)), el("a2", 100, 60, 140, 80, (1, 1, 1)),  # drawn low, id says line 1
           el("loose", 0, 0, 5, 5), el("stray", 200, 90, 205, 95)]  # no Tesseract line: alone
    assert texts(els, tesseract_lines(els)) == [["loose"], ["a1", "a2"], ["b1", "b2"], ["stray"]]
    assert tesseract_lines([]) == []


# ---------------------------------------------------------------- screen_text

def test_screen_text_tabs_newlines_and_injection():
    els = [el("Name", 0, 0, 1, 1), el("Jane", 0, 0, 1, 1), el("Phone", 0, 0, 1, 1), el("555", 0, 0, 1, 1)]
    lines = [[0, 1], [2, 3]]
    assert screen_text(els, lines) == "Name\tJane\nPhone\t555"
    out = screen_text(els, lines, injections={3: "{{1. (206) 198 1999}}"})
    assert out == "Name\tJane\nPhone\t{{1. (206) 198 1999}}"
    assert screen_text(els, [[], [2], [0, 1]], sep=" | ") == "Phone\nName | Jane"  # no leading separators
    assert screen_text(els, []) == ""
    with pytest.raises(ValueError, match=r"\[7\]"):
        screen_text(els, lines, injections={7: "x"})


# ---------------------------------------------------------------- line_pairs_f1

def test_line_pairs_f1_exact():
    # truth rows: {0,1,2} {3,4}: 3 + 1 = 4 true pairs
    r = line_pairs_f1([[0, 1], [2, 3, 4]], [0, 0, 0, 1, 1])
    # predicted pairs: (0,1) (2,3) (2,4) (3,4) = 4; correct: (0,1) (3,4) = 2
    assert (r["pairs_true"], r["pairs_pred"]) == (4, 4)
    assert r["precision"] == r["recall"] == r["f1"] == 0.5
    r = line_pairs_f1([[0, 1, 2, 3, 4]], [0, 0, 0, 1, 1])
    assert (r["precision"], r["recall"], r["pairs_pred"]) == (0.4, 1.0, 10)
    assert r["f1"] == pytest.approx(2 * 0.4 / 1.4)


def test_line_pairs_f1_empty_denominators():
    assert line_pairs_f1([[0], [1]], [0, 1])["f1"] == 1.0  # no pairs anywhere: perfect
    r = line_pairs_f1([[0], [1]], [0, 0])  # nothing predicted, one true pair missed
    assert (r["precision"], r["recall"], r["f1"]) == (1.0, 0.0, 0.0)
    r = line_pairs_f1([[0, 1]], [0, 1])  # one wrong predicted pair, no true pairs
    assert (r["precision"], r["recall"], r["f1"]) == (0.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="pred_lines"):
        line_pairs_f1([[0, 1], [1]], [0, 0])
