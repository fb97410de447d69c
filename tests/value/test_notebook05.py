"""Notebook ``05_segmentation_value``: structure (fast) and full runs (slow) on the bundled simulated
data and on renamed user files (CSV transactions, mapped columns, share-safe)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "05_segmentation_value.ipynb"
NAME = "05_segmentation_value"
REQUIRED_TABLES = ["rfm_segments", "segment_profiles", "value_tiers", "clv", "satisfaction_retention"]
PARAMETERS = ["transactions_path", "customers_path", "survey_path", "columns", "as_of_date", "n_segments",
              "horizon_months", "discount_rate", "seed", "lang", "share_safe"]


def test_notebook_structure():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# 05")
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for name in PARAMETERS:
        assert re.search(rf"^{name} = ", params[0].source, flags=re.MULTILINE), name
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for c in nb.cells:
        if c.cell_type == "code":
            assert not c.get("outputs") and c.get("execution_count") is None
            assert not re.search(r"^\s*(def|class)\s|lambda\b", c.source, flags=re.MULTILINE), c.source[:80]


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, params: dict) -> Path:
    import papermill as pm

    out = tmp_path / "out"
    monkeypatch.setenv("BANKCRM_REPORT_DIR", str(out))
    monkeypatch.setenv("BANKCRM_NOTEBOOK", NAME)
    pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "nb.ipynb"), parameters=params, kernel_name="python3",
                        cwd=str(NOTEBOOK.parent), progress_bar=False)
    return out


def _tables(out: Path) -> Path:
    hits = list(out.rglob("rfm_segments.csv"))
    assert hits, f"no tables written under {out}"
    return hits[0].parent


@pytest.mark.slow
def test_notebook_bundled_data_truth_covered(tmp_path, monkeypatch):
    out = _run(tmp_path, monkeypatch, {})
    tables = _tables(out)
    for name in [*REQUIRED_TABLES, "truth_vs_estimate"]:
        assert (tables / f"{name}.csv").exists(), name
    for name in REQUIRED_TABLES:
        assert "customer_id" not in pd.read_csv(tables / f"{name}.csv").columns
    tve = pd.read_csv(tables / "truth_vs_estimate.csv")
    assert "loyalty.satisfaction_log_hr" in set(tve["quantity"])
    assert tve["covered"].mean() >= 0.7  # 7 planted quantities; each covered with prob. 0.95
    metrics = json.loads(next(out.rglob("metrics.json")).read_text())
    assert metrics["kmeans_k"] >= 2 and 0 < metrics["value_gini"] < 1


@pytest.mark.slow
def test_notebook_user_files_with_mapping_share_safe(tmp_path, monkeypatch):
    from bankcrm_research.simulate import simulate_world

    world = simulate_world(seed=3, n_customers=3000, n_transactions=90_000, n_respondents=500,
                           population_draw=20_000)
    data = tmp_path / "data"
    data.mkdir()
    txn = world["transactions"].rename(columns={"customer_id": "CUST_NO", "txn_date": "DT", "amount": "AMT"})
    txn.to_csv(data / "txn.csv", index=False)
    world["customers"].to_csv(data / "customers.csv", index=False)
    world["survey"].to_csv(data / "survey.csv", index=False)
    out = _run(tmp_path, monkeypatch, {
        "transactions_path": str(data / "txn.csv"),
        "customers_path": str(data / "customers.csv"),
        "survey_path": str(data / "survey.csv"),
        "columns": {"transactions": {"customer_id": "CUST_NO", "txn_date": "DT", "amount": "AMT"},
                    "customers": {}, "survey": {}},
        "n_segments": 3,
        "share_safe": True,
    })
    tables = _tables(out)
    for name in REQUIRED_TABLES:
        assert (tables / f"{name}.csv").exists(), name
    assert not (tables / "truth_vs_estimate.csv").exists()  # user data: no planted truth
    assert pd.read_csv(tables / "segment_profiles.csv").groupby("method")["segment"].nunique().eq(3).all()
