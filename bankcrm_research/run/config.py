"""Run configuration files (YAML): parameters for every notebook and per notebook.

See ``config/default.yml``; ``bankcrm-research run -c FILE.yml`` and
``run_notebooks(config=...)`` read them with :func:`load_config`. Relative values of path
parameters (``*_path``, ``*_dir``, ``paths``; see :func:`bankcrm_research.run.params.absolute_paths`)
are resolved against the folder of the config file, so a config file and the data it names can
move together.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bankcrm_research.run.notebooks import ParameterError
from bankcrm_research.run.params import absolute_paths

__all__ = ["load_config"]


def load_config(path: str | Path | None) -> dict[str, Any]:
    """Read a run configuration YAML (see ``config/default.yml``).

    Shape::

        all:                        # every notebook that declares the parameter
          seed: 20130613
        notebooks:
          03_satisfaction_drivers:  # one notebook (file stem)
            bootstrap_reps: 500
        notebooks_to_run: [00, 03]  # optional: the notebooks a plain `run -c FILE` executes
        title: "..."                # optional: the title of the run's index page

    Relative path values (``customers_path: crm/2024-05.csv``) are made absolute against the
    folder that contains the config file.
    """
    if path is None:
        return {}
    import yaml

    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, Mapping):
        raise ParameterError(f"config {path}: expected a mapping with 'all' and/or 'notebooks'")
    unknown = set(data) - {"all", "notebooks", "notebooks_to_run", "title"}
    if unknown:
        raise ParameterError(
            f"config {path}: unknown top-level keys {sorted(unknown)}; use 'all' (parameters for "
            f"every notebook) and 'notebooks' (per-notebook parameters)"
        )
    for section in ("all", "notebooks"):
        if data.get(section) is not None and not isinstance(data[section], Mapping):
            raise ParameterError(f"config {path}: '{section}' must be a mapping")
    base = Path(path).resolve().parent

    def section(values: Mapping[str, Any] | None) -> dict[str, Any]:
        return {str(k): absolute_paths(str(k), v, base) for k, v in (values or {}).items()}

    notebooks = data.get("notebooks") or {}
    bad = sorted(str(k) for k, v in notebooks.items() if v is not None and not isinstance(v, Mapping))
    if bad:
        raise ParameterError(f"config {path}: 'notebooks.{bad[0]}' must be a mapping of parameter: value")
    select = data.get("notebooks_to_run")
    if select is not None and (not isinstance(select, list) or not all(isinstance(x, (str, int)) for x in select)):
        raise ParameterError(f"config {path}: 'notebooks_to_run' must be a list of notebook names or number prefixes")
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise ParameterError(f"config {path}: 'title' must be text")
    out: dict[str, Any] = {"all": section(data.get("all")),
                           "notebooks": {str(k): section(v) for k, v in notebooks.items()}}
    if select is not None:
        # YAML reads 03 as the number 3: number prefixes are two digits
        out["notebooks_to_run"] = [f"{x:02d}" if isinstance(x, int) else x for x in select]
    if title is not None:
        out["title"] = title
    return out

