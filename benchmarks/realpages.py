"""Benchmark: the screen-to-text step on real annotated web pages (../shared/realpages).

The shared pages are first converted into the project's truth format (a folder of
`N.png` + `N.truth.json`, see README "Annotated screenshots"; the PNGs are symlinked, nothing
is copied into the repo), then every page is read by the pipeline (`datagen.screen.read`,
default settings unless overridden) and scored with `datagen.screen.score`, the definitions of
the shared README, with two additions: every e-mail address in the page text is truth (the
annotators labelled 5 of ~150; see page_emails), so e-mail precision is judged too; and labels where
nothing shows on the image are left out as a run leaves them out (source.visible_truth), recall over
every label being printed beside. In the same invocation it measures the two references on the same pages:

  plain       the paper's algorithm on the OCR words themselves: word centres, greedy top to
              bottom, a word joins the line when its centre-y is within 0.8 x the median word
              height of the line's running mean (the same words the pipeline read);
  tesseract   Tesseract's own lines (block, paragraph, line ids) at page segmentation mode 3
              (a second OCR of each page).

It prints, per page set: per-type recall and precision, line element-pair F1 at the default
margin, across a margin sweep (lines regrouped from the same words, no new OCR) and for the
two references, OCR word accuracy, and seconds per page (OCR and the whole read). Ratios and
numbers, no thresholds. Also, for line grouping, the paper's algorithm run on the truth's own
fragment boxes, no OCR: what perfect boxes would give it; and the F1 no grouping into lines can pass on
the fragments scored (where two columns' rows are offset by half a row, the truth's "same row" is not
transitive: datagen.screen.score.row_conflicts).

OCR word accuracy: the share of truth words (whitespace tokens of the browser's text fragments,
case-folded, punctuation at either end stripped) found among the OCR words whose centre falls
inside the fragment's box (multiset match), over all fragments of all pages.

Seconds: wall seconds of the whole read per page, and CPU seconds of it (this process and the
Tesseract subprocesses: steadier than wall time when other jobs share the cores). A page read
from the OCR cache costs next to nothing, so seconds are also given over the pages that were
OCR'd in this run ("OCR'd pages"); use --cache '' (or a fresh settings combination) to time all.

--compare-preparation reads every page twice in one invocation, without the OCR preparation
(screen.ocr.min_text_height=0, reread_regions=0 and recheck_conf=0: the image goes to Tesseract as is,
read once) and with it (the defaults, or --min-text-height/--target-text-height/--max-upscale/--reread-regions/
--recheck-conf),
and prints both and a side-by-side table with the ratio of seconds per page; --baseline SETTING=VALUE ... does
the same against a baseline of any screen.ocr settings (e.g. recheck_conf=0). --no-reference skips the psm-3 reference (a second OCR of every page).

Run:
    python benchmarks/realpages.py                              # both sets, every page
    python benchmarks/realpages.py --sets desktop --limit 60    # a quick look
    python benchmarks/realpages.py --folder /tmp/rp             # keep the converted folder
    python benchmarks/realpages.py --compare-preparation --limit 40 --no-reference
    python benchmarks/realpages.py --baseline recheck_conf=0 --sets desktop --limit 40 --no-reference --cache ''
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import resource
import string
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from datagen.screen.detect import DetectSettings  # noqa: E402
from datagen.screen.links import EMAIL, TLDS  # noqa: E402
from datagen.screen.lines import LineSettings, group_lines, read_lines  # noqa: E402
from datagen.screen.ocr import Ocr, OcrSettings  # noqa: E402
from datagen.screen.ocr_cache import make_ocr  # noqa: E402
from datagen.screen.read import read_image  # noqa: E402
from datagen.screen.model import Box, Element  # noqa: E402
from datagen.screen.score import (f1, fragment_labels, line_counts, line_pair_counts, plain_lines,  # noqa: E402
                                  row_conflicts, score_entities, word_lines)
from datagen.screen.source import TRUTH_FORMAT, open_image, read_truth, truth_path, visible_truth  # noqa: E402

SETS = {"desktop": "business-desktop", "mobile": "business-mobile"}
TYPES = {"TEL": "PhoneNumber", "FAX": "PhoneNumber", "EMAIL": "EmailAddress"}
LABELS = {"FAX": "fax"}
ADDRESS_PARTS = ("STREET", "CITY", "STATE", "ZIPCODE", "COUNTRY")  # the labels an address is made of
TABLE_TYPES = ["PhoneNumber", "EmailAddress", "PostalAddress"]  # the types the shared pages label
# the types whose precision the truth can judge: every e-mail address in the page text is in it (page_emails)
ANNOTATED = ["PhoneNumber", "EmailAddress", "PostalAddress"]
MARGINS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.3)
TRUTH_BOX_MARGINS = (0.4, 0.5, 0.6, 0.7)  # in median fragment heights (a fragment is a line box, ~1.4 x the font size)
REFERENCE_PSM = 3  # Tesseract's own lines are measured at psm 3 (its page layout analysis)
MAX_PIXELS = 40_000_000
DEFAULT_CACHE = os.path.join(os.environ.get("DATAGEN_CACHE", os.path.expanduser("~/.cache/datagen")), "ocr")  # the OCR cache runs use
PREPARATION = ("min_text_height", "target_text_height", "max_upscale", "reread_regions", "recheck_conf")  # OcrSettings of the preparation
WITHOUT = {"min_text_height": 0.0, "reread_regions": 0, "recheck_conf": 0.0}  # the image goes to Tesseract as is, read once (as before)
_PUNCT = string.punctuation + "\u201c\u201d\u2018\u2019\u2013\u2014\u2022\u00b7\u00bb\u00ab\u00a9\u00ae\u2122\u2026|"


def page_emails(fragments: Sequence[Dict[str, Any]], labelled: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Every e-mail address in the browser's text fragments that no EMAIL label holds, as an entity: the
    annotators labelled 5 of the ~150 on the desktop pages. Its box is the fragment's, cut to the address's
    share of the characters. Addresses the page glued to each other ("info@x.cominfo@x.com", one run of
    text without a space) are labels of a fitting kind for precision, not counted for recall: no reader can
    tell where one ends."""
    out = []
    for frag in fragments:
        x0, y0, x1, y1 = frag["box"]
        text = frag["text"]
        for m in EMAIL.finditer(text):
            left, right = text.rfind(" ", 0, m.start()) + 1, text.find(" ", m.end())
            glued = text[left:right if right >= 0 else len(text)].count("@") > 1
            tld = m.group().rsplit(".", 1)[1].lower()
            box = Box(x0 + (x1 - x0) * m.start() / len(text), y0, x0 + (x1 - x0) * m.end() / len(text), y1)
            if any(e["text"].lower() == m.group().lower() and any(box.overlaps(Box(*b)) for b in e["boxes"])
                   for e in labelled):
                continue
            out.append({"type": "EmailAddress", "text": m.group(), "value": m.group(), "boxes": [list(box.as_tuple())],
                        "label": "",
                        **({"partial": True} if glued or len(tld) > 3 and tld not in TLDS else {})})
    return out


