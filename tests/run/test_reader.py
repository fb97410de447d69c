"""Reader mode: parameters as a table, no path reprs, warnings gathered without paths, code toggles."""

from __future__ import annotations

import html
import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from bankcrm_research.run.export import notebook_to_html, remote_references
from bankcrm_research.run.reader import is_path_repr, parse_warnings, prepare_for_reader, scrub_paths

_WARN = ("/tmp/ipykernel_2718/812260594.py:4: DataWarning: survey: dropped 638 of 1500 rows (42.5%).\n"
         "  prep = prepare_survey(survey, model, missing=missing_rule)\n"
         "/opt/venv/lib/python3.11/site-packages/statsmodels/base/model.py:607: ConvergenceWarning: "
         "Maximum Likelihood optimization failed to converge.\n"
         "  warnings.warn(\"Maximum Likelihood optimization failed to \"\n")


def _nb():
    params = new_code_cell('seed = 7  # random seed\ndata_path = "/home/alice/bank/data.csv"  # file\nlang = "en"')
    params.metadata["tags"] = ["parameters"]
    injected = new_code_cell("# Parameters\nseed = 3\n")
    injected.metadata["tags"] = ["injected-parameters"]
    save = new_code_cell("save_figure(fig, 'histogram')", execution_count=3)
    save.outputs = [new_output("execute_result", data={"text/plain": "PosixPath('/work/reports/r1/nb/figures/h.png')"},
                               execution_count=3)]
    warn = new_code_cell("x = fit(data)", execution_count=4)
    warn.outputs = [new_output("stream", name="stderr", text=_WARN),
                    new_output("stream", name="stdout", text="saved to /work/reports/r1/nb/tables/a.csv\n"),
                    new_output("execute_result", data={"text/plain": "42"}, execution_count=4)]
    again = new_code_cell("y = fit(data)", execution_count=5)
    again.outputs = [new_output("stream", name="stderr", text=_WARN.split("/opt")[0].replace("/4.py", "/5.py"))]
    nb = new_notebook(cells=[new_markdown_cell("# Title\n\nQuestion?"), params, injected, save, warn, again])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_scrub_paths_and_path_reprs():
    assert scrub_paths("/tmp/ipykernel_1/22.py:4: W: m") == "cell:4: W: m"
    assert scrub_paths("see /work/reports/r1/nb/a.csv", ["/work/reports/r1"]) == "see nb/a.csv"
    assert scrub_paths("file /home/alice/x/data.csv here", aggressive=True) == "file data.csv here"
    # URLs, ratios, dates and units are not paths
    for text in ("https://example.org/a/b", "CNY/month", "2023/12/31", "and/or", "1/2"):
        assert scrub_paths(text, aggressive=True) == text
    assert is_path_repr("PosixPath('/a/b.png')") and is_path_repr("[PosixPath('/a'), PosixPath('/b')]")
    assert not is_path_repr("42") and not is_path_repr("'PosixPath'") and not is_path_repr("PosixPath('/a') + 1")


def test_parse_warnings_removes_paths_and_optionally_source_lines():
    items = parse_warnings(_WARN, cell="In [4]")
    assert items[0].startswith("DataWarning: survey: dropped 638 of 1500 rows (42.5%). (In [4])")
    assert "prepare_survey(" in items[0]  # internal report: the source line helps
    assert "statsmodels/base/model.py:607" in items[1] and "/opt/venv" not in items[1]
    safe = parse_warnings(_WARN, cell="In [4]", share_safe=True)
    assert all("prepare_survey" not in i and "warnings.warn" not in i for i in safe)
    assert all("ipykernel" not in i and "/opt" not in i for i in items + safe)


def test_prepare_for_reader_rewrites_parameters_outputs_and_warnings():
    out = prepare_for_reader(_nb(), roots=["/work/reports/r1"])
    cells = out.cells
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in cells)  # merged
    table = cells[1].outputs[0]["data"]["text/html"]
    assert cells[1].metadata["bankcrm_reader"]["hide_input"]
    assert "<code>seed</code>" in table and '>3</code>' in table and "set for this run" in table
    assert "random seed" in table and "Parameters (3)" in table
    assert cells[2].outputs == []  # PosixPath(...) echo of save_figure dropped
    kept = cells[3].outputs
    assert [o["output_type"] for o in kept] == ["stream", "execute_result"]  # stderr gone, "42" stays
    assert kept[0]["text"] == "saved to nb/tables/a.csv\n"
    warn_html = cells[-1].outputs[0]["data"]["text/html"]
    assert warn_html.startswith('<details class="bk-warnings"><summary>Warnings (3)</summary>')
    assert "ipykernel" not in warn_html and "/opt/" not in warn_html and "(In [4])" in warn_html
    # a fixed cell id (nbformat draws a random one): the same run renders to the same HTML
    assert cells[-1].id == "bankcrm-warnings" == prepare_for_reader(_nb(), roots=["/work/reports/r1"]).cells[-1].id


