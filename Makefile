# Two entry points that work on a fresh machine (README): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup system-deps demo test test-fast lint clean

$(BIN)/hpcarbon: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@# byte-compiled as pip leaves an installed package (the checkout is read in place, and an environment
	@# with PYTHONDONTWRITEBYTECODE would otherwise compile every module at every start)
	$(BIN)/python -m compileall -q src xladdin > /dev/null
	@touch $@

setup: $(BIN)/hpcarbon

demo: setup
	$(BIN)/hpcarbon validate workbook_templates/examples/example-declaration.xlsx

system-deps:
	tools/install-system-deps

test: setup system-deps
	$(BIN)/ruff check src tests xladdin bench
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# the edit-test loop: the core's tests only, no workbook generation, subprocess or external program (≤ 30 s)
test-fast: setup
	$(BIN)/python -m pytest -q -m fast

lint: setup
	$(BIN)/ruff check src tests xladdin bench

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
