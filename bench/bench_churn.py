"""Benchmark of the churn boosting model at bank scale: fit, 5-fold CV, scoring, peak memory.

Generated data: ``--rows`` customers (default 1,000,000) × ``--features`` features (default 30:
26 numeric with 2 % missing values, 4 categorical with 3–12 levels), binary churn from a logit with
10 true drivers (base rate ≈ 8 %). Steps, timed separately in one process:

* ``ChurnBoosting(seed=0).fit`` on all rows — feature preparation (guard rails included) plus
  scikit-learn ``HistGradientBoostingClassifier`` with the package defaults (early stopping on);
* ``validate_models(..., schemes=("cv",), cv_folds=5)`` — 5 fits and out-of-fold metrics;
* ``predict_proba`` on all rows;
* peak resident memory of the process (``ru_maxrss``), which includes the generated data.

Targets (issue 6): fit ≤ 40 s, scoring ≤ 5 s, peak ≤ 2 GiB on 2 cores. Results go to
``bench/results/bench_churn-<UTC>.json`` and stdout. The machine's 1-minute load average is
recorded too: other jobs on a shared machine slow OpenMP-parallel boosting a lot.

Usage: ``python -m bench churn [-- --rows 1000000 --features 30 --folds 5 --threads N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

GIB = 1024**3
TARGETS = {"fit_seconds": 40.0, "score_seconds": 5.0, "peak_rss_gib": 2.0}


def generate(n_rows: int, n_features: int, seed: int = 0) -> pd.DataFrame:
    """Churn table with ``n_features`` features (4 categorical), 10 true drivers, seeded."""
    rng = np.random.default_rng(seed)
    n_cat = min(4, n_features)
    n_num = n_features - n_cat
    X = rng.standard_normal((n_rows, n_num)).astype(np.float64)
    beta = np.zeros(n_num)
    beta[: min(10, n_num)] = np.linspace(0.6, -0.4, min(10, n_num))
    eta = -2.6 + X @ beta + 0.3 * np.sin(2 * X[:, 0]) if n_num else np.full(n_rows, -2.6)
    X[rng.random(X.shape) < 0.02] = np.nan  # realistic missingness after the outcome is drawn
    data = {f"x{j:02d}": X[:, j] for j in range(n_num)}
    for j in range(n_cat):
        k = 3 + 3 * j
        codes = rng.integers(0, k, n_rows)
        eta = eta + 0.2 * (codes == 0)
        data[f"cat{j}"] = pd.Categorical.from_codes(codes, [f"L{i}" for i in range(k)])
    data["churn"] = rng.random(n_rows) < 1 / (1 + np.exp(-eta))
    return pd.DataFrame(data)


def main(argv: list[str] | None = None) -> int:
    from bankcrm_research.retention.models import ChurnBoosting
    from bankcrm_research.retention.validation import validate_models

    ap = argparse.ArgumentParser(prog="python -m bench churn", description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--features", type=int, default=30)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None, help="cap OpenMP threads (default: all cores)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    df = generate(args.rows, args.features)
    gen_s = time.perf_counter() - t0
    print(f"generated {len(df):,} x {args.features} in {gen_s:.1f} s; base rate {df['churn'].mean():.3f}", flush=True)

    model = ChurnBoosting(seed=0, n_threads=args.threads)
    t0 = time.perf_counter()
    fit = model.fit(df, target="churn")
    fit_s = time.perf_counter() - t0
    print(f"fit: {fit_s:.1f} s ({fit.n_iter} boosting iterations)", flush=True)

    t0 = time.perf_counter()
    p = fit.predict_proba(df)
    score_s = time.perf_counter() - t0
    print(f"scoring {len(df):,} rows: {score_s:.2f} s", flush=True)

    t0 = time.perf_counter()
    cv = validate_models(df, target="churn", models={"boosting": model}, schemes=("cv",), cv_folds=args.folds, seed=0)
    cv_s = time.perf_counter() - t0
    row = cv.tidy().iloc[0]
    print(f"{args.folds}-fold CV: {cv_s:.1f} s, AUC {row['auc']:.4f} (sd {row['auc_sd']:.4f})", flush=True)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result = {
        "benchmark": "churn",
        "utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "rows": args.rows,
        "features": args.features,
        "folds": args.folds,
        "threads": args.threads or os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "generate_seconds": gen_s,
        "fit_seconds": fit_s,
        "n_iter": fit.n_iter,
        "score_seconds": score_s,
        "cv_seconds": cv_s,
        "cv_seconds_per_fit": cv_s / args.folds,
        "cv_auc": float(row["auc"]),
        "cv_auc_sd": float(row["auc_sd"]),
        "mean_score": float(np.mean(p)),
        "peak_rss_gib": peak / GIB,
    }
    result["meets_targets"] = {
        "fit_at_most_40s": fit_s <= TARGETS["fit_seconds"],
        "scoring_at_most_5s": score_s <= TARGETS["score_seconds"],
        "peak_at_most_2GiB": result["peak_rss_gib"] <= TARGETS["peak_rss_gib"],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench_churn-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"peak RSS {result['peak_rss_gib']:.2f} GiB; load average {result['load_average_1m']:.1f}; "
          f"targets met: {result['meets_targets']}; wrote {path}", flush=True)
    return 0 if all(result["meets_targets"].values()) else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
