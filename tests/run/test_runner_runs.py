"""End-to-end runs of the tiny fixture notebooks (real kernels; ~30 s on 2 cores).

One module-scoped sequence of runs into a temporary reports folder:

1. ``good``: ok_metrics + param_types (jobs=2) -> succeeded, ``latest`` points at it;
2. ``bad``:  ok_metrics + fail -> failed, ``latest`` untouched, outputs of ok_metrics
   byte-identical to run 1 (reproducibility);
3. ``safe``: ok_metrics with --lang zh --share-safe -> row-level table refused, code hidden;
4. ``timeout``: slow with a 2 s cell timeout -> failed, the timed-out cell identified.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bankcrm_research.run.export import remote_references
from bankcrm_research.run.runner import run_notebooks

pytestmark = pytest.mark.xdist_group("runner_kernels")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    # A private "bundled data" folder: the run hashes it, and nobody else rewrites it mid-test.
    data = tmp_path_factory.mktemp("data")
    (data / "bank_panel.csv").write_text("bank_id,year\nB001,2012\n", encoding="utf-8")
    (data / "README.md").write_text("documentation, not an input\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BANKCRM_DATA_DIR", str(data))
        mp.chdir(data)  # relative path parameters resolve against the caller's folder, not notebooks/
        yield {**_do_runs(tmp_path_factory), "data": data}


def _do_runs(tmp_path_factory):
    reports = tmp_path_factory.mktemp("reports")
    common = dict(output_dir=reports, notebooks_folder=FIXTURES, progress=False, cell_timeout=120)
    good = run_notebooks(["ok_metrics", "param_types"], jobs=2,
                         overrides=["param_types:years=[2020, 2021]", "param_types:spec={outcome: roa, fe: [bank_id]}",
                                    "title=银行客户满意度", "ratio=2", "as_of_date=1997-09-30",
                                    "param_types:customers_path=bank_panel.csv"], **common)
    bad = run_notebooks(["ok_metrics", "fail"], jobs=2, **common)
    # Two independent runs at once (also exercises concurrent runs sharing one reports folder).
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        f_safe = pool.submit(run_notebooks, ["ok_metrics"], lang="zh", share_safe=True, update_latest=False, **common)
        f_timeout = pool.submit(run_notebooks, ["slow"], **{**common, "cell_timeout": 2.0})  # float, as from the CLI
        safe, timeout = f_safe.result(), f_timeout.result()
    assert safe.run_dir != timeout.run_dir
    return {"reports": reports, "good": good, "bad": bad, "safe": safe, "timeout": timeout}


def _run_json(result):
    return json.loads((result.run_dir / "run.json").read_text(encoding="utf-8"))


def test_successful_run_moves_latest(runs):
    good = runs["good"]
    assert good.status == "succeeded" and good.exit_code == 0 and good.latest_updated
    latest = runs["reports"] / "latest"
    assert latest.is_symlink() and os.readlink(latest) == good.run_id


def test_failed_run_leaves_previous_latest_untouched(runs):
    bad = runs["bad"]
    assert bad.status == "failed" and bad.exit_code == 1 and not bad.latest_updated
    assert os.readlink(runs["reports"] / "latest") == runs["good"].run_id
    by_name = {n.name: n for n in bad.notebooks}
    assert by_name["ok_metrics"].status == "succeeded"  # the other notebook still ran


def test_failing_notebook_keeps_ipynb_and_html_with_error_and_link(runs):
    bad = runs["bad"]
    fail = {n.name: n for n in bad.notebooks}["fail"]
    assert fail.status == "failed"
    assert fail.error["ename"] == "ValueError"
    assert fail.error["first_line"] == "deliberate failure for tests (divisor=0)"
    assert fail.error["cell_index"] == 3 and fail.error["execution_count"] == 3
    html = (bad.run_dir / "fail.html").read_text(encoding="utf-8")
    assert 'id="papermill-error-cell"' in html and "deliberate failure for tests" in html
    assert "before the failure" in html  # cells before the error kept their output
    assert (bad.run_dir / "fail.ipynb").exists()
    index = (bad.run_dir / "index.html").read_text(encoding="utf-8")
    assert "ValueError: deliberate failure for tests (divisor=0)" in index
    assert "fail.html#papermill-error-cell" in index
    assert "Run failed: 1 of 2 notebooks succeeded" in index


def test_outputs_land_in_the_run_folder(runs):
    d = runs["good"].run_dir
    for rel in ("index.html", "run.json", "ok_metrics.ipynb", "ok_metrics.html", "ok_metrics/metrics.json",
                "ok_metrics/tables/summary.csv", "ok_metrics/tables/customer_scores.csv",
                "ok_metrics/figures/histogram.png", "param_types.html"):
        assert (d / rel).is_file(), rel
    metrics = json.loads((d / "ok_metrics" / "metrics.json").read_text())
    assert metrics["x.n"] == 200 and metrics["x.nan"] is None and isinstance(metrics["x.mean"], float)
    assert "x.mean" in (d / "index.html").read_text(encoding="utf-8")  # headline numbers on the index


def test_list_dict_and_chinese_parameters_reach_the_kernel(runs):
    m = json.loads((runs["good"].run_dir / "param_types" / "metrics.json").read_text(encoding="utf-8"))
    assert m["years"] == "[2020, 2021]"
    assert json.loads(m["spec"]) == {"outcome": "roa", "fe": ["bank_id"]}
    assert m["title"] == "银行客户满意度"
    assert m["ratio"] == 2 and m["flag"] is False and m["lang"] == "en"
    assert m["as_of_date"] == "1997-09-30"  # YAML read a date; the kernel gets the ISO string


def test_relative_path_parameter_is_resolved_against_the_callers_folder(runs):
    m = json.loads((runs["good"].run_dir / "param_types" / "metrics.json").read_text(encoding="utf-8"))
    data = runs["data"]
    assert m["customers_path"] == str(data / "bank_panel.csv")  # not notebooks/bank_panel.csv
    assert _run_json(runs["good"])["parameters"]["param_types"]["customers_path"] == str(data / "bank_panel.csv")


def test_kernel_is_this_interpreter_in_the_notebook_folder_with_one_blas_thread(runs):
    m = json.loads((runs["good"].run_dir / "param_types" / "metrics.json").read_text(encoding="utf-8"))
    assert Path(m["python"]).resolve() == Path(sys.executable).resolve()
    assert Path(m["cwd"]).resolve() == FIXTURES.resolve()
    assert m["omp_threads"] == "1"


def test_run_json_records_provenance(runs):
    rec = _run_json(runs["good"])
    assert rec["run_id"] == runs["good"].run_id and rec["status"] == "succeeded"
    assert rec["started"].endswith("Z") and rec["finished"].endswith("Z") and rec["duration_s"] > 0
    assert rec["parameters"]["param_types"]["title"] == "银行客户满意度"
    assert rec["options"]["jobs"] == 2
    nbs = {n["name"]: n for n in rec["notebooks"]}
    assert nbs["ok_metrics"]["status"] == "succeeded" and nbs["ok_metrics"]["duration_s"] > 0
    assert nbs["ok_metrics"]["outputs"]["figures"] == ["ok_metrics/figures/histogram.png"]
    assert nbs["param_types"]["effective_parameters"]["flag"] is False  # defaults recorded too
    assert nbs["param_types"]["effective_parameters"]["title"] == "银行客户满意度"
    git = rec["git"]
    assert len(git["commit"]) == 40 and isinstance(git["dirty"], bool)
    env = rec["environment"]
    assert env["python"] == sys.version.split()[0] and env["platform"]
    assert env["packages"]["papermill"] and env["packages"]["pandas"]
    import hashlib

    item, by_param = rec["inputs"]  # README.md is documentation, not an input
    assert Path(item["path"]).name == "bank_panel.csv" and item["role"] == "bundled"
    assert item["sha256"] == hashlib.sha256(b"bank_id,year\nB001,2012\n").hexdigest()
    assert by_param["role"] == "param_types.customers_path" and by_param["sha256"] == item["sha256"]
    assert rec["inputs_unchanged"] is True
    assert _run_json(runs["bad"])["notebooks"][1]["error"]["ename"] == "ValueError"


def test_reports_contain_no_remote_fetches(runs):
    for result in (runs["good"], runs["bad"], runs["safe"]):
        for html in result.run_dir.glob("*.html"):
            assert remote_references(html.read_text(encoding="utf-8")) == [], html.name


def test_same_parameters_give_byte_identical_outputs(runs):
    a = runs["good"].run_dir / "ok_metrics"
    b = runs["bad"].run_dir / "ok_metrics"
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert {str(f) for f in files} >= {"metrics.json", "tables/summary.csv", "figures/histogram.png"}
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_share_safe_refuses_row_level_tables_and_hides_code(runs):
    safe = runs["safe"]
    assert safe.status == "succeeded"
    d = safe.run_dir
    assert (d / "ok_metrics" / "tables" / "summary.csv").exists()
    assert not (d / "ok_metrics" / "tables" / "customer_scores.csv").exists()
    html = (d / "ok_metrics.html").read_text(encoding="utf-8")
    assert "row-level customer data and was not written" in html
    assert "rng = np.random.default_rng(seed)" not in html  # code cells hidden
    assert _run_json(safe)["parameters"]["ok_metrics"] == {"lang": "zh", "share_safe": True}
    # update_latest=False: latest still points at the good run
    assert os.readlink(runs["reports"] / "latest") == runs["good"].run_id


def test_zh_figure_differs_from_english(runs):
    zh = (runs["safe"].run_dir / "ok_metrics" / "figures" / "histogram.png").read_bytes()
    en = (runs["good"].run_dir / "ok_metrics" / "figures" / "histogram.png").read_bytes()
    assert zh != en


def test_cell_timeout_fails_that_cell(runs):
    res = runs["timeout"]
    slow = res.notebooks[0]
    assert res.status == "failed" and slow.status == "failed"
    assert slow.error["ename"] == "CellTimeoutError"
    assert "cell timeout (2.0 s)" in slow.error["first_line"]
    assert slow.error["cell_index"] == 2
    html = (res.run_dir / "slow.html").read_text(encoding="utf-8")
    assert 'id="papermill-error-cell"' in html and "CellTimeoutError" in html
    assert slow.duration_s < 60


def test_sigterm_marks_run_interrupted_and_keeps_latest(runs, tmp_path):
    reports = runs["reports"]
    before = os.readlink(reports / "latest")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bankcrm_research.cli", "run", "slow", "--output-dir", str(reports),
         "--notebooks-dir", str(FIXTURES), "--cell-timeout", "none", "--no-progress", "-p", "seconds=120"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        deadline = time.monotonic() + 60
        run_dir = None
        while time.monotonic() < deadline and run_dir is None:
            time.sleep(0.5)
            for d in reports.iterdir():
                log = d / "logs" / "slow.kernel.log"
                if d.is_dir() and not d.is_symlink() and d.name not in {r.run_id for k, r in runs.items() if k not in {"reports", "data"}} and log.exists():
                    run_dir = d
        assert run_dir is not None, "the run never started a kernel"
        time.sleep(3)  # let the kernel reach the sleeping cell
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=40)
        stopped_in = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert stopped_in < 30
    rec = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert rec["status"] == "interrupted" and rec["interrupted_by"] == "SIGTERM"
    assert rec["notebooks"][0]["status"] == "interrupted"
    assert "interrupted" in (run_dir / "index.html").read_text(encoding="utf-8")
    assert os.readlink(reports / "latest") == before


def test_index_links_point_at_existing_files(runs):
    import re

    d = runs["good"].run_dir
    index = (d / "index.html").read_text(encoding="utf-8")
    hrefs = [h.split("#")[0] for h in re.findall(r'href="([^"]+)"', index)]
    assert "ok_metrics.html" in hrefs and "run.json" in hrefs
    for href in hrefs:
        assert (d / href).exists(), href
