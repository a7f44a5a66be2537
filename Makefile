# srma: two commands, `make run` and `make test`, are the whole set-up.
# They need only Python 3.11 (python3 -m venv); no conda.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.srma-installed
CORES  ?= 4
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help install run test lint report bench bench-import bench-dedup bench-pool bench-workflow example-data readme-images clean

help:
	@echo "make run    - install into .venv and run the example review (snakemake --cores $(CORES))"
	@echo "make test   - install into .venv and run the whole test suite"
	@echo "make bench  - run every benchmark and update docs/benchmarks.md"
	@echo "make lint   - ruff check + snakemake --lint"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Every workflow job is a fresh Python process that imports the library: byte-compile it once
# (an editable install is not compiled, and PYTHONDONTWRITEBYTECODE stops jobs doing it).
COMPILE := $(BIN)/python -m compileall -q -j 0 src

run: $(STAMP)
	$(COMPILE)
	$(BIN)/snakemake --cores $(CORES)

test: $(STAMP)
	$(COMPILE)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/snakemake --lint

report: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)
	$(BIN)/snakemake --report results/report.html

bench: bench-import bench-dedup bench-pool bench-workflow
	$(BIN)/python benchmarks/collect.py

bench-import: $(STAMP)
	$(BIN)/python benchmarks/bench_import.py

bench-dedup: $(STAMP)
	$(BIN)/python benchmarks/bench_dedup.py

bench-pool: $(STAMP)
	$(BIN)/python -m pip install --quiet pymare
	$(BIN)/python benchmarks/bench_pool.py

bench-workflow: $(STAMP)
	$(COMPILE)
	$(BIN)/python benchmarks/bench_workflow.py
	$(BIN)/python benchmarks/collect.py

example-data: $(STAMP)
	$(BIN)/python tools/example_data/generate.py
	$(BIN)/python tools/example_data/screening.py
	$(BIN)/python tools/calibrate_extraction/calibrate.py

readme-images: run
	$(BIN)/python tools/readme_images.py

clean:
	rm -rf results .snakemake
