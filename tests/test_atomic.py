"""Outputs appear whole or not at all (pipeline/io/tables.py).

* `berita run` SIGKILLed at several moments of a long run leaves the previous DIR
  byte-identical, with no partial file; killed near its end, DIR is either the old or
  the complete new output, never a mix;
* stale `.DIR.tmp-*` directories of killed runs are removed by the next run, never those
  of a live run;
* a reader polling DIR while outputs are swapped in never sees DIR missing, a file
  missing, or a file that is not one complete version;
* the two-rename fallback (no RENAME_EXCHANGE) recovers if a kill falls between its renames.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import DEV, REPO, needs_dev

from pipeline.io import tables
from pipeline.io.tables import TableWriter, clean_stale

pytestmark = [needs_dev, pytest.mark.slow]


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` (the review page's data is in review/)."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def berita_cmd(src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "run", str(src), "--out", str(out), "-q", *extra]


def assert_complete(out: Path, n: int) -> None:
    """DIR holds a finished run over n articles (the content itself may change while the
    rules are being edited, so it is not compared)."""
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == n and all(json.loads(line) for line in lines)
    assert (out / "articles.csv").read_text(encoding="utf-8-sig").count("\n") >= n + 1
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["articles"] == n


def stale(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """small.jsonl: 12 dev articles; big.jsonl: 3,000 articles cycled from dev.jsonl."""
    root = tmp_path_factory.mktemp("atomic-in")
    dev = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    small, big = root / "small.jsonl", root / "big.jsonl"
    small.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in dev[:12]), encoding="utf-8")
    with open(big, "w", encoding="utf-8") as f:
        for i in range(3000):
            a = dict(dev[i % len(dev)], id=f"{dev[i % len(dev)]['id']}-{i}")
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    return small, big


def wait_for_rows(out: Path, rows: int, proc, earlier: set, timeout: float = 60.0) -> None:
    """Until the running run's temporary articles.csv (not one of the `earlier` runs'
    directories) has `rows` data rows."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        for tmp in out.parent.glob(f".{out.name}.tmp-*/articles.csv"):
            if tmp.parent.name in earlier:
                continue
            try:
                if tmp.read_bytes().count(b"\n") - 1 >= rows:
                    return
            except OSError:
                pass
        time.sleep(0.002)
    raise AssertionError(f"no {rows} rows on disk before the run ended or {timeout} s passed")