def convert(src: Path, dst: Path, limit: Optional[int]) -> List[Path]:
    """The shared pages of one set as the project's annotated screenshots in `dst`; returns the images."""
    dst.mkdir(parents=True, exist_ok=True)
    pages = sorted(src.glob("*.json"), key=lambda p: int(p.stem))[:limit]
    out = []
    for page in pages:
        doc = json.loads(page.read_text(encoding="utf-8"))
        entities = [{"type": TYPES[e["type"]], "text": e["text"], "value": e["value"], "boxes": e["boxes"],
                     "label": LABELS.get(e["type"], "")}
                    for e in doc["entities"] if e["type"] in TYPES and e["boxes"]]
        groups = [g for g in doc.get("address_groups", []) if g["boxes"]]
        entities += [{"type": "PostalAddress", "text": g["value"], "value": g["value"], "boxes": g["boxes"]}
                     for g in groups if "STREET" in g["types"]]
        # every other address label (a group without its street, a street outside any group) is a label
        # of a fitting kind for precision, not an address recall is counted on (the shared README)
        in_counted = {i for g in groups if "STREET" in g["types"] for i in g["ids"]}
        entities += [{"type": "PostalAddress", "text": e["text"], "value": e["value"], "boxes": e["boxes"],
                      "partial": True}
                     for e in doc["entities"] if e["type"] in ADDRESS_PARTS and e["boxes"] and e["id"] not in in_counted]
        entities += page_emails(doc["lines"], [e for e in entities if e["type"] == "EmailAddress"])
        truth = {"datagen_truth": TRUTH_FORMAT, "source": doc["page"],
                 "fragments": [{"text": ln["text"], "box": ln["box"]} for ln in doc["lines"]],
                 "entities": entities, "annotated": ANNOTATED}
        image = dst / f"{page.stem}.png"
        if not image.exists():
            os.symlink((src / f"{page.stem}.png").resolve(), image)
        truth_path(image).write_text(json.dumps(truth), encoding="utf-8")
        out.append(image)
    return out


