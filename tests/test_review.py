"""review.html without a browser: written with its data folder, self-contained, data
round-trips, escaping, flat memory, complete or absent on a full disk.

``make_records()`` is also the fixture of tests/test_review_browser.py.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.review import page as review
from pipeline.review.page import FIELDS, main, write_review

# --------------------------------------------------------------------------- fixture

BOLSEL_TEXT = (
    "BOLSEL, KOMPAS.ID — Bupati Bolsel, Haji Iskandar Kamaru, S.Pt., M.Si., menerima secara "
    "simbolis kartu Jaminan Kesehatan Nasional (JKN) bagi 4.000 peserta baru di Molibagu, "
    "Senin (12/2/2024). Sebanyak 85 persen warga Kabupaten Bolaang Mongondow Selatan kini "
    "terdaftar sebagai peserta JKN.\n"
    "Pemerintah daerah mengalokasikan anggaran Rp 2,5 miliar untuk iuran peserta penerima "
    "bantuan iuran (PBI) tahun ini.\n"
    "\u201cKami ingin semua warga terlindungi,\u201d kata Iskandar.\n"
    "Baca juga: Harga cabai naik jelang Ramadan\n"
    "Copyright \u00a9 2024 Kompas.id"
)

# Scraper junk with markup, an emoji (non-BMP: 2 UTF-16 units, 1 code point) before values.
MINSEL_TEXT = (
    "AMURANG \u2014 Plt. Kepala Dinas Sosial Minahasa Selatan, dr. Maria Lumowa, menyebut "
    "warga antusias \U0001F44D sebanyak 1.250 keluarga penerima manfaat (KPM) Program Keluarga "
    "Harapan (PKH) menerima bantuan pada Rabu (6/3/2024). Angka kemiskinan turun menjadi "
    "12,5 persen.\n"
    "<script>window.__pwned=1</script></script><!-- iklan --> Bagikan: Facebook & Twitter"
)

SULUT_TEXT = (
    "MANADO \u2014 Gubernur Sulawesi Utara, Olly Dondokambey, mengumumkan dana Rp 1,2 triliun "
    "untuk perlindungan sosial sepanjang Maret 2024."
)


def _at(text: str, surface: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface)


def _sentences(text: str, parts: list[str]) -> list[list[int]]:
    return [list(_at(text, p)) for p in parts]


def _sentence_of(text: str, sentences: list[list[int]], start: int) -> str:
    for s, e in sentences:
        if s <= start < e:
            return text[s:e]
    return ""


def _v(text: str, sentences, surface: str, rule: str, nth: int = 0, **fields) -> dict:
    s, e = _at(text, surface, nth)
    assert text[s:e] == surface
    out = dict(fields, surface=surface, start=s, end=e, rule=rule)
    out["sentence"] = _sentence_of(text, sentences, s)
    return out


def make_records() -> list[dict]:
    """Four realistic records.jsonl rows (one error) with exact code-point offsets."""
    t = BOLSEL_TEXT
    sents = _sentences(t, [
        "BOLSEL, KOMPAS.ID — Bupati Bolsel, Haji Iskandar Kamaru, S.Pt., M.Si., menerima "
        "secara simbolis kartu Jaminan Kesehatan Nasional (JKN) bagi 4.000 peserta baru di "
        "Molibagu, Senin (12/2/2024).",
        "Sebanyak 85 persen warga Kabupaten Bolaang Mongondow Selatan kini terdaftar sebagai "
        "peserta JKN.",
        "Pemerintah daerah mengalokasikan anggaran Rp 2,5 miliar untuk iuran peserta penerima "
        "bantuan iuran (PBI) tahun ini.",
        "\u201cKami ingin semua warga terlindungi,\u201d kata Iskandar.",
    ])
    bolsel = {
        "article_id": "bolsel-001",
        "title": "Bupati Bolsel Serahkan Kartu JKN kepada 4.000 Peserta Baru",
        "url": "https://example.org/bolsel-001",
        "published": "2024-02-12T09:30:00+08:00",
        "status": "ok", "error": None, "text": t,
        "event_date": "2024-02-12", "event_date_text": "Senin (12/2/2024)",
        "regency_code": "71.10", "regency_name": "Bolaang Mongondow Selatan",
        "province_name": "Sulawesi Utara",
        "boilerplate": [list(_at(t, "Baca juga: Harga cabai naik jelang Ramadan\n")),
                        list(_at(t, "Copyright \u00a9 2024 Kompas.id"))],
        "sentences": sents,
        "dates": [_v(t, sents, "Senin (12/2/2024)", "date.weekday_dmy", date="2024-02-12",
                     precision="day", is_event=True)],
        "officials": [_v(t, sents, "Bupati Bolsel, Haji Iskandar Kamaru, S.Pt., M.Si.",
                         "official.role_region_name_degrees", name="Iskandar Kamaru",
                         aliases=["Iskandar"], honorific="Haji", degrees=["S.Pt.", "M.Si."],
                         role="Bupati", position="Bupati Bolaang Mongondow Selatan",
                         acting=False,
                         organization="Pemerintah Kabupaten Bolaang Mongondow Selatan",
                         mentions=2)],
        "regencies": [
            {**_v(t, sents, "Bolsel", "regency.alias", regency_code="71.10",
                  regency_name="Bolaang Mongondow Selatan", province_name="Sulawesi Utara",
                  is_primary=True, mentions=2)},
            {**_v(t, sents, "Kabupaten Bolaang Mongondow Selatan", "regency.full_name",
                  regency_code="71.10", regency_name="Bolaang Mongondow Selatan",
                  province_name="Sulawesi Utara", is_primary=False, mentions=2)},
        ],
        "programs": [
            _v(t, sents, "Jaminan Kesehatan Nasional (JKN)", "program.name_acronym",
               program="Jaminan Kesehatan Nasional", acronym="JKN"),
            _v(t, sents, "penerima bantuan iuran (PBI)", "program.name_acronym",
               program="Penerima Bantuan Iuran", acronym="PBI"),
        ],
        "participants": [_v(t, sents, "4.000 peserta baru", "participants.count_noun",
                            count=4000, population="peserta", program="JKN", qualifier="baru")],
        # contains the regency mention "Kabupaten Bolaang Mongondow Selatan" (nesting)
        "percentages": [_v(t, sents, "85 persen warga Kabupaten Bolaang Mongondow Selatan",
                           "percent.persen_population", value=85.0,
                           population="warga Kabupaten Bolaang Mongondow Selatan")],
        # crosses the PBI program span (partial overlap: must be split, not dropped)
        "amounts": [_v(t, sents, "Rp 2,5 miliar untuk iuran peserta penerima",
                       "amount.rp_scale_purpose", amount_idr=2_500_000_000,
                       purpose="iuran peserta penerima bantuan iuran")],
    }
    for d in bolsel["regencies"]:
        d.pop("sentence", None)  # the contract has no "sentence" for regencies
    for d in bolsel["programs"]:
        d.pop("sentence", None)

    m = MINSEL_TEXT
    msents = _sentences(m, [
        "AMURANG \u2014 Plt. Kepala Dinas Sosial Minahasa Selatan, dr. Maria Lumowa, menyebut "
        "warga antusias \U0001F44D sebanyak 1.250 keluarga penerima manfaat (KPM) Program "
        "Keluarga Harapan (PKH) menerima bantuan pada Rabu (6/3/2024).",
        "Angka kemiskinan turun menjadi 12,5 persen.",
    ])
    minsel = {
        "article_id": "minsel-002",
        "title": "Dinsos Minsel: 1.250 KPM PKH terima bantuan <b>tahap I</b> & II",
        "url": "javascript:alert(1)",  # must not become a link
        "published": "2024-03-06", "status": "ok", "error": None,
        "warnings": ["decoded as cp1252 after utf-8 failed"],  # records.py adds this key
        "text": m,
        "event_date": "2024-03-06", "event_date_text": "Rabu (6/3/2024)",
        "regency_code": "71.05", "regency_name": "Minahasa Selatan",
        "province_name": "Sulawesi Utara",
        "boilerplate": [list(_at(m, "<script>window.__pwned=1</script></script><!-- iklan --> "
                                    "Bagikan: Facebook & Twitter"))],
        "sentences": msents,
        "dates": [_v(m, msents, "Rabu (6/3/2024)", "date.weekday_dmy", date="2024-03-06",
                     precision="day", is_event=True)],
        "officials": [_v(m, msents, "Plt. Kepala Dinas Sosial Minahasa Selatan, dr. Maria Lumowa",
                         "official.acting_role_name", name="Maria Lumowa", aliases=[],
                         honorific="dr.", degrees=[], role="Kepala Dinas",
                         position="Kepala Dinas Sosial Minahasa Selatan", acting=True,
                         organization="Dinas Sosial Kabupaten Minahasa Selatan", mentions=1)],
        "regencies": [{k: v for k, v in _v(m, msents, "Minahasa Selatan", "regency.full_name",
                                           regency_code="71.05", regency_name="Minahasa Selatan",
                                           province_name="Sulawesi Utara", is_primary=True,
                                           mentions=1).items() if k != "sentence"}],
        "programs": [{k: v for k, v in _v(m, msents, "Program Keluarga Harapan (PKH)",
                                          "program.name_acronym", program="Program Keluarga Harapan",
                                          acronym="PKH").items() if k != "sentence"}],
        "participants": [_v(m, msents, "1.250 keluarga penerima manfaat (KPM)",
                            "participants.count_noun", count=1250,
                            population="keluarga penerima manfaat", program="PKH",
                            qualifier=None)],
        "percentages": [_v(m, msents, "12,5 persen", "percent.persen", value=12.5,
                           population="angka kemiskinan")],
        "amounts": [],
    }

    error = {
        "article_id": "err-003", "title": None, "url": None, "published": None,
        "status": "error", "error": "UnicodeDecodeError: 'utf-8' codec can't decode byte 0x93",
        "text": "", "event_date": None, "event_date_text": None, "regency_code": None,
        "regency_name": None, "province_name": None, "boilerplate": [], "sentences": [],
        **{f: [] for f in FIELDS},
    }

    s = SULUT_TEXT
    ssents = [[0, len(s)]]
    sulut = {
        "article_id": "sulut-004", "title": "Dana perlindungan sosial Rp 1,2 triliun",
        "url": None, "published": "2024-03-01", "status": "ok", "error": None, "text": s,
        "event_date": None, "event_date_text": None, "regency_code": None,
        "regency_name": None, "province_name": "Sulawesi Utara",
        "boilerplate": [], "sentences": ssents,
        "dates": [_v(s, ssents, "Maret 2024", "date.month_year", date="2024-03-01",
                     precision="month", is_event=False)],
        "officials": [_v(s, ssents, "Gubernur Sulawesi Utara, Olly Dondokambey",
                         "official.role_region_name", name="Olly Dondokambey", aliases=[],
                         honorific=None, degrees=[], role="Gubernur",
                         position="Gubernur Sulawesi Utara", acting=False,
                         organization="Pemerintah Provinsi Sulawesi Utara", mentions=1)],
        "regencies": [], "programs": [], "participants": [], "percentages": [],
        "amounts": [_v(s, ssents, "Rp 1,2 triliun", "amount.rp_scale",
                       amount_idr=1_200_000_000_000, purpose="perlindungan sosial")],
    }
    return [bolsel, minsel, error, sulut]


def write_records(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


# --------------------------------------------------------------------------- helpers

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "seed.jsonl"
PART_RE = re.compile(r'berita_part\("([0-9a-f]+)",(\d+),\[\n(.*)\n\]\);\n', re.S)


def _script(page: str, element_id: str) -> str:
    m = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S)
    assert m, f"{element_id} not found"
    return m.group(1)


def _page_data(outdir: Path) -> tuple[dict, list, list]:
    """(meta, index rows, rule list) of OUTDIR/review.html."""
    page = (outdir / "review.html").read_text(encoding="utf-8")
    return (json.loads(_script(page, "berita-meta")), json.loads(_script(page, "berita-index")),
            json.loads(_script(page, "berita-rules")))


def _parts(outdir: Path) -> list[tuple[str, int, list]]:
    """(token, number, records) of each OUTDIR/review/part-*.js, in file name order."""
    out = []
    for path in sorted((outdir / "review").iterdir()):
        m = PART_RE.fullmatch(path.read_text(encoding="utf-8"))
        assert m, f"{path.name} is not one berita_part call"
        out.append((m.group(1), int(m.group(2)), json.loads("[" + m.group(3) + "]")))
    return out


def _records(outdir: Path) -> list[dict]:
    return [r for _, _, recs in _parts(outdir) for r in recs]


def _restored(rec: dict) -> dict:
    """A record of a data file as the page restores it: a value's sentence written as the
    number of its sentence range becomes that range's text again."""
    rec = json.loads(json.dumps(rec))
    for f in FIELDS:
        for v in rec.get(f, []):
            if isinstance(v.get("sentence"), int):
                s, e = rec["sentences"][v["sentence"]]
                v["sentence"] = rec["text"][s:e]
    return rec


