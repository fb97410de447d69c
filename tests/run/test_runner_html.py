"""HTML reports open offline: no script, stylesheet or module fetched from any CDN."""

from __future__ import annotations

import nbformat

from bankcrm_research.reporting.html import notebook_to_html, remote_references, render_index, strip_remote_resources

CDN_PAGE = """<html><head>
<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script>
<script type="text/javascript" src='//cdn.example.com/mathjax.js?config=TeX'></script>
<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
<style>/* see https://github.com/x/y */ @import url("https://cdn.example.com/a.css"); body{background:url(https://x.org/bg.png)}</style>
<script type="module">
  const { default: mermaid } = await import("https://cdnjs.cloudflare.com/ajax/libs/mermaid/11.10.0/mermaid.esm.min.mjs");
</script>
<script>var local = 1;</script>
</head><body><a href="https://example.org">a plain link is fine</a></body></html>"""


def test_remote_references_finds_every_kind_of_fetch():
    found = remote_references(CDN_PAGE)
    assert len(found) == 6, found


def test_strip_remote_resources_removes_fetches_and_keeps_the_rest():
    clean = strip_remote_resources(CDN_PAGE)
    assert remote_references(clean) == []
    assert "var local = 1;" in clean
    assert '<a href="https://example.org">' in clean


def test_exported_notebook_is_self_contained(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title\n\nSome *text* and $x^2$."),
        nbformat.v4.new_code_cell("1 + 1", outputs=[nbformat.v4.new_output(
            "display_data", data={"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="})]),
    ])
    html = notebook_to_html(nb, tmp_path / "x.html").read_text(encoding="utf-8")
    assert remote_references(html) == []
    assert "data:image/png;base64,iVBORw0KGgo" in html
    hidden = notebook_to_html(nb, tmp_path / "y.html", exclude_input=True).read_text(encoding="utf-8")
    assert "1 + 1" not in hidden and "1 + 1" in html.replace("<span class=\"mi\">1</span> <span class=\"o\">+</span> <span class=\"mi\">1</span>", "1 + 1")


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
    assert page.index("headline.nim_effect") < page.index("a0")  # headline keys first
    assert "… 3 more in metrics.json" in page
    assert "Run failed: 1 of 2 notebooks succeeded" in page
    assert "ValueError: column &#x27;age&#x27; is missing" in page and "In [3]" in page
    assert '02_bad.html#papermill-error-cell' in page
    assert "did.estimate" not in page  # beyond the 8 headline slots
    assert "deadbeef" in page and "(uncommitted changes)" in page and "ab" * 32 in page
    assert remote_references(page) == []


def test_index_page_puts_declared_headline_metrics_first(tmp_path):
    """A notebook's metadata ``bankcrm.headline`` orders its numbers on index.html."""
    import json

    from bankcrm_research.run.runner import read_notebook_info

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
    assert page.index("z_effect") < page.index("<dt>n</dt>") < page.index("headline.b") < page.index("<dt>a</dt>")
    assert "not_recorded" not in page

