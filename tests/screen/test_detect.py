"""Data detectors on OCR text elements: spans, values and boxes per type, two-line addresses,
overlap resolution, and recall / false positives measured on the entity pools."""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datagen.entities import PHONE_STYLES, Pools, format_phone
from datagen.errors import UserError
from datagen.screen.detect import PRIORITY, DetectSettings, _Candidate, _resolve_overlaps, detect, span_box
from datagen.screen.markers import inject, mark
from datagen.screen.model import Box, Detection, Element, Word
from datagen.screen.read import Read
from datagen.templates import builtin_dir

CHAR_W, GAP, LINE_H = 10, 10, 20
VALID = DetectSettings()
POSSIBLE = DetectSettings(leniency="POSSIBLE", regions=["US"])  # leniency on US numbers


def element(text: str, x: float = 0, y: float = 0, h: float = LINE_H) -> Element:
    """An element whose words are laid out left to right (10 px a character, 10 px gaps)."""
    words: List[Word] = []
    cx = x
    for w in text.split(" "):
        words.append(Word(w, Box(cx, y, cx + CHAR_W * len(w), y + h), 90.0))
        cx += CHAR_W * len(w) + GAP
    return Element(text, Box(x, y, cx - GAP, y + h), tuple(words))


def words_box(el: Element, first: int, last: int) -> Box:
    """Union of the boxes of words first..last (inclusive)."""
    box = el.words[first].box
    for w in el.words[first + 1:last + 1]:
        box = box.union(w.box)
    return box


def only(found: Sequence[Detection], type_: str) -> List[Detection]:
    return [d for d in found if d.type == type_]


@pytest.fixture(scope="module")
def pools() -> Pools:
    return Pools(builtin_dir("templates"), "en_US", 0, 200)


# --- phone numbers ------------------------------------------------------------------------


def _numbers(pools: Pools) -> List[phonenumbers.PhoneNumber]:
    nums = [phonenumbers.example_number("US"), phonenumbers.parse("(206) 555-0142", "US")]
    nums += [phonenumbers.parse(e.value, "US") for e in pools.pool("PhoneNumber")[:20]]
    assert all(phonenumbers.is_valid_number(n) for n in nums)
    return nums


@pytest.mark.parametrize("style", PHONE_STYLES)
def test_phone_every_style_found_with_exact_span_value_and_box(pools, style):
    for num in _numbers(pools):
        s = format_phone(num, style)
        text = f"Call us at {s} today"
        el = element(text)
        found = detect([el], VALID)
        assert [(d.type, d.start, d.end, d.text) for d in found] == [("PhoneNumber", 11, 11 + len(s), s)], text
        d = found[0]
        assert d.value == phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
        n_words = len(s.split(" "))
        assert d.box == words_box(el, 3, 2 + n_words)
        assert d.element == 0 and d.properties[0][0] == "region"


def test_invalid_numbers_need_possible_leniency():
    for text in ["(000) 555-0142", "000-555-0142"]:
        assert detect([element(text)], VALID) == []
        assert [d.type for d in detect([element(text)], POSSIBLE)] == ["PhoneNumber"]
    assert detect([element("555-0000-1")], VALID) == []  # too short: nothing at any leniency here
    assert detect([element("555-0000-1")], POSSIBLE) == []


def test_digits_in_tracking_number_are_not_a_phone():
    text = "Tracking 1Z452G6351664598"
    assert detect([element(text)], VALID) == []
    # POSSIBLE takes the trailing digit run: what VALID is for
    assert [d.text for d in detect([element(text)], POSSIBLE)] == ["6351664598"]


def test_national_numbers_of_other_regions_need_the_region():
    text = "Ring 020 7946 0018 now"
    us_only = DetectSettings(regions=["US"])
    assert detect([element(text)], us_only) == []
    found = detect([element(text)], DetectSettings(regions=("US", "GB")))
    assert [(d.text, d.value) for d in found] == [("020 7946 0018", "+442079460018")]
    assert [d.value for d in detect([element(text)], VALID)] == ["+442079460018"]  # GB is a default region
    # a +44 number is found whatever the regions
    assert [d.value for d in detect([element("+44 20 7946 0018")], us_only)] == ["+442079460018"]


def _phones(found: Sequence[Detection]) -> List[Tuple[str, str]]:
    return [(d.text, d.value) for d in found if d.type == "PhoneNumber"]


def test_uk_trunk_number_01730_268_592():
    found = detect([element("Call 01730 268 592 or 0845 653 2064")], VALID)
    assert _phones(found) == [("01730 268 592", "+441730268592"), ("0845 653 2064", "+448456532064")]


def test_numbers_of_the_other_english_regions():
    texts = {"Call 1300 346 227": "+611300346227", "Fax: (02) 9411 8032": "+61294118032",
             "Tel 057 9352105": "+353579352105", "Ring 020 7193 1430.": "+442071931430"}
    for text, value in texts.items():
        assert [v for _, v in _phones(detect([element(text)], VALID))] == [value], text


def test_number_valid_in_two_regions_goes_to_the_one_whose_groups_it_is_written_in():
    # real page 228 (Perth): "(08) 9443 6444" was Ireland's mobile +353 89 443 6444 (IE comes before AU in the regions)
    assert _phones(detect([element("Tel (08) 9443 6444")], VALID)) == [("(08) 9443 6444", "+61894436444")]
    assert _phones(detect([element("Tel 089 443 6444")], VALID)) == [("089 443 6444", "+353894436444")]
    assert _phones(detect([element("Mob 0412 345 678")], VALID)) == [("0412 345 678", "+61412345678")]
    assert _phones(detect([element("Call 206.555.0142 or 2065550143")], VALID)) == [
        ("206.555.0142", "+12065550142"), ("2065550143", "+12065550143")]


def test_phone_icon_read_as_0_before_a_number_on_rendered_place_card():
    # OCR read the phone icon as "0"; New Zealand's trunk 0 made "0 (224) 903-7794" a +64 number
    assert _phones(detect([element("0 (224) 903-7794")], VALID)) == [("(224) 903-7794", "+12249037794")]
    assert _phones(detect([element("0 562.437.1628")], VALID)) == [("562.437.1628", "+15624371628")]
    # rendered web_article: the icon read as "0)" made "0) 731-885-5971" the British mobile +447318855971
    assert _phones(detect([element("0) 731-885-5971")], VALID)) == [("731-885-5971", "+17318855971")]


def test_international_prefix_number():
    assert _phones(detect([element("Abroad: 00 44 20 7946 0018")], VALID)) == [("00 44 20 7946 0018", "+442079460018")]
    assert _phones(detect([element("+46 771 105000 (EU)")], VALID)) == [("+46 771 105000", "+46771105000")]


def test_foreign_national_number_needs_groups():
    # a digit run that is only valid in a further region is an id, not a number
    assert detect([element("Company registration number 05849152")], VALID) == []
    assert _phones(detect([element("Tel 057 9352105")], VALID)) == [("057 9352105", "+353579352105")]


def test_vanity_number():
    found = detect([element("Call 1-877-SOV-BANK today")], VALID)
    assert [(d.type, d.text, d.value, d.start) for d in found] == [("PhoneNumber", "1-877-SOV-BANK", "+18777682265", 5)]
    assert _phones(detect([element("(800) GOT-JUNK?")], VALID)) == [("(800) GOT-JUNK", "+18004685865")]


