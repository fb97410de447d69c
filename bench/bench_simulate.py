"""Benchmark of the simulator: default world and a large Parquet world (time and peak memory).

Measures, each in a fresh subprocess so that peak memory (max RSS) belongs to that run alone:

* the default world (20k customers, ~600k transactions) written with ``write_world`` — the
  budget is 30 s; it must also reproduce ``data/`` byte-for-byte (checked here by SHA-256);
* a large world, by default 1,000,000 customers and 50,000,000 transactions, streamed to Parquet
  chunk by chunk (``bankcrm-research simulate --customers 1000000 --transactions 50000000``);
  reported: wall time, peak RSS, rows and bytes written, and a DuckDB scan of the result
  (row count, churned customers' last transaction never after their churn date).

Run: ``python -m bench simulate`` (or ``-- --skip-large``, ``-- --customers 200000 --transactions
10000000``). Results go to ``bench/results/simulate.json``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"

_CHILD = """
import json, resource, sys, time
from bankcrm_research.simulate import write_world
kw = json.loads(sys.argv[1])
t0 = time.perf_counter()
paths = write_world(kw.pop("out"), **kw)
elapsed = time.perf_counter() - t0
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_rss_mb": peak_kb / 1024,
                  "bytes": {k: p.stat().st_size for k, p in paths.items()}}))
"""


def _run(kwargs: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(kwargs)], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"simulation failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def bench_default(tmp: Path) -> dict:
    out = tmp / "default"
    res = _run({"out": str(out)})
    same = {p.name: _sha(p) == _sha(ROOT / "data" / p.name) for p in out.iterdir() if (ROOT / "data" / p.name).exists()}
    res["reproduces_data_dir"] = all(same.values())
    res["files_compared"] = len(same)
    return res


def bench_large(tmp: Path, n_customers: int, n_transactions: int) -> dict:
    out = tmp / "large"
    res = _run({"out": str(out), "n_customers": n_customers, "n_transactions": n_transactions})
    import duckdb

    pq = (out / "transactions.parquet").as_posix()
    cu = (out / "customers.csv").as_posix()
    t0 = time.perf_counter()
    n_rows = duckdb.sql(f"select count(*) from read_parquet('{pq}')").fetchall()[0][0]
    late = duckdb.sql(
        f"select count(*) from (select customer_id, max(txn_date) as last from read_parquet('{pq}') group by 1) t "
        f"join read_csv_auto('{cu}') c using (customer_id) where c.churned and t.last > c.churn_date"
    ).fetchall()[0][0]
    res.update(n_customers=n_customers, n_transactions_target=n_transactions, n_transactions=int(n_rows),
               transactions_after_churn=int(late), duckdb_scan_seconds=time.perf_counter() - t0)
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench simulate", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=50_000_000)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--tmp", type=Path, default=None, help="scratch folder (default: a temporary folder)")
    args = parser.parse_args(argv or [])
    results: dict = {}
    with tempfile.TemporaryDirectory(dir=args.tmp) as d:
        tmp = Path(d)
        results["default"] = bench_default(tmp)
        r = results["default"]
        print(f"default world: {r['seconds']:.1f} s, peak RSS {r['peak_rss_mb']:.0f} MB, "
              f"reproduces data/: {r['reproduces_data_dir']} ({r['files_compared']} files)", flush=True)
        if not args.skip_large:
            results["large"] = bench_large(tmp, args.customers, args.transactions)
            r = results["large"]
            print(f"large world ({r['n_customers']:,} customers, {r['n_transactions']:,} transactions): "
                  f"{r['seconds']:.1f} s, peak RSS {r['peak_rss_mb']:.0f} MB, "
                  f"parquet {r['bytes']['transactions'] / 1e6:.0f} MB, transactions after churn: "
                  f"{r['transactions_after_churn']}, DuckDB scan {r['duckdb_scan_seconds']:.1f} s", flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "simulate.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    ok = results["default"]["seconds"] <= 30 and results["default"]["reproduces_data_dir"]
    return 0 if ok else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
