"""``bankcrm-research simulate``: write the simulated bank-CRM world to a folder.

``bankcrm-research simulate --seed 20130613 --out data`` reproduces the bundled ``data/``
byte-for-byte; ``--customers 1000000 --transactions 50000000`` writes a large benchmark world
(transactions streamed to Parquet in chunks).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bankcrm_research.simulate._common import DEFAULT_SEED


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``simulate`` sub-command."""
    from bankcrm_research.simulate.world import DEFAULTS

    p = subparsers.add_parser(
        "simulate",
        help="write the SIMULATED bank-CRM world (six tables + truth.json) to a folder",
        description="Generate the seeded simulated bank-CRM world with its recorded ground truth. "
        "With the default seed and sizes this reproduces the bundled data/ byte-for-byte.",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})")
    p.add_argument("--out", required=True, type=Path, help="output folder (created if missing)")
    p.add_argument("--customers", type=int, default=DEFAULTS["n_customers"], help="number of customers")
    p.add_argument("--transactions", type=int, default=DEFAULTS["n_transactions"],
                   help="expected number of transactions")
    p.add_argument("--banks", type=int, default=DEFAULTS["n_banks"], help="number of banks")
    p.add_argument("--respondents", type=int, default=DEFAULTS["n_respondents"], help="survey respondents")
    p.add_argument("--population-draw", type=int, default=400_000,
                   help="size of the auxiliary draw behind the population values in truth.json (default 400000)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``simulate`` with parsed arguments; returns the exit code."""
    from bankcrm_research.simulate.world import write_world

    t0 = time.perf_counter()
    try:
        paths = write_world(
            args.out, seed=args.seed, n_customers=args.customers, n_banks=args.banks,
            n_transactions=args.transactions, n_respondents=args.respondents, population_draw=args.population_draw,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"SIMULATED data written to {args.out} in {time.perf_counter() - t0:.1f} s:")
        for name, path in paths.items():
            print(f"  {name:<28} {path.stat().st_size / 1e6:8.2f} MB  {path.name}")
    return 0