def test_html_hides_code_behind_toggles_and_share_safe_has_none(tmp_path):
    nb = _nb()
    page = notebook_to_html(nb, tmp_path / "nb.html", roots=["/work/reports/r1"]).read_text(encoding="utf-8")
    assert page.count('<details class="bk-code"><summary>show code</summary>') == 3  # save, warn, again
    assert "Out[4]" not in page and "Out[3]" not in page and "PosixPath" not in page
    assert 'id="bk-toggle-all"' in page and remote_references(page) == []
    assert "seed = 7" not in page  # parameters shown as a table, not code
    safe = notebook_to_html(nb, tmp_path / "safe.html", exclude_input=True).read_text(encoding="utf-8")
    text = re.sub(r'src="data:[^"]*"', "", safe)
    for code in ("save_figure(", "fit(data)", "prepare_survey", "# Parameters", "<details class=\"bk-code\"", "/home/alice", "/tmp/ipykernel"):
        assert code not in text, code
    assert "data.csv" in text  # the file name stays, its folder does not


def test_zh_headings_of_reader_blocks(tmp_path):
    out = prepare_for_reader(_nb(), lang="zh")
    assert "参数 (3)" in out.cells[1].outputs[0]["data"]["text/html"]
    assert "警告 (3)" in out.cells[-1].outputs[0]["data"]["text/html"]
    nbformat.validate(out)


def test_parameters_table_notes_from_comments_above_and_long_values_cut():
    from bankcrm_research.run.reader import parameters_table

    src = ('# None = the bundled survey; or a CSV path\nsurvey_path = None\n'
           'measurement = {\n    "IMAG": ' + repr([f"IMAG{i}" for i in range(30)]) + ',\n}\nseed = 1\n')
    table = parameters_table(src)
    assert "None = the bundled survey; or a CSV path" in table
    cut = re.search(r'<code title="([^"]*)">([^<]*)</code>', table.split("measurement")[1])
    shown = html.unescape(cut.group(2))
    assert len(shown) <= 90 and shown.endswith("…") and "IMAG29" in cut.group(1)
    # no note anywhere: no Note column
    assert "<th>Note</th>" not in parameters_table("seed = 1\nn = 2\n")


def test_home_paths_become_tilde_unless_share_safe():
    from pathlib import Path

    home = str(Path.home())
    if len(home) <= 1:
        return
    assert scrub_paths(f"read {home}/proj/data.csv") == "read ~/proj/data.csv"
    assert scrub_paths(f"read {home}/proj/data.csv", aggressive=True) == "read data.csv"


def test_zh_code_toggles(tmp_path):
    page = notebook_to_html(_nb(), tmp_path / "zh.html", lang="zh").read_text(encoding="utf-8")
    assert "<summary>显示代码</summary>" in page and "<summary>show code</summary>" not in page
    assert ">显示全部代码</button>" in page and 'data-hide="隐藏全部代码"' in page
    assert '<html lang="zh-CN"' in page


def test_title_cell_in_the_run_language(tmp_path):
    """A markdown cell naming a label (metadata bankcrm.label) shows that label's text in a zh report;
    English keeps the cell as written; an unknown label keeps the cell."""
    from bankcrm_research.reporting import label
    from bankcrm_research.run.notebooks import display_title

    nb = _nb()
    nb.cells[0].metadata["bankcrm"] = {"label": "nb03.intro"}
    english = nb.cells[0].source
    zh = prepare_for_reader(nb, lang="zh")
    assert zh.cells[0].source == label("nb03.intro", "zh") and zh.cells[0].source.startswith("# 03 — 客户满意度")
    assert prepare_for_reader(nb, lang="en").cells[0].source == english
    nb.cells[0].metadata["bankcrm"] = {"label": "no.such.label"}
    assert prepare_for_reader(nb, lang="zh").cells[0].source == english
    assert display_title("03_satisfaction_drivers", "03 — Customer satisfaction drivers", "zh") == "03 — 客户满意度的驱动因素"
    assert display_title("03_satisfaction_drivers", "03 — Customer satisfaction drivers", "en") == \
        "03 — Customer satisfaction drivers"
    assert display_title("99_unknown", "99 — Something", "zh") == "99 — Something"


def test_every_notebook_has_a_chinese_title_for_the_index():
    """The zh index and page titles come from ``title.<notebook>`` labels: every shipped notebook has one,
    and it matches the first line of the Chinese text of its title cell."""
    from pathlib import Path

    from bankcrm_research.reporting.labels import label
    from bankcrm_research.run.notebooks import display_title

    root = Path(__file__).resolve().parents[2] / "notebooks"
    for path in sorted(root.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        zh = display_title(path.stem, "ENGLISH", "zh")
        assert re.search(r"[\u4e00-\u9fff]", zh), path.stem
        key = nb.cells[0].metadata["bankcrm"]["label"]
        assert label(key, "zh").splitlines()[0].lstrip("# ") == zh, path.stem
