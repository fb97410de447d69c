"""HTML reports open offline: no script, stylesheet or module fetched from any CDN."""

from __future__ import annotations

import nbformat

from bankcrm_research.run.export import notebook_to_html, remote_references, strip_remote_resources

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
