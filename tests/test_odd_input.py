"""Odd input that used to give wrong values or tracebacks (issue 17, items 12-20).

Invisible characters and decomposed accents, ids that collide or are not ids, formula-like
ids in `berita eval`, unreadable rule files and records, empty inputs.
"""
from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import REFERENCE_SCORER as REFERENCE
from conftest import REPO

from pipeline import cli, engine
from pipeline.io.reading import Article, iter_articles
from pipeline.ruletools import evaluation

AMOUNT = "Pemkab Garut menyiapkan dana Rp{} untuk iuran BPJS Ketenagakerjaan pekerja rentan."
OFFICIAL = "Bupati Garut, Rudé Gunawan, menyerahkan kartu kepada 4.000 pekerja rentan di Kabupaten Garüt."


def berita(*args) -> tuple[int, str]:
    """`berita ARGS` in this process: (exit code, what it printed)."""
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed), contextlib.redirect_stdout(printed):
        rc = cli.main([str(a) for a in args])
    return rc, printed.getvalue()


def grounded(record: dict) -> None:
    """Every value and range of a record points into its text."""
    text = record["text"]
    for field in ("dates", "officials", "regencies", "programs", "participants", "percentages", "amounts"):
        for v in record[field]:
            assert text[v["start"]:v["end"]] == v["surface"], (field, v)
            if "sentence" in v:
                assert v["surface"] in v["sentence"], (field, v)
    for key in ("sentences", "boilerplate"):
        for s, e in record[key]:
            assert 0 <= s <= e <= len(text)
    assert engine.check_record(record) == []


# ------------------------------------------------- 12. invisible characters in numbers


@pytest.mark.parametrize("number", ["1.\u200b500.000", "1.5\u00ad00.000", "1.500\u2060.000",
                                    "1.500.\ufeff000", "\u200b1.500.000", "1.500.000\u200d"])
def test_invisible_characters_inside_a_number_do_not_cut_it(extract, number):
    record = extract(AMOUNT.format(number))
    assert [a["amount_idr"] for a in record["amounts"]] == [1500000]
    amount = record["amounts"][0]
    # the surface is the text as written, the invisible character included where it sits inside
    assert amount["surface"] == ("Rp" + number).rstrip("\u200d")
    grounded(record)


def test_the_invisible_characters_are_rule_data():
    from pipeline.ruletools.rules import load_rules
    invisible = load_rules()["matching"]["invisible"]
    assert {"\u200b", "\u00ad", "\u2060", "\ufeff"} <= set(invisible)


def test_a_clean_text_keeps_its_doc(nlp):
    """Nothing to remove or compose: the pipeline works on the article's own text."""
    from pipeline.engine import _annotate
    from pipeline.extractors.spans import text_of
    text = AMOUNT.format("1.500.000")
    doc = _annotate(nlp, Article(id="t", text=text))
    assert text_of(doc) == text and "berita_source" not in doc.user_data


# ------------------------------------------------------------ 13. Unicode normal forms


def test_decomposed_and_composed_text_give_the_same_values(extract):
    nfc, nfd = (extract(unicodedata.normalize(form, OFFICIAL)) for form in ("NFC", "NFD"))
    assert nfc["text"] != nfd["text"]  # each record keeps its text as written
    for field in ("officials", "regencies", "participants", "dates", "programs"):
        strip = [{k: v for k, v in item.items() if k not in ("start", "end", "surface", "sentence")}
                 for item in nfd[field]]
        assert strip == [{k: v for k, v in item.items() if k not in ("start", "end", "surface", "sentence")}
                         for item in nfc[field]], field
    # names are in NFC; surfaces are the text as written
    assert [o["name"] for o in nfd["officials"]] == ["Rudé Gunawan"]
    assert nfd["officials"][0]["surface"] == unicodedata.normalize("NFD", "Rudé Gunawan")
    grounded(nfc)
    grounded(nfd)


def test_a_decomposed_accent_is_a_letter_not_a_word_break(extract):
    """`Garüt` is not Garut, however its ü is written."""
    for form in ("NFC", "NFD"):
        record = extract(unicodedata.normalize(form, "Pemkab Garüt menyerahkan kartu kepada 4.000 pekerja rentan."))
        assert record["regencies"] == [], form


