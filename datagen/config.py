"""The config schema: the subsets' and the run's settings, with each stage's own settings nested in.

Every default, its meaning and its accepted values are written once, on the dataclasses (see
datagen/settings.py); a stage's settings class lives in the stage's module (screen.render in
render.py, screen.ocr in ocr.py, screen.lines in lines.py, screen.detect in detect.py,
screen.align in align.py) and is nested here. conf/config.yaml only names this schema and holds
Hydra's own settings; recipes override values. `register_configs` registers the schema with
Hydra (the one place); `load` turns a composed config into these objects and checks every value
before any work starts.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields
from typing import Any, Dict, Iterable, List, Optional, Tuple

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import InterpolationResolutionError, OmegaConfBaseException

from datagen.errors import UserError
from datagen.screen.align import AlignSettings
from datagen.screen.detect import DetectSettings
from datagen.screen.lines import LineSettings
from datagen.screen.ocr import OcrSettings
from datagen.screen.render import RenderSettings
from datagen.screen.requests import ScreenMix
from datagen.settings import SHARE, Accepts, Settings, Shares, check_tree, group, number, one_of, setting

SUBSETS = ("conversational", "synthetic", "screen", "unseen")  # also the order subsets are made and written in
SPLITS = ("train", "validation", "test")
COUNT = number(0, what="an integer")
AT_LEAST_ONE = number(1, what="an integer")
MAX_CANDIDATES = 20  # longest list a conversational request is written about


@dataclass
class SplitsConfig(Shares):
    """Share of groups per split; must sum to 1. Unseen rows always go to test."""

    train: float = setting(0.8, "share of groups in train (splits.train=0.9 splits.validation=0 ...)", SHARE)
    validation: float = setting(0.1, "share of groups in validation", SHARE)
    test: float = setting(0.1, "share of groups in test", SHARE)


OWN_SHARE = Accepts(lambda v: v is None or SHARE(v), SHARE.expected + " or null")


@dataclass
class OwnSplits(Settings):
    """A subset's own split shares; a null share is the top-level one. Together they must sum to 1.

    Not Optional[SplitsConfig] = None: OmegaConf 2.3 cannot set a key inside a null structured
    group (conversational.splits.train=0.9 ends in an AssertionError, omry/omegaconf#1035)."""

    train: Optional[float] = setting(None, "this subset's share in train; null = splits.train", OWN_SHARE)
    validation: Optional[float] = setting(None, "... in validation; null = splits.validation", OWN_SHARE)
    test: Optional[float] = setting(None, "... in test; null = splits.test", OWN_SHARE)


OWN_SPLITS_HELP = ("this subset's own split shares, each null = the top-level one "
                   "(conversational.splits.train=0.6 conversational.splits.test=0.3 or '{train: .6, validation: .1, "
                   "test: .3}'); together they must sum to 1")


@dataclass
class EntitiesConfig(Settings):
    pool_size: int = setting(400, "entities drawn with Faker per type and locale, once per run "
                             "(entities.pool_size=2000)", number(10, what="an integer"))
    templates: Optional[str] = setting(None, "a folder with your own entities, conversational, synthetic, "
                                       "grammar, intents and screen_requests YAML (and screens/); null = the "
                                       "built-in templates/")


@dataclass
class ReferenceMix(Shares):
    """Share of conversational requests per kind of reference; must sum to 1."""

    positional: float = setting(0.3, '"the second one", "the last one", "the third from the bottom"', SHARE)
    descriptive: float = setting(0.35, '"the one on Main Street", "the 7 am alarm"', SHARE)
    type: float = setting(0.1, 'mixed lists: "the phone number", "the email addresses"', SHARE)
    multi: float = setting(0.15, '"the first two", "the ones in Springfield", "all of them"', SHARE)
    none: float = setting(0.1, "the request picks none of them (target 0)", SHARE)


@dataclass
class ConversationalConfig(Settings):
    size: int = setting(3500, "examples (the paper: 2.3k train + 1.2k test)", COUNT)
    min_candidates: int = setting(2, "entities in the shown list, at least", AT_LEAST_ONE)
    max_candidates: int = setting(10, "entities in the shown list, at most",
                                  number(1, MAX_CANDIDATES, "an integer"))
    requests_per_list: int = setting(1, "requests about one list; they share a group and so a split", AT_LEAST_ONE)
    domains: List[str] = setting([], "[] = every domain of conversational.yaml except the unseen one")
    mix: ReferenceMix = group(ReferenceMix, "share of requests per kind of reference, must sum to 1")
    max_redraws: int = setting(50, "draws per item before it is skipped and counted in stats.json", AT_LEAST_ONE)
    splits: Optional[OwnSplits] = group(OwnSplits, OWN_SPLITS_HELP)

    def problems(self) -> Iterable[Tuple[str, Any, str]]:
        if self.max_candidates < self.min_candidates:
            yield "max_candidates", self.max_candidates, f"an integer >= min_candidates ({self.min_candidates})"


@dataclass
class SyntheticConfig(Settings):
    size: int = setting(5000, "examples (the paper: 3.9k train + 1.1k test)", COUNT)
    min_negatives: int = setting(1, "entities of other types added next to the gold ones, at least", COUNT)
    max_negatives: int = setting(5, "... at most", COUNT)
    max_redraws: int = setting(50, "draws per item before it is skipped and counted", AT_LEAST_ONE)
    splits: Optional[OwnSplits] = group(OwnSplits, OWN_SPLITS_HELP)

    def problems(self) -> Iterable[Tuple[str, Any, str]]:
        if self.max_negatives < self.min_negatives:
            yield "max_negatives", self.max_negatives, f"an integer >= min_negatives ({self.min_negatives})"


@dataclass
class UnseenConfig(Settings):
    size: int = setting(1000, "examples, test split only (the paper gives no size)", COUNT)
    domain: str = setting("alarm", "held-out conversational domain: in no train/validation row of the run")
    min_candidates: int = setting(2, "entities in the shown list, at least", AT_LEAST_ONE)
    max_candidates: int = setting(10, "entities in the shown list, at most", number(1, MAX_CANDIDATES, "an integer"))

    problems = ConversationalConfig.problems


@dataclass
class ScreenConfig(Settings):
    size: int = setting(200, "screens; each gives up to requests_per_screen examples", COUNT)
    requests_per_screen: int = setting(3, "the paper wrote three queries per boxed entity", AT_LEAST_ONE)
    source: str = setting("render", "render: drawn screens with exact truth; images: your screenshots",
                          one_of("render", "images"))
    images: Optional[str] = setting(None, "folder of screenshots for source=images (screen.images=shots/)")
    max_pixels: int = setting(40000000, "larger images are skipped and counted", AT_LEAST_ONE)
    min_words: int = setting(3, "a screen where OCR finds fewer words is skipped and counted (no_text) rather than "
                             "made into requests about nothing", COUNT)
    families: List[str] = setting([], "[] = every family in templates/screens (screen.families=[contact_page])")
    previews: int = setting(24, "screens drawn with truth/OCR/detection boxes into previews/: the first of each "
                            "family on each device (screenshots: the first ones), at most this many", COUNT)
    render: RenderSettings = group(RenderSettings, "how screens are drawn (Pillow)")
    ocr: OcrSettings = group(OcrSettings, "Tesseract")
    lines: LineSettings = group(LineSettings, "words -> lines -> elements (the onscreen parse)")
    detect: DetectSettings = group(DetectSettings, "entity detectors on the OCR text")
    align: AlignSettings = group(AlignSettings, "matching detections to rendered entities (the targets of requests)")
    mix: ScreenMix = group(ScreenMix, "share of screen requests per kind, must sum to 1")
    splits: Optional[OwnSplits] = group(OwnSplits, OWN_SPLITS_HELP)

    def problems(self) -> Iterable[Tuple[str, Any, str]]:
        if self.source == "images" and not self.images:
            yield "images", self.images, "a folder of screenshots (with screen.source=images)"


@dataclass
class PromptConfig(Settings):
    instruction: str = setting(
        "Select which among the following entities, if any, are required to understand "
        "the user request below. Output 0 if none of the entities are relevant.", "the instruction the prompt opens with")
    shuffle: bool = setting(True, "shuffle candidates per example (seeded) before numbering them")


@dataclass
class OutputConfig(Settings):
    dir: Optional[str] = setting("${hydra:runtime.output_dir}/dataset",
                                 "dataset folder; by default <hydra run dir>/dataset (output.dir=/data/realm)")
    row_group_size: int = setting(10000, "rows per Parquet row group (memory per split while writing)", AT_LEAST_ONE)
    rows_per_file: int = setting(1000000, "rows per part file; a split rolls over to -00001-of-... after that",
                                 AT_LEAST_ONE)
    compression: str = setting("zstd", "Parquet codec", one_of("zstd", "snappy", "gzip", "none"))
    messages: bool = setting(False, "output.messages=true adds a chat column `messages` (the prompt as the user "
                             "turn, the target as the assistant turn) for chat fine-tuning tools; prompt/target stay")
    checkpoint_seconds: float = setting(30.0, "journal finished items this often under DIR/.partial (0 = every "
                                        "item): the same command (same output.dir) after a kill goes on where it "
                                        "stopped, to the same bytes", number(0, what="seconds"))


@dataclass
class ShardConfig(Settings):
    index: int = setting(0, "which shard this run makes (0-based); e.g. -m shard.count=4 shard.index=0,1,2,3", COUNT)
    count: int = setting(1, "shards the items are cut into; join them with: python -m datagen merge DIR...",
                         AT_LEAST_ONE)

    def problems(self) -> Iterable[Tuple[str, Any, str]]:
        if not self.index < self.count:
            yield "index", self.index, f"0..{self.count - 1} (shard.count={self.count})"


@dataclass
class Config(Settings):
    recipe: Optional[str] = setting(None, "set by +recipe=NAME (screen, conversational, synthetic, unseen, text, "
                                    "realm)")
    subsets: List[str] = setting([], "set by the recipe: which subsets to generate",
                                 Accepts(lambda v: set(v) <= set(SUBSETS), "a list of " + ", ".join(SUBSETS)))
    seed: int = setting(0, "every random draw derives from it; same seed + config -> same bytes (seed=7)",
                        Accepts(lambda v: isinstance(v, int) and not isinstance(v, bool) and -(2 ** 63) <= v < 2 ** 63,
                                "a 64-bit integer (-2**63 .. 2**63-1)"))
    locale: str = setting("en_US", "Faker locale of the entities (locale=en_GB, de_DE, fr_FR, ...)")
    strict: bool = setting(False, "strict=true: an item that cannot be made stops the run instead of being skipped")
    workers: int = setting(0, "processes for the screen subset (OCR-bound); 0 = one per core; same bytes for any "
                           "value", number(0, what="an integer (0 = one per core)"))
    progress: bool = setting(True, "progress per subset (a bar on a terminal, log lines otherwise)")
    entities: EntitiesConfig = group(EntitiesConfig, "entity pools")
    splits: SplitsConfig = group(SplitsConfig, "share of groups per split, must sum to 1")
    conversational: ConversationalConfig = group(ConversationalConfig, "a shown list and a request that picks from it")
    synthetic: SyntheticConfig = group(SyntheticConfig, "ReALM's language templates + slot list")
    unseen: UnseenConfig = group(UnseenConfig, "conversational requests from a held-out domain")
    screen: ScreenConfig = group(ScreenConfig, "rendered screens (or screenshots) read back by Tesseract")
    prompt: PromptConfig = group(PromptConfig, "the model input")
    output: OutputConfig = group(OutputConfig, "the dataset folder and its Parquet layout")
    shard: ShardConfig = group(ShardConfig, "one contiguous slice of every subset's items")

    def problems(self) -> Iterable[Tuple[str, Any, str]]:
        if not self.recipe:
            yield "recipe", self.recipe, "+recipe=NAME"
        for sub in self.subsets:  # a subset the recipe generates must make something (not an empty dataset)
            size = getattr(getattr(self, sub, None), "size", None)
            if size is not None and size < 1:
                yield f"{sub}.size", size, f"at least 1 (+recipe={self.recipe} generates {sub})"
        for sub in SUBSETS:
            own = getattr(getattr(self, sub), "splits", None)
            mine = [getattr(own, f.name) for f in fields(own)] if own is not None else []
            if any(v is not None for v in mine) and all(map(OWN_SHARE, mine)):  # a bad share: named by check_tree
                shares = split_shares(self, sub)
                total = sum(shares.values())
                if abs(total - 1.0) > Shares.TOLERANCE:
                    yield f"{sub}.splits", shares, (f"shares summing to 1 (they sum to {total:g}; a null share "
                                                    "is the top-level one)")


def register_configs() -> None:
    """Register the schema with Hydra's ConfigStore (the one place it is named)."""
    ConfigStore.instance().store(name="schema", node=Config)


def load(cfg: DictConfig) -> Config:
    """The composed config as schema objects, every value checked; UserError naming the first bad key.

    Outside a Hydra run (compose() in tests and the CLI's preflight) the default output.dir, the
    Hydra run dir, does not exist yet: it loads as None."""
    try:
        cfg.output.dir
    except InterpolationResolutionError:
        cfg = copy.deepcopy(cfg)
        cfg.output.dir = None
    try:
        settings = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as e:
        key = getattr(e, "full_key", "") or ""
        raise UserError(f"{key + ': ' if key else ''}{str(e).splitlines()[0]}") from None
    if not settings.recipe:
        raise UserError("no recipe given")
    check_tree(settings)
    return settings


def validate(cfg: DictConfig) -> None:
    """Refuse bad values before any work starts; raises UserError naming the key."""
    load(cfg)


def shard_range(n_items: int, index: int, count: int) -> range:
    """The items of one shard: a contiguous slice, so shards joined in order give the unsharded order."""
    return range(n_items * index // count, n_items * (index + 1) // count)


def split_shares(settings: Config, subset: str) -> Dict[str, float]:
    """The split shares a subset uses: each its own where set, else the top-level one."""
    own = getattr(getattr(settings, subset), "splits", None)
    mine = {f.name: getattr(own, f.name) for f in fields(own)} if own is not None else {}
    return {f.name: mine[f.name] if mine.get(f.name) is not None else getattr(settings.splits, f.name)
            for f in fields(settings.splits)}


__all__ = ["Config", "register_configs", "load", "validate", "SUBSETS", "SPLITS", "shard_range", "split_shares"]
