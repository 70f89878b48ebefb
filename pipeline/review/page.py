"""Offline review page for a run: ``OUTDIR/review.html`` and its data folder ``OUTDIR/review/``.

``write_review(outdir)`` reads ``OUTDIR/records.jsonl`` (see docs/CONTRACT.md) one line at a
time and writes

* ``review.html``: the page (HTML, CSS and JavaScript from ``pipeline/review/assets``,
  inlined) with a compact index of the articles: id, title, status, event date, regency,
  the number of values per field, the rule ids used, the number of values to review and
  the event id; and the run's fingerprint (:class:`RunFingerprint`), which keys the
  reviewer's marks in the browser and the ``run`` of corrections.jsonl (docs/CORRECTIONS.md);
* ``review/part-0001.js``, ``part-0002.js``, …: the records, ``PART_SIZE`` per file. A
  value's ``sentence`` that is the text of its sentence range is written as that range's
  number (the page puts the text back, so an exported value is the record's). Each
  file is a script that hands its records to the page; the page loads a part when an
  article in it is opened or a search looks into the texts, and keeps only a few.

So memory stays flat whatever the number of articles, and a run of any size opens at once.
The page works opened from disk (``file://``), with no server and no network, as long as
``review/`` stays beside it.

Every piece of data is JSON in which ``<``, ``>`` and ``&`` are written as ``\\u003c``,
``\\u003e`` and ``\\u0026``, so article text containing ``</script>`` or ``<!--`` cannot
end a script early. The page builds the DOM with ``createElement``/``textContent`` only;
article text never goes through ``innerHTML``. Its Content-Security-Policy runs only
scripts carrying the run's nonce (the page's own and its parts).

A page is complete or absent: the files are written, fsync'ed and only then put in place;
if writing fails (a full disk), what was written is removed and the error raised.

CLI: ``berita review OUTDIR [--records PATH]`` -> :func:`main`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import html
import json
import math
import os
import re
import secrets
import shutil
import sys
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

from ..arguments import BeritaParser
from ..fields import FIELD_NAMES, FIELDS as FIELD_DECLARATIONS
from ..io.tables import _fsync_dir, _lock, _unlock, clean_stale, exchange, temp_prefixes

__all__ = ["FIELDS", "PART_SIZE", "PARTS_DIR", "RunFingerprint", "run_fingerprint", "write_review",
           "write_files", "iter_records", "main"]

FIELDS = FIELD_NAMES  # the value lists of a record, in display order

#: Records per data file of the page.
PART_SIZE = 1000
#: The page's data folder, beside review.html.
PARTS_DIR = "review"
_PART_FILE = re.compile(r"part-\d{4,}\.js")

# what the page's script reads of each field (fields.py)
_FIELD_META: tuple[dict[str, Any], ...] = tuple(
    {"key": f.name, "label": f.label, "short": f.short, "bg": f.colours[0], "fg": f.colours[1],
     "cols": list(f.review_columns)} for f in FIELD_DECLARATIONS)

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_PLACEHOLDER = re.compile(r"%%(TITLE|CSS|JS|NONCE|META)%%")
_DATA_SLOTS = re.compile(r"%%(?:INDEX|RULES|RUN)%%")


# --------------------------------------------------------------------------- data


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of a records file with their numbers (a leading BOM dropped)."""
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if raw.strip():
                yield lineno, raw


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of ``records.jsonl``, one at a time; a line that is not a JSON object
    becomes an error row."""
    path = Path(path)
    for lineno, raw in _lines(path):
        try:
            obj = json.loads(raw.decode("utf-8", errors="replace"))
        except ValueError as exc:
            obj, problem = None, f"unparseable JSON: {exc}"
        except RecursionError:
            obj, problem = None, "unparseable JSON: nested too deeply"
        else:
            problem = None if isinstance(obj, dict) else "record is not a JSON object"
        if problem is not None:
            obj = {
                "article_id": f"<records.jsonl line {lineno}>",
                "title": None,
                "status": "error",
                "error": f"{path.name} line {lineno}: {problem}",
                "text": "",
            }
        yield obj


def _finite(obj: Any) -> Any:
    """Replace NaN/inf (which JSON.parse rejects) by null."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    return obj


