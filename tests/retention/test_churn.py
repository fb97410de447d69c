"""The churn facade (re-exported names of features/models/validation); a user's churn file is read by the
data layer (``load_customers``), which replaced ``churn.read_table``."""

from __future__ import annotations

import hashlib

import pytest

from bankcrm_research.data import load_customers
from bankcrm_research.data.validate import DataValidationError
from bankcrm_research.retention import churn as C
from bankcrm_research.retention import features, models, validation


def test_read_table_is_gone_the_data_layer_reads_churn_files():
    assert not hasattr(C, "read_table")


def test_load_customers_reads_a_gbk_semicolon_file_and_keeps_unknown_columns(tmp_path):
    """What read_table could not: GBK bytes (UnicodeDecodeError before), validation, own columns kept."""
    f = tmp_path / "客户.csv"
    f.write_bytes('编号;年龄;地区;流失\nA1;34;华东;是\nA2;51;华北;否\nA3;29;华东;否\n'.encode("gbk"))
    df = load_customers(f, columns={"customer_id": "编号", "age": "年龄"})
    assert list(df.columns) == ["customer_id", "age", "地区", "流失"]
    assert df["age"].tolist() == [34, 51, 29] and df["地区"].iloc[0] == "华东"


def test_load_customers_without_ids_creates_row_numbers(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text('"a";"b";"y"\n' + "".join(f'{i};{i % 3};"{"yes" if i % 4 else "no"}"\n' for i in range(40)),
                 encoding="utf-8")
    with pytest.warns(UserWarning, match="created from the row order"):
        df = load_customers(f)
    assert list(df.columns) == ["customer_id", "a", "b", "y"]
    assert df["customer_id"].tolist()[:2] == ["C000001", "C000002"]
    assert any("created from the row order" in p for p in df.attrs["problems"])


@pytest.mark.parametrize("header", ["Customer_ID", "客户编号"])
def test_an_unmapped_id_like_column_is_an_error_not_replaced_by_row_numbers(tmp_path, header):
    f = tmp_path / "x.csv"
    f.write_bytes((f"{header},年龄\n" + "".join(f"C{i},{30 + i}\n" for i in range(30))).encode("gbk"))
    with pytest.raises(DataValidationError, match="required column 'customer_id'"):
        load_customers(f)


def test_load_customers_refuses_duplicate_ids_and_negative_balances(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_bytes("客户号,资产,流失\nC1,100,1\nC1,-5,0\nC3,20,0\n".encode("gbk"))
    before = hashlib.sha256(f.read_bytes()).hexdigest()
    with pytest.raises(DataValidationError) as err:
        load_customers(f, columns={"customer_id": "客户号", "aum": "资产"})
    msg = str(err.value)
    assert "customer_id" in msg and "duplicate" in msg and "aum" in msg and "negative" in msg
    assert hashlib.sha256(f.read_bytes()).hexdigest() == before


def test_facade_reexports_the_split_modules():
    """``churn.X`` is the very object defined in features/models/validation (one definition each)."""
    assert C.encode_target is features.encode_target
    assert C.FeaturePrep is features.FeaturePrep
    assert C.prepare_features is features.prepare_features
    assert C.ChurnLogit is models.ChurnLogit and C.ChurnBoosting is models.ChurnBoosting
    assert C.ChurnLogitResult is models.ChurnLogitResult and C.ChurnBoostingResult is models.ChurnBoostingResult
    assert C.leakage_audit is validation.leakage_audit
    assert C.validate_models is validation.validate_models and C.ValidationResult is validation.ValidationResult
    assert sorted(C.__all__) == sorted([*features.__all__, *models.__all__, *validation.__all__])
