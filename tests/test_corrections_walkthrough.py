"""The reviewer's path on the seed articles, end to end (docs/CORRECTIONS.md).

`berita run` → a corrections.jsonl written as the review page writes it (some values marked
wrong, one edited, one added, the rest of each article marked correct; one article left
unreviewed) → `berita corrections gold` → `berita eval GOLD RUN` scores the original run
below 1.0 where the reviewer disagreed, and the output of `berita corrections apply` at 1.0
on every scored field.
"""
from __future__ import annotations

import json
import re
from pathlib import Path


from pipeline import cli
from pipeline.fields import FIELD, FIELD_NAMES

SEED = Path(__file__).resolve().parents[1] / "corpus" / "seed.jsonl"


def records(run: Path) -> list[dict]:
    with open(run / "records.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def first_key(field: str) -> str | None:
    return FIELD[field].columns[0] if field in FIELD else None


class Page:
    """Writes verdicts as review.html exports them: one line per verdict, the value as the
    page holds it (records.jsonl's, without its sentence)."""

    def __init__(self):
        self.lines: list[dict] = []

    def verdict(self, record: dict, field: str, verdict: str, value: dict | None = None,
                corrected: dict | None = None, span: tuple[int, int] | None = None) -> None:
        if field == "event_date":
            start = end = surface = None
            value = None if verdict == "added" else {"date": record["event_date"]}
        else:
            start, end = span if value is None else (value["start"], value["end"])
            surface = record["text"][start:end]
            value = value and {k: v for k, v in value.items() if k != "sentence"}
        self.lines.append({"article_id": record["article_id"], "field": field, "verdict": verdict,
                           "start": start, "end": end, "surface": surface, "value": value,
                           "corrected": corrected, "run": "seed", "reviewer": "tester",
                           "at": "2026-12-07T04:00:00+00:00"})

    def mark_the_rest_correct(self, record: dict) -> None:
        # a value is (field, start, end, first key): a bundle's values share their offsets
        done = {(line["field"], line["start"], line["end"],
                 (line["value"] or line["corrected"] or {}).get(first_key(line["field"])))
                for line in self.lines if line["article_id"] == record["article_id"]}
        if record["event_date"] and not any(key[0] == "event_date" for key in done):
            self.verdict(record, "event_date", "correct")
        for field in FIELD_NAMES:
            for value in record[field]:
                key = (field, value["start"], value["end"], value[first_key(field)])
                if key not in done:
                    self.verdict(record, field, "correct", value)
                    done.add(key)

    def write(self, path: Path) -> None:
        path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in self.lines),
                        encoding="utf-8")


def scores(capsys, gold: Path, run: Path) -> dict:
    capsys.readouterr()
    assert cli.main(["eval", str(gold), str(run), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def uncovered_number(record: dict) -> tuple[int, int] | None:
    """The first number of the text that no value of the record covers."""
    covered = [(v["start"], v["end"]) for f in FIELD_NAMES for v in record[f]]
    for m in re.finditer(r"\d+", record["text"]):
        if not any(s < m.end() and m.start() < e for s, e in covered):
            return m.span()
    return None


def test_the_reviewers_path_from_run_to_gold_to_a_perfect_corrected_run(tmp_path, capsys):
    run, fixed, corrections, gold = (tmp_path / n for n in ("run", "fixed", "corrections.jsonl", "gold.jsonl"))
    assert cli.main(["run", str(SEED), "--out", str(run), "--quiet", "--no-review"]) == 0
    recs = records(run)
    assert len(recs) == 5
    page = Page()

    # a value berita missed: the reviewer selects a number it left alone and adds it as a count
    added_to = next(r for r in recs if uncovered_number(r) and r["officials"])
    span = uncovered_number(added_to)
    count = int(added_to["text"][span[0]:span[1]])
    page.verdict(added_to, "participants", "added", corrected={"count": count, "population": "peserta"},
                 span=span)
    # an official judged correct, then (a later line, the reviewer changed their mind) wrong
    wrong_official = added_to["officials"][-1]
    page.verdict(added_to, "officials", "correct", wrong_official)
    page.verdict(added_to, "officials", "wrong", wrong_official)
    # one edit: another role for the first official
    first = added_to["officials"][0]
    new_role = "Wakil " + first["role"]
    page.verdict(added_to, "officials", "edited", first, corrected={"role": new_role})

    others = [r for r in recs if r is not added_to]
    no_event, no_regency, reviewed_last, unreviewed = others
    page.verdict(no_event, "event_date", "wrong")  # no dated event, in the reviewer's reading
    primary = next(v for v in no_regency["regencies"] if v["is_primary"])
    page.verdict(no_regency, "regencies", "wrong", primary)
    for r in (added_to, no_event, no_regency, reviewed_last):
        page.mark_the_rest_correct(r)
    page.write(corrections)

    assert cli.main(["corrections", "gold", str(run), str(corrections), "--out", str(gold)]) == 0
    assert "4 gold records; 1 articles skipped" in capsys.readouterr().err
    golds = {g["id"]: g for g in map(json.loads, gold.read_text(encoding="utf-8").splitlines())}
    assert set(golds) == {r["article_id"] for r in (added_to, no_event, no_regency, reviewed_last)}
    assert {"count": count, "population": "peserta"} in golds[added_to["article_id"]]["participant_counts"]
    assert wrong_official["name"] not in [o["name"] for o in golds[added_to["article_id"]]["officials"]]
    assert golds[no_event["article_id"]]["event_date"] is None
    assert primary["regency_code"] not in [g["code"] for g in golds[no_regency["article_id"]]["regencies"]]

    before = scores(capsys, gold, run)
    assert before["officials"]["p"] < 1.0 and before["officials"]["role_accuracy"] < 1.0
    assert before["participant_counts"]["r"] < 1.0
    assert before["regencies"]["p"] < 1.0 and before["event_date"]["accuracy"] < 1.0

    assert cli.main(["corrections", "apply", str(run), str(corrections), "--out", str(fixed), "--quiet"]) == 0
    after = scores(capsys, gold, fixed)
    for field in ("event_date", "regencies", "officials", "programs", "participant_counts", "percentages",
                  "amounts_idr"):
        assert after[field]["f1"] == 1.0, (field, after[field])
    assert after["event_date"]["accuracy"] == 1.0 and after["officials"]["role_accuracy"] == 1.0
    # the unreviewed article is as berita wrote it
    assert next(r for r in records(fixed) if r["article_id"] == unreviewed["article_id"]) == unreviewed
