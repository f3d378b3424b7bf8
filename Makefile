# One command to run, one to test; both set themselves up on a fresh clone.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: setup browser run demo test test-fast bench bench-quick lint format check clean

setup: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

run: setup ## the whole product on the embedded default, at http://127.0.0.1:8000 (or PORT=8100)
	$(VENV)/bin/liaison run $(if $(PORT),--port $(PORT))

demo: setup ## tells the seed's story to the liaison `make run` started, on whatever port
	$(VENV)/bin/liaison demo $(if $(PORT),--url http://127.0.0.1:$(PORT))

test: setup browser ## the whole suite, including PostgreSQL, RabbitMQ and browser tests
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The inner loop: what needs no PostgreSQL, RabbitMQ or browser (those tests carry
# markers), less the schema fuzzing (half the time; `make test` runs it), with the
# SQLite files in RAM when there is a /dev/shm (fsync, not CPU, is what they cost).
test-fast: setup ## unit and embedded (SQLite) tests: about 30 s of CPU
	$(if $(wildcard /dev/shm),TMPDIR=/dev/shm) $(VENV)/bin/pytest \
		-m "not postgres and not rabbitmq and not browser" \
		--ignore=tests/faults/test_fuzzing.py $(PYTEST_ARGS)

browser: ## Debian's Chromium for the dashboard's browser tests
	scripts/ensure-chromium

bench: setup ## the benchmark on local PostgreSQL + RabbitMQ; writes bench/results.json
	$(VENV)/bin/python -m bench

bench-quick: setup ## the benchmark's harness, small counts (under two minutes)
	$(VENV)/bin/python -m bench --quick

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: lint test

clean:
	rm -rf $(VENV) $(TOOLS) var .mypy_cache .pytest_cache .ruff_cache
