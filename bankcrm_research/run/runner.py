"""Run the notebook suite into a run folder: papermill execution, HTML, index, provenance.

One function, :func:`run_notebooks`, does the work; ``bankcrm-research run`` is a thin CLI over it
(``bankcrm_research.run.cli``). For each run it

1. reads every selected notebook's ``parameters`` cell (``ast.literal_eval``, no kernel) and
   refuses unknown parameter names or wrongly typed values **before any kernel starts**,
   listing the valid parameters with their defaults;
2. creates ``<output_dir>/<run-id>/`` atomically (``os.mkdir``; run-id = UTC timestamp + short
   hash), so two runs started at once never share a folder, and writes ``run.json`` with
   status ``running``;
3. executes each notebook with papermill in a fresh ``python3`` kernel of the *current*
   interpreter (``sys.executable``), working directory = the notebook's folder, one BLAS thread
   per kernel, up to ``jobs`` kernels at once; the kernel learns its output folder
   ``<run>/<notebook>/`` from ``BANKCRM_REPORT_DIR`` (see :mod:`bankcrm_research.reporting`);
4. exports each executed notebook to self-contained HTML (no CDN), also when it failed, with
   the error visible and a link to the failing cell;
5. writes ``index.html`` and the final ``run.json`` (parameters, input files with SHA-256,
   package versions, git commit and dirty flag, Python/platform, start/end, per-notebook status
   and duration), and moves ``<output_dir>/latest`` only when every notebook succeeded.

SIGINT/SIGTERM stop the run: kernels are killed, ``run.json`` says ``interrupted`` and
``latest`` is not moved. Input files are only read; their hashes are re-checked at the end.

papermill, nbformat and nbconvert are imported inside functions so that importing this module
(and the CLI) stays fast.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import hashlib
import io
import json
import math
import os
import re
import secrets
import signal
import sys
import threading
import time
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from bankcrm_research.data.paths import PROJECT_ROOT, data_dir, notebooks_dir, reports_dir

__all__ = [
    "NotebookParameter",
    "NotebookInfo",
    "NotebookResult",
    "RunResult",
    "ParameterError",
    "read_notebook_info",
    "discover_notebooks",
    "resolve_notebooks",
    "resolve_parameters",
    "load_config",
    "parse_override",
    "run_notebooks",
    "DEFAULT_CELL_TIMEOUT",
    "DEFAULT_KERNEL_START_TIMEOUT",
]

DEFAULT_CELL_TIMEOUT = 600  # seconds per cell; a notebook's default run is < 60 s in total
DEFAULT_KERNEL_START_TIMEOUT = 60
KERNEL_NAME = "python3"
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")

Status = Literal["succeeded", "failed", "interrupted", "skipped"]


# ==============================================================================================
# Reading notebooks (no kernel, no nbformat: plain JSON + ast)
@dataclass(frozen=True)
class NotebookParameter:
    """One assignment of a notebook's ``parameters`` cell."""

    name: str
    default: Any
    type_name: str
    comment: str = ""

    def describe(self) -> str:
        """``name = default  (type)  # comment`` for messages and ``bankcrm-research list``."""
        text = f"{self.name} = {self.default!r}  ({self.type_name})"
        return f"{text}  # {self.comment}" if self.comment else text


@dataclass(frozen=True)
class NotebookInfo:
    """What a notebook declares about itself: title, question and parameters."""

    name: str
    path: Path
    title: str
    question: str
    parameters: tuple[NotebookParameter, ...]
    # metrics.json keys the notebook names as its headline numbers (notebook metadata
    # ``bankcrm.headline``); index.html shows these first.
    headline: tuple[str, ...] = ()

    @property
    def defaults(self) -> dict[str, Any]:
        """``{name: default}`` of the parameters cell."""
        return {p.name: p.default for p in self.parameters}

    def parameter_listing(self) -> str:
        """Indented multi-line list of the valid parameters with defaults and types."""
        if not self.parameters:
            return "    (this notebook has no parameters)"
        return "\n".join(f"    {p.describe()}" for p in self.parameters)


class ParameterError(ValueError):
    """Unknown parameter name, wrong type, or unreadable parameters cell (raised before any kernel)."""


def _type_name(value: Any) -> str:
    if value is None:
        return "optional"
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict",
            tuple: "list"}.get(type(value), type(value).__name__)


