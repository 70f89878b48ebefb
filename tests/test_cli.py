"""The command line's habits: progress, failed articles' reasons, misspelt flags, one error
prefix, help for every argument, explain on piped text, and all-or-nothing on Ctrl-C."""
from __future__ import annotations

import argparse
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.io import store as store_module
from pipeline.io import tables

ARTICLE = "Bupati Bolsel, Iskandar Kamaru, menerima 4.000 peserta baru, Senin (3/2/2025)."
REPO = Path(__file__).resolve().parents[1]
BERITA = [sys.executable, "-m", "pipeline.cli"]


@pytest.fixture
def inputs(tmp_path) -> Path:
    path = tmp_path / "in.jsonl"
    rows = [{"id": f"a{i}", "text": f"{ARTICLE} Hadir {i + 2} camat."} for i in range(3)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# --------------------------------------------------------------------- progress

def test_the_progress_line_has_total_percentage_rate_and_time_left():
    stream = io.StringIO()
    progress = cli.Progress(True, total=40, stream=stream)
    progress.started -= 5.0  # 10 articles in 5 seconds: 2 a second, 30 to go
    progress.show(10, 1)
    line = stream.getvalue()
    assert line.startswith("\r10/40 articles (25%), 2.0 articles/s, 15 s left, 1 error")
    progress.show(40, 1, final=True)
    assert stream.getvalue().endswith("\n") and "100%" in stream.getvalue()
    # without a total (an --into run), or past an estimated one: no percentage, no time left
    unknown, exceeded = cli.Progress(True), cli.Progress(True, total=3)
    assert unknown.line(5, 0, unknown.started + 1).startswith("5 articles, 5.0 articles/s, 0 errors")
    assert exceeded.line(5, 0, exceeded.started + 1).startswith("5 articles, 5.0 articles/s, 0 errors")


def test_the_total_is_counted_from_the_inputs(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": 1, "text": "x"}\n\n{"id": 2, "text": "y"}\n', encoding="utf-8")
    (tmp_path / "b.csv").write_text('id,text\n1,"two\nlines"\n2,y\n', encoding="utf-8")
    (tmp_path / "c.txt").write_text("z", encoding="utf-8")
    assert cli.count_articles([tmp_path]) == 5
    assert cli.count_articles([tmp_path / "missing"]) is None


@pytest.mark.slow
def test_progress_on_a_terminal_and_none_in_a_pipe(inputs, tmp_path):
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run([*BERITA, "run", str(inputs), "--out", str(tmp_path / "t"), "--no-review"],
                              cwd=REPO, stderr=secondary, stdout=subprocess.DEVNULL, timeout=300)
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(primary)
    assert proc.returncode == 0
    text = seen.decode()
    assert "\r3/3 articles (100%)" in text and "articles/s" in text
    piped = subprocess.run([*BERITA, "run", str(inputs), "--out", str(tmp_path / "p"), "--no-review"],
                           cwd=REPO, capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0 and "\r" not in piped.stderr and "articles/s" not in piped.stderr
    assert piped.stderr.startswith("3 articles: 3 ok, 0 errors")


# --------------------------------------------------------------------- failures

def test_a_run_with_failed_articles_ends_with_their_reasons(tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": "ok", "text": ARTICLE}), '{"id": "broken", "text": ']
    lines += [json.dumps({"id": f"no-text-{i}"}) for i in range(4)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(path), "--out", str(out), "--no-review"]) == 0
    err = capsys.readouterr().err
    assert f"5 failed articles, the first 3 (every reason: {out}/articles.csv, column error):" in err
    reasons = err.splitlines()[-3:]
    assert reasons[0].startswith("  in:2: ") and "not valid JSON" in reasons[0]
    assert reasons[1] == f"  no-text-0: {path}:3: missing 'text'"
    assert cli.main(["run", str(path), "--out", str(out), "--no-review", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------- misspelt flags, errors, help

@pytest.mark.parametrize("argv, command, hint", [
    (["run", "in.jsonl", "--otu", "x"], "berita run", "(--otu: did you mean --out?)"),
    (["run", "in.jsonl", "--out", "x", "--quite"], "berita run", "(--quite: did you mean --quiet?)"),
    (["export", "s.db", "--out", "x", "--froce"], "berita export", "did you mean --force?"),
    (["corrections", "apply", "r", "c", "--out", "x", "--no-reveiw"], "berita corrections apply",
     "did you mean --no-review?"),
    (["diff", "a", "b", "--fromat", "jsonl"], "berita diff", "did you mean --format?"),
    (["rn", "in.jsonl"], "berita", "(did you mean run?)"),
    (["corrections", "glod"], "berita corrections", "(did you mean gold?)"),
    (["eval", "g.jsonl", "d", "--hafl", "odd"], "berita eval", "did you mean --half?"),
    (["explain", "teks", "--jsno"], "berita explain", "did you mean --json?"),
    (["review", "d", "--recrods", "r.jsonl"], "berita review", "did you mean --records?"),
    (["rules", "chekc"], "berita rules", "(did you mean check?)"),
])
def test_a_misspelt_flag_shows_the_subcommand_s_usage_and_a_suggestion(argv, command, hint, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: {command} "), err
    assert f"\n{command}: error: " in err and hint in err, err


@pytest.mark.parametrize("argv, prefix", [
    (["run", "missing.jsonl", "--out", "{tmp}/o"], "berita run: error: "),
    (["run", "{tmp}/in.jsonl", "--out", "{tmp}/o", "-j", "0"], "berita run: error: "),
    (["export", "{tmp}/nothing/s.db", "--out", "{tmp}/o"], "berita export: error: "),
    (["diff", "{tmp}", "{tmp}"], "berita diff: error: "),
    (["corrections", "apply", "{tmp}", "{tmp}/c.jsonl", "--out", "{tmp}/o"], "berita corrections apply: error: "),
    (["corrections", "gold", "{tmp}", "{tmp}/c.jsonl"], "berita corrections gold: error: "),
    (["eval", "{tmp}/missing.gold.jsonl", "{tmp}"], "berita eval: error: "),
    (["review", "{tmp}/nothing"], "berita review: error: "),
])
def test_errors_have_one_prefix_berita_command_error(argv, prefix, tmp_path, capsys):
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n", encoding="utf-8")
    assert cli.main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(prefix) and err.count("\n") == 1, err


def test_help_describes_every_argument():
    parser = cli.build_parser()
    for name, command in parser.commands.items():
        for action in command._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help, f"berita {name}: {action.dest} has no help"
        assert command.description, f"berita {name} has no description"


# --------------------------------------------------------------------- explain reads a pipe

@pytest.mark.slow
def test_explain_reads_piped_text_without_an_argument():
    proc = subprocess.run([*BERITA, "explain"], input=ARTICLE.encode(), cwd=REPO, capture_output=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Iskandar Kamaru · Bupati" in proc.stdout.decode()
    nothing = subprocess.run([*BERITA, "explain"], stdin=subprocess.DEVNULL, cwd=REPO, capture_output=True,
                             timeout=300)
    assert nothing.returncode == 2 and b"give the article text" in nothing.stderr


# --------------------------------------------------------------------- Ctrl-C: all or nothing

def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("command", ["run", "export", "corrections apply"])
@pytest.mark.slow
def test_ctrl_c_while_writing_leaves_the_output_as_it_was(command, inputs, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert cli.main(["run", str(inputs), "--out", str(out), "--quiet", "--no-review"]) == 0
    source = tmp_path / "source"
    if command == "export":
        source = tmp_path / "s.db"
        assert cli.main(["run", str(inputs), "--into", str(source), "--quiet"]) == 0
        argv = ["export", str(source), "--out", str(out), "--no-review"]
    elif command == "corrections apply":
        assert cli.main(["run", str(inputs), "--out", str(source), "--quiet", "--no-review"]) == 0
        (tmp_path / "c.jsonl").write_text("", encoding="utf-8")
        argv = ["corrections", "apply", str(source), str(tmp_path / "c.jsonl"), "--out", str(out), "--no-review"]
    else:
        argv = ["run", str(inputs), "--out", str(out), "--no-review"]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    monkeypatch.setattr(tables.TableWriter, "write", _interrupt)
    assert cli.main(argv) == 130
    assert capsys.readouterr().err == f"\nberita {command}: interrupted; {out} left unchanged\n"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(tmp_path.glob(".out.tmp-*"))


@pytest.mark.slow
def test_ctrl_c_during_an_append_leaves_the_store_as_it_was(inputs, tmp_path, capsys, monkeypatch):
    db = tmp_path / "s.db"
    first = tmp_path / "first.jsonl"
    first.write_text(inputs.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert cli.main(["run", str(first), "--into", str(db), "--quiet"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(store_module.Append, "add", _interrupt)
    assert cli.main(["run", str(inputs), "--into", str(db)]) == 130
    assert capsys.readouterr().err == f"\nberita run: interrupted; {db} left unchanged\n"
    monkeypatch.undo()
    assert cli.main(["export", str(db), "--out", str(tmp_path / "o"), "--quiet", "--no-review"]) == 0
    rows = (tmp_path / "o" / "articles.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 2  # the header and the one article stored before
