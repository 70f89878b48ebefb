"""One bad record never kills the job: bad inputs end to end through `berita run`.

Every case runs the real command (`pipeline.cli.main` in-process, or a subprocess where a
process boundary matters) and checks the written tables: exactly one articles.csv row per
input article, a one-line reason on every error row, `text[start:end] == surface` for
every value (engine.check_record), the exit code and the summary line.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import regex
from conftest import DEV, REPO, needs_dev

from pipeline import cli, engine
from pipeline.extractors.cleaning import fold
from pipeline.io import reading
from pipeline.io.reading import Article

ARTICLE = ("Bupati Bolsel, Haji Iskandar Kamaru, S.Pt., M.Si., menerima kunjungan Kepala BPJS "
           "Ketenagakerjaan Cabang Manado, Senin (3/2/2025). Pemkab Bolsel menambah 4.000 peserta "
           "baru dengan anggaran Rp 1,5 miliar.")


# ------------------------------------------------------------------------ helpers


def berita(*args) -> tuple[int, str]:
    """`berita ARGS` in this process: (exit code, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            rc = cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            rc = exc.code
    return rc, err.getvalue()


def read_out(out: Path) -> tuple[list[dict], dict[str, dict]]:
    csv.field_size_limit(1 << 30)
    with open(out / "articles.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    records = {}
    with open(out / "records.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            records[r["article_id"]] = r
    return rows, records


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())} if directory.exists() else {}


def assert_sound(rows: list[dict], records: dict[str, dict], n: int) -> None:
    """n input articles -> n rows and records; every error row has a one-line reason; every
    record keeps the contract."""
    assert len(rows) == n == len(records), (len(rows), n, len(records))
    assert len({r["article_id"] for r in rows}) == n
    for row in rows:
        assert row["status"] in ("ok", "error")
        if row["status"] == "error":
            assert row["error"] and "\n" not in row["error"], row
    for record in records.values():
        assert engine.check_record(record) == [], (record["article_id"], engine.check_record(record))


def grounded(record: dict, field: str) -> list[dict]:
    for v in record[field]:
        assert record["text"][v["start"]:v["end"]] == v["surface"]
    return record[field]


@pytest.fixture
def small_budget(monkeypatch):
    """Article budget lowered to 3 s so the adversarial texts keep the suite short."""
    monkeypatch.setattr(engine, "ARTICLE_BUDGET", 3.0)


# ------------------------------------------------------- one run over many bad files

ONE_MB = 1_000_000

CASES: dict[str, bytes] = {
    "utf8_bom": codecs.BOM_UTF8 + ARTICLE.encode("utf-8"),
    "utf16_bom": ARTICLE.encode("utf-16"),
    "cp1252": ("Kata “bupati” di café résumé. " + ARTICLE).encode("cp1252"),
    # a UTF-8 file (“curly quotes”, café) damaged by one invalid byte in the middle
    "invalid_utf8": ("“Berita” dari café. " + ARTICLE[:60]).encode("utf-8") + b"\xff" + ARTICLE[60:].encode("utf-8"),
    "empty": b"",
    "whitespace": b" \n\t  \n\n   ",
    "boilerplate_only": ("Baca juga: Bupati Garut menambah 4.000 peserta baru\n"
                         "Penulis: Husnul Puhi | Editor: Dinie S Awwali\n"
                         "COPYRIGHT © ANTARA News 2025, Bupati Sleman Rp 5 miliar").encode("utf-8"),
    "binary": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64,
    "nul_control": ("Bupati Bolsel, Haji Iskandar\x00 Kamaru, hadir\x07.\x1b[0m Pemkab menambah "
                    "4.000 peserta\x0b baru.\x0c").encode("utf-8"),
    "crlf": ARTICLE.replace(". ", ".\r\n").replace(",", ",\r", 1).encode("utf-8"),
    "nbsp_thin": ("Pemkab Bolsel menambah 4\u2009000 peserta baru dengan anggaran Rp\u00a01,5\u00a0miliar, "
                  "kata Bupati Bolsel, Iskandar Kamaru.").encode("utf-8"),
    "zero_width_name": ARTICLE.replace("Iskandar", "Iskan\u200bdar").encode("utf-8"),
    "soft_hyphen_name": ARTICLE.replace("Iskandar", "Iskan\u00addar").encode("utf-8"),
    "fullwidth_digits": "Pemkab Bolsel menambah ４.０００ peserta baru pada Senin (３/２/２０２５).".encode("utf-8"),
    "curly_quotes": ("“Kami menambah 4.000 peserta baru,” kata Bupati Bolsel, Iskandar Kamaru, "
                     "Senin (3/2/2025). ‘Program Keluarga Harapan’ berjalan.").encode("utf-8"),
    "combining_accents": ("Bupati Garu\u0308t, Rudy Gunawan, menambah 4.000 peserta baru di "
                          "Kabupaten Garu\u0308t, Senin (3/2/2025).").encode("utf-8"),
}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    src = root / "in"
    src.mkdir()
    for name, data in CASES.items():
        (src / f"{name}.txt").write_bytes(data)
    out = root / "out"
    rc, err = berita("run", src, "--out", out, "--no-review")
    rows, records = read_out(out)
    return rc, err, rows, records


def test_every_bad_file_gives_exactly_one_row(bad_run):
    rc, err, rows, records = bad_run
    assert rc == 0, err
    assert_sound(rows, records, len(CASES))
    n_err = sum(r["status"] == "error" for r in rows)
    assert f"{len(CASES)} articles: {len(CASES) - n_err} ok, {n_err} errors" in err


@pytest.mark.parametrize("name", ["utf8_bom", "utf16_bom", "cp1252", "invalid_utf8"])
def test_encodings(bad_run, name):
    record = bad_run[3][name]
    assert record["status"] == "ok"
    assert not record["text"].startswith("\ufeff")
    if name == "cp1252":
        assert "“bupati”" in record["text"] and "café" in record["text"]
    if name == "invalid_utf8":
        assert "\ufffd" in record["text"] and record["warnings"]
    names = [o["name"] for o in grounded(record, "officials")]
    assert any("Iskandar Kamaru" in n for n in names), names


@pytest.mark.parametrize("name", ["empty", "whitespace", "boilerplate_only"])
def test_nothing_to_extract(bad_run, name):
    record = bad_run[3][name]
    assert record["status"] == "ok"
    for field in ("officials", "participants", "amounts", "dates"):
        assert record[field] == [], (field, record[field])
    if name == "boilerplate_only":
        assert record["boilerplate"]


def test_binary_file_named_txt(bad_run):
    record = bad_run[3]["binary"]
    assert record["status"] == "error"
    assert "binary.txt" in record["error"] and "text" in record["error"]


def test_nul_and_control_characters(bad_run):
    record = bad_run[3]["nul_control"]
    assert record["status"] == "ok"
    assert "\x00" in record["text"]  # kept: offsets point into the text as read
    assert [p["count"] for p in grounded(record, "participants")] == [4000]


def test_crlf_and_cr_newlines(bad_run):
    record = bad_run[3]["crlf"]
    assert record["status"] == "ok"
    assert "\r" not in record["text"]
    assert [a["amount_idr"] for a in grounded(record, "amounts")] == [1_500_000_000]
    assert [d["date"] for d in grounded(record, "dates")] == ["2025-02-03"]


def test_nbsp_and_thin_spaces_inside_numbers(bad_run):
    record = bad_run[3]["nbsp_thin"]
    amounts = grounded(record, "amounts")
    assert [(a["amount_idr"], a["surface"]) for a in amounts] == [(1_500_000_000, "Rp\u00a01,5\u00a0miliar")]
    counts = grounded(record, "participants")
    assert [(c["count"], c["surface"]) for c in counts] == [(4000, "4\u2009000")]


@pytest.mark.parametrize("name,char", [("zero_width_name", "\u200b"), ("soft_hyphen_name", "\u00ad")])
def test_invisible_character_inside_a_name(bad_run, name, char):
    record = bad_run[3][name]
    officials = grounded(record, "officials")
    surfaces = [o["surface"] for o in officials]
    assert f"Iskan{char}dar Kamaru" in surfaces, surfaces
    # the invisible character is removed from the matching text: the name is whole
    assert any(o["name"] == "Iskandar Kamaru" for o in officials)


def test_fullwidth_digits(bad_run):
    record = bad_run[3]["fullwidth_digits"]
    assert [(c["count"], c["surface"]) for c in grounded(record, "participants")] == [(4000, "４.０００")]
    assert [d["date"] for d in grounded(record, "dates")] == ["2025-02-03"]


def test_curly_quotes(bad_run):
    record = bad_run[3]["curly_quotes"]
    assert record["status"] == "ok"
    assert [c["count"] for c in grounded(record, "participants")] == [4000]
    assert any("Iskandar Kamaru" in o["name"] for o in grounded(record, "officials"))


def test_combining_accents(bad_run):
    # read in NFC (cleaning.py): a decomposed ü is the letter ü, as a composed one is, so
    # Garüt is no regency however it is written; the rest of the sentence reads as usual
    record = bad_run[3]["combining_accents"]
    assert grounded(record, "regencies") == []
    assert [(o["name"], o["position"]) for o in grounded(record, "officials")] == [("Rudy Gunawan", "Bupati Gar\u00fct")]
    assert [c["count"] for c in grounded(record, "participants")] == [4000]


# --------------------------------------------------------- the matching text (fold)


def test_fold_keeps_length_and_folds_look_alikes():
    cases = {
        "Rp\u00a01,5\u00a0miliar": "Rp 1,5 miliar",
        "4\u2009000 peserta": "4.000 peserta",
        "1\u202f500\u202f000": "1.500.000",
        "１２．５": "12.5",
        "٤٠": "40",
        "“a” ‘b’ – —": "\"a\" 'b' - -",
        "Iskan\u200bdar": "Iskan-dar",
        "Pra\u00adkerja": "Pra-kerja",
        "Garu\u0308t": "Garu-t",
        "Bupati\u200b Iskandar": "Bupati  Iskandar",
        "a\x00b\tc\x0bd": "a b c d",
        "a\u2028b": "a\nb",
        "1\u00a02025": "1 2025",
    }
    for text, want in cases.items():
        assert fold(text) == want, (text, fold(text))
    sample = "".join(chr(c) for c in range(0, 0x3000, 7)) + "\ud800x"
    assert len(fold(sample)) == len(sample)


# ------------------------------------------------------------- JSONL and CSV errors


def test_jsonl_and_csv_errors_give_one_error_row_each(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    lines = [
        json.dumps({"id": "good", "text": ARTICLE}),
        '{"id": "broken", "text": "Bupati',          # line 2: not valid JSON
        "[1, 2, 3]",                                   # line 3: not an object
        json.dumps({"id": "no-text"}),                 # line 4
        json.dumps({"id": "num-text", "text": 42}),    # line 5
        '{"id": "surrogate", "text": "Bupati Garut a\\ud800b hadir."}',  # line 6: repaired, ok
        json.dumps({"id": "good", "text": "duplicate id"}),  # line 7: renamed good#2
    ]
    (src / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (src / "b.csv").write_text('id,text\nc1,"Bupati Garut hadir."\nc2\n"c3","unterminated\n',
                               encoding="utf-8")
    out = tmp_path / "out"
    rc, err = berita("run", src, "--out", out, "--no-review")
    assert rc == 0, err
    rows, records = read_out(out)
    by_id = {r["article_id"]: r for r in rows}
    assert_sound(rows, records, 10)
    jsonl = str(src / "a.jsonl")
    for line, id_ in [(2, "a:2"), (3, "a:3"), (4, "no-text"), (5, "num-text")]:
        assert by_id[id_]["status"] == "error"
        assert by_id[id_]["error"].startswith(f"{jsonl}:{line}:"), by_id[id_]["error"]
    assert by_id["surrogate"]["status"] == "ok" and "\ufffd" in records["surrogate"]["text"]
    assert by_id["good#2"]["status"] == "ok"
    assert any("duplicate id" in w for w in records["good#2"]["warnings"])
    assert by_id["c1"]["status"] == "ok"
    assert by_id["c2"]["status"] == "error" and by_id["c2"]["error"].startswith(f"{src / 'b.csv'}:3:")
    errors = sum(r["status"] == "error" for r in rows)
    assert f"10 articles: {10 - errors} ok, {errors} errors" in err


# ------------------------------------------- unusable paths: exit 2, nothing written


def _unusable(tmp_path, *paths):
    out = tmp_path / "out"
    rc, err = berita("run", *paths, "--out", out)
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("berita run: error: "), err
    assert not out.exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".out")] == []
    return err


def test_path_that_does_not_exist(tmp_path):
    assert "no such file" in _unusable(tmp_path, tmp_path / "missing.jsonl")


def test_empty_directory(tmp_path):
    (tmp_path / "empty").mkdir()
    assert "no .txt" in _unusable(tmp_path, tmp_path / "empty")


def test_unsupported_file(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    assert "unsupported" in _unusable(tmp_path, tmp_path / "a.pdf")


@pytest.mark.slow
def test_existing_output_untouched_by_an_input_error(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    assert berita("run", tmp_path / "a.txt", "--out", out, "--no-review")[0] == 0
    before = snapshot(out)
    rc, err = berita("run", tmp_path / "nope.txt", "--out", out)
    assert rc == 2 and snapshot(out) == before


def test_unreadable_file(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text(ARTICLE, encoding="utf-8")
    os.chmod(secret, 0)
    if os.geteuid() == 0:  # root reads any file: make open() fail the way it does for a user
        real_open = open

        def denying_open(file, *args, **kwargs):
            if Path(file) == secret:
                raise PermissionError(errno.EACCES, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(reading, "open", denying_open, raising=False)
    assert "cannot read" in _unusable(tmp_path, secret)


def test_output_path_is_a_file(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "out").write_text("not a directory")
    rc, err = berita("run", tmp_path / "a.txt", "--out", tmp_path / "out")
    assert rc == 2 and "not a directory" in err and err.count("\n") == 1
    assert (tmp_path / "out").read_text() == "not a directory"


# --------------------------------------------------------------------- exit codes


@pytest.fixture
def mixed_input(tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_text(json.dumps({"id": "ok", "text": ARTICLE}) + "\n{broken\n", encoding="utf-8")
    return src


def test_exit_0_when_completed_with_error_rows(tmp_path, mixed_input):
    rc, err = berita("run", mixed_input, "--out", tmp_path / "out", "--no-review")
    assert rc == 0
    assert "2 articles: 1 ok, 1 errors" in err


@pytest.mark.slow
def test_strict_exits_1_when_an_article_failed(tmp_path, mixed_input):
    rc, err = berita("run", mixed_input, "--out", tmp_path / "out", "--no-review", "--strict")
    assert rc == 1
    assert "1 ok, 1 errors" in err
    assert (tmp_path / "out" / "articles.csv").exists()  # the tables are still written
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "ok", "text": ARTICLE}) + "\n", encoding="utf-8")
    assert berita("run", good, "--out", tmp_path / "out2", "--no-review", "--strict")[0] == 0


@pytest.mark.parametrize("args", [["--processes", "0"], ["--bogus"], ["--no-out"]])
def test_exit_2_on_usage_errors(tmp_path, mixed_input, args):
    out = ["--out", tmp_path / "out"]
    argv = ["run", mixed_input, *(out if args != ["--no-out"] else []), *(a for a in args if a != "--no-out")]
    rc, err = berita(*argv)
    assert rc == 2, err
    assert not (tmp_path / "out").exists()


# -------------------------------------------------- nothing stalls: time budgets

_BODY = ("Bupati Bolsel, Haji Iskandar Kamaru, S.Pt., M.Si., menerima 4.000 peserta baru pada "
         "Senin (3/2/2025) di Kabupaten Garut dengan anggaran Rp 1,5 miliar. ")
ADVERSARIAL = {
    "honorific_run": "Bupati " + "H. " * 100_000 + "Iskandar",
    "digits_with_dots": "Rp " + ".".join(["123"] * 33_000) + " peserta",
    "digits_100k": "1" * 100_000 + " peserta",
    "title_case_run": " ".join(["Kabupaten", "Bupati", "Iskandar", "Garut", "Kamaru"] * 2_000),
    "role_word_10k": "Bupati " * 10_000,
    "one_mb_no_space": "a" * ONE_MB,
    "one_mb_line": (_BODY * (ONE_MB // len(_BODY) + 1))[:ONE_MB],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_text_finishes_within_its_budget(tmp_path, small_budget, name):
    src = tmp_path / f"{name}.txt"
    src.write_text(ADVERSARIAL[name], encoding="utf-8")
    started = time.monotonic()
    rc, err = berita("run", src, "--out", tmp_path / "out", "--no-review")
    elapsed = time.monotonic() - started
    assert rc == 0, err
    assert elapsed < 20, f"{name}: {elapsed:.1f} s"  # a budget check, not a speed target
    rows, records = read_out(tmp_path / "out")
    assert_sound(rows, records, 1)
    if rows[0]["status"] == "error":  # the reason names what ran out of time
        assert regex.search(r"time budget exceeded.*\(in (berita_\w+|tokenizer)\)|berita_\w+: rule \S+ ran out of time",
                            rows[0]["error"]), rows[0]["error"]


@pytest.mark.slow
def test_slow_article_does_not_stop_the_batch(tmp_path, small_budget):
    src = tmp_path / "batch.jsonl"
    texts = [ARTICLE, ADVERSARIAL["role_word_10k"], ARTICLE.replace("Bolsel", "Garut")]
    src.write_text("".join(json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(texts)),
                   encoding="utf-8")
    rc, err = berita("run", src, "--out", tmp_path / "out", "--no-review")
    rows, records = read_out(tmp_path / "out")
    assert rc == 0 and [r["article_id"] for r in rows] == ["a0", "a1", "a2"]
    assert rows[0]["status"] == rows[2]["status"] == "ok"
    assert records["a2"]["officials"]


@pytest.mark.slow
def test_too_long_article_is_an_error_row_and_memory_stays_bounded(tmp_path):
    """A 5 MB article is not annotated (error row); peak memory is compared with a tiny run."""
    big = tmp_path / "big.txt"
    big.write_text((_BODY * (5_000_000 // len(_BODY) + 1))[:5_000_000], encoding="utf-8")
    tiny = tmp_path / "tiny.txt"
    tiny.write_text(ARTICLE, encoding="utf-8")

    def start(path, out):
        return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(path), "--out", str(out), "-q"],
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    procs = {"big": start(big, tmp_path / "out_big"), "tiny": start(tiny, tmp_path / "out_tiny")}
    peak = {}
    for name, proc in procs.items():
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        assert proc.returncode == 0, proc.stderr.read()
        peak[name] = usage.ru_maxrss / 1024  # MB
    rows, records = read_out(tmp_path / "out_big")
    assert rows[0]["status"] == "error" and "too long" in rows[0]["error"]
    assert len(records["big"]["text"]) == 5_000_000
    assert peak["big"] - peak["tiny"] < 400, peak


def test_a_crashing_component_becomes_an_error_row_naming_it(tmp_path, monkeypatch):
    nlp = engine._local_nlp(None)
    programs = type(nlp.get_pipe("berita_programs"))
    original = programs.__call__

    def crash_on_marker(self, doc):
        if "MELEDAK" in doc.text:
            raise IndexError("list index out of range")
        return original(self, doc)

    monkeypatch.setattr(programs, "__call__", crash_on_marker)
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n"
                           for i, t in [("x", ARTICLE), ("y", "MELEDAK " + ARTICLE), ("z", ARTICLE)]),
                   encoding="utf-8")
    rc, err = berita("run", src, "--out", tmp_path / "out", "--no-review")
    rows, _ = read_out(tmp_path / "out")
    assert rc == 0 and [r["status"] for r in rows] == ["ok", "error", "ok"]
    assert regex.match(r"berita_programs: IndexError: list index out of range \(test_robustness\.py:\d+\)"
                       r"|berita_programs: IndexError: list index out of range", rows[1]["error"]), rows[1]["error"]


@pytest.mark.slow
def test_budget_cannot_be_swallowed_by_except_exception(monkeypatch):
    """The budget interrupts a component that loops and catches every Exception."""
    nlp = engine._local_nlp(None)
    dates = type(nlp.get_pipe("berita_dates"))
    original = dates.__call__

    def stubborn(self, doc):
        if "MACET" in doc.text:
            while True:
                try:
                    sum(range(10_000))
                except Exception:  # noqa: BLE001
                    pass
        return original(self, doc)

    monkeypatch.setattr(dates, "__call__", stubborn)
    started = time.monotonic()
    record = engine.process_article(nlp, Article(id="m", text="MACET " + ARTICLE), budget=1.0)
    assert time.monotonic() - started < 5
    assert record["status"] == "error" and "(in berita_dates)" in record["error"]
    assert engine.process_article(nlp, Article(id="ok", text=ARTICLE), budget=1.0)["status"] == "ok"


@pytest.mark.slow
def test_budget_is_checked_between_components_outside_the_main_thread(monkeypatch):
    """No SIGALRM in a worker thread (e.g. Dask): the budget is checked between components."""
    nlp = engine._local_nlp(None)
    dates = type(nlp.get_pipe("berita_dates"))
    original = dates.__call__

    def slow(self, doc):
        time.sleep(1.5)
        return original(self, doc)

    monkeypatch.setattr(dates, "__call__", slow)
    out = {}
    t = threading.Thread(target=lambda: out.setdefault(
        "r", engine.process_article(nlp, Article(id="t", text=ARTICLE), budget=1.0)))
    t.start()
    t.join(30)
    assert out["r"]["status"] == "error"
    # noticed when the next component would start; the reason names the slow one
    assert "time budget exceeded" in out["r"]["error"] and "(in berita_dates)" in out["r"]["error"]


def test_pattern_time_limit_applies_to_finditer_and_search(monkeypatch):
    from pipeline.ruletools import rules
    monkeypatch.setattr(rules, "PATTERN_TIMEOUT", 0.2)
    pattern = rules.Pattern("test.runaway", regex.compile(r"(?:a|aa)+b"))
    for method in ("finditer", "search"):
        started = time.monotonic()
        with pytest.raises(rules.RuleTimeout, match="test.runaway"):
            getattr(pattern, method)("a" * 60)
        assert time.monotonic() - started < 5


def test_repair_record_drops_values_that_break_the_contract():
    record = {"article_id": "r", "status": "ok", "error": None, "text": "Bupati Garut 4.000 peserta",
              "warnings": [], "event_date": "2025-02-30", "event_date_text": "x", "regency_code": "99.99",
              "regency_name": "x", "province_name": "y", "boilerplate": [[0, 99]], "sentences": [[0, 5]],
              "dates": [{"date": "2025-13-01", "precision": "day", "start": 0, "end": 6, "surface": "Bupati"}],
              "officials": [{"start": 7, "end": 12, "surface": "Garut"}, {"start": 7, "end": 12, "surface": "X"}],
              "regencies": [{"regency_code": "32.05", "start": 7, "end": 12, "surface": "Garut"}],
              "programs": [], "participants": [{"count": 0, "start": 13, "end": 18, "surface": "4.000"}],
              "percentages": [{"value": float("nan"), "start": 0, "end": 0, "surface": ""}],
              "amounts": [{"amount_idr": -1, "start": 0, "end": 0, "surface": ""}]}
    problems = engine.check_record(record)
    assert len(problems) == 8
    engine.repair_record(record)
    assert engine.check_record(record) == []
    assert [o["surface"] for o in record["officials"]] == ["Garut"]
    assert record["regencies"] and record["dates"] == [] and record["participants"] == []
    assert record["boilerplate"] == [] and record["sentences"] == [[0, 5]]
    assert record["event_date"] is None and record["event_date_text"] is None
    assert record["regency_code"] is None and record["regency_name"] is None
    # one set of checks: each drop is one of the problems check_record names
    assert record["warnings"] == [f"dropped {p}" for p in problems]


def test_repair_record_leaves_the_engines_own_keys_alone():
    record = {"text": "x", "status": "done", "error": None, "warnings": [], "event_date": None,
              "regency_code": None}
    assert engine.check_record(record) == ["status 'done'"]
    engine.repair_record(record)
    assert record["warnings"] == [] and record["status"] == "done"


# ------------------------------------------------------------------ determinism


@pytest.mark.slow
@needs_dev
def test_two_runs_and_two_processes_give_identical_tables(tmp_path):
    src = tmp_path / "in.jsonl"
    extra = [{"id": k, "text": v.decode("utf-8", "replace")} for k, v in CASES.items()]
    src.write_text(DEV.read_text(encoding="utf-8") + "".join(json.dumps(e) + "\n" for e in extra),
                   encoding="utf-8")
    runs = {"a": ("1", "1"), "b": ("1", "2"), "c": ("2", "3")}  # processes, PYTHONHASHSEED
    procs = {}
    for name, (processes, seed) in runs.items():
        env = dict(os.environ, PYTHONHASHSEED=seed)
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "run", str(src), "--out", str(tmp_path / name),
             "--processes", processes, "-q", "--no-review"], cwd=REPO, env=env, stderr=subprocess.PIPE)
    for name, proc in procs.items():
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    outputs = {name: snapshot(tmp_path / name) for name in runs}
    names = set(outputs["a"]) - {"run.json"}
    assert "records.jsonl" in names and "articles.csv" in names
    for name in ("b", "c"):
        assert set(outputs[name]) == set(outputs["a"])
        for f in names:
            assert outputs[name][f] == outputs["a"][f], (name, f)
    info = json.loads(outputs["c"]["run.json"])
    assert info["processes"] == 2 and info["articles"] == 79 + len(CASES)
    assert {"started", "seconds", "berita_version", "rules_fingerprint", "ok", "error"} <= set(info)
    assert json.loads(outputs["a"]["run.json"])["rules_fingerprint"] == info["rules_fingerprint"]


@pytest.mark.slow
def test_a_worker_killed_outright_costs_one_error_row_not_the_run(monkeypatch):
    """A worker that dies (SIGKILL, out of memory, a crash in C code) breaks the process
    pool; the run goes on, and only the article that kills its worker becomes an error row."""
    import signal as _signal

    real = engine.process_article

    def dies_on_the_killer(nlp, article, budget=None):
        if article.id == "killer":
            os.kill(os.getpid(), _signal.SIGKILL)
        return real(nlp, article, budget)

    monkeypatch.setattr(engine, "process_article", dies_on_the_killer)  # the forked workers inherit it
    articles = [Article(id=f"a{i}", text=f"Bupati Sleman Kustini menyerahkan {i + 1} kartu.") for i in range(40)]
    articles.insert(23, Article(id="killer", text="Bupati Sleman."))
    records = list(engine.run_articles(articles, processes=2, batch_size=4))
    assert [r["article_id"] for r in records] == [a.id for a in articles]
    bad = [r for r in records if r["status"] != "ok"]
    assert [r["article_id"] for r in bad] == ["killer"] and "worker process died" in bad[0]["error"]
    one = list(engine.run_articles([a for a in articles if a.id != "killer"], processes=1))
    assert [r for r in records if r["article_id"] != "killer"] == one
    # the same with the table lines rendered in the workers (what `berita run -j N` asks for)
    from pipeline.io.tables import encode_record
    encoded = list(engine.run_articles(articles, processes=2, batch_size=4, encode=encode_record))
    assert encoded == [encode_record(r) for r in records]


@pytest.mark.slow
def test_the_alarm_stops_a_runaway_pattern_and_names_its_rule(monkeypatch):
    """Under the article's SIGALRM budget a pattern runs without the regex module's own time
    limit (it costs ~1.3 us a call); the alarm must then stop a runaway match itself, and
    the error row names the rule that was running. Off the alarm the limit is back."""
    from pipeline.ruletools import rules
    nlp = engine._local_nlp(None)
    dates = type(nlp.get_pipe("berita_dates"))
    runaway = rules.Pattern("test.runaway", regex.compile(r"(?:a|aa)+b"))

    def stuck(self, doc):
        runaway.search("a" * 60)  # exponential: would run for ages
        return doc

    monkeypatch.setattr(dates, "__call__", stuck)
    monkeypatch.setattr(rules, "PATTERN_TIMEOUT", 60.0)  # not what stops it
    started = time.monotonic()
    record = engine.process_article(nlp, Article(id="r", text=ARTICLE), budget=0.5)
    assert time.monotonic() - started < 5
    assert record["status"] == "error"
    assert "(in berita_dates)" in record["error"] and "last rule test.runaway" in record["error"]
    assert rules.GUARD.alarm is False  # disarmed with the alarm
    monkeypatch.setattr(rules, "PATTERN_TIMEOUT", 0.2)
    with pytest.raises(rules.RuleTimeout, match="test.runaway"):
        runaway.search("a" * 60)
