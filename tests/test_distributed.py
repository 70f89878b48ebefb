"""`berita run --engine dask` writes the same bytes as a local run.

One `LocalCluster(n_workers=2, processes=True, threads_per_worker=1)` serves the module.
Every output file except run.json (timings, engine) must be byte-identical to a local
single-process run on the same input: the seed articles, the dev articles (skipped when
../shared is missing), and a file with unreadable lines, which must become the same error
rows. Small batches with a small window check that out-of-order completion on the
workers never reorders the output.
"""
from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("dask")
distributed = pytest.importorskip("dask.distributed")
pytestmark = pytest.mark.slow  # a Dask cluster per test module: make test runs it, make check does not

from pipeline.cli import main  # noqa: E402
from pipeline.distributed import DaskEngine, DaskError  # noqa: E402
from pipeline.engine import run_articles  # noqa: E402
from pipeline.io.reading import iter_articles  # noqa: E402
from conftest import DEV, REPO  # noqa: E402

SEED = REPO / "corpus" / "seed.jsonl"


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0", silence_logs=40) as c:
        yield c


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != "run.json"}


def _run(tmp_path: Path, name: str, inputs: list[str], *extra: str) -> dict[str, bytes]:
    out = tmp_path / name
    assert main(["run", *inputs, "--out", str(out), "--no-review", "--quiet", *extra]) == 0
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["articles"] > 0
    return _files(out)


def _assert_same(local: dict[str, bytes], dask: dict[str, bytes]) -> None:
    assert sorted(local) == sorted(dask)
    assert "records.jsonl" in local and "articles.csv" in local
    for name in local:
        assert local[name] == dask[name], f"{name} differs between the local and the Dask run"


def test_seed_identical(cluster, tmp_path):
    local = _run(tmp_path, "local", [str(SEED)])
    dask = _run(tmp_path, "dask", [str(SEED)], "--engine", "dask", "--scheduler", cluster.scheduler_address)
    _assert_same(local, dask)
    info = json.loads((tmp_path / "dask" / "run.json").read_text(encoding="utf-8"))
    assert info["engine"] == "dask" and info["workers"] == 2 and not info["local_cluster"]


@pytest.mark.skipif(not DEV.exists(), reason="../shared/corpus/dev.jsonl not available")
def test_dev_identical(cluster, tmp_path):
    local = _run(tmp_path, "local", [str(DEV)])
    dask = _run(tmp_path, "dask", [str(DEV)], "--engine", "dask", "--scheduler", cluster.scheduler_address)
    _assert_same(local, dask)
    assert local["records.jsonl"].count(b"\n") == sum(1 for line in DEV.open(encoding="utf-8") if line.strip())


def test_error_rows_and_order_with_small_batches(cluster, tmp_path):
    """Unreadable lines become the same error records; tiny batches keep input order."""
    src = tmp_path / "mixed.jsonl"
    lines = SEED.read_text(encoding="utf-8").splitlines()
    lines[1:1] = ["{not json", json.dumps({"id": "no-text"}), json.dumps({"id": "dup", "text": "Senin (3/2/2025)."})]
    lines.append(json.dumps({"id": "dup", "text": "Bupati Bolsel, Iskandar Kamaru, hadir."}))
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")

    local = list(run_articles(iter_articles([src])))
    with DaskEngine(cluster.scheduler_address) as engine:
        remote = list(engine.run_articles(iter_articles([src]), batch_size=2, window=2))
    assert [r["article_id"] for r in remote] == [r["article_id"] for r in local]
    assert remote == local
    assert sum(r["status"] == "error" for r in remote) == 2

    # and through the CLI: identical tables, error rows included
    _assert_same(_run(tmp_path, "local", [str(src)]),
                 _run(tmp_path, "dask", [str(src)], "--engine", "dask", "--scheduler", cluster.scheduler_address))


def test_rules_layer_is_shipped_to_workers(cluster, tmp_path):
    """Workers use the client's rule set, --rules layers included, without reading any rules file."""
    from pipeline.ruletools.rules import cached_rules

    layer = tmp_path / "layer"
    layer.mkdir()
    # a layer that changes the output: every line mentioning "Bupati" becomes boilerplate
    (layer / "boilerplate.yml").write_text(
        "line:\n  - id: test.bupati_line\n    pattern: 'Bupati'\n", encoding="utf-8")
    plain = list(run_articles(iter_articles([SEED])))
    local = list(run_articles(iter_articles([SEED]), rules_dirs=[str(layer)]))
    assert local != plain
    cached_rules([str(layer)])       # the client has loaded the layer (as `berita run` does) ...
    shutil.rmtree(layer)             # ... so no worker could read it from disk
    with DaskEngine(cluster.scheduler_address) as engine:
        remote = list(engine.run_articles(iter_articles([SEED]), rules_dirs=[str(layer)]))
    assert remote == local


def test_unreachable_scheduler_is_a_clean_error():
    with pytest.raises(DaskError, match="cannot reach the Dask scheduler"):
        DaskEngine("tcp://127.0.0.1:9", timeout="1s")


def test_scheduler_needs_dask_engine(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(SEED), "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"])
    assert exc.value.code == 2
    assert "--scheduler needs --engine dask" in capsys.readouterr().err


