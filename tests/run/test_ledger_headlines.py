"""Run ledger (append-only history) and the headline rows of index.html: formats, CIs, flags, zh."""

from __future__ import annotations

import csv
import multiprocessing as mp
import re

from bankcrm_research.run.export import remote_references
from bankcrm_research.run.headlines import format_value, headline_rows, select_keys, sparkline_svg
from bankcrm_research.run.index_page import render_index
from bankcrm_research.run.ledger import (
    COLUMNS,
    LedgerRow,
    append_ledger,
    ci_of,
    headline_keys,
    input_digest,
    ledger_rows,
    read_ledger,
)


def _run(run_id, sha="aa", status="succeeded", lang="en"):
    return {"run_id": run_id, "status": status, "finished": f"2026-01-0{run_id[-1]}T00:00:00Z",
            "git": {"commit": "c0ffee"}, "inputs": [{"path": "/x/a.csv", "role": "bundled", "sha256": sha}],
            "options": {"lang": lang},
            "notebooks": [{"name": "01_x", "title": "01 · X", "status": status, "outputs": {"html": "01_x.html"}}]}


def test_ci_of_and_headline_keys():
    m = {"a": 1.0, "a.ci_low": 0.5, "a.ci_high": 1.5, "did_estimate": 2.0, "did_ci_low": 1.0, "did_ci_high": 3.0,
         "b": 1, "b.ci_low": 0.0, "headline.z": 3, "findings.1": "s", "skipped.x": "s", "auto.k": 1}
    assert ci_of(m, "a") == (0.5, 1.5)
    assert ci_of(m, "did_estimate") == (1.0, 3.0)  # <stem>_ci_low beside <stem>_estimate
    assert ci_of(m, "b") == (None, None)  # one bound only: no CI
    assert headline_keys(m, ["a", "missing", "findings.1"]) == ["a"]
    assert headline_keys(m) == ["headline.z"]  # nothing declared: headline* keys


def test_input_digest_ignores_location_but_not_content():
    a = [{"path": "/one/x.csv", "role": "bundled", "sha256": "11"}]
    b = [{"path": "/two/x.csv", "role": "bundled", "sha256": "11"}]
    c = [{"path": "/one/x.csv", "role": "bundled", "sha256": "12"}]
    assert input_digest(a) == input_digest(b) != input_digest(c)
    assert re.fullmatch(r"[0-9a-f]{64}", input_digest(a))


def _append_many(args):
    folder, k = args
    rows = [LedgerRow(f"r{k}", "t", "c", "s", "nb", f"m{j}", float(j)) for j in range(50)]
    append_ledger(folder, rows)


