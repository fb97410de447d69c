"""Notebook 05 on researchers' own files, by parameters alone: only the given tables are read, sections
without their input are skipped with a reason, auto choices are recorded, findings come from the run."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest

from own_data import shapes
from own_data.runner import ROOT, run_notebook

NB = "05_segmentation_value"
BANK_FULL = ROOT / "data" / "public" / "bank-full.parquet"
FAST = {"n_bootstrap": 2, "k_range": [2, 4]}
#: CLV headline of the bare transaction log (shapes.bare_transaction_log, seed 5; BG/NBD + Gamma-Gamma).
CLV_TOTAL_PIN = 415289.0539506307
P_ALIVE_PIN = 0.9933784483513481


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _findings(run) -> list[str]:
    return [v for k, v in sorted(run.metrics.items()) if k.startswith("findings.")]


def test_bare_transaction_log_runs_rfm_and_clv(tmp_path, monkeypatch):
    log, params, _ = shapes.bare_transaction_log(tmp_path)
    before = _sha(log)
    run = run_notebook(NB, {**params, **FAST}, tmp_path, monkeypatch)
    raw = pd.read_csv(log, sep=";", decimal=",")
    # RFM on every row of the user's log (ids created and said), nothing bundled mixed in
    quality = run.table("rfm_data_quality").set_index("item")
    assert quality.loc["rows_read", "n"] == len(raw)
    assert quality.loc["rows_read", "amount"] == pytest.approx(raw["betrag"].sum(), rel=1e-9)
    assert quality.loc["customers_in_base", "n"] == raw["kunde"].nunique()
    assert quality.loc["future_dated_excluded", "n"] == 0  # as_of_date = the last transaction date
    assert "ids 1..n were created" in run.text
    last = pd.to_datetime(raw["datum"], format="%d/%m/%Y").max().date().isoformat()
    assert run.metrics["auto.as_of_date"] == last
    assert run.metrics["auto.value_column"] == "monetary"
    clv = run.table("clv")
    assert set(clv["grouping"]) == {"rfm_segment", "kmeans_segment"}
    assert clv.groupby("grouping")["n_customers"].sum().le(raw["kunde"].nunique()).all()
    # the headline CLV numbers are the per-customer sums the tables add up to, and pinned for this seeded log
    for grouping, g in clv.groupby("grouping"):
        assert g["total_clv"].sum() == pytest.approx(run.metrics["clv_total"], rel=1e-9), grouping
        p_alive = (g["n_customers"] * g["mean_p_alive"]).sum() / g["n_customers"].sum()
        assert p_alive == pytest.approx(run.metrics["clv_mean_p_alive"], rel=1e-9), grouping
    assert run.metrics["clv_total"] == pytest.approx(CLV_TOTAL_PIN, rel=1e-6)
    assert run.metrics["clv_mean_p_alive"] == pytest.approx(P_ALIVE_PIN, rel=1e-6)
    # customers-dependent sections are skipped with a reason, never faked from bundled tables
    assert {"value_tiers", "rm_coverage", "segments_by_tier", "satisfaction_link", "truth"} <= set(run.skipped)
    assert "No customers table" in run.skipped["value_tiers"]
    assert not run.has_table("value_tiers") and not run.has_table("truth_vs_estimate")
    assert not run.has_table("satisfaction_retention")
    profiles = run.table("segment_profiles")
    assert profiles.groupby("method")["n_customers"].sum().eq(raw["kunde"].nunique()).all()
    found = _findings(run)
    assert 2 <= len(found) <= 5 and any("net transaction value" in s for s in found)
    assert "CNY" not in " ".join(found)  # the user's currency is not assumed
    assert _sha(log) == before


def test_bank_marketing_customers_only_segments_on_attributes(tmp_path, monkeypatch):
    before = _sha(BANK_FULL)
    run = run_notebook(NB, {"customers_path": str(BANK_FULL),
                            "segment_features": ["age", "balance", "campaign", "previous"], **FAST},
                       tmp_path, monkeypatch)
    assert {"rfm", "clv", "satisfaction_link", "rm_coverage", "segments_by_tier", "truth"} <= set(run.skipped)
    assert "No transactions table" in run.skipped["rfm"]
    assert "ids C000001" in run.text  # created row ids are said
    profiles = run.table("segment_profiles")
    assert profiles.groupby("method")["n_customers"].sum().eq(45_211).all()
    assert {"age", "balance", "campaign", "previous"} <= set(profiles.columns)
    assert run.metrics["auto.value_column"] == "balance"
    # concentration of balances: negatives set to 0 (warned), value share of the top decile recomputed here
    bal = pd.read_parquet(BANK_FULL)["balance"].clip(lower=0).sort_values(ascending=False).to_numpy(float)
    top10 = bal[: int(-(-len(bal) * 0.1 // 1))].sum() / bal.sum()
    conc = run.table("value_concentration").set_index("measure")
    assert conc.loc["top_10pct_share", "estimate"] == pytest.approx(top10, rel=1e-9)
    assert conc.loc["top_10pct_share", "ci_low"] <= top10 <= conc.loc["top_10pct_share", "ci_high"]
    assert not run.has_table("rfm_segments") and not run.has_table("clv")
    assert 2 <= len(_findings(run)) <= 5
    assert _sha(BANK_FULL) == before


def test_zh_run_with_a_date_string_as_of(tmp_path, monkeypatch):
    log, params, _ = shapes.bare_transaction_log(tmp_path)
    run = run_notebook(NB, {**params, **FAST, "as_of_date": "2023-06-30", "lang": "zh"}, tmp_path, monkeypatch)
    quality = run.table("rfm_data_quality").set_index("item")
    raw = pd.read_csv(log, sep=";")
    later = (pd.to_datetime(raw["datum"], format="%d/%m/%Y") > "2023-06-30").sum()
    assert later > 0 and quality.loc["future_dated_excluded", "n"] == later
    assert "auto.as_of_date" not in run.metrics  # given, not auto
    assert "## 主要发现" in run.text and "## 大规模RFM分析" in run.text
    assert "已跳过" in run.text and "自动取值为 monetary" in run.text
    text = "".join(_findings(run))
    letters = re.findall(r"[A-Za-z\u4e00-\u9fff]", text)
    cjk = [c for c in letters if "\u4e00" <= c <= "\u9fff"]
    assert len(cjk) / len(letters) > 0.6, text


def test_survey_alone_skips_everything_and_says_why(tmp_path, monkeypatch):
    run = run_notebook(NB, {"survey_path": str(ROOT / "data" / "public" / "mobi.csv")}, tmp_path, monkeypatch)
    assert {"rfm", "segments", "value_concentration", "satisfaction_link", "truth"} <= set(run.skipped)
    assert "1–10" in run.text  # the 1-10 answer scale was read, not refused
    assert len(_findings(run)) == 1 and "needs a transaction log" in _findings(run)[0]
    assert not (run.out / "tables").exists() or not any((run.out / "tables").iterdir())


def test_given_but_missing_column_fails_with_closest_names(tmp_path, monkeypatch):
    with pytest.raises(pm.PapermillExecutionError, match=r"value_column='balanse'.*closest: \['balance'"):
        run_notebook(NB, {"customers_path": str(BANK_FULL), "value_column": "balanse"}, tmp_path, monkeypatch)


def test_spark_engine_gives_the_notebook_the_same_rfm_and_clv(tmp_path, monkeypatch):
    """Notebook 05 with `-p engine=spark` (local mode) writes exactly DuckDB's RFM, quality and CLV tables."""
    import shutil

    if shutil.which("java") is None:
        pytest.skip("no Java runtime: Spark needs Java 17+ (CI installs openjdk-17-jre-headless)")
    pytest.importorskip("pyspark", reason="PySpark is not installed (the spark extra)")
    path, params, _ = shapes.bare_transaction_log(tmp_path)
    (tmp_path / "duck").mkdir()
    (tmp_path / "spark").mkdir()
    duck = run_notebook("05_segmentation_value", params, tmp_path / "duck", monkeypatch)
    spark = run_notebook("05_segmentation_value", {**params, "engine": "spark", "spark_master": "local[1]",
                                                   "spark_conf": {"spark.sql.shuffle.partitions": "2",
                                                                  "spark.ui.enabled": "false"}},
                         tmp_path / "spark", monkeypatch)
    for name in ("rfm_segments", "rfm_data_quality", "clv_parameters"):
        pd.testing.assert_frame_equal(spark.table(name), duck.table(name), check_exact=True, obj=name)
    assert spark.metrics["rfm_future_dated_excluded"] == duck.metrics["rfm_future_dated_excluded"]
