# Two entry points on a fresh Debian machine: `make demo` and `make test`.
# Both create (or refresh) .venv, install the project with its extras, and install the
# Debian graphviz package when the `dot` program is missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench graphviz browser clean

demo: $(STAMP) graphviz
	$(PY) examples/digits.py

test: $(STAMP) graphviz browser
	$(PY) -m pytest -q

bench: $(STAMP) graphviz
	$(PY) benchmarks/engine_bench.py
	$(PY) benchmarks/fit_bench.py
	$(PY) benchmarks/viz_bench.py

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,examples]'
	touch $(STAMP)

graphviz:
	@command -v dot >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz; }

# headless Chromium and its driver, for the browser test of the backprop HTML player
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

clean:
	rm -rf $(VENV) out .pytest_cache
