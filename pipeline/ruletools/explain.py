"""`berita explain`: what berita sees in one article, and what it left over.

    berita explain "teks berita ..."           the text as an argument
    berita explain < artikel.txt               the text from stdin (piped in; or `-`)
    berita explain --id ID --input FILE        one article of a .jsonl/.csv/.txt input

Shows the sentences (numbered), every extracted value with its field, normalized value,
sentence number, offsets and the id of the rule that produced it, then the leftovers
(pipeline/ruletools/leftovers.py): numbers next to people nouns that no count rule took, name runs
after role words that produced no official, `Program …` phrases that are not programs,
and names after Kabupaten/Kota/Pemkab/Pemkot that resolved to no regency.
`--json` prints the same as one JSON object.

The text is read as `berita run` reads it (stdin as a .txt file: the same decoding, and
every line ending made `\n`), and annotated within the same time budget as one article of
a run (engine.ARTICLE_BUDGET): an article that runs out of it ends the command with a
one-line message and exit status 1.
"""
from __future__ import annotations

import json
import sys
from bisect import bisect_right

from ..arguments import BeritaParser
from ..fields import FIELD, FIELD_NAMES


def _parser() -> BeritaParser:
    p = BeritaParser(prog="berita explain",
                     description="Show sentences, extracted values with their rule ids, and leftovers.")
    p.add_argument("text", nargs="?",
                   help="the article text, or - to read it from stdin (read too when text is piped in without it)")
    p.add_argument("--id", dest="article_id", metavar="ID", help="the article id to explain (with --input)")
    p.add_argument("--input", metavar="FILE", help="a .jsonl/.csv/.txt input holding the article")
    p.add_argument("--rules", action="append", default=[], metavar="DIR",
                   help="a rules directory layered over the built-in rules (repeatable)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    return p


def _load_article(args):
    """(text, meta, article_id) from the arguments, or raise SystemExit(2) with a message."""
    if args.input or args.article_id:
        if not (args.input and args.article_id):
            _fail("--id and --input go together")
        if args.text:
            _fail("give either TEXT or --id/--input, not both")
        from ..io.reading import InputError, iter_articles
        try:
            for article in iter_articles([args.input]):
                if article.id == args.article_id:
                    if article.error:
                        _fail(f"article {article.id} could not be read: {article.error}")
                    return article.text, {"url": article.url, "published": article.published,
                                          "title": article.title}, article.id
        except InputError as exc:
            _fail(str(exc))
        _fail(f"no article with id {args.article_id} in {args.input}")
    from ..io.reading import normalize_newlines
    if args.text is None:
        # `cat artikel.txt | berita explain`: piped text needs no `-`; a terminal gets help
        text = _read_stdin() if _piped_stdin() else ""
        if not text.strip():
            _fail("give the article text, - for stdin, or --id ID --input FILE (or pipe the text in)")
        return normalize_newlines(text), None, None
    return normalize_newlines(_read_stdin() if args.text == "-" else args.text), None, None


def _piped_stdin() -> bool:
    """Whether stdin is there and is not a terminal."""
    try:
        return sys.stdin is not None and not sys.stdin.isatty()
    except (AttributeError, ValueError):  # (no isatty, or closed)
        return False


def _read_stdin() -> str:
    """stdin decoded as `berita run` decodes a .txt file (newlines are left to the caller)."""
    from ..io.reading import _NotText, decode_bytes
    stream = getattr(sys.stdin, "buffer", None)
    try:
        if stream is None:  # a text stream, already decoded
            return sys.stdin.read()
        return decode_bytes(stream.read())[0]
    except _NotText as exc:
        _fail(f"stdin is not text: {exc}")
    except OSError as exc:
        _fail(f"cannot read stdin: {exc}")


def _fail(message: str):
    print(f"berita explain: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def explain(text: str, rules_dirs=(), meta: dict | None = None, nlp=None, budget: float | None = None) -> dict:
    """Annotate `text` and return {sentences, values, leftovers, boilerplate, event_date}.
    Raises engine.ArticleTimeout or rules.RuleTimeout past the time budget (seconds;
    default engine.ARTICLE_BUDGET)."""
    from .. import engine
    from .leftovers import find_leftovers
    from ..extractors.cleaning import source_map
    from ..extractors.spans import values
    from ..io.reading import Article
    from ..nlp import build_nlp

    nlp = nlp or build_nlp(list(rules_dirs))
    article = Article(id="explain", text=text, **(meta or {}))
    with engine._Budget(engine.ARTICLE_BUDGET if budget is None else budget) as clock:
        doc = engine._annotate(nlp, article, clock)
        clock.enter("leftovers")
        leftovers = find_leftovers(doc, rules_dirs)
    # a text with invisible characters or decomposed accents is annotated in its matching
    # form: offsets go back to `text` through its source map, as in records (cleaning.py)
    source = source_map(doc)
    ground = dict if source is None else source.ground
    starts = [s if source is None else source.start(s) for s in list(doc._.sentence_starts) or [0]]
    sentences = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else len(text)
        while e > s and text[e - 1].isspace():
            e -= 1
        sentences.append({"n": i + 1, "start": s, "end": e, "text": text[s:e]})

    def sentence_no(offset: int) -> int:
        return max(bisect_right(starts, offset), 1)

    found = []
    for field in FIELD_NAMES:
        for v in map(ground, values(doc, field)):
            found.append({"field": field, "value": FIELD[field].describe(v), "surface": v["surface"],
                          "start": v["start"], "end": v["end"], "sentence": sentence_no(v["start"]),
                          "rule": v["rule"]})
    leftovers = [dict(item, sentence=sentence_no(item["start"])) for item in map(ground, leftovers)]
    event = doc._.event_date
    return {"sentences": sentences, "values": found, "leftovers": leftovers,
            "boilerplate": [list(r if source is None else source.range(*r)) for r in doc._.boilerplate],
            "event_date": event["date"] if event else None}


def render(result: dict) -> str:
    lines = ["Sentences"]
    for s in result["sentences"]:
        lines.append(f"  [{s['n']}] {s['start']}-{s['end']}  {' '.join(s['text'].split())}")
    if result["boilerplate"]:
        lines.append("  boilerplate (not read): " + ", ".join(f"{s}-{e}" for s, e in result["boilerplate"]))
    lines.append("")
    lines.append(f"Values (event date: {result['event_date'] or 'none'})")
    if not result["values"]:
        lines.append("  (none)")
    for v in result["values"]:
        lines.append(f"  {v['field']:<12} {v['value']}")
        lines.append(f"  {'':<12}   ← \"{v['surface']}\"  [{v['sentence']}] {v['start']}-{v['end']}  rule {v['rule']}")
    lines.append("")
    lines.append("Leftovers (look like a value, no rule took them)")
    if not result["leftovers"]:
        lines.append("  (none)")
    for item in result["leftovers"]:
        lines.append(f"  {item['kind']:<9} \"{item['surface']}\"  [{item['sentence']}] {item['start']}-{item['end']}"
                     f"  shape: {item['shape']}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        text, meta, _ = _load_article(args)
    except SystemExit as exc:
        return int(exc.code or 2)
    from .rulecheck import check_rules
    from .rules import RuleError
    try:
        problems = check_rules(args.rules)
    except RuleError as exc:
        problems = [str(exc)]
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 2
    from ..engine import ArticleTimeout
    from .rules import RuleTimeout
    try:
        result = explain(text, args.rules, meta)
    except (ArticleTimeout, RuleTimeout) as exc:
        print(f"berita explain: error: {str(exc) or 'time budget exceeded'}; nothing to show "
              "(`berita run` would give this article an error row)", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(render(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
