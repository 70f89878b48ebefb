"""`make bench` keeps working: a tiny run writes every measurement and derives each ratio
from them (speed itself is judged by `make bench`, never by a test)."""
import json
from pathlib import Path

import pytest

pytest.importorskip("dateparser")
from tests.tools import bench  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # make check leaves it out; make test runs it


def test_tiny_bench_run_reports_every_ratio_from_its_measurements(tmp_path):
    out = tmp_path / "bench.json"
    rc = bench.main(["--dev", str(ROOT / "corpus" / "seed.jsonl"), "--n", "12", "--small", "6", "--repeat", "1",
                     "--dateparser-n", "3", "--inprocess-n", "4", "--store-n", "40", "--add-n", "4",
                     "--json", str(out)])
    assert rc == 0
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["berita_1proc"]["articles"] == r["berita_2proc"]["articles"] == r["floor"]["articles"] == 12
    assert r["small_1proc"]["articles"] == r["small_2proc"]["articles"] == 6
    assert r["dateparser"]["articles"] == 3
    ratios = r["ratios"]
    assert ratios["berita 1-proc ÷ floor"]["value"] == round(
        r["berita_1proc"]["articles_per_s"] / r["floor"]["articles_per_s"], 3)
    assert ratios["berita 2-proc ÷ 1-proc"]["value"] == round(
        r["berita_2proc"]["articles_per_s"] / r["berita_1proc"]["articles_per_s"], 3)
    assert ratios["mem 12 ÷ 6"]["value"] == round(r["berita_1proc"]["peak_rss_mb"] / r["small_1proc"]["peak_rss_mb"], 3)
    assert 0 < ratios["first row on disk (s)"]["value"] == r["small_1proc"]["first_row_s"]
    # memory with the review page on, at both sizes
    assert r["review_2proc"]["review"] and r["review_2proc"]["articles"] == 12
    assert r["review_small_2proc"]["articles"] == 6 and not r["berita_2proc"]["review"]
    assert ratios["mem with page 12 ÷ 6"]["value"] == round(
        r["review_2proc"]["peak_rss_mb"] / r["review_small_2proc"]["peak_rss_mb"], 3)
    assert ratios["peak RSS with page N=12 (MB)"]["value"] == r["review_2proc"]["peak_rss_mb"] > 0
    assert r["review_2proc"]["review_html_mb"] > 0 and r["review_2proc"]["review_data_mb"] > 0
    # the store: 4 articles into a store of 40 against into an empty one; grouping the 40
    st = r["store"]
    assert st["into_big"]["store"] == 40 and st["into_big"]["articles"] == st["into_empty"]["articles"] == 4
    assert ratios["add 4 to a store of 40 ÷ to an empty one"]["value"] == round(
        st["into_big"]["seconds"] / st["into_empty"]["seconds"], 3)
    assert st["group"]["articles"] == 40 and 0 < st["group"]["events"] <= 40
    assert ratios["group 40 articles into events (s)"]["value"] == st["group"]["seconds"] > 0
    assert st["into_big"]["peak_rss_mb"] > 0 and st["group"]["peak_rss_mb"] > 0
    met = [v["met"] for v in ratios.values() if v["met"] is not None]
    assert r["all_targets_met"] == all(met) and len(met) == 12
