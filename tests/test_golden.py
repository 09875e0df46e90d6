"""Golden seeded outputs: one seed pins every request (update deliberately when templates change)."""

from __future__ import annotations

from dataclasses import asdict

from datagen import conversational, synthetic
from datagen.config import ReferenceMix
from datagen.entities import Pools
from datagen.templates import builtin_dir

T = builtin_dir("templates")


def _first_queries():
    pools = Pools(T, "en_US", seed=0, size=400)
    conv = conversational.Generator(conversational.load(T, pools), pools, "conversational",
                                    ["business", "contact", "address", "media", "mixed"], asdict(ReferenceMix()),
                                    2, 10, 1, 50)
    syn = synthetic.Generator(synthetic.load(T, pools), pools, 1, 5, 50)
    return ([(e.query, sorted(e.targets)) for i in range(4) for e in conv.item(0, i)[0]],
            [(e.query, sorted(e.targets)) for i in range(3) for e in syn.item(0, i)[0]])


def test_golden_sequences():
    conv, syn = _first_queries()
    assert (conv, syn) == _first_queries()  # same seed, same sequence within a process
    assert conv == GOLDEN_CONV, conv
    assert syn == GOLDEN_SYN, syn


GOLDEN_CONV = [('Ok, go with the contact', [0]), ('Share number 1 with Alex real quick', [0]), ('Hey, how far away is the bank on Palmer Road', [1]), ('Hey, share all of them, thank you', [0, 1, 2, 3, 4])]
GOLDEN_SYN = [('Share that address with George', [1]), ('Send this link to John', [3]), ('Save the email addresses to my contacts', [2, 3])]
