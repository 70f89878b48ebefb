"""review.html in headless Chromium (Debian's /usr/bin/chromium via Playwright; no downloads).

Run as a script to refresh the README screenshot:
    .venv/bin/python tests/test_review_browser.py [RUN_DIR] [--out docs/review.png]
(RUN_DIR: an output dir of `berita run`; default: the fixture of tests/test_review.py).
"""

from __future__ import annotations

import importlib.util
import os
import re
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
HERE = Path(__file__).resolve().parent

from pipeline.review.page import write_review  # noqa: E402


def _fixture_module():
    """tests/test_review.py, loaded by path (works whatever pytest's import mode is)."""
    spec = importlib.util.spec_from_file_location("_review_fixture", HERE / "test_review.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def review_page_path(tmp_path_factory) -> Path:
    fx = _fixture_module()
    outdir = tmp_path_factory.mktemp("review")
    fx.write_records(outdir / "records.jsonl", fx.make_records())
    return write_review(outdir)


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser test skipped")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright Python package not installed")
    with sync_api.sync_playwright() as p:
        b = _launch(p)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, review_page_path):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
          if m.type == "error" else None)
    pg.on("request", lambda r: problems.append(f"request: {r.url}")
          if not r.url.startswith(("file:", "data:", "about:")) else None)
    pg.goto(review_page_path.as_uri())
    pg.wait_for_selector("body[data-ready='1']")
    yield pg
    ctx.close()
    assert problems == []


def _open(pg, article_id: str):
    pg.click(f"#list-body tr.arow[data-article='{article_id}']")
    pg.wait_for_selector(f"#article-view[data-article='{article_id}'] #article-text")


def _expect_count(pg, n: int):
    """Wait for the (debounced) list filter; the page's CSP forbids eval-based waits."""
    from playwright.sync_api import expect

    expect(pg.locator("#list-count")).to_have_text(re.compile(rf"^{n} of "))


def _expect_rows(pg, ids: list[str], timeout: float = 5.0):
    """Wait until the (debounced) list filter shows exactly ``ids``, in this order."""
    deadline = time.monotonic() + timeout
    while (got := _visible_rows(pg)) != ids and time.monotonic() < deadline:
        pg.wait_for_timeout(50)
    assert got == ids
    _expect_count(pg, len(ids))


def _visible_rows(pg) -> list[str]:
    return pg.eval_on_selector_all(
        "#list-body tr.arow", "rs => rs.filter(r => !r.hidden).map(r => r.dataset.article)")


# --------------------------------------------------------------------------- tests


def test_list_shows_all_articles_errors_first(page):
    ids = _visible_rows(page)
    assert ids[0] == "err-003"
    assert sorted(ids) == ["bolsel-001", "err-003", "minsel-002", "sulut-004"]
    row = page.locator("#list-body tr[data-article='bolsel-001']")
    # (a list narrower than 640 px hides the counts: text_content, not inner_text)
    assert row.locator("td.cnt[data-field='officials']").text_content() == "1"
    assert row.locator("td.cnt[data-field='programs']").text_content() == "2"
    assert "Bolaang Mongondow Selatan" in row.inner_text()
    # only the opened article is rendered
    assert page.locator("#article-text").count() == 0
    assert not page.locator("#list-pager").is_visible()  # one page of rows: no pager


def test_bupati_is_highlighted_as_official(page):
    _open(page, "bolsel-001")
    off = page.locator("#article-text mark.hl[data-field='officials']")
    assert off.count() == 1
    assert off.first.is_visible()
    assert "Haji Iskandar Kamaru, S.Pt., M.Si." in off.first.text_content()
    assert off.first.get_attribute("data-rule") == "official.role_region_name_degrees"
    assert off.first.get_attribute("tabindex") == "0"
    title = off.first.get_attribute("title")
    assert "Iskandar Kamaru" in title and "official.role_region_name_degrees" in title
    # the regency alias nested inside the official's span is highlighted too
    reg = page.locator("#article-text mark.hl[data-field='officials'] mark.hl[data-field='regencies']")
    assert reg.first.text_content() == "Bolsel"
    # the page text is exactly the article text (highlighting adds no characters)
    text = page.locator("#article-text").text_content()
    assert text.startswith("BOLSEL, KOMPAS.ID") and text.endswith("Copyright \u00a9 2024 Kompas.id")
    # every value of the article is highlighted (9 values, some nested or split)
    keys = page.eval_on_selector_all("#article-text mark.hl", "ms => [...new Set(ms.map(m => m.dataset.key))]")
    assert len(keys) == 9
    boiler = page.locator("#article-text .boiler")
    assert boiler.count() == 2 and "Baca juga" in boiler.first.text_content()


