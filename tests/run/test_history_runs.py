"""Scheduled runs, share-safe folders and a real browser, on the tiny fixture notebook (real kernels).

One module-scoped sequence (~45 s on 2 cores):

1. ``first``:  ok_metrics with its defaults;
2. ``second``: the same again -> same numbers, no flag;
3. ``third``:  ``loc=1`` after an input file changed -> flagged outside the previous 95 % CI and
   "input data changed";
4. ``safe``:   ``--share-safe --lang zh`` into its own folder (run concurrently with 1).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from bankcrm_research.data.paths import PROJECT_ROOT
from bankcrm_research.run.ledger import COLUMNS, read_ledger
from bankcrm_research.run.runner import run_notebooks

pytestmark = pytest.mark.xdist_group("runner_kernels")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
HEADLINES = ["x.mean", "x.share_positive", "x.n"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    (data / "bank_panel.csv").write_text("bank_id,year\nB001,2012\n", encoding="utf-8")
    reports = tmp_path_factory.mktemp("reports")
    safe_reports = tmp_path_factory.mktemp("safe_reports")
    common = dict(notebooks_folder=FIXTURES, progress=False, cell_timeout=120,
                  kernel_start_timeout=300)  # a busy shared machine can take over a minute to start a kernel
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BANKCRM_DATA_DIR", str(data))
        with ThreadPoolExecutor(2) as pool:
            f_safe = pool.submit(run_notebooks, ["ok_metrics"], lang="zh", share_safe=True,
                                 output_dir=safe_reports, **common)
            first = run_notebooks(["ok_metrics"], output_dir=reports, **common)
            safe = f_safe.result()
        second = run_notebooks(["ok_metrics"], output_dir=reports, **common)
        (data / "bank_panel.csv").write_text("bank_id,year\nB001,2012\nB002,2013\n", encoding="utf-8")
        third = run_notebooks(["ok_metrics"], output_dir=reports, overrides=["loc=1"], **common)
    return {"reports": reports, "safe_reports": safe_reports, "first": first, "second": second,
            "third": third, "safe": safe, "data": data}


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_each_successful_run_appends_its_headlines_to_the_ledger(runs):
    for key in ("first", "second", "third", "safe"):
        assert runs[key].ok, key
    lines = (runs["reports"] / "ledger.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(COLUMNS) and len(lines) == 1 + 3 * len(HEADLINES)
    rows = read_ledger(runs["reports"])
    ids = [runs[k].run_id for k in ("first", "second", "third")]
    assert [r.run_id for r in rows] == [i for i in ids for _ in HEADLINES]
    assert [r.metric for r in rows[:3]] == HEADLINES
    by = {(r.run_id, r.metric): r for r in rows}
    assert by[(ids[0], "x.mean")].value == by[(ids[1], "x.mean")].value  # same seed, same number
    assert by[(ids[0], "x.mean")].ci_low < by[(ids[0], "x.mean")].value < by[(ids[0], "x.mean")].ci_high
    assert by[(ids[2], "x.mean")].value > by[(ids[1], "x.mean")].ci_high  # loc=1 moved it
    shas = [by[(i, "x.mean")].input_sha256 for i in ids]
    assert shas[0] == shas[1] != shas[2]
    rec = _json(runs["third"].run_dir / "run.json")
    assert rows[-1].git_commit == (rec["git"]["commit"] or "") and rec["input_sha256"] == shas[2]
    assert rows[-1].finished_utc == rec["finished"]


def test_index_shows_history_change_and_flags(runs):
    second = (runs["second"].run_dir / "index.html").read_text(encoding="utf-8")
    third = (runs["third"].run_dir / "index.html").read_text(encoding="utf-8")
    assert "outside the previous run" not in second and "input data changed" not in second
    assert "±0" in second
    row = re.search(r'<tr><td title="x.mean">.*?</tr>', third).group(0)
    assert row.count("<svg") == 1 and len(re.search(r'points="([^"]+)"', row).group(1).split()) == 3
    assert "outside the previous run&#x27;s 95% CI" in row and "input data changed" in row
    assert re.search(r">\+[0-9.]+<span", row)  # the change since the last run


def test_run_json_records_findings_auto_and_skipped(runs):
    nb = _json(runs["first"].run_dir / "run.json")["notebooks"][0]
    assert nb["auto"] == {"bins": 20}
    assert set(nb["skipped"]) == {"survival"} and "no churn date" in nb["skipped"]["survival"]
    assert len(nb["findings"]) == 2 and nb["findings"][0].startswith("The mean of x is")
    assert nb["headline"] == HEADLINES
    metrics = _json(runs["first"].run_dir / "ok_metrics" / "metrics.json")
    assert metrics["findings.1"] == nb["findings"][0] and "x.mean.ci_low" in metrics  # unchanged format
    page = (runs["first"].run_dir / "index.html").read_text(encoding="utf-8")
    assert page.index("The mean of x is") < page.index('title="x.mean"') < page.index("no churn date")


def test_notebook_page_is_in_reader_mode(runs):
    page = (runs["first"].run_dir / "ok_metrics.html").read_text(encoding="utf-8")
    assert "PosixPath" not in page and "/tmp/ipykernel" not in page and "ipykernel_" not in page
    assert '<details class="bk-warnings"><summary>Warnings (1)</summary>' in page
    assert "UserWarning: fixture warning for the reader-mode test (In [" in page
    assert '<details class="bk-code"><summary>show code</summary>' in page
    assert "Parameters (5)" in page and "seed = 7" not in page


def _text_outside_images(html: str) -> str:
    return re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+", "", html)


def test_share_safe_folder_has_no_code_paths_or_rows(runs):
    safe = runs["safe"].run_dir
    files = [p for p in safe.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix == ".ipynb"]
    assert not [p for p in runs["safe_reports"].iterdir() if p.name.endswith(".executed")]
    html = _text_outside_images((safe / "ok_metrics.html").read_text(encoding="utf-8"))
    source = nbformat.read(str(FIXTURES / "ok_metrics.ipynb"), as_version=4)
    code_lines = [ln.strip() for c in source.cells if c.cell_type == "code" for ln in c.source.splitlines()
                  if len(ln.strip()) >= 10]
    leaked = [ln for ln in code_lines if _html_unescape(ln) in _html_unescape(html)]
    assert leaked == [], leaked
    assert "jp-Editor jp-InputArea-editor" not in html and "show all code" not in html
    assert "C000001" not in html  # row-level customer data refused
    assert "警告 (2)" in html and "warnings.warn(" not in html  # ShareSafeWarning + the fixture warning
    roots = {str(runs["safe_reports"]), str(PROJECT_ROOT), str(FIXTURES), sys.prefix, str(Path.home()),
             "/tmp/ipykernel", str(runs["data"])}
    for name in ("ok_metrics.html", "index.html", "run.json"):
        text = _text_outside_images((safe / name).read_text(encoding="utf-8"))
        found = [r for r in roots if r in text]
        assert found == [], (name, found)
    index = (safe / "index.html").read_text(encoding="utf-8")
    assert "主要发现" in index and "来源与可复现信息" in index and '<html lang="zh-CN">' in index


def _html_unescape(s: str) -> str:
    import html

    return html.unescape(s)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.refs.append(value)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.parametrize("page", ["index.html", "ok_metrics.html"])
def test_pages_render_in_headless_chromium_without_console_errors_or_broken_links(runs, page, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("headless Chromium not installed (Debian package 'chromium'); install it to run the browser check")
    path = runs["third"].run_dir / page
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--enable-logging=stderr", "--v=0", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [ln for ln in proc.stderr.splitlines() if ":CONSOLE" in ln]
    assert console == [], console
    dom = proc.stdout
    assert "<body" in dom and len(dom) > 1000
    parser = _Refs()
    parser.feed(dom)
    local = []
    for ref in parser.refs:
        parts = urlsplit(ref)
        if parts.scheme in ("http", "https", "data", "mailto", "javascript") or ref.startswith("#"):
            continue
        target = (path.parent / unquote(parts.path)).resolve() if parts.scheme != "file" else Path(unquote(parts.path))
        local.append(target)
        assert target.exists(), f"{page}: broken local link {ref!r}"
    if page == "index.html":
        assert len(local) >= 5  # report, notebook, tables, figures, metrics.json, run.json
