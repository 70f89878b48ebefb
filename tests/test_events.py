"""One event per press release (pipeline/events/, rules/events.yml), on synthetic articles.

* the same release from two outlets (different site furniture, `4.474` and `4,474`) is
  one event; a rewritten report of it a day later, with another count, joins it and
  the event lists what its members disagree on;
* the hard negatives stay apart: the same regency and program on another date; the same
  release text on the same day in the neighbouring regency; the province's event in the
  regency on the same day;
* an article of unknown regency that is a near-duplicate of two articles of different
  regencies joins the one it is most similar to, in any input order, never both;
* an event keeps its id when a later `--into` append adds a member, and the store's
  export (events.csv included) is the plain run's.
"""
from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import duckdb
import pytest

from pipeline import cli
from pipeline.events import EventKey, event_id, event_rows, group, signature
from test_store import assert_export_is_a_run, stored, write_jsonl

RELEASE = ("Pemerintah Kabupaten {regency} menyerahkan kartu peserta BPJS Ketenagakerjaan kepada {count} pekerja "
           "rentan di {town}, {day}. Bupati {regency}, {regent}, mengatakan program Jaminan Kecelakaan Kerja "
           "dan Jaminan Kematian melindungi nelayan, petani dan pedagang kecil yang selama ini bekerja tanpa "
           "perlindungan. Kepala BPJS Ketenagakerjaan Cabang {town}, Yohanes Bala Tukan, menyebut iuran para "
           "pekerja dibayar dari anggaran daerah selama satu tahun. Penyerahan kartu dilakukan secara simbolis "
           "kepada sepuluh perwakilan pekerja dari tiga kecamatan.")
SIKKA = dict(regency="Sikka", town="Maumere", regent="Andreas Mude Lewar")
MONDAY = "Senin (3/2/2025)"

ARTICLES = {
    # one release, two outlets
    "outlet-a": "Pemkab Sikka Serahkan Kartu BPJS\nSIKKAPOS.COM – " + RELEASE.format(
        count="4.474", day=MONDAY, **SIKKA) + "\nBaca juga: Harga cabai naik di pasar Alok",
    "outlet-b": "Maumere, Kabar Flores – " + RELEASE.format(count="4,474", day=MONDAY, **SIKKA)
                + "\nIkuti kami di media sosial. Hak cipta Kabar Flores.",
    # the same release template, same day, the neighbouring regency
    "neighbour": "Larantuka, Kabar Flores – " + RELEASE.format(
        count="2.130", day=MONDAY, regency="Flores Timur", town="Larantuka", regent="Antonius Hubertus Gege Hadjon"),
    # the regency and program again, five weeks later
    "later": "Maumere – Bupati Sikka, Andreas Mude Lewar, kembali menyerahkan kartu BPJS Ketenagakerjaan "
             "kepada 1.250 nelayan di Pelabuhan Wuring, Senin (10/3/2025). Program Jaminan Kecelakaan Kerja "
             "dan Jaminan Kematian kini menjangkau seluruh desa pesisir, katanya.",
    # the province's own event in the regency, the same Monday
    "province": "Maumere – Gubernur Nusa Tenggara Timur, Melkior Laka Lena, meresmikan gedung Balai Latihan Kerja "
                "di Kabupaten Sikka, Senin (3/2/2025). Sebanyak 320 pemuda akan mengikuti pelatihan las dan "
                "menjahit tahun ini. Bupati Sikka, Andreas Mude Lewar, hadir mendampingi gubernur.",
}
# a reporter's own account of the release, the next day, with another count
REWRITE = ("Maumere – Sehari setelah penyerahan kartu BPJS Ketenagakerjaan, Bupati Sikka, Andreas Mude Lewar, "
           "berkunjung ke Desa Wuring, Selasa (4/2/2025). Ia menyebut 4.475 pekerja rentan kini terlindungi. "
           "Kepala BPJS Ketenagakerjaan Cabang Maumere, Yohanes Bala Tukan, mendampingi bupati.")


def run(tmp_path: Path, items: dict[str, str], name: str = "out") -> Path:
    src = write_jsonl(tmp_path / f"{name}.jsonl", [{"id": i, "text": t} for i, t in items.items()])
    out = tmp_path / name
    assert cli.main(["run", str(src), "--out", str(out), "--quiet", "--no-review"]) == 0
    return out


