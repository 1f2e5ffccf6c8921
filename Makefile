# Ponte: every target creates and fills .venv from requirements-dev.lock on first use.
# requirements.lock is what the services import at run time (the image installs only it);
# requirements-dev.lock is the same pins and everything a developer needs besides.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICE ?= intake
MESSAGE ?= change

.DEFAULT_GOAL := help
.PHONY: help install run test fuzz lint lint-openapi clients fmt migrate revision bench eval audit openapi lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Ponte needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/python -c 'import pathlib, site; pathlib.Path(site.getsitepackages()[0], "ponte.pth").write_text(str(pathlib.Path.cwd()) + "\n")'
	@touch $(STAMP)

install: $(STAMP)  ## create .venv from the dev lock file

run: $(STAMP)  ## the whole stack on embedded PostgreSQL (or PONTE_*_DATABASE_URL), with demo data
	$(BIN)/python -m tools.stack run

# mypy (a minute on a clean clone, without its cache) runs beside the suite rather than before it;
# either failing fails the target.
test: $(STAMP)  ## lint, type-check and run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if command -v npm > /dev/null; then $(MAKE) --no-print-directory lint-openapi; \
	else echo "npm not found: the OpenAPI lint (make lint-openapi) is skipped"; fi
	$(BIN)/mypy . > .mypy.log 2>&1 & mypy=$$!; \
	$(BIN)/python -m pytest -n 2 --dist worksteal --max-worker-restart=0 --durations=15; tests=$$?; \
	wait $$mypy; typed=$$?; cat .mypy.log; rm -f .mypy.log; \
	[ $$tests -eq 0 ] && [ $$typed -eq 0 ]

fuzz: $(STAMP)  ## longer contract fuzzing with new examples (EXAMPLES=40 per operation and mode)
	PONTE_FUZZ_EXAMPLES=$(or $(EXAMPLES),40) PONTE_FUZZ_RANDOM=1 \
		$(BIN)/python -m pytest tests/e2e/test_contract_fuzz.py -p no:cacheprovider -s -q

lint: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# Redocly's recommended rules (no error) and Spectral's oas rules (no warning, save those argued in
# tools/openapi_lint/.spectral.yaml) on the committed document; Node.js and npm install the pinned
# linters into tools/openapi_lint/node_modules.
LINTERS := tools/openapi_lint/node_modules/.bin
lint-openapi:  ## lint docs/openapi.json with Redocly and Spectral (needs Node.js and npm)
	cd tools/openapi_lint && npm ci --silent --no-audit --no-fund > /dev/null
	$(LINTERS)/redocly lint docs/openapi.json --config tools/openapi_lint/redocly.yaml --format=summary
	$(LINTERS)/spectral lint docs/openapi.json --ruleset tools/openapi_lint/.spectral.yaml --fail-severity=warn

# A TypeScript client (openapi-typescript + openapi-fetch, tools/openapi_clients/ts/, npm ci) and
# a Python one (openapi-python-client in its own virtualenv, tools/openapi_clients/python/.venv)
# generated from docs/openapi.json into their gitignored generated/ folders, and a short program
# with each type-checked (tsc strict, mypy --strict). Redone only when the document, the pins or a
# program changed. tests/e2e/test_generated_clients.py runs both programs against the stack.
clients: $(STAMP)  ## generate the TypeScript and Python clients and type-check their programs
	$(BIN)/python -m tools.openapi_clients.build

fmt: $(STAMP)  ## format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(STAMP)  ## apply every service's migrations (embedded PostgreSQL unless URLs are set)
	$(BIN)/python -m tools.stack migrate

revision: $(STAMP)  ## new migration: make revision SERVICE=intake MESSAGE="add x"
	$(BIN)/python -m tools.stack revision $(SERVICE) "$(MESSAGE)"

bench: $(STAMP)  ## benchmarks against a hello-world ceiling (SUITES="matching ..." for some); results in bench/results/
	$(BIN)/python -m bench.run $(SUITES)

eval: $(STAMP)  ## the held-out ranking and resolution evaluations (ESCO files only, fixed seeds); results in bench/results/
	$(BIN)/python -m bench.run ranking resolution

audit: $(STAMP)  ## known vulnerabilities in the locked pins (pip-audit; needs PyPI's JSON API or OSV), then pins behind the newest release
	$(BIN)/pip-audit --requirement requirements-dev.lock --require-hashes --disable-pip --strict --progress-spinner off
	$(BIN)/pip list --outdated --disable-pip-version-check

openapi: $(STAMP)  ## write the merged OpenAPI (docs/openapi.json) and the problem types (shared/problem_types.json)
	$(BIN)/python -m tools.stack openapi docs/openapi.json
	$(BIN)/python -m tools.problem_types

lock: $(STAMP)  ## re-resolve the locks: the runtime's, the dev one on its pins, the Python client generator's
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --extra dev --constraint requirements.lock --generate-hashes --allow-unsafe --strip-extras -o requirements-dev.lock pyproject.toml
	cd tools/openapi_clients/python && ../../../$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras -o requirements.lock requirements.in

clean:  ## remove the virtualenv and the embedded database
	rm -rf $(VENV) var
