"""Names of the environment variables through which the runner talks to a notebook's kernel.

The runner (``bankcrm_research.run.runner``) sets these for each kernel it starts; the reporting
helpers read them. Interactively (JupyterLab, nbval) none is set and the helpers fall back to a
scratch folder next to the notebook.
"""

from __future__ import annotations

import os

REPORT_DIR = "BANKCRM_REPORT_DIR"  # <run>/<notebook>/ : where tables/, figures/, metrics.json go
SHARE_SAFE = "BANKCRM_SHARE_SAFE"  # "1" = refuse row-level customer tables
LANG = "BANKCRM_LANG"  # "en" | "zh": default label language
NOTEBOOK = "BANKCRM_NOTEBOOK"  # notebook name (stem), for messages and scratch folders

SCRATCH_DIRNAME = ".bankcrm_outputs"  # interactive outputs (gitignored)


def env_flag(name: str) -> bool:
    """True when the environment variable is set to a truthy value (1, true, yes, on)."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
