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
