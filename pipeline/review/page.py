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
    parts = {"TITLE": html.escape(title), "CSS": _CSS + _field_css(), "JS": _JS, "DATA": blob}
    # One pass over the template: substituted text (article data!) is never re-scanned.
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], _TEMPLATE)


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


# --------------------------------------------------------------------------- page

_TEMPLATE = """<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>%%TITLE%%</title>
<style>
%%CSS%%</style>
</head>
<body>
<header id="top">
  <h1>%%TITLE%%</h1>
  <div id="list-controls">
    <input id="search" type="search" placeholder="Search ids, titles, text, values…" aria-label="Search articles" autocomplete="off">
    <label>Status <select id="filter-status" aria-label="Filter by status"></select></label>
    <label>Rule <select id="filter-rule" aria-label="Filter by rule id"></select></label>
    <span id="list-count" aria-live="polite"></span>
  </div>
</header>
<div id="layout">
  <aside id="list-pane" aria-label="Articles">
    <table id="article-list">
      <thead><tr id="list-head"></tr></thead>
      <tbody id="list-body"></tbody>
    </table>
    <p id="list-empty" hidden>No article matches the filters.</p>
  </aside>
  <main id="article-pane">
    <div id="toolbar">
      <fieldset id="field-filters"><legend>Fields</legend></fieldset>
      <label class="tool"><input type="checkbox" id="toggle-sentences"> sentence boundaries</label>
      <span class="legend-item"><span class="swatch boiler-swatch"></span>boilerplate</span>
    </div>
    <div id="article-view"><p class="placeholder">Open an article from the list (click a row, or focus it and press Enter).</p></div>
  </main>
</div>
<div id="tip" role="tooltip" hidden></div>
<script type="application/json" id="berita-data">%%DATA%%</script>
<script>
%%JS%%</script>
</body>
</html>
"""

