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
          if not r.url.startswith(("file:", "data:", "about:", "blob:")) else None)
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


# --------------------------------------------------------------------------- reviewing


LINE_KEYS = ["article_id", "field", "verdict", "start", "end", "surface", "value", "corrected",
             "run", "reviewer", "at"]  # docs/CORRECTIONS.md, in its order


def _row(pg, field: str, nth: int = 0):
    return pg.locator(f"#value-tables section[data-field='{field}'] tr.vrow").nth(nth)


def _run_fingerprint(path: Path) -> str:
    import json

    html = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'id="berita-run">(.*?)</script>', html).group(1))["fingerprint"]


def _export(pg) -> list[dict]:
    import json

    with pg.expect_download() as info:
        pg.click("#export")
    download = info.value
    assert download.suggested_filename == "corrections.jsonl"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def _select(pg, start: int, end: int):
    """Select code points start..end of the article text, as a mouse drag would."""
    text = pg.locator("#article-text").text_content()
    units = [len(text[:k].encode("utf-16-le")) // 2 for k in (start, end)]
    pg.evaluate("""([s, e]) => {
        const box = document.getElementById('article-text');
        const walk = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
        const r = document.createRange();
        let pos = 0, n, started = false;
        while ((n = walk.nextNode())) {
            const len = n.data.length;
            if (!started && s < pos + len) { r.setStart(n, s - pos); started = true; }
            if (started && e <= pos + len) { r.setEnd(n, e - pos); break; }
            pos += len;
        }
        getSelection().removeAllRanges();
        getSelection().addRange(r);
        box.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }""", units)


def test_help_line_documents_the_keys(page):
    help_ = page.locator("#help").text_content()
    for key in ("j", "k", "c", "x", "e", "u", "A"):
        assert re.search(rf"\b{key}\b", help_)
    assert "correct" in help_ and "wrong" in help_ and "Select text" in help_


def test_values_sit_beside_the_text_and_fit(page):
    _open(page, "bolsel-001")
    text = page.locator("#article-text").bounding_box()
    panel = page.locator("#review-panel").bounding_box()
    assert panel["x"] >= text["x"] + text["width"] - 1  # to the right, not below
    assert panel["y"] < text["y"] + text["height"] / 2
    pane = page.locator("#article-pane").bounding_box()
    for box in page.locator("#value-tables section[data-field='officials'] td").all():
        b = box.bounding_box()
        assert b["x"] + b["width"] <= pane["x"] + pane["width"] + 0.5  # nothing off the right edge
    assert page.evaluate("document.getElementById('article-pane').scrollWidth <= "
                         "document.getElementById('article-pane').clientWidth")


def test_mark_values_and_reload_keeps_them(browser, review_page_path):
    ctx, pg = _open_page(browser, review_page_path)
    assert pg.locator("#progress").text_content() == "Reviewed: 0 of 3 articles \u00b7 0 of 21 values"
    _open(pg, "bolsel-001")
    _row(pg, "dates").locator("button[data-act='correct']").click()
    _row(pg, "participants").locator("button[data-act='wrong']").click()
    assert _row(pg, "dates").get_attribute("data-verdict") == "correct"
    assert _row(pg, "participants").get_attribute("data-verdict") == "wrong"
    assert pg.locator("#article-progress").text_content() == "2 of 10 values reviewed"
    assert pg.locator("#progress").text_content() == "Reviewed: 0 of 3 articles \u00b7 2 of 21 values"
    # the same verdict again takes it back
    _row(pg, "programs", 1).locator("button[data-act='wrong']").click()
    _row(pg, "programs", 1).locator("button[data-act='wrong']").click()
    assert _row(pg, "programs", 1).get_attribute("data-verdict") == ""
    pg.reload()
    pg.wait_for_selector("body[data-ready='1']")
    assert pg.locator("#progress").text_content() == "Reviewed: 0 of 3 articles \u00b7 2 of 21 values"
    assert pg.locator("#list-body tr[data-article='bolsel-001'] td.rev").text_content() == "2/10"
    _open(pg, "bolsel-001")
    assert _row(pg, "dates").get_attribute("data-verdict") == "correct"
    assert _row(pg, "participants").get_attribute("data-verdict") == "wrong"
    assert _row(pg, "programs", 1).get_attribute("data-verdict") == ""
    pg.click("#rest-correct")
    assert pg.locator("#article-progress").text_content() == "10 of 10 values reviewed \u2713"
    assert _row(pg, "participants").get_attribute("data-verdict") == "wrong"  # kept
    assert pg.locator("#progress").text_content() == "Reviewed: 1 of 3 articles \u00b7 10 of 21 values"
    assert pg.locator("#list-body tr[data-article='bolsel-001'] td.rev").text_content() == "\u2713"
    pg.select_option("#filter-review", "done")
    _expect_rows(pg, ["bolsel-001"])
    _done(ctx, pg)


def test_two_values_at_the_same_offsets_take_their_own_verdicts(browser, tmp_path):
    # a bundle (`kecelakaan kerja dan kematian`) gives two programs at the same offsets
    fx = _fixture_module()
    rec = fx.make_records()[3]
    text, sents = rec["text"], rec["sentences"]
    rec["programs"] = [fx._v(text, sents, "perlindungan sosial", "programs.bundle", program=name, acronym=None,
                             mentions=1) for name in ("Program A", "Program B")]
    rec["programs"][0].pop("sentence"), rec["programs"][1].pop("sentence")
    fx.write_records(tmp_path / "records.jsonl", [rec])
    ctx, pg = _open_page(browser, write_review(tmp_path))
    _open(pg, rec["article_id"])
    assert pg.locator("#article-progress").text_content() == "0 of 6 values reviewed"
    _row(pg, "programs", 1).locator("button[data-act='wrong']").click()
    assert _row(pg, "programs", 1).get_attribute("data-verdict") == "wrong"
    assert _row(pg, "programs", 0).get_attribute("data-verdict") == ""
    _row(pg, "programs", 0).locator("button[data-act='correct']").click()
    pg.reload()
    pg.wait_for_selector("body[data-ready='1']")
    _open(pg, rec["article_id"])
    assert [_row(pg, "programs", i).get_attribute("data-verdict") for i in (0, 1)] == ["correct", "wrong"]
    assert pg.locator("#article-progress").text_content() == "2 of 6 values reviewed"
    _done(ctx, pg)


def test_marks_of_another_run_are_not_shown(browser, review_page_path, tmp_path):
    """Marks are kept under the run's fingerprint: a page of another run starts clean."""
    fx = _fixture_module()
    other = fx.make_records()
    other[0]["text"] = other[0]["text"].replace("Molibagu", "Molibagi")
    other_page = _write_page(tmp_path, other)
    assert _run_fingerprint(other_page) != _run_fingerprint(review_page_path)
    ctx, pg = _open_page(browser, review_page_path)
    _open(pg, "bolsel-001")
    pg.click("#rest-correct")
    pg.goto(other_page.as_uri())
    pg.wait_for_selector("body[data-ready='1']")
    assert pg.locator("#progress").text_content().endswith("0 of 21 values")
    _done(ctx, pg)


def test_export_follows_the_contract(browser, review_page_path):
    fx = _fixture_module()
    records = {r["article_id"]: r for r in fx.make_records()}
    ctx, pg = _open_page(browser, review_page_path)
    pg.fill("#reviewer", "ani")
    pg.locator("#reviewer").dispatch_event("change")
    _open(pg, "minsel-002")
    _row(pg, "participants").locator("button[data-act='edit']").click()
    pg.fill(".editor input[data-key='count']", "1.300")
    pg.fill(".editor input[data-key='population']", "keluarga")
    pg.click(".editor button[data-act='save']")
    _row(pg, "event_date").locator("button[data-act='edit']").click()
    pg.fill(".editor input[data-key='date']", "2024-03-07")
    pg.press(".editor input[data-key='date']", "Enter")
    _row(pg, "percentages").locator("button[data-act='wrong']").click()
    pg.click("#rest-correct")
    lines = _export(pg)
    run = _run_fingerprint(review_page_path)
    text = records["minsel-002"]["text"]
    assert len(lines) == 7  # 6 values and the event date
    for line in lines:
        assert list(line) == LINE_KEYS
        assert line["article_id"] == "minsel-002" and line["run"] == run and line["reviewer"] == "ani"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["at"])
        if line["field"] == "event_date":
            assert (line["start"], line["end"], line["surface"]) == (None, None, None)
            assert line["value"] == {"date": "2024-03-06"}
            continue
        # offsets in code points (an emoji comes first), the value exactly as in records.jsonl
        assert text[line["start"]:line["end"]] == line["surface"]
        assert line["value"] in records["minsel-002"][line["field"]]
        assert line["value"]["start"] == line["start"] and line["value"]["end"] == line["end"]
    by_field = {line["field"]: line for line in lines}
    assert [line["field"] for line in lines] == ["event_date", "dates", "officials", "regencies", "programs",
                                                  "participants", "percentages"]
    assert by_field["participants"]["verdict"] == "edited"
    assert by_field["participants"]["corrected"] == {"count": 1300, "population": "keluarga"}
    assert "sentence" in by_field["participants"]["value"]  # restored from its range number
    assert by_field["event_date"]["verdict"] == "edited"
    assert by_field["event_date"]["corrected"] == {"date": "2024-03-07"}
    assert by_field["percentages"]["verdict"] == "wrong" and by_field["percentages"]["corrected"] is None
    assert by_field["dates"]["verdict"] == "correct" and by_field["dates"]["corrected"] is None
    _done(ctx, pg)


