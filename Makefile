# One entry point for every task. `make demo` and `make test` work on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install lint typecheck test test-unit test-integration demo collector bench bench-compare docs clean system-deps

install: $(STAMP)

# The lock files pin every version; `uv pip sync` makes the venv exactly that set.
$(STAMP): pyproject.toml requirements/dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "uv==0.13.9"
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements/dev.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

# Debian packages the tests need (headless Chromium for the HTML report).
system-deps:
	@{ command -v chromium && fc-list :lang=ko | grep -q .; } >/dev/null 2>&1 || { \
	  echo "installing chromium + a Korean font (Debian packages) for browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum >/dev/null; }

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

include collector/collector.mk
include infrastructure/iac.mk

test: install system-deps collector iac-tools
	$(MAKE) lint
	$(BIN)/pytest

demo: install collector
	$(BIN)/python -m naver_sms.devstack.demo --out out/demo

bench: install collector
	$(BIN)/python -m benchmarks.run

bench-compare: install
	$(BIN)/python -m benchmarks.compare_bench

docs: install
	$(BIN)/naver-sms docs --write

clean:
	rm -rf out build dist .pytest_cache .mypy_cache .ruff_cache
