"""The spaCy pipeline: `spacy.blank("id")` plus berita's registered components.

raw text → boilerplate marking → tokens → sentences → dates → regencies → officials →
programs → quantities. Components read their patterns from the rule set; `rules_dirs`
layers a user's rules directory over the built-in one.
"""
from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

# importing the modules registers their factories
from . import cleaning, dates, officials, programs, quantities, regencies, sentences  # noqa: F401

COMPONENTS = ["berita_boilerplate", "berita_sentences", "berita_dates", "berita_regencies",
              "berita_officials", "berita_programs", "berita_quantities"]


def build_nlp(rules_dirs: list[str | Path] | None = None) -> Language:
    nlp = spacy.blank("id")
    config = {"rules_dirs": [str(d) for d in (rules_dirs or [])]}
    for name in COMPONENTS:
        nlp.add_pipe(name, config=config)
    return nlp
