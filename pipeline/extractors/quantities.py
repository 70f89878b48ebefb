"""Participant counts, percentages and rupiah amounts.

A participant count is a number phrase followed, within the words listed as `between`,
by a people noun (`4.000 peserta baru`, `134 Kepala Keluarga`); a thing noun right after
the number (`50 unit`, `25 kelompok`) rules it out. Numbers are read by `numbers.py`.
Each value carries its population or purpose: a short phrase of the article's own words
(boundary, filler and cue words in `quantities.yml`), and a count its qualifier from cue
words and the program its sentence names.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .numbers import NumberStarts, number_regex, parse_number
from ..ruletools.rules import Pattern, RuleSet, alternation, cached_rules, standalone
from .spans import add_value, lowered, match_text, sentence_bounds, sentence_text, text_of, values

# in front of every number phrase of a count rule
_BEFORE_NUMBER = r"(?<![\p{L}\d.,/])"
# a count rule that starts with this is tried only where a number phrase may start
_NUMBER_FIRST = "(?P<number>{number})"


@dataclass(frozen=True)
class CountRule:
    pattern: Pattern
    number_first: bool   # starts with the number phrase (see `_number_matches`)
    has_noun: bool       # names its people noun; else the noun stands earlier in the sentence,
    noun_within: int | None = None  # at most this many words before the match


class QuantityExtractor:
    def __init__(self, rules: RuleSet):
        spec = rules["quantities"]
        number = number_regex(rules)
        people = alternation(spec["people_nouns"])
        between = alternation(spec["between"])
        things = alternation(spec["thing_nouns"])
        # Most count rules and the percent pattern start with a number phrase; they are tried
        # only where one may start (`_number_matches`).
        self.numbers = NumberStarts(rules, regex.IGNORECASE, _BEFORE_NUMBER) if standalone(number) else None
        self.any_numbers = NumberStarts(rules, regex.IGNORECASE) if standalone(number) else None
        # The count rules, in order: a number that an earlier rule took is not taken again.
        expand = {"number": _BEFORE_NUMBER + number, "people": people, "between": between, "things": things}
        self.counts = [self._count_rule(rules, r, expand) for r in spec["counts"]]
        self.percent = rules.compile(spec["percent"].replace("{number}", number), "percentages.number_persen",
                                     regex.IGNORECASE)
        # a percent pattern that starts with the number phrase is tried only where a number
        # phrase may start, and only when what follows the number occurs in the text at all
        lead, after = "(?P<number>{number})", spec["percent"][len("(?P<number>{number})"):]
        # (a leading \s* does not change whether the rest occurs, and slows the search 3x)
        self.percent_after = rules.compile(after[3:] if after.startswith(r"\s*") else after,
                                           "percentages.after_number", regex.IGNORECASE) \
            if spec["percent"].startswith(lead) and "{number}" not in after and standalone(after) else None
        self.percent_range_start = rules.compile(
            spec["percent_range_start"].replace("{number}", number), "percentages.range_start", regex.IGNORECASE) \
            if spec.get("percent_range_start") else None
        digits = rules["numbers"]["digits"]
        self.money = [rules.compile(m["pattern"].replace("{digits}", digits), m["id"]) for m in spec["money"]]
        self.qualifiers = {k: rules.compile(v, f"participants.qualifier.{k}") for k, v in spec["qualifiers"].items()}
        suffix = alternation(spec["noun_suffixes"])
        self.people = rules.compile(rf"(?i)(?<![\p{{L}}]){people}{suffix}?(?![\p{{L}}])", "participants.people_noun")
        self.not_count_before = rules.compile(spec["not_count_before"], "participants.not_count_before")
        self.attendance = rules.compile(spec["attendance_clause"], "participants.attendance_clause") \
            if spec.get("attendance_clause") else None
        self.symbolic = rules.compile(spec["symbolic"], "participants.symbolic")
        self.symbolic_max = spec.get("symbolic_max", 10)
        self.always_count = {w.lower() for w in spec.get("always_count", [])}
        self.not_count_numbers = {w.lower() for w in spec.get("not_count_numbers", [])}
        self.recipient_cue = rules.compile(spec["recipient_cue"], "participants.recipient_cue") \
            if spec.get("recipient_cue") else None
        self.purpose_words = rules.compile(spec["purpose_words"], "amounts.purpose_words")
        self.purpose_after = rules.compile(spec["purpose_after"], "amounts.purpose_after")
        # a number right after a currency sign is money, not a count
        self.currency_before = rules.compile(spec["currency_before"], "participants.currency_before")
        self.phrase_stop = rules.compile(spec["phrase_stop"], "quantities.phrase_stop")
        self.clause_mark = rules.compile(spec["clause_mark"], "quantities.clause_mark")
        lower = lambda key: {str(w).lower() for w in spec.get(key) or ()}  # noqa: E731
        self.fillers, self.phrase_ends = lower("phrase_fillers"), lower("phrase_trailing")
        self.value_cues, self.generic_nouns = lower("value_cues"), lower("generic_nouns")
        self.not_population_start = lower("not_population_start")

    @staticmethod
    def _range_ends(first, second) -> bool:
        """Whether two numbers read as a range's ends: the first below the second
        (`2024 - 50 persen` is a year and a percentage)."""
        low, high = parse_number(first.group("number")), parse_number(second.group("number"))
        return low is not None and high is not None and low < high

    @staticmethod
    def _number_matches(pattern, text: str, starts) -> list:
        """`pattern.finditer(text)`, tried only where a number phrase may start (if known)."""
        return pattern.finditer(text) if starts is None else pattern.finditer_at(text, starts)

    def qualifier(self, sentence: str) -> str:
        # several numbers often share a sentence
        cache = self.__dict__.setdefault("_qualifier_cache", {})
        found = cache.get(sentence)
        if found is None:
            if len(cache) > 4096:
                cache.clear()
            found = cache[sentence] = self._qualifier(sentence)
        return found

    def _qualifier(self, sentence: str) -> str:
        for name in ("new", "target", "potential", "total", "covered"):
            if self.qualifiers[name].search(sentence):
                return name
        return ""

    def _clean(self, words: list[str], limit: int, before_value: bool = False, from_end: bool = False) -> str:
        """A phrase from `words`: without filler words (`sudah`, `telah`), at most `limit` words
        (the last ones `from_end`), not ending in a word that leads on (`yang`, `oleh`),
        nor, `before_value`, in the cue that introduces the value (`mencapai`, `sebesar`)."""
        words = [w for w in words if w.lower() not in self.fillers]
        ends = self.phrase_ends | self.value_cues if before_value else self.phrase_ends
        while words and words[-1].lower() in ends:
            words.pop()
        words = words[-limit:] if from_end else words[:limit]
        while words and words[-1].lower() in self.phrase_ends:
            words.pop()
        return " ".join(words).strip(" ,")

    def phrase_after(self, doc: Doc, text: str, end: int, limit: int = 8, start: int | None = None) -> str:
        """The words after `end` up to the end of the phrase (`phrase_stop`), at most `limit`
        of them, as the article writes them (`text` is the matching text, same offsets); with
        `start`, the words from `start` on before them too."""
        stop = self.phrase_stop.search(text, end, min(len(text), end + 120))
        head = [] if start is None else text_of(doc)[start:end].split()
        return self._clean(text_of(doc)[end if start is None else start:stop.start() if stop else end + 120].split(),
                           len(head) + limit)

    def clause_before(self, doc: Doc, text: str, start: int, sent_start: int, limit: int = 8) -> str:
        """The words of the clause that ends at `start` (from the last clause mark), without
        the cue that introduces the number (`mencapai`, `sebesar`); the clause before it when
        that is empty (`Samsul Hadi (Rp363 juta)`)."""
        end = start
        for _ in range(2):
            marks = self.clause_mark.finditer(text, sent_start, end)
            begin = marks[-1].end() if marks else sent_start
            phrase = self._clean(text_of(doc)[begin:end].split(), limit, before_value=True, from_end=True)
            if phrase or not marks:
                return phrase
            end = marks[-1].start()
        return ""

    def purpose(self, doc: Doc, text: str, start: int, end: int, sent_start: int) -> str:
        """What an amount pays for: the clause before it, from its first purpose word
        (`anggaran`, `santunan`) when it has one (`alokasi anggaran perlindungan pekerja`),
        and whom or what period it is for when that follows (`per ahli waris`)."""
        clause = self.clause_before(doc, text, start, sent_start, limit=12)
        words = clause.split()
        first = next((i for i, w in enumerate(words) if self.purpose_words.match(w)), None)
        before = " ".join(words[first:first + 8]) if first is not None else " ".join(words[-6:])
        # whom or what period it is for, after the amount (`Rp42 juta per ahli waris`)
        after = self.purpose_after.match(text, end)
        if after is None:
            return before
        lead = " ".join(text_of(doc)[after.start():after.end()].split())
        rest = self.phrase_after(doc, text, after.end(), limit=5)
        return f"{before} {lead} {rest}".strip() if rest else before

    @staticmethod
    def _count_rule(rules: RuleSet, rule: dict, expand: dict) -> CountRule:
        source = rule["pattern"]
        for key, alternation_ in expand.items():
            source = source.replace("{" + key + "}", alternation_)
        pattern = rules.compile(source, rule["id"], 0 if rule.get("cased") else regex.IGNORECASE)
        return CountRule(pattern, rule["pattern"].startswith(_NUMBER_FIRST), "noun" in pattern.regex.groupindex,
                         rule.get("noun_within"))

    def _noun_before(self, text: str, s_start: int, end: int, within: int | None):
        """The people noun earlier in the sentence (the first one), or with `within`, the last
        one that ends at most that many words before `end`; its match."""
        if within is None:
            return self.people.search(text, s_start, end)
        lo = max(s_start, end - 16 * (within + 1))
        last = None
        for found in self.people.finditer(text, lo, end):
            last = found
        if last is None or len(text[last.end():end].split()) > within:
            return None
        return last

    def _population(self, doc: Doc, text: str, m, s_start: int, noun) -> str:
        """A count's population: its people noun and the words that describe it. A unit noun
        (`orang`, `jiwa`) takes the nearest people noun before the number in the sentence, up
        to the number or the end of its clause (`pekerja rentan sebanyak 1.000 orang`); a noun
        before the number runs up to it the same way."""
        original = text_of(doc)
        if noun.start() < m.start():  # the noun stands before the number
            clause = self.clause_mark.search(text, noun.end(), m.start())
            return self._clean(original[noun.start():clause.start() if clause else m.start()].split(), 9, True)
        if noun.group(0).lower() in self.generic_nouns:
            specific = [n for n in self.people.finditer(text, s_start, m.start())
                        if n.group(0).lower() not in self.generic_nouns]
            if specific:  # the last one before the number, up to the number or its clause's end
                last = specific[-1]
                clause = self.clause_mark.search(text, last.end(), m.start())
                return self._clean(original[last.start():clause.start() if clause else m.start()].split(), 9, True)
        return self.phrase_after(doc, text, m.end(), start=noun.start())

    def participants(self, doc: Doc, text: str, programs, starts) -> None:
        """Every count rule in turn; a number an earlier rule took is not taken again."""
        taken: list[tuple[int, int]] = []
        seen: set[int] = set()
        for rule in self.counts:
            pattern = rule.pattern
            if not pattern.possible(text):
                continue
            found = self._number_matches(pattern, text, starts) if rule.number_first else pattern.finditer(text)
            for m in found:
                start, end = m.span("number")
                if any(s < end and start < e for s, e in taken):
                    continue
                value = parse_number(m.group("number"))
                if value is None or value <= 0 or not float(value).is_integer():
                    continue
                before = text[max(0, m.start() - 40):m.start()]
                if self.currency_before.search(before) or self.not_count_before.search(before):
                    continue
                s_start, s_end = sentence_bounds(doc, start)
                sentence = text[s_start:s_end]  # (the matching text: cue words are read in it)
                if self.attendance and self.attendance.search(text, s_start, m.start()):
                    continue  # the people at a meeting
                if rule.has_noun:
                    noun = _Group(m, "noun")
                else:  # the people noun stands earlier in the sentence (`Dari 65 ribu pekerja, 50.850 sudah terdaftar`)
                    noun = self._noun_before(text, s_start, m.start(), rule.noun_within)
                    if not noun:
                        continue
                always = noun.group(0).lower() in self.always_count
                if value <= self.symbolic_max and self.symbolic.search(sentence) and not always:
                    continue  # a symbolic handover to a few representatives
                if m.group("number").lower() in self.not_count_numbers and not always \
                        and not (self.recipient_cue and self.recipient_cue.search(sentence)):
                    continue  # `satu pekerja sudah terlindungi`: any one worker
                add_value(doc, "participants", start, end, pattern.id, count=int(value),
                          population=self._population(doc, text, m, s_start, noun),
                          program=_program_in(programs, sentence), qualifier=self.qualifier(sentence),
                          repeated=int(value) in seen, sentence=text_of(doc)[s_start:s_end].strip())
                taken.append((start, end))
                seen.add(int(value))

    def __call__(self, doc: Doc) -> Doc:
        text = match_text(doc)
        low, runs = lowered(doc)
        starts = self.numbers(text, runs, low) if self.numbers else None
        self.participants(doc, text, values(doc, "programs"), starts)
        self.percentages(doc, text, runs, low)
        self.amounts(doc, text)
        return doc

    def _percent_matches(self, text: str, runs, low) -> list:
        """The percent pattern's matches, and the first ends of ranges (`45 sampai 50 persen`)."""
        if self.percent_after is None:
            percents = self.percent.finditer(text)
        elif self.percent_after.search(text):
            percents = self._number_matches(self.percent, text, self.any_numbers(text, runs, low) if self.any_numbers else None)
        else:
            percents = []  # nothing in the text may follow a number as a percent
        percents = list(percents)
        if self.percent_range_start is None or not percents:
            return percents
        # a range's first end stands just before a percentage: look only there
        ranges = []
        for p in percents:
            lo = max(0, p.start() - 40)
            for r in self.percent_range_start.finditer(text, lo, p.end()):
                if r.end() == p.start() and not (r.start() and text[r.start() - 1].isalnum()) \
                        and self._range_ends(r, p):
                    ranges.append(r)
        if not ranges:
            return percents
        taken = [m.span() for m in percents]
        return sorted(percents + [r for r in ranges if not any(s < r.end() and r.start() < e for s, e in taken)],
                      key=lambda m: m.start())

    def percentages(self, doc: Doc, text: str, runs, low) -> None:
        percents = self._percent_matches(text, runs, low)
        for m in percents:
            value = parse_number(m.group("number"))
            if value is None:
                continue
            if m.re is self.percent.regex:
                start, end, rule, after = m.start(), m.end(), self.percent.id, m.end()
            else:  # the first end of a range: the number alone, measuring what the range does
                start, end, rule = m.start("number"), m.end("number"), self.percent_range_start.id
                after = next((p.end() for p in percents if p.start() >= m.end()), m.end())
            population = self.phrase_after(doc, text, after)
            if not population or population.split()[0].lower() in self.not_population_start:
                # nothing named after the number (`... yang terlindungi mencapai 87,8 persen.`)
                population = self.clause_before(doc, text, start, sentence_bounds(doc, start)[0]) or population
            add_value(doc, "percentages", start, end, rule, value=value,
                      population=population, sentence=sentence_text(doc, m.start()))

    def amounts(self, doc: Doc, text: str) -> None:
        """Every money pattern in turn; an amount an earlier pattern took is not taken again."""
        taken = []
        for pattern in self.money:
            for m in pattern.finditer(text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                scale = m.groupdict().get("scale") or ""
                # lokal-id reads the scale too (`1,5 miliar`, `4 M` is miliar in rupiah)
                more = m.groupdict().get("more") or ""  # `Rp 1 juta 500 ribu`
                amount = parse_number(f"{m.group('number')} {scale} {more}".strip())
                # not a whole number of rupiah (`Rp1.5`, `Rp12.34`, `Rp1.234,56`): ambiguous or
                # sen, never rounded (docs/CONTRACT.md)
                if amount is None or amount <= 0 or not float(amount).is_integer():
                    continue
                taken.append(m.span())
                s_start, _ = sentence_bounds(doc, m.start())
                add_value(doc, "amounts", m.start(), m.end(), pattern.id, amount_idr=int(amount),
                          purpose=self.purpose(doc, text, m.start(), m.end(), s_start),
                          sentence=sentence_text(doc, m.start()))


class _Group:
    """One named group of a match, read like a match of its own (`start`, `end`, `group(0)`)."""

    def __init__(self, m, name: str):
        self._m, self._name = m, name

    def start(self) -> int:
        return self._m.start(self._name)

    def end(self) -> int:
        return self._m.end(self._name)

    def group(self, _: int = 0) -> str:
        return self._m.group(self._name)


def _program_in(programs: list[dict], sentence: str) -> str:
    """The program the sentence names first (by its name, acronym or the surface of its
    first mention, as a whole word in any case); "" when it names none."""
    low = sentence.lower()
    best, found = len(low) + 1, ""
    for p in programs:
        for name in {p["program"], p.get("acronym") or "", p["surface"]} - {""}:
            at = _word_at(low, name.lower())
            if 0 <= at < best:
                best, found = at, p["program"]
    return found


def _word_at(low: str, word: str) -> int:
    """Where `word` first stands in `low` as a whole word (not inside a longer one); -1."""
    i = low.find(word)
    while i >= 0:
        end = i + len(word)
        if (i == 0 or not low[i - 1].isalnum()) and (end == len(low) or not low[end].isalnum()):
            return i
        i = low.find(word, i + 1)
    return -1


@Language.factory("berita_quantities", assigns=["doc.spans"], default_config={"rules_dirs": []})
def make_quantities(nlp: Language, name: str, rules_dirs: list):
    return QuantityExtractor(cached_rules(rules_dirs))