def test_local_cluster_without_scheduler(tmp_path):
    """No --scheduler: berita starts (and stops) its own LocalCluster."""
    local = _run(tmp_path, "local", [str(SEED)])
    dask = _run(tmp_path, "dask", [str(SEED)], "--engine", "dask", "--processes", "2")
    _assert_same(local, dask)
    info = json.loads((tmp_path / "dask" / "run.json").read_text(encoding="utf-8"))
    assert info["local_cluster"] and info["workers"] == 2


# ------------------------------------------------- the article budget on Dask workers

def _stall_marked_articles(marker: str) -> None:
    """(run on every worker) The dates component of an article that contains `marker` loops
    without end, swallowing every Exception: a runaway pure-Python loop."""
    from pipeline.extractors.dates import DateExtractor
    original = getattr(DateExtractor.__call__, "unstalled", DateExtractor.__call__)

    def stalled(self, doc):
        while marker in doc.user_data["berita_text"]:
            try:
                sum(range(10_000))
            except Exception:  # noqa: BLE001
                pass
        return original(self, doc)

    stalled.unstalled = original
    DateExtractor.__call__ = stalled


def _unstall() -> None:
    from pipeline.extractors.dates import DateExtractor
    DateExtractor.__call__ = getattr(DateExtractor.__call__, "unstalled", DateExtractor.__call__)


def _timed_run(engine_, articles) -> tuple[list[dict], float]:
    """The records of a Dask run and its duration; a run that does not end within a minute
    fails the test (before the fix such a run held its worker for ever)."""
    out: dict = {}

    def run():
        started = time.monotonic()
        out["records"] = list(engine_.run_articles(articles))
        out["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the Dask run did not end: the article budget is not enforced on workers"
    return out["records"], out["seconds"]


def test_article_budget_is_enforced_on_dask_workers(cluster, monkeypatch):
    """Dask runs tasks in worker threads, where no SIGALRM arrives: an article stuck in a
    loop must still become an error row within the client's budget, as in a local run."""
    from pipeline import engine
    from pipeline.io.reading import Article

    monkeypatch.setattr(engine, "ARTICLE_BUDGET", 1.0)  # the client's budget goes with each batch
    text = "Bupati Sleman, Kustini Sri Purnomo, menyerahkan 150 kartu peserta pada Selasa (14/5/2024)."
    articles = [Article(id="a", text=text), Article(id="stuck", text="MACET " + text), Article(id="b", text=text)]
    with DaskEngine(cluster.scheduler_address) as dask_engine:
        plain, plain_seconds = _timed_run(dask_engine, [articles[0], articles[2]])
        dask_engine.client.run(_stall_marked_articles, "MACET")
        try:
            records, seconds = _timed_run(dask_engine, articles)
        finally:
            dask_engine.client.run(_unstall)
    assert [r["status"] for r in records] == ["ok", "error", "ok"]
    assert records[1]["error"] == "time budget exceeded: article took more than 1 s (in berita_dates)"
    assert [records[0], records[2]] == plain
    assert seconds < plain_seconds + 5 * engine.ARTICLE_BUDGET  # a budget check, not a speed target


def test_a_line_of_40000_dashes_under_dask_as_locally(cluster):
    """The shape that held a Dask worker for hours (a JSONL article of 40,000 '-', the
    tokenizer): under Dask it gives the local engine's record, in comparable time."""
    from pipeline.io.reading import Article

    text = "Bupati Sleman, Kustini Sri Purnomo, menyerahkan 150 kartu peserta pada Selasa (14/5/2024).\n"
    plain = [Article(id="plain", text=text * 400)]
    dashes = [Article(id="dashes", text=text + "-" * 40_000 + "\n")]
    with DaskEngine(cluster.scheduler_address) as dask_engine:
        _, plain_seconds = _timed_run(dask_engine, plain)
        records, seconds = _timed_run(dask_engine, dashes)
    assert records == list(run_articles(dashes))
    assert records[0]["status"] == "ok" and records[0]["officials"]
    assert seconds < 3 * plain_seconds, (seconds, plain_seconds)


def test_a_worker_runs_with_the_rules_it_is_given(tmp_path, monkeypatch):
    """What a worker does with the client's rule set, in this process: the rule set answers
    for directories that do not exist here, under the key the pipeline cache uses too."""
    from pipeline import engine
    from pipeline.distributed import worker_nlp
    from pipeline.ruletools import rules

    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "boilerplate.yml").write_text(
        "line:\n  - id: test.bupati_line\n    pattern: 'Bupati'\n", encoding="utf-8")
    ruleset = rules.load_rules([layer])
    shutil.rmtree(layer)
    monkeypatch.chdir(tmp_path)
    # a relative and an absolute spelling of one directory are one key
    assert engine.nlp_key(["layer"]) == engine.nlp_key([str(layer)]) == rules.rules_key([layer])
    nlp = worker_nlp(ruleset, ruleset.fingerprint(), [str(layer)])
    assert rules.cached_rules(["layer"]) is ruleset
    assert nlp("Bupati Garut hadir.\nWarga hadir.")._.boilerplate == ((0, 19),)