def _cell_source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _comments_by_line(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    with contextlib.suppress(tokenize.TokenError, IndentationError, SyntaxError):
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    return out


def parse_parameters_source(source: str, *, where: str = "parameters cell") -> tuple[NotebookParameter, ...]:
    """Parse a ``parameters`` cell: plain assignments of literals, read with ``ast.literal_eval``.

    Raises
    ------
    ParameterError
        When the cell contains anything but ``name = <literal>`` statements.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{where}: not valid Python ({exc.msg}, line {exc.lineno})") from exc
    comments = _comments_by_line(source)
    params: list[NotebookParameter] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value_node = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value_node = node.target.id, node.value
        else:
            raise ParameterError(
                f"{where}, line {node.lineno}: only `name = <literal>` assignments are allowed "
                f"in the parameters cell (found {type(node).__name__}); move other code to a later cell."
            )
        try:
            default = ast.literal_eval(value_node)
        except ValueError as exc:
            raise ParameterError(
                f"{where}, line {node.lineno}: the default of '{name}' must be a plain literal "
                f"(number, string, bool, None, list, dict); found `{ast.unparse(value_node)}`."
            ) from exc
        comment = comments.get(node.end_lineno or node.lineno, "") or comments.get(node.lineno, "")
        params.append(NotebookParameter(name, default, _type_name(default), comment))
    return tuple(params)


def _title_and_question(cells: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        text = _cell_source(cell)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        title = next((ln.lstrip("#").strip() for ln in lines if ln.startswith("#")), "")
        # Paragraphs of prose (blank-line separated, headings removed), each joined to one line.
        paragraphs = []
        for block in re.split(r"\n\s*\n", text):
            body = " ".join(ln.strip() for ln in block.splitlines() if ln.strip() and not ln.lstrip().startswith("#"))
            if body:
                paragraphs.append(body)
        # Prefer the paragraph that states the question; otherwise the first paragraph.
        chosen = next((p for p in paragraphs if re.match(r"^\W*question", p, flags=re.IGNORECASE)),
                      next((p for p in paragraphs if "?" in p), paragraphs[0] if paragraphs else ""))
        question = re.sub(r"[*_`]{1,3}", "", chosen).strip()
        question = re.sub(r"^(research\s+)?question\s*[:.\u2014\u2013-]*\s*", "", question, flags=re.IGNORECASE)
        if "?" in question:
            question = question[: question.index("?") + 1]
        return title, question.strip()
    return "", ""


def read_notebook_info(path: str | Path) -> NotebookInfo:
    """Read a notebook's title, question (first markdown cell) and ``parameters`` cell.

    Raises
    ------
    ParameterError
        When the notebook has no or several cells tagged ``parameters``, or the cell is not
        plain literal assignments.
    """
    p = Path(path)
    with open(p, encoding="utf-8") as fh:
        nb = json.load(fh)
    cells = nb.get("cells", [])
    tagged = [c for c in cells if "parameters" in (c.get("metadata", {}).get("tags") or [])]
    if len(tagged) != 1:
        raise ParameterError(
            f"notebook {p.name} must have exactly one code cell tagged 'parameters'; found "
            f"{len(tagged)}. Tag the cell with the defaults (View > Cell toolbar > Tags)."
        )
    params = parse_parameters_source(_cell_source(tagged[0]), where=f"{p.name} parameters cell")
    title, question = _title_and_question(cells)
    headline = tuple(str(k) for k in (nb.get("metadata", {}).get("bankcrm", {}) or {}).get("headline", []))
    return NotebookInfo(name=p.stem, path=p.resolve(), title=title, question=question, parameters=params,
                        headline=headline)


def discover_notebooks(folder: str | Path | None = None) -> list[Path]:
    """The suite's notebooks: ``<folder>/*.ipynb`` sorted by name (``notebooks/`` by default)."""
    root = Path(folder) if folder is not None else notebooks_dir()
    return sorted(p for p in root.glob("*.ipynb") if not p.name.startswith("."))


def resolve_notebooks(selection: Iterable[str | Path] | None, folder: str | Path | None = None) -> list[Path]:
    """Turn names, numeric prefixes or paths into notebook paths (all notebooks when empty).

    ``03``, ``03_satisfaction_drivers``, ``03_satisfaction_drivers.ipynb`` and
    ``notebooks/03_satisfaction_drivers.ipynb`` all name the same notebook.
    """
    available = discover_notebooks(folder)
    if not selection:
        if not available:
            raise ValueError(f"no notebooks found in {Path(folder) if folder else notebooks_dir()}")
        return available
    chosen: list[Path] = []
    for item in selection:
        s = str(item)
        p = Path(s)
        if p.suffix == ".ipynb" and p.is_file():
            match = [p.resolve()]
        else:
            stem = p.stem if p.suffix == ".ipynb" else s
            match = [a for a in available if a.stem == stem] or [
                a for a in available if a.stem.startswith(stem + "_") or a.stem.split("_")[0] == stem
            ]
        if len(match) != 1:
            names = [a.stem for a in available]
            hint = difflib.get_close_matches(s, names, n=3)
            raise ValueError(
                f"notebook '{s}' {'is ambiguous' if match else 'not found'}; available: {names}"
                + (f"; did you mean {hint}?" if hint else "")
            )
        if match[0] not in chosen:
            chosen.append(match[0])
    return chosen


# ==============================================================================================
# Parameters: config file, -p overrides, validation
def parse_override(text: str) -> tuple[str | None, str, Any]:
    """Parse ``-p key=value`` or ``-p notebook:key=value``; the value is YAML.

    YAML makes ``-p years=[2012,2020]``, ``-p 'columns={age: Age}'`` and ``-p title=银行``
    work; quote a value to keep it a string (``-p seed="'42'"``).

    Returns
    -------
    (notebook or None, key, value)
    """
    import yaml

    if "=" not in text:
        raise ParameterError(f"-p expects key=value (value in YAML); got {text!r}, e.g. -p seed=7")
    key, raw = text.split("=", 1)
    key = key.strip()
    notebook = None
    if ":" in key:
        notebook, key = (s.strip() for s in key.split(":", 1))
    if not key.isidentifier():
        raise ParameterError(f"-p {text!r}: '{key}' is not a valid parameter name")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ParameterError(f"-p {text!r}: the value is not valid YAML ({exc})") from exc
    return notebook, key, value


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


def _type_ok(default: Any, value: Any, none_ok: bool = False) -> bool:
    if default is None:
        return True  # None defaults mean "bundled data / not set": any literal may replace them
    if value is None:
        return none_ok
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def check_parameters(info: NotebookInfo, params: Mapping[str, Any], *, source: str = "") -> None:
    """Refuse unknown names and wrongly typed values for one notebook (no kernel involved).

    Raises
    ------
    ParameterError
        Naming the offending parameter(s) and listing every valid parameter with its default.
    """
    defaults = info.defaults
    # None is accepted where the default is None or the parameter's comment documents it
    # (e.g. ``group_column = "channel_group"  # None = no multi-group comparison``).
    none_ok = {p.name for p in info.parameters if "None" in p.comment}
    problems = []
    for key, value in params.items():
        if key not in defaults:
            close = difflib.get_close_matches(key, list(defaults), n=1)
            problems.append(f"unknown parameter '{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        elif not _type_ok(defaults[key], value, key in none_ok):
            problems.append(
                f"parameter '{key}' must be {_type_name(defaults[key])} like its default "
                f"{defaults[key]!r}; got {value!r} ({type(value).__name__})"
            )
        elif key == "lang" and value not in ("en", "zh"):
            problems.append(f"parameter 'lang' must be 'en' or 'zh'; got {value!r}")
    if problems:
        origin = f" (from {source})" if source else ""
        raise ParameterError(
            f"notebook {info.name}{origin}: " + "; ".join(problems)
            + f".\nValid parameters of {info.name} (default, type):\n{info.parameter_listing()}"
        )


def resolve_parameters(
    infos: Sequence[NotebookInfo],
    *,
    config: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    lang: str | None = None,
    share_safe: bool = False,
    known_notebooks: Iterable[str] = (),
) -> dict[str, dict[str, Any]]:
    """Parameters to inject into each notebook, validated against its ``parameters`` cell.

    Precedence (later wins): config ``all`` < config ``notebooks.<name>`` < overrides <
    ``lang``/``share_safe`` flags. ``all`` entries and un-scoped overrides apply to every
    selected notebook that declares the parameter and are refused if none does; scoped entries
    (``notebooks.<name>`` or ``-p name:key=value``) must exist in that notebook.

    Parameters
    ----------
    overrides : mapping or iterable of "key=value" strings
        A mapping ``{key: value}`` or ``{"notebook:key": value}``, or ``-p`` strings.
    """
    by_name = {i.name: i for i in infos}
    config = dict(config or {})
    cfg_all = dict(config.get("all") or {})
    cfg_nb = dict(config.get("notebooks") or {})
    known = set(known_notebooks) | set(by_name)
    unknown_nb = sorted(set(cfg_nb) - known)
    if unknown_nb:
        raise ParameterError(f"config names unknown notebooks {unknown_nb}; known: {sorted(known)}")

    parsed: list[tuple[str | None, str, Any]] = []
    if isinstance(overrides, Mapping):
        for k, v in overrides.items():
            nb, key = (k.split(":", 1) if ":" in k else (None, k))
            parsed.append((nb, key, v))
    elif overrides is not None:
        parsed = [parse_override(o) for o in overrides]

    resolved: dict[str, dict[str, Any]] = {i.name: {} for i in infos}

    def _apply_global(key: str, value: Any, source: str) -> None:
        targets = [i for i in infos if key in i.defaults]
        if not targets:
            listing = "\n".join(f"  {i.name}:\n{i.parameter_listing()}" for i in infos)
            close = difflib.get_close_matches(key, sorted({p for i in infos for p in i.defaults}), n=1)
            raise ParameterError(
                f"unknown parameter '{key}' (from {source}): no selected notebook declares it"
                + (f" (did you mean '{close[0]}'?)" if close else "")
                + f".\nValid parameters (default, type):\n{listing}"
            )
        for i in targets:
            check_parameters(i, {key: value}, source=source)
            resolved[i.name][key] = value

    def _apply_scoped(nb: str, key: str, value: Any, source: str) -> None:
        if nb not in by_name:
            if nb in known:
                return  # configured but not selected in this run
            raise ParameterError(f"{source}: unknown notebook '{nb}'; selected: {sorted(by_name)}")
        check_parameters(by_name[nb], {key: value}, source=source)
        resolved[nb][key] = value

    for key, value in cfg_all.items():
        _apply_global(str(key), value, "config 'all'")
    for nb, values in cfg_nb.items():
        for key, value in values.items():
            _apply_scoped(nb, str(key), value, f"config 'notebooks.{nb}'")
    for nb, key, value in parsed:
        if nb is None:
            _apply_global(key, value, f"-p {key}=...")
        else:
            _apply_scoped(resolve_scope(nb, by_name), key, value, f"-p {nb}:{key}=...")
    for info in infos:
        if lang is not None and "lang" in info.defaults:
            resolved[info.name]["lang"] = lang
        if share_safe and "share_safe" in info.defaults:
            resolved[info.name]["share_safe"] = True
    return resolved


def resolve_scope(nb: str, by_name: Mapping[str, NotebookInfo]) -> str:
    """Accept a numeric prefix (``03``) for a notebook scope in ``-p 03:key=value``."""
    if nb in by_name:
        return nb
    match = [n for n in by_name if n.split("_")[0] == nb]
    return match[0] if len(match) == 1 else nb


# ==============================================================================================
# Results
@dataclass(frozen=True)
class NotebookResult:
    """Outcome of one notebook in a run."""

    name: str
    status: Status
    duration_s: float | None = None
    execution_s: float | None = None
    export_s: float | None = None
    error: Mapping[str, Any] | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record used in ``run.json``."""
        return {
            "name": self.name, "title": self.title, "status": self.status,
            "duration_s": _round(self.duration_s), "execution_s": _round(self.execution_s),
            "export_s": _round(self.export_s), "error": dict(self.error) if self.error else None,
            "parameters": dict(self.parameters), "outputs": dict(self.outputs),
        }


@dataclass(frozen=True)
class RunResult:
    """Outcome of :func:`run_notebooks`."""

    run_id: str
    run_dir: Path
    status: Literal["succeeded", "failed", "interrupted"]
    notebooks: tuple[NotebookResult, ...]
    started: str
    finished: str
    duration_s: float
    latest_updated: bool

    @property
    def ok(self) -> bool:
        """True when every notebook succeeded."""
        return self.status == "succeeded"

    @property
    def exit_code(self) -> int:
        """0 on success, 1 when a notebook failed, 130 when interrupted."""
        return {"succeeded": 0, "failed": 1}.get(self.status, 130)

    @property
    def failed(self) -> tuple[NotebookResult, ...]:
        """Notebooks that did not succeed."""
        return tuple(n for n in self.notebooks if n.status != "succeeded")


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 3)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds").replace("+00:00", "Z")


# ==============================================================================================
# Kernels: current interpreter, one BLAS thread, per-notebook environment, killable on SIGINT
_ACTIVE_KERNELS: set[Any] = set()
_ACTIVE_LOCK = threading.RLock()  # re-entrant: the signal handler may fire while the main thread holds it


def _kernel_manager_class(extra_env: Mapping[str, str], log_path: Path | None = None) -> type:
    from jupyter_client.manager import AsyncKernelManager

    class SuiteKernelManager(AsyncKernelManager):
        """``python3`` kernel on ``sys.executable`` with the run's environment variables."""

        suite_env: dict[str, str] = dict(extra_env)

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            # Whatever python3 kernelspec is found first (e.g. one in ~/.local pointing at another
            # Python), run ipykernel with *this* environment's interpreter.
            if any("ipykernel" in part for part in cmd[1:5]):
                cmd[0] = sys.executable
            return cmd

        async def start_kernel(self, **kw: Any) -> None:
            env = dict(kw.pop("env", None) or os.environ)
            env.update(self.suite_env)
            kw["env"] = env
            log = None
            if log_path is not None:
                # Kernel-process chatter (transport warnings, shutdown noise) goes to a per-notebook
                # log file instead of the cron/Airflow log; notebook output is unaffected.
                log_path.parent.mkdir(parents=True, exist_ok=True)
                log = open(log_path, "ab")  # noqa: SIM115 - closed right after Popen dup'ed it
                kw.setdefault("stdout", log)
                kw.setdefault("stderr", log)
            try:
                await super().start_kernel(**kw)
            finally:
                if log is not None:
                    log.close()
            with _ACTIVE_LOCK:
                _ACTIVE_KERNELS.add(self)

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            with _ACTIVE_LOCK:
                _ACTIVE_KERNELS.discard(self)
            await super().shutdown_kernel(now=now, restart=restart)

    return SuiteKernelManager


def _kill_active_kernels() -> None:
    with _ACTIVE_LOCK:
        kms = list(_ACTIVE_KERNELS)
        _ACTIVE_KERNELS.clear()
    for km in kms:
        provisioner = getattr(km, "provisioner", None)
        pid = getattr(provisioner, "pid", None)
        killpg = getattr(os, "killpg", None)  # POSIX: the kernel leads its own process group
        if pid and killpg is not None:
            with contextlib.suppress(OSError):
                killpg(pid, signal.SIGKILL)
        process = getattr(provisioner, "process", None)
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()


def _kernel_env(report_dir: Path, name: str, lang: str | None, share_safe: bool) -> dict[str, str]:
    from bankcrm_research.reporting import _env

    env = {v: "1" for v in _THREAD_VARS}
    env.update({
        _env.REPORT_DIR: str(report_dir),
        _env.NOTEBOOK: name,
        _env.SHARE_SAFE: "1" if share_safe else "0",
        "PYTHONHASHSEED": "0",  # set/dict-of-str ordering identical between runs
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    })
    if lang:
        env[_env.LANG] = lang
    return env


# ==============================================================================================
# Progress: tqdm on a terminal, timestamped lines otherwise (cron / Airflow logs)
class _Progress:
    def __init__(self, total: int, enabled: bool | None, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar = None
        self.lines = enabled is not False and not (enabled is None and tty)
        if (enabled is True or enabled is None) and tty:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="nb", file=self.stream, dynamic_ncols=True)
            self.lines = False
        self.quiet = enabled is False
        self.lock = threading.Lock()

    def log(self, message: str) -> None:
        if self.quiet:
            return
        with self.lock:
            if self.bar is not None:
                self.bar.write(message, file=self.stream)
            else:
                print(f"{_iso(_utc_now())} bankcrm-research {message}", file=self.stream, flush=True)

    def start(self, name: str) -> None:
        if self.bar is not None:
            with self.lock:
                self.bar.set_postfix_str(name)
        else:
            self.log(f"START {name}")

    def done(self, result: NotebookResult) -> None:
        dur = f"{result.duration_s:.1f}s" if result.duration_s is not None else ""
        msg = f"{result.status.upper():<11} {result.name} {dur}"
        if result.error:
            msg += f"  {result.error.get('ename')}: {result.error.get('first_line')}"
        if self.bar is not None:
            with self.lock:
                self.bar.update(1)
            if result.status != "succeeded":
                self.log(msg)
        else:
            self.log(msg)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ==============================================================================================
# One notebook
def _timed_out_cell(nb: Any) -> int | None:
    """Index of the cell papermill started last (the one running when execution stopped)."""
    last = None
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if meta.get("start_time"):
            last = i
    return last


def _mark_failure_in_notebook(path: Path, cell_index: int | None, ename: str, evalue: str) -> int | None:
    """Add papermill's error banner and anchor plus an error output for failures papermill did
    not record itself (cell timeout, dead kernel, kernel start failure)."""
    import nbformat
    from papermill.execute import ERROR_ANCHOR_MSG, ERROR_MARKER_TAG, ERROR_MESSAGE_TEMPLATE

    nb = nbformat.read(str(path), as_version=4)
    if any(ERROR_MARKER_TAG in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        return cell_index
    if cell_index is None:
        cell_index = _timed_out_cell(nb)
    exec_count: Any = "?"
    if cell_index is not None and cell_index < len(nb.cells):
        cell = nb.cells[cell_index]
        if cell.cell_type == "code":
            cell.outputs.append(nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                                        traceback=[f"{ename}: {evalue}"]))
            exec_count = cell.get("execution_count") or "?"
        anchor = nbformat.v4.new_markdown_cell(ERROR_ANCHOR_MSG)
        anchor.metadata["tags"] = [ERROR_MARKER_TAG]
        nb.cells.insert(cell_index, anchor)
    banner = nbformat.v4.new_markdown_cell(
        (ERROR_MESSAGE_TEMPLATE % str(exec_count)) + f"\n\n**{ename}**: {evalue}"
    )
    banner.metadata["tags"] = [ERROR_MARKER_TAG]
    nb.cells.insert(0, banner)
    nbformat.write(nb, str(path))
    return cell_index


def _list_outputs(run_dir: Path, name: str) -> dict[str, Any]:
    folder = run_dir / name

    def rel(p: Path) -> str:
        return p.relative_to(run_dir).as_posix()

    out: dict[str, Any] = {
        "ipynb": f"{name}.ipynb" if (run_dir / f"{name}.ipynb").exists() else None,
        "html": f"{name}.html" if (run_dir / f"{name}.html").exists() else None,
        "metrics": rel(folder / "metrics.json") if (folder / "metrics.json").exists() else None,
        "tables": sorted(rel(p) for p in (folder / "tables").glob("*.csv")),
        "figures": sorted(rel(p) for p in (folder / "figures").glob("*.png")),
    }
    return out


def _execute_one(
    info: NotebookInfo,
    params: Mapping[str, Any],
    run_dir: Path,
    *,
    lang: str | None,
    share_safe: bool,
    cell_timeout: float | None,
    kernel_start_timeout: float,
    stop: threading.Event,
) -> NotebookResult:
    if stop.is_set():
        return NotebookResult(info.name, "skipped", parameters=dict(params), title=info.title,
                              error={"ename": "Interrupted", "first_line": "run interrupted before this notebook started", "cell_index": None})
    import logging

    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    # papermill warns about parameter comments it cannot parse (e.g. "# None = bundled data");
    # our own parser already read the cell, so keep those lines out of cron logs.
    logging.getLogger("papermill.translators").setLevel(logging.ERROR)

    from bankcrm_research.reporting.html import summarize_error

    t0 = time.perf_counter()
    report_dir = run_dir / info.name
    report_dir.mkdir(parents=True, exist_ok=True)
    out_nb = run_dir / f"{info.name}.ipynb"
    km_class = _kernel_manager_class(_kernel_env(report_dir, info.name, lang, share_safe),
                                     run_dir / "logs" / f"{info.name}.kernel.log")
    error: dict[str, Any] | None = None
    status: Status = "succeeded"
    try:
        pm.execute_notebook(
            str(info.path), str(out_nb), parameters=dict(params), kernel_name=KERNEL_NAME,
            progress_bar=False, log_output=False, request_save_on_cell_execute=True,
            start_timeout=math.ceil(kernel_start_timeout),
            execution_timeout=None if cell_timeout is None else math.ceil(cell_timeout),  # nbclient wants int
            kernel_manager_class=km_class,
            # cwd of the kernel (instead of papermill's process-wide chdir, unsafe with threads)
            resources={"metadata": {"path": str(info.path.parent)}},
        )
    except PapermillExecutionError as exc:
        status = "failed"
        error = summarize_error(exc.ename, exc.evalue, exc.cell_index, exc.exec_count)
    except BaseException as exc:  # timeout, dead kernel, kernel start failure, interrupt
        status = "interrupted" if stop.is_set() else "failed"
        ename = type(exc).__name__
        evalue = str(exc).strip().splitlines()[0] if str(exc).strip() else ename
        if "Timeout" in ename or isinstance(exc, TimeoutError):
            evalue = f"a cell ran longer than the cell timeout ({cell_timeout} s): {evalue}"
        if stop.is_set():
            ename, evalue = "Interrupted", "run interrupted (SIGINT/SIGTERM); kernel stopped"
        if not out_nb.exists():
            import nbformat

            nbformat.write(nbformat.read(str(info.path), as_version=4), str(out_nb))
        cell_index = None
        with contextlib.suppress(Exception):
            cell_index = _mark_failure_in_notebook(out_nb, None, ename, evalue)
        error = summarize_error(ename, evalue, cell_index)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)) and not stop.is_set():
            raise
    return NotebookResult(
        name=info.name, status=status, duration_s=time.perf_counter() - t0,
        execution_s=time.perf_counter() - t0, error=error, parameters=dict(params),
        outputs=_list_outputs(run_dir, info.name), title=info.title,
    )


