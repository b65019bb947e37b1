# Mizan. `make run` serves it, `make test` tests it; each first installs what it needs.
# Both are idempotent: a second run only reinstalls when requirements/*.txt changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
THREADS ?= 8
PYTEST_ARGS ?=
# The browser tests (tests/browser) drive Debian's chromium through Playwright;
# Playwright's own browser download (`playwright install`) is never used.
CHROMIUM ?= /usr/bin/chromium
# The export tests validate against the official schemas, taken once from Debian
# packages (apt-get download, never installed): XLIFF 1.2/2.0 XSDs and xml.xsd from
# php-symfony-translation, the TMX 1.4 DTD from the jar in omegat.
SCHEMAS := .cache/xml-schemas
SYMFONY_SCHEMAS := usr/share/php/Symfony/Component/Translation/Resources/schemas
# The Arabic font the pages use (mizan.css), from npm (package-lock.json pins it), copied into app/static/fonts.
FONT_PACKAGE := node_modules/@fontsource/noto-naskh-arabic
FONTS := app/static/fonts
FONT_FILES := $(foreach part,arabic latin,$(foreach weight,400 700,noto-naskh-arabic-$(part)-$(weight)-normal.woff2))

.PHONY: run dev setup fonts lint test test-js test-postgres mutation install install-web install-worker xml-schemas clean-venv FORCE

# A venv of our own. Debian ships venv separately; install it when missing (as root).
$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV); \
	  echo "python3 venv is missing; installing Debian's python3-venv"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip

# torch first, pinned: it resolves to the CPU build, and stops argostranslate
# (through stanza) from pulling a multi-GB CUDA build. app.txt is worker.txt (itself
# web.txt) plus argostranslate and what it pulls: each pin lives in one file.
$(VENV)/.app-installed: requirements/app.txt requirements/worker.txt requirements/web.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/app.txt
	@touch $@

# The lean tiers, for a team's machines (README, "Deploying for a team"): a web machine
# needs no model stack, a worker no torch, stanza or spaCy. `make install-web VENV=/opt/mizan-web`.
$(VENV)/.web-installed: requirements/web.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/web.txt
	@touch $@

$(VENV)/.worker-installed: requirements/worker.txt requirements/web.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/worker.txt
	@touch $@

$(VENV)/.test-installed: requirements/test.txt $(VENV)/.app-installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/test.txt
	@touch $@

# Debian's chromium, installed once (as root) when missing.
$(CHROMIUM):
	@echo "chromium is missing; installing Debian's chromium for the browser tests"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# axe-core for the accessibility checks and the Arabic font, exactly as package-lock.json pins them:
# again when the lock file changes or either is gone (npm ci empties node_modules first).
node_modules/.installed: package.json package-lock.json $(if $(and $(wildcard node_modules/axe-core/axe.min.js),$(wildcard $(FONT_PACKAGE)/LICENSE)),,FORCE)
	npm ci --no-audit --no-fund
	@touch $@

# The Arabic font the pages use (mizan.css), served from our own origin: Noto Naskh Arabic (SIL OFL 1.1)
# from npm's @fontsource package, its Arabic and Latin parts (Western digits inside Arabic) in the two
# weights the pages use, woff2, and its licence. Copied into app/static/fonts (not in git); `make run`,
# `make dev` (through `make setup`) and `make test` do it.
$(FONTS)/.copied: node_modules/.installed
	@rm -rf $(FONTS).new && mkdir -p $(FONTS).new
	cp $(addprefix $(FONT_PACKAGE)/files/,$(FONT_FILES)) $(FONTS).new/
	cp $(FONT_PACKAGE)/LICENSE $(FONTS).new/OFL.txt
	@touch $(FONTS).new/.copied
	rm -rf $(FONTS) && mv $(FONTS).new $(FONTS)

fonts: $(FONTS)/.copied

# apt-get download, after apt-get update only when the package lists lack it.
APT_DOWNLOAD = { apt-get download -qq $(1) 2>/dev/null || { \
  echo "apt-get download $(1) failed; running apt-get update, then again"; \
  apt-get update -qq && apt-get download -qq $(1); }; }

