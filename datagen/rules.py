"""Kinds of reference: one record per `select` rule, and `resolve`, the check that keeps every request unambiguous.

A mention is a small template ("the {ordinal} one from the bottom", "the one on
{street_name}") with a `select` rule. Each rule is one `Rule` in `RULES`: the slots it fills
itself, its reference label, how it draws intended targets and slot values on a list
(`draw`), and which candidates a filled request picks when read back (`pick`).

`resolve` reads the request text and the candidate list as shown (positions are list
positions, 1-based) and returns the set of candidates the request fits, independently of how
the request was drawn: a generator emits a request only when this set equals its intended
targets, and `conversational.check_row` re-runs it on written rows.

Matching is on whole words, case-insensitive: a filled mention "occurs" in the request when
it is found with no letter or digit directly before or after it.

Adding a kind of reference is one `Rule` in `RULES` (and its mentions in the templates).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from datagen.entities import Entity
from datagen.templates import fill, slots

NONE_KIND = "none"  # the kind of reference whose requests pick no candidate
MIN_COUNT = 2  # "the first {count}" names at least two candidates and leaves at least one out


@dataclass(frozen=True)
class Mention:
    """A way to refer to candidates: template text, select rule and (for type rules) types."""

    id: str
    text: str
    select: str
    types: Tuple[str, ...] = ()
    many: bool = False


@dataclass
class Vocabulary:
    """Words mentions are filled with: ordinals, counts and the domain's own slots."""

    ordinals: Sequence[str]
    counts: Sequence[str]
    statics: Mapping[str, str] = field(default_factory=dict)  # noun, nouns, ...


Drawn = Optional[Tuple[Set[int], Dict[str, str]]]  # intended targets and slot values, or None
# draw(mention, vocab, candidates, kind, rng, absent): absent() draws an entity of the domain
# that is not meant to be in the list (for requests that pick nothing)
Draw = Callable[[Mention, Vocabulary, Sequence[Entity], str, random.Random, Callable[[], Entity]], Drawn]
# pick(mention, lower-cased request, candidates, vocab): indices the request picks
Pick = Callable[[Mention, str, Sequence[Entity], Vocabulary], Set[int]]
Feasible = Callable[[Mention, Sequence[Entity], str], bool]  # feasible(mention, candidates, kind)


@dataclass(frozen=True)
class Rule:
    """One kind of reference: its slots and label, how it draws a request and how one is read back."""

    name: str  # the `select` value mentions name it by
    slots: Tuple[str, ...]  # slots the rule fills itself (besides the vocabulary's statics)
    label: str  # reference label of a one-target request (none and multi go by target count)
    draw: Draw
    pick: Pick
    feasible: Optional[Feasible] = None  # None: the rule may apply to any list
    entity_fields: bool = False  # the text may also name the candidates' own fields ({city})
    shares: bool = False  # drawn on a list where several candidates share the named field (made so if need be)

    def fits(self, m: Mention, cands: Sequence[Entity], kind: str) -> bool:
        """Whether the rule can apply to this list at all (saves draws that must fail)."""
        return self.feasible is None or self.feasible(m, cands, kind)


def occurs(needle: str, haystack: str) -> bool:
    """True if `needle` occurs in `haystack` as whole words (both already lower-cased)."""
    if not needle:
        return False
    start = haystack.find(needle)
    n = len(needle)
    while start >= 0:
        before = haystack[start - 1] if start > 0 else " "
        end = start + n
        after = haystack[end] if end < len(haystack) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        start = haystack.find(needle, start + 1)
    return False


def _filled(m: Mention, query: str, vocab: Vocabulary, **values: str) -> bool:
    merged = dict(vocab.statics)
    merged.update(values)
    return occurs(fill(m.text, merged).lower(), query)


def _of_type(m: Mention, cands: Sequence[Entity]) -> List[int]:
    return [i for i, e in enumerate(cands) if e.type in m.types]


