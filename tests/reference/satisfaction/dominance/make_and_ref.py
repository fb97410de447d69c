"""Data and reference values for tests/satisfaction/test_satisfaction_dominance.py.

1. Simulated driver data (seeded, committed as dominance_sim.csv):
       .venv/bin/python tests/reference/satisfaction/dominance/make_and_ref.py data
2. Reference from the PyPI package dominance-analysis 1.1.9 in a throwaway environment:
       uv pip install --python /tmp/ref/bin/python dominance-analysis==1.1.9 "numpy<2"  # its bokeh needs numpy 1
       /tmp/ref/bin/python tests/reference/satisfaction/dominance/make_and_ref.py ref
   writes dominance_analysis_ref.csv (driver, incremental_r2 = general dominance, percentage).
"""
import sys

import numpy as np
import pandas as pd

D = "tests/reference/satisfaction/dominance/"
if sys.argv[1] == "data":
    rng = np.random.default_rng(7)
    n = 400
    cov = np.array([[1, 0.5, 0.3, 0.2], [0.5, 1, 0.4, 0.1], [0.3, 0.4, 1, 0.3], [0.2, 0.1, 0.3, 1]])
    x = rng.multivariate_normal(np.zeros(4), cov, size=n)
    y = 0.4 * x[:, 0] + 0.25 * x[:, 1] + 0.1 * x[:, 2] + 0.3 * x[:, 3] + rng.normal(0, 1, n)
    pd.DataFrame({"quality": x[:, 0], "value": x[:, 1], "convenience": x[:, 2], "rm_service": x[:, 3],
                  "satisfaction": y}).round(6).to_csv(D + "dominance_sim.csv", index=False)
else:
    import contextlib
    import io

    import bokeh.io

    bokeh.io.output_notebook = lambda *a, **k: None  # the package calls it at import; it fails outside Jupyter
    from dominance_analysis import Dominance

    d = pd.read_csv(D + "dominance_sim.csv")
    with contextlib.redirect_stdout(io.StringIO()):
        dom = Dominance(data=d, target="satisfaction", objective=1, top_k=4)
        inc = dom.incremental_rsquare()
    out = pd.DataFrame({"driver": list(inc), "incremental_r2": list(inc.values())})
    out.to_csv(D + "dominance_analysis_ref.csv", index=False)
    print(out)
