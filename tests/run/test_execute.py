"""Execution helpers that need no kernel: progress reporting."""

from __future__ import annotations


def test_progress_is_timestamped_lines_off_a_terminal_and_a_bar_on_one():
    import io
    import re

    from bankcrm_research.run.execute import Progress
    from bankcrm_research.run.results import NotebookResult

    log = io.StringIO()
    p = Progress(1, None, log)
    p.start("01_x")
    p.done(NotebookResult("01_x", "failed", 2.5, error={"ename": "ValueError", "first_line": "bad"}))
    lines = log.getvalue().splitlines()
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ bankcrm-research START 01_x$", lines[0])
    assert lines[1].endswith("FAILED      01_x 2.5s  ValueError: bad")

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    bar = Progress(1, None, tty)
    bar.done(NotebookResult("01_x", "succeeded", 1.0))
    bar.close()
    assert "1/1" in tty.getvalue() and "bankcrm-research" not in tty.getvalue()
