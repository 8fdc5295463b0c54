"""A profile cannot be loosened below its regulation (issue 13): each preset value an article sets is a floor
or a ceiling, declared in the preset's ``[limits]`` table; the office may tighten it, never loosen it."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from avledger.errors import UserError
from avledger.models.schema import Office
from avledger.profile import EDITABLE_FIELDS, PRESETS, Profile, load_preset, preset_limits

# the letter each preset's articles are cited with (see each preset file's header)
LETTERS = {"wanzhou": "W", "dalian": "D", "ruzhou": "R", "lingchuan": "L", "pingdingshan": "P"}
EDITABLE = {f.path for f in EDITABLE_FIELDS}


def article_cited_numbers(preset: str) -> dict[str, str]:
    """Every number in the preset file whose comment cites one of the regulation's articles: path -> comment."""
    text = resources.files("avledger.profiles").joinpath(f"{preset}.toml").read_text("utf-8")
    section, found = "", {}
    for line in text.splitlines():
        if m := re.match(r"^\[([\w.]+)\]", line):
            section = m.group(1)
        elif m := re.match(r"^(\w+)\s*=\s*(-?[\d.]+)\s*#\s*(.*)$", line):
            key, comment = m.group(1), m.group(3)
            if re.match(rf"{LETTERS[preset]}\d", comment):
                found[f"{section}.{key}"] = comment
    return found


@pytest.mark.parametrize("preset", PRESETS)
def test_every_number_an_article_sets_is_a_floor_or_a_ceiling(preset):
    limits = preset_limits(preset)
    cited = article_cited_numbers(preset)
    assert cited, "the parser found the article-cited values"
    assert set(limits) == set(cited), "a value from an article without a limit, or a limit without one"
    data = load_preset(preset)
    assert "limits" not in data  # the limits stay in the preset: the office's profile cannot carry its own
    profile = Profile(data)
    for path, limit in limits.items():
        assert limit.bound in ("min", "max")
        assert cited[path].startswith(limit.article), (path, cited[path])  # the article the value's comment cites
        assert profile.get(path) == limit.value  # the preset holds the regulation's own value
        assert limit.says


def loosened_and_tightened(limit) -> tuple[str, str]:
    step = 1 if limit.bound == "max" else -1
    return str(limit.value + step), str(limit.value - step)


@pytest.mark.parametrize("preset", PRESETS)
def test_the_office_may_tighten_but_never_loosen(services, preset):
    Office.update(preset=preset, profile=json.dumps(load_preset(preset), ensure_ascii=False)).execute()
    services.ctx.forget_profile()
    editable = [limit for path, limit in preset_limits(preset).items() if path in EDITABLE]
    assert editable
    for limit in editable:
        looser, stricter = loosened_and_tightened(limit)
        before = len(services.audit.list())
        with pytest.raises(UserError) as info:
            services.office.set_value(limit.path, looser)
        assert (info.value.code, info.value.field) == ("profile.below_regulation", "value")
        message = info.value.render()
        assert limit.article in message and str(limit.value) in message and limit.says in message
        assert services.office.profile().get(limit.path) == limit.value
        assert len(services.audit.list()) == before  # nothing changed
        assert services.office.set_value(limit.path, stricter).get(limit.path) == int(stricter)
        assert services.office.set_value(limit.path, str(limit.value)).get(limit.path) == limit.value


def test_values_the_regulation_leaves_to_the_office_stay_free(services):
    # wanzhou: the gap and the re-check period are not in the regulation
    assert services.office.set_value("ingest.max_gap_minutes", "30").get("ingest.max_gap_minutes") == 30
    assert services.office.set_value("disc.recheck_years", "10").get("disc.recheck_years") == 10


def test_profile_numbers_must_be_finite(services):
    for raw in ("nan", "NaN", "inf", "-inf", "Infinity"):
        with pytest.raises(UserError) as info:
            services.office.set_value("precheck.min_free_gb", raw)
        assert (info.value.code, info.value.field) == ("input.not_finite", "value")
    assert services.office.profile().get("precheck.min_free_gb") == 4.0


def test_cli_refuses_and_shows_the_limits(cli):
    assert cli("demo").code == 0  # dalian
    before = cli("audit", "list", "--json").json()
    refused = cli("profile", "set", "retention.default_months", "1")
    assert refused.code == 2 and "D25" in refused.err and "36" in refused.err
    refused = cli("profile", "set", "ingest.deadline_hours", "48", lang="en")
    assert refused.code == 2 and "D24" in refused.err and "24" in refused.err
    assert cli("audit", "list", "--json").json() == before
    assert cli("profile", "set", "retention.default_months", "60").code == 0
    shown = cli("profile", "show")
    assert "D25" in shown.out and "D24" in shown.out
    limits = cli("profile", "show", "--json").json()["limits"]
    assert limits["retention.default_months"] == {"min": 36, "article": "D25"}
    assert limits["ingest.deadline_hours"] == {"max": 24, "article": "D24"}


def test_a_register_loosened_by_an_older_version_is_pointed_out(services, cli):
    data = services.office.profile().data | {}
    data["retention"] = dict(data["retention"], default_months=1)  # written before the limits were enforced
    Office.update(profile=json.dumps(data, ensure_ascii=False)).execute()
    services.ctx.forget_profile()
    assert [(limit.path, value) for limit, value in services.office.profile().loosened()] == [
        ("retention.default_months", 1)
    ]
    services.close()
    shown = cli("profile", "show")
    assert shown.code == 0 and "retention.default_months = 1" in shown.out and "W14" in shown.out
    # it can be put right, and another value changed meanwhile
    assert cli("profile", "set", "ingest.max_gap_minutes", "10").code == 0
    assert cli("profile", "set", "retention.default_months", "24").code == 0
