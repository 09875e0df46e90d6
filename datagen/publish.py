"""`python -m datagen publish DATASET --to DEST`: a checked dataset folder, sent whole, where trainers read data.

DEST is a Hugging Face dataset repo (`hf://datasets/ORG/NAME`), any fsspec URL (`s3://`, `gs://`,
`memory://`, ...) or a local folder. In order:

1. The folder is checked (datagen/validate.py); one that fails is refused with one line, exit 2.
2. A manifest is made: every file (path, size, SHA-256), sorted, no timestamp, so the same dataset
   gives the same bytes.
3. What the destination already holds is compared with it; files already there with the same
   content are not sent again (re-publishing the same dataset sends nothing).
4. To a Hub repo: one commit (adds and the removal of stale data files), so readers see the old or
   the new dataset, never a mix. To a store or folder: the old manifest is removed first (the
   folder is then marked incomplete), then data files, stale data files removed, the card, and the
   manifest last; a reader that finds the card finds every file it lists, and a manifest means
   the whole dataset is there. In a local folder each file is written under a temporary name and
   renamed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from datagen.card import config_hash
from datagen.errors import MachineError, UserError
from datagen.validate import CARD, PREVIEWS, TABLES, Folder, check_folder

MANIFEST = "manifest.json"
OWNED = (*TABLES.values(), PREVIEWS)  # folders the dataset owns: files there that it does not list are stale
HUB = re.compile(r"hf://datasets/(?P<repo>[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)/?")
HUB_FORM = "hf://datasets/ORG/NAME"
CHUNK = 1 << 20  # bytes read at a time when hashing


@dataclass(frozen=True)
class Item:
    """One file to publish: its path in the dataset (POSIX), size and SHA-256, and where it is read from."""

    path: str
    size: int
    sha256: str
    source: Optional[Path]  # None: `data` holds the bytes (the manifest)
    data: bytes = b""

    def read(self) -> bytes:
        return self.data if self.source is None else self.source.read_bytes()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def git_blob_sha1(item: Item) -> str:
    """The git object id of a file's content (what the Hub reports for files not stored in LFS)."""
    h = hashlib.sha1(f"blob {item.size}\0".encode())
    h.update(item.read())
    return h.hexdigest()


def items(folder: Folder) -> List[Item]:
    """The dataset's files in the order they are sent: data (sorted), the card, then the manifest."""
    out = [Item(rel, (folder.root / rel).stat().st_size, sha256_file(folder.root / rel), folder.root / rel)
           for rel in [*folder.files, CARD]]
    body = manifest(folder, out)
    return out + [Item(MANIFEST, len(body), hashlib.sha256(body).hexdigest(), None, body)]


