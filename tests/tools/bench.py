"""`python -m tests.tools.bench --dev PATH [--n 20000] [--small 2000]`: how fast is berita?

One run measures, side by side on the same texts (articles made by cycling the dev
articles, ids made unique, written to temporary JSONL files):

* the floor: ``spacy.blank("id")`` tokenizing the N texts with ``nlp.pipe`` (built first,
  build time not counted), as the issue defines it; beside it, for information, the
  tokenizer berita runs (spaCy's punctuation rules without the special cases), which is
  much faster, so the ratio to the floor is met partly by that choice;
* berita in-process: the annotation pipeline over a subsample with the pipeline already
  built and nothing written (the steady state);
* berita end to end: ``berita run FILE --out DIR --no-review --quiet`` through the real
  CLI code path (``python -m pipeline.cli`` in a fresh subprocess), with 1 and with 2
  processes, on N articles (the throughput runs: an archive is hundreds of thousands of
  articles, so the throughput ratios are taken there) and on SMALL articles (the short
  run: memory at that size, the first row, and the ratios of a run where start-up
  weighs in, reported for information). Each: wall time from spawn to exit (interpreter
  start, imports, pipeline build, reading, writing the tables included), CPU time and
  peak resident memory (``os.wait4`` rusage of that child; with 2 processes this is
  the largest single process, the sampled sum over the process tree is reported beside
  it), and the time from spawn until the first data row of ``articles.csv`` is on disk
  in the run's temporary directory (``.NAME.tmp-*``);
* berita end to end with the review page (``review.html`` and ``review/``) on, with 2
  processes, on N and on SMALL articles, once each: the page's memory, size and time
  (the runs above leave it out, so their throughput is the tables');
* ``dateparser.search.search_dates(text, languages=["id"])`` on a subsample;
* the store and events (issue 16): a store of STORE_N articles synthesized from the dev
  records (each a dev record with half its words replaced, a random regency of the dev
  set, a random event date or none, counts redrawn: like an archive, few of them report
  one event; built without the pipeline), then ``berita run ADD_N.jsonl --into`` a copy
  of it against the same run into an empty store (the cost of a large store, regrouping
  it included), and grouping the STORE_N articles into events from the stored keys in a
  fresh process (``--group-store``); wall time and peak memory of each.

Each measurement runs ``--repeat`` times (default 2; the berita runs interleaved) and
the fastest run is reported, all wall times are kept in the JSON.

It prints a table and the ratios against the targets and writes everything, with the
machine's description and load averages, to outputs/bench.json. The machine may be
shared: the load average before each measurement is recorded, and throughput figures
taken under load understate berita (CPU seconds per article are reported too).
"""
from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]  # `python -m tests.tools.bench` runs from here
TARGETS = {
    "berita_vs_floor": 0.5,        # berita 1-process articles/s >= 0.5 x tokenizer floor
    "berita_vs_dateparser": 15.0,  # >= 15 x dateparser.search_dates
    "two_vs_one_process": 1.7,     # 2 processes >= 1.7 x 1 process
    "peak_rss_mb": 400.0,          # peak resident memory of a run (SMALL and N articles)
    "rss_big_vs_n": 1.10,          # memory at N within 10 % of memory at SMALL (page off and on)
    "first_row_s": 2.0,            # first table row on disk within 2 s of starting
    "add_vs_alone": 1.15,          # adding ADD_N articles to a store of STORE_N within 15 % of an empty store
    "group_s": 60.0,               # grouping STORE_N articles into events under a minute
}


# ----------------------------------------------------------------------------- inputs

def load_dev(path: Path) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict) and isinstance(obj.get("text"), str) and obj.get("id") is not None:
                out.append(obj)
    if not out:
        raise SystemExit(f"bench: no usable articles in {path}")
    return out


def cycled(dev: list[dict], n: int):
    """N articles cycling the dev set; ids made unique (`<id>~<i>`)."""
    for i in range(n):
        obj = dict(dev[i % len(dev)])
        obj["id"] = f"{obj['id']}~{i}"
        yield obj