_STATE: Dict[str, Any] = {}


def _init(cache: Optional[str], lines: Dict[str, Any], ocr: Dict[str, Any], reference: bool) -> None:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    _STATE["ocr"] = make_ocr(Ocr(OcrSettings(**ocr)), cache)
    # Tesseract's own lines: its page layout's, so no doubtful stretch is read again in a strip of its own
    _STATE["psm3"] = (make_ocr(Ocr(OcrSettings(**dict(ocr, psm=REFERENCE_PSM, recheck_conf=0.0))), cache)
                      if reference else None)
    _STATE["lines"] = LineSettings(**lines)
    _STATE["detect"] = DetectSettings()


def _norm(token: str) -> str:
    return token.casefold().strip(_PUNCT)


def word_accuracy(fragments, words) -> Dict[str, int]:
    """Truth words and those found among the OCR words whose centre lies in their fragment's box."""
    total = found = 0
    for f in fragments:
        truth = Counter(t for t in map(_norm, f.text.split()) if t)
        b = f.box
        inside = Counter(t for t in (_norm(w.text) for w in words
                                     if b.x0 <= w.box.cx <= b.x1 and b.y0 <= w.box.cy <= b.y1) if t)
        total += sum(truth.values())
        found += sum((truth & inside).values())
    return {"truth": total, "found": found}


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the Tesseract runs)."""
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + c.ru_utime + c.ru_stime


def _line_counts(truth, words, lines, members) -> Dict[str, int]:
    return line_counts(truth.fragments, words, lines, members)


def on_truth_boxes(fragments, screen_height: float) -> Dict[float, Dict[str, int]]:
    """Line pair counts of the paper's algorithm run on the truth fragments' own boxes (no OCR), per margin
    in median fragment heights: how far a perfect OCR would take the algorithm against this truth."""
    items = [Element(f.text, f.box, ()) for f in fragments]
    out = {}
    for m in TRUTH_BOX_MARGINS:
        lines = group_lines(items, m, "height", screen_height, "mean", "centre")
        labels: List[Optional[int]] = [None] * len(items)
        for k, line in enumerate(lines):
            for i in line:
                labels[i] = k
        out[m] = line_pair_counts(fragments, labels)
    return out


def page(image_path: str) -> Dict[str, Any]:
    """Everything measured on one page (counts, so pages add up)."""
    path = Path(image_path)
    full = read_truth(truth_path(path))
    image = open_image(path.read_bytes(), MAX_PIXELS)
    truth, hidden = visible_truth(full, image)  # labels where nothing shows are left out, as a run does
    t0, c0 = time.perf_counter(), _cpu()
    read = read_image(image, _STATE["ocr"], _STATE["detect"], _STATE["lines"])
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    ents = score_entities(read.detections, truth)
    as_defined = score_entities(read.detections, full)  # every label, as the shared README scores
    members = [e.words for e in read.elements]
    labels = fragment_labels(truth.fragments, read.words, word_lines(read.words, read.lines, members))
    out: Dict[str, Any] = {"seconds": seconds, "ocr_seconds": read.ocr_seconds, "cpu_seconds": cpu,
                           "ocrd": not read.cache.get("ocr_cache_hits"), "text_height": read.text_height,
                           "accuracy": word_accuracy(truth.fragments, read.words),
                           "labels": dict(ents.labels), "found": dict(ents.found), "not_visible": hidden,
                           "labels_all": dict(as_defined.labels), "found_all": dict(as_defined.found),
                           "detected": dict(ents.detected), "precise": dict(ents.precise),
                           "lines": line_pair_counts(truth.fragments, labels), "sweep": {},
                           "prepared": f"x{read.scale:g}" if read.scale != 1.0 else "as is", "reread": read.reread,
                           "rechecked": read.rechecked}
    for m in MARGINS:
        elements, lines = read_lines(read.words, replace(_STATE["lines"], margin=m), float(image.height))
        out["sweep"][m] = _line_counts(truth, read.words, lines, [e.words for e in elements])
    out["truth_boxes"] = on_truth_boxes(truth.fragments, float(image.height))
    out["bound"] = row_conflicts([f for f, lab in zip(truth.fragments, labels) if lab is not None])  # the scored ones
    out["plain"] = _line_counts(truth, read.words, plain_lines(read.words, float(image.height)),
                                [(w,) for w in read.words])
    if _STATE["psm3"] is None:
        out["tesseract"] = {}
        return out
    words3 = _STATE["psm3"].words(image)
    by_id: Dict[tuple, List[int]] = {}
    for k, w in enumerate(words3):
        by_id.setdefault((w.block, w.par, w.line), []).append(k)
    out["tesseract"] = _line_counts(truth, words3, list(by_id.values()), [(w,) for w in words3])
    return out


def _add(total: Dict[str, int], part: Dict[str, int]) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0) + v


def summarise(results: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    sums: Dict[str, Counter] = {k: Counter() for k in ("labels", "found", "detected", "precise", "labels_all", "found_all")}
    lines: Dict[str, int] = {}
    plain: Dict[str, int] = {}
    tess: Dict[str, int] = {}
    sweep: Dict[float, Dict[str, int]] = {m: {} for m in MARGINS}
    on_truth: Dict[float, Dict[str, int]] = {m: {} for m in TRUTH_BOX_MARGINS}
    for r in results:
        for k in sums:
            sums[k].update(r[k])
        _add(lines, r["lines"])
        _add(plain, r["plain"])
        for m in TRUTH_BOX_MARGINS:
            _add(on_truth[m], r["truth_boxes"][m])
        _add(tess, r["tesseract"])
        for m in MARGINS:
            _add(sweep[m], r["sweep"][m])
    acc, bound = Counter(), Counter()
    for r in results:
        acc.update(r["accuracy"])
        bound.update(r["bound"])
    ocrd = [r for r in results if r["ocrd"]]
    types = {}
    for t in TABLE_TYPES:
        types[t] = {"labels": sums["labels"][t], "recall": sums["found"][t] / sums["labels"][t] if sums["labels"][t] else None,
                    "detected": sums["detected"][t],
                    "precision": sums["precise"][t] / sums["detected"][t] if sums["detected"][t] else None,
                    "labels_all": sums["labels_all"][t],
                    "recall_all": sums["found_all"][t] / sums["labels_all"][t] if sums["labels_all"][t] else None}
    return {"pages": len(results), "types": types, "not_visible": sum(r["not_visible"] for r in results),
            "line_f1": f1(lines), "plain_f1": f1(plain),
            "truth_boxes": {m: f1(c) for m, c in on_truth.items()},
            "line_f1_bound": 2 * bound["pairs"] / (2 * bound["pairs"] + bound["conflicts"]) if bound["pairs"] else None,
            "conflicts": bound["conflicts"],
            "tesseract_f1": f1(tess), "sweep": {m: f1(c) for m, c in sweep.items()},
            "seconds": sum(r["seconds"] for r in results) / max(1, len(results)),
            "ocr_seconds": sum(r["ocr_seconds"] for r in results) / max(1, len(results)),
            "cpu_seconds": sum(r["cpu_seconds"] for r in results) / max(1, len(results)),
            "ocrd_pages": len(ocrd),
            "ocrd_seconds": sum(r["seconds"] for r in ocrd) / len(ocrd) if ocrd else None,
            "ocrd_cpu_seconds": sum(r["cpu_seconds"] for r in ocrd) / len(ocrd) if ocrd else None,
            "word_accuracy": acc["found"] / acc["truth"] if acc["truth"] else None, "truth_words": acc["truth"],
            "prepared": dict(Counter(r["prepared"] for r in results)),
            "reread": sum(r["reread"] for r in results), "reread_pages": sum(bool(r["reread"]) for r in results),
            "rechecked": sum(r["rechecked"] for r in results),
            "rechecked_pages": sum(bool(r["rechecked"]) for r in results),
            "text_height": dict(Counter(r["text_height"] for r in results))}


def _fmt(v: Optional[float]) -> str:
    return "  n/a" if v is None else f"{v:.3f}"


def report(name: str, s: Dict[str, Any], default_margin: float) -> None:
    print(f"\n== {name}: {s['pages']} pages ==")
    print(f"{'type':<15}{'labels':>8}{'recall':>8}{'detected':>10}{'precision':>11}"
          f"{'every label (README)':>24}")
    for t, v in s["types"].items():
        print(f"{t:<15}{v['labels']:>8}{_fmt(v['recall']):>8}{v['detected']:>10}{_fmt(v['precision']):>11}"
              f"{_fmt(v['recall_all']):>14} of {v['labels_all']:<6}")
    print(f"labels left out where nothing shows on the image (each box a single shade): {s['not_visible']}; "
          "the last column counts them too, as ../shared/realpages/README.md scores")
    print(f"line F1 (element pairs): pipeline {_fmt(s['line_f1'])} at margin {default_margin} | "
          f"plain centre-y on words {_fmt(s['plain_f1'])} | tesseract psm {REFERENCE_PSM} lines {_fmt(s['tesseract_f1'])}")
    best = max(s["sweep"], key=lambda m: (s["sweep"][m] or 0, -m))
    print("margin sweep: " + "  ".join(f"{m}: {_fmt(v)}" for m, v in s["sweep"].items()) + f"   best {best}")
    print("the paper's algorithm on the truth's own fragment boxes (no OCR; margin in fragment heights): "
          + "  ".join(f"{m}: {_fmt(v)}" for m, v in s["truth_boxes"].items()))
    print(f"no grouping into lines scores above {_fmt(s['line_f1_bound'])} on the fragments scored here: "
          f"{s['conflicts']} disjoint triples of them where the truth's 'same row' is not transitive")
    print(f"OCR word accuracy: {_fmt(s['word_accuracy'])} of {s['truth_words']} truth words")
    print(f"seconds per page: {s['seconds']:.2f} (OCR {s['ocr_seconds']:.2f}; CPU {s['cpu_seconds']:.2f}); "
          f"OCR'd pages ({s['ocrd_pages']}, the rest from the cache): {_fmt(s['ocrd_seconds'])} "
          f"(CPU {_fmt(s['ocrd_cpu_seconds'])})")
    print(f"preparation: {_counts(s['prepared'])}; regions of missed text read again: {s['reread']} on "
          f"{s['reread_pages']} pages; stretches of doubtful words replaced by a second reading: {s['rechecked']} on "
          f"{s['rechecked_pages']} pages; measured text height px: {_counts(s['text_height'])}")


def _counts(c: Dict[Any, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(c.items(), key=lambda kv: (kv[0] is None, str(type(kv[0])), kv[0] or 0)))


def compare(name: str, runs: Dict[str, Dict[str, Any]]) -> None:
    """Side by side: the same pages read with the baseline's OCR settings and with this run's (the OCR
    preparation or not, --compare-preparation; or any --baseline), seconds also as a ratio to the baseline."""
    cols = list(runs)
    base, this = runs[cols[0]], runs[cols[-1]]
    print(f"\n== {name}: " + " vs ".join(f"{c} ({runs[c]['ocr_settings'] or 'defaults'})" for c in cols)
          + f", {base['pages']} pages ==")
    rows = [("pages upscaled", lambda s: f"{s['pages'] - s['prepared'].get('as is', 0)}/{s['pages']}"),
            ("regions read again", lambda s: f"{s['reread']} on {s['reread_pages']}"),
            ("doubtful stretches replaced", lambda s: f"{s['rechecked']} on {s['rechecked_pages']}"),
            ("OCR word accuracy", lambda s: _fmt(s["word_accuracy"])),
            ("seconds per page (wall)", lambda s: f"{s['seconds']:.2f}"),
            ("CPU seconds per page", lambda s: f"{s['cpu_seconds']:.2f}"),
            ("OCR'd pages", lambda s: str(s["ocrd_pages"])),
            ("  their seconds (wall)", lambda s: _fmt(s["ocrd_seconds"])),
            ("  their CPU seconds", lambda s: _fmt(s["ocrd_cpu_seconds"]))]
    for t in ANNOTATED:
        rows.append((f"{t} recall", lambda s, t=t: f"{_fmt(s['types'][t]['recall'])} of {s['types'][t]['labels']}"))
        rows.append((f"{t} precision", lambda s, t=t: f"{_fmt(s['types'][t]['precision'])} of {s['types'][t]['detected']}"))
    rows.append(("line F1 (pipeline)", lambda s: _fmt(s["line_f1"])))
    rows.append(("line F1 (plain)", lambda s: _fmt(s["plain_f1"])))
    rows.append(("line F1 (tesseract psm 3)", lambda s: _fmt(s["tesseract_f1"])))
    print(f"{'':<28}" + "".join(f"{c:>16}" for c in cols))
    for label, get in rows:
        print(f"{label:<28}" + "".join(f"{get(runs[c]):>16}" for c in cols))
    for label, key in (("wall", "seconds"), ("CPU", "cpu_seconds"), ("OCR'd pages' CPU", "ocrd_cpu_seconds")):
        if base.get(key) and this.get(key):
            print(f"{label} seconds per page, {cols[-1]} / {cols[0]}: {this[key] / base[key]:.2f}")


def _overrides(parser: argparse.ArgumentParser, items: List[str]) -> Dict[str, Any]:
    """`--baseline` items as OcrSettings values: SETTING=VALUE, the value of the setting's own type."""
    fields = {f.name: f.type for f in dataclasses.fields(OcrSettings)}
    out: Dict[str, Any] = {}
    for item in items:
        name, _, value = item.partition("=")
        if name not in fields or not value:
            parser.error(f"--baseline {item}: not SETTING=VALUE of screen.ocr ({', '.join(sorted(fields))})")
        try:
            out[name] = int(value) if fields[name] in (int, "int") else float(value) if fields[name] in (float, "float") else value
        except ValueError:
            parser.error(f"--baseline {item}: {value!r} is not a number")
    return out


