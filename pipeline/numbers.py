"""Indonesian numbers: find number phrases in text and read their value.

Reading is delegated to lokal-id's parser (dots group thousands, comma is the decimal
mark, scale and number words); `rules/numbers.yml` lists what a number phrase may
contain, so the finders here and in the count/amount rules agree.
"""
from __future__ import annotations

from functools import lru_cache

import regex
from lokal import parse_rupiah

from .rules import RuleSet, alternation


def number_regex(rules: RuleSet) -> str:
    """Regex source for one number phrase: digits or number words, then scale words."""
    spec = rules["numbers"]
    words = alternation(spec["number_words"] + spec["scale_words"])
    scales = alternation(spec["scale_words"])
    digits = spec["digits"]
    spelled = rf"{words}(?:[ \t\u00a0]+{words})*"
    return (rf"(?:(?:{digits})(?:[ \t\u00a0]*{scales}\b)*(?![\d]))|(?:\b{spelled}\b)")


@lru_cache(maxsize=4096)
def parse_number(phrase: str) -> float | None:
    """'4.000' → 4000, '1,2 juta' → 1200000, 'dua ribu lima ratus' → 2500; None if not a number."""
    # a no-break or thin space between digit groups groups thousands ("4 000")
    phrase = regex.sub(r"(?<=\d)[\u00a0\u2009\u202f](?=\d{3}(?!\d))", "", phrase)
    parsed = parse_rupiah(regex.sub(r"[\u00a0\u2009\u202f]", " ", phrase))
    if parsed is None:
        return None
    value = parsed.amount
    return int(value) if float(value).is_integer() else float(value)
