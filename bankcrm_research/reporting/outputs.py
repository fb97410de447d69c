"""Where a notebook's tables, figures and headline numbers go, and the writers for them.

Under the runner, ``BANKCRM_REPORT_DIR`` points at ``reports/<run-id>/<notebook>/`` and every
helper writes there (``tables/<name>.csv``, ``figures/<name>.png``, ``metrics.json``).
Interactively (JupyterLab, nbval, papermill by hand) the helpers write to a scratch folder
``.bankcrm_outputs/<notebook>/`` in the current directory (gitignored); they never fail because
no run folder exists.

Share-safe mode (``--share-safe`` or ``setup_notebook(share_safe=True)``) refuses to write or show
row-level customer tables: tables flagged ``row_level=True`` or carrying an identifier column
(``customer_id``, ``respondent_id``, ``transaction_id``) with more than
:data:`ROW_LEVEL_MAX_ROWS` rows.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bankcrm_research.reporting import _env

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "ShareSafeWarning",
    "ROW_LEVEL_MAX_ROWS",
    "IDENTIFIER_COLUMNS",
    "output_dir",
    "set_share_safe",
    "share_safe_enabled",
    "save_table",
    "save_figure",
    "record_metric",
    "drop_metrics",
    "read_metrics",
    "show_table",
    "is_row_level",
]

ROW_LEVEL_MAX_ROWS = 20
IDENTIFIER_COLUMNS = frozenset({"customer_id", "respondent_id", "transaction_id"})
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

_state: dict[str, Any] = {"share_safe": None, "notebook": None}


class SavedPath(type(Path())):  # type: ignore[misc]
    """The path a table or figure was saved to; shows nothing when it ends a notebook cell."""

    def _ipython_display_(self) -> None:  # no `PosixPath('/tmp/...')` line in the report
        return None


class ShareSafeWarning(UserWarning):
    """A row-level table was withheld because share-safe mode is on."""


# ----------------------------------------------------------------------------------------------
# state
def set_share_safe(enabled: bool) -> None:
    """Switch share-safe mode on or off for this session."""
    _state["share_safe"] = bool(enabled)


def share_safe_enabled() -> bool:
    """True when share-safe mode is on (runner's ``--share-safe`` wins over the notebook)."""
    return _env.env_flag(_env.SHARE_SAFE) or bool(_state["share_safe"])


def _notebook_name() -> str:
    name = _state["notebook"] or os.environ.get(_env.NOTEBOOK)
    if not name:
        # JupyterLab (jupyter-server >= 2) tells the kernel which notebook it belongs to.
        session = os.environ.get("JPY_SESSION_NAME")
        name = Path(session).stem if session else "session"
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", name)


def output_dir() -> Path:
    """Folder receiving this notebook's ``tables/``, ``figures/`` and ``metrics.json``.

    ``$BANKCRM_REPORT_DIR`` under the runner; otherwise ``./.bankcrm_outputs/<notebook>/``.
    The folder is created if needed.
    """
    env = os.environ.get(_env.REPORT_DIR)
    out = Path(env) if env else Path.cwd() / _env.SCRATCH_DIRNAME / _notebook_name()
    out.mkdir(parents=True, exist_ok=True)
    return out


def _check_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name) or ".." in name:
        raise ValueError(
            f"The '{what}' name must be a plain file stem of letters, digits, '_', '-' or '.' "
            f"(no folders). Got {name!r} instead; e.g. '{what}_name'."
        )
    return name


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    # Write then rename: a reader (or a concurrent writer) never sees a half-written file.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ----------------------------------------------------------------------------------------------
# tables
def is_row_level(df: pd.DataFrame) -> bool:
    """True when ``df`` looks like a row-level customer table.

    That is: it has an identifier column or index level (``customer_id``, ``respondent_id``,
    ``transaction_id``) and more than :data:`ROW_LEVEL_MAX_ROWS` rows.
    """
    names = {str(c) for c in df.columns} | {str(n) for n in df.index.names if n is not None}
    return bool(names & IDENTIFIER_COLUMNS) and len(df) > ROW_LEVEL_MAX_ROWS


def _withheld(name: str, df: pd.DataFrame, action: str) -> str:
    msg = (
        f"share-safe mode: table '{name}' ({len(df)} rows) is row-level customer data and was "
        f"not {action}. Aggregate it first (e.g. groupby(...).agg(...)), or run without "
        f"--share-safe for an internal report."
    )
    warnings.warn(msg, ShareSafeWarning, stacklevel=3)
    return msg


