# bankcrm-research: two commands do everything (`make report`, `make test`).
# The environment lives in .venv (never a global install), built from the pinned lock.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
UV_VERSION := 0.13.8
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: report test test-fast lab lock env bench clean-venv help

help:
	@echo "make report   run every notebook on the bundled data into reports/<run-id>/"
	@echo "make test     run the whole test suite (unit, nbval, recovery, reference values)"
	@echo "make lab      open JupyterLab in the project environment"
	@echo "make lock     re-resolve uv.lock and re-export requirements.lock"
	@echo "make bench    run the benchmarks in bench/ (on demand, slow)"

env: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-install whenever the lock or the project metadata changes.
$(STAMP): $(PY) requirements.lock pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) pip sync --quiet --python $(PY) requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@touch $(STAMP)

report: $(STAMP)
	$(VENV)/bin/bankcrm-research run $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup $(ARGS)

lab: $(STAMP)
	$(UV) pip install --quiet --python $(PY) "jupyterlab==4.6.6"
	$(VENV)/bin/jupyter lab notebooks/

lock: $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) lock
	$(UV) export --frozen --no-hashes --no-emit-project --extra test --format requirements-txt -o requirements.lock -q

bench: $(STAMP)
	$(PY) -m bench $(ARGS)

clean-venv:
	rm -rf $(VENV)
