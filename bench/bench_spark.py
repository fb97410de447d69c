"""Benchmark: notebook 05's transaction step (RFM + data quality + CLV summary) on Spark local[2] vs DuckDB.

Generates the same Parquet transaction log as ``bench_segments`` (``--transactions`` rows for
``--customers`` customers, with refunds, future-dated rows and unknown customers), then runs
:func:`bankcrm_research.value.engines.rfm_tables` and :func:`~bankcrm_research.value.engines.clv_summary_table`
on each engine, each in a fresh subprocess:

* **duckdb**: in-process, ``threads=2``; peak memory = the process's max RSS;
* **spark**: ``local[2]`` (``--spark-master``), driver heap ``--spark-driver-memory``; the work runs in
  the JVM that PySpark starts, so peak memory = max RSS of the Python process + peak RSS (VmHWM)
  of the JVM (an upper bound of the simultaneous peak). Session start-up is timed separately.

Both engines must return identical per-customer tables (SHA-256 of the pandas frames, values and
dtypes), which ``tests/value/test_engines_spark.py`` also checks on small data.

Quick check on the project machine (2 cores shared with other jobs, load 6-13, 2026-11-29), 1M rows /
20k customers: DuckDB 0.8-4.2 s, 0.3 GiB; Spark 4.3.0 local[2] 76-186 s (+12-41 s session start),
1.7-1.9 GiB (JVM 1.4-1.7 GiB); identical results. The 50M-row numbers: ``bench/results/spark.json``.
Spark on one small machine is expected to be much slower than DuckDB (fixed per-stage costs, a JVM
heap); the point of the engine is a cluster.

Run: ``python -m bench spark`` (50M rows, 1M customers; ``-- --customers 20000 --transactions 1000000``
for a quick run, ``-- --keep`` to keep the generated files). Results: ``bench/results/spark.json``.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from bench.bench_segments import AS_OF, GIB, RESULTS, _child, generate

_COMMON = """
import hashlib, json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
from bankcrm_research.value.engines import clv_summary_table, rfm_tables

