"""Simulated data for the PROCESS reference values (run once; output committed).

python tests/reference/satisfaction/process/make_process_data.py  (from the repository root)
"""
import numpy as np
import pandas as pd

rng = np.random.default_rng(2024)
n = 300
x = rng.normal(4, 1, n)
w = rng.normal(3, 1.2, n)
c1 = rng.normal(0, 1, n)
m = 0.5 + 0.4 * x + 0.2 * w + 0.15 * x * (w - 3) + 0.1 * c1 + rng.normal(0, 1, n)
y = 1 + 0.2 * x + 0.5 * m + 0.1 * w + 0.12 * m * (w - 3) + 0.2 * c1 + rng.normal(0, 1, n)
pd.DataFrame({"x": x, "w": w, "m": m, "y": y, "c1": c1}).round(4).to_csv(
    "tests/reference/satisfaction/process/process_sim.csv", index=False)
