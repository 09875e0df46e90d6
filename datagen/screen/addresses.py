"""Postal addresses in OCR text elements (the PostalAddress detector of datagen.screen.detect).

    found = address_spans(elements, blocks, countries)

Each result is (segments, text, value, properties, rank) as in phones.py: segments are
(element, start, end) character spans, value pyap's full_address, rank the index of the
country in `countries` (earlier countries win ties). The rules:

- pyap.parse(text, country) for each country of `countries` (pyap knows US, CA and GB), on each
  element's text and on each block of stacked elements (`blocks`: an element and the elements
  directly below it, one under the other, ADDRESS_LINES at most), their texts joined by ", "
  (just " " after a text already ending in a comma): a screen writes an address as a street
  line, maybe a suite or locality line, then a city/state/ZIP or town/postcode line (a British
  postcode wrapped between its halves, "M9G" / "8PY", is joined by a space); pyap also
  reads the block joined by spaces (with the stacked rule's forms too, for countries pyap does not
  know) when nothing was found over its lines, and keeps what it finds
  only where no other candidate lies: an address inside a
  sentence that wrapped, starting after a word of the first line ("Meet me at 6505" / "Philip
  Mill, Lake" / "James, ND 50326"; not after a phone number: "(212) 334-5100" / "1617 3rd Ave...").
  An address found over the lines that starts after a word of the first line is read that way too,
  and the spaced reading replaces it where it finds one at the same place: a line break inside a
  sentence is a space ("... at 423 Aaron Prairie, West" / "Justinmouth, VT 83160, just off ..."
  gives "West Justinmouth", not "West, Justinmouth"). Either reading across lines after words needs
  the lines it covers aligned as a paragraph's (left edges or centres within PARAGRAPH_ALIGN median
  heights): "kkk 12 reviews" of another column over "605 Christina Squares, ..." starts none. An
  address found in a block that starts in the block's first element and ends in a later one
  is reported with one segment per element it covers; one found inside the first element alone
  is the single-element case.
- The stacked-address rule (_STACKED, the forms of US, CA, GB and AU: a street line naming a
  street type, a PO box or a unit, up to STACK_PARTS more parts, then the state and ZIP, province
  and postal code, postcode or state and postcode; EU: street name and number, postcode and town;
  IN: as US, ending in a town and a six-digit PIN (China's postcodes too), the street type not
  needed when the country is named; JP: block number, district and "-ku"/"-shi" ward) at the
  start of a block, and (_INLINE) inside it, starting in its first element: at a word, or at a
  number OCR glued to a word before it ("Perth493 Charles Street North Perth WA 6006"), never at a
  copyright year ("\u00a9 2014 ...").
  A "Postcode:" or "ZIP:" label may stand before the code. On lines of their own (at the start of
  a block) two looser forms: a street line without a street type above a GB or CA postcode, over
  BARE_STREET_LINES lines at least ("6-8 Hazelwood" / "Cudham" / "Sevenoaks" / "Kent" / "TN14 7QU"), and a US town and ZIP without the state when a line
  names a street type ("PO Box 1264" / "5683 2nd Ave" / "Ferndale 98248").
- A block whose first element runs on past the right edge of every element below it (OCR merged a
  narrow column's "PO Box 5214" with "until 7pm" of the next one) is tried again, when nothing was
  found over its lines, with that element cut before its first word starting right of that edge.
- A candidate that only runs on in front of another's own number gives way to it: both end at one
  place, the other starts later inside it at a digit, and the text before that starts with a number
  and holds a word ("5 mi, barber" + "279 Cooper Mountain, ...", "2m ago" / "Your parcel is ready
  for pickup, at" + "842 Jordan Parkways, ..."); a house-number range and a floor stay.
- Before pyap sees a text, it is normalised the way pyap normalises (runs of spaces and commas,
  dashes), and OCR's letter/digit confusions inside a British or Canadian postcode are undone
  where the postcode's pattern needs a digit or a letter ("NEG 5ZH" -> "NE6 5ZH", "BR6 GLU" ->
  "BR6 6LU"); the reported text is the element text as read.
"""

from __future__ import annotations

import re
from statistics import median
from typing import Dict, Iterable, List, Sequence, Tuple

import pyap
import pyap.source_US.data
from rapidfuzz.distance import Levenshtein

from datagen.screen.model import Element, Span


