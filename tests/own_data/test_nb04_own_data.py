"""Notebook 04 on researchers' own files, by parameters alone: a churn workbook without dates and with a text
target, UCI Bank Marketing (real, shipped in data/public), a bad GBK file, a zh run, a misspelt column."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from own_data import shapes
from own_data.runner import ROOT, run_notebook

NB = "04_loyalty_churn"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _cjk_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum("\u4e00" <= ch <= "\u9fff" for ch in letters) / max(len(letters), 1)


@pytest.fixture(scope="module")
def churn_run(tmp_path_factory):
    """The churn workbook (data on sheet 'accounts', target 'Status' closed/open, no dates)."""
    tmp = tmp_path_factory.mktemp("nb04_churn")
    path, params, _ = shapes.churn_without_dates(tmp)
    before = _sha(path)
    mp = pytest.MonkeyPatch()
    try:
        run = run_notebook(NB, params, tmp, mp)
    finally:
        mp.undo()
    return run, path, before


def test_churn_workbook_without_dates_runs_with_cv_headline_and_skips(churn_run):
    run, path, before = churn_run
    m = run.metrics
    assert m["n_rows"] == 3000 and m["headline_validation"] == "cv5"  # the user's rows, nothing bundled
    assert {"out_of_time", "survival", "rm_turnover", "followup_effect", "uplift", "truth"} <= set(run.skipped)
    assert "no score date" in run.skipped["out_of_time"] and "stratified 5-fold CV" in run.skipped["out_of_time"]
    assert not run.has_table("truth_vs_estimate") and not run.has_table("cox") and not run.has_table("causal")
    assert m["auto.features"] == '["Age", "NumProducts", "IsActiveMember", "Balance", "Region"]'
    assert m["auto.categorical_columns"] == '["IsActiveMember", "Region"]' and m["auto.leaky_columns"] == "[]"
    assert "auto.target" not in m  # given by the user
    assert "'closed' -> 1 (positive class)" in run.text
    mm = run.table("model_metrics")
    assert set(mm["validation"]) == {"cv5"} and mm["auc"].between(0.65, 0.8).all()  # planted logit signal
    # planted: age (+0.035 per year) is the strongest driver; its PD rises on the probability scale
    assert run.table("permutation_importance")["feature"].iloc[0] == "Age"
    pdp = run.table("partial_dependence")
    age = pdp[pdp["feature"] == "Age"]["partial_dependence"].to_numpy()
    assert pdp["partial_dependence"].between(0, 1).all() and age[-1] - age[0] > 0.2
    # one strategy table: assumed acceptance (no contact column), churn risk vs random
    tp = run.table("targeting_profit")
    assert set(tp["strategy"]) == {"churn_risk", "random"} and set(tp["profit_model"]) == {"assumed"}
    findings = [v for k, v in sorted(m.items()) if k.startswith("findings.")]
    assert 2 <= len(findings) <= 5 and any("stratified 5-fold CV" in f for f in findings)
    assert _sha(path) == before


def test_bank_marketing_by_parameters_states_the_cv_to_time_order_drop(tmp_path, monkeypatch):
    """UCI Bank Marketing (bank-additional-full, 41,188 rows in date order; 6,000 sampled for speed):
    y is the target, `duration` is leaky, the row order is time. Known: shuffled CV AUC ~0.78 drops
    sharply on later rows (data/public/README.md); the drop must be stated as a finding."""
    path = ROOT / "data" / "public" / "bank-additional-full.parquet"
    before = _sha(path)
    run = run_notebook(NB, {"customers_path": str(path), "target": "y", "leaky_columns": ["duration"],
                            "rows_in_time_order": True, "sample_rows": 6000, "cv_folds": 3, "seed": 1},
                       tmp_path, monkeypatch)
    m = run.metrics
    assert m["n_rows"] == 6000 and m["headline_validation"] == "out_of_time"
    mm = run.table("model_metrics").set_index(["model", "validation"])
    cv, oot = mm.loc[("boosting", "cv3"), "auc"], mm.loc[("boosting", "out_of_time"), "auc"]
    assert 0.74 < cv < 0.84 and oot < cv - 0.05
    assert m["boosting_cv_minus_out_of_time_auc"] == pytest.approx(cv - oot)
    findings = [v for k, v in sorted(m.items()) if k.startswith("findings.")]
    assert any("higher than out-of-time validation" in f and "overstate" in f for f in findings)
    assert "'yes' -> 1 (positive class)" in run.text
    audit = run.table("leakage_audit").set_index("column")
    assert audit.loc["duration", "flagged"] and audit.loc["duration", "declared_leaky"]
    assert "duration" not in m["auto.features"] and "customer_id" not in m["auto.features"]
    assert {"survival", "rm_turnover", "followup_effect", "truth"} <= set(run.skipped)
    assert "out_of_time" not in run.skipped
    assert _sha(path) == before


def test_bad_gbk_file_fails_before_analysis_naming_columns_and_rows(tmp_path, monkeypatch):
    import papermill as pm

    n = 30
    df = pd.DataFrame({"客户编号": [f"C{i:03d}" for i in range(n)], "年龄": np.arange(n) + 30,
                       "资产余额": np.linspace(1000, 5000, n), "流失": ["是", "否"] * 15})
    df.loc[5, "客户编号"] = "C002"  # duplicate id (rows 3 and 6)
    df.loc[9, "资产余额"] = -300.0  # negative balance (row 10)
    path = tmp_path / "客户.csv"
    df.to_csv(path, index=False, encoding="gbk")
    before = _sha(path)
    with pytest.raises(pm.PapermillExecutionError) as err:
        run_notebook(NB, {"customers_path": str(path), "target": "流失", "positive_class": "是",
                          "columns": {"customer_id": "客户编号", "age": "年龄", "aum": "资产余额"}},
                     tmp_path, monkeypatch)
    msg = str(err.value)
    assert "DataValidationError" in msg and "customers.customer_id: duplicate keys" in msg and "rows 3, 6" in msg
    assert "customers.aum: negative balances" in msg and "row 10" in msg
    assert not (tmp_path / "out" / "tables" / "model_metrics.csv").exists()  # nothing analysed
    assert _sha(path) == before


def test_misspelt_target_fails_with_the_closest_name(tmp_path, monkeypatch):
    import papermill as pm

    path, params, _ = shapes.churn_without_dates(tmp_path, n=300)
    with pytest.raises(pm.PapermillExecutionError) as err:
        run_notebook(NB, {**params, "target": "Statsu"}, tmp_path, monkeypatch)
    assert "target='Statsu': no such column" in str(err.value) and "closest: ['Status']" in str(err.value)


def test_zh_run_on_a_gbk_csv_with_chinese_headers(tmp_path, monkeypatch):
    """The churn workbook re-saved as a GBK CSV with Chinese headers and labels; numbers arrive as text
    and must be modelled as numbers; headings, skip sentences and findings in Chinese."""
    xlsx, _, _ = shapes.churn_without_dates(tmp_path, n=1500)
    df = pd.read_excel(xlsx, sheet_name="accounts").rename(columns={
        "CustNo": "客户号", "Age": "年龄", "NumProducts": "产品数", "IsActiveMember": "活跃", "Balance": "余额",
        "Region": "地区", "Status": "状态"})
    df["状态"] = df["状态"].map({"closed": "销户", "open": "正常"})
    path = tmp_path / "流失.csv"
    df.to_csv(path, index=False, encoding="gbk")
    before = _sha(path)
    run = run_notebook(NB, {"customers_path": str(path), "columns": {"customer_id": "客户号"}, "target": "状态",
                            "positive_class": "销户", "lang": "zh"}, tmp_path, monkeypatch)
    assert run.metrics["auto.numeric_text_columns"] == '["年龄", "产品数", "余额"]'
    assert run.table("permutation_importance")["feature"].iloc[0] == "年龄"
    for heading in ("## 数据与输入", "## 流失模型与诚实验证", "## 联系谁", "## 主要发现"):
        assert heading in run.text
    findings = [v for k, v in sorted(run.metrics.items()) if k.startswith("findings.")]
    assert findings and all(_cjk_share(f) > 0.6 for f in findings), findings
    assert "无法运行Kaplan–Meier曲线和Cox模型" in run.skipped["survival"] and "分层5折交叉验证" in run.skipped["out_of_time"]
    assert _sha(path) == before


BASELINE_COVARIATES = ["tenure_months", "n_products", "digital_share", "complaints_12m", "value_tier", "age", "income"]


def test_every_section_runs_on_a_renamed_crm_extract_and_recovers_the_planted_effects(tmp_path, monkeypatch):
    """A 6,000-customer extract of a CRM shaped like the bundled world but with the bank's own column names
    (mapped with ``columns``), the target under its own name and ``study_start`` given: out-of-time
    validation, survival, RM turnover, the follow-up effect and uplift targeting all run on the user's
    rows only; the planted follow-up effect (−5 points, data/truth.json) lies in the AIPW CI and RM
    turnover raises the hazard. No truth table is written for user data.

    The survival covariates are given: the extract also holds ``logins_90d``/``logins_prev_90d``, counted
    before each customer's score date and missing for customers who left before it. They are fine churn
    *features* but not baseline covariates of a hazard from 2020-01-01 (auto would use every feature, and
    dropping the early leavers' missing rows then biases the RM hazard ratio: 95 % CI [0.97, …] instead of
    [1.53, 2.69] on this extract)."""
    from bankcrm_research.data.truth import load_truth

    src = ROOT / "data" / "customers.csv"
    if not src.exists():
        pytest.skip("bundled data not present")
    names = {"customer_id": "cust", "campaign_date": "score_dt", "duration_months": "months", "churned": "closed",
             "rm_change_date": "rm_left"}
    df = (pd.read_csv(src).sample(6000, random_state=3).sort_index().drop(columns=["rm_id", "open_date"])
          .rename(columns={**names, "churn_next_6m": "left_6m", "followup_contact": "called",
                           "churn_12m_after_fall": "left_after_fall", "holds_fund": "fund"}))
    # the bank's own codings of the treatment, its outcome and the population (not the schema's booleans)
    df["called"] = df["called"].map({True: "yes", False: "no"})
    df["fund"] = df["fund"].map({True: "是", False: "否"})
    path = tmp_path / "crm_extract.csv"
    df.to_csv(path, index=False)
    run = run_notebook(NB, {"customers_path": str(path), "columns": names, "target": "left_6m",
                            "leaky_columns": ["fund_loss_pct", "churn_date"], "treatment_column": "called",
                            "causal_outcome": "left_after_fall", "causal_population": "fund",
                            "study_start": "2020-01-01", "window_months": 6, "n_boot": 30,
                            "survival_covariates": BASELINE_COVARIATES},
                       tmp_path, monkeypatch)
    m = run.metrics
    assert m["n_rows"] == 6000 and m["headline_validation"] == "out_of_time"
    assert not {"out_of_time", "survival", "rm_turnover", "followup_effect", "uplift"} & set(run.skipped)
    assert "truth" in run.skipped and not run.has_table("truth_vs_estimate")
    assert m["auto.date_column"] == "campaign_date" and m["auto.rm_change_column"] == "rm_change_date"
    feats = m["auto.features"]
    assert not {"fund_loss_pct", "called", "fund", "left_after_fall", "duration_months"} & set(json.loads(feats))
    truth = load_truth()["loyalty"]["followup_effect"]["ate_churn_12m"]
    causal = run.table("causal").query("segment == 'all'").set_index("method")
    assert causal.loc["aipw", "ci_low"] <= truth <= causal.loc["aipw", "ci_high"]
    rm_truth = np.exp(load_truth()["loyalty"]["rm_turnover"]["log_hr"])
    assert 1 < m["rm_turnover_hr.ci_low"] <= rm_truth <= m["rm_turnover_hr.ci_high"]
    assert set(run.table("targeting_profit")["strategy"]) == {"uplift", "churn_risk", "random"}
    assert m["profit_model"] == "measured" and 2 <= sum(k.startswith("findings.") for k in m) <= 5
