"""Bounded time and processes: junk in an article, explain, Dask-free parts of issue 17.

Times are never compared with absolute seconds: an article with junk is compared with an
ordinary article of the same length (best of three runs each), and where a run could go
on for hours before a fix, a budget derived from that ordinary time turns it into an
error row, which fails the test instead of hanging it.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import cli, engine
from pipeline.engine import process_article
from pipeline.io.reading import Article
from pipeline.extractors.spans import FIELDS

REPO = Path(__file__).resolve().parents[1]

ARTICLE = (
    "Pemkab Sleman Lindungi Ribuan Pekerja Rentan\n"
    "SLEMAN - Pemerintah Kabupaten Sleman mendaftarkan 2.500 pekerja rentan ke program BPJS "
    "Ketenagakerjaan pada Selasa (14/5/2024). Bupati Sleman, Kustini Sri Purnomo, mengatakan "
    "iuran peserta dibayar dari APBD dengan anggaran Rp1,2 miliar.\n"
    "Menurut Kepala Dinas Tenaga Kerja Sleman, Sutiasih, cakupan kepesertaan naik menjadi 45,5 persen. "
    "Para petani dan nelayan mendapat perlindungan Jaminan Kecelakaan Kerja (JKK) dan "
    "Jaminan Kematian (JKM).\n"
)


def values(record: dict) -> dict[str, list]:
    """The extracted values without their offsets (junk before them shifts those)."""
    return {f: [{k: v for k, v in item.items() if k not in ("start", "end")} for item in record[f]]
            for f in FIELDS}


def best_time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def ordinary(length: int) -> str:
    """An ordinary article of `length` characters: ARTICLE over and over."""
    return (ARTICLE * (length // len(ARTICLE) + 1))[:length]


# ------------------------------------------------------------ junk lines (issue 17.8)

JUNK = {
    "dashes_4k": "-" * 4_000,
    "dashes_40k": "-" * 40_000,
    "equals_dashes": "=-" * 10_000,
    "underscores": "_" * 20_000,
    "em_dashes": "\u2014" * 20_000,
    "dots": "." * 20_000,
    "bangs": "!" * 20_000,
    "hashes_and_stars": "#*" * 10_000,
}


def with_junk(junk: str, where: str) -> str:
    lines = ARTICLE.split("\n")
    if where == "end":
        return ARTICLE + junk + "\n"
    if where == "start":
        return junk + "\n" + ARTICLE
    return "\n".join(lines[:2] + [junk] + lines[2:])


@pytest.mark.parametrize("where", ["end", "start", "middle"])
@pytest.mark.parametrize("name", list(JUNK))
@pytest.mark.slow
def test_a_junk_line_costs_what_an_ordinary_line_does(nlp, name, where):
    """A line of punctuation in an ordinary article: the article keeps its values, in time
    of the order of an ordinary article as long. (spaCy's tokenizer took a punctuation run
    apart one character at a time, each time searching the rest of the run: 4,000 '-'
    took 10 s and 40,000 hours; runs of dots did the same in the sentence splitter.)"""
    text = with_junk(JUNK[name], where)
    plain = ordinary(len(text))
    plain_time = best_time(lambda: process_article(nlp, Article(id="p", text=plain)))
    budget = max(1.0, 100 * plain_time)  # before the fix: an error row, not hours
    record = process_article(nlp, Article(id="j", text=text), budget=budget)
    assert record["status"] == "ok", record["error"]
    assert values(record) == values(process_article(nlp, Article(id="a", text=ARTICLE)))
    junk_time = best_time(lambda: process_article(nlp, Article(id="j", text=text), budget=budget))
    assert junk_time < 3 * plain_time, (name, where, junk_time, plain_time)


@pytest.mark.parametrize("text", ["-" * 50, "a" + "-" * 9 + "b", "x " + "\u2014" * 12 + "\n" + "." * 8 + ", ok",
                                  "Rp" + "." * 30 + "1.000", "!" * 7, "\u00e9" * 20 + "----------"])
def test_punctuation_runs_keep_tokens_on_the_text(nlp, text):
    """The tokenizer reads a masked copy of the text: the tokens must still be the text's."""
    doc = nlp.make_doc(text)
    assert doc.text == text and doc.user_data["berita_text"] == text
    for token in doc:
        assert text[token.idx:token.idx + len(token)] == token.text