COUNTRIES = ("US", "CA", "GB", "AU", "EU", "IN", "JP")  # the countries of the stacked-address rule (EU: continental Europe)
PYAP_COUNTRIES = ("US", "CA", "GB")  # the countries pyap has rules for
ADDRESS_LINES = 6  # an address block is at most this many stacked elements
# the lines of one wrapped sentence start (or, centred, have their centres) within this many median element heights
PARAGRAPH_ALIGN = 1.0

# pyap's own normalisation (pyap.parser.AddressParser._normalize_string), replayed here with a
# map from normalised to original offsets; pyap's normalisation leaves the result unchanged, so
# pyap's match offsets are offsets in it.
_PYAP_NORMALISE = ((re.compile(r"\r*(\n\r*)+"), ", "), (re.compile(r"\s*(\,\s*)+"), ", "),
                   (re.compile(r"\s+"), " "), (re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015]"), "-"))

_TO_DIGIT = str.maketrans("OoDQIlL|SsGBZz", "00001111556822")
_TO_LETTER = str.maketrans("015862", "OISBGZ")
# a British postcode (outward, inward) or a Canadian one (A1A 1A1) as OCR may read it
_GB_POSTCODE = re.compile(r"\b([A-Z]{1,2})([0-9A-Z]{1,2}[A-Z]?) ?([0-9A-Z])([A-Z0-9]{2})\b")
_GB_OUTWARD_TAIL = re.compile(r"^(?:\d|\d\d|\d[A-Z])$")
_CA_POSTCODE = re.compile(r"\b([A-Z0-9])([0-9A-Z])([A-Z0-9]) ?([0-9A-Z])([A-Z0-9])([0-9A-Z])\b")

# OCR and layout marks: a bullet or bar between the parts of an address is a comma; quotes and
# bullets OCR puts before the first word of a line are nothing (same length)
_SEPARATOR = re.compile(r"(?<=\s)[*\u2022\u00b7|\\\u00bb]+(?=\s)")
_LOWER_END = re.compile(r"\d(?:[\s,:|-]+[a-z][a-z.]*)+$")
_LEADING = re.compile(r"^[\u2018\u2019\u201c\u201d'`\"*\u2022\u00b7|]+")

# The stacked-address rule: the first line of a block is a street line, the last holds the
# city/state/ZIP (US), the province and postal code (CA) or the postcode (GB).
_US_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
              "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI").split()
_US_STATE_NAMES = ("Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|District of Columbia|"
                   "Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|"
                   "Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|"
                   "New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
                   "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
                   "West Virginia|Wisconsin|Wyoming|Puerto Rico|Guam")
_CA_PROVINCES = ("AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT|Alberta|British Columbia|Manitoba|New Brunswick|"
                 "Newfoundland and Labrador|Newfoundland|Nova Scotia|Northwest Territories|Nunavut|Ontario|"
                 "Prince Edward Island|Quebec|Qu\u00e9bec|Saskatchewan|Yukon")
_US_STATE = ("(?:(?:" + "|".join(_US_STATES) + r")\.?|" + "|".join(a[0] + a[1].lower() + r"\." for a in _US_STATES)
             + "|" + _US_STATE_NAMES + ")")
_HOUSE = (r"(?:[NSEW]\d{1,5}\s[NSEW]\d{1,6}"  # Wisconsin/Utah grid numbers: N112 W16700
          r"|\d{1,6}[A-Za-z]?(?:\s?-\s?\d{1,6}[A-Za-z]?)?)")  # 12, 12B, 6-8, 101-1305, 5320 - Roper
_SUB = (r"(?:(?:Unit|Suite|Ste|Flat|Apt|Apartment|Floor|Level|Lvl|Building|Bldg|Room|Office|Shop)\.?\s?#?\s?\d{1,5}[A-Za-z]?"
        r"(?:-\d{1,5}[A-Za-z]?)?"
        r"|\d{1,3}(?:st|nd|rd|th)\s(?:Floor|Fl\.?))")  # Unit 3, Suite # 200, Suite 1805-1812, 3rd Floor
