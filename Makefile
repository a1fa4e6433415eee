# Two entry points on a fresh Debian machine: `make demo` and `make test`.
# Both create (or refresh) .venv, install the project with its extras, and install the
# Debian graphviz package when the `dot` program is missing. A third, `make notebooks`,
# starts JupyterLab on the course notebooks in the same .venv.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NOTEBOOKS_STAMP := $(VENV)/.installed-notebooks
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test notebooks bench graphviz browser clean

demo: $(STAMP) graphviz
	$(PY) examples/digits.py

# float32 results may differ in the last bit between OpenBLAS kernels (OPENBLAS_CORETYPE picks
# one): the engine and nn tests run a second time with the other choice, unset if set, else
# Haswell's (x86-64 only), so the suite is proven to pass with both.
ifdef OPENBLAS_CORETYPE
OTHER_BLAS := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
else ifeq ($(shell uname -m),x86_64)
OTHER_BLAS := env OPENBLAS_CORETYPE=Haswell
endif

test: $(STAMP) graphviz browser
	$(VENV)/bin/ruff format --check --quiet .
	$(VENV)/bin/ruff check --quiet .
	$(PY) -m pytest -q
ifdef OTHER_BLAS
	$(OTHER_BLAS) $(PY) -m pytest -q -p no:cacheprovider tests/autograd_lite tests/nn
endif

# JupyterLab on notebooks/, with the project's .venv as the notebooks' Python kernel
# (JupyterLab refuses to run as root unless told to, as in containers)
LAB_AS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
notebooks: $(NOTEBOOKS_STAMP) graphviz
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(LAB_AS_ROOT)

bench: $(STAMP) graphviz
	$(PY) benchmarks/engine_bench.py
	$(PY) benchmarks/fit_bench.py
	$(PY) benchmarks/viz_bench.py

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,examples,export]'
	touch $(STAMP)

$(NOTEBOOKS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[notebooks]'
	touch $(NOTEBOOKS_STAMP)

graphviz:
	@command -v dot >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz; }

# headless Chromium and its driver, for the browser test of the backprop HTML player
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

clean:
	rm -rf $(VENV) out .pytest_cache
