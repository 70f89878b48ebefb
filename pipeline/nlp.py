"""The spaCy pipeline: `spacy.blank("id")` plus berita's registered components.

raw text → boilerplate marking → tokens → sentences → dates → regencies → officials →
programs → quantities → the values on doc.spans. Components read their patterns from the rule set; `rules_dirs`
layers a user's rules directory over the built-in one.
"""
from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

# importing the modules registers their factories (the tokenizer module under another
# name: `tokenizer` is build_nlp's parameter)
from .extractors import cleaning, dates, officials, programs, quantities, regencies, sentences, spans  # noqa: F401
from .extractors import tokenizer as _tokenizers  # noqa: F401

COMPONENTS = ["berita_boilerplate", "berita_sentences", "berita_dates", "berita_regencies",
              "berita_officials", "berita_programs", "berita_quantities"]

# "punctuation": spaCy's Indonesian punctuation rules without the special cases (see
# pipeline/extractors/tokenizer.py); "spacy": the stock Indonesian tokenizer. Values are the same.
TOKENIZERS = {
    "punctuation": {"nlp": {"tokenizer": {"@tokenizers": "berita.punctuation_tokenizer.v1"}}},
    "spacy": {},
}


def build_nlp(rules_dirs: list[str | Path] | None = None, tokenizer: str = "punctuation") -> Language:
    nlp = spacy.blank("id", config=TOKENIZERS[tokenizer])
    config = {"rules_dirs": [str(d) for d in (rules_dirs or [])]}
    for name in COMPONENTS:
        nlp.add_pipe(name, config=config)
    nlp.add_pipe("berita_spans")
    return nlp
