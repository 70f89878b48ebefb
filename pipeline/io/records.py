"""From an annotated Doc to one nested record per article, and from records to table rows.

The record is what `records.jsonl` holds (see docs/CONTRACT.md); the CSV tables are flat
views of it. Internal working keys of the extractors (those the contract does not name)
are dropped here.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from spacy.tokens import Doc

from .reading import first_line
from ..extractors.cleaning import SourceMap, source_map
from ..fields import COLUMNS, FIELD_NAMES as FIELDS
from ..extractors.spans import sentence_bounds, text_of, values


def _keep(item: dict, table: str) -> dict:
    return {k: item.get(k) for k in COLUMNS[table] if k != "article_id"}


def regency_rows(doc: Doc) -> list[dict]:
    """One row per regency per article (the first mention grounds it), mentions counted."""
    rows: dict[str, dict] = {}
    for v in values(doc, "regencies"):
        code = v["regency_code"]
        if code in rows:
            rows[code]["mentions"] += 1
            # a party mention is the better grounding for a reviewer
            if v["rule"] == "regencies.government" and rows[code]["rule"] != "regencies.government":
                rows[code].update(start=v["start"], end=v["end"], surface=v["surface"], rule=v["rule"])
            continue
        rows[code] = dict(v, mentions=1)
    return sorted(rows.values(), key=lambda r: (not r["is_primary"], r["start"]))


def participant_rows(doc: Doc) -> list[dict]:
    """The same number stated twice is one count (ANNOTATION.md): keep its first mention."""
    seen, rows = set(), []
    for v in values(doc, "participants"):
        if v["count"] in seen:
            continue
        seen.add(v["count"])
        rows.append(v)
    return rows


def unique_by(items: list[dict], key: str) -> list[dict]:
    seen, rows = set(), []
    for v in items:
        if v[key] in seen:
            continue
        seen.add(v[key])
        rows.append(v)
    return rows


def doc_to_record(doc: Doc, article) -> dict:
    # a text with invisible characters or decomposed accents was annotated in its matching
    # form (cleaning.py): offsets, surfaces and sentences go back to the text as written
    source = source_map(doc)
    text = text_of(doc) if source is None else source.original

    def keep(v: dict, table: str) -> dict:
        item = _keep(v, table)
        return item if source is None else _in_source(doc, source, item)

    event = doc._.event_date
    regencies = regency_rows(doc)
    primary = next((r for r in regencies if r["is_primary"]), None)
    boilerplate = [list(r if source is None else source.range(*r)) for r in doc._.boilerplate]
    record = {
        "article_id": article.id, "title": article.title or first_line(text, boilerplate), "url": article.url,
        "published": article.published, "author": article.author, "status": "ok", "error": None, "warnings": list(article.warnings),
        "text": text,
        "event_date": event["date"] if event else None,
        "event_date_text": (event["surface"] if source is None else source.ground(event)["surface"]) if event else None,
        "regency_code": primary["regency_code"] if primary else None,
        "regency_name": primary["regency_name"] if primary else None,
        "province_name": primary["province_name"] if primary else None,
        "boilerplate": boilerplate,
        "sentences": [r if source is None else list(source.range(*r)) for r in _sentence_ranges(doc)],
        "dates": [keep(v, "dates") for v in values(doc, "dates")],
        "officials": [keep(v, "officials") for v in values(doc, "officials")],
        "regencies": [keep(v, "regencies") for v in regencies],
        "programs": [keep(v, "programs") for v in values(doc, "programs")],
        "participants": [keep(v, "participants") for v in participant_rows(doc)],
        "percentages": [keep(v, "percentages") for v in unique_by(values(doc, "percentages"), "value")],
        "amounts": [keep(v, "amounts") for v in unique_by(values(doc, "amounts"), "amount_idr")],
    }
    return record


def _in_source(doc: Doc, source: SourceMap, item: dict) -> dict:
    """A value of the matching form with its offsets, surface and sentence in the text as written."""
    grounded = source.ground(item)
    if "sentence" in item:
        start, end = source.range(*sentence_bounds(doc, item["start"]))
        grounded["sentence"] = source.original[start:end].strip()
    return grounded


def error_record(article, error: str) -> dict:
    # the title an ok row would have: the given one, else the text's first line
    title = article.title or first_line(article.text or "") or None
    record = {"article_id": article.id, "title": title, "url": article.url, "published": article.published,
              "author": article.author, "status": "error", "error": error, "warnings": list(getattr(article, "warnings", []) or []),
              "text": article.text or "", "event_date": None, "event_date_text": None, "regency_code": None,
              "regency_name": None, "province_name": None, "boilerplate": [], "sentences": []}
    for f in FIELDS:
        record[f] = []
    return record


def _sentence_ranges(doc: Doc) -> list[list[int]]:
    starts = list(doc._.sentence_starts) or [0]
    text = text_of(doc)
    ends = starts[1:] + [len(text)]
    out = []
    for s, e in zip(starts, ends):
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append([s, e])
    return out


def table_rows(record: dict):
    """Yield (table, row) for every CSV row of one record."""
    yield "articles", {k: record.get(k) for k in COLUMNS["articles"]}
    for field in FIELDS:
        for item in record.get(field, []):
            row = {"article_id": record["article_id"]}
            row.update({k: item.get(k) for k in COLUMNS[field] if k != "article_id"})
            if isinstance(row.get("aliases"), list):
                row["aliases"] = "; ".join(row["aliases"])
            yield field, row


def read_record(line: str) -> dict:
    """One line of records.jsonl as a record; ValueError (one line, never RecursionError or a
    traceback from deep inside the parser) when it is not a JSON object."""
    try:
        record = json.loads(line)
    except RecursionError:
        raise ValueError("not a record: JSON nested too deeply") from None
    except ValueError as exc:
        raise ValueError(f"not a record: invalid JSON ({exc})") from None
    if not isinstance(record, dict):
        raise ValueError(f"not a record: not a JSON object (got {type(record).__name__})")
    return record


def iter_records(path: str | Path) -> Iterator[dict]:
    """The records of a records.jsonl in order (blank lines skipped); ValueError naming
    `path:line` at the first line that is not a record."""
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield read_record(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{lineno}: {exc}") from None
