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
from pathlib import Path

import pytest

pytest.importorskip("dask")
distributed = pytest.importorskip("dask.distributed")

from pipeline.cli import main  # noqa: E402
from pipeline.distributed import DaskEngine, DaskError  # noqa: E402
from pipeline.engine import run_articles  # noqa: E402
from pipeline.io.reading import iter_articles  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "seed.jsonl"
DEV = ROOT.parent / "shared" / "corpus" / "dev.jsonl"


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
