"""The event date from a weekday named alone (`kata Bupati, Senin.`), counted back from
the page's stamp or its `published` date; neither dates the event on its own."""
from __future__ import annotations


def test_a_weekday_alone_counts_back_from_the_published_date(extract):
    text = "Kartu diserahkan di Aula Kantor Bupati, Jumat. Penerimanya nelayan."
    # 2025-03-12 is a Wednesday: the Friday before it
    assert extract(text, published="2025-03-12")["event_date"] == "2025-03-07"
    # on the day itself it is that day
    assert extract(text, published="2025-03-07")["event_date"] == "2025-03-07"
    # without a reference the weekday dates nothing
    assert extract(text)["event_date"] is None


def test_a_published_date_or_a_stamp_alone_dates_no_event(extract):
    text = "Kartu diserahkan di Aula Kantor Bupati kepada nelayan."
    assert extract(text, published="2025-03-12")["event_date"] is None
    assert extract("Rabu, 12 Maret 2025 10:15 WIB\n" + text)["event_date"] is None


def test_the_weekday_of_a_date_mention_is_not_named_alone(extract):
    # `Rabu` belongs to the stamp: nothing else names the day
    assert extract("Kabar Daerah, Rabu, 12 Maret 2025 10:15 WIB\nKartu diserahkan kepada nelayan.")["event_date"] is None
