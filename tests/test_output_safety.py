"""`--out DIR` never destroys what berita did not write (pipeline/io/outdir.py, tables.py).

berita replaces DIR as a whole, so it refuses a DIR holding foreign files (unless
--force), a DIR that holds an input (even with --force) and a symlinked DIR; a DIR that
existed keeps its permissions; a mount point (or the current directory) is filled in
place; and a DIR inside an input directory is not read back as input.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

from pipeline.cli import main

SEED = REPO / "corpus" / "seed.jsonl"
N_SEED = sum(1 for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip())


def run(*argv: str) -> int:
    return main(["run", *argv, "-q", "--no-review"])


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture
def input_dir(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEED, src / "seed.jsonl")
    (src / "notes.md").write_text("keep\n", encoding="utf-8")
    return src


@pytest.mark.slow
def test_out_that_is_the_input_directory_is_refused(input_dir, capsys):
    before = tree(input_dir)
    assert run(str(input_dir), "--out", str(input_dir)) == 2
    assert run(str(input_dir), "--out", str(input_dir), "--force") == 2
    assert tree(input_dir) == before
    assert "holds the input" in capsys.readouterr().err


def test_out_above_an_input_is_refused_even_with_force(input_dir, monkeypatch):
    before = tree(input_dir)
    monkeypatch.chdir(input_dir)
    assert run("seed.jsonl", "--out", ".") == 2
    assert run(str(input_dir / "seed.jsonl"), "--out", str(input_dir.parent), "--force") == 2
    assert tree(input_dir) == before


def test_symlinked_out_is_refused_and_its_target_kept(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious").write_text("x", encoding="utf-8")
    (tmp_path / "link").symlink_to(victim)
    assert run(str(SEED), "--out", str(tmp_path / "link")) == 2
    assert (victim / "precious").read_text(encoding="utf-8") == "x"
    assert (tmp_path / "link").is_symlink()


@pytest.mark.slow
def test_foreign_directory_needs_force(tmp_path, capsys):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "budget.xlsx").write_bytes(b"mine")
    assert run(str(SEED), "--out", str(out)) == 2
    assert "not a berita output" in capsys.readouterr().err
    assert (out / "budget.xlsx").read_bytes() == b"mine"
    assert run(str(SEED), "--out", str(out), "--force") == 0
    assert not (out / "budget.xlsx").exists() and (out / "run.json").exists()


@pytest.mark.slow
def test_a_berita_output_is_replaced_but_not_when_a_foreign_file_was_added(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(str(SEED), "--out", str(out)) == 0
    assert run(str(SEED), "--out", str(out)) == 0  # an earlier output is berita's to replace
    (out / "notes.txt").write_text("analyst's notes", encoding="utf-8")
    assert run(str(SEED), "--out", str(out)) == 2
    assert "also holds notes.txt" in capsys.readouterr().err
    assert (out / "notes.txt").exists()


def test_files_named_like_berita_without_its_run_json_are_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "articles.csv").write_text("my own table\n", encoding="utf-8")
    assert run(str(SEED), "--out", str(out)) == 2
    assert (out / "articles.csv").read_text(encoding="utf-8") == "my own table\n"


def test_empty_out_is_an_error(capsys):
    assert run(str(SEED), "--out", "") == 2
    assert "--out is empty" in capsys.readouterr().err


def test_out_dot_fills_the_current_directory_in_place(tmp_path, monkeypatch):
    out = tmp_path / "here"
    out.mkdir()
    monkeypatch.chdir(out)
    inode = out.stat().st_ino
    assert run(str(SEED), "--out", ".") == 0
    assert run(str(SEED), "--out", ".") == 0
    assert out.stat().st_ino == inode  # the shell's directory is still the output
    assert len((out / "records.jsonl").read_text(encoding="utf-8").splitlines()) == N_SEED
    assert not [p for p in os.listdir(out) if p.startswith(".")]  # no work directory left
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]


def test_rerun_keeps_mode_and_setgid_of_an_existing_directory(tmp_path):
    out = tmp_path / "priv"
    out.mkdir()
    out.chmod(0o2750)
    assert run(str(SEED), "--out", str(out)) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o2750
    out.chmod(0o700)
    assert run(str(SEED), "--out", str(out)) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a directory a group it is not in")
def test_rerun_keeps_the_group_of_an_existing_directory(tmp_path):
    out = tmp_path / "shared"
    out.mkdir()
    os.chown(out, -1, 4242)
    assert run(str(SEED), "--out", str(out)) == 0
    assert out.stat().st_gid == 4242


def _acl(*entries: tuple[int, int, int]) -> bytes:
    """A POSIX ACL as the kernel's xattr holds it: version 2, then (tag, perm, id)."""
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)


