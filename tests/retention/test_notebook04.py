"""Notebook ``04_loyalty_churn``: runs on the bundled simulated customers (truth beside estimate, headline
numbers unchanged) and, by parameters alone, on the UCI Bank Marketing CSV (skipped when ``../shared/data``
is absent), where the sections needing survival, RM or treatment columns are skipped with a sentence
(``skipped.*`` in metrics.json). More own-data shapes: tests/own_data/test_nb04_own_data.py."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "04_loyalty_churn.ipynb"
METRIC_COLUMNS = ["model", "validation", "auc", "pr_auc", "brier", "top_decile_lift", "alift", "base_rate"]

BANK_PARAMS = {
    "target": "y", "id_column": None, "date_column": None, "rows_in_time_order": True, "features": None,
    "leaky_columns": ["duration"], "duration_column": None, "event_column": None, "segment_column": None,
    "survival_covariates": None, "rm_change_column": None, "treatment_column": None, "causal_outcome": None,
    "causal_population": None, "causal_covariates": None, "uplift_features": None,
}


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, params: dict) -> tuple[Path, str]:
    """Execute the notebook; returns its tables folder and all printed/Markdown output."""
    import papermill as pm

    monkeypatch.setenv("BANKCRM_REPORT_DIR", str(tmp_path / "out"))
    # one OpenMP thread in the kernel: the suite runs 2 workers on 2 cores, and spinning OpenMP
    # workers under oversubscription made boosting ~5x slower
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("BANKCRM_NOTEBOOK", "04_loyalty_churn")
    out = tmp_path / "nb.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), parameters=params, kernel_name="python3",
                        cwd=str(NOTEBOOK.parent), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(o.get("text", "") or o.get("data", {}).get("text/markdown", "")
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    return tmp_path / "out" / "tables", text


@pytest.mark.shared_data
def test_notebook_runs_on_bank_marketing_by_parameters(shared_data_dir, tmp_path, monkeypatch):  # noqa: ANN001
    """A seeded 6,000-row sample and 3 folds keep this short; the full file runs the same way (the
    ballpark AUCs on all rows are checked in test_validation.py)."""
    path = shared_data_dir / "bank_marketing" / "bank-additional-full.csv"
    if not path.exists():
        pytest.skip(f"{path} not present")
    tables, text = _run(tmp_path, monkeypatch, {**BANK_PARAMS, "customers_path": str(path), "sample_rows": 6000,
                                                "cv_folds": 3, "seed": 1})
    mm = pd.read_csv(tables / "model_metrics.csv")
    assert list(mm.columns[: len(METRIC_COLUMNS)]) == METRIC_COLUMNS
    assert set(mm["validation"]) == {"out_of_time", "cv3"}
    cv = mm[(mm["model"] == "boosting") & (mm["validation"] == "cv3")].iloc[0]
    oot = mm[(mm["model"] == "boosting") & (mm["validation"] == "out_of_time")].iloc[0]
    assert 0.74 < cv["auc"] < 0.84 and oot["auc"] < cv["auc"]
    assert "target 'y': 'yes' -> 1 (positive class)" in text
    metrics = json.loads((tables.parent / "metrics.json").read_text(encoding="utf-8"))
    assert {"skipped.survival", "skipped.rm_turnover", "skipped.followup_effect"} <= set(metrics)
    assert not (tables / "truth_vs_estimate.csv").exists()
    assert not (tables / "cox.csv").exists()
    audit = pd.read_csv(tables / "leakage_audit.csv").set_index("column")
    assert audit.loc["duration", "flagged"]


@pytest.mark.slow
def test_notebook_runs_on_bundled_data_with_truth(tmp_path, monkeypatch):  # noqa: ANN001
    """Default parameters (bootstrap reduced to 100): every contract table, and the planted truths."""
    if not (ROOT / "data" / "customers.csv").exists():
        pytest.skip("bundled data not present")
    tables, _ = _run(tmp_path, monkeypatch, {"n_boot": 100})
    mm = pd.read_csv(tables / "model_metrics.csv")
    assert list(mm.columns[: len(METRIC_COLUMNS)]) == METRIC_COLUMNS
    assert mm.loc[mm["headline"], "validation"].eq("out_of_time").all()
    for name in ("cox", "km", "causal", "uplift", "truth_vs_estimate"):
        assert len(pd.read_csv(tables / f"{name}.csv")) > 0, name
    tve = pd.read_csv(tables / "truth_vs_estimate.csv").set_index("quantity")
    assert list(tve.columns[:5]) == ["truth", "estimate", "ci_low", "ci_high", "covered"]
    # RM turnover: the bundled draw (seed 20130613) gives log-HR 0.49 (SE 0.083) for a truth of 0.70, a
    # 2.5-SE miss of that one draw (too few churners inside the RM windows: 95 observed before the fall
    # where the true model expects 121); over 100 fresh worlds the estimator is unbiased with nominal
    # coverage (test_rm_turnover_slow.py). Here only the direction and significance are asserted.
    rm = tve.loc["loyalty.rm_turnover.log_hr"]
    assert rm["ci_low"] > 0 and abs(rm["estimate"] - rm["truth"]) < 0.3
    assert tve.loc["loyalty.followup_effect.ate_churn_12m (aipw)", "covered"]
    assert not tve.loc["loyalty.followup_effect.ate_churn_12m (naive)", "covered"]
    cox = pd.read_csv(tables / "cox.csv")
    assert set(cox["model"]) == {"cox_ph", "cox_time_varying"}
    # headline numbers of the bundled default run, pinned (regenerated world of issue 14.7: out-of-time AUC
    # 0.82/0.81 where the old world gave 0.60/0.57)
    m = json.loads((tables.parent / "metrics.json").read_text(encoding="utf-8"))
    baseline = {"n_rows": 20000, "base_rate": 0.06360583753067287, "logit_out_of_time_auc": 0.8245518263500786,
                "boosting_out_of_time_auc": 0.8095050483218575,
                "logit_out_of_time_top_decile_lift": 4.334763948497853,
                "boosting_out_of_time_top_decile_lift": 4.07725321888412, "cox_concordance": 0.6445722925118406,
                "rm_turnover_hr": 1.636229089229204, "followup_naive": -0.0867155171304458,
                "followup_aipw": -0.04162085379839869}
    for key, value in baseline.items():
        assert m[key] == pytest.approx(value, rel=1e-6), key
    assert m["profit_model"] == "measured" and m["profit_recommended_strategy"] in {"uplift", "churn_risk", "random"}
    tp = pd.read_csv(tables / "targeting_profit.csv")
    assert set(tp["strategy"]) == {"uplift", "churn_risk", "random"} and tp.groupby("strategy").size().nunique() == 1
    best = tp.loc[tp["expected_profit"].idxmax()]
    assert m["profit_max"] == pytest.approx(best["expected_profit"]) and m["profit_best_fraction"] == best["fraction_targeted"]
    assert 2 <= sum(k.startswith("findings.") for k in m) <= 5 and not any(k.startswith("skipped.") for k in m)
    # the planted pre-churn slowdown: fewer recent log-ins, or more log-ins before them (a decline), mean
    # more churn; the log-ins drive the boosting model (top two of the permutation importance)
    pdp = pd.read_csv(tables / "partial_dependence.csv")
    curve = {f: g.sort_values("value")["partial_dependence"].to_numpy() for f, g in pdp.groupby("feature")}
    assert curve["logins_90d"][0] > 0.2 > 0.02 > curve["logins_90d"][-1]
    assert curve["logins_prev_90d"][-1] > curve["logins_prev_90d"][0] + 0.05
    imp = pd.read_csv(tables / "permutation_importance.csv")
    assert imp["feature"].head(2).tolist() == ["logins_90d", "logins_prev_90d"]