@pytest.mark.parametrize("text", ["ioSafe 214 NAS RAID", "APKT 1604 PDR UM30", "Model 500 XL-TURBO", "Call 1-800-Flowers"])
def test_product_codes_are_not_vanity_numbers(text):
    assert detect([element(text)], VALID) == []


def test_number_glued_to_words():
    found = detect([element("Office:206-588-2075Fax:206-971-0313")], VALID)
    assert _phones(found) == [("206-588-2075", "+12065882075"), ("206-971-0313", "+12069710313")]
    assert _phones(detect([element("Phone: 317-888-1946Send Email")], VALID)) == [("317-888-1946", "+13178881946")]
    assert detect([element("Tracking 1Z452G6351664598")], VALID) == []  # an ungrouped run glued to letters


def test_ocr_commas_in_number_530_653_2015():
    assert _phones(detect([element("International Fax: 530,653,2015")], VALID)) == [("530,653,2015", "+15306532015")]
    assert detect([element("Raised $1,250,000 in 2013")], VALID) == []


@pytest.mark.parametrize("text", ["Stainlessi#z44.26 1342.84", "Aluminium#+45-48 1243.65", "tipke}44-82 1243.21",
                                  "Uset4459 1243.00"])
def test_prices_on_real_page_are_not_phone_numbers(text):
    # metal prices read as Australian 13 numbers or Danish +45 numbers: a decimal ends them
    assert _phones(detect([element(text)], VALID)) == []


def test_slash_separated_model_list_on_real_page_is_not_a_phone_number():
    assert _phones(detect([element("Amiga 500/600/1200 Power Supply")], VALID)) == []
    assert _phones(detect([element("Tel: 020 7946 0018 / 0019")], VALID))[:1] == [("020 7946 0018", "+442079460018")]


@pytest.mark.parametrize("text, expected", [("Call (8OO) 555-0142", ("(8OO) 555-0142", "+18005550142")),
                                            ("Tel 206-555-Ol42", ("206-555-Ol42", "+12065550142"))])
def test_ocr_letters_for_digits_in_a_number(text, expected):
    assert _phones(detect([element(text)], VALID)) == [expected]


def test_ocr_letter_fix_leaves_vanity_numbers_and_words_alone():
    assert _phones(detect([element("(800) GOT-JUNK")], VALID)) == [("(800) GOT-JUNK", "+18004685865")]
    assert _phones(detect([element("Order OIO-lOO-lOIO")], VALID)) == []  # mostly letters: not a number


def test_number_wrapped_onto_next_element():
    a, b = element("Call (905) 616-", x=40, y=100), element("5509", x=40, y=100 + LINE_H + 4)
    found = detect([a, b], VALID)
    assert [(d.type, d.element, d.start, d.end, d.text, d.value) for d in found] == [
        ("PhoneNumber", 0, 5, len(a.text), "(905) 616-5509", "+19056165509")]
    assert dict(found[0].properties)["elements"] == "0,1"
    assert found[0].box == words_box(a, 1, 2).union(b.box)


def test_number_split_over_two_elements_on_a_row():
    a = element("Phone: (425)", x=40, y=100)
    b = element("322-5078", x=a.box.x1 + 2 * LINE_H, y=100)
    found = detect([a, b], VALID)
    assert [(d.element, d.text, d.value) for d in found] == [(0, "(425) 322-5078", "+14253225078")]
    assert found[0].box == a.words[1].box.union(b.box)


def test_wrapped_number_needs_short_groups():
    # two digit runs one above the other are two values, not one number
    assert detect([element("117317", x=40, y=100), element("113.219", x=40, y=100 + LINE_H + 4)], VALID) == []


# --- e-mails and URLs ---------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("Contact: jane.doe@example.com", [("EmailAddress", "jane.doe@example.com")]),
    ("Write to support+billing@mail.example.co.uk.", [("EmailAddress", "support+billing@mail.example.co.uk")]),
    ("robert51@example.net", [("EmailAddress", "robert51@example.net")]),
    ("Go to https://www.vaughn.com/ now", [("Uri", "https://www.vaughn.com/")]),
    ("Docs at http://example.org/a/b?x=1&y=2.", [("Uri", "http://example.org/a/b?x=1&y=2")]),
    ("(see https://en.wikipedia.org/wiki/Foo_(bar))", [("Uri", "https://en.wikipedia.org/wiki/Foo_(bar)")]),
    ("Visit www.example.com today", [("Uri", "www.example.com")]),
    ("example.org/path", [("Uri", "example.org/path")]),
    ("Shop at Amazon.com, or mail a@b.io", [("Uri", "Amazon.com"), ("EmailAddress", "a@b.io")]),
    ("not.an@email", []),
    ("a..b@example.com", []),  # malformed local part; its host is not taken as a URL either
    ("Node.js README.md v1.2.3 e.g. U.S. file.pdf", []),
])
def test_emails_and_urls_exact_spans(text, expected):
    found = detect([element(text)], VALID)
    assert [(d.type, d.text) for d in found] == expected
    for d in found:
        assert text[d.start:d.end] == d.text


def test_url_never_reported_inside_an_email():
    for text in ["hansenhannah@example.com", "mail info@www.example.com", "x@sub.example.org/path",
                 "https://www.example.com/ or me@example.com"]:
        found = detect([element(text)], VALID)
        emails, uris = only(found, "EmailAddress"), only(found, "Uri")
        assert len(emails) == 1, text
        assert all(u.end <= e.start or u.start >= e.end for u in uris for e in emails), text
    assert [d.type for d in detect([element("hansenhannah@example.com")], VALID)] == ["EmailAddress"]


def test_uri_values_get_a_scheme():
    found = detect([element("www.example.com and https://x.org")], VALID)
    assert [d.value for d in found] == ["https://www.example.com", "https://x.org"]


# --- postal addresses ---------------------------------------------------------------------


def test_every_pool_address_found_in_one_element(pools):
    for e in pools.pool("PostalAddress"):
        text = f"Visit us at {e.value}"
        el = element(text)
        found = detect([el], VALID)
        assert [(d.type, d.text, d.start) for d in found] == [("PostalAddress", e.value, 12)], text
        assert found[0].value == e.value and found[0].properties == ()
        assert found[0].box == words_box(el, 3, len(el.words) - 1)


def _two_lines(street: str, city: str, dx: float = 0, gap: float = 6):
    a = element(street, x=40, y=100)
    b = element(city, x=40 + dx, y=100 + LINE_H + gap)
    return a, b


def test_two_element_address_gets_union_box():
    a, b = _two_lines("123 Main St", "Springfield, IL 62704")
    heading = element("Our store", x=40, y=40)
    hours = element("Open daily", x=400, y=100)
    found = detect([heading, a, hours, b], VALID)
    assert len(found) == 1
    d = found[0]
    assert d.type == "PostalAddress" and d.element == 1
    assert (d.start, d.end) == (0, len(a.text))
    assert d.text == "123 Main St, Springfield, IL 62704" == d.value
    assert d.properties == (("elements", "1,3"), ("spans", f"0:{len(a.text)},0:{len(b.text)}"))
    assert d.box == a.box.union(b.box)


def test_two_element_address_with_text_before_street():
    a, b = _two_lines("Pickup: 907 Stewart Crescent", "West Dawn, IN 09488 (closed Sun)")
    found = detect([a, b], VALID)
    assert [(d.type, d.element, d.start, d.end) for d in found] == [("PostalAddress", 0, 8, len(a.text))]
    d = found[0]
    assert d.text == "907 Stewart Crescent, West Dawn, IN 09488"
    assert d.properties[1] == ("spans", f"8:{len(a.text)},0:19")
    assert d.box == words_box(a, 1, 3).union(words_box(b, 0, 3))


