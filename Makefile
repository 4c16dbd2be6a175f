# The two commands a user runs: `make demo` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A CPU wheel of this exact torch is on the build machines; a looser pin would fetch a multi-GB CUDA build.
TORCH_PIN ?= torch==2.13.0

.PHONY: demo test lint venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_PIN)

# setup.py builds the C kernel for the GRU's loops (optional: without a compiler the PyTorch loops run).
$(VENV)/.installed: $(BIN)/python pyproject.toml setup.py src/attnviz/nn/_gru_kernel.c src/attnviz/nn/_gru_loops.h
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	scripts/install_test_tools.sh
	touch $@

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/attnviz demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
