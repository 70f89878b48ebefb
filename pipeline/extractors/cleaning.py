"""Boilerplate marking and the matching text.

Site furniture (`Baca juga:` lines, bylines, share buttons, comment forms, banners,
copyright and related-article tails) is found line by line with the patterns in
`rules/boilerplate.yml`. The text is never edited: extractors match against a copy of
the same length in which boilerplate is blanked and look-alike characters (NBSP, curly
quotes, full-width digits) are folded, so offsets always slice the original text.

Two things cannot be done one character for one: removing invisible characters (soft
hyphen, zero-width space, word joiner, BOM ...: `rules/matching.yml`), which cut
`Rp1.<ZWSP>500.000` into Rp 1, and composing decomposed accents (NFC), without which a
decomposed `Rudé` reads as `Rude` and `Garüt` as Garut. A text that has either is
annotated in its *matching form* (invisible characters removed, then NFC): the first
component swaps the Doc for one of that form and keeps a `SourceMap` back to the text as
written (`source_map(doc)`). `records.doc_to_record` (and `explain`) map every offset,
surface and sentence back through it, so a record's offsets slice the article's own text,
while derived values (a name, a position) are in NFC without invisible characters. A text
with neither (nearly all) keeps its Doc, and nothing changes for it.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right

import regex

from spacy.language import Language
from spacy.tokens import Doc

from ..ruletools.rules import RuleSet, RuleTimeout, any_of, cached_rules
from . import spans  # noqa: F401  (registers Doc extensions)
from .spans import set_match_text, text_of

# One character in, one character out: folding must not move offsets.
#
# What the matching text folds (doc.text itself is never changed):
# * spaces: NBSP, thin, narrow, figure, hair, ideographic and the other Unicode spaces -> " ";
#   a thin/narrow/figure/no-break space *grouping digits* (`4 000`, `1 500 000`) -> "."
#   (the Indonesian thousands separator), so `4\u2009000 peserta` reads as 4.000;
# * quotes and dashes: curly/low/angle quotes and primes -> ' or ", dashes and minus -> -;
# * digits: full-width ASCII (`４．０００`) and every other decimal digit (Nd) -> ASCII;
# * control characters (NUL, VT, FF, ...) -> " " (tab too); line/paragraph separators and
#   NEL -> "\n";
# * other invisible format characters (category Cf; those of rules/matching.yml are removed
#   before folding, see below) and combining marks left after NFC (category M) -> "-" when
#   they sit inside a word (a letter on both sides), so the word stays one word for the
#   name and place patterns (which allow "-" inside a word and drop it when they compare
#   names); anywhere else -> " ".
_FOLD = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2035": "'",
    "\u2039": "'", "\u203a": "'", "\uff07": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u2036": '"',
    "\u00ab": '"', "\u00bb": '"', "\uff02": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
    "\u2028": "\n", "\u2029": "\n", "\x85": "\n",
    "\t": " ",
}
_DIGIT_GROUP_SPACES = "\u00a0\u2007\u2009\u202f\u200a"
# a space that groups digits: a digit before it, exactly three digits after it
_DIGIT_GROUP = regex.compile(rf"(?<=\d)[{_DIGIT_GROUP_SPACES}](?=\d{{3}}(?!\d))")
# invisible characters / combining marks between two letters
_IN_WORD = regex.compile(r"(?<=\p{L})[\p{Cf}\p{M}]+(?=\p{L})")
_NEEDS_CONTEXT = regex.compile(rf"[\p{{Cf}}\p{{M}}{_DIGIT_GROUP_SPACES}]")
# what the table may change: everything but a newline and printable ASCII (most of a text);
# stdlib `re` finds a plain class like this one several times faster than `regex`
_FOLDABLE = re.compile(r"[^\n\x20-\x7e]")


def fold_char(ch: str) -> str:
    """The context-free fold of one character (always exactly one character)."""
    if ch in _FOLD:
        return _FOLD[ch]
    if "\uff01" <= ch <= "\uff5e":  # full-width ASCII
        return chr(ord(ch) - 0xFEE0)
    if ch == "\n" or ch == " ":
        return ch
    category = unicodedata.category(ch)
    if category == "Nd":
        digit = unicodedata.digit(ch, None)
        return str(digit) if digit is not None else ch
    if category in ("Zs", "Cc", "Cf", "Mn", "Me", "Mc"):
        return " "
    return ch


class _FoldTable(dict):
    """Fold of each character, filled on demand: character -> (folded character, whether its
    fold depends on its neighbours)."""

    def __missing__(self, ch: str) -> tuple[str, bool]:
        found = self[ch] = (fold_char(ch), _NEEDS_CONTEXT.match(ch) is not None)
        return found


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """The matching text of `text`: same length, look-alike characters folded (see above)."""
    # A text holds few distinct characters the table may change: each is replaced all at once.
    # (A fold is printable ASCII, a line break or the character itself, never one the table
    # changes again, so one replacement cannot feed another.)
    folded, context = text, False
    for ch in set(_FOLDABLE.findall(text)):
        to, needs_context = _TABLE[ch]
        if to != ch:
            folded = folded.replace(ch, to)
        context = context or needs_context
    if not context:
        return folded
    chars = None
    for pattern, repl in ((_DIGIT_GROUP, "."), (_IN_WORD, "-")):
        for m in pattern.finditer(text):
            if chars is None:
                chars = list(folded)
            chars[m.start():m.end()] = repl * (m.end() - m.start())
    return folded if chars is None else "".join(chars)


# Characters NFC may compose with the one before: combining marks and the Hangul vowel and
# final-consonant jamo (starters that compose, the one other case).
_COMPOSES = r"\p{M}\u1161-\u1175\u11a8-\u11c2"
_COMPOSING = regex.compile(f"[{_COMPOSES}]")

SOURCE_KEY = "berita_source"


class _Edits:
    """One step from a text to a new text: sorted, disjoint edits (new start, new end, old
    start, old end); the rest is copied."""

    def __init__(self, edits: list[tuple[int, int, int, int]]):
        self.edits = edits
        self.new_starts = [e[0] for e in edits]

    def start(self, k: int) -> int:
        """Old offset of a span starting at new offset k (characters removed before k stay out)."""
        i = bisect_right(self.new_starts, k) - 1
        if i < 0:
            return k
        new_start, new_end, old_start, old_end = self.edits[i]
        return old_start if k < new_end else k + old_end - new_end

    def end(self, k: int) -> int:
        """Old offset of a span ending at new offset k (characters removed after k stay out)."""
        i = bisect_left(self.new_starts, k) - 1
        if i < 0:
            return k
        new_start, new_end, old_start, old_end = self.edits[i]
        return old_end if k <= new_end else k + old_end - new_end


class SourceMap:
    """Offsets of the matching form of a text back into the text as written."""

    def __init__(self, original: str, steps: list[_Edits]):
        self.original = original
        self.steps = steps  # original -> ... -> matching form

    def start(self, k: int) -> int:
        for step in reversed(self.steps):
            k = step.start(k)
        return k

    def end(self, k: int) -> int:
        for step in reversed(self.steps):
            k = step.end(k)
        return k

    def range(self, start: int, end: int) -> tuple[int, int]:
        s = self.start(start)
        return s, max(s, self.end(end))

    def ground(self, item: dict) -> dict:
        """A copy of a value with its start, end and surface in the text as written."""
        start, end = self.range(item["start"], item["end"])
        return dict(item, start=start, end=end, surface=self.original[start:end])


def _without(text: str, invisible: re.Pattern) -> tuple[str, _Edits]:
    parts, edits, pos, shift = [], [], 0, 0
    for m in invisible.finditer(text):
        parts.append(text[pos:m.start()])
        at = m.start() - shift
        edits.append((at, at, m.start(), m.end()))
        shift += m.end() - m.start()
        pos = m.end()
    parts.append(text[pos:])
    return "".join(parts), _Edits(edits)


def _composed(text: str) -> tuple[str, _Edits]:
    # NFC can only change a run of characters that compose with the one before (with that
    # one) and a character that changes on its own (the Angstrom sign, with what follows it);
    # NFC of the rest is the rest
    alone = "".join(c for c in set(text) if not c.isascii() and unicodedata.normalize("NFC", c) != c)
    segments = (f"[{regex.escape(alone)}][{_COMPOSES}]*|" if alone else "") + f"[{_COMPOSES}]+"
    parts, edits, pos, shift = [], [], 0, 0
    for m in regex.finditer(segments, text):
        start = m.start()
        if start > pos and _COMPOSING.match(text, start):
            start -= 1  # the starter the run composes with
        segment = text[start:m.end()]
        nfc = unicodedata.normalize("NFC", segment)
        if nfc == segment:
            continue
        parts.append(text[pos:start])
        parts.append(nfc)
        at = start + shift
        edits.append((at, at + len(nfc), start, m.end()))
        shift += len(nfc) - len(segment)
        pos = m.end()
    parts.append(text[pos:])
    return "".join(parts), _Edits(edits)


def invisible_pattern(characters) -> re.Pattern | None:
    """A pattern of runs of the given characters (None for none)."""
    characters = "".join(characters)
    return re.compile(f"[{re.escape(characters)}]+") if characters else None


def matching_form(text: str, invisible: re.Pattern | None) -> tuple[str, SourceMap | None]:
    """The text without invisible characters, in NFC, and the map back to `text`; (text,
    None) when there is nothing to remove or compose."""
    if text.isascii():  # the invisible characters are not ASCII; ASCII is NFC
        return text, None
    has_invisible = invisible is not None and invisible.search(text) is not None
    if not has_invisible and unicodedata.is_normalized("NFC", text):
        return text, None
    steps, form = [], text
    if has_invisible:
        form, edits = _without(form, invisible)
        steps.append(edits)
    if not unicodedata.is_normalized("NFC", form):
        form, edits = _composed(form)
        steps.append(edits)
    return form, SourceMap(text, steps)


def source_map(doc: Doc) -> SourceMap | None:
    """The map from the Doc's text (a matching form) back to the article's text; None when
    the Doc's text is the article's text."""
    return doc.user_data.get(SOURCE_KEY)


class BoilerplateMarker:
    def __init__(self, rules: RuleSet, nlp: Language | None = None):
        self.nlp = nlp
        self.invisible = invisible_pattern(rules["matching"].get("invisible", []))
        spec = rules["boilerplate"]
        self.line_patterns = [rules.compile(p["pattern"], p["id"]) for p in spec.get("line", [])]
        self.tail_patterns = [rules.compile(p["pattern"], p["id"]) for p in spec.get("tail", [])]
        self.list_header = rules.compile(spec["list_header"], "boilerplate.list_header") if spec.get("list_header") else None
        self.list_item = rules.compile(spec["list_item"], "boilerplate.list_item") if spec.get("list_item") else None
        end = spec.get("tail_end") or {}
        self.tail_end = (rules.compile(end["byline"], "boilerplate.tail_end.byline"),
                         rules.compile(end["dateline"], "boilerplate.tail_end.dateline")) if end else None
        # most lines are content: a few joined patterns rule out all tail and line patterns
        self.prefilter = any_of(rules, self.tail_patterns + self.line_patterns, "boilerplate.any")

    @staticmethod
    def _may_match(line: str, prefilter) -> bool:
        try:
            return any(p.search(line) for p in prefilter)
        except RuleTimeout:
            return True  # the patterns one by one name the rule that runs out of time

    def ranges(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        pos = 0
        list_header, rule_of_header = False, ""
        # a pattern whose required words the whole text lacks matches no line of it
        prefilter = [p for p in self.prefilter if p.possible(text)]
        tail, after_byline = None, False  # an open tail: (its start, its rule)
        for line in text.split("\n"):
            start, end = pos, pos + len(line)
            pos = end + 1
            if not line.strip():
                continue
            if tail:
                # a tail above the article's own byline ends there: the dateline under it starts the body
                if not (after_byline and self.tail_end[1].search(line)):
                    after_byline = bool(self.tail_end and self.tail_end[0].search(line))
                    continue
                found.append((tail[0], start, tail[1]))
                tail = None
            rule = None
            if self._may_match(line, prefilter):
                rule = next((p.id for p in self.tail_patterns if p.search(line)), None)
                if rule:
                    tail, after_byline, list_header = (start, rule), False, False
                    continue
                rule = next((p.id for p in self.line_patterns if p.search(line)), None)
            if rule:
                found.append((start, end, rule))
                list_header = bool(self.list_header and self.list_header.search(line))
            elif list_header and self.list_item and self.list_item.search(line):
                # the items under a bare `Baca juga:` header belong to it
                found.append((start, end, rule_of_header))
            else:
                list_header = False
            rule_of_header = rule or rule_of_header
        if tail:
            found.append((tail[0], len(text), tail[1]))
        return found

    def _matching_doc(self, doc: Doc) -> Doc:
        """The Doc of the text's matching form (see the module docstring), or `doc` itself."""
        if self.nlp is None or source_map(doc) is not None:
            return doc
        form, source = matching_form(text_of(doc), self.invisible)
        if source is None:
            return doc
        matching = self.nlp.make_doc(form)
        matching._.meta = doc._.meta
        matching.user_data[SOURCE_KEY] = source
        return matching

    def __call__(self, doc: Doc) -> Doc:
        doc = self._matching_doc(doc)
        text = text_of(doc)
        ranges = self.ranges(text)
        doc._.boilerplate = tuple((s, e) for s, e, _ in ranges)
        folded = fold(text)
        for s, e, _ in ranges:  # blank the range, keeping its line breaks
            blank = "\n".join(" " * len(part) for part in folded[s:e].split("\n"))
            folded = folded[:s] + blank + folded[e:]
        set_match_text(doc, folded)
        doc.spans["boilerplate"] = [
            sp for sp in (doc.char_span(s, e, label=r, alignment_mode="expand") for s, e, r in ranges) if sp
        ]
        return doc


@Language.factory("berita_boilerplate", requires=[], assigns=["doc._.boilerplate", "doc._.match_text"],
                  default_config={"rules_dirs": []})
def make_boilerplate(nlp: Language, name: str, rules_dirs: list):
    return BoilerplateMarker(cached_rules(rules_dirs), nlp)
