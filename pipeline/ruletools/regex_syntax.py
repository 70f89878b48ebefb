"""The one reader of pattern syntax: the `regex` module's VERSION0 syntax the rules are written
in, read into a small tree that the analyses walk (`rules`: which strings every match needs or
starts with, whether a pattern reads fast backwards, whether it has a top-level `|`;
`rulecheck`: which repeats can run away).

It reads what the rules use: literals and escapes, character sets (`[...]`, `\\d`, `\\p{L}`,
`[:alpha:]`), `.`, anchors, groups (capturing, named, non-capturing, atomic, branch reset,
scoped flags `(?i:...)`), inline flags `(?i)`, lookarounds, greedy, lazy and possessive
repeats, back-references and `{name}` placeholders (a word the code puts in, as the rule files
write them). Anything else (conditionals, recursion, verbs, named lists, VERBOSE, REVERSE ...)
raises `Unsupported`, and each analysis then answers conservatively.

The tree (`Node`, by `kind`):
  atom    one character: `chars`, the single characters it names (a literal, or those
          listed in a set), `classes`, the rest of a set as written (`a-z`, `\\d`, `\\p{L}`,
          `[:alpha:]`; `.` for the dot), `negated` for `[^...]`
  zero    matches no character: an `anchor` (`^`, `$`, `\\b` ...) or a lookaround (`look`:
          `=`, `!`, `<=`, `<!`) whose body is `item`
  word    some text not known here: a `{name}` placeholder (`name`) or a back-reference
  seq     `items` in a row; alt: `items`, the alternatives (each a seq)
  repeat  `item` repeated `lo`..`hi` times (hi None: unbounded), `lazy`, `possessive`
A group is the seq or alt of its body, with `group` set to its opening (`(`, `(?:`, `(?>`,
`(?P<name>`, `(?i:` ...) and `start`/`end` spanning the parentheses. Every node knows its
span of the source; atoms and zeros the `flags` (IGNORECASE, MULTILINE, DOTALL) in force.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex


class Unsupported(ValueError):
    """Syntax this reader does not read (or that is no pattern at all)."""


class Node:
    """One node of the tree; the fields a kind does not use keep these defaults."""
    items: list = ()  # (a seq or alt always has its own list)
    item: Node | None = None
    chars: frozenset = frozenset()
    classes: tuple = ()
    negated = False
    flags = 0
    anchor = look = name = group = ""
    lo = 0
    hi: int | None = None
    lazy = possessive = False

    def __init__(self, kind: str, start: int, end: int, **fields):
        self.kind, self.start, self.end = kind, start, end
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        return f"Node({self.kind}, {self.start}, {self.end}, {self.__dict__})"

    @property
    def char(self) -> str | None:
        """The one character this atom matches as written (`a`, `\\.`, `[a]`), else None."""
        if self.kind == "atom" and len(self.chars) == 1 and not self.classes and not self.negated:
            return next(iter(self.chars))
        return None

    @property
    def as_set(self) -> str:
        """An atom as one set (`[^ab\\d]`; `.` for the dot): the characters it matches,
        without the flags in force."""
        if self.classes == (".",):
            return "."
        return "[" + "^" * self.negated + "".join(regex.escape(c) for c in sorted(self.chars)) + "".join(self.classes) + "]"

    @property
    def atomic(self) -> bool:
        return self.group == "(?>"


# A `{name}` the code replaces before compiling (not a repeat count, not `\p{..}`)
PLACEHOLDER = regex.compile(r"(?<!\\)(?<!\\[pPN])\{([A-Za-z_]\w*)\}")

_FLAG_BITS = {"i": regex.IGNORECASE, "m": regex.MULTILINE, "s": regex.DOTALL, "a": 0, "u": 0, "L": 0}
_KNOWN_FLAGS = regex.IGNORECASE | regex.MULTILINE | regex.DOTALL | regex.ASCII | regex.UNICODE | regex.LOCALE | regex.V0
_COUNT = regex.compile(r"\{(\d*)(,?)(\d*)\}")
# how a group opens: capturing, (?: (?> (?| lookarounds, comment, named, back-reference by
# name, inline flags (?i) or scoped ones (?i-m:
_OPENING = regex.compile(r"\((?!\?)|\(\?(?:[:>|=!#]|<[=!]|P=|P?<[A-Za-z_]\w*>"
                         r"|(?P<on>[a-zA-Z]*)(?:-(?P<off>[a-zA-Z]*))?(?P<end>[:)]))")
_LOOKS = {"(?=": "=", "(?!": "!", "(?<=": "<=", "(?<!": "<!"}
_ANCHORS = "bBAZzGKmM"         # escapes that match no character
_CHAR_ESCAPES = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_PLAIN = regex.compile(r"[^\\\[\](){}|.^$*+?]+")  # characters that stand for themselves
_POSIX = regex.compile(r"\[:\^?[A-Za-z]+:\]")
_OCTAL = regex.compile(r"0[0-7]{0,2}|[0-3][0-7]{2}")   # \0, \012, \101 (else \1 is a back-reference)
_HEX = {"x": regex.compile(r"([0-9a-fA-F]{2})"), "{": regex.compile(r"\{([0-9a-fA-F]+)\}"),
        "u": regex.compile(r"([0-9a-fA-F]{4})"), "U": regex.compile(r"([0-9a-fA-F]{8})")}


@lru_cache(maxsize=1024)
def parse(source: str, flags: int = 0) -> Node:
    """The tree of `source` compiled with `flags`; Unsupported when it cannot be read.
    (Cached: every compiled pattern is read by several analyses. Do not change the tree.)"""
    if flags & ~_KNOWN_FLAGS:
        raise Unsupported("flags")
    reader = _Reader(source, flags & (regex.IGNORECASE | regex.MULTILINE | regex.DOTALL))
    node = reader.alternation()
    if reader.i < len(source):
        raise Unsupported("unbalanced )")
    return node


def children(n: Node) -> list[Node]:
    if n.kind in ("seq", "alt"):
        return n.items
    return [n.item] if n.item is not None else []


def walk(n: Node):
    """`n` and every node inside it, parents first."""
    yield n
    for c in children(n):
        yield from walk(c)


def items_of(n: Node) -> list[Node]:
    """The elements of `n` in a row (one, unless `n` is a seq)."""
    return n.items if n.kind == "seq" else [n]


@lru_cache(maxsize=None)
def _char_set(c: str) -> frozenset:
    return frozenset(c)


def _char_atom(i: int, c: str, flags: int) -> Node:
    """The atom of a literal character, built without Node.__init__ (a word list has thousands)."""
    n = object.__new__(Node)
    n.__dict__ = {"kind": "atom", "start": i, "end": i + 1, "chars": _char_set(c), "flags": flags}
    return n


def _count(s: str, i: int):
    """The repeat count `{2}`, `{2,}`, `{,3}`, `{2,3}` or `{,}` at `s[i]`, else None (`{}` is text)."""
    m = _COUNT.match(s, i)
    return m if m and any(m.groups()) else None


class _Reader:
    def __init__(self, source: str, flags: int):
        self.s, self.i, self.flags = source, 0, flags

    def alternation(self) -> Node:
        start = self.i
        alts = [self.sequence()]
        while self.s.startswith("|", self.i):
            self.i += 1
            alts.append(self.sequence())
        return alts[0] if len(alts) == 1 else Node("alt", start, self.i, items=alts)

    def sequence(self) -> Node:
        s, start, items = self.s, self.i, []
        while self.i < len(s) and s[self.i] not in "|)":
            plain = _PLAIN.match(s, self.i)
            if plain:  # (a run of literal characters in one step: the word lists are long)
                flags, i = self.flags, self.i
                items.extend(_char_atom(j, c, flags) for j, c in enumerate(plain.group(), i))
                self.i = plain.end()
                items[-1] = self.repeated(items[-1])
                continue
            node = self.atom()
            if node is not None:
                items.append(self.repeated(node))
        return Node("seq", start, self.i, items=items)

    def repeated(self, node: Node) -> Node:
        s = self.s
        c = s[self.i:self.i + 1]
        count = _count(s, self.i) if c == "{" else None
        if c and c in "*+?":
            lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
            self.i += 1
        elif count:
            lo = int(count.group(1) or 0)
            hi = lo if not count.group(2) else (int(count.group(3)) if count.group(3) else None)
            if hi is not None and hi < lo:
                raise Unsupported("min repeat greater than max repeat")
            self.i = count.end()
        else:
            return node
        lazy = s.startswith("?", self.i)
        possessive = s.startswith("+", self.i)
        self.i += lazy or possessive
        if self.i < len(s) and (s[self.i] in "*+?" or _count(s, self.i)):
            raise Unsupported("multiple repeat")
        return Node("repeat", node.start, self.i, item=node, lo=lo, hi=hi, lazy=lazy, possessive=possessive)

    def atom(self) -> Node | None:
        s, i = self.s, self.i
        c = s[i]
        if c == "(":
            return self.group()
        if c == "[":
            return self.set()
        if c == "\\":
            return self.escape()
        if c in "^$":
            self.i += 1
            return Node("zero", i, self.i, anchor=c, flags=self.flags)
        if c == ".":
            self.i += 1
            return Node("atom", i, self.i, classes=(".",), flags=self.flags)
        if c in "*+?":
            raise Unsupported("nothing to repeat")
        if c == "{":
            m = PLACEHOLDER.match(s, i)
            if m:
                self.i = m.end()
                return Node("word", i, self.i, name=m.group(1))
        self.i += 1
        return _char_atom(i, c, self.flags)

    def escape(self) -> Node:
        s, i = self.s, self.i
        c = s[i + 1:i + 2]
        if not c:
            raise Unsupported("trailing backslash")
        if c in _ANCHORS:
            self.i = i + 2
            return Node("zero", i, self.i, anchor=s[i:self.i], flags=self.flags)
        if c in "123456789" and not _OCTAL.match(s, i + 1):
            self.i = i + 2 + (s[i + 2:i + 3].isdigit())
            return Node("word", i, self.i)  # a back-reference: some text
        if c == "g":
            j = s.find(">", i)
            if not s.startswith("<", i + 2) or j < 0:
                raise Unsupported("bad \\g")
            self.i = j + 1
            return Node("word", i, self.i)
        if c in "LQE" or c == "N" and not s.startswith("{", i + 2):
            raise Unsupported(f"\\{c}")
        char, classes = self.escaped()
        return Node("atom", i, self.i, chars=frozenset(char), classes=classes, flags=self.flags)

    def escaped(self) -> tuple[str, tuple]:
        """An escape (at self.i) inside or outside a set: a character ("", ()) or a class ("", (text,))."""
        s, i = self.s, self.i
        c = s[i + 1:i + 2]
        if not c:
            raise Unsupported("trailing backslash")
        self.i = i + 2
        if c in "pP":
            if s.startswith("{", i + 2):
                j = s.find("}", i)
                if j < 0:
                    raise Unsupported("unterminated \\p{")
                self.i = j + 1
            else:
                self.i = i + 3
            return "", (s[i:self.i],)
        if c in _HEX:
            m = _HEX["{" if c == "x" and s.startswith("{", i + 2) else c].match(s, i + 2)
            if not m:
                raise Unsupported(f"bad \\{c}")
            self.i = m.end()
            return chr(int(m.group(1), 16)), ()
        if c == "N":
            j = s.find("}", i)
            try:
                char = unicodedata.lookup(s[i + 3:j]) if j > 0 else ""
            except KeyError:
                char = ""
            if len(char) != 1:
                raise Unsupported("bad \\N{...}")
            self.i = j + 1
            return char, ()
        octal = _OCTAL.match(s, i + 1)
        if octal:
            self.i = octal.end()
            return chr(int(octal.group(), 8)), ()
        if c in _CHAR_ESCAPES:
            return _CHAR_ESCAPES[c], ()
        if c.isascii() and c.isalnum():
            return "", (s[i:self.i],)  # \d, \w, \s and the like
        return c, ()

    def set(self) -> Node:
        s, start = self.s, self.i
        i = start + 1
        negated = s.startswith("^", i)
        i += negated
        chars, classes = set(), []
        first = True
        while True:
            if i >= len(s):
                raise Unsupported("unterminated [")
            c = s[i]
            if c == "]" and not first:
                break
            first = False
            posix = _POSIX.match(s, i)
            if posix:
                classes.append(posix.group())
                i = posix.end()
                continue
            if s.startswith("\\b", i):  # in a set: backspace
                char, cls = "\b", ()
                i += 2
            elif c == "\\":
                self.i = i
                char, cls = self.escaped()
                i = self.i
            else:
                char, cls = c, ()
                i += 1
            if char and s.startswith("-", i) and i + 1 < len(s) and s[i + 1] != "]":
                if s[i + 1] == "\\":
                    self.i = i + 1
                    high, cls = self.escaped()
                    i = self.i
                else:
                    high, cls = s[i + 1], ()
                    i += 2
                if not high or cls or high < char:
                    raise Unsupported("bad character range")
                classes.append(f"{regex.escape(char)}-{regex.escape(high)}")
                continue
            if char:
                chars.add(char)
            classes.extend(cls)
        self.i = i + 1
        return Node("atom", start, self.i, chars=frozenset(chars), classes=tuple(classes), negated=negated,
                    flags=self.flags)

    def group(self) -> Node | None:
        s, start = self.s, self.i
        saved = self.flags
        m = _OPENING.match(s, start)
        if not m:
            raise Unsupported("unsupported group")
        opening = m.group()
        if opening in ("(?#", "(?P="):  # a comment; a back-reference by name
            j = s.find(")", start)
            if j < 0:
                raise Unsupported("missing )")
            self.i = j + 1
            return None if opening == "(?#" else Node("word", start, self.i)
        if m.group("end"):  # inline flags
            self.flags = self.inline_flags(m.group("on"), m.group("off") or "")
            if m.group("end") == ")":  # (?i): for the rest of the enclosing group
                self.i = m.end()
                return None
        self.i = m.end()
        inner = self.alternation()
        if not s.startswith(")", self.i):
            raise Unsupported("missing )")
        self.i += 1
        self.flags = saved
        look = _LOOKS.get(opening)
        if look:
            return Node("zero", start, self.i, look=look, item=inner, flags=saved)
        inner.start, inner.end, inner.group = start, self.i, opening
        return inner

    def inline_flags(self, on: str, off: str) -> int:
        if not on + off:
            raise Unsupported("(?) without flags")
        flags = self.flags
        for letter in on + off:
            if letter not in _FLAG_BITS:
                raise Unsupported(f"flag {letter}")
        for letter in on:
            flags |= _FLAG_BITS[letter]
        for letter in off:
            flags &= ~_FLAG_BITS[letter]
        return flags