def _script_json(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` element and as a JavaScript expression.

    ``<``, ``>`` and ``&`` only ever occur inside JSON strings, where ``\\u003c`` etc. are
    equivalent escapes; so the HTML parser never sees ``</script>`` or ``<!--`` in it.
    """
    try:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(obj), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
    text = (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    # Lone surrogates (from "\ud83d"-style escapes in the input) cannot be encoded as UTF-8.
    return _LONE_SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), text)


def _text(x: Any) -> str:
    """A scalar as the page shows it ('' for null)."""
    if x is None:
        return ""
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        return "true" if x else "false"
    return json.dumps(x, ensure_ascii=False)


def _values(rec: dict[str, Any], field: str) -> list:
    v = rec.get(field)
    return v if isinstance(v, list) else []


def _status(rec: dict[str, Any]) -> str:
    status = rec.get("status")
    if status in ("ok", "error"):
        return status
    if status:
        return _text(status)
    return "error" if rec.get("error") else "ok"


_FIRST_KEY = {f.name: f.columns[0] for f in FIELD_DECLARATIONS}


def _to_review(rec: dict[str, Any]) -> int:
    """How many verdicts make the article reviewed: one per distinct value (a value is
    ``(field, start, end, first key)``, docs/CORRECTIONS.md) plus the event date of an ok article."""
    keys = {(f, repr(v.get("start")), repr(v.get("end")), repr(v.get(_FIRST_KEY[f])))
            for f in FIELDS for v in _values(rec, f) if isinstance(v, dict)}
    return len(keys) + (_status(rec) == "ok")


def _event_ids(records_path: Path) -> dict[str, str]:
    """article_id -> event_id from the run's articles.csv beside its records (records never
    carry it: events are grouped once every article is in); empty without that file."""
    path = records_path.parent / "articles.csv"
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return {row["article_id"]: row["event_id"] for row in csv.DictReader(f)
                    if row.get("article_id") and row.get("event_id")}
    except (OSError, KeyError, csv.Error, UnicodeDecodeError):
        return {}  # no usable table: the page shows no event groups


def _index_entry(rec: dict[str, Any], rule_ids: dict[str, int], event_ids: dict[str, str]) -> list:
    """The page's index row of a record: id, title, status, event date, regency, error,
    values per field, rule ids (numbers into the rule list), values to review, event id."""
    rules = {rule_ids.setdefault(v["rule"], len(rule_ids))
             for f in FIELDS for v in _values(rec, f)
             if isinstance(v, dict) and isinstance(v.get("rule"), str)}
    return [_text(rec.get("article_id")), _text(rec.get("title")), _status(rec),
            _text(rec.get("event_date")), _text(rec.get("regency_name")),
            _text(rec.get("error")), [len(_values(rec, f)) for f in FIELDS], sorted(rules),
            _to_review(rec), _text(rec.get("event_id") or event_ids.get(_text(rec.get("article_id"))))]


def _sentence_number(rec: dict[str, Any], v: dict) -> int | None:
    """The number of the sentence range that holds ``v`` if ``v["sentence"]`` is its text."""
    text, start = rec.get("text"), v.get("start")
    if not isinstance(text, str) or not isinstance(start, int) or not isinstance(rec.get("sentences"), list):
        return None
    for k, r in enumerate(rec["sentences"]):
        if (isinstance(r, list) and len(r) == 2 and all(isinstance(x, int) for x in r)
                and r[0] <= start < r[1]):
            return k if text[r[0]:r[1]] == v["sentence"] else None
    return None


def _compact(rec: dict[str, Any]) -> dict[str, Any]:
    """The record as a part file holds it: a value's ``sentence`` that is the text of its
    sentence range becomes the range's number (most are; the page restores the text)."""
    out = dict(rec)
    for f in FIELDS:
        if isinstance(out.get(f), list):
            out[f] = [v if not (isinstance(v, dict) and isinstance(v.get("sentence"), str))
                      else {**v, "sentence": k} if (k := _sentence_number(rec, v)) is not None else v
                      for v in out[f]]
    return out


class RunFingerprint:
    """The fingerprint of a run as the review page knows it: the rules' fingerprint, then
    each article's id and the hash of its exact text, in input order (exact, not
    normalized: a verdict's offsets hold only for the same text). Fed one record at a time."""

    def __init__(self, rules_fingerprint: str):
        self._digest = hashlib.sha256(json.dumps(["berita-review", rules_fingerprint]).encode())

    def add(self, rec: dict[str, Any]) -> None:
        text = rec.get("text") if isinstance(rec.get("text"), str) else ""
        text_hash = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        self._digest.update(b"\n" + json.dumps([_text(rec.get("article_id")), text_hash]).encode())

    def hexdigest(self) -> str:
        return self._digest.hexdigest()[:24]


def _rules_fingerprint(records_path: Path) -> str:
    """The rules' fingerprint from the run.json beside the records ('' if there is none):
    ``rules_fingerprint`` of `berita run`, the sorted ``rules_fingerprints`` of an export."""
    try:
        info = json.loads((Path(records_path).parent / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(info, dict):
        return ""
    if isinstance(info.get("rules_fingerprint"), str):
        return info["rules_fingerprint"]
    if isinstance(info.get("rules_fingerprints"), dict):
        return "+".join(sorted(map(str, info["rules_fingerprints"])))
    return ""


def run_fingerprint(records_path: Path) -> str:
    """The run fingerprint of ``records.jsonl`` (and the run.json beside it), as the review
    page built from them embeds it and writes it in each line of corrections.jsonl."""
    fp = RunFingerprint(_rules_fingerprint(records_path))
    for rec in iter_records(records_path):
        fp.add(rec)
    return fp.hexdigest()


def _part_name(k: int) -> str:
    return f"part-{k:04d}.js"


# --------------------------------------------------------------------------- page


def _asset(name: str) -> str:
    """A file of pipeline/review/assets (package data: the page's HTML, CSS and JavaScript)."""
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _field_css() -> str:
    return "".join(f".f-{m['key']}{{--bg:{m['bg']};--fg:{m['fg']}}}\n" for m in _FIELD_META)


def _page_pieces(title: str, meta: dict[str, Any]) -> list[str]:
    """The page around its data: [before the index, between index and rule list, between
    rule list and run, after]."""
    values = {"TITLE": html.escape(title), "CSS": "\n" + _asset("review.css") + _field_css(),
              "JS": "\n" + _asset("review.js"), "NONCE": meta["token"],
              "META": _script_json(meta)}
    # split first: substituted text (a title!) is never scanned for placeholders
    pieces = _DATA_SLOTS.split(_asset("page.html"))
    assert len(pieces) == 4, "page.html needs %%INDEX%%, %%RULES%% then %%RUN%%"
    return [_PLACEHOLDER.sub(lambda m: values[m.group(1)], p) for p in pieces]


def _survey(path: Path) -> tuple[int, str]:
    """Number of records and a fingerprint of them (the page's token), read line by line."""
    digest = hashlib.sha256()
    n = 0
    for _, raw in _lines(path):
        digest.update(raw)
        n += 1
    return n, digest.hexdigest()[:24]


def _open_new(path: Path):
    """A new text file (tests replace this to simulate a full disk)."""
    return open(path, "x", encoding="utf-8", newline="\n")


def _finish(fh) -> None:
    fh.flush()
    os.fsync(fh.fileno())
    fh.close()


def write_files(directory: Path, records_path: Path, name: str) -> None:
    """Write ``directory/review.html`` and ``directory/review/`` from ``records_path``.

    Both must not exist yet. Memory holds one record at a time. Everything written is
    fsync'ed; if anything fails (e.g. ENOSPC), nothing of the page is left and the error
    is raised.
    """
    directory, records_path = Path(directory), Path(records_path)
    n, token = _survey(records_path)
    meta = {"version": 2, "fields": list(_FIELD_META), "articles": n, "part_size": PART_SIZE,
            "parts_dir": PARTS_DIR, "token": token}
    head, middle, before_run, tail = _page_pieces(f"berita review · {name} · {n} articles", meta)
    run = RunFingerprint(_rules_fingerprint(records_path))
    page_path, parts_dir = directory / "review.html", directory / PARTS_DIR
    os.mkdir(parts_dir)
    page = part = None
    try:
        page = _open_new(page_path)
        page.write(head + "[")
        rule_ids: dict[str, int] = {}
        event_ids = _event_ids(records_path)
        for i, rec in enumerate(iter_records(records_path)):
            if i % PART_SIZE == 0:
                if part is not None:
                    part.write("\n]);\n")
                    _finish(part)
                part = _open_new(parts_dir / _part_name(i // PART_SIZE + 1))
                part.write(f'berita_part("{token}",{i // PART_SIZE + 1},[\n')
            else:
                part.write(",\n")
            run.add(rec)
            try:
                data, entry = _script_json(_compact(rec)), _script_json(_index_entry(rec, rule_ids, event_ids))
            except RecursionError:  # nested deeper than the encoder goes
                rec = {"article_id": rec.get("article_id"), "status": "error", "text": "",
                       "error": f"record {i + 1}: nested too deeply to show"}
                data, entry = _script_json(rec), _script_json(_index_entry(rec, rule_ids, event_ids))
            part.write(data)
            page.write(("," if i else "") + "\n" + entry)
        if part is not None:
            part.write("\n]);\n")
            _finish(part)
        page.write("\n]" + middle + _script_json(list(rule_ids)) + before_run
                   + _script_json({"fingerprint": run.hexdigest()}) + tail)
        _finish(page)
        _fsync_dir(parts_dir)
    except BaseException:
        for fh in (part, page):
            try:
                if fh is not None:
                    fh.close()
            except OSError:  # its buffer cannot be written either
                pass
        try:
            os.unlink(page_path)
        except OSError:
            pass
        shutil.rmtree(parts_dir, ignore_errors=True)
        raise


def _swap_in(new: Path, target: Path) -> None:
    """Put the data folder ``new`` at ``target``, replacing a previous one of ours."""
    if os.path.islink(target) or (os.path.lexists(target) and not target.is_dir()):
        raise OSError(f"{target} exists and is not a review data folder")
    if not target.exists():
        os.rename(new, target)
        return
    foreign = [p.name for p in target.iterdir() if not _PART_FILE.fullmatch(p.name)]
    if foreign:
        raise OSError(f"{target} holds files berita did not write ({', '.join(sorted(foreign)[:3])})")
    if exchange(new, target):  # `new` now holds the previous folder, removed with its parent
        return
    old = target.parent / f"{temp_prefixes(target)[1]}{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def write_review(outdir: Path, records_path: Path | None = None) -> Path:
    """Write ``OUTDIR/review.html`` and ``OUTDIR/review/`` from ``records_path`` (default
    ``OUTDIR/records.jsonl``); returns the page's path.

    Raises ``FileNotFoundError`` if the records file does not exist, ``OSError`` if the
    page cannot be written; then the previous page, if any, is left as it was. Both are
    written in a temporary folder in OUTDIR (``.review.tmp-*``, removed by the next call
    if a kill left it), then the data folder is swapped in and the page renamed over the
    old one. In the moment between the two, the old page refuses the new data (each part
    carries the page's token) and asks for a reload.
    """
    outdir = Path(outdir)
    records_path = Path(records_path) if records_path is not None else outdir / "records.jsonl"
    if not records_path.is_file():
        raise FileNotFoundError(f"no records file: {records_path}")
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / PARTS_DIR
    clean_stale(target)
    tmp = outdir / f"{temp_prefixes(target)[0]}{os.getpid()}-{secrets.token_hex(4)}"
    os.mkdir(tmp)  # not mkdtemp: its 0700 mode would survive the rename; this respects the umask
    lock = _lock(tmp, blocking=True)  # a concurrent call's clean_stale leaves it alone
    try:
        write_files(tmp, records_path, outdir.resolve().name or str(outdir))
        _swap_in(tmp / PARTS_DIR, target)
        os.replace(tmp / "review.html", outdir / "review.html")
        _fsync_dir(outdir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        _unlock(lock)
    return outdir / "review.html"


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """``berita review OUTDIR``: (re)write OUTDIR/review.html; 2 if records.jsonl is missing,
    1 if the page cannot be written (the previous page is then unchanged).

    ``argv`` excludes the program and sub-command names.
    """
    parser = BeritaParser(
        prog="berita review",
        description="Write OUTDIR/review.html (and its data folder OUTDIR/review/), "
                    "an offline page to inspect a run's extractions.",
    )
    parser.add_argument("outdir", type=Path, help="output directory of `berita run`")
    parser.add_argument("--records", type=Path, default=None,
                        help="records file to read (default: OUTDIR/records.jsonl)")
    args = parser.parse_args(argv)
    records_path = args.records if args.records is not None else args.outdir / "records.jsonl"
    if not records_path.is_file():
        print(f"berita review: error: {records_path} not found "
              f"(run `berita run INPUT --out {args.outdir}` first)", file=sys.stderr)
        return 2
    try:
        path = write_review(args.outdir, args.records)
    except OSError as exc:
        print(f"berita review: error: cannot write review page: {exc}; "
              f"{args.outdir / 'review.html'} left as it was", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":  # python -m pipeline.review OUTDIR
    sys.exit(main())
