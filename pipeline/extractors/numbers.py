"""Indonesian numbers: find number phrases in text and read their value.

Reading is delegated to lokal-id's parser (dots group thousands, comma is the decimal
mark, scale and number words); `rules/numbers.yml` lists what a number phrase may
contain, so the finders here and in the count/amount rules agree.
"""
from __future__ import annotations

from functools import lru_cache

import regex
from lokal import parse_rupiah

from ..ruletools.rules import RuleSet, alternation


# The longest number phrase: `sembilan ratus sembilan puluh sembilan juta sembilan ratus
# sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan` has 17 words. The
# bound keeps a pattern that starts with a number phrase linear in the text: unbounded, it
# read a run of number words to its end from every word of the run, then backed off word by
# word (`"dua ribu lima ratus " * 1600` took minutes).
MAX_NUMBER_WORDS = 20
MAX_SCALE_WORDS = 3  # after digits: `1,5 juta`, `2 ribu triliun`


def _branches(rules: RuleSet) -> tuple[str, str]:
    """The two kinds of number phrase: digits (then scale words), and number words."""
    spec = rules["numbers"]
    words = alternation(spec["number_words"] + spec["scale_words"])
    scales = alternation(spec["scale_words"])
    digits = spec["digits"]
    spelled = rf"{words}(?:[ \t\u00a0]+{words}){{0,{MAX_NUMBER_WORDS - 1}}}"
    return (rf"(?:(?:{digits})(?:[ \t\u00a0]*{scales}\b){{0,{MAX_SCALE_WORDS}}}(?![\d]))",
            rf"(?:\b{spelled}\b)")


def number_regex(rules: RuleSet) -> str:
    """Regex source for one number phrase: digits or number words, then scale words. One
    group, so a `{number}` placeholder stands for the whole phrase wherever it is put (an
    open alternation inside `(?=...{number}...)` would split the lookahead)."""
    return "(?:" + "|".join(_branches(rules)) + ")"


_WORD_CHAR = regex.compile(r"\w")


class NumberStarts:
    """Where a number phrase may start in a text (after `lookbehind`): every position where one
    does start, and a few more. A pattern that begins with a number phrase is then tried with
    an anchored match at these positions only, which finds what a scan of the whole text
    would (the full pattern decides) at a fraction of the cost: the spelled-out alternative in
    particular is slow to try at every position of a text.

    Anchored at the phrase: a number word right after another one (and spaces) continues
    that phrase and starts none. A scan would find a match there only where the phrase
    before it was refused (`,dua ribu pekerja` gave `ribu pekerja`, 1000) or ran past
    MAX_NUMBER_WORDS; and trying every word of a run of number words made it quadratic."""

    def __init__(self, rules: RuleSet, flags: int = 0, lookbehind: str = ""):
        digit_branch, spelled_branch = _branches(rules)
        self.digit_starts = rules.compile(lookbehind + digit_branch, "numbers.digit_starts", flags)
        self.spelled_starts = rules.compile(lookbehind + spelled_branch, "numbers.spelled_starts", flags)
        self.lookbehind = rules.compile(lookbehind, "numbers.before_start", flags) if lookbehind else None
        spec = rules["numbers"]
        self.continues = rules.compile(
            rf"(?<=\b{alternation(spec['number_words'] + spec['scale_words'])}[ \t\u00a0]+)", "numbers.continues", flags)
        self.ignorecase = bool(flags & regex.IGNORECASE)
        words = sorted({str(w).lower() if self.ignorecase else str(w)
                        for w in spec["number_words"] + spec["scale_words"] if w})
        # Number words are found with str.find (in the lower-cased text) when that is exact:
        # ASCII words that start with a word character (the phrase starts at a word boundary).
        self.words = words if all(w.isascii() and _WORD_CHAR.match(w) for w in words) else None
        # a word of letters that starts a number phrase stands as a whole run of letters: one
        # missing from the text's runs (spans.lowered) need not be looked for
        self.letter_words = {w.encode() for w in self.words or () if w.isalpha()} if self.ignorecase else set()
        self.other_words = [w for w in self.words or () if w.encode() not in self.letter_words]

    def __call__(self, text: str, runs=None, low: str | None = None) -> list[int]:
        """`runs`: the lower-cased ASCII letter runs of `text` (bytes), if known; `low`: the
        text lower-cased, if known (the caller's copy, not made again)."""
        # overlapped: every position a digit phrase starts at, not only the first of a run
        starts = {m.start() for m in self.digit_starts.finditer(text, overlapped=True)}
        if low is None or not self.ignorecase:
            low = text.lower() if self.ignorecase else text
        # with `ſ` (matches s ignoring case) or `İ` (lower-cases to two characters) present,
        # str.find is not exact: scan with the pattern instead
        if self.words is None or len(low) != len(text) or "ſ" in text:
            spelled = [m.start() for m in self.spelled_starts.finditer(text, overlapped=True)]
        else:
            spelled = []
            words = self.words if runs is None else [w.decode() for w in self.letter_words & runs] + self.other_words
            for word in words:
                i = low.find(word)
                while i >= 0:
                    if (i == 0 or not _WORD_CHAR.match(text, i - 1)) and \
                            (self.lookbehind is None or self.lookbehind.match(text, i)):
                        spelled.append(i)
                    i = low.find(word, i + 1)
        starts.update(i for i in spelled if not self.continues.match(text, i))
        return sorted(starts)


@lru_cache(maxsize=4096)
def parse_number(phrase: str) -> float | None:
    """'4.000' → 4000, '1,2 juta' → 1200000, 'dua ribu lima ratus' → 2500; None if not a number."""
    # a no-break or thin space between digit groups groups thousands ("4 000")
    phrase = regex.sub(r"(?<=\d)[\u00a0\u2009\u202f](?=\d{3}(?!\d))", "", phrase)
    if sum(c.isdigit() for c in phrase) > 18:
        return None  # no count or amount has that many digits (lokal-id's parser raises on 27+)
    try:
        parsed = parse_rupiah(regex.sub(r"[\u00a0\u2009\u202f]", " ", phrase))
    except (ArithmeticError, ValueError):
        return None
    if parsed is None:
        return None
    value = parsed.amount
    return int(value) if float(value).is_integer() else float(value)