@pytest.mark.parametrize("dx,gap", [(300, 6), (0, 80), (0, -60)])
def test_no_cross_address_when_not_directly_below(dx, gap):
    a, b = _two_lines("123 Main St", "Springfield, IL 62704", dx=dx, gap=gap)
    assert detect([a, b], VALID) == []


def test_pool_addresses_split_over_two_lines(pools):
    missed = []
    for e in pools.pool("PostalAddress")[:60]:
        a, b = _two_lines(e.get("street"), f"{e.get('city')}, {e.get('state')} {e.get('postcode')}")
        found = detect([a, b], VALID)
        if [(d.type, d.text) for d in found] != [("PostalAddress", e.value)] or found[0].box != a.box.union(b.box):
            missed.append(e.value)
    assert not missed


def test_one_line_address_not_duplicated_by_the_line_below():
    a = element("100 Main St, Springfield, IL 62704", x=0, y=0)
    b = element("Open daily 9 AM", x=0, y=LINE_H + 4)
    found = detect([a, b], VALID)
    assert [(d.type, d.element, d.text) for d in found] == [
        ("PostalAddress", 0, "100 Main St, Springfield, IL 62704"), ("DateTime", 1, "9 AM")]
    assert found[0].properties == ()


def _stack(*lines: str, x: float = 40, y: float = 100, centred: bool = False) -> List[Element]:
    """Elements one under the other (left-aligned, or centred on the first line's centre)."""
    out = []
    for k, text in enumerate(lines):
        el = element(text, x=x, y=y + k * (LINE_H + 6))
        if centred and out:
            shift = out[0].box.cx - el.box.cx
            el = element(text, x=x + shift, y=y + k * (LINE_H + 6))
        out.append(el)
    return out


def _addresses(found: Sequence[Detection]) -> List[str]:
    return [d.text for d in found if d.type == "PostalAddress"]


def test_stacked_address_with_a_street_suffix_only_usps_lists():
    # rendered mobile web_article: "1312 Leslie Loaf" over "East" over "Jonathanland," over "MN 33384" (a narrow
    # sidebar), and the same address wrapped in a sentence; "Loaf" is a USPS suffix pyap knows
    assert _addresses(detect(_stack("1312 Leslie Loaf", "East", "Jonathanland,", "MN 33384"), VALID)) == [
        "1312 Leslie Loaf, East, Jonathanland, MN 33384"]
    assert _addresses(detect(_stack("1312 Leslie Loaf, East", "Jonathanland, MN", "33384, just off the"), VALID)) == [
        "1312 Leslie Loaf, East, Jonathanland, MN 33384"]
    assert _addresses(detect(_stack("Open 7 days a week, 365 days a year", "Austin, TX 78701"), VALID)) == []
    assert _addresses(detect(_stack("Serving 12 States", "Austin, TX 78701"), VALID)) == []


def test_address_street_line_then_city_line():
    els = _stack("7000 Miller Court East", "Norcross GA 30071")
    found = detect(els, VALID)
    assert [(d.type, d.element, d.text) for d in found] == [("PostalAddress", 0, "7000 Miller Court East, Norcross GA 30071")]
    assert found[0].box == els[0].box.union(els[1].box)
    assert dict(found[0].properties) == {"elements": "0,1", "spans": f"0:{len(els[0].text)},0:{len(els[1].text)}"}


def test_address_with_suite_line_between():
    els = _stack("Peace Arch Business Center", "8105 Birch Bay Square Steet", "Suite 205", "Blaine WA 98230",
                 "Phone:(360) 366-8500")
    found = detect(els, VALID)
    assert _addresses(found) == ["8105 Birch Bay Square Steet, Suite 205, Blaine WA 98230"]
    assert found[0].element == 1 and dict(found[0].properties)["elements"] == "1,2,3"
    assert _phones(found) == [("(360) 366-8500", "+13603668500")]


def test_po_box_address():
    assert _addresses(detect(_stack("P.O. Box 291", "Anson ME 04911"), VALID)) == ["P.O. Box 291, Anson ME 04911"]


def test_uk_address_on_five_lines():
    els = _stack("Unit 29 Malmesbury Road", "Kingsditch Trading Estate", "Cheltenham", "Gloucestershire", "GL51 9PL")
    assert _addresses(detect(els, VALID)) == [
        "Unit 29 Malmesbury Road, Kingsditch Trading Estate, Cheltenham, Gloucestershire, GL51 9PL"]


def test_uk_postcode_read_with_ocr_confusions():
    found = detect(_stack("PO Box 306", "Newcastle upon Tyne", "NEG 5ZH"), VALID)
    assert [(d.text, d.value) for d in found] == [("PO Box 306, Newcastle upon Tyne, NEG 5ZH",
                                                   "PO Box 306, Newcastle upon Tyne, NE6 5ZH")]


def test_canadian_address():
    els = _stack("5320 - Roper Road", "Edmonton Alberta", "T6B 3E9", "Canada")
    assert _addresses(detect(els, VALID)) == ["5320 - Roper Road, Edmonton Alberta, T6B 3E9, Canada"]


def test_australian_address():
    assert _addresses(detect(_stack("Lvl 2 845 Pacific Hwy", "Chatswood NSW 2067"), VALID)) == [
        "Lvl 2 845 Pacific Hwy, Chatswood NSW 2067"]


def test_australian_street_types_on_rendered_en_AU_pages():
    # AS 4590 street types (Ramble, Wynd, Cutting, ...) were not street types: en_AU address recall was 0.47
    assert _addresses(detect(_stack("11 Connie Ramble", "South Robert, WA 2671"), VALID)) == [
        "11 Connie Ramble, South Robert, WA 2671"]
    assert _addresses(detect(_stack("25 Cooper Wynd", "Brooksland TAS 7009"), VALID)) == [
        "25 Cooper Wynd, Brooksland TAS 7009"]
    # only for Australian addresses: over a US line the same words name no street
    assert _addresses(detect(_stack("11 Connie Ramble", "Springfield, IL 62704"), VALID)) == []


def test_centred_address_lines():
    els = _stack("1617 3rd Avenue", "Suite 7080", "New York NY", "10128", x=300, centred=True)
    assert len({e.box.x0 for e in els}) == 4
    assert _addresses(detect(els, VALID)) == ["1617 3rd Avenue, Suite 7080, New York NY 10128"]


def test_address_between_bullets_in_a_sentence():
    text = "The Arbors at Sweetgrass * 1720 Kirkwood Drive * Fort Collins CO 80525"
    found = detect([element(text)], VALID)
    assert [(d.text, d.value, d.start) for d in found] == [
        ("1720 Kirkwood Drive * Fort Collins CO 80525", "1720 Kirkwood Drive, Fort Collins CO 80525", 27)]


def test_ocr_quote_before_a_line_of_an_address():
    els = _stack("3755 E. 34th St Suite # 101-A", "\u2018Tucson AZ 85713")
    assert _addresses(detect(els, VALID)) == ["3755 E. 34th St Suite # 101-A, \u2018Tucson AZ 85713"]


def test_state_with_a_dot_on_real_page():
    els = _stack("432 N. Litchfield Rd Suite # 316", "Phoenix AZ. 85031")
    assert _addresses(detect(els, VALID)) == ["432 N. Litchfield Rd Suite # 316, Phoenix AZ. 85031"]


