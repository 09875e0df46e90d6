"""Data detectors: typed entities (phone numbers, e-mails, URLs, postal addresses, dates and
times) found in the OCR text elements of a screen, each mapped back to a box.

    detections = detect(elements, DetectSettings())

Per element text the detectors are:
  PhoneNumber    phonenumbers.PhoneNumberMatcher for each region of `settings.regions` at
                 `settings.leniency`; value = the E.164 number.
  EmailAddress   a well-formed address regex (dot-separated local part, dotted host, alphabetic
                 top-level domain); value = the text.
  Uri            URLs with a scheme (http, https, ftp) and bare domains: www.<anything> or a
                 host ending in a common top-level domain (example.org/path); never inside an
                 e-mail address. value = the URL, with "https://" put in front of a bare domain.
  PostalAddress  pyap.parse(text, country=settings.address_country); value = pyap's full_address.
                 Also run on an element joined with the element directly below it, because a
                 screen often writes an address on two lines (see "Two-element addresses").
  DateTime       regexes: "Tuesday, March 03 at 04:30 PM", "March 3", "5 March 2026",
                 "03/04/2026", "2026-03-04", "4:30 PM", "16:30", "Mon, Jan 5, 2026 10:00 AM",
                 "Tomorrow at 9 AM". A numeric date needs its year (so "9-5" or "3/4" is not a
                 date), a bare hour needs AM/PM, and a weekday alone ("Mon-Fri") is not a date:
                 "Mon-Fri 9-5" gives nothing, "Mon-Fri 9am-5pm" gives "9am" and "5pm".
                 value = "" (no normalisation).

Overlaps, within an element and across the two elements of a two-element address, are
resolved greedily and deterministically: the candidate covering more characters wins; at equal
length the type earlier in PRIORITY wins (EmailAddress, Uri, PhoneNumber, PostalAddress,
DateTime); then the earlier region of `settings.regions`; then the earlier position. So a URL
inside an e-mail loses to the e-mail, a digit run inside a date loses to the date, and a
number in a tracking code is not reported at all (phonenumbers' VALID leniency rejects
digits glued to letters).

Two-element addresses: the element "directly below" element i is the element j whose left
edge is within one median element height of i's left edge and whose top lies between half a
median height above and 1.5 median heights below i's bottom (the nearest such, then the
best aligned, then the lower index). pyap runs on text_i + ", " + text_j (just " " when
text_i already ends with a comma); an address found there that starts in i and ends in j is
reported once, as a Detection with
    element = i, start = its start in text_i, end = len(text_i),
    text    = the joined text of the address (as pyap saw it, with the ", " joint),
    box     = union of the boxes of i's words from `start` and j's words up to its end,
    properties = (("elements", "i,j"), ("spans", "s_i:e_i,s_j:e_j")),
where "spans" gives the character span in each element. Single-element detections carry no
"elements" property.

Boxes: an element's text is its words joined by single spaces, so a character span maps to
the words it overlaps; the detection box is the union of those words' boxes (the element box
when the element has no words or its words cannot be aligned with its text).

Results are ordered by (element, start, end, type). Pure: no I/O, no randomness.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Any, ClassVar, Dict, Iterable, List, Optional, Sequence, Tuple

import phonenumbers
import pyap

from datagen.screen.model import Box, Detection, Element
from datagen.settings import Accepts, Settings, one_of, setting

# Type order used to break ties between overlapping candidates of equal length.
PRIORITY = ("EmailAddress", "Uri", "PhoneNumber", "PostalAddress", "DateTime")
TYPES = PRIORITY
LENIENCIES = ("POSSIBLE", "VALID", "STRICT_GROUPING", "EXACT_GROUPING")
ADDRESS_COUNTRIES = ("US", "CA", "GB")  # the countries pyap has rules for
BELOW_ALIGN = 1.0  # an element "directly below" has its left edge within this many median heights
BELOW_GAP = (-0.5, 1.5)  # ... and its top this many median heights from the bottom of the one above


@dataclass
class DetectSettings(Settings):
    """Which entities are looked for in the OCR text and how (config group `screen.detect`)."""

    PATH: ClassVar[str] = "screen.detect"
    regions: List[str] = setting(["US"], "phonenumbers regions national numbers are read for (206-555-0142 needs "
                                 "US); numbers with a + country code are found whatever the region; earlier wins ties")
    leniency: str = setting("VALID", "phonenumbers leniency: POSSIBLE (any plausible digit run), VALID (valid for its "
                            "region, not glued to letters), STRICT_GROUPING, EXACT_GROUPING", one_of(*LENIENCIES))
    address_country: str = setting("US", "pyap's country rules for postal addresses: US, CA or GB")
    types: List[str] = setting(["PhoneNumber", "EmailAddress", "Uri", "PostalAddress", "DateTime"],
                               "the entity types to detect", Accepts(lambda v: set(v) <= set(TYPES),
                               "a list of " + ", ".join(TYPES)))

    def problems(self) -> Iterable[Tuple[str, Any, str]]:
        if "PostalAddress" in self.types and self.address_country.upper() not in ADDRESS_COUNTRIES:
            yield ("address_country", self.address_country, f"one of {', '.join(ADDRESS_COUNTRIES)} (pyap knows no "
                   "other); drop PostalAddress from screen.detect.types for other countries")


# A candidate before overlap resolution: segments are (element, start, end) spans (two for
# an address across two elements).
@dataclass(frozen=True)
class _Candidate:
    type: str
    segments: Tuple[Tuple[int, int, int], ...]
    text: str
    value: str = ""
    properties: Tuple[Tuple[str, str], ...] = ()
    rank: int = 0  # tie-break within a type (index of the phone region)

    @property
    def length(self) -> int:
        return sum(e - s for _, s, e in self.segments)

    def key(self) -> tuple:
        return (-self.length, PRIORITY.index(self.type), self.rank, self.segments, self.text, self.value,
                self.properties)


# ---------------------------------------------------------------------------------------------
# Phone numbers


def _phones(text: str, element: int, settings: DetectSettings) -> List[_Candidate]:
    leniency = getattr(phonenumbers.Leniency, settings.leniency)
    out: List[_Candidate] = []
    for rank, region in enumerate(settings.regions):
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
            props: List[Tuple[str, str]] = [("region", phonenumbers.region_code_for_number(m.number) or "")]
            if m.number.extension:
                props.append(("extension", m.number.extension))
            value = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
            out.append(_Candidate("PhoneNumber", ((element, m.start, m.end),), m.raw_string, value, tuple(props), rank))
    return out


# ---------------------------------------------------------------------------------------------
# E-mail addresses and URLs

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(
    r"(?<![\w.%+-])"  # not in the middle of a longer local part
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"  # local part: no leading, trailing or double dots
    rf"@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}"  # host with an alphabetic top-level domain
    r"(?![\w-]|\.[A-Za-z0-9])"  # and nothing glued after it
)
# Top-level domains a bare host ("example.org/path") must end in; www.<host> may end in any.
_TLDS = ("com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "io", "co", "us", "uk", "ca",
         "de", "fr", "eu", "au", "nz", "ie", "nl", "be", "es", "it", "ch", "at", "se", "dk", "fi", "pl",
         "jp", "cn", "kr", "in", "br", "mx", "ru", "app", "dev", "ai", "me", "tv", "ly", "gl", "gg",
         "xyz", "site", "online", "store", "shop", "tech", "blog", "news", "cloud", "live", "page")
_SCHEME_URL = re.compile(r"(?<![\w.+-])(?:https?|ftp)://[^\s<>\"'`]+", re.IGNORECASE)
_BARE_URL = re.compile(
    r"(?<![\w@.+/:-])"  # not inside an e-mail, a longer host or a path
    rf"(?:www\.(?:{_LABEL}\.)*{_LABEL}\.[a-z]{{2,63}}"
    rf"|(?:{_LABEL}\.)+(?:{'|'.join(_TLDS)}))"
    r"(?::\d{1,5})?"  # port
    r"(?![\w@-])"  # the host ends here (not a longer word, not a local part)
    r"(?:/[^\s<>\"'`]*)?",  # path
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\""
_BRACKETS = {")": "(", "]": "[", "}": "{"}


def _trim_url(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets after a URL."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _BRACKETS and url.count(last) > url.count(_BRACKETS[last]):
            url = url[:-1]
        else:
            break
    return url


def _emails(text: str, element: int) -> List[_Candidate]:
    return [_Candidate("EmailAddress", ((element, m.start(), m.end()),), m.group(), m.group())
            for m in _EMAIL.finditer(text)]


def _uris(text: str, element: int) -> List[_Candidate]:
    out: List[_Candidate] = []
    for pattern, scheme in ((_SCHEME_URL, True), (_BARE_URL, False)):
        for m in pattern.finditer(text):
            url = _trim_url(m.group())
            if not url or (scheme and url.endswith("://")):
                continue
            value = url if scheme else "https://" + url
            out.append(_Candidate("Uri", ((element, m.start(), m.start() + len(url)),), url, value))
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

# pyap's own normalisation (pyap.parser.AddressParser._normalize_string), replayed here with a
# map from normalised to original offsets so pyap's match offsets can be mapped back.
_PYAP_NORMALISE = ((re.compile(r"\r*(\n\r*)+"), ", "), (re.compile(r"\s*(\,\s*)+"), ", "),
                   (re.compile(r"\s+"), " "), (re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015]"), "-"))


def _normalise(text: str) -> Tuple[str, List[int]]:
    """pyap's normalised text and, for each of its positions (plus the end), the original offset."""
    index = list(range(len(text) + 1))
    for pattern, repl in _PYAP_NORMALISE:
        parts: List[str] = []
        new_index: List[int] = []
        pos = 0
        for m in pattern.finditer(text):
            parts.append(text[pos:m.start()])
            new_index.extend(index[pos:m.start()])
            parts.append(repl)
            # the replacement's characters map to the start of what they replace
            new_index.extend([index[m.start()]] * len(repl))
            pos = m.end()
        parts.append(text[pos:])
        new_index.extend(index[pos:])
        text = "".join(parts)
        index = new_index
    return text, index


