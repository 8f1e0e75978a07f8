# The project's public interface. Two commands from a clean clone: `make site` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# The kernel the notebooks name ("explainer"): this environment's Python, so `import explainer` works
# in JupyterLab, nbval and the build alike. Installed into the venv, not into the user's Jupyter.
KERNEL := $(VENV)/share/jupyter/kernels/explainer/kernel.json
# Which renderer `make site` uses: auto (Quarto if `quarto` is on PATH, else the built-in pandoc
# renderer), quarto or pandoc. Also read from $EXPLAINER_RENDERER.
RENDERER ?=
RENDER_FLAG := $(if $(RENDERER),--renderer $(RENDERER))
# FORCE=1: re-execute every notebook and render every page, discarding hand edits of generated files.
FORCE_FLAG := $(if $(filter 1 yes true,$(FORCE)),--force)

.PHONY: help site data check verify test test-fast bench clean lock browser lab validator node lighthouse

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

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

$(KERNEL): $(INSTALLED)
	$(PY) -m ipykernel install --sys-prefix --name explainer --display-name "Python 3 (explainer)" >/dev/null

site: $(INSTALLED) $(KERNEL) ## bring data/ up to date (as `make data`), then render site/ with Quarto if installed (RENDERER=pandoc|quarto forces one; FORCE=1 redoes everything)
	$(PY) -m explainer build $(RENDER_FLAG) $(FORCE_FLAG)

data: $(INSTALLED) $(KERNEL) ## re-execute the notebooks that are out of date, in order, then update data/ and the README (FORCE=1: all of them)
	$(PY) -m explainer data $(FORCE_FLAG)

check: $(INSTALLED) $(KERNEL) ## verify every claim against the seed and every table against the ledger (no notebook runs)
	$(PY) -m explainer check

verify: $(INSTALLED) $(KERNEL) ## check that the committed data/, charts, notebook outputs and README are exactly what the pipeline produces from seeds/ (rebuilds in a scratch copy, changes nothing)
	$(PY) -m explainer verify-committed

# The committed state is verified first, before `make site` could regenerate anything: a wrong
# number committed in data/ fails here, naming its file, instead of being rebuilt out of sight.
test: $(INSTALLED) $(KERNEL) browser validator ## verify the committed state, then build and run every test: ledger, tables, notebooks (nbval strict), both renderers' sites in the browser, lint
	@$(PY) -m tools.stopwatch start make-test
	$(PY) -m explainer verify-committed
	$(PY) -m explainer build $(RENDER_FLAG)
	$(PY) -m pytest -p tests.conftest -n 2 --dist loadfile notebooks
	$(PY) -m pytest -n 2 --dist loadgroup tests
	@$(PY) -m tools.stopwatch stop make-test

test-fast: $(INSTALLED) $(KERNEL) ## the inner loop: every test but the browser, the end-to-end builds and the notebook runs
	@$(PY) -m tools.stopwatch start make-test-fast
	$(PY) -m pytest -n 2 -m "not slow and not browser" tests
	@$(PY) -m tools.stopwatch stop make-test-fast

lab: $(INSTALLED) $(KERNEL) ## open the notebooks in JupyterLab from the project's environment, on the kernel they name ("explainer")
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. --ServerApp.default_url=/lab/tree/notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(INSTALLED) $(KERNEL) browser ## measure builds and pages against the budgets and against nbconvert; writes BENCHMARKS.md
	$(PY) -m tools.bench

browser: ## install Debian's Chromium for the browser tests if it is missing (needs root)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "error: the browser tests need Chromium: run 'sudo apt-get install chromium'" >&2; exit 1; fi; }

# npm tools, each pinned by its own package-lock.json and installed beside it (node_modules/ is not
# committed); --ignore-scripts: vnu-jar's install script would fetch a Java runtime, and none is needed.
VNU := tools/vnu/node_modules/.installed
LIGHTHOUSE := tools/lighthouse/node_modules/.installed
tools/%/node_modules/.installed: tools/%/package.json tools/%/package-lock.json
	@$(MAKE) --no-print-directory node
	cd tools/$* && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

node: ## install Node.js and npm from Debian if npm is missing (needs root)
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; \
	  else echo "error: the HTML and Lighthouse checks need npm: run 'sudo apt-get install nodejs npm'" >&2; exit 1; fi; }

validator: $(VNU) ## install the W3C Nu HTML Checker (npm vnu-jar) and Java (Debian default-jre-headless) for the tests
	@command -v java >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null; \
	  else echo "error: the HTML checker needs Java: run 'sudo apt-get install default-jre-headless'" >&2; exit 1; fi; }

lighthouse: $(INSTALLED) browser $(LIGHTHOUSE) ## Lighthouse on both renderers' sites: accessibility of every page, mobile performance of the explainer
	@for renderer in pandoc $$(command -v quarto >/dev/null && echo quarto); do \
	  $(PY) -m explainer site --renderer $$renderer --output-dir .build/test-sites/$$renderer >/dev/null && \
	  echo "== $$renderer" && CHROME_PATH=$$(command -v chromium) $(PY) tools/lighthouse.py .build/test-sites/$$renderer \
	    --json .build/lighthouse/$$renderer.json || exit 1; done

lock: ## regenerate requirements.txt from a fresh environment with the newest allowed versions
	rm -rf .build/lock-venv && $(PYTHON) -m venv .build/lock-venv
	.build/lock-venv/bin/pip install --quiet -e '.[dev]'
	{ sed -n '1,2p' requirements.txt; .build/lock-venv/bin/pip freeze --exclude-editable; } > requirements.txt.new
	mv requirements.txt.new requirements.txt && rm -rf .build/lock-venv

clean: ## remove the environment and every build output (data/ and the notebooks are kept: they are committed)
	rm -rf $(VENV) .build site _site .quarto *.egg-info .pytest_cache .ruff_cache .hypothesis tools/*/node_modules assets/vendor
