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

from . import regex_syntax
from .regex_syntax import items_of, walk


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

    @classmethod
    def of(cls, source: str, rule_id: str, flags: int = 0, prefilter: bool = True) -> "Pattern":
        """Compile a rule pattern (regex.error when it does not compile); `prefilter=False`
        leaves out the strings its matches need (reading them off costs ~4 ms a pattern),
        for a pattern that is only checked, never run."""
        compiled = regex.compile(source, flags | regex.V0)
        if not prefilter:
            return cls(rule_id, compiled)
        return cls(rule_id, compiled, needs=required_literals(source, flags), starts=required_prefixes(source, flags))

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
        return Pattern.of(pattern, rule_id, flags)


_CACHE: dict[tuple, RuleSet] = {}


def rules_key(extra_dirs: Iterable[Path | str] = ()) -> tuple[str, ...]:
    """The key of a list of rules directories: one rule set (and one pipeline) per key."""
    return tuple(str(Path(d).resolve()) for d in extra_dirs)


def cached_rules(extra_dirs: Iterable[Path | str] = ()) -> RuleSet:
    """One RuleSet per process and directory list, shared by all pipeline components."""
    key = rules_key(extra_dirs)
    if key not in _CACHE:
        _CACHE[key] = load_rules(extra_dirs)
    return _CACHE[key]


def provide_rules(extra_dirs: Iterable[Path | str], ruleset: RuleSet) -> None:
    """From now on `cached_rules(extra_dirs)` answers `ruleset` in this process, without
    reading any file: a Dask worker runs with the rule set its client loaded."""
    _CACHE[rules_key(extra_dirs)] = ruleset


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
    try:
        tree = regex_syntax.parse(source)
    except regex_syntax.Unsupported:
        return False
    last = items_of(tree)[-1] if items_of(tree) else None
    if last is None or last.kind != "zero" or last.anchor != "$" or last.flags & regex.MULTILINE:
        return False
    for n in walk(tree):
        if n.atomic or n.possessive or n.kind == "word" and n.name:
            return False
        if n.kind == "zero" and not n.look and n.anchor not in _ZERO_WIDTH:
            return False
        if n.kind == "repeat" and (n.hi is None or n.hi > 8):
            body = items_of(n.item)
            spaces = len(body) == 1 and body[0].kind == "atom" and body[0].as_set == r"[\s]"
            if not spaces and any(_is_class(b) for b in body):
                return False
    return True


def _is_class(n: regex_syntax.Node) -> bool:
    """A set of characters, as opposed to one character (`a`, `[^a]`) or the dot."""
    return n.kind == "atom" and not (len(n.chars) == 1 and not n.classes) and n.classes != (".",)


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
    """Whether `source` has a `|` outside any group or character class (True when unreadable)."""
    try:
        return regex_syntax.parse(source).kind == "alt"
    except regex_syntax.Unsupported:
        return True


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
# What every match of a pattern must start with or contain is read off its syntax tree
# (`regex_syntax`); a pattern it cannot read gets neither. Only ASCII characters are
# collected, lower-cased: then a match starts with (contains) the string in the lower-cased
# text at the same offset, with or without IGNORECASE, unless the text holds `ſ` (matches s
# ignoring case) or `İ` (lower-cases to two characters), where no check is made (`_lowered`).

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


_MIN_NEED = 3         # shorter strings are too common to rule out a text
_MAX_NEEDS = 16       # more strings cost more to look for than the pattern itself
_MAX_STARTS = 24
_PREFIX_LEN = 8
_MAX_CANDIDATES = 32  # more places to try one by one cost more than one scan
# anchors that match no character and leave where a match starts as it is (not \K)
_ZERO_WIDTH = frozenset(["^", "$", r"\b", r"\B", r"\A", r"\Z", r"\z", r"\G", r"\m", r"\M"])


def _tree(source: str, flags: int) -> regex_syntax.Node | None:
    try:
        return regex_syntax.parse(source, flags)
    except regex_syntax.Unsupported:
        return None


def required_literals(source: str, flags: int = 0) -> tuple[str, ...] | None:
    """Lower-case strings one of which every match of `source` contains, or None."""
    tree = _tree(source, flags)
    need = _need_of(items_of(tree)) if tree is not None else None
    if not need or min(map(len, need)) < _MIN_NEED or len(need) > _MAX_NEEDS:
        return None
    return tuple(sorted(need))


def _need_of(items: list) -> frozenset[str] | None:
    """The best requirement of a sequence of nodes: a set of strings one of which every match
    contains (the longest shortest string), or None."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def end_run():
        if run:
            candidates.append(frozenset(["".join(run)]))
            run.clear()

    for n in items:
        c = n.char
        if c is not None and c.isascii():
            run.append(c.lower())
            continue
        end_run()
        if n.kind == "seq":
            need = _need_of(n.items)
        elif n.kind == "repeat":
            need = _need_of(items_of(n.item)) if n.lo >= 1 else None
        elif n.kind == "alt":
            alternatives = [_need_of(alt.items) for alt in n.items]
            need = None if any(a is None for a in alternatives) else frozenset().union(*alternatives)
        else:  # a class, any character, an anchor, a lookaround, a back-reference: nothing required
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
    tree = _tree(source, flags)
    if tree is None:
        return None
    try:
        found = _starts_of(items_of(tree), frozenset([""]))
    except (_TooMany, RecursionError):
        return None
    if "" in found:
        return None  # some match may start with anything
    kept = tuple(sorted(s for s in found if not any(t != s and s.startswith(t) for t in found)))
    return kept if len(kept) <= _MAX_STARTS else None


def _starts_of(items: list, then: frozenset[str]) -> frozenset[str]:
    """How a match of `items` followed by a match starting with one of `then` may start
    ("" for: with anything)."""
    if not items:
        return then
    n, rest = items[0], items[1:]
    if n.kind == "zero" and (n.look or n.anchor in _ZERO_WIDTH):
        return _starts_of(rest, then)
    if n.kind == "atom":
        if n.negated or n.classes or not n.chars or len(n.chars) > 8 or not all(ch.isascii() for ch in n.chars):
            return frozenset([""])
        tails = _starts_of(rest, then)
        out = frozenset((ch.lower() + t)[:_PREFIX_LEN] for ch in n.chars for t in tails)
    elif n.kind == "seq":
        out = _starts_of(n.items, _starts_of(rest, then))
    elif n.kind == "alt":
        after = _starts_of(rest, then)
        out = frozenset().union(*(_starts_of(alt.items, after) for alt in n.items))
    elif n.kind == "repeat":
        first = _starts_of(items_of(n.item), frozenset([""]))  # the first repetition, then anything
        out = first | _starts_of(rest, then) if n.lo == 0 else first
    else:  # a back-reference, a placeholder, \K: anything
        return frozenset([""])
    if len(out) > 300:
        raise _TooMany
    return out