def test_focus_shows_tooltip_with_normalized_value_and_rule(page):
    _open(page, "bolsel-001")
    page.focus("#article-text mark.hl[data-field='amounts']")
    tip = page.locator("#tip")
    assert tip.is_visible()
    assert "Rp 2.500.000.000" in tip.text_content()
    assert "amount.rp_scale_purpose" in tip.text_content()


def test_crossing_spans_are_split_not_dropped(page):
    _open(page, "bolsel-001")
    amount = page.locator("#article-text mark.hl[data-field='amounts']")
    program = page.locator("#article-text mark.hl[data-key='programs:1']")
    assert amount.count() + program.count() == 3  # one of the two is split in two pieces
    joined = "".join(amount.all_text_contents())
    # pieces of a split span may contain nested spans; their text adds up to the surface
    assert joined == "Rp 2,5 miliar untuk iuran peserta penerima"
    assert "".join(program.all_text_contents()).endswith("bantuan iuran (PBI)")


def test_participant_row_marks_its_span(page):
    _open(page, "bolsel-001")
    row = page.locator("#value-tables section[data-field='participants'] tr.vrow").first
    start, end = row.get_attribute("data-start"), row.get_attribute("data-end")
    row.click()
    marked = page.locator("#article-text mark.marked")
    assert marked.count() == 1
    assert marked.get_attribute("data-field") == "participants"
    assert (marked.get_attribute("data-start"), marked.get_attribute("data-end")) == (start, end)
    assert marked.text_content() == "4.000 peserta baru"
    assert "marked" in row.get_attribute("class")
    # and back: clicking a highlight marks its table row
    page.click("#article-text mark.hl[data-field='dates']")
    rows = page.locator("#value-tables tr.vrow.marked")
    assert rows.count() == 1 and rows.get_attribute("data-field") == "dates"
    assert "2024-02-12" in rows.inner_text()
    assert page.locator("#article-text mark.marked").get_attribute("data-field") == "dates"


def test_field_filter_hides_officials(page):
    _open(page, "bolsel-001")
    assert page.locator("#article-text mark.hl[data-field='officials']").count() == 1
    page.uncheck("#field-filters input[data-field='officials']")
    off = page.locator("#article-text mark.hl[data-field='officials']")
    assert off.count() == 0
    assert page.locator("#value-tables section[data-field='officials']").count() == 0
    # the text is intact and other fields stay highlighted
    assert "Haji Iskandar Kamaru" in page.locator("#article-text").text_content()
    assert page.locator("#article-text mark.hl[data-field='regencies']").count() == 2
    page.check("#field-filters input[data-field='officials']")
    assert page.locator("#article-text mark.hl[data-field='officials']").count() == 1


def test_rule_and_status_filters(page):
    page.select_option("#filter-rule", "official.acting_role_name")
    _expect_rows(page, ["minsel-002"])
    _open(page, "minsel-002")
    fields = page.eval_on_selector_all("#article-text mark.hl", "ms => ms.map(m => m.dataset.field)")
    assert fields == ["officials"]
    page.select_option("#filter-rule", "")
    page.select_option("#filter-status", "error")
    _expect_rows(page, ["err-003"])
    _open(page, "err-003")
    assert "UnicodeDecodeError" in page.locator("#article-view .banner").text_content()


def test_search_box(page):
    page.fill("#search", "lumowa")
    _expect_rows(page, ["minsel-002"])
    page.fill("#search", "2.500.000.000")  # a normalized value, not in any text
    _expect_rows(page, ["bolsel-001"])
    page.fill("#search", "BOLSEL peserta")  # all terms, any case
    _expect_rows(page, ["bolsel-001"])
    page.fill("#search", "sulut-004")  # an id
    _expect_rows(page, ["sulut-004"])
    page.fill("#search", "zzz-no-such-thing")
    _expect_rows(page, [])
    assert page.locator("#list-empty").is_visible()
    page.fill("#search", "")
    _expect_rows(page, ["err-003", "bolsel-001", "minsel-002", "sulut-004"])


