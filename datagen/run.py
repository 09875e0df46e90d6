"""run(cfg): the whole job as a plain function (the CLI is a thin Hydra wrapper around it)."""

from __future__ import annotations

import gc
import logging
import math
import platform
import sys
import time
from collections import Counter
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Dict, Iterable, List

from omegaconf import DictConfig, OmegaConf

from datagen import card, conversational, synthetic
from datagen.baselines import Scoreboard, load_intents
from datagen.journal import Chunk, Journal, fingerprint
from datagen.sink import Sink
from datagen.config import SUBSETS, shard_range, split_shares, validate
from datagen.entities import Pools, check_locale, shared_pools
from datagen.errors import UserError
from datagen.screen.stats import lines_settings
from datagen.parallel import effective_workers, items
from datagen.prompt import to_row
from datagen.seeding import rng
from datagen.splits import assign
from datagen.templates import templates_dir
from datagen.stats import subset_summary
from datagen.writer import (EXAMPLE_SCHEMA, SCREEN_ROW_GROUP, SCREEN_SCHEMA, examples_table, journal_schema,
                            screens_table, with_split, write_json_atomic, write_text_atomic)

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


def progress(items: Iterable[Any], total: int, label: str, enabled: bool, initial: int = 0) -> Iterable[Any]:
    """A tqdm bar on a terminal; plain log lines (every 10 %) otherwise. `initial` items were done before."""
    if enabled and sys.stderr.isatty():
        from tqdm import tqdm

        yield from tqdm(items, total=total, initial=initial, desc=label, unit="item", dynamic_ncols=True)
        return
    step = max(1, total // 10)
    start = time.perf_counter()
    for k, i in enumerate(items, 1):
        yield i
        done = initial + k
        if enabled and (done % step == 0 or done == total):
            rate = k / max(time.perf_counter() - start, 1e-9)
            log.info("%s: %d/%d items (%.1f/s, ETA %.0f s)", label, done, total, rate, (total - done) / rate)


def _generators(cfg: DictConfig, folder: Path, pools: Pools) -> Dict[str, Any]:
    subsets = [s for s in SUBSETS if s in cfg.subsets]
    gens: Dict[str, Any] = {}
    held_out = cfg.unseen.domain if "unseen" in subsets else None
    conv_t = None
    if {"conversational", "unseen"} & set(subsets) or held_out:
        conv_t = conversational.load(folder, pools)
        if held_out and held_out not in conv_t.domains:
            raise UserError(f"unseen.domain={held_out!r}: not a conversational domain (known: {', '.join(sorted(conv_t.domains))})")
    mix = dict(cfg.conversational.mix)
    if "conversational" in subsets:
        c = cfg.conversational
        domains = list(c.domains) or [d for d in conv_t.domains if d != held_out]
        if held_out in domains:
            raise UserError(f"conversational.domains: {held_out!r} is the held-out unseen.domain")
        gens["conversational"] = conversational.Generator(conv_t, pools, "conversational", domains, mix,
                                                          c.min_candidates, c.max_candidates, c.requests_per_list,
                                                          c.max_redraws)
    if "synthetic" in subsets:
        s = cfg.synthetic
        excluded_types = conv_t.domains[held_out].types if held_out else []
        gens["synthetic"] = synthetic.Generator(synthetic.load(folder, pools), pools, s.min_negatives, s.max_negatives,
                                                s.max_redraws, excluded_types, [held_out] if held_out else [])
    if "screen" in subsets:
        gens["screen"] = _screen_generator(cfg, folder, pools)
    if "unseen" in subsets:
        u = cfg.unseen
        gens["unseen"] = conversational.Generator(conv_t, pools, "unseen", [held_out], mix, u.min_candidates,
                                                  u.max_candidates, 1, cfg.conversational.max_redraws)
    return gens


def _screen_generator(cfg: DictConfig, folder: Path, pools: Pools):
    from datagen.screen import requests
    from datagen.screen.detect import DetectSettings
    from datagen.screen.families import load_families
    from datagen.screen.ocr import Ocr, OcrSettings
    from datagen.screen.ocr_cache import make_ocr
    from datagen.screen.pipeline import LineSettings, ScreenGenerator, ScreenSettings
    from datagen.screen.render import RenderSettings
    from datagen.screen.source import list_images

    sc = cfg.screen
    families = load_families(folder, pools)
    chosen = list(sc.families) or sorted(families)
    for name in chosen:
        if name not in families:
            raise UserError(f"screen.families: unknown family '{name}' (known: {', '.join(sorted(families))})")
    r = sc.render
    render = RenderSettings(r.width, r.height, r.scale, tuple(r.base_size), tuple(r.line_spacing), tuple(r.fonts),
                            tuple(r.themes), r.noise, r.blur, r.jpeg_quality)
    try:
        detect = DetectSettings(tuple(sc.detect.regions), sc.detect.leniency, sc.detect.address_country,
                                tuple(sc.detect.types))
    except UserError as e:
        raise UserError(f"screen.detect: {e}") from None
    o = sc.ocr
    ocr = make_ocr(Ocr(OcrSettings(psm=o.psm, oem=o.oem, lang=o.lang, tesseract=o.tesseract, min_conf=o.min_conf,
                                   extra_config=o.extra_config)), o.cache)
    ln = sc.lines
    settings = ScreenSettings([families[n] for n in chosen], render, detect,
                              LineSettings(ln.mode, ln.margin, ln.unit, ln.reference, ln.word_gap),
                              sc.align.min_overlap, sc.align.min_similarity, sc.requests_per_screen, dict(sc.mix))
    images = list_images(sc.images) if sc.source == "images" else None
    return ScreenGenerator(pools, ocr, requests.load(folder), settings, images, sc.max_pixels)


def _per_item(cfg: DictConfig, subset: str) -> int:
    if subset == "screen":
        return cfg.screen.requests_per_screen
    return cfg.conversational.requests_per_list if subset == "conversational" else 1


def _n_items(cfg: DictConfig, subset: str, gen: Any) -> int:
    """Items of a subset: screens for screen (every file for screen.source=images), else lists/templates."""
    if subset == "screen":
        return len(gen.images) if gen.images is not None else int(cfg.screen.size)
    return math.ceil(int(cfg[subset].size) / _per_item(cfg, subset))


def run(cfg: DictConfig) -> Dict[str, Any]:
    """Generate the dataset the config describes; returns the statistics written to stats.json."""
    started = time.perf_counter()
    validate(cfg)
    check_locale(cfg.locale)
    if not cfg.output.dir:
        raise UserError("output.dir is not set (the CLI sets it to <hydra run dir>/dataset)")
    out = Path(cfg.output.dir).expanduser().resolve()
    folder = templates_dir(cfg.entities.templates)
    pools = shared_pools(folder, cfg.locale, int(cfg.seed), int(cfg.entities.pool_size))
    gens = _generators(cfg, folder, pools)
    for name in pools.types:  # build every pool now, then keep the collector off them
        pools.pool(name)
    gc.collect()
    gc.freeze()  # the pools live for the whole run; sparing them from every collection is faster
    try:
        return _generate(cfg, out, pools, gens, folder, started)
    finally:
        gc.unfreeze()


def _generate(cfg: DictConfig, out: Path, pools: Pools, gens: Dict[str, Any], folder: Path, started: float) -> Dict[str, Any]:
    journal = Journal(out, fingerprint(OmegaConf.to_container(cfg, resolve=True), versions()["datagen"]))
    sink = Sink(out, cfg.output, list(gens), Scoreboard(load_intents(folder, list(pools.types))), "screen" in gens,
                int(cfg.screen.previews))
    sub_stats: Dict[str, Dict[str, Any]] = {}
    skipped: List[Dict[str, Any]] = []
    timing: Dict[str, float] = {}
    resumed: Dict[str, int] = {}
    for subset, gen in gens.items():
        t0 = time.perf_counter()
        mine = shard_range(_n_items(cfg, subset, gen), int(cfg.shard.index), int(cfg.shard.count))
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
        workers = effective_workers(int(cfg.workers)) if subset == "screen" else 1
        chunks += _make(cfg, subset, gen, range(start, mine.stop), workers, journal, sink, len(mine))
        timing[subset] = round(time.perf_counter() - t0, 3)
        reasons: Counter = Counter()
        counts: Counter = Counter()
        for c in chunks:
            reasons.update(c.skipped_by_reason)
            counts.update(c.counts)
            skipped += c.skipped_items[:MAX_LISTED_SKIPS - len(skipped)]
        sub_stats[subset] = subset_summary(sink.counts[subset], len(mine), sum(c.skipped for c in chunks),
                                           sum(c.redraws for c in chunks), reasons)
        if subset == "screen":
            sub_stats[subset]["screen"] = sink.screen_stats.summary(
                lines_settings(gen.s.lines), gen.ocr.engine, counts, sum(c.ocr_seconds for c in chunks),
                sum(c.item_seconds for c in chunks), workers)
    written = sink.close()
    files, screen_files = written["data"], written["screens"]
    for sub, acc in sink.board.accuracy().items():
        sub_stats[sub]["baselines"] = acc
    for sub in sub_stats:
        sub_stats[sub].setdefault("baselines", {"first": 0.0, "type": 0.0})
    screens = sink.screens
    stats = {
        "recipe": cfg.recipe, "seed": cfg.seed, "locale": cfg.locale,
        "shard": {"index": int(cfg.shard.index), "count": int(cfg.shard.count)},
        "splits": sink.data.counts, "split_bytes": sink.data.nbytes, "files": files, "subsets": sub_stats,
        "screens": {"splits": screens.counts, "split_bytes": screens.nbytes, "files": screen_files} if screens else None,
        "skipped": {"count": sum(s["skipped"] for s in sub_stats.values()), "items": skipped},
        "pools": pools.sizes(),
        "versions": versions(),
    }
    config_yaml = OmegaConf.to_yaml(cfg, resolve=True)
    command = " ".join(["python -m datagen", *_overrides(cfg)])
    write_text_atomic(out / "README.md", card.render(EXAMPLE_SCHEMA, files, stats, command, config_yaml))
    timing["total"] = round(time.perf_counter() - started, 3)
    stats["timing_seconds"] = timing
    stats["resumed_items"] = resumed  # items per subset taken from the journal of a killed run, not made again
    stats["config"] = OmegaConf.to_container(cfg, resolve=True)
    stats["command"] = command
    write_json_atomic(out / "stats.json", stats)
    journal.remove()
    log.info("wrote %s: %s", out, ", ".join(f"{s} {n}" for s, n in sink.data.counts.items()))
    return stats


def _make(cfg: DictConfig, subset: str, gen: Any, todo: range, workers: int, journal: Journal, sink: Sink,
          total: int) -> List[Chunk]:
    """Make items `todo` of a subset into the sink, journaling a chunk every output.checkpoint_seconds."""
    seed, strict = int(cfg.seed), bool(cfg.strict)
    instruction, shuffle = str(cfg.prompt.instruction), bool(cfg.prompt.shuffle)
    limit = None if subset == "screen" else int(cfg[subset].size)
    per = _per_item(cfg, subset)
    ratios = split_shares(cfg, subset)
    every = float(cfg.output.checkpoint_seconds)
    batch = min(int(cfg.output.row_group_size), JOURNAL_BATCH)
    schemas = {"data": journal_schema(EXAMPLE_SCHEMA), "screens": journal_schema(SCREEN_SCHEMA)}
    rows: List[dict] = []
    row_splits: List[str] = []
    screens: List[dict] = []
    screen_splits: List[str] = []

    def flush() -> None:
        if rows:
            table = with_split(examples_table(rows), row_splits)
            chunk.write("data", table)
            sink.examples(subset, table)
            rows.clear()
            row_splits.clear()
        if screens:
            table = with_split(screens_table(screens), screen_splits)
            chunk.write("screens", table)
            sink.screen_rows(table)
            screens.clear()
            screen_splits.clear()

    made: List[Chunk] = []
    chunk = journal.writer(subset, todo.start, schemas)
    since = time.perf_counter()
    for res in progress(items(gen, seed, todo, workers), total, subset, cfg.progress, initial=total - len(todo)):
        i, examples, c = res.index, res.examples, chunk.chunk
        c.item_seconds += res.seconds
        c.ocr_seconds += res.ocr_seconds
        for k, v in res.counts.items():
            c.counts[k] = c.counts.get(k, 0) + v
        reason = detail = None
        if res.error is not None:
            reason, detail = res.error.reason, res.error.detail
        elif not examples and subset != "screen":
            reason, detail = "no_unambiguous_request", f"no unambiguous request in {res.redraws} draws"
        if reason is not None:
            where = str(gen.images[i]) if getattr(gen, "images", None) is not None else f"item {i}"
            if strict:
                raise UserError(f"{subset} {where}: {detail or reason} (strict=true)")
            c.skipped += 1
            c.skipped_by_reason[reason] = c.skipped_by_reason.get(reason, 0) + 1
            if len(c.skipped_items) < MAX_LISTED_SKIPS:
                c.skipped_items.append({"subset": subset, "item": where, "reason": reason, "detail": detail})
        else:
            c.redraws += res.redraws
            for srow in res.screens:
                screens.append(srow)
                screen_splits.append(assign(srow["screen_id"], subset, seed, ratios))
            room = len(examples) if limit is None else max(0, limit - i * per)
            for k, ex in enumerate(examples[:room]):
                rows.append(to_row(ex, rng(seed, subset, i, "shuffle", k), instruction, shuffle))
                row_splits.append(assign(ex.group, subset, seed, ratios))
        if len(rows) >= batch or len(screens) >= SCREEN_ROW_GROUP:
            flush()
        if i == todo.stop - 1 or time.perf_counter() - since >= every:
            flush()
            made.append(chunk.finish(i + 1))
            chunk = journal.writer(subset, i + 1, schemas)
            since = time.perf_counter()
    return made


def _overrides(cfg: DictConfig) -> List[str]:
    """The command-line overrides of this run when launched through Hydra, else the recipe."""
    try:
        from hydra.core.hydra_config import HydraConfig

        return list(HydraConfig.get().overrides.task)
    except (ValueError, ImportError):
        return [f"+recipe={cfg.recipe}"]
