# seregno_perf — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install system-deps demo clean-db

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[test]"
	touch $@

install: $(VENV)/.installed

## Debian packages the tests read PDFs and drive a browser with (installed only if missing).
system-deps:
	@bash scripts/system-deps.sh

## Migrate, load the Seregno 2021 demo, create the demo users, publish, serve on PORT.
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py carica_demo
	$(PY) manage.py pubblica seregno 2021

## runserver and, beside it, one worker of the background jobs (lavori/: publications from the
## admin); Ctrl+C stops both.
run: demo
	$(PY) manage.py rigenera_file_pubblicati --incompleti
	@$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## The whole suite (SQLite unless DATABASE_URL is set).
test: install system-deps
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

## Benchmark suite on SQLite and PostgreSQL (docs/performance.md); BENCH_ARGS="--rapido" for a short run.
.PHONY: bench
bench: install
	$(PY) scripts/bench/bench.py $(BENCH_ARGS)
	$(PY) scripts/bench/premi.py $(BENCH_ARGS)
	$(PY) scripts/bench/bombe.py

## 100 enti × 1.000 obiettivi on PostgreSQL (docs/performance.md, «100 enti»); BENCH_ARGS="--enti 10 --obiettivi 200" for a short run.
.PHONY: bench-enti
bench-enti: install
	$(PY) scripts/bench/enti.py $(BENCH_ARGS)

## Backup and restore of the database and MEDIA_ROOT (docs/deploy.md).
## make backup [BACKUP_DIR=var/backup]; make restore DA=var/backup/seregno_perf-… [SOVRASCRIVI=1]
.PHONY: backup restore carico
backup:
	@bash scripts/backup.sh $(BACKUP_DIR)

restore:
	@test -n "$(DA)" || { echo "Uso: make restore DA=var/backup/seregno_perf-AAAAMMGG-HHMMSS [SOVRASCRIVI=1]" >&2; exit 2; }
	@bash scripts/restore.sh "$(DA)" $(if $(SOVRASCRIVI),--sovrascrivi)

## Bounded load test: gunicorn on PostgreSQL, loopback only (docs/performance.md, «Carico»).
carico: install
	@bash scripts/carico.sh
