"""Reader mode: what an executed notebook shows in its HTML, and paths kept out of shared files.

:func:`prepare_for_reader` rewrites a copy of an executed notebook before export:

* the ``parameters`` cell and papermill's ``injected-parameters`` cell become one short table
  (name, value cut at 90 characters, note from the trailing comment or the comment lines just
  above; values set for this run are marked) instead of code;
* ``Out[]`` noise goes: an ``execute_result`` that is only the repr of a path (``PosixPath('…')``,
  what ``save_figure``/``save_table`` return when they end a cell) or a list/tuple of them;
* stderr (warnings, log lines) is taken out of the cells and gathered into one collapsed
  ``<details>`` list at the end of the page, deduplicated with counts, with ``/tmp/ipykernel_…``
  file names replaced by the cell (``In [5]``), site-packages paths shortened to the package path
  and other absolute paths made relative (or reduced to the file name);
* in Chinese, a parameter's note is its translation (``reporting/labels/params.yml``, key
  ``param.<NN>.<name>``) while the entry's English text still equals the cell's comment;
* in a language other than English, a markdown cell whose metadata names a label
  (``{"bankcrm": {"label": "nb03.intro"}}``: the title and question cell) shows that label's text
  in the run's language (``reporting/labels/text_NN.yml``);
* in share-safe mode also: no source lines under warnings, tracebacks reduced to
  ``Error: message``, and every absolute path scrubbed from text outputs and markdown.

Code cells are hidden by the export template (a per-cell "show code" toggle, plain HTML
``<details>``); share-safe exports have no code at all (see :mod:`bankcrm_research.run.export`).
:func:`scrub_record` applies the same path scrubbing to ``run.json`` in share-safe runs.
"""

from __future__ import annotations

import ast
import copy
import html as _html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["scrub_paths", "scrub_record", "is_path_repr", "parse_warnings", "prepare_for_reader",
           "parameters_table", "localized_markdown"]

_IPYKERNEL = re.compile(r"(?:/tmp|/var/folders/[^\s:]*|[A-Za-z]:\\[^\s:]*)?/ipykernel_\d+/\d+\.py")
_SITE = re.compile(r"(?:[A-Za-z]:)?[^\s:'\"]*?[/\\](?:site|dist)-packages[/\\]")
# An absolute POSIX path with at least two segments, not part of a URL or a word.
_ABS = re.compile(r"(?<![\w:/.\-+=~])(/(?:[^\s/'\"<>:;,()\[\]{}|*?]+/)+[^\s/'\"<>:;,()\[\]{}|*?]*)")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PATH_REPR = re.compile(r"^\s*(?:(?:Posix|Windows|Pure\w*)?Path\((['\"]).*?\1\)\s*,?\s*)+$", re.DOTALL)
_OPEN_PARAMS = 12  # parameter tables with more rows start collapsed
_MAX_VALUE = 90  # longer parameter values are cut (the full value is the cell's title)
_WARNING_LINE = re.compile(r"^(?P<file>\S.*?):(?P<line>\d+): (?P<cat>[A-Za-z_][\w.]*): (?P<msg>.*)$")


def scrub_paths(text: str, roots: Iterable[str | Path] = (), *, aggressive: bool = False,
                cell: str | None = None) -> str:
    """``text`` without machine-specific paths.

    ``/tmp/ipykernel_…/….py`` becomes ``cell`` (or the given cell name), ``…/site-packages/`` is
    dropped, each of ``roots`` (run folder, project root, ...) becomes relative. With
    ``aggressive=True`` any other absolute path is reduced to its file name; otherwise paths in
    the home folder are written ``~/…``.
    """
    out = _IPYKERNEL.sub(cell or "cell", str(text))
    out = _SITE.sub("", out)
    for root in sorted({str(Path(r)) for r in roots if r}, key=len, reverse=True):
        if len(root) > 1:
            out = out.replace(root + "/", "").replace(root, ".")
    if aggressive:
        out = _ABS.sub(lambda m: Path(m.group(1).rstrip("/")).name or "…", out)
    home = str(Path.home())
    if len(home) > 1:
        out = out.replace(home + "/", "~/")
    return out


