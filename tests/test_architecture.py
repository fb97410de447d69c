"""Architecture rules (../shared/DESIGN.md "Package layout", STYLE.md), checked on the source tree.

Imports point down::

    cli -> run -> reporting -> data          analysis packages -> reporting (plots only), common, data
    simulate -> data, common                 data -> (standard library, pandas, ...)

* analysis packages (competition, satisfaction, retention, value) never import ``run/``;
* ``data/`` never imports an analysis package or ``run/``;
* ``simulate/`` never imports an estimator (no analysis package, no ``run/``);
* ``reporting/`` never imports an analysis package (nor ``run/``);
* ``common/`` imports nothing but ``data/`` (it is the shared floor of the strands);
* no strand imports another strand (shared statistics live in ``common/``);
* no import cycles between modules, lazy (function-level) imports included;
* computation modules never load matplotlib at import (plots live in ``.plot()``);
* no loose modules at the top of the package except ``cli.py``;
* no module over 500 lines unless its docstring says why it is one cohesive thing.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bankcrm_research"
ANALYSIS_PACKAGES = ("competition", "satisfaction", "retention", "value")
COMPUTATION_PACKAGES = (*ANALYSIS_PACKAGES, "simulate", "data", "common")
ALLOWED_TOP_LEVEL = {"__init__.py", "cli.py"}
MAX_LINES = 500


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _all_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _all_modules()


def _modules_of(package: str) -> list[str]:
    prefix = f"bankcrm_research.{package}"
    return [m for m in MODULES if m == prefix or m.startswith(prefix + ".")]


def computation_modules() -> list[str]:
    return [m for pkg in COMPUTATION_PACKAGES for m in _modules_of(pkg)]


def _imported_modules(source: str, module: str, *, is_package: bool) -> set[str]:
    """Every ``bankcrm_research`` module named by an import anywhere in ``source`` (lazy ones too).

    ``from a.b import c`` counts as an import of ``a.b.c`` when that is a module, else of ``a.b``.
    """
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(parts[: len(parts) - node.level + 1])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            subs = [f"{mod}.{a.name}" for a in node.names if f"{mod}.{a.name}" in MODULES]
            names.update(subs)
            if len(subs) < len(node.names):
                names.add(mod)
    return {n for n in names if n.startswith("bankcrm_research")}


def _resolve(name: str) -> str | None:
    """The module a dotted import name lands in (``pkg.mod.func`` -> ``pkg.mod``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for mod, path in MODULES.items():
        names = _imported_modules(path.read_text(encoding="utf-8"), mod, is_package=path.name == "__init__.py")
        graph[mod] = {r for r in (_resolve(n) for n in names) if r and r != mod}
    return graph


GRAPH = import_graph()


def _package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _violations(source_pkg: str, forbidden: set[str]) -> dict[str, list[str]]:
    out = {}
    for mod in _modules_of(source_pkg):
        bad = sorted(t for t in GRAPH[mod] if _package_of(t) in forbidden)
        if bad:
            out[mod] = bad
    return out


def test_module_inventory():
    """Guards against a vacuous pass: the scanner sees the layout."""
    for pkg in (*COMPUTATION_PACKAGES, "reporting", "run"):
        assert (PACKAGE / pkg / "__init__.py").exists(), pkg
    assert "bankcrm_research.retention.churn" in MODULES
    assert "bankcrm_research.value.segments" in MODULES
    assert len(computation_modules()) > 40


def test_no_loose_modules_at_the_top():
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ALLOWED_TOP_LEVEL)
    assert not loose, f"modules belong in a sub-package (data/, run/, common/, a strand): {loose}"


@pytest.mark.parametrize("package", ANALYSIS_PACKAGES)
def test_analysis_packages_do_not_import_run_or_other_strands(package):
    others = set(ANALYSIS_PACKAGES) - {package}
    bad = _violations(package, {"run", "cli", *others})
    assert not bad, f"imports must point down (strand -> reporting/common/data), never to run/ or another strand: {bad}"


def test_data_imports_no_analysis_and_no_run():
    bad = _violations("data", {*ANALYSIS_PACKAGES, "run", "cli", "reporting", "simulate"})
    assert not bad, f"data/ is the floor: it may not import analysis, reporting, simulate or run/: {bad}"


def test_common_imports_only_data():
    bad = _violations("common", {*ANALYSIS_PACKAGES, "run", "cli", "reporting", "simulate"})
    assert not bad, bad


def test_simulate_imports_no_estimators():
    bad = _violations("simulate", {*ANALYSIS_PACKAGES, "run", "reporting"})
    assert not bad, f"the simulator must not use the estimators it is meant to test: {bad}"


def test_reporting_imports_no_analysis_package():
    bad = _violations("reporting", {*ANALYSIS_PACKAGES, "run", "cli", "simulate"})
    assert not bad, bad


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    cycles = _cycles(GRAPH)
    assert not cycles, f"import cycles (lazy imports included): {cycles}"


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    "source",
    ["import bankcrm_research.run.runner\n", "from bankcrm_research.run import runner\n",
     "from bankcrm_research.run.runner import run_notebooks\n", "def f():\n    from ..run import runner\n"],
)
def test_import_scanner_sees_every_spelling(source):
    names = _imported_modules(source, "bankcrm_research.retention.churn", is_package=False)
    assert {_resolve(n) for n in names} == {"bankcrm_research.run.runner"}


def test_modules_are_small_or_say_why():
    long = []
    for mod, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        n = text.count("\n")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if n > MAX_LINES and "one cohesive" not in doc.lower():
            long.append(f"{mod} ({n} lines)")
    assert not long, (
        f"modules over {MAX_LINES} lines: split them, or say in the module docstring why each is "
        f"'one cohesive' thing: {long}"
    )


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
