"""review.html without a browser: written, self-contained, data round-trips, escaping, size.

``make_records()`` is also the fixture of tests/test_review_browser.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

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

BLOB_RE = re.compile(
    r'<script type="application/json" id="berita-data">(.*?)</script>', re.S)


def _blob(page: str) -> str:
    m = BLOB_RE.search(page)
    assert m, "embedded data blob not found"
    return m.group(1)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    write_records(tmp_path / "out" / "records.jsonl", make_records())
    return tmp_path / "out"


# --------------------------------------------------------------------------- tests


def test_fixture_offsets_are_exact():
    for rec in make_records():
        for f in FIELDS:
            for v in rec[f]:
                assert rec["text"][v["start"]:v["end"]] == v["surface"]


def test_write_review_writes_one_file(run_dir: Path):
    before = set(run_dir.iterdir())
    path = write_review(run_dir)
    assert path == run_dir / "review.html"
    assert set(run_dir.iterdir()) - before == {path}  # no temp files left behind
    assert path.stat().st_mode & 0o044 == (run_dir / "records.jsonl").stat().st_mode & 0o044
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>berita review" in page and "4 articles" in page


def test_page_is_self_contained(run_dir: Path):
    page = write_review(run_dir).read_text(encoding="utf-8")
    assert not re.search(r"""\b(src|href|action)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page, re.I)
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"\b(fetch|XMLHttpRequest|import)\s*\(", page)
    # exactly two scripts: the JSON blob and the inline program
    assert len(re.findall(r"<script\b", page)) == 2
    assert len(re.findall(r"</script>", page)) == 2


def test_embedded_json_round_trips(run_dir: Path):
    page = write_review(run_dir).read_text(encoding="utf-8")
    data = json.loads(_blob(page))
    assert data["records"] == make_records()
    assert [f["key"] for f in data["fields"]] == list(FIELDS)


def test_script_end_tag_in_article_text_is_escaped(run_dir: Path):
    page = write_review(run_dir).read_text(encoding="utf-8")
    blob = _blob(page)
    # the regex stops at the first </script>: the whole blob must still be valid JSON
    data = json.loads(blob)
    assert "</script></script><!-- iklan -->" in data["records"][1]["text"]
    assert "<" not in blob and ">" not in blob and "&" not in blob
    assert "\\u003c/script\\u003e" in blob
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
    rec = dict(make_records()[3], text="%%JS%% %%DATA%% %%CSS%%", title="%%TITLE%%")
    rec["dates"] = rec["officials"] = rec["amounts"] = []
    write_records(tmp_path / "records.jsonl", [rec])
    page = write_review(tmp_path).read_text(encoding="utf-8")
    assert json.loads(_blob(page))["records"][0]["text"] == "%%JS%% %%DATA%% %%CSS%%"
    assert page.count("'use strict'") == 1


def test_records_path_override_and_missing(tmp_path: Path):
    src = write_records(tmp_path / "elsewhere" / "r.jsonl", make_records()[:1])
    out = write_review(tmp_path / "new-out", src)
    assert out == tmp_path / "new-out" / "review.html" and out.is_file()
    with pytest.raises(FileNotFoundError):
        write_review(tmp_path / "empty")


def test_bad_lines_become_error_rows(tmp_path: Path):
    good = make_records()[0]
    (tmp_path / "records.jsonl").write_text(
        json.dumps(good, ensure_ascii=False) + "\n{not json\n\n[1, 2]\n", encoding="utf-8")
    data = json.loads(_blob(write_review(tmp_path).read_text(encoding="utf-8")))
    recs = data["records"]
    assert len(recs) == 3 and recs[0] == good
    assert [r["status"] for r in recs[1:]] == ["error", "error"]
    assert "line 2" in recs[1]["error"] and "line 4" in recs[2]["error"]


def test_output_is_deterministic(run_dir: Path):
    a = write_review(run_dir).read_bytes()
    b = write_review(run_dir).read_bytes()
    assert a == b


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


def test_size_is_linear_in_input(tmp_path: Path):
    sizes = {}
    for n in (200, 2000):
        d = tmp_path / str(n)
        src = write_records(d / "records.jsonl", _synthetic(n))
        html_size = write_review(d).stat().st_size
        in_size = src.stat().st_size
        sizes[n] = (in_size, html_size)
        # data once, no per-article markup: at most ~the input plus a fixed page shell
        assert html_size <= 1.10 * in_size + 80_000, (n, in_size, html_size)
    (in_a, out_a), (in_b, out_b) = sizes[200], sizes[2000]
    assert (out_b - out_a) <= 1.10 * (in_b - in_a)
    assert sizes[2000][1] < 12 * sizes[200][1]


def test_main_missing_records_exits_2(tmp_path: Path, capsys):
    assert main([str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "records.jsonl" in err
    assert not (tmp_path / "nope" / "review.html").exists()


def test_main_writes_page(run_dir: Path, capsys):
    assert main([str(run_dir)]) == 0
    assert capsys.readouterr().out.strip() == str(run_dir / "review.html")
    assert (run_dir / "review.html").is_file()
