"""Data detectors: typed entities (phone numbers, e-mails, URLs, postal addresses, dates and
times) found in the OCR text elements of a screen, each mapped back to a box.

    detections = detect(elements, DetectSettings())

The detectors are:
  PhoneNumber    phonenumbers.PhoneNumberMatcher for each region of `settings.regions` (the
                 English-speaking regions by default: US, CA, GB, IE, AU, NZ) at
                 `settings.leniency`; a number with a + or an international prefix is found
                 whatever the regions; a national number of a region after the first must be
                 written in groups. Also: numbers glued to words, OCR's commas in 3-3-4
                 numbers, vanity numbers (1-877-SOV-BANK) and numbers that run over two
                 elements ("(905) 616-" above "5509"); see datagen/screen/phones.py.
                 value = the E.164 number.
  EmailAddress   a well-formed address regex (dot-separated local part, dotted host, alphabetic
                 top-level domain), also over the words of an address OCR split ("sales@thomas"
                 "-group.net"); value = the text. See datagen/screen/links.py.
  Uri            URLs with a scheme (http, https, ftp) and bare domains: www.<anything> or a
                 host ending in a common top-level domain (example.org/path); never inside an
                 e-mail address. value = the URL, with "https://" put in front of a bare domain
                 (links.py).
  PostalAddress  pyap.parse for the countries of `settings.countries()` (address_country, then
                 address_countries) on each element and on each block of stacked elements (an
                 element and the ones directly below it), plus the stacked-address rule (a
                 street line, then up to STACK_PARTS suite/locality lines, then a city/state/ZIP,
                 province/postal code or postcode line); see datagen/screen/addresses.py.
                 value = pyap's full_address (the normalised text for the stacked rule).
  DateTime       regexes: "Tuesday, March 03 at 04:30 PM", "March 3", "5 March 2026",
                 "03/04/2026", "2026-03-04", "4:30 PM", "16:30", "Mon, Jan 5, 2026 10:00 AM",
                 "Tomorrow at 9 AM". A numeric date needs its year (so "9-5" or "3/4" is not a
                 date), a bare hour needs AM/PM, and a weekday alone ("Mon-Fri") is not a date:
                 "Mon-Fri 9-5" gives nothing, "Mon-Fri 9am-5pm" gives "9am" and "5pm".
                 value = "" (no normalisation).

Neighbours: the element "directly below" element i is the element j whose left edge, centre
or right edge is within BELOW_ALIGN median element heights of i's and whose top lies between
half a median height above and BELOW_GAP[1] median heights below i's bottom (the nearest
such, then the best aligned, then the lower index); an element that starts with a label
("Postcode: E14 9YD", a form's label column read together with its value) may also align by
the words after the label (its value column); the element "after" i is the nearest
element to its right on its row (vertical centres within half the smaller height) starting
within AFTER_GAP median heights of i's end. Addresses use the elements below; numbers that run
over two elements use both.

Overlaps, within an element and across the elements of a multi-element detection, are
resolved greedily and deterministically: the candidate covering more characters wins; at equal
length the type earlier in PRIORITY wins (EmailAddress, Uri, PhoneNumber, PostalAddress,
DateTime); then the earlier region (or address country); then the earlier position. So a URL
inside an e-mail loses to the e-mail, a digit run inside a date loses to the date, and a
number in a tracking code is not reported at all (phonenumbers' VALID leniency rejects
digits glued to letters).

Multi-element detections (an address over two or more stacked elements, a number over two):
reported once, as a Detection with
    element = i (the first), start = its start in text_i, end = its end in text_i,
    text    = the joined text (the address texts joined by ", ", a number's by " " or nothing),
    box     = union of the boxes of the words each segment covers,
    properties = (..., ("elements", "i,j,..."), ("spans", "s_i:e_i,s_j:e_j,...")),
where "spans" gives the character span in each element (a number keeps its "region" and
"extension" first). Single-element detections carry no "elements" property.

Boxes: an element's text is its words joined by single spaces, so a character span maps to
the words it overlaps; the detection box is the union of those words' boxes (the element box
when the element has no words or its words cannot be aligned with its text).

Results are ordered by (element, start, end, type). Pure: no I/O, no randomness.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Dict, Iterable, List, Optional, Sequence, Tuple

import phonenumbers

from datagen.screen.addresses import COUNTRIES as ADDRESS_COUNTRIES
from datagen.screen.addresses import address_spans, blocks_of
from datagen.screen.model import Box, Detection, Element
from datagen.screen.links import email_spans, split_email_spans, uri_spans
from datagen.screen.phones import phone_spans
from datagen.settings import Accepts, Settings, one_of, setting

# Type order used to break ties between overlapping candidates of equal length.
PRIORITY = ("EmailAddress", "Uri", "PhoneNumber", "PostalAddress", "DateTime")
TYPES = PRIORITY
LENIENCIES = ("POSSIBLE", "VALID", "STRICT_GROUPING", "EXACT_GROUPING")
BELOW_ALIGN = 1.0  # an element "directly below" has its left edge, centre or right edge within this many median heights
BELOW_GAP = (-0.5, 2.0)  # ... and its top this many median heights from the bottom of the one above
LABEL_WORDS = 3  # a leading label ("Postcode:", "Post Code:") is at most this many words
AFTER_GAP = 3.0  # the element "after" another on its row starts within this many median heights of its end
REGIONS = ["US", "CA", "GB", "IE", "AU", "NZ"]  # the English-speaking regions


@dataclass
class DetectSettings(Settings):
    """Which entities are looked for in the OCR text and how (config group `screen.detect`)."""

    PATH: ClassVar[str] = "screen.detect"
    regions: List[str] = setting(REGIONS, "phonenumbers regions national numbers are read for, after the region of "
                                 "`locale` (de_DE: DE first); 206-555-0142 needs US, 020 7946 0018 GB; numbers with a "
                                 "+ or an international prefix are found whatever the region; a number valid in two goes to the one whose "
                                 "national groups it is written in ((08) 9443 6444: AU, not IE), then the earlier one",
                                 Accepts(lambda v: len(v) > 0 and all(r in phonenumbers.SUPPORTED_REGIONS for r in v),
                                         "a non-empty list of phonenumbers region codes (US, GB, ...)"))
    leniency: str = setting("VALID", "phonenumbers leniency: POSSIBLE (any plausible digit run), VALID (valid for its "
                            "region, not glued to letters), STRICT_GROUPING, EXACT_GROUPING", one_of(*LENIENCIES))
    address_country: str = setting("US", "the country whose postal address forms are tried first: US, CA, GB (pyap's "
                                   "rules and the stacked-address rule), AU, EU (continental Europe: street and "
                                   "number, then postcode and town), IN (town and PIN) or JP (block number, district, "
                                   "ward: 3-5-27 Mita Minato-ku Tokyo; the stacked-address rule)")
    address_countries: List[str] = setting(["CA", "GB", "AU", "EU", "IN", "JP"], "the countries whose address forms are "
                                           "also tried, after address_country (US, CA, GB, AU, EU, IN, JP; [] for "
                                           "address_country alone)",
                                           Accepts(lambda v: set(v) <= set(ADDRESS_COUNTRIES),
                                                   "a list of " + ", ".join(ADDRESS_COUNTRIES)))
    types: List[str] = setting(["PhoneNumber", "EmailAddress", "Uri", "PostalAddress", "DateTime"],
                               "the entity types to detect", Accepts(lambda v: set(v) <= set(TYPES),
                               "a list of " + ", ".join(TYPES)))

    def problems(self) -> Iterable[Tuple[str, Any, str]]:
        if "PostalAddress" in self.types and self.address_country.upper() not in ADDRESS_COUNTRIES:
            yield ("address_country", self.address_country, f"one of {', '.join(ADDRESS_COUNTRIES)} (no rules for "
                   "others); drop PostalAddress from screen.detect.types for other countries")

    def for_locale(self, locale: str) -> "DetectSettings":
        """These settings with the phone region of a Faker locale ("de_DE" -> DE) tried first, when
        phonenumbers knows it (a screen of that locale writes its numbers in national form)."""
        region = locale.split("_")[-1].upper() if "_" in locale else ""
        if region not in phonenumbers.SUPPORTED_REGIONS or self.regions[:1] == [region]:
            return self
        return replace(self, regions=[region] + [r for r in self.regions if r != region])

    def countries(self) -> List[str]:
        """The countries of postal addresses, in order (address_country first, no repeats)."""
        out = [self.address_country.upper()]
        return out + [c.upper() for c in self.address_countries if c.upper() not in out]


# A candidate before overlap resolution: segments are (element, start, end) spans (several for
# an address or a number across elements).
@dataclass(frozen=True)
class _Candidate:
    type: str
    segments: Tuple[Tuple[int, int, int], ...]
    text: str
    value: str = ""
    properties: Tuple[Tuple[str, str], ...] = ()
    rank: int = 0  # tie-break within a type (index of the phone region or address country)

    @property
    def length(self) -> int:
        return sum(e - s for _, s, e in self.segments)

    def key(self) -> tuple:
        return (-self.length, PRIORITY.index(self.type), self.rank, self.segments, self.text, self.value,
                self.properties)


# ---------------------------------------------------------------------------------------------
# Phone numbers


def _phones(elements: Sequence[Element], pairs: Iterable[Tuple[int, int]], settings: DetectSettings) -> List[_Candidate]:
    return [_Candidate("PhoneNumber", segments, text, value, props, rank)
            for segments, text, value, props, rank in phone_spans(elements, pairs, settings.regions, settings.leniency)]


# ---------------------------------------------------------------------------------------------
# E-mail addresses and URLs (links.py)


def _links(element: Element, index: int, types: set) -> List[_Candidate]:
    out: List[_Candidate] = []
    if "EmailAddress" in types:
        found = email_spans(element.text, index) + split_email_spans(element, index)
        out += [_Candidate("EmailAddress", *span) for span in found]
    if "Uri" in types:
        out += [_Candidate("Uri", *span) for span in uri_spans(element.text, index)]
    return out


# ---------------------------------------------------------------------------------------------
# Dates and times


def _names(*words: str) -> str:
    """Alternatives for month/weekday names as written on screens: Title case or UPPER case."""
    forms = sorted({f for w in words for f in (w, w.upper())}, key=lambda s: (-len(s), s))
    return "(?:" + "|".join(forms) + r")\.?"


_WEEKDAY = _names("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
                  "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun")
_MONTH = _names("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug",
                "Sep", "Sept", "Oct", "Nov", "Dec")
_RELATIVE = _names("Today", "Tomorrow", "Yesterday", "Tonight")
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_DD = r"(?:3[01]|[12]\d|0?[1-9])"  # day or month of a numeric date (either order: M/D/Y or D/M/Y)
_AMPM = r"\s?[AaPp]\.?[Mm]\b\.?"
_ZONE = r"(?:\s(?:UTC|GMT|[ECMP][SD]T))?"
_TIME = (r"(?:(?:1[0-2]|0?[1-9]):[0-5]\d(?::[0-5]\d)?" + _AMPM  # 4:30 PM
         + r"|(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"  # 16:30
         + r"|(?:1[0-2]|0?[1-9])" + _AMPM + ")" + _ZONE)  # 4 PM
_DATE = (rf"(?:{_MONTH}\s{_DAY}(?:,?\s{_YEAR})?"  # March 3, Jan 5, 2026
         rf"|{_DAY}\s(?:of\s)?{_MONTH}(?:,?\s{_YEAR})?"  # 5 March 2026
         rf"|{_MONTH},?\s{_YEAR}"  # March 2026
         + "".join(rf"|{_DD}{sep}{_DD}{sep}\d{{4}}" for sep in ("/", r"\.", "-"))  # 03/04/2026, 04.03.2026
         + rf"|{_DD}/{_DD}/\d\d"  # 3/4/26
         + r"|\d{4}(?P<isosep>[-/])(?:1[0-2]|0[1-9])(?P=isosep)(?:3[01]|[12]\d|0[1-9]))")  # 2026-03-04
_DATETIME = re.compile(
    r"(?<![\w/.:+])(?:"
    rf"(?:(?<!-){_WEEKDAY},?\s)?{_DATE}(?:(?:,?\s(?:at\s|@\s?)?|T){_TIME})?"  # [weekday] date [at time]
    rf"|(?:(?<!-)(?:{_WEEKDAY}|{_RELATIVE}),?\s(?:at\s|@\s?)?)?{_TIME}"  # [weekday|today] [at] time
    r")(?![\w/:]|\.\d|-\d+[-/.]\d)"
)


def _datetimes(text: str, element: int) -> List[_Candidate]:
    return [_Candidate("DateTime", ((element, m.start(), m.end()),), m.group())
            for m in _DATETIME.finditer(text)]


# ---------------------------------------------------------------------------------------------
# Postal addresses

def _addresses(elements: Sequence[Element], below: Dict[int, int], settings: DetectSettings) -> List[_Candidate]:
    return [_Candidate("PostalAddress", segments, text, value, props, rank)
            for segments, text, value, props, rank in address_spans(elements, blocks_of(below), settings.countries())]


# ---------------------------------------------------------------------------------------------
# Neighbours: the element directly below another, the element after another on its row


def _median_height(elements: Sequence[Element]) -> float:
    heights = [e.box.height for e in elements if e.box.height > 0]
    return statistics.median(heights) if heights else 1.0


def _aligned(a: Box, b: Box, tolerance: float) -> float:
    """How far b's left edge, centre or right edge is from a's (the smallest); inf past `tolerance`."""
    off = min(abs(b.x0 - a.x0), abs(b.cx - a.cx), abs(b.x1 - a.x1))
    return off if off <= tolerance else float("inf")


_LABEL_WORD = re.compile(r"^[A-Za-z][A-Za-z.'-]{0,19}:$")


def _value_box(element: Element) -> Optional[Box]:
    """The box of the words after a leading label ("Postcode: E14 9YD" -> the box of "E14 9YD"), if any."""
    words = element.words
    for k, w in enumerate(words[:LABEL_WORDS]):
        if _LABEL_WORD.match(w.text) and k + 1 < len(words):
            box = words[k + 1].box
            for v in words[k + 2:]:
                box = box.union(v.box)
            return box
        if not w.text.isalpha():
            return None
    return None


def _below(elements: Sequence[Element]) -> Dict[int, int]:
    """For each element, the element directly below it (aligned left, centre or right), if any; an
    element that starts with a label ("Postcode: E14 9YD") may also align by the words after it."""
    h = _median_height(elements)
    boxes = [[e.box] + [b for b in (_value_box(e),) if b is not None] for e in elements]
    out: Dict[int, int] = {}
    for i, a in enumerate(elements):
        best: Optional[Tuple[float, float, int]] = None
        for j, b in enumerate(elements):
            off = (min(_aligned(p, q, BELOW_ALIGN * h) for p in boxes[i] for q in boxes[j]) if j != i
                   else float("inf"))
            if off == float("inf"):
                continue
            gap = b.box.y0 - a.box.y1
            if BELOW_GAP[0] * h <= gap <= BELOW_GAP[1] * h and b.box.cy > a.box.cy:
                key = (b.box.y0, off, j)
                if best is None or key < best:
                    best = key
        if best is not None:
            out[i] = best[2]
    return out


def _after(elements: Sequence[Element]) -> Dict[int, int]:
    """For each element, the next element to its right on its row (centres within half a height), if any."""
    h = _median_height(elements)
    out: Dict[int, int] = {}
    for i, a in enumerate(elements):
        best: Optional[Tuple[float, int]] = None
        for j, b in enumerate(elements):
            gap = b.box.x0 - a.box.x1
            if j != i and 0 <= gap <= AFTER_GAP * h and abs(b.box.cy - a.box.cy) <= 0.5 * min(a.box.height, b.box.height):
                if best is None or (gap, j) < best:
                    best = (gap, j)
        if best is not None:
            out[i] = best[1]
    return out


# ---------------------------------------------------------------------------------------------
# Boxes, overlap resolution and the entry point


def span_box(element: Element, start: int, end: int) -> Box:
    """Union of the boxes of the element's words that overlap [start, end) (else the element box)."""
    spans = element.word_spans()
    box: Optional[Box] = None
    if spans is not None:
        for w, (ws, we) in zip(element.words, spans):
            if ws < end and we > start:
                box = w.box if box is None else box.union(w.box)
    return box if box is not None else element.box


