"""The `berita` command line: run, export, eval, review, explain, rules."""
from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import stat
import sys
import time
from pathlib import Path

from .arguments import BeritaParser


def berita_version() -> str:
    """The installed package's version (pyproject.toml is its one source)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("berita")
    except PackageNotFoundError:  # a checkout on sys.path, not installed
        return "unknown"


class _Failed(Exception):
    """Ends a command with this exit status; its message is already on stderr."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def _error(command: str, message: str) -> None:
    """Every error of every command looks the same: `berita CMD: error: MESSAGE`."""
    print(f"berita {command}: error: {message}", file=sys.stderr)


@contextlib.contextmanager
def _all_or_nothing(command: str, target, rollback, errors=(OSError,)):
    """Around the writing of an output: on Ctrl-C or one of `errors` (a full disk, say) what
    was written is dropped (`rollback`), TARGET is left as it was, and the command ends
    (_Failed: 130 or 2) with one line saying so."""
    try:
        yield
    except KeyboardInterrupt:
        rollback()
        print(f"\nberita {command}: interrupted; {target} left unchanged", file=sys.stderr)
        raise _Failed(130) from None
    except errors as exc:
        rollback()
        _error(command, f"{exc}; {target} left unchanged")
        raise _Failed(2) from None
    except BaseException:
        rollback()
        raise


def count_articles(paths) -> int | None:
    """How many articles `paths` hold, counted cheaply for the progress line: one per .txt
    or .html file, a non-blank line of a .jsonl, a row of a .csv. None when unknown."""
    from .io.reading import InputError, check_paths
    try:
        files = check_paths(paths)
    except InputError:
        return None
    n = 0
    for path in files:
        suffix = path.suffix.lower()
        try:
            if suffix == ".jsonl":
                with open(path, "rb") as f:
                    n += sum(1 for line in f if line.strip())
            elif suffix == ".csv":
                with open(path, encoding="utf-8", errors="replace", newline="") as f:
                    n += max(sum(1 for row in csv.reader(f) if row) - 1, 0)  # less the header
            else:
                n += 1
        except (OSError, csv.Error):
            return None
    return n


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds // 60 % 60:02d} min"


