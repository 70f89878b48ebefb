"""Programs: named programs and schemes, canonical long form paired with its acronym.

Known programs (`rules/programs.yml: known`) are matched in any letter case; other named
programs come from the patterns (`Program` + Title Case name, quoted or all-caps names,
`Long Form (ACRONYM)` when the long form starts with a program word). One row per
program per article, grounded on its first mention.
"""
from __future__ import annotations

import regex
from spacy.language import Language
from spacy.tokens import Doc

from . import lexicon
from ..ruletools.rules import RuleSet, alternation, cached_rules
from .regencies import RegencyExtractor, norm_key
from .spans import add_value, match_text

# what separates the words of a program's name (`Jaminan Kesehatan Nasional-Kartu ...`)
_WORD_GAP = regex.compile(r"[\s\-–]+")


class ProgramExtractor:
    # how far before a known program's name `institution_before` looks (`Badan Penyelenggara `)
    INSTITUTION_REACH = 30

    def __init__(self, rules: RuleSet):
        spec = rules["programs"]
        self.known = {}
        surfaces = []
        for entry in spec["known"]:
            for s in [entry["name"], *(entry.get("also") or [])]:
                self.known[s.lower()] = entry
                surfaces.append(s)
        # words may be separated by any run of spaces or a hyphen ("Nasional - Kartu")
        flexible = "|".join(sorted({r"[\s\-–]+".join(map(regex.escape, _WORD_GAP.split(s)))
                                    for s in surfaces}, key=len, reverse=True))
        # (a suffix may follow: `jaminan kematiannya`)
        suffix = alternation(spec["name_suffixes"])
        self.known_pattern = rules.compile(rf"(?<![\p{{L}}\-])(?:{flexible})(?={suffix}?(?![\p{{L}}\-]))",
                                           "programs.known", regex.IGNORECASE)
        self.by_key = {self.key(s): e for s, e in self.known.items()}
        self.bundles = [(rules.compile(b["pattern"], "programs.bundle"), b["programs"]) for b in spec.get("bundles", [])]
        self.by_name = {e["name"]: e for e in spec["known"]}
        self.name_tails = rules.compile(spec["name_tails"], "programs.name_tails") if spec.get("name_tails") else None
        self.name_end = name_end(rules)
        self.common_words = lexicon.load()
        acronyms = {e["acronym"]: e for e in spec["known"] if e.get("acronym")}
        self.acronyms = acronyms
        self.acronym_pattern = rules.compile(rf"(?<![\p{{L}}\-]){alternation(acronyms)}(?![\p{{L}}\-])",
                                             "programs.acronym")
        self.not_program = {w.lower() for w in spec["not_program"]}
        # an acronym in brackets right after a name (`... Anda (SERTAKAN)`; not `(Nelayan)`)
        self.acronym_after = rules.compile(
            r"[ \t]*\((?P<acronym>\p{Lu}{2,}[\p{L}\-]{0,10}(?:[ \t]\p{Lu}{2,}[\p{L}\-]{0,10})?)\)", "programs.acronym_after")
        self.patterns = []
        for p in spec["patterns"]:
            gate = rules.compile(p["program_words"], f"{p['id']}.program_words") if p.get("program_words") else None
            self.patterns.append((rules.compile(p["pattern"], p["id"]), gate, bool(p.get("uncommon"))))
        # "BP Jamsostek" is the institution, not the Jamsostek program
        self.institution = rules.compile(spec["institution_before"], "programs.institution_before")
        self.institutions = set(spec["institutions"])
        self.office_before = rules.compile(spec["office_before"], "programs.office_before") if spec.get("office_before") else None
        self.regencies = RegencyExtractor(rules)

    def without_regency(self, name: str) -> str:
        """A name running on into a regency's name (`Program ... Ketenagakerjaan Tulungagung`,
        often in a title) names the regency running it, as the `Kabupaten X` of name_tails
        does: cut before it. Names that are also ordinary words (`needs_cue`) stay."""
        places = list(self.regencies.mentions(name))
        if not places:
            return name
        start, end, _ = places[-1]
        if start == 0 or end != len(name) or norm_key(name[start:end]) in self.regencies.needs_cue:
            return name
        return name[:start].rstrip()

    @staticmethod
    def key(surface: str) -> str:
        return " ".join(_WORD_GAP.split(surface.lower()))

    def __call__(self, doc: Doc) -> Doc:
        text = match_text(doc)
        seen: dict[str, dict] = {}

        def add(key, start, end, rule, program, acronym):
            if key in seen:
                seen[key]["mentions"] += 1
                return
            seen[key] = add_value(doc, "programs", start, end, rule, program=program, acronym=acronym, mentions=1)

        # every scan of the whole text first, then the checks on short slices: each scan then
        # finds the text's lower-cased copy (rules.Pattern keeps the last one) still there
        known = self.known_pattern.finditer(text)
        bundles = [(pattern, names, pattern.finditer(text)) for pattern, names in self.bundles]
        acronyms = self.acronym_pattern.finditer(text)
        named = [(pattern, gate, uncommon, pattern.finditer(text)) for pattern, gate, uncommon in self.patterns]

        written: dict[str, str] = {}  # program -> its acronym as the article first writes one
        known_spans = []  # every known mention, not only each program's first
        for m in known:
            if self.institution.search(text[max(0, m.start() - self.INSTITUTION_REACH):m.start()]):
                continue
            entry = self.by_key[self.key(m.group(0))]
            add(entry["name"].lower(), m.start(), m.end(), "programs.known", entry["name"], entry.get("acronym", ""))
            known_spans.append(m.span())
            if m.group(0).isupper():
                written.setdefault(entry["name"].lower(), m.group(0))
        for key, acronym in written.items():  # `JKN` where the article never writes `JKN-KIS`
            seen[key]["acronym"] = acronym
        for pattern, names, matches in bundles:
            for m in matches:
                for name in names:
                    entry = self.by_name[name]
                    add(name.lower(), m.start(), m.end(), pattern.id, name, entry.get("acronym", ""))
        known_spans += [(v["start"], v["end"]) for v in seen.values()]
        for m in acronyms:
            if self.institution.search(text[max(0, m.start() - self.INSTITUTION_REACH):m.start()]):
                continue
            if any(s <= m.start() and m.end() <= e for s, e in known_spans):
                continue  # `Jamsostek` inside `Universal Coverage Jamsostek`
            entry = self.acronyms[m.group(0)]
            add(entry["name"].lower(), m.start(), m.end(), "programs.acronym", entry["name"], entry["acronym"])
        taken = set(seen) | {v["acronym"].lower() for v in seen.values() if v.get("acronym")}
        for pattern, gate, uncommon, matches in named:
            for m in matches:
                name = m.group("name").strip()
                while self.name_tails and (tail := self.name_tails.search(name)):
                    name = name[:tail.start()]
                name = self.without_regency(name)
                name = strip_end(self.name_end, name)
                # the acronym the pattern read, or one in brackets right after the match
                written = m.groupdict().get("acronym") or ""
                after = self.acronym_after.match(text, m.end())
                if uncommon and name.split()[0].lower() in self.common_words and not after:
                    continue  # (with its acronym in brackets it is a name: `Gerbang Raja Terlindungi (GRT)`)
                if not name or name.lower() in self.not_program:
                    continue
                # a name may not start with a word that is no programme (`Dana ...`, `Jaminan ...`)
                # unless its acronym follows in brackets: `Jaminan Kesehatan Semesta (Jamkesta)`
                if name.split()[0].lower() in self.not_program and not (written or after):
                    continue
                if gate is not None:
                    # the long form may start mid-run: keep the longest tail that starts with a program word
                    words = name.split()
                    tail = next((" ".join(words[i:]) for i in range(len(words)) if gate.search(" ".join(words[i:]))), None)
                    if tail is None:
                        continue
                    name = tail
                if any(w in self.institutions for w in name.split()) or name in self.institutions:
                    continue
                if name.lower() in self.known:
                    continue
                acronym = written
                if acronym in self.institutions:
                    continue  # `Asuransi Jasa Indonesia (Jasindo)`: an insurer
                name_at = m.start("name") + m.group("name").find(name)
                if self.office_before and self.office_before.search(text, max(0, name_at - 30), name_at):
                    continue  # `Kepala Bidang Pelatihan Kerja ...`, `Lembaga Pelatihan Kerja`
                if not acronym and after:  # `program Bone Sejahtera Terlindungi (BST)`
                    acronym = after.group("acronym")
                head = m.groupdict().get("head")  # `Program`, `Gerakan`: part of the name
                program = f"{head} {name}" if head else name
                key = program.lower()
                # one row per program: its long form, acronym and `Program X` are one
                if {key, name.lower(), acronym.lower()} & taken:
                    continue
                taken.update({key, name.lower(), acronym.lower()} - {""})
                start = m.start("head") if head else m.start("name") + m.group("name").find(name)
                add(key, start, start + len(program if head else name), pattern.id, program, acronym)
        return doc


def name_end(rules: RuleSet):
    """The words a program's name does not end with (`Program Bantuan Nelayan dan`): the
    pattern of them at the end of a name."""
    return rules.compile(rf"\s+{alternation(rules['programs']['name_joiners'])}$", "programs.name_end")


def strip_end(name_end, name: str) -> str:
    found = name_end.search(name)
    return name[:found.start()] if found else name


@Language.factory("berita_programs", assigns=["doc.spans"], default_config={"rules_dirs": []})
def make_programs(nlp: Language, name: str, rules_dirs: list):
    return ProgramExtractor(cached_rules(rules_dirs))
