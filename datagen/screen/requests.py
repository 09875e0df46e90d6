"""Requests about the entities on a screen, checked against the candidates' types, labels and positions.

A candidate is what a request can pick: its type, the label shown next to it and its box.
Each kind of reference ("sub-kind": type, multi, label, ...) is one `SubKind` record in `SUB_KINDS`:
its reference label, the slots its mentions may use, how it draws its parameters and its `pick`
rule, which returns the set of candidates that fit, from geometry and labels alone. Each kind the
mix draws (type, label, spatial, multi, none) is one `RequestKind` record in `REQUEST_KINDS`: which
entity types it can be about on a screen and how it chooses among its sub-kinds. A request is
emitted only when the picked set is exactly the intended targets.

Adding a kind of screen request is one `SubKind` record (its `drawn_as` names the `RequestKind`
that draws it) plus its mention texts in templates/screen_requests.yaml. A new kind for the mix
to draw is also a `RequestKind` record and a share in the config's screen.mix.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field, make_dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from datagen.errors import UserError
from datagen.grammar import Action, Grammar, compose, load_action, words_of
from datagen.grammar import load as load_grammar
from datagen.screen.model import Box
from datagen.settings import SHARE, Shares, setting
from datagen.templates import check_slots, fill, load_yaml, require

REQUESTS_FILE = "screen_requests.yaml"
ROW_TOLERANCE = 0.5  # candidates whose centres differ by less than this x their height are on one row
BARE_LABEL_SHARE = 0.5  # of label requests on a type with bare_label: true, the share that say the label alone
MIN_SEVERAL = 2  # candidates of a type needed for "these numbers" and for top/bottom/n-th


@dataclass(frozen=True)
class Candidate:
    """What a request can pick: an entity's type, the label shown next to it and its box."""

    type: str
    label: str
    box: Box


@dataclass(frozen=True)
class Drawn:
    """A request and what it refers to: the rule (sub-kind) and its parameters, for re-checking."""

    query: str
    targets: frozenset
    template: str
    reference: str
    sub: str
    type: str
    label: str = ""
    ordinal: int = 0


@dataclass
class RequestTemplates:
    """The texts of screen_requests.yaml: ordinal words, per-type nouns and verbs, stopwords, prefixes, mentions."""

    ordinals: List[str]
    types: Dict[str, dict]
    stopwords: Set[str]
    grammar: Grammar  # openers and closers (grammar.yaml)
    mentions: Dict[str, List[str]]
    verbs: Dict[Tuple[str, bool], List[Action]] = field(default_factory=dict)  # (type, bare label) -> verbs
    label_verbs: Dict[str, List[Action]] = field(default_factory=dict)  # label (lower case) -> its only verbs
    bare_labels: Set[str] = field(default_factory=set)  # labels said alone ("call sales")


@dataclass(frozen=True)
class Params:
    """A sub-kind's parameters: the label it names, the index it counts to (None: it counts nothing)."""

    label: str = ""
    ordinal: Optional[int] = None


def _descriptive(label: str, templates: RequestTemplates) -> bool:
    """True if a label describes its entity (is not empty and not a stopword such as "phone")."""
    return bool(label) and label.lower() not in templates.stopwords


def _top_down(cands: Sequence[Candidate], type_: str) -> List[int]:
    """The indices of the type's candidates by centre top to bottom, ties left to right."""
    return sorted((i for i, c in enumerate(cands) if c.type == type_), key=lambda i: (cands[i].box.cy, cands[i].box.x0))


def _distinct_rows(cands: Sequence[Candidate], order: List[int]) -> bool:
    """True if no two of these candidates share a row (so top-down order is unambiguous)."""
    for a, b in zip(order, order[1:]):
        ha = max(cands[a].box.height, cands[b].box.height, 1.0)
        if abs(cands[b].box.cy - cands[a].box.cy) < ROW_TOLERANCE * ha:
            return False
    return True


def _rows(cands: Sequence[Candidate], type_: str) -> Optional[List[int]]:
    """The type's candidates top-down, or None when fewer than two or two share a row."""
    of_type = _top_down(cands, type_)
    if len(of_type) < MIN_SEVERAL or not _distinct_rows(cands, of_type):
        return None
    return of_type


# --- pick rules: (candidates, type, label, ordinal) -> the candidates picked, None if ambiguous ---

Pick = Callable[[Sequence[Candidate], str, str, int], Optional[Set[int]]]


