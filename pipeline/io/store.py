"""The store: daily batches appended to one DuckDB database file.

`berita run NEW... --into STORE.duckdb` adds articles to the store instead of rewriting
the tables; `berita export STORE.duckdb --out DIR` writes the tables from it. DuckDB is
imported only here, and this module only by those two commands.

The database holds:

* `records`: one row per article: `article_id`, `seq` (its place in export order),
  `text_hash`, `rules_fingerprint`, `input` (the article as read, without its text: what a
  rerun needs, JSON) and `record` (its records.jsonl object, JSON with \\u escapes so that
  any text is kept exactly). The record is the store's source of truth;
* one table per CSV table (`articles`, `dates`, `officials`, ...) with the CSV's columns
  (fields.COLUMNS, typed as fields.COLUMN_TYPES says) plus `text_hash` and
  `rules_fingerprint`, for SQL. Their cells are the values without the spreadsheet guard;
  a lone surrogate is `?`, as in the CSVs; an integer beyond 64 bits is NULL there (the
  record keeps it);
* `events`: one row per event (events.csv); `event_keys`: what grouping needs of each
  article (its key as JSON, its MinHash signature, its event id) and `event_blocks`: the
  blocks it is compared within (pipeline/events/), so that an append groups its new
  articles with the stored ones that share a block, without reading records again or
  comparing the rest. `articles.event_id` is filled from that grouping;
* `store_info`: the schema version.

An append (`Append`) is one transaction, so a run that is interrupted or killed leaves
the store as it was:

* an article whose normalized text (`text_hash`: NFC, runs of whitespace as one space)
  is already in the store is skipped, whatever its id, and so is a known id with the same
  text; a known id with another text is reprocessed and its rows replaced (it keeps its
  place in export order);
* `stale()` gives the articles whose rows came from another rule set, rebuilt from the
  text kept in their record, to be reprocessed (`--rerun-stale`).

Export goes through the writers of a run (tables.TableWriter) with the stored records in
`seq` order, so its files are byte-identical to `berita run` over the same articles in the
order they were added.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Iterator

from ..events import EventKey, block_keys, event_id, event_key, event_rows, group
from ..fields import COLUMN_TYPES, COLUMNS, EVENT_COLUMNS
from .reading import Article
from .records import table_rows

SCHEMA_VERSION = "2"  # 2: events, event_keys, articles.event_id
# records held in memory before they go into the open transaction (each insert costs ~20 ms
# whatever its size, so not every batch of 64)
FLUSH_EVERY = 500
SQL_TYPES = {"integer": "BIGINT", "float": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE", "text": "VARCHAR"}
INT64 = range(-(2 ** 63), 2 ** 63)
RECORD_COLUMNS = ("article_id", "seq", "text_hash", "rules_fingerprint", "input", "record")
ROW_EXTRA = ("text_hash", "rules_fingerprint")  # after the CSV columns in every flat table


class StoreError(Exception):
    """The store cannot be opened or written (one-line message)."""


def text_hash(text: str) -> str:
    """The same text scraped twice, up to Unicode normal form and whitespace, has one hash."""
    normal = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()[:32]


EMPTY_HASH = text_hash("")  # an empty text (an unreadable record) is nobody's duplicate


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(names) -> str:
    return ", ".join(_quote(c) for c in names)


def _sql_text(value: str) -> str:
    """DuckDB text is UTF-8: a lone surrogate becomes `?` (as in the CSVs)."""
    return value.encode("utf-8", "replace").decode("utf-8")


def _cell(value, kind: str):
    if value is None:
        return None
    if kind == "integer":
        return value if value in INT64 else None
    if kind == "float":
        return float(value)
    if kind in ("boolean", "date"):
        return value
    if isinstance(value, bool):  # as the CSVs write it
        return "true" if value else "false"
    return _sql_text(value if isinstance(value, str) else str(value))


def _types() -> dict[str, str]:
    return {c: SQL_TYPES[COLUMN_TYPES.get(c, "text")]
            for columns in [*COLUMNS.values(), EVENT_COLUMNS] for c in columns}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _insert(con, table: str, columns, rows: list) -> None:
    if not rows:
        return
    import pandas as pd
    # a DataFrame goes in as one statement (row by row, DuckDB is a thousand times slower)
    frame = pd.DataFrame(rows, columns=list(columns), dtype=object)
    con.register("berita_rows", frame)
    try:
        con.execute(f"INSERT INTO {_quote(table)} ({_columns(columns)}) SELECT {_columns(columns)} FROM berita_rows")
    finally:
        con.unregister("berita_rows")


def _insert_keys(con, article_ids: list[str], seqs: list[int], keys: list[EventKey]) -> None:
    """Articles' event keys and blocks (no event yet: `_group_events` gives them one)."""
    import numpy as np
    import pandas as pd
    _insert(con, "event_keys", ("article_id", "seq", "key", "signature"),
            [[i, seq, json.dumps(k[:-1]), k.signature] for i, seq, k in zip(article_ids, seqs, keys)])
    blocks, owners = block_keys(keys)
    frame = pd.DataFrame({"seq": np.array(seqs, dtype=np.int64)[owners], "block": blocks.view(np.int64)})
    con.register("berita_blocks", frame)
    try:
        con.execute("INSERT INTO event_blocks SELECT seq, block FROM berita_blocks")
    finally:
        con.unregister("berita_blocks")


