# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=
# Offline machines (CI, development boxes) may have the YouTube raw files next to the project: use them
# instead of downloading. Users get the download from UCI.
YOUTUBE_RAW := $(wildcard ../shared/data/youtube-spam/raw)
ifneq ($(YOUTUBE_RAW),)
export ALTUI_YOUTUBE_SOURCE ?= $(abspath $(YOUTUBE_RAW))
endif

.PHONY: run test bench clean

$(BIN)/altui: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev: $(BIN)/altui
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

run: $(BIN)/altui
	$(BIN)/altui label $(ARGS)

test: $(VENV)/.dev
	$(BIN)/python -m pytest -q

bench: $(VENV)/.dev
	$(BIN)/python bench/bench_simulate.py

clean:
	rm -rf $(VENV) .pytest_cache
