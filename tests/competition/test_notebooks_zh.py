"""``--lang zh`` on notebooks 01 and 06: headings, narrative, notes, table headers and figure text in Chinese.

One run of both notebooks in Chinese through the runner (``bankcrm_research.run.run_notebooks``, so the
saved HTML pages are the ones a reader opens), on copies of the notebooks with one extra cell after the
parameters that records the text artists (titles, axis labels, tick labels, legends) of every figure passed
to ``save_figure`` into ``figure_texts.json``. Bootstrap counts are small (the numbers are not checked here);
the run takes ~30-60 s.

"English" below means a Latin word of two or more letters that is not a name, an acronym, a file or a
variable name (those stay as they are in Chinese text: ``bank_id``, ``Callaway–Sant'Anna``, ``GMM``).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from bankcrm_research.reporting.labels import label, load_labels
from bankcrm_research.run.runner import run_notebooks

pytestmark = pytest.mark.xdist_group("runner_kernels")

ROOT = Path(__file__).resolve().parents[2]
NB01, NB06 = "01_internet_finance_competition", "06_competition_mechanisms"
FAST = {"06:bootstrap_reps": 99, "06:threshold_bootstrap_reps": 29, "06:band_reps": 0}

COLLECT_FIGURE_TEXT = '''\
import json as _json
import bankcrm_research.reporting as _reporting
import bankcrm_research.reporting.outputs as _outputs
from matplotlib.text import Text as _Text
_save_figure = _outputs.save_figure
def _save_and_record(fig, name, **kw):  # test instrumentation, not part of the notebook
    path = _save_figure(fig, name, **kw)  # drawn: tick labels exist now
    store = _outputs.output_dir() / "figure_texts.json"
    texts = _json.loads(store.read_text(encoding="utf-8")) if store.exists() else {}
    texts[name] = sorted({t.get_text() for t in fig.findobj(_Text) if t.get_visible() and t.get_text().strip()})
    store.write_text(_json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    return path
_outputs.save_figure = _reporting.save_figure = _save_and_record
'''

# names, acronyms and words that stay Latin in Chinese text
ALLOWED = set("""
OLS GMM DiD TWFE ATT AR KMO PCA CRV CRV1 WCR LR SE CI Spearman Pearson Hansen Bartlett Mundlak Callaway Sant Anna
Sun Abraham Gardner Arellano Bond Blundell Windmeijer Roodman Nickell Guo Shen Qiu Huang Ji Bai delta fixest pyfixest
did2s plm phtest linearmodels P2P PKU CSV Excel Parquet SHIBOR Yu ebao json truth py
""".split())
CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"`[^`]*`")
IDENT = re.compile(r"[A-Za-z0-9]+(?:[_.][A-Za-z0-9]+)+|[A-Za-z]+\(\S*?\)")  # bank_id, truth.json, e.g. AR(2)
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


def english_words(text: str) -> list[str]:
    """Latin words in ``text`` that are not code, identifiers, names or acronyms."""
    text = IDENT.sub(" ", CODE.sub(" ", text))
    return [w for w in WORD.findall(text) if w.strip("'’") not in ALLOWED and w.split("'")[0] not in ALLOWED]


def cjk_share(text: str) -> float:
    """CJK characters over CJK characters plus letters of English words (code, numbers, names excluded)."""
    n_cjk = len(CJK.findall(text))
    n_latin = sum(len(w) for w in english_words(text))
    return n_cjk / max(n_cjk + n_latin, 1)


def _copy_with_collector(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name in (NB01, NB06):
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
        cell = nbformat.v4.new_code_cell(COLLECT_FIGURE_TEXT)
        cell.id = "test-figure-text"
        nb.cells.insert(at + 1, cell)
        nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory):  # noqa: ANN001, ANN201
    tmp = tmp_path_factory.mktemp("nb01_06_zh")
    _copy_with_collector(tmp / "notebooks")
    res = run_notebooks([NB01, NB06], notebooks_folder=tmp / "notebooks", output_dir=tmp / "reports", lang="zh",
                        overrides=FAST, progress=False, update_latest=False)
    assert res.ok, [r.error for r in res.notebooks]
    return res.run_dir


def _executed(run_dir: Path, name: str) -> nbformat.NotebookNode:
    return nbformat.read(run_dir / f"{name}.ipynb", as_version=4)


def _prose(nb: nbformat.NotebookNode) -> list[str]:
    """Paragraphs a reader sees from code cells: rendered Markdown and printed lines (not tables, not stderr)."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if o.get("output_type") == "stream" and o.get("name") == "stdout":
                out += [ln for ln in o["text"].splitlines() if ln.strip()]
            elif "text/markdown" in o.get("data", {}):
                out += [p for p in re.split(r"\n\s*\n|\n(?=[-#] )", o["data"]["text/markdown"]) if p.strip()]
    return out