_PO_BOX = r"(?:P\.?\s?O\.?\s?Box|PO\sBOX|Post\sOffice\sBox)\s?:?\s?#?\s?\d{1,6}"
_PHONE_AHEAD = r"(?![^,]*\d{3}[-. )]{1,2}\d{3}[-. ]\d{4})"  # a part holding a phone number is not an address part
_WORDS = _PHONE_AHEAD + r"(?=[^,]*[A-Za-z\u00c0-\u017f]{2})[^,@:]{1,50}?"  # the rest of a street line: a word or more
_FIRST = rf"(?:{_PO_BOX}|{_SUB}(?:\s{_WORDS})?|{_HOUSE}\s{_WORDS})"
_PART = _PHONE_AHEAD + r"[A-Za-z\u00c0-\u017f#\d][^,@:]{0,39}?"  # a middle part: a suite, floor, locality, building or city line
_CODE_LABEL = r"(?:(?:Post\s?code|Postal\s[Cc]ode|Zip(?:\s[Cc]ode)?|ZIP(?:\sCODE)?)\s?:?\s?)?"  # "Postcode: E14 9YD"
_GB_CODE = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
_CA_CODE = r"[A-Z]\d[A-Z]\s?\d[A-Z]\d"
_AU_STATES = ("NSW|VIC|QLD|SA|WA|TAS|NT|ACT|New South Wales|Victoria|Queensland|South Australia|Western Australia|"
              "Tasmania|Northern Territory|Australian Capital Territory")
_COUNTRY = (r"(?:,?\s(?:USA|U\.S\.A\.?|United States(?: of America)?|Canada|United Kingdom|UK|England|Scotland|Wales"
            r"|Australia))?")
_TAILS = {
    "US": rf"(?:{_PART},?\s)?{_US_STATE},?\s{_CODE_LABEL}\d{{5}}(?:-\d{{4}})?(?![\d-])",
    "CA": rf"(?:{_PART},?\s)?(?:(?:{_CA_PROVINCES})\.?,?\s{_CA_CODE}|{_CA_CODE},?\s(?:{_CA_PROVINCES})\.?)(?![A-Za-z\d])",
    "GB": rf"(?:{_PART}\s)?{_CODE_LABEL}{_GB_CODE}(?![A-Za-z\d])",
    "AU": rf"(?:{_PART},?\s)?(?:{_AU_STATES}),?\s\d{{4}}(?![\d-])",
}
# Street types (USPS suffixes with their usual abbreviations, and British ones): a street line of
# the stacked rule names one, is a PO box or starts with a unit, floor or level
STREET_TYPES = frozenset("""
alley aly arcade avenue ave av bend bluff blvd boulevard broadway bypass byp causeway center centre ctr circle
cir close cl common commons corner course court ct cove crescent cres crest crossing cross dale dr drive drv
esplanade estate expressway expy extension ext freeway fwy gardens gdns garden gate gateway green grn grove gr
heights hts highway hwy hill hl hollow junction jct lane ln loop mall manor mews mill mount mt mountain parade
park parkway pkwy pky pass path pike place pl plaza plz point pt promenade quay ramp ridge rd road route rte row
run square sq station sta st street strasse terrace ter tce trace trail trl turnpike tpke view vw village vlg
walk way wy wharf yard
""".split())
# Australia's street types (the AS 4590 list Australia Post uses) beyond those above: an AU street line may
# name any of them ("11 Connie Ramble", "25 Cooper Wynd"); only AU matches take them, as many are common words
AU_STREET_TYPES = frozenset("""
access alleyway amble anchorage approach artery basin beach block boardwalk bowl brace brae break bridge brow
byway centreway chase circlet circuit circus colonnade concourse copse corso courtyard crossroad crossway
cruiseway cutting deviation dell dip distributor driveway edge elbow end entrance fairway firetrail
flat follow footway foreshore formation frontage gap glade glen grange ground gully highroad interchange
intersection key laneway lees line link lookout lower meander motorway nook outlook parklands pathway piazza
plateau pocket port quad quadrangle quadrant quays ramble range reach reserve rest retreat ride ridgeway rise
riverway riviera roads roadside roadway ronde rosebowl rotary round siding slope spur stairs steps strand strip
subway tarn thoroughfare tollway top tor towers track trunkway turn underpass upper vale viaduct villas vista
wade walkway wynd
""".split())
# The USPS street suffixes pyap knows (Publication 28, C1: "Loaf", "Forge", "Knoll", "Views", ...), whole words of
# four letters or more: its two- and three-letter abbreviations ("Is", "Br", "Cp") are words of a sentence too
USPS_STREET_TYPES = frozenset(t.lower() for t in pyap.source_US.data.street_type_list if len(t) >= 4)
STREET_TYPE_TYPOS = 1  # OCR may miss or swap one letter of a street type of five or more letters ("Steet")
_SUB_START = re.compile(_SUB + "|" + _PO_BOX, re.IGNORECASE)
_GLUED_TYPE = re.compile(r"[a-z](Rd|St|Ave|Dr|Ln|Blvd|Hwy|Ct|Pl|Way)\.?$")  # "echRd.": OCR lost the space