def test_postcode_label_in_a_form_column_on_real_page():
    # "Address: | 45 Ironmongers ..." over "Postcode: | E14 9YD": OCR read the second label with its
    # value, so that element starts in the label column; it aligns by the words after its label
    label = element("Address:", x=0, y=100)
    street = element("45 Ironmongers Place, Isle of Dogs.", x=100, y=100)
    postcode = element("Postcode: E149YD", x=0, y=100 + LINE_H + 4)
    postcode = Element(postcode.text, postcode.box, (postcode.words[0], Word("E149YD", Box(100, 124, 160, 144), 90.0)))
    assert _addresses(detect([label, street, postcode], VALID)) == [
        "45 Ironmongers Place, Isle of Dogs., Postcode: E149YD"]
    # a line that does not align, even by its value, is not below
    far = Element(postcode.text, postcode.box, (postcode.words[0], Word("E149YD", Box(300, 124, 360, 144), 90.0)))
    assert _addresses(detect([label, street, far], VALID)) == []


def test_uk_address_inside_a_line_on_real_page():
    text = ("Registered Office Essex House 7-8 The Shrubberies George Lane South Woodford London E18 1BD. "
            "VAT Reg 920 2565 50")
    assert _addresses(detect([element(text)], VALID)) == [
        "7-8 The Shrubberies George Lane South Woodford London E18 1BD"]


def test_address_glued_to_the_word_before_on_real_page():
    text = "Psychologist & Psychotherapist Perth493 Charles Street North Perth WA 6006"
    found = only(detect([element(text)], VALID), "PostalAddress")
    assert [(d.text, d.start) for d in found] == [("493 Charles Street North Perth WA 6006", text.index("493"))]
    # a name with a digit ("V1 Limited") is not a house number
    assert _addresses(detect(_stack("V1 Limited", "Pentland House Village Way", "Wilmslow Cheshire", "SK9 2GH"),
                             VALID)) == []


def test_copyright_year_does_not_start_an_address_on_real_page():
    text = "\u00a9 2014 zynkDesign. 3rd Floor The Hospital Club 24 Endell Street London WC2H 9HQ. Tel: 020 7193 1430.T&C."
    assert _addresses(detect([element(text)], VALID)) == ["3rd Floor The Hospital Club 24 Endell Street London WC2H 9HQ"]


def test_swedish_address_street_then_number_on_real_page():
    assert _addresses(detect(_stack("Vegagatan 3", "11329 Stockholm", "Sweden"), VALID)) == [
        "Vegagatan 3, 11329 Stockholm, Sweden"]
    assert _addresses(detect([element("e Vegagatan 5, 113 29 Stockholm |")], VALID)) == ["Vegagatan 5, 113 29 Stockholm"]


@pytest.mark.parametrize("text, expected", [
    ("Berliner Stra\u00dfe 12a, 10115 Berlin", "Berliner Stra\u00dfe 12a, 10115 Berlin"),
    ("Visit us: Prinsengracht 263, 1016 GV Amsterdam", "Prinsengracht 263, 1016 GV Amsterdam"),
    ("Windows 10, 2019 Edition", None), ("Highway 61, 1965 Columbia", None), ("Version 3, 11329 Downloads", None),
])
def test_continental_european_addresses(text, expected):
    assert _addresses(detect([element(text)], VALID)) == ([expected] if expected else [])
    assert _addresses(detect([element(text)], DetectSettings(address_countries=["CA", "GB", "AU"]))) == []


def test_first_address_line_running_on_into_the_next_column_on_real_page():
    # real page (mobile 13): three narrow columns; OCR merged "PO Box 5214" with "until 7pm" of the column to its
    # right, over "West" / "Chatswood" / "NSW 1515" of its own column
    els = _stack("PO Box 5214 until 7pm", "West", "Chatswood", "NSW 1515")
    found = only(detect(els, VALID), "PostalAddress")
    assert [(d.text, d.box) for d in found] == [
        ("PO Box 5214, West, Chatswood, NSW 1515", words_box(els[0], 0, 2).union(els[3].box))]
    # words that start inside the column below stay: the whole line is the street line
    assert _addresses(detect(_stack("1200 Barton Creek Boulevard", "Austin TX 78701"), VALID)) == [
        "1200 Barton Creek Boulevard, Austin TX 78701"]


def test_indian_address_with_a_po_box_on_real_page():
    # real page (desktop 296): "L&T House, Ballard Estate" over a PO box line over "Mumbai 400 001, India"
    els = _stack("L&T House, Ballard Estate", "P. O. Box: 278,", "Mumbai 400 001, India")
    assert _addresses(detect(els, VALID)) == ["P. O. Box: 278, Mumbai 400 001, India"]
    assert _addresses(detect(_stack("12 MG Road", "Bengaluru 560001"), VALID)) == ["12 MG Road, Bengaluru 560001"]
    # six digits after a town need a street line or the country's name
    assert _addresses(detect(_stack("Order 12 items", "Delhi 110001"), VALID)) == []
    assert _addresses(detect(_stack("P. O. Box: 278,", "Mumbai 400 001, India"),
                             DetectSettings(address_countries=["CA", "GB", "AU", "EU", "JP"]))) == []


def test_chinese_address_over_four_lines_on_real_page():
    # real page (desktop 233): a six-digit postcode after the town, as in India
    els = _stack("Suite 1805-1812 E1 Tower Oriental Plaza", "No.1 East Chang An Ave.", "Dong Cheng District",
                 "Beijing P.R. Beijing 100738")
    assert _addresses(detect(els, VALID)) == [
        "Suite 1805-1812 E1 Tower Oriental Plaza, No.1 East Chang An Ave., Dong Cheng District, Beijing P.R. Beijing 100738"]


@pytest.mark.parametrize("text, expected", [
    ("Head Office - 3-5-27 Mita Minato-ku Tokyo", "3-5-27 Mita Minato-ku Tokyo"),  # real page (desktop 288)
    ("1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002, Japan", "1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002, Japan"),
    ("Version 3-5-27 build Minato", None), ("Open 9-5 Mon-Fri, Sat-Sun closed", None),
])
def test_japanese_addresses_written_in_english(text, expected):
    assert _addresses(detect([element(text)], VALID)) == ([expected] if expected else [])


def test_uk_street_line_without_street_type_on_real_page():
    els = _stack("6-8 Hazelwood", "Cudham", "Sevenoaks", "Kent", "TN14 7QU")
    assert _addresses(detect(els, VALID)) == ["6-8 Hazelwood, Cudham, Sevenoaks, Kent, TN14 7QU"]


def test_us_town_and_zip_without_state_on_real_page():
    assert _addresses(detect(_stack("PO Box 1264", "5683 2nd Ave", "Ferndale 98248"), VALID)) == [
        "PO Box 1264, 5683 2nd Ave, Ferndale 98248"]
    # without a line naming a street type, a town and five digits are not enough
    assert _addresses(detect(_stack("PO Box 1264", "Ferndale 98248"), VALID)) == []
    assert _addresses(detect(_stack("12 Reasons", "Orders 98248"), VALID)) == []


@pytest.mark.parametrize("lines", [
    ("Highway 141 in Fenton Missouri",), ("\u00a9 2014 Prepress Express Ltd. Registered in England and Wales",),
    ("HP CE285A Toner Cartridge", "HP CF280X Toner Cartridge", "HP CE278A Toner Cartridge"),
    ("Idaho, or Utah, call us at (866) 741-8323, contact one of our real estate team members, or visit",),
    ("RM16 RM17 RM18 RM20 SE1 SE15 SE17 N13",), ("2 adults, 1 child", "Tampa FL 33602"),
    ("Call 555 today", "Tel (780) 450-9444", "Austin TX 78701"),
])
def test_no_address_without_a_street_line_and_a_postcode(lines):
    assert _addresses(detect(_stack(*lines), VALID)) == []


