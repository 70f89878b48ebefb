"""The trained NER (PERSON, PLACE, ORG), run only on character windows of a text.

The model is a spaCy pipeline trained by `make model` (config.cfg, prepare.py, train.py in
this folder) and shipped in `model/`; it is loaded once, on first use. Running it on a whole
article costs far more than berita's rules, so callers pass the windows where a name may be
(around a position cue, or `capitalized_windows`) and get spans whose offsets point into the
original text: `text[e.start:e.end] == e.text`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

MODEL_DIR = Path(__file__).with_name("model")
LABELS = ("PERSON", "PLACE", "ORG")


@dataclass(frozen=True)
class Entity:
    label: str
    start: int
    end: int
    text: str


# The stock Indonesian tokenizer's 16,000 special cases took 11 s to load (twice: from the
# config, then from disk); berita's own tokenizer has the same punctuation rules without them.
_TOKENIZER = {"nlp": {"tokenizer": {"@tokenizers": "berita.punctuation_tokenizer.v1"}}}


@lru_cache(maxsize=1)
def load_model():
    """The shipped pipeline, loaded once (spacy.load of a folder: no network), with
    berita's tokenizer in place of the stock one saved beside it."""
    import spacy

    from ..extractors import tokenizer  # noqa: F401  (registers berita's tokenizer)
    return spacy.load(MODEL_DIR, config=_TOKENIZER, exclude=["tokenizer"])


def merge_windows(windows: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Windows clipped to the text, sorted, overlapping or touching ones joined, so that no
    character is read twice."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(length, e)) for s, e in windows):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def entities(text: str, windows: Iterable[tuple[int, int]], labels: Iterable[str] = LABELS) -> list[Entity]:
    """Entities the model finds inside the given windows of `text`, with offsets into `text`.
    A window is [start, end) in characters; an entity never crosses a window's edge, so
    windows should end at word boundaries (see `word_bounds`)."""
    wanted = set(labels)
    spans = merge_windows(windows, len(text))
    found = []
    for (start, _), doc in zip(spans, load_model().pipe(text[s:e] for s, e in spans)):
        for ent in doc.ents:
            if ent.label_ in wanted:
                found.append(Entity(ent.label_, start + ent.start_char, start + ent.end_char, ent.text))
    return found


def people_and_places(text: str, windows: Iterable[tuple[int, int]]) -> list[Entity]:
    """PERSON and PLACE spans inside the windows (what officials need: a PLACE is never a name)."""
    return entities(text, windows, ("PERSON", "PLACE"))


def _words(text: str) -> list[tuple[int, int]]:
    """[start, end) of each whitespace-separated word."""
    words, start = [], None
    for i, ch in enumerate(text):
        if ch.isspace():
            if start is not None:
                words.append((start, i))
                start = None
        elif start is None:
            start = i
    if start is not None:
        words.append((start, len(text)))
    return words


def word_bounds(text: str, start: int, end: int, margin: int = 0) -> tuple[int, int]:
    """[start, end) widened to whole words and then by `margin` words on each side, within
    the line: the window a caller gives for a cue or a candidate name."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    words = [(line_start + s, line_start + e) for s, e in _words(text[line_start:line_end])]
    inside = [i for i, (s, e) in enumerate(words) if e > start and s < end]
    if not inside:
        return start, end
    first, last = max(0, inside[0] - margin), min(len(words) - 1, inside[-1] + margin)
    return words[first][0], words[last][1]


def capitalized_windows(text: str, margin: int = 3) -> list[tuple[int, int]]:
    """Windows around runs of words that start with a capital letter, `margin` words of
    context on each side, within the line: where a name or a place can be."""
    windows = []
    for line_start, line in _lines(text):
        words = _words(line)
        i = 0
        while i < len(words):
            if not _capitalized(line, words[i]):
                i += 1
                continue
            j = i
            while j + 1 < len(words) and _capitalized(line, words[j + 1]):
                j += 1
            first, last = max(0, i - margin), min(len(words) - 1, j + margin)
            windows.append((line_start + words[first][0], line_start + words[last][1]))
            i = j + 1
    return merge_windows(windows, len(text))


def _capitalized(line: str, word: tuple[int, int]) -> bool:
    s, e = word
    first = next((ch for ch in line[s:e] if ch.isalpha()), "")
    return first.isupper()


def _lines(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for line in text.split("\n"):
        out.append((start, line))
        start += len(line) + 1
    return out
