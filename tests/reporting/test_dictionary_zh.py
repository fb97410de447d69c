"""Chinese data dictionary: every schema column's description (and every unit) is translated in
``reporting/labels/dictionary.yml``, and a zh display shows a translation only while its English text matches;
the English frame (what ``data_dictionary.csv`` saves) is never changed."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from bankcrm_research.data.overview import dictionary_frame
from bankcrm_research.data.schemas import SCHEMAS
from bankcrm_research.reporting import dictionary_display
from bankcrm_research.reporting.dictionary import DICT_PREFIX, UNIT_PREFIX
from bankcrm_research.reporting.labels import load_labels

CJK = re.compile(r"[\u4e00-\u9fff]")
YML = "bankcrm_research/reporting/labels/dictionary.yml"


def test_every_schema_column_has_a_current_chinese_meaning():
    """``dict.<table>.<column>`` exists for every column of every schema, with ``en`` equal to the schema's
    description word for word and a Chinese ``zh``; a description edited without its translation fails here."""
    labels = load_labels(strict=True)
    problems, n = [], 0
    for table, schema in SCHEMAS.items():
        for col in schema.columns:
            n += 1
            key = f"{DICT_PREFIX}{table}.{col.name}"
            entry = labels.get(key)
            if entry is None:
                problems.append(f"{table}.{col.name} has no entry {key!r} in {YML}; add "
                                f"`{key}: {{en: {col.description!r}, zh: <Chinese>}}`")
            elif entry["en"] != col.description:
                problems.append(f"{table}.{col.name}: the description in data/schemas.py changed; in {YML} set "
                                f"{key}.en to {col.description!r} (was {entry['en']!r}) and update its zh translation")
            elif not CJK.search(entry["zh"]):
                problems.append(f"{table}.{col.name}: {key}.zh in {YML} has no Chinese: {entry['zh']!r}")
    assert n > 100  # all six tables were walked
    assert not problems, "\n".join(problems)


def test_every_unit_has_a_chinese_entry():
    labels = load_labels(strict=True)
    known = {e["en"] for k, e in labels.items() if k.startswith(UNIT_PREFIX)}
    used = {(t, c.name, c.unit) for t, s in SCHEMAS.items() for c in s.columns if c.unit}
    missing = sorted({u for _, _, u in used} - known)
    assert not missing, (f"units without an entry in {YML}: {missing} (used by "
                         f"{sorted(f'{t}.{n}' for t, n, u in used if u in missing)}); add "
                         f"`dict_unit.<slug>: {{en: <the unit text>, zh: <Chinese>}}`")
    dead = sorted(known - {u for _, _, u in used})
    assert not dead, f"unit entries in {YML} that no schema column uses any more: {dead}; remove them"


def test_no_translation_for_a_column_that_is_gone():
    live = {f"{DICT_PREFIX}{t}.{c.name}" for t, s in SCHEMAS.items() for c in s.columns}
    dead = sorted(k for k in load_labels(strict=True) if k.startswith(DICT_PREFIX) and k not in live)
    assert not dead, f"entries in {YML} without a column in data/schemas.py: {dead}; remove them"


def test_zh_display_is_chinese_and_a_stale_translation_shows_english():
    frame = pd.concat([dictionary_frame(k) for k in SCHEMAS], ignore_index=True)
    before = frame.copy()
    zh = dictionary_display(frame, "zh")
    pd.testing.assert_frame_equal(frame, before)  # the saved (English) frame is untouched
    assert list(zh.columns) == list(frame.columns) and len(zh) == len(frame)
    assert zh["meaning"].map(lambda s: bool(CJK.search(s))).all(), zh.loc[~zh["meaning"].str.contains("[\u4e00-\u9fff]")]
    nim = zh[(zh["table"] == "bank_panel") & (zh["column"] == "nim")].iloc[0]
    assert nim["meaning"] == "净息差" and nim["unit"] == "%"
    mmf = zh[(zh["table"] == "macro_monthly") & (zh["column"] == "mmf_yield_7d")].iloc[0]
    assert "七日年化收益率" in mmf["meaning"]
    assert zh.loc[zh["unit"] == "亿元", "column"].tolist()[:2] == ["total_assets", "deposits"]
    assert not (zh["unit"] == "CNY 100m (亿元)").any() and (zh["unit"] == "").sum() == (frame["unit"] == "").sum()
    for col in ("table", "column", "type", "allowed", "key", "required"):  # names, codes and ranges stay
        pd.testing.assert_series_equal(zh[col], frame[col])
    # an edited description (or unit) without its translation: English, not the old Chinese
    edited = frame.copy()
    edited.loc[0, "meaning"] = "bank identifier, edited"
    edited.loc[4, "unit"] = "CNY 1bn"
    shown = dictionary_display(edited, "zh")
    assert shown.loc[0, "meaning"] == "bank identifier, edited" and shown.loc[4, "unit"] == "CNY 1bn"
    assert CJK.search(shown.loc[1, "meaning"])
    # a column of another table with the same name has its own text
    ids = shown[shown["column"] == "customer_id"].set_index("table")["meaning"]
    assert ids["customers"] != ids["transactions"] and ids["transactions"] == ids["survey"]


def test_en_display_is_the_frame_itself():
    frame = dictionary_frame("customers")
    assert dictionary_display(frame, "en") is frame


def test_language_defaults_to_the_notebook_language(monkeypatch):
    from bankcrm_research.reporting import labels

    frame = dictionary_frame("bank_panel")
    monkeypatch.setitem(labels._state, "lang", "zh")
    assert dictionary_display(frame).loc[0, "meaning"] == load_labels()["dict.bank_panel.bank_id"]["zh"]
    monkeypatch.setitem(labels._state, "lang", "en")
    assert dictionary_display(frame) is frame


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="DataFrame"):
        dictionary_display([{"table": "x"}], "zh")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['meaning'\]"):
        dictionary_display(pd.DataFrame({"table": [], "column": []}), "zh")
    with pytest.raises(ValueError, match="lang"):
        dictionary_display(dictionary_frame("survey"), "fr")
    empty = dictionary_display(pd.DataFrame(columns=["table", "column", "unit", "meaning"]), "zh")
    assert empty.empty