def test_editor_refuses_what_is_not_a_value(page):
    _open(page, "bolsel-001")
    _row(page, "dates").locator("button[data-act='edit']").click()
    page.fill(".editor input[data-key='date']", "12/2/2024")
    page.click(".editor button[data-act='save']")
    assert "YYYY-MM-DD" in page.locator(".editor-error").text_content()
    assert _row(page, "dates").get_attribute("data-verdict") == ""
    page.keyboard.press("Escape")
    assert page.locator(".editor").count() == 0
    _row(page, "amounts").locator("button[data-act='edit']").click()
    page.fill(".editor input[data-key='amount_idr']", "2,5 miliar")
    page.click(".editor button[data-act='save']")
    assert "whole number" in page.locator(".editor-error").text_content()
    page.fill(".editor input[data-key='amount_idr']", "")  # a number cannot be null
    page.click(".editor button[data-act='save']")
    assert "amount_idr cannot be empty" in page.locator(".editor-error").text_content()
    assert _row(page, "amounts").get_attribute("data-verdict") == ""



def test_selecting_a_value_berita_has_edits_it_instead_of_adding(page):
    text = _fixture_module().BOLSEL_TEXT
    _open(page, "bolsel-001")
    start = text.index("4.000 peserta baru")
    _select(page, start, start + len("4.000 peserta baru"))
    page.select_option("#add-field", "participants")
    page.click("#add-go")
    assert page.locator("#value-tables tr.vrow.added").count() == 0
    editing = page.locator("#value-tables tr.edit-row")
    assert editing.count() == 1
    assert page.locator(".editor input[data-key='count']").input_value() == "4000"
    assert "already" in page.locator("#review-msg").text_content()