def _names_street(part: str, country: str = "") -> bool:
    """Whether a line names a street type (allowing one OCR slip in a long one) or is a PO box / unit line;
    for an AU address, Australia's street types too."""
    if _SUB_START.match(part.strip()):
        return True
    for token in re.findall(r"[A-Za-z][A-Za-z.]*", part):
        word = token.rstrip(".").lower()
        if (word in STREET_TYPES or word in USPS_STREET_TYPES and country in ("", "US") or _GLUED_TYPE.search(token)
                or country == "AU" and word in AU_STREET_TYPES):
            return True
        if len(word) >= 5 and any(len(t) >= 5 and Levenshtein.distance(word, t) <= STREET_TYPE_TYPOS
                                  for t in STREET_TYPES):
            return True
    return False


STACK_PARTS = 4  # at most this many parts between the street line and the last line

# Continental Europe ("EU": Germany, the Netherlands, Scandinavia, Switzerland, Austria, ...): the
# street name, then its number ("Vegagatan 3", "Hauptstrasse 12a"), then the postcode before the
# town ("113 29 Stockholm", "10115 Berlin", "1012 AB Amsterdam"); the street name ends in a
# street word of those languages, so a name and a number ("Windows 10") is not a street.
_EU_STREET_WORDS = ("stra\u00dfe|strasse|str\\.|weg|platz|allee|gasse|chaussee|straat|laan|plein|gracht|kade|singel|"
                    "dijk|gatan|gata|v\u00e4gen|v\u00e4g|vagen|gr\u00e4nd|torget|gade|vej|vei|veien|gaten|plass|katu")
_EU_STREET = (rf"(?:[A-Z\u00c0-\u00de][a-z\u00df-\u00ff-]*(?:{_EU_STREET_WORDS})"  # Vegagatan, Hauptstra\u00dfe
              rf"|(?:[A-Z\u00c0-\u00de][a-z\u00df-\u00ff-]+\s){{1,2}}(?:{_EU_STREET_WORDS.title()}))"  # Berliner Stra\u00dfe
              r"\s\d{1,4}\s?[a-zA-Z]?(?:\s?-\s?\d{1,4})?")
_EU_TOWN = r"[A-Z\u00c0-\u00de][A-Za-z\u00df-\u00ff-]+(?:\s[A-Z\u00c0-\u00de][A-Za-z\u00df-\u00ff-]+)?"
_EU_COUNTRY = (r"(?:,?\s(?:Sweden|Sverige|Germany|Deutschland|Netherlands|Nederland|Denmark|Danmark|Norway|Norge"
               r"|Finland|Suomi|Switzerland|Schweiz|Austria|\u00d6sterreich|Belgium))?")
_EU = (rf"(?P<address>{_EU_STREET}(?:,\s{_PART}){{0,2}}?,?\s(?:\d{{3}}\s?\d{{2}}|\d{{4}}\s?[A-Z]{{2}}|\d{{4,5}})"
       rf",?\s{_EU_TOWN}{_EU_COUNTRY})(?![\w-])")
# the forms: (street line, tail) per country; a form whose street line may lack a street type is
# checked for one (_names_street)
_FORMS = {country: rf"{_FIRST}(?:,\s{_PART}){{0,{STACK_PARTS}}}?,?\s{tail}{_COUNTRY})" for country, tail in _TAILS.items()}
_STACKED = {country: re.compile(rf"^\s?(?:[A-Za-z ]{{1,20}}:\s?)?(?P<address>{form}") for country, form in _FORMS.items()}
_STACKED["EU"] = re.compile(rf"^\s?(?:[A-Za-z ]{{1,20}}:\s?)?{_EU}")
# a US address whose last line is the town and ZIP without the state ("PO Box 1264" / "5683 2nd Ave" /
# "Ferndale 98248"): only on lines of their own, with a line that names a street type
_US_NO_STATE = re.compile(rf"^\s?(?P<address>{_FIRST}(?:,\s{_PART}){{0,{STACK_PARTS}}}?,\s{_EU_TOWN}\s\d{{5}}(?:-\d{{4}})?)(?=,|$)")
# a street line without a street type ("6-8 Hazelwood"): only on a line of its own above a GB or CA postcode
# and at least BARE_STREET_LINES lines in all
BARE_STREET_LINES = 4
_BARE_STREET = re.compile(rf"^\s?{_HOUSE}\s[A-Z][a-z]+(?:\s[A-Z][a-z]+){{0,2}}$")
# the same form inside a line: it starts at a word, or at a number glued to a word ("Perth493 Charles Street"),
# never at the year of a copyright line ("\u00a9 2014 zynkDesign. 3rd Floor ...")
_NOT_AFTER = r"(?<!\u00a9)(?<!\u00a9\s)(?<!\([cC]\)\s)(?<![Cc]opyright\s)(?<!COPYRIGHT\s)"
_INLINE = {country: re.compile(rf"(?:(?<![\w#-])|(?<=[a-z]{{2}})(?=\d)){_NOT_AFTER}(?P<address>{form}")
           for country, form in _FORMS.items()}
