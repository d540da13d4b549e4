# Thin wrappers over nox sessions (see noxfile.py). The first target run installs the tools
# (nox and uv, pinned in pyproject.toml's "tools" group) into .tools/, never into the system.
# Extra arguments pass through: make test ARGS="-k ingestion".

.DEFAULT_GOAL := help
PYTHON ?= python3
TOOLS  := .tools
NOX    := $(TOOLS)/bin/nox
ARGS   ?=
N      ?= 20

# The bootstrap: a venv without pip (ensurepip alone took 4-8 s), uv at the tools group's pin put
# in by the interpreter's own pip (`--python`, pip >= 22.3), then uv installs the group: ~5 s where
# venv + pip upgrade + pip install took ~18 s (issue 21: the cold first run).
UV_PIN = $(PYTHON) -c 'import tomllib; g = tomllib.load(open("pyproject.toml", "rb"))["dependency-groups"]["tools"]; print(next(r for r in g if isinstance(r, str) and r.startswith("uv==")))'

$(NOX): pyproject.toml
	$(PYTHON) -m venv --without-pip $(TOOLS)
	$(PYTHON) -m pip --python $(TOOLS)/bin/python install --quiet --disable-pip-version-check "$$($(UV_PIN))"
	$(TOOLS)/bin/uv pip install --quiet --python $(TOOLS)/bin/python --group tools
	touch $(NOX)

.PHONY: help ## list the targets (this text)
help:
	@echo "usage: make TARGET [ARGS='...']"
	@grep -E '^\.PHONY: [a-z-]+ ## ' $(MAKEFILE_LIST) | sed -E 's/^\.PHONY: ([a-z-]+) ## (.*)/\1|\2/' | awk -F'|' '{printf "  %-17s %s\n", $$1, $$2}'

.PHONY: runbook ## run every gate (soft gating) and print the gate table
runbook: $(NOX)
	$(NOX) -s runbook -- $(ARGS)

.PHONY: findings ## the last run's findings, path:line:col code message (ARGS='--json --gate lint')
findings: $(NOX)
	$(NOX) -s findings -- $(ARGS)

.PHONY: release ## run the gates strictly (at once; the first failure cancels the rest), then build and check the dists
release: $(NOX)
	$(NOX) -s release -- $(ARGS)

.PHONY: patch ## apply PATCH=FILE.diff, gate it strictly, commit it (MSG='...') or undo it
patch: $(NOX)
	@test -n "$(PATCH)" || { echo "usage: make patch PATCH=FILE.diff [MSG='commit message']"; exit 2; }
	$(NOX) -s patch -- $(PATCH) $(if $(MSG),-m "$(MSG)") $(ARGS)

.PHONY: canonicalize ## merge suffixed copies: ARGS='--find', or ARGS='--plan plan.toml [--apply]'
canonicalize: $(NOX)
	$(NOX) -s canonicalize -- $(ARGS)

.PHONY: lint ## Π_lint: ruff check
lint: $(NOX)
	$(NOX) -s lint -- $(ARGS)

.PHONY: format ## Π_format: ruff format --check
format: $(NOX)
	$(NOX) -s format -- $(ARGS)

.PHONY: test ## Π_tests ∩ Π_cov: pytest with the coverage floor
test: $(NOX)
	$(NOX) -s tests -- $(ARGS)

.PHONY: types ## Π_types: pyright (strict)
types: $(NOX)
	$(NOX) -s types -- $(ARGS)

.PHONY: tokenizer-smoke ## load the packaged BERT tokenizer offline and run the smoke test
tokenizer-smoke: $(NOX)
	$(NOX) -s tokenizer_smoke -- $(ARGS)

.PHONY: stress ## run the whole suite N=20 times with one busy loop per core; per-test failure counts
stress: $(NOX)
	$(NOX) -s stress -- $(N) $(ARGS)

.PHONY: dashboard ## the MLflow UI on the runbook's runs at 127.0.0.1 (ARGS='--port N'; Ctrl-C stops)
dashboard: $(NOX)
	$(NOX) -s dashboard -- $(ARGS)

.PHONY: fix ## apply ruff's fixes and formatting (writes files)
fix: $(NOX)
	$(NOX) -s fix -- $(ARGS)

.PHONY: clean ## remove environments, reports and caches (keeps Codex_Questions.md)
clean:
	rm -rf $(TOOLS) .nox .runbook .pytest_cache .ruff_cache .coverage dist build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