def _pick_single(cands: Sequence[Candidate], type_: str, label: str, ordinal: int) -> Optional[Set[int]]:
    """The one candidate of the type, or none of them; None if there are several."""
    of_type = _top_down(cands, type_)
    return set(of_type) if len(of_type) <= 1 else None


def _pick_all(cands: Sequence[Candidate], type_: str, label: str, ordinal: int) -> Optional[Set[int]]:
    """Every candidate of the type, when there are at least two."""
    of_type = _top_down(cands, type_)
    return set(of_type) if len(of_type) >= MIN_SEVERAL else None


def _labelled(any_type: bool) -> Pick:
    """The rule picking the one candidate shown with the label: of the type, or of any type if `any_type`."""
    def pick(cands: Sequence[Candidate], type_: str, label: str, ordinal: int) -> Optional[Set[int]]:
        hits = {i for i, c in enumerate(cands) if c.label.lower() == label.lower() and (any_type or c.type == type_)}
        return hits if len(hits) == 1 else None
    return pick


def _pick_bottom(cands: Sequence[Candidate], type_: str, label: str, ordinal: int) -> Optional[Set[int]]:
    """The lowest candidate of the type."""
    rows = _rows(cands, type_)
    return None if rows is None else {rows[-1]}


def _pick_top(cands: Sequence[Candidate], type_: str, label: str, ordinal: int) -> Optional[Set[int]]:
    """The highest candidate of the type."""
    rows = _rows(cands, type_)
    return None if rows is None else {rows[0]}


def _pick_ordinal(cands: Sequence[Candidate], type_: str, label: str, ordinal: int) -> Optional[Set[int]]:
    """The ordinal-th candidate of the type, counting from the top."""
    rows = _rows(cands, type_)
    return {rows[ordinal]} if rows is not None and ordinal < len(rows) else None


# --- parameter draws: (templates, candidates, type, rng) -> Params, None if the screen has none ---

def _no_params(templates: RequestTemplates, cands: Sequence[Candidate], type_: str,
               rng: random.Random) -> Optional[Params]:
    """No parameters, no draw."""
    return Params()


def _draw_label(templates: RequestTemplates, cands: Sequence[Candidate], type_: str,
                rng: random.Random) -> Optional[Params]:
    """One of the descriptive labels shown with the type's candidates."""
    labels = [c.label for c in cands if c.type == type_ and _descriptive(c.label, templates)]
    if not labels:
        return None
    return Params(label=rng.choice(labels))


def _draw_ordinal(templates: RequestTemplates, cands: Sequence[Candidate], type_: str,
                  rng: random.Random) -> Optional[Params]:
    """A position among the type's candidates that the templates have an ordinal word for."""
    n = len(_top_down(cands, type_))
    if n < MIN_SEVERAL:
        return None
    return Params(ordinal=rng.randrange(min(n, len(templates.ordinals))))


@dataclass(frozen=True)
class SubKind:
    """One kind of reference: its label in the data, its mention slots, its parameters and its rule."""

    name: str
    drawn_as: str  # the RequestKind that draws it
    reference: str  # the reference kind the example is labelled with
    slots: Tuple[str, ...]  # slots its mention texts may use
    pick: Pick
    params: Callable[[RequestTemplates, Sequence[Candidate], str, random.Random], Optional[Params]] = _no_params


# Order matters: it is the order of the load error's list, and of the choice among a kind's sub-kinds.
SUB_KINDS: Tuple[SubKind, ...] = (
    SubKind("type", "type", "type", ("noun",), _pick_single),
    SubKind("multi", "multi", "multi", ("nouns",), _pick_all),
    SubKind("label", "label", "descriptive", ("noun", "label"), _labelled(any_type=False), _draw_label),
    SubKind("bare_label", "label", "descriptive", ("label",), _labelled(any_type=True), _draw_label),
    SubKind("bottom", "spatial", "spatial", ("noun",), _pick_bottom),
    SubKind("top", "spatial", "spatial", ("noun",), _pick_top),
    SubKind("ordinal", "spatial", "positional", ("noun", "ordinal"), _pick_ordinal, _draw_ordinal),
    SubKind("none", "none", "none", ("noun",), _pick_single),
)
SUBS: Dict[str, SubKind] = {s.name: s for s in SUB_KINDS}