_INLINE["EU"] = re.compile(rf"(?<![\w#-]){_EU}")
# India (and China, whose postcodes have six digits too): a street line, PO box or building line, maybe
# locality lines, then the town and the six-digit PIN ("Mumbai 400 001", "Mumbai-400072", "Beijing 100738"),
# maybe the country; without the country a line must name a street type or be a PO box or unit
# ("P. O. Box: 278" / "Mumbai 400 001, India")
_IN = (rf"(?P<address>{_FIRST}(?:,\s{_PART}){{0,{STACK_PARTS}}}?,?\s{_EU_TOWN}\s?[-\u2013]?\s?[1-9]\d{{2}}\s?\d{{3}}"
       r"(?P<country>,?\s(?:India|INDIA|(?:P\.\s?R\.\s?)?China|CHINA))?)(?![\w-])")
_STACKED["IN"] = re.compile(rf"^\s?(?:[A-Za-z ]{{1,20}}:\s?)?{_IN}")
_INLINE["IN"] = re.compile(rf"(?<![\w#-]){_IN}")
# Japan, written in English from the block number up: chome-banchi-go, the district, the ward or city
# ("-ku", "-shi"), maybe the prefecture or Tokyo, the postcode and Japan ("3-5-27 Mita Minato-ku Tokyo");
# the hyphenated ward is what no other text has
_JP_NAME = r"[A-Z][a-z]+(?:-[a-z]+)?"
_JP = (r"(?P<address>\d{1,2}-\d{1,2}(?:-\d{1,3})?,?\s(?:" + _JP_NAME + r",?\s){0,2}[A-Z][a-z]+-(?:ku|shi|cho|machi|gun)"
       r"(?:,?\s[A-Z][a-z]+(?:-(?:to|fu|ken))?)?(?:,?\s\d{3}-\d{4})?(?:,?\s(?:Japan|JAPAN))?)(?![\w-])")
_STACKED["JP"] = re.compile(rf"^\s?(?:[A-Za-z ]{{1,20}}:\s?)?{_JP}")
_INLINE["JP"] = re.compile(rf"(?<![\w#-]){_JP}")


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


def _one_fix(original: str, fixed: str) -> str:
    """`fixed` when it differs from `original` in exactly one character and the postcode has its space."""
    changed = sum(a != b for a, b in zip(original, fixed))
    return fixed if changed == 1 and " " in original else original


def _gb_postcode(m: "re.Match[str]") -> str:
    area, district, sector, unit = m.groups()
    if not unit.isalpha():
        return m.group()
    district = district[0].translate(_TO_DIGIT) + district[1:]
    if len(district) == 2 and not district[1].isalpha():
        district = district[0] + district[1].translate(_TO_DIGIT)
    sector = sector.translate(_TO_DIGIT)
    if not (_GB_OUTWARD_TAIL.match(district) and sector.isdigit()):
        return m.group()
    space = " " if " " in m.group() else ""
    return _one_fix(m.group(), f"{area}{district}{space}{sector}{unit}")


def _ca_postcode(m: "re.Match[str]") -> str:
    chars = [c.translate(_TO_LETTER) if k % 2 == 0 else c.translate(_TO_DIGIT) for k, c in enumerate(m.groups())]
    if not all(c.isalpha() if k % 2 == 0 else c.isdigit() for k, c in enumerate(chars)):
        return m.group()
    space = " " if " " in m.group() else ""
    return _one_fix(m.group(), "".join(chars[:3]) + space + "".join(chars[3:]))


def _fix_postcodes(text: str, country: str) -> str:
    """OCR's letter/digit confusions inside postcodes undone (same length)."""
    if country == "GB":
        return _GB_POSTCODE.sub(_gb_postcode, text)
    if country == "CA":
        return _CA_POSTCODE.sub(_ca_postcode, text)
    return text


def _marks(text: str) -> str:
    """The text with layout marks between parts read as commas and OCR marks before a line blanked."""
    text = _SEPARATOR.sub(lambda m: "," * len(m.group()), text)
    return _LEADING.sub(lambda m: " " * len(m.group()), text)