@pytest.mark.slow
def test_rerun_keeps_posix_acls(tmp_path):
    out = tmp_path / "acl"
    out.mkdir()
    undefined = 0xFFFFFFFF
    default = _acl((0x01, 7, undefined), (0x02, 5, 4242), (0x04, 5, undefined), (0x10, 5, undefined),
                   (0x20, 0, undefined))
    try:
        os.setxattr(out, "system.posix_acl_default", default)
    except OSError as exc:
        pytest.skip(f"no POSIX ACLs on this file system ({exc.strerror})")
    assert run(str(SEED), "--out", str(out)) == 0
    assert os.getxattr(out, "system.posix_acl_default") == default
    assert "system.posix_acl_access" in os.listxattr(out / "articles.csv")  # files inherited it


def test_output_inside_the_input_directory_is_not_read_back(input_dir):
    out = input_dir / "out"
    assert run(str(input_dir), "--out", str(out)) == 0
    assert run(str(input_dir), "--out", str(out)) == 0
    records = [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == N_SEED
    assert all(r["status"] == "ok" for r in records)


@pytest.mark.slow
def test_mount_point_is_filled_in_place(tmp_path):
    """A real tmpfs, mounted in a private user and mount namespace (no root needed)."""
    mount, foreign = tmp_path / "mnt", tmp_path / "foreign"
    mount.mkdir()
    foreign.mkdir()
    berita = [sys.executable, "-m", "pipeline.cli", "run", str(SEED), "-q", "--out"]
    script = " && ".join([
        f"mount -t tmpfs -o size=20m none {mount}",
        f"{' '.join(berita)} {mount}",
        f"{' '.join(berita)} {mount}",  # the second run replaces the first in place
        f"ls -A {mount} > {tmp_path}/listing",
        f"touch {mount}/mine.txt",
        f"! {' '.join(berita)} {mount} 2> {tmp_path}/refused",
    ])
    if shutil.which("unshare") is None:
        pytest.skip("no unshare here")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"no user namespaces here: {probe.stderr.decode(errors='replace').strip()}")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    names = (tmp_path / "listing").read_text(encoding="utf-8").split()
    assert "run.json" in names and "review.html" in names
    assert not [n for n in names if n.startswith(".")]  # no work directory left behind
    assert "not a berita output" in (tmp_path / "refused").read_text(encoding="utf-8") or \
        "also holds mine.txt" in (tmp_path / "refused").read_text(encoding="utf-8")


def test_nul_and_line_separators_are_kept_out_of_the_files(tmp_path):
    src = tmp_path / "odd.jsonl"
    src.write_text(json.dumps({"id": "a\u0000b", "title": "judul\u0000x",
                               "text": "Bupati Garut\u2028meresmikan program.\u2029"}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run(str(src), "--out", str(out)) == 0
    line = (out / "records.jsonl").read_text(encoding="utf-8")
    assert "\u2028" not in line and "\u2029" not in line
    assert json.loads(line)["text"] == "Bupati Garut\u2028meresmikan program.\u2029"
    for table in out.glob("*.csv"):
        assert "\u0000" not in table.read_text(encoding="utf-8-sig")
    assert "a\ufffdb" in (out / "articles.csv").read_text(encoding="utf-8-sig")


@pytest.mark.slow
def test_ctrl_c_while_starting_gives_no_traceback(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(SEED), "--out", str(tmp_path / "o")],
                            cwd=REPO, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)  # inside the imports of `run`, before its own interrupt handling
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    assert proc.returncode in (130, 0)  # 0: it had finished already on a fast machine
