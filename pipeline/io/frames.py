"""The output tables as pandas DataFrames, with the types their columns mean.

`pandas.read_csv` guesses types from the cells: regency code `33.10` becomes the float
33.1, `true`/`false` stay strings, a count column with a blank becomes float. Here the
frames are built from `records.jsonl` (the exact record of every article, the CSVs'
source) with `records.table_rows`, so each frame has exactly the rows and columns of its
CSV, cells are the values themselves (no spreadsheet-formula guard), and:

* identifiers, codes, names, surfaces and dates are strings (`dates.date` can be a
  month, `2025-01`); `articles.event_date` is a datetime64 column;
* counts, amounts, offsets and mention counts are nullable integers (`Int64`);
* percentages are floats; `is_primary` and `is_event` are nullable booleans.

`articles.event_id` is not in the records (events are grouped over the whole run): it is
read from articles.csv, row for row. `load_events` gives events.csv, typed the same way.

    >>> from pipeline.io.frames import load_tables
    >>> t = load_tables("outputs/latest")
    >>> t["participants"].groupby("article_id")["count"].sum()
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ..fields import COLUMN_TYPES, COLUMNS, EVENT_COLUMNS
from .records import iter_records, table_rows

# pandas dtype of each kind of column (fields.COLUMN_TYPES); other columns are text
DTYPES = {"integer": "Int64", "float": "Float64", "boolean": "boolean", "text": "string"}


def _frame(columns: list[str], rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame([[row.get(c) for c in columns] for row in rows], columns=columns, dtype=object)
    for c in columns:
        kind = COLUMN_TYPES.get(c, "text")
        if kind == "date":
            frame[c] = pd.to_datetime(frame[c], format="%Y-%m-%d")
        else:
            frame[c] = frame[c].astype(DTYPES[kind])
    return frame


def load_tables(out_dir: str | Path) -> dict[str, pd.DataFrame]:
    """{table name: DataFrame} for every table of a `berita run` output directory.

    Raises ValueError (`records.jsonl:LINE: ...`) when a line of records.jsonl is not a record."""
    rows: dict[str, list[dict]] = {table: [] for table in COLUMNS}
    for record in iter_records(Path(out_dir) / "records.jsonl"):
        for table, row in table_rows(record):
            rows[table].append(row)
    for row, event_id in zip(rows["articles"], _csv_column(Path(out_dir) / "articles.csv", "event_id")):
        row["event_id"] = event_id
    return {table: _frame(COLUMNS[table], table_rows_) for table, table_rows_ in rows.items()}


def load_events(out_dir: str | Path) -> pd.DataFrame:
    """events.csv of a `berita run` output directory as a typed DataFrame."""
    with open(Path(out_dir) / "events.csv", encoding="utf-8-sig", newline="") as f:
        rows = [{c: (v if v != "" else None) for c, v in row.items()} for row in csv.DictReader(f)]
    for row in rows:
        for c in ("members", "participants"):
            row[c] = int(row[c]) if row[c] is not None else None
    return _frame(list(EVENT_COLUMNS), rows)


def _csv_column(path: Path, column: str):
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            yield row[column] or None
