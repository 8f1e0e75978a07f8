# The project's public interface. Two commands from a clean clone: `make site` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Which renderer `make site` uses: auto (Quarto if `quarto` is on PATH, else the built-in pandoc
# renderer), quarto or pandoc. Also read from $EXPLAINER_RENDERER.
RENDERER ?=
RENDER_FLAG := $(if $(RENDERER),--renderer $(RENDERER))

.PHONY: help site data check test bench clean lock browser lab

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 10

# The environment. Make compares timestamps, and a checkout or a branch switch changes those of
# files whose content did not change; so each install step also keeps a digest of what it was made
# from, and runs only when that changed: the venv once, the lock (requirements.txt) when it
# changed, the editable package when pyproject.toml's [build-system], [project] or
# [tool.setuptools] changed (new modules need no reinstall: the editable install maps the folder).
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
PACKAGE_DIGEST = $(PYTHON) -c 'import hashlib, json, tomllib; d = tomllib.load(open("pyproject.toml", "rb")); \
	print(hashlib.sha256(json.dumps([d.get("build-system"), d.get("project"), d.get("tool", {}).get("setuptools")], \
	sort_keys=True).encode()).hexdigest())'
$(INSTALLED): requirements.txt pyproject.toml
	@test -x $(PY) || { echo "$(PYTHON) -m venv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@lock=$$(sha256sum requirements.txt); if [ "$$lock" != "$$(cat $(VENV)/.lock-digest 2>/dev/null)" ]; then \
	  echo "$(PIP) -r requirements.txt"; $(PIP) -r requirements.txt && echo "$$lock" > $(VENV)/.lock-digest; \
	else echo "requirements.txt unchanged since the last install: pip skipped"; fi
	@package=$$($(PACKAGE_DIGEST)); if [ "$$package" != "$$(cat $(VENV)/.package-digest 2>/dev/null)" ]; then \
	  echo "$(PIP) --no-deps -e ."; $(PIP) --no-deps -e . && echo "$$package" > $(VENV)/.package-digest; \
	else echo "the package's metadata is unchanged since the last install: editable install skipped"; fi
	@touch $@

site: $(INSTALLED) ## bring data/ up to date (as `make data`), then render site/ with Quarto if installed (RENDERER=pandoc|quarto forces one)
	$(PY) -m explainer build $(RENDER_FLAG)

data: $(INSTALLED) ## re-execute the notebooks that are out of date, in order, then update data/ and the README
	$(PY) -m explainer data

check: $(INSTALLED) ## verify every claim against the seed and every table against the ledger (no notebook runs)
	$(PY) -m explainer check

test: site browser ## run every test: ledger, tables, notebooks (nbval strict), both renderers' sites in the browser, lint
	$(PY) -m pytest

lab: $(INSTALLED) ## open the notebooks in JupyterLab from the project's environment (its python3 kernel has the explainer package)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(INSTALLED) browser ## measure builds and pages against the budgets and against nbconvert; writes BENCHMARKS.md
	$(PY) -m explainer bench

browser: ## install Debian's Chromium for the browser tests if it is missing (needs root)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "error: the browser tests need Chromium: run 'sudo apt-get install chromium'" >&2; exit 1; fi; }

lock: ## regenerate requirements.txt from a fresh environment with the newest allowed versions
	rm -rf .build/lock-venv && $(PYTHON) -m venv .build/lock-venv
	.build/lock-venv/bin/pip install --quiet -e '.[dev]'
	{ sed -n '1,2p' requirements.txt; .build/lock-venv/bin/pip freeze --exclude-editable; } > requirements.txt.new
	mv requirements.txt.new requirements.txt && rm -rf .build/lock-venv

clean: ## remove the environment and every build output (data/ and the notebooks are kept: they are committed)
	rm -rf $(VENV) .build site _site .quarto *.egg-info .pytest_cache .ruff_cache .hypothesis