def test_sigkill_mid_run_leaves_the_previous_output_untouched(tmp_path, inputs):
    small, big = inputs
    out = tmp_path / "out"
    subprocess.run(berita_cmd(small, out), cwd=REPO, check=True, timeout=120)
    before = snapshot(out)
    assert "articles.csv" in before and "review.html" in before
    # in start-up (imports, pipeline build), once rows are on disk, later in the 3,000
    # articles, and with 2 processes: moments read off the run's own progress, so a
    # faster berita does not finish before the kill
    for rows, extra in [(0, ()), (1, ()), (1000, ()), (200, ("--processes", "2"))]:
        # its own process group, so the kill takes the -j workers too, as a machine kill would
        # (an orphaned worker would keep the run's lock on its temporary directory a while)
        earlier = set(stale(out))
        proc = subprocess.Popen(berita_cmd(big, out, *extra), cwd=REPO, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        if rows:
            wait_for_rows(out, rows, proc, earlier)
        else:
            time.sleep(0.3)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
        assert snapshot(out) == before, f"DIR changed by a run killed after {rows} rows"
    # the killed runs left their temporary directories beside DIR, nothing inside it
    leftovers = stale(out)
    assert leftovers and all(name.startswith(".out.tmp-") for name in leftovers), leftovers
    # the next run that completes removes them
    subprocess.run(berita_cmd(small, out, "--no-review"), cwd=REPO, check=True, timeout=120)
    assert stale(out) == []
    assert set(snapshot(out)) == {f for f in before if f != "review.html" and not f.startswith("review/")}
    assert_complete(out, 12)


def test_sigkill_near_the_end_gives_old_or_new_never_a_mix(tmp_path, inputs):
    small, _ = inputs
    ref = tmp_path / "ref"
    started = time.monotonic()
    subprocess.run(berita_cmd(small, ref, "--no-review"), cwd=REPO, check=True, timeout=120)
    duration = time.monotonic() - started
    new_files = set(snapshot(ref))

    out = tmp_path / "out"
    out.mkdir()
    (out / "articles.csv").write_text("old output\n")
    (out / "notes.txt").write_text("a file of the previous output\n")
    old = snapshot(out)
    seen = set()
    for fraction in (0.90, 0.97, 1.0, 1.03):
        proc = subprocess.Popen(berita_cmd(small, out, "--no-review"), cwd=REPO, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        now = snapshot(out)
        if now == old:
            seen.add("old")
        else:
            assert set(now) == new_files, f"a mix after {fraction:.2f} of the run: {sorted(now)}"
            assert_complete(out, 12)
            seen.add("new")
            break  # DIR is now the new output; later kills compare against the same files
    assert seen  # (which of the two depends on timing; both are whole)


def test_a_live_runs_temporary_directory_is_not_removed(tmp_path):
    out = tmp_path / "out"
    first = TableWriter(out)
    try:
        second = TableWriter(out)  # cleans stale directories at start
        assert first.tmp_dir.is_dir() and second.tmp_dir.is_dir()
        second.abort()
    finally:
        first.abort()
    assert stale(out) == []


def test_stale_directories_are_removed(tmp_path):
    out = tmp_path / "out"
    (tmp_path / ".out.tmp-1-dead").mkdir()
    (tmp_path / ".out.tmp-1-dead" / "articles.csv").write_text("partial")
    (tmp_path / ".other.tmp-1-x").mkdir()  # another DIR's: not ours
    writer = TableWriter(out)
    assert not (tmp_path / ".out.tmp-1-dead").exists()
    assert (tmp_path / ".other.tmp-1-x").exists()
    writer.abort()


def _write(out: Path, version: str, rows: int = 200) -> None:
    writer = TableWriter(out)
    for i in range(rows):
        writer.write({"article_id": f"{version}-{i}", "status": "ok", "text": version * 50})
    writer.close({"version": version})
    writer.commit()


def test_readers_never_see_a_missing_or_mixed_directory(tmp_path):
    out = tmp_path / "out"
    _write(out, "A")
    versions = {}
    for v in "AB":
        _write(tmp_path / v, v)
        versions[v] = snapshot(tmp_path / v)
    problems, reads = [], [0]
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            try:
                names = set(os.listdir(out))
            except FileNotFoundError:
                problems.append("DIR missing")
                continue
            # (a listing taken across a swap may be the old directory while it is being
            # deleted: fewer names, never a foreign one)
            if not names <= set(versions["A"]):
                problems.append(f"unexpected files {sorted(names - set(versions['A']))}")
            for name in ("articles.csv", "records.jsonl", "run.json"):
                try:
                    data = (out / name).read_bytes()  # opened by path: always the current DIR
                except FileNotFoundError:
                    problems.append(f"{name} missing")
                    continue
                if data not in (versions["A"][name], versions["B"][name]):
                    problems.append(f"{name}: not one complete version")
            reads[0] += 1

    t = threading.Thread(target=reader)
    t.start()
    try:
        for i in range(30):
            _write(out, "AB"[i % 2])
    finally:
        stop.set()
        t.join()
    assert reads[0] > 30
    assert problems == []
    assert stale(out) == []


def test_fallback_without_exchange_and_recovery_after_a_kill_between_renames(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _write(out, "A")
    old = snapshot(out)
    monkeypatch.setattr(tables, "exchange", lambda a, b: False)  # e.g. a file system without it
    _write(out, "B")
    assert snapshot(out) != old and stale(out) == []

    # a kill between the two renames: DIR renamed aside, the new one not yet in place
    before = snapshot(out)
    real_rename, calls = os.rename, []

    def rename_then_die(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:
            raise KeyboardInterrupt  # stands in for SIGKILL
        return real_rename(src, dst)

    writer = TableWriter(out)
    writer.close({})
    monkeypatch.setattr(tables.os, "rename", rename_then_die)
    with pytest.raises(KeyboardInterrupt):
        writer.commit()
    monkeypatch.setattr(tables.os, "rename", real_rename)
    os.close(writer._lock_fd)  # the process is gone: its lock with it
    assert not out.exists()
    assert clean_stale(out)  # the next run puts the previous output back and tidies up
    assert snapshot(out) == before and stale(out) == []


def test_rename_exchange_is_used_here(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    if not tables.exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) not available on this system")
    assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"
