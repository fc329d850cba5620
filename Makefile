# Shortcuts for people who like make; dev.py does the work (python3 dev.py --help).
#   make demo             set up, load the demo data, run the server on http://127.0.0.1:8000/
#   make test             set up, run the whole test suite
#   make test ARGS="tests/test_settings.py -x"
#   make setup            .venv, install, migrate
#   make lint             ruff check, ruff format --check, mypy (as CI)
#   make lock             regenerate requirements/*.txt from pyproject.toml

PYTHON ?= python3
ARGS ?=

.PHONY: demo test setup lint lock

demo:
	$(PYTHON) dev.py demo $(ARGS)

test:
	$(PYTHON) dev.py test $(ARGS)

setup:
	$(PYTHON) dev.py setup

lint:
	$(PYTHON) dev.py lint

lock:
	$(PYTHON) dev.py lock $(ARGS)
