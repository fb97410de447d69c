"""Reference p-values of the restricted wild cluster bootstrap (WCR, Rademacher) on plm's Grunfeld.

Run from the repository root (not part of the test suite):

    PYTHONPATH=/path/to/wildboottest-with-numba python tests/reference/competition/ref_wild_bootstrap.py

Two independent references for each model and coefficient, clustered by firm (G = 10, so all
2^10 = 1024 Rademacher sign vectors are enumerated and the p-values are exact, no seed involved):

* ``p_bruteforce``: for every sign vector v, y* = ỹ + v_g ũ from the restricted OLS fit (H0: β = 0),
  the full model is refitted by OLS **with every fixed effect as a dummy column** and the CRV1
  t-statistic recomputed; p = share of |t*| > |t| (strict; the all-ones and all-minus-ones
  vectors reproduce |t| exactly). ``p_bruteforce_ge`` counts ties (≥) for comparison.
* ``p_wildboottest``: pyfixest 0.60 ``Feols.wildboottest(param, reps=9999, weights_type="rademacher",
  impose_null=True, bootstrap_type="11")`` with the ``wildboottest`` 0.3.2 package (the project does
  not depend on it; it was installed into a scratch folder for this script). It counts the two
  exact ties or not depending on floating-point noise, so it equals one of the two brute-force
  columns.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
G = 10


def crv1_t(X: np.ndarray, y: np.ndarray, cl: np.ndarray, j: int) -> float:
    A = np.linalg.inv(X.T @ X)
    b = A @ X.T @ y
    u = y - X @ b
    S = np.zeros((G, X.shape[1]))
    np.add.at(S, cl, X * u[:, None])
    return float(b[j] / np.sqrt(A[j] @ (S.T @ S) @ A[j]))


def brute_force(X: np.ndarray, y: np.ndarray, cl: np.ndarray, j: int) -> tuple[float, float]:
    t0 = crv1_t(X, y, cl, j)
    Xr = np.delete(X, j, axis=1)
    y_tilde = Xr @ np.linalg.lstsq(Xr, y, rcond=None)[0]
    u_tilde = y - y_tilde
    signs = 1.0 - 2.0 * ((np.arange(2**G)[:, None] >> np.arange(G)[None, :]) & 1)
    t_star = np.array([crv1_t(X, y_tilde + v[cl] * u_tilde, cl, j) for v in signs])
    return float(np.mean(np.abs(t_star) > abs(t0) * (1 + 1e-9))), float(np.mean(np.abs(t_star) >= abs(t0) * (1 - 1e-9)))


def main() -> None:
    g = pd.read_csv(HERE / "grunfeld_plm.csv")
    cl = pd.factorize(g["firm"])[0]
    base = g[["value", "capital"]].to_numpy(float)
    y = g["inv"].to_numpy(float)
    firm = pd.get_dummies(g["firm"], dtype=float).to_numpy()
    year = pd.get_dummies(g["year"], dtype=float).to_numpy()[:, 1:]
    designs = {
        "pooled_ols": (np.column_stack([base, np.ones(len(g))]), "inv ~ value + capital"),
        "bank_fe": (np.column_stack([base, firm]), "inv ~ value + capital | firm"),
        "twoway_fe": (np.column_stack([base, firm, year]), "inv ~ value + capital | firm + year"),
    }
    try:
        import pyfixest as pf
        import wildboottest  # noqa: F401
    except ImportError:
        pf = None
    rows = []
    for model, (X, fml) in designs.items():
        for j, term in enumerate(["value", "capital"]):
            strict, ge = brute_force(X, y, cl, j)
            p_wb = np.nan
            if pf is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fit = pf.feols(fml, data=g, vcov={"CRV1": "firm"})
                    p_wb = float(fit.wildboottest(param=term, reps=9999, seed=1, weights_type="rademacher",
                                                  impose_null=True, bootstrap_type="11")["Pr(>|t|)"])
            rows.append({"model": model, "term": term, "n_draws": 2**G, "p_bruteforce": strict,
                         "p_bruteforce_ge": ge, "p_wildboottest": p_wb})
    out = pd.DataFrame(rows)
    out.to_csv(HERE / "grunfeld_wild_bootstrap.csv", index=False)
    print(out.to_string(index=False))


if __name__ == "__main__":
    main()
