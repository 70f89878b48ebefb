"""Offline review page for a run: ``OUTDIR/review.html``.

``write_review(outdir)`` reads ``OUTDIR/records.jsonl`` (see docs/CONTRACT.md) and writes one
self-contained HTML file (inline CSS and vanilla JS, no network, no server) that lists the
run's articles and, for the article you open, shows its text with every extracted value
highlighted per field, boilerplate greyed, sentence boundaries on demand, and one table per
field whose rows are linked to the highlighted spans.

All records sit in a single ``<script type="application/json">`` blob in which ``<``, ``>``
and ``&`` are written as ``\\u003c``/``\\u003e``/``\\u0026``, so article text containing
``</script>`` or ``<!--`` cannot end the blob early. The page builds the DOM with
``createElement``/``textContent`` only; article text never goes through ``innerHTML``.
Only the opened article is rendered, so the page stays usable for thousands of articles and
the file grows linearly with ``records.jsonl``.

CLI: ``berita review OUTDIR [--records PATH]`` -> :func:`main`.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

__all__ = ["FIELDS", "write_review", "load_records", "render_review", "main"]

#: The value lists of a record, in display order.
FIELDS: tuple[str, ...] = (
    "dates",
    "officials",
    "regencies",
    "programs",
    "participants",
    "percentages",
    "amounts",
)

# key, label, short column header, background colour, strong colour, table columns
_FIELD_META: tuple[dict[str, Any], ...] = (
    {"key": "dates", "label": "Dates", "short": "D", "bg": "#cfe3ff", "fg": "#2f6fd6",
     "cols": ["date", "precision", "is_event", "surface", "rule"]},
    {"key": "officials", "label": "Officials", "short": "O", "bg": "#ffd9b3", "fg": "#d9730d",
     "cols": ["name", "honorific", "degrees", "role", "position", "acting", "organization",
              "surface", "rule"]},
    {"key": "regencies", "label": "Regencies", "short": "R", "bg": "#c9f2c7", "fg": "#2e9b3a",
     "cols": ["regency_name", "regency_code", "province_name", "is_primary", "surface", "rule"]},
    {"key": "programs", "label": "Programs", "short": "P", "bg": "#e6d1fa", "fg": "#8a3fd1",
     "cols": ["program", "acronym", "surface", "rule"]},
    {"key": "participants", "label": "Participants", "short": "N", "bg": "#fff1a8",
     "fg": "#b08d00", "cols": ["count", "population", "program", "qualifier", "surface", "rule"]},
    {"key": "percentages", "label": "Percentages", "short": "%", "bg": "#ffcfe0",
     "fg": "#d6336c", "cols": ["value", "population", "surface", "rule"]},
    {"key": "amounts", "label": "Amounts", "short": "Rp", "bg": "#bff0ec", "fg": "#138a80",
     "cols": ["amount_idr", "purpose", "surface", "rule"]},
)
assert tuple(m["key"] for m in _FIELD_META) == FIELDS

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_PLACEHOLDER = re.compile(r"%%(TITLE|CSS|JS|DATA)%%")


# --------------------------------------------------------------------------- data


def load_records(path: Path) -> list[dict[str, Any]]:
    """Read ``records.jsonl``; a line that is not a JSON object becomes an error row."""
    records: list[dict[str, Any]] = []
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                obj, problem = None, f"unparseable JSON: {exc}"
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
            records.append(obj)
    return records


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
    """JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` only ever occur inside JSON strings, where ``\\u003c`` etc. are
    equivalent escapes; so the HTML parser never sees ``</script>`` or ``<!--`` in the blob.
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


def render_review(records: Iterable[dict[str, Any]], title: str = "berita review") -> str:
    """The complete HTML page for ``records`` (list of records.jsonl objects)."""
    records = list(records)
    blob = _script_json({"version": 1, "fields": list(_FIELD_META), "records": records})
    parts = {"TITLE": html.escape(title), "CSS": "\n" + _asset("review.css") + _field_css(),
             "JS": "\n" + _asset("review.js"), "DATA": blob}
    # One pass over the template: substituted text (article data!) is never re-scanned.
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], _asset("page.html"))


def _asset(name: str) -> str:
    """A file of pipeline/review_assets (package data: the page's HTML, CSS and JavaScript)."""
    return resources.files(__package__).joinpath("review_assets", name).read_text(encoding="utf-8")


def _field_css() -> str:
    return "".join(f".f-{m['key']}{{--bg:{m['bg']};--fg:{m['fg']}}}\n" for m in _FIELD_META)


def write_review(outdir: Path, records_path: Path | None = None) -> Path:
    """Write ``OUTDIR/review.html`` from ``records_path`` (default ``OUTDIR/records.jsonl``).

    Returns the path of the written file. Raises ``FileNotFoundError`` if the records file
    does not exist. The file is replaced atomically.
    """
    outdir = Path(outdir)
    records_path = Path(records_path) if records_path is not None else outdir / "records.jsonl"
    if not records_path.is_file():
        raise FileNotFoundError(f"no records file: {records_path}")
    records = load_records(records_path)
    name = outdir.resolve().name or str(outdir)
    page = render_review(records, title=f"berita review · {name} · {len(records)} articles")
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / "review.html"
    # not mkstemp: its 0600 mode would survive the rename; this respects the umask
    tmp = outdir / f".review-{os.getpid()}-{id(page):x}.html.tmp"
    try:
        with open(tmp, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(page)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """``berita review OUTDIR``: (re)write OUTDIR/review.html; 2 if records.jsonl is missing.

    ``argv`` excludes the program and sub-command names.
    """
    parser = argparse.ArgumentParser(
        prog="berita review",
        description="Write OUTDIR/review.html, an offline page to inspect a run's extractions.",
    )
    parser.add_argument("outdir", type=Path, help="output directory of `berita run`")
    parser.add_argument("--records", type=Path, default=None,
                        help="records file to read (default: OUTDIR/records.jsonl)")
    args = parser.parse_args(argv)
    records_path = args.records if args.records is not None else args.outdir / "records.jsonl"
    if not records_path.is_file():
        print(f"berita review: {records_path} not found "
              f"(run `berita run INPUT --out {args.outdir}` first)", file=sys.stderr)
        return 2
    try:
        path = write_review(args.outdir, args.records)
    except OSError as exc:
        print(f"berita review: cannot write review page: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":  # python -m pipeline.review OUTDIR
    sys.exit(main())
