# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
DEV := $(SHARED)/corpus/dev.jsonl
GOLD := $(SHARED)/corpus/dev.gold.jsonl
REAL := $(SHARED)/corpus/real.jsonl
REAL_GOLD := $(SHARED)/corpus/real.gold.jsonl

.PHONY: setup setup-dev run test check eval events-eval bench fuzz lexicon model clean

# `make run` needs only what running needs; the test tools (playwright, dask,
# hypothesis, dateparser) come with `make test`.
setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

# Re-install only when the project definition changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

run: setup
	$(BIN)/berita run corpus/ --out outputs/latest

test: setup-dev
	$(BIN)/python -m pytest -q

# The edit-test loop (under 30 s): everything but the slow and browser tests, on every
# core, keeping the compiled test modules between runs even where the environment says
# not to write bytecode (pytest's assertion rewriting is most of the collection time)
check: setup-dev
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q -n auto --dist worksteal -m "not slow and not browser"

# Scores on dev (the set the rules were tuned on) and on real (90 articles the rules
# were not written from), printed separately
eval: setup
	$(BIN)/berita run $(DEV) --out outputs/dev --quiet --no-review
	$(BIN)/berita run $(REAL) --out outputs/real --quiet --no-review
	@echo "== dev ($(DEV))"
	@$(BIN)/berita eval $(GOLD) outputs/dev
	@echo "== real ($(REAL))"
	@$(BIN)/berita eval $(REAL_GOLD) outputs/real

# Speed: tokenizer floor, berita with 1 and 2 processes, dateparser; writes outputs/bench.json
bench: setup-dev
	$(BIN)/python -m tests.tools.bench --dev $(DEV)

# Property-based fuzzing of the whole pipeline (at least 10,000 cases)
fuzz: setup-dev
	$(BIN)/python -m tests.tools.fuzz --cases 10000 --dev $(DEV)

# Rebuild the common-word lexicon from nlp-id's tagged news corpus (see pipeline/extractors/lexicon.py)
lexicon: setup
	$(BIN)/python -m pipeline.extractors.lexicon

# Retrain the NER shipped in pipeline/ner/model/ (fixed seed, CPU, no network; about 10-15
# min on 2 cores) from $(SHARED)/ner and the dev gold; writes build/ner/ and model/scores.json.
# `make run` and `make test` never train.
model: setup
	$(BIN)/python -m pipeline.ner.train --shared $(SHARED)

clean:
	rm -rf outputs/latest outputs/dev outputs/real

# Pairwise precision and recall of the event grouping (docs/EVENTS.md)
events-eval: setup
	$(BIN)/python -m tests.tools.events_measure $(REAL) $(SHARED)/corpus/real.events.tsv $(DEV) tests/data/events-dev.tsv
