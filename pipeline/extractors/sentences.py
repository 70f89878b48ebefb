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

from ..ruletools.rules import RuleSet, cached_rules
from . import spans  # noqa: F401
from .spans import set_sentence_starts, text_of


# Structural patterns (letter classes, punctuation, line breaks; no word of any language):
# module constants, not rules. The words that keep a full stop from ending a sentence are
# rules (`rules/sentences.yml`).
# an initial inside a name: `A.`, or a capital and one small letter (`Yohana Ch. Pattiasina`)
_ONE_CAPITAL = regex.compile(r"(?:^|[\s,(.])\p{Lu}\p{Ll}?\.$")
# (from the first of a run of . ! ? only, and without giving any back: tried from every one
# of a long run, `[.!?]+` made a line of 20,000 dots take minutes; the matches are the same)
_CANDIDATE = regex.compile(r'(?<![.!?])[.!?]++["\'\u201d\u2019)]*(?=\s+["\'\u201c\u2018(]?[\p{Lu}\d])|\n+')
# A hard-wrapped text breaks its lines inside sentences (`... oleh Bupati Kukar, dr. Aulia
# Rahman\nBasri, bersama ...`): there, a single line break after a letter or a comma does
# not end a sentence. A text is taken as wrapped when several lines go on in small letters.
_WRAP = regex.compile(r"[\p{L},][ \t]*\n(?=\p{Ll})")
_WRAPPED_MIN = 3
_LINE_GOES_ON = regex.compile(r"[\p{L},]\n(?=[^\s])")
# the letters that end at endpos (read backwards from there, anchored at endpos)
_LETTERS_BEFORE = regex.compile(r"(?r)\p{L}*")


class SentenceSplitter:
    def __init__(self, rules: RuleSet):
        spec = rules["sentences"]
        self.abbreviations = {a.lower() for a in spec["abbreviations"]}
        self.initials = rules.compile(r"(?:^|[\s,(])" + spec["initials"] + r"$", "sentences.initials")

    def _is_abbreviation(self, text: str, dot: int) -> bool:
        lo = max(0, dot - 24)
        # the letters right before the dot (what `([\p{L}]+)\.$` finds in `before`)
        i = _LETTERS_BEFORE.match(text, lo, dot).start()
        if i < dot and text[i:dot].lower() in self.abbreviations:
            return True
        # dotted degrees and initials: "S.Pt." "M.Si." (two chunks or more) or an initial "A." "Ch."
        before = text[lo:dot + 1]
        if self.initials.search(before):
            return True
        # an initial: the letters before the dot are one capital, or a capital and a small letter
        return dot - i <= 2 and _ONE_CAPITAL.search(before) is not None

    def starts(self, text: str) -> list[int]:
        starts = [0]
        n = len(text)
        wrapped = len(_WRAP.findall(text)) >= _WRAPPED_MIN
        for m in _CANDIDATE.finditer(text):
            found = m.group()
            nxt = m.end()
            if wrapped and found == "\n" and _LINE_GOES_ON.match(text, m.start() - 1):
                continue
            if wrapped and found == "\n" and m.start() > 0 and text[m.start() - 1] == "." \
                    and self._is_abbreviation(text, m.start() - 1):
                continue  # `Devota M.\nLeisubun`: an initial or a title at a wrapped line's end
            if found[0] != "\n":
                if found[0] == "." and len(found.rstrip("\"')\u201d\u2019")) == 1 \
                        and self._is_abbreviation(text, m.start()):
                    continue
                while nxt < n and text[nxt].isspace():
                    nxt += 1
            if nxt < n and nxt > starts[-1]:
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
