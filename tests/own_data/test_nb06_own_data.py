"""Notebook 06 (competition mechanisms) on researchers' own panels, by parameters alone.

Shapes: (1) ``shapes.panel_with_own_index`` — GBK, Chinese headers and bank types, the index as a panel
column, no demand-deposit share, NPL or ROA columns; (2) an Excel workbook (data on its second sheet) with
English names other than the canonical ones, the index as a panel column, no bank type, size or capital
column, a planted staggered adoption effect (constant ATT when a bank's index first reaches 200 points)
and a planted channel index → cost of funds → margin (indirect effect ``a·b``, direct ``c'``). Bootstrap
counts are small to keep each run near 30 s.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from own_data import shapes
from own_data.runner import run_notebook

NB = "06_competition_mechanisms"
FAST = {"bootstrap_reps": 99, "threshold_bootstrap_reps": 29, "band_reps": 0}


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def staggered_channel_workbook(folder, *, seed=13, n_banks=90, years=range(2010, 2022), att=-0.03,
                               a=0.004, b=-0.5, direct=-0.001, threshold=200.0):
    """Workbook ``banks.xlsx``: sheet 'readme', then sheet 'panel' with bank, fy, dfi, dd_ratio, cost_of_funds, margin.

    ``dfi`` (own index) = level_i + speed_i · t + noise; bank i adopts in the first year dfi ≥ ``threshold``
    (some never do). ``dd_ratio`` = α_i + λ_t + att · 1[t ≥ G_i] + ε. ``cost_of_funds`` = α_i + λ_t + a · dfi + u;
    ``margin`` = α_i + λ_t + direct · dfi + b · cost_of_funds + e. Truth per index point: indirect a·b.
    """
    rng = np.random.default_rng(seed)
    yrs = list(years)
    level = rng.uniform(40, 160, n_banks)
    speed = rng.uniform(4, 30, n_banks)
    lam = rng.normal(0, 0.01, len(yrs))
    rows = []
    for i in range(n_banks):
        fe_dd, fe_c, fe_m = rng.normal(0.4, 0.05), rng.normal(2.0, 0.2), rng.normal(2.5, 0.3)
        index = level[i] + speed[i] * np.arange(len(yrs)) + rng.normal(0, 3, len(yrs))
        reached = np.nonzero(index >= threshold)[0]
        g = yrs[reached[0]] if len(reached) else 0
        for t, y in enumerate(yrs):
            dd = fe_dd + lam[t] + att * (g and y >= g) + rng.normal(0, 0.01)
            cost = fe_c + 3 * lam[t] + a * index[t] + rng.normal(0, 0.15)
            margin = fe_m - 2 * lam[t] + direct * index[t] + b * cost + rng.normal(0, 0.05)
            rows.append({"bank": f"K{i:03d}", "fy": y, "dfi": round(index[t], 3), "dd_ratio": round(dd, 5),
                         "cost_of_funds": round(cost, 5), "margin": round(margin, 5)})
    path = folder / "banks.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"note": ["bank panel on the next sheet"]}).to_excel(xw, sheet_name="readme", index=False)
        pd.DataFrame(rows).to_excel(xw, sheet_name="panel", index=False)
    params = {
        "bank_panel_path": str(path), "sheet": "panel",
        "columns": {"bank_panel": {"bank_id": "bank", "year": "fy", "if_index": "dfi",
                                   "demand_deposit_share": "dd_ratio", "deposit_cost": "cost_of_funds", "nim": "margin"}},
        "adoption_threshold": threshold,
    }
    return path, params, {"att": att, "indirect": a * b, "direct": direct}


def test_gbk_panel_with_its_own_index(tmp_path, monkeypatch):
    """Shape 1 by parameters alone: the default event outcome and the NPL → ROA channel are absent (skipped)."""
    panel, params, _ = shapes.panel_with_own_index(tmp_path)
    before = _sha(panel)
    run = run_notebook(NB, {"bank_panel_path": params["bank_panel_path"], "columns": params["columns"], **FAST},
                       tmp_path, monkeypatch)
    m = run.metrics
    # auto choices recorded; the index is the panel's own column, per index point
    assert m["auto.index_column"] == "if_index" and m["auto.index_scale"] == 1.0
    assert m["auto.threshold_variable"] == "log_assets" and m["auto.persistence_outcome"] == "nim"
    assert m["auto.bank_type_column"] == "bank_type" and m["auto.mediation_controls"] == '["log_assets"]'
    # sections whose input is absent are skipped with a reason; nothing bundled is mixed in
    assert {"staggered", "channel_npl_ratio_roa", "truth"} <= set(run.skipped)
    assert "demand_deposit_share" in run.skipped["staggered"]
    assert not run.has_table("truth_vs_estimate") and not run.has_table("callaway_santanna")
    med = run.table("mediation")
    assert set(zip(med["mediator"], med["outcome"])) == {("deposit_cost", "nim")}
    assert set(med["n_obs"]) == {60 * 12} and set(med["treatment"]) == {"if_index"}
    by_type = run.table("mediation_by_bank_type")
    assert set(by_type["bank_type"]) == {"city_commercial", "rural_commercial", "joint_stock"}  # types with >= 10 banks
    thr = run.table("threshold")
    assert thr[thr["section"] == "coefficient"]["term"].str.startswith("if_index").any()
    gmm = run.table("dynamic_panel_gmm")
    assert {"L1.nim", "if_index", "log_assets"} <= set(gmm["term"])
    assert "indirect_deposit_cost_nim" in m and "indirect_npl_ratio_roa" not in m
    # findings rendered from this run's numbers
    findings = [v for k, v in m.items() if k.startswith("findings.")]
    assert 2 <= len(findings) <= 5
    assert f"{m['threshold_1']:.3f}" in " ".join(findings)
    assert "SIMULATED" not in run.text and "720 bank-years" in run.text
    assert _sha(panel) == before


def test_planted_staggered_effect_and_channel_are_recovered(tmp_path, monkeypatch):
    path, params, truth = staggered_channel_workbook(tmp_path)
    run = run_notebook(NB, {**params, **FAST, "bootstrap_reps": 199}, tmp_path, monkeypatch)
    m = run.metrics
    assert m["adoption_threshold"] == 200.0 and "auto.adoption_threshold" not in m
    # Callaway–Sant'Anna simple ATT covers the planted constant effect
    cs = run.table("callaway_santanna")
    simple = cs[cs["aggregation"] == "simple"].iloc[0]
    assert simple["ci_low"] <= truth["att"] <= simple["ci_high"], simple
    assert m["cs_simple_att.ci_low"] == pytest.approx(simple["ci_low"])
    # the planted channel: indirect effect a·b and the direct effect inside their CIs
    med = run.table("mediation").set_index("term")
    for term in ("indirect", "direct"):
        assert med.loc[term, "ci_low"] <= truth[term] <= med.loc[term, "ci_high"], (term, med.loc[term])
    assert med.loc["indirect", "ci_high"] < 0  # and the CI says "lowers"
    # no size/capital column: no threshold model; no bank type: no within-type channels; no truth table
    assert {"threshold", "mediation_by_type", "channel_npl_ratio_roa", "truth"} <= set(run.skipped)
    assert "auto.threshold_variable" in m and m["auto.threshold_variable"] is None
    gmm = run.table("dynamic_panel_gmm")
    assert "log_assets" not in set(gmm["term"]) and "if_index" in set(gmm["term"])
    assert set(run.table("mediation")["n_obs"]) == {90 * 12}
    assert "lowered" in m["findings.1"] and "Callaway–Sant'Anna" in m["findings.1"]


def test_chinese_run_headings_and_findings(tmp_path, monkeypatch):
    """zh on shape 1 with the staggered section run on NIM: auto adoption threshold, Chinese narrative."""
    panel, params, _ = shapes.panel_with_own_index(tmp_path)
    run = run_notebook(NB, {"bank_panel_path": params["bank_panel_path"], "columns": params["columns"],
                            "event_outcome": "nim", "lang": "zh", **FAST}, tmp_path, monkeypatch)
    m = run.metrics
    idx = pd.read_csv(panel, encoding="gbk")["数字普惠金融指数"]
    per_bank_year = np.round(np.median(idx), 1)
    assert m["auto.adoption_threshold"] == pytest.approx(per_bank_year)
    assert "staggered" not in run.skipped and run.has_table("callaway_santanna")
    for heading in ("交错采纳", "传导渠道", "门槛效应", "动态面板GMM", "主要发现"):
        assert heading in run.text
    findings = " ".join(v for k, v in m.items() if k.startswith("findings."))
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in findings)
    letters = sum(ch.isalpha() for ch in findings)
    assert cjk / letters > 0.5, findings
    assert "已跳过" in run.text  # the skipped NPL → ROA channel, in Chinese


def test_a_given_but_missing_column_fails_with_closest_names(tmp_path):
    from bankcrm_research.competition.mechanism_inputs import resolve_mechanism_inputs

    panel, params, _ = shapes.panel_with_own_index(tmp_path)
    with pytest.raises(ValueError, match="threshold_variable='log_asets'.*log_assets"):
        resolve_mechanism_inputs(bank_panel_path=panel, columns=params["columns"], threshold_variable="log_asets")
    with pytest.raises(ValueError, match="closest.*deposit_cost"):
        resolve_mechanism_inputs(bank_panel_path=panel, columns=params["columns"], channels=[["deposit_cots", "nim"]])
    with pytest.raises(ValueError, match="bank_panel_path"):
        resolve_mechanism_inputs(indicators_path=panel)