@pytest.mark.slow
def test_a_run_of_number_words_is_linear(nlp):
    """`dua ribu lima ratus` 1,600 times: every word may start a number phrase, and the
    unbounded phrase read the whole run from each of them (minutes)."""
    text = "dua ribu lima ratus " * 1_600
    plain = ordinary(len(text))
    plain_time = best_time(lambda: process_article(nlp, Article(id="p", text=plain)))
    budget = max(1.0, 100 * plain_time)
    record = process_article(nlp, Article(id="n", text=text), budget=budget)
    assert record["status"] == "ok", record["error"]
    words_time = best_time(lambda: process_article(nlp, Article(id="n", text=text), budget=budget))
    assert words_time < 3 * plain_time, (words_time, plain_time)
    # a real number phrase is still read whole
    record = process_article(nlp, Article(id="c", text="Pemkab mendaftarkan dua ribu lima ratus pekerja rentan."))
    assert [(p["surface"], p["count"]) for p in record["participants"]] == [("dua ribu lima ratus", 2500)]


# ------------------------------------------------ explain: budget, reading (17.7, 17.14)

def berita(*args, stdin: bytes | None = None) -> tuple[int, str, str]:
    """`berita ARGS` in this process, stdin given as bytes: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    if stdin is not None:
        # as Python sets up sys.stdin: UTF-8 (here), line endings left as they are
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8", newline="\n")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = cli.main([str(a) for a in args])
    finally:
        sys.stdin = saved
    return rc, out.getvalue(), err.getvalue()


@pytest.mark.slow
def test_explain_has_the_article_budget(nlp, monkeypatch):
    """An article that runs out of time ends `berita explain` with a one-line reason and
    exit 1, as it would be an error row in `berita run` (it used to run on and on)."""
    dates = type(nlp.get_pipe("berita_dates"))
    original = dates.__call__
    budget = 0.5
    slow_for = 30 * budget  # long enough to tell, short enough not to hang the suite

    def stubborn(self, doc):
        if "MACET" in doc.user_data["berita_text"]:
            give_up = time.monotonic() + slow_for
            while time.monotonic() < give_up:
                try:
                    sum(range(10_000))
                except Exception:  # noqa: BLE001
                    pass
        return original(self, doc)

    monkeypatch.setattr(dates, "__call__", stubborn)
    monkeypatch.setattr(engine, "ARTICLE_BUDGET", budget)
    monkeypatch.setattr("pipeline.nlp.build_nlp", lambda *a, **k: nlp)  # (the patched pipeline)
    started = time.monotonic()
    rc, out, err = berita("explain", "MACET " + ARTICLE)
    assert time.monotonic() - started < slow_for / 2
    assert rc == 1 and out == ""
    assert err.startswith("berita explain: error: time budget exceeded: article took more than 0.5 s "
                          "(in berita_dates)") and err.count("\n") == 1, err
    assert berita("explain", ARTICLE)[0] == 0


@pytest.mark.slow
def test_explain_of_40000_dashes_ends_as_an_ordinary_article_does(tmp_path):
    """The issue's reproduction, as a user types it: `print('-'*40000) | berita explain -`."""
    def explain_stdin(data: bytes) -> float:
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "explain", "-", "--json"], cwd=REPO,
                              input=data, capture_output=True, timeout=600)
        assert proc.returncode == 0, proc.stderr.decode()
        json.loads(proc.stdout)
        return time.monotonic() - started

    dashes = ("-" * 40_000 + "\n").encode()
    plain_seconds = explain_stdin(ordinary(len(dashes)).encode())
    dashes_seconds = explain_stdin(dashes)
    assert dashes_seconds < 2 * plain_seconds, (dashes_seconds, plain_seconds)


def explained(result: dict) -> list[tuple]:
    return sorted((v["field"], v["surface"], v["start"], v["end"], v["rule"]) for v in result["values"])


def recorded(record: dict) -> list[tuple]:
    return sorted((f, v["surface"], v["start"], v["end"], v["rule"]) for f in FIELDS for v in record[f])