# Each rule works in a scratch folder and moves the files in last, so a failed
# fetch leaves nothing that looks done.
$(SCHEMAS)/xliff-core-1.2-strict.xsd $(SCHEMAS)/xliff-core-2.0.xsd $(SCHEMAS)/xml.xsd &:
	@rm -rf $(SCHEMAS)/.symfony && mkdir -p $(SCHEMAS)/.symfony
	cd $(SCHEMAS)/.symfony && $(call APT_DOWNLOAD,php-symfony-translation)
	dpkg-deb -x $(SCHEMAS)/.symfony/php-symfony-translation_*.deb $(SCHEMAS)/.symfony
	mv $(addprefix $(SCHEMAS)/.symfony/$(SYMFONY_SCHEMAS)/,xliff-core-1.2-strict.xsd xliff-core-2.0.xsd xml.xsd) $(SCHEMAS)/
	@rm -rf $(SCHEMAS)/.symfony

$(SCHEMAS)/tmx14.dtd:
	@rm -rf $(SCHEMAS)/.omegat && mkdir -p $(SCHEMAS)/.omegat
	cd $(SCHEMAS)/.omegat && $(call APT_DOWNLOAD,omegat)
	dpkg-deb --fsys-tarfile $(SCHEMAS)/.omegat/omegat_*.deb | tar -xO ./usr/share/omegat/OmegaT.jar > $(SCHEMAS)/.omegat/OmegaT.jar
	$(PYTHON) -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("schemas/tmx14.dtd"))' \
	  $(SCHEMAS)/.omegat/OmegaT.jar > $(SCHEMAS)/.omegat/tmx14.dtd
	mv $(SCHEMAS)/.omegat/tmx14.dtd $@
	@rm -rf $(SCHEMAS)/.omegat

xml-schemas: $(SCHEMAS)/tmx14.dtd $(SCHEMAS)/xliff-core-1.2-strict.xsd $(SCHEMAS)/xliff-core-2.0.xsd $(SCHEMAS)/xml.xsd

FORCE:

install: $(VENV)/.app-installed

install-web: $(VENV)/.web-installed

install-worker: $(VENV)/.worker-installed

# Instance folder and secret key, migrations, seeds into an empty database, the admin account.
setup: $(VENV)/.app-installed fonts
	$(BIN)/flask --app wsgi setup

# The production server (waitress), not Flask's debug server, with the
# translation worker (Huey consumer) beside it; Ctrl+C stops both.
run: setup
	@echo "Mizan on http://$(HOST):$(PORT)/ (translation worker running beside it)"
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(BIN)/huey_consumer app.tasks.huey --workers 1 --quiet & \
	$(BIN)/waitress-serve --host $(HOST) --port $(PORT) --threads $(THREADS) wsgi:app

dev: setup
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(BIN)/huey_consumer app.tasks.huey --workers 1 --quiet & \
	$(BIN)/flask --app wsgi run --debug --host $(HOST) --port $(PORT)

# The static checks (configured in pyproject.toml; README, "Security"): ruff, bandit over app/, mypy over app/.
# `make test` runs them first and stops when one finds something; `make test-postgres` does not repeat them.
lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive app
	$(BIN)/mypy

# The front end's pure modules (app/static/entities/offsets.js: code points ↔ UTF-16, words;
# linking.js: the order of the link choices),
# unit-tested in Node's own test runner (tests/js/*.test.mjs); no npm package needed.
test-js:
	node --test tests/js/

test: lint test-js $(VENV)/.test-installed $(CHROMIUM) node_modules/.installed fonts xml-schemas
	MIZAN_TEST_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL and Redis: a throwaway server of each (Debian's postgresql and
# redis-server, installed when missing), data under .cache/, Unix sockets only, stopped on exit.
test-postgres: $(VENV)/.test-installed $(CHROMIUM) node_modules/.installed fonts xml-schemas
	MIZAN_TEST_CHROMIUM=$(CHROMIUM) scripts/with-test-services $(BIN)/python -m pytest $(PYTEST_ARGS)

# Mutation testing (mutmut, pinned in requirements/mutation.txt): not part of `make test`.
# Each documented module against its own tests; docs/testing.md has the scores and survivors.
# `make mutation MUTATION_GROUPS="qa arabic"` runs some groups only.
MUTATION_GROUPS ?=
$(VENV)/.mutation-installed: requirements/mutation.txt $(VENV)/.test-installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/mutation.txt
	@touch $@

mutation: $(VENV)/.mutation-installed xml-schemas
	$(BIN)/python scripts/mutation.py $(MUTATION_GROUPS)

clean-venv:
	rm -rf $(VENV)
