"""run(cfg): the whole job as a plain function (the CLI is a thin Hydra wrapper around it).

    settings = config.load(cfg)             every value checked before any work
    generators(settings, ...)               one SubsetGenerator per subset (datagen/generator.py)
    for each subset: journal replay, then items -> Batches -> journal chunk + Sink
    sink.finish(...)                        Parquet files, card, stats.json
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import platform
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Dict, Iterable, List

from omegaconf import DictConfig, OmegaConf

from datagen import conversational, synthetic
from datagen.baselines import Scoreboard, load_intents
from datagen.config import SUBSETS, Config, load, shard_range, split_shares
from datagen.entities import Pools, check_locale, shared_pools
from datagen.errors import UserError
from datagen.generator import ItemResult, SubsetGenerator
from datagen.journal import Chunk, ChunkWriter, Journal, fingerprint
from datagen.outdir import OutputFolder
from datagen.parallel import effective_workers, items
from datagen.prompt import to_row
from datagen.screen.table import SCREEN_ROW_GROUP, SCREEN_SCHEMA, screens_table
from datagen.seeding import derive
from datagen.sink import Sink, subset_entry
from datagen.splits import assign
from datagen.templates import templates_dir
from datagen.writer import EXAMPLE_SCHEMA, examples_table, journal_schema, with_split

log = logging.getLogger("datagen")
VERSIONED = ("datagen", "faker", "phonenumbers", "pyap", "pyarrow", "hydra-core")
MAX_LISTED_SKIPS = 1000  # skipped items listed one by one in stats.json (all are counted)
JOURNAL_BATCH = 2000  # example rows turned into one Arrow table at a time (bounds the Python rows held)


def versions() -> Dict[str, str]:
    out = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def progress(results: Iterable[Any], total: int, label: str, enabled: bool, initial: int = 0) -> Iterable[Any]:
    """A tqdm bar on a terminal; plain log lines (every 10 %) otherwise. `initial` items were done before."""
    if enabled and sys.stderr.isatty():
        from tqdm import tqdm

        yield from tqdm(results, total=total, initial=initial, desc=label, unit="item", dynamic_ncols=True)
        return
    step = max(1, total // 10)
    start = time.perf_counter()
    for k, i in enumerate(results, 1):
        yield i
        done = initial + k
        if enabled and (done % step == 0 or done == total):
            rate = k / max(time.perf_counter() - start, 1e-9)
            log.info("%s: %d/%d items (%.1f/s, ETA %.0f s)", label, done, total, rate, (total - done) / rate)


def generators(settings: Config, folder: Path, pools: Pools) -> Dict[str, SubsetGenerator]:
    """One generator per subset of the recipe, in SUBSETS order (the order they are made and written in)."""
    subsets = [s for s in SUBSETS if s in settings.subsets]
    gens: Dict[str, SubsetGenerator] = {}
    held_out = settings.unseen.domain if "unseen" in subsets else None
    conv_t = None
    if {"conversational", "unseen"} & set(subsets):
        conv_t = conversational.load(folder, pools)
        if held_out and held_out not in conv_t.domains:
            raise UserError(f"unseen.domain={held_out!r}: not a conversational domain (known: {', '.join(sorted(conv_t.domains))})")
    if "conversational" in subsets:
        c = settings.conversational
        domains = list(c.domains) or [d for d in conv_t.domains if d != held_out]
        if held_out in domains:
            raise UserError(f"conversational.domains: {held_out!r} is the held-out unseen.domain")
        gens["conversational"] = conversational.ConversationalGenerator(conv_t, pools, "conversational", domains, c)
    if "synthetic" in subsets:
        excluded_types = conv_t.domains[held_out].types if held_out else []
        gens["synthetic"] = synthetic.SyntheticGenerator(synthetic.load(folder, pools), pools, settings.synthetic,
                                                         excluded_types, [held_out] if held_out else [])
    if "screen" in subsets:
        gens["screen"] = _screen_generator(settings, folder, pools)
    if "unseen" in subsets:
        u = settings.unseen  # the conversational settings, with the unseen size and list length, one request per list
        unseen = dataclasses.replace(settings.conversational, size=u.size, min_candidates=u.min_candidates,
                                     max_candidates=u.max_candidates, requests_per_list=1)
        gens["unseen"] = conversational.ConversationalGenerator(conv_t, pools, "unseen", [held_out], unseen)
    return gens


def _screen_generator(settings: Config, folder: Path, pools: Pools) -> SubsetGenerator:
    from datagen.screen import requests
    from datagen.screen.families import load_families
    from datagen.screen.ocr import Ocr
    from datagen.screen.ocr_cache import make_ocr
    from datagen.screen.pipeline import ScreenGenerator
    from datagen.screen.source import list_images

    sc = dataclasses.replace(settings.screen, detect=settings.screen.detect.for_locale(settings.locale))
    families = load_families(folder, pools)
    chosen = list(sc.families) or sorted(families)
    for name in chosen:
        if name not in families:
            raise UserError(f"screen.families: unknown family '{name}' (known: {', '.join(sorted(families))})")
    ocr = make_ocr(Ocr(sc.ocr), sc.ocr.cache)
    images = list_images(sc.images) if sc.source == "images" else None
    return ScreenGenerator(pools, ocr, requests.load(folder), [families[n] for n in chosen], sc, images)


def run(cfg: DictConfig) -> Dict[str, Any]:
    """Generate the dataset the config describes; returns the statistics written to stats.json."""
    started = time.perf_counter()
    settings = load(cfg)
    check_locale(settings.locale)
    if not settings.output.dir:
        raise UserError("output.dir is not set (the CLI sets it to <hydra run dir>/dataset)")
    out = Path(settings.output.dir).expanduser().resolve()
    folder = templates_dir(settings.entities.templates)
    pools = shared_pools(folder, settings.locale, int(settings.seed), int(settings.entities.pool_size))
    gens = generators(settings, folder, pools)
    board = Scoreboard(load_intents(folder, list(pools.types)))  # every template file is read before anything is written
    for name in pools.types:  # build every pool now, then keep the collector off them
        pools.pool(name)
    gc.collect()
    gc.freeze()  # the pools live for the whole run; sparing them from every collection is faster
    try:
        with OutputFolder(out, "output.dir"):
            return _generate(cfg, settings, out, pools, gens, board, started)
    finally:
        gc.unfreeze()


def _generate(cfg: DictConfig, settings: Config, out: Path, pools: Pools, gens: Dict[str, SubsetGenerator],
              board: Scoreboard, started: float) -> Dict[str, Any]:
    resolved = OmegaConf.to_container(cfg, resolve=True)
    journal = Journal(out, fingerprint(resolved, versions()["datagen"]))
    sink = Sink(out, settings.output, list(gens), board, "screen" in gens, settings.screen.previews)
    sub_stats: Dict[str, Dict[str, Any]] = {}
    skipped: List[Dict[str, Any]] = []
    timing: Dict[str, float] = {}
    resumed: Dict[str, int] = {}
    for subset, gen in gens.items():
        t0 = time.perf_counter()
        mine = shard_range(gen.n_items, settings.shard.index, settings.shard.count)
        chunks = journal.finished(subset, mine)
        for chunk in chunks:  # what a killed run already made, fed to the writers as it was then
            for table in journal.read(chunk, "data"):
                sink.examples(subset, table)
            for table in journal.read(chunk, "screens"):
                sink.screen_rows(table)
        start = chunks[-1].end if chunks else mine.start
        resumed[subset] = start - mine.start
        if chunks:
            log.info("%s: %d of %d items were made by an earlier run (%s); going on from item %d",
                     subset, start - mine.start, len(mine), journal.dir, start)
        workers = effective_workers(settings.workers) if subset == "screen" else 1
        chunks += _make(settings, gen, range(start, mine.stop), workers, journal, sink, len(mine))
        timing[subset] = round(time.perf_counter() - t0, 3)
        total = Chunk.total(subset, chunks)
        skipped += total.skipped_items[:MAX_LISTED_SKIPS - len(skipped)]
        sub_stats[subset] = subset_entry(sink, subset, len(mine), total, workers, gen.describe())
    head = {"recipe": settings.recipe, "seed": settings.seed, "locale": settings.locale,
            "shard": {"index": settings.shard.index, "count": settings.shard.count},
            "pools": pools.sizes(), "versions": versions()}
    command = " ".join(["python -m datagen", *_overrides(settings)])
    timing["total"] = round(time.perf_counter() - started, 3)
    stats = sink.finish(head, sub_stats, skipped, command, OmegaConf.to_yaml(cfg, resolve=True), {
        "timing_seconds": timing,
        "resumed_items": resumed,  # items per subset taken from the journal of a killed run, not made again
        "config": resolved,
    })
    journal.remove()
    log.info("wrote %s: %s", out, ", ".join(f"{s} {n}" for s, n in sink.data.counts.items()))
    return stats


class Batches:
    """Item results of one subset on their way out: rows buffered into Arrow tables, written to the
    current journal chunk and to the sink; `cut` closes the chunk (journaled) and starts the next."""

    def __init__(self, settings: Config, gen: SubsetGenerator, journal: Journal, sink: Sink, start: int):
        self.settings, self.gen, self.journal, self.sink = settings, gen, journal, sink
        self.subset = gen.subset
        self.ratios = split_shares(settings, self.subset)
        self.batch = min(settings.output.row_group_size, JOURNAL_BATCH)
        self.schemas = {"data": journal_schema(EXAMPLE_SCHEMA), "screens": journal_schema(SCREEN_SCHEMA)}
        self.rows: List[dict] = []
        self.row_splits: List[str] = []
        self.screens: List[dict] = []
        self.screen_splits: List[str] = []
        self.chunk: ChunkWriter = journal.writer(self.subset, start, self.schemas)

    def add(self, res: ItemResult) -> None:
        """One item's result: counted in the chunk, its rows (or its skip) recorded."""
        seed, c = self.settings.seed, self.chunk.chunk
        c.item_seconds += res.seconds
        c.ocr_seconds += res.ocr_seconds
        for k, v in res.counts.items():
            c.counts[k] = c.counts.get(k, 0) + v
        reason = res.skip_reason
        if reason is not None:
            where = self.gen.where(res.index)
            if self.settings.strict:
                raise UserError(f"{self.subset} {where}: {reason.detail or reason.reason} (strict=true)")
            c.skip(self.subset, where, reason, MAX_LISTED_SKIPS)
        else:
            c.redraws += res.redraws
            for srow in res.screens:
                self.screens.append(srow)
                self.screen_splits.append(assign(srow["screen_id"], self.subset, seed, self.ratios))
            limit, per = self.gen.max_examples, self.gen.per_item
            room = len(res.examples) if limit is None else max(0, limit - res.index * per)
            instruction, shuffle = self.settings.prompt.instruction, self.settings.prompt.shuffle
            for k, ex in enumerate(res.examples[:room]):
                self.rows.append(to_row(ex, derive(seed, self.subset, res.index, "shuffle", k), instruction, shuffle))
                self.row_splits.append(assign(ex.group, self.subset, seed, self.ratios))
        if len(self.rows) >= self.batch or len(self.screens) >= SCREEN_ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        """Buffered rows as tables into the chunk and the sink."""
        if self.rows:
            table = with_split(examples_table(self.rows), self.row_splits)
            self.chunk.write("data", table)
            self.sink.examples(self.subset, table)
            self.rows, self.row_splits = [], []
        if self.screens:
            table = with_split(screens_table(self.screens), self.screen_splits)
            self.chunk.write("screens", table)
            self.sink.screen_rows(table)
            self.screens, self.screen_splits = [], []

    def cut(self, end: int) -> Chunk:
        """Journal the chunk of items before `end`; the next chunk starts there."""
        self.flush()
        done = self.chunk.finish(end)
        self.chunk = self.journal.writer(self.subset, end, self.schemas)
        return done


def _make(settings: Config, gen: SubsetGenerator, todo: range, workers: int, journal: Journal, sink: Sink,
          total: int) -> List[Chunk]:
    """Make items `todo` of a subset into the sink, journaling a chunk every output.checkpoint_seconds."""
    batches = Batches(settings, gen, journal, sink, todo.start)
    every = settings.output.checkpoint_seconds
    made: List[Chunk] = []
    since = time.perf_counter()
    results = items(gen, settings.seed, todo, workers)
    for res in progress(results, total, gen.subset, settings.progress, initial=total - len(todo)):
        batches.add(res)
        if res.index == todo.stop - 1 or time.perf_counter() - since >= every:
            made.append(batches.cut(res.index + 1))
            since = time.perf_counter()
    return made


def _overrides(settings: Config) -> List[str]:
    """The command-line overrides of this run when launched through Hydra, else the recipe."""
    try:
        from hydra.core.hydra_config import HydraConfig

        return list(HydraConfig.get().overrides.task)
    except (ValueError, ImportError):
        return [f"+recipe={settings.recipe}"]
