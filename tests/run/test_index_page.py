"""index.html: status banner, failures with a link to the failing cell, provenance, headlines."""

from __future__ import annotations

from bankcrm_research.run.export import remote_references
from bankcrm_research.run.index_page import render_index


def test_index_page_shows_failure_and_provenance():
    run = {
        "run_id": "20260101T000000Z-abc1234", "status": "failed", "started": "s", "finished": "f",
        "duration_s": 12.5, "options": {"lang": "en"},
        "git": {"commit": "deadbeef", "dirty": True}, "environment": {"python": "3.11.7", "packages": {"numpy": "2"}},
        "inputs": [{"path": "data/x.csv", "role": "bundled", "bytes": 3, "sha256": "ab" * 32}],
        "notebooks": [
            {"name": "01_ok", "status": "succeeded", "duration_s": 3.0, "parameters": {"seed": 1},
             "outputs": {"html": "01_ok.html", "ipynb": "01_ok.ipynb", "metrics": "01_ok/metrics.json",
                         "tables": ["01_ok/tables/a.csv"], "figures": []}},
            {"name": "02_bad", "status": "failed", "duration_s": 1.0, "parameters": {},
             "error": {"ename": "ValueError", "first_line": "column 'age' is missing", "cell_index": 4,
                       "execution_count": 3},
             "outputs": {"html": "02_bad.html", "ipynb": "02_bad.ipynb", "tables": [], "figures": []}},
        ],
    }
    metrics = {"01_ok": {**{f"a{i}": i for i in range(9)}, "did.estimate": 0.123456, "headline.nim_effect": -0.25}}
    page = render_index(run, metrics)
    assert page.index('title="headline.nim_effect"') < page.index('title="a0"')  # headline keys first
    assert "… 3 more in metrics.json" in page
    assert "Run failed: 1 of 2 notebooks succeeded" in page
    assert "ValueError: column &#x27;age&#x27; is missing" in page and "In [3]" in page
    assert '02_bad.html#papermill-error-cell' in page
    assert 'title="did.estimate"' not in page  # beyond the 8 headline slots
    assert "deadbeef" in page and "(uncommitted changes)" in page and "ab" * 32 in page
    assert remote_references(page) == []


def test_index_page_puts_declared_headline_metrics_first(tmp_path):
    """A notebook's metadata ``bankcrm.headline`` orders its numbers on index.html."""
    import json

    from bankcrm_research.run.notebooks import read_notebook_info

    nb_path = tmp_path / "07_x.ipynb"
    nb_path.write_text(json.dumps({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# 07 · X\n\nDoes z matter?"},
            {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "seed = 1",
             "outputs": [], "execution_count": None},
        ],
        "metadata": {"bankcrm": {"headline": ["z_effect", "not_recorded", "n"]}},
        "nbformat": 4, "nbformat_minor": 5,
    }), encoding="utf-8")
    info = read_notebook_info(nb_path)
    assert info.headline == ("z_effect", "not_recorded", "n")
    run = {"run_id": "r", "status": "succeeded", "notebooks": [
        {"name": "07_x", "status": "succeeded", "duration_s": 1.0, "outputs": {}}]}
    metrics = {"07_x": {"a": 1, "headline.b": 2, "n": 3, "z_effect": 4}}
    page = render_index(run, metrics, {"07_x": info.headline})
    # declared keys in their order, then other headline.* keys, then the rest; unknown keys ignored
    assert (page.index('title="z_effect"') < page.index('title="n"') < page.index('title="headline.b"')
            < page.index('title="a"'))
    assert "not_recorded" not in page

