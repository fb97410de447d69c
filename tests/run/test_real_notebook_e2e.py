"""One end-to-end check on a real notebook (00_data_overview, ~10 s): the findings page, reader-mode
HTML and the ledger work on the suite's own output, not only on the fixtures."""

from __future__ import annotations

import re

import pytest

from bankcrm_research.data.paths import PROJECT_ROOT
from bankcrm_research.run.ledger import read_ledger
from bankcrm_research.run.runner import run_notebooks

pytestmark = pytest.mark.xdist_group("runner_kernels")


def test_data_overview_end_to_end(tmp_path):
    if not (PROJECT_ROOT / "notebooks" / "00_data_overview.ipynb").exists():
        pytest.skip("notebooks/00_data_overview.ipynb not in this checkout")
    res = run_notebooks(["00"], output_dir=tmp_path, progress=False)
    assert res.ok, res.notebooks[0].error
    index = (res.run_dir / "index.html").read_text(encoding="utf-8")
    findings = index.split("<h2>", 2)[1]  # the Findings section comes first
    assert findings.startswith("Findings</h2>") and "00_data_overview" in findings
    # labelled headline with its unit from labels/metrics_00.yml, no raw key as a label
    assert re.search(r'<td title="headline.churn_rate_window">Customers leaving in the study window</td>'
                     r'<td class="num">[0-9.]+ %</td>', index)
    assert ">headline.churn_rate_window<" not in index
    page = (res.run_dir / "00_data_overview.html").read_text(encoding="utf-8")
    assert "PosixPath(" not in page and "ipykernel_" not in page and str(tmp_path) not in page
    assert '<details class="bk-code"><summary>show code</summary>' in page and "bk-params" in page
    rows = read_ledger(tmp_path)
    assert {r.metric for r in rows} >= {"headline.churn_rate_window"}
    assert all(r.run_id == res.run_id for r in rows)