@pytest.mark.parametrize("name, data", [
    ("lone_cr", b"Bupati Garut,\rRudy Gunawan,\rmendaftarkan 4.000 pekerja rentan pada Senin (3/2/2025)."),
    ("crlf", b"Bupati Garut,\r\nRudy Gunawan,\r\nmendaftarkan 4.000 pekerja rentan."),
    ("cp1252", "Bupati Garut, Rudy Gunawan, di caf\u00e9 \u201cSenin\u201d mendaftarkan 4.000 pekerja.\r"
               .encode("cp1252")),
])
@pytest.mark.slow
def test_explain_reads_text_as_run_does(tmp_path, name, data):
    """`explain` (stdin, the TEXT argument, --id/--input) and `run` read the same bytes
    into the same text: the same values at the same offsets. (With lone CRs, explain
    found an official that run did not; cp1252 on stdin was a traceback.)"""
    src = tmp_path / f"{name}.txt"
    src.write_bytes(data)
    rc, _, err = berita("run", src, "--out", tmp_path / "out", "--no-review", "--quiet")
    assert rc == 0, err
    record = json.loads((tmp_path / "out" / "records.jsonl").read_text(encoding="utf-8"))
    assert record["status"] == "ok" and record["participants"]
    expected = recorded(record)

    rc, out, err = berita("explain", "-", "--json", stdin=data)
    assert rc == 0, err
    assert explained(json.loads(out)) == expected
    rc, out, err = berita("explain", "--id", name, "--input", src, "--json")
    assert rc == 0, err
    assert explained(json.loads(out)) == expected
    if name != "cp1252":  # (an argument is text already)
        rc, out, err = berita("explain", data.decode("utf-8"), "--json")
        assert rc == 0, err
        assert explained(json.loads(out)) == expected


