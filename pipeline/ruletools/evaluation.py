"""Score a run's output tables against gold annotations (`berita eval`).

This is a clean reimplementation of the reference scorer ``../shared/tools/score.py``
(rules in ``../shared/ANNOTATION.md``, "How accuracy is counted").  The project
promises that every figure it reports agrees with that scorer on the same output,
so the quirks below are deliberate copies of the reference, not accidents:

* Every field of an article is a set; P/R/F1 are micro-averaged over articles.
  With nothing predicted and nothing expected, P and R are 1.0 (not 0).
* Gold items marked ``"optional": true`` neither gain nor cost when predicted.
* A prediction matching a gold official's name or alias is a hit; several
  predictions for one person count once; role accuracy is measured over the
  first prediction that hits each non-optional person (``role_alt`` also counts).
* A program matches on its name, an alias or the predicted acronym.
* Numbers compare after ``,`` -> ``.`` and rounding to 3 decimals.
* A missing table scores as an empty one.

Beside the F1 table, and never in it or in core_macro_f1, `berita eval` prints how well the
text beside each number (a count's or a percentage's `population`, an amount's `purpose`)
agrees with the gold's: the token F1 of the two texts (lower-cased, punctuation dropped:
`norm_text`), averaged over the gold numbers that were found (not the optional ones).

One deliberate difference: in a `berita run` output directory the rows are read from
``records.jsonl`` (exactly the CSVs' rows, built by ``records.table_rows``), because the
CSVs write an id such as ``-12`` or ``=x`` as ``'-12`` (the spreadsheet-formula guard) and
the reference, reading the CSVs, misses those articles. A directory without
``records.jsonl`` is read from its CSVs, as the reference does. For every id that does
not begin with ``=``, ``+``, ``-`` or ``@`` the figures are the reference's.

The honorific and degree lists used to normalise names live in
``rules/scoring.yml`` so they can be reviewed without reading code; they must stay
identical to the reference scorer's sets.
"""
from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..arguments import BeritaParser
from ..fields import FIELD_NAMES
from ..io.records import iter_records, table_rows
from .rules import BUILTIN_RULES_DIR

RULES_PATH = BUILTIN_RULES_DIR / "scoring.yml"

# Report order of the fields; the first five make up core_macro_f1 (the reference
# leaves percentages and amounts out of the headline number).
FIELDS = ("event_date", "regencies", "officials", "programs",
          "participant_counts", "percentages", "amounts_idr")
CORE = FIELDS[:5]

# Numeric fields: (gold field, gold key, output table, output column, the text beside the
# number: its key in the gold and its column in the table).
NUMERIC = (("participant_counts", "count", "participants.csv", "count", "population"),
           ("percentages", "value", "percentages.csv", "value", "population"),
           ("amounts_idr", "amount", "amounts.csv", "amount_idr", "purpose"))

# The tables scored (fields.py): every field's but the dates (the event date is in articles).
SCORED_TABLES = ("articles", *(name for name in FIELD_NAMES if name != "dates"))

# Spellings of "true" accepted in regencies.csv's is_primary column.
TRUE_VALUES = {"1", "true", "yes", "y", "t"}


# --------------------------------------------------------------------------- rules

