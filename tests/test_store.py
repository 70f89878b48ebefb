"""The store (pipeline/io/store.py): `berita run --into STORE.duckdb` and `berita export`.

* an append processes only what is not in the store: a known text is skipped, by id or
  by its normalized text under another id, and stderr says how many; a known id with a
  new text is reprocessed and its rows replaced;
* an append killed with SIGKILL in the middle leaves the store as it was;
* `berita export` writes the files of a plain `berita run` over the same articles, byte
  for byte (run.json aside), events.csv and articles.event_id included (tests/test_events.py
  adds an event that gains a member in a later append);
* `--rerun-stale` reprocesses exactly the articles whose rows came from another rule set.
"""
from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import DEV, REPO, needs_dev

from pipeline import cli
from pipeline.io.store import FLUSH_EVERY

SEED = REPO / "corpus" / "seed.jsonl"
# a count of a people noun the built-in rules do not know; OVERLAY teaches it
HERDERS = ("Pemerintah Kabupaten Buol mendaftarkan {n} penggembala ke program BPJS Ketenagakerjaan "
           "pada Senin (3/2/2025).")
OVERLAY = "purpose: herders are people too (a test overlay)\npeople_nouns: [penggembala]\n"


def articles(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in items), encoding="utf-8")
    return path


def berita(capsys, *args) -> tuple[int, str]:
    capsys.readouterr()
    rc = cli.main([str(a) for a in args])
    return rc, capsys.readouterr().err


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file of an output directory but run.json (the review page's data is in review/)."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and p.name != "run.json"}


def assert_export_is_a_run(capsys, tmp_path: Path, store: Path, *inputs: Path, rules: tuple = ()) -> None:
    """`berita export STORE` == `berita run INPUTS` (same directory name: the review page's title)."""
    exported, ran = tmp_path / "exported" / "out", tmp_path / "ran" / "out"
    for d in (exported, ran):
        if d.exists():
            shutil.rmtree(d)
    assert berita(capsys, "export", store, "--out", exported, "-q")[0] == 0
    assert berita(capsys, "run", *inputs, "--out", ran, "-q", *rules)[0] == 0
    want = snapshot(ran)
    assert "review.html" in want and "participants.csv" in want and "events.csv" in want
    assert snapshot(exported) == want
    assert json.loads((exported / "run.json").read_text(encoding="utf-8"))["exported_from"] == str(store)


def stored(store: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_append_skips_known_texts_by_id_and_by_hash(tmp_path, capsys):
    seed = articles(SEED)
    store = tmp_path / "s.duckdb"
    first = write_jsonl(tmp_path / "first.jsonl", seed[:3])
    rc, err = berita(capsys, "run", first, "--into", store)
    assert rc == 0 and "3 added" in err and "0 skipped" in err
    again = [dict(seed[0], text="  " + seed[0]["text"].replace("\n", "\n\n ") + "\n"),  # same id, same text
             dict(seed[1], id="elsewhere-1"),                                           # same text, other id
             seed[3]]                                                                   # new
    second = write_jsonl(tmp_path / "second.jsonl", again)
    rc, err = berita(capsys, "run", second, "--into", store)
    assert rc == 0
    assert "1 articles processed: 1 added, 0 replaced" in err and "2 skipped (already in the store)" in err
    assert stored(store, "SELECT article_id FROM records ORDER BY seq") == [(a["id"],) for a in seed[:4]]
    assert stored(store, "SELECT count(*) FROM articles")[0][0] == 4
    # nothing new: nothing processed, the store as it was
    rc, err = berita(capsys, "run", second, "--into", store)
    assert rc == 0 and "0 articles processed" in err and "3 skipped" in err
    assert_export_is_a_run(capsys, tmp_path, store, write_jsonl(tmp_path / "all.jsonl", seed[:4]))


@pytest.mark.slow
def test_a_changed_text_replaces_its_rows(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    before = [{"id": "h1", "text": HERDERS.format(n=120)}, {"id": "s0", "text": articles(SEED)[0]["text"]}]
    write_jsonl(tmp_path / "a.jsonl", before)
    assert berita(capsys, "run", tmp_path / "a.jsonl", "--into", store, "--rules", rules_overlay(tmp_path))[0] == 0
    assert stored(store, "SELECT \"count\" FROM participants WHERE article_id = 'h1'") == [(120,)]
    after = [{"id": "h1", "text": HERDERS.format(n=345)}]
    rc, err = berita(capsys, "run", write_jsonl(tmp_path / "b.jsonl", after), "--into", store,
                     "--rules", rules_overlay(tmp_path))
    assert rc == 0 and "1 replaced" in err
    # one set of rows for h1, the new one, in every table; h1 keeps its place in export order
    assert stored(store, "SELECT \"count\" FROM participants WHERE article_id = 'h1'") == [(345,)]
    assert stored(store, "SELECT count(*) FROM articles WHERE article_id = 'h1'") == [(1,)]
    assert stored(store, "SELECT article_id FROM records ORDER BY seq") == [("h1",), ("s0",)]
    final = write_jsonl(tmp_path / "final.jsonl", [after[0], before[1]])
    assert_export_is_a_run(capsys, tmp_path, store, final, rules=("--rules", rules_overlay(tmp_path)))


def rules_overlay(tmp_path: Path) -> Path:
    rules = tmp_path / "myrules"
    rules.mkdir(exist_ok=True)
    (rules / "quantities.yml").write_text(OVERLAY, encoding="utf-8")
    return rules


@pytest.mark.slow
def test_export_equals_a_run_on_the_seed_corpus(tmp_path, capsys):
    seed = articles(SEED)
    store = tmp_path / "s.duckdb"
    for i, batch in enumerate((seed[:2], seed[2:])):  # two days
        assert berita(capsys, "run", write_jsonl(tmp_path / f"day{i}.jsonl", batch), "--into", store, "-q")[0] == 0
    assert_export_is_a_run(capsys, tmp_path, store, SEED)


@pytest.mark.slow
@needs_dev
def test_export_equals_a_run_on_a_dev_sample(tmp_path, capsys):
    dev = articles(DEV)[:15]
    store = tmp_path / "s.duckdb"
    days = [write_jsonl(tmp_path / f"day{i}.jsonl", dev[i * 5:(i + 1) * 5]) for i in range(3)]
    for day in days:
        assert berita(capsys, "run", day, "--into", store, "-q")[0] == 0
    assert_export_is_a_run(capsys, tmp_path, store, *days)


@pytest.mark.slow
def test_rerun_stale_reprocesses_only_rows_of_another_rule_set(tmp_path, capsys):
    store, overlay = tmp_path / "s.duckdb", rules_overlay(tmp_path)
    old = write_jsonl(tmp_path / "old.jsonl", [{"id": f"old{n}", "text": HERDERS.format(n=n)} for n in (11, 12)])
    new = write_jsonl(tmp_path / "new.jsonl", [{"id": "new13", "text": HERDERS.format(n=13)}])
    assert berita(capsys, "run", old, "--into", store, "-q")[0] == 0  # built-in rules: no count
    assert berita(capsys, "run", new, "--into", store, "-q", "--rules", overlay)[0] == 0
    assert stored(store, "SELECT article_id FROM participants") == [("new13",)]
    fingerprints = dict(stored(store, "SELECT article_id, rules_fingerprint FROM records"))
    assert fingerprints["old11"] == fingerprints["old12"] != fingerprints["new13"]

    rc, err = berita(capsys, "run", "--into", store, "--rerun-stale", "--rules", overlay)
    assert rc == 0 and "2 articles processed: 0 added, 2 replaced" in err
    assert stored(store, "SELECT count(DISTINCT rules_fingerprint) FROM records") == [(1,)]
    assert stored(store, "SELECT count(DISTINCT rules_fingerprint) FROM participants") == [(1,)]
    assert sorted(stored(store, "SELECT article_id, \"count\" FROM participants")) == \
        [("new13", 13), ("old11", 11), ("old12", 12)]
    rc, err = berita(capsys, "run", "--into", store, "--rerun-stale", "--rules", overlay)
    assert rc == 0 and "0 articles processed" in err
    assert_export_is_a_run(capsys, tmp_path, store, old, new, rules=("--rules", overlay))


def test_into_and_out_are_exclusive_and_one_is_required(tmp_path, capsys):
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": HERDERS.format(n=5)}])
    for args in (["--out", tmp_path / "o", "--into", tmp_path / "s.duckdb"], [],
                 ["--out", tmp_path / "o", "--rerun-stale"]):
        with pytest.raises(SystemExit) as exc:
            berita(capsys, "run", src, *args)
        assert exc.value.code == 2
    assert not (tmp_path / "o").exists() and not (tmp_path / "s.duckdb").exists()


def test_a_database_that_is_not_a_store_is_refused(tmp_path, capsys):
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE sales (x INTEGER)")
    con.close()
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": HERDERS.format(n=5)}])
    rc, err = berita(capsys, "run", src, "--into", other)
    assert rc == 2 and "not a berita store" in err
    assert stored(other, "SELECT table_name FROM information_schema.tables") == [("sales",)]


def dump(store: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the store, sorted."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def wait_for_progress(fd: int, proc, articles: int, timeout: float = 120.0) -> None:
    """Until the run's progress line (on the terminal `fd`) counts `articles` records."""
    seen, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
            counts = [int(part.split()[0]) for part in seen.split(b"\r") if part.split()[:2][1:] == [b"articles,"]]
            if counts and counts[-1] >= articles:
                return
    raise AssertionError(f"no progress to {articles} articles before the run ended: {seen[-200:]!r}")


@pytest.mark.slow
@pytest.mark.parametrize("extra", [(), ("--processes", "2")])
def test_sigkill_in_the_middle_of_an_append_leaves_the_store_as_it_was(tmp_path, capsys, extra):
    seed = articles(SEED)
    store = tmp_path / "s.duckdb"
    assert berita(capsys, "run", SEED, "--into", store, "-q")[0] == 0
    before = dump(store)
    # articles of distinct texts (a tag line makes each one new to the store)
    big = write_jsonl(tmp_path / "big.jsonl", [dict(seed[i % len(seed)], id=f"big-{i}",
                                                    text=f"[{i}]\n" + seed[i % len(seed)]["text"])
                                               for i in range(3 * FLUSH_EVERY)])
    # stderr on a terminal, so the run shows its progress; the kill comes when two flushes
    # into the open transaction have been made
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(big), "--into", str(store), *extra],
                            cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower,
                            start_new_session=True)  # its own group: the kill takes the -j workers too
    os.close(follower)
    try:
        wait_for_progress(leader, proc, 2 * FLUSH_EVERY + 100)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        os.close(leader)
    assert dump(store) == before
    # the store is usable: the next append completes
    small = write_jsonl(tmp_path / "small.jsonl", [{"id": "after", "text": HERDERS.format(n=7)}])
    rc, err = berita(capsys, "run", small, "--into", store)
    assert rc == 0 and "1 added" in err
    assert stored(store, "SELECT count(*) FROM records") == [(len(seed) + 1,)]
