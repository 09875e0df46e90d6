"""How a setting is declared: its default, what it means (with its unit) and the values it accepts, once.

A stage's settings are a dataclass whose fields are made with `setting(...)`; that dataclass IS
the stage's part of the config schema (config.Config nests them and Hydra composes onto it, so a
wrong type or an unknown key fails at composition with the key named), `--help` prints each
field's meaning next to its value, and `check` refuses a value outside the accepted ones with one
line naming the key. A settings class with a `PATH` (its place in the config, e.g.
"screen.lines") checks itself whenever it is made, so code and tests that build one directly get
the same errors as the command line.
"""

from __future__ import annotations

import copy
import math
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any, Callable, ClassVar, Iterable, Iterator, Optional, Sequence, Tuple

from datagen.errors import UserError


@dataclass(frozen=True)
class Accepts:
    """The values a setting accepts: a test and the words an error shows ("expected ...")."""

    test: Callable[[Any], bool]
    expected: str

    def __call__(self, value: Any) -> bool:
        try:
            return bool(self.test(value))
        except (TypeError, ValueError):
            return False


def number(lo: Optional[float] = None, hi: Optional[float] = None, what: str = "a number",
           above: bool = False) -> Accepts:
    """A finite number in [lo, hi] (or (lo, hi] with above=True); `what` names the unit in errors."""
    def test(v: Any) -> bool:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            return False
        low_ok = lo is None or (v > lo if above else v >= lo)
        return low_ok and (hi is None or v <= hi)

    if lo is not None and hi is not None:
        bounds = f"{'>' if above else ''}{lo:g}..{hi:g}"
    elif lo is not None:
        bounds = f"{'>' if above else '>='} {lo:g}"
    else:
        bounds = f"<= {hi:g}"
    open_ended = lo is None or hi is None
    return Accepts(test, f"{what} {bounds}" + (" (finite)" if open_ended and "integer" not in what else ""))


def one_of(*values: Any) -> Accepts:
    return Accepts(lambda v: v in values, "one of " + ", ".join(map(str, values)))


def some_of(*values: Any) -> Accepts:
    """A non-empty list of the given values."""
    return Accepts(lambda v: len(v) > 0 and set(v) <= set(values), "a non-empty list of " + ", ".join(map(str, values)))


def span(what: str, lo: Optional[float] = None, hi: Optional[float] = None) -> Accepts:
    """[min, max] with 0 < min <= max (and lo <= min, max <= hi when given)."""
    def test(v: Any) -> bool:
        return (len(v) == 2 and 0 < v[0] <= v[1] and all(math.isfinite(x) for x in v)
                and (lo is None or v[0] >= lo) and (hi is None or v[1] <= hi))

    bounds = f"{lo:g} <= min <= max <= {hi:g}" if lo is not None and hi is not None else "0 < min <= max"
    return Accepts(test, f"[min, max] {what} with {bounds}")


def setting(default: Any, help: str, accepts: Optional[Accepts] = None) -> Any:
    """A settings field: its one default, its meaning for --help (with its unit) and what it accepts."""
    metadata = {"help": help, "accepts": accepts}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: copy.deepcopy(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def group(cls: type, help: str) -> Any:
    """A nested settings group (a dataclass made with its own defaults)."""
    return field(default_factory=cls, metadata={"help": help})


class Settings:
    """Base of settings dataclasses: checked when made if PATH is set; `problems` for cross-field rules."""

    PATH: ClassVar[str] = ""

    def __post_init__(self) -> None:
        if self.PATH:
            check(self, self.PATH)

    def problems(self) -> Iterable[Tuple[str, Any, str]]:
        """Rules between fields: (field, value, expected) for each one broken (none by default)."""
        return ()


SHARE = number(0, what="a share")


class Shares(Settings):
    """Settings that are shares of one whole (a mix, splits): each >= 0, together 1."""

    TOLERANCE: ClassVar[float] = 1e-6

    def problems(self) -> Iterable[Tuple[str, Any, str]]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        total = sum(values.values())
        if abs(total - 1.0) > self.TOLERANCE:
            yield "", values, f"shares summing to 1 (they sum to {total:g})"


def _show(value: Any) -> str:
    return repr(list(value) if isinstance(value, tuple) else value)


def check(obj: Any, path: str = "") -> None:
    """Raise UserError for the first field of `obj` (not its groups) outside what it accepts."""
    for f in fields(obj):
        accepts = f.metadata.get("accepts")
        value = getattr(obj, f.name)
        if accepts is not None and not accepts(value):
            raise UserError(f"{_key(path, f.name)}={_show(value)}: expected {accepts.expected}")
    for name, value, expected in obj.problems() if isinstance(obj, Settings) else ():
        raise UserError(f"{_key(path, name) if name else path}={_show(value)}: expected {expected}")


def check_tree(obj: Any, path: str = "") -> None:
    """`check` on obj and on every settings group inside it, naming each key by its full path."""
    check(obj, path)
    for f in fields(obj):
        value = getattr(obj, f.name)
        if is_dataclass(value):
            check_tree(value, _key(path, f.name))


def _key(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _group_type(hint: Any) -> Optional[type]:
    """The settings dataclass a field holds (unwrapping Optional[...]), or None for a plain value."""
    if isinstance(hint, type) and is_dataclass(hint):
        return hint
    for arg in getattr(hint, "__args__", ()) or ():
        if isinstance(arg, type) and is_dataclass(arg):
            return arg
    return None


def described(cls: type, path: str = "") -> Iterator[Tuple[str, Any, str]]:
    """(key, default, help) of every setting of a schema, depth first, in declaration order.

    A group yields its own line (default None) and then its settings, also an optional group
    that is null by default (e.g. a subset's own `splits`)."""
    hints = typing.get_type_hints(cls)
    for f in fields(cls):
        key = _key(path, f.name)
        sub = _group_type(hints.get(f.name))
        if sub is not None:
            yield key, None, f.metadata.get("help", "")
            yield from described(sub, key)
            continue
        default = f.default if f.default is not MISSING else (
            f.default_factory() if f.default_factory is not MISSING else None)
        yield key, default, f.metadata.get("help", "")


def helps(cls: type) -> dict:
    """{key: help} of every setting of a schema (what --help prints beside each key)."""
    return {key: text for key, _, text in described(cls)}


__all__: Sequence[str] = ["Accepts", "Settings", "setting", "group", "check", "check_tree", "number", "one_of",
                          "some_of", "span", "helps", "described"]
