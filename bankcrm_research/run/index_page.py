"""The run's ``index.html``: findings first, then headline numbers, status, links, provenance.

Rendered from the run record (the content of ``run.json``), each notebook's ``metrics.json`` and
the run ledger; self-contained (inline CSS and SVG, no scripts, no remote fetches). Per notebook:
its ``findings.N`` sentences (or "no findings recorded"), the headline table (labels, units and
decimals from ``labels/metrics_NN.yml``, 95 % CI from ``<key>.ci_low``/``.ci_high``, history and
change since the last run from ``ledger.csv``), the skipped sections with their sentences and what
*auto* chose. Words of the page come from ``labels/run_index.yml`` (``--lang zh`` gives Chinese).
"""

from __future__ import annotations

import html as _html
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from bankcrm_research.reporting.labels import label
from bankcrm_research.reporting.sections import auto_choices, skipped_sections
from bankcrm_research.run.headlines import headline_rows, recorded_findings
from bankcrm_research.run.ledger import LedgerRow, input_digest
from bankcrm_research.run.notebooks import display_title

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
details{margin:.4rem 0} summary{cursor:pointer;font-weight:600}
section.nb{border:1px solid #d9e2ec;border-radius:8px;padding:.2rem 1rem .6rem;margin:1rem 0}
section.nb h3{margin:.7rem 0 .3rem;font-size:1.1rem} ul.findings li{margin:.25rem 0}
section.nb h4{margin:.6rem 0 .2rem;font-size:.95rem}
.none{color:#7b8794;font-style:italic} td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.flag{display:inline-block;background:#fff3c4;color:#5c4813;border-radius:4px;padding:0 .35rem;
margin-left:.3rem;font-size:.8rem;white-space:nowrap} ul.skipped li{color:#52606d}
svg.spark{vertical-align:middle} table.head{margin-bottom:.6rem} table.head td:first-child{width:40%}
"""

_STATUSES = ("succeeded", "failed", "interrupted", "skipped", "pending")


def _fmt(value: Any, lang: str = "en") -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return label("index.yes" if value else "index.no", lang)
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.4g}"
    return str(value)


def _e(value: Any) -> str:
    return _html.escape(str(value), quote=True)


def _notebook_section(nb: Mapping[str, Any], m: Mapping[str, Any], declared: Sequence[str], *, lang: str,
                      ledger: Sequence[LedgerRow], run_id: str | None, digest: str) -> str:
    def t(key: str) -> str:
        return label(f"index.{key}", lang)

    name = nb["name"]
    sentences = recorded_findings(m)
    if sentences:
        found = '<ul class="findings">' + "".join(f"<li>{_e(x)}</li>" for x in sentences) + "</ul>"
    else:
        found = f'<p class="none">{_e(t("no_findings"))}</p>'
    hrows, more = headline_rows(name, m, declared, lang=lang, ledger=ledger, run_id=run_id, input_sha256=digest)
    table = ""
    if hrows:
        # Columns without content (no CI recorded, no earlier run in the ledger) are left out.
        has_ci = any(r.ci for r in hrows)
        has_hist = any(r.spark for r in hrows)
        trs = "".join(
            f'<tr><td title="{_e(r.key)}">{_e(r.label)}</td><td class="num">{_e(r.value)}</td>'
            + (f'<td class="num">{_e(r.ci)}</td>' if has_ci else "")
            + (f'<td>{r.spark}</td><td class="num">{_e(r.change)}'
               + "".join(f'<span class="flag">{_e(t(f))}</span>' for f in r.flags) + "</td>" if has_hist else "")
            + "</tr>"
            for r in hrows)
        more_html = f'<p class="sub">{_e(t("more_metrics").format(n=more))}</p>' if more else ""
        table = (f'<table class="head"><thead><tr><th>{_e(t("metric"))}</th><th>{_e(t("value"))}</th>'
                 + (f'<th>{_e(t("ci"))}</th>' if has_ci else "")
                 + (f'<th>{_e(t("history"))}</th><th>{_e(t("change"))}</th>' if has_hist else "")
                 + f"</tr></thead><tbody>{trs}</tbody></table>{more_html}")
    skipped = skipped_sections(dict(m))
    skipped_html = ""
    if skipped:
        skipped_html = (f'<h4>{_e(t("skipped"))}</h4><ul class="skipped">'
                        + "".join(f"<li>{_e(v)}</li>" for v in skipped.values()) + "</ul>")
    autos = auto_choices(dict(m))
    auto_html = ""
    if autos:
        auto_html = (f'<details><summary>{_e(t("auto"))} ({len(autos)})</summary><ul>'
                     + "".join(f"<li><code>{_e(k)}</code> = {_e(_fmt(v, lang))}</li>" for k, v in autos.items())
                     + "</ul></details>")
    outs = nb.get("outputs", {}) or {}
    link = f' · <a href="{_e(outs["html"])}">{_e(t("report"))}</a>' if outs.get("html") else ""
    status = nb.get("status")
    word = label(f"index.status.{status}", lang) if status in _STATUSES else str(status)
    return (f'<section class="nb" id="nb-{_e(name)}"><h3>{_e(display_title(name, nb.get("title") or name, lang))}</h3>'
            f'<p class="sub"><code>{_e(name)}</code> · <span class="status {_e(status)}">{_e(word)}</span>{link}</p>'
            f"{found}{table}{skipped_html}{auto_html}</section>")


def _status_row(nb: Mapping[str, Any], lang: str) -> str:
    def t(key: str) -> str:
        return label(f"index.{key}", lang)

    name = nb["name"]
    outs = nb.get("outputs", {}) or {}
    links = []
    if outs.get("html"):
        links.append(f'<a href="{_e(outs["html"])}">{_e(t("report"))}</a>')
    if outs.get("ipynb"):
        links.append(f'<a href="{_e(outs["ipynb"])}">{_e(t("notebook_file"))}</a>')
    if outs.get("tables"):
        links.append(f'<a href="{_e(name)}/tables/">{_e(t("tables"))} ({len(outs["tables"])})</a>')
    if outs.get("figures"):
        links.append(f'<a href="{_e(name)}/figures/">{_e(t("figures"))} ({len(outs["figures"])})</a>')
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
            err_html += f' — <a href="{anchor}">{_e(t("go_failing"))}</a>'
        err_html += "</div>"
    status = nb.get("status")
    word = label(f"index.status.{status}", lang) if status in _STATUSES else str(status)
    dur = nb.get("duration_s")
    return (f'<tr><td><strong>{_e(name)}</strong><div class="sub">{_e(display_title(name, nb.get("title") or "", lang))}</div></td>'
            f'<td class="status {_e(status)}">{_e(word)}{err_html}</td>'
            f'<td>{"" if dur is None else f"{dur:.1f} s"}</td><td>{" · ".join(links)}</td></tr>')


def render_index(
    run: Mapping[str, Any],
    metrics: Mapping[str, Mapping[str, Any]],
    headlines: Mapping[str, Sequence[str]] | None = None,
    ledger: Sequence[LedgerRow] = (),
) -> str:
    """HTML of ``index.html`` for a run record (the content of ``run.json``).

    Parameters
    ----------
    run : mapping
        The run record: ``run_id``, ``status``, ``notebooks`` (name, title, status, duration_s,
        error, outputs), ``git``, ``environment``, ``inputs``, ``options`` (``lang``), times.
    metrics : mapping
        ``{notebook: metrics.json content}``: ``findings.N``, ``skipped.*``, ``auto.*``, numbers.
    headlines : mapping, optional
        ``{notebook: [metric keys]}`` the notebook declares as its headline numbers (notebook
        metadata ``bankcrm.headline``); shown first, in that order.
    ledger : sequence of LedgerRow, optional
        The run history (``ledger.csv`` of the output folder) for sparklines and change flags.
    """
    options = run.get("options", {}) or {}
    lang = "zh" if options.get("lang") == "zh" else "en"

    def t(key: str, **kw: Any) -> str:
        text = label(f"index.{key}", lang)
        return text.format(**kw) if kw else text

    status = run.get("status", "unknown")
    n = run.get("notebooks", [])
    n_ok = sum(1 for nb in n if nb.get("status") == "succeeded")
    banner_cls = {"succeeded": "ok", "failed": "bad", "interrupted": "warn"}.get(status, "warn")
    banner = {"succeeded": t("all_ok", n=len(n)), "failed": t("failed", ok=n_ok, n=len(n)),
              "interrupted": t("interrupted")}.get(status, f"{t('status')}: {status}")
    digest = input_digest(run.get("inputs") or [])
    sections = "".join(
        _notebook_section(nb, metrics.get(nb["name"], {}) or {}, (headlines or {}).get(nb["name"], ()),
                          lang=lang, ledger=ledger, run_id=run.get("run_id"), digest=digest)
        for nb in n)
    rows = "".join(_status_row(nb, lang) for nb in n)

    git = run.get("git", {}) or {}
    env = run.get("environment", {}) or {}
    commit = git.get("commit") or "not a git checkout"
    dirty = " " + t("uncommitted") if git.get("dirty") else ""
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
    simulated = run.get("data_note") or ""
    if lang == "zh" and simulated.startswith("bundled data are SIMULATED"):
        simulated = t("data_note")
    executable = f" ({_e(env.get('executable'))})" if env.get("executable") else ""
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(run.get('title') or t('title'))} {_e(run.get('run_id'))}</title><style>{_CSS}</style></head>
<body>
<h1>{_e(run.get('title') or t('title'))}</h1>
<p class="sub">{_e(t('run'))} <code>{_e(run.get('run_id'))}</code> · {_e(t('started'))} {_e(run.get('started'))} ·
{_e(t('finished'))} {_e(run.get('finished') or '–')} · {_e(_fmt(run.get('duration_s'), lang))} s{(' · ' + _e(simulated)) if simulated else ''}</p>
<div class="banner {banner_cls}">{_e(banner)}</div>
<h2>{_e(t('findings'))}</h2>
{sections}
<h2>{_e(t('status'))}</h2>
<table><thead><tr><th>{_e(t('notebook'))}</th><th>{_e(t('status'))}</th><th>{_e(t('duration'))}</th><th>{_e(t('files'))}</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2>{_e(t('provenance'))}</h2>
<table>
<tr><th>{_e(t('git_commit'))}</th><td><code>{_e(commit)}</code>{_e(dirty)}</td></tr>
<tr><th>{_e(t('python'))}</th><td>{_e(env.get('python'))}{executable}</td></tr>
<tr><th>{_e(t('platform'))}</th><td>{_e(env.get('platform'))}, {_e(env.get('cpu_count'))} CPUs</td></tr>
<tr><th>{_e(t('options'))}</th><td><code>{_e(json.dumps(options, ensure_ascii=False, sort_keys=True))}</code></td></tr>
<tr><th>{_e(t('inputs_unchanged'))}</th><td>{_e(_fmt(run.get('inputs_unchanged'), lang))}</td></tr>
</table>
<details><summary>{_e(t('parameters'))}</summary><pre>{_e(params)}</pre></details>
<details><summary>{_e(t('input_files'))} ({len(inputs)})</summary>
<table><thead><tr><th>{_e(t('path'))}</th><th>{_e(t('role'))}</th><th>{_e(t('bytes'))}</th><th>SHA-256</th></tr></thead><tbody>{input_rows}</tbody></table></details>
<details><summary>{_e(t('packages'))}</summary><p>{pkgs}</p></details>
<p class="sub">{_e(t('machine_record'))}: <a href="run.json">run.json</a>.</p>
</body></html>
"""
