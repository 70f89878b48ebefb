"""Loading the rule set: every pattern and lexicon lives as YAML under `rules/`.

The built-in rules ship in the repository's `rules/` directory. A user directory given with
`--rules DIR` is layered on top: a file with the same name extends the built-in one (lists
are appended, mappings are merged with the user's keys winning), a new file is added.
Rules are read at the start of every run, so an edit applies on the next run.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import regex
import yaml


def _builtin_rules_dir() -> Path:
    """The rules berita ships: the package pipeline.rules_data of an installed wheel
    (pyproject.toml), else rules/ of the checkout that holds this package."""
    shipped = importlib.util.find_spec("pipeline.rules_data")
    if shipped is not None and shipped.submodule_search_locations:
        return Path(list(shipped.submodule_search_locations)[0])
    return Path(__file__).resolve().parents[2] / "rules"


BUILTIN_RULES_DIR = _builtin_rules_dir()

# Time limit for one pattern over one text, in seconds: a runaway pattern fails the
# article (an error row naming the rule), never the batch.
PATTERN_TIMEOUT = 2.0


class _Guard(threading.local):
    """How this thread's pattern calls are kept from running away.

    The regex module's own time limit costs ~1.3 us per call (~10 % of a run: an article
    makes over a hundred calls). But the regex module also checks for signals while it
    matches, so where the engine's SIGALRM article budget is armed (the main thread of a
    process, see engine._Budget) that alarm already stops a runaway match. There, calls run
    without the limit and only note which rule is running, for the error row; elsewhere
    (Dask worker threads, no SIGALRM) every call carries PATTERN_TIMEOUT."""
    alarm = False
    rule = ""


GUARD = _Guard()


class RuleError(Exception):
    """An invalid rule file, reported as `file:line: what is wrong`."""


@dataclass
class Pattern:
    """A compiled pattern that knows its rule id.

    Every call of the regex module with a time limit costs ~1.2 us of clock reads before any
    matching, and a scan of a whole text much more, while most patterns cannot match most
    texts. So a pattern first looks for the strings its matches need (lower case, found with
    str.find in the lower-cased text; see `required_prefixes` and `required_literals`):
    `starts`, one of which every match starts with: the pattern is then tried only there, with
    an anchored match; else `needs`, one of which every match contains: a text without any
    is answered at once. The answers are those of a scan of the whole text."""

    id: str
    regex: Any
    spec: dict = field(default_factory=dict)
    needs: tuple[str, ...] | None = None
    starts: tuple[str, ...] | None = None

    def _match(self, text: str, pos: int, end: int):
        if GUARD.alarm:
            GUARD.rule = self.id
            return self.regex.match(text, pos, end)
        try:
            return self.regex.match(text, pos, end, timeout=PATTERN_TIMEOUT)
        except TimeoutError as exc:  # regex raises TimeoutError
            raise RuleTimeout(self.id) from exc

    def _candidates(self, text: str, pos: int, end: int) -> list[int] | None:
        """Sorted offsets in [pos, end) where a match may start; [] when the pattern cannot
        match there; None when there is nothing to go by (or too many to try one by one)."""
        low = _lowered(text) if self.starts or self.needs else None
        if low is None:
            return None
        if self.starts is None:
            for s in self.needs:
                if low.find(s, pos, end) >= 0:
                    return None
            return []
        found = []
        for s in self.starts:
            i = low.find(s, pos, end)
            while i >= 0:
                found.append(i)
                if len(found) > _MAX_CANDIDATES:
                    return None  # one scan costs less
                i = low.find(s, i + 1, end)
        found.sort()
        return found

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None, overlapped: bool = False):
        end = len(text) if endpos is None else endpos
        candidates = None if overlapped else self._candidates(text, pos, end)
        if candidates is None:
            if GUARD.alarm:
                GUARD.rule = self.id
                return list(self.regex.finditer(text, pos, end, overlapped=overlapped))
            try:  # (finditer runs as it is read)
                return list(self.regex.finditer(text, pos, end, overlapped=overlapped, timeout=PATTERN_TIMEOUT))
            except TimeoutError as exc:
                raise RuleTimeout(self.id) from exc
        found, after = [], pos
        for p in candidates:
            if p >= after:  # not inside the previous match, as a scan would go on
                m = self._match(text, p, end)
                if m:
                    found.append(m)
                    after = m.end()
        return found

    def possible(self, text: str) -> bool:
        """False when the pattern cannot match anywhere in `text` (it lacks every string the
        matches need); True when it may."""
        return self._candidates(text, 0, len(text)) != []

    def finditer_at(self, text: str, starts) -> list:
        """`finditer(text)` for a pattern whose matches can only start at `starts` (sorted
        offsets, a superset of where they do start): an anchored match at each one that is not
        inside the previous match, as a scan of the text would go on."""
        found, after, end = [], 0, len(text)
        low = _lowered(text) if self.starts is not None else None
        match = self.regex.match
        timeout = None if GUARD.alarm else PATTERN_TIMEOUT
        if timeout is None:
            GUARD.rule = self.id
        try:
            for p in starts:
                if p >= after and (low is None or low.startswith(self.starts, p)):
                    m = match(text, p, end) if timeout is None else match(text, p, end, timeout=timeout)
                    if m:
                        found.append(m)
                        after = m.end()
        except TimeoutError as exc:
            raise RuleTimeout(self.id) from exc
        return found

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        end = len(text) if endpos is None else endpos
        candidates = self._candidates(text, pos, end)
        if candidates is None:
            if GUARD.alarm:
                GUARD.rule = self.id
                return self.regex.search(text, pos, end)
            try:
                return self.regex.search(text, pos, end, timeout=PATTERN_TIMEOUT)
            except TimeoutError as exc:
                raise RuleTimeout(self.id) from exc
        for p in candidates:
            m = self._match(text, p, end)
            if m:
                return m
        return None

    def match(self, text: str, pos: int = 0, endpos: int | None = None):
        end = len(text) if endpos is None else endpos
        # (only `starts`, checked in place: `needs` would be looked for in all the rest)
        if self.starts is not None:
            low = _lowered(text)
            if low is not None and not low.startswith(self.starts, pos, end):
                return None
        return self._match(text, pos, end)


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
        return Pattern(rule_id, regex.compile(pattern, flags | regex.V0), needs=required_literals(pattern, flags),
                       starts=required_prefixes(pattern, flags))


_CACHE: dict[tuple, RuleSet] = {}


def cached_rules(extra_dirs: Iterable[Path | str] = ()) -> RuleSet:
    """One RuleSet per process and directory list, shared by all pipeline components."""
    key = tuple(str(Path(d).resolve()) for d in extra_dirs)
    if key not in _CACHE:
        _CACHE[key] = load_rules(extra_dirs)
    return _CACHE[key]


# libyaml's parser when PyYAML has it: the pure-Python one costs ~0.1 s per run on the rule files
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yml") if p.is_file())


def read_rule_text(path: Path) -> str:
    """The text of a rule file; RuleError (`file:line: ...`) when it cannot be read or is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RuleError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RuleError(f"{path}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); "
                        "save the file as UTF-8") from None