def test_markup_in_text_is_inert_and_emoji_offsets_hold(page):
    _open(page, "minsel-002")
    assert page.evaluate("window.__pwned") is None
    text = page.locator("#article-text").text_content()
    assert "<script>window.__pwned=1</script></script><!-- iklan -->" in text
    assert page.locator("#article-view h2").text_content() == \
        "Dinsos Minsel: 1.250 KPM PKH terima bantuan <b>tahap I</b> & II"
    assert page.locator("#article-view a").count() == 0  # javascript: url is not linked
    assert "decoded as cp1252" in page.locator("#article-view dl.meta").text_content()
    # after the emoji (1 code point, 2 UTF-16 units) the highlight still covers its surface
    part = page.locator("#article-text mark.hl[data-field='participants']")
    assert part.text_content() == "1.250 keluarga penerima manfaat (KPM)"
    assert page.locator("#article-text .boiler").text_content().startswith("<script>")


def test_sentence_toggle(page):
    _open(page, "bolsel-001")
    box = page.locator("#article-text")
    assert "show-sent" not in box.get_attribute("class")
    assert page.locator("#article-text .sent-first").count() == 4
    page.check("#toggle-sentences")
    assert "show-sent" in box.get_attribute("class")
    badge = page.evaluate("""getComputedStyle(document.querySelector('#article-text .sent-first'),
                                              '::before').content""")
    assert badge == '"1"'
    page.uncheck("#toggle-sentences")
    assert "show-sent" not in box.get_attribute("class")


def test_hash_deep_link(browser, review_page_path):
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.goto(review_page_path.as_uri() + "#article=sulut-004")
    pg.wait_for_selector("#article-view[data-article='sulut-004'] #article-text")
    assert pg.locator("#article-text mark.hl[data-field='dates']").text_content() == "Maret 2024"
    ctx.close()


# --------------------------------------------------------------------------- big and hostile data


def _write_page(outdir: Path, records: list[dict], part_size: int | None = None) -> Path:
    from pipeline.review import page as review

    _fixture_module().write_records(outdir / "records.jsonl", records)
    saved = review.PART_SIZE
    review.PART_SIZE = part_size or saved
    try:
        return write_review(outdir)
    finally:
        review.PART_SIZE = saved


def _plain(article_id: str, text: str = "Teks berita.", **extra) -> dict:
    from pipeline.review.page import FIELDS

    rec = {"article_id": article_id, "title": f"Judul {article_id}", "status": "ok", "error": None,
           "text": text, "boilerplate": [], "sentences": [], **{f: [] for f in FIELDS}}
    rec.update(extra)
    return rec


