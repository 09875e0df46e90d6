"""The Example: one request with its candidates, as every subset produces it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

if TYPE_CHECKING:  # the screen requests (read with the config) use sentence() without Faker
    from datagen.entities import Entity


REFERENCES = ("positional", "descriptive", "type", "spatial", "deictic", "multi", "none")  # how a request refers


@dataclass(frozen=True)
class Example:
    """A request and its candidates in list order; `targets` are 0-based indices into them."""

    subset: str
    query: str
    entities: Sequence["Entity"]
    targets: frozenset
    reference: str  # one of REFERENCES
    domain: str
    template: str
    group: str
    screen_id: Optional[str] = None
    screen_text: Optional[str] = None


def reference_kind(select: str, n_targets: int, base: str) -> str:
    """The reference label of a request: none and multi by target count, else by its rule."""
    if n_targets == 0:
        return "none"
    if n_targets > 1:
        return "multi"
    return base


def sentence(prefix: str, body: str, suffix: str) -> str:
    """A request from its parts, with its first letter capitalised."""
    text = f"{prefix}{body}{suffix}".strip()
    return text[:1].upper() + text[1:]
