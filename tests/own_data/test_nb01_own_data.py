"""Notebook 01 on researchers' own files, by parameters alone: no bundled table is mixed in.

Shapes: (1) ``shapes.panel_with_own_index`` — GBK, Chinese headers and bank types, the index as a
panel column, planted two-way FE NIM slope -0.004 per index point; (2) a panel with English names
other than the canonical ones, no bank type, a province column and a separate province × year
indicators file (index + three sub-indicators), with a planted Yu'ebao DiD effect.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from own_data import shapes
from own_data.runner import run_notebook


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def english_panel_and_indicators(folder, *, seed=21, n_banks=40, years=range(2010, 2021), did=-0.05):
    """Panel (bank, yr, prov, margin, dd_share, retail_2012, size) + indicators (prov, yr, dfi, pay, ins, cred).

    ``dd_share`` = bank effect + year effect + did · exposure · 1[yr >= 2013] + 0.0002 · index + noise.
    """
    rng = np.random.default_rng(seed)
    provs = ["Beijing", "Shanghai", "Zhejiang", "Sichuan", "Gansu", "Hubei", "Henan", "Yunnan"]
    base = dict(zip(provs, rng.uniform(40, 120, len(provs))))
    speed = dict(zip(provs, rng.uniform(15, 35, len(provs))))
    ind_rows = []
    for p in provs:
        for i, y in enumerate(years):
            idx = base[p] + speed[p] * i + rng.normal(0, 5)
            ind_rows.append({"prov": p, "yr": y, "dfi": round(idx, 3), "pay": round(idx * rng.uniform(0.8, 1.2), 3),
                             "ins": round(idx * rng.uniform(0.5, 1.5), 3), "cred": round(idx * rng.uniform(0.7, 1.3), 3)})
    ind = pd.DataFrame(ind_rows)
    index_of = ind.set_index(["prov", "yr"])["dfi"]
    rows = []
    for b in range(n_banks):
        p = provs[b % len(provs)]
        fe, expo = rng.normal(0.4, 0.05), rng.uniform(0.2, 0.6)
        for i, y in enumerate(years):
            idx = index_of[(p, y)]
            dd = fe + 0.01 * np.cos(i) + did * expo * (y >= 2013) + 0.0002 * idx + rng.normal(0, 0.01)
            rows.append({"bank": f"Bank{b:02d}", "yr": y, "prov": p, "margin": round(2.6 - 0.003 * idx + fe + rng.normal(0, 0.05), 5),
                         "dd_share": round(dd, 5), "retail_2012": round(expo, 4), "size": round(7 + rng.normal(0, 1), 4)})
    panel_path, ind_path = folder / "banks.csv", folder / "dfi_index.csv"
    pd.DataFrame(rows).to_csv(panel_path, index=False)
    ind.to_csv(ind_path, index=False)
    params = {
        "panel_path": str(panel_path), "indicators_path": str(ind_path),
        "columns": {"bank_panel": {"bank_id": "bank", "year": "yr", "province": "prov", "nim": "margin",
                                   "demand_deposit_share": "dd_share", "yuebao_exposure": "retail_2012",
                                   "log_assets": "size"},
                    "internet_finance_indicators": {"province": "prov", "year": "yr", "if_index": "dfi",
                                                    "payment": "pay", "insurance": "ins", "digital_credit": "cred"}},
        "outcomes": ["nim", "demand_deposit_share"], "bootstrap_reps": 99,
    }
    return panel_path, ind_path, params, {"did": did}


def test_panel_with_its_own_index_gbk_chinese(tmp_path, monkeypatch):
    panel, params, truth = shapes.panel_with_own_index(tmp_path)
    before = _sha(panel)
    run = run_notebook("01_internet_finance_competition", params, tmp_path, monkeypatch)
    # no bundled table: the panel's own index, its row count, no truth table
    assert run.metrics["auto.index_column"] == "if_index"
    assert run.metrics["auto.index_scale"] == 1.0
    models = run.table("panel_models")
    assert set(models["n_obs"]) == {60 * 12}
    assert not run.has_table("truth_vs_estimate") and "truth" in run.skipped
    assert not run.has_table("index_weights") and "index_construction" in run.skipped
    # planted two-way FE slope per index point: its 95 % CI covers the truth (coverage over repeated draws is
    # checked in test_twoway_fe_covers_the_planted_slope_over_draws)
    nim = models[(models["outcome"] == "nim") & (models["model"] == "twoway_fe") & (models["term"] == "if_index")].iloc[0]
    assert nim["ci_low"] <= truth["nim_slope"] <= nim["ci_high"]
    assert nim["std_error"] < 0.0004
    assert nim["unit"] == "per index point"
    # heterogeneity runs (bank types recoded from Chinese), event study skipped (no exposure)
    by_type = run.table("effects_by_bank_type")
    assert {"state_owned", "city_commercial"} <= set(by_type["term"])
    assert {"event_study", "placebo", "quadratic", "staggered", "pku_index"} <= set(run.skipped)
    assert "heterogeneity" not in run.skipped
    assert "exposure" in run.skipped["event_study"]
    assert not run.has_table("event_study") and not run.has_table("did")
    # one regression table with every outcome, unit in the row label, N and FE rows
    html = (run.out / "tables" / "panel_models.html").read_text(encoding="utf-8")
    assert "Net interest margin" in html and "Deposit cost" in html and "per index point" in html
    assert "Year FE" in html and "720" in html
    # narrative follows this run: no claim about pre-trends (the event study's method paragraph, rendered from
    # the label file, names the test but claims nothing), findings recorded
    assert "pre-trends are" not in run.text and "leads are flat" not in run.text and "visibly misses" not in run.text
    findings = [v for k, v in run.metrics.items() if k.startswith("findings.")]
    assert 2 <= len(findings) <= 5 and any("per index point" in f for f in findings)
    assert _sha(panel) == before


def test_twoway_fe_covers_the_planted_slope_over_draws(tmp_path):
    """Coverage of the notebook's two-way FE CI (fit_panel_models, per index point) on 40 draws of the shape:
    between 32 and 40 of 40 (binomial 95 % at p = 0.95 gives 35–40; a loose lower bound for speed)."""
    from bankcrm_research.competition.inputs import resolve_competition_inputs
    from bankcrm_research.competition.panel import fit_panel_models

    covered = 0
    for seed in range(40):
        folder = tmp_path / str(seed)
        folder.mkdir()
        panel, params, truth = shapes.panel_with_own_index(folder, seed=seed, n_banks=60, years=range(2011, 2017))
        plan = resolve_competition_inputs(panel_path=panel, columns=params["columns"], outcomes=["nim"])
        res = fit_panel_models(plan.banks, outcomes=["nim"], regressors=plan.regressor, controls=list(plan.controls),
                               cluster="bank_id", models=["twoway_fe"], bootstrap_reps=0)
        row = res.tidy().query("term == 'if_index'").iloc[0]
        covered += row["ci_low"] <= truth["nim_slope"] <= row["ci_high"]
    assert 32 <= covered <= 40


def test_english_panel_with_a_separate_indicators_file(tmp_path, monkeypatch):
    panel, ind, params, truth = english_panel_and_indicators(tmp_path)
    before = (_sha(panel), _sha(ind))
    run = run_notebook("01_internet_finance_competition", params, tmp_path, monkeypatch)
    assert run.metrics["auto.index_column"] == "if_index"
    assert "indicators file" in run.text
    assert run.metrics["auto.index_indicators"] == '["payment", "digital_credit", "insurance"]'
    assert run.has_table("index_weights") and "index_construction" not in run.skipped
    assert "heterogeneity" in run.skipped and not run.has_table("effects_by_bank_type")
    # event study on the user's years: placebo auto = middle pre-shock year (2010–2012 -> 2011)
    assert run.metrics["auto.placebo_year"] == 2011
    did = run.table("did")
    est = did[did["model"] == "did_twoway_fe"].iloc[0]
    assert est["ci_low"] <= truth["did"] <= est["ci_high"]
    assert set(did["model"]) == {"did_twoway_fe", "placebo_2011"}
    p = run.metrics["pretrend_p_value"]
    assert ("parallel pre-trends are not rejected" in run.text) == (p >= 0.05)
    assert set(run.table("panel_models")["n_obs"]) == {40 * 11}
    assert not run.has_table("truth_vs_estimate")
    assert "auto.adoption_threshold" in run.metrics
    # every headline number this run recorded has a label with unit and digits (metrics_01.yml)
    from bankcrm_research.reporting.labels import load_labels

    labels = load_labels(strict=True)
    headline = [k for k in run.metrics if not k.startswith(("auto.", "skipped.", "findings."))]
    assert "did_estimate" in headline and "nim_twoway_fe_index_effect" in headline
    assert not [k for k in headline if f"metric.{k}" not in labels]
    assert (_sha(panel), _sha(ind)) == before


def test_explicit_missing_column_and_no_index_fail_clearly(tmp_path):
    from bankcrm_research.competition.inputs import resolve_competition_inputs

    panel, params, _ = shapes.panel_with_own_index(tmp_path)
    with pytest.raises(ValueError, match=r"bank_type_column='banktype'.*closest.*bank_type"):
        resolve_competition_inputs(panel_path=panel, columns=params["columns"], outcomes=["nim"],
                                   bank_type_column="banktype")
    cols = {"bank_panel": {k: v for k, v in params["columns"]["bank_panel"].items() if k != "if_index"}}
    with pytest.raises(ValueError, match="no internet-finance index column.*bundled simulated index is never"):
        resolve_competition_inputs(panel_path=panel, columns=cols, outcomes=["nim"])


def test_placebo_year_rule():
    from bankcrm_research.competition.inputs import auto_placebo_year

    assert auto_placebo_year(range(2008, 2024), 2013) == 2010  # the bundled choice
    assert auto_placebo_year(range(2011, 2023), 2013) == 2012
    assert auto_placebo_year(range(2012, 2023), 2013) is None


@pytest.mark.shared_data
def test_pku_rebuilt_against_official(shared_data_dir, tmp_path, monkeypatch):
    """The PKU aggregate rebuilt from its pooled min-max-scaled dimensions with the published weights ranks
    province-years like the official index (Spearman > 0.99); reference: scipy.stats.spearmanr of
    (min-max scaled dimensions) @ (0.540, 0.297, 0.163) against index_aggregate on the raw CSV, to 1e-9."""
    from scipy import stats

    path = shared_data_dir / "internet_finance" / "pku_dfiic_province_2011_2023.csv"
    panel, params, _ = shapes.panel_with_own_index(tmp_path)
    run = run_notebook("01_internet_finance_competition", {**params, "pku_path": str(path)}, tmp_path, monkeypatch)
    agree = run.table("pku_rank_agreement")
    fixed = agree[agree["method"] == "fixed"].iloc[0]
    raw = pd.read_csv(path)
    dims = raw[["coverage_breadth", "usage_depth", "digitization_level"]]
    scaled = (dims - dims.min()) / (dims.max() - dims.min())  # pooled min-max, as build_index
    recon = scaled @ np.array([0.540, 0.297, 0.163])
    ref = stats.spearmanr(recon, raw["index_aggregate"]).statistic
    assert fixed["spearman"] == pytest.approx(ref, abs=1e-9)
    assert fixed["spearman"] > 0.99
    assert "pku_index" not in run.skipped