def _group_events(con, everything: bool) -> None:
    """Group the store's articles into events (`events`, `articles.event_id`), as a run
    over the same articles in store order groups them, with one exception: a stored event
    is never taken apart, so an article of unknown regency stays where it joined even when
    a later article would link to it more strongly (docs/EVENTS.md, "Event ids").

    New articles (no event yet) are compared with each other and with the stored articles
    that share a block with them; the events those belong to are read whole and rewritten,
    the rest of the store is not touched. With `everything` (after a replacement: the links
    of the replaced text may be gone) the whole store is regrouped."""
    if everything:
        con.execute("UPDATE event_keys SET event_id = NULL")
        touched: list[str] = []
    else:
        touched = [e for (e,) in con.execute(
            "SELECT DISTINCT k.event_id FROM event_keys nk JOIN event_blocks n ON n.seq = nk.seq "
            "JOIN event_blocks o ON o.block = n.block JOIN event_keys k ON k.seq = o.seq "
            "WHERE nk.event_id IS NULL AND k.event_id IS NOT NULL").fetchall()]
    rows = con.execute("SELECT key, signature, event_id FROM event_keys "
                       "WHERE event_id IS NULL OR list_contains(?, event_id) ORDER BY seq", [touched]).fetchall()
    if not rows:
        return
    keys = [EventKey(*json.loads(key), signature) for key, signature, _ in rows]
    known: dict[str, list[int]] = {}
    for i, (_, _, old) in enumerate(rows):
        if old is not None:
            known.setdefault(old, []).append(i)
    firsts = group(keys, events=list(known.values()), only=[old is None for _, _, old in rows])
    ids = [[_sql_text(k.article_id), event_id(keys[first].article_id)] for k, first in zip(keys, firsts)]
    events = [[_cell(row[c], COLUMN_TYPES.get(c, "text")) for c in EVENT_COLUMNS] for row in event_rows(keys, firsts)]
    if everything:
        con.execute("DELETE FROM events")
    else:
        con.execute("DELETE FROM events WHERE list_contains(?, event_id)", [touched])
    _insert(con, "events", EVENT_COLUMNS, events)
    import pandas as pd
    con.register("berita_event_ids", pd.DataFrame(ids, columns=["article_id", "event_id"], dtype=object))
    try:  # only the rows whose event changed are written
        for table in ("event_keys", "articles"):
            con.execute(f"UPDATE {table} SET event_id = e.event_id FROM berita_event_ids e "
                        f"WHERE {table}.article_id = e.article_id AND {table}.event_id IS DISTINCT FROM e.event_id")
    finally:
        con.unregister("berita_event_ids")


