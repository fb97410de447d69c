"""Feature-preparation guard rails: target mapping, ids, missing/constant columns, rare levels, unseen levels."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.data.validate import DataWarning
from bankcrm_research.retention.features import prepare_features
from bankcrm_research.retention.models import ChurnLogit


# ----------------------------------------------------------------------------------- edge cases
def test_one_class_target_is_refused(churn_df):
    df = churn_df.assign(churn=False)
    with pytest.raises(ValueError, match="only one class"):
        ChurnLogit().fit(df, target="churn", features=["complaints"])


def test_string_target_yes_no_is_mapped_with_stated_positive_class(churn_df):
    df = churn_df.assign(y=np.where(churn_df["churn"], "yes", "no"))
    res = ChurnLogit().fit(df, target="y", features=["complaints", "n_products", "tier"])
    assert res.prep.target_note == "target 'y': 'yes' -> 1 (positive class), 'no' -> 0"
    ref = ChurnLogit().fit(churn_df, target="churn", features=["complaints", "n_products", "tier"])
    np.testing.assert_allclose(res.tidy()["coef"], ref.tidy()["coef"])


def test_ambiguous_string_target_asks_for_positive_class(churn_df):
    df = churn_df.assign(y=np.where(churn_df["churn"], "left", "active"))
    with pytest.raises(ValueError, match="Pass positive_class"):
        ChurnLogit().fit(df, target="y", features=["complaints"])
    res = ChurnLogit().fit(df, target="y", features=["complaints"], positive_class="left")
    assert res.n_events == int(churn_df["churn"].sum())


def test_id_column_in_features_is_refused(churn_df):
    with pytest.raises(ValueError, match="id column 'customer_id' is listed among the features"):
        ChurnLogit().fit(churn_df, target="churn", id_column="customer_id", features=["customer_id", "complaints"])
    with pytest.raises(ValueError, match="look.* like an id"):
        prepare_features(churn_df, target="churn", features=["customer_id", "complaints"])


def test_all_missing_and_constant_columns_are_dropped_with_a_warning(churn_df):
    df = churn_df.assign(empty=np.nan, same=1.0)
    with pytest.warns(DataWarning, match=r"'empty' \(entirely missing\).*'same' \(constant\)"):
        res = ChurnLogit().fit(df, target="churn", features=["complaints", "empty", "same"])
    assert list(res.tidy()["term"]) == ["const", "complaints"]


def test_missing_numeric_values_are_imputed_with_indicator_and_missing_target_rows_dropped(churn_df):
    df = churn_df.copy()
    df.loc[df.index[:300], "complaints"] = np.nan
    df["churn"] = df["churn"].astype("boolean")
    df.loc[df.index[300:310], "churn"] = pd.NA
    with pytest.warns(DataWarning, match="dropped 10 of 6000 rows"):
        res = ChurnLogit().fit(df, target="churn", features=["complaints", "n_products"])
    assert "complaints_missing" in set(res.tidy()["term"])
    assert res.n_obs == 5990


def test_rare_level_and_duplicate_dummy_are_handled_fast(churn_df):
    """A category seen in 3 rows plus two identical dummy columns made a plain logit crawl and fail."""
    df = churn_df.copy()
    df["region"] = "north"
    df.loc[df.index[:2000], "region"] = "south"
    df.loc[df.index[2000:2003], "region"] = "island"  # 3 rows
    df["flag_a"] = (df["tier"] == "affluent").astype(int)
    df["flag_b"] = df["flag_a"]  # exact duplicate
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        res = ChurnLogit().fit(df, target="churn", features=["complaints", "region", "flag_a", "flag_b"])
        elapsed = time.perf_counter() - t0
    msgs = " | ".join(str(w.message) for w in rec if issubclass(w.category, DataWarning))
    assert "rare level" in msgs and "'island'" in msgs
    assert "duplicate design column" in msgs and "flag_b" in msgs
    assert res.converged and elapsed < 5
    assert "flag_b" not in set(res.tidy()["term"])
    assert not any("island" in t for t in res.tidy()["term"])


def test_unseen_level_at_prediction_maps_to_no_dummy(churn_df):
    res = ChurnLogit().fit(churn_df, target="churn", features=["complaints", "tier"])
    new = churn_df.head(5).assign(tier="brand_new")
    p = res.predict_proba(new)
    # an unseen level gets no dummy, i.e. the prediction of the reference (most frequent) level, "mass"
    assert res.prep.reference["tier"] == "mass"
    np.testing.assert_allclose(p, res.predict_proba(new.assign(tier="mass")), rtol=1e-12)
    b = res.tidy().set_index("term")["coef"]
    eta = b["const"] + b["complaints"] * new["complaints"].to_numpy()
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-eta)), rtol=1e-9)


def test_missing_indicator_terms_read_as_words_in_figures():
    """A missing-value indicator in a figure reads '<label> missing', not the raw column name."""
    from bankcrm_research.reporting import setup_notebook
    from bankcrm_research.retention._labels import term_label

    setup_notebook(lang="en")
    assert term_label("approval_days_missing") == "Credit approval time (days) missing"
    setup_notebook(lang="zh")
    try:
        zh = term_label("approval_days_missing")
        assert zh.endswith("（缺失指示）") and "approval" not in zh
    finally:
        setup_notebook(lang="en")
