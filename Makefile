# Two commands for a fresh clone: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := espeak-ng xvfb libegl1 libgl1-mesa-dri fonts-noto-cjk chromium chromium-driver postgresql redis-server

.PHONY: install system-packages run test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

# System packages the voice, the headless renderer, CJK text and the server tests (browser, Postgres,
# Redis) need. Installed only when running as root on Debian and missing; otherwise a one-line hint.
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing system packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null \
	    || { echo "apt-get install failed for:$$missing"; exit 1; }; \
	else \
	  echo "note: system packages missing:$$missing (install them with your package manager)"; \
	fi

# Exit 3 means "no display here": vbranch has already said so in one line, with the offscreen command.
run: install
	@$(BIN)/vbranch run $(ARGS); rc=$$?; [ $$rc -eq 3 ] || exit $$rc

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/vbranch bench market --json
	$(BIN)/vbranch bench frame --json

clean:
	rm -rf $(VENV) build *.egg-info
