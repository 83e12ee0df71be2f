# The two commands a newcomer runs (see README): `make synth` and `make test`. Each sets up what it needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := synth

# Python 3.13 (the Lambda runtime) where the machine has it, else python3. A pyenv shim may exist for a
# version that is not selected, so each candidate must actually run.
PYTHON ?= $(firstword $(foreach candidate,python3.13 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) python3,\
	$(shell $(candidate) -c 'import sys; print(sys.executable)' 2>/dev/null)))
VENV := .venv
BIN := $(VENV)/bin
STAMP := .build
# Synth and tests never reach AWS: no instance-metadata probing, no CLI notices or telemetry calls.
export AWS_EC2_METADATA_DISABLED := true
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 1
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
CDK := npx --no-install cdk --no-notices --no-version-reporting

.PHONY: setup setup-python setup-node setup-browser lambda-dependencies synth lint typecheck test test-python test-frontend bench simulate verify clean

$(STAMP):
	mkdir -p $(STAMP)

# --- setup ---------------------------------------------------------------------------------------
$(STAMP)/python: requirements.txt requirements-dev.txt lambdas/requirements.txt | $(STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# This project, editable (pyproject.toml): lambdas/* import as in the Lambda runtime (`import calls`), and
# stacks, simulator and scripts as packages, for app.py, `python -m ...` and mypy alike. Again when a
# package is added.
$(STAMP)/project: pyproject.toml $(wildcard lambdas/*/__init__.py) $(STAMP)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --editable .
	touch $@

$(STAMP)/node: package.json package-lock.json frontend/package.json frontend/package-lock.json | $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	npm --prefix frontend ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
$(STAMP)/browser: | $(STAMP)
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	touch $@

# The Lambdas' packages (lambdas/requirements.txt) for python3.13 on arm64, cached under .build/ by a hash
# of that file; synth builds them itself when missing, this only does it ahead (and says how big they are).
$(STAMP)/lambda-dependencies: lambdas/requirements.txt stacks/common/lambda_dependencies.py $(STAMP)/project
	$(BIN)/python -m stacks.common.lambda_dependencies
	touch $@

setup-python: $(STAMP)/python $(STAMP)/project
lambda-dependencies: $(STAMP)/lambda-dependencies
setup-node: $(STAMP)/node
setup-browser: $(STAMP)/browser
setup: setup-python setup-node setup-browser

frontend/dist/index.html: $(STAMP)/node $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts
	npm --prefix frontend run --silent build

# --- the main job: synthesize every stack with the default settings, cdk-nag, cfn-lint, summary -----
synth: setup-python setup-node lambda-dependencies frontend/dist/index.html
	rm -rf cdk.out
	$(CDK) synth --quiet $(CDK_ARGS)
	$(BIN)/cfn-lint --regions $$($(BIN)/python -m scripts.deploy_summary --region) --ignore-checks W3005 -- cdk.out/*.template.json
	$(BIN)/python -m scripts.deploy_summary

# --- tests: lint, types, Python tests (incl. synth, cfn-lint, browser), front-end unit tests ---------
lint: setup-python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup-python
	$(BIN)/mypy lambdas/calls lambdas/call_control lambdas/call_events lambdas/meeting_api lambdas/telephony_provider stacks scripts simulator

test-frontend: setup-node
	npm --prefix frontend run --silent typecheck
	npm --prefix frontend run --silent test

test-python: setup lambda-dependencies frontend/dist/index.html
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test: lint typecheck test-frontend test-python

bench: setup lambda-dependencies frontend/dist/index.html
	for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python -m bench.$$(basename $$script .py); done

simulate: setup-python
	$(BIN)/python -m simulator inbound

# --- after `cdk deploy`: one real loopback call with your AWS credentials (costs cents; asks first) ----
# VERIFY_ARGS: --yes, --to +1..., --region R, -c prefix=... (as given to cdk deploy), --timeout S
# The deployer's credentials may come from an instance role: instance metadata is allowed here only.
verify: AWS_EC2_METADATA_DISABLED := false
verify: setup-python
	$(BIN)/python -m scripts.verify $(VERIFY_ARGS)

clean:
	rm -rf cdk.out $(STAMP) frontend/dist
