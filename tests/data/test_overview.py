"""Overview helpers behind notebook 00 (aggregates only) and the one-shot error report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bankcrm_research.data import load as datasets
from bankcrm_research.data import overview
from bankcrm_research.data.truth import load_truth, truth_vs_estimate
from bankcrm_research.data.validate import DataValidationError


@pytest.fixture(scope="module")
def bundled() -> dict[str, pd.DataFrame]:
    kinds = ["bank_panel", "internet_finance_indicators", "customers", "survey"]
    return datasets.tables_from_checks({k: datasets.check_table(k) for k in kinds})


def test_tables_from_checks_raises_once_with_every_tables_errors(tmp_path: Path) -> None:
    bad_c = tmp_path / "c.csv"
    bad_c.write_text("customer_id,age\nC1,x\n", encoding="utf-8")
    bad_s = tmp_path / "s.csv"
    bad_s.write_text("respondent_id,CUSA1\nr1,12\n", encoding="utf-8")
    checked = {"customers": datasets.check_table("customers", bad_c), "survey": datasets.check_table("survey", bad_s)}
    with pytest.raises(DataValidationError) as exc:
        datasets.tables_from_checks(checked)
    assert {p.table for p in exc.value.problems} == {"customers", "survey"}
    assert "customers, survey" in str(exc.value)


def test_describe_and_missingness(bundled: dict[str, pd.DataFrame]) -> None:
    ov = overview.describe_tables(bundled).set_index("table")
    assert ov.loc["bank_panel", "key_unique"] and ov.loc["bank_panel", "period"] == "2008–2023"
    assert ov.loc["customers", "rows"] == 20_000 and ov["simulated"].all()
    miss = overview.missingness(bundled)
    assert miss["missing_share"].is_monotonic_decreasing
    assert set(miss.columns) == {"table", "column", "n_missing", "missing_share"}
    assert "customer_id" not in set(miss["column"])


def test_dictionary_covers_every_schema_column() -> None:
    d = overview.dictionary_frame()
    assert len(d) == sum(len(datasets.SCHEMAS[k].columns) for k in datasets.TABLE_KINDS)
    assert d.loc[(d["table"] == "bank_panel") & (d["column"] == "demand_deposit_share"), "allowed"].item() == "[0, 1]"
    assert d["meaning"].str.len().gt(0).all()


def test_problems_frame_is_tidy() -> None:
    _, probs = datasets.check_table("bank_panel")
    frame = overview.problems_frame({"bank_panel": probs})
    assert list(frame.columns) == ["table", "severity", "column", "message", "n_rows", "rows", "fix"]
    assert (frame["severity"] == "warning").all() and frame["message"].str.contains("unbalanced").any()


def test_data_truth_rows_cover_the_truth(bundled: dict[str, pd.DataFrame]) -> None:
    table = truth_vs_estimate(overview.data_truth_rows(bundled, load_truth()))
    assert len(table) == 7 and table["covered"].all()
