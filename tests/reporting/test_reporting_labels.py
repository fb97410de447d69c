"""Bilingual labels: every file valid, no conflicting keys, unknown keys fall back to the key."""

from __future__ import annotations

import pytest

from bankcrm_research.reporting import label, label_map, load_labels
from bankcrm_research.reporting.labels import labels_dir


def test_all_label_files_are_valid_and_do_not_conflict():
    # strict=True raises on malformed entries and on a key defined differently in two files.
    labels = load_labels(strict=True)
    assert "demand_deposit_share" in labels
    assert (labels_dir() / "common.yml").is_file()


def test_every_label_has_english_and_chinese():
    for key, entry in load_labels(strict=True).items():
        assert set(entry) == {"en", "zh"}, key
        assert entry["en"].strip() and entry["zh"].strip(), key
    # The shared labels are real translations (area files may hold symbols such as ω).
    common = load_labels(strict=True)
    for key in ("estimate", "demand_deposit_share", "bank_type", "value_tier"):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in common[key]["zh"]), key


def test_label_known_and_unknown_keys():
    assert label("demand_deposit_share", "en") == "Demand-deposit share"
    assert label("demand_deposit_share", "zh") == "活期存款占比"
    assert label("no_such_variable_xyz", "zh") == "no_such_variable_xyz"
    assert label_map(["nim", "zzz"], "en") == {"nim": "Net interest margin (%)", "zzz": "zzz"}


def test_label_rejects_unknown_language():
    with pytest.raises(ValueError, match=r"'lang' parameter must be one of \['en', 'zh'\]"):
        label("nim", "fr")


def test_conflicting_definitions_are_reported(tmp_path):
    (tmp_path / "common.yml").write_text('x: {en: "X", zh: "甲"}\n', encoding="utf-8")
    (tmp_path / "area.yml").write_text('x: {en: "Other", zh: "乙"}\ny: {en: "Y"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="defined differently in common.yml and area.yml") as err:
        load_labels(tmp_path, strict=True)
    assert "label 'y' in area.yml must have non-empty text" in str(err.value)
    # Non-strict (what a notebook sees): warn, first definition (common.yml) wins.
    with pytest.warns(UserWarning, match="defined differently"):
        labels = load_labels(tmp_path, strict=False)
    assert labels == {"x": {"en": "X", "zh": "甲"}}
