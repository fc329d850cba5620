# Shortcuts for people who like make; dev.py does the work (python3 dev.py --help).
#   make demo             set up, load the demo data, run the server on http://127.0.0.1:8000/
#   make test             set up, run the whole test suite
#   make test ARGS="tests/test_settings.py -x"
#   make setup            .venv, install, migrate
#   make lint             ruff check, ruff format --check, mypy (as CI)
#   make lock             regenerate requirements/*.txt from pyproject.toml
#   make bench            every manage.py bench_* command (PostgreSQL and the bench extra needed)
#   make bench ARGS="--baseline main"   (ARGS go to every bench command that takes them)
#   make bench ARGS=--quick              a short smoke run of every benchmark (shared machines)

PYTHON ?= python3
VENV_PYTHON ?= .venv/bin/python
ARGS ?=

.PHONY: demo test setup lint lock bench

demo:
	$(PYTHON) dev.py demo $(ARGS)

test:
	$(PYTHON) dev.py test $(ARGS)

setup:
	$(PYTHON) dev.py setup

# Each benchmark command of the tree (manage.py bench_*), one after another; each prints a table and
# writes JSON under bench-results/ (when it takes --output). ARGS go to the commands that take them.
bench:
	@mkdir -p bench-results
	@cmds=$$($(VENV_PYTHON) manage.py help --commands | grep '^bench_' | sort); \
	if [ -z "$$cmds" ]; then echo "no bench_* commands found"; exit 1; fi; \
	status=0; \
	for cmd in $$cmds; do \
		usage=$$($(VENV_PYTHON) manage.py $$cmd --help); opts=""; \
		if echo "$$usage" | grep -q -- "--output"; then opts="--output bench-results/$${cmd#bench_}.json"; fi; \
		if [ -n "$(ARGS)" ] && echo "$$usage" | grep -q -- "$(firstword $(ARGS))"; then opts="$$opts $(ARGS)"; fi; \
		echo "== manage.py $$cmd $$opts"; \
		$(VENV_PYTHON) manage.py $$cmd $$opts || status=1; \
	done; exit $$status

lint:
	$(PYTHON) dev.py lint

lock:
	$(PYTHON) dev.py lock $(ARGS)
