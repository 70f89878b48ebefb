"""The officials extractor: reentrant, its words read from the rules, its patterns Patterns."""
from __future__ import annotations

import regex

from pipeline.engine import _make_doc
from pipeline.extractors import officials
from pipeline.extractors.spans import values
from pipeline.io.reading import Article
from pipeline.nlp import build_nlp
from pipeline.ruletools.rules import Pattern

# A mention in small letters whose name holds an acronym (no name: an acronym stands in no
# name), and one written in capitals (where every word looks like an acronym, so one is allowed)
SMALL = "Kepala Cabang Buol Budi ABC Santoso menyerahkan kartu. Bupati Buol, Ahmad Fauzi, dan Wali Kota Palu, Hadi Purnomo, hadir."
CAPITALS = "Sambutan dibacakan. KEPALA CABANG BUOL BUDI SANTOSO MENYERAHKAN KARTU."


def _up_to_officials(nlp, text: str):
    """The document as the officials extractor gets it, and the extractor."""
    doc = _make_doc(nlp, Article(id="t", text=text))
    for name, proc in nlp.pipeline:
        if name == "berita_officials":
            return doc, proc
        doc = proc(doc)
    raise AssertionError("no berita_officials in the pipeline")


def _people(doc) -> list[dict]:
    return [dict(v) for v in values(doc, "officials")]


def test_a_call_made_during_another_changes_neither(nlp, monkeypatch):
    # what each document gives on its own
    doc, extractor = _up_to_officials(nlp, SMALL)
    alone_small = _people(extractor(doc))
    doc, _ = _up_to_officials(nlp, CAPITALS)
    alone_capitals = _people(extractor(doc))
    assert alone_capitals and alone_small  # (the documents name people)

    # the same extractor reads CAPITALS while it is in the middle of SMALL's first mention
    # (between reading the organization and the name), as a second thread would
    small, _ = _up_to_officials(nlp, SMALL)
    capitals, _ = _up_to_officials(nlp, CAPITALS)
    nested: list = []
    real_norm_key = officials.norm_key

    def norm_key_reading_another(text):
        if not nested:
            nested.append(None)  # (once: the nested call comes here too)
            nested[0] = _people(extractor(capitals))
        return real_norm_key(text)

    monkeypatch.setattr(officials, "norm_key", norm_key_reading_another)
    assert _people(extractor(small)) == alone_small
    assert nested == [alone_capitals]


def test_organization_column_words_come_from_the_rules(extract):
    def organization(text):
        return [o["organization"] for o in extract(text)["officials"]]
    # kind_cues: a Wali Kota serves the Kota, a Bupati the Kabupaten of the same name
    assert organization("Wali Kota Madiun, Budi Santoso, membuka acara.") == ["Pemerintah Kota Madiun"]
    assert organization("Bupati Madiun, Budi Santoso, membuka acara.") == ["Pemerintah Kabupaten Madiun"]
    # regency_offices: a regency's office named without a place gets the article's regency
    assert organization("Kepala Dinas Sosial, Budi Santoso, membuka acara di Kabupaten Buol.") \
        == ["Dinas Sosial Kabupaten Buol"]


def test_a_rules_layer_changes_moved_words(tmp_path, nlp):
    (tmp_path / "officials.yml").write_text(
        "purpose: test layer\n"
        # a new role word (an abbreviation the built-in rules do not know)
        "roles: {Kepala Puskesmas: [Kapuskes]}\n"
        # the organization column's name for a regency's government
        "government_body: Pemkab\n"
        # a joiner inside an office's name
        "org_joiners: [plus]\n", encoding="utf-8")
    texts = ["Kapuskes Buol, Budi Santoso, membuka acara.",
             "Bupati Buol, Ahmad Fauzi, membuka acara.",
             "Kepala Dinas Sosial plus Kesehatan Buol Hadi Purnomo membuka acara."]
    builtin, layered = nlp, build_nlp([tmp_path])

    def people(nlp, text):
        return [(v["name"], v["role"], v["organization"]) for v in values(nlp(text), "officials")]
    assert people(builtin, texts[0]) == []
    assert people(layered, texts[0]) == [("Budi Santoso", "Kepala Puskesmas", "Buol")]
    assert people(builtin, texts[1]) == [("Ahmad Fauzi", "Bupati", "Pemerintah Kabupaten Buol")]
    assert people(layered, texts[1]) == [("Ahmad Fauzi", "Bupati", "Pemkab Kabupaten Buol")]
    assert [p[0] for p in people(layered, texts[2])] == ["Hadi Purnomo"]
    assert [p[0] for p in people(builtin, texts[2])] != ["Hadi Purnomo"]


def _patterns_of(obj, seen=None):
    """Every compiled pattern an extractor object holds (attributes, lists, tuples, dicts)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, (Pattern, regex.Pattern)):
        yield obj
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for item in obj:
            yield from _patterns_of(item, seen)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _patterns_of(item, seen)
    elif type(obj).__module__.startswith("pipeline.extractors.officials") or type(obj).__name__ == "SentenceSplitter":
        for item in vars(obj).values():
            yield from _patterns_of(item, seen)


def test_every_rule_pattern_carries_a_rule_id(nlp):
    for name in ("berita_officials", "berita_sentences"):
        found = list(_patterns_of(nlp.get_pipe(name)))
        assert found
        bare = [p.pattern for p in found if not isinstance(p, Pattern)]
        assert bare == [], f"{name}: compiled without rules.Pattern (no rule id, no time limit)"
        assert all(p.id.startswith(("officials.", "sentences.")) for p in found)


def test_an_insertion_running_to_the_end_of_the_text_is_no_name_and_no_error(extract):
    # `, yang ...` after the office runs to the text's end: nothing follows to read a name from
    record = extract("Acara itu dihadiri Kepala Dinas Sosial, yang baru dilantik")
    assert record["officials"] == []
    record = extract("Acara itu dihadiri Kepala Dinas Sosial, yang baru dilantik. Bupati Buol, Ahmad Fauzi, hadir.")
    assert [p["name"] for p in record["officials"]] == ["Ahmad Fauzi"]


def test_honorifics_written_together_go_to_the_honorific_column(extract):
    def people(text):
        return [(p["name"], p["honorific"]) for p in extract(text)["officials"]]
    assert people("Bupati Kaur, Drs.H. Budi Santoso, MM menyerahkan kartu.") == [("Budi Santoso", "Drs.H.")]
    assert people("Kepala Dinas Sosial Buol Dr.Hj. Siti Aminah membuka acara.") == [("Siti Aminah", "Dr.Hj.")]
    # only when every part is an honorific: an initial joined to a name stays in the name
    assert people("Bupati Kaur, M.Nur Hasan, menyerahkan kartu.") == [("M.Nur Hasan", "")]
