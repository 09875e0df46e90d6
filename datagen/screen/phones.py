"""Phone numbers in OCR text elements (the PhoneNumber detector of datagen.screen.detect).

    found = phone_spans(elements, pairs, regions, leniency)

Each result is (segments, text, value, properties, rank): segments are (element, start, end)
character spans (two when a number runs over two elements), value the E.164 number, rank the
index of the region it was read for (earlier regions win ties), after every region's rank when the number is
written in groups other than its national format's ("(08) 9443 6444" is Australia's, not Ireland's 089 443 6444).
The rules, per element text:

- phonenumbers.PhoneNumberMatcher for each region of `regions` at `leniency` (a number with a
  + or an international prefix is read whatever the region: "+46 771 105000").
- Glued words: a number in grouped form (its last group after "-", "." or ")") directly
  followed by letters, or letters directly followed by a grouped number, is read as if a space
  were there ("Office:206-588-2075Fax:206-971-0313" gives both numbers). A bare digit run
  glued to letters ("1Z452G6351664598") stays rejected (VALID leniency).
- Not numbers: a match ending in a decimal ("1342.84", "+45-48 1243.65": prices, measures) or
  with groups cut by two or more slashes ("Amiga 500/600/1200": a list of models).
- OCR punctuation: a "," or ":" between the groups of a 3-3-4 number is read as "."
  ("530,653,2015"; "1,250,000" is not a 3-3-4 number).
- OCR letters for digits: O/o for 0 and l/I for 1 inside a 3-3-4 number whose other characters
  (8 of 10 at least) are digits ("(8OO) 555-0142", "206-555-Ol42").
- Vanity numbers: a NANP number whose last seven digits are written (partly) as capital letters
  (1-877-SOV-BANK, (800) FLOWERS): letters become digits on the phone keypad; the number must be
  valid for the first region of `regions` that is a NANP region (US, CA, ...), or for US.
- Two elements (`pairs`: an element and the one right after it on its row, or directly below
  it): when an element ends in the beginning of a number and the next one starts with its
  rest ("(905) 616-" above "5509", "Phone: (425)" above "322-5078"), the matcher runs on the two
  texts joined by one space (none after a "-" or "("), and a number that starts in the first and
  ends in the second is reported with both segments.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Sequence, Tuple

import phonenumbers

from datagen.screen.model import Element, Span


# a grouped number glued to a word: split between them
_GLUED = re.compile(r"(?<=[-.)]\d{3})(?=[A-Za-z])|(?<=[-.)]\d{4})(?=[A-Za-z])"
                    r"|(?<=[A-Za-z])(?=\(?\d{3}\)?[-. ]?\d{3}[-.]\d{4})")
# OCR read the dots of a 3-3-4 number as commas or colons
_OCR_DOTS = re.compile(r"(?<![\d,.:])(\d{3})[,:](\d{3})[,.:](\d{4})(?![\d,.:]\d)")
# OCR read a digit of a 3-3-4 number as a letter (O for 0, l or I for 1); vanity letters are others
_OCR_LETTERS = re.compile(r"(?<![\w.+-])\(?[\dOoIl]{3}\)?(?:[-. ]|\) )[\dOoIl]{3}[-. ][\dOoIl]{4}(?![\w-])")
_LETTER_DIGITS = str.maketrans("OoIl", "0011")
OCR_MIN_DIGITS = 8  # ... when the rest (8 of 10 at least) are digits
# vanity: [1-] area code, then seven keypad characters with at least three capital letters
_VANITY = re.compile(r"(?<![\w+.-])(?:1[-. ])?(?:\(\d{3}\) ?|\d{3}[-.])(?P<local>[0-9A-Z]{3}[-.]?[0-9A-Z]{4})(?![\w-])")
VANITY_LETTERS = 3  # a vanity number spells at least this many of its last seven digits
# the start of a number at the end of an element, and the rest of it at the start of the next
_HEAD = re.compile(r"(?:\+|\(|\b)[\d(][\d()+. -]*$")
_TAIL = re.compile(r"^[\d(][\d(). -]*\d")
_DIGIT_RUN = re.compile(r"\d+")
# a trunk 0 standing apart from the number ("0 (224) 903-7794", "0) 731-885-5971"): a phone icon OCR read as
# "0" or "0)", as trunk prefixes are written against the area code ("020 7946 0018", "(02) 9876 5432")
_LONE_TRUNK = re.compile(r"0[ ()]")
# not a number: a decimal at the end (a price or a measure: "1342.84", "+45-48 1243.65"), or
# groups cut by two or more slashes (a list of models or sizes: "500/600/1200")
_DECIMAL_END = re.compile(r"\d{3,}\.\d{1,2}$")
WRAP_GROUP = 5  # a number wraps between its groups: no digit group on either side is longer than this
NANP = ("US", "CA", "AG", "AI", "AS", "BB", "BM", "BS", "DM", "DO", "GD", "GU", "JM", "KN", "KY", "LC",
        "MP", "MS", "PR", "SX", "TC", "TT", "VC", "VG", "VI")


def _fix_ocr(text: str) -> str:
    """The text with OCR's commas/colons inside 3-3-4 numbers read as dots, and its letters for
    digits inside them ("(8OO) 555-0142", "206-555-Ol42") read as digits (same length)."""
    text = _OCR_DOTS.sub(lambda m: f"{m.group(1)}.{m.group(2)}.{m.group(3)}", text)
    return _OCR_LETTERS.sub(_digits_for_letters, text)


def _digits_for_letters(m: "re.Match[str]") -> str:
    digits = sum(c.isdigit() for c in m.group())
    return m.group().translate(_LETTER_DIGITS) if digits >= OCR_MIN_DIGITS else m.group()


def _pieces(text: str) -> Iterable[Tuple[int, str]]:
    """(offset, piece) of the text cut where a grouped number is glued to a word."""
    cuts = [0] + [m.start() for m in _GLUED.finditer(text)] + [len(text)]
    for a, b in zip(cuts, cuts[1:]):
        if b > a:
            yield a, text[a:b]


def _matches(text: str, regions: Sequence[str], leniency: str) -> List[Tuple[int, int, phonenumbers.PhoneNumber, int]]:
    """(start, end, number, region rank) of every number the matcher finds, over the pieces."""
    level = getattr(phonenumbers.Leniency, leniency)
    fixed = _fix_ocr(text)
    out = []
    for rank, region in enumerate(regions):
        for offset, piece in _pieces(fixed):
            for m in phonenumbers.PhoneNumberMatcher(piece, region, leniency=level):
                if rank and not _grouped(m.raw_string):
                    continue  # a national number of a further region only in groups ("05849152" is an id)
                if _LONE_TRUNK.match(m.raw_string):
                    continue  # "0 (224) 903-7794": an icon read as 0 before a number, not a trunk prefix
                if not _number_like(m.raw_string):
                    continue
                written = _written_as_national(m.raw_string, m.number)
                out.append((offset + m.start, offset + m.end, m.number, rank if written else rank + len(regions)))
    return out


def _written_as_national(raw: str, number: phonenumbers.PhoneNumber) -> bool:
    """Whether a number in national form is written in the digit groups of its region's national format, or is in
    international form: "(08) 9443 6444" is Australia's (08) 9443 6444, not Ireland's 089 443 6444, though both
    are valid; a number in another region's groups loses ties to one in its own."""
    if raw.lstrip().startswith("+") or len(_DIGIT_RUN.findall(raw)) < 2:
        return True  # international form, or one run of digits: no groups to go by
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return [len(g) for g in _DIGIT_RUN.findall(raw)] == [len(g) for g in _DIGIT_RUN.findall(national)]