@dataclass(frozen=True)
class Tally:
    """What feasibility tests read off a screen."""

    count: Counter  # candidates per entity type the templates know
    labelled: Set[str]  # types with at least one descriptive label
    absent: Sequence[str]  # known types no candidate has


def _present(test: Callable[[Tally, str], bool]) -> Callable[[Tally], List[str]]:
    """The known types on the screen that pass the test, sorted."""
    return lambda tally: sorted(type_ for type_ in tally.count if test(tally, type_))


def _absent(tally: Tally) -> List[str]:
    """The types no candidate has, in the caller's order."""
    return list(tally.absent)


def _only(templates: RequestTemplates, type_: str, subs: Sequence[str], rng: random.Random) -> str:
    """The kind's one sub-kind, no draw."""
    (sub,) = subs
    return sub


def _uniform(templates: RequestTemplates, type_: str, subs: Sequence[str], rng: random.Random) -> str:
    """Any of the kind's sub-kinds, equally likely."""
    return rng.choice(list(subs))


def _label_or_bare(templates: RequestTemplates, type_: str, subs: Sequence[str], rng: random.Random) -> str:
    """The label alone for some requests on types that allow it (bare_label: true), else label with noun."""
    allowed = templates.types[type_].get("bare_label")
    return "bare_label" if allowed and rng.random() < BARE_LABEL_SHARE else "label"


@dataclass(frozen=True)
class RequestKind:
    """A kind the mix draws: the types it can be about on a screen and how it picks its sub-kind."""

    name: str
    share: float  # default share of requests of this kind (screen.mix.<name>)
    example: str  # what such a request says (the help of its screen.mix key)
    types: Callable[[Tally], List[str]]  # candidates for the request's type, in the order drawn from
    choose: Callable[[RequestTemplates, str, Sequence[str], random.Random], str]  # (.., type, its sub-kinds, rng)
    refers: bool = True  # False: about an absent type, so it must pick nothing

    @property
    def subs(self) -> Tuple[str, ...]:
        """Its sub-kinds, in SUB_KINDS order."""
        return tuple(s.name for s in SUB_KINDS if s.drawn_as == self.name)


REQUEST_KINDS: Tuple[RequestKind, ...] = (
    RequestKind("type", 0.25, '"call this number"', _present(lambda tally, type_: tally.count[type_] == 1), _only),
    RequestKind("label", 0.25, '"email support", "call the sales line"',
                _present(lambda tally, type_: type_ in tally.labelled), _label_or_bare),
    RequestKind("spatial", 0.2, '"the number at the bottom", "the second address"',
                _present(lambda tally, type_: tally.count[type_] >= MIN_SEVERAL), _uniform),
    RequestKind("multi", 0.15, '"save these numbers"',
                _present(lambda tally, type_: tally.count[type_] >= MIN_SEVERAL), _only),
    RequestKind("none", 0.15, "nothing on the screen fits", _absent, _only, refers=False),
)
KINDS = tuple(k.name for k in REQUEST_KINDS)
KIND: Dict[str, RequestKind] = {k.name: k for k in REQUEST_KINDS}
# screen.mix: one share per kind, made from the records (a new kind is one record, its share included)
ScreenMix = make_dataclass("ScreenMix", [(k.name, float, setting(k.share, k.example, SHARE)) for k in REQUEST_KINDS],
                           bases=(Shares,))
ScreenMix.__doc__ = "Share of screen requests per kind of reference (REQUEST_KINDS); must sum to 1."
REFERENCE = {s.name: s.reference for s in SUB_KINDS}


def load(folder: Path) -> RequestTemplates:
    """The request templates in a folder, every mention checked against its sub-kind's slots."""
    path = folder / REQUESTS_FILE
    data = load_yaml(folder, REQUESTS_FILE)
    types = require(data, "types", dict, str(path))
    verbs: Dict[Tuple[str, bool], List[Action]] = {}
    for name, spec in types.items():
        for key, bare in (("verbs", False), ("bare_verbs", True)):
            texts = require(spec, key, list, f"{path}: types.{name}") if key == "verbs" or spec.get("bare_label") \
                else []
            actions = [load_action(v, f"{path}: types.{name}.{key}") for v in texts]
            for a in actions:
                check_slots(a.text, ["ref"], f"{path}: types.{name}.{key}")
            verbs[(name, bare)] = actions
    mentions = {k: [str(x) for x in v] for k, v in require(data, "mentions", dict, str(path)).items()}
    for sub, texts in mentions.items():
        if sub not in SUBS:
            raise UserError(f"{path}: mentions.{sub}: unknown kind (known: {', '.join(SUBS)})")
        for text in texts:
            check_slots(text, SUBS[sub].slots, f"{path}: mentions.{sub}")
    label_verbs = {str(k).lower(): [Action(str(v)) for v in vs] for k, vs in (data.get("label_verbs") or {}).items()}
    for label, vs in label_verbs.items():
        for v in vs:
            check_slots(v.text, ["ref"], f"{path}: label_verbs.{label}")
    return RequestTemplates([str(o) for o in data.get("ordinals") or []], types,
                            {str(w).lower() for w in data.get("label_stopwords") or []},
                            load_grammar(folder), mentions, verbs, label_verbs,
                            {str(w).lower() for w in data.get("bare_labels") or []})


