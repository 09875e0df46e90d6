"""Reading template YAML (data only) and filling {slot} templates without running code."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

import yaml

from datagen.errors import UserError

SLOT = re.compile(r"\{(\w+)\}")
_PACKAGE = Path(__file__).resolve().parent


def builtin_dir(name: str) -> Path:
    """The built-in `templates/` or `conf/` folder: inside the wheel, or beside the package in a checkout."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise UserError(f"cannot find the built-in '{name}' folder next to {_PACKAGE}; reinstall datagen")


def templates_dir(configured: Optional[str]) -> Path:
    """The template folder in use: `entities.templates` if set, else the built-in one."""
    if not configured:
        return builtin_dir("templates")
    path = Path(configured).expanduser()
    if not path.is_dir():
        raise UserError(f"entities.templates={configured!r}: not a folder")
    return path.resolve()


@lru_cache(maxsize=64)
def _load_cached(path: Path, mtime_ns: int) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise UserError(f"{path}: cannot read template file ({e.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise UserError(f"{path}{where}: YAML error: {problem}") from None


def load_yaml(folder: Path, name: str) -> dict:
    """Parse `folder/name` (safe YAML: plain data only); errors name the file and line."""
    path = folder / name
    if not path.is_file():
        raise UserError(f"{path}: template file missing")
    data = _load_cached(path, path.stat().st_mtime_ns)
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def slots(template: str) -> list[str]:
    """The slot names used in a template, in order of appearance."""
    return list(_slots(template))


@lru_cache(maxsize=4096)
def _slots(template: str) -> tuple:
    return tuple(SLOT.findall(template))


def check_slots(template: str, allowed: Iterable[str], where: str) -> None:
    """Fail with a one-line error if a template uses a slot it cannot be filled with."""
    allowed = set(allowed)
    for name in slots(template):
        if name not in allowed:
            raise UserError(
                f"{where}: unknown slot '{{{name}}}' in {template!r} (known: {', '.join(sorted(allowed)) or 'none'})"
            )


@lru_cache(maxsize=4096)
def _parts(template: str) -> tuple:
    """A template split into literal text (even positions) and slot names (odd positions)."""
    return tuple(SLOT.split(template))


def fill(template: str, values: Mapping[str, Any]) -> str:
    """Replace each {slot} with its value; plain substitution, never evaluation."""
    parts = _parts(template)
    if len(parts) == 1:
        return template
    out = list(parts)
    for i in range(1, len(parts), 2):
        out[i] = str(values[parts[i]])
    return "".join(out)


def require(mapping: Any, key: str, kind: type, where: str) -> Any:
    """mapping[key] checked to be of `kind`, else a one-line error naming `where.key`."""
    if not isinstance(mapping, dict) or key not in mapping:
        raise UserError(f"{where}: missing key '{key}'")
    value = mapping[key]
    if not isinstance(value, kind):
        raise UserError(f"{where}.{key}: expected {kind.__name__}, got {type(value).__name__} {value!r}")
    return value