def test_offsets_map_back_across_removed_and_composed_characters(extract):
    text = unicodedata.normalize("NFD", "Bupati Garut, Rudé\u200b Gunawan, menyiapkan Rp1.\u00ad500.000 untuk "
                                        "4.\u2060000 pekerja rentan di Kabupaten Garut, Senin (3/2/2025).\n\ufeffé")
    record = extract(text)
    assert record["text"] == text
    assert [a["amount_idr"] for a in record["amounts"]] == [1500000]
    assert [p["count"] for p in record["participants"]] == [4000]
    assert record["event_date"] == "2025-02-03"
    grounded(record)
    # sentence ranges cover the text as written, up to its last letter
    assert record["sentences"][-1][1] == len(text)


def test_run_and_explain_report_offsets_into_the_text_as_written(tmp_path):
    from pipeline.ruletools.explain import explain
    text = unicodedata.normalize("NFD", "Bupati Garut, Rudé Gunawan, menyiapkan Rp1.\u200b500.000 untuk iuran.")
    result = explain(text)
    for v in result["values"]:
        assert text[v["start"]:v["end"]] == v["surface"]
    for s in result["sentences"]:
        assert text[s["start"]:s["end"]] == s["text"]
    for item in result["leftovers"]:
        assert text[item["start"]:item["end"]] == item["surface"]


# ------------------------------------------------------------- 15. formula-like ids


FORMULA_IDS = ["-12", "+62x", "=cmd", "@home", "plain"]


def _formula_run(tmp_path):
    articles = tmp_path / "in.jsonl"
    articles.write_text("".join(json.dumps({"id": i, "text": AMOUNT.format("1.500.000")}) + "\n"
                                for i in FORMULA_IDS), encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({"id": i, "event_date": None, "regencies": [], "officials": [],
                                        "programs": [], "participant_counts": [], "percentages": [],
                                        "amounts_idr": [{"amount": 1500000}]}) + "\n"
                            for i in FORMULA_IDS), encoding="utf-8")
    out = tmp_path / "out"
    assert berita("run", articles, "--out", out, "--quiet", "--no-review")[0] == 0
    return gold, out


def test_eval_finds_ids_that_the_spreadsheet_guard_changes(tmp_path):
    gold, out = _formula_run(tmp_path)
    # the CSVs show the ids guarded (`'-12`): the scores must not depend on it
    assert "'-12" in (out / "articles.csv").read_text(encoding="utf-8-sig")
    result = evaluation.score(gold, out)
    assert result["articles_missing_from_output"] == 0
    assert result["amounts_idr"]["tp"] == len(FORMULA_IDS)
    assert evaluation.error_lines(gold, out, "amounts_idr") == []


def test_eval_reads_the_tables_without_records(tmp_path):
    """A directory of tables alone (another tool's, or hand-made) is scored from its CSVs."""
    gold, out = _formula_run(tmp_path)
    (out / "records.jsonl").unlink()
    result = evaluation.score(gold, out)
    # from the CSVs, the guarded ids are what the file says they are
    assert result["articles_missing_from_output"] == 4


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference scorer not beside the repository")
@pytest.mark.slow
def test_eval_of_a_real_run_agrees_with_the_reference(tmp_path):
    """Read from records.jsonl, a run's rows are the CSVs' rows: same figures as score.py."""
    data = REPO / "tests" / "data"
    out = tmp_path / "out"
    assert berita("run", data / "synthetic-a.jsonl", "--out", out, "--quiet", "--no-review")[0] == 0
    gold = data / "synthetic-a.gold.jsonl"
    proc = subprocess.run([sys.executable, str(REFERENCE), str(gold), str(out), "--json"],
                          capture_output=True, text=True, check=True)
    assert evaluation.score(gold, out) == json.loads(proc.stdout)


def test_eval_of_unreadable_records_is_a_clean_error(tmp_path, capsys):
    gold, out = _formula_run(tmp_path)
    (out / "records.jsonl").write_text("[" * 100000 + "\n", encoding="utf-8")
    assert evaluation.main([str(gold), str(out)]) == 2
    err = capsys.readouterr().err
    assert "records.jsonl:1" in err and "Traceback" not in err


# ------------------------------------------------------------ 16/17. ids


def write_jsonl(path: Path, objects: list) -> Path:
    path.write_text("".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objects),
                    encoding="utf-8")
    return path


def test_a_renamed_duplicate_never_takes_an_id_of_the_input(tmp_path):
    p = write_jsonl(tmp_path / "a.jsonl", [{"id": "dup", "text": "satu"}, {"id": "dup", "text": "dua"},
                                          {"id": "dup#2", "text": "tiga"}, {"id": "dup#3", "text": "empat"}])
    articles = list(iter_articles([p]))
    assert [a.id for a in articles] == ["dup", "dup#4", "dup#2", "dup#3"]
    assert [a.text for a in articles] == ["satu", "dua", "tiga", "empat"]
    assert articles[2].warnings == articles[3].warnings == []