def _open_page(browser, path: Path, hash_: str = "", allow: tuple[str, ...] = ()):
    """A page on `path`; `problems` collects page errors, console errors (except those
    matching `allow`) and every request, which must all be file: URLs."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    pg.problems, pg.requests = [], []
    pg.on("pageerror", lambda exc: pg.problems.append(f"page error: {exc}"))
    pg.on("console", lambda m: pg.problems.append(f"console {m.type}: {m.text}")
          if m.type == "error" and not any(a in m.text for a in allow) else None)
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.goto(path.as_uri() + hash_)
    pg.wait_for_selector("body[data-ready='1']")
    return ctx, pg


def _done(ctx, pg):
    ctx.close()
    assert pg.problems == []
    assert all(u.startswith(("file:", "data:", "about:")) for u in pg.requests), pg.requests


def _parts_requested(pg) -> list[str]:
    return [u.rsplit("/", 1)[1] for u in pg.requests if "/review/part-" in u]


HOSTILE_IDS = ["__proto__", "constructor", "toString", "hasOwnProperty"]


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory) -> Path:
    records = []
    for i, aid in enumerate(HOSTILE_IDS):
        text = f"Bupati {aid} hadir."
        rule = ["__proto__", "constructor", "toString", "valueOf"][i]
        records.append(_plain(aid, text, officials=[{"name": aid, "surface": text[7:7 + len(aid)],
                                                     "start": 7, "end": 7 + len(aid), "rule": rule}]))
    return _write_page(tmp_path_factory.mktemp("hostile"), records)


@pytest.mark.parametrize("aid", HOSTILE_IDS)
def test_hash_with_object_prototype_names_opens_that_article(browser, hostile_page, aid):
    ctx, pg = _open_page(browser, hostile_page, "#article=" + aid)
    pg.wait_for_selector(f"#article-view[data-article='{aid}'] #article-text")
    assert pg.locator("#article-text").text_content() == f"Bupati {aid} hadir."
    _done(ctx, pg)


@pytest.mark.parametrize("name", ["valueOf", "isPrototypeOf", "__defineGetter__", "no-such-id"])
def test_hash_with_an_unknown_name_opens_nothing(browser, hostile_page, name):
    ctx, pg = _open_page(browser, hostile_page, "#article=" + name)
    pg.wait_for_timeout(200)
    assert pg.locator("#article-text").count() == 0
    assert len(_visible_rows(pg)) == 4
    _done(ctx, pg)


def test_rule_filter_with_object_prototype_names(browser, hostile_page):
    ctx, pg = _open_page(browser, hostile_page)
    options = pg.eval_on_selector_all("#filter-rule option", "os => os.map(o => o.value)")
    assert options == ["", "__proto__", "constructor", "toString", "valueOf"]
    for rule, aid in [("__proto__", "__proto__"), ("constructor", "constructor"), ("valueOf", "hasOwnProperty")]:
        pg.select_option("#filter-rule", rule)
        _expect_rows(pg, [aid])
    _open(pg, "hasOwnProperty")
    assert pg.locator("#article-text mark.hl").get_attribute("data-rule") == "valueOf"
    _done(ctx, pg)


@pytest.fixture(scope="module")
def crowded_page(tmp_path_factory) -> Path:
    """20,000 values over one range, and 5,000 values side by side."""
    text = "Sebanyak 4.000 peserta terdaftar. " + "ab " * 5000
    same = [{"count": 4000, "surface": "4.000", "start": 9, "end": 14, "rule": "r.same"}] * 20000
    base = 34
    apart = [{"count": k, "surface": "ab", "start": base + 3 * k, "end": base + 3 * k + 2, "rule": "r.apart"}
             for k in range(5000)]
    return _write_page(tmp_path_factory.mktemp("crowded"),
                       [_plain("same-range", text, participants=same),
                        _plain("side-by-side", text, programs=apart)])


def test_twenty_thousand_spans_over_one_range_are_capped(browser, crowded_page):
    ctx, pg = _open_page(browser, crowded_page)
    _open(pg, "same-range")
    marks = pg.locator("#article-text mark.hl")
    assert marks.count() == 8  # at most 8 open at one place
    assert pg.locator("#article-text").text_content().startswith("Sebanyak 4.000 peserta")
    note = pg.locator("#article-view .cap-note").text_content()
    assert "19,992 value highlights" in note and "at most" in note
    rows = pg.locator("#value-tables section[data-field='participants'] tr.vrow")
    assert rows.count() == 1000
    assert "19,000 more" in pg.locator("#value-tables section[data-field='participants']").text_content()
    assert "(not drawn)" in rows.nth(8).text_content() and "(not drawn)" not in rows.nth(7).text_content()
    rows.nth(8).click()  # a value that is not drawn: its row still marks, nothing breaks
    assert "marked" in rows.nth(8).get_attribute("class")
    _done(ctx, pg)


def test_five_thousand_spans_side_by_side_are_capped(browser, crowded_page):
    ctx, pg = _open_page(browser, crowded_page)
    _open(pg, "side-by-side")
    assert pg.locator("#article-text mark.hl").count() == 2000
    assert "3,000 value highlights" in pg.locator("#article-view .cap-note").text_content()
    _open(pg, "same-range")  # and back: the view is rebuilt, not added to
    assert pg.locator("#article-text mark.hl").count() == 8
    _done(ctx, pg)


@pytest.fixture(scope="module")
def parted_page(tmp_path_factory) -> Path:
    """7 articles, 2 per data file: review/part-0001.js … part-0004.js."""
    records = [_plain(f"a{i}", f"Teks nomor {i} tentang kata{i}.") for i in range(7)]
    return _write_page(tmp_path_factory.mktemp("parted"), records, part_size=2)


def test_data_files_load_when_needed(browser, parted_page):
    ctx, pg = _open_page(browser, parted_page)
    assert _visible_rows(pg) == [f"a{i}" for i in range(7)]  # the list needs no data file
    assert _parts_requested(pg) == []
    _open(pg, "a5")
    assert pg.locator("#article-text").text_content() == "Teks nomor 5 tentang kata5."
    assert _parts_requested(pg) == ["part-0003.js"]
    _open(pg, "a0")
    assert _parts_requested(pg) == ["part-0003.js", "part-0001.js"]
    _done(ctx, pg)


def test_search_reads_the_texts_of_every_data_file(browser, parted_page):
    ctx, pg = _open_page(browser, parted_page)
    pg.fill("#search", "kata6")  # in the text of the last article only
    _expect_rows(pg, ["a6"])
    assert sorted(set(_parts_requested(pg))) == ["part-0001.js", "part-0002.js", "part-0003.js", "part-0004.js"]
    pg.fill("#search", "teks nomor")
    _expect_rows(pg, [f"a{i}" for i in range(7)])
    _done(ctx, pg)


def test_missing_data_file_is_reported_not_thrown(browser, parted_page, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(parted_page.parent, copy)
    (copy / "review" / "part-0002.js").unlink()
    ctx, pg = _open_page(browser, copy / "review.html", allow=("ERR_FILE_NOT_FOUND",))
    pg.click("#list-body tr.arow[data-article='a3']")
    banner = pg.locator("#article-view[data-article='a3'] .banner")
    assert "review/part-0002.js" in banner.text_content() and "beside this page" in banner.text_content()
    _open(pg, "a4")  # the other files still work
    pg.fill("#search", "judul a2")  # its part is unreadable: ids and titles are searched
    _expect_rows(pg, ["a2"])
    assert "could not be read" in pg.locator("#list-count").text_content()
    _done(ctx, pg)


def test_data_file_of_another_run_is_refused(browser, parted_page, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(parted_page.parent, copy)
    part = copy / "review" / "part-0001.js"
    part.write_text(re.sub(r'^berita_part\("[0-9a-f]+"', 'berita_part("0123456789abcdef01234567"',
                           part.read_text(encoding="utf-8")), encoding="utf-8")
    ctx, pg = _open_page(browser, copy / "review.html")
    pg.click("#list-body tr.arow[data-article='a1']")
    banner = pg.locator("#article-view[data-article='a1'] .banner")
    assert "another run" in banner.text_content()
    _done(ctx, pg)


def test_long_list_is_shown_a_page_at_a_time(browser, tmp_path):
    page = _write_page(tmp_path, [_plain(f"n{i:04d}") for i in range(2100)])
    ctx, pg = _open_page(browser, page)
    assert len(_visible_rows(pg)) == 1000
    assert pg.locator("#list-pager").is_visible()
    assert pg.locator("#page-info").text_content() == "rows 1\u20131,000 of 2,100"
    pg.click("#page-next")
    assert _visible_rows(pg)[0] == "n1000"
    pg.click("#page-next")
    assert _visible_rows(pg) == [f"n{i}" for i in range(2000, 2100)]
    assert pg.locator("#page-next").is_disabled()
    assert pg.locator("#list-count").text_content() == "2,100 of 2,100 articles"
    _open(pg, "n2099")
    assert _parts_requested(pg) == ["part-0003.js"]
    _done(ctx, pg)


# --------------------------------------------------------------------------- screenshot


def screenshot(page_path: Path, png: Path, article_id: str | None = None) -> Path:
    """Open ``page_path`` in headless Chromium, open an article, save a PNG."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = _launch(p)
        try:
            pg = b.new_page(viewport={"width": 1400, "height": 860})
            pg.goto(page_path.as_uri())
            pg.wait_for_selector("body[data-ready='1']")
            if article_id is None:  # the first ok article with the most values
                article_id = pg.evaluate("""() => {
                    let best = null, n = -1;
                    for (const r of document.querySelectorAll('#list-body tr.arow[data-status=ok]')) {
                        const c = [...r.querySelectorAll('td.cnt')].reduce((a, t) => a + (+t.textContent || 0), 0);
                        if (c > n) { n = c; best = r.dataset.article; }
                    }
                    return best;
                }""")
            _open(pg, article_id)
            pg.check("#toggle-sentences")
            row = pg.locator("#value-tables section[data-field='participants'] tr.vrow").first
            if row.count():
                row.click()
            pg.locator("#article-pane").evaluate("e => e.scrollTop = 0")
            png.parent.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(png))
        finally:
            b.close()
    return png


if __name__ == "__main__":
    import argparse
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", nargs="?", type=Path)
    ap.add_argument("--out", type=Path, default=HERE.parent / "docs" / "review.png")
    ap.add_argument("--article")
    a = ap.parse_args()
    if a.run_dir is None:
        fx = _fixture_module()
        a.run_dir = Path(tempfile.mkdtemp(prefix="review-shot-"))
        fx.write_records(a.run_dir / "records.jsonl", fx.make_records())
    print(screenshot(write_review(a.run_dir), a.out, a.article))
