"""Settings declared once: defaults accepted, bad values refused with the full key, checks on direct use."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from conftest import make_cfg
from datagen.config import Config, SplitsConfig, load
from datagen.errors import UserError
from datagen.screen.lines import LineSettings, group_lines
from datagen.screen.model import Box, Element
from datagen.screen.requests import KINDS, ScreenMix
from datagen.settings import Settings, check_tree, described, number, setting


def test_every_default_is_accepted_and_documented():
    check_tree(Config(recipe="text"))
    keys = [k for k, _, _ in described(Config)]
    assert len(keys) == len(set(keys)) > 80
    assert all(text for _, _, text in described(Config))


@pytest.mark.parametrize("override, message", [
    ("screen.lines.margin=-0.1", "screen.lines.margin=-0.1: expected a margin >= 0"),
    ("screen.lines.margin=nan", "screen.lines.margin=nan"),
    ("screen.render.phone.scale=[1,9]", "screen.render.phone.scale=[1.0, 9.0]: expected [min, max] multiples with 0.25 <= min <= max <= 6"),
    ("screen.align.min_overlap=0", "screen.align.min_overlap=0.0"),
    ("shard.index=2", "shard.index=2: expected 0..0"),
    ("synthetic.max_negatives=0", "synthetic.max_negatives=0: expected an integer >= min_negatives (1)"),
    ("seed=9223372036854775808", "seed=9223372036854775808: expected a 64-bit integer"),  # was a struct.error
    ("conversational.size=0", "conversational.size=0: expected at least 1 (+recipe=text generates conversational)"),
])
def test_bad_values_name_the_full_key(override, message):
    with pytest.raises(UserError) as e:
        load(make_cfg(["+recipe=text", override]))
    assert str(e.value).startswith(message), str(e.value)


def test_a_subsets_own_split_shares_fall_back_to_the_top_level_ones():
    from datagen.config import split_shares

    top = load(make_cfg(["+recipe=text", "splits.train=0.7", "splits.test=0.2"]))
    assert split_shares(top, "conversational") == {"train": 0.7, "validation": 0.1, "test": 0.2}
    own = load(make_cfg(["+recipe=text", "conversational.splits.train=0.6", "conversational.splits.test=0.3"]))
    assert split_shares(own, "conversational") == {"train": 0.6, "validation": 0.1, "test": 0.3}
    assert split_shares(own, "synthetic") == {"train": 0.8, "validation": 0.1, "test": 0.1}
    whole = load(make_cfg(["+recipe=text", "synthetic.splits={train: 0.5, validation: 0, test: 0.5}"]))
    assert split_shares(whole, "synthetic") == {"train": 0.5, "validation": 0.0, "test": 0.5}
    off = load(make_cfg(["+recipe=text", "synthetic.splits=null"]))
    assert split_shares(off, "synthetic") == split_shares(off, "conversational")


def test_a_stage_setting_built_directly_checks_itself():
    with pytest.raises(UserError, match=r"screen\.lines\.unit='em': expected one of height, px, screen"):
        LineSettings(unit="em")
    SplitsConfig(train=2.0, validation=0, test=0)  # no fixed place in the config: checked where it is used
    with pytest.raises(UserError, match=r"^splits=.*sum to 2"):
        check_tree(Config(recipe="text", splits=SplitsConfig(train=2.0, validation=0, test=0)))


def test_the_function_default_is_the_setting_default():
    els = [Element("a", Box(0, 0, 10, 10)), Element("b", Box(20, 8, 30, 18))]  # centres 8 px apart, height 10
    assert LineSettings().margin == 0.8
    assert group_lines(els) == group_lines(els, LineSettings().margin) == [[0, 1]]
    assert group_lines(els, 0.7) == [[0], [1]]


def test_number_refuses_what_is_not_a_finite_number():
    ok = number(0, 1)
    assert ok(0) and ok(1) and ok(0.5)
    assert not any(ok(v) for v in (-0.1, 1.1, math.inf, math.nan, True, "0.5", None))
    assert number(0, 1, above=True).expected == "a number >0..1"


def test_screen_mix_is_made_from_the_request_kinds():
    assert tuple(ScreenMix.__dataclass_fields__) == KINDS
    assert math.isclose(sum(getattr(ScreenMix(), k) for k in KINDS), 1.0)


def test_cross_field_rules_come_after_field_rules():
    @dataclass
    class Pair(Settings):
        PATH = "pair"
        low: int = setting(1, "low end", number(0))
        high: int = setting(2, "high end", number(0))

        def problems(self):
            if self.high < self.low:
                yield "high", self.high, f">= low ({self.low})"

    with pytest.raises(UserError, match=r"^pair\.low=-1"):
        Pair(low=-1, high=-2)
    with pytest.raises(UserError, match=r"^pair\.high=0: expected >= low \(1\)$"):
        Pair(low=1, high=0)
