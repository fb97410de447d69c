"""Benchmark of the suite runner: the full default run, sequential and ``--jobs 2``.

Measures, by running the real CLI (``bankcrm-research run``) in a subprocess:

* wall time of the whole default suite, sequential and with ``--jobs 2``;
* each notebook's duration (kernel start + execution + HTML export) from ``run.json``;
* runner overhead = wall time of the sequential run - sum of the notebooks' execution times
  (process start, imports, parameter checks, hashing inputs, HTML export, index, run.json).

Targets on a 2-core machine: sequential <= 120 s; jobs 2 <= 0.7 x sequential; overhead <= 10 %.
Results: ``bench/results/bench_runner-<UTC>.json`` and a table on stdout.

Usage: ``python -m bench runner [-- NOTEBOOK ... --repeat N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TARGET_SEQUENTIAL_S = 120.0
TARGET_PARALLEL_RATIO = 0.7
TARGET_OVERHEAD = 0.10


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("bankcrm-research")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "bankcrm_research.cli"]


def run_suite(jobs: int, notebooks: list[str], out: Path) -> dict:
    """Run the suite once via the CLI; return wall time and the run.json record."""
    out.mkdir(parents=True, exist_ok=True)
    before = {p.name for p in out.iterdir()}
    cmd = [*_cli(), "run", *notebooks, "--jobs", str(jobs), "--output-dir", str(out), "--no-progress"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    new = sorted(p for p in out.iterdir() if p.name not in before and p.is_dir() and not p.is_symlink())
    if not new:
        raise RuntimeError(f"run produced no folder (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    record = json.loads((new[-1] / "run.json").read_text(encoding="utf-8"))
    return {"jobs": jobs, "exit_code": proc.returncode, "wall_s": wall, "record": record}


def summarize(seq: dict, par: dict) -> dict:
    """Numbers compared with the targets."""
    exec_sum = sum(n.get("execution_s") or 0 for n in seq["record"]["notebooks"])
    overhead = seq["wall_s"] - exec_sum
    return {
        "sequential_s": seq["wall_s"],
        "jobs2_s": par["wall_s"],
        "jobs2_ratio": par["wall_s"] / seq["wall_s"],
        "execution_sum_s": exec_sum,
        "overhead_s": overhead,
        "overhead_share": overhead / seq["wall_s"],
        "both_succeeded": seq["exit_code"] == 0 and par["exit_code"] == 0,
        "per_notebook": {n["name"]: {"status": n["status"], "duration_s": n["duration_s"],
                                     "execution_s": n["execution_s"], "export_s": n["export_s"]}
                         for n in seq["record"]["notebooks"]},
        "per_notebook_jobs2": {n["name"]: n["duration_s"] for n in par["record"]["notebooks"]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench runner", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="subset of notebooks (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="repetitions; the fastest is kept")
    args = parser.parse_args(argv)
    out = RESULTS / "runs"
    best = None
    for _ in range(args.repeat):
        seq = run_suite(1, args.notebooks, out)
        par = run_suite(2, args.notebooks, out)
        s = summarize(seq, par)
        if best is None or s["sequential_s"] < best["sequential_s"]:
            best = s
    assert best is not None
    rows = [
        ("whole suite, sequential", f"{best['sequential_s']:.1f} s", f"<= {TARGET_SEQUENTIAL_S:.0f} s",
         best["sequential_s"] <= TARGET_SEQUENTIAL_S),
        ("--jobs 2 / sequential", f"{best['jobs2_ratio']:.2f} ({best['jobs2_s']:.1f} s)",
         f"<= {TARGET_PARALLEL_RATIO}", best["jobs2_ratio"] <= TARGET_PARALLEL_RATIO),
        ("runner overhead", f"{best['overhead_share']:.1%} ({best['overhead_s']:.1f} s)",
         f"<= {TARGET_OVERHEAD:.0%}", best["overhead_share"] <= TARGET_OVERHEAD),
    ]
    print(f"{'measure':<26} {'measured':<22} {'target':<10} ok")
    for name, measured, target, ok in rows:
        print(f"{name:<26} {measured:<22} {target:<10} {'yes' if ok else 'NO'}")
    print(f"\n{'notebook':<36} {'status':<10} {'seq s':>7} {'exec s':>7} {'html s':>7} {'jobs2 s':>8}")
    for name, n in best["per_notebook"].items():
        print(f"{name:<36} {n['status']:<10} {n['duration_s'] or 0:>7.1f} {n['execution_s'] or 0:>7.1f} "
              f"{n['export_s'] or 0:>7.1f} {best['per_notebook_jobs2'].get(name) or 0:>8.1f}")
    if not best["both_succeeded"]:
        print("\nWARNING: a run did not succeed; timings include failures.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"bench_runner-{stamp}.json"
    path.write_text(json.dumps({"cpu_count": os.cpu_count(), **best,
                                "targets": {"sequential_s": TARGET_SEQUENTIAL_S,
                                            "jobs2_ratio": TARGET_PARALLEL_RATIO,
                                            "overhead_share": TARGET_OVERHEAD}}, indent=2) + "\n")
    print(f"\nresults: {path}")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