# -- ordinal, number, from_bottom: one position ---------------------------------------------
def _draw_from_top(m, vocab, cands, kind, rng, absent):
    i = rng.randrange(min(len(cands), len(vocab.ordinals)))
    return {i}, {"ordinal": vocab.ordinals[i], "number": str(i + 1)}


def _draw_from_bottom(m, vocab, cands, kind, rng, absent):
    n = len(cands)
    k = rng.randrange(1, min(n, len(vocab.ordinals)))  # 2nd.. from the bottom ("first from the bottom" reads oddly)
    return {n - 1 - k}, {"ordinal": vocab.ordinals[k]}


def _by_position(positions: Callable[[int, int], int]) -> Pick:
    """Pick: candidate i (0-based) of n fits when its ordinal, counted by `positions`, is named."""

    def pick(m: Mention, query: str, cands: Sequence[Entity], vocab: Vocabulary) -> Set[int]:
        n = len(cands)
        out = set()
        for i in range(n):
            p = positions(i, n)
            if p <= len(vocab.ordinals) and _filled(m, query, vocab, ordinal=vocab.ordinals[p - 1], number=str(p)):
                out.add(i)
        return out

    return pick


# -- last ---------------------------------------------------------------------------------
def _draw_last(m, vocab, cands, kind, rng, absent):
    return {len(cands) - 1}, {}


def _pick_last(m, query, cands, vocab):
    return {len(cands) - 1} if cands and _filled(m, query, vocab) else set()


# -- top, second_to_last, middle: one fixed place in the list ----------------------------------
def _fixed(place: Callable[[int], Optional[int]]) -> Tuple[Draw, Pick, Feasible]:
    """Draw, pick and feasibility of a rule naming one place of the list by its length n (0-based index, or
    None when the list has no such place: no middle in an even list)."""

    def feasible(m, cands, kind):
        return kind != NONE_KIND and place(len(cands)) is not None

    def draw(m, vocab, cands, kind, rng, absent):
        i = place(len(cands))
        return None if i is None else ({i}, {})

    def pick(m, query, cands, vocab):
        i = place(len(cands))
        return {i} if i is not None and _filled(m, query, vocab) else set()

    return draw, pick, feasible


# -- first_n, last_n: a run of {count} at one end --------------------------------------------
def _draw_run(from_end: bool) -> Draw:
    """Draw: MIN_COUNT.. candidates (never all of them) at the top, or at the bottom if `from_end`."""

    def draw(m, vocab, cands, kind, rng, absent):
        n = len(cands)
        if n <= MIN_COUNT:
            return None
        c = rng.randint(MIN_COUNT, min(n - 1, len(vocab.counts)))
        return (set(range(n - c, n)) if from_end else set(range(c))), {"count": vocab.counts[c - 1]}

    return draw


def _pick_first_n(m, query, cands, vocab):
    out: Set[int] = set()
    for c in range(1, min(len(cands), len(vocab.counts)) + 1):
        if _filled(m, query, vocab, count=vocab.counts[c - 1]):
            out |= set(range(c))
    return out


def _pick_last_n(m, query, cands, vocab):
    n = len(cands)
    out: Set[int] = set()
    for c in range(1, min(n, len(vocab.counts)) + 1):
        if _filled(m, query, vocab, count=vocab.counts[c - 1]):
            out |= set(range(n - c, n))
    return out


# -- pair: two positions ---------------------------------------------------------------------
def _draw_pair(m, vocab, cands, kind, rng, absent):
    i, j = sorted(rng.sample(range(min(len(cands), len(vocab.ordinals))), 2))
    return {i, j}, {"ordinal": vocab.ordinals[i], "ordinal2": vocab.ordinals[j]}


def _pick_pair(m, query, cands, vocab):
    out: Set[int] = set()
    n = min(len(cands), len(vocab.ordinals))
    for i in range(n):
        for j in range(n):
            if i != j and _filled(m, query, vocab, ordinal=vocab.ordinals[i], ordinal2=vocab.ordinals[j]):
                out |= {i, j}
    return out


