"""`berita eval` must report exactly what the reference scorer reports.

Hand-computed figures pin the rules down; comparisons with
../shared/tools/score.py (skipped when it is not beside the repo) pin the
implementation to the reference on synthetic and randomised cases.
"""
import csv
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import DEV_GOLD
from conftest import REFERENCE_SCORER as REFERENCE

from pipeline.ruletools import evaluation
from pipeline.ruletools.evaluation import error_lines, format_table, main, norm_name, score

needs_reference = pytest.mark.skipif(not REFERENCE.exists(),
                                     reason=f"reference scorer not found at {REFERENCE}")


# ----------------------------------------------------------------------- helpers

def write_gold(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def write_tables(out: Path, tables: dict[str, list[dict]]) -> Path:
    """CSV tables as `berita run` writes them: UTF-8 with BOM, header from the rows."""
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = []
        for r in rows:
            columns += [c for c in r if c not in columns]
        with open(out / name, "w", newline="", encoding="utf-8-sig") as f:
            w = csv.DictWriter(f, fieldnames=columns or ["article_id"])
            w.writeheader()
            w.writerows(rows)
    return out


def reference(gold: Path, out: Path, *flags: str) -> str:
    proc = subprocess.run([sys.executable, str(REFERENCE), str(gold), str(out), *flags],
                          capture_output=True, text=True, check=True)
    return proc.stdout


def reference_json(gold: Path, out: Path) -> dict:
    return json.loads(reference(gold, out, "--json"))


def reference_details(gold: Path, out: Path, field: str) -> list[str]:
    # score.py --show prints the 8-line table first, then the per-article lines.
    return reference(gold, out, "--show", field).splitlines()[8:]


# --------------------------------------------------------------- the main case

GOLD = [
    {"id": "a1", "event_date": "2025-02-03",
     "regencies": [{"code": "71.11", "name": "Kabupaten Bolaang Mongondow Selatan"}],
     "officials": [
         {"name": "Iskandar Kamaru", "aliases": [], "role": "Bupati"},
         {"name": "Marthy Ole", "aliases": ["Marty Ole"], "role": "Ketua DPRD"},
         {"name": "Budi Santoso", "aliases": [], "role": "Kepala Dinas",
          "role_alt": ["Kepala Badan"]},
         {"name": "Ahmad", "aliases": [], "role": "Camat", "optional": True}],
     "programs": [
         {"name": "Jaminan Kecelakaan Kerja", "aliases": ["JKK"]},
         {"name": "Program Keluarga Harapan", "aliases": ["PKH"]},
         {"name": "Dana Bagi Hasil Sawit", "aliases": ["DBH Sawit"], "optional": True}],
     "participant_counts": [{"count": 4000}, {"count": 150, "optional": True}],
     "percentages": [{"value": 87.8}],
     "amounts_idr": [{"amount": 78000000}]},
    {"id": "a2", "event_date": None,
     "regencies": [{"code": "71.07", "name": "Kabupaten Minahasa Tenggara"},
                   {"code": "71.02", "name": "Kabupaten Minahasa"}],
     "officials": [{"name": "Suardy", "aliases": [], "role": "Kepala Cabang"},
                   {"name": "Nova Tarumingkeng", "aliases": [], "role": "Kepala Dinas"}],
     "programs": [{"name": "Jaminan Kematian", "aliases": ["JKM"]}],
     "participant_counts": [{"count": 29269}],
     "percentages": [], "amounts_idr": []},
    {"id": "a3", "event_date": "2024-04-23", "regencies": [], "officials": [],
     "programs": [], "participant_counts": [], "percentages": [], "amounts_idr": []},
]

TABLES = {
    # a3 is missing from the output altogether; a2's empty date is a correct null.
    "articles.csv": [{"article_id": "a1", "event_date": "2025-02-03"},
                     {"article_id": "a2", "event_date": ""}],
    "regencies.csv": [
        {"article_id": "a1", "regency_code": "71.11", "is_primary": "1"},
        {"article_id": "a1", "regency_code": "71.71", "is_primary": "0"},   # not primary: ignored
        {"article_id": "a2", "regency_code": "71.07", "is_primary": "true"},
        {"article_id": "a2", "regency_code": "71.03", "is_primary": "yes"}],  # wrong second primary
    "officials.csv": [
        {"article_id": "a1", "name": "H. Iskandar Kamaru, S.Sos., M.Si.", "role": "Bupati"},
        {"article_id": "a1", "name": "Marty Ole", "role": "Ketua DPRD"},          # alias
        {"article_id": "a1", "name": "Dr. Ir. Budi Santoso, MM", "role": "Kepala Badan"},  # role_alt
        {"article_id": "a1", "name": "Ahmad", "role": "Camat"},                   # optional
        {"article_id": "a1", "name": "Iskandar Kamaru", "role": "Wakil Bupati"},  # same person again
        {"article_id": "a1", "name": "Rudi", "role": "Lurah"},                    # spurious
        {"article_id": "a2", "name": "Suardy", "role": "Kepala Dinas"}],          # wrong role
    "programs.csv": [
        {"article_id": "a1", "program": "Program Jaminan Kecelakaan Kerja", "acronym": ""},
        {"article_id": "a1", "program": "Keluarga Sejahtera", "acronym": "PKH"},  # acronym match
        {"article_id": "a1", "program": "DBH Sawit", "acronym": ""},             # optional
        {"article_id": "a1", "program": "Beasiswa", "acronym": ""},              # spurious
        {"article_id": "a2", "program": "Jaminan Hari Tua", "acronym": "JHT"}],  # spurious
    "participants.csv": [{"article_id": "a1", "count": "4000"},
                         {"article_id": "a1", "count": "150"},   # optional
                         {"article_id": "a1", "count": "12"},    # spurious
                         {"article_id": "a2", "count": "29269"}],
    "percentages.csv": [{"article_id": "a1", "value": "87,8"},   # decimal comma
                        {"article_id": "a1", "value": "12,5"}],
    "amounts.csv": [{"article_id": "a1", "amount_idr": "78000000"}],
}


@pytest.fixture
def case(tmp_path):
    return write_gold(tmp_path / "gold.jsonl", GOLD), write_tables(tmp_path / "out", TABLES)


def test_hand_computed_scores(case):
    res = score(*case)
    assert res["event_date"] == {"p": 1.0, "r": 0.5, "f1": 0.6667, "tp": 1, "fp": 0, "fn": 1,
                                 "accuracy": 0.6667}
    assert res["regencies"] == {"p": 0.6667, "r": 0.6667, "f1": 0.6667, "tp": 2, "fp": 1, "fn": 1}
    assert res["officials"] == {"p": 0.8, "r": 0.8, "f1": 0.8, "tp": 4, "fp": 1, "fn": 1,
                                "role_accuracy": 0.75}
    assert res["programs"] == {"p": 0.5, "r": 0.6667, "f1": 0.5714, "tp": 2, "fp": 2, "fn": 1}
    assert res["participant_counts"] == {"p": 0.6667, "r": 1.0, "f1": 0.8,
                                         "tp": 2, "fp": 1, "fn": 0}
    assert res["percentages"] == {"p": 0.5, "r": 1.0, "f1": 0.6667, "tp": 1, "fp": 1, "fn": 0}
    assert res["amounts_idr"] == {"p": 1.0, "r": 1.0, "f1": 1.0, "tp": 1, "fp": 0, "fn": 0}
    # (2/3 + 2/3 + 0.8 + 4/7 + 0.8) / 5
    assert res["core_macro_f1"] == 0.701
    assert res["articles"] == 3
    assert res["articles_missing_from_output"] == 1
    assert list(res) == ["event_date", "regencies", "officials", "programs",
                         "participant_counts", "percentages", "amounts_idr",
                         "core_macro_f1", "articles", "articles_missing_from_output"]


def test_format_table_text(case):
    lines = format_table(score(*case)).splitlines()
    assert lines[0] == ("event_date          P=1.000 R=0.500 F1=0.667 (tp=1 fp=0 fn=1) acc=0.667")
    assert lines[2] == ("officials           P=0.800 R=0.800 F1=0.800 (tp=4 fp=1 fn=1) role_acc=0.750")
    assert lines[-1] == "core_macro_f1=0.701 articles=3 missing=1"
    assert len(lines) == 8


def test_error_lines_single_field(case):
    assert error_lines(*case, field="officials") == [
        "a1: missed=[] spurious=['Rudi']",
        "a2: missed=['Nova Tarumingkeng'] spurious=[]"]
    # a missed program is named by its alphabetically first normalised key
    assert error_lines(*case, field="programs") == [
        "a1: missed=[] spurious=['Beasiswa']",
        "a2: missed=['jaminan kematian'] spurious=['Jaminan Hari Tua']"]
    assert error_lines(*case, field="event_date") == ["a3: gold=2024-04-23 pred=None"]
    assert error_lines(*case, field="percentages") == ["a1: missed=[] spurious=[12.5]"]
    assert error_lines(*case, field="amounts_idr") == []


def test_error_lines_all_fields_are_prefixed(case):
    lines = error_lines(*case)
    assert lines[0] == "event_date a3: gold=2024-04-23 pred=None"
    assert "regencies a2: gold=['71.07', '71.02'] pred=['71.07', '71.03']" in lines
    assert "participant_counts a1: missed=[] spurious=[12.0]" in lines
    assert len(lines) == 1 + 1 + 2 + 2 + 1 + 1  # date, regencies, officials, programs, counts, pct


def test_error_lines_rejects_unknown_field(case):
    with pytest.raises(ValueError):
        error_lines(*case, field="nonsense")


def test_ids_restrict_the_gold(case):
    res = score(*case, ids={"a2"})
    assert res["articles"] == 1 and res["articles_missing_from_output"] == 0
    assert res["officials"]["tp"] == 1 and res["officials"]["fn"] == 1
    assert res["officials"]["fp"] == 0  # a1's spurious Rudi no longer counts
    assert res["event_date"]["accuracy"] == 1.0


def test_missing_tables_score_as_empty(tmp_path):
    gold = write_gold(tmp_path / "g.jsonl", GOLD)
    out = write_tables(tmp_path / "out", {"articles.csv": TABLES["articles.csv"]})
    res = score(gold, out)
    assert res["officials"] == {"p": 1.0, "r": 0.0, "f1": 0.0, "tp": 0, "fp": 0, "fn": 5,
                                "role_accuracy": 0}
    assert res["programs"]["fn"] == 3  # the optional DBH Sawit is not required
    assert res["participant_counts"]["fn"] == 2
    assert res["event_date"]["tp"] == 1


def test_empty_directory(tmp_path):
    gold = write_gold(tmp_path / "g.jsonl", GOLD)
    (tmp_path / "out").mkdir()
    res = score(gold, tmp_path / "out")
    assert res["articles_missing_from_output"] == 3
    assert res["event_date"]["accuracy"] == pytest.approx(0.3333)  # a2's null is right


EDGE_GOLD = [{"id": "e1", "event_date": None, "regencies": [], "officials": [],
              "programs": [{"name": "Jum'at Berkah", "aliases": []},
                           {"name": "Kartu Prakerja", "aliases": [""]}],
              # 4000 stated twice, once marked optional: it stays required
              "participant_counts": [{"count": 4000}, {"count": 4000, "optional": True}],
              "percentages": [{"value": 87.8}, {"value": 1.231}],
              "amounts_idr": []}]
EDGE_TABLES = {
    "articles.csv": [{"article_id": "e1", "event_date": ""}],
    "programs.csv": [{"article_id": "e1", "program": "Jumat Berkah", "acronym": ""},  # apostrophe
                     {"article_id": "e1", "program": "Beasiswa", "acronym": ""}],   # "" is no key
    "participants.csv": [{"article_id": "e1", "count": "4000"}],
    "percentages.csv": [{"article_id": "e1", "value": "87,8000001"},  # same to 3 decimals
                        {"article_id": "e1", "value": "1,234"}],      # differs at the 3rd
}


@pytest.fixture
def edge_case(tmp_path):
    return (write_gold(tmp_path / "edge.jsonl", EDGE_GOLD),
            write_tables(tmp_path / "edge", EDGE_TABLES))


def test_normalisation_edge_cases(edge_case):
    res = score(*edge_case)
    assert (res["programs"]["tp"], res["programs"]["fp"], res["programs"]["fn"]) == (1, 1, 1)
    assert (res["participant_counts"]["tp"], res["participant_counts"]["fn"]) == (1, 0)
    assert (res["percentages"]["tp"], res["percentages"]["fp"], res["percentages"]["fn"]) == (1, 1, 1)
    assert error_lines(*edge_case, field="percentages") == ["e1: missed=[1.231] spurious=[1.234]"]


def test_name_normalisation_uses_the_rules_file():
    assert norm_name("H. Iskandar Kamaru, S.Sos., M.Si.") == "iskandar kamaru"
    assert norm_name("Prof. Dr. Ir. I Nyoman Suarsa, MT, Ph.D") == "i nyoman suarsa"
    assert norm_name("Hj. Andi Utta") == "andi utta"
    data = yaml.safe_load(evaluation.RULES_PATH.read_text(encoding="utf-8"))
    assert data["purpose"]
    assert set(data["honorifics"]) == evaluation.scoring_words()[0]
    assert set(data["degrees"]) == evaluation.scoring_words()[1]


# ------------------------------------------------------------------------- CLI

def test_main_prints_table(case, capsys):
    assert main([str(case[0]), str(case[1])]) == 0
    out = capsys.readouterr().out
    assert out == format_table(score(*case)) + "\n" + evaluation.format_overlap(evaluation.text_overlap(*case)) + "\n"
    assert out.startswith(format_table(score(*case)) + "\n")  # score.py's lines first


def test_main_json(case, capsys):
    assert main([str(case[0]), str(case[1]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == score(*case)


# the table (8 lines) and the text overlap (a heading and a line per numeric field)
SCORE_LINES = 8 + 1 + len(evaluation.NUMERIC)


def test_main_errors(case, capsys):
    assert main([str(case[0]), str(case[1]), "--errors", "officials"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[SCORE_LINES:] == error_lines(*case, field="officials")
    assert main([str(case[0]), str(case[1]), "--errors"]) == 0
    assert capsys.readouterr().out.splitlines()[SCORE_LINES:] == error_lines(*case)


def test_main_half(case, capsys):
    gold, out = case
    assert evaluation.half_ids(gold, "odd") == {"a1", "a3"}
    assert evaluation.half_ids(gold, "even") == {"a2"}
    assert main([str(gold), str(out), "--half", "even", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res == score(gold, out, ids={"a2"})
    assert res["articles"] == 1
    assert main([str(gold), str(out), "--half", "odd", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 2


def test_main_missing_inputs(case, tmp_path, capsys):
    gold, out = case
    assert main([str(tmp_path / "nope.jsonl"), str(out)]) == 2
    err = capsys.readouterr().err
    assert "gold file not found" in err and len(err.strip().splitlines()) == 1
    assert main([str(gold), str(tmp_path / "nodir")]) == 2
    assert "not found" in capsys.readouterr().err
    assert main([str(gold), str(out), "--errors", "bogus"]) == 2


# ------------------------------------------------------- text beside the numbers

def test_token_f1():
    assert evaluation.token_f1("peserta baru", "Peserta baru") == 1.0
    assert evaluation.token_f1("", "") == 1.0
    assert evaluation.token_f1("peserta", "") == 0.0
    # 2 shared words; precision 2/4, recall 2/3
    assert evaluation.token_f1("pekerja rentan terlindungi", "total pekerja rentan 2025") == pytest.approx(4 / 7)


OVERLAP_GOLD = [{"id": "n1", "event_date": None, "regencies": [], "officials": [], "programs": [],
                 "participant_counts": [{"count": 4000, "population": "peserta baru pekerja rentan"},
                                        {"count": 150, "population": "nelayan", "optional": True},
                                        {"count": 77, "population": "petani"}],
                 "percentages": [{"value": 87.8, "population": "perangkat desa terdaftar"}],
                 "amounts_idr": [{"amount": 78000000, "purpose": "total santunan"}]}]


def overlap_tables(population: str) -> dict:
    return {"articles.csv": [{"article_id": "n1", "event_date": ""}],
            "participants.csv": [{"article_id": "n1", "count": "4000", "population": "pekerja"},
                                 {"article_id": "n1", "count": "4000", "population": population},
                                 {"article_id": "n1", "count": "150", "population": "nelayan"},
                                 {"article_id": "n1", "count": "12", "population": "petani"}],
            "percentages.csv": [{"article_id": "n1", "value": "87,8", "population": "perangkat desa"}],
            "amounts.csv": [{"article_id": "n1", "amount_idr": "78000000", "purpose": ""}]}


def test_text_overlap_of_the_numbers_found(tmp_path):
    gold = write_gold(tmp_path / "gold.jsonl", OVERLAP_GOLD)
    out = write_tables(tmp_path / "out", overlap_tables("peserta baru pekerja rentan"))
    overlap = evaluation.text_overlap(gold, out)
    # 4000 found (its closer text of two, exact); 77 not found; 150 optional
    assert overlap["participant_counts"] == {"text": "population", "pairs": 1, "token_f1": 1.0}
    assert overlap["percentages"] == {"text": "population", "pairs": 1, "token_f1": 0.8}
    assert overlap["amounts_idr"] == {"text": "purpose", "pairs": 1, "token_f1": 0.0}


def test_text_overlap_follows_a_population_and_leaves_the_scores(tmp_path, capsys):
    gold = write_gold(tmp_path / "gold.jsonl", OVERLAP_GOLD)
    exact = write_tables(tmp_path / "exact", overlap_tables("peserta baru pekerja rentan"))
    other = write_tables(tmp_path / "other", overlap_tables("peserta lama"))
    # the closer of "pekerja" (F1 0.4) and "peserta lama" (1/3)
    assert evaluation.text_overlap(gold, other)["participant_counts"]["token_f1"] == 0.4
    assert score(gold, exact) == score(gold, other)
    printed = []
    for out in (exact, other):
        assert main([str(gold), str(out)]) == 0
        printed.append(capsys.readouterr().out.splitlines())
    assert printed[0][:8] == printed[1][:8]
    assert printed[0][9].split() == ["participant_counts", "population", "token_F1=1.000", "(pairs=1)"]
    assert printed[1][9].split() == ["participant_counts", "population", "token_F1=0.400", "(pairs=1)"]


# ------------------------------------------------- agreement with the reference

@needs_reference
def test_rules_file_matches_reference_sets():
    import importlib.util
    spec = importlib.util.spec_from_file_location("reference_score", REFERENCE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert evaluation.scoring_words() == (mod.HONORIFICS, mod.DEGREES)


@needs_reference
@pytest.mark.slow
def test_reference_agrees_on_main_case(case):
    gold, out = case
    assert score(gold, out) == reference_json(gold, out)
    assert format_table(score(gold, out)) == reference(gold, out).rstrip("\n")
    for field in evaluation.FIELDS:
        assert error_lines(gold, out, field=field) == reference_details(gold, out, field), field


@needs_reference
@pytest.mark.slow
def test_reference_agrees_on_edge_case(edge_case):
    gold, out = edge_case
    assert score(gold, out) == reference_json(gold, out)
    for field in evaluation.FIELDS:
        assert error_lines(gold, out, field=field) == reference_details(gold, out, field), field


@needs_reference
@pytest.mark.slow
def test_reference_agrees_on_missing_tables_and_empty_dir(tmp_path):
    gold = write_gold(tmp_path / "g.jsonl", GOLD)
    partial = write_tables(tmp_path / "partial", {k: TABLES[k] for k in
                                                  ("officials.csv", "percentages.csv")})
    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (partial, empty):
        assert score(gold, out) == reference_json(gold, out)


@needs_reference
@pytest.mark.slow
def test_reference_agrees_on_half(case, tmp_path):
    # --half even must equal the reference run on a gold file holding only those records.
    gold, out = case
    for half in ("odd", "even"):
        ids = evaluation.half_ids(gold, half)
        sub = write_gold(tmp_path / f"{half}.jsonl", [g for g in GOLD if g["id"] in ids])
        assert score(gold, out, ids=ids) == reference_json(sub, out)


@needs_reference
@pytest.mark.slow
def test_reference_agrees_on_empty_gold(tmp_path):
    gold = tmp_path / "g.jsonl"
    gold.write_text("\n", encoding="utf-8")
    out = write_tables(tmp_path / "out", TABLES)
    assert score(gold, out) == reference_json(gold, out)


def _random_case(rng: random.Random, n_articles: int = 12):
    """Gold and predictions drawn from small pools so hits, misses and quirks all occur."""
    names = ["Iskandar Kamaru", "Marthy Ole", "Andi Utta", "I Nyoman Suarsa", "Suardy", "Makmur"]
    decor = ["{}", "H. {}", "Dr. {}, M.Si.", "{}, S.Sos", "Hj. {} SH MH", "{} ,S.Pt.", "Prof.{}"]
    roles = ["Bupati", "Wakil Bupati", "Kepala Dinas", "Camat", "kepala  dinas", "Sekda"]
    progs = [("Jaminan Kecelakaan Kerja", "JKK"), ("Jaminan Kematian", "JKM"),
             ("Program Keluarga Harapan", "PKH"), ("Jaminan Hari Tua", "JHT"),
             ("BLT Dana Desa", ""), ("Kartu Prakerja", "")]
    codes = ["71.11", "71.07", "71.02", "73.71", "64.01"]
    dates = ["2025-02-03", "2024-04-23", None, "2023-07-12"]
    nums = [4000, 150, 29269, 87.8, 12.5, 100, 1200000]
    gold, tables = [], {k: [] for k in TABLES}
    for i in range(n_articles):
        aid = f"r{i:02d}"
        officials = []
        for name in rng.sample(names, rng.randint(0, 3)):
            o = {"name": name, "aliases": [name.split()[0]] if rng.random() < 0.3 else [],
                 "role": rng.choice(roles)}
            if rng.random() < 0.2:
                o["optional"] = True
            if rng.random() < 0.2:
                o["role_alt"] = [rng.choice(roles)]
            officials.append(o)
        programs = []
        for name, acr in rng.sample(progs, rng.randint(0, 3)):
            p = {"name": name, "aliases": [acr] if acr and rng.random() < 0.7 else []}
            if rng.random() < 0.2:
                p["optional"] = True
            programs.append(p)

        def numbers(key):
            return [dict({key: v}, **({"optional": True} if rng.random() < 0.2 else {}))
                    for v in rng.sample(nums, rng.randint(0, 3))]

        gold.append({"id": aid, "event_date": rng.choice(dates),
                     "regencies": [{"code": c} for c in rng.sample(codes, rng.randint(0, 2))],
                     "officials": officials, "programs": programs,
                     "participant_counts": numbers("count"), "percentages": numbers("value"),
                     "amounts_idr": numbers("amount")})

        if rng.random() < 0.85:  # some articles missing from the output
            d = rng.choice(dates + ["", " 2025-02-03T08:00:00", "2025-02-04"])
            tables["articles.csv"].append({"article_id": aid, "event_date": d or ""})
        for c in rng.sample(codes + [""], rng.randint(0, 3)):
            tables["regencies.csv"].append({"article_id": aid, "regency_code": c,
                                            "is_primary": rng.choice(["1", "0", "true", "Y", "",
                                                                      "False", " yes "])})
        for name in rng.sample(names + ["Rudi", "Marty"], rng.randint(0, 4)):
            tables["officials.csv"].append({"article_id": aid,
                                            "name": rng.choice(decor).format(name),
                                            "role": rng.choice(roles)})
        for name, acr in rng.sample(progs + [("Beasiswa", ""), ("", "JKM")], rng.randint(0, 4)):
            tables["programs.csv"].append({
                "article_id": aid,
                "program": rng.choice([name, "Program " + name, name.upper()]),
                "acronym": acr if rng.random() < 0.5 else ""})
        for table, col in (("participants.csv", "count"), ("percentages.csv", "value"),
                           ("amounts.csv", "amount_idr")):
            for v in rng.sample(nums, rng.randint(0, 3)):
                text = rng.choice([str(v), str(v).replace(".", ","), f"{v}.0", "n/a", ""])
                tables[table].append({"article_id": aid, col: text})
    # Sometimes a whole table is absent.
    for name in list(tables):
        if rng.random() < 0.1:
            del tables[name]
    return gold, tables


@needs_reference
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.slow
def test_reference_agrees_on_random_cases(tmp_path, seed):
    rng = random.Random(seed)
    gold_records, tables = _random_case(rng)
    gold = write_gold(tmp_path / "g.jsonl", gold_records)
    out = write_tables(tmp_path / "out", tables)
    assert score(gold, out) == reference_json(gold, out)
    for field in evaluation.FIELDS:
        assert error_lines(gold, out, field=field) == reference_details(gold, out, field), field


@needs_reference
@pytest.mark.skipif(not DEV_GOLD.exists(), reason="dev gold not found")
@pytest.mark.slow
def test_reference_agrees_on_dev_gold_echo(tmp_path):
    """Predictions rebuilt from the real dev gold (with some damage) score identically."""
    rng = random.Random(7)
    gold_records = evaluation.read_gold(DEV_GOLD)
    tables = {k: [] for k in TABLES}
    for g in gold_records[::2] + gold_records[1::3]:
        aid = g["id"]
        tables["articles.csv"].append({"article_id": aid, "event_date": g["event_date"] or ""})
        for r in g["regencies"]:
            tables["regencies.csv"].append({"article_id": aid, "regency_code": r["code"],
                                            "is_primary": "true"})
        for o in g["officials"]:
            if rng.random() < 0.8:
                tables["officials.csv"].append({"article_id": aid, "name": "H. " + o["name"],
                                                "role": o["role"] if rng.random() < 0.8 else "Camat"})
        for p in g["programs"]:
            if rng.random() < 0.8:
                tables["programs.csv"].append({"article_id": aid, "program": p["name"],
                                               "acronym": ""})
        for c in g["participant_counts"]:
            tables["participants.csv"].append({"article_id": aid, "count": str(c["count"])})
        for v in g["percentages"]:
            tables["percentages.csv"].append({"article_id": aid,
                                              "value": str(v["value"]).replace(".", ",")})
        for a in g["amounts_idr"]:
            tables["amounts.csv"].append({"article_id": aid, "amount_idr": str(a["amount"])})
    out = write_tables(tmp_path / "out", tables)
    assert score(DEV_GOLD, out) == reference_json(DEV_GOLD, out)
    ids = evaluation.half_ids(DEV_GOLD, "odd")
    sub = write_gold(tmp_path / "odd.jsonl", gold_records[::2])
    assert score(DEV_GOLD, out, ids=ids) == reference_json(sub, out)