def test_add_a_missed_value_by_selecting_text(browser, review_page_path):
    fx = _fixture_module()
    text = fx.MINSEL_TEXT
    ctx, pg = _open_page(browser, review_page_path)
    _open(pg, "minsel-002")
    start = text.index("Angka kemiskinan")  # after the emoji: code points differ from UTF-16 units
    _select(pg, start - 1, start + len("Angka kemiskinan") + 1)  # the spaces around are dropped
    assert pg.locator("#add-box").is_visible()
    assert "Angka kemiskinan" in pg.locator("#add-surface").text_content()
    pg.select_option("#add-field", "programs")
    pg.click("#add-go")
    pg.click(".editor button[data-act='save']")  # an added value needs its main key
    assert "program cannot be empty" in pg.locator(".editor-error").text_content()
    pg.click(".editor button[data-act='cancel']")  # never saved: gone
    assert pg.locator("#value-tables tr.vrow.added").count() == 0
    _select(pg, start, start + len("Angka kemiskinan"))
    pg.select_option("#add-field", "programs")
    pg.click("#add-go")
    pg.fill(".editor input[data-key='program']", "Pengentasan Kemiskinan")
    pg.click(".editor button[data-act='save']")
    added = pg.locator("#value-tables section[data-field='programs'] tr.vrow.added")
    assert added.count() == 1 and "Pengentasan Kemiskinan" in added.text_content()
    assert pg.locator("#article-progress").text_content() == "0 of 7 values reviewed"  # added ones do not count
    lines = _export(pg)
    assert len(lines) == 1
    line = lines[0]
    assert list(line) == LINE_KEYS
    assert (line["field"], line["verdict"], line["value"]) == ("programs", "added", None)
    assert line["surface"] == "Angka kemiskinan" == text[line["start"]:line["end"]]
    assert line["corrected"] == {"program": "Pengentasan Kemiskinan", "acronym": None}
    # an added value is known by its first key: editing that replaces its line, not adds one
    added.locator("button[data-act='edit']").click()
    pg.fill(".editor input[data-key='program']", "Penanggulangan Kemiskinan")
    pg.click(".editor button[data-act='save']")
    assert [x["corrected"]["program"] for x in _export(pg)] == ["Penanggulangan Kemiskinan"]
    # it stays after a reload, and can be removed
    pg.reload()
    pg.wait_for_selector("body[data-ready='1']")
    _open(pg, "minsel-002")
    added = pg.locator("#value-tables section[data-field='programs'] tr.vrow.added")
    assert added.count() == 1
    added.locator("button[data-act='undo']").click()
    assert pg.locator("#value-tables tr.vrow.added").count() == 0
    assert _export(pg) == []
    _done(ctx, pg)


