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

.PHONY: run test test-newest docs docs-serve bench bench-scale clean lock

# constraints.txt pins what CI and these targets install (reproducible); tests/test_packaging.py installs the
# wheel into a fresh venv with the newest allowed versions, so drift shows up before users see it.
$(BIN)/altui: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.dev: $(BIN)/altui
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

lock: $(VENV)/.dev  # write constraints.txt anew from what the dev venv holds
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,bench]'
	{ sed -n '1,3p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^altui'; } > constraints.new
	mv constraints.new constraints.txt

run: $(BIN)/altui
	$(BIN)/altui label $(ARGS)

test: $(VENV)/.dev
	$(BIN)/python -m pytest -q

# The manual (docs/, mkdocs-material; the CLI reference is generated from the Typer app at every build)
docs: $(VENV)/.dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(VENV)/.dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

# The whole suite again on the newest versions pyproject.toml allows (no constraints.txt): drift shows up here
# before users see it. Without altui[tutorial], whose modAL caps scikit-learn below 1.8: its tests skip.
NEWEST := .venv-newest
test-newest:
	rm -rf $(NEWEST)
	$(PYTHON) -m venv $(NEWEST)
	$(NEWEST)/bin/python -m pip install -q --upgrade pip
	$(NEWEST)/bin/python -m pip install -q -e '.[dask,test]'
	$(NEWEST)/bin/python -m pip list --format=freeze | grep -iE '^(scikit-learn|numpy|scipy|pandas|pyarrow|textual|typer)=='
	$(NEWEST)/bin/python -m pytest -q

bench: $(VENV)/.dev
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_many_classes.py
	$(BIN)/python bench/bench_simulate.py --phases
	$(BIN)/python bench/bench_cold_start.py --seeds 200
	$(BIN)/python bench/bench_learners.py --keep .bench-data
	$(BIN)/python bench/bench_tui_latency.py
	$(BIN)/python bench/bench_simulate_cluster.py
	$(BIN)/python bench/bench_review.py

bench-scale: $(VENV)/.dev  # a synthetic million-comment pool: minutes, about 2.5 GB of memory
	$(BIN)/python bench/bench_scale.py --keep .bench-data
	$(BIN)/python bench/bench_candidates.py --keep .bench-data
	$(BIN)/python bench/bench_tui_latency.py --data .bench-data/pool-1000000.csv --test .bench-data/test-2000.csv

clean:
	rm -rf $(VENV) $(NEWEST) .pytest_cache site