def _tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    write_records(tmp_path / "out" / "records.jsonl", make_records())
    return tmp_path / "out"


def _synthetic(n: int) -> list[dict]:
    base = make_records()
    out = []
    for i in range(n):
        r = json.loads(json.dumps(base[i % len(base)]))
        r["article_id"] = f"{r['article_id']}-{i:05d}"
        if r["title"]:
            r["title"] = f"{r['title']} #{i}"
        out.append(r)
    return out


# --------------------------------------------------------------------------- tests


def test_fixture_offsets_are_exact():
    for rec in make_records():
        for f in FIELDS:
            for v in rec[f]:
                assert rec["text"][v["start"]:v["end"]] == v["surface"]


def test_write_review_writes_the_page_and_its_data_folder(run_dir: Path):
    before = set(run_dir.iterdir())
    path = write_review(run_dir)
    assert path == run_dir / "review.html"
    # nothing else: no temporary file or folder left behind
    assert set(run_dir.iterdir()) - before == {path, run_dir / "review"}
    assert [p.name for p in (run_dir / "review").iterdir()] == ["part-0001.js"]
    for p in (path, run_dir / "review" / "part-0001.js"):  # the umask's mode, not mkstemp's 0600
        assert p.stat().st_mode & 0o044 == (run_dir / "records.jsonl").stat().st_mode & 0o044
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert "<title>berita review" in page and "4 articles" in page


