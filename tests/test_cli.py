"""The real CLI in a subprocess: user mistakes end with one line naming the culprit, exit 2."""

from __future__ import annotations

import json
import re
import shlex
import shutil

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from conftest import REPO, run_cli
from datagen.__main__ import SUBCOMMANDS, jobs
from datagen.config import Config, load
from datagen.settings import described
from datagen.templates import builtin_dir

RECIPES = ["conversational", "screen", "synthetic", "text", "unseen"]


def one_line_error(proc, *needles: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def test_no_recipe_lists_recipes_and_exits_2(tmp_path):
    line = one_line_error(run_cli(cwd=tmp_path), "recipe")
    for r in RECIPES:
        assert r in line


def test_help_lists_recipes(tmp_path):
    proc = run_cli("--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert "recipe:" in proc.stdout
    for r in RECIPES:
        assert r in proc.stdout


@pytest.mark.parametrize("args, needles", [
    (["+recipe=nope"], ["nope", "unknown recipe", "conversational"]),
    (["recipe=text"], ["+recipe"]),
    (["+recipe=text", "conversational.size=-5"], ["conversational.size", "-5"]),
    (["+recipe=text", "conversational.size=abc"], ["conversational.size", "abc"]),
    (["+recipe=text", "splits.train=0.5"], ["splits", "sum"]),
    (["+recipe=text", "locale=xx_YY"], ["locale", "xx_YY"]),
    (["+recipe=text", "conversational.colour=red"], ["colour"]),
    (["+recipe=text", "unseen.domain=weather"], ["unseen.domain", "weather"]),
    (["-m", "+recipe=text", "conversational.size=10,-1"], ["conversational.size", "-1"]),
    (["+recipe=screen", "screen.lines.margin=inf"], ["screen.lines.margin", "inf"]),
    (["+recipe=screen", "screen.render.phone.fonts=[comic]"], ["screen.render.phone.fonts", "comic", "sans"]),
    (["+recipe=screen", "screen.detect.address_country=DE"], ["screen.detect.address_country", "DE"]),
    (["+recipe=screen", "screen.mix.none=0.5"], ["screen.mix", "sum"]),
    # issue 12, case 1: keys inside a subset's own splits, and the dict form (were tracebacks, exit 1)
    (["+recipe=conversational", "conversational.splits.train=0.9", "conversational.splits.validation=0.2",
      "conversational.splits.test=0.1"], ["conversational.splits=", "sum to 1.2"]),
    (["+recipe=conversational", "conversational.splits={train: 0.9, validation: 0.2, test: 0.1}"],
     ["conversational.splits=", "sum to 1.2"]),
    (["+recipe=conversational", "conversational.splits=null", "conversational.splits.train=0.9"],
     ["conversational.splits.train=0.9", "null"]),
    (["+recipe=conversational", "conversational.splits.test=-0.3"], ["conversational.splits.test=-0.3", ">= 0"]),
    (["+recipe=text", "seed=1180591620717411303424"], ["seed=1180591620717411303424", "64-bit"]),  # case 3
    (["+recipe=conversational", "conversational.size=0"], ["conversational.size=0", "at least 1"]),  # case 10
])
def test_config_mistakes(tmp_path, args, needles):
    one_line_error(run_cli(*args, f"hydra.run.dir={tmp_path}/run", cwd=tmp_path), *needles)
    assert not (tmp_path / "run" / "dataset" / "data").exists()


def _templates_copy(tmp_path):
    dst = tmp_path / "templates"
    shutil.copytree(REPO / "templates", dst)
    return dst


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("file, old, new, needles", [
    ("conversational.yaml", "domains:\n", "domains: [oops\n", ["conversational.yaml", "YAML error"]),
    ("conversational.yaml", "the one on {street_name}", "the one on {stret_name}", ["conversational.yaml", "stret_name"]),
    ("synthetic.yaml", "share {mention} with {person}", "share {mention} with {buddy}", ["synthetic.yaml", "buddy"]),
    ("synthetic.yaml", "types: [PhoneNumber]", "types: [PhoneNumbr]", ["synthetic.yaml", "PhoneNumbr"]),
    ("entities.yaml", "line: \"{address}\"", "line: \"{adress}\"", ["entities.yaml", "adress"]),
    ("entities.yaml", "_user: {faker: user_name}", "_user: {faker: seed_instance}", ["entities.yaml", "seed_instance"]),
    ("intents.yaml", "intents:\n", "intents: [\n", ["intents.yaml", "YAML error"]),  # issue 12, case 11
])
def test_template_mistakes(tmp_path, file, old, new, needles):
    folder = _templates_copy(tmp_path)
    _edit(folder / file, old, new)
    proc = run_cli("+recipe=text", f"entities.templates={folder}", f"output.dir={tmp_path}/out", cwd=tmp_path)
    one_line_error(proc, *needles)
    assert not (tmp_path / "out").exists()  # every template is read before the output folder is touched


def test_missing_templates_folder(tmp_path):
    proc = run_cli("+recipe=text", f"entities.templates={tmp_path}/none", f"output.dir={tmp_path}/out", cwd=tmp_path)
    one_line_error(proc, "entities.templates", "none")


def test_cli_run_writes_dataset_in_hydra_run_dir(tmp_path):
    proc = run_cli("+recipe=text", "conversational.size=60", "synthetic.size=60", "unseen.size=20",
                   f"hydra.run.dir={tmp_path}/run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ds = tmp_path / "run" / "dataset"
    stats = json.loads((ds / "stats.json").read_text())
    assert sum(stats["splits"].values()) == 140
    assert (ds / "README.md").read_text().startswith("---\n")
    assert "conversational.size=60" in (ds / "README.md").read_text()


def test_help_shows_every_key_with_its_meaning(tmp_path):
    """--help is what users read: every setting of the schema, its value as composed, and its comment."""
    proc = run_cli("+recipe=realm", "screen.lines.margin=0.5", "--help", cwd=tmp_path)  # realm sets every optional group
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    for key, _default, meaning in described(Config):
        name = key.rsplit(".", 1)[-1]
        depth = key.count(".")
        assert meaning, f"{key} has no help"
        assert any(ln.startswith("  " * depth + f"{name}:") and ln.endswith(f"# {meaning}") for ln in lines), key
    assert "    margin: 0.5  # " in proc.stdout  # the value as the overrides make it
    assert "subsets: [conversational, synthetic, screen, unseen]  # " in proc.stdout


def _readme_commands():
    """Every `python -m datagen ...` run command in the README's code blocks, as argument lists."""
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    out = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#", 1)[0].split("&&")[-1].strip()
            if line.startswith("python -m datagen ") and shlex.split(line)[3] not in SUBCOMMANDS:
                out.append(shlex.split(line)[3:])
    return out


def test_readme_commands_are_valid_configs():
    """The commands the README shows compose and validate (a renamed key or a bad value fails here)."""
    commands = _readme_commands()
    assert len(commands) >= 8
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(builtin_dir("conf")), version_base="1.3"):
        for args in commands:
            overrides = [a for a in args if not a.startswith(("-", "hydra"))]
            for job in jobs(overrides):
                load(compose("config", overrides=job))