# --- dates and times ----------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Tuesday, March 03 at 04:30 PM", "March 3", "03/04/2026", "4:30 PM", "08:06 PM",
    "Mon, Jan 5, 2026 10:00 AM", "5 March 2026", "2026-03-04", "16:30", "Tomorrow at 9 AM",
    "Sat 10 a.m.", "Dec. 24, 2026", "2026-03-04T10:00", "March 2026",
])
def test_dates_and_times_exact_span(text):
    found = detect([element(f"Due {text} sharp")], VALID)
    assert [(d.type, d.text, d.start) for d in found] == [("DateTime", text, 4)]


@pytest.mark.parametrize("text,expected", [
    ("Mon-Fri 9am-5pm", ["9am", "5pm"]), ("10:45-11:30", ["10:45", "11:30"]), ("Jan 5-7", ["Jan 5"]),
    ("9:00 AM - 5:00 PM", ["9:00 AM", "5:00 PM"]), ("12-25-2026", ["12-25-2026"]), ("25.12.2026", ["25.12.2026"]),
])
def test_ranges_give_their_ends(text, expected):
    assert [d.text for d in detect([element(text)], VALID) if d.type == "DateTime"] == expected


def test_pool_dates_and_times(pools):
    for e in pools.pool("DateTime")[:100] + pools.pool("Alarm")[:100]:
        found = detect([element(e.value)], VALID)
        assert [(d.type, d.text) for d in found] == [("DateTime", e.value)], e.value
    for e in pools.pool("Photo")[:50]:  # "beach, November 08"
        found = detect([element(e.value)], VALID)
        assert [(d.type, d.text) for d in found] == [("DateTime", e.get("date"))], e.value


@pytest.mark.parametrize("text", ["Mon-Fri 9-5", "Sat-Sun closed", "3/4 cup sugar", "Score 3-1",
                                  "May I help you?", "Mon", "2026", "9-5"])
def test_day_ranges_and_bare_numbers_are_not_dates(text):
    assert detect([element(text)], POSSIBLE) == []


# --- boxes, overlaps, order ---------------------------------------------------------------


def test_box_is_union_of_overlapping_words_and_element_box_without_words():
    el = element("Call (206) 555-0142 now")
    assert span_box(el, 5, 19) == words_box(el, 1, 2)
    assert span_box(el, 6, 8) == el.words[1].box
    bare = Element("Call (206) 555-0142 now", Box(5, 5, 300, 25))
    (d,) = detect([bare], VALID)
    assert d.box == bare.box and (d.start, d.end) == (5, 19)


def test_words_not_aligned_with_text_fall_back_to_element_box():
    el = Element("Call 206-555-0142", Box(0, 0, 200, 20), (Word("Cal1", Box(0, 0, 40, 20), 50.0),))
    assert detect([el], VALID)[0].box == el.box


def test_overlap_prefers_longer_then_priority():
    long_ = _Candidate("DateTime", ((0, 0, 10),), "x" * 10)
    short = _Candidate("PhoneNumber", ((0, 2, 8),), "x" * 6)
    assert _resolve_overlaps([short, long_]) == [long_]
    tie = [_Candidate(t, ((0, 0, 5),), "xxxxx") for t in reversed(PRIORITY)]
    assert [c.type for c in _resolve_overlaps(tie)] == [PRIORITY[0]]
    # a two-element candidate competes in both of its elements
    cross = _Candidate("PostalAddress", ((0, 3, 10), (1, 0, 8)), "x" * 16)
    in_second = _Candidate("DateTime", ((1, 4, 12),), "x" * 8)
    elsewhere = _Candidate("DateTime", ((1, 9, 12),), "xxx")
    assert _resolve_overlaps([in_second, cross, elsewhere]) == [cross, elsewhere]


def test_date_beats_digits_inside_it_even_at_possible_leniency():
    for text in ["03/04/2026", "2026-03-04", "Mon, Jan 5, 2026 10:00 AM"]:
        assert [d.type for d in detect([element(text)], POSSIBLE)] == ["DateTime"]


def test_results_ordered_and_deterministic():
    els = [element("Reply to ann@example.com by March 3", y=0),
           element("Call 206-555-0142 or visit www.example.com", y=200),
           element("Sales", y=400)]
    found = detect(els, VALID)
    assert [(d.element, d.type) for d in found] == [(0, "EmailAddress"), (0, "DateTime"),
                                                    (1, "PhoneNumber"), (1, "Uri")]
    assert found == sorted(found, key=lambda d: (d.element, d.start))
    assert detect(els, VALID) == found
    assert detect(els, DetectSettings(types=("Uri",))) == [d for d in found if d.type == "Uri"]


def test_settings_are_checked():
    with pytest.raises(UserError, match="leniency"):
        DetectSettings(leniency="LOOSE")
    with pytest.raises(UserError, match="types"):
        DetectSettings(types=("Phone",))
    with pytest.raises(UserError, match="address_country"):
        DetectSettings(address_country="DE")
    DetectSettings(address_country="DE", types=("PhoneNumber",))  # fine without addresses


SAFE_WORDS = ["Call", "us", "today", "Home", "Contact", "Info", "Open", "Sales", "Support", "at", "or", "-", "|", ":"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(SAFE_WORDS), max_size=3), st.lists(st.sampled_from(SAFE_WORDS), max_size=3),
       st.sampled_from(["PhoneNumber", "EmailAddress", "Uri", "PostalAddress", "DateTime"]), st.integers(0, 199))
def test_entity_between_plain_words_is_found_with_its_words_box(pools, before, after, type_, k):
    value = pools.pool(type_)[k].value
    text = " ".join(before + [value] + after)
    el = element(text)
    found = detect([el], VALID)
    assert [(d.type, d.text) for d in found] == [(type_, value)]
    first = len(before)
    assert found[0].box == words_box(el, first, first + len(value.split(" ")) - 1)


# --- measurement: recall on the pools, false positives on plain UI lines -------------------