def write_corpus(dev: list[dict], n: int, path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for obj in cycled(dev, n):
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return path


# ---------------------------------------------------------------------------- machine

def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _mem_total_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _version(module: str) -> str | None:
    try:
        from importlib.metadata import version
        return version(module)
    except Exception:
        return None


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=Path(__file__).resolve().parent.parent,
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() if out.returncode == 0 else None
    except Exception:
        return None


def machine_info() -> dict:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu_count": os.cpu_count(), "cpus_usable": usable, "cpu_model": _cpu_model(),
        "memory_mb": _mem_total_mb(), "platform": platform.platform(),
        "python": platform.python_version(), "python_implementation": platform.python_implementation(),
        "spacy": _version("spacy"), "dateparser": _version("dateparser"), "regex": _version("regex"),
        "dask": _version("dask"), "distributed": _version("distributed"), "berita": _version("berita"),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ----------------------------------------------------------------------- measurements

def measure_floor(texts: list[str]) -> dict:
    import spacy
    t = time.perf_counter()
    nlp = spacy.blank("id")
    build = time.perf_counter() - t
    for _ in nlp.pipe(texts[:20]):  # warm-up
        pass
    load = loadavg()
    t = time.perf_counter()
    c = time.process_time()
    for _ in nlp.pipe(texts):
        pass
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    return {"articles": len(texts), "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
            "articles_per_s": round(len(texts) / wall, 1), "build_seconds": round(build, 3), "loadavg": load}


def measure_berita_tokenizer(texts: list[str]) -> dict:
    """The tokenizer berita itself runs (spaCy's punctuation rules without the special
    cases, pipeline/extractors/tokenizer.py), for information beside the floor."""
    from pipeline.nlp import build_nlp
    tokenizer = build_nlp().tokenizer
    for _ in tokenizer.pipe(texts[:20]):  # warm-up
        pass
    t = time.perf_counter()
    for _ in tokenizer.pipe(texts):
        pass
    wall = time.perf_counter() - t
    return {"articles": len(texts), "seconds": round(wall, 3), "cpu_seconds": round(wall, 3),
            "articles_per_s": round(len(texts) / wall, 1), "loadavg": loadavg()}


def measure_inprocess(articles: list[dict]) -> dict:
    """berita's annotation + record building, pipeline pre-built, nothing written."""
    from pipeline.engine import _run_batch, batches
    from pipeline.nlp import build_nlp
    from pipeline.io.reading import Article
    t = time.perf_counter()
    nlp = build_nlp()
    build = time.perf_counter() - t
    items = [Article(id=a["id"], text=a["text"], url=a.get("url"), published=a.get("published"),
                     title=a.get("title")) for a in articles]
    _run_batch(nlp, items[:8])  # warm-up
    load = loadavg()
    t = time.perf_counter()
    c = time.process_time()
    n = sum(len(_run_batch(nlp, b)) for b in batches(items, 64))
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    return {"articles": n, "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
            "articles_per_s": round(n / wall, 1), "build_seconds": round(build, 3), "loadavg": load}


def measure_dateparser(texts: list[str]) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from dateparser.search import search_dates
        search_dates("Senin, 3 Februari 2025", languages=["id"])  # loads the language data
        load = loadavg()
        t = time.perf_counter()
        c = time.process_time()
        for text in texts:
            search_dates(text, languages=["id"])
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    return {"articles": len(texts), "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
            "articles_per_s": round(len(texts) / wall, 1), "loadavg": load}


def _first_row_on_disk(out: Path) -> bool:
    for csv_path in glob.glob(str(out.parent / f".{out.name}.tmp-*" / "articles.csv")):
        try:
            with open(csv_path, "rb") as f:
                if f.read(1 << 16).count(b"\n") >= 2:  # header + one data row
                    return True
        except OSError:
            pass
    return False


def _tree_rss_mb(pid: int) -> float | None:
    try:
        import psutil
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
        total = 0
        for q in procs:
            try:
                total += q.memory_info().rss
            except psutil.Error:
                pass
        return total / 2**20
    except Exception:
        return None


def run_berita(corpus: Path, n: int, processes: int, workdir: Path, review: bool = False) -> dict:
    """`berita run` in a fresh subprocess: wall, CPU, peak RSS, first row on disk; with
    `review`, the review page is written too and its size reported."""
    out = workdir / f"out-{n}-j{processes}{'-review' if review else ''}"
    log = workdir / f"stderr-{n}-j{processes}.txt"
    cmd = [sys.executable, "-m", "pipeline.cli", "run", str(corpus), "--out", str(out),
           *([] if review else ["--no-review"]), "--quiet", "--processes", str(processes)]
    load = loadavg()
    with open(log, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        first_row = None
        tree_peak = 0.0
        next_sample = t0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            now = time.perf_counter()
            if pid:
                break
            if first_row is None and _first_row_on_disk(out):
                first_row = now - t0
            if now >= next_sample:
                tree_peak = max(tree_peak, _tree_rss_mb(proc.pid) or 0.0)
                next_sample = now + 0.25
            time.sleep(0.005 if first_row is None else 0.05)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench: berita run failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                         + log.read_text(encoding="utf-8", errors="replace")[-2000:])
    rows = sum(1 for _ in open(out / "records.jsonl", "rb"))
    if rows != n:
        raise SystemExit(f"bench: berita wrote {rows} records for {n} articles")
    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    # ru_maxrss is in KiB on Linux (bytes on macOS)
    rss_mb = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 1024)
    result = {"articles": n, "processes": processes, "seconds": round(wall, 3),
              "articles_per_s": round(n / wall, 1),
              "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
              "run_json_seconds": run_json.get("seconds"),
              "peak_rss_mb": round(rss_mb, 1), "tree_rss_sampled_peak_mb": round(tree_peak, 1),
              "first_row_s": round(first_row, 3) if first_row is not None else None,
              "errors": run_json.get("error"), "loadavg": load, "review": review}
    if review:
        if not (out / "review.html").is_file():
            raise SystemExit("bench: berita wrote no review page\n"
                             + log.read_text(encoding="utf-8", errors="replace")[-2000:])
        result["review_html_mb"] = round((out / "review.html").stat().st_size / 2**20, 2)
        result["review_data_mb"] = round(sum(p.stat().st_size for p in (out / "review").iterdir()) / 2**20, 2)
    shutil.rmtree(out, ignore_errors=True)
    return result


