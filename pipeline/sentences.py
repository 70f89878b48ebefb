"""Sentence splitting that knows Indonesian abbreviations, honorifics and degrees.

spaCy's default sentencizer breaks `Haji Iskandar Kamaru, S.Pt., M.Si.` in two. Here a
sentence ends at a line break, or at . ! ? followed by space and a capital, digit or
quote, unless the word before the full stop is an abbreviation from
`rules/sentences.yml` or a run of initials (`S.Pt.`, `M.Si.`, `A.`).
"""
from __future__ import annotations

import numpy

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .rules import RuleSet, cached_rules
from . import spans  # noqa: F401
from .spans import set_sentence_starts, text_of


_LETTER = regex.compile(r"\p{L}")


def _is_letter(c: str) -> bool:
    return c.isalpha() if c.isascii() else _LETTER.match(c) is not None


_ONE_CAPITAL = regex.compile(r"(?:^|[\s,(.])\p{Lu}\.$")
_CANDIDATE = regex.compile(r'[.!?]+["\'\u201d\u2019)]*(?=\s+["\'\u201c\u2018(]?[\p{Lu}\d])|\n+')


class SentenceSplitter:
    def __init__(self, rules: RuleSet):
        spec = rules["sentences"]
        self.abbreviations = {a.lower() for a in spec["abbreviations"]}
        self.initials = regex.compile(r"(?:^|[\s,(])" + spec["initials"] + r"$")

    def _is_abbreviation(self, text: str, dot: int) -> bool:
        lo = max(0, dot - 24)
        before = text[lo:dot + 1]
        # the letters right before the dot (what `([\p{L}]+)\.$` finds in `before`)
        i = dot
        while i > lo and _is_letter(text[i - 1]):
            i -= 1
        if i < dot and text[i:dot].lower() in self.abbreviations:
            return True
        # dotted degrees and initials: "S.Pt." "M.Si." (two chunks or more) or one capital "A."
        return bool(self.initials.search(before) or _ONE_CAPITAL.search(before))

    def starts(self, text: str) -> list[int]:
        starts = [0]
        for m in _CANDIDATE.finditer(text):
            if m.group(0).startswith("\n"):
                nxt = m.end()
            else:
                if m.group(0)[0] == "." and len(m.group(0).rstrip("\"')\u201d\u2019")) == 1 \
                        and self._is_abbreviation(text, m.start()):
                    continue
                nxt = m.end()
                while nxt < len(text) and text[nxt].isspace():
                    nxt += 1
            if nxt < len(text) and nxt > starts[-1]:
                starts.append(nxt)
        return starts

    def __call__(self, doc: Doc) -> Doc:
        starts = self.starts(text_of(doc))
        set_sentence_starts(doc, tuple(starts))
        if len(doc):
            # one array write instead of a Python loop over tokens
            idx = doc.to_array("IDX")
            # tokens whose offset is a sentence start (offsets increase: a binary search each)
            wanted = numpy.asarray(starts, dtype=idx.dtype)
            at = numpy.searchsorted(idx, wanted)
            inside = at < len(idx)
            at, wanted = at[inside], wanted[inside]
            sent_start = numpy.full(len(idx), -1, dtype="int64")
            sent_start[at[idx[at] == wanted]] = 1
            sent_start = sent_start.view("uint64")
            sent_start[0] = 1
            doc.from_array(["SENT_START"], sent_start.reshape(-1, 1))
        return doc


@Language.factory("berita_sentences", assigns=["token.is_sent_start", "doc._.sentence_starts"],
                  default_config={"rules_dirs": []})
def make_sentences(nlp: Language, name: str, rules_dirs: list):
    return SentenceSplitter(cached_rules(rules_dirs))
