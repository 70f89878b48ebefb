"""The shipped NER: its recorded test scores reproduce, its window API gives exact offsets,
and its training data marks what it knows and leaves the rest unknown."""
from __future__ import annotations

import json

import pytest

from pipeline import ner
from pipeline.ner import prepare

from conftest import SHARED

SCORES = json.loads((ner.MODEL_DIR / "scores.json").read_text(encoding="utf-8"))
NER_DATA = SHARED / "ner"

# synthetic, written for this test: a headline line, then an official named after a position
TEXT = ("Warga Desa Sukamaju Terima Bantuan\n"
        "Pada hari itu, Bupati Sleman, Budi Santoso Wibowo, menyerahkan bantuan kepada warga "
        "di Kecamatan Depok bersama Kepala Dinas Sosial Andi Pratama.")


@pytest.mark.slow
@pytest.mark.skipif(not NER_DATA.is_dir(), reason="needs ../shared/ner")
@pytest.mark.parametrize("split", ["nergrit", "nerp"])
def test_shipped_model_reproduces_recorded_test_scores(split):
    from pipeline.ner.train import TEST_SPLITS, score
    nlp = ner.load_model()
    docs = prepare.conll_docs(nlp.vocab, NER_DATA / TEST_SPLITS[split])
    got, recorded = score(nlp, docs), SCORES["test"][split]
    assert got["sentences"] == recorded["sentences"]
    for label in ("all", *ner.LABELS):
        for key in ("p", "r", "f"):
            assert got[label][key] == pytest.approx(recorded[label][key], abs=0.005), (label, key)


def test_recorded_scores_are_useful():
    # a broken or untrained model scores near zero; the recorded run is far above that
    assert SCORES["test"]["nerp"]["PERSON"]["f"] > 0.6
    assert SCORES["test"]["nergrit"]["PERSON"]["f"] > 0.4


def test_window_offsets_point_into_the_original_text():
    windows = ner.capitalized_windows(TEXT)
    found = ner.entities(TEXT, windows)
    assert found, "the model finds nothing in a plain sentence"
    assert any(e.start > TEXT.index("\n") for e in found)  # offsets shifted past window starts
    for e in found:
        assert TEXT[e.start:e.end] == e.text
        assert any(s <= e.start and e.end <= end for s, end in windows)


def test_window_results_match_the_same_text_run_alone():
    line_start = TEXT.index("\n") + 1
    window = ner.word_bounds(TEXT, TEXT.index("Bupati"), TEXT.index("menyerahkan"), margin=2)
    in_text = ner.entities(TEXT, [window])
    alone = ner.entities(TEXT[window[0]:window[1]], [(0, window[1] - window[0])])
    assert [(e.label, e.start - window[0], e.end - window[0], e.text) for e in in_text] == \
        [(e.label, e.start, e.end, e.text) for e in alone]
    assert window[0] >= line_start


def test_people_and_places_keeps_only_those_labels():
    everything = ner.entities(TEXT, [(0, len(TEXT))])
    kept = ner.people_and_places(TEXT, [(0, len(TEXT))])
    assert kept == [e for e in everything if e.label in ("PERSON", "PLACE")]


def test_windows_are_merged_clipped_and_kept_in_order():
    assert ner.merge_windows([(10, 20), (-5, 3), (15, 30), (30, 35), (50, 99)], 60) == \
        [(0, 3), (10, 35), (50, 60)]
    assert ner.merge_windows([(5, 5), (7, 2)], 10) == []


def test_word_bounds_widen_to_whole_words_within_the_line():
    text = "Satu dua\ntiga Empat Lima enam tujuh\ndelapan"
    start = text.index("mpat")
    s, e = ner.word_bounds(text, start, start + 2)
    assert text[s:e] == "Empat"
    s, e = ner.word_bounds(text, start, start + 2, margin=5)
    assert text[s:e] == "tiga Empat Lima enam tujuh"


def test_capitalized_windows_skip_lines_without_capitals():
    text = "semua huruf kecil di sini\nlalu Ibu Ani datang ke pasar pagi ini"
    windows = ner.capitalized_windows(text, margin=1)
    assert [text[s:e] for s, e in windows] == ["lalu Ibu Ani datang"]


def test_model_ships_small_and_loadable_without_training_output():
    files = [p for p in ner.MODEL_DIR.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 30 * 1024 * 1024
    assert (ner.MODEL_DIR / "config.cfg").is_file() and (ner.MODEL_DIR / "ner").is_dir()
    assert set(ner.load_model().get_pipe("ner").labels) == set(ner.LABELS)


def test_corpus_tags_map_to_three_labels_and_stray_inside_tags_start_a_span():
    assert prepare.bio(["B-PPL", "I-PPL", "O", "I-PLC", "B-EVT", "I-EVT", "B-IND", "I-PLC"]) == \
        ["B-PERSON", "I-PERSON", "O", "B-PLACE", "O", "O", "B-ORG", "B-PLACE"]


def test_gold_spans_are_whole_words_and_the_longer_span_wins():
    text = "Bupati Rahmat Hidayat di Kabupaten Sukasari. Rahmatullah tidak hadir. Sukasari aman."
    gold = {"officials": [{"name": "Rahmat Hidayat", "aliases": ["Rahmat"]}],
            "regencies": [{"name": "Kabupaten Sukasari"}]}
    spans = [(text[s:e], label) for s, e, label in prepare.gold_spans(text, gold, {})]
    assert spans == [("Rahmat Hidayat", "PERSON"), ("Kabupaten Sukasari", "PLACE"), ("Sukasari", "PLACE")]


@pytest.mark.slow
def test_dev_paragraph_marks_gold_spans_and_lower_case_words_and_leaves_the_rest_unknown():
    import spacy
    text = "Kepala Dinas Rahmat Hidayat meninjau pasar."
    s = text.index("Rahmat")
    doc, missed = prepare.partial_doc(spacy.blank("id"), text, [(s, s + len("Rahmat Hidayat"), "PERSON")])
    tags = {t.text: (t.ent_iob_, t.ent_type_) for t in doc}
    assert missed == 0
    assert tags["Rahmat"] == ("B", "PERSON") and tags["Hidayat"] == ("I", "PERSON")
    assert tags["meninjau"] == ("O", "") and tags["pasar"] == ("O", "")
    assert tags["Kepala"] == ("", "") and tags["Dinas"] == ("", "")  # unknown, not O
