# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
CONSTRAINTS := requirements/constraints.txt
PORT ?= 8000
# Modules without Django (`lint-imports` holds them to it): they type-check strictly.
PURE_MODULES := curation/profiling curation/plain.py curation/vocabulary.py curation/coverage/gaps.py \
	curation/manifests/entries.py curation/manifests/tabular.py curation/manifests/croissant.py \
	curation/manifests/diff.py curation/manifests/attribution.py curation/catalogue/dcat.py \
	curation/csvsafe.py inventory/formats.py inventory/licensing.py inventory/langtags.py \
	inventory/grants.py inventory/redaction.py

.PHONY: demo test lint schema serve clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed, found " + sys.version)'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(PY) pyproject.toml $(CONSTRAINTS)
	$(PIP) install --quiet -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PIP) install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $@

demo: $(VENV)/.runtime
	DEBUG=true $(PY) manage.py migrate --no-input
	DEBUG=true $(PY) manage.py demo
	@echo "Site: http://127.0.0.1:$(PORT)/reports/KE/ (coverage report)  admin: http://127.0.0.1:$(PORT)/admin/  API docs: http://127.0.0.1:$(PORT)/api/docs/"
	DEBUG=true $(PY) manage.py runserver --noreload 127.0.0.1:$(PORT)

test: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m mypy config inventory curation
	$(PY) -m mypy --strict --config-file /dev/null --ignore-missing-imports $(PURE_MODULES)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

schema: $(VENV)/.dev
	$(PY) manage.py spectacular --validate --fail-on-warn --file tests/openapi.yaml

clean:
	rm -rf $(VENV) db.sqlite3