def test_page_is_self_contained(run_dir: Path):
    write_review(run_dir)
    page = (run_dir / "review.html").read_text(encoding="utf-8")
    assert not re.search(r"""\b(src|href|action)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page, re.I)
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"\b(fetch|XMLHttpRequest|import)\s*\(", page)
    # four JSON blocks that never run, and the program, allowed by the run's nonce only
    assert re.findall(r"<script\b[^>]*>", page) == [
        '<script type="application/json" id="berita-meta">',
        '<script type="application/json" id="berita-index">',
        '<script type="application/json" id="berita-rules">',
        '<script type="application/json" id="berita-run">',
        f'<script nonce="{_page_data(run_dir)[0]["token"]}">']
    assert len(re.findall(r"</script>", page)) == 5
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert f"script-src 'nonce-{_page_data(run_dir)[0]['token']}'" in csp
    assert "unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    # the data files are nothing but one call with data: no code, no markup
    assert [(n, len(recs)) for _, n, recs in _parts(run_dir)] == [(1, 4)]


def test_data_round_trips(run_dir: Path):
    write_review(run_dir)
    meta, index, rules = _page_data(run_dir)
    assert [f["key"] for f in meta["fields"]] == list(FIELDS)
    assert meta["articles"] == 4 and meta["part_size"] == review.PART_SIZE and meta["parts_dir"] == "review"
    # the records exactly, a value's sentence as the number of its range where it is its text
    assert [_restored(r) for r in _records(run_dir)] == make_records()
    sentences = [v["sentence"] for r in _records(run_dir) for f in FIELDS for v in r[f] if "sentence" in v]
    assert sentences and all(isinstance(x, int) for x in sentences)
    assert all(token == meta["token"] for token, _, _ in _parts(run_dir))
    ids, titles, status, dates, regencies, errors, counts, rule_ids, to_review, events = zip(*index)
    assert ids == ("bolsel-001", "minsel-002", "err-003", "sulut-004")
    assert status == ("ok", "ok", "error", "ok") and dates[0] == "2024-02-12"
    assert regencies[0] == "Bolaang Mongondow Selatan" and errors[2].startswith("UnicodeDecodeError")
    assert titles[2] == ""  # null shows as empty
    assert counts[0] == [1, 1, 2, 2, 1, 1, 1] and counts[2] == [0] * 7
    # one verdict per value and one on the event date make an article reviewed; none for errors
    assert to_review == (9 + 1, 6 + 1, 0, 3 + 1) and events == ("", "", "", "")
    assert {rules[k] for k in rule_ids[1]} == {v["rule"] for f in FIELDS for v in make_records()[1][f]}


def test_a_sentence_that_is_not_its_range_text_is_kept(tmp_path: Path):
    rec = make_records()[3]
    rec["amounts"][0]["sentence"] = "a shortened sentence"
    write_records(tmp_path / "records.jsonl", [rec])
    write_review(tmp_path)
    assert _records(tmp_path)[0]["amounts"][0]["sentence"] == "a shortened sentence"
    assert _records(tmp_path)[0]["dates"][0]["sentence"] == 0


def test_index_carries_the_event_id(tmp_path: Path):
    records = make_records()
    records[0]["event_id"], records[3]["event_id"] = "ev-1", "ev-1"
    records[1]["event_id"] = None
    write_records(tmp_path / "records.jsonl", records)
    write_review(tmp_path)
    assert [row[9] for row in _page_data(tmp_path)[1]] == ["ev-1", "", "", "ev-1"]


@pytest.mark.slow
def test_a_run_s_page_groups_an_article_and_its_reprint_by_event(tmp_path: Path):
    # records never carry event_id (events are grouped once all articles are in): the page
    # takes it from the run's articles.csv
    seed = Path(__file__).resolve().parents[1] / "corpus" / "seed.jsonl"
    first = json.loads(seed.read_text(encoding="utf-8").splitlines()[0])
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(first) + "\n" + json.dumps({**first, "id": "reprint"}) + "\n", encoding="utf-8")
    assert cli.main(["run", str(src), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    rows = _page_data(tmp_path / "run")[1]
    assert [row[0] for row in rows] == [first["id"], "reprint"]
    assert rows[0][9] and rows[0][9] == rows[1][9]


def _fingerprint(outdir: Path) -> str:
    page = (outdir / "review.html").read_text(encoding="utf-8")
    return json.loads(_script(page, "berita-run"))["fingerprint"]


def test_run_fingerprint_is_stable_and_follows_the_texts_and_rules(tmp_path: Path):
    def fingerprint(name: str, records: list[dict], rules: str | None = "1c3baff5950f9e0d") -> str:
        d = tmp_path / name
        write_records(d / "records.jsonl", records)
        if rules is not None:
            (d / "run.json").write_text(json.dumps({"rules_fingerprint": rules}), encoding="utf-8")
        write_review(d)
        assert _fingerprint(d) == review.run_fingerprint(d / "records.jsonl")
        return _fingerprint(d)

    base = make_records()
    first = fingerprint("a", base)
    assert re.fullmatch(r"[0-9a-f]{24}", first)
    assert fingerprint("again", make_records()) == first
    # values are not part of it: a run with other rules is told apart by the rules' fingerprint
    fewer = make_records()
    fewer[0]["amounts"] = []
    assert fingerprint("values", fewer) == first
    edited = make_records()
    edited[3]["text"] = edited[3]["text"].replace("Maret", "April")
    assert fingerprint("text", edited) != first
    spaced = make_records()
    spaced[3]["text"] += " "  # offsets after it would still hold, but the text is not the same
    assert fingerprint("space", spaced) != first
    assert fingerprint("order", base[::-1]) != first
    renamed = make_records()
    renamed[0]["article_id"] = "bolsel-999"
    assert fingerprint("id", renamed) != first
    assert fingerprint("rules", base, rules="0000000000000000") != first
    assert fingerprint("no-run-json", base, rules=None) != first


def test_script_end_tag_in_article_text_is_escaped(run_dir: Path):
    write_review(run_dir)
    page = (run_dir / "review.html").read_text(encoding="utf-8")
    part = (run_dir / "review" / "part-0001.js").read_text(encoding="utf-8")
    assert "</script></script><!-- iklan -->" in _records(run_dir)[1]["text"]
    for blob in (_script(page, "berita-index"), _script(page, "berita-meta"), part):
        assert "<" not in blob and ">" not in blob and "&" not in blob
    assert "\\u003c/script\\u003e" in part
    assert "\\u003cb\\u003etahap I\\u003c/b\\u003e" in _script(page, "berita-index")
    # the title with markup is data, not markup
    assert "<b>tahap I</b>" not in page


def test_script_safe_json_edge_cases():
    obj = {"a": "</SCRIPT><!--\u2028\u2029&", "n": float("nan"), "s": "\ud83d"}
    s = review._script_json(obj)
    assert "<" not in s and "\u2028" not in s and "\u2029" not in s
    s.encode("utf-8")  # no lone surrogate left
    back = json.loads(s)
    assert back["a"] == obj["a"] and back["n"] is None and back["s"] == "\ud83d"


def test_template_placeholders_in_data_are_not_expanded(tmp_path: Path):
    rec = dict(make_records()[3], text="%%JS%% %%INDEX%% %%RULES%% %%META%%", title="%%TITLE%%")
    rec["dates"] = rec["officials"] = rec["amounts"] = []
    out = tmp_path / "%%INDEX%% %%NONCE%%"  # the page's title is the folder's name
    write_records(out / "records.jsonl", [rec])
    write_review(out)
    page = (out / "review.html").read_text(encoding="utf-8")
    assert _records(out)[0]["text"] == rec["text"] and _page_data(out)[1][0][1] == "%%TITLE%%"
    assert page.count("'use strict'") == 1 and page.count("%%INDEX%% %%NONCE%%") == 2


def test_records_path_override_and_missing(tmp_path: Path):
    src = write_records(tmp_path / "elsewhere" / "r.jsonl", make_records()[:1])
    out = write_review(tmp_path / "new-out", src)
    assert out == tmp_path / "new-out" / "review.html" and out.is_file()
    with pytest.raises(FileNotFoundError):
        write_review(tmp_path / "empty")


def test_bad_lines_become_error_rows(tmp_path: Path):
    good = make_records()[0]
    deep = "[" * 100_000  # json.loads gives up with RecursionError, not ValueError
    nan_deep = '{"article_id": "nan-deep", "dates": ' + "[" * 600 + "NaN" + "]" * 600 + "}"
    (tmp_path / "records.jsonl").write_text(
        json.dumps(good, ensure_ascii=False) + "\n{not json\n\n[1, 2]\n" + deep + "\n" + nan_deep + "\n",
        encoding="utf-8")
    write_review(tmp_path)
    recs = _records(tmp_path)
    assert len(recs) == 5 and _restored(recs[0]) == good
    assert [r["status"] for r in recs[1:]] == ["error"] * 4
    assert "line 2" in recs[1]["error"] and "line 4" in recs[2]["error"]
    assert "line 5" in recs[3]["error"] and "nested too deeply" in recs[3]["error"]
    assert recs[4]["article_id"] == "nan-deep" and "nested too deeply" in recs[4]["error"]
    assert [row[2] for row in _page_data(tmp_path)[1]] == ["ok"] + ["error"] * 4


def test_data_is_split_in_parts(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(review, "PART_SIZE", 3)
    records = _synthetic(10)
    write_records(tmp_path / "records.jsonl", records)
    write_review(tmp_path)
    parts = _parts(tmp_path)
    assert [p.name for p in sorted((tmp_path / "review").iterdir())] == [
        "part-0001.js", "part-0002.js", "part-0003.js", "part-0004.js"]
    assert [(n, len(recs)) for _, n, recs in parts] == [(1, 3), (2, 3), (3, 3), (4, 1)]
    assert [_restored(r) for r in _records(tmp_path)] == records
    meta, index, _ = _page_data(tmp_path)
    assert meta["part_size"] == 3 and [row[0] for row in index] == [r["article_id"] for r in records]


def test_output_is_deterministic(run_dir: Path):
    write_review(run_dir)
    a = _tree(run_dir)
    write_review(run_dir)
    assert _tree(run_dir) == a


@pytest.mark.slow
def test_memory_is_flat(tmp_path: Path):
    """Python's peak allocation while writing the page does not grow with the articles."""
    peaks, sizes = {}, {}
    for n in (150, 1500):
        d = tmp_path / str(n)
        sizes[n] = write_records(d / "records.jsonl", _synthetic(n)).stat().st_size
        tracemalloc.start()
        try:
            write_review(d)
            peaks[n] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert len(_page_data(tmp_path / "1500")[1]) == 1500
    assert peaks[1500] <= 1.2 * peaks[150], peaks
    assert peaks[1500] < sizes[1500] / 10, (peaks, sizes)


@pytest.mark.slow
def test_size_is_linear_and_the_page_small(tmp_path: Path):
    sizes = {}
    for n in (200, 2000):
        d = tmp_path / str(n)
        src = write_records(d / "records.jsonl", _synthetic(n))
        page = write_review(d).stat().st_size
        data = sum(p.stat().st_size for p in (d / "review").iterdir())
        sizes[n] = (src.stat().st_size, page, data)
        # the data files: at most the input (sentence texts are left out)
        assert data <= src.stat().st_size
    (in_a, page_a, data_a), (in_b, page_b, data_b) = sizes[200], sizes[2000]
    assert data_b - data_a <= in_b - in_a
    # the page holds only the index: a small fraction of the data per article
    assert page_b - page_a <= 0.15 * (in_b - in_a), sizes


def test_main_missing_records_exits_2(tmp_path: Path, capsys):
    assert main([str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "records.jsonl" in err
    assert not (tmp_path / "nope" / "review.html").exists()


def test_main_writes_page(run_dir: Path, capsys):
    assert main([str(run_dir)]) == 0
    assert capsys.readouterr().out.strip() == str(run_dir / "review.html")
    assert (run_dir / "review.html").is_file()


def test_rewrite_replaces_the_data_of_a_bigger_run(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(review, "PART_SIZE", 2)
    write_records(tmp_path / "records.jsonl", _synthetic(7))
    write_review(tmp_path)
    assert len(list((tmp_path / "review").iterdir())) == 4
    write_records(tmp_path / "records.jsonl", _synthetic(3))
    write_review(tmp_path)
    assert sorted(p.name for p in (tmp_path / "review").iterdir()) == ["part-0001.js", "part-0002.js"]
    assert len(_records(tmp_path)) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.jsonl", "review", "review.html"]


def test_rewrite_refuses_a_review_folder_with_foreign_files(run_dir: Path, capsys):
    (run_dir / "review").mkdir()
    (run_dir / "review" / "notes.txt").write_text("mine")
    assert main([str(run_dir)]) == 1
    assert "notes.txt" in capsys.readouterr().err
    assert (run_dir / "review" / "notes.txt").read_text() == "mine"
    assert not (run_dir / "review.html").exists()
    assert sorted(p.name for p in run_dir.iterdir()) == ["records.jsonl", "review"]


def test_rewrite_removes_what_a_killed_rewrite_left(run_dir: Path):
    stale = run_dir / ".review.tmp-999999-dead"
    stale.mkdir()
    (stale / "review.html").write_text("<html")
    write_review(run_dir)
    assert not stale.exists()


# --------------------------------------------------------------------------- full disk


class _Disk:
    """Files that fill a disk of `room` characters, then fail as a full disk does."""

    def __init__(self, room: int):
        self.room = room

    def open(self, path):
        return _DiskFile(self, open(path, "x", encoding="utf-8", newline="\n"))


class _DiskFile:
    def __init__(self, disk: _Disk, fh):
        self.disk, self.fh = disk, fh

    def write(self, s: str) -> int:
        if len(s) > self.disk.room:
            self.fh.write(s[:self.disk.room])  # a partial write, as write(2) does
            self.disk.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.disk.room -= len(s)
        return self.fh.write(s)

    def flush(self):
        self.fh.flush()

    def fileno(self):
        return self.fh.fileno()

    def close(self):
        self.fh.close()


def _page_chars(tmp_path: Path, records: list[dict]) -> int:
    d = tmp_path / "measure"
    write_records(d / "records.jsonl", records)
    write_review(d)
    return sum(len(p.read_text(encoding="utf-8")) for p in [d / "review.html", *(d / "review").iterdir()])


@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.6, 0.99])
def test_full_disk_leaves_no_page_and_keeps_the_previous_one(tmp_path: Path, monkeypatch, capsys, fraction):
    monkeypatch.setattr(review, "PART_SIZE", 2)  # several data files: the disk fills in any of them
    records = _synthetic(7)
    total = _page_chars(tmp_path, records[:5])  # what the rewrite below would write
    out = tmp_path / "out"
    write_records(out / "records.jsonl", records)
    write_review(out)
    before = _tree(out)
    write_records(out / "records.jsonl", records[:5])  # a rewrite that would change the page
    monkeypatch.setattr(review, "_open_new", _Disk(int(total * fraction)).open)
    assert main([str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err
    # the previous page and data are untouched, no temporary folder is left
    assert {k: v for k, v in _tree(out).items() if k != "records.jsonl"} == \
        {k: v for k, v in before.items() if k != "records.jsonl"}
    assert sorted(p.name for p in out.iterdir()) == ["records.jsonl", "review", "review.html"]


@pytest.fixture(scope="module")
def seed_ref(tmp_path_factory) -> Path:
    """A run over the seed corpus without the page."""
    ref = tmp_path_factory.mktemp("seed") / "ref"
    assert cli.main(["run", str(SEED), "--out", str(ref), "--quiet", "--no-review"]) == 0
    return ref


@pytest.fixture(scope="module")
def seed_lines(seed_ref) -> list[bytes]:
    return (seed_ref / "records.jsonl").read_bytes().splitlines()


@pytest.mark.parametrize("fraction", [0.0, 0.5, 0.99])
@pytest.mark.slow
def test_run_on_a_full_disk_exits_0_without_the_page(tmp_path: Path, monkeypatch, capsys, seed_lines, fraction):
    """`berita run`: the tables are complete; review.html and review/ are absent, stderr says so."""
    monkeypatch.setattr(review, "PART_SIZE", 2)
    total = _page_chars(tmp_path, [json.loads(line) for line in seed_lines])
    monkeypatch.setattr(review, "_open_new", _Disk(int(total * fraction)).open)
    out = tmp_path / "out"
    assert cli.main(["run", str(SEED), "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "review.html not written" in err and "No space left on device" in err
    assert err.count("\n") == 1
    names = sorted(p.name for p in out.iterdir())
    assert "review.html" not in names and "review" not in names
    assert {"articles.csv", "records.jsonl", "run.json"} <= set(names)
    assert (out / "records.jsonl").read_bytes().splitlines() == seed_lines
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


_TMPFS_SCRIPT = r"""
set -u
mount -t tmpfs -o size="$1" tmpfs "$2" || exit 77
"$3" -m pipeline.cli run "$4" --out "$2/out" --quiet 2>"$5/run.err"; echo $? > "$5/run.rc"
"$3" -m pipeline.cli review "$2/out" >/dev/null 2>"$5/review.err"; echo $? > "$5/review.rc"
cp -a "$2/." "$5/disk"
"""


@pytest.mark.slow
def test_real_full_tmpfs(tmp_path: Path, seed_ref):
    """The issue's reproduction: --out on a tmpfs that holds the tables but not the page
    (needs an unprivileged user namespace to mount it; skipped where there is none)."""
    if not shutil.which("unshare"):
        pytest.skip("no unshare")
    ref = seed_ref
    blocks = sum(-(-p.stat().st_size // 4096) for p in ref.iterdir())
    mnt, res = tmp_path / "mnt", tmp_path / "res"
    mnt.mkdir()
    (res / "disk").mkdir(parents=True)
    proc = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", _TMPFS_SCRIPT,
                           "sh", f"{(blocks + 2) * 4}k", str(mnt), sys.executable, str(SEED), str(res)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    if proc.returncode == 77 or not (res / "run.rc").exists():
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()[:200]}")
    out = res / "disk" / "out"
    assert (res / "run.rc").read_text().strip() == "0"
    assert "review.html not written" in (res / "run.err").read_text()
    assert (out / "records.jsonl").read_bytes() == (ref / "records.jsonl").read_bytes()
    assert not (out / "review.html").exists() and not (out / "review").exists()
    # `berita review` on the same full disk: exit 1, and still no page nor temporary folder
    assert (res / "review.rc").read_text().strip() == "1"
    assert "No space left on device" in (res / "review.err").read_text()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in ref.iterdir())