def read(out: Path, table: str) -> list[dict]:
    with open(out / f"{table}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    return run(tmp_path_factory.mktemp("events"), {**ARTICLES, "rewrite": REWRITE})


def test_one_release_from_two_outlets_and_its_rewrite_are_one_event(grouped):
    events = {e["article_ids"]: e for e in read(grouped, "events")}
    release = events["outlet-a; outlet-b; rewrite"]
    assert release["members"] == "3" and release["event_id"] == event_id("outlet-a")
    assert release["regency_name"] == "Kabupaten Sikka" and release["event_date"] == "2025-02-03"
    # 4.474 and 4,474 are one number; the rewrite's 4.475 and its date are the disagreements
    assert release["participants"] == "4474"
    assert release["disagree"] == "event_date: 2025-02-03 / 2025-02-04; participants: 4474 / 4475"


def test_hard_negatives_stay_apart(grouped):
    events = {e["article_ids"]: e for e in read(grouped, "events")}
    for alone in ("neighbour", "later", "province"):
        assert events[alone]["members"] == "1" and events[alone]["disagree"] == ""
    assert len(events) == 4


def test_every_article_row_names_its_event(grouped):
    articles = read(grouped, "articles")
    events = {e["event_id"]: e["article_ids"].split("; ") for e in read(grouped, "events")}
    assert [a["article_id"] for a in articles] == [*ARTICLES, "rewrite"]
    for a in articles:
        assert a["article_id"] in events[a["event_id"]]


def key(article_id, regency="53.07", date="2025-02-03", officials=(), counts=(), programs=()):
    return EventKey(article_id, regency, f"R{regency}", "P", date, tuple(officials), tuple(programs),
                    tuple(counts), None)


def test_the_pair_rule_counts_agreements():
    # one official and the day: a province's event and the regency's own (2 points)
    assert group([key("a", officials=["x"]), key("b", officials=["x"])]) == [0, 1]
    # two officials and the day, or an official and a specific count: one event
    assert group([key("a", officials=["x", "y"]), key("b", officials=["x", "y"])]) == [0, 0]
    assert group([key("a", date=None, officials=["x"], counts=[350]),
                  key("b", officials=["x"], counts=[350])]) == [0, 0]
    # a small count recurs: not evidence
    assert group([key("a", date=None, officials=["x"], counts=[5]), key("b", officials=["x"], counts=[5])]) == [0, 1]
    # dates two days apart, or another regency: never
    assert group([key("a", officials=["x", "y"], counts=[350]),
                  key("b", date="2025-02-05", officials=["x", "y"], counts=[350])]) == [0, 1]
    assert group([key("a", officials=["x", "y"], counts=[350]),
                  key("b", regency="53.06", officials=["x", "y"], counts=[350])]) == [0, 1]


def test_members_are_never_summed_and_the_majority_value_wins():
    keys = [key("a", counts=[100]), key("b", counts=[120]), key("c", counts=[120])]
    (row,) = event_rows(keys, [0, 0, 0])
    assert row["participants"] == 120 and row["members"] == 3
    assert row["disagree"] == "participants: 100 / 120"


@pytest.mark.slow
def test_an_event_keeps_its_id_when_a_later_append_adds_a_member(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    first = write_jsonl(tmp_path / "day1.jsonl", [{"id": i, "text": ARTICLES[i]} for i in ("outlet-a", "province")])
    later = write_jsonl(tmp_path / "day2.jsonl", [{"id": "outlet-b", "text": ARTICLES["outlet-b"]},
                                                  {"id": "rewrite", "text": REWRITE}])
    assert cli.main(["run", str(first), "--into", str(store), "-q"]) == 0
    (before,) = stored(store, "SELECT event_id FROM articles WHERE article_id = 'outlet-a'")
    assert cli.main(["run", str(later), "--into", str(store), "-q"]) == 0
    assert stored(store, "SELECT article_id, event_id FROM articles ORDER BY article_id") == [
        ("outlet-a", before[0]), ("outlet-b", before[0]), ("province", event_id("province")), ("rewrite", before[0])]
    assert stored(store, f"SELECT members, participants FROM events WHERE event_id = '{before[0]}'") == [(3, 4474)]
    assert_export_is_a_run(capsys, tmp_path, store, first, later)
    exported = read(tmp_path / "exported" / "out", "events")
    assert [e["article_ids"] for e in exported] == ["outlet-a; outlet-b; rewrite", "province"]


def test_a_record_without_text_or_with_an_error_is_its_own_event(tmp_path):
    out = run(tmp_path, {"empty": "", "short": "Dua kata", **{k: ARTICLES[k] for k in ("outlet-a", "outlet-b")}})
    events = read(out, "events")
    assert [e["article_ids"] for e in events] == ["empty", "short", "outlet-a; outlet-b"]
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["articles"] == 4


@pytest.mark.slow
def test_a_replaced_text_leaves_the_event_it_joined(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    day1 = write_jsonl(tmp_path / "day1.jsonl", [{"id": i, "text": ARTICLES[i]} for i in ("outlet-a", "outlet-b")])
    # outlet-b's article is scraped again and now holds another story: it leaves the event
    day2 = write_jsonl(tmp_path / "day2.jsonl", [{"id": "outlet-b", "text": ARTICLES["later"]}])
    assert cli.main(["run", str(day1), "--into", str(store), "-q"]) == 0
    assert stored(store, "SELECT members FROM events") == [(2,)]
    assert cli.main(["run", str(day2), "--into", str(store), "-q"]) == 0
    assert sorted(stored(store, "SELECT article_ids, members FROM events")) == [("outlet-a", 1), ("outlet-b", 1)]
    assert stored(store, "SELECT event_id FROM articles WHERE article_id = 'outlet-b'") == [(event_id("outlet-b"),)]
    final = write_jsonl(tmp_path / "final.jsonl", [{"id": "outlet-a", "text": ARTICLES["outlet-a"]},
                                                   {"id": "outlet-b", "text": ARTICLES["later"]}])
    assert_export_is_a_run(capsys, tmp_path, store, final)


@pytest.mark.slow
def test_a_store_from_before_events_gets_them_on_the_next_append(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    items = write_jsonl(tmp_path / "a.jsonl", [{"id": i, "text": ARTICLES[i]} for i in ("outlet-a", "outlet-b")])
    assert cli.main(["run", str(items), "--into", str(store), "-q"]) == 0
    con = duckdb.connect(str(store))  # what the previous berita (schema 1) wrote
    for table in ("events", "event_keys", "event_blocks"):
        con.execute(f"DROP TABLE {table}")
    con.execute("ALTER TABLE articles DROP COLUMN event_id")
    con.execute("UPDATE store_info SET value = '1'")
    con.close()
    rc = cli.main(["export", str(store), "--out", str(tmp_path / "x"), "-q"])
    assert rc == 2 and "without events" in capsys.readouterr().err
    assert cli.main(["run", str(items), "--into", str(store), "-q"]) == 0  # all known: the upgrade alone
    assert stored(store, "SELECT value FROM store_info") == [("2",)]
    assert stored(store, "SELECT article_ids FROM events") == [("outlet-a; outlet-b",)]
    assert_export_is_a_run(capsys, tmp_path, store, items)


# one release as three outlets carried it: with its regency, with another regency's name in
# its place, and with the regency words left out (its regency then unknown)
BRIDGED = ("{place}Dinas Sosial menyalurkan bantuan pangan kepada keluarga penerima manfaat di balai desa, "
           "Kamis (6/3/2025). Kepala dinas mengatakan beras dan minyak goreng dibagikan sesuai data terpadu "
           "kesejahteraan sosial yang diperbarui bulan lalu. Warga diminta membawa kartu keluarga dan kartu "
           "tanda penduduk saat pengambilan bantuan di kantor desa masing-masing. {extra}")
EXTRA = "Penyaluran tahap berikutnya dijadwalkan bulan depan setelah verifikasi data selesai dilakukan petugas."


def text_key(article_id: str, regency: str | None, text: str) -> EventKey:
    return EventKey(article_id, regency, None, None, "2025-03-06", (), (), (), signature({"text": text}))


def test_an_article_of_unknown_regency_never_bridges_two_regencies():
    south = text_key("south", "71.11", BRIDGED.format(place="Pemkab Bolaang Mongondow Selatan melalui ", extra=""))
    east = text_key("east", "71.07", BRIDGED.format(place="Pemkab Minahasa Tenggara melalui ", extra=EXTRA))
    # no regency, and the closing sentence only `east` has: more similar to `east`
    bare = text_key("bare", None, BRIDGED.format(place="", extra=EXTRA))
    for order in itertools.permutations([south, east, bare]):
        firsts = group(list(order))
        events = {frozenset(k.article_id for k, f in zip(order, firsts) if f == first) for first in firsts}
        assert events == {frozenset({"south"}), frozenset({"east", "bare"})}
        assert all(row["disagree"] is None for row in event_rows(list(order), firsts))
    # alone, the bare copy joins either one: it is the regencies that keep them apart
    assert group([south, bare]) == [0, 0] and group([bare, east]) == [0, 0]


def test_in_a_plain_run_the_id_follows_the_input_order():
    a, b = key("a", officials=["x", "y"]), key("b", officials=["x", "y"])
    assert [r["event_id"] for r in event_rows([a, b], group([a, b]))] == [event_id("a")]
    assert [r["event_id"] for r in event_rows([b, a], group([b, a]))] == [event_id("b")]