def read_rule_file(path: Path) -> dict:
    try:
        data = yaml.load(read_rule_text(path), Loader=YAML_LOADER)
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
            raise RuleError(f"{directory}: rules directory does not exist")
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


def _scoped(p: Pattern) -> str | None:
    """The source of `p` to join with others: a leading `(?i)` scoped as `(?i:...)`; None when
    it would not mean the same inside another pattern."""
    letters, body, inline = _leading_flags(p)
    if _NOT_JOINABLE.search(body) or p.regex.flags & ~(regex.V0 | regex.U | inline):
        return None
    return f"(?{letters}:{body})" if letters else f"(?:{body})"


def _leading_flags(p: Pattern) -> tuple[str, str, int]:
    """A pattern's leading inline flags (`(?i)`): their letters, the body after them, their bits."""
    source = p.regex.pattern
    flags = _LEADING_FLAGS.match(source)
    letters = flags.group(1) if flags else ""
    inline = 0
    for f in letters:
        inline |= _FLAG_BITS[f]
    return letters, (source[flags.end():] if flags else source), inline


def _reads_fast_backwards(source: str) -> bool:
    """Whether every match of `source` ends with `$` (not MULTILINE) and the pattern reads the
    same and fast backwards, as a lookbehind is read: no atomic groups or possessive repeats
    (they depend on the direction), no long repeats of a class other than spaces."""
    from re import _constants as c

    tree = _parse(source, 0)
    if not tree or tree[-1] != (c.AT, c.AT_END):
        return False

    def ok(items) -> bool:
        for op, av in items:
            if op in (c.ATOMIC_GROUP, c.POSSESSIVE_REPEAT):
                return False
            if op in (c.MAX_REPEAT, c.MIN_REPEAT):
                lo, hi, body = av
                spaces = list(body) == [(c.IN, [(c.CATEGORY, c.CATEGORY_SPACE)])]
                if hi > 8 and not spaces and any(o is c.IN for o, _ in body):
                    return False
                if not ok(body):
                    return False
            elif op is c.SUBPATTERN and not ok(av[-1]):
                return False
            elif op is c.BRANCH and not all(ok(alt) for alt in av[1]):
                return False
            elif op in (c.ASSERT, c.ASSERT_NOT) and not ok(av[1]):
                return False
        return True

    return ok(tree)