def main(argv: Optional[List[str]] = None) -> Dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", type=Path, default=REPO.parent / "shared" / "realpages")
    p.add_argument("--sets", nargs="+", choices=sorted(SETS), default=sorted(SETS))
    p.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    p.add_argument("--folder", type=Path, default=None, help="where the converted pages go (default: a temp folder)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--cache", default=DEFAULT_CACHE,
                   help="OCR cache folder ('' = off)")
    p.add_argument("--json", type=Path, default=None, help="also write the summary as JSON")
    for name in ("margin", "word_gap"):
        p.add_argument(f"--{name}", type=float, default=None)
    for name in PREPARATION:
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, type=int if name == "reread_regions" else float, default=None,
                       help=f"screen.ocr.{name} (default: the setting's default)")
    p.add_argument("--compare-preparation", action="store_true",
                   help="read every page without and with the OCR preparation (upscale, re-read, recheck) and compare")
    p.add_argument("--baseline", nargs="+", metavar="SETTING=VALUE", default=None,
                   help="read every page also with these screen.ocr settings changed (e.g. recheck_conf=0) and compare")
    p.add_argument("--no-reference", action="store_true", help="skip the psm-3 reference (a second OCR per page)")
    args = p.parse_args(argv)
    lines = {k: getattr(args, k) for k in ("margin", "word_gap") if getattr(args, k) is not None}
    ocr = {k: getattr(args, k) for k in PREPARATION if getattr(args, k) is not None}
    variants = {"without": WITHOUT, "with": ocr} if args.compare_preparation else {"": ocr}
    if args.baseline:
        variants = {"baseline": {**ocr, **_overrides(p, args.baseline)}, "this": ocr}
    default_margin = LineSettings(**lines).margin
    tmp = None if args.folder else tempfile.TemporaryDirectory(prefix="datagen-realpages-")
    folder = args.folder or Path(tmp.name)
    summary: Dict[str, Any] = {}
    try:
        for name in args.sets:
            images = convert(args.root / SETS[name], folder / name, args.limit)
            ctx = multiprocessing.get_context("fork")
            runs: Dict[str, Dict[str, Any]] = {}
            for variant, settings in variants.items():
                t0 = time.perf_counter()
                init = (args.cache or None, lines, settings, not args.no_reference)
                with ctx.Pool(args.workers, initializer=_init, initargs=init) as pool:
                    results = pool.map(page, [str(i) for i in images], chunksize=1)
                runs[variant] = summarise(results)
                runs[variant]["wall_seconds"] = time.perf_counter() - t0
                runs[variant]["ocr_settings"] = settings
                report(f"{name} {variant}" if variant else name, runs[variant], default_margin)
            if len(runs) > 1:
                compare(name, runs)
                summary[name] = runs
            else:
                summary[name] = runs[""]
    finally:
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return summary


if __name__ == "__main__":
    main()