def test_import_merges_and_the_last_line_wins(browser, review_page_path, tmp_path):
    import json

    fx = _fixture_module()
    bolsel = fx.make_records()[0]
    run = _run_fingerprint(review_page_path)

    def line(field, verdict, v=None, **extra):
        out = {"article_id": "bolsel-001", "field": field, "verdict": verdict,
               "start": v["start"] if v else None, "end": v["end"] if v else None,
               "surface": v["surface"] if v else None, "value": v, "corrected": None,
               "run": run, "reviewer": "budi", "at": "2026-12-07T03:00:00Z"}
        out.update(extra)
        return json.dumps(out)

    half = tmp_path / "budi.jsonl"
    half.write_text("\n".join([
        line("dates", "wrong", bolsel["dates"][0]),
        line("participants", "correct", bolsel["participants"][0]),
        line("dates", "correct", bolsel["dates"][0]),  # later: replaces the first
        line("amounts", "edited", bolsel["amounts"][0], corrected={"amount_idr": 2_000_000_000, "purpose": None}),
        json.dumps({"article_id": "no-such-article", "field": "dates", "verdict": "correct", "start": 1,
                    "end": 2, "surface": "x", "value": None, "corrected": None, "run": run,
                    "reviewer": "", "at": ""}),
        "{not json",
    ]) + "\n", encoding="utf-8")
    ctx, pg = _open_page(browser, review_page_path)
    _open(pg, "bolsel-001")
    _row(pg, "participants").locator("button[data-act='wrong']").click()  # mine, replaced by the import
    _row(pg, "officials").locator("button[data-act='correct']").click()   # mine, kept
    pg.set_input_files("#import-file", str(half))
    msg = pg.locator("#review-msg")
    from playwright.sync_api import expect

    expect(msg).to_contain_text("imported 4 verdicts on 1 articles")
    assert "1 skipped: article not in this run" in msg.text_content()
    assert "1 skipped: not a corrections line" in msg.text_content()
    assert _row(pg, "dates").get_attribute("data-verdict") == "correct"
    assert _row(pg, "participants").get_attribute("data-verdict") == "correct"
    assert _row(pg, "amounts").get_attribute("data-verdict") == "edited"
    assert "budi" in _row(pg, "amounts").text_content()
    assert _row(pg, "officials").get_attribute("data-verdict") == "correct"
    assert pg.locator("#article-progress").text_content() == "4 of 10 values reviewed"
    lines = _export(pg)
    assert [(x["field"], x["verdict"], x["reviewer"]) for x in lines] == [
        ("dates", "correct", "budi"), ("officials", "correct", ""), ("participants", "correct", "budi"),
        ("amounts", "edited", "budi")]
    # an exported file imports back to the same verdicts on a fresh page
    back = tmp_path / "back.jsonl"
    back.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    ctx2, pg2 = _open_page(browser, review_page_path)
    pg2.set_input_files("#import-file", str(back))
    expect(pg2.locator("#review-msg")).to_contain_text("imported 4 verdicts")
    assert _export(pg2) == lines
    _done(ctx2, pg2)
    _done(ctx, pg)


