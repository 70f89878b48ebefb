"""Saved web pages as input: trafilatura's main text, metadata and publication date.

The pages are written here (no copy of a real site); every name and place is made up
apart from real regency names the extractor must recognise."""
import csv
import json
import subprocess
import sys

import pytest

from pipeline.cli import main as berita
from pipeline.io.reading import iter_articles

from conftest import REPO

NEWS_PAGE = """<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>Pemkab Kupang Daftarkan 1.250 Pekerja Rentan - Warta Contoh</title>
<meta property="og:title" content="Pemkab Kupang Daftarkan 1.250 Pekerja Rentan ke BPJS Ketenagakerjaan">
<meta name="author" content="Rina Wulandari">
<link rel="canonical" href="https://warta.example/daerah/pemkab-kupang-daftarkan-pekerja-rentan">
<meta property="article:published_time" content="2024-03-14T09:30:00+07:00">
</head>
<body>
<header><nav class="menu"><ul>
  <li><a href="/">Beranda</a></li><li><a href="/daerah">Daerah</a></li>
  <li><a href="/olahraga">Olahraga Terkini Hari Ini</a></li>
</ul></nav></header>
<main>
<article>
  <h1>Pemkab Kupang Daftarkan 1.250 Pekerja Rentan ke BPJS Ketenagakerjaan</h1>
  <div class="article-content">
    <figure>
      <img src="/foto/penyerahan.jpg" alt="Penyerahan kartu">
      <figcaption>Wakil Bupati Kupang Jerry Manafe menyerahkan kartu peserta di Oelamasi.</figcaption>
    </figure>
    <p>Pemerintah Kabupaten Kupang mendaftarkan 1.250 pekerja rentan sebagai peserta BPJS
    Ketenagakerjaan pada Kamis, 14 Maret 2024. Iuran para pekerja ditanggung APBD selama satu tahun.</p>
    <p>"Kami ingin para nelayan dan petani terlindungi saat bekerja," kata Bupati Kupang
    Korinus Masneno di Oelamasi.</p>
    <p><strong>Baca juga:</strong> <a href="/daerah/lain">Bupati Sikka Fransiskus Diogo serahkan 300 kartu tani</a></p>
    <p>Kepala Dinas Tenaga Kerja Kabupaten Kupang, Yosef Lede, menyebut program ini akan
    diperluas tahun depan kepada pekerja sektor informal lainnya.</p>
    <p>Menurut Yosef, pendataan dilakukan oleh perangkat desa di seluruh kecamatan sejak
    awal tahun agar bantuan tepat sasaran.</p>
  </div>
</article>
<section id="comments" class="comments">
  <h3>Komentar</h3>
  <div class="comment"><p class="comment-author">budi88</p>
    <p>Mantap pak bupati, semoga 5.000 nelayan di desa kami juga didaftarkan.</p></div>
</section>
</main>
<aside class="sidebar"><h3>Terpopuler</h3><ul><li><a href="/a">Gempa kecil guncang pesisir selatan</a></li></ul></aside>
<footer><p>&copy; 2024 Warta Contoh. Hak cipta dilindungi.</p></footer>
</body>
</html>
"""

# No year anywhere in the text or the address: only the page's <meta> date can give one.
YEARLESS_PAGE = """<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>Nelayan Sikka Terima Kartu Jaminan Sosial</title>
<meta property="article:published_time" content="2023-08-22T08:00:00+08:00">
<link rel="canonical" href="https://kabar.example/berita/nelayan-sikka-terima-kartu">
</head>
<body>
<nav><a href="/">Beranda</a> <a href="/nusa">Nusa Tenggara</a></nav>
<article>
  <h1>Nelayan Sikka Terima Kartu Jaminan Sosial</h1>
  <p>Pemerintah Kabupaten Sikka menyerahkan kartu BPJS Ketenagakerjaan kepada 480 nelayan
  di Maumere pada Senin, 21 Agustus lalu. Iuran mereka dibayar dari dana desa.</p>
  <p>Kepala Dinas Perikanan Kabupaten Sikka, Maria Goreti, mengatakan para nelayan kini
  terlindungi dari risiko kecelakaan kerja di laut.</p>
</article>
</body>
</html>
"""

