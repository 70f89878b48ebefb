"""Grounded values on the Doc.

Every extractor puts its values on `doc.spans[field]`; the span's label is the rule id and
`span._.value` holds the normalized value with its exact character offsets
(`doc.text[start:end] == surface`, even where a token boundary falls inside the surface).
"""
from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Span

FIELDS = ("dates", "officials", "regencies", "programs", "participants", "percentages", "amounts")

if not Span.has_extension("value"):
    Span.set_extension("value", default=None)
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
    span = doc.char_span(start, end, label=rule, alignment_mode="expand")
    if span is not None:
        if field not in doc.spans:
            doc.spans[field] = []
        doc.spans[field].append(span)
    doc.user_data.setdefault(("berita", field), []).append(value)
    return value


def values(doc: Doc, field: str) -> list[dict]:
    return doc.user_data.get(("berita", field), [])


def set_values(doc: Doc, field: str, items: list[dict]) -> None:
    doc.user_data[("berita", field)] = items


def match_text(doc: Doc) -> str:
    """The text extractors match against: same length as doc.text, boilerplate blanked."""
    return doc._.match_text if doc._.match_text is not None else text_of(doc)


def sentence_bounds(doc: Doc, offset: int) -> tuple[int, int]:
    starts = doc._.sentence_starts
    if not starts:
        return 0, len(text_of(doc))
    i = bisect_right(starts, offset) - 1
    i = max(i, 0)
    end = starts[i + 1] if i + 1 < len(starts) else len(text_of(doc))
    return starts[i], end


def sentence_text(doc: Doc, offset: int) -> str:
    s, e = sentence_bounds(doc, offset)
    return text_of(doc)[s:e].strip()


def in_boilerplate(doc: Doc, start: int, end: int) -> bool:
    for s, e in doc._.boilerplate:
        if s < end and start < e:
            return True
    return False
