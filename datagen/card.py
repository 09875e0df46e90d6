"""The dataset card: README.md with the YAML header HF datasets reads, then how the data was made."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List

import pyarrow as pa
import yaml

from datagen.baselines import BASELINES
from datagen.config import SPLITS, SUBSETS
from datagen.example import REFERENCES
from datagen.paper import CITATION

LICENSE = "apache-2.0"  # the generator's licence; the data is synthetic (Faker pools, the project's templates)
# the Hub's size categories: (upper bound on examples, label)
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                   (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"))

_DTYPES = {pa.string(): "string", pa.int32(): "int32", pa.int64(): "int64", pa.float32(): "float32",
           pa.float64(): "float64", pa.bool_(): "bool", pa.binary(): "binary"}

SUBSET_ABOUT = {
    "conversational": "the assistant showed a list of entities of one domain (or a mixed list); the request "
                      "picks one or several by position, by description, by type, or none of them. Every request "
                      "was checked to pick exactly its targets among the shown candidates.",
    "synthetic": "language templates with a slot list: the mention's entity types are the gold entities, "
                 "entities of other types are negatives; several gold entities are allowed; background "
                 "entities (alarm ringing, song playing, timer running) carry source=background.",
    "unseen": "conversational requests from a domain held out of every train and validation row of this run "
              "(test split only).",
    "screen": "phone app screens and web pages (desktop and phone-browser width) rendered from layout families (or "
              "your screenshots), read back with Tesseract; "
              "candidates are the detected entities (source=screen, normalised bbox) and the prompt holds the "
              "screen text with each candidate injected in place as {{N. text}}. Requests pick by type, by the "
              "label shown next to an entity, by position on screen, several at once, or none.",
}
SPECIAL_FEATURES = {"image": {"dtype": "image"}}  # struct<bytes, path> that HF datasets decodes as an image


def _feature(t: pa.DataType) -> Dict[str, Any]:
    if pa.types.is_list(t) and pa.types.is_list(t.value_type):
        return {"list": {"list": _DTYPES[t.value_type.value_type]}}
    if pa.types.is_list(t):
        v = t.value_type
        if pa.types.is_struct(v):
            return {"list": features(pa.schema(list(v)), top=False)}
        return {"list": _DTYPES[v]}
    if pa.types.is_struct(t):
        return {"struct": features(pa.schema(list(t)), top=False)}
    return {"dtype": _DTYPES[t]}


def features(schema: pa.Schema, top: bool = True) -> List[Dict[str, Any]]:
    """An Arrow schema as the `features` list of a dataset card."""
    return [{"name": f.name, **(SPECIAL_FEATURES.get(f.name) if top and f.name in SPECIAL_FEATURES else _feature(f.type))}
            for f in schema]


def _config(name: str, folder: str, files: Dict[str, List[str]]) -> Dict[str, Any]:
    return {"config_name": name, "data_files": [{"split": s, "path": f"{folder}/{s}-*.parquet"}
                                                  for s in SPLITS if files.get(s)]}


def _info(name: str, schema: pa.Schema, files: Dict[str, List[str]], counts: Dict[str, int],
          nbytes: Dict[str, int]) -> Dict[str, Any]:
    return {"config_name": name, "features": features(schema),
            "splits": [{"name": s, "num_bytes": nbytes[s], "num_examples": counts[s]} for s in SPLITS if files.get(s)]}


def size_category(examples: int) -> str:
    """The Hub's size category of a dataset with this many examples."""
    return next((label for bound, label in SIZE_CATEGORIES if examples < bound), "n>100M")


