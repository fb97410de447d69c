"""The run's ``index.html``: status banner, one row per notebook, provenance.

Rendered from the run record (the content of ``run.json``) and each notebook's
``metrics.json``; self-contained (inline CSS, no scripts, no remote fetches).
"""

from __future__ import annotations

import html as _html
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["render_index"]

# index.html
_CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",Helvetica,Arial,sans-serif;
margin:2rem auto;max-width:72rem;color:#1f2933;padding:0 1rem;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem} .sub{color:#52606d;margin-top:0}
.banner{padding:.6rem 1rem;border-radius:6px;margin:1rem 0;font-weight:600}
.ok{background:#e3f9e5;color:#05400a} .bad{background:#ffe3e3;color:#610404}
.warn{background:#fff3c4;color:#5c4813}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem} th,td{border-bottom:1px solid #d9e2ec;
padding:.4rem .5rem;text-align:left;vertical-align:top;font-size:.92rem} th{background:#f0f4f8}
.status{font-weight:600} .succeeded{color:#0e7c1b} .failed,.interrupted{color:#b42318}
.skipped{color:#7b8794} code,pre{font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre{background:#f5f7fa;padding:.6rem;overflow:auto} .err{color:#b42318;font-family:monospace;font-size:.85rem}
dl.metrics{margin:0;display:grid;grid-template-columns:auto auto;gap:0 .8rem}
dl.metrics dt{color:#52606d} dl.metrics dd{margin:0;font-variant-numeric:tabular-nums}
details{margin:.4rem 0} summary{cursor:pointer;font-weight:600}
"""

_MAX_HEADLINE = 8


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.4g}"
    return str(value)


def _e(value: Any) -> str:
    return _html.escape(str(value), quote=True)


def render_index(
    run: Mapping[str, Any],
    metrics: Mapping[str, Mapping[str, Any]],
    headlines: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """HTML of ``index.html`` for a run record (the content of ``run.json``).

    Parameters
    ----------
    run : mapping
        The run record: ``run_id``, ``status``, ``notebooks`` (name, status, duration_s, error,
        outputs), ``git``, ``environment``, ``inputs``, ``options``, start/end times.
    metrics : mapping
        ``{notebook: metrics.json content}``; the first few keys are shown as headline numbers.
    headlines : mapping, optional
        ``{notebook: [metric keys]}`` the notebook declares as its headline numbers (notebook
        metadata ``bankcrm.headline``); shown first, in that order.
    """
    status = run.get("status", "unknown")
    n = run.get("notebooks", [])
    n_ok = sum(1 for nb in n if nb.get("status") == "succeeded")
    banner_cls = {"succeeded": "ok", "failed": "bad", "interrupted": "warn"}.get(status, "warn")
    banner = {
        "succeeded": f"All {len(n)} notebooks succeeded.",
        "failed": f"Run failed: {n_ok} of {len(n)} notebooks succeeded. The previous "
                  f"'latest' report was left in place.",
        "interrupted": "Run interrupted before it finished: this folder is incomplete.",
        "running": "Run in progress (or stopped without cleaning up): this folder is incomplete.",
    }.get(status, f"Run status: {status}")

    rows = []
    for nb in n:
        name = nb["name"]
        outs = nb.get("outputs", {})
        links = []
        if outs.get("html"):
            links.append(f'<a href="{_e(outs["html"])}">report</a>')
        if outs.get("ipynb"):
            links.append(f'<a href="{_e(outs["ipynb"])}">notebook</a>')
        if outs.get("tables"):
            links.append(f'<a href="{_e(name)}/tables/">tables ({len(outs["tables"])})</a>')
        if outs.get("figures"):
            links.append(f'<a href="{_e(name)}/figures/">figures ({len(outs["figures"])})</a>')
        if outs.get("metrics"):
            links.append(f'<a href="{_e(outs["metrics"])}">metrics.json</a>')
        err = nb.get("error") or {}
        err_html = ""
        if err:
            where = ""
            if err.get("execution_count") is not None:
                where = f' (cell In [{err["execution_count"]}])'
            elif err.get("cell_index") is not None:
                where = f' (cell {err["cell_index"]})'

            anchor = f'{_e(outs["html"])}#papermill-error-cell' if outs.get("html") else ""
            err_line = f'{err.get("ename", "Error")}: {err.get("first_line", "")}'
            err_html = f'<div class="err">{_e(err_line)}{_e(where)}'
            if anchor:
                err_html += f' — <a href="{anchor}">go to the failing cell</a>'
            err_html += "</div>"
        m = metrics.get(name, {}) or {}
        # Declared headline keys first (in their order), then keys starting with "headline",
        # then the file's (sorted) order.
        declared = [k for k in (headlines or {}).get(name, ()) if k in m]
        rank = {k: i for i, k in enumerate(declared)}
        items = sorted(
            m.items(),
            key=lambda kv: (rank.get(kv[0], len(rank)), not str(kv[0]).startswith("headline")),
        )[:_MAX_HEADLINE]
        head = "".join(f"<dt>{_e(k)}</dt><dd>{_e(_fmt(v))}</dd>" for k, v in items)
        more = f"<div>… {len(m) - _MAX_HEADLINE} more in metrics.json</div>" if len(m) > _MAX_HEADLINE else ""
        dur = nb.get("duration_s")
        rows.append(
            f'<tr><td><strong>{_e(name)}</strong><div class="sub">{_e(nb.get("title") or "")}</div></td>'
            f'<td class="status {_e(nb.get("status"))}">{_e(nb.get("status"))}{err_html}</td>'
            f'<td>{"" if dur is None else f"{dur:.1f} s"}</td>'
            f'<td><dl class="metrics">{head}</dl>{more}</td><td>{" · ".join(links)}</td></tr>'
        )

    git = run.get("git", {}) or {}
    env = run.get("environment", {}) or {}
    commit = git.get("commit") or "not a git checkout"
    dirty = " (uncommitted changes)" if git.get("dirty") else ""
    inputs = run.get("inputs", []) or []
    input_rows = "".join(
        f"<tr><td><code>{_e(i['path'])}</code></td><td>{_e(i['role'])}</td>"
        f"<td>{_e(i.get('bytes') if i.get('bytes') is not None else 'missing')}</td>"
        f"<td><code>{_e(i.get('sha256') or '')}</code></td></tr>"
        for i in inputs
    )
    params = json.dumps({nb["name"]: nb.get("parameters", {}) for nb in n}, indent=2,
                        ensure_ascii=False, sort_keys=True)
    pkgs = " · ".join(f"{_e(k)} {_e(v)}" for k, v in (env.get("packages") or {}).items())
    options = run.get("options", {}) or {}
    simulated = run.get("data_note") or ""
    return f"""<!DOCTYPE html>
<html lang="{'zh' if options.get('lang') == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bankcrm-research run {_e(run.get('run_id'))}</title><style>{_CSS}</style></head>
<body>
<h1>bankcrm-research report</h1>
<p class="sub">Run <code>{_e(run.get('run_id'))}</code> · started {_e(run.get('started'))} ·
finished {_e(run.get('finished') or '–')} · {_e(_fmt(run.get('duration_s')))} s{(' · ' + _e(simulated)) if simulated else ''}</p>
<div class="banner {banner_cls}">{_e(banner)}</div>
<table><thead><tr><th>Notebook</th><th>Status</th><th>Duration</th><th>Headline numbers</th><th>Files</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<h2>Provenance</h2>
<table>
<tr><th>Git commit</th><td><code>{_e(commit)}</code>{_e(dirty)}</td></tr>
<tr><th>Python</th><td>{_e(env.get('python'))} ({_e(env.get('executable'))})</td></tr>
<tr><th>Platform</th><td>{_e(env.get('platform'))}, {_e(env.get('cpu_count'))} CPUs</td></tr>
<tr><th>Options</th><td><code>{_e(json.dumps(options, ensure_ascii=False, sort_keys=True))}</code></td></tr>
<tr><th>Inputs unchanged by the run</th><td>{_e(_fmt(run.get('inputs_unchanged')))}</td></tr>
</table>
<details><summary>Parameters of each notebook</summary><pre>{_e(params)}</pre></details>
<details><summary>Input data files ({len(inputs)}) with SHA-256</summary>
<table><thead><tr><th>Path</th><th>Role</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>{input_rows}</tbody></table></details>
<details><summary>Package versions</summary><p>{pkgs}</p></details>
<p class="sub">Machine-readable record: <a href="run.json">run.json</a>.</p>
</body></html>
"""
