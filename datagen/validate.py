"""Is a dataset folder whole? The checks `publish` (and `evaluate`) make before they use one.

A folder passes when: no unfinished run is left in it (journal, temporary files); the card's YAML
header and stats.json parse; every data file the card's patterns match is one stats.json lists,
and every file it lists exists, is Parquet and has datagen's explicit schema; each split's rows
add up to what the card and stats.json say (and the subsets' counts to the split's); example ids
are unique; every example's screen is in the screens table; the previews stats.json lists are
there and no others. The first problem found is a UserError naming the file and what was expected.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from datagen.chat import examples_schema
from datagen.config import SPLITS
from datagen.errors import UserError
from datagen.journal import FOLDER as JOURNAL
from datagen.outdir import in_use
from datagen.writer import TMP_SUFFIX

CARD, STATS = "README.md", "stats.json"
TABLES = {"default": "data", "screens": "screens"}  # card config -> folder
PREVIEWS = "previews"


@dataclass
class Folder:
    """A dataset folder that passed every check: what it holds, as paths relative to it (POSIX, sorted)."""

    root: Path
    stats: Dict[str, Any]
    card: Dict[str, Any]  # the card's YAML header
    data: Dict[str, List[str]] = field(default_factory=dict)  # split -> examples files
    screens: Dict[str, List[str]] = field(default_factory=dict)  # split -> screens-table files
    previews: List[str] = field(default_factory=list)

    @property
    def files(self) -> List[str]:
        """Every file of the dataset but the card, sorted."""
        return sorted([STATS, *self.previews, *(f for fs in (*self.data.values(), *self.screens.values()) for f in fs)])


def _stats(root: Path) -> Dict[str, Any]:
    path = root / STATS
    if not path.is_file():
        raise UserError(f"{root}: not a dataset folder (no {STATS}; expected a folder written by python -m datagen "
                        "or python -m datagen merge)")
    try:
        stats = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise UserError(f"{path}: not readable JSON ({e})") from None
    for key in ("splits", "files", "subsets", "config"):
        if not isinstance(stats, dict) or key not in stats:
            raise UserError(f"{path}: has no '{key}' (written by an older datagen or edited): regenerate the dataset")
    return stats


def _card(root: Path) -> Dict[str, Any]:
    path = root / CARD
    if not path.is_file():
        raise UserError(f"{path}: missing (the dataset card)")
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---\n" not in text[3:]:
        raise UserError(f"{path}: no YAML header between --- lines (the card HF datasets reads)")
    try:
        head = yaml.safe_load(text[4:text.index("\n---\n", 3)])
    except yaml.YAMLError as e:
        raise UserError(f"{path}: YAML header does not parse ({str(e).splitlines()[0]})") from None
    if not isinstance(head, dict) or "configs" not in head or "dataset_info" not in head:
        raise UserError(f"{path}: YAML header has no configs/dataset_info")
    return head


def _unfinished(root: Path) -> None:
    owner = in_use(root)
    if owner is not None:
        raise UserError(f"{root}: a datagen run is writing it ({owner}); publish it when that run has ended")
    if (root / JOURNAL).exists():
        raise UserError(f"{root / JOURNAL}: an unfinished run's journal is left; finish the run (the same command "
                        "with the same output.dir) or delete it")
    for sub in ("", *TABLES.values()):
        for tmp in sorted((root / sub).glob(f".*{TMP_SUFFIX}")):
            raise UserError(f"{tmp}: a file still being written (a run was interrupted); finish the run")


def _card_files(root: Path, card: Dict[str, Any], name: str) -> Dict[str, List[str]]:
    """split -> the files the card's data_files patterns of config `name` match, sorted."""
    config = next((c for c in card["configs"] if c.get("config_name") == name), None)
    if config is None:
        return {}
    out = {}
    for entry in config.get("data_files", []):
        pattern = str(entry["path"])
        folder = root / Path(pattern).parent
        names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        out[entry["split"]] = [f"{Path(pattern).parent.as_posix()}/{n}" for n in names
                               if fnmatch.fnmatchcase(n, Path(pattern).name)]
    return out


def _split_counts(card: Dict[str, Any], name: str) -> Dict[str, int]:
    info = card["dataset_info"]
    for c in info if isinstance(info, list) else [info]:
        if c.get("config_name") == name:
            return {s["name"]: int(s["num_examples"]) for s in c.get("splits", [])}
    return {}


