"""Boilerplate marking and the matching text.

Site furniture (`Baca juga:` lines, bylines, share buttons, comment forms, banners,
copyright and related-article tails) is found line by line with the patterns in
`rules/boilerplate.yml`. The text is never edited: extractors match against a copy of
the same length in which boilerplate is blanked and look-alike characters (NBSP, curly
quotes, full-width digits) are folded, so offsets always slice the original text.
"""
from __future__ import annotations

import unicodedata

from spacy.language import Language
from spacy.tokens import Doc

from .rules import RuleSet, cached_rules
from . import spans  # noqa: F401  (registers Doc extensions)

# One character in, one character out: folding must not move offsets.
_FOLD = {
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u200a": " ", "\u3000": " ",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\t": " ",
}


def fold_char(ch: str) -> str:
    if ch in _FOLD:
        return _FOLD[ch]
    if "\uff01" <= ch <= "\uff5e":  # full-width ASCII
        return chr(ord(ch) - 0xFEE0)
    return ch


def fold(text: str) -> str:
    if text.isascii():
        return text
    return "".join(fold_char(c) if not c.isascii() or c == "\t" else c for c in text)


class BoilerplateMarker:
    def __init__(self, rules: RuleSet):
        spec = rules["boilerplate"]
        self.line_patterns = [rules.compile(p["pattern"], p["id"]) for p in spec.get("line", [])]
        self.tail_patterns = [rules.compile(p["pattern"], p["id"]) for p in spec.get("tail", [])]

    def ranges(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        pos = 0
        for line in text.split("\n"):
            start, end = pos, pos + len(line)
            pos = end + 1
            if not line.strip():
                continue
            tail = next((p.id for p in self.tail_patterns if p.search(line)), None)
            if tail:
                found.append((start, len(text), tail))
                break
            rule = next((p.id for p in self.line_patterns if p.search(line)), None)
            if rule:
                found.append((start, end, rule))
        return found

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        ranges = self.ranges(text)
        doc._.boilerplate = tuple((s, e) for s, e, _ in ranges)
        folded = fold(text)
        if ranges:
            chars = list(folded)
            for s, e, _ in ranges:
                chars[s:e] = [" " if c != "\n" else "\n" for c in chars[s:e]]
            folded = "".join(chars)
        doc._.match_text = folded
        doc.spans["boilerplate"] = [
            sp for sp in (doc.char_span(s, e, label=r, alignment_mode="expand") for s, e, r in ranges) if sp
        ]
        return doc


@Language.factory("berita_boilerplate", requires=[], assigns=["doc._.boilerplate", "doc._.match_text"],
                  default_config={"rules_dirs": []})
def make_boilerplate(nlp: Language, name: str, rules_dirs: list):
    return BoilerplateMarker(cached_rules(rules_dirs))
