# Concierge — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test test-fast bench lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: its CPU build comes from local disk; unpinned it pulls a CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c requirements.lock -e '.[test]'
	touch $@

install: $(STAMP)

# Create the venv, install, seed the demo store, serve on 127.0.0.1:8000.
run: install
	$(BIN)/concierge seed
	$(BIN)/concierge serve

# Everything the tests need is installed by `install`; slow suites are marked and still run.
test: install chromium
	$(BIN)/pytest -q

# Debian's Chromium for the browser tests (tests/e2e); installed only when missing, never downloaded by Playwright.
chromium:
	@test -x /usr/bin/chromium || { s=$$([ "$$(id -u)" = 0 ] || echo sudo); $$s apt-get update && $$s apt-get install -y chromium; }

test-fast: install
	$(BIN)/pytest -q -m "not slow"

# Benchmarks and quality evaluations; reports land in eval/reports/.
bench: install
	$(BIN)/python -m eval.bench_tools
	$(BIN)/python -m eval.retrieval_bench
	$(BIN)/python -m eval.privacy_bench
	$(BIN)/python -m eval.nlu_bench

# Re-pin after changing dependencies in pyproject.toml.
lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^torch==' > requirements.lock

clean:
	rm -rf var/ .pytest_cache
