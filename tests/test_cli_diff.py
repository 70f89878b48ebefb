"""`berita diff RUN_A RUN_B`: values that appear, disappear or change, by article and field."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.ruletools.diff import diff_runs

TEXT = "Bupati Bolsel Iskandar Kamaru menambah 4.000 peserta, Senin (3/2/2025)."


def official(name: str, start: int, end: int, role: str = "Bupati", rule: str = "officials.role_name") -> dict:
    return {"name": name, "aliases": [], "role": role, "position": "Bupati Bolsel", "organization": None,
            "surface": TEXT[start:end], "start": start, "end": end, "sentence": TEXT, "rule": rule}


def count(n: int, start: int, end: int) -> dict:
    return {"count": n, "population": "peserta", "surface": TEXT[start:end], "start": start, "end": end,
            "sentence": TEXT, "rule": "participants.count"}


def record(article_id: str, event_date=None, **fields) -> dict:
    return {"article_id": article_id, "status": "ok", "text": TEXT, "event_date": event_date,
            "event_date_text": "Senin (3/2/2025)" if event_date else None, **fields}


def write_run(path: Path, records: list[dict]) -> Path:
    path.mkdir()
    (path / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def runs(tmp_path):
    a = write_run(tmp_path / "a", [
        record("same", "2025-02-03", officials=[official("Iskandar Kamaru", 14, 29)]),
        record("moved", "2025-02-03", officials=[official("Iskandar Kamaru", 14, 29)],
               participants=[count(4000, 39, 44)]),
        record("gone", None, officials=[official("Iskandar", 14, 22)]),
    ])
    b = write_run(tmp_path / "b", [
        record("new", None, participants=[count(4000, 39, 44)]),
        # the same values from another rule: no change
        record("same", "2025-02-03", officials=[official("Iskandar Kamaru", 14, 29, rule="officials.other")]),
        record("moved", "2025-02-04", officials=[official("Iskandar Kamaru", 14, 29, role="Wakil Bupati"),
                                                 official("Bolsel", 7, 13)]),
    ])
    return a, b


def test_appeared_disappeared_and_changed_values_by_article(runs):
    changes = [(c.article_id, c.field, c.kind, c.start) for c in diff_runs(*runs)]
    assert changes == [
        ("moved", "event_date", "changed", None),
        ("moved", "officials", "appeared", 7),
        ("moved", "officials", "changed", 14),
        ("moved", "participants", "disappeared", 39),
        ("gone", "article", "disappeared", None),   # an article only in RUN_A
        ("gone", "officials", "disappeared", 14),
        ("new", "article", "appeared", None),   # an article only in RUN_B, read ahead of the others
        ("new", "participants", "appeared", 39),
    ]
    a, b = runs
    assert list(diff_runs(a, a)) == []


def test_the_terminal_text_and_the_formats_for_tools(runs, capsys):
    a, b = runs
    assert cli.main(["diff", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert ('moved\n  ~ event_date   2025-02-03 → 2025-02-04  ← "Senin (3/2/2025)"\n'
            '  + officials    Bolsel · Bupati  ← "Bolsel" 7-13  rule officials.role_name\n'
            '  ~ officials    Iskandar Kamaru · Wakil Bupati: role "Bupati" → "Wakil Bupati"'
            '  ← "Iskandar Kamaru" 14-29  rule officials.role_name\n') in out
    assert "gone\n  - article      ok\n  - officials" in out
    assert out.splitlines()[-5:] == ["event_date    +0 -0 ~1", "officials     +1 -1 ~1", "participants  +1 -1 ~0",
                                     "article       +1 -1 ~0", f"8 changes in 3 articles ({a} → {b})"]

    assert cli.main(["diff", str(a), str(b), "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[2] == {"article_id": "moved", "field": "officials", "change": "changed", "start": 14, "end": 29,
                       "surface": "Iskandar Kamaru",
                       "before": {"name": "Iskandar Kamaru", "aliases": [], "role": "Bupati",
                                  "position": "Bupati Bolsel", "organization": None},
                       "after": {"name": "Iskandar Kamaru", "aliases": [], "role": "Wakil Bupati",
                                 "position": "Bupati Bolsel", "organization": None},
                       "rule_before": "officials.role_name", "rule_after": "officials.role_name"}

    assert cli.main(["diff", str(a), str(b), "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(table) == 8 and table[3]["change"] == "disappeared" and json.loads(table[3]["before"])["count"] == 4000

    assert cli.main(["diff", str(a), str(a)]) == 0
    assert capsys.readouterr().out == f"no differences between {a} and {a}\n"


def program(name: str, acronym: str, start: int = 14, end: int = 29) -> dict:
    return {"program": name, "acronym": acronym, "surface": TEXT[start:end], "mentions": 1, "start": start,
            "end": end, "rule": "programs.bundle"}


def test_a_change_to_one_of_two_values_at_the_same_offsets(tmp_path):
    a = write_run(tmp_path / "a", [record("x", programs=[program("Jaminan Kecelakaan Kerja", "JKK"),
                                                         program("Jaminan Kematian", "JKM")])])
    b = write_run(tmp_path / "b", [record("x", programs=[program("Jaminan Kecelakaan Kerja", "JK"),
                                                         program("Jaminan Kematian", "JKM")])])
    changes = list(diff_runs(a, b))
    assert [(c.field, c.kind, c.before["acronym"], c.after["acronym"]) for c in changes] == [
        ("programs", "changed", "JKK", "JK")]
    # another first key at the same offsets, with the other value kept: still one change
    c = write_run(tmp_path / "c", [record("x", programs=[program("Jaminan Kematian", "JKM"),
                                                         program("Jaminan Hari Tua", "JHT")])])
    assert [(c.kind, c.before["program"], c.after["program"]) for c in diff_runs(a, c)] == [
        ("changed", "Jaminan Kecelakaan Kerja", "Jaminan Hari Tua")]


def test_an_article_whose_status_changed(tmp_path, capsys):
    a = write_run(tmp_path / "a", [record("x", officials=[official("Iskandar Kamaru", 14, 29)])])
    failed = {**record("x"), "status": "error", "error": "TimeoutError: rule officials.role_name"}
    b = write_run(tmp_path / "b", [failed])
    changes = list(diff_runs(a, b))
    assert [(c.field, c.kind) for c in changes] == [("article", "changed"), ("officials", "disappeared")]
    assert changes[0].before == {"status": "ok", "error": None}
    assert changes[0].after == {"status": "error", "error": "TimeoutError: rule officials.role_name"}
    assert cli.main(["diff", str(a), str(b)]) == 0
    assert "  ~ article      ok → error (TimeoutError: rule officials.role_name)" in capsys.readouterr().out
    assert [(c.field, c.kind) for c in diff_runs(b, a)] == [("article", "changed"), ("officials", "appeared")]


def test_a_directory_without_records_is_refused(runs, tmp_path, capsys):
    assert cli.main(["diff", str(runs[0]), str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"berita diff: error: {tmp_path}: no records.jsonl (not a berita output directory)\n"
    (runs[1] / "records.jsonl").write_text("not json\n", encoding="utf-8")
    assert cli.main(["diff", str(runs[0]), str(runs[1])]) == 2
    assert capsys.readouterr().err.startswith(f"berita diff: error: {runs[1] / 'records.jsonl'}:1: not a record")