_CSS = r"""
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1f2328;background:#f6f7f9;display:flex;flex-direction:column}
header#top{padding:6px 12px;background:#24292f;color:#fff;display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center}
header h1{font-size:15px;margin:0;font-weight:600}
#list-controls{display:flex;flex-wrap:wrap;gap:10px;align-items:center}
#list-controls label{font-size:12px}
#search{width:280px;padding:3px 6px}
#filter-rule{max-width:260px}
#list-count{font-size:12px;color:#c9d1d9}
#layout{flex:1;display:grid;grid-template-columns:minmax(440px,46%) 1fr;min-height:0}
@media (max-width:900px){#layout{grid-template-columns:1fr;grid-template-rows:40vh 1fr}}
#list-pane{overflow:auto;border-right:1px solid #d0d7de;background:#fff}
#article-list{border-collapse:collapse;width:100%;font-size:12px;table-layout:fixed}
#article-list th.h-id{width:92px}#article-list th.h-date{width:80px}#article-list th.h-reg{width:104px}#article-list th.cnt{width:20px}#article-list th.h-status{width:52px}
#article-list td{overflow:hidden;text-overflow:ellipsis}
#article-list th{position:sticky;top:0;background:#eaeef2;text-align:left;padding:3px 4px;border-bottom:1px solid #d0d7de;white-space:nowrap;z-index:1}
#article-list th.cnt{text-align:center;border-bottom:3px solid var(--fg)}
#article-list td{padding:2px 4px;border-bottom:1px solid #eef0f2;vertical-align:top}
#article-list td.id{font-family:ui-monospace,monospace;white-space:nowrap}
#article-list td.title,#article-list td.date,#article-list td.reg{white-space:nowrap}
#article-list th.cnt,#article-list td.cnt{padding:2px 0}
#article-list td.cnt{text-align:center;font-variant-numeric:tabular-nums}
#article-list td.cnt.zero{color:#c4c8cc}
tr.arow{cursor:pointer}
tr.arow:hover{background:#f3f8ff}
tr.arow:focus{outline:2px solid #0969da;outline-offset:-2px}
tr.arow.current{background:#ddf4ff}
tr.arow.st-error td.title{color:#a40e26}
.badge{display:inline-block;padding:0 5px;border-radius:8px;font-size:11px;background:#dafbe1;color:#116329}
.badge.error{background:#ffebe9;color:#a40e26}
.err-msg{display:block;font-size:11px;color:#a40e26;white-space:normal}
#list-empty{padding:12px;color:#57606a}
#article-pane{overflow:auto;min-width:0}
#toolbar{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #d0d7de;padding:4px 12px;display:flex;flex-wrap:wrap;gap:4px 14px;align-items:center;font-size:12px}
#field-filters{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 8px;align-items:center}
#field-filters legend{float:left;margin-right:4px;font-weight:600;padding:0}
#field-filters label{display:inline-flex;align-items:center;gap:3px;padding:1px 6px 1px 2px;border-radius:4px;background:var(--bg);border-bottom:2px solid var(--fg);cursor:pointer}
.swatch{display:inline-block;width:14px;height:10px;vertical-align:middle;margin-right:4px;border-radius:2px}
.boiler-swatch{background:repeating-linear-gradient(135deg,#eceff1 0 4px,#dfe3e6 4px 8px)}
#article-view{padding:10px 16px 40px}
.placeholder{color:#57606a}
.art-head h2{font-size:18px;margin:4px 0}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:1px 10px;font-size:12px;color:#444;margin:4px 0 8px}
.meta dt{color:#57606a}
.meta dd{margin:0;overflow-wrap:anywhere;white-space:pre-line}
.banner{background:#ffebe9;border:1px solid #ff8182;color:#a40e26;padding:6px 10px;border-radius:4px;margin:6px 0;white-space:pre-wrap}
.text{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 14px;font-size:15px;line-height:1.9;max-width:80em}
mark.hl{background:var(--bg);color:inherit;border-bottom:2px solid var(--fg);border-radius:2px;padding:1px 0;cursor:pointer}
mark.hl mark.hl{padding:0;border-bottom-style:dotted}
mark.hl.mismatch{outline:1px dashed #cf222e}
mark.hl:focus{outline:2px solid var(--fg);outline-offset:1px}
mark.hl.marked,mark.hl.marked:focus{outline:3px solid #cf222e;outline-offset:1px;box-shadow:0 0 0 5px rgba(207,34,46,.18)}
.boiler{color:#8c959f;background:repeating-linear-gradient(135deg,#f3f4f6 0 4px,#eaecef 4px 8px)}
.boiler mark.hl{opacity:.75}
.show-sent .sent.odd{background-color:rgba(9,105,218,.06)}
.show-sent .sent-first::before{content:attr(data-n);font:10px/1 ui-monospace,monospace;color:#fff;background:#6e7781;border-radius:3px;padding:1px 3px;margin:0 3px 0 1px;vertical-align:3px}
#value-tables{display:flex;flex-wrap:wrap;gap:12px;margin-top:14px;align-items:flex-start}
.field-table{background:#fff;border:1px solid #d0d7de;border-top:4px solid var(--fg);border-radius:6px;padding:4px 6px;min-width:200px;max-width:100%;overflow-x:auto}
.field-table td.c-rule{word-break:break-all;min-width:8em}
.field-table h3{font-size:13px;margin:2px 2px 4px}
.field-table h3 .n{color:#57606a;font-weight:400}
.field-table .none{color:#8c959f;font-size:12px;margin:2px}
.field-table table{border-collapse:collapse;font-size:12px}
.field-table th{text-align:left;background:#f6f8fa;padding:2px 5px;white-space:nowrap;font-weight:600}
.field-table td{padding:2px 5px;border-top:1px solid #eef0f2;vertical-align:top;max-width:22em;overflow-wrap:break-word}
tr.vrow{cursor:pointer}
tr.vrow:hover{background:var(--bg)}
tr.vrow.marked{background:var(--bg);outline:2px solid #cf222e;outline-offset:-2px}
tr.vrow.issue td.span{color:#cf222e}
td.span{font-family:ui-monospace,monospace;white-space:nowrap;color:#57606a}
#tip{position:fixed;z-index:10;max-width:420px;background:#24292f;color:#fff;font-size:12px;padding:5px 8px;border-radius:4px;white-space:pre-line;pointer-events:none;box-shadow:0 2px 8px rgba(0,0,0,.25)}
"""

