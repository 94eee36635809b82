# One command to try the portal (make demo) and one to test it (make test), on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve worker test test-fast lint compile-messages bench-seed bench-verification bench-throughput bench-api bench-supervision loadtest bench-lists messages clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -e ".[dev]"
	# face-recognition's metadata asks for the dlib sources; dlib-bin (installed above) is that module.
	$(BIN)/pip install --quiet --no-deps "face-recognition>=1.3,<2"
	mkdir -p -m 700 var
	$(MAKE) --no-print-directory compile-messages
	touch $(INSTALLED)

install: $(INSTALLED)

# Set up everything and serve http://$(HOST):$(PORT) with a Celery worker beside it.
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Sign in with the password, then a backup code above or the code of: $(BIN)/python manage.py demo_otp USER"
	$(MAKE) --no-print-directory serve

# The demo's partners may point webhooks at a receiver on this machine (WEBHOOK_ALLOW_PRIVATE_NETWORKS).
# DEBUG off unless asked for: the demo shows the product's own 404, 403 and 500 pages.
serve: install
	@export WEBHOOK_ALLOW_PRIVATE_NETWORKS=$${WEBHOOK_ALLOW_PRIVATE_NETWORKS:-true}; \
	export DEBUG=$${DEBUG:-false}; \
	trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A portal worker --beat --loglevel=INFO --concurrency=2 & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install
	$(BIN)/celery -A portal worker --loglevel=INFO

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

# The whole suite, as CI runs it (the browser, the real worker and the face engine included).
test: lint
	mkdir -p -m 700 var
	$(BIN)/python -m pytest

# Everything but the tests marked slow (engine, real worker, browser): under a minute.
test-fast: install
	mkdir -p -m 700 var
	$(BIN)/python -m pytest -m "not slow" -q

# Gather the translatable strings into locale/ (English source, Simplified Chinese target).
MESSAGES_OPTIONS = --locale en --locale zh_Hans --ignore ".venv/*" --ignore "var/*" --ignore "tests/*" --ignore "static/staticfiles/*" --no-obsolete
messages: install
	$(BIN)/python manage.py makemessages $(MESSAGES_OPTIONS)
	$(BIN)/python manage.py makemessages --domain djangojs --ignore "static/vendor/*" $(MESSAGES_OPTIONS)

# The catalogues as gettext reads them (locale/*/LC_MESSAGES/*.mo, not kept in git).
compile-messages:
	$(BIN)/python manage.py compilemessages --ignore ".venv/*" --ignore "var/*"

# 1,000,000 demo registrations on the configured database (use PostgreSQL), timed.
bench-seed: install
	$(BIN)/python manage.py migrate --noinput
	time $(BIN)/python manage.py seed_demo --registrations 1000000

# Upload complete -> decision shown with one worker, for the shared clip (target <= 3 s).
# Needs PostgreSQL (DATABASE_URL) and Redis or RabbitMQ (CELERY_BROKER_URL): it starts the worker.
bench-verification: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bench_verification --runs 5

# Verifications per core-minute with 1 then 2 workers (one engine per core), and the queue wait,
# under a burst of 50 uploads; prints the worker cores a province's peak needs. Same needs as
# bench-verification; run it on a quiet machine (other load takes the workers' cores).
bench-throughput: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bench_verification --burst 50 --workers 1,2

# The partner API's GET of one registration beside a bare Django JsonResponse, on gunicorn
# (one worker per core) loaded by locust for 30 s each; target: the API at >= 40 % of the bare.
# Uses the configured database (set DATABASE_URL for PostgreSQL).
bench-api: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bench_api

# Every supervision page's median and p95 server time (in process, DEBUG off) with 1,000,000
# then 10,000,000 registrations (seed_demo adds the difference), nation-wide and for one
# province, 30 and 365 days; target: under 300 ms, and the 10 M within 1.5 times the 1 M.
# Needs PostgreSQL (DATABASE_URL); takes hours at 10 M (the seeding and the rollup rebuild).
bench-supervision: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bench_supervision --registrations 1000000,10000000 --requests 20

# Five minutes of a working day at once on loopback: gunicorn (one process per core, a few
# threads each) and a Celery worker (two processes) loaded by locust with outlet staff, carrier
# reviewers, inspectors, API partners and subscribers. Prints each endpoint's requests/s,
# failures and p50/p95/p99 and the verifications per minute; fails on any 5xx.
# Needs PostgreSQL (DATABASE_URL) and Redis or RabbitMQ (CELERY_BROKER_URL).
loadtest: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py loadtest

# A nation-wide inspector's first page of /registrations/ under load: gunicorn (3 processes x
# 4 threads) and 8 locust users back to back over 1,000,000 registrations (seed_demo
# --rows-only makes them where they are missing); target: 100 requests/s or more.
# Needs PostgreSQL (DATABASE_URL).
bench-lists: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --rows-only --registrations 1000000
	$(BIN)/python manage.py bench_lists --users 8 --workers 3

clean:
	rm -rf $(VENV) var
