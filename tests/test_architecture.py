"""Architecture rules from STYLE.md, checked on the source tree.

* Computation never imports matplotlib at module level: plotting happens inside ``.plot()``
  methods, so a headless batch job (or a server without a display) never loads it.
* Imports point down: the analysis sub-packages do not import the notebook runner.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bankcrm_research"
COMPUTATION_PACKAGES = ("competition", "satisfaction", "loyalty", "simulate")
COMPUTATION_MODULES = ("datasets", "validate", "truth")
ANALYSIS_PACKAGES = ("competition", "satisfaction", "loyalty")


def _modules_of(package: str) -> list[str]:
    folder = PACKAGE / package
    return [f"bankcrm_research.{package}"] + [
        f"bankcrm_research.{package}.{p.stem}" for p in sorted(folder.glob("*.py")) if p.stem != "__init__"
    ]


def computation_modules() -> list[str]:
    mods = [m for pkg in COMPUTATION_PACKAGES for m in _modules_of(pkg)]
    return mods + [f"bankcrm_research.{m}" for m in COMPUTATION_MODULES]


def test_module_list_is_not_empty():
    mods = computation_modules()
    assert "bankcrm_research.loyalty.churn" in mods
    assert "bankcrm_research.satisfaction.drivers" in mods
    assert len(mods) > 30


def test_computation_modules_do_not_import_matplotlib():
    """Import every computation module in a fresh interpreter; matplotlib must stay unloaded."""
    script = (
        "import importlib, json, sys\n"
        f"mods = {computation_modules()!r}\n"
        "culprit = None\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "    if culprit is None and 'matplotlib' in sys.modules:\n"
        "        culprit = m\n"
        "print(json.dumps({'culprit': culprit, 'n': len(mods)}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=PACKAGE.parent)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["n"] == len(computation_modules())
    assert out["culprit"] is None, (
        f"importing {out['culprit']} loads matplotlib; import it inside the .plot() method instead"
    )


def _imported_names(source: str, module: str) -> set[str]:
    """Every module named by an import statement anywhere in ``source`` (lazy imports included).

    ``module`` is the dotted name the source lives at, to resolve relative imports.
    """
    parts = module.split(".")
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this module's package
                base = ".".join(parts[: len(parts) - node.level])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            names.add(mod)
            names.update(f"{mod}.{a.name}" for a in node.names)
    return names


def _imports_runner(names: set[str]) -> list[str]:
    return sorted(n for n in names if n == "bankcrm_research.runner" or n.startswith("bankcrm_research.runner."))


@pytest.mark.parametrize("package", ANALYSIS_PACKAGES)
def test_analysis_packages_do_not_import_the_runner(package):
    files = sorted((PACKAGE / package).glob("*.py"))
    assert files
    offenders = {
        f.name: _imports_runner(_imported_names(f.read_text(encoding="utf-8"), f"bankcrm_research.{package}.{f.stem}"))
        for f in files
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"imports must point down (analysis -> validate/datasets), not up to the runner: {offenders}"


@pytest.mark.parametrize(
    "source",
    ["import bankcrm_research.runner\n", "from bankcrm_research import runner\n",
     "from bankcrm_research.runner import run_notebook\n", "def f():\n    from .. import runner\n"],
)
def test_import_scanner_sees_runner_imports(source):
    """The scanner itself catches every spelling (guards against a vacuous pass)."""
    assert _imports_runner(_imported_names(source, "bankcrm_research.loyalty.churn"))
