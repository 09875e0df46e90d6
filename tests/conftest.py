"""Shared fixtures: configs composed with Hydra's compose API, outputs under tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from datagen.config import register_configs
from datagen.templates import builtin_dir

register_configs()
REPO = Path(__file__).resolve().parent.parent


def make_cfg(overrides: List[str]):
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(builtin_dir("conf")), version_base="1.3"):
        return compose("config", overrides=overrides)


@pytest.fixture(scope="session", autouse=True)
def _ocr_cache(tmp_path_factory):
    """The OCR cache of this test session: fresh, so no result comes from an earlier run."""
    old = os.environ.get("DATAGEN_CACHE")
    os.environ["DATAGEN_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("DATAGEN_CACHE", None)
    else:
        os.environ["DATAGEN_CACHE"] = old


@pytest.fixture
def cfg_factory(tmp_path):
    """cfg_factory('+recipe=text', 'seed=3', out='name') -> a composed config writing under tmp_path."""

    def factory(*overrides: str, out: str = "dataset"):
        return make_cfg([*overrides, f"output.dir={tmp_path / out}", "progress=false"])

    return factory


def run_cli(*args: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """`python -m datagen ARGS` in a subprocess, as a user would run it."""
    env = dict(os.environ)
    env.pop("HYDRA_FULL_ERROR", None)
    return subprocess.run([sys.executable, "-m", "datagen", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


# a small dataset of every subset (a few screens), made once per test session for the tests that only read it
SMALL_REALM = ["+recipe=realm", "conversational.size=60", "synthetic.size=40", "screen.size=2", "unseen.size=30",
               "screen.previews=2", "progress=false"]


@pytest.fixture(scope="session")
def small_realm(tmp_path_factory, _ocr_cache) -> Path:
    """The folder of a small +recipe=realm dataset (read only: copy it before changing anything)."""
    from datagen.run import run

    out = tmp_path_factory.mktemp("small_realm") / "dataset"
    run(make_cfg([*SMALL_REALM, f"output.dir={out}"]))
    return out