@pytest.mark.parametrize("name, n_headings", [(NB01, 11), (NB06, 8)])
def test_headings_are_chinese_and_no_english_markdown_survives(zh_run, name, n_headings):  # noqa: ANN001
    nb = _executed(zh_run, name)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    assert len(markdown) == 1, "only the introduction stays Markdown; methods text comes from the label files"
    headings = [p for p in _prose(nb) if p.startswith("#")]
    assert len(headings) >= n_headings, headings
    for h in headings:
        assert CJK.search(h) and not english_words(h), h
    assert "## 主要发现" in headings
    page = (zh_run / f"{name}.html").read_text(encoding="utf-8")
    page_headings = [html.unescape(re.sub(r"<[^>]+>", "", h)).strip(" ¶")
                     for h in re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", page, re.S)]
    # the title cell (metadata bankcrm.label) is swapped for its Chinese text in the HTML, as in 00, 02-05
    assert page_headings[0] == label(f"nb{name[:2]}_intro", "zh").splitlines()[0].lstrip("# ")
    assert nb.cells[0].metadata["bankcrm"]["label"] == f"nb{name[:2]}_intro"
    assert sum(h == page_headings[0] for h in page_headings) == 1  # shown once, not English + Chinese
    for h in page_headings:
        assert CJK.search(h) and not english_words(h), h
    text = html.unescape(page)
    for key, v in load_labels().items():  # no English method paragraph on the page
        if key.startswith(("nb01_text_", "nb06_text_")):
            assert v["en"][:60] not in text, key


@pytest.mark.parametrize("name", [NB01, NB06])
def test_narrative_and_notes_are_chinese(zh_run, name):  # noqa: ANN001
    prose = _prose(_executed(zh_run, name))
    assert cjk_share("\n".join(prose)) > 0.95, [p for p in prose if english_words(p)]
    for p in prose:  # no paragraph or printed note left in English
        assert CJK.search(p) or len(english_words(p)) < 2, p


def test_findings_are_chinese(zh_run):  # noqa: ANN001
    for name in (NB01, NB06):
        metrics = json.loads((zh_run / name / "metrics.json").read_text(encoding="utf-8"))
        findings = [v for k, v in metrics.items() if k.startswith("findings.")]
        assert 2 <= len(findings) <= 5
        assert all(cjk_share(f) > 0.9 for f in findings), findings


LABEL_KEY = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")  # demand_deposit_share, twoway_fe_by_bank_type


@pytest.mark.parametrize("name", [NB01, NB06])
def test_table_headers_in_the_saved_html_are_chinese(zh_run, name):  # noqa: ANN001
    page = (zh_run / f"{name}.html").read_text(encoding="utf-8")
    headers = {html.unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)}
    assert len(headers) > 20
    bad = sorted(h for h in headers if english_words(h) or LABEL_KEY.match(h) or (h and not CJK.search(h)
                                                                             and h not in {"R²"}))
    assert not bad, bad


@pytest.mark.parametrize("name", [NB01, NB06])
def test_table_cells_show_no_raw_names(zh_run, name):  # noqa: ANN001
    """Names inside the shown tables (models, terms, outcomes, tests) are labelled, not snake_case keys."""
    raw = set()
    for cell in _executed(zh_run, name).cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            table = o.get("data", {}).get("text/html", "")
            for td in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S):
                text = html.unescape(re.sub(r"<[^>]+>", "", td)).strip()
                if LABEL_KEY.match(text) or (english_words(text) and not CJK.search(text)):
                    raw.add(text)
    assert not raw, sorted(raw)


def test_every_figure_text_is_chinese(zh_run):  # noqa: ANN001
    keys = set(load_labels())
    for name, n_figures in ((NB01, 5), (NB06, 4)):
        figures = json.loads((zh_run / name / "figure_texts.json").read_text(encoding="utf-8"))
        assert len(figures) == n_figures, sorted(figures)
        for fig, texts in figures.items():
            assert any(CJK.search(t) for t in texts), (fig, texts)
            bad = [t for t in texts if english_words(t) or LABEL_KEY.match(t) or t in keys]
            assert not bad, (fig, bad)