def _plausible(address: "pyap.address.Address") -> bool:
    """An address with a street number (or PO box) and a postal code or a state written as one."""
    parts = address.as_dict()
    number, region = parts.get("street_number") or "", (parts.get("region1") or "").strip()
    if not (any(c.isdigit() for c in number) or parts.get("po_box")):
        return False
    return bool(parts.get("postal_code")) or region[:1].isupper()


def _street_ok(m: "re.Match[str]", country: str) -> bool:
    """Whether a match of the stacked rule names a street where its form needs one: the forms of _TAILS in
    their first two parts, the Indian one unless it names its country; the European and Japanese forms carry
    their own street or ward."""
    if country in _TAILS or country == "IN" and not m.group("country"):
        return any(_names_street(p, country) for p in m.group("address").split(",")[:2])
    return True


def _addresses(text: str, countries: Sequence[str], stacked: bool, first: int = 0) -> List[Tuple[int, int, str, int]]:
    """(start, end, full address, country rank) of each address in `text` (offsets in it): pyap's
    matches, or (stacked=True) the stacked-address rule's match at the start of the text and its
    matches inside the text that start before offset `first`."""
    clean, index = _normalise(text)
    out = []
    for rank, country in enumerate(countries):
        fixed = _fix_postcodes(clean, country)
        if stacked:
            m = _STACKED[country].match(fixed)
            parts = m.group("address").split(",") if m else []
            if len(parts) >= BARE_STREET_LINES and country in ("GB", "CA") and _BARE_STREET.match(parts[0]):
                found = [(m.start("address"), m.end("address"), m.group("address"))]  # "6-8 Hazelwood" over
                # "Cudham", "Sevenoaks", "Kent", "TN14 7QU"
            else:
                found = [(m.start("address"), m.end("address"), m.group("address"))] if m and _street_ok(m, country) else []
            limit = next((k for k, o in enumerate(index) if o >= first), len(fixed))
            found += [(m.start("address"), m.end("address"), m.group("address"))
                      for m in _INLINE[country].finditer(fixed, 0, len(fixed))
                      if m.start("address") < limit and _street_ok(m, country)]
            m = _US_NO_STATE.match(fixed) if country == "US" else None
            if m and any(_names_street(p) and not _SUB_START.match(p.strip()) for p in m.group("address").split(",")[:3]):
                found.append((m.start("address"), m.end("address"), m.group("address")))
        elif country in PYAP_COUNTRIES:
            found = [(a.match_start, a.match_end, a.full_address) for a in pyap.parse(fixed, country=country)
                     if _plausible(a)]
        else:
            found = []
        for start, end, full in found:
            if (start > 0 and clean[start - 1].isalnum() and clean[start].isalnum()
                    and not (clean[start - 2:start].isalpha() and clean[start - 1].islower() and clean[start].isdigit())):
                continue  # pyap may start inside a word ("...rge Lane"): an address starts at a word
                # (or at a number OCR glued to the word before it: "Perth493 Charles Street")
            if start > 1 and clean[start - 1] in ":./-" and clean[start - 2].isdigit():
                continue  # nor inside a time, date or number ("07:21 AM Where 43390 ...")
            while start < end and clean[start] in " ,;:":
                start += 1
            while end > start and clean[end - 1] in " ,;:":
                end -= 1
            lower = _LOWER_END.search(clean, start, end)
            if lower:  # pyap reads lower-case words after the ZIP as a state or country ("62704 or us")
                end = lower.start() + 1
            if start < end:
                out.append((index[start], index[end - 1] + 1, full.strip(" ,;:"), rank))
    return out


_OUTWARD_END = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?$")  # a British postcode's first half ends a line ...
_INWARD_START = re.compile(r"^\d[A-Z]{2}\b")  # ... and its second half starts the next: "M9G" / "8PY"
_STATE_END = re.compile(r"\b(?:" + "|".join(_US_STATES) + r")\.?$")  # a US state ends a line ...
_ZIP_START = re.compile(r"^\d{5}(?:-\d{4})?\b")  # ... and its ZIP starts the next: "Browningtown, SC" / "73229"
_NUMBER_START = re.compile(rf"^{_HOUSE}\s+[A-Za-z]")  # a street line's house number and name: "54955 Carlson"


