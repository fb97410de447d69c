"""On-demand benchmarks (not part of ``make test``): ``python -m bench [name ...]`` or ``make bench``.

Each ``bench/bench_<name>.py`` module exposes ``main(argv: list[str] | None = None) -> int``;
results go to ``bench/results/`` (gitignored).
"""
