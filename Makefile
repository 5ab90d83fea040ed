# fanwen: `make run` serves the library, `make test` runs the suite.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.install-stamp
HOST    ?= 127.0.0.1
PORT    ?= 8000
export FANWEN_DATA_DIR ?= $(CURDIR)/var

.PHONY: install run test lint typecheck check browser bench bench-page bench-search bench-purchases screenshots-downloads clean test-jobs test-cluster nginx

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PY) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PY))"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) browser

# Debian's chromium (and CJK fonts for readable screenshots) for the browser tests;
# never a downloaded browser.  Pango/HarfBuzz/fontconfig for WeasyPrint's PDF downloads,
# poppler-utils (pdftotext, pdffonts, pdftoppm) for the PDF tests.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 poppler-utils
DEBIAN_PACKAGES := chromium fonts-noto-cjk $(PDF_PACKAGES)
browser:
	@{ test -x /usr/bin/chromium && test -d /usr/share/fonts/opentype/noto \
	  && dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1; } || { \
	  echo "installing Debian packages: $(DEBIAN_PACKAGES)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q $(DEBIAN_PACKAGES) >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q $(DEBIAN_PACKAGES) >/dev/null; }; }

run: $(STAMP)
	$(BIN)/fanwen loadexamples
	$(BIN)/fanwen serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check fanwen tests $(wildcard bench)
	$(BIN)/mypy fanwen
	$(BIN)/fanwen makemigrations --check --dry-run
	$(BIN)/pytest -n 2 --dist loadgroup -q

# Two hosts' workers on one PostgreSQL database for 5 minutes (FANWEN_JOBS_CHECK_SECONDS):
# each order expired once, each failing refund retried once per tick (tests/cluster/jobs_once.py).
test-jobs: $(STAMP)
	$(BIN)/python tests/cluster/jobs_once.py

lint: $(STAMP)
	$(BIN)/ruff check fanwen tests $(wildcard bench)
	$(BIN)/mypy fanwen

bench: $(STAMP)
	$(BIN)/python bench/import_bench.py --docs 10000

bench-page: $(STAMP)
	$(BIN)/python bench/page_bench.py --workers 2 --seconds 6 --rounds 3

# README screenshots of a Word and a PDF download (LibreOffice headless + pdftoppm).
screenshots-downloads: $(STAMP)
	@command -v soffice >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q --no-install-recommends libreoffice-writer-nogui >/dev/null; }
	$(BIN)/python bench/download_screenshots.py

bench-search: $(STAMP)
	$(BIN)/python bench/search_bench.py --docs 100000 1000000

# Two app hosts behind Debian's nginx on PostgreSQL + Redis, under locust, one host killed
# mid-run (tests/cluster/run_cluster.py; docs/deploy.md).  locust lives in its own venv.
LOCUST_VENV := .venv-locust
$(LOCUST_VENV)/.install-stamp: tests/cluster/requirements-locust.txt
	test -x $(LOCUST_VENV)/bin/python || $(PY) -m venv $(LOCUST_VENV)
	$(LOCUST_VENV)/bin/pip install --disable-pip-version-check -q -r tests/cluster/requirements-locust.txt
	touch $@

nginx:
	@{ test -x /usr/sbin/nginx && command -v envsubst >/dev/null 2>&1; } || { \
	  echo "installing Debian packages: nginx-light gettext-base"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q nginx-light gettext-base >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q nginx-light gettext-base >/dev/null; }; }

test-cluster: $(STAMP) $(LOCUST_VENV)/.install-stamp nginx
	$(BIN)/python tests/cluster/run_cluster.py

# Wallet purchases/s on PostgreSQL at 1, 2, 8, 32 connections, and plain INSERTs for context.
# The database DATABASE_URL names is FLUSHED: give it a scratch one.
bench-purchases: $(STAMP)
	@case "$(DATABASE_URL)" in postgres*) ;; *) echo "需要 DATABASE_URL=postgres://…（该数据库会被清空）"; exit 1;; esac
	$(BIN)/python bench/purchase_bench.py

clean:
	rm -rf $(VENV) $(LOCUST_VENV) var build *.egg-info
