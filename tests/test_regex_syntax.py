"""The one reader of pattern syntax (pipeline/ruletools/regex_syntax.py) and the analyses that
walk its tree: which strings every match needs or starts with (`required_literals`,
`required_prefixes`), whether a pattern reads fast backwards, whether it has a top-level `|`."""
from __future__ import annotations

import regex
import pytest

from pipeline.ruletools import rules
from pipeline.ruletools.regex_syntax import Unsupported, items_of, parse, walk
from pipeline.ruletools.rulecheck import collect_examples
from pipeline.ruletools.rules import (_reads_fast_backwards, _top_level_alternation, required_literals,
                                      required_prefixes)

IC = regex.IGNORECASE


def kinds(source: str, flags: int = 0) -> list[str]:
    return [n.kind for n in items_of(parse(source, flags))]


# ------------------------------------------------------------------ the reader


def test_literals_and_character_escapes_are_one_character_each():
    tree = parse(r"a\.\x41\u00e9\N{LATIN SMALL LETTER B}\101\t")
    assert [n.char for n in tree.items] == ["a", ".", "A", "é", "b", "A", "\t"]
    assert [(n.start, n.end) for n in tree.items][:3] == [(0, 1), (1, 3), (3, 7)]


def test_sets_list_their_characters_and_the_rest_as_written():
    atom = parse(r"[^a\-\d[:alpha:]x-z\p{Lu}]").items[0]
    assert atom.kind == "atom" and atom.negated and atom.char is None
    assert atom.chars == {"a", "-"} and atom.classes == (r"\d", "[:alpha:]", "x-z", r"\p{Lu}")
    assert parse("[a]").items[0].char == "a"        # one character, as `a`
    assert parse("[]a]").items[0].chars == {"]", "a"}  # a leading ] is a literal
    assert parse(r"[\d-]").items[0].chars == {"-"}    # no range after a class
    assert parse(r"[\b]").items[0].char == "\b"       # backspace inside a set
    assert parse(".").items[0].classes == (".",)
    assert parse(r"\p{L}\pN").items[1].classes == (r"\pN",)


@pytest.mark.parametrize("source", [r"[^a\-\d]", r"[]a]", r"[\d-]", r"[a-c\s]", r"[[:alpha:]-]", r"\w", r"\S",
                                    r"\p{Lu}", r"[‘'\"“]", r"[\[\]^]", "é", r"\.", r"[\x41-\x43]", "."])
@pytest.mark.parametrize("flags", [0, IC])
def test_an_atom_written_as_one_set_matches_what_its_source_matches(source, flags):
    atom = parse(source, flags).items[0]
    assert atom.end == len(source)
    written, as_set = regex.compile(source, flags | regex.V0), regex.compile(atom.as_set, flags | regex.V0)
    probe = [chr(c) for c in range(32, 127)] + list("\t\n\u00a0éÉ‘’“”–ا٣")
    assert [bool(written.fullmatch(c)) for c in probe] == [bool(as_set.fullmatch(c)) for c in probe]


def test_repeats_counts_lazy_and_possessive():
    r = parse(r"a*b+?c{2,3}+d{,4}e{2}f{,}").items
    assert [(n.lo, n.hi, n.lazy, n.possessive) for n in r] == [
        (0, None, False, False), (1, None, True, False), (2, 3, False, True), (0, 4, False, False),
        (2, 2, False, False), (0, None, False, False)]
    # `{}` and `{x}` count nothing: literal braces (or a placeholder)
    assert kinds("a{}") == ["atom", "atom", "atom"]
    assert parse("a{x}").items[1].kind == "word" and parse("a{x}").items[1].name == "x"