def test_j_k_step_through_values_and_c_x_judge(page):
    _open(page, "bolsel-001")
    page.locator("#article-view h2").click()
    page.keyboard.press("j")
    cursor = page.locator("#value-tables tr.vrow.cursor")
    assert cursor.get_attribute("data-field") == "event_date"
    page.keyboard.press("j")
    assert cursor.get_attribute("data-field") == "dates"
    assert page.locator("#article-text mark.marked").first.get_attribute("data-field") == "dates"
    page.keyboard.press("c")  # correct, and on to the next value
    assert _row(page, "dates").get_attribute("data-verdict") == "correct"
    assert cursor.get_attribute("data-field") == "officials"
    page.keyboard.press("x")
    assert _row(page, "officials").get_attribute("data-verdict") == "wrong"
    assert cursor.get_attribute("data-key") == "regencies:0"
    page.keyboard.press("k")
    page.keyboard.press("k")
    assert cursor.get_attribute("data-field") == "dates"
    page.keyboard.press("u")
    assert _row(page, "dates").get_attribute("data-verdict") == ""
    page.keyboard.press("e")
    assert page.locator(".editor input[data-key='date']").input_value() == "2024-02-12"
    page.keyboard.press("Escape")
    # after a click on a button the keys still work
    _row(page, "amounts").locator("button[data-act='correct']").click()
    page.keyboard.press("j")
    assert cursor.get_attribute("data-field") == "amounts"  # the last value: j stays
    page.keyboard.press("k")
    assert cursor.get_attribute("data-field") == "percentages"
    # keys typed in the search box are text, not commands
    page.click("#search")
    page.keyboard.type("jcx")
    assert page.locator("#search").input_value() == "jcx"
    assert _row(page, "officials").get_attribute("data-verdict") == "wrong"
    page.keyboard.press("Escape")


def test_phone_width_list_and_article_fit(browser, review_page_path):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    pg = ctx.new_page()
    pg.goto(review_page_path.as_uri())
    pg.wait_for_selector("body[data-ready='1']")

    def no_overflow():
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        assert pg.evaluate("document.body.scrollWidth") <= 390
        for sel in ("#list-pane", "#article-pane"):
            if pg.locator(sel).is_visible():
                assert pg.evaluate(f"document.querySelector('{sel}').scrollWidth <= "
                                   f"document.querySelector('{sel}').clientWidth"), sel

    no_overflow()
    heads = [h for h in pg.locator("#list-head th").all() if h.is_visible()]
    assert [h.text_content() for h in heads] == ["id", "title", "event date", "rev."]
    for h in heads:  # every shown column is on screen, none squeezed to nothing
        b = h.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 390.5 and b["width"] >= 30
    assert not pg.locator("#article-pane").is_visible()
    pg.tap("#list-body tr.arow[data-article='bolsel-001'] td.title")
    pg.wait_for_selector("#article-view[data-article='bolsel-001'] #article-text")
    assert pg.locator("#article-text").is_visible() and not pg.locator("#list-pane").is_visible()
    no_overflow()
    for sel in ("#article-text", "#review-panel", "#value-tables section[data-field='officials'] td.act"):
        b = pg.locator(sel).first.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 390.5, sel
    _row(pg, "officials").locator("button[data-act='correct']").tap()
    assert _row(pg, "officials").get_attribute("data-verdict") == "correct"
    pg.tap("#back-to-list")
    assert pg.locator("#list-pane").is_visible()
    ctx.close()


@pytest.fixture(scope="module")
def mentions_page(tmp_path_factory) -> Path:
    text = ("Bupati Bolsel membuka acara. Warga Bolsel antusias; 87,8 persen warga hadir. "
            "Di Bolselatan tidak. Kabupaten Bolsel mencatat 87,8 persen lagi, kata bupati Bolsel.")
    s = text.index("Bolsel")
    p = text.index("87,8 persen")
    records = [_plain("m-1", text,
                      regencies=[{"regency_code": "71.10", "surface": "Bolsel", "start": s, "end": s + 6,
                                  "rule": "regency.alias"}],
                      percentages=[{"value": 87.8, "surface": "87,8 persen", "start": p, "end": p + 11,
                                    "rule": "percent.persen"}])]
    return _write_page(tmp_path_factory.mktemp("mentions"), records)


def test_every_mention_is_highlighted(browser, mentions_page):
    ctx, pg = _open_page(browser, mentions_page)
    _open(pg, "m-1")
    reg = pg.locator("#article-text mark.hl[data-field='regencies']")
    # 4 whole-word "Bolsel" (not the one inside "Bolselatan"): the value and 3 mentions
    assert reg.all_text_contents() == ["Bolsel"] * 4
    assert pg.locator("#article-text mark.hl.mention[data-field='regencies']").count() == 3
    pct = pg.locator("#article-text mark.hl[data-field='percentages']")
    assert pct.all_text_contents() == ["87,8 persen"] * 2
    # a mention belongs to its value: clicking the row marks every mention
    _row(pg, "regencies").click()
    assert pg.locator("#article-text mark.marked").count() == 4
    assert pg.locator("#article-text").text_content().startswith("Bupati Bolsel membuka")
    _done(ctx, pg)


