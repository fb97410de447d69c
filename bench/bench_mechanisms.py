"""Benchmark of the mechanism estimators on the bundled (simulated) bank panel (issue 13).

* Hansen (1999) panel threshold: ``panel_threshold(nim ~ if_index_100 | log_assets, n_thresholds=2,
  n_boot=300)`` — single and double threshold search plus 300 fixed-regressor bootstrap draws for
  each of the two F tests;
* system GMM: ``dynamic_panel_gmm(nim, lags=[1], {if_index_100, log_assets}, method="system")``,
  two-step with Windmeijer SEs, collapsed and uncollapsed instruments.

Target: each under 30 s on 2 cores. Wall times are the best of ``--repeat`` runs (default 2; the
machine is shared). Results: ``bench/results/bench_mechanisms-<UTC>.json`` and a table on stdout.

Usage: ``python -m bench mechanisms [-- --repeat 2 --boot 300]``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TARGET_SECONDS = 30.0


def _best_of(fn, repeat: int) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench mechanisms")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--boot", type=int, default=300)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    from bankcrm_research.competition import index as ix
    from bankcrm_research.competition.dynamic_panel import dynamic_panel_gmm
    from bankcrm_research.competition.threshold import panel_threshold
    from bankcrm_research.data.load import load_bank_panel, load_internet_finance_indicators

    banks = ix.attach_index(load_bank_panel(None), load_internet_finance_indicators(None))
    cases = {
        f"threshold_double_boot{args.boot}": lambda: panel_threshold(
            banks, outcome="nim", regime_regressors=["if_index_100"], threshold_variable="log_assets",
            n_thresholds=2, trim=0.05, n_boot=args.boot, seed=1),
        "system_gmm_collapsed": lambda: dynamic_panel_gmm(
            banks, outcome="nim", lags=[1], regressors={"if_index_100": [0], "log_assets": [0]},
            gmm_instruments={"log_assets": (2, None)}, method="system", collapse=True),
        "system_gmm_full": lambda: dynamic_panel_gmm(
            banks, outcome="nim", lags=[1], regressors={"if_index_100": [0], "log_assets": [0]},
            gmm_instruments={"log_assets": (2, None)}, method="system", collapse=False),
    }
    rows = []
    for name, fn in cases.items():
        sec = _best_of(fn, args.repeat)
        rows.append({"case": name, "seconds": round(sec, 3), "target_seconds": TARGET_SECONDS,
                     "ok": sec < TARGET_SECONDS})
        print(f"{name:32s} {sec:8.2f} s  {'ok' if sec < TARGET_SECONDS else 'SLOW'}", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"bench_mechanisms-{stamp}.json"
    out.write_text(json.dumps({"rows": rows, "n_bank_years": len(banks), "repeat": args.repeat}, indent=2),
                   encoding="utf-8")
    print(f"wrote {out}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
