# The two commands a new user needs are `make run` and `make test`; everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CATALOGUES := $(wildcard web/translations/*/LC_MESSAGES/*.po)
COMPILED := $(CATALOGUES:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench lint translations extract-messages system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

translations: $(COMPILED)

## make run: install, migrate, load demo data and serve on http://127.0.0.1:5000 (SQLite, jobs in-process).
## With REDIS_URL set, a Celery worker (with beat) runs beside the web server.
run: $(STAMP) translations
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi demo
	@if [ -n "$$REDIS_URL" ]; then \
	  $(BIN)/celery -A tasks worker --beat --loglevel=info & \
	  trap "kill $$! 2>/dev/null" EXIT INT TERM; \
	  $(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT); \
	else \
	  $(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT); \
	fi

## make test: install and run the whole suite; "no tests collected" counts as a failure.
test: $(STAMP) translations system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$status

## System packages the tests drive: Chromium for the browser tests, fonts with every Vietnamese glyph,
## docker-compose to validate the compose file. Installed with apt when missing (root or sudo).
SYSTEM_PACKAGES := chromium fonts-liberation2 fonts-dejavu-core docker-compose
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

## make bench: measure against baselines run alongside (PostgreSQL and Redis needed); one line per figure.
## BENCH_ARGS="--tiny" only checks that each runs; BENCH_ARGS="transitions peer" runs those alone.
bench: $(STAMP) translations
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check workflow web tasks tests bench config.py wsgi.py

## Refresh the message catalogues after changing translatable text.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -o web/translations/messages.pot .
	$(BIN)/pybabel update -q -i web/translations/messages.pot -d web/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance .pytest_cache
