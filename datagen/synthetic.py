"""Synthetic subset: language templates plus a slot list, as in ReALM.

Per item: the template is `templates[index % n]` (so every template is used), the mention
is drawn from the template's slot list, gold entities of the mention's types are attached
(with source=background for templates about a ringing alarm, a playing song, a running
timer), and entities of other types are added as negatives. The request is checked with
the same `resolve` as conversational requests: the mention must pick exactly the gold set.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Sequence, Tuple

from datagen.entities import Entity, Pools
from datagen.errors import UserError
from datagen.example import Example, reference_kind, sentence
from datagen.generator import ItemResult
from datagen.rules import RULES, Mention, Vocabulary, resolve
from datagen.seeding import rng as make_rng
from datagen.templates import check_slots, fill, load_yaml, require, slots

if TYPE_CHECKING:
    from datagen.config import SyntheticConfig

TEMPLATES_FILE = "synthetic.yaml"
SOURCES = ("conversation", "background")
_NO_VOCAB = Vocabulary((), ())
_TYPE_RULE = RULES["type"]  # a synthetic mention picks every candidate of its types


@dataclass(frozen=True)
class SlotMention:
    name: str
    types: Tuple[str, ...]
    one: Tuple[str, ...]
    many: Tuple[str, ...]
    any: Tuple[str, ...]


@dataclass(frozen=True)
class Template:
    id: str
    domain: str
    text: str
    mentions: Tuple[str, ...]
    gold: Tuple[int, int]
    source: str
    local: Dict[str, Tuple[str, ...]]  # template-local slot values


@dataclass
class Templates:
    mentions: Dict[str, SlotMention]
    slot_lists: Dict[str, Tuple[str, ...]]
    slot_entities: Dict[str, Tuple[str, str]]  # slot -> (type, field)
    templates: List[Template]
    deictic: Tuple[str, ...]


def load(folder: Path, pools: Pools) -> Templates:
    """Read synthetic.yaml and check every mention, slot, type and template in it."""
    path = folder / TEMPLATES_FILE
    data = load_yaml(folder, TEMPLATES_FILE)
    mentions: Dict[str, SlotMention] = {}
    for name, raw in require(data, "mentions", dict, str(path)).items():
        where = f"{path}: mentions.{name}"
        types = tuple(require(raw, "types", list, where))
        for t in types:
            pools.check_type(t, f"{where}.types")
        phrases = {k: tuple(str(p) for p in raw.get(k) or ()) for k in ("one", "many", "any")}
        if not phrases["one"] + phrases["any"]:
            raise UserError(f"{where}: needs phrases under 'one' or 'any'")
        mentions[name] = SlotMention(name, types, phrases["one"], phrases["many"], phrases["any"])
    slot_lists: Dict[str, Tuple[str, ...]] = {}
    slot_entities: Dict[str, Tuple[str, str]] = {}
    for name, raw in (data.get("slots") or {}).items():
        where = f"{path}: slots.{name}"
        if isinstance(raw, list):
            slot_lists[name] = tuple(str(v) for v in raw)
        else:
            etype = require(raw, "entity", str, where)
            pools.check_type(etype, f"{where}.entity")
            fname = require(raw, "field", str, where)
            if fname not in pools.types[etype].fields:
                raise UserError(f"{where}.field: {etype} has no field '{fname}'")
            slot_entities[name] = (etype, fname)
    templates: List[Template] = []
    for i, raw in enumerate(require(data, "templates", list, str(path))):
        where = f"{path}: templates[{i}]"
        tid = require(raw, "id", str, where)
        where = f"{path}: templates[{tid}]"
        text = require(raw, "text", str, where)
        reserved = {"id", "domain", "text", "mentions", "gold", "source"}
        local = {k: tuple(str(v) for v in vs) for k, vs in raw.items() if k not in reserved}
        check_slots(text, ["mention", *slot_lists, *slot_entities, *local], where)
        if "{mention}" not in text:
            raise UserError(f"{where}: text {text!r} has no {{mention}} slot")
        names = tuple(require(raw, "mentions", list, where))
        for n in names:
            if n not in mentions:
                raise UserError(f"{where}.mentions: unknown mention '{n}' (known: {', '.join(sorted(mentions))})")
        gold = tuple(raw.get("gold") or (1, 1))
        if len(gold) != 2 or not 1 <= gold[0] <= gold[1]:
            raise UserError(f"{where}.gold: expected [min, max] with 1 <= min <= max, got {list(gold)}")
        source = str(raw.get("source", "conversation"))
        if source not in SOURCES:
            raise UserError(f"{where}.source: {source!r} is not one of {', '.join(SOURCES)}")
        templates.append(Template(tid, str(raw.get("domain", "general")), text, names, (int(gold[0]), int(gold[1])), source, local))
    deictic = tuple(str(w).lower() for w in data.get("deictic") or ())
    return Templates(mentions, slot_lists, slot_entities, templates, deictic)


class SyntheticGenerator:
    """Makes synthetic examples; `exclude_types` and `exclude_domains` keep a held-out domain out."""

    subset = "synthetic"
    per_item = 1

    def __init__(self, t: Templates, pools: Pools, settings: "SyntheticConfig",
                 exclude_types: Sequence[str] = (), exclude_domains: Sequence[str] = ()):
        self.templates, self.pools = t, pools
        self.n_items = self.max_examples = settings.size
        self.min_neg, self.max_neg, self.max_redraws = settings.min_negatives, settings.max_negatives, settings.max_redraws
        excluded = set(exclude_types)
        # the templates the held-out domain leaves (some of their mentions name no excluded type)
        self.in_use = [tp for tp in t.templates if tp.domain not in exclude_domains
                       and any(not set(t.mentions[m].types) & excluded for m in tp.mentions)]
        self.excluded = excluded
        if not self.in_use:
            raise UserError("synthetic: every template is excluded by the held-out unseen domain")
        self.all_types = sorted(set(pools.types) - excluded)

    def _negatives(self, gold_types: Sequence[str], rng: random.Random) -> List[Entity]:
        others = [t for t in self.all_types if t not in gold_types]
        k = rng.randint(self.min_neg, self.max_neg)
        out: List[Entity] = []
        for t in rng.sample(others, min(k, len(others))):
            out += self.pools.draw(t, rng)
        return out

    def where(self, index: int) -> str:
        return f"item {index}"

    def describe(self) -> dict:
        return {}

    def item(self, seed: int, index: int) -> ItemResult:
        """One example (template index % n) and the number of redraws it needed."""
        tp = self.in_use[index % len(self.in_use)]
        rng = make_rng(seed, "synthetic", index)
        usable = [m for m in tp.mentions if not set(self.templates.mentions[m].types) & self.excluded]
        for attempt in range(self.max_redraws):
            sm = self.templates.mentions[rng.choice(usable)]
            g = rng.randint(*tp.gold) if sm.many or sm.any else 1
            phrases = (sm.one if g == 1 else sm.many) + sm.any
            if not phrases:
                continue
            phrase = rng.choice(phrases)
            gold: List[Entity] = []
            for _ in range(g):
                gold += self.pools.draw(rng.choice(sm.types), rng, 1, tp.source)
            cands = gold + self._negatives(sm.types, rng)
            rng.shuffle(cands)
            values = {"mention": phrase}
            for name in slots(tp.text):
                if name in tp.local:
                    values[name] = rng.choice(tp.local[name])
                elif name in self.templates.slot_lists:
                    values[name] = rng.choice(self.templates.slot_lists[name])
                elif name in self.templates.slot_entities:
                    etype, fname = self.templates.slot_entities[name]
                    values[name] = self.pools.draw(etype, rng)[0].get(fname)
            query = sentence("", fill(tp.text, values), "")
            targets = {i for i, e in enumerate(cands) if e.type in sm.types}
            mention = Mention(sm.name, phrase, _TYPE_RULE.name, sm.types)
            if len(set(e.text for e in gold)) != len(gold) or resolve(mention, query, cands, _NO_VOCAB) != targets:
                continue
            base = "deictic" if phrase.split()[0].lower() in self.templates.deictic else _TYPE_RULE.label
            example = Example(subset="synthetic", query=query, entities=tuple(cands), targets=frozenset(targets),
                              reference=reference_kind(_TYPE_RULE.name, len(targets), base), domain=tp.domain,
                              template=f"synthetic/{tp.id}/{sm.name}", group=f"synthetic/{index:08d}")
            return ItemResult(index, [example], attempt)
        return ItemResult(index, [], self.max_redraws)
