"""Column roles on own tables: given names must exist, auto finds or reports absence, features inferred."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.data.roles import infer_features, looks_like_identifier, resolve_column


@pytest.fixture
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 200
    return pd.DataFrame({
        "customer_id": [f"C{i:05d}" for i in range(n)],
        "age": rng.integers(18, 80, n),
        "job": rng.choice(["admin", "blue-collar", "retired"], n),
        "balance": rng.normal(1000, 300, n),
        "contact_date": pd.date_range("2020-01-01", periods=n, freq="D"),
        "duration": rng.integers(10, 600, n),
        "email": [f"u{i}@x.cn" for i in range(n)],
        "y": rng.choice(["yes", "no"], n),
        "empty": np.nan,
    })


def test_given_column_must_exist_with_closest_names(table):
    with pytest.raises(ValueError, match=r"date_column='contactdate'.*closest: \['contact_date'\].*date_column=None"):
        resolve_column(table, "date_column", "contactdate", default="campaign_date", table_name="customers (bank.csv)")


def test_given_empty_column_is_an_error(table):
    with pytest.raises(ValueError, match="entirely empty"):
        resolve_column(table, "treatment_column", "empty")


def test_given_non_string_is_a_type_error(table):
    with pytest.raises(TypeError, match="column name"):
        resolve_column(table, "treatment_column", 3)  # type: ignore[arg-type]


def test_auto_finds_default_then_alternatives_else_absent(table):
    c = resolve_column(table, "target_column", None, default="churned", alternatives=("y",))
    assert (c.column, c.how) == ("y", "auto") and "auto" in c.sentence
    a = resolve_column(table, "treatment_column", None, default="followup_contact", purpose="the follow-up effect")
    assert a.column is None and a.how == "absent" and not a.present and "treatment_column='<column>'" in a.sentence
    e = resolve_column(table, "x", None, default="empty")
    assert e.column is None  # an entirely empty column counts as absent
    g = resolve_column(table, "age_column", "age")
    assert (g.column, g.how) == ("age", "given")


def test_infer_features_leaves_out_roles_dates_leaky_ids(table):
    feats, cats, sentence = infer_features(table, exclude=["customer_id", "y"], leaky=["duration"])
    assert feats == ["age", "job", "balance"]
    assert cats == ["job"]
    for word in ("leaky ['duration']", "date ['contact_date']", "identifier ['email']", "empty ['empty']"):
        assert word in sentence


@pytest.mark.parametrize(
    ("values", "name", "expected"),
    [
        ([f"x{i}" for i in range(100)], "anything", True),
        (["a", "b"] * 50, "segment", False),
        ([f"{i % 60}" for i in range(100)], "客户编号", True),
        (list(range(100)), "row_id", True),
        (list(range(100)), "income", False),
    ],
)
def test_looks_like_identifier(values, name, expected):
    assert looks_like_identifier(pd.Series(values), name) is expected


def test_chinese_sentences_and_unchanged_english(table):
    """``lang="zh"`` gives the auto-choice sentences in Chinese; the English ones stay as they were."""
    en = resolve_column(table, "id_column", None, default="customer_id", table_name="customers", purpose="customer ids")
    zh = resolve_column(table, "id_column", None, default="customer_id", table_name="customers", purpose="客户编号",
                        lang="zh")
    assert en.sentence == "id_column = 'customer_id' (auto: found in customers) for customer ids."
    assert zh.sentence == "id_column = 'customer_id'（自动：在 customers 中找到），用于客户编号。"
    assert (zh.column, zh.how) == (en.column, en.how)
    given = resolve_column(table, "target", "y", lang="zh")
    assert given.sentence == "target = 'y'（指定）。"
    absent = resolve_column(table, "treatment_column", None, default="followup_contact", table_name="customers",
                            purpose="回访效应", lang="zh")
    assert absent.column is None and "没有回访效应所需的列" in absent.sentence and "followup_contact" in absent.sentence
    feats_en, cats_en, s_en = infer_features(table, exclude=["customer_id", "y"])
    feats_zh, cats_zh, s_zh = infer_features(table, exclude=["customer_id", "y"], lang="zh")
    assert (feats_zh, cats_zh) == (feats_en, cats_en)
    assert s_en.startswith(f"features = {len(feats_en)} columns (auto: every column except role ")
    assert s_zh.startswith(f"features = {len(feats_zh)} 列（自动：除其他角色列 ") and "日期列 ['contact_date']" in s_zh
