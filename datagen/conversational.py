"""Conversational (and unseen) subset: a shown list of entities and a request that picks from it.

Per item: draw the kind of reference from `conversational.mix`, a domain that allows it, a
list of 2..10 entities, a mention, and the intended targets and slot values its rule draws
(`datagen.rules.RULES`); fill the request and keep it only if `resolve` (reading the text
back against the list) gives exactly the targets.
A draw that fails is drawn again, up to `max_redraws` times; then the item is skipped and
counted. Positions are list positions, written into each entity as `list_position`.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

from datagen.entities import Entity, Pools
from datagen.errors import UserError
from datagen.example import Example, reference_kind
from datagen.generator import ItemResult
from datagen.grammar import Action, Grammar, compose, load_action, words_of
from datagen.grammar import load as load_grammar_file
from datagen.rules import RULES, Mention, Vocabulary, resolve
from datagen.seeding import rng as make_rng
from datagen.templates import _slots, check_slots, fill, load_yaml, require, slots

if TYPE_CHECKING:
    from datagen.config import ConversationalConfig

TEMPLATES_FILE = "conversational.yaml"
STATIC_SLOTS = ("noun", "nouns")  # slots a domain fills with its own words
# which menus of a domain serve each kind of reference; the first list is for single-type
# domains, the second for the mixed domain
MENUS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    "positional": (("positional",), ("by_type_position",)),
    "descriptive": (("describe",), ()),
    "type": ((), ("by_type",)),
    "multi": (("multi", "describe_many"), ("by_type_many", "multi")),
    # a request about something absent: a description no candidate fits, a type not in the list
    "none": (("describe",), ("by_type",)),
}
TRIES_PER_LIST = 5  # requests tried on one list before the list itself is drawn again
ACTION_DRAWS = 6  # mentions or actions drawn at random before the ones that fit are listed


@dataclass
class Domain:
    name: str
    types: List[str]
    actions: List[Action]
    vocab: Vocabulary
    menus: Dict[str, List[Mention]] = field(default_factory=dict)

    @property
    def mixed(self) -> bool:
        return len(self.types) > 1

    @cached_property
    def conditional(self) -> bool:
        """Whether some action only fits targets with some field values."""
        return any(a.when for a in self.actions)


@dataclass
class Templates:
    domains: Dict[str, Domain]
    grammar: Grammar
    mentions: Dict[str, Tuple[Domain, Mention]]  # template id -> (domain, mention)


def _mention(raw: dict, where: str, domain_fields: Sequence[str], statics: Sequence[str], pools: Pools) -> Mention:
    mid = require(raw, "id", str, where)
    where = f"{where}[{mid}]"
    text = require(raw, "text", str, where)
    select = require(raw, "select", str, where)
    rule = RULES.get(select)
    if rule is None:
        raise UserError(f"{where}.select: unknown rule '{select}' (known: {', '.join(sorted(RULES))})")
    allowed = list(statics) + list(rule.slots)
    if rule.entity_fields:
        allowed += list(domain_fields)
    check_slots(text, allowed, where)
    types = tuple(raw.get("types") or ())
    for t in types:
        pools.check_type(t, f"{where}.types")
    return Mention(mid, text, select, types, bool(raw.get("many")))


def load(folder: Path, pools: Pools) -> Templates:
    """Read conversational.yaml and check every domain, type, mention and slot in it."""
    path = folder / TEMPLATES_FILE
    data = load_yaml(folder, TEMPLATES_FILE)
    ordinals = require(data, "ordinals", list, str(path))
    counts = require(data, "counts", list, str(path))
    shared = {k: data.get(k) or [] for k in ("positional", "multi", "unrelated")}
    domains: Dict[str, Domain] = {}
    mentions: Dict[str, Tuple[Domain, Mention]] = {}
    for name, raw in require(data, "domains", dict, str(path)).items():
        where = f"{path}: domains.{name}"
        types = require(raw, "types", list, where)
        for t in types:
            pools.check_type(t, f"{where}.types")
        statics = {k: str(raw.get(k, "one" if k == "noun" else "ones")) for k in STATIC_SLOTS}
        vocab = Vocabulary([str(o) for o in ordinals], [str(c) for c in counts], statics)
        actions = [load_action(a, f"{where}.actions") for a in require(raw, "actions", list, where)]
        fields = sorted({f for t in types for f in pools.types[t].fields if not f.startswith("_")})
        for a in actions:
            check_slots(a.text, ["ref"], f"{where}.actions")
            if "{ref}" not in a.text:
                raise UserError(f"{where}.actions: {a.text!r} has no {{ref}} slot")
            for key in list(a.when) + list(a.avoid):
                if key not in fields and key != "type":
                    raise UserError(f"{where}.actions: {a.text!r} names '{key}', not a field of {', '.join(types)}")
        dom = Domain(name, list(types), actions, vocab)
        raw_menus = dict(shared)
        raw_menus.update({k: raw.get(k) or [] for k in ("describe", "describe_many", "combined", "by_type",
                                                          "by_type_position")})
        for menu, items in raw_menus.items():
            built = [_mention(m, f"{where}.{menu}", fields, statics, pools) for m in items]
            if menu == "by_type":
                dom.menus["by_type_many"] = [m for m in built if m.many]
                built = [m for m in built if not m.many]
            dom.menus[menu] = built
        # combined references ("the second pharmacy") are positional mentions among the others, as often as each
        dom.menus["positional"] = dom.menus.get("positional", []) + dom.menus.pop("combined", [])
        for menu, built in dom.menus.items():
            for m in built:
                mentions[template_id(dom, menu, m)] = (dom, m)
        domains[name] = dom
    return Templates(domains, load_grammar_file(folder), mentions)


@lru_cache(maxsize=1024)
def _own_slots(text: str) -> Tuple[str, ...]:
    """The slots of a mention its candidates fill ({street_name}), not the domain's words ({noun})."""
    return tuple(x for x in slots(text) if x not in STATIC_SLOTS)


