"""Executing one notebook: papermill in a fresh kernel of this interpreter, with timeouts.

* the kernel is ``python3`` on ``sys.executable`` (whatever kernelspec is found first), working
  directory = the notebook's folder, one BLAS thread, ``PYTHONHASHSEED=0``, and the output folder
  ``<run>/<notebook>/`` in ``BANKCRM_REPORT_DIR`` (see :mod:`bankcrm_research.reporting`);
* kernel-process chatter goes to ``<run>/logs/<notebook>.kernel.log``;
* every started kernel is registered so that SIGINT/SIGTERM can kill them all
  (:func:`kill_active_kernels`);
* failures papermill does not record itself (cell timeout, dead kernel, kernel start failure)
  are written into the executed notebook with papermill's error banner and anchor, so the HTML
  links to the failing cell;
* :class:`Progress` reports start/end of each notebook: tqdm on a terminal, timestamped lines
  otherwise (cron / Airflow logs).

papermill, nbformat and jupyter_client are imported inside the functions.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bankcrm_research.run.export import executed_path, list_outputs, summarize_error
from bankcrm_research.run.notebooks import NotebookInfo
from bankcrm_research.run.results import NotebookResult, Status, iso, utc_now

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "DEFAULT_KERNEL_START_TIMEOUT",
    "KERNEL_NAME",
    "Progress",
    "execute_one",
    "kill_active_kernels",
]

DEFAULT_CELL_TIMEOUT = 600  # seconds per cell; a notebook's default run is < 60 s in total
DEFAULT_KERNEL_START_TIMEOUT = 60
KERNEL_NAME = "python3"
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


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


def kill_active_kernels() -> None:
    """SIGKILL every kernel this process started and has not shut down (signal-handler safe)."""
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
class Progress:
    """Start/end of each notebook: a tqdm bar on a terminal, timestamped log lines otherwise;
    ``enabled=False`` is silent."""

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
                print(f"{iso(utc_now())} bankcrm-research {message}", file=self.stream, flush=True)

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
        anchor = nbformat.v4.new_markdown_cell(ERROR_ANCHOR_MSG, id="bankcrm-error-anchor")
        anchor.metadata["tags"] = [ERROR_MARKER_TAG]
        nb.cells.insert(cell_index, anchor)
    banner = nbformat.v4.new_markdown_cell(
        (ERROR_MESSAGE_TEMPLATE % str(exec_count)) + f"\n\n**{ename}**: {evalue}", id="bankcrm-error-banner"
    )
    banner.metadata["tags"] = [ERROR_MARKER_TAG]
    nb.cells.insert(0, banner)
    nbformat.write(nb, str(path))
    return cell_index


def execute_one(
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
    """Execute one notebook into ``<run_dir>/<name>.ipynb`` (outputs in ``<run_dir>/<name>/``).

    Never raises for a failing notebook: the result says ``failed`` (or ``interrupted`` once
    ``stop`` is set) with a short error record; the executed notebook is kept and carries the
    error. A notebook not yet started when ``stop`` is set is ``skipped``.
    """
    if stop.is_set():
        return NotebookResult(info.name, "skipped", parameters=dict(params), title=info.title,
                              error={"ename": "Interrupted", "first_line": "run interrupted before this notebook started", "cell_index": None})
    import logging

    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    # papermill warns about parameter comments it cannot parse (e.g. "# None = bundled data");
    # our own parser already read the cell, so keep those lines out of cron logs.
    logging.getLogger("papermill.translators").setLevel(logging.ERROR)

    t0 = time.perf_counter()
    report_dir = run_dir / info.name
    report_dir.mkdir(parents=True, exist_ok=True)
    out_nb = executed_path(run_dir, info.name, share_safe=share_safe)
    out_nb.parent.mkdir(parents=True, exist_ok=True)
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
        outputs=list_outputs(run_dir, info.name), title=info.title,
    )