# -- all, unrelated --------------------------------------------------------------------------
def _draw_all(m, vocab, cands, kind, rng, absent):
    return set(range(len(cands))), {}


def _pick_all(m, query, cands, vocab):
    return set(range(len(cands))) if _filled(m, query, vocab) else set()


def _draw_unrelated(m, vocab, cands, kind, rng, absent):
    return set(), {}


def _pick_unrelated(m, query, cands, vocab):
    return set()


# -- type, type_ordinal: by the candidates' types ----------------------------------------------
def _type_feasible(m, cands, kind):
    k = len(_of_type(m, cands))
    if kind == NONE_KIND:
        return k == 0
    return k >= 2 if m.many else k == 1


def _draw_type(m, vocab, cands, kind, rng, absent):
    of_type = set(_of_type(m, cands))
    if kind == NONE_KIND:
        return (set(), {}) if not of_type else None
    if not of_type or (m.many and len(of_type) < 2) or (not m.many and len(of_type) != 1):
        return None
    return of_type, {}


def _pick_type(m, query, cands, vocab):
    if not _filled(m, query, vocab):
        return set()
    return set(_of_type(m, cands))


def _type_ordinal_feasible(m, cands, kind):
    return kind != NONE_KIND and len(_of_type(m, cands)) >= 2


def _draw_type_ordinal(m, vocab, cands, kind, rng, absent):
    of_type = _of_type(m, cands)
    if len(of_type) < 2:
        return None
    k = rng.randrange(min(len(of_type), len(vocab.ordinals)))
    return {of_type[k]}, {"ordinal": vocab.ordinals[k]}


def _pick_type_ordinal(m, query, cands, vocab):
    of_type = _of_type(m, cands)
    return {i for k, i in enumerate(of_type) if k < len(vocab.ordinals) and _filled(m, query, vocab, ordinal=vocab.ordinals[k])}


# -- property: by the candidates' own fields ----------------------------------------------------
def _draw_property(m, vocab, cands, kind, rng, absent):
    if kind == NONE_KIND:  # describe an entity of the domain's type that is not in the list
        return set(), dict(absent().properties)
    i = rng.randrange(len(cands))
    return {i}, dict(cands[i].properties)


def _pick_property(m, query, cands, vocab):
    """Candidates whose own fields fill the mention to text in the request, plus any other
    candidate whose line contains all the values used (a description is only unambiguous if
    no other candidate shows the same words anywhere)."""
    own = [s for s in slots(m.text) if s not in vocab.statics]
    matched: Set[int] = set()
    used: List[List[str]] = []
    values = dict(vocab.statics)  # and each candidate's own fields, set in turn (not a dict per candidate)
    for i, e in enumerate(cands):
        got = [e.get(s, None) for s in own]
        low = [v.lower() for v in got if v is not None]
        if len(low) < len(got) or any(v not in query for v in low):
            continue  # (a mention filled with a value the request lacks cannot be in it: no fill needed)
        values.update(zip(own, got))
        if occurs(fill(m.text, values).lower(), query):
            matched.add(i)
            used.append(low)
    if not matched:
        return matched
    out = set(matched)
    for j, e in enumerate(cands):
        if j not in out:
            line = e.low_line
            if any(all(occurs(v, line) for v in vals) for vals in used):
                out.add(j)
    return out


# -- property_ordinal: the n-th of the candidates that share a field value ("the second pharmacy") --
SHARED_ORDINALS = 3   # people count up to the third among those sharing a value, not "the fifth gym alarm"


def _own_field(m: Mention, vocab: Vocabulary) -> Optional[str]:
    own = [s for s in slots(m.text) if s not in vocab.statics and s != "ordinal"]
    return own[0] if len(own) == 1 else None