def select(sub: str, cands: Sequence[Candidate], type_: str, label: str = "", ordinal: int = 0) -> Optional[Set[int]]:
    """The candidates a reference picks; None when the reference would be ambiguous on this screen."""
    if sub not in SUBS:
        raise ValueError(f"unknown sub-kind {sub!r} (known: {', '.join(SUBS)})")
    return SUBS[sub].pick(cands, type_, label, ordinal)


def _tally(templates: RequestTemplates, cands: Sequence[Candidate], absent_types: Sequence[str]) -> Tally:
    """Counts, labelled types and absent types of a screen, for the feasibility tests."""
    return Tally(Counter(c.type for c in cands if c.type in templates.types),
                 {c.type for c in cands if _descriptive(c.label, templates)}, absent_types)


def draw(templates: RequestTemplates, kind: str, cands: Sequence[Candidate], rng: random.Random,
         absent_types: Sequence[str]) -> Optional[Drawn]:
    """One request of a kind on these candidates, or None when this screen does not allow it."""
    request_kind = KIND[kind]
    types = request_kind.types(_tally(templates, cands, absent_types))
    if not types:
        return None
    type_ = rng.choice(types)
    sub = SUBS[request_kind.choose(templates, type_, request_kind.subs, rng)]
    params = sub.params(templates, cands, type_, rng)
    if params is None:
        return None
    ordinal = params.ordinal or 0
    targets = select(sub.name, cands, type_, params.label, ordinal)
    if targets is None or request_kind.refers != bool(targets):
        return None
    spec = templates.types[type_]
    texts = templates.mentions[sub.name]
    label = params.label.lower()
    if sub.name == "bare_label" and label not in templates.bare_labels:
        return None  # "call sales", but not "call cell" or "write to press"
    # "the number for sales", but a label that is not a department goes before the noun: "the cell number",
    # "the press email address" (not "the number for cell", "the email address for organizer")
    fits = [k for k, t in enumerate(texts) if not ("for {label}" in t and label not in templates.bare_labels)]
    if not fits:
        return None
    mention_index = rng.choice(fits)
    values = {"noun": spec["noun"], "nouns": spec["nouns"], "label": params.label.lower()}
    if params.ordinal is not None:
        values["ordinal"] = templates.ordinals[params.ordinal]
    ref = fill(texts[mention_index], values)
    ref_words = words_of(ref)
    # a verb that fits the mention (not "email the email address"); the label alone only with its own verbs
    bare = sub.name == "bare_label"
    own = templates.label_verbs.get(params.label.lower()) if params.label else None
    if own is not None and bare:
        return None  # "call fax": a label that limits the verbs is not said alone
    # ... and every target's label that limits the verbs, however the request names it: "call the third number"
    # is not said of a fax number, nor "text all the numbers" of a page that lists one
    limits = [{v.text for v in templates.label_verbs[c.label.lower()]} for c in (cands[k] for k in targets)
              if c.label.lower() in templates.label_verbs]
    verbs = [v for v in (own or templates.verbs[(type_, bare)])
             if v.fits((), [{}] * len(targets), mention_words=ref_words)  # "call" one number, not "all the numbers"
             and all(v.text in limit for limit in limits)]
    if not verbs:
        return None
    verb = rng.choice(verbs).text
    query = compose(fill(verb, {"ref": ref}), templates.grammar, rng, verb, ref_words)
    template = f"screen/{sub.name}/{mention_index}/{type_}"
    return Drawn(query, frozenset(targets), template, sub.reference, sub.name, type_, params.label, ordinal)
