"""How a request is put together from an opener, an action and a closer, so that the pieces fit.

    query = compose(body, grammar, rng)      # body: the action with its mention filled in

A body that starts with a question word ("how late is ...", "what's the number of ...") is a
question: it takes a question opener ("", "hey, ", "so ") and no closer. Any other body is an
imperative and takes an opener and a closer such that:

- no word is said twice across opener, body and closer ("please ... please", "now ... now", "go
  ahead and go with"; small words such as "the" and "to" aside), and at most one of them says when
  ("now ... when you get a chance");
- a first-person opener ("I want to", "I need to", "let's") never comes before a body that has "me"
  in it ("I want to take me to ...", "let's give me ...") or starts with what the assistant does
  ("let's show it on the map");
- " for me" never closes a body with "me" in it, nor one after a first-person opener ("give me the
  number for me", "I'd like to call them for me");
- a body that says when already ("skip it tomorrow") takes no opener or closer that says when;
- an opener and closer listed as clashing are never said together ("can you please ... if that's
  okay"); an action starting with a listed verb never takes the opener or closer listed against it
  ("play it when you get a chance", "remind me about it now") and only takes its listed openers if
  it has some ("let's go with the dentist", not "would you go with the dentist").

`allowed(body, grammar)` lists every sentence the grammar can make of a body (the test of
`compose`); `Action` is an action that only fits some targets or mentions.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import AbstractSet, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from datagen.errors import UserError
from datagen.templates import load_yaml, require

GRAMMAR_FILE = "grammar.yaml"

_WORD = re.compile(r"[a-z']+")
FOR_ME = " for me"
# words a request may repeat ("the", "to"); any other word of the opener or closer is not said again
SMALL_WORDS = frozenset("a an the to of on in at for with and from by my me one it this that".split())


@dataclass(frozen=True)
class Grammar:
    """The openers and closers of requests and the rules that pair them (grammar.yaml)."""

    openers: Tuple[str, ...]
    first_person: Tuple[str, ...]  # openers that make the user the subject ("I want to ")
    closers: Tuple[str, ...]
    question_words: Tuple[str, ...]
    question_openers: Tuple[str, ...]
    timing: Tuple[str, ...] = ()  # openers and closers that say when ("now ", " right away"): one at most
    says_when: Tuple[str, ...] = ()  # words of a body that say when already: no timing opener or closer then
    avoid: Tuple[str, ...] = ()  # phrases no request may contain ("would you like ...": an offer, not a request)
    assistant_verbs: Tuple[str, ...] = ()  # first words of actions the assistant does: no first-person opener
    clashes: FrozenSet[Tuple[str, str]] = frozenset()  # (opener, closer) never said together
    not_with_verbs: FrozenSet[Tuple[str, str]] = frozenset()  # (opener or closer, first word of an action) never together
    only_openers: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # first word of an action -> the openers it takes
    # allowed (opener, closer) pairs per action, filled as actions are used (not part of the grammar's identity)
    _pairs: Dict[object, Tuple[Tuple[str, str], ...]] = field(default_factory=dict, compare=False, hash=False, repr=False)
    # words of a mention that can rule out an opener or closer: theirs (small words aside), "me", those that say when
    risky: frozenset = field(init=False, compare=False, hash=False, repr=False)
    # says_when and only_openers as a set and a dict, for lookups
    _says_when: frozenset = field(init=False, compare=False, hash=False, repr=False)
    _only_openers: Dict[str, Tuple[str, ...]] = field(init=False, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        pieces: set = set()
        for text in self.openers + self.closers:
            pieces |= _words(text)
        object.__setattr__(self, "risky", frozenset((pieces - SMALL_WORDS) | {"me"} | set(self.says_when)))
        object.__setattr__(self, "_says_when", frozenset(self.says_when))
        object.__setattr__(self, "_only_openers", dict(self.only_openers))


@dataclass(frozen=True)
class Action:
    """What the user asks to do with the mention ({ref}); `when`: a field of every target must be one of
    these values ("book a table at" a cafe or pizzeria); `avoid`: slots a mention must not use ("who made
    {ref}" is not asked of "the one by {artist}")."""

    text: str
    when: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    avoid: Tuple[str, ...] = ()
    one: bool = False  # said of one thing only ("how late is {ref} open": not "is all of them")
    words: frozenset = field(init=False, repr=False, compare=False)  # its words but {ref} and small words

    def __post_init__(self) -> None:
        own = _words(self.text.replace("{ref}", " ")) - SMALL_WORDS
        singular = {w[:-1] for w in own if w.endswith("s") and len(w) > 3}  # "add the contact to my contacts"
        object.__setattr__(self, "words", frozenset(own | singular))

    def fits(self, mention_slots: Sequence[str], targets: Sequence[Mapping[str, str]], mention: str = "",
             mention_words: Optional[AbstractSet[str]] = None) -> bool:
        """Whether the action can be said of these targets through a mention with these slots and words
        (`mention_words`: the mention's words, when the caller has them already)."""
        if self.one and len(targets) > 1:
            return False
        if self.avoid and any(s in self.avoid for s in mention_slots):
            return False
        if not self.words.isdisjoint(_words(mention) if mention_words is None else mention_words):
            return False  # a word twice: "email the email address", "track the tracking number"
        if not self.when:
            return True
        if not targets:
            return False  # a request about nothing says nothing that needs a kind of target
        return all(t.get(k, "").lower() in values for t in targets for k, values in self.when.items())


_PUNCTUATION = str.maketrans({c: " " for c in ",.;:!?()[]\"/-"})


def words_of(text: str) -> set:
    """The lower-cased words of a text, split at spaces, punctuation and hyphens ("dial-in": dial, in;
    apostrophes stay: "smith's"); cheaper than _words, for the mention of every request."""
    return set(text.lower().translate(_PUNCTUATION).split())


@lru_cache(maxsize=8192)
def _words(text: str) -> frozenset:
    return frozenset(_WORD.findall(text.lower()))


@lru_cache(maxsize=4096)
def _template_words(template: str) -> frozenset:
    """The words of an action with its {ref} left out (cached: actions are few)."""
    return frozenset(_words(template.replace("{ref}", " ")))


def is_question(body: str, grammar: Grammar) -> bool:
    return body.split(" ", 1)[0].lower() in grammar.question_words


def _fits(opener: str, body: str, closer: str, grammar: Grammar) -> bool:
    words = _words(body)
    me = "me" in words
    first_person = opener in grammar.first_person
    if first_person and (me or body.split(" ", 1)[0].lower() in grammar.assistant_verbs):
        return False  # "I want to take me to", "let's show it on the map"
    if closer == FOR_ME and (me or first_person):
        return False
    if opener in grammar.timing and closer in grammar.timing:
        return False  # one "when" at most ("now ... when you get a chance")
    if (opener in grammar.timing or closer in grammar.timing) and not grammar._says_when.isdisjoint(words):
        return False  # "skip it tomorrow now"
    said = words - SMALL_WORDS
    if grammar.avoid and any(p in f"{opener}{body}{closer}".lower() for p in grammar.avoid):
        return False
    if (opener, closer) in grammar.clashes:
        return False
    verb = body.split(" ", 1)[0].lower()
    if (opener, verb) in grammar.not_with_verbs or (closer, verb) in grammar.not_with_verbs:
        return False
    only = grammar._only_openers.get(verb)
    if only is not None and opener not in only:
        return False
    return not (_words(opener) & _words(closer)) and not ((_words(opener) | _words(closer)) & said)


def allowed(body: str, grammar: Grammar) -> List[Tuple[str, str]]:
    """Every (opener, closer) the grammar allows around a body, in the grammar's order (with repeats as weights)."""
    if is_question(body, grammar):
        return [(o, "") for o in grammar.question_openers]
    return [(o, c) for o in grammar.openers for c in grammar.closers if _fits(o, body, c, grammar)]


def _template_pairs(template: str, grammar: Grammar) -> Tuple[Tuple[str, str], ...]:
    """allowed() of an action with its {ref} left out (kept on the grammar: the same for every mention but
    for the mention's own words, which `compose` checks)."""
    pairs = grammar._pairs.get(template)
    if pairs is None:
        pairs = grammar._pairs[template] = tuple(allowed(template.replace("{ref}", " "), grammar))
    return pairs


def compose(body: str, grammar: Grammar, rng: random.Random, template: str = "",
            ref_words: Optional[AbstractSet[str]] = None) -> str:
    """A request of the body: an allowed opener and closer around it, first letter capitalised. With the
    action's `template` ("call {ref}"), the pairs allowed around the action are cached and only checked
    against the mention's own words (`ref_words`, when the caller has them): the same sentences as
    allowed(body), faster."""
    if template:
        ref = ref_words if ref_words is not None else _words(body) - _template_words(template)
        if grammar.risky.isdisjoint(ref):  # (most mentions)
            hits: frozenset = frozenset()
            key: object = template
        else:  # the mention's words that can rule out an opener or closer
            hits = grammar.risky.intersection(ref)
            key = (template, hits)
        pairs = grammar._pairs.get(key)
        if pairs is None:
            pairs = grammar._pairs[key] = tuple(p for p in _template_pairs(template, grammar)
                                               if not hits or _fits_ref(p[0], p[1], set(hits), grammar))
    else:
        pairs = allowed(body, grammar)
    opener, closer = rng.choice(pairs)
    text = f"{opener}{body}{closer}".strip()
    return text[:1].upper() + text[1:]


def _fits_ref(opener: str, closer: str, ref: set, grammar: Grammar) -> bool:
    """The rules of _fits that the mention's own words can break."""
    if "me" in ref and (opener in grammar.first_person or closer == FOR_ME):
        return False
    if (opener in grammar.timing or closer in grammar.timing) and not grammar._says_when.isdisjoint(ref):
        return False
    return not ((_words(opener) | _words(closer)) & (ref - SMALL_WORDS))


def load(folder: Path) -> Grammar:
    """The grammar of a templates folder (grammar.yaml), checked."""
    return load_grammar(load_yaml(folder, GRAMMAR_FILE), str(folder / GRAMMAR_FILE))


def load_grammar(raw: Mapping[str, object], where: str) -> Grammar:
    """A grammar's keys (grammar.yaml), checked."""
    strings = lambda key: tuple(str(x) for x in require(raw, key, list, where))  # noqa: E731
    grammar = Grammar(strings("openers"), strings("first_person"), strings("closers"),
                      tuple(w.lower() for w in strings("question_words")), strings("question_openers"),
                      strings("timing"), tuple(str(w).lower() for w in raw.get("says_when") or ()),
                      tuple(str(p).lower() for p in raw.get("avoid") or ()),
                      tuple(str(w).lower() for w in raw.get("assistant_verbs") or ()),
                      frozenset((str(o), str(c)) for os_, cs in raw.get("clashes") or () for o in os_ for c in cs),
                      frozenset((str(p), str(v).lower()) for p, vs in (raw.get("not_with_verbs") or {}).items()
                                for v in vs),
                      tuple((str(v).lower(), tuple(str(o) for o in os_))
                            for v, os_ in (raw.get("only_openers") or {}).items()))
    stray = [o for o in grammar.first_person if o not in grammar.openers]
    stray += [t for t in grammar.timing if t not in grammar.openers + grammar.closers]
    stray += [p for pair in sorted(grammar.clashes) for p in pair if p not in grammar.openers + grammar.closers]
    stray += [p for p, _ in sorted(grammar.not_with_verbs) if p not in grammar.openers + grammar.closers]
    stray += [o for _, os_ in grammar.only_openers for o in os_ if o not in grammar.openers]
    if stray:
        raise UserError(f"{where}: {stray[0]!r} (first_person, timing, clashes, not_with_verbs, only_openers) is not one "
                        "of the openers or closers")
    return grammar


def load_action(raw: object, where: str) -> Action:
    """An action: a text with {ref}, or {text, when: {field: [values]}, avoid: [slots], one: true}."""
    if isinstance(raw, str):
        return Action(raw)
    if not isinstance(raw, dict) or "text" not in raw or not set(raw) <= {"text", "when", "avoid", "one"}:
        raise UserError(f"{where}: expected a text or {{text, when, avoid, one}}, got {raw!r}"[:300])
    when: Dict[str, Tuple[str, ...]] = {str(k): tuple(str(v).lower() for v in vs)
                                        for k, vs in (raw.get("when") or {}).items()}
    return Action(str(raw["text"]), when, tuple(str(s) for s in raw.get("avoid") or ()), bool(raw.get("one", False)))
