"""Typed entities and the Faker-backed pools they are drawn from.

Entity types are data (templates/entities.yaml). A pool holds `entities.pool_size`
entities per type and locale, made once per run with a Faker instance seeded from the run
seed; items then draw from pools with their own seeded generator, which is far faster than
calling Faker for every entity and keeps every draw reproducible.
"""

from __future__ import annotations

import hashlib
import random
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import phonenumbers
import pyap
from faker import Faker
from faker.config import AVAILABLE_LOCALES

from datagen.errors import UserError
from datagen.seeding import derive
from datagen.templates import check_slots, fill, load_yaml, require, slots

ENTITIES_FILE = "entities.yaml"
PHONE_STYLES = ("NATIONAL", "INTERNATIONAL", "E164", "DASHED", "DOTTED")
PYAP_COUNTRIES = {"US", "CA", "GB"}  # the countries pyap can parse
CASES = {"upper": str.upper, "lower": str.lower, "title": str.title}
GENERATORS = ("faker", "choice", "format", "bothify", "phone")
# A pool stops growing after this many draws in a row that gave nothing new (a type with
# few possible values, such as App, ends up with a small pool of all of them).
STALE_DRAWS = 300
# Faker methods that configure Faker itself rather than generate data.
_FAKER_FORBIDDEN = {"seed", "seed_instance", "seed_locale", "add_provider", "get_providers", "provider",
                    "set_formatter", "get_formatter", "set_arguments", "get_arguments", "del_arguments",
                    "parse", "format", "unique", "optional", "random", "generator", "factories"}


@dataclass(frozen=True)
class Entity:
    """One candidate: its type, value, fields, encoded line, source and (on screens) box."""

    type: str
    value: str
    properties: Tuple[Tuple[str, str], ...]
    line: str  # the part after "Type: <type> | "
    source: str = "conversation"
    bbox: Optional[Tuple[float, float, float, float]] = None

    @property
    def text(self) -> str:
        """The encoded entity as the model sees it (without its number)."""
        return f"Type: {self.type} | {self.line}"

    # made on first use and kept in the instance (pool entities recur in many lists and requests)
    @property
    def low_line(self) -> str:
        """The line lower-cased (what requests are checked against)."""
        got = self.__dict__.get("_low_line")
        if got is None:
            got = self.__dict__["_low_line"] = self.line.lower()
        return got

    def get(self, key: str, default: str = "") -> str:
        for k, v in self.properties:  # (a dict per entity was slower: most entities are read a few times)
            if k == key:
                return v
        return default

    def with_property(self, key: str, value: str) -> "Entity":
        """A copy with one more property, also written at the end of its line."""
        return Entity(self.type, self.value, self.properties + ((key, value),), f"{self.line} | {key}: {value}",
                      self.source, self.bbox)


@dataclass
class EntityType:
    """A type as read from entities.yaml, for one locale."""

    name: str
    value: str
    fields: Dict[str, dict]
    line: str
    unique: List[str] = field(default_factory=list)


def region_of(locale: str) -> str:
    """The phone/address region of a Faker locale: en_US -> US."""
    return locale.split("_")[-1].upper()


def check_locale(locale: str) -> None:
    if locale not in AVAILABLE_LOCALES:
        raise UserError(f"locale={locale!r}: not a Faker locale (e.g. en_US, en_GB, de_DE, fr_FR)")


def load_types(folder: Path, locale: str) -> Dict[str, EntityType]:
    """Read entities.yaml, apply the locale's replacements and check every generator and slot."""
    path = folder / ENTITIES_FILE
    data = load_yaml(folder, ENTITIES_FILE)
    types = require(data, "types", dict, str(path))
    out: Dict[str, EntityType] = {}
    for name, spec in types.items():
        where = f"{path}: {name}"
        fields = dict(require(spec, "fields", dict, where))
        override = (spec.get("locales") or {}).get(locale) or {}
        fields.update(override.get("fields") or {})
        known: List[str] = []
        for fname, gen in fields.items():
            _check_generator(gen, known, f"{where}.fields.{fname}")
            known.append(fname)
        value = require(spec, "value", str, where)
        if value not in fields:
            raise UserError(f"{where}.value: unknown field '{value}' (fields: {', '.join(fields)})")
        line = require(spec, "line", str, where)
        check_slots(line, fields, f"{where}.line")
        unique = list(spec.get("unique") or [])
        for u in unique:
            if u not in fields:
                raise UserError(f"{where}.unique: unknown field '{u}'")
        out[name] = EntityType(name=name, value=value, fields=fields, line=line, unique=unique)
    return out


def _template_of(gen: dict, fname: str, values: Mapping[str, str]) -> Optional[str]:
    """The format a field was built with: its one template, or the first of its list that gives its value."""
    template = gen["format"]
    if isinstance(template, str):
        return template
    case = CASES[gen["case"]] if "case" in gen else (lambda text: text)
    return next((t for t in template if all(s in values for s in slots(t)) and case(fill(t, values)) == values.get(fname)),
                None)


