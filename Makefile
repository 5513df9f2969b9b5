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

bench: install $(VENV)/.installed-bench bench/peers/node_modules/.installed
	$(PY) -m bench $(BENCH_ARGS)

# The Socket.IO peer of `--scenarios peers` (socket.io and pg, pinned by package-lock.json).
bench/peers/node_modules/.installed: bench/peers/package.json bench/peers/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix bench/peers --no-audit --no-fund --loglevel=error && touch $@; \
	else echo 'npm not found: `--scenarios peers` will skip the Socket.IO peer (apt-get install nodejs npm)' >&2; fi

$(VENV)/.installed-bench: pyproject.toml constraints-build.txt
	PIP_CONSTRAINT=$(CURDIR)/constraints-build.txt $(VENV)/bin/pip install -q --disable-pip-version-check -e '.[test,bench]'
	touch $@

messages: install
	@command -v msgfmt >/dev/null || { echo 'make messages needs the gettext tools (msgfmt, xgettext): apt-get install gettext' >&2; exit 1; }
	cd src/parley && $(abspath $(PY)) -m django makemessages -l fr -e html,py,txt --settings=parley.settings && $(abspath $(PY)) -m django compilemessages --settings=parley.settings

clean:
	rm -rf $(VENV) var test-output
