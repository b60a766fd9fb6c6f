# envhub — the two commands are `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# `make test` runs the suite in TEST_WORKERS pytest-xdist workers, each with its own test database
# (default one per CPU; `make test TEST_WORKERS=0` runs it in one process, for pdb). Not ENVHUB_*:
# envhub warns of an ENVHUB_ variable it does not know. A `-n` in PYTEST_ARGS comes later and wins.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 1)

.PHONY: run test setup install system-deps check messages lint clean

run: setup                 ## set everything up and start web, worker and receivers
	$(BIN)/envhub run

test: install system-deps  ## set everything up and run the whole test suite
	$(BIN)/envhub setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

setup: install             ## virtualenv, dependencies, migrations, reference and demo data
	$(BIN)/envhub setup

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@PYTHON=$(PYTHON) scripts/system-deps.sh base
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

system-deps:               ## Debian packages the tests need (chromium, gettext, tesseract-ocr-vie…)
	@PYTHON=$(PYTHON) scripts/system-deps.sh test

check: install             ## report misconfiguration
	$(BIN)/envhub check

messages: install          ## refresh the Vietnamese and English message catalogues
	cd envhub && ../$(BIN)/django-admin makemessages -l vi --no-obsolete \
		--ignore 'static/vendor/*' && ../$(BIN)/django-admin compilemessages

lint: install              ## ruff over the code, the tests and the benchmarks
	$(BIN)/ruff check envhub tests bench scripts

clean:
	rm -rf $(VENV) var/static
