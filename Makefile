# casb-gateway. `make run` and `make test` set up everything they need on a fresh Debian machine
# (as root): Debian packages, a Python 3.12 virtualenv, the project and its test extras.

SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed
DEB_PACKAGES := redis-server chromium softhsm2
RUN_ARGS ?=

# Python 3.12: on PATH, or from pyenv, or from Debian/Ubuntu packages where they have it.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -n 1)

.PHONY: install deb-packages run test lint bench clean

install: deb-packages $(STAMP)

deb-packages:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "need root to apt-get install$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	@py="$(PYTHON)"; \
	if [ -z "$$py" ]; then \
	  echo "no python3.12 found; trying the distribution's package"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.12 python3.12-venv >/dev/null 2>&1 && py=$$(command -v python3.12); \
	fi; \
	if [ -z "$$py" ] && command -v python3 >/dev/null; then \
	  echo "trying uv's managed Python 3.12"; \
	  python3 -m pip install -q uv >/dev/null 2>&1 && python3 -m uv python install 3.12 >/dev/null 2>&1 && py=$$(python3 -m uv python find 3.12 2>/dev/null); \
	fi; \
	if [ -z "$$py" ]; then echo "Python 3.12 is required: install python3.12 (or pyenv install 3.12) and re-run" >&2; exit 1; fi; \
	echo "using $$py"; \
	$$py -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

run: install
	$(BIN)/casb run $(RUN_ARGS)

test: install
	$(BIN)/ruff check gateway addons tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check gateway addons tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
