"""Full Chinese (issue 12, item 5): notebooks 00, 02, 03, 04 and 05 run with ``--lang zh`` on the bundled data,
once for the module, and are read as a Chinese reader would read them.

* Narrative (the title cell as the HTML shows it, every Markdown output and printed line): most letters are
  CJK, and every heading has Chinese in it.
* Table headers: none is a label key left untranslated or a humanised English key ("Df num"): a header
  without Chinese may only hold acronyms (AUC, CFI, ΔRMSEA) and symbols.
* Figure text (every text artist of every saved figure, collected by an IPython startup file in the test's
  kernels): the same rule, no untranslated label key, no English month names, and no axis with an offset
  text (the "1e6" that collided with the AUM label).
* The index: Chinese notebook titles, no English "To run it".
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from bankcrm_research.reporting.labels import label, load_labels
from bankcrm_research.run import run_notebooks
from bankcrm_research.run.reader import localized_markdown

NOTEBOOKS = ["00_data_overview", "02_deposit_migration", "03_satisfaction_drivers", "04_loyalty_churn",
             "05_segmentation_value"]
FAST = ["02_deposit_migration:irf_reps=50", "03_satisfaction_drivers:bootstrap_reps=100",
        "03_satisfaction_drivers:permutations=99", "03_satisfaction_drivers:micom_permutations=100",
        "03_satisfaction_drivers:process_bootstrap_reps=100", "04_loyalty_churn:n_boot=30"]
FIGURE_TEXT_ENV = "BANKCRM_TEST_FIGURE_TEXT_DIR"
# Runs in every kernel of the run (IPython startup file): after each savefig, the figure's visible texts and
# each axis's offset text go to <dir>/<notebook>__<figure>.json.
HOOK = '''
import json, os
from pathlib import Path
import matplotlib.figure as _figure
import matplotlib.text as _text
_savefig = _figure.Figure.savefig
def _savefig_and_record(self, fname, *args, **kwargs):
    out = _savefig(self, fname, *args, **kwargs)
    folder = os.environ.get("%s")
    if folder and isinstance(fname, (str, os.PathLike)):
        self.canvas.draw()
        record = {"texts": [t.get_text() for t in self.findobj(_text.Text) if t.get_visible() and t.get_text()],
                  "offsets": [ax.xaxis.get_offset_text().get_text() + "|" + ax.yaxis.get_offset_text().get_text()
                              for ax in self.axes]}
        name = os.environ.get("BANKCRM_NOTEBOOK", "notebook") + "__" + Path(fname).stem + ".json"
        (Path(folder) / name).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return out
_figure.Figure.savefig = _savefig_and_record
''' % FIGURE_TEXT_ENV

CJK = re.compile(r"[\u4e00-\u9fff]")
MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")


def _cjk_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(bool(CJK.match(c)) for c in letters) / max(len(letters), 1)


def _untranslated_key(text: str) -> bool:
    """A label key shown as itself although it has a Chinese label (e.g. ``value_tier``, ``IMAG``)."""
    entry = load_labels().get(text.strip())
    return entry is not None and entry["zh"] != entry["en"] and entry["zh"] != text.strip()


def _english(text: str) -> bool:
    """Text without Chinese that holds an English word (a run of 3+ letters that is not an acronym) or a
    snake_case key."""
    if CJK.search(text) or text.startswith("$"):  # mathtext ticks ($10^{-1}$) are symbols
        return False
    return bool(re.search(r"[a-z0-9]_[a-z]", text)) or any(not w.isupper() for w in re.findall(r"[A-Za-z]{3,}", text))


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("zh_report")
    startup = tmp / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-record-figure-text.py").write_text(HOOK, encoding="utf-8")
    figures = tmp / "figure_text"
    figures.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IPYTHONDIR", str(tmp / "ipython"))
        mp.setenv(FIGURE_TEXT_ENV, str(figures))
        mp.setenv("OMP_NUM_THREADS", "1")
        result = run_notebooks(NOTEBOOKS, lang="zh", overrides=FAST, output_dir=tmp / "reports", progress=False)
    return result, figures


def _narrative(run_dir: Path, name: str) -> tuple[str, list[str]]:
    """(all narrative text, the headings) of an executed notebook as its zh HTML shows it."""
    nb = nbformat.read(run_dir / f"{name}.ipynb", as_version=4)
    chunks = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown":
            chunks.append(localized_markdown(cell, "zh"))
        elif "parameters" not in tags and "injected-parameters" not in tags:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stdout":
                    chunks.append(out["text"])
                elif "text/markdown" in out.get("data", {}):
                    chunks.append(out["data"]["text/markdown"])
    text = "\n".join(chunks)
    headings = [ln for ln in text.splitlines() if re.match(r"^#{1,4} ", ln)]
    return text, headings


def _headers(run_dir: Path, name: str) -> set[str]:
    nb = nbformat.read(run_dir / f"{name}.ipynb", as_version=4)
    found = set()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            page = out.get("data", {}).get("text/html", "")
            for th in re.findall(r'<th [^>]*class="[^"]*col_heading[^"]*"[^>]*>(.*?)</th>', page, flags=re.S):
                found.add(html.unescape(re.sub(r"<[^>]+>", "", th)).strip())
    return {h for h in found if h}


def test_every_notebook_runs_in_chinese(zh_run):
    result, _ = zh_run
    assert [nb.name for nb in result.notebooks] == NOTEBOOKS
    assert result.status == "succeeded", [(nb.name, nb.error) for nb in result.failed]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_narrative_and_headings_are_chinese(zh_run, name):
    result, _ = zh_run
    text, headings = _narrative(result.run_dir, name)
    assert _cjk_share(text) > 0.6, (name, round(_cjk_share(text), 3))
    assert headings and headings[0].startswith("# ") and CJK.search(headings[0])  # the title cell, translated
    english = [h for h in headings if not CJK.search(h)]
    assert not english, english
    findings = [v for k, v in json.loads((result.run_dir / name / "metrics.json").read_text(encoding="utf-8")).items()
                if k.startswith("findings.")]
    assert findings and _cjk_share(" ".join(findings)) > 0.5, findings


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_table_headers_are_chinese(zh_run, name):
    result, _ = zh_run
    headers = _headers(result.run_dir, name)
    assert headers
    bad = sorted(h for h in headers if _untranslated_key(h) or _english(h))
    assert not bad, bad


def test_figure_text_is_chinese_and_no_axis_has_an_offset(zh_run):
    result, figures = zh_run
    records = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in figures.glob("*.json")}
    saved = {f"{nb}__{p.stem}" for nb in NOTEBOOKS for p in (result.run_dir / nb / "figures").glob("*.png")}
    assert saved and saved <= set(records), saved - set(records)  # every saved figure was read
    assert "04_loyalty_churn__partial_dependence" in records
    bad = {fig: [t for t in r["texts"] if _untranslated_key(t) or _english(t) or MONTHS.search(t)]
           for fig, r in records.items()}
    assert not {k: v for k, v in bad.items() if v}, {k: v for k, v in bad.items() if v}
    offsets = {fig: r["offsets"] for fig, r in records.items() if any(o != "|" for o in r["offsets"])}
    assert not offsets, offsets  # e.g. the "1e6" over the AUM axis label of the partial-dependence panel
    pd_texts = records["04_loyalty_churn__partial_dependence"]["texts"]
    # money axes in the panels (AUM when it is among the top features) are in millions, with the unit
    money = [t for t in pd_texts if t.startswith(label("aum", "zh").split("（")[0])]
    assert all(t == label("aum", "zh").replace("（元）", "（百万元）") for t in money), money


def test_index_speaks_chinese(zh_run):
    result, _ = zh_run
    page = (result.run_dir / "index.html").read_text(encoding="utf-8")
    for name in NOTEBOOKS:
        assert label(f"title.{name}", "zh") in page
    for english in ("Data overview", "Deposit migration", "Customer satisfaction drivers", "Loyalty and churn",
                    "Segmentation and customer value", "To run it"):
        assert english not in page, english
    assert os.path.getsize(result.run_dir / "00_data_overview.html") > 0


def test_data_dictionary_reads_in_chinese_and_its_csv_stays_english(zh_run):
    """Notebook 00's dictionary table shows the meanings of ``labels/dictionary.yml`` (a CJK share of its cells of
    0.30 against 0.04 when the meanings were English); ``data_dictionary.csv`` keeps the schemas' English."""
    result, _ = zh_run
    nb = nbformat.read(result.run_dir / "00_data_overview.ipynb", as_version=4)
    pages = [out.get("data", {}).get("text/html", "") for cell in nb.cells for out in cell.get("outputs", [])]
    table = next(p for p in pages if "churn_12m_after_fall" in p and "interest_expense" in p)
    cells = [html.unescape(re.sub(r"<[^>]+>", "", td)) for td in re.findall(r"<td [^>]*>(.*?)</td>", table, flags=re.DOTALL)]
    churned = load_labels()["dict.customers.churned"]
    assert churned["zh"] in cells and churned["en"] not in cells
    assert _cjk_share(" ".join(cells)) > 0.2, round(_cjk_share(" ".join(cells)), 3)
    saved = pd.read_csv(result.run_dir / "00_data_overview" / "tables" / "data_dictionary.csv", keep_default_na=False)
    assert churned["en"] in saved["meaning"].tolist() and not saved["meaning"].str.contains("[\u4e00-\u9fff]").any()
