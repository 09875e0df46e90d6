"""Seed derivation: every random draw comes from a generator seeded from `seed` and a path.

Item i of subset s gets `rng(seed, s, i)`, so what an item contains never depends on the
order or the process in which items are generated. Nothing here touches global state.
"""

from __future__ import annotations

import hashlib
import random
import struct
from typing import List


def derive(seed: int, *path: object) -> int:
    """A 64-bit seed from the root seed and a path of names/numbers (stable across runs)."""
    h = hashlib.blake2b(digest_size=8)
    h.update(struct.pack("<q", int(seed)))
    for part in path:
        h.update(b"\x1f")
        h.update(str(part).encode("utf-8"))
    return int.from_bytes(h.digest(), "little")


def rng(seed: int, *path: object) -> random.Random:
    """A private random.Random for this path (never the global one)."""
    return random.Random(derive(seed, *path))


_MASK = (1 << 64) - 1


def permutation(n: int, key: int) -> List[int]:
    """A shuffled range(n) decided by a 64-bit key (from derive): Fisher-Yates driven by SplitMix64, for
    the few candidates of one example (a random.Random per example costs more than the shuffle)."""
    order = list(range(n))
    x = key & _MASK
    for i in range(n - 1, 0, -1):
        x = (x + 0x9E3779B97F4A7C15) & _MASK
        z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        j = (z ^ (z >> 31)) % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def unit_hash(*path: object) -> float:
    """A stable number in [0, 1) from a path, for hash-based assignment (splits)."""
    h = hashlib.blake2b(digest_size=8)
    for part in path:
        h.update(str(part).encode("utf-8"))
        h.update(b"\x1f")
    return int.from_bytes(h.digest(), "big") / 2**64