def _one_part(line: str, below: str) -> bool:
    """Whether a line break splits one part of an address, a narrow column having wrapped it: a British postcode
    between its halves, a US state and its ZIP, or a street line before its street type ("54955 Carlson" /
    "Junctions")."""
    line, below = line.rstrip(), below.strip()
    words = below.split()
    return bool(_OUTWARD_END.search(line) and _INWARD_START.match(below)
                or _STATE_END.search(line) and _ZIP_START.match(below)
                or _NUMBER_START.match(line) and not _names_street(line) and words
                and _names_street(words[0]) and not _SUB_START.match(below))


def _join(texts: Sequence[str], wrapped: bool = False) -> Tuple[str, List[int]]:
    """The texts joined by ", " (" " after a comma or where the break splits one part, see _one_part; " " always
    when `wrapped`: one line of text a browser wrapped) and the offset of each text in the result."""
    joined, starts = "", []
    for k, t in enumerate(texts):
        if k:
            joined += " " if wrapped or joined.rstrip().endswith(",") or _one_part(texts[k - 1], t) else ", "
        starts.append(len(joined))
        joined += t
    return joined, starts


def _span(block: Sequence[int], texts: Sequence[str], starts: Sequence[int], joined: str, s: int, t: int,
          full: str, rank: int, original: str) -> Span:
    """A candidate over the block's elements that [s, t) of the joined text covers."""
    segments = []
    for k, a, text in zip(block, starts, texts):
        b = a + len(text)
        if a < t and s < b:
            segments.append((k, max(s, a) - a, min(t, b) - a))
    if len(segments) == 1:
        return ((segments[0],), original[s:t], full, (), rank)
    props = (("elements", ",".join(str(k) for k, _, _ in segments)),
             ("spans", ",".join(f"{x}:{y}" for _, x, y in segments)))
    return (tuple(segments), original[s:t], full, props, rank)


def address_spans(elements: Sequence[Element], blocks: Dict[int, Tuple[int, ...]],
                  countries: Sequence[str]) -> List[Span]:
    """Every postal address candidate of the elements (see the module docstring)."""
    out: List[Span] = []
    wrapped_out: List[Span] = []
    tolerance = PARAGRAPH_ALIGN * median(e.box.height for e in elements) if elements else 0.0
    for i, e in enumerate(elements):
        if not any(c.isdigit() for c in e.text):
            continue
        block = blocks.get(i, (i,))
        texts = [_marks(elements[k].text) for k in block]
        joined, starts = _join(texts)
        original, _ = _join([elements[k].text for k in block])
        for s, t, full, rank in _addresses(texts[0], countries, stacked=False):
            out.append(_span(block[:1], texts[:1], starts[:1], texts[0], s, t, full, rank, e.text))
        before = len(out)
        in_sentence: List[Span] = []  # over the lines, starting after words: read again as one wrapped line

        def paragraph(span: Span) -> bool:
            return _paragraph([elements[k] for k, _, _ in span[0]], tolerance)

        def add(s: int, t: int, full: str, rank: int) -> None:
            span = _span(block, texts, starts, joined, s, t, full, rank, original)
            if len(span[0]) == 1 or not _after_words(texts[0], s):
                out.append(span)
            elif paragraph(span):  # not words of another column above an address ("12 reviews" / "605 Christina")
                in_sentence.append(span)

        if len(block) > 1:
            for s, t, full, rank in _addresses(joined, countries, stacked=False):
                if s < len(texts[0]) and t > starts[1]:
                    add(s, t, full, rank)
        for s, t, full, rank in _addresses(joined, countries, stacked=True, first=len(texts[0])):
            add(s, t, full, rank)
        cut = _column_cut(elements, block)
        if cut and not any(len(c[0]) > 1 for c in out[before:] + in_sentence):
            # the first line runs on into the next column ("PO Box 5214 until 7pm" over "West" / "Chatswood"
            # / "NSW 1515"): the stacked rule over its words in the column of the lines below
            texts_cut = [texts[0][:cut]] + texts[1:]
            joined_cut, starts_cut = _join(texts_cut)
            original_cut, _ = _join([e.text[:cut]] + [elements[k].text for k in block[1:]])
            for s, t, full, rank in _addresses(joined_cut, countries, stacked=True, first=cut):
                if t > starts_cut[1]:  # over the lines below, not the cut line alone
                    out.append(_span(block, texts_cut, starts_cut, joined_cut, s, t, full, rank, original_cut))
        wrapped: List[Span] = []
        if len(block) > 1 and not any(len(c[0]) > 1 for c in out[before:]):
            # no address over the lines: maybe a sentence a browser wrapped inside one, its lines joined by spaces
            text, at = _join(texts, wrapped=True)
            whole = _join([elements[k].text for k in block], wrapped=True)[0]
            for s, t, full, rank in (_addresses(text, countries, stacked=False)  # pyap, and the stacked rule's
                                     + _addresses(text, countries, stacked=True, first=len(texts[0]))):  # forms
                if s < len(texts[0]) and t > at[1] and _after_words(texts[0], s):
                    span = _span(block, texts, at, text, s, t, full, rank, whole)
                    if paragraph(span):
                        wrapped.append(span)
        # an address over the lines of a sentence is the wrapped reading where that finds one at the same place: a
        # line break inside a sentence is a space ("... at 423 Aaron Prairie, West" / "Justinmouth, VT 83160, ...")
        again = [w for w in wrapped if any(w[0][0] == c[0][0] for c in in_sentence)]
        out += again + [c for c in in_sentence if not any(w[0][0] == c[0][0] for w in again)]
        wrapped_out += [w for w in wrapped if w not in again]
    # a candidate that only runs on in front of another's number gives way to it; a wrapped reading is the last
    # resort: none that shares text with another candidate
    every = out + wrapped_out
    out, wrapped_out = ([c for c in found if not any(_runs_on(c, other, elements) for other in every)]
                        for found in (out, wrapped_out))
    taken = [seg for c in out for seg in c[0]]
    return out + [c for c in wrapped_out if not any(k == j and a < y and x < b for k, a, b in c[0] for j, x, y in taken)]


