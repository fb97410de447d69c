"""``python -m bench [name ...] [-- args for the benchmark]``: run bench/bench_<name>.py's main()."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def available() -> list[str]:
    """Names of the benchmarks in this folder (``bench_<name>.py``)."""
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    if argv and argv[0] in {"-h", "--help"}:
        print(__doc__)
        print("available:", ", ".join(available()))
        return 0
    names = argv or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; available: {available()}", file=sys.stderr)
        return 2
    status = 0
    for name in names:
        print(f"== bench {name}", flush=True)
        module = importlib.import_module(f"bench.bench_{name}")
        status = max(status, int(module.main(extra) or 0))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