# a photo page: an image and a script, no text for trafilatura to find
NO_TEXT_PAGE = """<!DOCTYPE html>
<html><head><title>Galeri</title></head>
<body><img src="/foto/1.jpg" alt=""><script>var galeri = [1, 2, 3];</script></body></html>
"""


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def html_run(tmp_path_factory):
    pages = tmp_path_factory.mktemp("pages")
    (pages / "kupang.html").write_text(NEWS_PAGE, encoding="utf-8")
    (pages / "sub").mkdir()
    (pages / "sub" / "sikka.HTM").write_text(YEARLESS_PAGE, encoding="utf-8")
    (pages / "galeri.html").write_text(NO_TEXT_PAGE, encoding="utf-8")
    (pages / "kosong.html").write_bytes(b"")
    out = tmp_path_factory.mktemp("out") / "out"
    assert berita(["run", str(pages), "--out", str(out), "--quiet", "--no-review"]) == 0
    records = {}
    with open(out / "records.jsonl", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            records[record["article_id"]] = record
    return out, records


def test_directory_walk_reads_html_and_htm(html_run):
    _, records = html_run
    assert sorted(records) == ["galeri", "kosong", "kupang", "sikka"]


def test_metadata_comes_from_the_page(html_run):
    _, records = html_run
    page = records["kupang"]
    assert page["status"] == "ok"
    assert page["title"] == "Pemkab Kupang Daftarkan 1.250 Pekerja Rentan ke BPJS Ketenagakerjaan"
    assert page["author"] == "Rina Wulandari"
    assert page["url"] == "https://warta.example/daerah/pemkab-kupang-daftarkan-pekerja-rentan"
    assert page["published"] == "2024-03-14"


def test_text_is_the_article_body_only(html_run):
    _, records = html_run
    text = records["kupang"]["text"]
    assert text.startswith("Pemerintah Kabupaten Kupang mendaftarkan 1.250 pekerja rentan")
    assert "Menurut Yosef, pendataan dilakukan" in text
    for furniture in ("Olahraga Terkini", "Beranda", "Mantap pak bupati", "budi88", "Terpopuler",
                      "Hak cipta", "Komentar"):
        assert furniture not in text
    # trafilatura drops <figure>, caption included (see reading.py: no setting keeps it alone)
    assert "Jerry Manafe" not in text


def test_values_are_extracted_and_grounded_in_the_extracted_text(html_run):
    out, records = html_run
    record = records["kupang"]
    text = record["text"]
    assert record["event_date"] == "2024-03-14"
    assert record["regency_name"] and "Kupang" in record["regency_name"]
    names = {o["name"] for o in record["officials"]}
    assert "Korinus Masneno" in names and "Yosef Lede" in names
    assert [p["count"] for p in record["participants"]] == [1250]
    for table in ("officials", "participants", "dates", "programs"):
        for value in record[table]:
            assert text[value["start"]:value["end"]] == value["surface"]
    # the "Baca juga" line trafilatura keeps is site furniture to the boilerplate rules
    assert not any("Diogo" in n for n in names)
    assert all(p["count"] != 300 for p in record["participants"])
    officials = _rows(out / "officials.csv")
    assert {r["name"] for r in officials if r["article_id"] == "kupang"} == names


def test_yearless_event_date_takes_the_page_year(html_run):
    _, records = html_run
    record = records["sikka"]
    assert record["published"] == "2023-08-22"
    assert "2023" not in record["text"] and "2023" not in (record["url"] or "")
    assert record["event_date"] == "2023-08-21"
    assert "Beranda" not in record["text"]


@pytest.mark.parametrize("page", ["galeri", "kosong"])
def test_page_without_text_is_an_error_row(html_run, page):
    out, records = html_run
    record = records[page]
    assert record["status"] == "error"
    assert "no article text" in record["error"] and "\n" not in record["error"]
    row = next(r for r in _rows(out / "articles.csv") if r["article_id"] == page)
    assert row["status"] == "error"


def test_explicit_html_file_is_accepted(tmp_path):
    page = tmp_path / "halaman.htm"
    page.write_text(YEARLESS_PAGE, encoding="utf-8")
    [article] = list(iter_articles([page]))
    assert (article.id, article.published, article.error) == ("halaman", "2023-08-22", None)


def test_trafilatura_is_imported_only_when_a_page_is_read():
    code = "import sys, pipeline.cli; print('trafilatura' in sys.modules, 'htmldate' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_a_page_the_extractor_fails_on_is_one_error_row(tmp_path, monkeypatch):
    import trafilatura

    def broken(*args, **kwargs):
        raise ValueError("unexpected markup")
    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    (tmp_path / "a.html").write_text("<html><body><p>Teks.</p></body></html>", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Bupati Garut mendaftarkan 4.000 pekerja.", encoding="utf-8")
    articles = list(iter_articles([tmp_path]))
    assert [a.id for a in articles] == ["a", "b"]
    assert "cannot read the page (ValueError: unexpected markup)" in articles[0].error
    assert articles[1].error is None
