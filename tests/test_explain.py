"""`berita explain` and leftovers: sentences, values with rule ids, what no rule took,
and `berita run --leftovers` ranking them over a run in leftovers.csv."""
from __future__ import annotations

import csv
import io
import json

import pytest

from pipeline import cli
from pipeline.ruletools.explain import explain
from pipeline.ruletools.leftovers import CSV_COLUMNS, LeftoverFinder, _View, find_leftovers, record_leftovers, shape
from pipeline.ruletools.rules import load_rules

ARTICLE = (
    "Pemkab Nisel Perluas Perlindungan Pekerja Rentan\n"
    "TELUK DALAM - Pemkab Nisel menandatangani kerja sama dengan BPJS Ketenagakerjaan pada "
    "Senin (3/2/2025). Bupati Bolsel, Haji Iskandar Kamaru, S.Pt., M.Si., hadir. "
    "Jumlah peserta kini 4.000 di seluruh desa, sedangkan 300 pekerja rentan lain menyusul."
)


@pytest.fixture(scope="module")
def finder():
    return LeftoverFinder(load_rules())


def view(text: str, **values) -> _View:
    return _View(text, text, [0], values)


# --------------------------------------------------------------------------- shape
@pytest.mark.parametrize("surface, keep, expected", [
    ("Pemkab Nisel", ["Pemkab"], "Pemkab Xx"),
    ("peserta sebanyak 4.000", [], "peserta sebanyak 9"),
    ("Bupati Bolsel, Haji Iskandar", ["Bupati"], "Bupati Xx, Xx Xx"),
    ("program SERTAKAN BPJS", ["program"], "program XX XX"),
    ("Rp 1,2 juta", ["Rp"], "Rp 9 juta"),
])
def test_shape(surface, keep, expected):
    assert shape(surface, keep) == expected


# --------------------------------------------------------------------------- the four kinds
def test_count_next_to_people_noun(finder):
    text = "Jumlah peserta sebanyak 4.000 orang. Sebanyak 1.200 tenaga honorer dan 50 unit sampan."
    got = finder.counts(view(text))
    assert [(g["surface"], g["shape"]) for g in got] == [("4.000 orang", "9 orang"), ("1.200 tenaga", "9 tenaga")]
    # numbers a count rule took, amounts, years and `salah satu` are not leftovers
    taken = view(text, participants=[{"start": 24, "end": 29, "count": 4000}])
    assert [g["surface"] for g in finder.counts(taken)] == ["1.200 tenaga"]
    assert finder.counts(view("Pada 2024 pekerja dan Rp 300 pekerja, salah satu pekerja.")) == []
    before = finder.counts(view("Adapun peserta sebanyak 4.000 di Bolsel."))
    assert [(g["surface"], g["shape"]) for g in before] == [("peserta sebanyak 4.000", "peserta sebanyak 9")]


def test_official_run_without_official(finder):
    text = "Kapitalau Lai hadir. Kepala Lembang Sarira Yohanis Tandi hadir. Bupati Bolsel, Haji Iskandar Kamaru, hadir."
    got = finder.officials(view(text))
    assert [(g["surface"], g["shape"]) for g in got] == [
        ("Kepala Lembang Sarira Yohanis Tandi", "Kepala Xx Xx Xx Xx"),
        ("Bupati Bolsel, Haji Iskandar Kamaru", "Bupati Xx, Xx Xx Xx"),
    ]
    # a role word whose name became an official is no leftover; neither is a place after it
    done = view(text, officials=[{"name": "Iskandar Kamaru", "aliases": [], "start": 0, "end": 0}])
    assert [g["surface"] for g in finder.officials(done)] == ["Kepala Lembang Sarira Yohanis Tandi"]
    assert finder.officials(view("Bupati Lombok Timur meninjau lokasi. Kantor Bupati, Kawasan Panango.")) == []


def test_program_phrase_not_a_program(finder):
    text = "Warga ikut program Bedah Rumah dan Program Jaminan Sosial serta program \"Lingkaran Cinta\"."
    got = finder.programs(view(text))
    # `Jaminan` starts no program on purpose (programs.yml not_program): not a leftover
    assert [(g["surface"], g["shape"]) for g in got] == [
        ("program Bedah Rumah", "program Xx Xx"), ('program "Lingkaran Cinta"', 'program "Xx Xx"')]
    taken = view(text, programs=[{"program": "Bedah Rumah", "acronym": "", "start": 11, "end": 30}])
    assert [g["surface"] for g in finder.programs(taken)] == ['program "Lingkaran Cinta"']


def test_regency_name_not_resolved(finder):
    text = "Pemkab Nisel dan Pemkot Malang serta Wali Kota Budi Santoso dan Kabupaten Kobar hadir."
    got = finder.regency_names(view(text))
    assert [(g["surface"], g["shape"]) for g in got] == [("Pemkab Nisel", "Pemkab Xx")]


