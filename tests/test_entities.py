"""Entity pools: every type generates in several locales, values pass real detectors, seeds pin them."""

from __future__ import annotations

import random
import re
from urllib.parse import urlparse

import phonenumbers
import pyap
import pytest

from datagen.entities import Pools, format_phone, region_of
from datagen.errors import UserError
from datagen.templates import builtin_dir

TEMPLATES = builtin_dir("templates")
LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR"]
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


@pytest.fixture(scope="module", params=LOCALES)
def pools(request):
    return Pools(TEMPLATES, request.param, seed=0, size=60)


def test_at_least_15_types_all_generate(pools):
    assert len(pools.types) >= 15
    for name in pools.types:
        pool = pools.pool(name)
        assert pool, name
        for e in pool:
            assert e.type == name and e.value and e.text.startswith(f"Type: {name} | ")
            assert "{" not in e.line and "\n" not in e.line


def test_phone_numbers_valid_for_region(pools):
    region = region_of(pools.locale)
    for name, field in [("PhoneNumber", "number"), ("Person", "phone"), ("LocalBusiness", "phone")]:
        for e in pools.pool(name):
            number = phonenumbers.parse(e.get(field), region)
            assert phonenumbers.is_valid_number(number), (name, e.get(field))


def test_emails_and_urls_well_formed(pools):
    for e in pools.pool("EmailAddress"):
        assert EMAIL.match(e.value), e.value
    for e in pools.pool("Person"):
        assert EMAIL.match(e.get("email")), e.get("email")
    for e in pools.pool("Uri"):
        u = urlparse(e.value)
        assert u.scheme == "https" and "." in u.netloc, e.value


@pytest.mark.parametrize("locale, country", [("en_US", "US"), ("en_GB", "GB")])
def test_addresses_parse(locale, country):
    p = Pools(TEMPLATES, locale, seed=1, size=50)
    for name, field in [("PostalAddress", "full"), ("LocalBusiness", "address")]:
        for e in p.pool(name):
            found = pyap.parse(e.get(field), country=country)
            assert found and found[0].full_address == e.get(field), e.get(field)


def test_pools_distinct_on_unique_fields():
    p = Pools(TEMPLATES, "en_US", seed=0, size=200)
    for name, t in p.types.items():
        if t.unique:
            keys = [tuple(e.get(u) for u in t.unique) for e in p.pool(name)]
            assert len(keys) == len(set(keys)), name


def test_same_seed_same_pool_other_seed_other_pool():
    a = Pools(TEMPLATES, "en_US", seed=5, size=30).pool("Person")
    b = Pools(TEMPLATES, "en_US", seed=5, size=30).pool("Person")
    c = Pools(TEMPLATES, "en_US", seed=6, size=30).pool("Person")
    assert a == b and a != c


def test_draw_is_seeded_and_distinct():
    p = Pools(TEMPLATES, "en_US", seed=0, size=50)
    d1 = p.draw("PostalAddress", random.Random(3), 5)
    d2 = p.draw("PostalAddress", random.Random(3), 5)
    assert d1 == d2 and len(set(d1)) == 5


def test_phone_styles():
    n = phonenumbers.parse("+12065550123", None)
    n = phonenumbers.parse("+12068881999", None)
    assert format_phone(n, "NATIONAL") == "(206) 888-1999"
    assert format_phone(n, "DASHED") == "206-888-1999"
    assert format_phone(n, "DOTTED") == "206.888.1999"
    assert format_phone(n, "E164") == "+12068881999"
    assert format_phone(n, "INTERNATIONAL") == "+1 206-888-1999"


def test_unknown_locale_is_a_user_error():
    with pytest.raises(UserError, match="xx_YY"):
        Pools(TEMPLATES, "xx_YY", seed=0, size=10)


def test_rewrite_rebuilds_formatted_fields():
    p = Pools(TEMPLATES, "en_US", seed=0, size=20)
    e = p.pool("PostalAddress")[0].with_property("list_position", "3")
    r = p.rewrite(e, {"city": "Springfield"})
    assert r.get("city") == "Springfield" and ", Springfield, " in r.get("full")
    assert r.line.endswith(" | list_position: 3") and r.value == r.get("full")


def test_emails_look_like_the_ones_businesses_show(pools):
    """Mostly a role account at the business's own domain (as on the shared real pages), a person's now and then."""
    pool = pools.pool("EmailAddress")
    locals_ = [e.value.split("@")[0] for e in pool]
    roles = set(pools.types["EmailAddress"].fields["_role"]["choice"])
    assert sum(local in roles for local in locals_) >= len(pool) // 2, locals_
    assert sum(bool(re.search(r"\d", local)) for local in locals_) <= len(pool) // 5, locals_
    assert all(e.value.endswith("@" + e.get("host")) for e in pool)


def test_rewrite_rebuilds_a_field_with_the_template_it_was_made_with(tmp_path):
    (tmp_path / "entities.yaml").write_text(
        "types:\n  Thing:\n    value: c\n    fields:\n      a: {choice: [x, y]}\n      b: {choice: [p, q]}\n"
        "      c: {format: ['{a}-{b}', '{b}+{a}']}\n    line: '{c}'\n", encoding="utf-8")
    p = Pools(tmp_path, "en_US", seed=0, size=4)
    made = {e.value for e in p.pool("Thing")}
    assert any("-" in v for v in made) and any("+" in v for v in made), made  # both templates are drawn
    for e in p.pool("Thing"):
        r = p.rewrite(e, {"a": "z"})
        assert r.value == (f"z-{e.get('b')}" if "-" in e.value else f"{e.get('b')}+z"), (e.value, r.value)


def test_a_format_list_must_hold_templates(tmp_path):
    (tmp_path / "entities.yaml").write_text(
        "types:\n  Thing:\n    value: a\n    fields:\n      a: {format: []}\n    line: '{a}'\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"Thing.fields.a.format: expected a template or a non-empty list"):
        Pools(tmp_path, "en_US", seed=0, size=5)
