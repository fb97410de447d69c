"""Per-notebook HTML export (reader mode) and the record of what each notebook produced.

Reader mode (default): code sits behind a per-cell "show code" toggle (plain ``<details>``, plus
one inline "show all code" button; no CDN), the parameters are a table, ``Out[]`` path reprs and
stderr noise are gone (warnings gathered in one collapsed list, paths scrubbed); see
:mod:`bankcrm_research.run.reader`. Share-safe exports carry no code at all, no tracebacks and no
absolute paths, and the executed ``.ipynb`` never enters the run folder (:func:`executed_path`).

Reports must open offline and behind the Great Firewall, so nothing may be fetched from a CDN.
nbconvert's ``lab`` template references require.js, MathJax and mermaid on cdnjs; we remove
every ``<script src=http(s)://...>``, ``<link href=http(s)://...>``, CSS ``@import``/``url()`` of a
remote address and inline module scripts importing from one. Figures are embedded as base64
PNG. (Consequence: LaTeX in markdown shows as source text; notebooks keep formulas simple.)
A failed notebook is exported too, with the error visible and papermill's anchor on the failing
cell. nbconvert is imported inside the functions so the CLI's import path stays lean.
"""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import replace
from pathlib import Path
from collections.abc import Sequence
from typing import Any

from bankcrm_research.run.notebooks import display_title
from bankcrm_research.run.results import NotebookResult

__all__ = [
    "notebook_to_html",
    "strip_remote_resources",
    "remote_references",
    "summarize_error",
    "list_outputs",
    "export_one",
    "executed_path",
]


_REMOTE = r"(?:https?:)?//"
_SCRIPT_SRC = re.compile(
    rf"<script\b[^>]*\bsrc\s*=\s*[\"']?{_REMOTE}[^>]*>\s*</script\s*>", re.IGNORECASE | re.DOTALL
)
_LINK_HREF = re.compile(rf"<link\b[^>]*\bhref\s*=\s*[\"']?{_REMOTE}[^>]*/?>", re.IGNORECASE)
_SCRIPT_BLOCK = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_JS_REMOTE_IMPORT = re.compile(rf"""(?:\bimport\s*\(\s*|\bfrom\s+|\bimport\s+)[\"']{_REMOTE}""")
_CSS_REMOTE = re.compile(rf"""@import\s+(?:url\()?\s*[\"']?{_REMOTE}|url\(\s*[\"']?{_REMOTE}""",
                         re.IGNORECASE)


def remote_references(html: str) -> list[str]:
    """Every place where ``html`` would fetch something from the network.

    Script ``src``, link ``href`` (stylesheets, icons, preloads), inline scripts importing a
    remote module, and CSS ``@import``/``url()`` of a remote address. Plain ``<a href>`` links
    and URLs inside CSS comments are not fetches and are not reported.
    """
    found = [m.group(0)[:160] for m in _SCRIPT_SRC.finditer(html)]
    found += [m.group(0)[:160] for m in _LINK_HREF.finditer(html)]
    for m in _SCRIPT_BLOCK.finditer(html):
        if _JS_REMOTE_IMPORT.search(m.group(2)):
            found.append(m.group(0)[:160])
    css = re.sub(r"/\*.*?\*/", "", "".join(re.findall(r"<style\b[^>]*>(.*?)</style\s*>", html,
                                                       flags=re.IGNORECASE | re.DOTALL)),
                 flags=re.DOTALL)
    found += [m.group(0) for m in _CSS_REMOTE.finditer(css)]
    return found


def strip_remote_resources(html: str) -> str:
    """Remove every network fetch listed by :func:`remote_references` from ``html``."""
    html = _SCRIPT_SRC.sub("", html)
    html = _LINK_HREF.sub("", html)
    html = _SCRIPT_BLOCK.sub(lambda m: "" if _JS_REMOTE_IMPORT.search(m.group(2)) else m.group(0), html)

    def _clean_style(m: re.Match[str]) -> str:
        body = re.sub(rf"@import\s+(?:url\()?\s*[\"']?{_REMOTE}[^;]*;", "", m.group(2), flags=re.IGNORECASE)
        body = re.sub(rf"url\(\s*[\"']?{_REMOTE}[^)]*\)", "none", body, flags=re.IGNORECASE)
        return f"<style{m.group(1)}>{body}</style>"

    return re.sub(r"<style\b([^>]*)>(.*?)</style\s*>", _clean_style, html, flags=re.IGNORECASE | re.DOTALL)


