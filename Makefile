# The two commands of the README: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench install install-test system-deps system-deps-test messages lint clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip setuptools

$(VENV)/.stamp-run: pyproject.toml | $(PY)
	$(PIP) install -q -e .
	@touch $@

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-run
	$(PIP) install -q -e ".[test]"
	@touch $@

install: $(VENV)/.stamp-run
install-test: $(VENV)/.stamp-test

system-deps:
	@bash scripts/system-deps.sh run

system-deps-test:
	@bash scripts/system-deps.sh test

messages: install
	@$(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=var

run: system-deps install messages
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo
	@echo ""
	@echo "  巡回驻点监督 is at http://127.0.0.1:8000/  (stop with Ctrl-C)"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:8000

# One process per core (TEST_WORKERS, default auto), in two passes: see scripts/run-tests.sh.
test: system-deps-test install-test messages
	PY=$(PY) scripts/run-tests.sh $(PYTEST_ARGS)

bench: install
	@for f in bench/*.py; do echo "# $$f"; $(PY) $$f || exit 1; done

lint: install-test
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var test-artifacts
