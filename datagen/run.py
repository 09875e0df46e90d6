"""run(cfg): the whole job as a plain function (the CLI is a thin Hydra wrapper around it)."""

from __future__ import annotations

import gc
import logging
import math
import platform
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Dict, Iterable, List

from omegaconf import DictConfig, OmegaConf

from datagen import card, conversational, synthetic
from datagen.baselines import Scoreboard, load_intents
from datagen.config import SUBSETS, shard_range, split_shares, validate
from datagen.entities import Pools, check_locale
from datagen.errors import UserError
from datagen.screen.stats import ScreenStats, lines_settings
from datagen.parallel import effective_workers, items
from datagen.prompt import to_row
from datagen.seeding import rng
from datagen.splits import assign
from datagen.templates import templates_dir
from datagen.stats import count_row, new_counts, subset_summary
from datagen.writer import (EXAMPLE_SCHEMA, SCREEN_ROW_GROUP, SCREEN_SCHEMA, DatasetWriter, screens_table, write_json_atomic,
                            write_text_atomic)

log = logging.getLogger("datagen")
VERSIONED = ("datagen", "faker", "phonenumbers", "pyap", "pyarrow", "hydra-core")
MAX_LISTED_SKIPS = 1000  # skipped items listed one by one in stats.json (all are counted)


def versions() -> Dict[str, str]:
    out = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def progress(items: Iterable[Any], total: int, label: str, enabled: bool) -> Iterable[Any]:
    """A tqdm bar on a terminal; plain log lines (every 10 %) otherwise."""
    if enabled and sys.stderr.isatty():
        from tqdm import tqdm

        yield from tqdm(items, total=total, desc=label, unit="item", dynamic_ncols=True)
        return
    step = max(1, total // 10)
    start = time.perf_counter()
    for k, i in enumerate(items, 1):
        yield i
        if enabled and (k % step == 0 or k == total):
            rate = k / max(time.perf_counter() - start, 1e-9)
            log.info("%s: %d/%d items (%.1f/s, ETA %.0f s)", label, k, total, rate, (total - k) / rate)


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
    pools = Pools(folder, cfg.locale, cfg.seed, cfg.entities.pool_size)
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
    board = Scoreboard(load_intents(folder, list(pools.types)))
    writer = DatasetWriter(out, cfg.output.row_group_size, cfg.output.rows_per_file, cfg.output.compression)
    seed, strict = int(cfg.seed), bool(cfg.strict)
    instruction, shuffle = str(cfg.prompt.instruction), bool(cfg.prompt.shuffle)
    sub_stats: Dict[str, Dict[str, Any]] = {}
    skipped: List[Dict[str, Any]] = []
    timing: Dict[str, float] = {}
    screens = None
    if "screen" in gens:
        screens = DatasetWriter(out, min(cfg.output.row_group_size, SCREEN_ROW_GROUP), cfg.output.rows_per_file,
                                cfg.output.compression, "screens", SCREEN_SCHEMA, screens_table)
    screen_stats = ScreenStats(out / "previews", int(cfg.screen.previews))
    for subset, gen in gens.items():
        t0 = time.perf_counter()
        n_items = _n_items(cfg, subset, gen)
        limit = None if subset == "screen" else int(cfg[subset].size)
        per = _per_item(cfg, subset)
        counts = new_counts()
        redraws = n_skipped = 0
        item_seconds = 0.0
        ratios = split_shares(cfg, subset)
        workers = effective_workers(int(cfg.workers)) if subset == "screen" else 1
        mine = shard_range(n_items, int(cfg.shard.index), int(cfg.shard.count))
        for res in progress(items(gen, seed, mine, workers), len(mine), subset, cfg.progress):
            i, examples, r = res.index, res.examples, res.redraws
            item_seconds += res.seconds
            if res.error is not None:
                e = res.error
                where = str(gen.images[i]) if getattr(gen, "images", None) is not None else f"item {i}"
                if strict:
                    raise UserError(f"{subset} {where}: {e} (strict=true)")
                n_skipped += 1
                counts["skipped"][e.reason] += 1
                if len(skipped) < MAX_LISTED_SKIPS:
                    skipped.append({"subset": subset, "item": where, "reason": e.reason, "detail": e.detail})
                continue
            redraws += r
            for srow in res.screens:
                screens.add(assign(srow["screen_id"], subset, seed, ratios), srow)
                screen_stats.add(srow)
            if not examples:
                if subset != "screen":
                    n_skipped += 1
                    reason = f"no unambiguous request in {r} draws"
                    if strict:
                        raise UserError(f"{subset} item {i}: {reason} (strict=true)")
                    if len(skipped) < MAX_LISTED_SKIPS:
                        skipped.append({"subset": subset, "item": i, "reason": reason})
                continue
            room = len(examples) if limit is None else max(0, limit - i * per)
            for k, ex in enumerate(examples[:room]):
                row = to_row(ex, rng(seed, subset, i, "shuffle", k), instruction, shuffle)
                split = assign(ex.group, subset, seed, ratios)
                writer.add(split, row)
                board.add(row)
                count_row(counts, split, ex.reference, ex.domain, len(ex.targets))
        timing[subset] = round(time.perf_counter() - t0, 3)
        sub_stats[subset] = subset_summary(counts, len(mine), n_skipped, redraws, counts["skipped"])
        if subset == "screen":
            sub_stats[subset]["screen"] = screen_stats.summary(lines_settings(gen.s.lines), gen.ocr.engine, gen.counts,
                                                               gen.ocr_seconds, item_seconds, workers)
    files = writer.close()
    screen_files = screens.close() if screens is not None else {}
    for sub, acc in board.accuracy().items():
        sub_stats[sub]["baselines"] = acc
    for sub in sub_stats:
        sub_stats[sub].setdefault("baselines", {"first": 0.0, "type": 0.0})
    stats = {
        "recipe": cfg.recipe, "seed": cfg.seed, "locale": cfg.locale,
        "shard": {"index": int(cfg.shard.index), "count": int(cfg.shard.count)},
        "splits": writer.counts, "split_bytes": writer.nbytes, "files": files, "subsets": sub_stats,
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
    stats["config"] = OmegaConf.to_container(cfg, resolve=True)
    stats["command"] = command
    write_json_atomic(out / "stats.json", stats)
    log.info("wrote %s: %s", out, ", ".join(f"{s} {n}" for s, n in writer.counts.items()))
    return stats


def _overrides(cfg: DictConfig) -> List[str]:
    """The command-line overrides of this run when launched through Hydra, else the recipe."""
    try:
        from hydra.core.hydra_config import HydraConfig

        return list(HydraConfig.get().overrides.task)
    except (ValueError, ImportError):
        return [f"+recipe={cfg.recipe}"]