def test_leftovers_are_grounded(nlp):
    doc = nlp(ARTICLE)
    items = find_leftovers(doc)
    assert items, "the article has leftovers"
    for item in items:
        assert set(item) == {"kind", "surface", "start", "end", "shape"}
        assert ARTICLE[item["start"]:item["end"]] == item["surface"]
    kinds = {(i["kind"], i["surface"]) for i in items}
    assert ("regency", "Pemkab Nisel") in kinds
    assert ("count", "peserta kini 4.000") in kinds


def test_record_and_doc_agree(nlp):
    from pipeline.io.reading import Article
    from pipeline.io.records import doc_to_record
    doc = nlp(ARTICLE)
    record = doc_to_record(doc, Article(id="a1", text=ARTICLE))
    assert record_leftovers(record) == find_leftovers(doc)


# --------------------------------------------------------------------------- explain
def test_explain_result(nlp):
    result = explain(ARTICLE, nlp=nlp)
    assert [s["n"] for s in result["sentences"]] == list(range(1, len(result["sentences"]) + 1))
    assert result["sentences"][0]["text"] == "Pemkab Nisel Perluas Perlindungan Pekerja Rentan"
    assert result["event_date"] == "2025-02-03"
    by_field = {(v["field"], v["value"], v["rule"]) for v in result["values"]}
    assert ("dates", "2025-02-03 [event]", "date.weekday_numeric") in by_field
    assert any(f == "officials" and v.startswith("Iskandar Kamaru · Bupati") for f, v, _ in by_field)
    for v in result["values"]:
        assert ARTICLE[v["start"]:v["end"]] == v["surface"] and v["rule"]
        s = result["sentences"][v["sentence"] - 1]
        assert s["start"] <= v["start"] < s["end"] + 1


def test_explain_cli_text(capsys):
    assert cli.main(["explain", ARTICLE]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sentences\n  [1] 0-48  Pemkab Nisel Perluas Perlindungan Pekerja Rentan")
    assert "rule date.weekday_numeric" in out
    assert "Leftovers" in out and 'regency   "Pemkab Nisel"' in out and "shape: Pemkab Xx" in out


def test_explain_cli_stdin_json(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Pemkab Nisel menandatangani kerja sama."))
    assert cli.main(["explain", "-", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["values"] == []
    assert result["leftovers"] == [{"kind": "regency", "surface": "Pemkab Nisel", "start": 0, "end": 12,
                                    "shape": "Pemkab Xx", "sentence": 1}]


def test_explain_cli_id_input(tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    rows = [{"id": "x1", "text": "Bupati Malang meninjau lokasi."},
            {"id": "x2", "text": "Bupati Bolsel Iskandar Kamaru hadir pada Rabu, 29 Mei 2024.",
             "url": "https://example.id/2024/05/29/berita"}]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert cli.main(["explain", "--id", "x2", "--input", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Iskandar Kamaru · Bupati" in out and "2024-05-29 [event]" in out
    assert cli.main(["explain", "--id", "nope", "--input", str(path)]) == 2
    assert "no article with id nope" in capsys.readouterr().err
    assert cli.main(["explain", "--id", "x1"]) == 2


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_explain_reads_piped_text_without_an_argument(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(ARTICLE))
    assert cli.main(["explain"]) == 0
    assert capsys.readouterr().out.startswith("Sentences\n  [1] 0-48  Pemkab Nisel Perluas")


@pytest.mark.parametrize("stdin", [_Terminal("teks"), io.StringIO(" \n"), None])
def test_explain_without_text_says_how_to_give_it(stdin, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", stdin)  # a terminal, nothing piped in, no stdin
    assert cli.main(["explain"]) == 2
    assert "give the article text" in capsys.readouterr().err


# --------------------------------------------------------------------------- run --leftovers
def test_run_writes_ranked_leftovers(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    rows = [{"id": f"n{i}", "text": f"Pemkab Nisel menambah {i}00 peserta. Peserta kini {i}.500 di desa."}
            for i in range(1, 4)]
    rows.append({"id": "m1", "text": "Warga ikut program Rumah Sehat."})  # ordinary words: no rule takes it
    src.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(src), "--out", str(out), "--quiet", "--no-review", "--leftovers"]) == 0
    with open(out / "leftovers.csv", encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == CSV_COLUMNS
    assert [(r["kind"], r["shape"], r["count"]) for r in table] == [
        ("count", "Peserta kini 9", "3"), ("regency", "Pemkab Xx", "3"), ("program", "program Xx Xx", "1")]
    first = table[1]
    assert (first["surface"], first["article_id"], first["start"], first["end"]) == ("Pemkab Nisel", "n1", "0", "12")
    # cheap by default: no leftovers.csv without the flag, and nothing left in a temp dir
    assert cli.main(["run", str(src), "--out", str(out), "--quiet", "--no-review"]) == 0
    assert not (out / "leftovers.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out"]
