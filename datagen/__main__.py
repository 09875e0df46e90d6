"""`python -m datagen`: a thin Hydra wrapper around datagen.run.run(cfg).

Before Hydra starts, every job's overrides are composed and checked once (a sweep's too),
so that a user mistake ends with one line naming the culprit and exit code 2 before any
work starts, instead of Hydra's multi-line report and exit code 1.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import hydra
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import ConfigCompositionException, HydraException, MissingConfigException
import yaml
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from datagen.config import register_configs, validate
from datagen.errors import MachineError, UserError
from datagen.templates import builtin_dir

CONF_DIR = str(builtin_dir("conf"))
# Hydra flags after which Hydra itself answers (help, config printing) and nothing runs
_INFO_FLAGS = {"--help", "-h", "--hydra-help", "--cfg", "-c", "--info", "-i", "--shell-completion", "-sc", "--version"}
_FLAGS_WITH_VALUE = {"--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
                     "--config-dir", "-cd", "--experimental-rerun", "--info", "-i"}

# `python -m datagen NAME ...`: commands with their own argparse (module with a main(argv))
SUBCOMMANDS = {"merge": "datagen.merge", "publish": "datagen.publish", "evaluate": "datagen.evaluate"}
HELP_WIDTH = 10**6  # --help prints each value on one line
register_configs()


def recipes() -> List[str]:
    return sorted(p.stem for p in (Path(CONF_DIR) / "recipe").glob("*.yaml"))


def fail(message: str, code: int = UserError.exit_code) -> None:
    """End the program with one line on stderr and exit code 2 (a user mistake) or `code`."""
    print(f"datagen: error: {message}", file=sys.stderr)
    sys.exit(code)


def _overrides(argv: List[str]) -> List[str]:
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a.startswith("-"):
            skip = a in _FLAGS_WITH_VALUE and a not in ("--info", "-i")
            continue
        out.append(a)
    return out


def _explain(e: BaseException) -> str:
    """One line out of a Hydra/OmegaConf composition error."""
    text = str(e)
    if "Could not find 'recipe/" in text:
        name = text.split("'recipe/", 1)[1].split("'", 1)[0]
        return f"+recipe={name}: unknown recipe (available: {', '.join(recipes())})"
    if text.startswith("Could not override 'recipe'"):
        return "recipe: write +recipe=NAME (with a +: recipe is not in the defaults list)"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    cause = e.__cause__
    msg = lines[0] if lines else type(e).__name__
    if isinstance(cause, OmegaConfBaseException):
        clines = [ln.strip() for ln in str(cause).splitlines() if ln.strip()]
        key = next((ln.split(":", 1)[1].strip() for ln in clines if ln.startswith("full_key:")), "")
        detail = clines[0] if clines else ""
        return f"{key + ': ' if key else ''}{detail} ({msg})"
    return " ".join(lines[:2])


def _unexpected(job: List[str], e: Exception) -> str:
    """One line for a composition that failed inside Hydra/OmegaConf: the first override it fails at."""
    culprit = job[-1] if job else "the config"
    for i in range(1, len(job) + 1):
        try:
            compose("config", overrides=job[:i])
        except Exception:  # noqa: BLE001 - the same failure, one override earlier
            culprit = job[i - 1]
            break
    key = culprit.split("=", 1)[0].lstrip("+~")
    if isinstance(e, AssertionError) and "NoneType" in str(e) and "." in key:
        parent = key.rsplit(".", 1)[0]
        return (f"{culprit}: {parent} is null here, so it has no keys to set (drop {parent}=null, "
                f"or give the whole group: {parent}={{...}})")
    return f"{culprit}: cannot be applied ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})"


def jobs(overrides: List[str]) -> List[List[str]]:
    """The overrides of every job a command line asks for (a sweep's cartesian product), via Hydra's parser."""
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as e:
        fail(f"cannot parse the overrides: {str(e).splitlines()[0]}")
    choices: Dict[str, List[str]] = {}
    for o in parsed:
        key = o.get_key_element()
        if o.is_sweep_override():
            if not o.is_discrete_sweep():
                fail(f"{key}: only lists of values can be swept (a,b,c or choice(a,b)); got {o.input_line}")
            choices[key] = [f"{key}={v}" for v in o.sweep_string_iterator()]
        else:
            choices[key] = [f"{key}={o.get_value_element_as_str()}"]
    return [list(job) for job in itertools.product(*choices.values())]


def preflight(argv: List[str]) -> None:
    """Compose and validate the config of every job the command line asks for; exit 2 on a mistake."""
    if any(a in _INFO_FLAGS for a in argv):
        return
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        _check_hydra_dir(argv)
        for job in jobs(_overrides(argv)):
            try:
                cfg = compose("config", overrides=job)
            except (ConfigCompositionException, MissingConfigException, OmegaConfBaseException, HydraException) as e:
                fail(_explain(e))
            except Exception as e:  # noqa: BLE001 - OmegaConf's own bugs end in assertions; name the override
                fail(_unexpected(job, e))
            if not cfg.recipe:
                fail(f"no recipe: run python -m datagen +recipe=NAME with NAME one of {', '.join(recipes())}")
            try:
                validate(cfg)
                from datagen.entities import check_locale

                check_locale(cfg.locale)
            except UserError as e:
                fail(str(e))
    GlobalHydra.instance().clear()


def _check_hydra_dir(argv: List[str]) -> None:
    """The folder Hydra writes its logs into (hydra.run.dir, or hydra.sweep.dir with -m) must be creatable:
    Hydra itself would end in a traceback. Checked on its nearest existing parent, nothing is made."""
    multirun = "-m" in argv or "--multirun" in argv
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    given = [o for o in _overrides(argv) if o.startswith(f"{key}=")][-1:]
    try:
        folder = Path(str(OmegaConf.select(compose("config", overrides=given, return_hydra_config=True), key)))
    except Exception:  # noqa: BLE001 - a bad override is reported, with its key, by the checks that follow
        return
    parent = folder.absolute()
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        fail(f"{key}={folder}: cannot write there ({parent} is not a folder you can write to); run from a folder "
             f"you can write to or set {key}=...")


def help_text(*, _root_: DictConfig) -> str:
    """Every config key with its composed value and its meaning (the schema's help), for --help."""
    from datagen.config import Config
    from datagen.settings import helps

    meaning = helps(Config)
    cfg = OmegaConf.masked_copy(_root_, [k for k in _root_ if k != "hydra"])
    lines: List[str] = []

    def walk(node: Any, path: str, depth: int) -> None:
        for key in node:
            full = f"{path}.{key}" if path else str(key)
            value = node._get_node(key)
            note = meaning.get(full) or meaning.get(full.split(".", 1)[-1], "")
            pad = "  " * depth
            comment = f"  # {note}" if note else ""
            if isinstance(value, DictConfig) and not value._is_none():
                lines.append(f"{pad}{key}:{comment}")
                walk(value, full, depth + 1)
            else:
                raw = OmegaConf.to_container(value) if isinstance(value, ListConfig) else value._value()
                shown = yaml.safe_dump(raw, default_flow_style=True, width=HELP_WIDTH).strip().removesuffix("\n...")
                lines.append(f"{pad}{key}: {shown}{comment}")

    walk(cfg, "", 0)
    return "\n".join(lines).replace("$", "$$")  # Hydra fills the help template with string.Template


OmegaConf.register_new_resolver("datagen_help", help_text)


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="config")
def hydra_main(cfg: DictConfig) -> Optional[float]:
    from datagen.run import run

    try:
        run(cfg)
    except (UserError, MachineError) as e:
        fail(str(e), e.exit_code)
    return None


def main() -> None:
    logging.getLogger("PIL").setLevel(logging.WARNING)
    command = sys.argv[1] if len(sys.argv) > 1 else None
    if command in SUBCOMMANDS:
        sub = importlib.import_module(SUBCOMMANDS[command])
        try:
            sub.main(sys.argv[2:])
        except (UserError, MachineError) as e:
            fail(str(e), e.exit_code)
        return
    preflight(sys.argv[1:])
    hydra_main()


if __name__ == "__main__":
    main()