def test_groups_are_their_body_with_the_opening_and_the_span_of_the_parentheses():
    tree = parse(r"(ab)(?:c|d)(?P<n>e)(?<m>f)(?>g)(?|h)(?i:k)(?-i:l)")
    groups = tree.items
    assert [g.group for g in groups] == ["(", "(?:", "(?P<n>", "(?<m>", "(?>", "(?|", "(?i:", "(?-i:"]
    assert [g.kind for g in groups] == ["seq", "alt", "seq", "seq", "seq", "seq", "seq", "seq"]
    assert (groups[0].start, groups[0].end) == (0, 4) and groups[4].atomic and not groups[0].atomic


def test_inline_and_scoped_flags_reach_the_atoms_they_cover():
    tree = parse(r"a(?i)b(?-i:c)(?m:$)d")
    a, b, c, end, d = [n for n in walk(tree) if n.kind in ("atom", "zero")]
    assert not a.flags & IC and b.flags & IC and not c.flags & IC and d.flags & IC
    assert end.anchor == "$" and end.flags & regex.MULTILINE and not d.flags & regex.MULTILINE
    assert parse("x", IC).items[0].flags & IC  # the flags it is compiled with


def test_anchors_lookarounds_backreferences_and_comments():
    tree = parse(r"^\b(?=a)(?<!b)(x)\1(?P=n)\g<1>(?#note)$")
    assert [(n.kind, n.anchor, n.look) for n in tree.items] == [
        ("zero", "^", ""), ("zero", r"\b", ""), ("zero", "", "="), ("zero", "", "<!"), ("seq", "", ""),
        ("word", "", ""), ("word", "", ""), ("word", "", ""), ("zero", "$", "")]
    assert tree.items[2].item.items[0].char == "a"  # the body of a lookaround


@pytest.mark.parametrize("source", [
    "(?(1)a|b)", "(?R)", "(?1)", "(?x)a b", r"\L<words>", "*a", "a**", "a{2}{3}", "(a", "a)", "[a", "(?'n'a)",
    r"\Qa\E", "a{3,2}", "\\"])
def test_what_it_does_not_read_is_unsupported(source):
    with pytest.raises(Unsupported):
        parse(source)


def test_flags_it_does_not_know_are_unsupported():
    with pytest.raises(Unsupported):
        parse("abc", regex.REVERSE)


# ------------------------------------------------------------------ the analyses


@pytest.mark.parametrize("source, flags, expected", [
    (r"\bBupati\s+\p{Lu}", IC, ("bupati",)),
    (r"(?:abc)?defg", 0, ("defg",)),                             # an optional part is not needed
    (r"x(?:kota|kabupaten)y", 0, ("kabupaten", "kota")),         # one of the alternatives
    (r"(?>abc)d", 0, ("abc",)),                                  # atomic groups
    (r"(?P<n>abc)|(?P<n>abd)", 0, ("abc", "abd")),               # a name used twice (regex only)
    (r"(?i:program)\s+(?-i:\p{Lu})", 0, ("program",)),
    (r"\d+ (?:orang){2,}", 0, ("orang",)),
    (r"(?:a|bcd)efg", 0, ("efg",)),
    (r"abc(?=defgh)", 0, ("abc",)),                              # a lookahead's text is not in the match
])
def test_required_literals(source, flags, expected):
    assert required_literals(source, flags) == expected


@pytest.mark.parametrize("source", [
    r"(?:abc)?", r"(?:abc|d)", r"abc|\d+", r"(?:abc)*", r"\p{Lu}\w+", "ab", r"(?=abcd)\w", "é+", r"{people}",
    "(?(1)abc|abd)", "(?x) a b c",
])
def test_required_literals_none(source):
    assert required_literals(source) is None


