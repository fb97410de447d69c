"""Chinese notes of the parameter table: every committed notebook's parameter comments are translated in
``reporting/labels/params.yml``, and a zh table shows a translation only while its English text matches."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

from bankcrm_research.reporting.labels import load_labels
from bankcrm_research.run.reader import _parse_cell, parameters_table, prepare_for_reader

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")
PARAMS_YML = "bankcrm_research/reporting/labels/params.yml"


def _parameters_source(path: Path) -> str:
    nb = nbformat.read(str(path), as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: expected one cell tagged 'parameters', found {len(cells)}"
    return cells[0].source


def test_all_seven_notebooks_are_checked():
    assert [p.name[:2] for p in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_comment_has_a_current_chinese_note(path):
    """Each non-empty comment (as the reader parses it) has ``param.<NN>.<name>`` with ``en`` equal to it
    word for word and a Chinese ``zh``; a comment edited without its translation fails here."""
    labels = load_labels(strict=True)
    nn = path.name[:2]
    params = _parse_cell(_parameters_source(path))
    assert params, f"{path.name}: the parameters cell parsed to nothing"
    problems = []
    for name, (_, comment) in params.items():
        if not comment:
            continue
        key = f"param.{nn}.{name}"
        entry = labels.get(key)
        if entry is None:
            problems.append(f"{path.name}: parameter {name!r} has no entry {key!r} in {PARAMS_YML}; add "
                            f"`{key}: {{en: <its comment>, zh: <Chinese>}}` with en = {comment!r}")
        elif entry["en"] != comment:
            problems.append(f"{path.name}: parameter {name!r}: the comment changed; in {PARAMS_YML} set {key}.en "
                            f"to {comment!r} (was {entry['en']!r}) and update its zh translation")
        elif not CJK.search(entry["zh"]):
            problems.append(f"{path.name}: parameter {name!r}: {key}.zh has no Chinese: {entry['zh']!r}")
    assert not problems, "\n".join(problems)


def test_no_translation_for_a_parameter_that_is_gone():
    """Every ``param.*`` entry still names a commented parameter of its notebook (no dead entries)."""
    live = {f"param.{p.name[:2]}.{name}" for p in NOTEBOOKS
            for name, (_, comment) in _parse_cell(_parameters_source(p)).items() if comment}
    dead = sorted(k for k in load_labels(strict=True) if k.startswith("param.") and k not in live)
    assert not dead, f"entries in {PARAMS_YML} without a commented parameter in the notebook: {dead}; remove them"


def _note_cells(table: str) -> dict[str, str]:
    rows = re.findall(r"<tr><td><code>([^<]+)</code></td><td>.*?</td><td>([^<]*)</td></tr>", table)
    return {html.unescape(name): html.unescape(note) for name, note in rows}


def test_zh_table_shows_the_chinese_note_and_english_for_a_stale_one():
    labels = load_labels()
    survey_en, reps_en = labels["param.03.survey_path"]["en"], labels["param.03.bootstrap_reps"]["en"]
    src = (f"# {survey_en}\nsurvey_path = None\n"
           f"bootstrap_reps = 500  # {reps_en}\n"
           "permutations = 100  # an edited comment without a translation\n"
           "seed = 1\n")
    injected = "# Parameters\nbootstrap_reps = 50\n"
    zh = _note_cells(parameters_table(src, injected, lang="zh", notebook="03_satisfaction_drivers"))
    assert zh["survey_path"] == labels["param.03.survey_path"]["zh"]
    assert "使用内置模拟问卷" in zh["survey_path"]
    assert zh["bootstrap_reps"] == labels["param.03.bootstrap_reps"]["zh"] + " · 本次运行设定"
    assert zh["permutations"] == "an edited comment without a translation"  # stale: English, not old zh
    assert zh["seed"] == ""
    # English, or no notebook named, or another notebook's number: the comments as written
    for table in (parameters_table(src, injected, lang="en", notebook="03_satisfaction_drivers"),
                  parameters_table(src, injected, lang="zh"),
                  parameters_table(src, injected, lang="zh", notebook="99_other")):
        notes = _note_cells(table)
        assert notes["survey_path"] == survey_en and notes["permutations"].startswith("an edited")
    assert _note_cells(parameters_table(src, lang="en", notebook="03"))["bootstrap_reps"] == reps_en
    # the same parameter name in another notebook has its own note
    assert labels["param.06.bootstrap_reps"]["en"] != reps_en
    other = _note_cells(parameters_table(f"bootstrap_reps = 999  # {labels['param.06.bootstrap_reps']['en']}\n",
                                         lang="zh", notebook="06_competition_mechanisms.ipynb"))
    assert other["bootstrap_reps"] == labels["param.06.bootstrap_reps"]["zh"]


def test_prepare_for_reader_passes_the_notebook_to_the_table():
    nb = nbformat.read(str(NOTEBOOKS[3]), as_version=4)
    zh = prepare_for_reader(nb, lang="zh", notebook=NOTEBOOKS[3].stem)
    cell = next(c for c in zh.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", []))
    notes = _note_cells(cell.outputs[0]["data"]["text/html"])
    assert notes["survey_path"] == load_labels()["param.03.survey_path"]["zh"]
    assert all(not n or CJK.search(n) for n in notes.values()), notes
    plain = prepare_for_reader(nb, lang="zh")  # no notebook named: the comments
    cell = next(c for c in plain.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", []))
    assert _note_cells(cell.outputs[0]["data"]["text/html"])["survey_path"].startswith("Survey file:")
