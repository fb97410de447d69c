"""Metric labels (``metric.<key>`` with optional unit/digits/kind) and the humanised fallback."""

from __future__ import annotations

import pytest

from bankcrm_research.reporting.labels import humanize_key, label, load_labels, metric_info


def test_package_label_files_are_valid_including_metric_fields():
    labels = load_labels(strict=True)
    assert labels["metric.headline.customers"]["zh"] == "客户数"
    assert labels["index.findings"] == {"en": "Findings", "zh": "主要发现"}


def test_metric_info_reads_unit_digits_and_kind():
    en = metric_info("headline.customers", "en")
    zh = metric_info("headline.customers", "zh")
    assert (en.label, en.unit, en.digits, en.kind, en.labelled) == ("Customers", "customers", 0, "number", True)
    assert (zh.label, zh.unit) == ("客户数", "人")
    assert metric_info("headline.churn_rate_window", "en").kind == "share"
    assert label("metric.headline.customers", "en") == "Customers"  # label() keeps working


def test_unknown_keys_are_humanised_and_p_values_recognised():
    assert humanize_key("granger_p_dlog_mmf_aum_to_dlog_demand_deposits", "en") == \
        "Granger p dlog mmf aum to dlog demand deposits"
    # known parts are labelled, a leading "headline" part dropped
    assert humanize_key("headline.demand_deposit_share", "en") == "Demand-deposit share"
    assert humanize_key("did.demand_deposit_share.estimate", "zh") == "Did · 活期存款占比 · 估计值"
    for key in ("some_joint_test_p_value", "granger_p_x_to_y", "test.p", "adf_pvalue"):
        info = metric_info(key, "en")
        assert info.kind == "p" and not info.labelled, key
    labelled = metric_info("pretrend_p_value", "en")  # an entry without kind is still read as a p-value
    assert labelled.labelled and labelled.kind == "p"
    for key in ("sem_proper", "kmo_overall", "profit_best_fraction", "n_obs"):
        assert metric_info(key, "en").kind == "number", key


@pytest.mark.parametrize("entry, problem", [
    ('{en: "A", zh: "甲", digits: -1}', "digits must be an int"),
    ('{en: "A", zh: "甲", digits: "2"}', "digits must be an int"),
    ('{en: "A", zh: "甲", unit: "pp"}', "unknown field(s) ['unit']"),
    ('{en: "A", zh: "甲", unit_en: 3}', "unit_en must be a string"),
    ('{en: "A", zh: "甲", kind: pvalue}', "kind must be one of"),
])
def test_malformed_metric_fields_are_reported(tmp_path, entry, problem):
    (tmp_path / "metrics_99.yml").write_text(f"metric.x: {entry}\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_labels(tmp_path, strict=True)
    assert problem in str(err.value)
    with pytest.warns(UserWarning, match="metric.x"):
        load_labels(tmp_path, strict=False)


def test_valid_metric_fields_load(tmp_path):
    (tmp_path / "metrics_99.yml").write_text(
        'metric.x: {en: "A", zh: "甲", unit_en: "pp", unit_zh: "个百分点", digits: 2, kind: number}\n',
        encoding="utf-8")
    assert load_labels(tmp_path, strict=True)["metric.x"] == {"en": "A", "zh": "甲"}