def _addresses(text: str, country: str) -> List[Tuple[int, int, str, str]]:
    """(start, end, text, full_address) of each address pyap finds, offsets in `text`."""
    clean, index = _normalise(text)
    out = []
    for a in pyap.parse(clean, country=country):
        start, end = a.match_start, a.match_end
        while start < end and clean[start] in " ,;:":
            start += 1
        while end > start and clean[end - 1] in " ,;:":
            end -= 1
        if start >= end:
            continue
        o_start, o_end = index[start], index[end - 1] + 1
        out.append((o_start, o_end, text[o_start:o_end], a.full_address))
    return out


def _below(elements: Sequence[Element]) -> Dict[int, int]:
    """For each element, the element directly below it (left edges aligned), if any."""
    heights = [e.box.height for e in elements if e.box.height > 0]
    h = statistics.median(heights) if heights else 1.0
    out: Dict[int, int] = {}
    for i, a in enumerate(elements):
        best: Optional[Tuple[float, float, int]] = None
        for j, b in enumerate(elements):
            if j == i or abs(b.box.x0 - a.box.x0) > BELOW_ALIGN * h:
                continue
            gap = b.box.y0 - a.box.y1
            if BELOW_GAP[0] * h <= gap <= BELOW_GAP[1] * h and b.box.cy > a.box.cy:
                key = (b.box.y0, abs(b.box.x0 - a.box.x0), j)
                if best is None or key < best:
                    best = key
        if best is not None:
            out[i] = best[2]
    return out