@lru_cache(maxsize=None)
def scoring_words() -> tuple[frozenset[str], frozenset[str]]:
    """(honorifics, degrees) from rules/scoring.yml, read once."""
    with open(RULES_PATH, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    out = []
    for key in ("honorifics", "degrees"):
        words = data.get(key) or []
        # YAML turns bare `yes`/`no`/numbers into non-strings; refuse rather than
        # silently compare str(True) against name tokens.
        bad = [w for w in words if not isinstance(w, str)]
        if bad:
            raise ValueError(f"{RULES_PATH}: {key} must be strings, quote {bad!r}")
        out.append(frozenset(words))
    return out[0], out[1]


# ------------------------------------------------------------------- normalisation

def norm_text(s: str | None) -> str:
    """Lower-case, drop apostrophes, turn other punctuation into spaces."""
    s = unicodedata.normalize("NFKC", s or "").lower()
    s = re.sub(r"[\u2019'`]", "", s)  # "Ma'ruf" and "Maruf" are the same word
    s = re.sub(r"[^\w\s]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def norm_name(s: str | None) -> str:
    """A person's name without honorifics, degrees and punctuation, lower-cased."""
    honorifics, degrees = scoring_words()
    tokens = re.split(r"[\s,]+", unicodedata.normalize("NFKC", s or "").strip())
    kept = []
    for tok in tokens:
        # "S.Sos." -> "ssos", "H." -> "h": punctuation inside titles varies by site.
        key = re.sub(r"[^\w]", "", tok.lower())
        if key and key not in honorifics and key not in degrees:
            kept.append(key)
    return " ".join(kept)


def norm_program(s: str | None) -> str:
    """Program name lower-cased; a leading 'Program' (or the common typo) is noise."""
    return re.sub(r"^(program|progam)\s+", "", norm_text(s))


def to_number(s) -> float | None:
    """Indonesian decimal comma accepted; unparseable or empty -> None."""
    if s is None or s == "":
        return None
    try:
        value = float(str(s).replace(",", "."))
    except ValueError:
        return None
    # 3 decimals so 87.8 written as 87,80 or 87.8000001 still matches.
    return round(value, 3)


# ----------------------------------------------------------------------- inputs

def read_gold(gold_path) -> list[dict]:
    """Gold JSONL records in file order (blank lines skipped)."""
    with open(gold_path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_table(pred_dir, name: str) -> list[dict]:
    """Rows of one output table; a missing table is empty. utf-8-sig: tables carry a BOM."""
    path = Path(pred_dir) / name
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _cell(value) -> str:
    """A record value as its CSV cell, without the spreadsheet guard (see tables.safe_cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_run_tables(pred_dir) -> dict[str, list[dict]] | None:
    """The scored tables' rows rebuilt from PRED_DIR/records.jsonl, or None without one.

    The CSVs write a cell that begins with `=`, `+`, `-` or `@` as `'-...` so a spreadsheet
    does not run it; ids like `-12` would then miss their gold. records.jsonl holds the
    values themselves, and `records.table_rows` gives exactly the CSVs' rows from it.
    Raises ValueError (`records.jsonl:LINE: ...`) for a line that is not a record.
    """
    path = Path(pred_dir) / "records.jsonl"
    if not path.is_file():
        return None
    tables: dict[str, list[dict]] = {f"{t}.csv": [] for t in SCORED_TABLES}
    for record in iter_records(path):
        for table, row in table_rows(record):
            if table in SCORED_TABLES:
                tables[f"{table}.csv"].append({k: _cell(v) for k, v in row.items()})
    return tables


@dataclass
class Predictions:
    """The output tables, grouped per article id, reduced to what is scored."""
    articles: dict
    regencies: dict   # article id -> primary regency codes (list, duplicates kept)
    officials: dict   # article id -> officials.csv rows
    programs: dict    # article id -> programs.csv rows
    numbers: dict     # gold field -> article id -> parsed numbers
    texts: dict       # gold field -> article id -> (parsed number, population or purpose)


def read_predictions(pred_dir) -> Predictions:
    """The predictions of PRED_DIR: from records.jsonl when it has one (a `berita run`
    output), else from its CSV tables (what the reference scorer reads)."""
    run_tables = read_run_tables(pred_dir)

    def table(name: str) -> list[dict]:
        return read_table(pred_dir, name) if run_tables is None else run_tables[name]

    # Later rows for the same article id win, as in the reference.
    articles = {r.get("article_id"): r for r in table("articles.csv")}

    regencies = defaultdict(list)
    for r in table("regencies.csv"):
        # Only primary regencies are scored; mentions of other places are context.
        if str(r.get("is_primary", "")).strip().lower() in TRUE_VALUES:
            # An empty code still counts as a (wrong) prediction.
            regencies[r.get("article_id")].append((r.get("regency_code") or "").strip())

    officials = defaultdict(list)
    for r in table("officials.csv"):
        officials[r.get("article_id")].append(r)

    programs = defaultdict(list)
    for r in table("programs.csv"):
        programs[r.get("article_id")].append(r)

    numbers, texts = {}, {}
    for field, _, name, column, text in NUMERIC:
        per_article, texts_of = defaultdict(list), defaultdict(list)
        for r in table(name):
            value = to_number(r.get(column))
            if value is not None:  # an unreadable number is no prediction at all
                per_article[r.get("article_id")].append(value)
                texts_of[r.get("article_id")].append((value, r.get(text) or ""))
        numbers[field], texts[field] = per_article, texts_of

    return Predictions(articles, regencies, officials, programs, numbers, texts)


# ---------------------------------------------------------------------- counting

@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def precision(self) -> float:
        # Nothing predicted means nothing wrong was predicted: 1.0, as the reference.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> dict:
        return {"p": round(self.precision(), 4), "r": round(self.recall(), 4),
                "f1": round(self.f1(), 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


def _set_counts(gold: set, pred: set) -> tuple[int, int, int]:
    return len(gold & pred), len(pred - gold), len(gold - pred)


def token_f1(gold: str, pred: str) -> float:
    """F1 of the words two texts share (each word counted as often as both have it);
    1.0 for two empty texts."""
    want, got = Counter(norm_text(gold).split()), Counter(norm_text(pred).split())
    if not want and not got:
        return 1.0
    common = sum((want & got).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class _Tally:
    """Everything accumulated over the gold articles."""
    counts: dict
    details: dict          # field -> error lines, in gold order
    overlaps: dict         # numeric field -> token F1 of the text of each gold number found
    dates_right: int = 0
    roles_right: int = 0
    roles_scored: int = 0
    missing: int = 0


def _score_date(tally: _Tally, gold: dict, preds: Predictions) -> None:
    aid = gold["id"]
    pred = (preds.articles.get(aid) or {}).get("event_date") or None
    # Keep only the date part of a timestamp; a blank cell becomes "" (a wrong date).
    pred = pred.strip()[:10] if pred else None
    want = gold.get("event_date")
    tally.dates_right += int(pred == want)
    # A correct null is right for accuracy but is neither tp nor fp for P/R.
    tally.counts["event_date"].add(int(pred == want and want is not None),
                                   int(pred is not None and pred != want),
                                   int(want is not None and pred != want))
    if pred != want:
        tally.details["event_date"].append(f"{aid}: gold={want} pred={pred}")


def _score_regencies(tally: _Tally, gold: dict, preds: Predictions) -> None:
    aid = gold["id"]
    gold_codes = [r["code"] for r in gold.get("regencies", [])]
    pred_codes = preds.regencies[aid]
    tp, fp, fn = _set_counts(set(gold_codes), set(pred_codes))
    tally.counts["regencies"].add(tp, fp, fn)
    if fp or fn:
        tally.details["regencies"].append(f"{aid}: gold={gold_codes} pred={pred_codes}")


def _score_officials(tally: _Tally, gold: dict, preds: Predictions) -> None:
    aid = gold["id"]
    people = gold.get("officials", [])
    keys = [{norm_name(o["name"])} | {norm_name(x) for x in o.get("aliases", [])}
            for o in people]
    hit, spurious = set(), []
    for row in preds.officials[aid]:
        name = norm_name(row.get("name", ""))
        # First gold person carrying that name; a name shared by two gold people
        # always goes to the first, as in the reference.
        match = next((i for i, k in enumerate(keys) if name in k), None)
        if match is None:
            spurious.append(row.get("name"))
        elif match not in hit:
            hit.add(match)
            person = people[match]
            # Optional people are ambiguous, so their role is not judged either.
            if not person.get("optional"):
                roles = {norm_text(person.get("role", ""))}
                roles |= {norm_text(x) for x in person.get("role_alt", [])}
                tally.roles_scored += 1
                tally.roles_right += int(norm_text(row.get("role", "")) in roles)
    required = {i for i, o in enumerate(people) if not o.get("optional")}
    tally.counts["officials"].add(len(hit & required), len(spurious), len(required - hit))
    if spurious or required - hit:
        missed = [o["name"] for i, o in enumerate(people) if i in required - hit]
        tally.details["officials"].append(f"{aid}: missed={missed} spurious={spurious}")


def _score_programs(tally: _Tally, gold: dict, preds: Predictions) -> None:
    aid = gold["id"]
    programs = gold.get("programs", [])
    keys = [{norm_program(p["name"])} | {norm_program(x) for x in p.get("aliases", [])}
            for p in programs]
    hit, spurious = set(), []
    for row in preds.programs[aid]:
        # The acronym column is a second chance to match ("JKK" for "Jaminan ...").
        names = {norm_program(row.get("program", "")), norm_program(row.get("acronym", ""))} - {""}
        match = next((i for i, k in enumerate(keys) if names & k), None)
        if match is None:
            spurious.append(row.get("program"))
        else:
            hit.add(match)
    required = {i for i, p in enumerate(programs) if not p.get("optional")}
    tally.counts["programs"].add(len(hit & required), len(spurious), len(required - hit))
    if spurious or required - hit:
        # The reference names a missed program by its alphabetically first key.
        missed = [sorted(k)[0] for i, k in enumerate(keys) if i in required - hit]
        tally.details["programs"].append(f"{aid}: missed={missed} spurious={spurious}")


def _score_numbers(tally: _Tally, gold: dict, preds: Predictions) -> None:
    aid = gold["id"]
    for field, key, _, _, text in NUMERIC:
        items = gold.get(field, [])
        wanted = {to_number(x[key]) for x in items if not x.get("optional")}
        # A value both required and optional (stated twice) stays required.
        optional = {to_number(x[key]) for x in items if x.get("optional")} - wanted
        pred = set(preds.numbers[field][aid])
        tp, fp, fn = _set_counts(wanted, pred - optional)
        tally.counts[field].add(tp, fp, fn)
        if fp or fn:
            tally.details[field].append(
                f"{aid}: missed={sorted(wanted - pred)} spurious={sorted(pred - wanted - optional)}")
        # each gold number found: its text against the closest text of that number
        for x in items:
            number = to_number(x[key])
            if not x.get("optional") and number in pred:
                tally.overlaps[field].append(max(token_f1(x.get(text) or "", t)
                                                 for n, t in preds.texts[field][aid] if n == number))


def _evaluate(gold_path, pred_dir, ids=None) -> tuple[dict, dict, dict]:
    """(result dict as score.py --json, error lines per field, text overlap per numeric field)."""
    gold = read_gold(gold_path)
    if ids is not None:
        ids = set(ids)
        gold = [g for g in gold if g["id"] in ids]
    preds = read_predictions(pred_dir)
    tally = _Tally(counts={f: Counts() for f in FIELDS}, details={f: [] for f in FIELDS},
                   overlaps={f[0]: [] for f in NUMERIC})
    for g in gold:
        if g["id"] not in preds.articles:
            tally.missing += 1
        _score_date(tally, g, preds)
        _score_regencies(tally, g, preds)
        _score_officials(tally, g, preds)
        _score_programs(tally, g, preds)
        _score_numbers(tally, g, preds)

    result = {f: tally.counts[f].row() for f in FIELDS}
    result["event_date"]["accuracy"] = round(tally.dates_right / len(gold), 4) if gold else 0
    result["officials"]["role_accuracy"] = (
        round(tally.roles_right / tally.roles_scored, 4) if tally.roles_scored else 0)
    # Averaged from unrounded F1s, then rounded, exactly as the reference.
    result["core_macro_f1"] = round(sum(tally.counts[f].f1() for f in CORE) / len(CORE), 4)
    result["articles"] = len(gold)
    result["articles_missing_from_output"] = tally.missing
    overlap = {field: {"text": text, "pairs": len(tally.overlaps[field]),
                       "token_f1": round(sum(tally.overlaps[field]) / len(tally.overlaps[field]), 4)
                       if tally.overlaps[field] else None}
               for field, _, _, _, text in NUMERIC}
    return result, tally.details, overlap


# --------------------------------------------------------------------------- API

def score(gold_path, pred_dir, ids=None) -> dict:
    """Scores of the tables in PRED_DIR against GOLD_PATH, the dict `score.py --json` prints.

    ``ids`` (optional set of article ids) restricts the gold to those articles, as if
    the gold file held only them; predictions for other articles are ignored.
    """
    return _evaluate(gold_path, pred_dir, ids)[0]


def text_overlap(gold_path, pred_dir, ids=None) -> dict:
    """For each numeric field, how well the text beside the numbers agrees with the gold's:
    {field: {"text": "population"|"purpose", "pairs": gold numbers found, "token_f1": mean
    token F1 of their texts (None without pairs)}}. Information only: no part of `score`."""
    return _evaluate(gold_path, pred_dir, ids)[2]


def error_lines(gold_path, pred_dir, field=None, ids=None) -> list[str]:
    """Per-article misses and spurious values, like `score.py --show FIELD`.

    With ``field`` the lines are exactly score.py's; with ``field=None`` every
    field's lines are returned, grouped by field in report order, each line
    prefixed by the field name (``"officials seed-001: missed=[...] ..."``).
    """
    if field is not None and field not in FIELDS:
        raise ValueError(f"unknown field {field!r}; one of {', '.join(FIELDS)}")
    return _pick_details(_evaluate(gold_path, pred_dir, ids)[1], field)


def _pick_details(details: dict, field: str | None) -> list[str]:
    if field is not None:
        return list(details[field])
    return [f"{f} {line}" for f in FIELDS for line in details[f]]


def format_overlap(overlap: dict) -> str:
    """The text overlap (`text_overlap`) as the lines `berita eval` prints under the table."""
    lines = ["text beside the numbers, token F1 over the gold numbers found (not in core_macro_f1):"]
    for field, o in overlap.items():
        f1 = "-" if o["token_f1"] is None else f"{o['token_f1']:.3f}"
        lines.append(f"{field:19s} {o['text']:10s} token_F1={f1} (pairs={o['pairs']})")
    return "\n".join(lines)


def format_table(result: dict) -> str:
    """The text score.py prints without --show: one line per field, then the summary."""
    lines = []
    for field in FIELDS:
        r = result[field]
        extra = ""
        if field == "event_date":
            extra = f" acc={r['accuracy']:.3f}"
        elif field == "officials":
            extra = f" role_acc={r['role_accuracy']:.3f}"
        lines.append(f"{field:19s} P={r['p']:.3f} R={r['r']:.3f} F1={r['f1']:.3f} "
                     f"(tp={r['tp']} fp={r['fp']} fn={r['fn']}){extra}")
    lines.append(f"core_macro_f1={result['core_macro_f1']:.3f} "
                 f"articles={result['articles']} missing={result['articles_missing_from_output']}")
    return "\n".join(lines)


def half_ids(gold_path, half: str) -> set[str]:
    """Ids of the gold records at odd or even positions, counting records from 1.

    "odd" is the 1st, 3rd, 5th... record of the gold file, "even" the 2nd, 4th...;
    blank lines are not records. The two halves split the dev set deterministically
    so a change tuned on one half can be checked on the other.
    """
    if half not in ("odd", "even"):
        raise ValueError(f"half must be 'odd' or 'even', not {half!r}")
    want = 1 if half == "odd" else 0
    return {g["id"] for pos, g in enumerate(read_gold(gold_path), start=1) if pos % 2 == want}


_ALL = "__all__"  # --errors given without a field


def main(argv: list[str]) -> int:
    """berita eval GOLD.jsonl PRED_DIR [--json] [--errors [FIELD]] [--half odd|even]

    Scores the output tables in PRED_DIR against GOLD.jsonl with the same figures as
    the reference scorer (../shared/tools/score.py), then prints, as information, the
    token F1 of the populations and purposes beside the numbers found (`text_overlap`).

      --json            print the result as JSON (same keys and layout as score.py --json)
      --errors [FIELD]  after the scores, list each article's misses and spurious
                        values for FIELD, or for every field when FIELD is omitted
      --half odd|even   score only the gold records at odd (1st, 3rd, ...) or even
                        (2nd, 4th, ...) positions of the gold file, counted from 1,
                        blank lines skipped

    Returns 0; 2 with a one-line message when GOLD or PRED_DIR does not exist or
    PRED_DIR/records.jsonl has a line that is not a record.
    """
    parser = BeritaParser(prog="berita eval",
                          description="Score output tables against gold.")
    parser.add_argument("gold", help="gold annotations, JSONL")
    parser.add_argument("pred_dir", help="directory holding the output tables")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--errors", nargs="?", const=_ALL, metavar="FIELD",
                        help=f"list misses/spurious values ({', '.join(FIELDS)})")
    parser.add_argument("--half", choices=("odd", "even"),
                        help="score only gold records at odd/even positions (from 1)")
    args = parser.parse_args(argv)

    if not Path(args.gold).is_file():
        print(f"berita eval: error: gold file not found: {args.gold}", file=sys.stderr)
        return 2
    if not Path(args.pred_dir).is_dir():
        print(f"berita eval: error: prediction directory not found: {args.pred_dir}", file=sys.stderr)
        return 2
    field = None if args.errors in (None, _ALL) else args.errors
    if field is not None and field not in FIELDS:
        print(f"berita eval: error: unknown field {field!r}; one of {', '.join(FIELDS)}",
              file=sys.stderr)
        return 2

    ids = half_ids(args.gold, args.half) if args.half else None
    try:
        result, details, overlap = _evaluate(args.gold, args.pred_dir, ids)
    except ValueError as exc:  # a line of records.jsonl that is not a record
        print(f"berita eval: error: {exc}", file=sys.stderr)
        return 2
    # (--json is score.py's object, key for key; the overlap is printed with the table)
    print(json.dumps(result, indent=1) if args.json else format_table(result) + "\n" + format_overlap(overlap))
    if args.errors is not None:
        for line in _pick_details(details, field):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