def digest(df):
    h = hashlib.sha256(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    h.update(repr(list(zip(df.columns, map(str, df.dtypes)))).encode())
    return h.hexdigest()

def summary(table, quality, clv):
    return {
        "n_customers": int(len(table)),
        "n_clv_customers": int(len(clv)),
        "sum_monetary": float(table["monetary"].sum()),
        "rfm_sha256": digest(table),
        "quality_sha256": digest(quality),
        "clv_sha256": digest(clv),
        "future_dated_excluded": int(quality.set_index("item").loc["future_dated_excluded", "n"]),
    }
"""

_DUCKDB_CHILD = _COMMON + """
txn, cust, as_of, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t0 = time.perf_counter()
table, quality = rfm_tables(txn, as_of_date=as_of, customers=cust, threads=threads)
t1 = time.perf_counter()
clv = clv_summary_table(txn, as_of_date=as_of, customers=cust, threads=threads)
t2 = time.perf_counter()
print(json.dumps({
    "seconds": t2 - t0, "rfm_seconds": t1 - t0, "clv_seconds": t2 - t1,
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    **summary(table, quality, clv),
}))
"""

_SPARK_CHILD = _COMMON + """
from pyspark.sql import SparkSession
txn, cust, as_of, master, driver_memory = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
extra_conf = dict(kv.split("=", 1) for kv in sys.argv[6:])

def vm_hwm(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0

t0 = time.perf_counter()
spark = (SparkSession.builder.master(master).appName("bench-spark")
         .config("spark.driver.memory", driver_memory).config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false").config("spark.sql.session.timeZone", "UTC")
         .config("spark.sql.execution.arrow.pyspark.enabled", "true").config(map=extra_conf).getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
t1 = time.perf_counter()
table, quality = rfm_tables(txn, as_of_date=as_of, customers=cust, engine="spark", spark=spark)
t2 = time.perf_counter()
clv = clv_summary_table(txn, as_of_date=as_of, customers=cust, engine="spark", spark=spark)
t3 = time.perf_counter()
jvm_peak = vm_hwm(spark.sparkContext._gateway.proc.pid)
py_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({
    "seconds": t3 - t1, "session_seconds": t1 - t0, "rfm_seconds": t2 - t1, "clv_seconds": t3 - t2,
    "peak_rss_bytes": py_peak + jvm_peak, "python_peak_rss_bytes": py_peak, "jvm_peak_rss_bytes": jvm_peak,
    "spark_version": spark.version, "master": master, "driver_memory": driver_memory, "conf": extra_conf,
    **summary(table, quality, clv),
}))
spark.stop()
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench spark", description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--transactions", type=int, default=50_000_000)
    p.add_argument("--threads", type=int, default=2, help="DuckDB threads (the machine has 2 cores)")
    p.add_argument("--spark-master", default="local[2]")
    p.add_argument("--spark-driver-memory", default="2g", help="JVM heap of the local Spark driver")
    p.add_argument("--spark-conf", action="append", default=[], metavar="KEY=VALUE",
                   help="extra Spark setting, repeatable (e.g. spark.sql.shuffle.partitions=8)")
    p.add_argument("--dir", type=Path, default=None, help="where to write the generated files (default: temp)")
    p.add_argument("--keep", action="store_true", help="keep the generated files")
    p.add_argument("--out", type=Path, default=RESULTS / "spark.json")
    args = p.parse_args(argv or [])

    tmp = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench_spark_"))
    try:
        txn, cust = tmp / "transactions.parquet", tmp / "customers.parquet"
        if txn.exists() and cust.exists():
            gen = {"reused": True, "transactions_bytes": txn.stat().st_size}
        else:
            print(f"generating {args.transactions:,} transactions for {args.customers:,} customers in {tmp} ...",
                  flush=True)
            gen = generate(tmp, args.customers, args.transactions)
        print(f"  generation: {json.dumps(gen)}", flush=True)
        duck = _child(_DUCKDB_CHILD, str(txn), str(cust), AS_OF, str(args.threads))
        print(f"  duckdb: {duck['seconds']:.1f} s, peak {duck['peak_rss_bytes'] / GIB:.2f} GiB", flush=True)
        spark = _child(_SPARK_CHILD, str(txn), str(cust), AS_OF, args.spark_master, args.spark_driver_memory,
                       *args.spark_conf)
        print(f"  spark {args.spark_master}: {spark['seconds']:.1f} s (+ {spark['session_seconds']:.1f} s session "
              f"start), peak {spark['peak_rss_bytes'] / GIB:.2f} GiB (JVM {spark['jvm_peak_rss_bytes'] / GIB:.2f})",
              flush=True)
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(tmp, ignore_errors=True)

    keys = ["n_customers", "n_clv_customers", "sum_monetary", "rfm_sha256", "quality_sha256", "clv_sha256",
            "future_dated_excluded"]
    agree = {k: duck[k] == spark[k] for k in keys}
    result = {
        "config": {"customers": args.customers, "transactions": args.transactions, "threads": args.threads,
                   "spark_master": args.spark_master, "spark_driver_memory": args.spark_driver_memory,
                   "spark_conf": args.spark_conf,
                   "as_of_date": AS_OF},
        "generation": gen,
        "duckdb": duck,
        "spark": spark,
        "slowdown_spark_over_duckdb": spark["seconds"] / duck["seconds"],
        "peak_memory_ratio_spark_to_duckdb": spark["peak_rss_bytes"] / duck["peak_rss_bytes"],
        "results_identical": agree,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"  spark/duckdb time {result['slowdown_spark_over_duckdb']:.2f}x, memory "
          f"{result['peak_memory_ratio_spark_to_duckdb']:.2f}x; identical results: {all(agree.values())}")
    return 0 if all(agree.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
