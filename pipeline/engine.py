"""Running the pipeline over a stream of articles, in one process or several.

Articles are processed in batches with `nlp.pipe`; a batch that raises is re-run one
article at a time so only the bad article becomes an error row. With several processes,
each worker builds its own pipeline once and batches keep their input order, so the
tables are identical whatever the number of processes.
"""
from __future__ import annotations

import itertools
import multiprocessing as mp
from typing import Iterable, Iterator

from .nlp import build_nlp
from .records import doc_to_record, error_record
from .rules import RuleTimeout

BATCH_SIZE = 64


def _one_line(exc: BaseException) -> str:
    msg = f"{type(exc).__name__}: {exc}" if not isinstance(exc, RuleTimeout) else str(exc)
    return " ".join(msg.split())[:300]


def _make_doc(nlp, article):
    doc = nlp.make_doc(article.text)
    # the date extractor borrows a missing year from the URL or published date
    doc._.meta = {"url": article.url, "published": article.published, "title": article.title}
    return doc


def _annotate(nlp, article):
    doc = _make_doc(nlp, article)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def _run_batch(nlp, batch: list) -> list[dict]:
    good = [a for a in batch if not a.error]
    done: dict[int, dict] = {}
    try:
        for a, doc in zip(good, nlp.pipe(_make_doc(nlp, a) for a in good)):
            done[id(a)] = doc_to_record(doc, a)
    except Exception:
        # isolate the article that failed: the rest of the batch is processed as normal
        for a in good:
            if id(a) in done:
                continue
            try:
                done[id(a)] = doc_to_record(_annotate(nlp, a), a)
            except Exception as exc:
                done[id(a)] = error_record(a, _one_line(exc))
    return [done[id(a)] if not a.error else error_record(a, a.error) for a in batch]


_WORKER_NLP = None  # (rules_dirs key, nlp) of this process


def _nlp_key(rules_dirs) -> tuple:
    return tuple(str(d) for d in (rules_dirs or []))


def _worker_init(rules_dirs):
    global _WORKER_NLP
    # a forked worker inherits the pipeline the parent built just before the pool started
    if _WORKER_NLP is None or _WORKER_NLP[0] != _nlp_key(rules_dirs):
        _WORKER_NLP = (_nlp_key(rules_dirs), build_nlp(rules_dirs))


def _worker_run(batch):
    return _run_batch(_WORKER_NLP[1], batch)


def batches(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while True:
        chunk = list(itertools.islice(it, size))
        if not chunk:
            return
        yield chunk


def run_articles(articles: Iterable, rules_dirs=None, processes: int = 1, batch_size: int = BATCH_SIZE) -> Iterator[dict]:
    """Yield one record per article, in input order."""
    global _WORKER_NLP
    if processes <= 1:
        nlp = build_nlp(rules_dirs)
        for batch in batches(articles, batch_size):
            yield from _run_batch(nlp, batch)
        return
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    if ctx.get_start_method() == "fork":
        # Build the pipeline once, here, and let the forked workers inherit it: building
        # spacy.blank("id") costs ~1.3 s of CPU (16k tokenizer special cases), which each
        # worker otherwise pays again at start-up.
        _WORKER_NLP = (_nlp_key(rules_dirs), build_nlp(rules_dirs))
    try:
        with ctx.Pool(processes, initializer=_worker_init, initargs=(rules_dirs,)) as pool:
            _WORKER_NLP = None  # the workers have their copy; a replacement worker builds its own
            for records in pool.imap(_worker_run, batches(articles, batch_size)):
                yield from records
    finally:
        _WORKER_NLP = None
