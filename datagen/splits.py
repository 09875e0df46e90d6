"""Split assignment: a hash of the example's group, so related examples share a split."""

from __future__ import annotations

from typing import Mapping

from datagen.seeding import unit_hash

TEST_ONLY = ("unseen",)  # subsets whose rows all go to test


def assign(group: str, subset: str, seed: int, ratios: Mapping[str, float]) -> str:
    """train | validation | test for a group: the group's stable hash against the cumulative ratios.

    The hash is salted with the seed, so another seed also draws another split, and it does
    not depend on the order in which groups are produced (sharding and workers cannot change it).
    """
    if subset in TEST_ONLY:
        return "test"
    u = unit_hash(seed, "split", group)
    acc = 0.0
    for split in ("train", "validation", "test"):
        acc += ratios[split]
        if u < acc:
            return split
    return "test"