# Reader template: every code cell's input sits in a closed <details> ("show code"); cells marked
# ``bankcrm_reader.hide_input`` (parameters table, gathered warnings) show no input at all.
_READER_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{% block input_group -%}
{%- if cell.metadata.get('bankcrm_reader', {}).get('hide_input') -%}
{%- elif cell.source | trim -%}
<details class="bk-code"><summary>show code</summary>
{{ super() }}
</details>
{%- endif -%}
{%- endblock input_group %}
"""

_READER_HEAD = """<style>
details.bk-code>summary{cursor:pointer;color:#52606d;font-size:.8rem;margin:.1rem 0 .1rem 4rem;
font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;user-select:none}
details.bk-code>summary:hover{color:#1f2933}
.bk-params summary,.bk-warnings summary{cursor:pointer;font-weight:600}
.jp-RenderedHTMLCommon table.bk-params-table{border-collapse:collapse;margin:.3rem 0;table-layout:auto}
.jp-RenderedHTMLCommon table.bk-params-table td,.jp-RenderedHTMLCommon table.bk-params-table th{
border-bottom:1px solid #d9e2ec;padding:.2rem .6rem;text-align:left!important;font-size:.85rem}
.bk-warnings{background:#fff8e1;border:1px solid #f0dca0;border-radius:6px;padding:.3rem .8rem}
.bk-warnings li{font-size:.85rem;margin:.2rem 0}
#bk-toggle-all{position:fixed;top:.6rem;right:.8rem;z-index:10;font-size:.8rem;padding:.2rem .6rem;
border:1px solid #bcccdc;border-radius:4px;background:#fff;cursor:pointer}
</style>"""

_TOGGLE_WORDS = {"en": ("show code", "show all code", "hide all code"),
                 "zh": ("显示代码", "显示全部代码", "隐藏全部代码")}

_READER_BODY = """<button id="bk-toggle-all" type="button" data-show="show all code" data-hide="hide all code">show all code</button>
<script>
(function () {
  var b = document.getElementById("bk-toggle-all");
  if (!b) { return; }
  b.addEventListener("click", function () {
    var all = document.querySelectorAll("details.bk-code");
    var open = b.getAttribute("data-open") !== "1";
    for (var i = 0; i < all.length; i++) { all[i].open = open; }
    b.setAttribute("data-open", open ? "1" : "0");
    b.textContent = open ? b.getAttribute("data-hide") : b.getAttribute("data-show");
  });
})();
</script>"""


def notebook_to_html(
    notebook: str | Path | Any,
    html_path: str | Path,
    *,
    exclude_input: bool = False,
    title: str | None = None,
    reader: bool = True,
    roots: Sequence[str | Path] = (),
    lang: str = "en",
    notebook_name: str | None = None,
) -> Path:
    """Export a notebook (path or ``NotebookNode``) to a self-contained HTML file.

    Parameters
    ----------
    notebook : path or NotebookNode
        Executed notebook.
    html_path : path
        Destination ``.html``.
    exclude_input : bool, default False
        Share-safe: no code at all (outputs and markdown stay), no source lines in warnings, no
        tracebacks, no absolute paths.
    title : str, optional
        HTML ``<title>``; the notebook file name by default.
    reader : bool, default True
        Reader mode (:mod:`bankcrm_research.run.reader`): code hidden behind a per-cell "show
        code" toggle, parameters as a table, no ``Out[]`` path reprs, warnings gathered.
    roots : sequence of path
        Folders whose absolute paths are made relative in the output (run folder, project root).
    lang : {"en", "zh"}
        Language of the parameters/warnings headings.
    notebook_name : str, optional
        The notebook's stem (``"03_satisfaction_drivers"``), for the translated parameter notes of a
        Chinese export; by default the stem of ``notebook`` when it is a path.
    """
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook
    kw: dict[str, Any] = {}
    if reader:
        from bankcrm_research.run.reader import prepare_for_reader

        if notebook_name is None and isinstance(notebook, (str, Path)):
            notebook_name = Path(str(notebook)).stem
        nb = prepare_for_reader(nb, share_safe=exclude_input, roots=roots, lang=lang, notebook=notebook_name)
        kw = {"extra_loaders": [DictLoader({"bankcrm_reader.html.j2": _READER_TEMPLATE})],
              "template_file": "bankcrm_reader.html.j2"}
    exporter = HTMLExporter(template_name="lab", embed_images=True, exclude_input=exclude_input,
                            exclude_input_prompt=exclude_input or reader,
                            exclude_output_prompt=exclude_input or reader, **kw)
    resources = {"metadata": {"name": title or Path(str(html_path)).stem}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = strip_remote_resources(body)
    if reader:
        body = body.replace("</head>", _READER_HEAD + "\n</head>", 1)
        words = _TOGGLE_WORDS["zh" if lang == "zh" else "en"]
        if lang == "zh":
            body = re.sub(r'<html lang="en"', '<html lang="zh-CN"', body, count=1)
            body = body.replace("<summary>show code</summary>", f"<summary>{words[0]}</summary>")
        if not exclude_input:
            button = (_READER_BODY.replace('data-show="show all code"', f'data-show="{words[1]}"')
                      .replace('data-hide="hide all code"', f'data-hide="{words[2]}"')
                      .replace(">show all code</button>", f">{words[1]}</button>"))
            body = re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + button, body, count=1)
    out = Path(html_path)
    out.write_text(body, encoding="utf-8")
    return out


def _first_line(text: str) -> str:
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


def summarize_error(ename: str, evalue: str, cell_index: int | None,
                    execution_count: int | None = None) -> dict[str, Any]:
    """Small JSON-able description of a notebook failure (for run.json and index.html).

    ``cell_index`` counts cells of the executed notebook (0-based, before the error banner is
    inserted); ``execution_count`` is the ``In [n]`` shown beside the failing cell.
    """
    # the whole message too: a data-validation error lists every problem (table, column, rows, fix)
    message = "\n".join(str(evalue or "").strip().splitlines()[:60])[:6000]
    return {"ename": ename, "first_line": _first_line(evalue) or ename, "message": message or ename,
            "cell_index": cell_index, "execution_count": execution_count}


def list_outputs(run_dir: Path, name: str) -> dict[str, Any]:
    """Files one notebook left in the run folder, as paths relative to ``run_dir`` (for run.json)."""
    folder = run_dir / name

    def rel(p: Path) -> str:
        return p.relative_to(run_dir).as_posix()

    out: dict[str, Any] = {
        "ipynb": f"{name}.ipynb" if (run_dir / f"{name}.ipynb").exists() else None,
        "html": f"{name}.html" if (run_dir / f"{name}.html").exists() else None,
        "metrics": rel(folder / "metrics.json") if (folder / "metrics.json").exists() else None,
        "tables": sorted(rel(p) for p in (folder / "tables").glob("*.csv")),
        "figures": sorted(rel(p) for p in (folder / "figures").glob("*.png")),
    }
    return out


def executed_path(run_dir: Path, name: str, *, share_safe: bool) -> Path:
    """Where the executed ``.ipynb`` goes: the run folder, or (share-safe) a private folder beside it.

    A share-safe run folder must hold no notebook with code; the executed copy lives in
    ``<output_dir>/.<run-id>.executed/`` only until its HTML is written.
    """
    if share_safe:
        return run_dir.parent / f".{run_dir.name}.executed" / f"{name}.ipynb"
    return run_dir / f"{name}.ipynb"


def export_one(res: NotebookResult, run_dir: Path, *, share_safe: bool, lang: str | None = None,
               roots: Sequence[str | Path] = ()) -> NotebookResult:
    """HTML export of an executed notebook (also of a failed one: the error stays visible).

    Runs on its own thread so that, in a sequential run, the next notebook's kernel starts while
    this export renders. In share-safe mode the executed ``.ipynb`` is deleted afterwards.
    """
    out_nb = executed_path(run_dir, res.name, share_safe=share_safe)
    if res.status == "skipped" or not out_nb.exists():
        return res
    t1 = time.perf_counter()
    status, error = res.status, res.error
    try:
        notebook_to_html(out_nb, run_dir / f"{res.name}.html", exclude_input=share_safe,
                         title=display_title(res.name, res.title or res.name, lang or "en"), roots=[run_dir, *roots],
                         lang=lang or "en", notebook_name=res.name)
    except Exception as exc:  # noqa: BLE001 - an export failure must not lose the run record
        if status == "succeeded":
            status = "failed"
            error = summarize_error("HTMLExportError", f"{type(exc).__name__}: {exc}", None)
    finally:
        if share_safe:
            out_nb.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                out_nb.parent.rmdir()  # only once empty (other notebooks may still be running)
    t_export = time.perf_counter() - t1
    return replace(res, status=status, error=error, export_s=t_export,
                   duration_s=(res.execution_s or 0.0) + t_export,
                   outputs=list_outputs(run_dir, res.name))