PLAIN = [
    "Opening hours", "Sales", "Mon-Fri 9-5", "Sat-Sun closed", "$12.99", "Add to cart", "Buy now",
    "Checkout", "Sign in", "Sign up", "Log out", "Create account", "Forgot password?", "Remember me",
    "Settings", "Notifications", "Privacy", "Terms of Service", "Privacy Policy", "Help Center",
    "Customer reviews", "Write a review", "Frequently bought together", "Recommended for you",
    "Your orders", "Track package", "Return or replace items", "Free shipping on orders over $35",
    "In stock", "Only 3 left in stock", "Ships in 2-3 business days", "Qty: 1", "Subtotal (2 items)",
    "Estimated tax", "Order total", "Apply coupon", "Gift card balance", "Continue shopping",
    "Search", "Cancel", "Save", "Done", "Edit", "Delete", "Share", "Back", "Next", "Skip", "Close",
    "More options", "See all", "Show less", "Load more", "Filters", "Sort by: Featured",
    "Price: Low to High", "Best sellers", "New arrivals", "Today's deals", "Limited time offer",
    "Members save 10%", "Battery 87%", "Wi-Fi", "Bluetooth", "Airplane mode", "Do Not Disturb",
    "Dark mode", "Display & Brightness", "Storage", "General", "About", "Software Update",
    "Version 3.2.1", "Build 1043", "Now playing", "Up next", "Recently played", "Made for you",
    "Top 50 - Global", "Shuffle play", "Follow", "Following", "1.2K followers", "Like", "Reply",
    "Comments (24)", "View all 128 comments", "Posted by admin", "Read more", "5 min read",
    "Breaking news", "Weather", "Partly cloudy", "High 72° Low 58°", "Feels like 70°",
    "Humidity 45%", "Wind 8 mph", "UV index: Moderate", "Sunrise", "Sunset", "Air quality: Good",
    "Inbox", "Sent", "Drafts", "Spam", "Trash", "Compose", "Mark as read", "Archive", "Unread (3)",
    "Meeting notes", "Project Apollo", "Q3 report", "Budget review", "Team standup", "All-hands",
    "Welcome back, Sam", "Good morning", "Hi there!", "How can we help?", "Chat with us",
    "Leave a message", "We typically reply in a few hours", "Rate your experience", "4.8 out of 5",
    "Excellent", "Verified purchase", "Size: M", "Color: Navy", "Width: Regular", "Fits true to size",
    "Menu", "Appetizers", "Entrees", "Desserts", "Drinks", "Kids menu", "Gluten-free options",
    "Caesar salad", "Margherita pizza", "Chicken tikka masala", "Iced latte", "Add extra shot +$0.75",
    "Delivery fee $2.99", "Service fee", "Tip your driver", "Pickup", "Delivery", "Dine in",
    "Reserve a table", "Party of 4", "Indoor seating", "Outdoor patio", "Parking available",
    "Wheelchair accessible", "Pet friendly", "Free Wi-Fi", "Book now", "Check availability",
    "2 adults, 1 child", "1 room", "Non-refundable", "Breakfast included", "Pool & spa",
    "Gate B22", "Boarding group 3", "Seat 14C", "Economy", "Carry-on only", "Terminal 2",
    "Step 2 of 5", "Page 3 of 12", "Chapter 11", "Room 204", "Floor 3", "Aisle 7", "Row 12",
    "Level 5 unlocked", "Score: 1,250", "High score 98,400", "Lives: 3", "Player 1", "Game over",
    "Order #48213", "Item 3/4", "SKU 7731-BLK", "Model X200", "Ref. 55-210", "Invoice INV-0042",
    "Total: $1,249.00", "Was $59.99", "Now $39.99", "Save 33%", "From $9.99/mo", "Annual plan",
    "Monthly plan", "Cancel anytime", "Start free trial", "7-day free trial", "Upgrade to Pro",
    "Storage 64 GB", "12 MP camera", "5G ready", "4K HDR", "Node.js developer", "README.md",
    "Mon", "Closed on holidays", "Happy hour 4-6", "Kids eat free Tue", "Live music Fri & Sat",
]


def screen_of(text: str) -> List[Element]:
    return [element(text)]


def measure(pools: Pools, n: int = 200) -> Tuple[Dict[str, float], int, int]:
    """Recall per type (exact span over the whole string, one element per entity) and the
    number of detections on the plain lines."""
    recall: Dict[str, float] = {}
    for type_ in ["PhoneNumber", "EmailAddress", "Uri", "PostalAddress", "DateTime"]:
        entities = pools.pool(type_)[:n]
        hits = 0
        for e in entities:
            found = detect(screen_of(e.value), VALID)
            hits += any(d.type == type_ and (d.start, d.end) == (0, len(e.value)) for d in found)
        recall[type_] = hits / len(entities)
    alarms = pools.pool("Alarm")[:n]
    recall["DateTime (Alarm times)"] = sum(
        any(d.type == "DateTime" and d.text == e.value for d in detect(screen_of(e.value), VALID))
        for e in alarms) / len(alarms)
    false_pos = sum(len(detect(screen_of(line), VALID)) for line in PLAIN)
    return recall, false_pos, len(PLAIN)


def test_recall_and_false_positives(pools):
    assert len(PLAIN) >= 200 and len(set(PLAIN)) == len(PLAIN)
    recall, false_pos, n_plain = measure(pools)
    print(f"\nrecall: {recall}; false positives: {false_pos} on {n_plain} plain lines")
    for type_ in ["PhoneNumber", "EmailAddress", "Uri", "PostalAddress"]:
        assert recall[type_] >= 0.99, (type_, recall)
    assert recall["DateTime"] >= 0.99 and recall["DateTime (Alarm times)"] >= 0.99, recall
    assert false_pos == 0


# --- e-mail addresses OCR split into words (12-16 px web text, benchmarks/small_text.py) ----------


@pytest.mark.parametrize("text, email", [
    ("e-mail stewartsteven @weber.net today", "stewartsteven@weber.net"),  # a word starting with "@"
    ("write to sales@thomas -group.net or call", "sales@thomas-group.net"),  # the rest starts with "-"
    ("at mhogan@henderson- vega. com today.", "mhogan@henderson-vega.com"),  # pieces ending in "-" and "."
    ("Email: ashaw@examp le. org", "ashaw@example.org"),
    # real page (desktop 62): the link's underline hid the "_", and "_service@imprint-e.com" is an address itself
    ("Email: customer _service@imprint-e.com.", "customer_service@imprint-e.com"),
    # rendered mobile web_staff (STIX, underlined link): OCR set the "@" apart on both sides
    ("Email hello @ watts.com", "hello@watts.com"),
    ("write to jobs@ chavez.com today", "jobs@chavez.com"),
])
def test_email_ocr_split_into_words_is_joined(text, email):
    el = element(text)
    found = only(detect([el], VALID), "EmailAddress")
    assert [(d.text, d.value) for d in found] == [(email, email)]
    first = next(k for k, w in enumerate(el.words) if w.text in email and w.text[0] == email[0])
    assert el.text[found[0].start:found[0].end].replace(" ", "") == email
    assert found[0].box == words_box(el, first, first + len(el.text[found[0].start:found[0].end].split(" ")) - 1)


@pytest.mark.parametrize("text, email", [
    ("christina2 5@monroe.com", "5@monroe.com"),  # a whole address in one word: the space may be real
    ("email us at info@acme.com today", "info@acme.com"),
    ("Follow us @acme on social", None),  # a handle is no address
    ("Email us. info@acme.com", "info@acme.com"),  # a whole address after a sentence's end
    ("Support - info@acme.com", "info@acme.com"),
    ("dinner @ 7pm", None),  # an "@" standing for "at" joins no host
    # rendered mobile web_article: OCR lost the "biz"; the sentence's "and" is no top-level domain
    ("project to service@bruce-hernandez. and we", None),
    # rendered mobile web_business: "hello" "@taylor.org." is whole once joined; the sentence goes on
    ("hello @taylor.org. You can also", "hello@taylor.org"),
    ("jobs@ .com", None),
])
def test_email_words_are_not_joined_without_need(text, email):
    found = only(detect([element(text)], VALID), "EmailAddress")
    assert [d.text for d in found] == ([email] if email else [])


