"""Shared fixtures: one pipeline per test session, and the paths of the shared dev data."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEV = SHARED / "corpus" / "dev.jsonl"
DEV_GOLD = SHARED / "corpus" / "dev.gold.jsonl"
REFERENCE_SCORER = SHARED / "tools" / "score.py"


@pytest.fixture(scope="session")
def nlp():
    # the pipeline in-process runs use too (berita run/explain called from a test), built once
    from pipeline import engine
    return engine._local_nlp(None)


@pytest.fixture(scope="session")
def extract(nlp):
    """Run the pipeline on one text and return its record (as records.jsonl holds it)."""
    from pipeline.engine import _annotate
    from pipeline.io.reading import Article
    from pipeline.io.records import doc_to_record

    def run(text: str, url: str | None = None, published: str | None = None) -> dict:
        article = Article(id="t", text=text, url=url, published=published)
        return doc_to_record(_annotate(nlp, article), article)
    return run


# for the tests that read the dev set: CI clones the repository with ../shared beside it
needs_dev = pytest.mark.skipif(not DEV.exists(), reason="../shared/corpus is not beside the repository")
