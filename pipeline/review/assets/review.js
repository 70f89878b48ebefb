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
          counts: e[6], rules: new Set(e[7].map(function (k) { return RULES[k]; }))};
});
var NPARTS = Math.ceil(ARTS.length / PART_SIZE);
var firstById = new Map();
ARTS.forEach(function (a) { if (!firstById.has(a.id)) firstById.set(a.id, a.i); });
// errors first, then input order
var ORDER = ARTS.slice().sort(function (a, b) {
  return (a.status === 'error' ? 0 : 1) - (b.status === 'error' ? 0 : 1) || a.i - b.i;
});

var state = {current: null, rec: null, fields: new Map(), rule: '', status: '', showSent: false,
             marked: null, listPage: 0};
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
  if (!search.terms.length) return true;
  return partOf(a.i) <= search.scanned && search.hits.has(a.i);
}
function listRow(a) {
  var tr = el('tr', {'class': 'arow st-' + a.status + (a.i === state.current ? ' current' : ''), tabindex: 0,
                     'data-article': a.id, 'data-index': a.i, 'data-status': a.status});
  var titleCell = el('td', {'class': 'title', title: a.title}, a.title);
  if (a.status === 'error' && a.error) titleCell.append(el('span', {'class': 'err-msg', text: a.error}));
  tr.append(el('td', {'class': 'id', title: a.id, text: a.id}), titleCell,
            el('td', {'class': 'date', text: a.date}),
            el('td', {'class': 'reg', title: a.reg, text: a.reg}));
  a.counts.forEach(function (c, k) {
    tr.append(el('td', {'class': 'cnt' + (c ? '' : ' zero'), 'data-field': FIELDS[k].key, text: c ? String(c) : '\u00b7'}));
  });
  tr.append(el('td', null, el('span', {'class': 'badge' + (a.status === 'error' ? ' error' : ''), text: a.status})));
  return tr;
}
function applyListFilters() {
  var matching = ORDER.filter(passes);
  var pages = Math.max(1, Math.ceil(matching.length / LIST_PAGE));
  state.listPage = Math.min(state.listPage, pages - 1);
  var from = state.listPage * LIST_PAGE, shownRows = matching.slice(from, from + LIST_PAGE);
  rows = new Map();
  var frag = document.createDocumentFragment();
  shownRows.forEach(function (a) { var tr = listRow(a); rows.set(a.i, tr); frag.append(tr); });
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
  head.append(el('th', {'class': 'h-status', text: 'status'}));
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
}

// ---- article view
// Spans in document order (outer first), then what is drawn of them: at most MAX_DEPTH open
// at one place, MAX_HIGHLIGHTS values and MAX_RANGES sentences and boilerplate ranges.
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
                  key: f.key + ':' + idx, issue: issueOf(v, text, u)});
    });
  });
  spans.sort(function (a, b) { return a.s - b.s || b.e - a.e || a.kr - b.kr || a.k - b.k; });
  var drawn = [], open = [], nValues = 0, nRanges = 0, left = {values: 0, ranges: 0, keys: new Set()};
  spans.forEach(function (sp) {
    var isValue = sp.kind === 'v';
    open = open.filter(function (o) { return o.e > sp.s; });
    if (open.length >= MAX_DEPTH || (isValue ? nValues >= MAX_HIGHLIGHTS : nRanges >= MAX_RANGES)) {
      if (isValue) { left.values++; left.keys.add(sp.key); } else left.ranges++;
      return;
    }
    if (isValue) nValues++; else nRanges++;
    sp.rank = drawn.length;
    drawn.push(sp);
    open.push(sp);
  });
  return {spans: drawn, left: left};
}
function tipText(field, v, issue) {
  var t = FIELD.get(field).label + ': ' + norm(field, v) + '\nrule: ' + str(v.rule) +
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
    'data-field': sp.field, 'data-idx': sp.k, 'data-key': sp.key,
    'data-rule': str(v.rule), 'data-start': v.start, 'data-end': v.end,
    title: tipText(sp.field, v, sp.issue)
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
  if (!left.values && !left.ranges) return null;
  var what = [];
  if (left.values) what.push(num(left.values) + ' value highlight' + (left.values > 1 ? 's' : ''));
  if (left.ranges) what.push(num(left.ranges) + ' sentence or boilerplate range' + (left.ranges > 1 ? 's' : ''));
  return el('p', {'class': 'cap-note', role: 'note', text:
    'Not drawn: ' + what.join(' and ') + '. This page draws at most ' + num(MAX_HIGHLIGHTS) +
    ' value highlights and ' + num(MAX_RANGES) + ' ranges per article, and ' + MAX_DEPTH +
    ' overlapping at one place; the tables below list the values (' + num(MAX_ROWS) +
    ' per field), the CSV tables all of them.'});
}
function renderTables(rec, text, u, notDrawn) {
  var wrap = el('div', {id: 'value-tables'});
  FIELDS.forEach(function (f) {
    if (!state.fields.get(f.key)) return;
    var all = arr(rec, f.key), vals = [];
    all.forEach(function (v, idx) { if (v && shown(f.key, v)) vals.push([v, idx]); });
    var hiddenN = all.length - vals.length, beyond = Math.max(0, vals.length - MAX_ROWS);
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
      vals.slice(0, MAX_ROWS).forEach(function (pair) {
        var v = pair[0], idx = pair[1], issue = issueOf(v, text, u), key = f.key + ':' + idx;
        var tr = el('tr', {'class': 'vrow' + (issue ? ' issue ' + issue : ''), tabindex: 0,
                           'data-field': f.key, 'data-idx': idx, 'data-key': key,
                           'data-rule': str(v.rule), 'data-start': str(v.start), 'data-end': str(v.end),
                           title: issue ? issue + ' span' : 'click to show in text'});
        f.cols.forEach(function (c) { tr.append(el('td', {'class': 'c-' + c, text: cell(v[c])})); });
        tr.append(el('td', {'class': 'span', text: str(v.start) + '\u2013' + str(v.end) +
                            (issue ? ' \u26a0 ' + issue : '') + (notDrawn.has(key) ? ' (not drawn)' : '')}));
        tb.append(tr);
      });
      sec.append(el('table', null, el('thead', null, thead), tb));
      if (beyond) sec.append(el('p', {'class': 'none', text: '\u2026 and ' + num(beyond) + ' more (see ' + f.key + '.csv)'}));
    }
    wrap.append(sec);
  });
  return wrap;
}
function renderArticle() {
  var view = $('article-view');
  hideTip();
  state.marked = null;
  if (state.current === null || state.rec === null) return;
  var rec = state.rec, a = ARTS[state.current];
  var text = typeof rec.text === 'string' ? rec.text : '';
  var u = offsetMap(text);
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
  var nodes = [head];
  if (a.status === 'error' || rec.error) nodes.push(el('div', {'class': 'banner', role: 'alert', text: 'Error: ' + str(rec.error || 'status ' + a.status)}));
  var built = buildSpans(rec, text, u);
  nodes.push(capNote(built.left), renderText(built.spans, text), renderTables(rec, text, u, built.left.keys));
  view.replaceChildren.apply(view, nodes.filter(Boolean));
  view.setAttribute('data-article', a.id);
  view.setAttribute('data-index', a.i);
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
