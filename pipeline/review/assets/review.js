(function () {
'use strict';
// The page holds an index of the articles (berita-index: one row per article, see
// review.py's _index_entry); the records themselves are in review/part-NNNN.js, PART_SIZE
// per file, loaded when needed. Lookups keyed by data (ids, rule names) use Map and Set,
// so an id such as "__proto__" or "constructor" is an ordinary key.
function json(id) { return JSON.parse(document.getElementById(id).textContent); }
var META = json('berita-meta');
var RULES = json('berita-rules');
var FIELDS = META.fields;
var FIELD = new Map(FIELDS.map(function (f) { return [f.key, f]; }));
var PART_SIZE = META.part_size;

// What one article view draws at most (more would freeze or crash the tab); the page says
// when it leaves something out.
var MAX_HIGHLIGHTS = 2000;   // value highlights
var MAX_RANGES = 20000;      // sentence and boilerplate ranges
var MAX_DEPTH = 8;           // highlights and ranges open at one place of the text
var MAX_ROWS = 1000;         // rows per field table
var LIST_PAGE = 1000;        // rows of the article list at a time
var KEEP_PARTS = 3;          // data files kept in memory

var ARTS = json('berita-index').map(function (e, i) {
  return {i: i, id: e[0], title: e[1], status: e[2], date: e[3], reg: e[4], error: e[5],
          counts: e[6], rules: new Set(e[7].map(function (k) { return RULES[k]; })),
          todo: e[8], event: e[9], group: null};
});
var RUN = json('berita-run').fingerprint;
var NPARTS = Math.ceil(ARTS.length / PART_SIZE);
var firstById = new Map();
ARTS.forEach(function (a) { if (!firstById.has(a.id)) firstById.set(a.id, a.i); });
// Events (records' event_id) shared by two or more articles: their members are listed
// together and compared side by side.
var EVENTS = new Map();  // event id -> article numbers, in input order
ARTS.forEach(function (a) {
  if (!a.event) return;
  if (!EVENTS.has(a.event)) EVENTS.set(a.event, []);
  EVENTS.get(a.event).push(a.i);
});
EVENTS.forEach(function (members, id) {
  if (members.length < 2) EVENTS.delete(id);
  else members.forEach(function (i) { ARTS[i].group = members; });
});
// errors first, then input order; an event's members right after its first one
var ORDER = [];
(function () {
  var placed = new Uint8Array(ARTS.length);
  ARTS.slice().sort(function (a, b) {
    return (a.status === 'error' ? 0 : 1) - (b.status === 'error' ? 0 : 1) || a.i - b.i;
  }).forEach(function (a) {
    (a.group || [a.i]).forEach(function (i) {
      if (!placed[i]) { placed[i] = 1; ORDER.push(ARTS[i]); }
    });
  });
})();

var state = {current: null, rec: null, fields: new Map(), rule: '', status: '', review: '',
             showSent: false, marked: null, listPage: 0, cursor: null, editing: null};
FIELDS.forEach(function (f) { state.fields.set(f.key, true); });
// search: terms, parts scanned so far (in order), matching article numbers
var search = {gen: 0, terms: [], scanned: NPARTS, hits: new Set(), unreadable: []};

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
function num(n) { return n.toLocaleString('en-US'); }
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
  return state.fields.get(field) && (!state.rule || str(v && v.rule) === state.rule);
}

// ---- verdicts: the lines of corrections.jsonl (docs/CORRECTIONS.md), kept per article in
// localStorage under the run's fingerprint, so they survive reloads and never mix runs
var STORE = 'berita-review:' + RUN + ':';      // + article id -> JSON list of lines
var REVIEWER_KEY = 'berita-review:reviewer';
var VERDICTS = ['correct', 'wrong', 'edited', 'added'];
var marks = new Map();                          // article id -> Map(value key -> line)
var progress = {articles: 0, values: 0, todoArticles: 0, todoValues: 0};
// A value is (article, field, start, end, first key): the key of a line within its article.
// Two values of a field can share offsets (a bundle names two programs at once); their
// first key (EDIT_KEYS' first: program, name, regency_code...) tells them apart. It is the
// value's, or an added line's corrected one's (docs/CORRECTIONS.md).
function vkey(field, start, end, first) {
  return field + '|' + str(start) + '|' + str(end) + '|' + JSON.stringify(first === undefined ? null : first);
}
function lineKey(line) {
  var v = line.verdict === 'added' || !line.value ? line.corrected : line.value;
  var first = line.field === 'event_date' || !v || typeof v !== 'object' ? null : v[EDIT_KEYS[line.field][0][0]];
  return vkey(line.field, line.start, line.end, first);
}
function articleOf(id) { return firstById.has(id) ? ARTS[firstById.get(id)] : null; }
// verdicts on berita's values (not added ones) of an article, capped at its values
function doneOf(a) {
  var m = marks.get(a.id), n = 0;
  if (m) m.forEach(function (line) { if (line.verdict !== 'added') n++; });
  return Math.min(n, a.todo);
}
function reviewed(a) { return a.status !== 'error' && a.todo > 0 && doneOf(a) >= a.todo; }
function countProgress(a, sign) {
  if (a.status === 'error') return;
  progress.values += sign * doneOf(a);
  progress.articles += sign * (reviewed(a) ? 1 : 0);
}
function storage() { try { return window.localStorage; } catch (e) { return null; } }
function loadMarks() {
  var ls = storage();
  if (ls) {
    for (var k = 0; k < ls.length; k++) {
      var name = ls.key(k);
      if (!name || name.indexOf(STORE) !== 0) continue;
      var id = name.slice(STORE.length), lines;
      try { lines = JSON.parse(ls.getItem(name)); } catch (e) { continue; }
      if (!Array.isArray(lines) || !articleOf(id)) continue;
      marks.set(id, new Map(lines.filter(validLine).map(function (l) { return [lineKey(l), l]; })));
    }
  }
  ARTS.forEach(function (a) {
    if (a.status === 'error') return;
    progress.todoArticles += a.todo > 0 ? 1 : 0;
    progress.todoValues += a.todo;
    countProgress(a, 1);
  });
}
function saveMarks(id) {
  var ls = storage(), m = marks.get(id);
  if (!ls) { say('this browser keeps no storage for this page: export before closing it', true); return; }
  try {
    if (m && m.size) ls.setItem(STORE + id, JSON.stringify(Array.from(m.values())));
    else ls.removeItem(STORE + id);
  } catch (e) {
    say('the browser\u2019s storage is full: export your corrections now (' + e.name + ')', true);
  }
}
// Sets (verdict null: removes) the lines of values of one article; each `base` has the
// value's article_id, field, start, end, surface, value and corrected.
function setLines(bases, verdict) {
  if (!bases.length) return;
  var a = articleOf(bases[0].article_id);
  if (!a) return;
  countProgress(a, -1);
  if (!marks.has(a.id)) marks.set(a.id, new Map());
  var m = marks.get(a.id), at = new Date().toISOString(), reviewer = $('reviewer').value;
  bases.forEach(function (b) {
    var key = lineKey(b);
    m.delete(key);  // (re-)inserted: the newest line last
    if (verdict === null) return;
    m.set(key, {article_id: a.id, field: b.field, verdict: verdict, start: b.start, end: b.end,
                surface: b.surface, value: verdict === 'added' ? null : b.value,
                corrected: verdict === 'edited' || verdict === 'added' ? b.corrected : null,
                run: RUN, reviewer: reviewer, at: at});
  });
  if (!m.size) marks.delete(a.id);
  countProgress(a, 1);
  saveMarks(a.id);
  showProgress();
  paintListRow(a);
}
function getLine(aid, key) { var m = marks.get(aid); return m ? m.get(key) || null : null; }
function showProgress() {
  $('progress').textContent = 'Reviewed: ' + num(progress.articles) + ' of ' + num(progress.todoArticles) +
    ' articles \u00b7 ' + num(progress.values) + ' of ' + num(progress.todoValues) + ' values';
}
function say(text, bad) {
  var m = $('review-msg');
  m.textContent = text;
  m.classList.toggle('bad', !!bad);
}
function validLine(l) {
  return l && typeof l === 'object' && !Array.isArray(l) && typeof l.article_id === 'string' &&
    (FIELD.has(l.field) || l.field === 'event_date') && VERDICTS.indexOf(l.verdict) >= 0 &&
    (l.start === null || Number.isInteger(l.start)) && (l.end === null || Number.isInteger(l.end));
}
var LINE_KEYS = ['article_id', 'field', 'verdict', 'start', 'end', 'surface', 'value', 'corrected',
                 'run', 'reviewer', 'at'];
// corrections.jsonl: the articles in input order, each one's lines in field order then text order
function exportText() {
  var order = ['event_date'].concat(FIELDS.map(function (f) { return f.key; })), out = [];
  ARTS.forEach(function (a) {
    var m = marks.get(a.id);
    if (!m || firstById.get(a.id) !== a.i) return;
    Array.from(m.values()).sort(function (x, y) {
      return order.indexOf(x.field) - order.indexOf(y.field) || (x.start || 0) - (y.start || 0) ||
             (x.end || 0) - (y.end || 0);
    }).forEach(function (l) {
      var o = {};
      LINE_KEYS.forEach(function (k) { o[k] = l[k] === undefined ? null : l[k]; });
      if (typeof o.reviewer !== 'string') o.reviewer = '';
      out.push(JSON.stringify(o) + '\n');
    });
  });
  return out.join('');
}
function exportFile() {
  var text = exportText(), n = text ? text.split('\n').length - 1 : 0;
  var url = URL.createObjectURL(new Blob([text], {type: 'application/x-ndjson'}));
  var link = el('a', {href: url, download: 'corrections.jsonl'});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  say('exported ' + num(n) + ' verdicts');
}
// Merges a corrections.jsonl: a later line for the same value replaces an earlier one
// (and the page's own), so two reviewers' halves of a batch add up.
function importText(text) {
  var touched = new Map(), bad = 0, unknown = 0, other = 0, n = 0;
  text.split(/\r?\n/).forEach(function (raw) {
    if (!raw.trim()) return;
    var l;
    try { l = JSON.parse(raw); } catch (e) { bad++; return; }
    if (!validLine(l)) { bad++; return; }
    var a = articleOf(l.article_id);
    if (!a) { unknown++; return; }
    if (l.run !== RUN) other++;
    if (!touched.has(a)) { touched.set(a, true); countProgress(a, -1); }
    if (!marks.has(a.id)) marks.set(a.id, new Map());
    var m = marks.get(a.id), key = lineKey(l);
    m.delete(key);
    m.set(key, l);
    n++;
  });
  touched.forEach(function (_, a) { countProgress(a, 1); saveMarks(a.id); paintListRow(a); });
  showProgress();
  var msg = 'imported ' + num(n) + ' verdicts on ' + num(touched.size) + ' articles';
  if (other) msg += '; ' + num(other) + ' from another run (check their offsets)';
  if (unknown) msg += '; ' + num(unknown) + ' skipped: article not in this run';
  if (bad) msg += '; ' + num(bad) + ' skipped: not a corrections line';
  say(msg, bad + unknown > 0);
  if (state.rec) renderArticle();
  return n;
}

// ---- data files: review/part-NNNN.js calls berita_part(token, k, records)
var parts = new Map();  // k -> {recs, waiting}; most recently used last
function partOf(i) { return Math.floor(i / PART_SIZE) + 1; }
function partSrc(k) { return META.parts_dir + '/part-' + String(k).padStart(4, '0') + '.js'; }
window.berita_part = function (token, k, recs) {
  var p = parts.get(k);
  if (p && token === META.token && Array.isArray(recs)) p.recs = recs;
};
// done(records of part k, or null and why not)
function loadPart(k, done) {
  var p = parts.get(k);
  if (p) {
    parts.delete(k);
    parts.set(k, p);  // most recently used
    if (p.recs) done(p.recs, null);
    else p.waiting.push(done);
    return;
  }
  p = {recs: null, waiting: [done]};
  parts.set(k, p);
  var s = el('script', {src: partSrc(k)});
  s.nonce = META.token;
  s.onload = s.onerror = function (e) {
    s.remove();
    var why = null;
    if (!p.recs) {
      parts.delete(k);
      why = e.type === 'error'
        ? 'cannot read ' + partSrc(k) + ': the folder ' + META.parts_dir + '/ must stay beside this page'
        : partSrc(k) + ' belongs to another run: reload the page';
    }
    for (var key of Array.from(parts.keys())) {
      if (parts.size <= KEEP_PARTS) break;
      if (parts.get(key).recs) parts.delete(key);
    }
    p.waiting.splice(0).forEach(function (cb) { cb(p.recs, why); });
  };
  document.head.append(s);
}

// ---- search: the index answers ids and titles; texts and values need the parts, which
// are read one after the other (a few kept), the list filling in as they come
function indexHay(a) {
  return [a.id, a.title, a.error, a.date, a.reg].join('\n').toLowerCase();
}
function recordHay(r) {
  var out = [r.article_id, r.title, r.url, r.text, r.error, r.event_date, r.regency_name,
             Array.isArray(r.warnings) ? r.warnings.map(cell).join('\n') : null];
  FIELDS.forEach(function (f) {
    arr(r, f.key).forEach(function (v) { if (v) { out.push(v.surface, v.rule, norm(f.key, v)); } });
  });
  return out.filter(function (x) { return x !== null && x !== undefined; }).map(String).join('\n').toLowerCase();
}
function allTerms(hay) {
  return search.terms.every(function (t) { return hay.indexOf(t) >= 0; });
}
function startSearch(terms) {
  var gen = ++search.gen;
  search.terms = terms;
  search.hits = new Set();
  search.unreadable = [];
  search.scanned = terms.length ? 0 : NPARTS;
  applyListFilters();
  function next(k) {
    if (gen !== search.gen || k > NPARTS) return;
    loadPart(k, function (recs) {
      if (gen !== search.gen) return;
      var first = (k - 1) * PART_SIZE, last = Math.min(first + PART_SIZE, ARTS.length);
      for (var i = first; i < last; i++) {
        var r = recs && recs[i - first];
        if (allTerms(r ? recordHay(r) : indexHay(ARTS[i]))) search.hits.add(i);
      }
      if (!recs) search.unreadable.push(k);
      search.scanned = k;
      applyListFilters();
      setTimeout(function () { next(k + 1); }, 0);
    });
  }
  next(1);
}
function searching() { return search.scanned < NPARTS; }

// ---- article list (the filtered articles, LIST_PAGE rows at a time)
var rows = new Map();  // article number -> its row, for the rows on screen
function passes(a) {
  if (state.status && a.status !== state.status) return false;
  if (state.rule && !a.rules.has(state.rule)) return false;
  if (state.review && reviewState(a) !== state.review) return false;
  if (!search.terms.length) return true;
  return partOf(a.i) <= search.scanned && search.hits.has(a.i);
}
// 'done' | 'partly' | 'todo' ('' for errors)
function reviewState(a) {
  if (a.status === 'error') return '';
  var d = doneOf(a);
  return reviewed(a) ? 'done' : d || marks.has(a.id) ? 'partly' : 'todo';
}
function reviewCell(a) {
  var st = reviewState(a);
  return el('td', {'class': 'rev rev-' + (st || 'none'), title: st ? doneOf(a) + ' of ' + a.todo + ' values reviewed' : null,
                   text: st === 'done' ? '\u2713' : st === 'partly' ? doneOf(a) + '/' + a.todo : ''});
}
function paintListRow(a) {
  var tr = rows.get(a.i);
  if (tr) tr.querySelector('td.rev').replaceWith(reviewCell(a));
}
function listRow(a) {
  var tr = el('tr', {'class': 'arow st-' + a.status + (a.i === state.current ? ' current' : '') + (a.group ? ' member' : ''),
                     tabindex: 0, 'data-article': a.id, 'data-index': a.i, 'data-status': a.status,
                     'data-event': a.group ? a.event : null});
  var titleCell = el('td', {'class': 'title', title: a.title}, a.title);
  if (a.status === 'error' && a.error) titleCell.append(el('span', {'class': 'err-msg', text: a.error}));
  tr.append(el('td', {'class': 'id', title: a.id, text: a.id}), titleCell,
            el('td', {'class': 'date', text: a.date}),
            el('td', {'class': 'reg', title: a.reg, text: a.reg}));
  a.counts.forEach(function (c, k) {
    tr.append(el('td', {'class': 'cnt' + (c ? '' : ' zero'), 'data-field': FIELDS[k].key, text: c ? String(c) : '\u00b7'}));
  });
  tr.append(reviewCell(a));
  tr.append(el('td', {'class': 'status'}, el('span', {'class': 'badge' + (a.status === 'error' ? ' error' : ''), text: a.status})));
  return tr;
}
function applyListFilters() {
  var matching = ORDER.filter(passes);
  var pages = Math.max(1, Math.ceil(matching.length / LIST_PAGE));
  state.listPage = Math.min(state.listPage, pages - 1);
  var from = state.listPage * LIST_PAGE, shownRows = matching.slice(from, from + LIST_PAGE);
  rows = new Map();
  var frag = document.createDocumentFragment(), lastGroup = null;
  shownRows.forEach(function (a) {
    var tr = listRow(a);
    if (a.group && a.group !== lastGroup) {  // the first member shown heads its event
      tr.classList.add('group-first');
      tr.querySelector('td.title').prepend(el('span', {'class': 'group-label', 'data-event': a.event,
        text: 'event ' + a.event + ' \u00b7 ' + a.group.length + ' articles'}));
    }
    lastGroup = a.group;
    rows.set(a.i, tr);
    frag.append(tr);
  });
  $('list-body').replaceChildren(frag);
  var count = num(matching.length) + ' of ' + num(ARTS.length) + ' articles';
  if (searching()) count += ' (searching the texts: ' + search.scanned + ' of ' + NPARTS + ' data files read\u2026)';
  else if (search.unreadable.length) count += ' (texts of ' + search.unreadable.length + ' data files could not be read: ids and titles searched)';
  $('list-count').textContent = count;
  $('list-empty').hidden = matching.length > 0 || searching();
  $('list-pager').hidden = pages < 2;
  $('page-info').textContent = 'rows ' + num(from + 1) + '\u2013' + num(from + shownRows.length) + ' of ' + num(matching.length);
  $('page-prev').disabled = state.listPage === 0;
  $('page-next').disabled = state.listPage >= pages - 1;
}
function buildListControls() {
  var head = $('list-head');
  head.append(el('th', {'class': 'h-id', text: 'id'}), el('th', {'class': 'h-title', text: 'title'}),
              el('th', {'class': 'h-date', text: 'event date'}), el('th', {'class': 'h-reg', text: 'regency'}));
  FIELDS.forEach(function (f) {
    head.append(el('th', {'class': 'cnt f-' + f.key, title: f.label, 'data-field': f.key, text: f.short}));
  });
  head.append(el('th', {'class': 'h-rev', title: 'values reviewed', text: 'rev.'}),
              el('th', {'class': 'h-status', text: 'status'}));
  var nErr = ARTS.filter(function (a) { return a.status === 'error'; }).length;
  var st = $('filter-status');
  st.append(el('option', {value: '', text: 'all (' + ARTS.length + ')'}),
            el('option', {value: 'ok', text: 'ok (' + (ARTS.length - nErr) + ')'}),
            el('option', {value: 'error', text: 'error (' + nErr + ')'}));
  var ruleCount = new Map();
  ARTS.forEach(function (a) { a.rules.forEach(function (k) { ruleCount.set(k, (ruleCount.get(k) || 0) + 1); }); });
  var rs = $('filter-rule');
  rs.append(el('option', {value: '', text: 'all rules'}));
  Array.from(ruleCount.keys()).sort().forEach(function (k) {
    rs.append(el('option', {value: k, text: k + ' (' + ruleCount.get(k) + ' art.)'}));
  });
  $('filter-review').append(el('option', {value: '', text: 'all'}), el('option', {value: 'todo', text: 'not started'}),
                            el('option', {value: 'partly', text: 'partly reviewed'}), el('option', {value: 'done', text: 'reviewed'}));
}

// ---- article view
// A value's record gives one span; the same surface often recurs (a regency named 14
// times, a second "87,8 persen"). Mentions are the values' own offsets plus every other
// occurrence of the same surface in the text: same case, not inside a longer word, and
// not already the span of a value of that field. They link to the first value with that
// surface. One scan of the text per distinct surface.
var WORD_CHAR = /[\p{L}\p{N}]/u;
function occurrences(text, needle, ignoreCase) {
  var out = [];
  if (!needle) return out;
  if (ignoreCase) {
    var re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu'), m;
    while ((m = re.exec(text)) && out.length < MAX_RANGES) {
      if (!m[0].length) { re.lastIndex++; continue; }
      out.push([m.index, m.index + m[0].length]);
    }
    return out;
  }
  for (var at = text.indexOf(needle); at >= 0 && out.length < MAX_RANGES; at = text.indexOf(needle, at + 1)) {
    out.push([at, at + needle.length]);
  }
  return out;
}
function wholeWord(text, s, e) {
  return !(s > 0 && WORD_CHAR.test(text.charAt(s - 1)) && WORD_CHAR.test(text.charAt(s))) &&
         !(e < text.length && WORD_CHAR.test(text.charAt(e)) && WORD_CHAR.test(text.charAt(e - 1)));
}
function mentionSpans(valueSpans, text) {
  var own = new Set(), first = new Map(), out = [];
  valueSpans.forEach(function (sp) {
    own.add(sp.field + '|' + sp.s + '|' + sp.e);
    var surface = text.slice(sp.s, sp.e), id = sp.field + '\u0000' + surface;
    if (surface.trim().length > 1 && !first.has(id)) first.set(id, {sp: sp, surface: surface});
  });
  first.forEach(function (m) {
    occurrences(text, m.surface, false).forEach(function (r) {
      if (own.has(m.sp.field + '|' + r[0] + '|' + r[1]) || !wholeWord(text, r[0], r[1])) return;
      out.push({kind: 'm', s: r[0], e: r[1], kr: m.sp.kr, k: m.sp.k, field: m.sp.field, v: m.sp.v,
                key: m.sp.key, issue: ''});
    });
  });
  return out;
}
// The search terms in the text, any case.
function searchSpans(text) {
  var out = [];
  search.terms.forEach(function (t) {
    occurrences(text, t, true).forEach(function (r) { out.push({kind: 'q', s: r[0], e: r[1], kr: 2 + FIELDS.length, k: 0}); });
  });
  return out;
}
// Spans in document order (outer first), then what is drawn of them: at most MAX_DEPTH open
// at one place, MAX_HIGHLIGHTS values and MAX_RANGES sentences and boilerplate ranges;
// mentions and search hits fill what the values leave of MAX_HIGHLIGHTS.
function buildSpans(rec, text, u) {
  var spans = [], values = [];
  arr(rec, 'sentences').forEach(function (r, k) {
    if (Array.isArray(r) && validRange(r[0], r[1], u.len)) spans.push({kind: 's', s: u(r[0]), e: u(r[1]), kr: 0, k: k});
  });
  arr(rec, 'boilerplate').forEach(function (r, k) {
    if (Array.isArray(r) && validRange(r[0], r[1], u.len)) spans.push({kind: 'b', s: u(r[0]), e: u(r[1]), kr: 1, k: k});
  });
  FIELDS.forEach(function (f, fi) {
    arr(rec, f.key).forEach(function (v, idx) {
      if (!v || !shown(f.key, v) || issueOf(v, text, u) === 'unanchored') return;
      values.push({kind: 'v', s: u(v.start), e: u(v.end), kr: 2 + fi, k: idx, field: f.key, v: v,
                   key: f.key + ':' + idx, issue: issueOf(v, text, u)});
    });
  });
  var extra = values.length < MAX_HIGHLIGHTS ? mentionSpans(values, text).concat(searchSpans(text)) : [];
  spans = spans.concat(values, extra);
  spans.sort(function (a, b) { return a.s - b.s || b.e - a.e || a.kr - b.kr || a.k - b.k; });
  var drawn = [], open = [], nValues = 0, nExtra = 0, nRanges = 0,
      left = {values: 0, ranges: 0, extra: 0, keys: new Set()};
  spans.forEach(function (sp) {
    var isValue = sp.kind === 'v', isExtra = sp.kind === 'm' || sp.kind === 'q';
    open = open.filter(function (o) { return o.e > sp.s; });
    if (isExtra) {
      if (open.length >= MAX_DEPTH || nExtra >= MAX_HIGHLIGHTS - values.length) { left.extra++; return; }
      nExtra++;
    } else if (open.length >= MAX_DEPTH || (isValue ? nValues >= MAX_HIGHLIGHTS : nRanges >= MAX_RANGES)) {
      if (isValue) { left.values++; left.keys.add(sp.key); } else left.ranges++;
      return;
    } else if (isValue) nValues++; else nRanges++;
    sp.rank = drawn.length;
    drawn.push(sp);
    open.push(sp);
  });
  return {spans: drawn, left: left};
}
function tipText(field, v, issue, mention) {
  var t = FIELD.get(field).label + ': ' + norm(field, v) + '\nrule: ' + str(v.rule) +
          '\n\u201c' + str(v.surface) + '\u201d [' + v.start + '\u2013' + v.end + ']';
  if (mention) t += '\n(another mention of this surface)';
  if (issue) t += '\n\u26a0 ' + issue + ': text at these offsets differs from surface';
  return t;
}
function makeNode(sp, cont) {
  if (sp.kind === 's') {
    return el('span', {'class': 'sent' + (sp.k % 2 ? ' odd' : '') + (cont ? '' : ' sent-first'),
                       'data-sentence': sp.k, 'data-n': cont ? null : sp.k + 1});
  }
  if (sp.kind === 'b') return el('span', {'class': 'boiler', 'data-boiler': sp.k, title: 'boilerplate'});
  if (sp.kind === 'q') return el('mark', {'class': 'q', title: 'search term'});
  var v = sp.v, mention = sp.kind === 'm';
  return el('mark', {
    'class': 'hl f-' + sp.field + (mention ? ' mention' : '') + (cont ? ' cont' : '') + (sp.issue ? ' ' + sp.issue : ''),
    id: cont || mention ? null : 'hl-' + sp.field + '-' + sp.k,
    tabindex: cont || mention ? -1 : 0,
    'data-field': sp.field, 'data-idx': sp.k, 'data-key': sp.key,
    'data-rule': str(v.rule), 'data-start': v.start, 'data-end': v.end,
    title: tipText(sp.field, v, sp.issue, mention)
  });
}
// Splits the text at every span boundary and keeps a stack of open elements: spans that
// nest stay one element; a span crossing another is closed and reopened (class "cont").
function renderText(spans, text) {
  var box = el('div', {id: 'article-text', 'class': 'text' + (state.showSent ? ' show-sent' : ''), lang: 'id'});
  var pts = [0, text.length], startsAt = new Map();
  spans.forEach(function (sp) {
    pts.push(sp.s, sp.e);
    if (!startsAt.has(sp.s)) startsAt.set(sp.s, []);
    startsAt.get(sp.s).push(sp);
  });
  pts = Array.from(new Set(pts)).sort(function (a, b) { return a - b; });
  var active = [], stack = [{node: box, sp: null}], opened = new Set();
  for (var k = 0; k < pts.length - 1; k++) {
    var p = pts[k], q = pts[k + 1];
    active = active.filter(function (sp) { return sp.e > p; });
    if (startsAt.has(p)) { active = active.concat(startsAt.get(p)); active.sort(function (a, b) { return a.rank - b.rank; }); }
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
function capNote(left) {
  if (!left.values && !left.ranges && !left.extra) return null;
  var what = [];
  if (left.values) what.push(num(left.values) + ' value highlight' + (left.values > 1 ? 's' : ''));
  if (left.ranges) what.push(num(left.ranges) + ' sentence or boilerplate range' + (left.ranges > 1 ? 's' : ''));
  if (left.extra) what.push(num(left.extra) + ' further mention' + (left.extra > 1 ? 's' : '') + ' or search hit' + (left.extra > 1 ? 's' : ''));
  return el('p', {'class': 'cap-note', role: 'note', text:
    'Not drawn: ' + what.join(' and ') + '. This page draws at most ' + num(MAX_HIGHLIGHTS) +
    ' value highlights and ' + num(MAX_RANGES) + ' ranges per article, and ' + MAX_DEPTH +
    ' overlapping at one place; the value list beside the text shows the values (' + num(MAX_ROWS) +
    ' per field), the CSV tables all of them.'});
}

// ---- review panel: one row per value (and per value a reviewer added), with its verdict
// What a reviewer can correct of each field (docs/CORRECTIONS.md): [key, kind]. Numbers
// and codes cannot be empty; an added value needs its first key.
var EDIT_KEYS = {
  event_date: [['date', 'date']],
  dates: [['date', 'date'], ['is_event', 'bool']],
  officials: [['name', 'text'], ['role', 'text'], ['position', 'text'], ['organization', 'text']],
  regencies: [['regency_code', 'code']],
  programs: [['program', 'text'], ['acronym', 'text']],
  participants: [['count', 'int'], ['population', 'text']],
  percentages: [['value', 'number'], ['population', 'text']],
  amounts: [['amount_idr', 'int'], ['purpose', 'text']]
};
var VERDICT_MARK = {correct: '\u2713 correct', wrong: '\u2717 wrong', edited: '\u270e edited', added: '+ added'};
var items = new Map();  // data-key of a panel row -> its item
// An item: the value's identity and what a line about it carries besides the verdict.
function valueItem(a, field, v, idx) {
  return {key: field + ':' + idx, field: field, v: v, added: false,
          base: {article_id: a.id, field: field, start: Number.isInteger(v.start) ? v.start : null,
                 end: Number.isInteger(v.end) ? v.end : null,
                 surface: typeof v.surface === 'string' ? v.surface : null, value: v, corrected: null}};
}
function eventItem(a, rec) {
  var date = typeof rec.event_date === 'string' ? rec.event_date : null;
  return {key: 'event_date:0', field: 'event_date', v: {date: date}, added: false,
          base: {article_id: a.id, field: 'event_date', start: null, end: null, surface: null,
                 value: {date: date}, corrected: null}};
}
function addedItem(line) {
  return {key: 'added:' + lineKey(line), field: line.field, v: null, added: true, base: line};
}
// every value of the article, whatever the filters (for "mark the rest correct")
function allItems(a, rec) {
  var out = a.status === 'error' ? [] : [eventItem(a, rec)];
  FIELDS.forEach(function (f) {
    arr(rec, f.key).forEach(function (v, idx) { if (v && typeof v === 'object') out.push(valueItem(a, f.key, v, idx)); });
  });
  return out;
}
function itemLine(it) { return getLine(it.base.article_id, lineKey(it.base)); }
function summary(obj) {
  if (!obj || typeof obj !== 'object') return '';
  return Object.keys(obj).map(function (k) { return k + ' ' + (obj[k] === null ? '(none)' : cell(obj[k])); }).join(' \u00b7 ');
}
function itemText(it) {
  if (it.added) return FIELD.has(it.field) ? summary(it.base.corrected) : '';
  if (it.field === 'event_date') {
    var t = state.rec && state.rec.event_date_text;
    return (it.v.date || '(no event date)') + (t ? ' (\u201c' + t + '\u201d)' : '');
  }
  return norm(it.field, it.v);
}
function button(act, label, title) {
  return el('button', {type: 'button', 'class': 'vb vb-' + act, 'data-act': act, title: title, text: label});
}
function panelRow(it, text, u, notDrawn) {
  var v = it.v, issue = v && it.field !== 'event_date' ? issueOf(v, text, u) : '';
  var tr = el('tr', {'class': 'vrow' + (issue ? ' issue ' + issue : '') + (it.added ? ' added' : ''), tabindex: 0,
                     'data-field': it.field, 'data-idx': it.key.split(':')[1], 'data-key': it.key,
                     'data-vkey': lineKey(it.base), 'data-rule': v ? str(v.rule) : null,
                     'data-start': str(it.base.start), 'data-end': str(it.base.end),
                     title: issue ? issue + ' span' : null});
  var where = it.base.surface !== null ? '\u201c' + it.base.surface + '\u201d' : '';
  if (it.base.start !== null) where += ' ' + it.base.start + '\u2013' + it.base.end;
  if (issue) where += ' \u26a0 ' + issue;
  if (notDrawn.has(it.key)) where += ' (not drawn)';
  tr.append(el('td', {'class': 'val'}, el('div', {'class': 'norm', text: itemText(it)}),
               el('div', {'class': 'verdict'}),
               v && v.rule ? el('div', {'class': 'rule', text: str(v.rule)}) : null),
            el('td', {'class': 'span', text: where}),
            el('td', {'class': 'act'},
               it.added ? null : button('correct', '\u2713', 'correct (c)'),
               it.added ? null : button('wrong', '\u2717', 'wrong (x)'),
               button('edit', '\u270e', 'correct the value (e)'),
               it.added ? button('undo', '\u2715', 'remove this added value (u)') : null));
  items.set(it.key, it);
  paintRow(tr);
  return tr;
}
function paintRow(tr) {
  var it = items.get(tr.getAttribute('data-key')), line = it && itemLine(it);
  var verdict = line ? line.verdict : '';
  tr.setAttribute('data-verdict', verdict);
  VERDICTS.forEach(function (x) { tr.classList.toggle('v-' + x, verdict === x); });
  var box = tr.querySelector('.verdict');
  box.textContent = !line ? '' : VERDICT_MARK[line.verdict] +
    (line.verdict === 'edited' ? ': ' + summary(line.corrected) : '') +
    (line.reviewer ? ' \u00b7 ' + line.reviewer : '');
  tr.querySelectorAll('button[data-act]').forEach(function (b) {
    b.setAttribute('aria-pressed', String(b.getAttribute('data-act') === verdict ||
                                          (b.getAttribute('data-act') === 'edit' && verdict === 'edited')));
  });
}
function fieldSection(key, label, colour, rowsOf, note) {
  var sec = el('section', {'class': 'field-table f-' + key, 'data-field': key},
    el('h3', null, el('span', {'class': 'swatch'}), label + ' ', el('span', {'class': 'n', text: note})));
  sec.querySelector('.swatch').style.background = colour;
  if (!rowsOf.length) sec.append(el('p', {'class': 'none', text: 'none'}));
  else sec.append(el('table', null, el('tbody', null, ...rowsOf)));
  return sec;
}
function articleProgress(a) {
  return a.status === 'error' ? 'error: nothing to review' : num(doneOf(a)) + ' of ' + num(a.todo) + ' values reviewed' + (reviewed(a) ? ' \u2713' : '');
}
function renderPanel(a, rec, text, u, notDrawn) {
  items = new Map();
  var panel = el('aside', {id: 'review-panel', 'aria-label': 'Values'});
  panel.append(el('div', {'class': 'panel-head'},
    el('span', {id: 'article-progress', text: articleProgress(a)}),
    a.status === 'error' ? null : el('button', {type: 'button', id: 'rest-correct', title: 'every value without a verdict is correct (A)',
                                               text: 'Mark the rest correct'})));
  var wrap = el('div', {id: 'value-tables'});
  var added = new Map();
  (marks.get(a.id) || new Map()).forEach(function (line) {
    if (line.verdict !== 'added') return;
    if (!added.has(line.field)) added.set(line.field, []);
    added.get(line.field).push(line);
  });
  if (a.status !== 'error') wrap.append(fieldSection('event_date', 'Event date', '#57606a', [panelRow(eventItem(a, rec), text, u, notDrawn)], ''));
  FIELDS.forEach(function (f) {
    if (!state.fields.get(f.key)) return;
    var all = arr(rec, f.key), vals = [];
    all.forEach(function (v, idx) { if (v && typeof v === 'object' && shown(f.key, v)) vals.push(valueItem(a, f.key, v, idx)); });
    var hiddenN = all.length - vals.length, beyond = Math.max(0, vals.length - MAX_ROWS);
    var trs = vals.slice(0, MAX_ROWS).map(function (it) { return panelRow(it, text, u, notDrawn); });
    (added.get(f.key) || []).forEach(function (line) { trs.push(panelRow(addedItem(line), text, u, notDrawn)); });
    var sec = fieldSection(f.key, f.label, f.fg, trs, '(' + vals.length + (hiddenN ? ', ' + hiddenN + ' hidden by rule filter' : '') + ')');
    if (beyond) sec.append(el('p', {'class': 'none', text: '\u2026 and ' + num(beyond) + ' more (see ' + f.key + '.csv)'}));
    wrap.append(sec);
  });
  panel.append(wrap);
  return panel;
}
function refreshArticleProgress() {
  var p = $('article-progress');
  if (p && state.current !== null) p.textContent = articleProgress(ARTS[state.current]);
}
// verdict on one panel row: the same verdict again takes it back
function judge(tr, verdict) {
  var it = items.get(tr.getAttribute('data-key'));
  if (!it) return;
  var line = itemLine(it);
  if (verdict === 'undo') setLines([it.base], null);
  else setLines([it.base], line && line.verdict === verdict ? null : verdict);
  if (it.added && verdict === 'undo') { renderArticle(); return; }
  paintRow(tr);
  refreshArticleProgress();
}
function restCorrect() {
  if (state.current === null || !state.rec) return;
  var a = ARTS[state.current];
  setLines(allItems(a, state.rec).filter(function (it) { return !itemLine(it); })
                                 .map(function (it) { return it.base; }), 'correct');
  document.querySelectorAll('#value-tables tr.vrow').forEach(paintRow);
  refreshArticleProgress();
}

// ---- the editor of a value (edited) or of a value berita missed (added)
function editorInput(kind, key, value) {
  if (kind === 'bool') return el('input', {type: 'checkbox', 'data-key': key, checked: value === true});
  return el('input', {type: 'text', 'data-key': key, 'data-kind': kind, value: value === null || value === undefined ? '' : String(value),
                      placeholder: kind === 'date' ? 'YYYY-MM-DD' : kind === 'int' ? 'a whole number' : kind === 'number' ? 'a number' : '',
                      inputmode: kind === 'int' || kind === 'number' ? 'decimal' : null});
}
// the typed value of an input, or throws the reason it is not one
function parseInput(kind, raw, key, required) {
  var s = raw.trim();
  if (!s && (required || kind === 'int' || kind === 'number' || kind === 'code')) throw new Error(key + ' cannot be empty');
  if (!s) return null;
  if (kind === 'date') {
    var d = new Date(s + 'T00:00:00Z');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || isNaN(d) || d.toISOString().slice(0, 10) !== s) throw new Error('a date is YYYY-MM-DD');
    return s;
  }
  if (kind === 'int') {  // 4.000 and 4 000 are four thousand
    var t = s.replace(/[.\s\u00a0]/g, '');
    if (!/^-?\d+$/.test(t) || !Number.isSafeInteger(+t)) throw new Error('\u201c' + s + '\u201d is not a whole number');
    return +t;
  }
  if (kind === 'number') {  // 87,8 is 87.8
    var x = s.replace(',', '.');
    if (!/^-?\d+(\.\d+)?$/.test(x)) throw new Error('\u201c' + s + '\u201d is not a number');
    return +x;
  }
  return s;
}
function openEditor(tr) {
  closeEditor();
  var it = items.get(tr.getAttribute('data-key'));
  if (!it) return;
  var line = itemLine(it), start = line && line.corrected ? line.corrected : it.added ? {} : it.v;
  var form = el('div', {'class': 'editor', 'data-for': it.key});
  EDIT_KEYS[it.field].forEach(function (pair) {
    form.append(el('label', null, el('span', {text: pair[0]}), editorInput(pair[1], pair[0], start[pair[0]])));
  });
  form.append(el('div', {'class': 'editor-buttons'},
    el('button', {type: 'button', 'data-act': 'save', text: it.added ? 'Save the added value' : 'Save the correction'}),
    el('button', {type: 'button', 'data-act': 'cancel', text: 'Cancel'}),
    el('span', {'class': 'editor-error', role: 'alert'})));
  var row = el('tr', {'class': 'edit-row'}, el('td', {colspan: 3}, form));
  tr.after(row);
  state.editing = {tr: tr, row: row, item: it};
  var first = form.querySelector('input');
  if (first) first.focus();
}
function closeEditor() {
  if (!state.editing) return;
  var tr = state.editing.tr, it = state.editing.item;
  state.editing.row.remove();
  state.editing = null;
  if (it.added && !itemLine(it)) { tr.remove(); return; }  // an added value never saved
  if (tr.isConnected) tr.focus({preventScroll: true});
}
function saveEditor() {
  var ed = state.editing, corrected = {};
  try {
    EDIT_KEYS[ed.item.field].forEach(function (pair, k) {
      var input = ed.row.querySelector('input[data-key="' + pair[0] + '"]');
      corrected[pair[0]] = pair[1] === 'bool' ? input.checked : parseInput(pair[1], input.value, pair[0], ed.item.added && k === 0);
    });
  } catch (e) {
    ed.row.querySelector('.editor-error').textContent = e.message;
    return;
  }
  var base = Object.assign({}, ed.item.base, {corrected: corrected});
  // an added value is known by its corrected first key: an edit of it replaces its old line
  if (ed.item.added && itemLine(ed.item)) setLines([ed.item.base], null);
  setLines([base], ed.item.added ? 'added' : 'edited');
  closeEditor();
  if (ed.item.added) { renderArticle(); return; }
  paintRow(ed.tr);
  refreshArticleProgress();
}

// ---- adding a value berita missed: select text in the article, pick its field
var pending = null;  // {start, end, surface} of the selection, in code points
function selectionInText() {
  var box = $('article-text'), sel = window.getSelection();
  if (!box || !sel || !sel.rangeCount || sel.isCollapsed) return null;
  var r = sel.getRangeAt(0);
  if (!box.contains(r.startContainer) || !box.contains(r.endContainer)) return null;
  var pre = document.createRange();
  pre.selectNodeContents(box);
  pre.setEnd(r.startContainer, r.startOffset);
  var text = state.rec.text, s = pre.toString().length, e = s + r.toString().length;
  while (s < e && /\s/.test(text.charAt(s))) s++;
  while (e > s && /\s/.test(text.charAt(e - 1))) e--;
  if (s >= e) return null;
  // UTF-16 units -> code points (the records' offsets)
  var cs = Array.from(text.slice(0, s)).length, ce = cs + Array.from(text.slice(s, e)).length;
  return {start: cs, end: ce, surface: text.slice(s, e), rect: r.getBoundingClientRect()};
}
function offerAdd() {
  var sel = state.rec && ARTS[state.current].status !== 'error' ? selectionInText() : null;
  var box = $('add-box');
  pending = sel;
  if (!sel) { box.hidden = true; return; }
  $('add-surface').textContent = '\u201c' + (sel.surface.length > 40 ? sel.surface.slice(0, 39) + '\u2026' : sel.surface) + '\u201d';
  box.hidden = false;
  var w = box.getBoundingClientRect().width;
  box.style.top = Math.min(window.innerHeight - 40, sel.rect.bottom + 6) + 'px';
  box.style.left = Math.max(4, Math.min(sel.rect.left, window.innerWidth - w - 8)) + 'px';
}
function addPending() {
  if (!pending || state.current === null) return;
  var field = $('add-field').value, a = ARTS[state.current], sel = pending;
  $('add-box').hidden = true;
  state.fields.set(field, true);
  $('field-' + field).checked = true;
  // a value berita has at these offsets is edited, not added (docs/CORRECTIONS.md)
  var idx = arr(state.rec, field).findIndex(function (v) { return v && v.start === sel.start && v.end === sel.end; });
  if (idx >= 0) {
    pending = null;
    renderArticle();
    var row = document.querySelector('#value-tables tr.vrow[data-key="' + field + ':' + idx + '"]');
    say('berita has this ' + FIELD.get(field).label.toLowerCase() + ' value already: correct it here');
    if (row) { setCursor(row, 'text'); openEditor(row); }
    return;
  }
  var line = {article_id: a.id, field: field, start: pending.start, end: pending.end, surface: pending.surface,
              value: null, corrected: {}};
  pending = null;
  window.getSelection().removeAllRanges();
  renderArticle();
  var it = addedItem(line), sec = document.querySelector('#value-tables section[data-field="' + field + '"]');
  var tr = panelRow(it, state.rec.text, offsetMap(state.rec.text), new Set());
  var tbody = sec.querySelector('tbody');
  if (!tbody) { sec.querySelector('p.none').replaceWith(el('table', null, tbody = el('tbody'))); }
  tbody.append(tr);
  tr.scrollIntoView({block: 'nearest'});
  openEditor(tr);
}

// ---- an event's articles side by side: the values they disagree on
function memberSummary(rec) {
  var out = new Map();
  out.set('event date', str(rec.event_date));
  out.set('regency', [rec.regency_name, rec.regency_code ? '(' + rec.regency_code + ')' : ''].filter(Boolean).join(' '));
  FIELDS.forEach(function (f) {
    out.set(f.label.toLowerCase(), Array.from(new Set(arr(rec, f.key).filter(Boolean).map(function (v) { return norm(f.key, v); }))).sort().join('\n'));
  });
  return out;
}
function renderEvent(a) {
  var box = el('section', {id: 'event-compare', 'data-event': a.event},
                el('h3', {text: 'Event ' + a.event + ': ' + a.group.length + ' articles'}),
                el('p', {'class': 'none', text: 'loading the other articles\u2026'}));
  var got = new Map(), waiting = a.group.length;
  setTimeout(function () { a.group.forEach(load); }, 0);  // once the box is on the page
  return box;
  function load(i) {
    loadPart(partOf(i), function (recs) {
      got.set(i, recs && recs[i % PART_SIZE]);
      if (--waiting || state.current !== a.i || !box.isConnected) return;
      var sums = a.group.map(function (j) { var r = got.get(j); return r && typeof r === 'object' ? memberSummary(r) : null; });
      var head = el('tr', null, el('th'));
      a.group.forEach(function (j) {
        head.append(el('th', {'class': j === a.i ? 'this' : null},
          el('a', {href: '#index=' + j, 'data-open': j, text: ARTS[j].id})));
      });
      var body = el('tbody'), same = [];
      Array.from((sums.find(Boolean) || new Map()).keys()).forEach(function (label) {
        var cells = sums.map(function (m) { return m ? m.get(label) : '(not loaded)'; });
        if (cells.every(function (c) { return c === cells[0]; })) { same.push(label); return; }
        var tr = el('tr', {'class': 'differs', 'data-row': label}, el('th', {text: label}));
        cells.forEach(function (c, k) { tr.append(el('td', {'class': a.group[k] === a.i ? 'this' : null, text: c || '\u2013'})); });
        body.append(tr);
      });
      box.replaceChildren(box.firstChild,
        body.childNodes.length ? el('div', {'class': 'scroll-x'}, el('table', null, el('thead', null, head), body))
                               : el('p', {'class': 'none', text: 'The articles agree on every field.'}),
        same.length ? el('p', {'class': 'none', text: 'Agree on: ' + same.join(', ') + '.'}) : null);
    });
  }
}

function restoreSentences(rec, text, u) {
  var sents = arr(rec, 'sentences');
  FIELDS.forEach(function (f) {
    arr(rec, f.key).forEach(function (v) {
      var r = v && Number.isInteger(v.sentence) ? sents[v.sentence] : null;
      if (r && Array.isArray(r) && validRange(r[0], r[1], u.len)) v.sentence = text.slice(u(r[0]), u(r[1]));
    });
  });
}
function renderArticle() {
  var view = $('article-view');
  hideTip();
  state.marked = null;
  state.editing = null;
  $('add-box').hidden = true;
  if (state.current === null || state.rec === null) return;
  var rec = state.rec, a = ARTS[state.current];
  var text = typeof rec.text === 'string' ? rec.text : '';
  var u = offsetMap(text);
  restoreSentences(rec, text, u);
  var head = el('div', {'class': 'art-head'}, el('h2', {text: str(rec.title) || '(untitled)'}));
  var dl = el('dl', {'class': 'meta'});
  function row(label, value) { if (value !== '' && value !== null && value !== undefined) dl.append(el('dt', {text: label}), el('dd', null, value)); }
  row('id', a.id);
  if (typeof rec.url === 'string' && /^https?:\/\//i.test(rec.url)) {
    row('url', el('a', {href: rec.url, target: '_blank', rel: 'noopener noreferrer', text: rec.url}));
  } else row('url', str(rec.url));
  row('published', str(rec.published));
  row('event date', str(rec.event_date) + (rec.event_date_text ? ' (\u201c' + rec.event_date_text + '\u201d)' : ''));
  row('regency', [rec.regency_name, rec.regency_code ? '(' + rec.regency_code + ')' : '', rec.province_name ? '\u00b7 ' + rec.province_name : ''].filter(Boolean).join(' '));
  row('status', el('span', {'class': 'badge' + (a.status === 'error' ? ' error' : ''), text: a.status}));
  if (Array.isArray(rec.warnings) && rec.warnings.length) row('warnings', rec.warnings.map(cell).join('\n'));
  row('values', FIELDS.map(function (f, k) { return f.label.toLowerCase() + ' ' + a.counts[k]; }).join(' \u00b7 '));
  head.append(dl);
  if (a.group) head.append(renderEvent(a));
  var nodes = [head];
  if (a.status === 'error' || rec.error) nodes.push(el('div', {'class': 'banner', role: 'alert', text: 'Error: ' + str(rec.error || 'status ' + a.status)}));
  var built = buildSpans(rec, text, u);
  nodes.push(capNote(built.left), el('div', {'class': 'art-body'}, renderText(built.spans, text),
                                     renderPanel(a, rec, text, u, built.left.keys)));
  view.replaceChildren.apply(view, nodes.filter(Boolean));
  view.setAttribute('data-article', a.id);
  view.setAttribute('data-index', a.i);
  var cur = state.cursor && document.querySelector('#value-tables tr.vrow[data-key="' + CSS.escape(state.cursor) + '"]');
  if (cur) cur.classList.add('cursor');
}
function showProblem(a, why) {
  var view = $('article-view');
  view.replaceChildren(el('div', {'class': 'art-head'}, el('h2', {text: a.title || '(untitled)'})),
                       el('div', {'class': 'banner', role: 'alert', text: why}));
  view.setAttribute('data-article', a.id);
  view.setAttribute('data-index', a.i);
}
function openArticle(i) {
  var old = rows.get(state.current);
  if (old) old.classList.remove('current');
  state.current = i;
  state.rec = null;
  state.cursor = null;
  document.body.classList.add('reading');  // a phone shows the article instead of the list
  var row = rows.get(i);
  if (row) row.classList.add('current');
  var a = ARTS[i];
  var hash = firstById.get(a.id) === i && a.id ? 'article=' + encodeURIComponent(a.id) : 'index=' + i;
  try { history.replaceState(null, '', '#' + hash); } catch (e) { /* some file:// setups */ }
  loadPart(partOf(i), function (recs, why) {
    if (state.current !== i) return;
    var rec = recs && recs[i % PART_SIZE];
    if (!rec || typeof rec !== 'object') {
      showProblem(a, why || 'the record of this article is missing from ' + partSrc(partOf(i)));
      return;
    }
    state.rec = rec;
    renderArticle();
    $('article-pane').scrollTop = 0;
    window.scrollTo(0, 0);
  });
}
function fromHash() {
  var h = location.hash.slice(1), m;
  if ((m = /^article=(.*)$/.exec(h))) {
    var id; try { id = decodeURIComponent(m[1]); } catch (e) { return; }
    if (firstById.has(id)) openArticle(firstById.get(id));
  } else if ((m = /^index=(\d+)$/.exec(h)) && +m[1] < ARTS.length) openArticle(+m[1]);
}

// ---- marking: table row <-> highlighted span
function clearMarks() {
  document.querySelectorAll('#article-view .marked').forEach(function (n) { n.classList.remove('marked'); });
  state.marked = null;
}
// from: 'row' (a click on it: the text comes into view and takes the focus), 'text' (the
// row comes into view), 'nav' (j/k: both come into view, the row keeps the focus)
function markKey(key, from) {
  clearMarks();
  state.marked = key;
  var sel = '[data-key="' + CSS.escape(key) + '"]';
  var pieces = document.querySelectorAll('#article-text mark' + sel);
  var row = document.querySelector('#value-tables tr.vrow' + sel);
  pieces.forEach(function (n) { n.classList.add('marked'); });
  if (row) row.classList.add('marked');
  if (from === 'row' && pieces.length) {
    pieces[0].scrollIntoView({block: 'center'});
    pieces[0].focus({preventScroll: true});
  } else if (from === 'text' && row) {
    row.scrollIntoView({block: 'nearest'});
  } else if (from === 'nav') {
    if (pieces.length) pieces[0].scrollIntoView({block: 'center'});
    if (row) { row.scrollIntoView({block: 'nearest'}); row.focus({preventScroll: true}); }
  }
}
// ---- j/k: the value cursor
function cursorRow() {
  return state.cursor ? document.querySelector('#value-tables tr.vrow[data-key="' + CSS.escape(state.cursor) + '"]') : null;
}
function setCursor(tr, from) {
  document.querySelectorAll('#value-tables tr.cursor').forEach(function (x) { x.classList.remove('cursor'); });
  tr.classList.add('cursor');
  state.cursor = tr.getAttribute('data-key');
  markKey(state.cursor, from);
}
function step(d) {
  var list = Array.from(document.querySelectorAll('#value-tables tr.vrow'));
  if (!list.length) return;
  var i = list.indexOf(cursorRow());
  setCursor(list[i < 0 ? (d > 0 ? 0 : list.length - 1) : Math.max(0, Math.min(list.length - 1, i + d))], 'nav');
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
  buildListControls();
  var ff = $('field-filters');
  FIELDS.forEach(function (f) {
    ff.append(el('label', {'class': 'f-' + f.key, 'data-field': f.key, title: 'show/hide ' + f.label.toLowerCase()},
      el('input', {type: 'checkbox', checked: true, 'data-field': f.key, id: 'field-' + f.key}), f.label));
  });
  ff.addEventListener('change', function (e) {
    var cb = e.target;
    if (!cb.matches('input[data-field]')) return;
    state.fields.set(cb.getAttribute('data-field'), cb.checked);
    renderArticle();
  });
  $('toggle-sentences').addEventListener('change', function (e) {
    state.showSent = e.target.checked;
    var t = $('article-text');
    if (t) t.classList.toggle('show-sent', state.showSent);
  });
  $('filter-status').addEventListener('change', function (e) { state.status = e.target.value; state.listPage = 0; applyListFilters(); });
  $('filter-rule').addEventListener('change', function (e) {
    state.rule = e.target.value; state.listPage = 0; applyListFilters(); renderArticle();
  });
  $('page-prev').addEventListener('click', function () { state.listPage--; applyListFilters(); });
  $('page-next').addEventListener('click', function () { state.listPage++; applyListFilters(); });
  var timer = null;
  $('search').addEventListener('input', function (e) {
    clearTimeout(timer);
    var q = e.target.value;
    timer = setTimeout(function () {
      state.listPage = 0;
      startSearch(q.toLowerCase().split(/\s+/).filter(Boolean));
      if (state.rec) renderArticle();  // the terms are highlighted in the text
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
      var n = e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling;
      if (n) n.focus();
    }
  });
  var view = $('article-view');
  view.addEventListener('click', function (e) {
    var open = e.target.closest('a[data-open]');
    if (open) { e.preventDefault(); openArticle(+open.getAttribute('data-open')); return; }
    var act = e.target.closest('button[data-act]');
    if (act) {
      var what = act.getAttribute('data-act'), row = act.closest('tr.vrow');
      if (what === 'save') saveEditor();
      else if (what === 'cancel') closeEditor();
      else if (what === 'edit') openEditor(row);
      else if (row) { setCursor(row, 'nav'); judge(row, what); }
      return;
    }
    if (e.target.closest('.editor')) return;
    var mk = e.target.closest('mark.hl');
    if (mk) {
      e.stopPropagation();
      var r = document.querySelector('#value-tables tr.vrow[data-key="' + CSS.escape(mk.getAttribute('data-key')) + '"]');
      if (r) setCursor(r, 'text'); else markKey(mk.getAttribute('data-key'), 'text');
      return;
    }
    if (e.target.closest('#rest-correct')) { restCorrect(); return; }
    var tr = e.target.closest('tr.vrow');
    if (tr) setCursor(tr, 'row');
  });
  view.addEventListener('keydown', function (e) {
    var t = e.target;
    if (t.closest && t.closest('.editor')) {
      if (e.key === 'Enter') { e.preventDefault(); saveEditor(); }
      else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); closeEditor(); }
      return;
    }
    if (e.key === 'Enter' && t.matches && (t.matches('mark.hl') || t.matches('tr.vrow'))) {
      e.preventDefault();
      markKey(t.getAttribute('data-key'), t.matches('mark.hl') ? 'text' : 'row');
    }
  });
  view.addEventListener('focusin', function (e) { if (e.target.matches('mark.hl')) showTip(e.target); });
  view.addEventListener('focusout', function (e) { if (e.target.matches('mark.hl')) hideTip(); });
  // a selection in the text offers to add it as a value berita missed
  view.addEventListener('mouseup', function () { setTimeout(offerAdd, 0); });
  view.addEventListener('keyup', function (e) { if (e.shiftKey) offerAdd(); });
  var selTimer = null;  // a touch selection (long press, handles) ends without a mouseup
  document.addEventListener('selectionchange', function () {
    var box = $('add-box');
    if (!box.hidden && window.getSelection().isCollapsed && !box.contains(document.activeElement)) box.hidden = true;
    clearTimeout(selTimer);
    selTimer = setTimeout(function () { if (!window.getSelection().isCollapsed) offerAdd(); }, 300);
  });
  FIELDS.forEach(function (f) { $('add-field').append(el('option', {value: f.key, text: f.label})); });
  $('add-go').addEventListener('click', addPending);
  $('add-box').addEventListener('mousedown', function (e) { if (e.target.tagName !== 'SELECT') e.preventDefault(); });
  $('article-pane').addEventListener('scroll', hideTip, {passive: true});
  $('back-to-list').addEventListener('click', function () {
    document.body.classList.remove('reading');
    var row = rows.get(state.current);
    if (row) row.focus();
  });
  document.addEventListener('keydown', function (e) {
    var tag = document.activeElement ? document.activeElement.tagName : '';
    if (e.key === 'Escape') { clearMarks(); hideTip(); $('add-box').hidden = true; return; }
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(tag)) return;  // typing, not commands
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var row = cursorRow();
    if (e.key === '/') { e.preventDefault(); $('search').focus(); }
    else if (e.key === 'j' || e.key === 'k') { e.preventDefault(); step(e.key === 'j' ? 1 : -1); }
    else if (e.key === 'A') { e.preventDefault(); restCorrect(); }
    else if (!row) return;
    else if (e.key === 'c' || e.key === 'x') {
      e.preventDefault();
      if (!row.classList.contains('added')) { judge(row, e.key === 'c' ? 'correct' : 'wrong'); step(1); }
    } else if (e.key === 'e') { e.preventDefault(); openEditor(row); }
    else if (e.key === 'u') { e.preventDefault(); judge(row, 'undo'); }
  });
  // review: who, export, import
  var ls = storage();
  try { $('reviewer').value = (ls && ls.getItem(REVIEWER_KEY)) || ''; } catch (e) { /* no storage */ }
  $('reviewer').addEventListener('change', function (e) {
    try { if (ls) ls.setItem(REVIEWER_KEY, e.target.value); } catch (err) { /* no storage */ }
  });
  $('export').addEventListener('click', exportFile);
  $('import').addEventListener('click', function () { $('import-file').click(); });
  $('import-file').addEventListener('change', function (e) {
    var file = e.target.files && e.target.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () { importText(String(reader.result)); e.target.value = ''; };
    reader.onerror = function () { say('cannot read ' + file.name, true); };
    reader.readAsText(file);
  });
  $('filter-review').addEventListener('change', function (e) { state.review = e.target.value; state.listPage = 0; applyListFilters(); });
  loadMarks();
  showProgress();
  window.addEventListener('hashchange', fromHash);
  applyListFilters();
  fromHash();
  document.body.setAttribute('data-ready', '1');
}
setup();
})();
