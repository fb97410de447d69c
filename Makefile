# bankcrm-research: two commands do everything (`make report`, `make test`).
# The environment lives in .venv (never a global install), built from the pinned lock.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
UV_VERSION := 0.13.8
STAMP  := $(VENV)/.installed
ARGS   ?=
CONFIG ?= config/default.yml
# nbval executes every committed notebook top to bottom in the same pytest call as the unit tests.
NOTEBOOKS := $(wildcard notebooks/*.ipynb)

.PHONY: report report-public test test-fast lab lock env bench clean-venv help

help:
	@echo "make report   run every notebook on the bundled data into reports/<run-id>/"
	@echo "make report-public  run the notebooks on the real public data in data/public/ into reports/public/"
	@echo "make test     run the whole test suite (unit, nbval, recovery, reference values)"
	@echo "make lab      open JupyterLab in the project environment"
	@echo "make lock     re-resolve uv.lock and re-export requirements.lock"
	@echo "make bench    run the benchmarks in bench/ (on demand, slow)"

env: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# --compile-bytecode: CI and some shells set PYTHONDONTWRITEBYTECODE, which otherwise makes every
# kernel recompile pandas/scipy/statsmodels from source (~10 s per notebook).
# Re-install whenever the lock or the project metadata changes. The last step writes a python3
# kernelspec inside the venv pointing at the venv's interpreter (jupyter_core prefers the
# environment's kernelspecs over user-level ones; the runner also forces sys.executable).
$(STAMP): $(PY) requirements.lock pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	$(UV) pip install --quiet --compile-bytecode --python $(PY) --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (bankcrm-research)" >/dev/null
	@touch $(STAMP)

report: $(STAMP)
	$(VENV)/bin/bankcrm-research run -c $(CONFIG) $(ARGS)

# Real public data (UCI Bank Marketing, ECSI mobi; data/public/README.md): its own run folders,
# index, latest link and history under reports/public/.
report-public: $(STAMP)
	$(VENV)/bin/bankcrm-research run -c config/public.yml --output-dir reports/public $(ARGS)

# One BLAS/OpenMP thread per worker: two xdist workers on two cores must not oversubscribe
# (HistGradientBoosting ran ~5x slower with nested threads here).
# --dist loadscope keeps each test module, and each notebook's cells (one nbval kernel), on one worker.
test: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadscope --nbval-lax --nbval-current-env tests $(NOTEBOOKS) $(ARGS)

# JupyterLab comes from the pinned lock (nothing is installed here). Jupyter refuses to run as
# root unless told to: containers often are root, so pass --allow-root exactly then.
# Override the rest with e.g. `make lab LAB_ARGS="--ip=0.0.0.0 --port=8899"`.
LAB_ARGS ?= --no-browser --ip=127.0.0.1
LAB_ROOT := $(shell [ "$$(id -u 2>/dev/null)" = "0" ] && echo --allow-root)
lab: $(STAMP)
	@test -x $(VENV)/bin/jupyter-lab || { echo "jupyterlab is missing from $(VENV): it comes from the pinned lock (requirements.lock); update the checkout and run 'make env'." >&2; exit 1; }
	$(VENV)/bin/jupyter lab notebooks/ $(LAB_ROOT) $(LAB_ARGS)

lock: $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) lock
	$(UV) export --frozen --no-hashes --no-emit-project --extra test --extra lab --extra spark --format requirements-txt -o requirements.lock -q

bench: $(STAMP)
	$(PY) -m bench $(ARGS)

clean-venv:
	rm -rf $(VENV)