def _export_one(res: NotebookResult, run_dir: Path, *, share_safe: bool) -> NotebookResult:
    """HTML export of an executed notebook (also of a failed one: the error stays visible).

    Runs on its own thread so that, in a sequential run, the next notebook's kernel starts while
    this export renders.
    """
    from bankcrm_research.reporting.html import notebook_to_html, summarize_error

    out_nb = run_dir / f"{res.name}.ipynb"
    if res.status == "skipped" or not out_nb.exists():
        return res
    t1 = time.perf_counter()
    status, error = res.status, res.error
    try:
        notebook_to_html(out_nb, run_dir / f"{res.name}.html", exclude_input=share_safe,
                         title=res.title or res.name)
    except Exception as exc:  # noqa: BLE001 - an export failure must not lose the run record
        if status == "succeeded":
            status = "failed"
            error = summarize_error("HTMLExportError", f"{type(exc).__name__}: {exc}", None)
    t_export = time.perf_counter() - t1
    return replace(res, status=status, error=error, export_s=t_export,
                   duration_s=(res.execution_s or 0.0) + t_export,
                   outputs=_list_outputs(run_dir, res.name))


# ==============================================================================================
# The run
def _new_run_dir(parent: Path, fingerprint: str) -> tuple[str, Path]:
    parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        now = _utc_now()
        salt = f"{fingerprint}|{time.time_ns()}|{os.getpid()}|{secrets.token_hex(8)}"
        run_id = f"{now:%Y%m%dT%H%M%SZ}-{hashlib.sha256(salt.encode()).hexdigest()[:7]}"
        path = parent / run_id
        try:
            os.mkdir(path)  # atomic: exactly one process creates a given folder
        except FileExistsError:
            continue
        return run_id, path
    raise RuntimeError(f"could not create a new run folder in {parent}")


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False, default=str) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)