def config_hash(config: Dict[str, Any]) -> str:
    """SHA-256 of the resolved config less the keys that do not change the data (paths, workers, layout: the
    journal's NEUTRAL keys): datasets with the same hash were made alike, wherever and however they were made."""
    from datagen.journal import fingerprint

    canonical = json.dumps(fingerprint(config, "")["config"], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def header(schema: pa.Schema, files: Dict[str, List[str]], counts: Dict[str, int], nbytes: Dict[str, int],
           screens: Dict[str, Any] | None = None) -> str:
    """The YAML header: the examples as the default config, the screens table (if any) as config 'screens'."""
    from datagen.screen.table import SCREEN_SCHEMA

    configs = [dict(_config("default", "data", files), default=True)]
    info = [_info("default", schema, files, counts, nbytes)]
    if screens:
        configs.append(_config("screens", "screens", screens["files"]))
        info.append(_info("screens", SCREEN_SCHEMA, screens["files"], screens["splits"], screens["split_bytes"]))
    meta = {
        "pretty_name": "datagen reference resolution",
        "license": LICENSE,
        "language": ["en"],
        "task_categories": ["text-generation", "multiple-choice"],
        "size_categories": [size_category(sum(counts.values()))],
        "tags": ["reference-resolution", "synthetic", "realm"],
        "configs": configs,
        "dataset_info": info if len(info) > 1 else info[0],
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, width=1000) + "---\n"


def _screen_section(sc: Dict[str, Any]) -> str:
    """Screen-to-text quality: entity detection against what was rendered, line grouping, OCR time."""
    m, ls = sc.get("metrics", {}), sc["lines"]
    out = ["## Screen text quality\n",
           "Lines (screen.lines): " + ", ".join(f"{k} `{v}`" for k, v in ls.items()) +
           f"; OCR: {sc['ocr_engine']}. Entity recall/precision: as real annotated pages are scored (see "
           "datagen/screen/score.py), on rendered screens against everything drawn. Line F1: pairwise F1 of 'same row' over the truth's text fragments, each "
           "labelled with the line holding most of its OCR words (means over screens; the pairs of all screens "
           f"together give {sc.get('line_pairs_f1', {}).get('line_pairs')}). `plain` is the paper's algorithm on the "
           "raw OCR words (centre-y within 0.8 x median word height of a line's running mean), the reference.\n"]
    prep = sc.get("ocr_prepared")
    if prep:
        out.append(f"OCR preparation: {prep['upscaled']} of {sc['screens']} screens upscaled before Tesseract (small "
                   f"text, screen.ocr.min_text_height); {prep['reread_regions']} regions of missed text read again "
                   f"on {prep['screens_with_reread']} screens (screen.ocr.reread_regions); "
                   f"{prep.get('rechecked_stretches', 0)} stretches of doubtful words read again and replaced "
                   f"(screen.ocr.recheck_conf).\n")
    rows = [["all", sc["screens"], m.get("entity_recall"), m.get("entity_precision"), m.get("line_f1"),
             m.get("line_f1_plain")]]
    rows += [[f, v.get("screens", ""), v.get("entity_recall"), v.get("entity_precision"), v.get("line_f1"), v.get("line_f1_plain")]
             for f, v in sc.get("per_family", {}).items()]
    rows = [r[:1] + [", ".join(f"{d} {n}" for d, n in sc.get("per_family", {}).get(r[0], {}).get("devices", {}).items())]
            + r[1:] for r in rows]
    rows += [[f"all {d}", "", v.get("screens", ""), v.get("entity_recall"), v.get("entity_precision"), v.get("line_f1"),
              v.get("line_f1_plain")] for d, v in sc.get("per_device", {}).items()]
    out.append(_table(rows, ["family", "devices", "screens", "entity recall", "entity precision", "line F1",
                             "line F1 (plain)"]))
    if sc.get("per_type"):
        out.append("\nPer entity type, over all screens:\n")
        out.append(_table([[t, v["labels"], v["recall"], v["detected"], v["precision"]] for t, v in sc["per_type"].items()],
                          ["type", "in truth", "recall", "detected", "precision"]))
    hidden = sc.get("truth", {}).get("not_visible")
    if hidden:
        out.append(f"\nTruth entities left out: {hidden} annotated on the screenshots where nothing shows (every box of "
                   "them a single shade: text the page hid under an overlay or drew white on white); they are not "
                   "scored and no request is about them.\n")
    req = ", ".join(f"{k} {v}" for k, v in sc.get("requests", {}).items()) or "none"
    out.append(f"\nRequests not emitted: {req} (ocr_miss: the target was not detected; ambiguous_after_ocr: the "
               "detected candidates made the request ambiguous; redraw: the screen did not allow that request).\n")
    return "\n".join(out)


def _table(rows: List[List[Any]], head: List[str]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def render(schema: pa.Schema, files: Dict[str, List[str]], stats: Dict[str, Any], command: str, config_yaml: str) -> str:
    """The whole README.md of a dataset folder."""
    counts = stats["splits"]
    parts = [header(schema, files, counts, stats["split_bytes"], stats.get("screens"))]
    parts.append("# Reference resolution data (datagen)\n")
    parts.append(
        "Requests to an assistant with the candidate entities they may refer to, in the input/output "
        "format of ReALM (Moniz et al., 2024): the model reads `prompt` and must answer `target`, the "
        "1-based numbers of the entities the request needs, comma-separated, or `0` for none. Accuracy "
        "is an exact match of the set of numbers. Candidates are shuffled per example with a seeded "
        "generator, so positions carry no signal. Names, numbers, addresses, e-mail and web addresses are made up "
        "by Faker from the seed (an EmailAddress is at an invented company domain, a Person's e-mail at a real "
        "provider such as gmail.com), except the text of screenshots given with screen.source=images; like any "
        "made-up value, one may by chance belong to a real person or firm.\n"
    )
    parts.append("## Load it\n\n```python\nfrom datasets import load_dataset\nds = load_dataset(\"path/to/dataset\")  "
                 "# or the Hub repo it was published to: load_dataset(\"org/name\")\n```\n"
                 "or read `data/*.parquet` with pandas, Polars or DuckDB as they are. A seq2seq trainer reads `prompt` "
                 "-> `target`" + (", a chat trainer (TRL's SFTTrainer, ...) reads `messages`" if "messages" in schema.names
                                  else "; `output.messages=true` adds a chat column `messages`") + ".\n")
    parts.append("## Score a model\n\nWrite the model's raw output for each example as `id`, `prediction` (JSONL, CSV or "
                 "Parquet), then:\n\n```\npython -m datagen evaluate path/to/dataset --predictions preds.jsonl\n```\n"
                 "An output is parsed as comma-separated numbers (`1, 3`, `3,1`, ` 1 `; `0` alone for none); "
                 "anything else is wrong and counted as unparseable. Accuracy is an exact match of the set of "
                 "numbers, shown per split, subset, reference kind, domain or screen family, number of candidates "
                 "and of targets, beside the paper's Table 3. `--baseline first|type|string` scores the baselines "
                 "below through the same code.\n")
    parts.append("## Subsets\n")
    for sub, about in SUBSET_ABOUT.items():
        if sub in stats["subsets"]:
            parts.append(f"- **{sub}**: {about}")
    parts.append("")
    rows = []
    for sub, s in stats["subsets"].items():
        rows.append([sub, s["examples"], *[s["splits"].get(x, 0) for x in SPLITS], s["skipped"], s["redraws"]])
    parts.append(_table(rows, ["subset", "examples", *SPLITS, "items skipped", "draws redone"]) + "\n")
    parts.append("## Baselines (exact set match)\n")
    parts.append("`first` always answers 1; `type` picks every candidate whose type fits the words of the request "
                 "(templates/intents.yaml); `string` picks the candidates whose value shares the most words with the "
                 "request (none if none does). A low `type` score means the subset needs positions or descriptions; "
                 "a high `string` score, that it is solvable by lookup.\n")
    parts.append(_table([[sub, *[s["baselines"].get(b) for b in BASELINES]] for sub, s in stats["subsets"].items()],
                        ["subset", *BASELINES]) + "\n")
    rows = [[sub, ref, *[v.get(b) for b in BASELINES]] for sub, s in stats["subsets"].items()
            for ref, v in (s.get("baselines_by_reference") or {}).items()]
    if rows:
        parts.append("Per reference kind:\n")
        parts.append(_table(rows, ["subset", "reference", *BASELINES]) + "\n")
    if "screen" in stats["subsets"] and "screen" in stats["subsets"]["screen"]:
        parts.append(_screen_section(stats["subsets"]["screen"]["screen"]))
    parts.append("## How references are distributed\n")
    for sub, s in stats["subsets"].items():
        refs = ", ".join(f"{k} {v}" for k, v in sorted(s["reference"].items()))
        doms = ", ".join(f"{k} {v}" for k, v in sorted(s["domain"].items()))
        parts.append(f"- **{sub}**: reference: {refs}; domain: {doms}")
    parts.append("")
    if stats.get("screens"):
        parts.append("The screens table (`load_dataset(path, \"screens\")`, files `screens/*.parquet`) has one row per "
                     "screen: the image, the truth elements (text, bbox, kind, row), the OCR words (text, bbox, conf, "
                     "Tesseract block/par/line), the text elements and lines, the detections, and the screen's metrics. "
                     "It joins to the examples on `screen_id`.\n")
    parts.append("## Columns\n")
    parts.append(_table([
        ["id", "stable content hash of the example"], ["subset", ", ".join(SUBSETS)],
        ["query", "the user request"],
        ["entities", "candidates in the order shown: index (1-based), type, value, text (the encoded line), "
                     "properties, source (conversation, background, screen), bbox (null off-screen)"],
        ["targets", "indices of the referred entities; empty means 0"], ["prompt", "the model input"],
        ["target", "the model output: 1, 1, 3 or 0"],
        ["reference", "how the request refers: " + ", ".join(REFERENCES)],
        ["domain", "business, contact, address, media, mixed, alarm, ..."],
        ["template", "id of the mention or template that produced the request"],
        ["group", "examples of one group share a split"], ["screen_id", "the screen (joins the screens table); null off-screen"],
        ["screen_text", "the screen text as put in the prompt; null off-screen"],
        *([["messages", "the prompt as the user turn and the target as the assistant turn (role, content)"]]
          if "messages" in schema.names else [])], ["column", "meaning"]) + "\n")
    parts.append("## How it was made\n")
    parts.append(f"Entities come from Faker-backed pools (locale `{stats['locale']}`); phone numbers are valid for their "
                 "region according to phonenumbers, addresses parse with pyap where it knows the country. Splits are "
                 "a hash of each example's group salted with the seed; the same config and seed give byte-identical "
                 "Parquet files.\n")
    parts.append(f"Command:\n\n```\n{command}\n```\n")
    parts.append(f"Resolved config (hash `{config_hash(yaml.safe_load(config_yaml))}`):\n\n```yaml\n{config_yaml}```\n")
    parts.append("Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(stats["versions"].items())) + "\n")
    parts.append(f"## Citation\n\nThe task, format and metric are those of ReALM:\n\n```bibtex\n{CITATION}\n```\n")
    return "\n".join(parts)
