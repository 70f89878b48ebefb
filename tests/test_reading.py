"""Tests for pipeline.io.reading: the inputs of `berita run PATH... --out DIR`."""

from __future__ import annotations

import codecs
import json
import os
import random

import pytest

from pipeline.io.reading import Article, InputError, check_paths, iter_articles

ARTICLE = "Bupati Garut menyalurkan bantuan kepada 1.200 keluarga penerima manfaat."


def read(*paths) -> list[Article]:
    return list(iter_articles(list(paths)))


def only(*paths) -> Article:
    articles = read(*paths)
    assert len(articles) == 1, articles
    return articles[0]


# ----------------------------------------------------------------------- .txt / encodings


def test_txt_plain_utf8(tmp_path):
    p = tmp_path / "garut-01.txt"
    p.write_bytes(ARTICLE.encode("utf-8"))
    a = only(p)
    assert (a.id, a.text, a.error, a.warnings) == ("garut-01", ARTICLE, None, [])
    assert a.source == str(p)


def test_txt_utf8_bom_is_dropped(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(codecs.BOM_UTF8 + "Café Bupati".encode("utf-8"))
    a = only(p)
    assert a.text == "Café Bupati"
    assert a.warnings == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_txt_utf16_and_utf32_with_bom(tmp_path, encoding):
    text = "Wakil Bupati Sleman: “Program PKH” berjalan. Café."
    p = tmp_path / "wide.txt"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    p.write_bytes(data)
    a = only(p)
    assert a.error is None
    assert a.text == text


def test_txt_cp1252_with_accents_and_smart_quotes(tmp_path):
    text = "Kata “bupati” di café résumé naïve.\nBaris kedua."
    p = tmp_path / "legacy.txt"
    p.write_bytes(text.encode("cp1252"))
    a = only(p)
    assert a.error is None
    assert a.text == text  # not cp1250 ("naďve") or latin-1 (C1 controls)
    assert any("cp1252" in w for w in a.warnings)


def test_txt_ascii_with_stray_cp1252_byte_is_not_read_as_cjk(tmp_path):
    p = tmp_path / "stray.txt"
    p.write_bytes(b"Bupati Garut\x92s program bantuan\n")
    assert only(p).text == "Bupati Garut’s program bantuan\n"


def test_txt_invalid_utf8_byte_mid_file_keeps_the_rest(tmp_path):
    good_1 = "Bupati Garut menghadiri acara di café kota.\n"
    good_2 = "Program résumé bantuan sosial berjalan lancar.\n"
    p = tmp_path / "damaged.txt"
    p.write_bytes(good_1.encode("utf-8") + b"\xff\xfe broken \x80 line\n" + good_2.encode("utf-8"))
    a = only(p)
    assert a.error is None
    # the valid UTF-8 around the damage is intact (not mojibake such as "cafÃ©")
    assert a.text.startswith(good_1)
    assert a.text.endswith(good_2)
    assert "\ufffd" in a.text
    assert any("U+FFFD" in w for w in a.warnings)


def test_txt_crlf_and_lone_cr_become_lf(tmp_path):
    p = tmp_path / "crlf.txt"
    p.write_bytes(b"Baris satu.\r\nBaris dua.\rBaris tiga.\r\n\r\nAkhir.")
    a = only(p)
    assert a.text == "Baris satu.\nBaris dua.\nBaris tiga.\n\nAkhir."


def test_txt_nothing_else_is_changed(tmp_path):
    # no stripping, no Unicode normalisation, a stray NUL kept: offsets stay valid
    raw = "  e\u0301 Bupati\u00a0Garut\tx\x00y  \n\n"
    p = tmp_path / "keep.txt"
    p.write_bytes(raw.encode("utf-8"))
    assert only(p).text == raw


def test_txt_binary_file_is_an_error_record_not_a_crash(tmp_path):
    png = tmp_path / "image.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + random.Random(1).randbytes(2000))
    noise = tmp_path / "noise.txt"
    noise.write_bytes(bytes(b for b in random.Random(0).randbytes(4000) if b != 0))
    good = tmp_path / "ok.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    articles = read(png, noise, good)
    assert [a.id for a in articles] == ["image", "noise", "ok"]
    for a, name in zip(articles[:2], ["image.txt", "noise.txt"]):
        assert a.error is not None and a.error.startswith(f"{tmp_path / name}: ")
        assert a.text == ""
    assert "binary" in articles[0].error
    assert articles[2].error is None and articles[2].text == ARTICLE


def test_txt_utf16_without_bom_is_detected_not_binary(tmp_path):
    p = tmp_path / "nobom.txt"
    p.write_bytes(ARTICLE.encode("utf-16-le"))
    a = only(p)
    assert a.error is None
    assert a.text == ARTICLE


def test_empty_txt_is_an_article_with_a_warning(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    a = only(p)
    assert (a.text, a.error) == ("", None)
    assert "empty text" in a.warnings


# ---------------------------------------------------------------------------- .jsonl


def write_jsonl(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_fields_and_blank_lines(tmp_path):
    p = write_jsonl(tmp_path / "feed.jsonl", [
        json.dumps({"id": "a1", "text": "Satu\r\ndua", "url": "https://x.id/1",
                    "published": "2024-03-01", "title": "Judul", "extra": 1}),
        "",
        "   ",
        json.dumps({"id": 42, "text": "Kedua"}),
    ])
    a, b = read(p)
    assert (a.id, a.text, a.url, a.published, a.title) == ("a1", "Satu\ndua", "https://x.id/1", "2024-03-01", "Judul")
    assert a.source == f"{p}:1"
    assert (b.id, b.text, b.url, b.source) == ("42", "Kedua", None, f"{p}:4")


def test_jsonl_malformed_line_names_file_and_line(tmp_path):
    p = write_jsonl(tmp_path / "feed.jsonl", [
        json.dumps({"id": "ok1", "text": "baik"}),
        "",
        '{"id": "broken", "text": "tanpa penutup"',
        json.dumps({"id": "ok2", "text": "baik juga"}),
    ])
    articles = read(p)
    assert [a.id for a in articles] == ["ok1", "feed:3", "ok2"]
    bad = articles[1]
    assert bad.error.startswith(f"{p}:3: not valid JSON")
    assert bad.text == ""
    assert "\n" not in bad.error
    assert articles[2].error is None


def test_jsonl_line_that_is_not_an_object(tmp_path):
    p = write_jsonl(tmp_path / "feed.jsonl", ['["id", "text"]', '"just a string"', "null"])
    articles = read(p)
    assert [a.id for a in articles] == ["feed:1", "feed:2", "feed:3"]
    assert articles[0].error == f"{p}:1: not a JSON object (got array)"
    assert articles[1].error == f"{p}:2: not a JSON object (got string)"
    assert articles[2].error == f"{p}:3: not a JSON object (got null)"


def test_jsonl_missing_text_and_missing_id(tmp_path):
    p = write_jsonl(tmp_path / "feed.jsonl", [
        json.dumps({"id": "x7", "title": "tanpa teks"}),
        json.dumps({"text": "tanpa id"}),
        json.dumps({}),
    ])
    no_text, no_id, empty = read(p)
    assert no_text.id == "x7"
    assert no_text.error == f"{p}:1: missing 'text'"
    assert no_text.title == "tanpa teks" and no_text.text == ""
    assert no_id.id == "feed:2"
    assert no_id.error == f"{p}:2: missing 'id'"
    assert empty.error == f"{p}:3: missing 'id'; missing 'text'"


def test_jsonl_text_that_is_not_a_string(tmp_path):
    p = write_jsonl(tmp_path / "feed.jsonl", [
        json.dumps({"id": "n1", "text": 123}),
        json.dumps({"id": "n2", "text": ["a", "b"]}),
    ])
    a, b = read(p)
    assert (a.id, a.error, a.text) == ("n1", f"{p}:1: 'text' is not a string (got number)", "")
    assert (b.id, b.error) == ("n2", f"{p}:2: 'text' is not a string (got array)")


def test_jsonl_invalid_utf8_on_one_line_only_affects_that_record(tmp_path):
    p = tmp_path / "feed.jsonl"
    p.write_bytes(
        json.dumps({"id": "a", "text": "café"}, ensure_ascii=False).encode("utf-8") + b"\n"
        + b'{"id": "b", "text": "caf\xe9 lama"}\n'
        + json.dumps({"id": "c", "text": "résumé"}, ensure_ascii=False).encode("utf-8") + b"\n"
    )
    a, b, c = read(p)
    assert (a.text, a.warnings) == ("café", [])
    assert b.error is None and b.text.startswith("caf") and b.warnings
    assert (c.text, c.warnings) == ("résumé", [])


def test_jsonl_utf16_with_bom(tmp_path):
    p = tmp_path / "wide.jsonl"
    lines = [json.dumps({"id": "u1", "text": "Café satu"}, ensure_ascii=False),
             json.dumps({"id": "u2", "text": "Dua"})]
    p.write_bytes("\r\n".join(lines).encode("utf-16"))
    a, b = read(p)
    assert (a.id, a.text, b.id, b.text) == ("u1", "Café satu", "u2", "Dua")


def test_jsonl_utf8_bom_on_first_line(tmp_path):
    p = tmp_path / "bom.jsonl"
    p.write_bytes(codecs.BOM_UTF8 + json.dumps({"id": "b1", "text": "x"}).encode() + b"\n")
    a = only(p)
    assert (a.id, a.error) == ("b1", None)


# ------------------------------------------------------------------------------ .csv


def test_csv_semicolon_bom_quoted_newline(tmp_path):
    p = tmp_path / "export.csv"
    content = (
        "id;title;text;url\r\n"
        'k1;Judul satu;"Paragraf satu; dengan titik koma.\r\nParagraf dua, café.";https://a.id/1\r\n'
        "k2;;Teks pendek;\r\n"
    )
    p.write_bytes(codecs.BOM_UTF8 + content.encode("utf-8"))
    a, b = read(p)
    assert (a.id, a.title, a.url) == ("k1", "Judul satu", "https://a.id/1")
    assert a.text == "Paragraf satu; dengan titik koma.\nParagraf dua, café."
    assert a.source == f"{p}:2"
    assert (b.id, b.title, b.url, b.text) == ("k2", None, None, "Teks pendek")
    assert b.source == f"{p}:4"  # the quoted newline made row 1 span lines 2-3


def test_csv_comma_and_tab_delimiters(tmp_path):
    comma = tmp_path / "comma.csv"
    comma.write_text('id,text\nc1,"Halo, dunia"\n', encoding="utf-8")
    tab = tmp_path / "tab.csv"
    tab.write_text("ID\tText\nt1\tHalo; dunia, lagi\n", encoding="utf-8")
    a, b = read(comma, tab)
    assert (a.id, a.text) == ("c1", "Halo, dunia")
    assert (b.id, b.text) == ("t1", "Halo; dunia, lagi")


def test_csv_without_text_column_is_one_error_record(tmp_path):
    p = tmp_path / "wrong.csv"
    p.write_text("id,body\n1,isi\n2,isi lain\n", encoding="utf-8")
    a = only(p)
    assert a.id == "wrong"
    assert a.text == ""
    assert "no 'text' column" in a.error and "body" in a.error and str(p) in a.error


def test_csv_without_id_column_numbers_rows(tmp_path):
    p = tmp_path / "noid.csv"
    p.write_text("text,url\nsatu,\n\n\"dua\nbaris\",https://b.id\ntiga,\n", encoding="utf-8")
    articles = read(p)
    assert [a.id for a in articles] == ["noid:1", "noid:2", "noid:3"]
    assert articles[1].text == "dua\nbaris"
    assert articles[1].url == "https://b.id"


def test_csv_row_missing_the_text_cell(tmp_path):
    p = tmp_path / "short.csv"
    p.write_text("id,title,text\nr1,judul\nr2,judul,isi\n", encoding="utf-8")
    a, b = read(p)
    assert a.id == "r1" and a.error.startswith(f"{p}:2: no 'text' value")
    assert (b.id, b.text, b.error) == ("r2", "isi", None)


def test_csv_cp1252_export(tmp_path):
    p = tmp_path / "excel.csv"
    p.write_bytes("id;text\r\ne1;Bupati menghadiri café “Sehat”\r\ne2;biasa\r\n".encode("cp1252"))
    a, b = read(p)
    assert a.text == "Bupati menghadiri café “Sehat”"
    assert b.text == "biasa"


# -------------------------------------------------------------------- ids, paths, order


def test_duplicate_ids_across_the_run_get_suffixes_and_warnings(tmp_path):
    j = write_jsonl(tmp_path / "a.jsonl", [
        json.dumps({"id": "X", "text": "satu"}),
        json.dumps({"id": "X", "text": "dua"}),
    ])
    c = tmp_path / "b.csv"
    c.write_text("id,text\nX,tiga\nY,empat\n", encoding="utf-8")
    t = tmp_path / "X.txt"
    t.write_text("lima", encoding="utf-8")
    articles = read(j, c, t)
    assert [(a.id, a.text) for a in articles] == [
        ("X", "satu"), ("X#2", "dua"), ("X#3", "tiga"), ("Y", "empat"), ("X#4", "lima")]
    assert articles[0].warnings == []
    assert any("duplicate id 'X'" in w and "X#2" in w for w in articles[1].warnings)
    assert len({a.id for a in articles}) == len(articles)


def test_duplicate_rename_does_not_collide_with_an_existing_id(tmp_path):
    p = write_jsonl(tmp_path / "f.jsonl", [
        json.dumps({"id": "X#2", "text": "a"}),
        json.dumps({"id": "X", "text": "b"}),
        json.dumps({"id": "X", "text": "c"}),
    ])
    assert [a.id for a in read(p)] == ["X#2", "X", "X#3"]


def test_missing_path_raises_before_anything_is_yielded(tmp_path):
    good = tmp_path / "ok.txt"
    good.write_text("x", encoding="utf-8")
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(InputError) as info:
        iter_articles([good, missing])  # raised by the call itself, not on first next()
    assert str(missing) in str(info.value)
    assert "\n" not in str(info.value)


def test_empty_directory_raises(tmp_path):
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "notes.md").write_text("not an input", encoding="utf-8")
    with pytest.raises(InputError, match="no .txt, .jsonl, .csv or .html"):
        check_paths([empty])


def test_no_paths_and_unsupported_explicit_file_raise(tmp_path):
    with pytest.raises(InputError):
        check_paths([])
    other = tmp_path / "data.json"
    other.write_text("[]", encoding="utf-8")
    with pytest.raises(InputError, match="unsupported file type"):
        check_paths([other])


def test_all_problems_reported_in_one_line(tmp_path):
    with pytest.raises(InputError) as info:
        check_paths([tmp_path / "a.txt", tmp_path / "b.csv"])
    message = str(info.value)
    assert "a.txt" in message and "b.csv" in message and "\n" not in message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read files without permission")
def test_unreadable_explicit_file_raises(tmp_path):
    p = tmp_path / "secret.txt"
    p.write_text("x", encoding="utf-8")
    p.chmod(0)
    try:
        with pytest.raises(InputError, match="cannot read"):
            check_paths([p])
    finally:
        p.chmod(0o644)


def test_directory_walk_is_recursive_sorted_and_filtered(tmp_path):
    root = tmp_path / "corpus"
    for rel in ["b.txt", "a/z.txt", "a/b/c.TXT", "c.jsonl", "a.csv", "skip.md",
                ".hidden.txt", ".git/x.txt", "a/b/d.txt"]:
        f = root / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".jsonl"):
            f.write_text(json.dumps({"id": "from-jsonl", "text": "j"}) + "\n", encoding="utf-8")
        elif rel.endswith(".csv"):
            f.write_text("id,text\nfrom-csv,c\n", encoding="utf-8")
        else:
            f.write_text(rel, encoding="utf-8")
    files = check_paths([root])
    assert [f.relative_to(root).as_posix() for f in files] == [
        "a/b/c.TXT", "a/b/d.txt", "a/z.txt", "a.csv", "b.txt", "c.jsonl"]
    articles = read(root)
    assert [a.id for a in articles] == ["c", "d", "z", "from-csv", "b", "from-jsonl"]
    assert articles[0].source == str(root / "a" / "b" / "c.TXT")


def test_same_file_given_twice_is_read_once(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "one.txt").write_text("x", encoding="utf-8")
    assert [a.id for a in read(d, d / "one.txt")] == ["one"]


def test_streaming_is_lazy(tmp_path):
    p = tmp_path / "many.jsonl"
    p.write_text("".join(json.dumps({"id": f"i{i}", "text": "t"}) + "\n" for i in range(1000)),
                 encoding="utf-8")
    stream = iter_articles([p])
    assert not isinstance(stream, list)
    first = next(stream)
    assert first.id == "i0"
    # the rest is still to come
    assert sum(1 for _ in stream) == 999


# ------------------------------------------------------------------------ titles


def test_first_line_skips_the_given_ranges():
    from pipeline.io.reading import first_line
    text = "  \nIklan\n  Judul Berita  \nIsi."
    assert first_line(text) == "Iklan"
    assert first_line(text, [[3, 8]]) == "Judul Berita"
    assert first_line(text, [[3, 8], [9, 25]]) == "Isi."
    assert first_line(text, [[0, len(text)]]) == ""
    assert first_line(text, [[3, 6]]) == "Iklan"  # a range must cover the whole line


# A title is taken from the text only when the input gives none; lines of site furniture
# (rules/boilerplate.yml) are no title.
TITLES = [
    ("Advertisement\nPemkab Sigi Lindungi 2.000 Nelayan\nBupati Sigi hadir.", "Pemkab Sigi Lindungi 2.000 Nelayan"),
    ("Share\n\nWali Kota Palu Serahkan Kartu Peserta\n\nShare\nIsi berita.", "Wali Kota Palu Serahkan Kartu Peserta"),
    ("1. Beranda\n  2. Daerah\n  3. Kabar\n\nNasional\n\nBupati Buol Buka Rapat Pekerja Rentan\nIsi berita.",
     "Bupati Buol Buka Rapat Pekerja Rentan"),
    ("Sukseskan Pilkada Serentak, Rabu 27 November 2024\n\nPemkab Buol Tambah Peserta\nIsi berita.",
     "Pemkab Buol Tambah Peserta"),
    ("Beranda › Daerah › Pemkot\nPemkot Bitung Lindungi Nelayan\nIsi berita.", "Pemkot Bitung Lindungi Nelayan"),
    ("Pemkab Garut Daftarkan Pekerja\nIsi berita.", "Pemkab Garut Daftarkan Pekerja"),
]


@pytest.mark.parametrize("text, title", TITLES)
def test_title_skips_boilerplate_lines(text, title):
    from pipeline import engine
    record = engine.process_article(engine._local_nlp(None), Article(id="t", text=text))
    assert record["status"] == "ok" and record["title"] == title


def test_a_given_title_is_kept():
    from pipeline import engine
    record = engine.process_article(engine._local_nlp(None), Article(id="t", text="Iklan\nJudul", title="Diberikan"))
    assert record["title"] == "Diberikan"