def _update_latest(parent: Path, run_id: str) -> None:
    link = parent / "latest"
    tmp = parent / f".latest-{run_id}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        os.symlink(run_id, tmp, target_is_directory=True)
        os.replace(tmp, link)  # atomic swap: readers see the old or the new run, never neither
    except OSError:
        # No symlinks (e.g. Windows without developer mode): record the id in a text file.
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        (parent / "LATEST").write_text(run_id + "\n", encoding="utf-8")


def _parameter_paths(infos: Sequence[NotebookInfo], params: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, Path]]:
    out = []
    for info in infos:
        merged = {**info.defaults, **params.get(info.name, {})}
        for key, value in merged.items():
            if key.endswith("_path") and isinstance(value, str) and value:
                p = Path(value).expanduser()
                out.append((f"{info.name}.{key}", p if p.is_absolute() else info.path.parent / p))
    return out


def run_notebooks(
    notebooks: Sequence[str | Path] | None = None,
    *,
    config: str | Path | Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
    output_dir: str | Path | None = None,
    jobs: int = 1,
    lang: str | None = None,
    share_safe: bool = False,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    kernel_start_timeout: float = DEFAULT_KERNEL_START_TIMEOUT,
    progress: bool | None = None,
    notebooks_folder: str | Path | None = None,
    update_latest: bool = True,
) -> RunResult:
    """Execute notebooks into a new run folder ``<output_dir>/<run-id>/``.

    Parameters
    ----------
    notebooks : sequence of str or Path, optional
        Names (``03_satisfaction_drivers``), numeric prefixes (``03``) or paths; all notebooks
        of ``notebooks/`` when empty.
    config : path or mapping, optional
        Run configuration (``config/default.yml`` shape: ``all`` and ``notebooks`` sections).
    overrides : mapping or sequence of "key=value", optional
        Parameter overrides; strings are parsed as YAML values (``-p`` on the command line).
        ``notebook:key`` scopes an override to one notebook.
    output_dir : path, optional
        Parent of run folders (``reports/`` by default); ``latest`` lives there too.
    jobs : int, default 1
        Kernels run at once; capped at the number of CPU cores.
    lang : {"en", "zh"}, optional
        Sets each notebook's ``lang`` parameter and the label language.
    share_safe : bool, default False
        Hide code cells in the HTML and refuse row-level customer tables.
    cell_timeout : float or None, default 600
        Seconds one cell may run; None for no limit.
    kernel_start_timeout : float, default 60
        Seconds to wait for a kernel to start.
    progress : bool or None
        None: a progress bar on a terminal, timestamped log lines otherwise; False: silent.
    notebooks_folder : path, optional
        Where names are looked up (``notebooks/`` by default).
    update_latest : bool, default True
        Move ``<output_dir>/latest`` to this run when every notebook succeeded.

    Returns
    -------
    RunResult
        Status ``succeeded`` (exit code 0), ``failed`` or ``interrupted``.

    Raises
    ------
    ParameterError
        Before any kernel starts, for unknown notebooks' parameters or wrongly typed values.
    ValueError
        For invalid options (``jobs < 1``, unknown language, missing notebooks).
    """
    # ---- validate everything before touching the disk or starting a kernel
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"The 'jobs' parameter must be an int >= 1. Got {jobs!r} instead.")
    if lang is not None and lang not in ("en", "zh"):
        raise ValueError(f"The 'lang' parameter must be 'en' or 'zh'. Got {lang!r} instead.")
    if cell_timeout is not None and cell_timeout <= 0:
        raise ValueError(f"The 'cell_timeout' parameter must be > 0 seconds or None. Got {cell_timeout!r}.")
    if kernel_start_timeout <= 0:
        raise ValueError(f"The 'kernel_start_timeout' parameter must be > 0 seconds. Got {kernel_start_timeout!r}.")
    paths = resolve_notebooks(notebooks, notebooks_folder)
    infos = [read_notebook_info(p) for p in paths]
    dupes = sorted({i.name for i in infos if [j.name for j in infos].count(i.name) > 1})
    if dupes:
        raise ValueError(f"two selected notebooks share the name(s) {dupes}; rename one")
    cfg = load_config(config) if not isinstance(config, Mapping) else dict(config)
    known = [p.stem for p in discover_notebooks(notebooks_folder)]
    params = resolve_parameters(infos, config=cfg, overrides=overrides, lang=lang,
                                share_safe=share_safe, known_notebooks=known)
    n_jobs = max(1, min(jobs, os.cpu_count() or 1, len(infos)))

    from bankcrm_research.run import provenance

    parent = Path(output_dir) if output_dir is not None else reports_dir()
    started_dt = _utc_now()
    t_start = time.perf_counter()
    bundled = data_dir()
    param_paths = _parameter_paths(infos, params)
    inputs = provenance.describe_inputs(bundled if bundled.is_dir() else None, param_paths)
    fingerprint = json.dumps({"p": params, "in": [i["sha256"] for i in inputs]}, sort_keys=True, default=str)
    run_id, run_dir = _new_run_dir(parent, fingerprint)

    record: dict[str, Any] = {
        "run_id": run_id,
        "status": "running",
        "started": _iso(started_dt),
        "finished": None,
        "duration_s": None,
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv else [],
        "options": {"jobs": n_jobs, "jobs_requested": jobs, "lang": lang, "share_safe": share_safe,
                    "cell_timeout_s": cell_timeout, "kernel_start_timeout_s": kernel_start_timeout,
                    "config": str(config) if isinstance(config, (str, Path)) else (cfg or None),
                    "overrides": (dict(overrides) if isinstance(overrides, Mapping) else list(overrides or []))},
        "data_note": "bundled data are SIMULATED (bankcrm_research.simulate); see data/README.md",
        "parameters": params,
        "notebooks": [{"name": i.name, "title": i.title, "status": "pending", "parameters": params[i.name],
                       "source": _display_path(i.path)} for i in infos],
        "inputs": inputs,
        "inputs_unchanged": None,
        "git": provenance.git_state(PROJECT_ROOT),
        "environment": {**provenance.environment_info(), "packages": provenance.package_versions()},
        "latest_updated": False,
    }
    _write_json(run_dir / "run.json", record)

    bar = _Progress(len(infos), progress)
    bar.log(f"run {run_id}: {len(infos)} notebook(s), {n_jobs} kernel(s) at once -> {run_dir}")
    stop = threading.Event()
    results: dict[str, NotebookResult] = {}
    interrupted: list[str] = []

    def _on_signal(signum: int, _frame: Any) -> None:
        interrupted.append(signal.Signals(signum).name)
        stop.set()
        _kill_active_kernels()

    in_main = threading.current_thread() is threading.main_thread()
    old_handlers: dict[int, Any] = {}
    if in_main:
        for sig in (signal.SIGINT, signal.SIGTERM):
            old_handlers[sig] = signal.signal(sig, _on_signal)

    executor = ThreadPoolExecutor(max_workers=n_jobs, thread_name_prefix="bankcrm-kernel")
    exporter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bankcrm-html")
    try:
        futures: dict[Future[NotebookResult], tuple[str, NotebookInfo]] = {}
        for info in infos:
            fut = executor.submit(_run_one_logged, bar, info, params[info.name], run_dir, lang=lang,
                                  share_safe=share_safe, cell_timeout=cell_timeout,
                                  kernel_start_timeout=kernel_start_timeout, stop=stop)
            futures[fut] = ("execute", info)
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for fut in done:
                stage, info = futures[fut]
                try:
                    res = fut.result()
                except BaseException as exc:  # noqa: BLE001 - recorded, never lost
                    res = NotebookResult(info.name, "failed", parameters=params[info.name], title=info.title,
                                         error={"ename": type(exc).__name__, "first_line": str(exc)[:300],
                                                "cell_index": None}, outputs=_list_outputs(run_dir, info.name))
                if stage == "execute" and res.status != "skipped":
                    results[info.name] = res  # provisional, until the HTML exists
                    efut = exporter.submit(_export_one, res, run_dir, share_safe=share_safe)
                    futures[efut] = ("export", info)
                    pending.add(efut)
                else:
                    results[info.name] = res
                    if res.status != "skipped":
                        bar.done(res)
            if stop.is_set():
                # Let workers notice their dead kernels, but never hang on them.
                deadline = time.monotonic() + 20
                while pending and time.monotonic() < deadline:
                    _kill_active_kernels()
                    done, pending = wait(pending, timeout=0.5)
                    for fut in done:
                        stage, info = futures[fut]
                        with contextlib.suppress(BaseException):
                            res = fut.result()
                            if stage == "execute" and res.status != "skipped":
                                res = _export_one(res, run_dir, share_safe=share_safe)
                            results[info.name] = res
                break
    finally:
        executor.shutdown(wait=not stop.is_set(), cancel_futures=True)
        exporter.shutdown(wait=True)
        if in_main:
            for sig, handler in old_handlers.items():
                signal.signal(sig, handler)
        bar.close()

    ordered: list[NotebookResult] = []
    for info in infos:
        res = results.get(info.name)
        if res is None or (stop.is_set() and res.status == "skipped"):
            res = NotebookResult(info.name, "interrupted" if stop.is_set() else "failed",
                                 parameters=params[info.name], title=info.title,
                                 error={"ename": "Interrupted", "first_line": "run interrupted before this notebook finished",
                                        "cell_index": None}, outputs=_list_outputs(run_dir, info.name))
        ordered.append(res)

    if stop.is_set():
        status: Literal["succeeded", "failed", "interrupted"] = "interrupted"
    else:
        status = "succeeded" if all(r.status == "succeeded" for r in ordered) else "failed"
    after = provenance.describe_inputs(bundled if bundled.is_dir() else None, param_paths)
    finished_dt = _utc_now()
    duration = time.perf_counter() - t_start
    record.update({
        "status": status,
        "finished": _iso(finished_dt),
        "duration_s": round(duration, 3),
        "interrupted_by": interrupted[0] if interrupted else None,
        "notebooks": [{**r.to_dict(), "source": _display_path(i.path),
                       "effective_parameters": {**i.defaults, **params[i.name]}}
                      for r, i in zip(ordered, infos)],
        "inputs_unchanged": [i["sha256"] for i in after] == [i["sha256"] for i in inputs],
        "timing": {"wall_s": round(duration, 3),
                   "execution_s": round(sum(r.execution_s or 0 for r in ordered), 3),
                   "export_s": round(sum(r.export_s or 0 for r in ordered), 3)},
    })
    metrics = {r.name: _read_json(run_dir / r.name / "metrics.json") for r in ordered}
    from bankcrm_research.reporting.html import render_index

    latest = status == "succeeded" and update_latest
    record["latest_updated"] = latest
    headlines = {i.name: i.headline for i in infos}
    (run_dir / "index.html").write_text(render_index(record, metrics, headlines), encoding="utf-8")
    _write_json(run_dir / "run.json", record)
    if latest:
        _update_latest(parent, run_id)
    bar.log(f"run {run_id} {status.upper()} in {duration:.1f}s: "
            f"{sum(r.status == 'succeeded' for r in ordered)}/{len(ordered)} succeeded; "
            f"index: {run_dir / 'index.html'}" + ("" if latest else "; 'latest' not moved"))
    return RunResult(run_id=run_id, run_dir=run_dir, status=status, notebooks=tuple(ordered),
                     started=record["started"], finished=record["finished"], duration_s=duration,
                     latest_updated=latest)


def _run_one_logged(bar: _Progress, info: NotebookInfo, params: Mapping[str, Any], run_dir: Path,
                    **kw: Any) -> NotebookResult:
    if not kw["stop"].is_set():
        bar.start(info.name)
    return _execute_one(info, params, run_dir, **kw)


def _display_path(p: Path) -> str:
    try:
        return p.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(p)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