def _check_generator(gen: object, earlier: Sequence[str], where: str) -> None:
    if not isinstance(gen, dict):
        raise UserError(f"{where}: expected a mapping like {{faker: name}}, got {gen!r}")
    kinds = [k for k in GENERATORS if k in gen]
    if len(kinds) != 1:
        raise UserError(f"{where}: expected exactly one of {', '.join(GENERATORS)}, got {sorted(gen)}")
    kind = kinds[0]
    if kind == "format":
        formats = gen["format"] if isinstance(gen["format"], list) else [gen["format"]]
        if not formats or not all(isinstance(f, str) for f in formats):
            raise UserError(f"{where}.format: expected a template or a non-empty list of templates")
        for f in formats:
            check_slots(f, earlier, where)
    elif kind == "faker":
        method = gen["faker"]
        if not isinstance(method, str) or method.startswith("_") or method in _FAKER_FORBIDDEN:
            raise UserError(f"{where}: {method!r} is not a Faker data method")
    elif kind == "choice":
        if not isinstance(gen["choice"], list) or not gen["choice"]:
            raise UserError(f"{where}.choice: expected a non-empty list")
    elif kind == "phone":
        styles = gen["phone"]
        if not isinstance(styles, list) or not styles or any(s not in PHONE_STYLES for s in styles):
            raise UserError(f"{where}.phone: expected a list of styles from {', '.join(PHONE_STYLES)}, got {styles!r}")
    if "case" in gen and gen["case"] not in CASES:
        raise UserError(f"{where}.case: {gen['case']!r} is not one of {', '.join(CASES)}")
    if "validate" in gen and gen["validate"] != "address":
        raise UserError(f"{where}.validate: {gen['validate']!r} is not a known check (address)")


def format_phone(number: phonenumbers.PhoneNumber, style: str) -> str:
    """A valid number written in one of the PHONE_STYLES."""
    if style == "INTERNATIONAL":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if style == "E164":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    if style == "NATIONAL":
        return national
    sep = "-" if style == "DASHED" else "."
    digits_groups = national.replace("(", "").replace(")", "").replace("-", " ").split()
    return sep.join(digits_groups)


class _Rejected(Exception):
    """A drawn value failed its check (invalid phone number, unparseable address)."""


