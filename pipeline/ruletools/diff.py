"""`berita diff RUN_A RUN_B`: the values that appear, disappear or change between two runs
of the same input (after a rule edit, say).

A value is identified by (article_id, field, start, end, first key) (the first key, e.g.
`program`, tells apart two values a bundle gives at the same offsets); among the values at
one pair of offsets, the ones left unpaired by their first key pair up in order: the same
offsets with another normalized value (its grounding aside: surface, offsets, sentence,
rule, mention count) is a change. An article's event date is compared as the field
`event_date`, and the article itself as the field `article`: it appears or disappears
(present in one run only), or changes (its status, ok or error, and error). The runs are
read from their records.jsonl side by side, one article at a time while their order agrees.
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..fields import FIELD, FIELD_NAMES
from ..io.records import iter_records

EVENT_DATE = "event_date"
ARTICLE = "article"
# What locates a value rather than says what it is.
GROUNDING = frozenset({"surface", "start", "end", "sentence", "rule", "mentions"})
KINDS = ("appeared", "disappeared", "changed")


@dataclass(frozen=True)
class Change:
    article_id: str
    field: str
    kind: str                # appeared | disappeared | changed
    start: int | None
    end: int | None
    surface: str | None
    before: dict | None      # the value in RUN_A (without its grounding), None when it appeared
    after: dict | None
    rule_before: str | None
    rule_after: str | None

    def row(self) -> dict:
        return {"article_id": self.article_id, "field": self.field, "change": self.kind, "start": self.start,
                "end": self.end, "surface": self.surface, "before": self.before, "after": self.after,
                "rule_before": self.rule_before, "rule_after": self.rule_after}


def _normalized(item: dict) -> dict:
    return {k: v for k, v in item.items() if k not in GROUNDING}


def _status(record: dict | None) -> dict | None:
    return record and {"status": record.get("status"), "error": record.get("error")}


def _pairs(field: str, before: list[dict], after: list[dict]) -> Iterator[tuple[dict | None, dict | None]]:
    """The values at one pair of offsets in RUN_A and RUN_B, paired: by their first key,
    then the rest in order (a value is missing on one side when the counts differ)."""
    first = FIELD[field].columns[0]
    after = list(after)
    unpaired = []
    for va in before:
        vb = next((v for v in after if v.get(first) == va.get(first)), None)
        if vb is None:
            unpaired.append(va)
        else:
            after.remove(vb)
            yield va, vb
    for i in range(max(len(unpaired), len(after))):
        yield (unpaired[i] if i < len(unpaired) else None), (after[i] if i < len(after) else None)


def compare(a: dict | None, b: dict | None) -> Iterator[Change]:
    """The changes from record `a` to record `b` of one article (either may be missing)."""
    aid = (a or b)["article_id"]
    status_a, status_b = _status(a), _status(b)
    if status_a != status_b:
        kind = "appeared" if a is None else "disappeared" if b is None else "changed"
        yield Change(aid, ARTICLE, kind, None, None, None, status_a, status_b, None, None)
    date_a, date_b = (a or {}).get(EVENT_DATE), (b or {}).get(EVENT_DATE)
    if date_a != date_b:
        kind = "appeared" if date_a is None else "disappeared" if date_b is None else "changed"
        text = (b if date_b is not None else a).get("event_date_text")
        yield Change(aid, EVENT_DATE, kind, None, None, text, date_a and {"date": date_a},
                     date_b and {"date": date_b}, None, None)
    for field in FIELD_NAMES:
        before: dict[tuple, list[dict]] = {}
        after: dict[tuple, list[dict]] = {}
        for values, record in ((before, a), (after, b)):
            for v in (record or {}).get(field) or []:
                values.setdefault((v["start"], v["end"]), []).append(v)
        for key in sorted(before.keys() | after.keys()):
            for va, vb in _pairs(field, before.get(key, []), after.get(key, [])):
                if va is not None and vb is not None and _normalized(va) == _normalized(vb):
                    continue
                kind = "appeared" if va is None else "disappeared" if vb is None else "changed"
                yield Change(aid, field, kind, key[0], key[1], (vb or va).get("surface"),
                             va and _normalized(va), vb and _normalized(vb),
                             va and va.get("rule"), vb and vb.get("rule"))


def diff_runs(run_a, run_b) -> Iterator[Change]:
    """Every change from RUN_A to RUN_B, article by article in RUN_A's order (articles only
    in RUN_B at the end). ValueError when a directory has no readable records.jsonl."""
    paths = []
    for run in (run_a, run_b):
        path = Path(run) / "records.jsonl"
        if not path.is_file():
            raise ValueError(f"{run}: no records.jsonl (not a berita output directory)")
        paths.append(path)
    only_a: dict[str, dict] = {}  # read ahead while the two orders disagree
    only_b: dict[str, dict] = {}
    order: list[str] = []
    records_b = iter_records(paths[1])
    for a in iter_records(paths[0]):
        aid = a["article_id"]
        b = only_b.pop(aid, None)
        if b is None:
            for b in records_b:
                if b["article_id"] == aid:
                    break
                only_b[b["article_id"]] = b
            else:  # RUN_B has no such article
                b = None
        if b is None:
            only_a[aid] = a
            order.append(aid)
            continue
        # the articles of RUN_A read before this one and still unmatched are not in RUN_B
        yield from _flush(only_a, order)
        yield from compare(a, b)
    yield from _flush(only_a, order)
    for b in [*only_b.values(), *records_b]:
        yield from compare(None, b)


def _flush(only_a: dict, order: list) -> Iterator[Change]:
    for aid in order:
        yield from compare(only_a.pop(aid), None)
    order.clear()


def describe(field: str, value: dict | None) -> str:
    if value is None:
        return "-"
    if field == ARTICLE:
        return value["status"] + (f" ({value['error']})" if value.get("error") else "")
    return (value["date"] or "none") if field == EVENT_DATE else FIELD[field].describe(value)


def _what_changed(field: str, before: dict, after: dict) -> str:
    """The value, then each key that changed (its short form may not show it)."""
    if field in (EVENT_DATE, ARTICLE):
        return f"{describe(field, before)} → {describe(field, after)}"
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return f"{describe(field, after)}: " + "; ".join(f"{k} {_quoted(before.get(k))} → {_quoted(after.get(k))}"
                                                      for k in keys)


def _quoted(value) -> str:
    return json.dumps(value, ensure_ascii=False)  # quotes show where a text ends


def render(changes: list[Change], run_a: str, run_b: str) -> str:
    """The changes for a terminal: per article, one line per value; then counts per field."""
    marks = {"appeared": "+", "disappeared": "-", "changed": "~"}
    lines, article = [], None
    for c in changes:
        if c.article_id != article:
            article = c.article_id
            lines.append(f"{article}")
        where = f"{c.start}-{c.end}" if c.start is not None else ""
        quoted = f'"{" ".join((c.surface or "").split())}"' if c.surface else ""
        if c.kind == "changed":
            what = _what_changed(c.field, c.before, c.after)
        else:
            what = describe(c.field, c.after if c.kind == "appeared" else c.before)
        if c.rule_before and c.rule_after and c.rule_before != c.rule_after:
            rule = f"  rule {c.rule_before} → {c.rule_after}"
        else:
            rule = f"  rule {c.rule_after or c.rule_before}" if c.rule_after or c.rule_before else ""
        grounding = f"  ← {quoted} {where}{rule}" if c.field != ARTICLE else ""  # an article has no offsets
        lines.append(f"  {marks[c.kind]} {c.field:<12} {what}{grounding}".rstrip())
    if not changes:
        return f"no differences between {run_a} and {run_b}"
    lines.append("")
    counts: dict[str, dict[str, int]] = {}
    for c in changes:
        counts.setdefault(c.field, dict.fromkeys(KINDS, 0))[c.kind] += 1
    for field, n in counts.items():
        lines.append(f"{field:<13} +{n['appeared']} -{n['disappeared']} ~{n['changed']}")
    articles = len({c.article_id for c in changes})
    lines.append(f"{len(changes)} changes in {articles} article{'s' if articles != 1 else ''} "
                 f"({run_a} → {run_b})")
    return "\n".join(lines)


def write(changes: Iterator[Change], fmt: str, out=None) -> int:
    """Write the changes as jsonl or csv to `out` (stdout); returns how many there were."""
    out = out or sys.stdout
    n = 0
    writer = csv.writer(out) if fmt == "csv" else None
    for c in changes:
        row = c.row()
        if writer is None:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            if n == 0:
                writer.writerow(row)  # the header
            writer.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for v in row.values()])
        n += 1
    return n
