"""Notebook 02 on researchers' own files, by parameters alone; and on the real Yu'ebao/SHIBOR/PBoC data.

Shapes: (1) ``shapes.macro_other_names`` — Excel, Chinese headers, no fund yield (pass-through
skipped); (2) a semicolon CSV with English names, dd/mm/yyyy months (``date_format`` given), no time
deposits, an overnight rate and a fund yield with a planted pass-through slope of 0.8.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pytest

from own_data import shapes
from own_data.runner import run_notebook

NB = "02_deposit_migration"


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _consistent_stationarity(run) -> None:
    """Each series' word in the stationarity sentences follows this run's ADF/KPSS p-values (5 %):
    stationary = ADF rejects and KPSS does not; unit-root-like = the reverse; mixed otherwise."""
    from bankcrm_research.reporting import label

    ur = run.table("unit_root_tests")
    p = ur.pivot_table(index=["transform", "series"], columns="test", values="p_value")
    checked = 0
    for lead, transform in (("In levels: ", "level"), ("In growth rates: ", "log difference")):
        line = next(ln for ln in run.text.splitlines() if lead in ln)
        body = line.split(lead, 1)[1].rstrip(".")
        by_label = {label(s, "en"): s for s in p.loc[transform].index}
        for part in body.split("; "):
            names, word = part.split(": ", 1)
            for name in names.split(", "):
                adf, kpss = p.loc[(transform, by_label[name]), ["ADF", "KPSS"]]
                expected = ("stationary" if adf < 0.05 <= kpss else "unit-root-like" if kpss < 0.05 <= adf
                            else "mixed")
                assert word.startswith(expected), (name, adf, kpss, word)
                checked += 1
    assert checked == len(p)


def test_macro_workbook_with_chinese_headers(tmp_path, monkeypatch):
    path, params, _ = shapes.macro_other_names(tmp_path)
    before = _sha(path)
    run = run_notebook(NB, {**params, "irf_reps": 50}, tmp_path, monkeypatch)
    assert set(run.skipped) == {"pass_through", "truth", "real_data"}
    assert "fund-yield" in run.skipped["pass_through"]
    assert run.metrics["auto.yield_column"] is None and run.metrics["auto.rate_column"] == "shibor_3m"
    assert run.metrics["auto.var_columns"] == '["dlog_mmf_aum", "dlog_demand_deposits"]'
    assert not run.has_table("truth_vs_estimate") and not run.has_table("pass_through")
    ur = run.table("unit_root_tests")
    assert set(ur["n_obs"][ur["test"] == "KPSS"]) <= {120, 119}  # the user's months, not the bundled table's
    assert run.has_table("granger") and "Granger-cause" in run.text
    _consistent_stationarity(run)
    assert "growth rates are (close to) stationary" not in run.text
    findings = [v for k, v in run.metrics.items() if k.startswith("findings.")]
    assert 2 <= len(findings) <= 5
    assert _sha(path) == before


def english_macro_csv(folder, *, seed=4, n=150, slope=0.8):
    rng = np.random.default_rng(seed)
    months = pd.date_range("2011-01-01", periods=n, freq="MS")
    aum = np.exp(np.cumsum(rng.normal(0.03, 0.05, n)) + 5)
    dd = np.exp(np.cumsum(rng.normal(0.006, 0.01, n) - 0.1 * np.r_[0, np.diff(np.log(aum))]) + 10)
    rate = np.clip(3 + np.cumsum(rng.normal(0, 0.1, n)), 0.5, None)
    fund = 0.5 + slope * rate + rng.normal(0, 0.1, n)
    df = pd.DataFrame({"period": months.strftime("%d/%m/%Y"), "fund_assets": aum.round(3), "dd": dd.round(3),
                       "overnight": rate.round(4), "fund_7d": fund.round(4)})
    path = folder / "macro_en.csv"
    df.to_csv(path, sep=";", index=False)
    params = {"macro_path": str(path), "date_format": "%d/%m/%Y",
              "columns": {"macro_monthly": {"month": "period", "mmf_aum": "fund_assets", "demand_deposits": "dd",
                                            "shibor_on": "overnight", "mmf_yield_7d": "fund_7d"}}}
    return path, params, {"slope": slope}


def test_english_csv_with_overnight_rate_and_yield(tmp_path, monkeypatch):
    path, params, truth = english_macro_csv(tmp_path)
    run = run_notebook(NB, {**params, "irf_reps": 0, "ic": "bic"}, tmp_path, monkeypatch)
    assert run.metrics["auto.rate_column"] == "shibor_on"
    assert run.metrics["auto.level_columns"] == '["mmf_aum", "demand_deposits"]'
    pt = run.table("pass_through").set_index("term").loc["shibor_on"]
    assert pt["ci_low"] <= truth["slope"] <= pt["ci_high"]
    assert pt["n_obs"] == 150
    assert {"truth", "real_data"} == set(run.skipped)
    assert "raises" in run.text  # the pass-through sentence, CI above zero
    _consistent_stationarity(run)


def test_zh_run_is_chinese(tmp_path, monkeypatch):
    path, params, _ = shapes.macro_other_names(tmp_path)
    run = run_notebook(NB, {**params, "irf_reps": 0, "lang": "zh"}, tmp_path, monkeypatch)
    findings = " ".join(v for k, v in run.metrics.items() if k.startswith("findings."))
    letters = [c for c in findings if c.isalpha()]
    cjk = [c for c in letters if "\u4e00" <= c <= "\u9fff"]
    assert len(cjk) / len(letters) > 0.6, findings
    assert "已跳过" in run.text and "格兰杰" in run.text and "增长率：" in run.text


def test_explicit_missing_column_fails_with_closest_names(tmp_path):
    from bankcrm_research.competition.deposit_inputs import resolve_deposit_inputs

    path, params, _ = shapes.macro_other_names(tmp_path)
    with pytest.raises(ValueError, match=r"yield_column='mmf_yeild_7d': no such column in macro_monthly"):
        resolve_deposit_inputs(macro_path=path, columns=params["columns"], yield_column="mmf_yeild_7d")
    with pytest.raises(ValueError, match=r"rate_column='shibor3m'.*closest.*shibor_3m"):
        resolve_deposit_inputs(macro_path=path, columns=params["columns"], rate_column="shibor3m")
    with pytest.raises(ValueError, match=r"var_columns.*dlog_mmf_aum"):
        resolve_deposit_inputs(macro_path=path, columns=params["columns"], var_columns=["mmf_aum", "dd"])


@pytest.mark.shared_data
def test_real_yuebao_shibor_pboc(shared_data_dir, tmp_path, monkeypatch):
    """Real-data section on ../shared/data/internet_finance, pinned against an independent computation:
    the pass-through slope is the OLS slope of the Yu'ebao 7-day yield on overnight SHIBOR over the days
    both files have (``numpy.polyfit(shibor, yield, 1)`` on the raw CSVs merged with pandas), to 1e-9."""
    folder = shared_data_dir / "internet_finance"
    run = run_notebook(NB, {"real_data_dir": str(folder), "irf_reps": 0}, tmp_path, monkeypatch)
    assert "real_data" not in run.skipped
    yb = pd.read_csv(next(folder.glob("yuebao_mfd_day_share_interest_*.csv")))
    sh = pd.read_csv(next(folder.glob("shibor_mfd_bank_shibor_*.csv")))
    both = yb.merge(sh, on="mfd_date").dropna(subset=["mfd_7daily_yield", "Interest_O_N"])
    slope = np.polyfit(both["Interest_O_N"], both["mfd_7daily_yield"], 1)[0]
    assert run.metrics["real_n_days"] == len(both)
    assert run.metrics["real_pass_through_slope"] == pytest.approx(slope, abs=1e-9)
    assert run.has_table("real_granger_yuebao_shibor") and run.has_table("real_unit_root_tests")
