# The two set-up commands of the README: `make demo` and `make test`.
# Each creates .venv and installs requirements.txt and this project (editable) on
# first use. `make test` = `make lint typecheck` + pytest; it installs nothing
# system-wide: `make chromium` (apt-get) is a step of its own, which CI runs
# first. `make serve` serves the demo dataset without rebuilding.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO ?= demo
CHROMIUM := /usr/bin/chromium
# The viewer's port: PORT=7861 make serve, or Gradio's own GRADIO_SERVER_PORT.
PORT ?= $(or $(GRADIO_SERVER_PORT),7860)

.PHONY: demo demo-data serve test lint typecheck chromium

# Editable in "compat" mode: a .pth puts the repository on sys.path, so
# `import imagenet3d` finds imagenet3d.py from any folder, even one holding a
# dataset folder named imagenet3d/ (which the default editable finder loses to).
$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e . --config-settings editable_mode=compat
	touch $@

# Main job on the built-in demo data: a synthetic release in the exact raw
# format, checked, converted into the Hub dataset folder $(DEMO)/imagenet3d,
# verified, then browsed in the viewer at http://127.0.0.1:$(PORT) (Ctrl-C stops it).
demo: demo-data serve

demo-data: $(VENV)/.installed
	$(PY) -m synthetic_release write $(DEMO)/raw --categories 12 --images-per-category 20 --seed 0 --format both
	$(PY) -m synthetic_release check $(DEMO)/raw
	$(PY) -m conversion build $(DEMO)/raw/imagenet3d_v1.zip $(DEMO)/imagenet3d \
		--captions $(DEMO)/raw/captions/image_captions.jsonl \
		--descriptions $(DEMO)/raw/captions/category_descriptions.json
	$(PY) -m conversion verify $(DEMO)/imagenet3d

# The viewer over the demo dataset already built (no rebuild).
serve: $(VENV)/.installed
	@test -d $(DEMO)/imagenet3d || { echo "error: no demo dataset in $(DEMO)/imagenet3d: run make demo first" >&2; exit 2; }
	GRADIO_ANALYTICS_ENABLED=False $(PY) -m viewer_app.app $(DEMO)/imagenet3d --port $(PORT) --local-predictions

# tests/test_browser.py drives Debian's Chromium through Playwright, which never
# downloads a browser of its own. Installed only when missing, so a no-op after;
# run by CI (.ci/run), never by `make test`.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo=sudo; else sudo=; fi; \
		echo "$(CHROMIUM) is missing: installing Debian's chromium with apt-get"; \
		$$sudo apt-get update && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium && \
		test -x $(CHROMIUM); \
	fi

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

# What it checks is configured in pyproject.toml ([tool.mypy]).
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# The browser test skips (saying to run `make chromium`) when chromium is missing, unless CI is set.
test: lint typecheck
	$(PY) -m pytest -q