class EndAnchored:
    """Which of several patterns match a text, where most can only match at its end (`...$`,
    as the cues right before a mention): those are tried in one call at the end of the text,
    each as a lookbehind (read backwards from the end, not tried at every position); the
    others are searched one by one."""

    def __init__(self, rules: "RuleSet", patterns: dict[str, Pattern], rule_id: str):
        self.patterns = patterns
        self.joined, self.joined_keys, self.alone = None, [], dict(patterns)
        parts = []
        for key, p in patterns.items():
            body = _scoped(p)
            if body is not None and not p.regex.flags & regex.MULTILINE and _reads_fast_backwards(p.regex.pattern):
                parts.append(f"(?:(?<=(?P<berita_{len(parts)}>{body})))?")
                self.joined_keys.append(key)
        if len(parts) < 2:
            return
        try:
            self.joined = rules.compile("".join(parts), rule_id)
        except regex.error:
            return
        self.alone = {k: p for k, p in patterns.items() if k not in self.joined_keys}

    def which(self, text: str) -> set[str]:
        # with a line break in the text `$` may also match before a final one: ask each
        if self.joined is not None and "\n" not in text:
            try:
                m = self.joined.match(text, len(text))
            except RuleTimeout:
                m = None  # each pattern on its own names the rule that runs out of time
            if m is not None:
                found = {k for i, k in enumerate(self.joined_keys) if m.group(f"berita_{i}") is not None}
                found.update(k for k, p in self.alone.items() if p.search(text))
                return found
        return {k for k, p in self.patterns.items() if p.search(text)}


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
        letters, body, inline = _leading_flags(p)
        if (body.startswith("^") and not inline & regex.MULTILINE and not _NOT_JOINABLE.search(body)
                and not _top_level_alternation(body) and not p.regex.flags & ~(regex.V0 | regex.U | inline)):
            anchored.append(f"(?{letters}:{body[1:]})" if letters else f"(?:{body[1:]})")
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


# ------------------------------------------------------------------ required strings
#
# What every match of a pattern must start with or contain is read off its syntax tree as
# Python's own `re` parser builds it; a pattern it cannot parse the same way (regex-only
# syntax) gets neither. Only ASCII characters are collected, lower-cased: then a match
# starts with (contains) the string in the lower-cased text at the same offset, with or
# without IGNORECASE, unless the text holds `ſ` (matches s ignoring case) or `İ`
# (lower-cases to two characters), where no check is made (`_lowered`).

# the last text and its lower-cased copy, as one tuple (replaced in one step: threads)
_LOWERED: list = [(None, None)]


def _lowered(text: str) -> str | None:
    last_text, low = _LOWERED[0]
    if last_text is not text:
        low = text.lower()
        if len(low) != len(text) or "ſ" in text:
            low = None
        _LOWERED[0] = (text, low)
    return low


# \p{..} classes become \w (both are "some character"); regex-only syntax that `re` would
# read differently, or that could make a listed string optional, means no check
_UNICODE_CLASS = regex.compile(r"\\[pP](?:\{[^}]*\}|[A-Za-z])")
_NOT_RE_SYNTAX = regex.compile(r"\[:\^?[A-Za-z]+:\]|\\L<|\\[GKXmMQE]|\(\*|\(\?[|>R0-9&+-]|\{[^}\d,]")
_MIN_NEED = 3         # shorter strings are too common to rule out a text
_MAX_NEEDS = 16       # more strings cost more to look for than the pattern itself
_MAX_STARTS = 24
_PREFIX_LEN = 8
_MAX_CANDIDATES = 32  # more places to try one by one cost more than one scan


