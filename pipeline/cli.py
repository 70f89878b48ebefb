"""The `berita` command line: run, export, eval, review, explain, rules."""
from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path


def berita_version() -> str:
    """The installed package's version (pyproject.toml is its one source)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("berita")
    except PackageNotFoundError:  # a checkout on sys.path, not installed
        return "unknown"


def _progress(enabled: bool):
    last = [0.0]

    def show(n: int, errors: int, final: bool = False):
        now = time.monotonic()
        if enabled and (final or now - last[0] > 0.5):
            last[0] = now
            sys.stderr.write(f"\r{n} articles, {errors} errors")
            if final:
                sys.stderr.write("\n")
            sys.stderr.flush()
    return show


def _write_review(tmp_dir: Path, out: Path) -> None:
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
        print(f"berita: warning: review.html not written ({type(exc).__name__}: {exc}); "
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
        print(f"berita: error: {exc}", file=sys.stderr)
        return None
    return engine, engine.run_articles(articles, rules_dirs=args.rules)


def cmd_run(args) -> int:
    from .io.outdir import OutDirError, check_out_dir
    from .io.reading import InputError, iter_articles
    from .ruletools.rules import RuleError, cached_rules
    from .io.tables import OutputError, TableWriter, encode_record

    if args.processes < 1:
        print(f"berita: error: --processes must be at least 1 (got {args.processes})", file=sys.stderr)
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
        print(f"berita: error: {exc}", file=sys.stderr)
        return 2
    if args.into:
        return _run_into(args, rules.fingerprint())
    try:
        articles = iter_articles(args.paths)
        out = check_out_dir(args.out, args.paths, force=args.force)
    except (InputError, OutDirError) as exc:
        print(f"berita: error: {exc}", file=sys.stderr)
        return 2
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
        print(f"berita: error: cannot write the output: {exc}", file=sys.stderr)
        return 2
    show = _progress(not args.quiet and sys.stderr.isatty())
    tally = None
    if args.leftovers:  # what no rule took, grouped by shape: leftovers.csv beside the tables
        from .ruletools.leftovers import LeftoverTally
        tally = LeftoverTally(args.rules or [])
    try:
        n = 0
        for record in records:
            writer.write(record)
            if tally is not None:
                tally.add(record)
            n += 1
            if n == 1 or n % 64 == 0:  # the first row shows up at once, then every batch
                writer.flush()
            show(n, writer.counts["error"])
        show(n, writer.counts["error"], final=True)
        run_info = {"berita_version": berita_version(), "started": started, "seconds": round(time.time() - started, 3),
                    "inputs": [str(p) for p in args.paths], "rules_fingerprint": rules.fingerprint(),
                    "rules_dirs": [str(d) for d in (args.rules or [])], "processes": args.processes,
                    "engine": args.engine, **(engine.describe() if engine else {}),
                    "articles": n, **writer.counts}
        if tally is not None:
            tally.write(writer.tmp_dir / "leftovers.csv")
        writer.close(run_info)
        if not args.no_review:  # written before the swap, so DIR never lacks it
            _write_review(writer.tmp_dir, out)
        writer.commit()
    except KeyboardInterrupt:
        writer.abort()
        print(f"\nberita: interrupted; {args.out} left unchanged", file=sys.stderr)
        return 130
    except OSError as exc:  # e.g. the disk filled up
        writer.abort()
        print(f"berita: error: {exc}; {args.out} left unchanged", file=sys.stderr)
        return 2
    except BaseException:
        writer.abort()
        raise
    finally:
        if engine is not None:
            engine.close()
    ok, errors = writer.counts["ok"], writer.counts["error"]
    if not args.quiet:
        print(f"{n} articles: {ok} ok, {errors} errors → {args.out}", file=sys.stderr)
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
        print(f"berita: error: {exc}", file=sys.stderr)
        return 2
    append = Append(store, fingerprint)
    engine = None
    try:
        todo = append.select(articles)
        if args.rerun_stale:  # after the inputs, so an article given again is not processed twice
            todo = itertools.chain(todo, append.stale())
        begun = _process(args, todo)
        if begun is None:
            append.rollback()
            return 2
        engine, records = begun
        show = _progress(not args.quiet and sys.stderr.isatty())
        n = 0
        for record in records:
            append.add(record)
            n += 1
            show(n, append.counts["error"])
        show(n, append.counts["error"], final=True)
        append.commit()
    except KeyboardInterrupt:
        append.rollback()
        print(f"\nberita: interrupted; {args.into} left unchanged", file=sys.stderr)
        return 130
    except (StoreError, OSError) as exc:
        append.rollback()
        print(f"berita: error: {exc}; {args.into} left unchanged", file=sys.stderr)
        return 2
    except BaseException:
        append.rollback()
        raise
    finally:
        if engine is not None:
            engine.close()
        store.close()
    c = append.counts
    if not args.quiet:
        print(f"{n} articles processed: {c['added']} added, {c['replaced']} replaced, {c['ok']} ok, "
              f"{c['error']} errors; {c['skipped']} skipped (already in the store) → {args.into}", file=sys.stderr)
    if args.strict and c["error"]:
        return 1
    return 0


def cmd_export(args) -> int:
    """`berita export STORE --out DIR`: the files of a run over the stored articles."""
    from .io.outdir import OutDirError, check_out_dir
    from .io.store import Store, StoreError
    from .io.tables import OutputError, TableWriter

    try:
        out = check_out_dir(args.out, [args.store], force=args.force)
        store = Store(args.store, read_only=True)
    except (OutDirError, StoreError) as exc:
        print(f"berita: error: {exc}", file=sys.stderr)
        return 2
    started = time.time()
    try:
        try:
            writer = TableWriter(out)
        except (OutputError, OSError) as exc:
            print(f"berita: error: cannot write the output: {exc}", file=sys.stderr)
            return 2
        try:
            n = 0
            for record in store.records():
                writer.write(record)
                n += 1
            run_info = {"berita_version": berita_version(), "started": started,
                        "seconds": round(time.time() - started, 3), "exported_from": str(args.store),
                        "rules_fingerprints": store.fingerprints(), "articles": n, **writer.counts}
            writer.close(run_info)
            if not args.no_review:
                _write_review(writer.tmp_dir, out)
            writer.commit()
        except KeyboardInterrupt:
            writer.abort()
            print(f"\nberita: interrupted; {args.out} left unchanged", file=sys.stderr)
            return 130
        except OSError as exc:
            writer.abort()
            print(f"berita: error: {exc}; {args.out} left unchanged", file=sys.stderr)
            return 2
        except BaseException:
            writer.abort()
            raise
    finally:
        store.close()
    if not args.quiet:
        print(f"{n} articles → {args.out}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="berita", description="Grounded information extraction from Indonesian news.")
    p.add_argument("--version", action="version", version=f"berita {berita_version()}")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="extract tables from .txt/.jsonl/.csv/.html files or directories")
    run.add_argument("paths", nargs="*")
    target = run.add_mutually_exclusive_group(required=True)
    target.add_argument("--out",
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
    run.add_argument("--processes", "-j", type=int, default=1,
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
    run.add_argument("--quiet", "-q", action="store_true")
    run.set_defaults(func=cmd_run)

    exp = sub.add_parser("export", help="write the tables, records.jsonl and review page of a --into store")
    exp.add_argument("store")
    exp.add_argument("--out", required=True, help="output directory, as for `berita run --out`")
    exp.add_argument("--force", action="store_true", help="as for `berita run --force`")
    exp.add_argument("--no-review", action="store_true", help="do not write review.html")
    exp.add_argument("--quiet", "-q", action="store_true")
    exp.set_defaults(func=cmd_export)

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
    except KeyboardInterrupt:  # before a run has its own handler (e.g. during imports)
        print("\nberita: interrupted", file=sys.stderr)
        return 130


def _dispatch(argv: list[str]) -> int:
    # sub-commands owned by their own modules parse their own arguments
    if argv and argv[0] in ("eval", "review", "explain", "rules"):
        module = {"eval": "ruletools.evaluation", "review": "review.page", "explain": "ruletools.explain",
                  "rules": "ruletools.rulecheck"}[argv[0]]
        import importlib
        return importlib.import_module(f"pipeline.{module}").main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "scheduler", None) and args.engine != "dask":
        parser.error("--scheduler needs --engine dask")
    if args.command == "run":
        if not args.paths and not args.rerun_stale:
            parser.error("the following arguments are required: paths")
        if args.rerun_stale and not args.into:
            parser.error("--rerun-stale needs --into")
        for flag in ("force", "leftovers"):  # they concern an output directory
            if args.into and getattr(args, flag):
                parser.error(f"--{flag} goes with --out, not --into")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
