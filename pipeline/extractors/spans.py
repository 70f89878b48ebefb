"""Grounded values on the Doc.

Extractors add each value with `add_value` (a dict with its exact character offsets,
`doc.text[start:end] == surface`, and the rule id) and may refine or drop it later. When
every extractor has run, the last component, `berita_spans`, puts the final values on
`doc.spans[field]` for anyone using the spaCy pipeline: the span's label is the rule id, and
the group's `attrs["values"][i]` is the value of its i-th span (the span covers whole
tokens; the value's offsets are exact).
"""
from __future__ import annotations

from bisect import bisect_right

import regex
from spacy.language import Language
from spacy.tokens import Doc, SpanGroup

from ..fields import FIELD_NAMES as FIELDS

if not Doc.has_extension("boilerplate"):
    Doc.set_extension("boilerplate", default=())       # sorted (start, end) char ranges
if not Doc.has_extension("match_text"):
    Doc.set_extension("match_text", default=None)      # text with boilerplate blanked out
if not Doc.has_extension("meta"):
    Doc.set_extension("meta", default=None)            # url, published, title of the article
if not Doc.has_extension("sentence_starts"):
    Doc.set_extension("sentence_starts", default=())
if not Doc.has_extension("event_date"):
    Doc.set_extension("event_date", default=None)


def text_of(doc: Doc) -> str:
    """The original text, computed once: spaCy rebuilds `doc.text` from the tokens on every access."""
    text = doc.user_data.get("berita_text")
    if text is None:
        text = doc.user_data["berita_text"] = doc.text
    return text


def add_value(doc: Doc, field: str, start: int, end: int, rule: str, **value) -> dict:
    """Record one grounded value; returns the value dict (extractors may refine it later)."""
    value.update(start=start, end=end, surface=text_of(doc)[start:end], rule=rule)
    doc.user_data.setdefault(("berita", field), []).append(value)
    return value


@Language.component("berita_spans", assigns=["doc.spans"])
def put_values_on_spans(doc: Doc) -> Doc:
    """The final values of every field as `doc.spans[field]` (see the module docstring)."""
    for field in FIELDS:
        spans, grounded = [], []
        for value in values(doc, field):
            span = doc.char_span(value["start"], value["end"], label=value["rule"], alignment_mode="expand")
            if span is not None:
                spans.append(span)
                grounded.append(value)
        doc.spans[field] = SpanGroup(doc, name=field, spans=spans, attrs={"values": grounded})
    return doc


def values(doc: Doc, field: str) -> list[dict]:
    return doc.user_data.get(("berita", field), [])


def set_values(doc: Doc, field: str, items: list[dict]) -> None:
    doc.user_data[("berita", field)] = items


# Reading a `doc._` extension costs ~1.3 us (spaCy builds an accessor object each time) and
# extractors read these two over and over: their setters keep a copy in user_data as well.

def set_match_text(doc: Doc, text: str) -> None:
    doc._.match_text = text
    doc.user_data["berita_match_text"] = text


def set_sentence_starts(doc: Doc, starts: tuple[int, ...]) -> None:
    doc._.sentence_starts = starts
    doc.user_data["berita_sentence_starts"] = starts


def match_text(doc: Doc) -> str:
    """The text extractors match against: same length as doc.text, boilerplate blanked."""
    text = doc.user_data.get("berita_match_text")
    if text is not None:
        return text
    return doc._.match_text if doc._.match_text is not None else text_of(doc)


def sentence_starts(doc: Doc) -> tuple[int, ...]:
    starts = doc.user_data.get("berita_sentence_starts")
    return doc._.sentence_starts if starts is None else starts


def sentence_bounds(doc: Doc, offset: int) -> tuple[int, int]:
    starts = sentence_starts(doc)
    if not starts:
        return 0, len(text_of(doc))
    i = bisect_right(starts, offset) - 1
    i = max(i, 0)
    end = starts[i + 1] if i + 1 < len(starts) else len(text_of(doc))
    return starts[i], end


def sentence_text(doc: Doc, offset: int) -> str:
    s, e = sentence_bounds(doc, offset)
    return text_of(doc)[s:e].strip()


# -------------------------------------------------------------- words of the matching text
#
# Patterns built from word lists (role words, programs, months) can only match where one of
# their first words stands as a whole run of letters. The runs of ASCII letters of a text
# are collected once (bytes.translate and split, in C); an extractor looks up its first
# words among them and tries its pattern only where those stand, instead of scanning the
# text with a long alternation.

_LETTER = regex.compile(r"\p{L}")
# ASCII letters stay, every other byte (UTF-8 of other characters too) becomes a space
_ASCII_LETTERS_ONLY = bytes(b if 65 <= b <= 90 or 97 <= b <= 122 else 32 for b in range(256))


def _lowered(doc: Doc):
    """The matching text lower-cased, and the set of its runs of ASCII letters (bytes, lower
    case; every ASCII word that stands as a whole run of letters is among them); (None,
    None) when lower-casing moves offsets or changes what a case-blind pattern matches
    (`İ`, `ſ`)."""
    cached = doc.user_data.get("berita_lowered")
    if cached is None:
        text = match_text(doc)
        low = text.lower()
        if len(low) != len(text) or "ſ" in text:
            cached = (None, None)
        else:
            runs = low.encode("utf-8", "surrogatepass").translate(_ASCII_LETTERS_ONLY).split()
            cached = (low, frozenset(runs))
        doc.user_data["berita_lowered"] = cached
    return cached


def lowered(doc: Doc):
    """(the matching text lower-cased, its lower-cased ASCII letter runs as bytes), or (None,
    None) where lower-casing is not exact (see `_lowered`)."""
    return _lowered(doc)


def _is_letter(c: str) -> bool:
    return c.isalpha() if c.isascii() else _LETTER.match(c) is not None


class Words:
    """A set of lower-case words to look up among the letter runs of a text (`run_starts`);
    a word with other characters than letters is no run of letters and is left out."""

    def __init__(self, words):
        words = {str(w).lower() for w in words if w and all(map(_is_letter, str(w)))}
        self.ascii = frozenset(w.encode() for w in words if w.isascii())
        self.other = tuple(sorted(w for w in words if not w.isascii()))


def run_starts(doc: Doc, words: Words) -> list[int] | None:
    """Sorted offsets of the whole letter runs of the matching text that are one of `words`
    ignoring case; None when that cannot be told exactly (then scan)."""
    low, runs = _lowered(doc)
    if low is None:
        return None
    text = match_text(doc)
    found = []
    for word in [w.decode() for w in words.ascii & runs] + list(words.other):
        n = len(word)
        i = low.find(word)
        while i >= 0:
            if (i == 0 or not _is_letter(text[i - 1])) and (i + n == len(text) or not _is_letter(text[i + n])):
                found.append(i)
            i = low.find(word, i + 1)
    found.sort()
    return found


def prefix_starts(doc: Doc, prefixes, not_after_letter: bool = True) -> list[int] | None:
    """Sorted offsets where the matching text starts with one of `prefixes` (lower case)
    ignoring case, not right after a letter; None when that cannot be told exactly."""
    low, _ = _lowered(doc)
    if low is None:
        return None
    text = match_text(doc)
    found = []
    for prefix in prefixes:
        i = low.find(prefix)
        while i >= 0:
            if not (not_after_letter and i and _is_letter(text[i - 1])):
                found.append(i)
            i = low.find(prefix, i + 1)
    found.sort()
    return found