def test_search_term_is_highlighted_in_the_text(browser, mentions_page):
    ctx, pg = _open_page(browser, mentions_page)
    _open(pg, "m-1")
    pg.fill("#search", "WARGA")
    _expect_rows(pg, ["m-1"])
    from playwright.sync_api import expect

    expect(pg.locator("#article-text mark.q")).to_have_count(2)
    assert pg.locator("#article-text mark.q").all_text_contents() == ["Warga", "warga"]
    pg.fill("#search", "")
    expect(pg.locator("#article-text mark.q")).to_have_count(0)
    _done(ctx, pg)


@pytest.fixture(scope="module")
def events_page(tmp_path_factory) -> Path:
    def art(aid, event, count, date, regency="Bolaang Mongondow Selatan"):
        text = f"Sebanyak {count} peserta hadir."
        c = text.index(count)
        return _plain(aid, text, event_id=event, event_date=date, regency_name=regency,
                      participants=[{"count": int(count.replace(".", "")), "population": "peserta",
                                     "surface": count + " peserta", "start": c, "end": c + len(count) + 8,
                                     "rule": "participants.count_noun"}])

    records = [art("e-a", "ev-1", "4.000", "2024-02-12"), art("solo", None, "10", "2024-01-01"),
               art("e-b", "ev-1", "4.500", "2024-02-12"), art("lone", "ev-2", "7", "2024-03-03"),
               art("e-c", "ev-1", "4.000", "2024-02-13")]
    return _write_page(tmp_path_factory.mktemp("events"), records)


def test_articles_of_one_event_are_grouped_and_compared(browser, events_page):
    ctx, pg = _open_page(browser, events_page)
    assert _visible_rows(pg) == ["e-a", "e-b", "e-c", "solo", "lone"]  # members together
    groups = pg.locator("#list-body .group-label")
    assert groups.count() == 1 and groups.text_content() == "event ev-1 \u00b7 3 articles"
    assert pg.locator("#list-body tr.group-first").get_attribute("data-article") == "e-a"
    assert pg.eval_on_selector_all("#list-body tr.member", "rs => rs.map(r => r.dataset.article)") == ["e-a", "e-b", "e-c"]
    # the list stays one table of aligned columns
    assert pg.evaluate("document.getElementById('list-pane').scrollWidth <= document.getElementById('list-pane').clientWidth")
    widths = pg.eval_on_selector_all("#list-body tr.arow", "rs => rs.map(r => r.querySelector('td.title').offsetWidth)")
    assert len(set(widths)) == 1 and widths[0] > 100
    _open(pg, "e-b")
    box = pg.locator("#event-compare")
    from playwright.sync_api import expect

    expect(box.locator("tr.differs")).to_have_count(2)
    assert box.locator("thead th").all_text_contents() == ["", "e-a", "e-b", "e-c"]
    dates = box.locator("tr.differs[data-row='event date'] td").all_text_contents()
    assert dates == ["2024-02-12", "2024-02-12", "2024-02-13"]
    counts = box.locator("tr.differs[data-row='participants'] td").all_text_contents()
    assert [c.split()[0] for c in counts] == ["4.000", "4.500", "4.000"]
    assert "regency" in box.locator("p.none").text_content()  # they agree on it
    box.locator("a[data-open]", has_text="e-c").click()
    pg.wait_for_selector("#article-view[data-article='e-c'] #event-compare tr.differs")
    _open(pg, "lone")  # an event of one article: no comparison
    assert pg.locator("#event-compare").count() == 0
    _done(ctx, pg)


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
    assert all(u.startswith(("file:", "data:", "about:", "blob:")) for u in pg.requests), pg.requests


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
            pg.locator("#article-view h2").click()
            for key in "jccc":  # a few verdicts given with the keys (each moves on to the next value)
                pg.keyboard.press(key)
            pg.locator("#article-pane").evaluate("e => e.scrollTop = 0")
            pg.locator("#review-panel").evaluate("e => e.scrollTop = 0")
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