def _parse(source: str, flags: int):
    import re
    import warnings
    from re import _parser as sre_parse  # Python's own regex parser

    source = _UNICODE_CLASS.sub(r"\\w", source)
    if _NOT_RE_SYNTAX.search(source):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return list(sre_parse.parse(source, flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE)))
    except Exception:  # noqa: BLE001 -- not `re` syntax: no check
        return None


def required_literals(source: str, flags: int = 0) -> tuple[str, ...] | None:
    """Lower-case strings one of which every match of `source` contains, or None."""
    tree = _parse(source, flags)
    need = _need_of(tree) if tree is not None else None
    if not need or min(map(len, need)) < _MIN_NEED or len(need) > _MAX_NEEDS:
        return None
    return tuple(sorted(need))


def _need_of(items: list) -> frozenset[str] | None:
    """The best requirement of a sequence of parser items: a set of strings one of which
    every match contains (the longest shortest string), or None."""
    from re import _constants as c

    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def end_run():
        if run:
            candidates.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is c.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        end_run()
        if op is c.SUBPATTERN:
            need = _need_of(list(av[-1]))
        elif op is c.ATOMIC_GROUP:
            need = _need_of(list(av))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            need = _need_of(list(av[2])) if av[0] >= 1 else None
        elif op is c.BRANCH:
            alternatives = [_need_of(list(alt)) for alt in av[1]]
            need = None if any(a is None for a in alternatives) else frozenset().union(*alternatives)
        else:  # a class, any character, an anchor, a lookaround: nothing required from it
            need = None
        if need:
            candidates.append(need)
    end_run()
    if not candidates:
        return None
    return max(candidates, key=lambda need: (min(map(len, need)), -len(need)))


class _TooMany(Exception):
    pass


def required_prefixes(source: str, flags: int = 0) -> tuple[str, ...] | None:
    """Lower-case strings (up to 8 characters) one of which every match of `source` starts
    with, none a prefix of another; or None."""
    tree = _parse(source, flags)
    if tree is None:
        return None
    try:
        found = _starts_of(tree, frozenset([""]))
    except (_TooMany, RecursionError):
        return None
    if "" in found:
        return None  # some match may start with anything
    kept = tuple(sorted(s for s in found if not any(t != s and s.startswith(t) for t in found)))
    return kept if len(kept) <= _MAX_STARTS else None


def _starts_of(items: list, then: frozenset[str]) -> frozenset[str]:
    """How a match of `items` followed by a match starting with one of `then` may start
    ("" for: with anything)."""
    from re import _constants as c

    if not items:
        return then
    op, av = items[0]
    rest = items[1:]
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # zero width
        return _starts_of(rest, then)
    if op is c.LITERAL or op is c.IN:
        if op is c.LITERAL:
            chars = {chr(av)}
        elif all(o is c.LITERAL for o, _ in av) and len(av) <= 8:
            chars = {chr(a) for _, a in av}
        else:
            return frozenset([""])
        if not all(ch.isascii() for ch in chars):
            return frozenset([""])
        tails = _starts_of(rest, then)
        out = frozenset((ch.lower() + t)[:_PREFIX_LEN] for ch in chars for t in tails)
    elif op is c.SUBPATTERN:
        out = _starts_of(list(av[-1]), _starts_of(rest, then))
    elif op is c.ATOMIC_GROUP:
        out = _starts_of(list(av), _starts_of(rest, then))
    elif op is c.BRANCH:
        after = _starts_of(rest, then)
        out = frozenset().union(*(_starts_of(list(alt), after) for alt in av[1]))
    elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        first = _starts_of(list(av[2]), frozenset([""]))  # the first repetition, then anything
        out = first | _starts_of(rest, then) if av[0] == 0 else first
    else:  # a class, any character, a back-reference: anything
        return frozenset([""])
    if len(out) > 300:
        raise _TooMany
    return out
