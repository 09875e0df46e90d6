"""Golden seeded outputs: one seed pins every request (update deliberately when templates change)."""

from __future__ import annotations

from datagen import conversational, synthetic
from datagen.config import ConversationalConfig, SyntheticConfig
from datagen.entities import Pools
from datagen.templates import builtin_dir

T = builtin_dir("templates")


def _first_queries():
    pools = Pools(T, "en_US", seed=0, size=400)
    conv = conversational.ConversationalGenerator(conversational.load(T, pools), pools, "conversational",
                                                  ["business", "contact", "address", "media", "mixed"],
                                                  ConversationalConfig())
    syn = synthetic.SyntheticGenerator(synthetic.load(T, pools), pools, SyntheticConfig())
    return ([(e.query, sorted(e.targets)) for i in range(4) for e in conv.item(0, i).examples],
            [(e.query, sorted(e.targets)) for i in range(3) for e in syn.item(0, i).examples])


def test_golden_sequences():
    conv, syn = _first_queries()
    assert (conv, syn) == _first_queries()  # same seed, same sequence within a process
    assert conv == GOLDEN_CONV, conv
    assert syn == GOLDEN_SYN, syn


GOLDEN_CONV = [('Hey, share the contact now', [0]), ('Could you get directions to the one before the last one, thanks a lot', [5]), ('Can you take me to Juarez Bank right away', [1]), ('Can you share all of them, thanks', [0, 1, 2, 3, 4])]
GOLDEN_SYN = [('Share that address with David', [1]), ('Send this link to Andre', [3]), ('Save the email addresses to my contacts', [2, 3])]
