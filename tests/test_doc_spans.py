"""Doc.spans: for anyone using berita's spaCy pipeline, each field's final values as spans
labelled with their rule id (pipeline/extractors/spans.py, component berita_spans)."""
from __future__ import annotations

import json

from conftest import REPO

from pipeline.extractors.spans import values
from pipeline.fields import FIELD_NAMES


def test_doc_spans_hold_exactly_the_final_values(nlp):
    seeds = [json.loads(line) for line in (REPO / "corpus" / "seed.jsonl").read_text(encoding="utf-8").splitlines()]
    seen = 0
    for doc in nlp.pipe(seed["text"] for seed in seeds):
        assert nlp.pipe_names[-1] == "berita_spans"
        for field in FIELD_NAMES:
            final = values(doc, field)
            group = doc.spans[field]
            assert group.attrs["values"] == final  # every final value, and nothing dropped earlier
            assert len(group) == len(final)
            for span, v in zip(group, group.attrs["values"]):
                assert span.label_ == v["rule"]
                assert span.start_char <= v["start"] < v["end"] <= span.end_char
                assert doc.text[v["start"]:v["end"]] == v["surface"]
            seen += len(group)
    assert seen > 20  # the seeds carry dates, officials, regencies, programs and counts