# ----------------------------------------------------------------------- store and events

def synthetic_records(records: list[dict], n: int):
    """N records varied from processed dev records (see the module docstring): no two of
    them are near-duplicates, and they spread over the dev set's regencies and five years."""
    rng = random.Random(16)
    places = sorted({(r["regency_code"], r["regency_name"], r["province_name"]) for r in records if r["regency_code"]})
    start = datetime.date(2021, 1, 1).toordinal()
    for i in range(n):
        record = dict(records[i % len(records)])
        record["article_id"] = f"{record['article_id']}~s{i}"
        record["text"] = " ".join(w if rng.random() < 0.5 else f"w{rng.randrange(10 ** 6)}"
                                  for w in record["text"].split())
        record["boilerplate"] = []  # ranges of the text it replaced
        code, name, province = rng.choice(places)
        record.update(regency_code=code, regency_name=name, province_name=province)
        record["event_date"] = None if rng.random() < 1 / 3 else \
            datetime.date.fromordinal(start + rng.randrange(5 * 365)).isoformat()
        record["participants"] = [dict(p, count=rng.randrange(10, 100000)) for p in record["participants"]]
        yield record


def build_store(records: list[dict], n: int, path: Path) -> dict:
    """A store of N synthetic records, added as `berita run --into` adds them."""
    from pipeline.io.reading import Article
    from pipeline.io.store import Append, Store
    from pipeline.ruletools.rules import cached_rules
    t = time.perf_counter()
    store = Store(path)
    append = Append(store, cached_rules().fingerprint())
    for record in synthetic_records(records, n):
        for _ in append.select([Article(id=record["article_id"], text=record["text"])]):
            append.add(record)
    append.commit()
    store.close()
    return {"articles": n, "seconds": round(time.perf_counter() - t, 3)}


def group_store(path: Path) -> dict:
    """`--group-store`: the store's articles grouped into events (run in a fresh process)."""
    from pipeline.events import event_rows, group
    from pipeline.io.store import Store
    t = time.perf_counter()
    store = Store(path, read_only=True)
    keys = store.event_keys()
    store.close()
    loaded = time.perf_counter()
    firsts = group(keys)
    events = event_rows(keys, firsts)
    done = time.perf_counter()
    return {"articles": len(keys), "events": len(events), "load_seconds": round(loaded - t, 3),
            "group_seconds": round(done - loaded, 3)}


