SHELL := /bin/bash
# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format migrate lock bench clean messages

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python -m hackplatform.devserver

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(BIN)/python manage.py makemessages -a --ignore=.venv --ignore=var
	$(BIN)/python manage.py makemessages -a -d djangojs --ignore=.venv --ignore=var --ignore=static/vendor
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: install
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/leaderboard.py
	$(BIN)/python bench/judging_bias.py

# Regenerate the pinned files from requirements*.in (needs network access to PyPI).
lock:
	rm -rf /tmp/hp-lock && $(PYTHON) -m venv /tmp/hp-lock
	/tmp/hp-lock/bin/pip install --quiet -r requirements.in
	(echo "# Generated from requirements.in by 'make lock'. Do not edit by hand."; /tmp/hp-lock/bin/pip freeze) > requirements.txt
	/tmp/hp-lock/bin/pip install --quiet -r requirements-dev.in
	(echo "# Generated from requirements-dev.in by 'make lock'. Do not edit by hand."; echo "-r requirements.txt"; \
	  /tmp/hp-lock/bin/pip freeze | grep -vxF -f <(sed 1d requirements.txt)) > requirements-dev.txt

clean:
	rm -rf var $(VENV)