def _groups(key: str, cands: Sequence[Entity]) -> Dict[str, List[int]]:
    """Field value -> the candidates that have it, in list order."""
    out: Dict[str, List[int]] = {}
    for i, e in enumerate(cands):
        v = e.get(key)
        if v:
            out.setdefault(v, []).append(i)
    return out


def _draw_property_ordinal(m, vocab, cands, kind, rng, absent):
    key = _own_field(m, vocab)
    if key is None or kind == NONE_KIND:
        return None
    groups = [g for g in _groups(key, cands).values() if len(g) >= 2]
    if not groups:
        return None
    group = rng.choice(groups)
    k = rng.randrange(min(len(group), len(vocab.ordinals), SHARED_ORDINALS))
    return {group[k]}, {"ordinal": vocab.ordinals[k], key: cands[group[k]].get(key)}


def _pick_property_ordinal(m, query, cands, vocab):
    """The candidate whose rank among those sharing its value is named with that value, plus any candidate
    outside the group whose line shows the value (then the request is ambiguous)."""
    key = _own_field(m, vocab)
    if key is None:
        return set()
    out: Set[int] = set()
    for value, group in _groups(key, cands).items():
        for k, i in enumerate(group[: len(vocab.ordinals)]):
            if _filled(m, query, vocab, ordinal=vocab.ordinals[k], **{key: value}):
                out.add(i)
                low = value.lower()
                out |= {j for j, e in enumerate(cands) if j not in group and occurs(low, e.low_line)}
    return out


# -- earliest, latest: by the time a candidate shows ("the earliest alarm") ---------------------
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*([AaPp])\.?[Mm]\.?\s*$")


@lru_cache(maxsize=4096)
def minutes_of(text: str) -> Optional[int]:
    """Minutes after midnight of a clock time as shown ("7:30 AM" -> 450, "12:05 AM" -> 5), None if not one."""
    m = _CLOCK.match(text or "")
    if not m:
        return None
    hour, minute, half = int(m.group(1)) % 12, int(m.group(2)), m.group(3).lower()
    return (hour + (12 if half == "p" else 0)) * 60 + minute


def _extreme(latest: bool) -> Tuple[Draw, Pick, Feasible]:
    """The candidate with the earliest (or latest) `time`, when every candidate shows one and it is unique."""

    def index(cands: Sequence[Entity]) -> Optional[int]:
        times = [minutes_of(e.get("time")) for e in cands]
        if len(cands) < 2 or any(t is None for t in times):
            return None
        best = max(times) if latest else min(times)  # type: ignore[type-var]
        return times.index(best) if times.count(best) == 1 else None

    def feasible(m, cands, kind):
        return kind != NONE_KIND and index(cands) is not None

    def draw(m, vocab, cands, kind, rng, absent):
        i = index(cands)
        return None if i is None else ({i}, {})

    def pick(m, query, cands, vocab):
        i = index(cands)
        return {i} if i is not None and _filled(m, query, vocab) else set()

    return draw, pick, feasible


# -- ending_in, area_code: by digits of a candidate's phone number ("the one ending in 42") --------
PHONE_FIELDS = ("phone", "number")  # the fields a phone number is in (Person, PhoneNumber)
_DIGIT = re.compile(r"\d")


def _national_digits(e: Entity) -> str:
    """The digits of a candidate's phone number without a +1 country code ("" if it has none)."""
    return _digits_of(next((e.get(f) for f in PHONE_FIELDS if e.get(f)), ""))