def spawn(cmd: list[str], log: Path) -> dict:
    """A command in a fresh subprocess: wall time, CPU time, peak resident memory (sampled
    every 0.1 s: the rusage maximum of a child also counts this process, which it was
    forked from, and this one holds the pipeline by now)."""
    load = loadavg()
    with open(log, "wb") as err, tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=REPO)
        peak = 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _tree_rss_mb(proc.pid) or 0.0)
            time.sleep(0.1)
        wall = time.perf_counter() - t0
        out.seek(0)
        printed = out.read().decode("utf-8", "replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench: failed: {' '.join(cmd)}\n"
                         + log.read_text(encoding="utf-8", errors="replace")[-2000:])
    return {"seconds": round(wall, 3), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_mb": round(peak, 1), "loadavg": load, "stdout": printed}


def measure_store(dev: list[dict], store_n: int, add_n: int, repeat: int, work: Path) -> dict:
    """Adding ADD_N articles to a store of STORE_N against adding them to an empty store,
    and grouping the STORE_N articles into events."""
    processed = work / "dev-records"
    src = write_corpus(dev, len(dev), work / "dev.jsonl")
    if subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(src), "--out", str(processed), "--quiet",
                       "--no-review"]).returncode != 0:
        raise SystemExit("bench: berita run over the dev articles failed")
    records = [json.loads(line) for line in open(processed / "records.jsonl", encoding="utf-8")]
    big = work / "big.duckdb"
    built = build_store(records, store_n, big)
    # the new articles: dev texts made new to the store by a tag line
    new = work / f"new-{add_n}.jsonl"
    with open(new, "w", encoding="utf-8") as f:
        for i, obj in enumerate(cycled(dev, add_n)):
            f.write(json.dumps(dict(obj, text=f"[{i}]\n{obj['text']}"), ensure_ascii=False) + "\n")
    runs: dict[str, list] = {"into_big": [], "into_empty": []}
    for _ in range(max(1, repeat)):  # interleaved, so a burst of load hits both alike
        for key in runs:
            target = work / f"{key}.duckdb"
            if target.exists():
                target.unlink()
            if key == "into_big":
                shutil.copyfile(big, target)
            cmd = [sys.executable, "-m", "pipeline.cli", "run", str(new), "--into", str(target), "--quiet"]
            result = spawn(cmd, work / f"stderr-{key}.txt")
            result.update(articles=add_n, articles_per_s=round(add_n / result["seconds"], 1), store=store_n
                          if key == "into_big" else 0)
            del result["stdout"]
            runs[key].append(result)
    grouped = fastest([spawn([sys.executable, "-m", "tests.tools.bench", "--group-store", str(big)],
                             work / "stderr-group.txt") for _ in range(max(1, repeat))])
    grouped.update(json.loads(grouped.pop("stdout")))
    grouped["articles_per_s"] = round(grouped["articles"] / grouped["seconds"], 1)
    return {"store_built": built, "into_big": fastest(runs["into_big"]), "into_empty": fastest(runs["into_empty"]),
            "group": grouped}


# ----------------------------------------------------------------------------- report

def best_of(repeat: int, measure, *args) -> dict:
    """The fastest of `repeat` runs (a shared machine's load only ever slows a run down)."""
    return fastest([measure(*args) for _ in range(max(1, repeat))])


def fastest(runs: list[dict]) -> dict:
    best = dict(min(runs, key=lambda r: r["seconds"]))
    if len(runs) > 1:
        best["all_seconds"] = [r["seconds"] for r in runs]
    return best