class Progress:
    """One stderr line rewritten in place: articles done (of how many, and the percentage),
    the rate, the time left and the errors so far. Only on a terminal: a log or a pipe gets
    the final summary alone."""

    def __init__(self, enabled: bool, total: int | None = None, stream=None):
        self.enabled, self.total = enabled, total
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.last = 0.0
        self.width = 0

    def line(self, n: int, errors: int, now: float) -> str:
        elapsed = now - self.started
        rate = n / elapsed if elapsed > 0 else 0.0
        known = self.total is not None and n <= self.total
        parts = [f"{n}/{self.total} articles ({100 * n // max(self.total, 1)}%)" if known else f"{n} articles",
                 f"{rate:.1f} articles/s"]
        if known and rate > 0 and n < self.total:
            parts.append(f"{_duration((self.total - n) / rate)} left")
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
        return ", ".join(parts)

    def show(self, n: int, errors: int, final: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or not (final or now - self.last > 0.5):
            return
        self.last = now
        text = self.line(n, errors, now)
        self.stream.write("\r" + text.ljust(self.width))  # spaces wipe a longer previous line
        self.width = len(text)
        if final:
            self.stream.write("\n")
        self.stream.flush()


SHOWN_ERRORS = 3  # failed articles named at the end of a run


class Failures:
    """The first few failed articles of a run, with their reasons, for its last lines."""

    def __init__(self):
        self.first: list[tuple[str, str]] = []
        self.count = 0

    def add(self, record) -> None:
        status = record["status"] if isinstance(record, dict) else record.status
        if status != "error":
            return
        self.count += 1
        if len(self.first) < SHOWN_ERRORS:
            if not isinstance(record, dict):  # an encoded record (tables.EncodedRecord): its line
                record = json.loads(record.jsonl)
            self.first.append((record["article_id"], " ".join(str(record["error"]).split())))

    def report(self, where: str) -> str:
        if not self.count:
            return ""
        first = f", the first {len(self.first)}" if self.count > len(self.first) else ""
        head = f"{self.count} failed article{'s' if self.count != 1 else ''}{first} (every reason: {where}):"
        return "\n".join([head, *(f"  {aid}: {reason}" for aid, reason in self.first)])


def _write_review(command: str, tmp_dir: Path, out: Path) -> None:
    """review.html and its data folder review/, from the finished records, into the temporary
    directory (titled with DIR's name). The tables matter more than their review page: if it
    cannot be written (a full disk), none of it is left, a warning says so and the run goes on."""
    try:
        from .review.page import write_files
    except ImportError:
        return
    try:
        write_files(tmp_dir, tmp_dir / "records.jsonl", out.resolve().name or str(out))
    except Exception as exc:  # noqa: BLE001 -- write_files removed what it wrote
        print(f"berita {command}: warning: review.html not written ({type(exc).__name__}: {exc}); "
              f"the tables are complete", file=sys.stderr)


def _process(args, articles, encode=None):
    """(engine, records): the records of `articles`, on this machine (engine None) or on a
    Dask cluster; None when the cluster cannot be had (said on stderr)."""
    if args.engine != "dask":
        from .engine import run_articles
        return None, run_articles(articles, rules_dirs=args.rules, processes=args.processes, encode=encode)
    from .distributed import DaskEngine, DaskError
    try:
        engine = DaskEngine(args.scheduler, workers=args.processes if args.processes > 1 else None,
                            quiet=args.quiet)
    except DaskError as exc:
        _error("run", str(exc))
        return None
    return engine, engine.run_articles(articles, rules_dirs=args.rules)


def _progress(args, total=None) -> Progress:
    return Progress(not args.quiet and sys.stderr.isatty(), total)


def cmd_run(args) -> int:
    from .io.outdir import OutDirError, check_out_dir
    from .io.reading import InputError, iter_articles
    from .ruletools.rules import RuleError, cached_rules
    from .io.tables import OutputError, TableWriter, encode_record

    if args.processes < 1:
        _error("run", f"--processes must be at least 1 (got {args.processes})")
        return 2
    try:
        rules = cached_rules(args.rules or [])
        from .ruletools.rulecheck import check_rules
        problems = check_rules(args.rules or [])
        if problems:
            for p in problems:
                print(p, file=sys.stderr)
            return 2
    except RuleError as exc:
        _error("run", str(exc))
        return 2
    if args.into:
        return _run_into(args, rules.fingerprint())
    try:
        articles = iter_articles(args.paths)
        out = check_out_dir(args.out, args.paths, force=args.force)
    except (InputError, OutDirError) as exc:
        _error("run", str(exc))
        return 2
    progress = _progress(args)
    if progress.enabled:  # the count costs a pass over the inputs: only for a terminal
        progress.total = count_articles(args.paths)
    # with -j N the workers also render the table lines (the leftovers tally needs records)
    begun = _process(args, articles, encode=None if args.leftovers else encode_record)
    if begun is None:
        return 2
    engine, records = begun
    started = time.time()
    try:  # nothing is written before the inputs are known to be usable
        writer = TableWriter(out)
    except (OutputError, OSError) as exc:
        if engine is not None:
            engine.close()
        _error("run", f"cannot write the output: {exc}")
        return 2
    tally = None
    if args.leftovers:  # what no rule took, grouped by shape: leftovers.csv beside the tables
        from .ruletools.leftovers import LeftoverTally
        tally = LeftoverTally(args.rules or [])
    failures = Failures()
    try:
        with _all_or_nothing("run", args.out, writer.abort):
            n = 0
            for record in records:
                writer.write(record)
                failures.add(record)
                if tally is not None:
                    tally.add(record)
                n += 1
                if n == 1 or n % 64 == 0:  # the first row shows up at once, then every batch
                    writer.flush()
                progress.show(n, failures.count)
            progress.show(n, failures.count, final=True)
            run_info = {"berita_version": berita_version(), "started": started,
                        "seconds": round(time.time() - started, 3),
                        "inputs": [str(p) for p in args.paths], "rules_fingerprint": rules.fingerprint(),
                        "rules_dirs": [str(d) for d in (args.rules or [])], "processes": args.processes,
                        "engine": args.engine, **(engine.describe() if engine else {}),
                        "articles": n, **writer.counts}
            if tally is not None:
                tally.write(writer.tmp_dir / "leftovers.csv")
            writer.close(run_info)
            if not args.no_review:  # written before the swap, so DIR never lacks it
                _write_review("run", writer.tmp_dir, out)
            writer.commit()
    finally:
        if engine is not None:
            engine.close()
    ok, errors = writer.counts["ok"], writer.counts["error"]
    if not args.quiet:
        print(f"{n} articles: {ok} ok, {errors} errors → {args.out}", file=sys.stderr)
        if failures.count:
            print(failures.report(f"{args.out}/articles.csv, column error"), file=sys.stderr)
    if args.strict and errors:
        return 1
    return 0


def _run_into(args, fingerprint: str) -> int:
    """`berita run NEW... --into STORE`: only the articles not in the store yet (and with
    --rerun-stale those from another rule set) are processed, in one transaction."""
    import itertools
    from .io.reading import InputError, iter_articles
    from .io.store import Append, Store, StoreError

    try:
        articles = iter_articles(args.paths) if args.paths else iter(())
        store = Store(args.into)
    except (InputError, StoreError) as exc:
        _error("run", str(exc))
        return 2
    append = Append(store, fingerprint)
    engine = None
    failures = Failures()
    try:
        with _all_or_nothing("run", args.into, append.rollback, errors=(StoreError, OSError)):
            todo = append.select(articles)
            if args.rerun_stale:  # after the inputs, so an article given again is not processed twice
                todo = itertools.chain(todo, append.stale())
            begun = _process(args, todo)
            if begun is None:
                append.rollback()
                return 2
            engine, records = begun
            progress = _progress(args)  # no total: the articles already stored are not known yet
            n = 0
            for record in records:
                append.add(record)
                failures.add(record)
                n += 1
                progress.show(n, failures.count)
            progress.show(n, failures.count, final=True)
            append.commit()
    finally:
        if engine is not None:
            engine.close()
        store.close()
    c = append.counts
    if not args.quiet:
        print(f"{n} articles processed: {c['added']} added, {c['replaced']} replaced, {c['ok']} ok, "
              f"{c['error']} errors; {c['skipped']} skipped (already in the store) → {args.into}", file=sys.stderr)
        if failures.count:
            print(failures.report(f"`berita export {args.into}`: articles.csv, column error"), file=sys.stderr)
    if args.strict and c["error"]:
        return 1
    return 0


def _write_tables(command: str, args, out: Path, records, run_info: dict, errors=(OSError,)) -> int:
    """Write `records` into --out DIR as a run writes it (tables, records.jsonl, run.json and,
    unless --no-review, the page), all or nothing; the number of records. `errors` raised
    while reading the records end the command with their one-line message."""
    from .io.tables import OutputError, TableWriter
    started = time.time()
    try:
        writer = TableWriter(out)
    except (OutputError, OSError) as exc:
        _error(command, f"cannot write the output: {exc}")
        raise _Failed(2) from None
    with _all_or_nothing(command, args.out, writer.abort, errors=errors):
        n = 0
        for record in records:
            writer.write(record)
            n += 1
        writer.close({"berita_version": berita_version(), "started": started,
                      "seconds": round(time.time() - started, 3), **run_info, "articles": n, **writer.counts})
        if not args.no_review:
            _write_review(command, writer.tmp_dir, out)
        writer.commit()
    return n


def cmd_export(args) -> int:
    """`berita export STORE --out DIR`: the files of a run over the stored articles."""
    from .io.outdir import OutDirError, check_out_dir
    from .io.store import Store, StoreError

    try:
        out = check_out_dir(args.out, [args.store], force=args.force)
        store = Store(args.store, read_only=True)
    except (OutDirError, StoreError) as exc:
        _error("export", str(exc))
        return 2
    try:
        n = _write_tables("export", args, out, store.records(),
                          {"exported_from": str(args.store), "rules_fingerprints": store.fingerprints()})
    finally:
        store.close()
    if not args.quiet:
        print(f"{n} articles → {args.out}", file=sys.stderr)
    return 0


def _run_dir(command: str, run_dir: str, corrections: str) -> Path:
    """RUN_DIR, checked to be a berita output, and the corrections file to exist."""
    path = Path(run_dir)
    if not (path / "records.jsonl").is_file():
        _error(command, f"{run_dir}: no records.jsonl (not a berita output directory)")
        raise _Failed(2)
    if not Path(corrections).is_file():
        _error(command, f"{corrections}: no such file")
        raise _Failed(2)
    return path


def cmd_corrections_apply(args) -> int:
    """`berita corrections apply RUN_DIR FILE --out DIR`: the run's files with the verdicts applied."""
    from .io.outdir import OutDirError, check_out_dir
    from .review.corrections import CorrectionError, corrected_records
    command = "corrections apply"
    run_dir = _run_dir(command, args.run_dir, args.corrections)
    try:
        out = check_out_dir(args.out, [args.run_dir, args.corrections], force=args.force)
    except OutDirError as exc:
        _error(command, str(exc))
        return 2
    try:
        with open(run_dir / "run.json", encoding="utf-8") as f:
            fingerprint = json.load(f).get("rules_fingerprint")
    except (OSError, ValueError, AttributeError):
        fingerprint = None
    applied: dict[str, int] = {}
    records = (record for record, _ in corrected_records(run_dir, args.corrections, applied))
    n = _write_tables(command, args, out, records, {"corrected_from": str(args.run_dir),
                                                    "corrections": str(args.corrections),
                                                    "rules_fingerprint": fingerprint, "verdicts": applied},
                     errors=(OSError, CorrectionError, ValueError))  # ValueError: records.jsonl unreadable
    if not args.quiet:
        counts = ", ".join(f"{applied.get(v, 0)} {v}" for v in ("correct", "wrong", "edited", "added"))
        print(f"{n} articles, verdicts applied: {counts} → {args.out}", file=sys.stderr)
    return 0


def cmd_corrections_gold(args) -> int:
    """`berita corrections gold RUN_DIR FILE [--out FILE]`: gold records of the reviewed articles."""
    from .review.corrections import CorrectionError, corrected_records, gold_record
    command = "corrections gold"
    run_dir = _run_dir(command, args.run_dir, args.corrections)
    if args.out:
        target = Path(os.path.abspath(args.out))
        if target == Path(os.path.abspath(args.corrections)) or run_dir.resolve() in target.resolve().parents:
            _error(command, f"--out {args.out}: would overwrite the corrections or write into RUN_DIR")
            return 2
    lines, skipped = [], 0
    try:
        for record, reviewed in corrected_records(run_dir, args.corrections, {}):
            if reviewed:
                lines.append(json.dumps(gold_record(record), ensure_ascii=False) + "\n")
            else:
                skipped += 1
    except (CorrectionError, ValueError) as exc:
        _error(command, str(exc))
        return 2
    if args.out:  # whole or not at all: a temporary file renamed over FILE
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.writelines(lines)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            _error(command, f"cannot write {args.out}: {exc}")
            return 2
    else:
        sys.stdout.writelines(lines)
    if not args.quiet:
        print(f"{len(lines)} gold records; {skipped} articles skipped (not every value has a verdict)"
              + (f" → {args.out}" if args.out else ""), file=sys.stderr)
    return 0


def cmd_diff(args) -> int:
    """`berita diff RUN_A RUN_B`: the values that appear, disappear or change."""
    from .ruletools.diff import diff_runs, render, write
    for run in (args.run_a, args.run_b):
        if not (Path(run) / "records.jsonl").is_file():
            _error("diff", f"{run}: no records.jsonl (not a berita output directory)")
            return 2
    try:
        changes = diff_runs(args.run_a, args.run_b)
        if args.format == "text":
            print(render(list(changes), args.run_a, args.run_b))
        else:
            write(changes, args.format)
    except ValueError as exc:  # a line of records.jsonl that is not a record
        _error("diff", str(exc))
        return 2
    return 0


def build_parser() -> BeritaParser:
    p = BeritaParser(prog="berita", description="Grounded information extraction from Indonesian news.")
    p.add_argument("--version", action="version", version=f"berita {berita_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p.commands = {}  # "run", "corrections apply", ...: the parser whose usage an error shows

    run = sub.add_parser("run", help="extract tables from .txt/.jsonl/.csv/.html files or directories",
                         description="Extract tables from .txt/.jsonl/.csv/.html files or directories.")
    run.add_argument("paths", nargs="*", metavar="PATH",
                     help="input files or directories (walked for .txt, .jsonl, .csv, .html, .htm)")
    target = run.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", metavar="DIR",
                        help="output directory, replaced atomically when the run completes; it must be new, "
                             "empty or an earlier berita output")
    target.add_argument("--into", metavar="STORE",
                        help="a DuckDB file to add the articles to (created if missing); articles already in "
                             "it are skipped, a known id with a new text replaced")
    run.add_argument("--rerun-stale", action="store_true",
                     help="with --into: also reprocess the stored articles whose rows came from another "
                          "rule set (from the text kept in the store)")
    run.add_argument("--force", action="store_true",
                     help="replace --out even when it holds files berita did not write "
                          "(never when it holds an input)")
    run.add_argument("--rules", action="append", default=[], metavar="DIR",
                     help="a rules directory layered over the built-in rules (repeatable)")
    run.add_argument("--processes", "-j", type=int, default=1, metavar="N",
                     help="worker processes (with --engine dask and no --scheduler: local Dask workers; "
                          "default there: one per CPU)")
    run.add_argument("--engine", choices=["local", "dask"], default="local",
                     help="local: this machine (multiprocessing with -j); dask: a Dask cluster")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                          "(with --engine dask; default: start a local cluster)")
    run.add_argument("--no-review", action="store_true", help="do not write review.html")
    run.add_argument("--leftovers", action="store_true",
                     help="also write leftovers.csv: phrasings no rule took, ranked by how often their shape occurs")
    run.add_argument("--strict", action="store_true", help="exit 1 when any article failed")
    run.add_argument("--quiet", "-q", action="store_true",
                     help="no progress line and no summary on stderr (errors are still shown)")
    run.set_defaults(func=cmd_run)
    p.commands["run"] = run

    exp = sub.add_parser("export", help="write the tables, records.jsonl and review page of a --into store",
                         description="Write the tables, records.jsonl and review page of a --into store.")
    exp.add_argument("store", metavar="STORE", help="the DuckDB file `berita run --into` filled")
    exp.add_argument("--out", required=True, metavar="DIR", help="output directory, as for `berita run --out`")
    exp.add_argument("--force", action="store_true", help="as for `berita run --force`")
    exp.add_argument("--no-review", action="store_true", help="do not write review.html")
    exp.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")
    exp.set_defaults(func=cmd_export)
    p.commands["export"] = exp

    cor = sub.add_parser("corrections", help="apply a reviewer's corrections.jsonl, or make gold records of it",
                         description="A reviewer's verdicts (corrections.jsonl from review.html, "
                                     "docs/CORRECTIONS.md) applied to the run they were made on.")
    p.commands["corrections"] = cor
    actions = cor.add_subparsers(dest="action", required=True, metavar="ACTION")
    apply = actions.add_parser("apply", help="the run's tables with the verdicts applied",
                               description="Write the run's files (tables, records.jsonl, run.json, review page) "
                                           "with the verdicts applied: wrong values removed, edited ones "
                                           "replaced, added ones inserted.")
    gold = actions.add_parser("gold", help="gold records (ANNOTATION.md) of the fully reviewed articles",
                              description="Write gold records (ANNOTATION.md's format) for the articles whose "
                                          "every scored value has a verdict; the others are skipped and counted.")
    for action in (apply, gold):
        action.add_argument("run_dir", metavar="RUN_DIR", help="the berita output the page was made from")
        action.add_argument("corrections", metavar="CORRECTIONS",
                            help="corrections.jsonl exported by review.html (later lines win)")
        action.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")
    apply.add_argument("--out", required=True, metavar="DIR", help="output directory, as for `berita run --out`")
    apply.add_argument("--force", action="store_true", help="as for `berita run --force`")
    apply.add_argument("--no-review", action="store_true", help="do not write review.html")
    apply.set_defaults(func=cmd_corrections_apply)
    gold.add_argument("--out", metavar="FILE", help="the gold .jsonl to write (default: stdout)")
    gold.set_defaults(func=cmd_corrections_gold)
    p.commands["corrections apply"], p.commands["corrections gold"] = apply, gold

    df = sub.add_parser("diff", help="values that appear, disappear or change between two runs",
                        description="Values that appear (+), disappear (-) or change (~) between two runs of "
                                    "the same input, per article; a value is known by its field and offsets.")
    df.add_argument("run_a", metavar="RUN_A", help="the earlier output directory")
    df.add_argument("run_b", metavar="RUN_B", help="the later output directory")
    df.add_argument("--format", choices=["text", "jsonl", "csv"], default="text",
                    help="text for a terminal (default), jsonl or csv (one row per change) for tools")
    df.set_defaults(func=cmd_diff)
    p.commands["diff"] = df

    ev = sub.add_parser("eval", help="score a run against gold records (same figures as score.py)", add_help=False)
    ev.set_defaults(func=None, delegate="eval")
    rv = sub.add_parser("review", help="write OUTDIR/review.html", add_help=False)
    rv.set_defaults(func=None, delegate="review")
    ex = sub.add_parser("explain", help="show sentences, values with rule ids, and leftovers", add_help=False)
    ex.set_defaults(func=None, delegate="explain")
    ru = sub.add_parser("rules", help="rules test | rules check", add_help=False)
    ru.set_defaults(func=None, delegate="rules")
    return p


