"""The paper's metric: a model's raw output parsed into a set of entity numbers, scored by exact set match.

One code path for everything that scores: `evaluate` on a model's predictions, and the built-in
baselines of the card and stats.json (datagen/baselines.py), so their numbers agree exactly.
"""

from __future__ import annotations

import re
from typing import FrozenSet, Iterable, Optional

# "1", "1, 3", "3,1", " 1 ": numbers separated by commas, spaces around them allowed; "0" alone is "none"
_ANSWER = re.compile(r"\s*[0-9]+(?:\s*,\s*[0-9]+)*\s*", re.ASCII)
NONE = frozenset()  # the answer "0"
DIGITS = 4  # accuracies are rounded to this many decimals, everywhere they are shown


def parse_prediction(text: object) -> Optional[FrozenSet[int]]:
    """The set of 1-based entity numbers an output names ("0" -> empty set); None if it is not an answer.

    Accepted: numbers separated by commas, with any spaces around them ("1, 3", "3,1", " 1 ").
    Order does not matter and duplicates collapse. "0" means none and must stand alone ("0, 2" is
    not an answer). Anything else (empty, words, "1.", "1 3", a list) is unparseable: counted wrong.
    """
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        return None
    text = str(text)
    if not _ANSWER.fullmatch(text):
        return None
    numbers = frozenset(int(p) for p in text.split(","))
    if 0 in numbers:
        return NONE if len(numbers) == 1 else None
    return numbers


def exact_match(predicted: Optional[FrozenSet[int]], targets: Iterable[int]) -> bool:
    """The paper's accuracy for one example: the predicted set is the target set (unparseable: wrong)."""
    return predicted is not None and predicted == frozenset(targets)


def rate(hits: int, total: int) -> float:
    """Accuracy as the card, stats.json and `evaluate` show it."""
    return round(hits / total, DIGITS) if total else 0.0
