# Developer commands. `make run` and `make test` work on a fresh clone: they install the system
# packages that are missing (scripts/system-packages.sh: apt-get on Debian/Ubuntu, a message naming
# them elsewhere), create .venv and install the package with its dev tools once, then again only
# when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-packages run test lint bench build-CrampCoachFunction

install: $(STAMP)

# Silent and quick when nothing is missing; `make test` also insists on the audio tools (--require).
system-packages:
	@scripts/system-packages.sh $(PYTHON)

$(BIN)/python: | system-packages
	$(PYTHON) -m venv $(VENV)

# The stamp is newer than pyproject.toml once its dependencies are installed.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Development server: request verification is OFF. Production: `cramp-coach serve` (see README).
run: $(STAMP)
	$(BIN)/cramp-coach serve --no-verify --host $(HOST) --port $(PORT)

test: $(STAMP)
	@scripts/system-packages.sh --require $(PYTHON)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/vulture
	$(BIN)/cfn-lint template.yaml

# Every benchmark in one run, ending with the performance targets and the figures measured.
bench: $(STAMP)
	$(BIN)/python -m bench

# `sam build` runs this target (template.yaml: BuildMethod makefile) with ARTIFACTS_DIR set. Only
# the code and its phrases are packaged; the runtime dependencies are pyproject.toml's, installed
# as manylinux wheels for Lambda's Python 3.12, so any machine with pip can build the package.
# /var/task is read-only on Lambda, so bytecode is compiled here (when a Python 3.12 is at hand, as in
# `sam build --use-container`) rather than on every cold start; the host's own .pyc files are useless.
LAMBDA_PLATFORM := --platform manylinux2014_x86_64 --implementation cp --python-version 3.12 --only-binary=:all:
LAMBDA_PYTHON ?= python3.12
build-CrampCoachFunction:
	$(PYTHON) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
		> "$(ARTIFACTS_DIR)/requirements.txt"
	$(PYTHON) -m pip install --quiet --no-warn-conflicts --target "$(ARTIFACTS_DIR)" $(LAMBDA_PLATFORM) \
		-r "$(ARTIFACTS_DIR)/requirements.txt"
	rm -r "$(ARTIFACTS_DIR)/requirements.txt" "$(ARTIFACTS_DIR)/bin"
	cp -R skill responses "$(ARTIFACTS_DIR)/"
	find "$(ARTIFACTS_DIR)" -name __pycache__ -type d -prune -exec rm -rf {} +
	if $(LAMBDA_PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then \
		$(LAMBDA_PYTHON) -W ignore -m compileall -q -j 0 "$(ARTIFACTS_DIR)" >/dev/null; fi