def _grouped(raw: str) -> bool:
    """Whether a number is written in groups or in international form (not one run of digits)."""
    return raw.lstrip().startswith("+") or len(_DIGIT_RUN.findall(raw)) > 1


def _number_like(raw: str) -> bool:
    """Whether a match is written like a phone number, not a decimal or a slash-separated list."""
    raw = raw.strip()
    return not _DECIMAL_END.search(raw) and raw.count("/") < 2


def _vanity(text: str, regions: Sequence[str]) -> List[Tuple[int, int, phonenumbers.PhoneNumber, int]]:
    nanp = [(rank, r) for rank, r in enumerate(regions) if r in NANP] or [(len(regions), "US")]
    rank, region = nanp[0]
    out = []
    for m in _VANITY.finditer(text):
        if sum(c.isupper() for c in m.group("local")) < VANITY_LETTERS:
            continue
        digits = phonenumbers.convert_alpha_characters_in_number(m.group())
        try:
            number = phonenumbers.parse(digits, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            out.append((m.start(), m.end(), number, rank))
    return out


def _span(segments, text: str, number: phonenumbers.PhoneNumber, rank: int) -> Span:
    props: List[Tuple[str, str]] = [("region", phonenumbers.region_code_for_number(number) or "")]
    if number.extension:
        props.append(("extension", number.extension))
    if len(segments) > 1:
        props += [("elements", ",".join(str(k) for k, _, _ in segments)),
                  ("spans", ",".join(f"{a}:{b}" for _, a, b in segments))]
    value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return (tuple(segments), text, value, tuple(props), rank)


def phone_spans(elements: Sequence[Element], pairs: Iterable[Tuple[int, int]], regions: Sequence[str],
                leniency: str) -> List[Span]:
    """Every phone number candidate of the elements (see the module docstring)."""
    out: List[Span] = []
    for i, e in enumerate(elements):
        if not any(c.isdigit() for c in e.text):
            continue
        for s, t, number, rank in _matches(e.text, regions, leniency) + _vanity(e.text, regions):
            out.append(_span([(i, s, t)], e.text[s:t], number, rank))
    for i, j in pairs:
        first, second = elements[i].text.rstrip(), elements[j].text
        head, tail = _HEAD.search(first), _TAIL.search(second)
        if head is None or tail is None:
            continue
        sep = "" if first.endswith(("-", "(")) else " "
        joint = len(first) + len(sep)
        joined = first + sep + second
        for s, t, number, rank in _matches(joined, regions, leniency):
            runs = _DIGIT_RUN.findall(joined[s:t])
            if s < len(first) and t > joint and max(map(len, runs)) <= WRAP_GROUP:
                segments = [(i, s, len(first)), (j, 0, t - joint)]
                out.append(_span(segments, joined[s:t], number, rank))
    return out
