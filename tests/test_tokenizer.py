"""berita's tokenizer leaves spaCy's special cases out; the extracted values must not
depend on that (extractors read characters, tokens only anchor Doc.spans)."""
import json
from pathlib import Path

import pytest

from pipeline.engine import process_article
from pipeline.nlp import build_nlp
from pipeline.io.reading import Article

ROOT = Path(__file__).resolve().parent.parent


def _articles():
    for path in (ROOT / "corpus" / "seed.jsonl", ROOT / "tests" / "data" / "synthetic-a.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                a = json.loads(line)
                yield Article(id=a["id"], text=a["text"], url=a.get("url"), published=a.get("published"),
                              title=a.get("title"))


@pytest.fixture(scope="module")
def both():
    return build_nlp(), build_nlp(tokenizer="spacy")


@pytest.mark.slow
def test_values_do_not_depend_on_the_tokenizer(both):
    punctuation, stock = both
    articles = list(_articles())
    assert len(articles) > 30
    for article in articles:
        assert process_article(punctuation, article) == process_article(stock, article), article.id


@pytest.mark.slow
def test_tokens_keep_the_text_and_split_at_punctuation(both):
    punctuation, stock = both
    text = "Bupati Dr. H. Dadang, anak-anak (28/4)  menerima 1.000 orang.\n"
    doc = punctuation.make_doc(text)
    assert doc.text == text and doc.user_data["berita_text"] == text
    assert len(punctuation.tokenizer.rules) == 0
    # spaCy's special case keeps `anak-anak` whole; the punctuation rules split it
    assert "anak-anak" in [t.text for t in stock.make_doc(text)]
    assert [t.text for t in doc][6:9] == ["anak", "-", "anak"]
