"""Reference values for tests/value/test_clv.py, computed with lifetimes 0.11.3.

Run ONCE in a throwaway environment (lifetimes is abandoned since 2020 and is NOT a project
dependency):

    python -m venv /tmp/ltenv && /tmp/ltenv/bin/pip install lifetimes==0.11.3
    /tmp/ltenv/bin/python tests/reference/clv/ref_lifetimes_cdnow.py

Input: cdnow_summary.csv (see PROVENANCE.md). Output: lifetimes_cdnow_reference.csv with columns
quantity, value (full precision).
"""

from pathlib import Path

import lifetimes
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter

HERE = Path(__file__).resolve().parent
d = pd.read_csv(HERE / "cdnow_summary.csv")
print("lifetimes", lifetimes.__version__)
rows = []

bg = BetaGeoFitter().fit(d["x"], d["t_x"], d["T"])
for name in ["r", "alpha", "a", "b"]:
    rows.append((f"bgnbd.{name}", bg.summary.loc[name, "coef"]))
    rows.append((f"bgnbd.{name}.se", bg.summary.loc[name, "se(coef)"]))

# a few customers: (ID, x, t_x, T)
for cid in [1, 6, 17, 157, 3]:
    c = d.loc[d["ID"] == cid].iloc[0]
    rows.append((f"bgnbd.expected_39.id{cid}",
                 bg.conditional_expected_number_of_purchases_up_to_time(39, c["x"], c["t_x"], c["T"])))
    rows.append((f"bgnbd.p_alive.id{cid}",
                 float(np.ravel(bg.conditional_probability_alive(c["x"], c["t_x"], c["T"]))[0])))
rows.append(("bgnbd.expected_new_39", float(bg.expected_number_of_purchases_up_to_time(39))))

rep = d[d["x"] > 0]
gg = GammaGammaFitter().fit(rep["x"], rep["zbar"])
for name in ["p", "q", "v"]:
    rows.append((f"gamma_gamma.{'gamma' if name == 'v' else name}", gg.summary.loc[name, "coef"]))
    rows.append((f"gamma_gamma.{'gamma' if name == 'v' else name}.se", gg.summary.loc[name, "se(coef)"]))
for cid in [1, 6, 17, 157]:
    c = d.loc[d["ID"] == cid].iloc[0]
    rows.append((f"gamma_gamma.expected_spend.id{cid}",
                 float(gg.conditional_expected_average_profit(pd.Series([c["x"]]), pd.Series([c["zbar"]])).iloc[0])))

# CLV: 12 months, monthly discount 0.01, weekly time unit (lifetimes uses 4.345 weeks per month)
clv = gg.customer_lifetime_value(bg, rep["x"], rep["t_x"], rep["T"], rep["zbar"], time=12,
                                 discount_rate=0.01, freq="W")
for cid in [1, 6, 17, 157]:
    rows.append((f"clv.12m_monthly_disc_0.01.id{cid}", float(clv[rep.index[rep["ID"] == cid][0]])))
rows.append(("clv.12m_monthly_disc_0.01.sum_repeaters", float(np.sum(clv))))

pd.DataFrame(rows, columns=["quantity", "value"]).to_csv(HERE / "lifetimes_cdnow_reference.csv", index=False)
print(pd.DataFrame(rows, columns=["quantity", "value"]).to_string())