def _ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def evaluate(r: dict) -> list[dict]:
    one, two = r["berita_1proc"], r["berita_2proc"]
    small, small_two = r["small_1proc"], r.get("small_2proc")

    def row(name, value, target, ok):
        return {"name": name, "value": value, "target": target, "ok": ok if value is not None else False}

    def info(name, value):
        return {"name": f"(info) {name}", "value": value, "target": "", "ok": None}

    vs_floor = _ratio(one["articles_per_s"], r["floor"]["articles_per_s"])
    vs_dateparser = _ratio(one["articles_per_s"], r["dateparser"]["articles_per_s"])
    two_vs_one = _ratio(two["articles_per_s"], one["articles_per_s"])
    rss_ratio = _ratio(one["peak_rss_mb"], small["peak_rss_mb"])
    page, page_small = r["review_2proc"], r["review_small_2proc"]
    page_ratio = _ratio(page["peak_rss_mb"], page_small["peak_rss_mb"])
    fr = small["first_row_s"]
    rows = [
        row("berita 1-proc ÷ floor", vs_floor, f"≥ {TARGETS['berita_vs_floor']}",
            vs_floor is not None and vs_floor >= TARGETS["berita_vs_floor"]),
        row("berita 1-proc ÷ dateparser", vs_dateparser, f"≥ {TARGETS['berita_vs_dateparser']:g}",
            vs_dateparser is not None and vs_dateparser >= TARGETS["berita_vs_dateparser"]),
        row("berita 2-proc ÷ 1-proc", two_vs_one, f"≥ {TARGETS['two_vs_one_process']}",
            two_vs_one is not None and two_vs_one >= TARGETS["two_vs_one_process"]),
        row(f"peak RSS N={small['articles']} (MB)", small["peak_rss_mb"], f"< {TARGETS['peak_rss_mb']:g}",
            small["peak_rss_mb"] < TARGETS["peak_rss_mb"]),
        row(f"peak RSS N={one['articles']} (MB)", one["peak_rss_mb"], f"< {TARGETS['peak_rss_mb']:g}",
            one["peak_rss_mb"] < TARGETS["peak_rss_mb"]),
        row(f"mem {one['articles']} ÷ {small['articles']}", rss_ratio, f"≤ {TARGETS['rss_big_vs_n']}",
            rss_ratio is not None and rss_ratio <= TARGETS["rss_big_vs_n"]),
        row(f"peak RSS with page N={page_small['articles']} (MB)", page_small["peak_rss_mb"],
            f"< {TARGETS['peak_rss_mb']:g}", page_small["peak_rss_mb"] < TARGETS["peak_rss_mb"]),
        row(f"peak RSS with page N={page['articles']} (MB)", page["peak_rss_mb"],
            f"< {TARGETS['peak_rss_mb']:g}", page["peak_rss_mb"] < TARGETS["peak_rss_mb"]),
        row(f"mem with page {page['articles']} ÷ {page_small['articles']}", page_ratio,
            f"≤ {TARGETS['rss_big_vs_n']}", page_ratio is not None and page_ratio <= TARGETS["rss_big_vs_n"]),
        row("first row on disk (s)", fr, f"≤ {TARGETS['first_row_s']:g}",
            fr is not None and fr <= TARGETS["first_row_s"]),
        # short runs: start-up (interpreter, imports, building the pipeline) weighs in
        info(f"N={small['articles']}: berita 1-proc ÷ floor", _ratio(small["articles_per_s"], r["floor"]["articles_per_s"])),
    ]
    if small_two:
        rows.append(info(f"N={small['articles']}: berita 2-proc ÷ 1-proc",
                         _ratio(small_two["articles_per_s"], small["articles_per_s"])))
    if r.get("berita_tokenizer"):
        # berita does not run the floor's tokenizer (pipeline/extractors/tokenizer.py): its own is faster,
        # so the floor ratio is met partly by that choice; this is extraction against its own
        rows.append(info("berita 1-proc ÷ berita's own tokenizer",
                         _ratio(one["articles_per_s"], r["berita_tokenizer"]["articles_per_s"])))
    st = r["store"]
    big, empty, grouped = st["into_big"], st["into_empty"], st["group"]
    add_ratio = _ratio(big["seconds"], empty["seconds"])
    rows += [
        row(f"add {big['articles']} to a store of {big['store']} ÷ to an empty one", add_ratio,
            f"≤ {TARGETS['add_vs_alone']}", add_ratio is not None and add_ratio <= TARGETS["add_vs_alone"]),
        row(f"group {grouped['articles']} articles into events (s)", grouped["seconds"], f"< {TARGETS['group_s']:g}",
            grouped["seconds"] < TARGETS["group_s"]),
        info(f"peak RSS adding to a store of {big['store']} (MB)", big["peak_rss_mb"]),
        info("peak RSS adding to an empty store (MB)", empty["peak_rss_mb"]),
        info(f"peak RSS grouping {grouped['articles']} articles (MB)", grouped["peak_rss_mb"]),
    ]
    rows.append(info("berita in-process (built, no I/O) ÷ floor",
                     _ratio(r["berita_inprocess"]["articles_per_s"], r["floor"]["articles_per_s"])))
    per_cpu = lambda x: x["articles"] / x["cpu_seconds"] if x.get("cpu_seconds") else None  # noqa: E731
    rows.append(info("berita 1-proc ÷ floor, per CPU-second", _ratio(per_cpu(one), per_cpu(r["floor"]))))
    rows.append(info("berita 1-proc ÷ dateparser, per CPU-s", _ratio(per_cpu(one), per_cpu(r["dateparser"]))))
    return rows