def scrub_record(obj: Any, roots: Iterable[str | Path] = ()) -> Any:
    """A copy of a JSON-like record with every string path-scrubbed (``aggressive=True``)."""
    roots = list(roots)
    if isinstance(obj, str):
        return scrub_paths(obj, roots, aggressive=True)
    if isinstance(obj, Mapping):
        return {k: scrub_record(v, roots) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [scrub_record(v, roots) for v in obj]
    return obj


def is_path_repr(text: str) -> bool:
    """True for ``PosixPath('/x/y.png')`` and lists/tuples of such reprs (nothing else)."""
    t = str(text).strip()
    if t[:1] in "[(" and t[-1:] in "])":
        t = t[1:-1]
    return bool(t) and bool(_PATH_REPR.match(t))


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def parse_warnings(stderr: str, *, roots: Sequence[str | Path] = (), cell: str = "cell",
                   share_safe: bool = False) -> list[str]:
    """Items of a stderr text: one per warning (``Category: message (where)``) or log line.

    The source line Python prints under a warning is kept as `` — `code` `` unless
    ``share_safe``; paths are scrubbed (see :func:`scrub_paths`).
    """
    items: list[str] = []
    lines = _ANSI.sub("", stderr).splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        m = _WARNING_LINE.match(line)
        if not m:
            if line.startswith((" ", "\t")) and items:
                continue  # continuation of a traceback-like block: not useful to a reader
            items.append(scrub_paths(line.strip(), roots, aggressive=True, cell=cell))
            continue
        where = scrub_paths(m.group("file"), roots, aggressive=True, cell=cell)
        where = where if where == cell else f"{where}:{m.group('line')}"
        source = []
        while i < len(lines) and lines[i].startswith((" ", "\t")):
            source.append(lines[i].strip())
            i += 1
        item = f"{m.group('cat')}: {scrub_paths(m.group('msg'), roots, aggressive=True, cell=cell)} ({where})"
        if source and not share_safe:
            item += " — " + scrub_paths(" ".join(source), roots, aggressive=True, cell=cell)
        items.append(item)
    return items


def _value_text(name: str, value: Any, roots: Sequence[str | Path], share_safe: bool) -> str:
    if isinstance(value, str):
        shown = scrub_paths(value, roots, aggressive=share_safe) if name.endswith(("_path", "_dir")) else value
        return json.dumps(shown, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (list, dict)) else repr(value)


def _parse_cell(source: str) -> dict[str, tuple[Any, str]]:
    out: dict[str, tuple[Any, str]] = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return out
    lines = source.splitlines()
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else (
            node.target if isinstance(node, ast.AnnAssign) else None)
        if not isinstance(target, ast.Name) or node.value is None:
            continue
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            value = ast.get_source_segment(source, node.value)
        comment = ""
        for ln in {node.lineno, node.end_lineno or node.lineno}:  # trailing comment
            line = lines[ln - 1] if 0 < ln <= len(lines) else ""
            if "#" in line and not line.strip().startswith("#"):
                comment = line.split("#", 1)[1].strip()
        if not comment:  # or the comment lines just above the assignment
            above = []
            i = node.lineno - 2
            while i >= 0 and lines[i].strip().startswith("#"):
                above.insert(0, lines[i].strip().lstrip("#").strip())
                i -= 1
            comment = " ".join(a for a in above if a and a.lower() != "parameters")
        out[target.id] = (value, comment)
    return out


def _translated_note(comment: str, name: str, notebook: str | None, lang: str) -> str:
    """The Chinese note of parameter ``name`` (entry ``param.<NN>.<name>`` in ``labels/params.yml``) when
    its ``en`` text is the cell's comment word for word; otherwise the comment (an edited comment shows
    in English rather than as a stale translation)."""
    if lang != "zh" or not comment or not notebook:
        return comment
    number = re.match(r"\d+", Path(str(notebook)).name)
    if number is None:
        return comment
    from bankcrm_research.reporting.labels import current_translation

    return current_translation(f"param.{number.group(0)}.{name}", comment, lang)


def parameters_table(defaults_source: str, injected_source: str = "", *, roots: Sequence[str | Path] = (),
                     share_safe: bool = False, lang: str = "en", notebook: str | None = None) -> str:
    """HTML table of a notebook's parameters: the cell's values, overridden by the injected ones.

    ``notebook`` (its file name or stem, e.g. ``"03_satisfaction_drivers"``) lets a ``lang="zh"`` table
    show the notes translated in ``reporting/labels/params.yml``; without it the notes are the comments.
    """
    base = _parse_cell(defaults_source)
    injected = {k: v[0] for k, v in _parse_cell(injected_source).items()}
    head = {"en": ("Parameters", "Parameter", "Value", "Note", "set for this run"),
            "zh": ("参数", "参数名", "取值", "说明", "本次运行设定")}[lang if lang == "zh" else "en"]
    rows = []
    for name in list(base) + [k for k in injected if k not in base]:
        value, comment = base.get(name, (None, ""))
        comment = _translated_note(comment, name, notebook, lang)
        note = comment
        if name in injected:
            value = injected[name]
            note = f"{comment} · {head[4]}" if comment else head[4]
        text = _value_text(name, value, roots, share_safe)
        short = text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"
        cells = (f"<tr><td><code>{_html.escape(name)}</code></td>"
                 f'<td><code title="{_html.escape(text)}">{_html.escape(short)}</code></td>')
        rows.append((cells, _html.escape(scrub_paths(note, roots, aggressive=share_safe))))
    with_notes = any(note for _, note in rows)
    body = "".join(r + (f"<td>{note}</td>" if with_notes else "") + "</tr>" for r, note in rows)
    note_th = f"<th>{head[3]}</th>" if with_notes else ""
    opened = " open" if len(rows) <= _OPEN_PARAMS else ""  # a long list starts collapsed
    return (f'<details class="bk-params"{opened}><summary>{head[0]} ({len(rows)})</summary>'
            f'<table class="bk-params-table"><thead><tr><th>{head[1]}</th><th>{head[2]}</th>{note_th}'
            f"</tr></thead><tbody>{body}</tbody></table></details>")


def _tags(cell: Any) -> list[str]:
    return list((cell.get("metadata") or {}).get("tags") or [])


def _hide_input(cell: Any) -> None:
    cell.setdefault("metadata", {}).setdefault("bankcrm_reader", {})["hide_input"] = True


def localized_markdown(cell: Any, lang: str) -> str:
    """A markdown cell's text in ``lang``: the label named by its metadata ``bankcrm.label`` when that
    label exists, otherwise the cell's own source (notebooks keep their title cell in English so that
    ``bankcrm-research list`` and JupyterLab read it)."""
    from bankcrm_research.reporting.labels import label

    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    key = (((cell.get("metadata") or {}).get("bankcrm") or {}).get("label"))
    if not key or lang not in ("en", "zh"):
        return source
    text = label(str(key), lang)
    return source if text == str(key) else text


def prepare_for_reader(nb: Any, *, share_safe: bool = False, roots: Sequence[str | Path] = (),
                       lang: str = "en", notebook: str | None = None) -> Any:
    """A copy of executed notebook ``nb`` rewritten for reading (see the module docstring).

    ``notebook`` names it (file name or stem, e.g. ``"03_satisfaction_drivers"``) for the translated
    parameter notes; None keeps the notes as the cell's comments.
    """
    import nbformat

    nb = copy.deepcopy(nb)
    cells = nb.cells
    params_i = next((i for i, c in enumerate(cells) if c.cell_type == "code" and "parameters" in _tags(c)), None)
    inj_i = next((i for i, c in enumerate(cells) if c.cell_type == "code" and "injected-parameters" in _tags(c)), None)
    if params_i is not None or inj_i is not None:
        keep = params_i if params_i is not None else inj_i
        table = parameters_table(cells[params_i].source if params_i is not None else "",
                                 cells[inj_i].source if inj_i is not None else "",
                                 roots=roots, share_safe=share_safe, lang=lang, notebook=notebook)
        cells[keep].outputs = [nbformat.v4.new_output("display_data", data={"text/html": table})]
        _hide_input(cells[keep])
        if inj_i is not None and inj_i != keep:
            del cells[inj_i]

    warnings: dict[str, int] = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown" and lang != "en":
            cell.source = localized_markdown(cell, lang)
        if cell.cell_type == "markdown" and share_safe:
            cell.source = scrub_paths(cell.source, roots, aggressive=True)
        if cell.cell_type != "code":
            continue
        where = f"In [{cell.get('execution_count')}]" if cell.get("execution_count") else "cell"
        kept = []
        for out in cell.get("outputs", []):
            otype = out.get("output_type")
            if otype == "stream" and out.get("name") == "stderr":
                for item in parse_warnings(_text(out.get("text")), roots=roots, cell=where, share_safe=share_safe):
                    warnings[item] = warnings.get(item, 0) + 1
                continue
            if otype == "execute_result":
                data = out.get("data") or {}
                if set(data) <= {"text/plain"} and is_path_repr(_text(data.get("text/plain"))):
                    continue
            if otype == "stream":
                out["text"] = scrub_paths(_text(out.get("text")), roots, aggressive=share_safe)
            elif otype in ("execute_result", "display_data"):
                for mime in ("text/plain", "text/html", "text/markdown"):
                    if mime in out.get("data", {}):
                        out["data"][mime] = scrub_paths(_text(out["data"][mime]), roots, aggressive=share_safe)
            elif otype == "error":
                if share_safe:
                    out["traceback"] = [scrub_paths(f"{out.get('ename')}: {out.get('evalue')}", roots, aggressive=True)]
                else:
                    out["traceback"] = [scrub_paths(t, roots) for t in out.get("traceback", [])]
            kept.append(out)
        cell.outputs = kept

    if warnings:
        title = {"en": "Warnings", "zh": "警告"}["zh" if lang == "zh" else "en"]
        items = "".join(f"<li>{_html.escape(k)}{f' (×{n})' if n > 1 else ''}</li>" for k, n in warnings.items())
        html = (f'<details class="bk-warnings"><summary>{title} ({len(warnings)})</summary>'
                f"<ul>{items}</ul></details>")
        cell = nbformat.v4.new_code_cell("", id="bankcrm-warnings")  # fixed id: same run, same HTML
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
        _hide_input(cell)
        nb.cells.append(cell)
    return nb