_JS = r"""
(function () {
'use strict';
var DATA = JSON.parse(document.getElementById('berita-data').textContent);
var RECS = Array.isArray(DATA.records) ? DATA.records : [];
var FIELDS = DATA.fields;
var FIELD = {};
FIELDS.forEach(function (f) { FIELD[f.key] = f; });

var state = {current: null, fields: {}, rule: '', status: '', terms: [], showSent: false, marked: null};
FIELDS.forEach(function (f) { state.fields[f.key] = true; });

function $(id) { return document.getElementById(id); }
function el(tag, attrs) {
  var n = document.createElement(tag);
  if (attrs) {
    for (var k in attrs) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') n.className = v;
      else if (k === 'text') n.textContent = v;
      else n.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (var i = 2; i < arguments.length; i++) {
    var c = arguments[i];
    if (c === null || c === undefined || c === false) continue;
    n.append(c);  // strings become Text nodes
  }
  return n;
}
function arr(rec, key) { var a = rec && rec[key]; return Array.isArray(a) ? a : []; }
function str(x) { return x === null || x === undefined ? '' : String(x); }
function statusOf(rec) {
  if (rec.status === 'ok' || rec.status === 'error') return rec.status;
  if (rec.status) return String(rec.status);
  return rec.error ? 'error' : 'ok';
}
function groupDigits(n) {
  var s = String(n), neg = s.charAt(0) === '-';
  if (neg) s = s.slice(1);
  var parts = s.split('.');
  parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return (neg ? '-' : '') + parts.join(',');
}
function cell(v) {
  if (v === null || v === undefined) return '';
  if (v === true) return '\u2713';
  if (v === false) return '\u2013';
  if (Array.isArray(v)) {
    return v.map(function (x) {
      return Array.isArray(x) ? '[' + x.map(str).join('\u2013') + ']' : cell(x);
    }).join(', ');
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
// The normalized value of an extraction, in one line.
function norm(field, v) {
  var p = [];
  function add(x) { if (x !== null && x !== undefined && x !== '' && !(Array.isArray(x) && !x.length)) p.push(cell(x)); }
  switch (field) {
    case 'dates':
      add(v.date);
      if (v.precision && v.precision !== 'day') add('(' + v.precision + ')');
      if (v.is_event) add('\u00b7 event date');
      break;
    case 'officials':
      add([v.acting ? 'Plt.' : null, v.honorific, v.name].filter(Boolean).join(' '));
      if (v.degrees && v.degrees.length) add('(' + cell(v.degrees) + ')');
      if (v.role || v.position) add('\u00b7 ' + [v.role, v.position].filter(Boolean).join(' / '));
      if (v.organization) add('\u00b7 ' + v.organization);
      break;
    case 'regencies':
      add(v.regency_name);
      if (v.regency_code) add('(' + v.regency_code + ')');
      if (v.province_name) add('\u00b7 ' + v.province_name);
      if (v.is_primary) add('\u00b7 primary');
      break;
    case 'programs':
      add(v.program);
      if (v.acronym) add('(' + v.acronym + ')');
      break;
    case 'participants':
      add(typeof v.count === 'number' ? groupDigits(v.count) : v.count);
      add(v.population); add(v.program); add(v.qualifier);
      break;
    case 'percentages':
      add(v.value === null || v.value === undefined ? null : cell(v.value) + '%');
      add(v.population);
      break;
    case 'amounts':
      add(typeof v.amount_idr === 'number' ? 'Rp ' + groupDigits(v.amount_idr) : v.amount_idr);
      add(v.purpose);
      break;
    default:
      add(v.surface);
  }
  return p.join(' ');
}

// ---- offsets: records count code points (Python), JS strings count UTF-16 units
function offsetMap(text) {
  var f;
  if (!/[\uD800-\uDFFF]/.test(text)) {
    f = function (x) { return x; };
    f.len = text.length;
    return f;
  }
  var m = [0], pos = 0;
  for (var ch of text) { pos += ch.length; m.push(pos); }
  f = function (x) { return m[x]; };
  f.len = m.length - 1;
  return f;
}
function validRange(s, e, len) {
  return Number.isInteger(s) && Number.isInteger(e) && s >= 0 && s < e && e <= len;
}
// '' | 'unanchored' | 'mismatch'
function issueOf(v, text, u) {
  if (!v || !validRange(v.start, v.end, u.len)) return 'unanchored';
  if (typeof v.surface === 'string' && text.slice(u(v.start), u(v.end)) !== v.surface) return 'mismatch';
  return '';
}
function shown(field, v) {
  return state.fields[field] && (!state.rule || str(v && v.rule) === state.rule);
}

// ---- per-record summary (cheap; computed once)
var META = RECS.map(function (r, i) {
  var rules = {}, counts = FIELDS.map(function (f) {
    var a = arr(r, f.key);
    a.forEach(function (v) { if (v && v.rule !== undefined && v.rule !== null) rules[v.rule] = 1; });
    return a.length;
  });
  return {i: i, id: str(r.article_id), status: statusOf(r), rules: rules, counts: counts, hay: null};
});
function haystack(i) {
  var m = META[i];
  if (m.hay === null) {
    var r = RECS[i], parts = [r.article_id, r.title, r.url, r.text, r.error, r.event_date, r.regency_name,
                              Array.isArray(r.warnings) ? r.warnings.map(cell).join('\n') : null];
    FIELDS.forEach(function (f) {
      arr(r, f.key).forEach(function (v) { if (v) { parts.push(v.surface, v.rule, norm(f.key, v)); } });
    });
    m.hay = parts.filter(function (x) { return x !== null && x !== undefined; }).map(String).join('\n').toLowerCase();
  }
  return m.hay;
}
var firstById = {};
META.forEach(function (m) { if (!(m.id in firstById)) firstById[m.id] = m.i; });

// ---- article list
var rows = [];
function buildList() {
  var head = $('list-head');
  head.append(el('th', {'class': 'h-id', text: 'id'}), el('th', {'class': 'h-title', text: 'title'}),
              el('th', {'class': 'h-date', text: 'event date'}), el('th', {'class': 'h-reg', text: 'regency'}));
  FIELDS.forEach(function (f) {
    head.append(el('th', {'class': 'cnt f-' + f.key, title: f.label, 'data-field': f.key, text: f.short}));
  });
  head.append(el('th', {'class': 'h-status', text: 'status'}));
  var order = META.slice().sort(function (a, b) {
    return (a.status === 'error' ? 0 : 1) - (b.status === 'error' ? 0 : 1) || a.i - b.i;
  });
  var frag = document.createDocumentFragment();
  order.forEach(function (m) {
    var r = RECS[m.i];
    var tr = el('tr', {'class': 'arow st-' + m.status, tabindex: 0, 'data-article': m.id,
                       'data-index': m.i, 'data-status': m.status});
    var titleCell = el('td', {'class': 'title', title: str(r.title)}, str(r.title));
    if (m.status === 'error' && r.error) titleCell.append(el('span', {'class': 'err-msg', text: str(r.error)}));
    tr.append(el('td', {'class': 'id', title: m.id, text: m.id}), titleCell,
              el('td', {'class': 'date', text: str(r.event_date)}),
              el('td', {'class': 'reg', title: str(r.regency_name), text: str(r.regency_name)}));
    m.counts.forEach(function (c, k) {
      tr.append(el('td', {'class': 'cnt' + (c ? '' : ' zero'), 'data-field': FIELDS[k].key, text: c ? String(c) : '\u00b7'}));
    });
    tr.append(el('td', null, el('span', {'class': 'badge' + (m.status === 'error' ? ' error' : ''), text: m.status})));
    rows[m.i] = tr;
    frag.append(tr);
  });
  $('list-body').append(frag);
}
function buildListControls() {
  var nErr = META.filter(function (m) { return m.status === 'error'; }).length;
  var st = $('filter-status');
  st.append(el('option', {value: '', text: 'all (' + META.length + ')'}),
            el('option', {value: 'ok', text: 'ok (' + (META.length - nErr) + ')'}),
            el('option', {value: 'error', text: 'error (' + nErr + ')'}));
  var ruleCount = {};
  META.forEach(function (m) { for (var k in m.rules) ruleCount[k] = (ruleCount[k] || 0) + 1; });
  var rs = $('filter-rule');
  rs.append(el('option', {value: '', text: 'all rules'}));
  Object.keys(ruleCount).sort().forEach(function (k) {
    rs.append(el('option', {value: k, text: k + ' (' + ruleCount[k] + ' art.)'}));
  });
}
function applyListFilters() {
  var n = 0;
  META.forEach(function (m) {
    var ok = (!state.status || m.status === state.status) &&
             (!state.rule || Object.prototype.hasOwnProperty.call(m.rules, state.rule));
    if (ok && state.terms.length) {
      var h = haystack(m.i);
      for (var t = 0; t < state.terms.length && ok; t++) ok = h.indexOf(state.terms[t]) >= 0;
    }
    rows[m.i].hidden = !ok;
    if (ok) n++;
  });
  $('list-count').textContent = n + ' of ' + META.length + ' articles';
  $('list-empty').hidden = n > 0;
}

// ---- article view
function buildSpans(rec, text, u) {
  var spans = [];
  arr(rec, 'sentences').forEach(function (r, k) {
    if (Array.isArray(r) && validRange(r[0], r[1], u.len)) spans.push({kind: 's', s: u(r[0]), e: u(r[1]), kr: 0, k: k});
  });
  arr(rec, 'boilerplate').forEach(function (r, k) {
    if (Array.isArray(r) && validRange(r[0], r[1], u.len)) spans.push({kind: 'b', s: u(r[0]), e: u(r[1]), kr: 1, k: k});
  });
  FIELDS.forEach(function (f, fi) {
    arr(rec, f.key).forEach(function (v, idx) {
      if (!v || !shown(f.key, v) || issueOf(v, text, u) === 'unanchored') return;
      spans.push({kind: 'v', s: u(v.start), e: u(v.end), kr: 2 + fi, k: idx, field: f.key, v: v,
                  issue: issueOf(v, text, u)});
    });
  });
  spans.sort(function (a, b) { return a.s - b.s || b.e - a.e || a.kr - b.kr || a.k - b.k; });
  spans.forEach(function (sp, i) { sp.rank = i; });
  return spans;
}
function tipText(field, v, issue) {
  var t = FIELD[field].label + ': ' + norm(field, v) + '\nrule: ' + str(v.rule) +
          '\n\u201c' + str(v.surface) + '\u201d [' + v.start + '\u2013' + v.end + ']';
  if (issue) t += '\n\u26a0 ' + issue + ': text at these offsets differs from surface';
  return t;
}
function makeNode(sp, cont) {
  if (sp.kind === 's') {
    return el('span', {'class': 'sent' + (sp.k % 2 ? ' odd' : '') + (cont ? '' : ' sent-first'),
                       'data-sentence': sp.k, 'data-n': cont ? null : sp.k + 1});
  }
  if (sp.kind === 'b') return el('span', {'class': 'boiler', 'data-boiler': sp.k, title: 'boilerplate'});
  var v = sp.v;
  return el('mark', {
    'class': 'hl f-' + sp.field + (cont ? ' cont' : '') + (sp.issue ? ' ' + sp.issue : ''),
    id: cont ? null : 'hl-' + sp.field + '-' + sp.k,
    tabindex: cont ? -1 : 0,
    'data-field': sp.field, 'data-idx': sp.k, 'data-key': sp.field + ':' + sp.k,
    'data-rule': str(v.rule), 'data-start': v.start, 'data-end': v.end,
    title: tipText(sp.field, v, sp.issue)
  });
}
// Splits the text at every span boundary and keeps a stack of open elements: spans that
// nest stay one element; a span crossing another is closed and reopened (class "cont").
function renderText(rec, text, u) {
  var spans = buildSpans(rec, text, u);
  var box = el('div', {id: 'article-text', 'class': 'text' + (state.showSent ? ' show-sent' : ''), lang: 'id'});
  var pts = [0, text.length], startsAt = {};
  spans.forEach(function (sp) {
    pts.push(sp.s, sp.e);
    (startsAt[sp.s] = startsAt[sp.s] || []).push(sp);
  });
  pts = Array.from(new Set(pts)).sort(function (a, b) { return a - b; });
  var active = [], stack = [{node: box, sp: null}], opened = new Set();
  for (var k = 0; k < pts.length - 1; k++) {
    var p = pts[k], q = pts[k + 1];
    active = active.filter(function (sp) { return sp.e > p; });
    if (startsAt[p]) { active = active.concat(startsAt[p]); active.sort(function (a, b) { return a.rank - b.rank; }); }
    var i = 1;
    while (i < stack.length && i - 1 < active.length && stack[i].sp === active[i - 1]) i++;
    stack.length = i;
    for (var j = i - 1; j < active.length; j++) {
      var sp = active[j], node = makeNode(sp, opened.has(sp));
      opened.add(sp);
      stack[stack.length - 1].node.append(node);
      stack.push({node: node, sp: sp});
    }
    stack[stack.length - 1].node.append(text.slice(p, q));
  }
  return box;
}
function renderTables(rec, text, u) {
  var wrap = el('div', {id: 'value-tables'});
  FIELDS.forEach(function (f) {
    if (!state.fields[f.key]) return;
    var all = arr(rec, f.key), vals = [];
    all.forEach(function (v, idx) { if (v && shown(f.key, v)) vals.push([v, idx]); });
    var hiddenN = all.length - vals.length;
    var sec = el('section', {'class': 'field-table f-' + f.key, 'data-field': f.key},
      el('h3', null, el('span', {'class': 'swatch', style: null}), f.label + ' ',
         el('span', {'class': 'n', text: '(' + vals.length + (hiddenN ? ', ' + hiddenN + ' hidden by rule filter' : '') + ')'})));
    sec.querySelector('.swatch').style.background = f.fg;
    if (!vals.length) {
      sec.append(el('p', {'class': 'none', text: 'none'}));
    } else {
      var thead = el('tr');
      f.cols.forEach(function (c) { thead.append(el('th', {text: c})); });
      thead.append(el('th', {text: 'span'}));
      var tb = el('tbody');
      vals.forEach(function (pair) {
        var v = pair[0], idx = pair[1], issue = issueOf(v, text, u);
        var tr = el('tr', {'class': 'vrow' + (issue ? ' issue ' + issue : ''), tabindex: 0,
                           'data-field': f.key, 'data-idx': idx, 'data-key': f.key + ':' + idx,
                           'data-rule': str(v.rule), 'data-start': str(v.start), 'data-end': str(v.end),
                           title: issue ? issue + ' span' : 'click to show in text'});
        f.cols.forEach(function (c) { tr.append(el('td', {'class': 'c-' + c, text: cell(v[c])})); });
        tr.append(el('td', {'class': 'span', text: str(v.start) + '\u2013' + str(v.end) + (issue ? ' \u26a0 ' + issue : '')}));
        tb.append(tr);
      });
      sec.append(el('table', null, el('thead', null, thead), tb));
    }
    wrap.append(sec);
  });
  return wrap;
}
function renderArticle() {
  var view = $('article-view');
  hideTip();
  state.marked = null;
  if (state.current === null) return;
  var i = state.current, rec = RECS[i], m = META[i];
  var text = typeof rec.text === 'string' ? rec.text : '';
  var u = offsetMap(text);
  var head = el('div', {'class': 'art-head'}, el('h2', {text: str(rec.title) || '(untitled)'}));
  var dl = el('dl', {'class': 'meta'});
  function row(label, value) { if (value !== '' && value !== null && value !== undefined) dl.append(el('dt', {text: label}), el('dd', null, value)); }
  row('id', m.id);
  if (typeof rec.url === 'string' && /^https?:\/\//i.test(rec.url)) {
    row('url', el('a', {href: rec.url, target: '_blank', rel: 'noopener noreferrer', text: rec.url}));
  } else row('url', str(rec.url));
  row('published', str(rec.published));
  row('event date', str(rec.event_date) + (rec.event_date_text ? ' (\u201c' + rec.event_date_text + '\u201d)' : ''));
  row('regency', [rec.regency_name, rec.regency_code ? '(' + rec.regency_code + ')' : '', rec.province_name ? '\u00b7 ' + rec.province_name : ''].filter(Boolean).join(' '));
  row('status', el('span', {'class': 'badge' + (m.status === 'error' ? ' error' : ''), text: m.status}));
  if (Array.isArray(rec.warnings) && rec.warnings.length) row('warnings', rec.warnings.map(cell).join('\n'));
  row('values', FIELDS.map(function (f, k) { return f.label.toLowerCase() + ' ' + m.counts[k]; }).join(' \u00b7 '));
  head.append(dl);
  var nodes = [head];
  if (m.status === 'error' || rec.error) nodes.push(el('div', {'class': 'banner', role: 'alert', text: 'Error: ' + str(rec.error || 'status ' + m.status)}));
  nodes.push(renderText(rec, text, u), renderTables(rec, text, u));
  view.replaceChildren.apply(view, nodes);
  view.setAttribute('data-article', m.id);
  view.setAttribute('data-index', i);
}
function openArticle(i, focusText) {
  if (state.current !== null && rows[state.current]) rows[state.current].classList.remove('current');
  state.current = i;
  rows[i].classList.add('current');
  renderArticle();
  $('article-pane').scrollTop = 0;
  var id = META[i].id, hash = firstById[id] === i && id ? 'article=' + encodeURIComponent(id) : 'index=' + i;
  try { history.replaceState(null, '', '#' + hash); } catch (e) { /* some file:// setups */ }
}
function fromHash() {
  var h = location.hash.slice(1), m;
  if ((m = /^article=(.*)$/.exec(h))) {
    var id; try { id = decodeURIComponent(m[1]); } catch (e) { return; }
    if (id in firstById) openArticle(firstById[id]);
  } else if ((m = /^index=(\d+)$/.exec(h)) && +m[1] < RECS.length) openArticle(+m[1]);
}

// ---- marking: table row <-> highlighted span
function clearMarks() {
  document.querySelectorAll('#article-view .marked').forEach(function (n) { n.classList.remove('marked'); });
  state.marked = null;
}
function markKey(key, from) {
  clearMarks();
  state.marked = key;
  var sel = '[data-key="' + CSS.escape(key) + '"]';
  var pieces = document.querySelectorAll('#article-text mark' + sel);
  var row = document.querySelector('#value-tables tr' + sel);
  pieces.forEach(function (n) { n.classList.add('marked'); });
  if (row) row.classList.add('marked');
  if (from === 'row' && pieces.length) {
    pieces[0].scrollIntoView({block: 'center'});
    pieces[0].focus({preventScroll: true});
  } else if (from === 'text' && row) {
    row.scrollIntoView({block: 'nearest'});
  }
}

// ---- tooltip (keyboard focus / click; mouse hover also gets the title attribute)
var tip = $('tip');
function showTip(node) {
  tip.textContent = node.getAttribute('title') || '';
  tip.hidden = false;
  var r = node.getBoundingClientRect(), tr = tip.getBoundingClientRect();
  var top = r.bottom + 6;
  if (top + tr.height > window.innerHeight) top = Math.max(0, r.top - tr.height - 6);
  tip.style.top = top + 'px';
  tip.style.left = Math.max(4, Math.min(r.left, window.innerWidth - tr.width - 8)) + 'px';
  tip.setAttribute('data-key', node.getAttribute('data-key'));
}
function hideTip() { tip.hidden = true; }

// ---- wiring
function setup() {
  buildList();
  buildListControls();
  var ff = $('field-filters');
  FIELDS.forEach(function (f) {
    ff.append(el('label', {'class': 'f-' + f.key, 'data-field': f.key, title: 'show/hide ' + f.label.toLowerCase()},
      el('input', {type: 'checkbox', checked: true, 'data-field': f.key, id: 'field-' + f.key}), f.label));
  });
  ff.addEventListener('change', function (e) {
    var cb = e.target;
    if (!cb.matches('input[data-field]')) return;
    state.fields[cb.getAttribute('data-field')] = cb.checked;
    renderArticle();
  });
  $('toggle-sentences').addEventListener('change', function (e) {
    state.showSent = e.target.checked;
    var t = $('article-text');
    if (t) t.classList.toggle('show-sent', state.showSent);
  });
  $('filter-status').addEventListener('change', function (e) { state.status = e.target.value; applyListFilters(); });
  $('filter-rule').addEventListener('change', function (e) {
    state.rule = e.target.value; applyListFilters(); renderArticle();
  });
  var timer = null;
  $('search').addEventListener('input', function (e) {
    clearTimeout(timer);
    var q = e.target.value;
    timer = setTimeout(function () {
      state.terms = q.toLowerCase().split(/\s+/).filter(Boolean);
      applyListFilters();
    }, 120);
  });
  var body = $('list-body');
  body.addEventListener('click', function (e) {
    var tr = e.target.closest('tr.arow');
    if (tr) openArticle(+tr.getAttribute('data-index'));
  });
  body.addEventListener('keydown', function (e) {
    var tr = e.target.closest('tr.arow');
    if (!tr) return;
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); openArticle(+tr.getAttribute('data-index')); }
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      var n = tr;
      do { n = e.key === 'ArrowDown' ? n.nextElementSibling : n.previousElementSibling; } while (n && n.hidden);
      if (n) n.focus();
    }
  });
  var view = $('article-view');
  view.addEventListener('click', function (e) {
    var mk = e.target.closest('mark.hl');
    if (mk) { e.stopPropagation(); markKey(mk.getAttribute('data-key'), 'text'); return; }
    var tr = e.target.closest('tr.vrow');
    if (tr) markKey(tr.getAttribute('data-key'), 'row');
  });
  view.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.key === 'Enter' && t.matches && (t.matches('mark.hl') || t.matches('tr.vrow'))) {
      e.preventDefault();
      markKey(t.getAttribute('data-key'), t.matches('mark.hl') ? 'text' : 'row');
    }
  });
  view.addEventListener('focusin', function (e) { if (e.target.matches('mark.hl')) showTip(e.target); });
  view.addEventListener('focusout', function (e) { if (e.target.matches('mark.hl')) hideTip(); });
  $('article-pane').addEventListener('scroll', hideTip, {passive: true});
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { clearMarks(); hideTip(); }
    else if (e.key === '/' && document.activeElement && !/^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName)) {
      e.preventDefault(); $('search').focus();
    }
  });
  window.addEventListener('hashchange', fromHash);
  applyListFilters();
  fromHash();
  document.body.setAttribute('data-ready', '1');
}
setup();
})();
"""


if __name__ == "__main__":  # python -m pipeline.review.page OUTDIR
    sys.exit(main())