def manifest(folder: Folder, files: Sequence[Item]) -> bytes:
    """The manifest's bytes: every file with its size and SHA-256, sorted; the same dataset, the same bytes."""
    stats = folder.stats
    doc = {
        "datagen_manifest": 1,
        "recipe": stats.get("recipe"),
        "splits": stats["splits"],
        "config_sha256": config_hash(folder.stats["config"]),
        "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in sorted(files, key=lambda f: f.path)],
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _external() -> Tuple[type, ...]:
    """Exceptions that mean the outside failed (network, permission, the store): OSError and HTTP client errors."""
    errs: List[type] = [OSError]
    for name in ("httpx2", "httpx"):
        try:
            errs.append(importlib.import_module(name).HTTPError)
        except (ImportError, AttributeError):
            continue
    return tuple(errs)


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 300 else text[:297] + "..."


# ---------------------------------------------------------------- fsspec destinations (stores, folders)

@dataclass
class Plan:
    """What a publish does, in order: remove the old manifest, send, remove stale files."""

    dest: str
    send: List[Item]
    unchanged: List[str]
    stale: List[str]
    drop_manifest: bool = False

    def lines(self) -> List[str]:
        out = [f"destination: {self.dest}"]
        if self.drop_manifest:
            out.append(f"remove {MANIFEST} (marks the destination incomplete until the new one is written)")
        data = [i for i in self.send if i.path not in (CARD, MANIFEST)]
        last = [i for i in self.send if i.path in (CARD, MANIFEST)]
        out += [f"write {i.path} ({i.size} bytes, sha256 {i.sha256})" for i in data]
        out += [f"remove {p} (stale: not part of this dataset)" for p in self.stale]
        out += [f"write {i.path} ({i.size} bytes, sha256 {i.sha256})" for i in last]
        if self.unchanged:
            out.append(f"unchanged, not sent: {len(self.unchanged)} files ({', '.join(self.unchanged)})")
        return out


def open_destination(dest: str, source: Path) -> Tuple[Any, str]:
    """(fsspec filesystem, root path) of a store URL or local folder; UserError for one that cannot be used."""
    import fsspec
    from fsspec.implementations.local import LocalFileSystem

    try:
        fs, root = fsspec.core.url_to_fs(dest)
    except (ValueError, ImportError) as e:
        raise UserError(f"--to {dest}: not a destination datagen can write ({_one_line(e)}); expected "
                        f"{HUB_FORM}, an fsspec URL (s3://bucket/path, gs://..., memory://...) or a folder") from None
    if isinstance(fs, LocalFileSystem):
        where = Path(root).resolve()
        if where == source or source in where.parents:
            raise UserError(f"--to {dest}: is the dataset folder or inside it; publish to another folder")
        if where.exists() and not where.is_dir():
            raise UserError(f"--to {dest}: is a file; expected a folder (created if missing)")
    return fs, root.rstrip("/")


def _remote_manifest(fs: Any, root: str) -> Dict[str, Dict[str, Any]]:
    path = f"{root}/{MANIFEST}"
    if not fs.exists(path):
        return {}
    try:
        doc = json.loads(fs.cat_file(path))
        return {f["path"]: f for f in doc["files"]}
    except (ValueError, KeyError, TypeError):
        return {}  # not ours or damaged: every file is sent again


def _remote_files(fs: Any, root: str) -> List[str]:
    """Files under the dataset's own folders at the destination, relative to root."""
    base = fs._strip_protocol(root).rstrip("/")
    out = []
    for sub in OWNED:
        if fs.exists(f"{root}/{sub}"):
            for p in fs.find(f"{root}/{sub}"):
                p = fs._strip_protocol(p)
                if p.startswith(base + "/"):
                    out.append(p[len(base) + 1:])
    return sorted(set(out))


def plan_store(fs: Any, root: str, dest: str, files: List[Item]) -> Plan:
    """Compare with what the destination holds: its manifest, and the sizes of the files themselves."""
    remote = _remote_manifest(fs, root)
    send, unchanged = [], []
    for item in files:
        known = remote.get(item.path)
        same = known is not None and known.get("sha256") == item.sha256 and known.get("size") == item.size
        if item.path == MANIFEST:
            same = bool(remote) and fs.exists(f"{root}/{MANIFEST}") and fs.cat_file(f"{root}/{MANIFEST}") == item.data
        elif same:
            try:
                same = fs.size(f"{root}/{item.path}") == item.size
            except FileNotFoundError:
                same = False
        (unchanged.append(item.path) if same else send.append(item))
    listed = {i.path for i in files}
    stale = [p for p in _remote_files(fs, root) if p not in listed]
    if (send or stale) and files[-1] not in send:
        send.append(files[-1])  # the manifest is rewritten after any change (the old one is removed first)
    return Plan(dest, send, unchanged, stale, drop_manifest=bool(remote) and bool(send))


def _put(fs: Any, root: str, item: Item) -> None:
    from fsspec.implementations.local import LocalFileSystem

    target = f"{root}/{item.path}"
    if isinstance(fs, LocalFileSystem):  # write beside, then rename: a file with its final name is complete
        final = Path(target)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.name}.tmp")
        if item.source is not None:
            shutil.copyfile(item.source, tmp)
        else:
            tmp.write_bytes(item.data)
        os.replace(tmp, final)
    elif item.source is not None:
        fs.put_file(str(item.source), target)
    else:
        fs.pipe_file(target, item.data)


def run_store(fs: Any, root: str, plan: Plan) -> None:
    """Carry a plan out in its order (see the module docstring)."""
    if plan.drop_manifest:
        fs.rm_file(f"{root}/{MANIFEST}")
    last = [i for i in plan.send if i.path in (CARD, MANIFEST)]
    for item in plan.send:
        if item.path not in (CARD, MANIFEST):
            _put(fs, root, item)
    for rel in plan.stale:
        fs.rm_file(f"{root}/{rel}")
    for item in sorted(last, key=lambda i: i.path == MANIFEST):
        _put(fs, root, item)


# ---------------------------------------------------------------- Hugging Face Hub

def hub_repo(dest: str) -> Optional[str]:
    """ORG/NAME of an hf:// destination, None for any other; UserError for an hf:// URL of another form."""
    if not dest.startswith("hf://"):
        return None
    m = HUB.fullmatch(dest)
    if not m:
        raise UserError(f"--to {dest}: expected {HUB_FORM} (a dataset repo; models and spaces are not datasets)")
    return m.group("repo")


def remote_matches(item: Item, remote: Any) -> bool:
    """Whether a file on the Hub (a RepoFile) has this content: LFS SHA-256, else the git blob id."""
    if remote is None or remote.size != item.size:
        return False
    lfs = getattr(remote, "lfs", None)
    if lfs is not None and getattr(lfs, "sha256", None):
        return lfs.sha256 == item.sha256
    return remote.blob_id == git_blob_sha1(item)