@lru_cache(maxsize=8192)
def _digits_of(value: str) -> str:
    digits = "".join(_DIGIT.findall(value))
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def _by_digits(slot: str, part: Callable[[str], str]) -> Tuple[Draw, Pick, Feasible]:
    """A candidate named by a part of its phone number's digits (its last two, its area code): unique in the list."""

    def parts(cands: Sequence[Entity]) -> List[str]:
        out = []
        for e in cands:
            d = _national_digits(e)
            out.append(part(d) if len(d) == 10 else "")
        return out

    def feasible(m, cands, kind):
        ps = parts(cands)
        return kind != NONE_KIND and any(p and ps.count(p) == 1 for p in ps)

    def draw(m, vocab, cands, kind, rng, absent):
        ps = parts(cands)
        ok = [i for i, p in enumerate(ps) if p and ps.count(p) == 1]
        if not ok:
            return None
        i = rng.choice(ok)
        return {i}, {slot: ps[i]}

    def pick(m, query, cands, vocab):
        return {i for i, p in enumerate(parts(cands)) if p and _filled(m, query, vocab, **{slot: p})}

    return draw, pick, feasible


# -- other: the one the description does not fit ("not the pharmacy, the other one") ------------
def _other_feasible(m, cands, kind):
    return kind != NONE_KIND and len(cands) == 2


def _draw_other(m, vocab, cands, kind, rng, absent):
    """In a list of two, the target is the one the description does not fit: it describes the other."""
    if len(cands) != 2:
        return None
    t = rng.randrange(2)
    return {t}, dict(cands[1 - t].properties)


def _pick_other(m, query, cands, vocab):
    described = _pick_property(m, query, cands, vocab)
    return set(range(len(cands))) - described if len(described) == 1 and len(cands) == 2 else set()


RULES: Dict[str, Rule] = {r.name: r for r in (
    Rule("ordinal", ("ordinal",), "positional", _draw_from_top, _by_position(lambda i, n: i + 1)),
    Rule("number", ("number",), "positional", _draw_from_top, _by_position(lambda i, n: i + 1)),
    Rule("from_bottom", ("ordinal",), "positional", _draw_from_bottom, _by_position(lambda i, n: n - i)),
    Rule("last", (), "positional", _draw_last, _pick_last),
    Rule("top", (), "positional", *_fixed(lambda n: 0 if n >= 2 else None)),
    Rule("second_to_last", (), "positional", *_fixed(lambda n: n - 2 if n >= 3 else None)),
    Rule("middle", (), "positional", *_fixed(lambda n: n // 2 if n >= 3 and n % 2 else None)),
    Rule("first_n", ("count",), "positional", _draw_run(from_end=False), _pick_first_n),
    Rule("last_n", ("count",), "positional", _draw_run(from_end=True), _pick_last_n),
    Rule("pair", ("ordinal", "ordinal2"), "positional", _draw_pair, _pick_pair),
    Rule("all", (), "positional", _draw_all, _pick_all),
    Rule("unrelated", (), "positional", _draw_unrelated, _pick_unrelated),
    Rule("type", (), "type", _draw_type, _pick_type, _type_feasible),
    Rule("type_ordinal", ("ordinal",), "positional", _draw_type_ordinal, _pick_type_ordinal, _type_ordinal_feasible),
    Rule("property", (), "descriptive", _draw_property, _pick_property, entity_fields=True),
    Rule("other", (), "descriptive", _draw_other, _pick_other, _other_feasible, entity_fields=True),
    Rule("earliest", (), "descriptive", *_extreme(latest=False)),
    Rule("latest", (), "descriptive", *_extreme(latest=True)),
    Rule("ending_in", ("last_digits",), "descriptive", *_by_digits("last_digits", lambda d: d[-2:])),
    Rule("area_code", ("area_code",), "descriptive", *_by_digits("area_code", lambda d: d[:3])),
    Rule("property_ordinal", ("ordinal",), "positional", _draw_property_ordinal, _pick_property_ordinal,
         lambda m, cands, kind: kind != NONE_KIND and len(cands) >= 3, entity_fields=True, shares=True),
)}


def resolve(mention: Mention, query: str, candidates: Sequence[Entity], vocab: Vocabulary) -> Set[int]:
    """Indices (0-based, in list order) of the candidates that `query` picks through `mention`."""
    return RULES[mention.select].pick(mention, query.lower(), candidates, vocab)
