# Parley: `make run` serves the demo at http://127.0.0.1:8000, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test bench messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints-build.txt
	$(PYTHON) -m venv $(VENV)
	PIP_CONSTRAINT=$(CURDIR)/constraints-build.txt $(VENV)/bin/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

run: install
	PARLEY_DEMO=1 PARLEY_TASKS=database $(PY) -m parley serve --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install $(VENV)/.installed-bench
	$(PY) -m bench $(BENCH_ARGS)

$(VENV)/.installed-bench: pyproject.toml constraints-build.txt
	PIP_CONSTRAINT=$(CURDIR)/constraints-build.txt $(VENV)/bin/pip install -q --disable-pip-version-check -e '.[test,bench]'
	touch $@

messages: install
	@command -v msgfmt >/dev/null || { echo 'make messages needs the gettext tools (msgfmt, xgettext): apt-get install gettext' >&2; exit 1; }
	cd src/parley && $(abspath $(PY)) -m django makemessages -l fr -e html,py,txt --settings=parley.settings && $(abspath $(PY)) -m django compilemessages --settings=parley.settings

clean:
	rm -rf $(VENV) var test-output
