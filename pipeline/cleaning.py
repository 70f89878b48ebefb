"""Boilerplate marking and the matching text.

Site furniture (`Baca juga:` lines, bylines, share buttons, comment forms, banners,
copyright and related-article tails) is found line by line with the patterns in
`rules/boilerplate.yml`. The text is never edited: extractors match against a copy of
the same length in which boilerplate is blanked and look-alike characters (NBSP, curly
quotes, full-width digits) are folded, so offsets always slice the original text.
"""
from __future__ import annotations

import re
import unicodedata

import regex

from spacy.language import Language
from spacy.tokens import Doc

from .rules import RuleSet, RuleTimeout, any_of, cached_rules
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
# * invisible format characters (zero-width space/joiners, soft hyphen, BOM, bidi marks:
#   category Cf) and combining marks (category M) -> "-" when they sit inside a word
#   (a letter on both sides: `Iskan\u200bdar`, `Garu\u0308t`), so the word stays one word
#   for the name and place patterns (which allow "-" inside a word and drop it when they
#   compare names); anywhere else -> " ".
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


class BoilerplateMarker:
    def __init__(self, rules: RuleSet):
        spec = rules["boilerplate"]
        self.line_patterns = [rules.compile(p["pattern"], p["id"]) for p in spec.get("line", [])]
        self.tail_patterns = [rules.compile(p["pattern"], p["id"]) for p in spec.get("tail", [])]
        self.list_header = rules.compile(spec["list_header"], "boilerplate.list_header") if spec.get("list_header") else None
        self.list_item = rules.compile(spec["list_item"], "boilerplate.list_item") if spec.get("list_item") else None
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
        for line in text.split("\n"):
            start, end = pos, pos + len(line)
            pos = end + 1
            if not line.strip():
                continue
            tail = rule = None
            if self._may_match(line, prefilter):
                tail = next((p.id for p in self.tail_patterns if p.search(line)), None)
                if tail:
                    found.append((start, len(text), tail))
                    break
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
        return found

    def __call__(self, doc: Doc) -> Doc:
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
    return BoilerplateMarker(cached_rules(rules_dirs))
