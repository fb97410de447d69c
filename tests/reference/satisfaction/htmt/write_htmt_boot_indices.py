"""Write htmt_table's bootstrap row indices for the R reference script (step 1 of 2).

Usage (from the repository root, with the project venv)::

    .venv/bin/python tests/reference/satisfaction/htmt/write_htmt_boot_indices.py [OUT.csv]
    Rscript tests/reference/satisfaction/htmt/ref_htmt_boot.R [OUT.csv]

OUT.csv defaults to ``$TMPDIR/htmt_boot_indices.csv`` (not committed: 500 x 301 integers). One line per
resample ``b``, ``n`` comma-separated 0-based row indices of the Holzinger & Swineford (1939) CSV, exactly
``bankcrm_research.satisfaction.validity.htmt_resample_indices(n, B, SEED)``: what ``htmt_table(...,
bootstrap_reps=B, seed=SEED)`` draws. The test re-generates them in Python and checks their checksum
against the one R wrote to htmt_boot_meta.csv.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bankcrm_research.satisfaction.validity import htmt_resample_indices

B = 500
SEED = 20130613
DATA = Path(__file__).parents[1] / "invariance" / "holzinger_swineford_1939.csv"


def main() -> None:
    """Write the B x n index matrix to the path in argv[1] (default: temp dir)."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "htmt_boot_indices.csv"
    n = len(pd.read_csv(DATA))
    idx = np.vstack(list(htmt_resample_indices(n, B, SEED)))
    np.savetxt(out, idx, fmt="%d", delimiter=",")
    print(f"wrote {idx.shape[0]} resamples x {idx.shape[1]} rows (seed {SEED}, index sum {int(idx.sum())}) to {out}")


if __name__ == "__main__":
    main()
