"""Command-line entry point: ``bankcrm-research run|list|validate-data|simulate``.

A thin layer: each sub-command turns flags into keyword arguments and calls one function in the
package. Sub-command modules are imported lazily so that ``bankcrm-research --help`` stays fast and
the runner's import path stays lean (no analysis libraries are imported by the CLI itself).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# sub-command -> module that provides ``register(subparsers)`` and a ``func`` default on its parser.
_SUBCOMMANDS: dict[str, str] = {
    "run": "bankcrm_research.run.cli",
    "list": "bankcrm_research.run.cli",
    "validate-data": "bankcrm_research.data.cli",
    "simulate": "bankcrm_research.simulate.cli",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser, importing only the module for ``only`` when given."""
    from bankcrm_research import __version__

    parser = argparse.ArgumentParser(
        prog="bankcrm-research",
        description="Run the bankcrm-research notebook suite, list notebooks, validate or simulate data.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = sorted({m for c, m in _SUBCOMMANDS.items() if only is None or c == only})
    for module_name in modules:
        module = importlib.import_module(module_name)
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bankcrm-research`` console script; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command if command in _SUBCOMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
