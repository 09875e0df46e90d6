"""Which candidates a mention picks: the check that keeps every request unambiguous.

A mention is a small template ("the {ordinal} one from the bottom", "the one on
{street_name}") with a `select` rule. `resolve` reads the request text and the candidate
list as shown (positions are list positions, 1-based) and returns the set of candidates the
request fits, independently of how the request was generated: a generator emits a request
only when this set equals its intended targets, and `check_row` re-runs it on written rows.

Matching is on whole words, case-insensitive: a filled mention "occurs" in the request when
it is found with no letter or digit directly before or after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from datagen.entities import Entity
from datagen.templates import fill, slots


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


def _values(entity: Entity, vocab: Vocabulary) -> Dict[str, str]:
    values = dict(vocab.statics)
    values.update(entity.properties)
    return values


def _filled(m: Mention, query: str, vocab: Vocabulary, **values: str) -> bool:
    merged = dict(vocab.statics)
    merged.update(values)
    return occurs(fill(m.text, merged).lower(), query)


def _by_position(positions: Callable[[int, int], int]) -> Callable:
    """Rule: candidate i (0-based) of n fits when its ordinal, counted by `positions`, is named."""

    def rule(m: Mention, query: str, cands: Sequence[Entity], vocab: Vocabulary) -> Set[int]:
        n = len(cands)
        out = set()
        for i in range(n):
            p = positions(i, n)
            if p <= len(vocab.ordinals) and _filled(m, query, vocab, ordinal=vocab.ordinals[p - 1], number=str(p)):
                out.add(i)
        return out

    return rule


def _last(m, query, cands, vocab):
    return {len(cands) - 1} if cands and _filled(m, query, vocab) else set()


def _first_n(m, query, cands, vocab):
    out: Set[int] = set()
    for c in range(1, min(len(cands), len(vocab.counts)) + 1):
        if _filled(m, query, vocab, count=vocab.counts[c - 1]):
            out |= set(range(c))
    return out


def _last_n(m, query, cands, vocab):
    n = len(cands)
    out: Set[int] = set()
    for c in range(1, min(n, len(vocab.counts)) + 1):
        if _filled(m, query, vocab, count=vocab.counts[c - 1]):
            out |= set(range(n - c, n))
    return out


def _pair(m, query, cands, vocab):
    out: Set[int] = set()
    n = min(len(cands), len(vocab.ordinals))
    for i in range(n):
        for j in range(n):
            if i != j and _filled(m, query, vocab, ordinal=vocab.ordinals[i], ordinal2=vocab.ordinals[j]):
                out |= {i, j}
    return out


def _all(m, query, cands, vocab):
    return set(range(len(cands))) if _filled(m, query, vocab) else set()


def _unrelated(m, query, cands, vocab):
    return set()


def _type(m, query, cands, vocab):
    if not _filled(m, query, vocab):
        return set()
    return {i for i, e in enumerate(cands) if e.type in m.types}


def _type_ordinal(m, query, cands, vocab):
    of_type = [i for i, e in enumerate(cands) if e.type in m.types]
    return {i for k, i in enumerate(of_type) if k < len(vocab.ordinals) and _filled(m, query, vocab, ordinal=vocab.ordinals[k])}


def _property(m, query, cands, vocab):
    """Candidates whose own fields fill the mention to text in the request, plus any other
    candidate whose line contains all the values used (a description is only unambiguous if
    no other candidate shows the same words anywhere)."""
    own = [s for s in slots(m.text) if s not in vocab.statics]
    matched: Set[int] = set()
    used: List[List[str]] = []
    for i, e in enumerate(cands):
        values = _values(e, vocab)
        if any(s not in values for s in own):
            continue
        if occurs(fill(m.text, values).lower(), query):
            matched.add(i)
            used.append([values[s].lower() for s in own])
    if not matched:
        return matched
    out = set(matched)
    for j, e in enumerate(cands):
        if j not in out:
            line = e.line.lower()
            if any(all(occurs(v, line) for v in vals) for vals in used):
                out.add(j)
    return out


SELECT: Dict[str, Callable[[Mention, str, Sequence[Entity], Vocabulary], Set[int]]] = {
    "ordinal": _by_position(lambda i, n: i + 1),
    "number": _by_position(lambda i, n: i + 1),
    "from_bottom": _by_position(lambda i, n: n - i),
    "last": _last,
    "first_n": _first_n,
    "last_n": _last_n,
    "pair": _pair,
    "all": _all,
    "unrelated": _unrelated,
    "type": _type,
    "type_ordinal": _type_ordinal,
    "property": _property,
}
# slots each rule fills itself (besides the vocabulary's statics and, for property, entity fields)
RULE_SLOTS: Dict[str, Tuple[str, ...]] = {
    "ordinal": ("ordinal",), "number": ("number",), "from_bottom": ("ordinal",), "first_n": ("count",),
    "last_n": ("count",), "pair": ("ordinal", "ordinal2"), "type_ordinal": ("ordinal",),
}


def resolve(mention: Mention, query: str, candidates: Sequence[Entity], vocab: Vocabulary) -> Set[int]:
    """Indices (0-based, in list order) of the candidates that `query` picks through `mention`."""
    return SELECT[mention.select](mention, query.lower(), candidates, vocab)


def list_order(entities: Sequence[Entity]) -> Optional[List[int]]:
    """Shown indices sorted by their `list_position` property (None if they carry none)."""
    keyed = []
    for i, e in enumerate(entities):
        p = e.get("list_position")
        if not p:
            return None
        keyed.append((int(p), i))
    return [i for _, i in sorted(keyed)]