def _table(root: Path, card: Dict[str, Any], name: str, listed: Dict[str, List[str]], counts: Dict[str, int],
           schema: pa.Schema) -> Dict[str, List[str]]:
    """Check one table (examples or screens): files, schema, row counts; returns split -> files."""
    folder = TABLES[name]
    matched = _card_files(root, card, name)
    card_counts = _split_counts(card, name)
    out: Dict[str, List[str]] = {}
    for split in SPLITS:
        names = [f"{folder}/{n}" for n in listed.get(split, [])]
        for rel in names:
            if not (root / rel).is_file():
                raise UserError(f"{root / rel}: missing ({STATS} lists it in split {split})")
        found = matched.get(split, [])
        for rel in found:
            if rel not in names:
                raise UserError(f"{root / rel}: the card's {folder}/{split}-*.parquet matches it but {STATS} does not "
                                f"list it (a stray file would be loaded as {split} data)")
        if names and not found:
            raise UserError(f"{root / CARD}: no {name} data_files entry for split {split} ({STATS} lists {names[0]})")
        rows = 0
        for rel in names:
            try:
                meta = pq.read_metadata(root / rel)
            except (OSError, pa.ArrowInvalid) as e:
                raise UserError(f"{root / rel}: not a readable Parquet file ({str(e).splitlines()[0]})") from None
            got = meta.schema.to_arrow_schema()
            if not got.equals(schema, check_metadata=False):
                raise UserError(f"{root / rel}: its schema is not datagen's ({_schema_difference(got, schema)})")
            rows += meta.num_rows
        want = counts.get(split, 0)
        if rows != want:
            raise UserError(f"split {split}: {rows} rows in {folder}/{split}-*.parquet but {STATS} says {want}")
        if card_counts.get(split, 0) != want:
            raise UserError(f"split {split}: the card ({CARD}) says {card_counts.get(split, 0)} {name} rows, "
                            f"{STATS} and the files {want}")
        if names:
            out[split] = names
    return out


def _schema_difference(got: pa.Schema, want: pa.Schema) -> str:
    for f in want:
        if f.name not in got.names:
            return f"no column '{f.name}'"
        if not got.field(f.name).type.equals(f.type):
            return f"column '{f.name}' is {got.field(f.name).type}, expected {f.type}"
    extra = [n for n in got.names if n not in want.names]
    return f"unexpected column '{extra[0]}'" if extra else "columns in another order"


def _column(root: Path, files: Dict[str, List[str]], column: str):
    """(file, value) of a column over the files of every split, in split order."""
    for split in SPLITS:
        for rel in files.get(split, []):
            for value in pq.read_table(root / rel, columns=[column]).column(column).to_pylist():
                yield rel, value


def _unique(root: Path, files: Dict[str, List[str]], column: str, what: str) -> Set[str]:
    seen: Dict[str, str] = {}
    for rel, value in _column(root, files, column):
        if value in seen:
            raise UserError(f"{what} {value} appears twice ({seen[value]} and {rel}); {what}s must be unique")
        seen[value] = rel
    return set(seen)


def _previews(root: Path, stats: Dict[str, Any]) -> List[str]:
    listed = ((stats["subsets"].get("screen") or {}).get("screen") or {}).get("previews", [])
    for name in listed:
        if not (root / PREVIEWS / name).is_file():
            raise UserError(f"{root / PREVIEWS / name}: missing ({STATS} lists it as a preview)")
    on_disk = sorted(p.name for p in (root / PREVIEWS).glob("*") if p.is_file()) if (root / PREVIEWS).is_dir() else []
    for name in on_disk:
        if name not in listed:
            raise UserError(f"{root / PREVIEWS / name}: not a preview {STATS} lists (remove it or regenerate)")
    return [f"{PREVIEWS}/{n}" for n in sorted(listed)]


def check_folder(path: Path, schema: Optional[pa.Schema] = None) -> Folder:
    """Check a dataset folder (module docstring); returns what it holds, or raises UserError on the first problem."""
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise UserError(f"{path}: no such dataset folder (expected a folder written by python -m datagen)")
    _unfinished(root)
    stats, card = _stats(root), _card(root)
    messages = bool(stats["config"].get("output", {}).get("messages", False))
    folder = Folder(root, stats, card)
    folder.data = _table(root, card, "default", stats["files"], stats["splits"], schema or examples_schema(messages))
    for split in SPLITS:
        per_subset = sum(s.get("splits", {}).get(split, 0) for s in stats["subsets"].values())
        if per_subset != stats["splits"].get(split, 0):
            raise UserError(f"{root / STATS}: split {split} has {stats['splits'].get(split, 0)} examples but its "
                            f"subsets add up to {per_subset}")
    _unique(root, folder.data, "id", "id")
    screens = stats.get("screens")
    if screens:
        from datagen.screen.table import SCREEN_SCHEMA

        folder.screens = _table(root, card, "screens", screens["files"], screens["splits"], SCREEN_SCHEMA)
        known = _unique(root, folder.screens, "screen_id", "screen_id")
        for rel, sid in _column(root, folder.data, "screen_id"):
            if sid is not None and sid not in known:
                raise UserError(f"{root / rel}: an example's screen_id {sid} is not in the screens table")
    elif (root / "screens").is_dir() and any((root / "screens").glob("*.parquet")):
        raise UserError(f"{root / 'screens'}: screens-table files, but {STATS} names no screens table")
    folder.previews = _previews(root, stats)
    return folder