def test_ledger_appends_atomically_from_concurrent_processes(tmp_path):
    with mp.get_context("spawn").Pool(4) as pool:
        pool.map(_append_many, [(str(tmp_path), k) for k in range(8)])
    text = (tmp_path / "ledger.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == ",".join(COLUMNS) and lines.count(lines[0]) == 1  # header exactly once
    rows = read_ledger(tmp_path)
    assert len(rows) == 8 * 50
    # each run's rows are contiguous: no interleaving
    order = [r.run_id for r in rows]
    assert sum(1 for a, b in zip(order, order[1:]) if a != b) == 7


def test_ledger_rows_only_numeric_headlines_of_succeeded_notebooks(tmp_path):
    run = _run("r1")
    run["notebooks"].append({"name": "02_bad", "status": "failed"})
    metrics = {"01_x": {"est": 1.5, "est.ci_low": 1.0, "est.ci_high": 2.0, "top": "speed", "nan": None, "ok": True},
               "02_bad": {"est": 9.0}}
    rows = ledger_rows(run, metrics, {"01_x": ["est", "top", "nan", "ok"], "02_bad": ["est"]})
    assert [(r.notebook, r.metric, r.value, r.ci_low, r.ci_high) for r in rows] == [("01_x", "est", 1.5, 1.0, 2.0)]
    append_ledger(tmp_path, rows)
    with open(tmp_path / "ledger.csv", encoding="utf-8") as fh:
        rec = list(csv.DictReader(fh))
    assert rec[0]["git_commit"] == "c0ffee" and rec[0]["input_sha256"] == input_digest(run["inputs"])
    assert read_ledger(tmp_path) == rows


def test_format_value_uses_labels_units_p_and_shares():
    assert format_value("headline.customers", 20000, "en") == "20,000 customers"
    assert format_value("headline.customers", 20000, "zh") == "20,000 人"
    assert format_value("headline.churn_rate_window", 0.4113, "en") == "41.1 %"
    assert format_value("pretrend_p_value", 1.5e-10, "en") == "p < 0.001"
    assert format_value("pretrend_p_value", 0.6134, "en") == "p = 0.613"
    assert format_value("clv_total", 569082743.3287184, "en").startswith("569,082,743")
    assert format_value("sem_proper", True, "zh") == "是"
    assert format_value("x", None, "en") == "—"


def test_select_keys_caps_but_keeps_every_declared_key():
    m = {f"k{i}": i for i in range(12)}
    keys, more = select_keys(m, [f"k{i}" for i in range(10)])
    assert keys == [f"k{i}" for i in range(10)] and more == 2


def test_history_change_and_flags():
    ledger = [LedgerRow("r1", "t1", "c", "aa", "01_x", "est", 1.0, 0.9, 1.1),
              LedgerRow("r2", "t2", "c", "aa", "01_x", "est", 1.05, 0.95, 1.15)]
    # r3 is inside r2's CI, same data: no flag
    rows, _ = headline_rows("01_x", {"est": 1.1}, ["est"], ledger=ledger, run_id="r3", input_sha256="aa")
    assert rows[0].flags == () and rows[0].change.startswith("+") and "<svg" in rows[0].spark
    # outside the previous CI and new data: both flags
    rows, _ = headline_rows("01_x", {"est": 2.0}, ["est"], ledger=ledger, run_id="r3", input_sha256="bb")
    assert rows[0].flags == ("outside_ci", "input_changed")
    # a run already in the ledger compares with the run before it
    rows, _ = headline_rows("01_x", {"est": 1.05}, ["est"], ledger=ledger, run_id="r2", input_sha256="aa")
    assert rows[0].change == "+0.05" and rows[0].flags == ()
    first, _ = headline_rows("01_x", {"est": 1.0}, ["est"], ledger=[], run_id="r1")
    assert first[0].spark == "" and first[0].change == ""


def test_sparkline_is_inline_svg_scaled_to_the_box():
    svg = sparkline_svg([1.0, 3.0, 2.0], width=100, height=20)
    pts = re.search(r'points="([^"]+)"', svg).group(1).split()
    ys = [float(p.split(",")[1]) for p in pts]
    assert len(pts) == 3 and min(ys) >= 0 and max(ys) <= 20 and ys[1] < ys[0]  # higher value is drawn higher
    assert sparkline_svg([1.0]) == ""


def test_index_opens_with_findings_then_labelled_headlines_and_skipped_sections():
    run = _run("r2")
    metrics = {"01_x": {"findings.2": "Second finding.", "findings.1": "First finding.",
                        "pretrend_p_value": 0.0004, "est": 1.5, "est.ci_low": 1.2, "est.ci_high": 1.8,
                        "skipped.survival": "Survival: no churn date. To run it: set churn_date_column.",
                        "auto.bins": 20}}
    page = render_index(run, metrics, {"01_x": ["est", "pretrend_p_value"]},
                        [LedgerRow("r1", "t", "c", "zz", "01_x", "est", 1.0, 0.9, 1.1)])
    assert page.index("Findings") < page.index("First finding.") < page.index("Second finding.") \
        < page.index('title="est"') < page.index("Skipped sections") < page.index("Provenance")
    assert "[1.20, 1.80]" in page and "p &lt; 0.001" in page and "Joint test of pre-trends, p-value" in page
    assert "Survival: no churn date." in page
    assert "outside the previous run&#x27;s 95% CI" in page and "input data changed" in page
    assert "findings.1" not in page and "est.ci_low" not in page and "skipped.survival" not in page
    assert remote_references(page) == [] and "<script" not in page


def test_index_without_findings_says_so_and_zh_has_chinese_headings():
    page = render_index(_run("r1"), {"01_x": {"x": 1}})
    assert "no findings recorded" in page
    zh = render_index(_run("r1", lang="zh"), {"01_x": {"findings.1": "指数每增加一点，净息差下降。",
                                                       "headline.customers": 20000}})
    for word in ("主要发现", "指标", "来源与可复现信息", "全部 1 个笔记本运行成功。", "20,000 人", "客户数"):
        assert word in zh, word
    assert "指数每增加一点，净息差下降。" in zh
    for english in (">Findings<", ">Provenance<", ">Metric<", "no findings recorded"):
        assert english not in zh, english
    assert '<html lang="zh-CN">' in zh


def test_recorded_findings_order_and_malformed_keys():
    from bankcrm_research.run.headlines import recorded_findings

    m = {"findings.10": "ten", "findings.2": "two", "findings.1": "one", "findings.x": "odd", "findings.3": ""}
    assert recorded_findings(m) == ["one", "two", "ten", "odd"]
