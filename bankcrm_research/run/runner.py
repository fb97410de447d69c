"""Run the notebook suite into a run folder: papermill execution, HTML, index, provenance.

One function, :func:`run_notebooks`, does the work; ``bankcrm-research run`` is a thin CLI over it
(``bankcrm_research.run.cli``). For each run it

1. reads every selected notebook's ``parameters`` cell (``ast.literal_eval``, no kernel),
   turns YAML dates into ISO strings and relative path values into absolute ones, and refuses
   unknown parameter names, wrongly typed values and values outside a declared range
   **before any kernel starts**, listing the valid parameters with their defaults;
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

This module is the orchestration only; the parts live beside it:

* :mod:`~bankcrm_research.run.notebooks` - what a notebook declares (parameters cell, title);
* :mod:`~bankcrm_research.run.params` - ``-p`` overrides, precedence and checks;
* :mod:`~bankcrm_research.run.constraints` - ``range:`` / ``one of:`` in parameter comments;
* :mod:`~bankcrm_research.run.config` - the YAML run configuration;
* :mod:`~bankcrm_research.run.execute` - kernels, papermill, timeouts, progress;
* :mod:`~bankcrm_research.run.export` - per-notebook HTML and outputs listing;
* :mod:`~bankcrm_research.run.index_page` - ``index.html`` (findings, headlines via
  :mod:`~bankcrm_research.run.headlines`, history from :mod:`~bankcrm_research.run.ledger`);
* :mod:`~bankcrm_research.run.reader` - reader-mode HTML (code hidden, parameters as a table,
  warnings gathered, paths scrubbed);
* :mod:`~bankcrm_research.run.provenance` - hashes, versions, git state;
* :mod:`~bankcrm_research.run.results` - :class:`NotebookResult`, :class:`RunResult`.

Their public names are re-exported here. papermill, nbformat and nbconvert are imported inside
functions so that importing this module (and the CLI) stays fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Literal

from bankcrm_research.data.paths import PROJECT_ROOT, data_dir, reports_dir
from bankcrm_research.run import execute
from bankcrm_research.run.config import load_config
from bankcrm_research.run.execute import DEFAULT_CELL_TIMEOUT, DEFAULT_KERNEL_START_TIMEOUT, Progress
from bankcrm_research.run.export import export_one, list_outputs
from bankcrm_research.run.reader import scrub_record
from bankcrm_research.run.notebooks import (
    NotebookInfo,
    NotebookParameter,
    ParameterError,
    discover_notebooks,
    parse_parameters_source,
    read_notebook_info,
    resolve_notebooks,
)
from bankcrm_research.run.params import check_parameters, parse_override, resolve_parameters
from bankcrm_research.run.results import NotebookResult, RunResult, iso, utc_now

__all__ = [
    "NotebookParameter",
    "NotebookInfo",
    "NotebookResult",
    "RunResult",
    "ParameterError",
    "read_notebook_info",
    "parse_parameters_source",
    "discover_notebooks",
    "resolve_notebooks",
    "resolve_parameters",
    "check_parameters",
    "load_config",
    "parse_override",
    "run_notebooks",
    "DEFAULT_CELL_TIMEOUT",
    "DEFAULT_KERNEL_START_TIMEOUT",
]


def _new_run_dir(parent: Path, fingerprint: str) -> tuple[str, Path]:
    parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        now = utc_now()
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
        Before any kernel starts, for unknown notebooks' parameters, wrongly typed values or
        values outside the range a notebook declares.
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
    cfg = load_config(config) if not isinstance(config, Mapping) else dict(config)
    if not notebooks and cfg.get("notebooks_to_run"):
        notebooks = list(cfg["notebooks_to_run"])
    paths = resolve_notebooks(notebooks, notebooks_folder)
    infos = [read_notebook_info(p) for p in paths]
    dupes = sorted({i.name for i in infos if [j.name for j in infos].count(i.name) > 1})
    if dupes:
        raise ValueError(f"two selected notebooks share the name(s) {dupes}; rename one")
    known = [p.stem for p in discover_notebooks(notebooks_folder)]
    params = resolve_parameters(infos, config=cfg, overrides=overrides, lang=lang,
                                share_safe=share_safe, known_notebooks=known)
    n_jobs = max(1, min(jobs, os.cpu_count() or 1, len(infos)))

    from bankcrm_research.run import provenance

    # absolute before any kernel starts: kernels run in notebooks/, where a relative folder would point elsewhere
    parent = (Path(output_dir).expanduser() if output_dir is not None else reports_dir()).resolve()
    started_dt = utc_now()
    t_start = time.perf_counter()
    bundled = data_dir()
    param_paths = _parameter_paths(infos, params)
    inputs = provenance.describe_inputs(bundled if bundled.is_dir() else None, param_paths)
    fingerprint = json.dumps({"p": params, "in": [i["sha256"] for i in inputs]}, sort_keys=True, default=str)
    run_id, run_dir = _new_run_dir(parent, fingerprint)

    record: dict[str, Any] = {
        "run_id": run_id,
        "status": "running",
        "started": iso(started_dt),
        "finished": None,
        "duration_s": None,
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv else [],
        "options": {"jobs": n_jobs, "jobs_requested": jobs, "lang": lang, "share_safe": share_safe,
                    "cell_timeout_s": cell_timeout, "kernel_start_timeout_s": kernel_start_timeout,
                    "config": str(config) if isinstance(config, (str, Path)) else (cfg or None),
                    "overrides": (dict(overrides) if isinstance(overrides, Mapping) else list(overrides or []))},
        "title": cfg.get("title"),
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

    roots = [PROJECT_ROOT, parent.resolve()]
    bar = Progress(len(infos), progress)
    bar.log(f"run {run_id}: {len(infos)} notebook(s), {n_jobs} kernel(s) at once -> {run_dir}")
    stop = threading.Event()
    results: dict[str, NotebookResult] = {}
    interrupted: list[str] = []

    def _on_signal(signum: int, _frame: Any) -> None:
        interrupted.append(signal.Signals(signum).name)
        stop.set()
        execute.kill_active_kernels()

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
                                                "cell_index": None}, outputs=list_outputs(run_dir, info.name))
                if stage == "execute" and res.status != "skipped":
                    results[info.name] = res  # provisional, until the HTML exists
                    efut = exporter.submit(export_one, res, run_dir, share_safe=share_safe, lang=lang, roots=roots)
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
                    execute.kill_active_kernels()
                    done, pending = wait(pending, timeout=0.5)
                    for fut in done:
                        stage, info = futures[fut]
                        with contextlib.suppress(BaseException):
                            res = fut.result()
                            if stage == "execute" and res.status != "skipped":
                                res = export_one(res, run_dir, share_safe=share_safe, lang=lang, roots=roots)
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
                                        "cell_index": None}, outputs=list_outputs(run_dir, info.name))
        ordered.append(res)

    if stop.is_set():
        status: Literal["succeeded", "failed", "interrupted"] = "interrupted"
    else:
        status = "succeeded" if all(r.status == "succeeded" for r in ordered) else "failed"
    after = provenance.describe_inputs(bundled if bundled.is_dir() else None, param_paths)
    finished_dt = utc_now()
    duration = time.perf_counter() - t_start
    record.update({
        "status": status,
        "finished": iso(finished_dt),
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
    from bankcrm_research.reporting.sections import auto_choices, skipped_sections
    from bankcrm_research.run import ledger
    from bankcrm_research.run.headlines import recorded_findings
    from bankcrm_research.run.index_page import render_index

    headlines = {i.name: i.headline for i in infos}
    for nb in record["notebooks"]:
        m = metrics.get(nb["name"], {})
        nb.update({"findings": recorded_findings(m), "auto": auto_choices(m), "skipped": skipped_sections(m),
                   "headline": ledger.headline_keys(m, headlines.get(nb["name"], ()))})
    record["input_sha256"] = ledger.input_digest(inputs)
    latest = status == "succeeded" and update_latest
    record["latest_updated"] = latest
    if share_safe:
        record = scrub_record(record, roots=[run_dir, parent, PROJECT_ROOT])
    if status == "succeeded":
        # Scheduled runs: the history index.html plots. Only successful runs enter it.
        ledger.append_ledger(parent, ledger.ledger_rows(record, metrics, headlines))
    history = ledger.read_ledger(parent)
    (run_dir / "index.html").write_text(render_index(record, metrics, headlines, history), encoding="utf-8")
    _write_json(run_dir / "run.json", record)
    if latest:
        _update_latest(parent, run_id)
    bar.log(f"run {run_id} {status.upper()} in {duration:.1f}s: "
            f"{sum(r.status == 'succeeded' for r in ordered)}/{len(ordered)} succeeded; "
            f"index: {run_dir / 'index.html'}" + ("" if latest else "; 'latest' not moved"))
    return RunResult(run_id=run_id, run_dir=run_dir, status=status, notebooks=tuple(ordered),
                     started=record["started"], finished=record["finished"], duration_s=duration,
                     latest_updated=latest)


def _run_one_logged(bar: Progress, info: NotebookInfo, params: Mapping[str, Any], run_dir: Path,
                    **kw: Any) -> NotebookResult:
    if not kw["stop"].is_set():
        bar.start(info.name)
    return execute.execute_one(info, params, run_dir, **kw)


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


