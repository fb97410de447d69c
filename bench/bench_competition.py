"""Benchmark of two-way fixed effects with bank-clustered errors: our path vs linearmodels.

Measures in one run, on simulated bank × year panels of 100k and 1M rows
(``y = 0.5 x + 0.2 w + a_i + g_t + e``, ``x`` correlated with the bank effect ``a_i``):

* first-call overhead, split into (a) importing pyfixest's estimation stack and linearmodels
  (pure import cost; large when ``PYTHONDONTWRITEBYTECODE`` is set, because every module is then
  compiled from source in every process) and (b) the first ``fit_panel_models`` call after the
  imports minus the same call repeated, on a 1,000-row panel (lazy initialisation and numba
  compilation inside pyfixest; the default demeaner is pyfixest's compiled Rust backend);
* our path: ``fit_panel_models(..., models=["twoway_fe"])`` — input validation, missing-value
  accounting, pyfixest ``feols(y ~ x + w | bank + year, vcov={"CRV1": bank})`` and the tidy table;
* linearmodels: ``PanelOLS(y, X, entity_effects=True, time_effects=True).fit(cov_type="clustered",
  cluster_entity=True)`` on the same data (``set_index`` to the (bank, year) MultiIndex included,
  as a user must do it);
* agreement: largest absolute coefficient difference, and the ratio of standard errors. The
  small-sample factors differ: ours (fixest) is G/(G-1)·(N-1)/(N-K) and does not count bank
  effects nested in the bank clusters; linearmodels' default (``count_effects=True``) divides by
  N - K - #banks - #years, so its errors are larger by about sqrt(N / (N - #banks)) when banks
  have few years each.

Target (issue 4): at 1M rows our path >= 5x faster than linearmodels. Results:
``bench/results/bench_competition-<UTC>.json`` and a table on stdout. Wall times are the best of
``--repeat`` runs (default 3 at 100k, 2 at 1M: the machine is shared, best-of reduces noise).

Usage: ``python -m bench competition [-- --sizes 100000 1000000 --repeat 3]``.
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
TARGET_SPEEDUP = 5.0
N_YEARS = 10


def simulate(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """Balanced bank × year panel with ``n_rows`` rows (``n_rows / 10`` banks × 10 years)."""
    rng = np.random.default_rng(seed)
    n_banks = n_rows // N_YEARS
    bank = np.repeat(np.arange(n_banks), N_YEARS)
    year = np.tile(np.arange(2014, 2014 + N_YEARS), n_banks)
    a = rng.normal(size=n_banks)
    g = rng.normal(size=N_YEARS)
    x = 0.6 * a[bank] + rng.normal(size=n_rows)
    w = rng.normal(size=n_rows)
    y = 0.5 * x + 0.2 * w + a[bank] + g[year - 2014] + rng.normal(size=n_rows)
    return pd.DataFrame({"bank_id": bank, "year": year, "y": y, "x": x, "w": w})


def _ours(df: pd.DataFrame) -> pd.DataFrame:
    from bankcrm_research.competition.panel import fit_panel_models

    return fit_panel_models(df, outcomes="y", regressors="x", controls=["w"], models=["twoway_fe"]).tidy()


def _linearmodels(df: pd.DataFrame) -> pd.DataFrame:
    from linearmodels.panel import PanelOLS

    p = df.set_index(["bank_id", "year"])
    res = PanelOLS(p["y"], p[["x", "w"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True
    )
    return pd.DataFrame({"term": res.params.index, "estimate": res.params.to_numpy(), "std_error": res.std_errors.to_numpy()})


def _best_of(fn, df: pd.DataFrame, repeat: int) -> tuple[pd.DataFrame, float]:  # noqa: ANN001
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(df)
        best = min(best, time.perf_counter() - t0)
    return out, best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench competition")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3, help="repeats at sizes < 1M (1M runs once)")
    args = ap.parse_args(argv or [])

    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        import linearmodels.panel  # noqa: F401
        import pyfixest.estimation  # noqa: F401

        import bankcrm_research.competition.panel  # noqa: F401

        imports = time.perf_counter() - t0
        small = simulate(1_000, seed=1)
        t0 = time.perf_counter()
        _ours(small)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        _ours(small)
        second = time.perf_counter() - t0
        overhead = {"import_s": imports, "first_call_s": first, "repeat_call_s": second,
                    "first_call_overhead_s": first - second,
                    "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", "")}
        print(f"imports (pyfixest estimation, linearmodels, ours): {imports:.2f} s"
              f" (PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r})")
        print(f"first call after imports, 1,000 rows: {first:.2f} s; repeated {second:.3f} s -> "
              f"first-call overhead {first - second:.2f} s")

        for n in args.sizes:
            df = simulate(n, seed=2)
            reps = args.repeat if n < 1_000_000 else min(args.repeat, 2)
            ours, t_ours = _best_of(_ours, df, reps)
            lm, t_lm = _best_of(_linearmodels, df, reps)
            o = ours.set_index("term").loc[["x", "w"]]
            lmi = lm.set_index("term").loc[["x", "w"]]
            rows.append({
                "rows": n,
                "banks": n // N_YEARS,
                "ours_s": t_ours,
                "linearmodels_s": t_lm,
                "speedup": t_lm / t_ours,
                "max_abs_coef_diff": float(np.max(np.abs(o["estimate"].to_numpy() - lmi["estimate"].to_numpy()))),
                "se_ratio_ours_over_lm": float(np.mean(o["std_error"].to_numpy() / lmi["std_error"].to_numpy())),
                "x_estimate": float(o.loc["x", "estimate"]),
            })
            del df

    table = pd.DataFrame(rows)
    big = table[table["rows"] >= 1_000_000]
    verdict = "PASS" if len(big) and (big["speedup"] >= TARGET_SPEEDUP).all() else ("n/a" if not len(big) else "FAIL")
    print(f"cores: {os.cpu_count()}; load average: {tuple(round(v, 2) for v in os.getloadavg())}")
    print(table.round(4).to_string(index=False))
    print(f"target: >= {TARGET_SPEEDUP:.0f}x faster than linearmodels at 1M rows -> {verdict}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"bench_competition-{stamp}.json"
    out.write_text(json.dumps({"load_average": os.getloadavg(), "first_call": overhead, "rows": rows,
                               "verdict": verdict}, indent=2, default=float))
    print(f"wrote {out}")
    return 0 if verdict in ("PASS", "n/a") else 1


if __name__ == "__main__":
    raise SystemExit(main())
