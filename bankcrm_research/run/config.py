"""Run configuration files (YAML): parameters for every notebook and per notebook.

See ``config/default.yml``; ``bankcrm-research run -c FILE.yml`` and
``run_notebooks(config=...)`` read them with :func:`load_config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bankcrm_research.run.notebooks import ParameterError

__all__ = ["load_config"]


def load_config(path: str | Path | None) -> dict[str, Any]:
    """Read a run configuration YAML (see ``config/default.yml``).

    Shape::

        all:                        # every notebook that declares the parameter
          seed: 20130613
        notebooks:
          03_satisfaction_drivers:  # one notebook (file stem)
            bootstrap_reps: 500
    """
    if path is None:
        return {}
    import yaml

    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, Mapping):
        raise ParameterError(f"config {path}: expected a mapping with 'all' and/or 'notebooks'")
    unknown = set(data) - {"all", "notebooks"}
    if unknown:
        raise ParameterError(
            f"config {path}: unknown top-level keys {sorted(unknown)}; use 'all' (parameters for "
            f"every notebook) and 'notebooks' (per-notebook parameters)"
        )
    for section in ("all", "notebooks"):
        if data.get(section) is not None and not isinstance(data[section], Mapping):
            raise ParameterError(f"config {path}: '{section}' must be a mapping")
    return {"all": dict(data.get("all") or {}), "notebooks": {str(k): dict(v or {}) for k, v in
                                                             (data.get("notebooks") or {}).items()}}