def test_explain_refuses_binary_stdin():
    rc, out, err = berita("explain", "-", stdin=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    assert rc == 2 and out == "" and err.startswith("berita explain: error: stdin is not text")


# --------------------------------------------------- the worker pool (17.9, 17.10)

class _NoPool:
    """Stands in for ProcessPoolExecutor: notes how many workers were asked for, starts none."""
    asked: list[int] = []

    def __init__(self, max_workers, *args, **kwargs):
        _NoPool.asked.append(max_workers)
        raise RuntimeError("no pool in this test")


@pytest.mark.slow
def test_no_more_workers_than_batches(monkeypatch, capsys):
    """`-j 1000` on 5 articles started 1,000 processes for one batch of work."""
    monkeypatch.setattr(engine, "ProcessPoolExecutor", _NoPool)
    _NoPool.asked = []
    articles = [Article(id=f"a{i}", text=ARTICLE) for i in range(5)]
    records = list(engine.run_articles(articles, processes=1000))
    assert _NoPool.asked == []  # one batch: run in this process
    assert [r["article_id"] for r in records] == [a.id for a in articles]
    assert records == list(engine.run_articles(articles, processes=1))
    assert capsys.readouterr().err == ("berita: warning: 1000 worker processes asked for, 1 used "
                                       "(5 articles in 1 batch of up to 64)\n")
    # 10 articles in batches of 4: three batches, three workers
    with pytest.raises(RuntimeError, match="no pool"):
        list(engine.run_articles(articles * 2, processes=1000, batch_size=4))
    assert _NoPool.asked == [3]


def test_the_first_record_comes_after_one_article_not_a_batch(monkeypatch):
    """A run in one process gave its first row only when the first 64 articles were done;
    start-up is what the user waits for, then a batch on top of it."""
    sizes = []
    run_batch = engine._run_batch

    def counted(nlp, batch):
        sizes.append(len(batch))
        return run_batch(nlp, batch)

    monkeypatch.setattr(engine, "_run_batch", counted)
    articles = [Article(id=f"a{i}", text=ARTICLE) for i in range(10)]
    records = engine.run_articles(articles, processes=1, batch_size=4)
    assert next(records)["article_id"] == "a0" and sizes == [1]
    assert [r["article_id"] for r in records] == [f"a{i}" for i in range(1, 10)]
    assert sizes == [1, 4, 4, 1]


@pytest.mark.slow
def test_no_more_than_four_workers_per_cpu(monkeypatch, capsys):
    monkeypatch.setattr(engine, "ProcessPoolExecutor", _NoPool)
    monkeypatch.setattr(engine, "_cpus", lambda: 2)
    _NoPool.asked = []
    articles = (Article(id=f"a{i}", text=ARTICLE) for i in range(1000))
    with pytest.raises(RuntimeError, match="no pool"):
        list(engine.run_articles(articles, processes=100, batch_size=4))
    assert _NoPool.asked == [8]
    assert "100 worker processes asked for, 8 used (4 per CPU, 2 CPUs)" in capsys.readouterr().err
    # as many as asked for when there is work for them
    with pytest.raises(RuntimeError, match="no pool"):
        list(engine.run_articles([Article(id=f"a{i}", text=ARTICLE) for i in range(100)], processes=3,
                                 batch_size=4))
    assert _NoPool.asked == [8, 3] and capsys.readouterr().err == ""


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan that exited may wait for a reaper)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait(condition, seconds: float) -> bool:
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_terminating_a_pooled_run_ends_its_workers(tmp_path, sig):
    """SIGTERM or SIGHUP to `berita run -j2` ended the parent alone: its workers ran on,
    re-parented to init (~120 MB each). They must end with it, as with Ctrl-C, the exit
    status must say which signal, and --out must not appear."""
    src = tmp_path / "big.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(4000):
            f.write(json.dumps({"id": f"a{i}", "text": ARTICLE.replace("2.500", f"{i + 1}.500")}) + "\n")
    out, err = tmp_path / "out", tmp_path / "stderr.txt"
    with err.open("wb") as stderr:  # (a file: orphaned workers would hold a pipe open)
        # (PYTHONFAULTHANDLER: if it hangs, SIGABRT makes it write every thread's stack to stderr)
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(src), "--out", str(out), "-j", "2",
                                 "-q", "--no-review"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr,
                                env={**os.environ, "PYTHONFAULTHANDLER": "1"},
                                # (as from a terminal: under nohup, SIGHUP is ignored and a run must go on)
                                preexec_fn=lambda: signal.signal(sig, signal.SIG_DFL))
    workers: set[int] = set()
    try:
        # both workers started and at work
        assert _wait(lambda: len(_children(proc.pid)) >= 2 and all(_cpu_ticks(w) > 10 for w in _children(proc.pid)),
                     120), err.read_text()
        workers = _children(proc.pid)
        os.kill(proc.pid, sig)
        try:
            status = proc.wait(60)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGABRT)
            proc.wait(30)
            pytest.fail(f"the parent did not end within 60 s of {sig.name}; its threads:\n{err.read_text()}")
        assert _wait(lambda: not any(_running(w) for w in workers), 30), \
            f"workers {sorted(w for w in workers if _running(w))} still running after the parent ended"
        assert status == 128 + sig, err.read_text()
        assert not out.exists()
    finally:
        for pid in [proc.pid, *workers]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        proc.wait()


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="needs SIGHUP")
@pytest.mark.slow
def test_a_pooled_run_under_nohup_keeps_ignoring_sighup():
    """`nohup berita run -j2 ...` must survive the terminal closing: a signal the caller
    ignores stays ignored during the run, and the default comes back after it."""
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with engine._pool_signals():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        with engine._pool_signals():
            assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN)
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, before)


# ------------------------------------------------------ rupiah with a fraction (17.12)

@pytest.mark.parametrize("phrase, amount", [
    ("Rp1.5", None),            # `.` groups thousands: a decimal point is ambiguous (was 2)
    ("Rp12.34", None),          # (was 12)
    ("Rp 1.234,56", None),      # sen (was 1235)
    ("Rp1.5 juta", 1_500_000),  # with a scale word the fraction is whole
    ("Rp1,5 miliar", 1_500_000_000),
    ("Rp 1.500.000,00", 1_500_000),
    ("Rp16.800", 16_800),
])
def test_a_rupiah_amount_is_never_rounded(nlp, phrase, amount):
    text = f"Pemkab Sleman menganggarkan {phrase} untuk iuran peserta."
    record = process_article(nlp, Article(id="rp", text=text))
    assert record["status"] == "ok"
    assert [(a["surface"], a["amount_idr"]) for a in record["amounts"]] == ([(phrase, amount)] if amount else [])


def test_the_tokenizer_still_serializes(nlp):
    """spaCy saves a tokenizer's patterns from its search functions (`__self__.pattern`)."""
    from pipeline.nlp import build_nlp
    copy = build_nlp()
    copy.tokenizer.from_bytes(nlp.tokenizer.to_bytes())
    text = ARTICLE + "-" * 40 + "\n"
    assert [t.text for t in copy.make_doc(text)] == [t.text for t in nlp.make_doc(text)]