def test_renaming_looks_across_files(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "satu"}, {"id": "x", "text": "dua"}])
    b = tmp_path / "b.csv"
    b.write_text("id,text\nx#2,tiga\n", encoding="utf-8")
    assert [a.id for a in iter_articles([a, b])] == ["x", "x#3", "x#2"]


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e999", "1.0", "1.5e3", "true", "[1]"])
def test_an_id_that_is_not_a_string_or_an_integer_is_an_error_row(tmp_path, raw):
    p = write_jsonl(tmp_path / "ids.jsonl", ['{"id": %s, "text": "Judul berita\\nisi"}' % raw])
    (article,) = iter_articles([p])
    assert article.error is not None and "'id'" in article.error
    assert article.id == "ids:1"


@pytest.mark.parametrize("raw, want", [("7", "7"), ("-3", "-3"), ("12345678901234567890", "12345678901234567890"),
                                       ('"1.0"', "1.0"), ('"NaN"', "NaN")])
def test_string_and_integer_ids_are_kept_as_written(tmp_path, raw, want):
    p = write_jsonl(tmp_path / "ids.jsonl", ['{"id": %s, "text": "isi"}' % raw])
    (article,) = iter_articles([p])
    assert (article.id, article.error) == (want, None)


# ------------------------------------------------------------ 18. tracebacks


def test_a_rule_file_that_is_not_utf8_is_a_clean_error(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "quantities.yml").write_bytes(b"purpose: uang\npeople_nouns: [caf\xe9]\n")
    src = tmp_path / "a.txt"
    src.write_text(AMOUNT.format("1.500.000"), encoding="utf-8")
    rc, err = berita("run", src, "--out", tmp_path / "out", "--rules", rules, "--quiet")
    assert rc == 2
    assert "quantities.yml:2:" in err and "UTF-8" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_deeply_nested_records_line_is_a_clean_error(tmp_path):
    from pipeline.io.frames import load_tables
    (tmp_path / "records.jsonl").write_text('{"article_id": "a"}\n' + "[" * 100000 + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"records\.jsonl:2: .*nested too deeply"):
        load_tables(tmp_path)


def test_read_record_never_raises_recursion_error():
    from pipeline.io.records import read_record
    with pytest.raises(ValueError):
        read_record("[" * 100000)
    with pytest.raises(ValueError, match="not a JSON object"):
        read_record("[1]")
    assert read_record('{"article_id": "a"}') == {"article_id": "a"}


# ------------------------------------------------------------ 20. smaller issues


def test_an_error_row_has_the_title_that_is_known(tmp_path):
    p = write_jsonl(tmp_path / "a.jsonl", ['{"id": 1.5, "text": "Judul berita\\nisi"}',
                                           '{"id": "t", "text": "Judul lain\\nisi", "title": "Diberikan"}'])
    out = tmp_path / "out"
    assert berita("run", p, "--out", out, "--quiet", "--no-review")[0] == 0
    records = [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["status"], r["title"]) for r in records] == [("error", "Judul berita"), ("ok", "Diberikan")]


def test_an_article_that_fails_keeps_its_title(nlp):
    text = "Judul berita\n" + "x" * (engine.MAX_ARTICLE_CHARS + 1)
    record = engine.process_article(nlp, Article(id="long", text=text))
    assert (record["status"], record["title"]) == ("error", "Judul berita")


@pytest.mark.parametrize("name, content", [("e.jsonl", ""), ("e.jsonl", "\n\n"), ("e.csv", ""),
                                           ("e.csv", "\n"), ("e.csv", "id,text\n")])
def test_a_file_without_records_is_one_error_row(tmp_path, name, content):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    (article,) = iter_articles([p])
    assert article.id == "e" and article.error.startswith(f"{p}: ") and "no records" in article.error


def test_a_missing_rules_directory_is_named_without_a_line_number(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(AMOUNT.format("1.500.000"), encoding="utf-8")
    missing = tmp_path / "nonexistent"
    rc, err = berita("run", src, "--out", tmp_path / "out", "--rules", missing, "--quiet")
    assert rc == 2
    assert f"{missing}:1" not in err and str(missing) in err and "does not exist" in err
    rc, err = berita("rules", "check", "--rules", missing)
    assert rc != 0 and f"{missing}:1" not in err and "does not exist" in err
