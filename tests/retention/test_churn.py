"""The churn facade: read_table and the re-exported names of features/models/validation."""

from __future__ import annotations

from bankcrm_research.retention import churn as C
from bankcrm_research.retention import features, models, validation


def test_read_table_sniffs_semicolons(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text('"a";"b";"y"\n1;2;"yes"\n3;4;"no"\n', encoding="utf-8")
    df = C.read_table(f, columns={"target": "y"})
    assert list(df.columns) == ["a", "b", "target"]


def test_facade_reexports_the_split_modules():
    """``churn.X`` is the very object defined in features/models/validation (one definition each)."""
    assert C.encode_target is features.encode_target
    assert C.FeaturePrep is features.FeaturePrep
    assert C.prepare_features is features.prepare_features
    assert C.ChurnLogit is models.ChurnLogit and C.ChurnBoosting is models.ChurnBoosting
    assert C.ChurnLogitResult is models.ChurnLogitResult and C.ChurnBoostingResult is models.ChurnBoostingResult
    assert C.leakage_audit is validation.leakage_audit
    assert C.validate_models is validation.validate_models and C.ValidationResult is validation.ValidationResult
    assert sorted(C.__all__) == sorted(["read_table", *features.__all__, *models.__all__, *validation.__all__])