@pytest.mark.parametrize("text, email", [
    ("contact us at_privacy@firstcal.net. If you send", "at_privacy@firstcal.net"),  # real page: a sentence ends
    ("mail info@x.com. Next time", "info@x.com"),
    ("mail info@x. com. Next time", "info@x.com"),
    ("j@mail jordan.org", None),  # OCR lost the dot: not put back
    # rendered web_article: OCR lost the space between the link and the sentence going on after it
    ("your project to patricia64@walsh.com.and we will reply", "patricia64@walsh.com"),
    ("write to sales@mason.co.uk.We reply", "sales@mason.co.uk"),
    ("write to (sales@mason.com.and we", "sales@mason.com"),
    ("mail a@b.com.au today", "a@b.com.au"),  # a country's second-level domain stays
    ("mail a@b.and.com today", "a@b.and.com"),  # a host label that reads as a word stays
])
def test_email_at_the_end_of_a_sentence_takes_no_next_word(text, email):
    el = element(text)
    found = only(detect([el], VALID), "EmailAddress")
    assert [d.text for d in found] == ([email] if email else [])
    assert all(el.text[d.start:d.end].replace(" ", "") == d.text for d in found)


@pytest.mark.parametrize("text, email", [
    ("Email: info(@StearnsDesignBuild.com", "info@StearnsDesignBuild.com"),  # real page (desktop 114): "@" read "(@"
    ("mail jo@)example.org today", "jo@example.org"),
    ("(info@acme.com)", "info@acme.com"),  # brackets around an address are not OCR's
])
def test_email_with_the_at_sign_read_with_a_bracket(text, email):
    el = element(text)
    found = only(detect([el], VALID), "EmailAddress")
    assert [(d.text, d.value) for d in found] == [(email, email)]
    assert el.text[found[0].start:found[0].end].replace("(@", "@").replace("@)", "@") == email


def test_national_numbers_of_the_locale_region_are_found():
    # a de_DE screen writes its numbers in German national form: found once the locale's region is tried
    text = "Telefon 069 12345678"
    assert only(detect([element(text)], VALID), "PhoneNumber") == []  # English-speaking regions only
    de = VALID.for_locale("de_DE")
    assert de.regions[0] == "DE" and de.regions[1:] == VALID.regions
    found = only(detect([element(text)], de), "PhoneNumber")
    assert [d.value for d in found] == ["+496912345678"]
    assert VALID.for_locale("en_US") is VALID and VALID.for_locale("xx") is VALID
    assert VALID.for_locale("en_GB").regions == ["GB"] + [r for r in VALID.regions if r != "GB"]


def test_address_in_a_sentence_wrapped_after_the_street_number():
    # a chat bubble: the browser (or app) wrapped the sentence inside the address
    els = _stack("Dinner is at 6505", "Philip Mill, Lake", "James, ND 50326 at 7")
    assert _addresses(detect(els, VALID)) == ["6505 Philip Mill, Lake James, ND 50326"]


def test_address_in_a_sentence_wrapped_inside_the_city_name():
    # rendered web_article: "Our shop is located at 423 Aaron Prairie, West" / "Justinmouth, VT 83160, just off the
    # main road," was reported as "..., West, Justinmouth, ...": a line break inside a sentence is a space
    els = _stack("Our shop is located at 423 Aaron Prairie, West", "Justinmouth, VT 83160, just off the main road,",
                 "with plenty of parking.")
    assert _addresses(detect(els, VALID)) == ["423 Aaron Prairie, West Justinmouth, VT 83160"]
    els = _stack("Visit us at 1312 Leslie Loaf, Suite 4, East", "Jonathanland, MN 33384 today.")
    assert _addresses(detect(els, VALID)) == ["1312 Leslie Loaf, Suite 4, East Jonathanland, MN 33384"]
    # lines of their own are an address block: still joined by commas
    els = _stack("Rice Grocery", "1312 Leslie Loaf", "East Jonathanland, MN 33384")
    assert _addresses(detect(els, VALID)) == ["1312 Leslie Loaf, East Jonathanland, MN 33384"]


def test_street_line_and_state_line_a_narrow_column_wrapped():
    # rendered web_branches: "54955 Carlson" / "Junctions" / "Sanchezstad, HI 84355" gave "54955 Carlson, Junctions, ...",
    # "Browningtown, SC" / "73229" gave "SC, 73229": a break inside one part of an address is a space
    assert _addresses(detect(_stack("54955 Carlson", "Junctions", "Sanchezstad, HI 84355"), VALID)) == [
        "54955 Carlson Junctions, Sanchezstad, HI 84355"]
    # real page 147: a house-number range before the name ("6-8 Hazelwood" / "Rd"), any house number the rule knows
    assert _addresses(detect(_stack("6-8 Hazelwood", "Rd", "Cudham", "Sevenoaks", "Kent", "TN14 7QU"), VALID)) == [
        "6-8 Hazelwood Rd, Cudham, Sevenoaks, Kent, TN14 7QU"]
    assert _addresses(detect(_stack("059 Mitchell Lights", "Browningtown, SC", "73229"), VALID)) == [
        "059 Mitchell Lights, Browningtown, SC 73229"]
    # a line that names its street already, and a suite line, stay parts of their own
    assert _addresses(detect(_stack("12 Main St", "Court Square", "Springfield, IL 62704"), VALID)) == [
        "12 Main St, Court Square, Springfield, IL 62704"]
    assert _addresses(detect(_stack("350 Fifth Avenue", "Suite 200", "New York, NY 10118"), VALID)) == [
        "350 Fifth Avenue, Suite 200, New York, NY 10118"]


def test_british_postcode_wrapped_between_its_halves():
    # rendered en_GB screens: "Worcestershire M9G" over "8PY" (a narrow column wrapped the postcode at its space)
    els = _stack("879 Price Pines", "North Grace,", "Worcestershire M9G", "8PY")
    assert _addresses(detect(els, VALID)) == ["879 Price Pines, North Grace, Worcestershire M9G 8PY"]
    els = _stack("Unit 2, 6 Walker Square", "Wattsshire, Staffordshire N8", "9NP")
    assert _addresses(detect(els, VALID)) == ["Unit 2, 6 Walker Square, Wattsshire, Staffordshire N8 9NP"]


def test_australian_address_in_a_sentence_wrapped_after_the_street_number():
    # rendered en_AU chat and notification: pyap has no Australian rules, so the wrapped sentence is read by the
    # stacked rule's forms too ("Dinner is at 95" / "Jeremiah Ride," / "Phillipborough NT 2684")
    els = _stack("Dinner is at 95", "Jeremiah Ride,", "Phillipborough NT 2684")
    assert _addresses(detect(els, VALID)) == ["95 Jeremiah Ride, Phillipborough NT 2684"]
    els = _stack("Your parcel is ready for pickup at 988", "Lamb Viaduct, West Phyllis QLD 2978")
    assert _addresses(detect(els, VALID)) == ["988 Lamb Viaduct, West Phyllis QLD 2978"]


def test_address_below_words_of_another_column_starts_at_its_own_line():
    # rendered web_listing: "kkk 12 reviews" (a rating, right column) over "605 Christina Squares, North Andrew, IN"
    # over "39617" (left column, right edges by chance aligned) was "12 reviews 605 Christina Squares, ..."
    street = element("605 Christina Squares, North Andrew, IN", x=0, y=100)
    rating = element("kkk 12 reviews", x=street.box.x1 - 140, y=60)
    els = [rating, street, element("39617", x=0, y=130)]
    assert rating.box.x1 == street.box.x1  # the rating is "directly above" the street line
    assert _addresses(detect(els, VALID)) == ["605 Christina Squares, North Andrew, IN 39617"]
    # the same words as the lines of one left-aligned sentence: read across the line break
    els = _stack("Find us at 605 Christina Squares, North", "Andrew, IN 39617 any day.")
    assert _addresses(detect(els, VALID)) == ["605 Christina Squares, North Andrew, IN 39617"]