def main(argv: list[str] | None = None) -> int:
    if argv is None and hasattr(signal, "SIGPIPE"):
        # `berita eval ... | head` ends quietly, as other command-line tools do
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(argv)
    except _Failed as failed:
        return failed.status
    except KeyboardInterrupt:  # before a run has its own handler (e.g. during imports)
        print("\nberita: interrupted", file=sys.stderr)
        return 130


def _stdin_piped() -> bool:
    """stdin is a pipe or a file (`... | berita explain`, `< file`), not a terminal or /dev/null."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (AttributeError, OSError, ValueError):  # closed, or replaced by an object without a file
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode)


def _explain_argv(argv: list[str]) -> list[str]:
    """`berita explain` with no text and no --id/--input reads the text piped to it."""
    from .ruletools.explain import _parser
    args, _ = _parser().parse_known_args(argv)
    if args.text is None and not args.input and not args.article_id and _stdin_piped():
        return [*argv, "-"]
    return argv


def _dispatch(argv: list[str]) -> int:
    # sub-commands owned by their own modules parse their own arguments
    if argv and argv[0] in ("eval", "review", "explain", "rules"):
        module = {"eval": "ruletools.evaluation", "review": "review.page", "explain": "ruletools.explain",
                  "rules": "ruletools.rulecheck"}[argv[0]]
        rest = _explain_argv(argv[1:]) if argv[0] == "explain" else argv[1:]
        import importlib
        return importlib.import_module(f"pipeline.{module}").main(rest)
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    command = parser.commands[" ".join(filter(None, (args.command, getattr(args, "action", None))))]
    if unknown:  # said by the sub-command, with its usage, not by `berita`
        command.error(f"unrecognized arguments: {' '.join(unknown)}")
    if getattr(args, "scheduler", None) and args.engine != "dask":
        command.error("--scheduler needs --engine dask")
    if args.command == "run":
        if not args.paths and not args.rerun_stale:
            command.error("the following arguments are required: PATH")
        if args.rerun_stale and not args.into:
            command.error("--rerun-stale needs --into")
        for flag in ("force", "leftovers"):  # they concern an output directory
            if args.into and getattr(args, flag):
                command.error(f"--{flag} goes with --out, not --into")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
