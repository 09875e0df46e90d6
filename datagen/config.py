"""Config schemas (dataclasses), registered with Hydra in one place, and value checks.

YAML under conf/ holds the values; these classes hold the types and the one named default
of every tunable. A wrong type or an unknown key fails when Hydra composes the config;
`validate` refuses bad values (negative sizes, ratios that do not sum to 1) before any
work starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from datagen.errors import UserError

SUBSETS = ("conversational", "synthetic", "unseen")
SPLITS = ("train", "validation", "test")
REFERENCE_KINDS = ("positional", "descriptive", "type", "multi", "none")


@dataclass
class SplitsConfig:
    """Share of groups per split; must sum to 1. Unseen rows always go to test."""

    train: float = 0.8
    validation: float = 0.1
    test: float = 0.1


@dataclass
class EntitiesConfig:
    pool_size: int = 400  # entities drawn with Faker per type and locale, once per run
    templates: Optional[str] = None  # folder of template YAML; null = the built-in templates/


@dataclass
class ReferenceMix:
    """Share of conversational requests per kind of reference; must sum to 1."""

    positional: float = 0.3
    descriptive: float = 0.35
    type: float = 0.1
    multi: float = 0.15
    none: float = 0.1


@dataclass
class ConversationalConfig:
    size: int = 3500  # examples (the paper's 2.3k train + 1.2k test)
    min_candidates: int = 2  # entities in the list the assistant showed
    max_candidates: int = 10
    requests_per_list: int = 1  # requests written about one list (they share a group)
    domains: List[str] = field(default_factory=list)  # empty = every domain in the templates
    mix: ReferenceMix = field(default_factory=ReferenceMix)
    max_redraws: int = 50  # draws per request before the item is skipped as unsatisfiable


@dataclass
class SyntheticConfig:
    size: int = 5000  # examples (the paper's 3.9k train + 1.1k test)
    min_negatives: int = 1  # entities of other types added to the gold ones
    max_negatives: int = 5
    max_redraws: int = 50


@dataclass
class UnseenConfig:
    size: int = 1000  # examples; the paper gives no size for its unseen test set
    domain: str = "alarm"  # held-out conversational domain; never in train/validation rows
    min_candidates: int = 2
    max_candidates: int = 10


@dataclass
class PromptConfig:
    instruction: str = (
        "Select which among the following entities, if any, are required to understand "
        "the user request below. Output 0 if none of the entities are relevant."
    )
    shuffle: bool = True  # shuffle candidates with the item's own seed before numbering


@dataclass
class OutputConfig:
    dir: Optional[str] = None  # dataset folder; null = <hydra run dir>/dataset
    row_group_size: int = 10000  # rows buffered before a Parquet row group is written
    rows_per_file: int = 1000000  # a split rolls over to a new part file after this many rows
    compression: str = "zstd"  # Parquet codec: zstd, snappy, gzip, none


@dataclass
class Config:
    recipe: Optional[str] = None  # set by +recipe=NAME
    subsets: List[str] = field(default_factory=list)  # set by the recipe
    seed: int = 0  # every random draw derives from it
    locale: str = "en_US"  # Faker locale of the entities
    strict: bool = False  # a bad item aborts the run instead of being skipped and counted
    progress: bool = True  # progress bar per subset (plain log lines when not a terminal)
    entities: EntitiesConfig = field(default_factory=EntitiesConfig)
    splits: SplitsConfig = field(default_factory=SplitsConfig)
    conversational: ConversationalConfig = field(default_factory=ConversationalConfig)
    synthetic: SyntheticConfig = field(default_factory=SyntheticConfig)
    unseen: UnseenConfig = field(default_factory=UnseenConfig)
    prompt: PromptConfig = field(default_factory=PromptConfig)
    output: OutputConfig = field(default_factory=OutputConfig)


def register_configs() -> None:
    """Register every schema with Hydra's ConfigStore (the one place they are named)."""
    cs = ConfigStore.instance()
    cs.store(name="schema", node=Config)


def _check(cond: bool, key: str, value: Any, expected: str) -> None:
    if not cond:
        raise UserError(f"{key}={value!r}: expected {expected}")


def _check_shares(key: str, shares: Dict[str, float]) -> None:
    for name, v in shares.items():
        _check(v >= 0, f"{key}.{name}", v, "a share >= 0")
    total = sum(shares.values())
    _check(math.isclose(total, 1.0, abs_tol=1e-6), key, dict(shares), f"shares summing to 1 (they sum to {total:g})")


def validate(cfg: Any) -> None:
    """Refuse bad values before any work starts; raises UserError naming the key."""
    if not cfg.recipe:
        raise UserError("no recipe given")
    for s in cfg.subsets:
        _check(s in SUBSETS, "subsets", s, f"one of {', '.join(SUBSETS)}")
    _check(cfg.entities.pool_size >= 10, "entities.pool_size", cfg.entities.pool_size, "an integer >= 10")
    _check_shares("splits", dict(cfg.splits))
    for name in ("conversational", "synthetic", "unseen"):
        sub = cfg[name]
        _check(sub.size >= 0, f"{name}.size", sub.size, "an integer >= 0")
        _check(getattr(sub, "max_redraws", 1) >= 1, f"{name}.max_redraws", getattr(sub, "max_redraws", 1), "an integer >= 1")
    for name in ("conversational", "unseen"):
        sub = cfg[name]
        _check(sub.min_candidates >= 1, f"{name}.min_candidates", sub.min_candidates, "an integer >= 1")
        _check(
            sub.max_candidates >= sub.min_candidates,
            f"{name}.max_candidates",
            sub.max_candidates,
            f"an integer >= {name}.min_candidates ({sub.min_candidates})",
        )
        _check(sub.max_candidates <= 20, f"{name}.max_candidates", sub.max_candidates, "at most 20")
    c = cfg.conversational
    _check(c.requests_per_list >= 1, "conversational.requests_per_list", c.requests_per_list, "an integer >= 1")
    _check_shares("conversational.mix", dict(c.mix))
    s = cfg.synthetic
    _check(s.min_negatives >= 0, "synthetic.min_negatives", s.min_negatives, "an integer >= 0")
    _check(
        s.max_negatives >= s.min_negatives,
        "synthetic.max_negatives",
        s.max_negatives,
        f"an integer >= synthetic.min_negatives ({s.min_negatives})",
    )
    o = cfg.output
    _check(o.row_group_size >= 1, "output.row_group_size", o.row_group_size, "an integer >= 1")
    _check(o.rows_per_file >= 1, "output.rows_per_file", o.rows_per_file, "an integer >= 1")
    _check(
        o.compression in ("zstd", "snappy", "gzip", "none"),
        "output.compression",
        o.compression,
        "one of zstd, snappy, gzip, none",
    )


__all__ = ["Config", "register_configs", "validate", "SUBSETS", "SPLITS", "REFERENCE_KINDS", "MISSING"]