_RUN_ON_WORD = re.compile(r"[A-Za-z]{2,}")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)\b", re.IGNORECASE)  # "3rd Floor The Hospital Club 24 Endell Street"


def _runs_on(candidate: Span, inner: Span, elements: Sequence[Element]) -> bool:
    """Whether `candidate` is `inner` with words of something else in front of a number of their own: both end at
    one place, `inner` starts later inside it at a digit, and the text before that starts with a number and holds a
    word ("5 mi, barber" + "279 Cooper Mountain, ...", "2m ago" / "Your parcel is ready for pickup, at" + "842 Jordan
    Parkways, ..."; not "100-" + "102 Main St, ..." nor a floor: "3rd Floor The Hospital Club" + "24 Endell Street")."""
    segments, (first, start, _) = candidate[0], inner[0][0]
    if inner is candidate or segments[-1][::2] != inner[0][-1][::2] or not inner[1][:1].isdigit():
        return False  # (element, end) of the last segments differ
    before = []
    for k, a, b in segments:
        if k == first:
            if not a <= start <= b:
                return False
            before.append(elements[k].text[a:start])
            break
        before.append(elements[k].text[a:b])
    else:
        return False  # inner starts in no element of the candidate
    text = " ".join(before).strip()
    return bool(text) and text[:1].isdigit() and not _ORDINAL.match(text) and bool(_RUN_ON_WORD.search(text))


def _paragraph(lines: Sequence[Element], tolerance: float) -> bool:
    """Whether stacked elements (two at least) can be the lines of one wrapped sentence: each starts where the first
    one does, or has its centre where the first one has it, within `tolerance` pixels."""
    first = lines[0].box
    return len(lines) > 1 and all(abs(e.box.x0 - first.x0) <= tolerance or abs(e.box.cx - first.cx) <= tolerance
                                  for e in lines[1:])


def _after_words(first: str, start: int) -> bool:
    """Whether an address starting at `start` of the first line comes after words of it (inside a sentence)."""
    return first[:start].rstrip()[-1:].isalpha()


def _column_cut(elements: Sequence[Element], block: Sequence[int]) -> int:
    """Where the block's first element leaves the column of the elements below it: the offset of its first word
    that starts right of where every one of them ends (0: none does, or the words cannot be aligned)."""
    if len(block) < 2:
        return 0
    first, right = elements[block[0]], max(elements[k].box.x1 for k in block[1:])
    spans = first.word_spans()
    if not spans:
        return 0
    for w, (start, _) in zip(first.words, spans):
        if w.box.x0 > right and start > 0:
            return len(first.text[:start].rstrip())
    return 0


def blocks_of(below: Dict[int, int], lines: int = ADDRESS_LINES) -> Dict[int, Tuple[int, ...]]:
    """For each element, it and the elements directly below it, one under the other."""
    out: Dict[int, Tuple[int, ...]] = {}
    for i in below:
        chain = [i]
        while len(chain) < lines and chain[-1] in below and below[chain[-1]] not in chain:
            chain.append(below[chain[-1]])
        out[i] = tuple(chain)
    return out


__all__: Iterable[str] = ["COUNTRIES", "ADDRESS_LINES", "address_spans", "blocks_of"]
