"""``bankcrm-research validate-data KIND PATH [--columns map.yml]``: a readable validation report.

Exit code 0 when the file can be used (possibly with warnings), 1 when it has errors, 2 for usage
errors (unknown kind, unreadable mapping file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bankcrm_research.data.schemas import SCHEMAS


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``validate-data`` sub-command."""
    p = subparsers.add_parser(
        "validate-data",
        help="check a data file against a canonical table schema and explain every problem",
        description="Validate your own CSV/Parquet/Excel file as one of the canonical tables. "
        "Reports every problem at once with row numbers and the fix; exit 1 on errors, 0 otherwise.",
    )
    p.add_argument("kind", choices=list(SCHEMAS), metavar="KIND", help=f"table kind: {', '.join(SCHEMAS)}")
    p.add_argument("path", type=Path, metavar="PATH", help="file to check (CSV, Parquet, Excel)")
    p.add_argument("--columns", type=Path, default=None, metavar="MAP.yml",
                   help="YAML mapping {canonical_name: your_column_name}")
    p.add_argument("--encoding", default=None, help="text encoding of a CSV (detected when omitted)")
    p.add_argument("--sheet", default=None, help="Excel sheet name or 0-based position")
    p.add_argument("--likert-range", default=None, metavar="LO,HI", help="survey answer scale, e.g. 1,10")
    p.add_argument("--date-format", default=None, metavar="FMT",
                   help="strptime layout of the date columns, e.g. %%d/%%m/%%Y (inferred when omitted)")
    p.set_defaults(func=run)


def _read_mapping(path: Path) -> dict[str, str]:
    import yaml

    with open(path, encoding="utf-8") as fh:
        data: Any = yaml.safe_load(fh) or {}
    if isinstance(data, dict) and "columns" in data and isinstance(data["columns"], dict):
        data = data["columns"]
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ValueError(f"{path}: expected a YAML mapping 'canonical_name: your_column_name', got {type(data).__name__}")
    return {str(k): str(v) for k, v in data.items()}


def run(args: argparse.Namespace) -> int:
    """Validate one file and print the report; returns the exit code."""
    from bankcrm_research.data.load import check_table

    try:
        columns = _read_mapping(args.columns) if args.columns else None
    except (OSError, ValueError) as exc:
        print(f"error: cannot read the column mapping: {exc}", file=sys.stderr)
        return 2
    sheet: str | int | None = args.sheet
    if isinstance(sheet, str) and sheet.isdigit():
        sheet = int(sheet)
    likert = None
    if args.likert_range:
        try:
            lo, hi = (int(x) for x in args.likert_range.split(","))
            likert = (lo, hi)
        except ValueError:
            print(f"error: --likert-range must look like 1,7; got {args.likert_range!r}", file=sys.stderr)
            return 2
    table, problems = check_table(args.kind, args.path, columns=columns, encoding=args.encoding, sheet=sheet,
                                  likert_range=likert, date_format=args.date_format)
    errors = [p for p in problems if p.severity == "error"]
    warns = [p for p in problems if p.severity == "warning"]
    infos = [p for p in problems if p.severity == "info"]
    shape = (f"{len(table):,} row{'s' if len(table) != 1 else ''} × {table.shape[1]} columns" if table is not None
             else "not readable")
    print(f"{args.kind}: {args.path} ({shape})")
    for p in errors + warns:
        print(f"  - {p}")
    if infos:
        print("info (what was assumed, kept or is absent):")
        for p in infos:
            print(f"  - {p}")
    status = "FAILED" if errors else "OK"
    print(f"{status}: {len(errors)} error{'s' if len(errors) != 1 else ''}, "
          f"{len(warns)} warning{'s' if len(warns) != 1 else ''}.")
    return 1 if errors else 0
