"""The output's fields and tables, declared once; everything else reads them from here.

A field is one kind of grounded value (dates, officials, ...). Each has its list in the
record (records.jsonl), its CSV table of the same name, its colour on the review page and
a one-line form for `berita explain`. `articles` is the one table that is not a field: a
row per article. Adding a field is one `Field(...)` here, plus its extractor and rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

@dataclass(frozen=True)
class Field:
    name: str                      # record key, Doc value list and CSV table name
    label: str                     # heading on the review page
    short: str                     # column header of the review page's value counts
    colours: tuple[str, str]       # review page: highlight background, strong colour
    columns: tuple[str, ...]       # CSV columns after article_id
    review_columns: tuple[str, ...]
    describe: Callable[[dict], str]  # the normalized value as one short text (explain)


def _date(v: dict) -> str:
    return (v.get("date") or "(no ISO date)") + (" [event]" if v.get("is_event") else "")


def _official(v: dict) -> str:
    extra = [x for x in (v.get("acting"), v.get("honorific"), v.get("degrees")) if x]
    return f"{v.get('name')} · {v.get('role')}" + (f" ({'; '.join(extra)})" if extra else "")


def _regency(v: dict) -> str:
    return f"{v.get('regency_name')} ({v.get('regency_code')})" + (" [primary]" if v.get("is_primary") else "")


def _program(v: dict) -> str:
    return v.get("program", "") + (f" ({v['acronym']})" if v.get("acronym") else "")


def _count(v: dict) -> str:
    return f"{v.get('count')}" + (f" [{v['qualifier']}]" if v.get("qualifier") else "")


def _amount(v: dict) -> str:
    return f"Rp {v.get('amount_idr'):,}".replace(",", ".")


FIELDS: tuple[Field, ...] = (
    Field("dates", "Dates", "D", ("#cfe3ff", "#2f6fd6"),
          ("date", "precision", "is_event", "surface", "start", "end", "rule"),
          ("date", "precision", "is_event", "surface", "rule"), _date),
    Field("officials", "Officials", "O", ("#ffd9b3", "#d9730d"),
          ("name", "aliases", "honorific", "degrees", "role", "position", "acting", "organization", "mentions",
           "start", "end", "surface", "sentence", "rule"),
          ("name", "honorific", "degrees", "role", "position", "acting", "organization", "surface", "rule"),
          _official),
    Field("regencies", "Regencies", "R", ("#c9f2c7", "#2e9b3a"),
          ("regency_code", "regency_name", "province_name", "is_primary", "surface", "mentions", "start", "end",
           "rule"),
          ("regency_name", "regency_code", "province_name", "is_primary", "surface", "rule"), _regency),
    Field("programs", "Programs", "P", ("#e6d1fa", "#8a3fd1"),
          ("program", "acronym", "surface", "mentions", "start", "end", "rule"),
          ("program", "acronym", "surface", "rule"), _program),
    Field("participants", "Participants", "N", ("#fff1a8", "#b08d00"),
          ("count", "population", "program", "qualifier", "surface", "start", "end", "sentence", "rule"),
          ("count", "population", "program", "qualifier", "surface", "rule"), _count),
    Field("percentages", "Percentages", "%", ("#ffcfe0", "#d6336c"),
          ("value", "population", "surface", "start", "end", "sentence", "rule"),
          ("value", "population", "surface", "rule"), lambda v: f"{v.get('value')} %"),
    Field("amounts", "Amounts", "Rp", ("#bff0ec", "#138a80"),
          ("amount_idr", "purpose", "surface", "start", "end", "sentence", "rule"),
          ("amount_idr", "purpose", "surface", "rule"), _amount),
)
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
FIELD = {f.name: f for f in FIELDS}

# event_id is not in the record: it is set once all articles are grouped (pipeline/events/)
ARTICLE_COLUMNS = ("article_id", "title", "url", "published", "event_date", "event_date_text", "regency_code",
                   "regency_name", "province_name", "status", "error", "event_id")

# events.csv: one row per event (pipeline/events/). `article_ids` are its members in input
# order ("; "), `participants` the count its members report (never their sum), `disagree`
# the compared fields on which members differ, with their values ("participants: 4474 / 4475").
EVENT_COLUMNS = ("event_id", "members", "article_ids", "event_date", "regency_code", "regency_name",
                 "province_name", "participants", "disagree")

# Each CSV table and its columns, in file order.
COLUMNS: dict[str, list[str]] = {"articles": list(ARTICLE_COLUMNS),
                                 **{f.name: ["article_id", *f.columns] for f in FIELDS}}

# What a column holds, where it is not text (typed frames, frames.py).
COLUMN_TYPES = {"count": "integer", "amount_idr": "integer", "start": "integer", "end": "integer",
                "mentions": "integer", "members": "integer", "participants": "integer", "value": "float",
                "is_primary": "boolean", "is_event": "boolean",
                "event_date": "date"}