def plan_hub(files: List[Item], remote: Iterable[Any]) -> Tuple[List[Item], List[str], List[str]]:
    """(files to add, unchanged paths, stale paths to delete) against the repo's files (RepoFile objects)."""
    by_path = {r.path: r for r in remote if hasattr(r, "blob_id")}
    send = [i for i in files if not remote_matches(i, by_path.get(i.path))]
    unchanged = [i.path for i in files if i not in send]
    listed = {i.path for i in files}
    stale = sorted(p for p in by_path if p.split("/", 1)[0] in OWNED and "/" in p and p not in listed)
    if stale and files[-1] not in send:
        send.append(files[-1])
    return send, unchanged, stale


def publish_hub(repo: str, files: List[Item], args: argparse.Namespace) -> List[str]:
    """One commit to the dataset repo with what changed; nothing when nothing did. Returns the lines to print."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    revision = args.revision or "main"
    head = [f"destination: https://huggingface.co/datasets/{repo} (revision {revision}, "
            f"{'private' if args.private else 'public if created'}), one commit: {args.message!r}"]
    if args.dry_run:  # the Hub is not contacted: every file is listed; files already there are skipped for real
        return head + [f"add {i.path} ({i.size} bytes, sha256 {i.sha256})" for i in files] + [
            "(dry run: the Hub was not contacted; files it already holds with the same content are not sent, "
            "data files it holds that this dataset does not list are deleted in the same commit)"]
    api = HfApi()
    api.create_repo(repo, repo_type="dataset", private=args.private, exist_ok=True)
    if args.revision:
        api.create_branch(repo, branch=args.revision, repo_type="dataset", exist_ok=True)
    try:
        remote = list(api.list_repo_tree(repo, recursive=True, repo_type="dataset", revision=revision))
    except (RepositoryNotFoundError, RevisionNotFoundError):
        remote = []
    send, unchanged, stale = plan_hub(files, remote)
    if not send and not stale:
        return head + [f"nothing to publish: the repo already holds these {len(files)} files, unchanged"]
    ops = [CommitOperationAdd(path_in_repo=i.path, path_or_fileobj=i.source if i.source else i.data) for i in send]
    ops += [CommitOperationDelete(path_in_repo=p) for p in stale]
    info = api.create_commit(repo, ops, commit_message=args.message, repo_type="dataset", revision=revision)
    return head + [f"add {i.path} ({i.size} bytes)" for i in send] + [f"delete {p}" for p in stale] + [
        f"unchanged, not sent: {len(unchanged)} files", f"commit {info.oid}: {info.commit_url}"]


# ---------------------------------------------------------------- the command

def publish(dataset: Path, args: argparse.Namespace) -> List[str]:
    """Check, plan and (unless a dry run) send; returns the lines to print."""
    folder = check_folder(dataset)
    repo = hub_repo(args.to)
    if repo is None and (args.private or args.revision or args.message is not None):
        raise UserError(f"--to {args.to}: --private, --revision and --message apply to {HUB_FORM} destinations only")
    fs_root = None if repo is not None else open_destination(args.to, folder.root)
    files = items(folder)
    if args.message is None:
        args.message = (f"Publish datagen dataset ({folder.stats.get('recipe')}, "
                        f"{sum(folder.stats['splits'].values())} examples, config {config_hash(folder.stats['config'])[:12]})")
    try:
        if repo is not None:
            return publish_hub(repo, files, args)
        fs, root = fs_root
        plan = plan_store(fs, root, args.to, files)
        if args.dry_run:
            return plan.lines() + ["(dry run: nothing was written)"]
        if not plan.send and not plan.stale:
            return [f"nothing to publish: {args.to} already holds these {len(files)} files, unchanged"]
        run_store(fs, root, plan)
        return plan.lines() + [f"published {len(plan.send)} files to {args.to}"]
    except _external() as e:
        raise MachineError(f"publishing to {args.to} failed: {type(e).__name__}: {_one_line(e)}") from None


def main(argv: List[str]) -> None:
    """The `publish` command line."""
    p = argparse.ArgumentParser(prog="python -m datagen publish",
                                description="Check a dataset folder and publish it whole to a Hugging Face dataset "
                                            "repo, an fsspec URL or a folder.")
    p.add_argument("dataset", type=Path, help="the dataset folder (written by python -m datagen or merge)")
    p.add_argument("--to", required=True, metavar="DEST",
                   help=f"{HUB_FORM}, an fsspec URL (s3://bucket/path, gs://..., memory://...) or a local folder")
    p.add_argument("--revision", default=None, help="Hub only: the branch to commit to (created if missing; default main)")
    p.add_argument("--private", action="store_true", help="Hub only: create the repo private (an existing repo keeps its "
                                                          "visibility)")
    p.add_argument("--message", default=None, help="Hub only: the commit message (default: recipe, size, config hash)")
    p.add_argument("--dry-run", action="store_true", help="print what would be written where, and write nothing")
    args = p.parse_args(argv)
    for line in publish(args.dataset, args):
        print(line)
