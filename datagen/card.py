"""The dataset card: README.md with the YAML header HF datasets reads, then how the data was made."""

from __future__ import annotations

from typing import Any, Dict, List

import pyarrow as pa
import yaml

from datagen.config import SPLITS

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
}


def _feature(t: pa.DataType) -> Dict[str, Any]:
    if pa.types.is_list(t):
        v = t.value_type
        if pa.types.is_struct(v):
            return {"list": features(pa.schema(list(v)))}
        return {"list": _DTYPES[v]}
    if pa.types.is_struct(t):
        return {"struct": features(pa.schema(list(t)))}
    return {"dtype": _DTYPES[t]}


def features(schema: pa.Schema) -> List[Dict[str, Any]]:
    """An Arrow schema as the `features` list of a dataset card."""
    return [{"name": f.name, **_feature(f.type)} for f in schema]


def header(schema: pa.Schema, files: Dict[str, List[str]], counts: Dict[str, int], nbytes: Dict[str, int],
           extra_configs: List[dict] | None = None) -> str:
    splits = [s for s in SPLITS if files.get(s)]
    meta = {
        "pretty_name": "datagen reference resolution",
        "language": ["en"],
        "task_categories": ["text-generation"],
        "tags": ["reference-resolution", "synthetic", "realm"],
        "configs": [{
            "config_name": "default",
            "default": True,
            "data_files": [{"split": s, "path": f"data/{s}-*.parquet"} for s in splits],
        }] + list(extra_configs or []),
        "dataset_info": {
            "config_name": "default",
            "features": features(schema),
            "splits": [{"name": s, "num_bytes": nbytes[s], "num_examples": counts[s]} for s in splits],
        },
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, width=1000) + "---\n"


def _table(rows: List[List[Any]], head: List[str]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def render(schema: pa.Schema, files: Dict[str, List[str]], stats: Dict[str, Any], command: str, config_yaml: str) -> str:
    """The whole README.md of a dataset folder."""
    counts = stats["splits"]
    parts = [header(schema, files, counts, stats["split_bytes"])]
    parts.append("# Reference resolution data (datagen)\n")
    parts.append(
        "Requests to an assistant with the candidate entities they may refer to, in the input/output "
        "format of ReALM (Moniz et al., 2024): the model reads `prompt` and must answer `target`, the "
        "1-based numbers of the entities the request needs, comma-separated, or `0` for none. Accuracy "
        "is an exact match of the set of numbers. Candidates are shuffled per example with a seeded "
        "generator, so positions carry no signal.\n"
    )
    parts.append("## Load it\n\n```python\nfrom datasets import load_dataset\nds = load_dataset(\"path/to/dataset\")\n```\n"
                 "or read `data/*.parquet` with pandas, Polars or DuckDB as they are.\n")
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
                 "(templates/intents.yaml). A low `type` score means the subset needs positions or descriptions.\n")
    parts.append(_table([[sub, s["baselines"]["first"], s["baselines"]["type"]] for sub, s in stats["subsets"].items()],
                        ["subset", "first", "type"]) + "\n")
    parts.append("## How references are distributed\n")
    for sub, s in stats["subsets"].items():
        refs = ", ".join(f"{k} {v}" for k, v in sorted(s["reference"].items()))
        doms = ", ".join(f"{k} {v}" for k, v in sorted(s["domain"].items()))
        parts.append(f"- **{sub}**: reference: {refs}; domain: {doms}")
    parts.append("")
    parts.append("## Columns\n")
    parts.append(_table([
        ["id", "stable content hash of the example"], ["subset", "conversational, synthetic, unseen"],
        ["query", "the user request"],
        ["entities", "candidates in the order shown: index (1-based), type, value, text (the encoded line), "
                     "properties, source (conversation, background, screen), bbox (null off-screen)"],
        ["targets", "indices of the referred entities; empty means 0"], ["prompt", "the model input"],
        ["target", "the model output: 1, 1, 3 or 0"],
        ["reference", "how the request refers: positional, descriptive, type, deictic, multi, none"],
        ["domain", "business, contact, address, media, mixed, alarm, ..."],
        ["template", "id of the mention or template that produced the request"],
        ["group", "examples of one group share a split"], ["screen_id", "null for these subsets"],
        ["screen_text", "null for these subsets"]], ["column", "meaning"]) + "\n")
    parts.append("## How it was made\n")
    parts.append(f"Entities come from Faker-backed pools (locale `{stats['locale']}`); phone numbers are valid for their "
                 "region according to phonenumbers, addresses parse with pyap where it knows the country. Splits are "
                 "a hash of each example's group salted with the seed; the same config and seed give byte-identical "
                 "Parquet files.\n")
    parts.append(f"Command:\n\n```\n{command}\n```\n")
    parts.append(f"Resolved config:\n\n```yaml\n{config_yaml}```\n")
    parts.append("Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(stats["versions"].items())) + "\n")
    return "\n".join(parts)
