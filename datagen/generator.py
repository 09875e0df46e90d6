"""The one interface every subset generator has: an item index in, an item result out.

run, parallel (worker processes), the journal and merge only use this. An item is one unit
of work with its own seed (seeding.rng(seed, subset, index)): a conversational list, a
synthetic template, a screen. Its result carries everything the item made, so nothing is
handed back through generator state.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import List, Optional, Protocol

from datagen.errors import ItemError
from datagen.example import Example


@dataclass
class ItemResult:
    """What one item made: its examples, screens-table rows, counts, and the time it took."""

    index: int
    examples: List[Example] = field(default_factory=list)
    redraws: int = 0  # draws beyond one per example (requests or lists drawn again)
    screens: List[dict] = field(default_factory=list)  # screens-table rows (screen subset)
    counts: Counter = field(default_factory=Counter)  # what else the item counted (screen requests, OCR cache)
    ocr_seconds: float = 0.0
    seconds: float = 0.0  # time spent making the item (in whichever process made it); set by parallel.run_item
    error: Optional[ItemError] = None  # the item was skipped, for this reason

    @property
    def skip_reason(self) -> Optional[ItemError]:
        """Why the item gives nothing: its error, or no request found (a screen may give no example)."""
        if self.error is not None:
            return self.error
        if not self.examples and not self.screens:
            return ItemError("no_unambiguous_request", f"no unambiguous request in {self.redraws} draws")
        return None


class SubsetGenerator(Protocol):
    """A subset's maker of examples (conversational, synthetic, unseen, screen)."""

    subset: str
    n_items: int  # items of the whole subset (before sharding)
    max_examples: Optional[int]  # examples the subset stops at (None: whatever the items make)
    per_item: int  # examples one item makes at most

    def item(self, seed: int, index: int) -> ItemResult:
        """Item `index` made with its own seed; raises ItemError when the item must be skipped."""

    def where(self, index: int) -> str:
        """How the skip list names item `index` ("item 12" or a screenshot's path)."""

    def describe(self) -> dict:
        """What this generator's statistics need beyond the rows (e.g. the line settings and OCR engine)."""
