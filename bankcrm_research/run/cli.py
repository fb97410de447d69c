"""``bankcrm-research run`` and ``bankcrm-research list``: flags in, one function call out.

This module is imported by ``bankcrm_research.cli`` for these two sub-commands; it imports only
the standard library at import time (papermill/nbconvert load when a run starts).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["register", "cmd_run", "cmd_list"]

_RUN_EPILOG = """\
examples:
  bankcrm-research run                                  # every notebook, bundled simulated data
  bankcrm-research run 03 -p bootstrap_reps=200         # one notebook (name or number prefix)
  bankcrm-research run -c config/default.yml --jobs 2   # scheduled run with per-notebook parameters
  bankcrm-research run 01 -p 'outcomes=[nim, roa]' -p shock_year=2014 --lang zh
  bankcrm-research run 04 -p 04:customers_path=/data/crm.csv -p '04:columns={age: AGE}'

-p values are YAML (lists, dicts, numbers, Chinese text); a date such as 1997-09-30 is passed as
the string '1997-09-30'. `-p key=value` applies to every selected notebook that declares `key`;
`-p NOTEBOOK:key=value` to one notebook. Unknown names, wrong types and values outside the range a
notebook declares (`bankcrm-research list` shows it) are refused before any kernel starts.

Relative paths in path parameters (names ending in _path or _dir, and `paths`) are resolved before
the kernel starts: -p values against the current working directory, config-file values against
the folder of the config file (not against notebooks/, where the kernels run).

Exit code 0 only when every notebook succeeded; then <output-dir>/latest points at the new run.
"""


def _timeout(text: str) -> float | None:
    if text.strip().lower() in {"none", "0", "off"}:
        return None
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0 seconds (or 'none')")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be an integer >= 1")
    return value


def register(subparsers: Any) -> None:
    """Add the ``run`` and ``list`` sub-commands to the top-level parser."""
    from bankcrm_research.run.execute import DEFAULT_CELL_TIMEOUT, DEFAULT_KERNEL_START_TIMEOUT

    run = subparsers.add_parser(
        "run",
        help="execute notebooks into reports/<run-id>/ (HTML, tables, figures, metrics, provenance)",
        description="Execute the notebook suite (all notebooks by default) into a new run folder.",
        epilog=_RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                     help="notebook names, number prefixes (03) or .ipynb paths; all when omitted")
    run.add_argument("-c", "--config", metavar="FILE.yml",
                     help="per-notebook parameters (sections 'all' and 'notebooks'), e.g. config/default.yml")
    run.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                     help="parameter override, value parsed as YAML; repeatable; NOTEBOOK:KEY=VALUE for one notebook")
    run.add_argument("--output-dir", metavar="DIR", help="parent folder of run folders (default: reports/)")
    run.add_argument("-j", "--jobs", type=_positive_int, default=1, metavar="N",
                     help="kernels at once (capped at the number of CPU cores; one BLAS thread each)")
    run.add_argument("--lang", choices=["en", "zh"], default=None, help="label language of figures and tables")
    run.add_argument("--share-safe", action="store_true",
                     help="hide code cells in the HTML and refuse row-level customer tables")
    run.add_argument("--cell-timeout", type=_timeout, default=DEFAULT_CELL_TIMEOUT, metavar="SECONDS",
                     help=f"seconds one cell may run (default {DEFAULT_CELL_TIMEOUT}; 'none' = no limit)")
    run.add_argument("--kernel-start-timeout", type=_timeout, default=DEFAULT_KERNEL_START_TIMEOUT,
                     metavar="SECONDS", help=f"seconds to wait for a kernel (default {DEFAULT_KERNEL_START_TIMEOUT})")
    run.add_argument("--notebooks-dir", metavar="DIR", help="where notebook names are looked up (default: notebooks/)")
    progress = run.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None,
                          help="force the progress bar")
    progress.add_argument("--no-progress", dest="progress", action="store_false",
                          help="plain timestamped log lines even on a terminal")
    run.set_defaults(func=cmd_run)

    lst = subparsers.add_parser(
        "list",
        help="list notebooks with their question and parameters",
        description="List every notebook with its one-line question and its parameters (name, default, type).",
    )
    lst.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="only these notebooks")
    lst.add_argument("--notebooks-dir", metavar="DIR", help="folder of notebooks (default: notebooks/)")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    lst.set_defaults(func=cmd_list)


def _error(message: str) -> int:
    print(f"bankcrm-research: error: {message}", file=sys.stderr)
    return 2


def cmd_run(args: argparse.Namespace) -> int:
    """Handle ``bankcrm-research run``; returns the exit code (0 only if every notebook succeeded)."""
    from bankcrm_research.run.notebooks import ParameterError
    from bankcrm_research.run.runner import run_notebooks

    try:
        result = run_notebooks(
            args.notebooks or None,
            config=args.config,
            overrides=args.param,
            output_dir=args.output_dir,
            jobs=args.jobs,
            lang=args.lang,
            share_safe=args.share_safe,
            cell_timeout=args.cell_timeout,
            kernel_start_timeout=args.kernel_start_timeout,
            progress=args.progress,
            notebooks_folder=args.notebooks_dir,
        )
    except (ParameterError, ValueError, FileNotFoundError) as exc:
        return _error(str(exc))
    for nb in result.failed:
        err = nb.error or {}
        print(f"bankcrm-research: {nb.name} {nb.status}: {err.get('ename', '')}: {err.get('first_line', '')}"
              f" (see {result.run_dir / (nb.name + '.html')})", file=sys.stderr)
        rest = str(err.get("message", "")).splitlines()[1:]
        for line in rest:  # e.g. every problem of a data-validation error, not just its count
            print(f"    {line}", file=sys.stderr)
    print(result.run_dir / "index.html")
    return result.exit_code


def cmd_list(args: argparse.Namespace) -> int:
    """Handle ``bankcrm-research list``."""
    from bankcrm_research.run.notebooks import ParameterError, read_notebook_info, resolve_notebooks

    try:
        paths = resolve_notebooks(args.notebooks or None, args.notebooks_dir)
    except ValueError as exc:
        return _error(str(exc))
    rows = []
    status = 0
    for path in paths:
        try:
            info = read_notebook_info(path)
        except (ParameterError, ValueError, OSError) as exc:
            rows.append({"name": path.stem, "error": str(exc)})
            status = 1
            continue
        rows.append({
            "name": info.name, "title": info.title, "question": info.question,
            "parameters": [{"name": p.name, "default": p.default, "type": p.type_name, "comment": p.comment}
                           for p in info.parameters],
        })
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return status
    for row in rows:
        if "error" in row:
            print(f"{row['name']}\n  ERROR: {row['error']}\n")
            continue
        print(f"{row['name']}  —  {row['title']}")
        if row["question"]:
            print(f"  Q: {row['question']}")
        width = max((len(p["name"]) for p in row["parameters"]), default=0)
        for p in row["parameters"]:
            comment = f"  # {p['comment']}" if p["comment"] else ""
            print(f"    {p['name']:<{width}} = {p['default']!r}  ({p['type']}){comment}")
        print()
    return status
