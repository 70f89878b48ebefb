"""Running the pipeline on a Dask cluster: ``berita run PATH... --out DIR --engine dask``.

Who does what
-------------
* The **client** (the machine running ``berita run``) reads the inputs, loads the rule
  set, and writes the tables with the same :class:`~pipeline.io.tables.TableWriter` as a
  local run. Inputs and outputs therefore only need to exist on the client.
* **Workers** receive batches of :class:`~pipeline.io.reading.Article` (the text travels
  with them) and return one record per article. They need the ``berita`` package (same
  version and dependencies as the client) but neither the input files nor any rules
  directory: the client broadcasts the loaded rule set once, and each worker builds its
  spaCy pipeline from it once (module-level cache keyed by the rules' fingerprint).
* Every article has the same time budget as in a local run (the client's
  ``engine.ARTICLE_BUDGET``, sent with each batch). Tasks run in worker threads, where no
  SIGALRM arrives: the engine's watchdog thread enforces the budget there (see engine.py),
  so a pathological article becomes an error row instead of holding a worker for hours.
* Batches are submitted as the input is read, with a bounded number in flight, and the
  results are consumed in submission order. The records -- and so every table -- are
  identical, row for row, to a local run on the same input; the client holds at most
  ``window`` batches at a time, so memory stays flat however long the input is.

Without ``--scheduler`` a :class:`dask.distributed.LocalCluster` is started (one
single-threaded worker process per CPU, or ``--processes N`` workers) and shut down at
the end of the run. ``--scheduler tcp://HOST:8786`` uses an existing cluster instead.
"""
from __future__ import annotations

import logging
import os
import threading
from collections import deque
from typing import Iterable, Iterator

from . import engine
from .engine import BATCH_SIZE, _run_batch, batches

CONNECT_TIMEOUT = "20s"


class DaskError(Exception):
    """The cluster cannot be started or reached (one-line message for the CLI)."""


# ------------------------------------------------------------------ worker side

_LOCAL = threading.local()          # one pipeline per worker thread (components keep state)
_BUILD_LOCK = threading.Lock()      # the rule sets are cached per process


def worker_nlp(ruleset, fingerprint: str, rules_dirs: list[str]):
    """This thread's pipeline for the broadcast rule set, built on first use."""
    key = (fingerprint, engine.nlp_key(rules_dirs))
    cached = getattr(_LOCAL, "nlp", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    from .ruletools import rules
    from .nlp import build_nlp
    with _BUILD_LOCK:
        # the components call cached_rules(rules_dirs): hand them the client's rule set,
        # so the worker needs no rules files and uses exactly the client's rules
        rules.provide_rules(rules_dirs, ruleset)
        nlp = build_nlp(rules_dirs)
    _LOCAL.nlp = (key, nlp)
    return nlp


def process_batch(batch: list, ruleset, fingerprint: str, rules_dirs: list[str],
                  budget: float | None = None) -> list[dict]:
    """The task run on a worker: the local engine's batch function, unchanged."""
    return _run_batch(worker_nlp(ruleset, fingerprint, rules_dirs), batch, budget)


# ------------------------------------------------------------------ client side

class DaskEngine:
    """A connection to a Dask cluster (started locally when no address is given)."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None,
                 quiet: bool = False, timeout: str = CONNECT_TIMEOUT):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise DaskError("--engine dask needs Dask: pip install 'berita[dask]'") from None
        self.cluster = None
        self.client = None
        level = logging.ERROR if quiet else logging.WARNING
        try:
            if scheduler:
                self.client = Client(scheduler, timeout=timeout, set_as_default=False)
            else:
                self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                            processes=True, dashboard_address=":0", silence_logs=level)
                self.client = Client(self.cluster, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
            raise DaskError(f"cannot reach {where}: {' '.join(str(exc).split())[:200]}") from None

    def describe(self) -> dict:
        info = self.client.scheduler_info() if self.client else {}
        return {"scheduler": info.get("address"), "workers": len(info.get("workers", {})),
                "local_cluster": self.cluster is not None}

    def run_articles(self, articles: Iterable, rules_dirs=None, batch_size: int = BATCH_SIZE,
                     window: int | None = None) -> Iterator[dict]:
        """Yield one record per article, in input order (same contract as engine.run_articles)."""
        from .ruletools.rules import cached_rules
        dirs = list(engine.nlp_key(rules_dirs))  # absolute: the workers' directory may differ
        ruleset = cached_rules(dirs)
        fingerprint = ruleset.fingerprint()
        [rules_future] = self.client.scatter([ruleset], broadcast=True, hash=False)
        if window is None:
            threads = sum(self.client.nthreads().values())
            window = max(4, 2 * threads + 2)
        budget = engine.ARTICLE_BUDGET  # the client's, as in a local run
        pending: deque = deque()
        try:
            for batch in batches(articles, batch_size):
                pending.append(self.client.submit(process_batch, batch, rules_future, fingerprint, dirs, budget,
                                                  pure=False))
                if len(pending) >= window:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
            pending.clear()
            rules_future.release()

    def close(self) -> None:
        for thing in (self.client, self.cluster):
            if thing is not None:
                try:
                    thing.close()
                except Exception:
                    pass
        self.client = self.cluster = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