def template_id(domain: Domain, menu: str, mention: Mention) -> str:
    """The id a written row names its mention by: domain/menu/mention."""
    return f"{domain.name}/{menu}/{mention.id}"


class ConversationalGenerator:
    """Makes conversational examples for a set of domains (the unseen subset uses one domain).

    `settings` gives the size, list length, mix of references, requests per list and redraws;
    the unseen subset passes the conversational settings with its own size and list length."""

    def __init__(self, templates: Templates, pools: Pools, subset: str, domains: Sequence[str],
                 settings: "ConversationalConfig"):
        self.templates, self.pools, self.subset = templates, pools, subset
        self.per_item = self.per_list = settings.requests_per_list
        self.max_examples = settings.size
        self.n_items = math.ceil(settings.size / self.per_item)
        self.max_redraws = settings.max_redraws
        for d in domains:
            if d not in templates.domains:
                raise UserError(f"{subset}: unknown domain '{d}' (known: {', '.join(sorted(templates.domains))})")
        self.domains = [templates.domains[d] for d in domains]
        if not self.domains:
            raise UserError(f"{subset}: no domain left to draw from")
        self.mix = {k: v for k, v in asdict(settings.mix).items() if v > 0}
        self.min_c, self.max_c = settings.min_candidates, settings.max_candidates
        # what draws choose from, made once: (kind, domain) -> its menus that have mentions; a domain's kinds
        # (those with such a menu) and the domains of a kind; kinds with cumulative weights (as rng.choices
        # makes them from weights, so the same draws)
        self._menus: Dict[Tuple[str, str], List[str]] = {
            (k, d.name): [m for m in MENUS[k][1 if d.mixed else 0] if d.menus.get(m)]
            for k in self.mix for d in self.domains}
        kinds = {d.name: [k for k in self.mix if self._menus[k, d.name]] for d in self.domains}
        self._first = (list(self.mix), list(accumulate(self.mix.values())))
        self._doms = {k: [d for d in self.domains if k in kinds[d.name]] for k in self.mix}
        self._allowed = {n: (ks, list(accumulate(self.mix[k] for k in ks))) for n, ks in kinds.items()}
        self._positioned: Dict[Tuple[int, int], Tuple[Entity, Entity]] = {}

    # -- lists -------------------------------------------------------------------------
    def _draw_list(self, dom: Domain, rng: random.Random) -> List[Entity]:
        n = rng.randint(self.min_c, self.max_c)
        if not dom.mixed:
            ents = self.pools.draw(dom.types[0], rng, n)
        else:
            # a mixed list: a few types, one to three entities each, then trimmed to n
            ents = []
            types = rng.sample(dom.types, min(len(dom.types), max(2, (n + 1) // 2)))
            for t in types:
                ents += self.pools.draw(t, rng, rng.randint(1, 3))
            rng.shuffle(ents)
            ents = ents[: max(n, 2)]
        return [self._at(e, i + 1) for i, e in enumerate(ents)]

    def _at(self, e: Entity, position: int) -> Entity:
        """The entity with its list_position (cached: pool entities recur in many lists)."""
        key = (id(e), position)
        got = self._positioned.get(key)
        if got is None or got[0] is not e:
            got = self._positioned[key] = (e, e.with_property("list_position", str(position)))
        return got[1]

    # -- requests ----------------------------------------------------------------------
    def _absent(self, dom: Domain, rng: random.Random) -> Entity:
        """A fresh entity of one of the domain's types, drawn from the pools (not one of the list's)."""
        return self.pools.draw(rng.choice(dom.types), rng)[0]

    def _request(self, kind: str, dom: Domain, cands: List[Entity], rng: random.Random):
        menus = self._menus[kind, dom.name]
        if not menus:
            return None
        menu = rng.choice(menus)
        m = _draw_fitting(dom.menus[menu], lambda m: RULES[m.select].fits(m, cands, kind), rng)
        if m is None:
            return None
        rule = RULES[m.select]
        if kind == "multi" and rule.entity_fields:
            shared = self._share(m, cands, rng)
            if shared is None:
                return None
            cands, chosen = shared
            targets, values = set(chosen), dict(cands[chosen[0]].properties)
        elif rule.shares:  # "the second pharmacy": a list where several share the value, then the rule's draw
            shared = self._share(m, cands, rng, rule.slots)
            if shared is None:
                return None
            drawn = rule.draw(m, dom.vocab, shared[0], kind, rng, lambda: self._absent(dom, rng))
            if drawn is None:
                return None
            cands, (targets, values) = shared[0], drawn
        else:
            drawn = rule.draw(m, dom.vocab, cands, kind, rng, lambda: self._absent(dom, rng))
            if drawn is None:
                return None
            targets, values = drawn
        # the mention's slots only (entities carry many fields): the candidate's value, else the domain's word
        merged = {}
        for slot in _slots(m.text):
            value = values.get(slot, dom.vocab.statics.get(slot))
            if value is None:
                return None  # the candidate lacks a field the mention names
            merged[slot] = value
        ref = fill(m.text, merged)
        own = _own_slots(m.text)
        # the targets' fields, for actions that only fit some targets (book a table at a cafe); their count for the rest
        target_fields = ([dict(cands[i].properties, type=cands[i].type) for i in targets] if dom.conditional
                         else [{}] * len(targets))
        ref_words = words_of(ref)
        drawn = _draw_fitting(dom.actions, lambda a: a.fits(own, target_fields, mention_words=ref_words), rng)
        if drawn is None:
            return None
        action = drawn.text
        query = compose(fill(action, {"ref": ref}), self.templates.grammar, rng, action, ref_words)
        if resolve(m, query, cands, dom.vocab) != targets:
            return None
        return query, m, menu, targets, cands

    def _share(self, m: Mention, cands: List[Entity], rng: random.Random, rule_slots: Sequence[str] = ()):
        """For 'the ones in {city}': give 2..4 candidates the value of that field one of them has."""
        own = [s for s in _own_slots(m.text) if s not in rule_slots]
        if len(own) != 1 or len(cands) < 3:
            return None
        key = own[0]
        k = rng.randint(2, min(4, len(cands) - 1))
        chosen = rng.sample(range(len(cands)), k)
        value = cands[chosen[0]].get(key)
        if not value:
            return None
        out = list(cands)
        for i in chosen[1:]:
            out[i] = self.pools.rewrite(out[i], {key: value})
        return out, chosen

    def where(self, index: int) -> str:
        return f"item {index}"

    def describe(self) -> dict:
        return {}

    def item(self, seed: int, index: int) -> ItemResult:
        """The examples of item `index` (one list, `requests_per_list` requests) and the redraws used."""
        rng = make_rng(seed, self.subset, index)
        group = f"{self.subset}/{index:08d}"
        kinds, cum = self._first
        redraws = 0
        for _ in range(self.max_redraws):
            first = rng.choices(kinds, cum_weights=cum)[0]
            doms = self._doms[first]
            if not doms:
                redraws += 1
                continue
            dom = rng.choice(doms)
            cands = self._draw_list(dom, rng)
            examples: List[Example] = []
            allowed, allowed_cum = self._allowed[dom.name]
            for r in range(self.per_list):
                kind = first if r == 0 else rng.choices(allowed, cum_weights=allowed_cum)[0]
                for _ in range(TRIES_PER_LIST):
                    got = self._request(kind, dom, cands, rng)
                    if got is not None:
                        break
                    redraws += 1
                else:
                    break
                query, m, menu, targets, shown = got
                examples.append(Example(
                    subset=self.subset, query=query, entities=tuple(shown), targets=frozenset(targets),
                    reference=reference_kind(m.select, len(targets), RULES[m.select].label),
                    domain=dom.name, template=template_id(dom, menu, m), group=group))
            if len(examples) == self.per_list:
                return ItemResult(index, examples, redraws)
            redraws += 1
        return ItemResult(index, [], redraws)


def _draw_fitting(options: Sequence, fits: Callable[[Any], bool], rng: random.Random) -> Optional[Any]:
    """One of the options that fit, uniform among those that do: drawn until one fits (most do), then
    from the list of those that fit; None if none does."""
    for _ in range(ACTION_DRAWS):
        drawn = rng.choice(options)
        if fits(drawn):
            return drawn
    fitting = [o for o in options if fits(o)]
    return rng.choice(fitting) if fitting else None


def list_order(entities: Sequence[Entity]) -> Optional[List[int]]:
    """Shown indices sorted by their `list_position` property (None if they carry none)."""
    keyed = []
    for i, e in enumerate(entities):
        p = e.get("list_position")
        if not p:
            return None
        keyed.append((int(p), i))
    return [i for _, i in sorted(keyed)]


def check_row(row: dict, templates: Templates) -> bool:
    """Re-resolve a written row's request against its shown candidates: True if it picks exactly its targets."""
    dom, m = templates.mentions[row["template"]]
    shown = [Entity(c["type"], c["value"], tuple((p["key"], p["value"]) for p in c["properties"]),
               c["text"].split(" | ", 1)[1], c["source"]) for c in row["entities"]]
    order = list_order(shown)
    if order is None:
        return False
    in_list = [shown[i] for i in order]
    picked = resolve(m, row["query"], in_list, dom.vocab)
    return {order[i] + 1 for i in picked} == set(row["targets"])