@pytest.mark.parametrize("source, flags, expected", [
    (r"\bBupati\b", IC, ("bupati",)),
    (r"^(?:Kab\.|Kota)\s", 0, ("kab.", "kota")),                 # \s is a class: what comes before
    (r"(?:Kab|Kota)[ \t]", 0, ("kab\t", "kab ", "kota\t", "kota ")),
    (r"(?<![\p{L}])(?:Rp\.?|IDR)\s*\d", 0, ("idr", "rp")),
    (r"a*?bc", 0, ("a", "bc")),                                  # a lazy repeat may be empty
    (r"(?:ab)+c", 0, ("ab",)),
    (r"Wali(?:kota|\s+kota)", 0, ("wali",)),
    (r"(?>ab)c", 0, ("abc",)),
    ("abcdefghijk", 0, ("abcdefgh",)),                           # 8 characters at most
])
def test_required_prefixes(source, flags, expected):
    assert required_prefixes(source, flags) == expected


@pytest.mark.parametrize("source", [
    r"\w+abc", r"(?:abc)?\d", r"abc|\d", r"(a)?\1x", r"\Kabc", "é", r"[^a]bc", r"{number} persen", r"(?:a|b|c|d|e|f|g|h|i)?.",
])
def test_required_prefixes_none(source):
    assert required_prefixes(source) is None


@pytest.mark.parametrize("source, expected", [
    (r"(?i)\bkabupaten\s*$", True),
    (r"(?i)\b(?:hadir|dihadiri)\b(?:(?!\bkepada\b)[^.;:\n]|\.(?=\d))*$", True),
    (r"x.{0,40}$", True),                  # the dot is no class
    (r"x[ \t]{1,8}$", True),               # a short repeat
    (r"bupati\s+$", True),                 # spaces
    (r"\w+$", False),                      # a long repeat of a class
    (r"a++$", False),                      # possessive: depends on the direction
    (r"(?>ab)$", False),                   # atomic
    (r"(?m)abc$", False),                  # $ before any line break
    (r"abc", False), (r"abc\Z", False), (r"a$|b$", False), (r"(?:a$)", False),
    (r"{people}$", False), ("(?(1)a|b)$", False),
])
def test_reads_fast_backwards(source, expected):
    assert _reads_fast_backwards(source) is expected


@pytest.mark.parametrize("source, expected", [
    ("a|b", True), ("^a|b", True), ("(a|b)", False), ("[|]", False), (r"\|", False), ("[]|]", False),
    (r"[^]|]x", False), ("(?:a|b)c", False), ("(?#a|b)c", False),
    ("(?(1)a|b)", True), ("a)|(", True),   # unreadable: as if it had one (never joined)
])
def test_top_level_alternation(source, expected):
    assert _top_level_alternation(source) is expected


@pytest.mark.slow
def test_every_built_in_pattern_keeps_its_matches_with_the_strings_it_needs(monkeypatch):
    """Every pattern the pipeline compiles from the built-in rules, on every rule-file example
    (and each of its lines): the prefiltered Pattern finds what a plain scan finds, and each
    match starts with one of `starts` and contains one of `needs`."""
    from pipeline.nlp import build_nlp
    made = []
    compile_ = rules.RuleSet.compile

    def recording(self, *args, **kwargs):
        made.append(compile_(self, *args, **kwargs))
        return made[-1]

    monkeypatch.setattr(rules.RuleSet, "compile", recording)
    nlp = build_nlp(None)
    texts = {e.text for e in collect_examples() if e.text}
    for text in list(texts):
        nlp(text)  # (compiles the patterns made on first use)
        texts.update(line for line in text.split("\n") if line.strip())
    patterns = {(p.regex.pattern, p.regex.flags): p for p in made}.values()
    assert sum(1 for p in patterns if p.needs) >= 20 and sum(1 for p in patterns if p.starts) >= 20
    found = 0
    for p in patterns:
        for text in texts:
            plain = [m.span() for m in p.regex.finditer(text)]
            assert [m.span() for m in p.finditer(text)] == plain, (p.id, text)
            low = text.lower()
            for a, b in plain:
                found += 1
                assert not p.starts or low.startswith(p.starts, a), (p.id, text[a:b])
                assert not p.needs or any(n in low[a:b] for n in p.needs), (p.id, text[a:b])
    assert found > 500
