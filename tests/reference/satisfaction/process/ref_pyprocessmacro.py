"""Reference values from pyprocessmacro 2.2.0 (PyPI) on process_sim.csv, written to pyprocessmacro_ref.csv.

Run in a throwaway environment (pyprocessmacro is not a project dependency):
    uv venv /tmp/ppm && uv pip install --python /tmp/ppm/bin/python pyprocessmacro==2.2.0
    /tmp/ppm/bin/python tests/reference/satisfaction/process/ref_pyprocessmacro.py
"""
import contextlib
import io

import pandas as pd
import pyprocessmacro
from pyprocessmacro import Process

d = pd.read_csv("tests/reference/satisfaction/process/process_sim.csv")
rows = []


def add(model, kind, term, value):
    rows.append({"model": model, "kind": kind, "term": term, "value": float(value)})


with contextlib.redirect_stdout(io.StringIO()):
    p1 = Process(d, model=1, x="x", m="w", y="y", controls=["c1"], suppr_init=True, boot=0)
    p4 = Process(d, model=4, x="x", m=["m"], y="y", controls=["c1"], percent=True, boot=5000, seed=1, suppr_init=True)
    p7 = Process(d, model=7, x="x", m=["m"], w="w", y="y", controls=["c1"], percent=True, boot=5000, seed=1, suppr_init=True)
    p14 = Process(d, model=14, x="x", m=["m"], v="w", y="y", controls=["c1"], percent=True, boot=5000, seed=1,
                  suppr_init=True)
    jn = p1.floodlight_direct_effect("w")
    # model 1 variants: HC3 standard errors, and PROCESS 3+ percentile probes (16th/50th/84th at p(n + 1))
    p1_hc3 = Process(d, model=1, x="x", m="w", y="y", controls=["c1"], suppr_init=True, boot=0, cov_type="HC3")
    p1_pct = Process(d, model=1, x="x", m="w", y="y", controls=["c1"], suppr_init=True, boot=0, spotlight="percentiles")
for model, p in ((1, p1), (4, p4), (7, p7), (14, p14), ("1_hc3", p1_hc3), ("1_percentiles", p1_pct)):
    t = p.tidy()
    for r in t.itertuples():
        w = "" if pd.isna(getattr(r, "w", float("nan"))) else f"@{r.w:.10g}"
        key = f"{r.component}:{r.outcome}:{r.term}{w}"
        for col in ("estimate", "std_error", "conf_low", "conf_high"):
            if pd.notna(getattr(r, col)):
                add(model, col, key, getattr(r, col))
for sign, region in jn.get_significance_regions().items():  # {"Negative on": [lo, hi] or [], "Positive on": ...}
    if region:
        add(1, "jn_region", f"{sign.split()[0].lower()}_low", region[0])
        add(1, "jn_region", f"{sign.split()[0].lower()}_high", region[1])
pd.DataFrame(rows).to_csv("tests/reference/satisfaction/process/pyprocessmacro_ref.csv", index=False)
print(pyprocessmacro.__version__ if hasattr(pyprocessmacro, "__version__") else "", len(rows))