class Store:
    """One open store; a new file becomes an empty store."""

    def __init__(self, path, read_only: bool = False):
        import duckdb
        self.path = Path(path)
        self.errors = duckdb.Error
        if self.path.is_dir():
            raise StoreError(f"{path}: is a directory; give the database file (e.g. {path}/berita.duckdb)")
        if read_only and not self.path.is_file():
            raise StoreError(f"{path}: no such store")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:  # not a DuckDB file, or another process is writing it
            raise StoreError(f"{path}: cannot open the store ({_one_line(exc)})") from None
        try:
            self._check_schema(read_only)
        except BaseException:
            self.con.close()
            raise

    def _check_schema(self, read_only: bool) -> None:
        tables = {name for (name,) in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        if "store_info" in tables:
            row = self.con.execute("SELECT value FROM store_info WHERE key = 'schema'").fetchone()
            if row is not None and row[0] == "1" and read_only:
                raise StoreError(f"{self.path}: a store without events (schema 1): the next "
                                 f"`berita run ... --into {self.path}` adds them")
            if row is not None and row[0] == "1":
                self._upgrade()
                return
            if row is None or row[0] != SCHEMA_VERSION:
                raise StoreError(f"{self.path}: a store of another berita version (schema "
                                 f"{row[0] if row else '?'}, this berita reads {SCHEMA_VERSION})")
            return
        if tables or read_only:  # another program's database is not berita's to add to
            raise StoreError(f"{self.path}: not a berita store")
        types = _types()
        self.con.execute("BEGIN TRANSACTION")
        self.con.execute("CREATE TABLE store_info (key VARCHAR, value VARCHAR)")
        self.con.execute("INSERT INTO store_info VALUES ('schema', ?)", [SCHEMA_VERSION])
        self.con.execute("CREATE TABLE records (article_id VARCHAR, seq BIGINT, text_hash VARCHAR, "
                         "rules_fingerprint VARCHAR, input VARCHAR, record VARCHAR)")
        for table, columns in COLUMNS.items():
            spec = ", ".join(f"{_quote(c)} {types[c]}" for c in columns)
            self.con.execute(f"CREATE TABLE {_quote(table)} ({spec}, text_hash VARCHAR, rules_fingerprint VARCHAR)")
        self._create_event_tables()
        self.con.execute("COMMIT")

    def _create_event_tables(self) -> None:
        types = _types()
        self.con.execute(f"CREATE TABLE events ({', '.join(f'{_quote(c)} {types[c]}' for c in EVENT_COLUMNS)})")
        self.con.execute("CREATE TABLE event_keys (article_id VARCHAR, seq BIGINT, key VARCHAR, signature BLOB, "
                         "event_id VARCHAR)")
        self.con.execute("CREATE TABLE event_blocks (seq BIGINT, block BIGINT)")

    def _upgrade(self) -> None:
        """A store of schema 1 (before events) gets them: each stored record's event key,
        then one grouping, in one transaction."""
        try:
            self.con.execute("BEGIN TRANSACTION")
            self.con.execute("ALTER TABLE articles ADD COLUMN event_id VARCHAR")
            self._create_event_tables()
            last = -1
            while rows := self.con.execute("SELECT article_id, seq, record FROM records WHERE seq > ? ORDER BY seq "
                                           "LIMIT ?", [last, FLUSH_EVERY]).fetchall():
                _insert_keys(self.con, [r[0] for r in rows], [r[1] for r in rows],
                             [event_key(json.loads(r[2])) for r in rows])
                last = rows[-1][1]
            _group_events(self.con, everything=True)
            self.con.execute("UPDATE store_info SET value = ? WHERE key = 'schema'", [SCHEMA_VERSION])
            self.con.execute("COMMIT")
        except self.errors as exc:
            self.con.execute("ROLLBACK")
            raise StoreError(f"{self.path}: cannot add events to the store ({_one_line(exc)})") from None

    def records(self) -> Iterator[dict]:
        """Every stored record, in export order."""
        cursor = self.con.execute("SELECT record FROM records ORDER BY seq")
        while rows := cursor.fetchmany(256):
            for (record,) in rows:
                yield json.loads(record)

    def event_keys(self) -> list[EventKey]:
        """Every article's event key (pipeline/events/), in export order."""
        rows = self.con.execute("SELECT key, signature FROM event_keys ORDER BY seq").fetchall()
        return [EventKey(*json.loads(key), signature) for key, signature in rows]

    def fingerprints(self) -> dict[str, int]:
        """{rule-set fingerprint: articles whose rows it produced}."""
        return dict(self.con.execute("SELECT rules_fingerprint, count(*) FROM records GROUP BY ALL ORDER BY ALL")
                    .fetchall())

    def close(self) -> None:
        self.con.close()


class Append:
    """One `berita run --into`: which articles to process, and their records, written into
    one transaction that `commit` ends (`rollback`, or a kill, leaves the store as it was)."""

    def __init__(self, store: Store, fingerprint: str):
        self.store, self.con, self.fingerprint = store, store.con, fingerprint
        rows = self.con.execute("SELECT article_id, text_hash, seq, rules_fingerprint FROM records ORDER BY seq"
                                ).fetchall()
        self.known = {article_id: (h, seq) for article_id, h, seq, _ in rows}
        self.hashes = {h for _, h, _, _ in rows}
        self.stale_ids = [article_id for article_id, _, _, fp in rows if fp != fingerprint]
        self.next_seq = rows[-1][2] + 1 if rows else 0
        self.pending: dict[str, tuple] = {}  # id -> (text_hash, seq, replaces, input) until its record comes
        self.buffer: list[dict] = []
        self.counts = {"added": 0, "replaced": 0, "skipped": 0, "ok": 0, "error": 0}
        self.con.execute("BEGIN TRANSACTION")

    def _schedule(self, article: Article, h: str) -> None:
        key = _sql_text(article.id)
        old = self.known.get(key)
        seq = old[1] if old else self.next_seq
        self.next_seq += old is None
        self.known[key] = (h, seq)
        self.hashes.add(h)
        given = {"title": article.title, "url": article.url, "published": article.published,
                 "source": article.source, "error": article.error, "warnings": list(article.warnings)}
        self.pending[article.id] = (h, seq, old is not None, json.dumps(given))

    def select(self, articles) -> Iterator[Article]:
        """The articles to process: those whose text is not in the store yet."""
        for article in articles:
            h = text_hash(article.text or "")
            old = self.known.get(_sql_text(article.id))
            if (old and old[0] == h) or (h != EMPTY_HASH and h in self.hashes):
                self.counts["skipped"] += 1
                continue
            self._schedule(article, h)
            yield article

    def stale(self) -> Iterator[Article]:
        """The stored articles whose rows came from another rule set (and that this append
        has not replaced already), rebuilt from their stored text and input, in store order."""
        ids = [i for i in self.stale_ids if i not in self.pending]
        for start in range(0, len(ids), FLUSH_EVERY):
            rows = self.con.execute("SELECT text_hash, input, record FROM records WHERE list_contains(?, article_id) "
                                    "ORDER BY seq", [ids[start:start + FLUSH_EVERY]]).fetchall()
            for h, given, record in rows:
                record = json.loads(record)
                article = Article(id=record["article_id"], text=record["text"], **json.loads(given))
                self._schedule(article, h)
                yield article

    def add(self, record: dict) -> None:
        self.buffer.append(record)
        self.counts["ok" if record["status"] == "ok" else "error"] += 1
        if len(self.buffer) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        """The buffered records into the open transaction."""
        rows: dict[str, list] = {table: [] for table in COLUMNS}
        records, replaced, keys, seqs = [], [], [], []
        for record in self.buffer:
            h, seq, replaces, given = self.pending.pop(record["article_id"])
            article_id = _sql_text(record["article_id"])
            if replaces:
                replaced.append(article_id)
            seqs.append(seq)
            records.append([article_id, seq, h, self.fingerprint, given, json.dumps(record)])
            key = event_key(record)
            keys.append(key)
            for table, row in table_rows(record):
                rows[table].append([_cell(row[c], COLUMN_TYPES.get(c, "text")) for c in COLUMNS[table]]
                                   + [h, self.fingerprint])
        try:
            if replaced:
                for table in ("records", "event_keys", *COLUMNS):
                    self.con.execute(f"DELETE FROM {_quote(table)} WHERE list_contains(?, article_id)", [replaced])
                self.con.execute("DELETE FROM event_blocks WHERE list_contains(?, seq)",
                                 [[seq for seq, r in zip(seqs, records) if r[0] in replaced]])
            _insert(self.con, "records", RECORD_COLUMNS, records)
            _insert_keys(self.con, [r[0] for r in records], seqs, keys)
            for table, columns in COLUMNS.items():
                _insert(self.con, table, [*columns, *ROW_EXTRA], rows[table])
        except self.store.errors as exc:
            raise StoreError(f"{self.store.path}: {_one_line(exc)}") from None
        self.counts["replaced"] += len(replaced)
        self.counts["added"] += len(records) - len(replaced)
        self.buffer = []

    def commit(self) -> None:
        self.flush()
        try:
            _group_events(self.con, everything=self.counts["replaced"] > 0)
            self.con.execute("COMMIT")
        except self.store.errors as exc:
            raise StoreError(f"{self.store.path}: {_one_line(exc)}") from None

    def rollback(self) -> None:
        try:
            self.con.execute("ROLLBACK")
        except self.store.errors:  # the failed statement already ended the transaction
            pass