def print_report(r: dict, checks: list[dict]) -> None:
    m = r["machine"]
    print(f"\nmachine: {m['cpu_count']} CPUs ({m['cpu_model']}), {m['memory_mb']} MB, Python {m['python']}, "
          f"spaCy {m['spacy']}, dateparser {m['dateparser']}; commit {m['git_commit']}"
          f"{' (dirty)' if m['git_dirty'] else ''}")
    print(f"{'measurement':44s} {'articles':>8s} {'art/s':>8s} {'wall s':>8s} {'CPU s':>8s} "
          f"{'RSS MB':>8s} {'1st row':>8s} {'load':>5s}")

    def line(label, x):
        rss = x.get("peak_rss_mb")
        fr = x.get("first_row_s")
        load = (x.get("loadavg") or [None])[0]
        print(f"{label:44s} {x['articles']:8d} {x['articles_per_s']:8.1f} {x['seconds']:8.2f} "
              f"{x.get('cpu_seconds', 0):8.2f} {rss if rss is not None else '':>8} "
              f"{fr if fr is not None else '':>8} {load if load is not None else '':>5}")

    line('floor: spacy.blank("id").pipe', r["floor"])
    if r.get("berita_tokenizer"):
        line("berita's own tokenizer (no special cases)", r["berita_tokenizer"])
    line("berita pipeline in-process (no I/O, built)", r["berita_inprocess"])
    line("berita run -j1 (CLI, file → tables)", r["berita_1proc"])
    line("berita run -j2 (CLI, file → tables)", r["berita_2proc"])
    line("berita run -j1, short run", r["small_1proc"])
    if r.get("small_2proc"):
        line("berita run -j2, short run", r["small_2proc"])
    line("berita run -j2 with the review page", r["review_2proc"])
    line("berita run -j2 with the review page, short", r["review_small_2proc"])
    line("dateparser search_dates(languages=['id'])", r["dateparser"])
    st = r["store"]
    line(f"run --into a store of {st['into_big']['store']}", st["into_big"])
    line("run --into an empty store", st["into_empty"])
    line("group a store's articles (process: load + group)", st["group"])
    print(f"(store of {st['store_built']['articles']} synthetic articles built in {st['store_built']['seconds']} s; "
          f"grouping: {st['group']['load_seconds']} s loading keys, {st['group']['group_seconds']} s grouping, "
          f"{st['group']['events']} events)")
    two = r["berita_2proc"]
    print(f"(-j2 peak RSS is the largest process; sampled sum over its process tree: "
          f"{two['tree_rss_sampled_peak_mb']} MB)")
    for x in (r["review_small_2proc"], r["review_2proc"]):
        print(f"(review page of {x['articles']} articles: review.html {x['review_html_mb']} MB, "
              f"review/ {x['review_data_mb']} MB)")
    print(f"\n{'ratio / target':44s} {'value':>10s}  {'target':<8s} met")
    for c in checks:
        met = "" if c["ok"] is None else ("yes" if c["ok"] else "NO")
        value = "" if c["value"] is None else f"{c['value']:g}"
        print(f"{c['name']:44s} {value:>10s}  {c['target']:<8s} {met}")
    loads = [x.get("loadavg") for x in (r["floor"], r["berita_1proc"], r["berita_2proc"], r["small_1proc"])
             if x.get("loadavg")]
    busy = [l for l in loads if l[0] > 0.5]
    if busy:
        print(f"\nnote: the machine was busy (1-min load up to {max(l[0] for l in busy)} on "
              f"{m['cpus_usable']} CPUs) during some measurements; throughput figures understate.")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.tools.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--dev", type=Path, help="dev articles (JSONL) to cycle (required)")
    ap.add_argument("--n", type=int, default=20000,
                    help="articles for the throughput runs: floor, berita -j1 and -j2 (default 20000)")
    ap.add_argument("--small", type=int, default=2000,
                    help="articles for the short run: memory at this size, first row (default 2000)")
    ap.add_argument("--dateparser-n", type=int, default=200, help="dateparser subsample (default 200)")
    ap.add_argument("--inprocess-n", type=int, default=500, help="in-process steady-state subsample")
    ap.add_argument("--json", type=Path, default=Path("outputs/bench.json"), help="where to write the numbers")
    ap.add_argument("--repeat", type=int, default=2,
                    help="runs of each measurement; the fastest is reported (default 2)")
    ap.add_argument("--store-n", type=int, default=50000, help="articles in the synthetic store (default 50000)")
    ap.add_argument("--add-n", type=int, default=500, help="articles added to it (default 500)")
    ap.add_argument("--group-store", type=Path, help=argparse.SUPPRESS)  # the grouping child process
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    if args.group_store:
        print(json.dumps(group_store(args.group_store)))
        return 0
    if args.dev is None:
        ap.error("the following arguments are required: --dev")

    dev = load_dev(args.dev)
    result: dict = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine_info(),
                    "dev": str(args.dev), "dev_articles": len(dev), "n": args.n, "small": args.small,
                    "store_n": args.store_n, "add_n": args.add_n,
                    "repeat": args.repeat, "targets": TARGETS}
    work = Path(tempfile.mkdtemp(prefix="berita-bench-"))
    try:
        corpus = write_corpus(dev, args.n, work / f"bench-{args.n}.jsonl")
        small = write_corpus(dev, args.small, work / f"bench-{args.small}.jsonl")
        texts = [a["text"] for a in cycled(dev, args.n)]
        step = lambda msg: print(f"[bench] {msg}", file=sys.stderr, flush=True)  # noqa: E731
        step(f"floor: spaCy tokenizer on {args.n} articles")
        result["floor"] = best_of(args.repeat, measure_floor, texts)
        step(f"berita's own tokenizer on {args.n} articles")
        result["berita_tokenizer"] = best_of(args.repeat, measure_berita_tokenizer, texts)
        step(f"berita in-process on {min(args.inprocess_n, args.n)} articles")
        result["berita_inprocess"] = best_of(args.repeat, measure_inprocess,
                                             list(cycled(dev, min(args.inprocess_n, args.n))))
        runs: dict[str, list] = {"berita_1proc": [], "berita_2proc": [], "small_1proc": [], "small_2proc": []}
        for _ in range(max(1, args.repeat)):  # interleaved, so a burst of load hits all alike
            for key, path, n, processes in (("berita_1proc", corpus, args.n, 1), ("berita_2proc", corpus, args.n, 2),
                                            ("small_1proc", small, args.small, 1), ("small_2proc", small, args.small, 2)):
                step(f"berita run -j{processes} on {n} articles")
                runs[key].append(run_berita(path, n, processes, work))
        result.update({key: fastest(r) for key, r in runs.items()})
        for key, path, n in (("review_2proc", corpus, args.n), ("review_small_2proc", small, args.small)):
            step(f"berita run -j2 with the review page on {n} articles")
            result[key] = run_berita(path, n, 2, work, review=True)
        step(f"store: {args.add_n} articles into a store of {args.store_n} and into an empty one; grouping")
        result["store"] = measure_store(dev, args.store_n, args.add_n, args.repeat, work)
        step(f"dateparser on {min(args.dateparser_n, args.n)} articles")
        result["dateparser"] = best_of(args.repeat, measure_dateparser, texts[:args.dateparser_n])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["loadavg_end"] = loadavg()
    checks = evaluate(result)
    result["ratios"] = {c["name"]: {"value": c["value"], "target": c["target"], "met": c["ok"]} for c in checks}
    result["all_targets_met"] = all(c["ok"] for c in checks if c["ok"] is not None)
    print_report(result, checks)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.json}")
    return 1 if args.check and not result["all_targets_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
