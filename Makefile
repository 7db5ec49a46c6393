# Two commands: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app.py

.PHONY: run test setup db translations lint security bench bench-export bench-import load freeze extract-messages clean

run: setup
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/pytest

setup: $(VENV)/.installed translations db

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile --use-fuzzy -d translations

# Migrate the database (SQLite under instance/ unless DATABASE_URL is set) and seed the demo county once.
db: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty

lint: $(VENV)/.installed
	$(BIN)/ruff check .

# Static security checks: bandit (waivers in pyproject.toml and next to each `# nosec`), then pip-audit of the
# pinned requirements (says "NOT checked" when its vulnerability database is unreachable).
security: $(VENV)/.installed
	$(BIN)/bandit -q -c pyproject.toml -r teachers scheduling app.py
	$(BIN)/python .ci/pip_audit.py

# Load test at prefecture scale against gunicorn + PostgreSQL (see "Load at prefecture scale" in README.md).
# LOAD_DATABASE_URL must name a scratch PostgreSQL database: it is emptied, migrated and seeded.
load: $(VENV)/.installed
	$(BIN)/python benchmarks/load/run.py --database-url "$(LOAD_DATABASE_URL)"

bench: $(VENV)/.installed
	$(BIN)/python -m scheduling bench

# Export of 20,000 teachers (.xlsx and .csv) beside plain openpyxl write_only (see README, Import/export).
bench-export: $(VENV)/.installed
	$(BIN)/python benchmarks/export_bench.py --rows 20000

bench-import: $(VENV)/.installed
	$(BIN)/python benchmarks/io_bench.py --rows 20000

# Re-extract messages after changing user-visible strings, then translate translations/en/.../messages.po.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 --sort-by-file -o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching

freeze: $(VENV)/.installed
	$(BIN)/pip freeze --exclude-editable > requirements.txt.new && mv requirements.txt.new requirements.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