def save_table(
    df: pd.DataFrame, name: str, *, index: bool = False, row_level: bool = False
) -> Path | None:
    """Write ``df`` to ``<output_dir>/tables/<name>.csv`` (UTF-8, full precision).

    Parameters
    ----------
    df : DataFrame
        The table, unrounded (round only for display with :func:`show_table`).
    name : str
        File stem, e.g. ``"truth_vs_estimate"``.
    index : bool, default False
        Write the index as the first column(s).
    row_level : bool, default False
        Mark the table as row-level customer data. Under share-safe mode such tables (and any
        table with a customer/respondent/transaction identifier and more than 20 rows) are
        refused: nothing is written, a :class:`ShareSafeWarning` says why, None is returned.

    Returns
    -------
    Path or None
        The CSV written, or None when share-safe mode withheld it.
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"save_table expects a pandas DataFrame; got {type(df).__name__}.")
    _check_name(name, "table")
    if share_safe_enabled() and (row_level or is_row_level(df)):
        print(_withheld(name, df, "written"))
        return None
    path = output_dir() / "tables" / f"{name}.csv"
    text = df.to_csv(index=index, lineterminator="\n")
    _atomic_write_bytes(path, text.encode("utf-8"))
    return SavedPath(path)


def show_table(df: pd.DataFrame, digits: int = 3, *, row_level: bool = False, max_rows: int = 500) -> None:
    """Display ``df`` for reading (labelled headers, formatted numbers, no index; see
    :mod:`bankcrm_research.reporting.display`); the data themselves are not changed.

    Under share-safe mode row-level customer tables are not displayed (see :func:`save_table`).
    """
    from bankcrm_research.reporting.display import table_html

    if share_safe_enabled() and (row_level or is_row_level(df)):
        print(_withheld("(displayed table)", df, "displayed"))
        return
    try:
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - IPython is always present in a kernel
        print(df.to_string())
        return
    display(HTML(table_html(df, digits=digits, max_rows=max_rows)))


# ----------------------------------------------------------------------------------------------
# figures
def save_figure(fig: Figure, name: str, *, dpi: int | None = None) -> Path:
    """Write ``fig`` to ``<output_dir>/figures/<name>.png``.

    Saved with a fixed dpi and without the "Software" metadata chunk, so the same figure on the
    same environment gives a byte-identical PNG. The figure stays open (it still displays inline).
    """
    from bankcrm_research.reporting.plotting import FIGURE_DPI

    if not hasattr(fig, "savefig"):
        raise TypeError(
            f"save_figure expects a matplotlib Figure; got {type(fig).__name__}. "
            f"For an Axes pass ax.figure; for a seaborn grid pass grid.figure."
        )
    _check_name(name, "figure")
    path = output_dir() / "figures" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=dpi or FIGURE_DPI, bbox_inches="tight",
                metadata={"Software": None})
    return SavedPath(path)


# ----------------------------------------------------------------------------------------------
# metrics
def _to_json_scalar(key: str, value: Any) -> Any:
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None  # type: ignore[assignment]
    if np is not None and isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # NaN/inf -> null (valid JSON)
    if type(value).__name__ in {"Timestamp", "datetime", "date"}:
        return value.isoformat()
    raise TypeError(
        f"record_metric('{key}', ...) expects a number, bool, str or None; got "
        f"{type(value).__name__}. Record one flat key per number, e.g. "
        f"record_metric('{key}.estimate', est)."
    )


def record_metric(key: str, value: Any) -> None:
    """Merge one headline number into ``<output_dir>/metrics.json``.

    Parameters
    ----------
    key : str
        Flat key (dots allowed as separators, e.g. ``"did.demand_deposit_share.estimate"``).
        Keys starting with ``headline`` are shown first on the run's ``index.html``.
    value : number, bool, str or None
        numpy scalars are converted; NaN and infinities become ``null``.

    Notes
    -----
    The file is rewritten atomically with sorted keys, so two runs recording the same numbers
    produce byte-identical files.
    """
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"record_metric needs a non-empty string key; got {key!r}.")
    converted = _to_json_scalar(key, value)
    path = output_dir() / "metrics.json"
    metrics = read_metrics(path)
    metrics[key] = converted
    text = json.dumps(metrics, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    _atomic_write_bytes(path, text.encode("utf-8"))


def drop_metrics(prefix: str) -> None:
    """Remove every key starting with ``prefix`` from this notebook's ``metrics.json``."""
    path = output_dir() / "metrics.json"
    metrics = read_metrics(path)
    kept = {k: v for k, v in metrics.items() if not k.startswith(prefix)}
    if kept != metrics:
        text = json.dumps(kept, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
        _atomic_write_bytes(path, text.encode("utf-8"))


def read_metrics(path: str | Path | None = None) -> dict[str, Any]:
    """Read a ``metrics.json`` (this notebook's by default); empty dict when absent or unreadable."""
    p = Path(path) if path is not None else output_dir() / "metrics.json"
    try:
        with open(p, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return dict(data) if isinstance(data, Mapping) else {}