def _resolve_overlaps(candidates: List[_Candidate]) -> List[_Candidate]:
    """Greedy: longest first, then PRIORITY, region order, position; drop what overlaps a kept one."""
    taken: Dict[int, List[Tuple[int, int]]] = {}
    kept: List[_Candidate] = []
    for c in sorted(set(candidates), key=_Candidate.key):
        if any(s < te and ts < e for el, s, e in c.segments for ts, te in taken.get(el, [])):
            continue
        kept.append(c)
        for el, s, e in c.segments:
            taken.setdefault(el, []).append((s, e))
    return kept


def detect(elements: Sequence[Element], settings: Optional[DetectSettings] = None) -> List[Detection]:
    """The entities found in the elements' texts, ordered by (element, start, end, type)."""
    settings = settings if settings is not None else DetectSettings()
    types = set(settings.types)
    candidates: List[_Candidate] = []
    below = _below(elements) if types & {"PhoneNumber", "PostalAddress"} else {}
    if "PhoneNumber" in types:
        pairs = sorted(set(below.items()) | set(_after(elements).items()))
        candidates += _phones(elements, pairs, settings)
    for i, e in enumerate(elements):
        if not e.text.strip():
            continue
        candidates += _links(e, i, types)
        if "DateTime" in types:
            candidates += _datetimes(e.text, i)
    if "PostalAddress" in types:
        candidates += _addresses(elements, below, settings)
    out: List[Detection] = []
    for c in _resolve_overlaps(candidates):
        el, start, end = c.segments[0]
        box = span_box(elements[el], start, end)
        for other, s, t in c.segments[1:]:
            box = box.union(span_box(elements[other], s, t))
        out.append(Detection(c.type, c.text, box, el, start, end, c.value, c.properties))
    out.sort(key=lambda d: (d.element, d.start, d.end, PRIORITY.index(d.type)))
    return out