def _address_candidates(elements: Sequence[Element], settings: DetectSettings) -> List[_Candidate]:
    country = settings.address_country.upper()
    out: List[_Candidate] = []
    for i, e in enumerate(elements):
        for s, t, found, full in _addresses(e.text, country):
            out.append(_Candidate("PostalAddress", ((i, s, t),), found, full))
    for i, j in sorted(_below(elements).items()):
        first, second = elements[i].text, elements[j].text
        if not first.strip() or not second.strip():
            continue
        sep = " " if first.rstrip().endswith(",") else ", "
        joint = len(first) + len(sep)
        for s, t, found, full in _addresses(first + sep + second, country):
            if s < len(first) and t > joint:
                segs = ((i, s, len(first)), (j, 0, t - joint))
                props = (("elements", f"{i},{j}"), ("spans", f"{s}:{len(first)},0:{t - joint}"))
                out.append(_Candidate("PostalAddress", segs, found, full, props))
    return out


# ---------------------------------------------------------------------------------------------
# Boxes, overlap resolution and the entry point


def _word_spans(element: Element) -> Optional[List[Tuple[int, int]]]:
    """Character span of each word in the element's text (None when they cannot be aligned)."""
    spans: List[Tuple[int, int]] = []
    pos = 0
    for w in element.words:
        start = element.text.find(w.text, pos) if w.text else -1
        if start < 0:
            return None
        spans.append((start, start + len(w.text)))
        pos = start + len(w.text)
    return spans


def span_box(element: Element, start: int, end: int) -> Box:
    """Union of the boxes of the element's words that overlap [start, end) (else the element box)."""
    spans = _word_spans(element) if element.words else None
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
    for i, e in enumerate(elements):
        if not e.text.strip():
            continue
        if "PhoneNumber" in types:
            candidates += _phones(e.text, i, settings)
        if "EmailAddress" in types:
            candidates += _emails(e.text, i)
        if "Uri" in types:
            candidates += _uris(e.text, i)
        if "DateTime" in types:
            candidates += _datetimes(e.text, i)
    if "PostalAddress" in types:
        candidates += _address_candidates(elements, settings)
    out: List[Detection] = []
    for c in _resolve_overlaps(candidates):
        el, start, end = c.segments[0]
        box = span_box(elements[el], start, end)
        for other, s, t in c.segments[1:]:
            box = box.union(span_box(elements[other], s, t))
        out.append(Detection(c.type, c.text, box, el, start, end, c.value, c.properties))
    out.sort(key=lambda d: (d.element, d.start, d.end, PRIORITY.index(d.type)))
    return out
