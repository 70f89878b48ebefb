# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
DEV := $(SHARED)/corpus/dev.jsonl
GOLD := $(SHARED)/corpus/dev.gold.jsonl

.PHONY: setup run test eval bench fuzz lexicon model clean

setup: $(VENV)/.installed

# Re-install only when the project definition changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

run: setup
	$(BIN)/berita run corpus/ --out outputs/latest

test: setup
	$(BIN)/python -m pytest -q

eval: setup
	$(BIN)/berita run $(DEV) --out outputs/dev --quiet
	$(BIN)/berita eval $(GOLD) outputs/dev

# Speed: tokenizer floor, berita with 1 and 2 processes, dateparser; writes outputs/bench.json
bench: setup
	$(BIN)/python -m pipeline.bench --dev $(DEV)

# Property-based fuzzing of the whole pipeline (at least 10,000 cases)
fuzz: setup
	$(BIN)/python -m pipeline.fuzz --cases 10000 --dev $(DEV)

# Rebuild the common-word lexicon from nlp-id's tagged news corpus (see pipeline/lexicon.py)
lexicon: setup
	$(BIN)/python -m pipeline.lexicon

# Retrain the NER shipped in pipeline/ner/model/ (fixed seed, CPU, no network; about 10-15
# min on 2 cores) from $(SHARED)/ner and the dev gold; writes build/ner/ and model/scores.json.
# `make run` and `make test` never train.
model: setup
	$(BIN)/python -m pipeline.ner.train --shared $(SHARED)

clean:
	rm -rf outputs/latest outputs/dev