def test_address_after_a_distance_or_a_time_starts_at_its_own_number():
    # rendered web_listing: "Johnson Barber 5 mi" over "barber ¢ 279 Cooper Mountain, Longstad, AK 70144" was
    # "5 mi, barber ¢ 279 Cooper Mountain, ..."; rendered notifications: "2m ago" (right) over "Your parcel is ready for
    # pickup" over "at 842 Jordan Parkways," over "Mooreberg, MP 89680" started at "2m"
    els = [element("Johnson Barber 5 mi", x=0, y=100), element("Open now", x=700, y=100),
           element("barber ¢ 279 Cooper Mountain, Longstad, AK 70144", x=0, y=125)]
    assert _addresses(detect(els, VALID)) == ["279 Cooper Mountain, Longstad, AK 70144"]
    els = [element("DELIVERIES", x=0, y=100), element("2m ago", x=350, y=100)] + _stack(
        "Your parcel is ready for pickup", "at 842 Jordan Parkways,", "Mooreberg, MP 89680", x=0, y=130)
    assert _addresses(detect(els, VALID)) == ["842 Jordan Parkways, Mooreberg, MP 89680"]
    els = [element("DELIVERIES", x=0, y=100), element("2m ago", x=350, y=100)] + _stack(
        "Your parcel is ready for pickup", "at 4305 Robert Harbor, South", "Javier, NY 99278", x=0, y=130)
    assert _addresses(detect(els, VALID)) == ["4305 Robert Harbor, South Javier, NY 99278"]
    # rendered web_article: the end of a phone number began "501-8714 any time., Our shop is located at 3146, ..."
    els = _stack("501-8714 any time.", "Our shop is located at 3146", "Miller Route, Lake Stephenberg,",
                 "DC 36275, just off the main")
    assert _addresses(detect(els, VALID)) == ["3146 Miller Route, Lake Stephenberg, DC 36275"]
    # a house-number range and a floor stay in front of the street
    assert _addresses(detect(_stack("100-102 Main Street", "Springfield, IL 62704"), VALID)) == [
        "100-102 Main Street, Springfield, IL 62704"]
    assert _addresses(detect(_stack("3rd Floor, 12 George Street", "Springfield, IL 62704"), VALID)) == [
        "3rd Floor, 12 George Street, Springfield, IL 62704"]


def test_stacked_address_over_three_lines_leaves_none_of_them_in_the_screen_text():
    # rendered web_business: "43390 Jennifer Rue" / "South Robinhaven, CO" / "58153" showed as "{{4. ...}}" with
    # "58153" left on the line below (only the second line's part was taken out of the screen text)
    els = _stack("43390 Jennifer Rue", "South Robinhaven, CO", "58153 Welcome", "to our shop")
    found = detect(els, VALID)
    assert [d.text for d in found] == ["43390 Jennifer Rue, South Robinhaven, CO 58153"]
    read = Read([w for e in els for w in e.words], els, found, [[i] for i in range(len(els))], 0.0)
    assert inject(read).split("\n") == [mark(0), "Welcome", "to our shop"]


def test_no_address_starting_inside_a_time():
    # a calendar invite: "... at 07:21 AM" over "Where" over the address; the address starts at its number
    els = _stack("Sunday, November 29 at 07:21 AM", "Where", "43390 Jennifer Rue", "South Robinhaven, CO 58153")
    assert _addresses(detect(els, VALID)) == ["43390 Jennifer Rue, South Robinhaven, CO 58153"]
    # on one line pyap reads the minutes as a street number ("21 Main Street, ..."): not an address
    assert _addresses(detect([element("Tuesday at 10:21 Main Street, Springfield, IL 62704")], VALID)) == []


def test_url_ocr_split_after_a_dot():
    # a place card: "https://www.shelton.biz" read as "https://ww." "shelton.biz" (one element)
    found = [(d.type, d.text) for d in detect([element("https://ww. shelton.biz", x=0, y=0)], VALID)]
    assert found == [("Uri", "https://ww.shelton.biz")]
    found = [(d.type, d.text) for d in detect([element("Visit https://example.org. Then call", x=0, y=0)], VALID)]
    assert found == [("Uri", "https://example.org")]  # a sentence going on is not a host


def test_no_link_in_the_rest_of_an_email_address_ocr_split():
    # rendered web_branches / web_staff: "admin@stephens-crai g.org", "jobs@rey nolds-ball.biz", "@reynolds- ball.biz"
    # (OCR split the host; the local part may be lost) gave the links "g.org", "nolds-ball.biz", "ball.biz"
    for text in ("admin@stephens-crai g.org", "jobs@rey nolds-ball.biz", "@reynolds- ball.biz and we will reply"):
        assert [d.type for d in detect([element(text, x=0, y=0)], VALID) if d.type == "Uri"] == [], text
    found = [(d.type, d.text) for d in detect([element("mail me@x.com or see example.org", x=0, y=0)], VALID)]
    assert found == [("EmailAddress", "me@x.com"), ("Uri", "example.org")]
    assert [d.text for d in detect([element("@acme example.org", x=0, y=0)], VALID)] == ["example.org"]


def test_url_whose_www_ocr_read_with_one_w():
    # rendered phone screens in the monospace face: Tesseract read "https://www.higgins.info" as "https://ww.higgins.info"
    # (18 of 119 "www." in that face); the text stays as read, the value is the address
    found = [(d.text, d.value) for d in detect([element("Site: https://ww.higgins.info", x=0, y=0)], VALID)]
    assert found == [("https://ww.higgins.info", "https://www.higgins.info")]
    found = [(d.text, d.value) for d in detect([element("or ww.moon.biz/menu", x=0, y=0)], VALID)]
    assert found == [("ww.moon.biz/menu", "https://www.moon.biz/menu")]
    found = [d.value for d in detect([element("https://www.x.org https://wwf.org", x=0, y=0)], VALID)]
    assert found == ["https://www.x.org", "https://wwf.org"]


def test_url_with_a_bracket_ocr_read_after_the_scheme():
    # rendered app_support and place_card screens: Tesseract read "https://www.banks.org" with a "(" in it
    found = [(d.type, d.text, d.value) for d in detect([element("Site: https://(www.banks.org today", x=0, y=0)], VALID)]
    assert found == [("Uri", "https://www.banks.org", "https://www.banks.org")]
    found = [(d.type, d.text) for d in detect([element("see https://(x.org/a)", x=0, y=0)], VALID)]
    assert found == [("Uri", "https://(x.org/a)")]  # balanced: the bracket may be the URL's


def test_no_wrapped_address_starting_in_a_phone_number():
    # real page 140: a phone number over a stacked address; the address is the stacked one
    els = _stack("(212) 334-5100", "1617 3rd Avenue", "Suite 7080", "New York NY 10128")
    assert _addresses(detect(els, VALID)) == ["1617 3rd Avenue, Suite 7080, New York NY 10128"]
    assert _phones(detect(els, VALID)) == [("(212) 334-5100", "+12123345100")]


@pytest.mark.parametrize("text, email", [
    ("Contact Lisa,Owen@flhosp.org", "Lisa.Owen@flhosp.org"),  # real page (desktop 178): the dot read as a comma
    ("Smith, Owen@flhosp.org", "Owen@flhosp.org"),  # a comma and a space: a list, not one address
    ("Ann,Bo,Owen@x.org", "Owen@x.org"),  # commas between several words: a list
])
def test_email_with_a_comma_read_for_the_dot_of_its_local_part(text, email):
    found = only(detect([element(text)], VALID), "EmailAddress")
    assert [(d.text, d.value) for d in found] == [(email, email)]
