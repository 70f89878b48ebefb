"""Loading the rule set: every pattern and lexicon lives as YAML under `rules/`.

The built-in rules ship in the repository's `rules/` directory. A user directory given with
`--rules DIR` is layered on top: a file with the same name extends the built-in one (lists
are appended, mappings are merged with the user's keys winning), a new file is added.
Rules are read at the start of every run, so an edit applies on the next run.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import regex
import yaml

BUILTIN_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

# Time limit for one pattern over one text, in seconds: a runaway pattern fails the
# article (an error row naming the rule), never the batch.
PATTERN_TIMEOUT = 2.0


class RuleError(Exception):
    """An invalid rule file, reported as `file:line: what is wrong`."""


@dataclass
class Pattern:
    """A compiled pattern that knows its rule id."""

    id: str
    regex: Any
    spec: dict = field(default_factory=dict)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None, overlapped: bool = False):
        try:
            return list(self.regex.finditer(text, pos, endpos if endpos is not None else len(text),
                                            overlapped=overlapped, timeout=PATTERN_TIMEOUT))
        except TimeoutError as exc:  # regex raises TimeoutError
            raise RuleTimeout(self.id) from exc

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        try:
            return self.regex.search(text, pos, endpos if endpos is not None else len(text),
                                     timeout=PATTERN_TIMEOUT)
        except TimeoutError as exc:
            raise RuleTimeout(self.id) from exc


    def match(self, text: str, pos: int = 0, endpos: int | None = None):
        try:
            return self.regex.match(text, pos, endpos if endpos is not None else len(text),
                                    timeout=PATTERN_TIMEOUT)
        except TimeoutError as exc:
            raise RuleTimeout(self.id) from exc


class RuleTimeout(Exception):
    def __init__(self, rule_id: str):
        super().__init__(f"rule {rule_id} ran out of time")
        self.rule_id = rule_id


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for k, v in extra.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return base + extra
    return extra


@dataclass
class RuleSet:
    files: dict[str, dict]
    sources: dict[str, list[Path]]

    def __getitem__(self, name: str) -> dict:
        return self.files.get(name, {})

    def fingerprint(self) -> str:
        blob = json.dumps(self.files, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def compile(self, pattern: str, rule_id: str, flags: int = 0, **expansions: str):
        """Compile a pattern, expanding {name} placeholders into alternations."""
        for key, alternation in expansions.items():
            pattern = pattern.replace("{" + key + "}", alternation)
        return Pattern(rule_id, regex.compile(pattern, flags | regex.V0))


_CACHE: dict[tuple, RuleSet] = {}


def cached_rules(extra_dirs: Iterable[Path | str] = ()) -> RuleSet:
    """One RuleSet per process and directory list, shared by all pipeline components."""
    key = tuple(str(Path(d).resolve()) for d in extra_dirs)
    if key not in _CACHE:
        _CACHE[key] = load_rules(extra_dirs)
    return _CACHE[key]


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yml") if p.is_file())


def read_rule_file(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise RuleError(f"{path}:{line}: malformed YAML: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RuleError(f"{path}:1: a rule file must be a mapping with a `purpose:` key")
    return data


def load_rules(extra_dirs: Iterable[Path | str] = ()) -> RuleSet:
    files: dict[str, dict] = {}
    sources: dict[str, list[Path]] = {}
    for directory in [BUILTIN_RULES_DIR, *map(Path, extra_dirs)]:
        if not directory.is_dir():
            raise RuleError(f"{directory}:1: rules directory does not exist")
        for path in rule_files(directory):
            data = read_rule_file(path)
            name = path.stem
            files[name] = _merge(files[name], data) if name in files else data
            sources.setdefault(name, []).append(path)
    return RuleSet(files, sources)


# a leading global flag group, and what breaks when patterns are joined into one:
# back-references, conditionals, recursion, global flags mid-pattern
_LEADING_FLAGS = regex.compile(r"^\(\?([ims]+)\)")
_FLAG_BITS = {"i": regex.IGNORECASE, "m": regex.MULTILINE, "s": regex.DOTALL}
_NOT_JOINABLE = regex.compile(r"\\[1-9]|\\g<|\\k<|\(\?P=|\(\?\(|\(\?[R0-9&+-]|\(\?[a-zA-Z]+\)")


def standalone(source: str) -> bool:
    """Whether a part of a pattern means the same when compiled on its own: no references to
    groups elsewhere, no global flags that would apply to the whole."""
    return not _NOT_JOINABLE.search(source)


def _top_level_alternation(source: str) -> bool:
    """Whether `source` has a `|` outside any group or character class."""
    depth, i, in_class = 0, 0, False
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if source[i + 1:i + 2] == "^":
                i += 1
            if source[i + 1:i + 2] == "]":  # a leading ] is a literal
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def any_of(rules: "RuleSet", patterns: list[Pattern], rule_id: str) -> list[Pattern]:
    """Patterns that together match a text wherever any of `patterns` would, in fewer calls:
    the ones anchored at the start (`^...`) are joined into one `^(?:...|...)` (a leading
    `(?i)` becomes a scoped `(?i:...)`), which only tries the start of the text; the others
    stay as they are (joined, they would try every alternative at every position)."""
    anchored, rest = [], []
    for p in patterns:
        source = p.regex.pattern
        flags = _LEADING_FLAGS.match(source)
        body = source[flags.end():] if flags else source
        inline = 0
        for f in flags.group(1) if flags else "":
            inline |= _FLAG_BITS[f]
        if (body.startswith("^") and not inline & regex.MULTILINE and not _NOT_JOINABLE.search(body)
                and not _top_level_alternation(body) and not p.regex.flags & ~(regex.V0 | regex.U | inline)):
            anchored.append(f"(?{flags.group(1)}:{body[1:]})" if flags else f"(?:{body[1:]})")
        else:
            rest.append(p)
    if len(anchored) < 2:
        return list(patterns)
    return [rules.compile("^(?:" + "|".join(anchored) + ")", rule_id), *rest]


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first so `Kadisnaker` beats `Kadis`.

    Written as a trie (`Kadis(?:naker(?:trans)?)?`) where that matches exactly as the flat
    list sorted longest first does, with or without IGNORECASE (`_trie_safe`): the regex
    engine tries a trie several times faster than a list of 100+ words at every position."""
    uniq = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    if uniq and _trie_safe(uniq):
        return "(?:" + _trie_source(uniq) + ")"
    return "(?:" + "|".join(regex.escape(w) for w in uniq) + ")"


def _trie_safe(words: list[str]) -> bool:
    """At one position of a text the words that match form a chain of prefixes, which the list
    tries longest first and a trie tries deepest first: the same order, as long as, ignoring
    case, a word that starts another one also starts it in its exact spelling (a trie keeps
    `Kepala` and `kepala dinas` apart, a case-blind list tries `kepala dinas` first). Checked
    on ASCII and caseless characters only (`’`), where ignoring case is plain lower-casing."""
    if not all(c.isascii() or c.lower() == c.upper() == c.casefold() == c for w in words for c in w):
        return False
    lowered = sorted((w.lower(), w) for w in words)
    for i, (low, word) in enumerate(lowered):
        for other_low, other in lowered[i + 1:]:
            if not other_low.startswith(low):
                break  # sorted: no later word starts with `low` either
            if not other.startswith(word):
                return False
    return True


def _trie_source(words: list[str]) -> str:
    root: dict = {}
    for w in words:
        node = root
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}  # a word ends here

    def emit(node: dict) -> str:
        branches = [regex.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # the word ending here is tried after every longer one
            return (body if len(branches) > 1 else "(?:" + body + ")") + "?"
        return body

    return emit(root)