class EntityMaker:
    """Makes one entity of a type from a seeded Faker instance (the slow, exact path)."""

    def __init__(self, etype: EntityType, fake: Faker, locale: str, where: str):
        self.etype, self.fake, self.where = etype, fake, where
        self.region = region_of(locale)
        for fname, gen in etype.fields.items():
            if "faker" in gen and not callable(getattr(fake, gen["faker"], None)):
                raise UserError(f"{where}.fields.{fname}: Faker locale {locale} has no method '{gen['faker']}'")

    def _field(self, gen: dict, values: Mapping[str, str]) -> str:
        fake = self.fake
        if "faker" in gen:
            result = getattr(fake, gen["faker"])(**(gen.get("args") or {}))
            if isinstance(result, (datetime, date, time)) and gen.get("strftime"):
                result = result.strftime(gen["strftime"])
            value = str(result)
        elif "choice" in gen:
            value = str(fake.random.choice(gen["choice"]))  # Faker's seeded generator (random_element is 20x slower)
        elif "format" in gen:
            template = gen["format"]
            value = fill(template if isinstance(template, str) else fake.random.choice(template), values)
        elif "bothify" in gen:
            value = fake.bothify(gen["bothify"])
        else:
            value = self._phone(gen["phone"])
        value = " ".join(value.split())  # one line, single spaces
        if "case" in gen:
            value = CASES[gen["case"]](value)
        if gen.get("validate") == "address" and self.region in PYAP_COUNTRIES:
            found = pyap.parse(value, country=self.region)
            if not found or found[0].full_address != value:
                raise _Rejected(value)
        return value

    def _phone(self, styles: List[str]) -> str:
        for _ in range(50):
            raw = self.fake.phone_number()
            try:
                number = phonenumbers.parse(raw.split("x")[0], self.region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                number.extension = None
                return format_phone(number, self.fake.random.choice(styles))
        raise UserError(f"{self.where}: Faker gives no valid phone numbers for region {self.region}")

    def make(self, source: str = "conversation") -> Entity:
        """One entity; raises _Rejected when a checked field fails (the caller draws again)."""
        values: Dict[str, str] = {}
        for fname, gen in self.etype.fields.items():
            values[fname] = self._field(gen, values)
        props = tuple((k, v) for k, v in values.items() if not k.startswith("_"))
        return Entity(self.etype.name, values[self.etype.value], props, fill(self.etype.line, values), source)

    def make_checked(self) -> Entity:
        for _ in range(STALE_DRAWS):
            try:
                return self.make()
            except _Rejected:
                continue
        raise UserError(f"{self.where}: no value passed its check in {STALE_DRAWS} draws")


class Pools:
    """Per-type pools of entities for one locale, built once from the run seed."""

    def __init__(self, folder: Path, locale: str, seed: int, size: int):
        check_locale(locale)
        self.locale, self.seed, self.size = locale, seed, size
        self.types = load_types(folder, locale)
        self.path = folder / ENTITIES_FILE
        self._fake = Faker(locale)
        self._pools: Dict[str, List[Entity]] = {}
        self._copies: Dict[Tuple[int, str], Entity] = {}  # pool entities with another source

    def check_type(self, name: str, where: str) -> None:
        if name not in self.types:
            raise UserError(f"{where}: unknown entity type '{name}' (known: {', '.join(sorted(self.types))})")

    def generator(self, name: str, seed_path: Sequence[object]) -> EntityMaker:
        self._fake.seed_instance(derive(self.seed, "pool", self.locale, name, *seed_path))
        return EntityMaker(self.types[name], self._fake, self.locale, f"{self.path}: {name}")

    def sizes(self) -> Dict[str, int]:
        """Entities per pool built so far."""
        return {name: len(pool) for name, pool in sorted(self._pools.items())}

    def pool(self, name: str) -> List[Entity]:
        """The pool of one type (built on first use; distinct on the type's `unique` fields)."""
        if name in self._pools:
            return self._pools[name]
        gen = self.generator(name, ())
        unique = self.types[name].unique
        seen = set()
        out: List[Entity] = []
        stale = 0
        while len(out) < self.size and stale < STALE_DRAWS:
            try:
                e = gen.make()
            except _Rejected:
                stale += 1
                continue
            key = tuple(e.get(u) for u in unique)
            if unique and key in seen:
                stale += 1
                continue
            seen.add(key)
            out.append(e)
            stale = 0
        self._pools[name] = out
        return out

    def rewrite(self, entity: Entity, changes: Mapping[str, str]) -> Entity:
        """A copy with some fields changed and the fields built from them (format) rebuilt."""
        etype = self.types[entity.type]
        old = dict(entity.properties)
        values = {**old, **changes}
        for fname, gen in etype.fields.items():
            template = _template_of(gen, fname, old) if "format" in gen and fname not in changes else None
            if template is not None and all(s in values for s in slots(template)):
                text = fill(template, values)
                values[fname] = CASES[gen["case"]](text) if "case" in gen else text
        extras = [(k, v) for k, v in entity.properties if k not in etype.fields]
        line = fill(etype.line, values) + "".join(f" | {k}: {v}" for k, v in extras)
        props = tuple((k, values[k]) for k, _ in entity.properties)
        return replace(entity, value=values[etype.value], properties=props, line=line)

    def draw(self, name: str, rng: random.Random, k: int = 1, source: str = "conversation") -> List[Entity]:
        """k distinct entities of a type (fewer if the pool is smaller)."""
        pool = self.pool(name)
        picked = rng.sample(pool, min(k, len(pool)))
        if source != "conversation":
            picked = [self._sourced(e, source) for e in picked]
        return picked

    def _sourced(self, e: Entity, source: str) -> Entity:
        """The pool entity with another source, made once (so memory stays flat however many draws)."""
        key = (id(e), source)
        got = self._copies.get(key)
        if got is None:
            got = self._copies[key] = replace(e, source=source)
        return got


_SHARED: "OrderedDict[tuple, Pools]" = OrderedDict()
SHARED_POOLS = 4  # pool sets kept for later runs in the same process (a sweep's jobs)


def shared_pools(folder: Path, locale: str, seed: int, size: int) -> Pools:
    """Pools for a run, reused by later runs in this process with the same inputs.

    A pool is a pure function of its inputs (the seed, locale, size and the entity templates,
    whose bytes are in the key), so the jobs of a sweep that Hydra runs one after another in
    one process share their pools instead of drawing them again with Faker.
    """
    spec = folder / ENTITIES_FILE
    digest = hashlib.sha256(spec.read_bytes()).hexdigest() if spec.is_file() else None
    if digest is None:
        return Pools(folder, locale, seed, size)  # which fails with the one-line error
    key = (str(folder.resolve()), locale, seed, size, digest)
    pools = _SHARED.pop(key, None) or Pools(folder, locale, seed, size)
    _SHARED[key] = pools
    while len(_SHARED) > SHARED_POOLS:
        _SHARED.popitem(last=False)
    return pools


class DirectPools(Pools):
    """No pools: Faker is called for every entity drawn (the baseline of benchmarks/generation.py).

    Each draw seeds the Faker instance from the item's generator, so a run stays reproducible. Unlike
    `Pools.draw`, the k entities of one draw are not made distinct.
    """

    def pool(self, name: str) -> List[Entity]:
        return []  # run() builds every pool up front; the baseline has none to build

    def draw(self, name: str, rng: random.Random, k: int = 1, source: str = "conversation") -> List[Entity]:
        gen = self.generator(name, (rng.getrandbits(64),))
        return [replace(gen.make_checked(), source=source) for _ in range(k)]
