"""run_notebooks without kernels: validation before touching the disk, atomic run folders."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bankcrm_research.run import runner
from bankcrm_research.run.notebooks import ParameterError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


def test_run_refuses_bad_parameter_before_any_kernel(tmp_path, no_kernels):
    with pytest.raises(ParameterError, match="unknown parameter 'no_such'"):
        runner.run_notebooks(["ok_metrics"], overrides=["no_such=1"], output_dir=tmp_path,
                             notebooks_folder=FIXTURES, progress=False)
    assert list(tmp_path.iterdir()) == []  # not even a run folder


def test_concurrent_run_folders_never_collide(tmp_path):
    made: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def make():
        barrier.wait()  # all threads ask for a folder in the same instant
        run_id, path = runner._new_run_dir(tmp_path, "same-fingerprint")
        with lock:
            made.append(run_id)

    threads = [threading.Thread(target=make) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == len(set(made)) == 16
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(made)
    # run-id = UTC timestamp + short hash
    assert all(len(r) == len("20260101T000000Z-abcdef0") and r[8] == "T" and r[15] == "Z" for r in made)
