"""One test group per extractor, on sentences written for the tests."""
import pytest


def names(record):
    return {o["name"]: o for o in record["officials"]}


def primary(record):
    return {r["regency_name"] for r in record["regencies"] if r["is_primary"]}


# -- officials ------------------------------------------------------------------------------
def test_role_comma_name_with_honorific_and_degrees(extract):
    rec = extract("Bupati Bolsel, Haji Iskandar Kamaru, S.Pt., M.Si., menerima kunjungan tim.")
    o = names(rec)["Iskandar Kamaru"]
    assert (o["role"], o["honorific"], o["position"]) == ("Bupati", "Haji", "Bupati Bolsel")
    assert o["degrees"] == "S.Pt., M.Si."


def test_role_then_name_without_comma_and_balinese_prefix(extract):
    rec = extract("Bupati Jembrana I Putu Artha mengingatkan kelompok nelayan penerima bantuan.")
    assert names(rec)["I Putu Artha"]["role"] == "Bupati"


def test_acting_prefix_kept_in_position_not_role(extract):
    rec = extract("Penandatanganan dilakukan Pj Bupati Brebes Iwanuddin Iskandar di Kantor Pelayanan Terpadu.")
    o = names(rec)["Iwanuddin Iskandar"]
    assert o["role"] == "Bupati" and o["acting"] == "Pj" and o["position"].startswith("Pj Bupati")


# the trained NER marks the person after a long office name the rules misread
NER_TEXT = "Hal itu disampaikan Kasi Pembiayaan dan Asuransi Dinas Pertanian, Rahmat Hidayat Lubis."


def test_ner_finds_the_name_after_the_office(extract):
    rec = extract(NER_TEXT)
    assert [o["name"] for o in rec["officials"]] == ["Rahmat Hidayat Lubis"]
    assert rec["officials"][0]["position"] == "Kasi Pembiayaan dan Asuransi Dinas Pertanian"


def test_ner_switched_off_by_a_rules_layer():
    """`use_ner: false` (rules/ablations/no_ner) gives the rules' own reading: the ablation."""
    from pipeline.extractors.spans import values
    from pipeline.nlp import build_nlp
    from pipeline.ruletools.rules import BUILTIN_RULES_DIR
    nlp = build_nlp([BUILTIN_RULES_DIR / "ablations" / "no_ner"])
    assert [v["name"] for v in values(nlp(NER_TEXT), "officials")] == ["Pembiayaan"]


@pytest.mark.parametrize("text, name, role", [
    ("Kepala BPJS Ketenagakerjaan Cabang Tegal Endah Rahmawati menyampaikan sambutan.", "Endah Rahmawati", "Kepala Cabang"),
    ("Kadis Nakertrans, A Muhlis, menyatakan perlindungan ini penting.", "A Muhlis", "Kepala Dinas"),
    ("Pj SekDA Buol, Usman M.Si, memimpin rapat.", "Usman", "Sekretaris Daerah"),
    ("Kepalo Tiyuh Makmur, Anuar, mengatakan penyaluran lancar.", "Anuar", "Kepala Desa"),
    ("Tri Aris Wibowo selaku Kepala Pelabuhan Perikanan Samudra Bitung menyatakan dukungannya.", "Tri Aris Wibowo", "Kepala"),
    ("Kepala Kantor Wilayah BPJS Ketenagakerjaan Sulawesi Maluku, Hendra Elvian, hadir.", "Hendra Elvian", "Kepala Kantor Wilayah"),
])
def test_roles_spelled_out(extract, text, name, role):
    assert names(extract(text))[name]["role"] == role


def test_repeated_mentions_merge_into_one_row(extract):
    rec = extract("Bupati Bolsel, Iskandar Kamaru, menerima tamu. Bupati Iskandar berharap kerja sama berlanjut.")
    assert [o["name"] for o in rec["officials"]] == ["Iskandar Kamaru"]
    assert rec["officials"][0]["mentions"] == 2


def test_spelling_variants_become_aliases(extract):
    rec = extract("Ketua DPRD Mitra Marthy Ole hadir. Ketua DPRD Marty Ole memberikan apresiasi.")
    assert len(rec["officials"]) == 1 and rec["officials"][0]["aliases"] == ["Marty Ole"]


def test_standing_in_official_keeps_own_position(extract):
    rec = extract("Pj Bupati Morotai, Muhammad Umar Ali, melalui asisten II Setda Morotai, Safrudin Manyila, membuka acara.")
    assert names(rec)["Safrudin Manyila"]["role"] == "Asisten"
    assert names(rec)["Muhammad Umar Ali"]["role"] == "Bupati"


@pytest.mark.parametrize("text", [
    "Penulis: Husnul Puhi | Editor: Dinie S Awwali",
    "Rapat berlangsung di Kantor Bupati Buol, Kawasan Perkantoran Panango.",
    "Bupati Landak Secara Simbolis Menyerahkan Kartu BPJS Ketenagakerjaan",
    "Sesuai Instruksi Presiden (Inpres) No. 2 Tahun 2021 tentang optimalisasi.",
])
def test_not_officials(extract, text):
    assert extract(text)["officials"] == []


# -- regencies -----------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Pemerintah Kabupaten (Pemkab) Bolaang Mongondow Selatan (Bolsel) menandatangani kerja sama.",
     {"Kabupaten Bolaang Mongondow Selatan"}),
    ("Penandatanganan kerja sama Pemkab Mitra dengan BPJS Ketenagakerjaan.", {"Kabupaten Minahasa Tenggara"}),
    ("Pemkot Malang menyerahkan beasiswa kepada pelajar.", {"Kota Malang"}),
    ("Bupati Malang meninjau lokasi pembangunan.", {"Kabupaten Malang"}),
    ("Kepala BPJS Ketenagakerjaan Cabang Manado menerima kunjungan Pemkab Bolsel.", {"Kabupaten Bolaang Mongondow Selatan"}),
    ("Gubernur Sulawesi Utara meresmikan program bagi pekerja rentan di provinsi itu.", set()),
    ("Pemkab Sidrap dan Pemkab Pangkep meneken kerja sama dengan BPJS Ketenagakerjaan.",
     {"Kabupaten Sidenreng Rappang", "Kabupaten Pangkajene dan Kepulauan"}),
])
def test_primary_regencies(extract, text, expected):
    assert primary(extract(text)) == expected


def test_regency_rows_carry_code_and_province(extract):
    rec = extract("Pemkab Polman menggelar rapat.")
    row = rec["regencies"][0]
    assert row["regency_code"] == "76.04" and row["province_name"] == "Sulawesi Barat"


def test_kecamatan_namesake_is_not_a_regency(extract):
    rec = extract("Bantuan diserahkan di Kecamatan Negara kepada nelayan.")
    assert rec["regencies"] == []


# -- programs ------------------------------------------------------------------------------
def programs(record):
    return {(p["program"], p["acronym"]) for p in record["programs"]}


def test_known_programs_in_any_case_with_acronyms(extract):
    rec = extract("Perlindungan program Jaminan Kecelakaan Kerja (JKK) dan jaminan kematian bagi pekerja rentan.")
    assert programs(rec) == {("Jaminan Kecelakaan Kerja", "JKK"), ("Jaminan Kematian", "JKM")}


def test_named_local_program(extract):
    rec = extract("Program Berkah Petani : 5.966 peserta")
    assert ("Program Berkah Petani", "") in programs(rec)


def test_institutions_and_regulations_are_not_programs(extract):
    rec = extract("Kerja sama dengan BP Jamsostek ditandatangani berdasarkan Inpres No. 2 Tahun 2021.")
    assert rec["programs"] == []


def test_benefit_pair_without_jaminan(extract):
    rec = extract("Program yang ditanggung adalah kecelakaan kerja dan kematian.")
    assert {p for p, _ in programs(rec)} == {"Jaminan Kecelakaan Kerja", "Jaminan Kematian"}


# -- counts, percentages, amounts ----------------------------------------------------------
@pytest.mark.parametrize("text, counts", [
    ("Pemkab menambah 4.000 peserta baru tahun ini.", [4000]),
    ("Sebanyak 1,2 juta pekerja ditargetkan terlindungi.", [1_200_000]),
    ("Santunan diberikan kepada dua ahli waris peserta.", [2]),
    ("BLT diterima 134 Kepala Keluarga (KK) penerima.", [134]),
    ("Bantuan berupa 50 unit sampan untuk 25 kelompok nelayan.", []),
    ("Rapat diikuti oleh 101 peserta dari tiga kecamatan.", []),
    ("Tercatat 5.000 peserta. Jumlah itu, 5.000 peserta, naik dari tahun lalu.", [5000]),
])
def test_participant_counts(extract, text, counts):
    assert [p["count"] for p in extract(text)["participants"]] == counts


def test_count_qualifier_and_program_link(extract):
    rec = extract("Pemkab menambah 4.000 peserta baru dalam program Jaminan Sosial Ketenagakerjaan.")
    p = rec["participants"][0]
    assert p["qualifier"] == "new" and p["program"] == "Jaminan Sosial Ketenagakerjaan"


def test_percentages_and_amounts(extract):
    rec = extract("Baru 87,8 persen perangkat desa terdaftar, dengan anggaran Rp 652.780.000.800 dan santunan Rp42 juta.")
    assert [p["value"] for p in rec["percentages"]] == [87.8]
    assert [a["amount_idr"] for a in rec["amounts"]] == [652_780_000_800, 42_000_000]


def test_amount_with_short_scale(extract):
    assert [a["amount_idr"] for a in extract("Dana Rp4 M dan Rp1,5 miliar disiapkan.")["amounts"]] == [4_000_000_000, 1_500_000_000]


# -- the phrases a reviewer reads: population, purpose, program, qualifier ------------------
def test_count_population_is_the_noun_phrase_without_fillers(extract):
    rec = extract("Sebanyak 1.200 nelayan di Kabupaten Bolsel kini sudah tercover oleh BPJS Ketenagakerjaan.")
    assert [p["population"] for p in rec["participants"]] == ["nelayan di Kabupaten Bolsel tercover oleh BPJS Ketenagakerjaan"]


def test_unit_noun_takes_the_people_named_before_the_number(extract):
    rec = extract("Pemkab mendaftarkan pekerja rentan sebanyak 1.000 orang.")
    assert [(p["count"], p["population"]) for p in rec["participants"]] == [(1000, "pekerja rentan")]


def test_noun_before_the_number_runs_up_to_it(extract):
    rec = extract("Jumlah warga yang sudah terdaftar sebanyak 3.100.")
    assert [(p["count"], p["population"]) for p in rec["participants"]] == [(3100, "warga yang terdaftar")]


def test_percentage_population_named_before_the_number(extract):
    rec = extract("Di desa itu, petani yang terlindungi mencapai 64,5 persen.")
    assert [(p["value"], p["population"]) for p in rec["percentages"]] == [(64.5, "petani yang terlindungi")]


def test_percentage_population_after_the_number(extract):
    rec = extract("Baru 40 persen nelayan terdaftar.")
    assert [p["population"] for p in rec["percentages"]] == ["nelayan terdaftar"]


def test_purpose_stops_at_the_earlier_amount(extract):
    rec = extract("Total bantuan Rp50 juta, terdiri dari santunan kematian sebesar Rp42 juta dan iuran sebesar Rp16.800 "
                  "per peserta.")
    assert [(a["amount_idr"], a["purpose"]) for a in rec["amounts"]] == [
        (50_000_000, "Total bantuan"), (42_000_000, "santunan kematian"), (16_800, "iuran per peserta")]


def test_count_program_from_its_own_sentence(extract):
    # the program's first mention is in another sentence; the count's sentence names it again
    rec = extract("Program Berkah Petani diluncurkan tahun lalu. Tahun ini Program Berkah Petani menambah 500 peserta baru.")
    assert [(p["count"], p["program"]) for p in rec["participants"]] == [(500, "Program Berkah Petani")]


@pytest.mark.parametrize("text, qualifier", [
    ("Pemkab melindungi 500 nelayan.", "covered"),
    ("Iuran 700 petani ditanggung Pemkab.", "covered"),
    ("Pemkab menyerahkan kartu kepada 300 nelayan.", ""),   # the sentence says nothing about it
])
def test_qualifier_from_the_sentence(extract, text, qualifier):
    assert [p["qualifier"] for p in extract(text)["participants"]] == [qualifier]


def test_sentence_and_population_keep_the_articles_quotes(extract):
    text = "“Kami mendaftarkan 300 pekerja ‘rentan’ desa,” kata Bupati."
    p = extract(text)["participants"][0]
    assert p["sentence"] == text and p["population"] == "pekerja ‘rentan’ desa"


# -- sentences and boilerplate -------------------------------------------------------------
def test_sentences_do_not_split_inside_names(nlp):
    doc = nlp("Bupati Bolsel, Haji Iskandar Kamaru, S.Pt., M.Si., menerima kunjungan. Acara berlangsung lancar.")
    assert len(list(doc.sents)) == 2


def test_boilerplate_is_not_extracted(extract):
    text = "Pemkab Bolsel menambah 4.000 peserta.\nBaca juga: Bupati Lotim targetkan 73.000 pekerja terlindungi"
    rec = extract(text)
    assert [p["count"] for p in rec["participants"]] == [4000]
    assert rec["boilerplate"] and text[rec["boilerplate"][0][0]:].startswith("Baca juga")


def test_every_value_is_grounded(extract):
    text = ("Bupati Bolsel, Haji Iskandar Kamaru, S.Pt., menambah 4.000 peserta Jaminan Kematian senilai Rp78 juta, "
            "atau 45 persen pekerja, Senin (3/2/2025).")
    rec = extract(text)
    fields = ("dates", "officials", "regencies", "programs", "participants", "percentages", "amounts")
    # one value of each field: the loop below checks something in every field
    assert {f: len(rec[f]) for f in fields} == {f: 1 for f in fields}
    for field in fields:
        for v in rec[field]:
            assert text[v["start"]:v["end"]] == v["surface"] and v["rule"]


# -- leftovers -----------------------------------------------------------------------------
def leftovers(nlp, text):
    from pipeline.ruletools.leftovers import find_leftovers
    return [(x["kind"], x["surface"], x["shape"]) for x in find_leftovers(nlp(text))]


def test_leftover_program_named_without_the_word_program(nlp):
    # a program word of programs.yml heads the name; no rule takes this one
    assert leftovers(nlp, "Pemkab Garut meluncurkan Kartu Garut Sejahtera bagi pekerja rentan.") == [
        ("program", "Kartu Garut Sejahtera", "Kartu Xx Xx")]


@pytest.mark.parametrize("text", [
    "Pemkab menyalurkan beasiswa Rp 5 juta kepada pelajar.",             # money after the program word
    "Pemkab mendaftarkan warga pada Kartu Prakerja tahun ini.",           # a program berita reads
    "Pemkab Pangkajene dan Kepulauan menandatangani kerja sama.",         # a regency berita reads
])
def test_no_leftover_where_a_rule_took_the_phrase(nlp, text):
    assert leftovers(nlp, text) == []


def test_a_background_date_of_a_year_before_the_articles_own_is_not_the_event(extract):
    # the URL dates the article; the first date is when the office was set up
    text = "Kantor itu dibentuk pada 9 Desember 2022 lalu. Santunan diserahkan pada 30 Oktober 2023 di aula."
    url = "https://example.com/2023/10/31/kantor-menyerahkan-santunan"
    assert extract(text, url=url)["event_date"] == "2023-10-30"
    # without the article's date, and without a set-up word (dates.yml non_event_cues), nothing
    # tells which is background: the first date stays
    assert extract(text.replace("dibentuk", "diresmikan"))["event_date"] == "2022-12-09"
    # an earlier-year date that is the only one stays the event (a December event reported in January)
    assert extract("Santunan diserahkan pada 30 Desember 2022 di aula.",
                   url="https://example.com/2023/01/02/santunan")["event_date"] == "2022-12-30"


def test_a_law_or_body_set_up_a_few_words_before_its_date_is_background(extract):
    # no URL, published field or weekday dates the article: the set-up word alone marks history
    text = ("Provinsi itu lahir dari undang-undang yang ditetapkan Presiden Joko Widodo pada 25 Juli 2022. "
            "Penandatanganan MoU dilakukan pada 20 Agustus 2025 di Merauke.")
    assert extract(text)["event_date"] == "2025-08-20"
    # a date that is the event stays, however far a set-up word stands before it in another clause
    assert extract("Posko dibentuk Dinas Sosial. Santunan diserahkan pada 5 Mei 2025.")["event_date"] == "2025-05-05"


def test_a_related_block_above_the_articles_byline_ends_at_its_dateline(extract):
    # the site puts `Berita Terkait` above the article's header: the body under the byline and
    # dateline is content; the related headline above it stays boilerplate
    text = ("Berita Terkait\n\nBupati Serahkan 300 Kartu Peserta\n\nReporter: Budi | Editor: Ani\n\n"
            "PENAJAM - Pemkab menambah 4.000 peserta baru, kata Bupati, Senin (25/11/2024).")
    rec = extract(text)
    assert [p["count"] for p in rec["participants"]] == [4000]
    assert rec["event_date"] == "2024-11-25"


def test_a_page_date_in_a_bulleted_menu_line_is_a_stamp_not_the_event(extract):
    # `• 12 Jan` under the headline (its year taken from the body's date) dates the page
    text = "Santunan untuk Ahli Waris\n  • 12 Jan\n  • admin\n\nSantunan diserahkan Bupati, Rabu (10/1/2024)."
    assert extract(text)["event_date"] == "2024-01-10"
    # with no other date, the menu date dates the event as a stamp does: only through the
    # day the body names from it (12 January 2024 is a Friday)
    assert extract("Santunan untuk Ahli Waris\n  • 12 Jan 2024\n\nSantunan diserahkan Bupati, Jumat.")["event_date"] \
        == "2024-01-12"
    assert extract("Santunan untuk Ahli Waris\n  • 12 Jan 2024\n\nSantunan diserahkan Bupati.")["event_date"] is None
    # a list item with words after its date is content, not a stamp
    assert extract("Jadwal:\n• 12 Jan 2024 penyerahan kartu\n• Rabu (10/1/2024) rapat")["event_date"] == "2024-01-12"


def test_workers_written_tk_count_with_the_people_noun_before(extract):
    rec = extract("Cakupan APBD: Guru Honorer 1.467TK (100%), Aparat Desa 1.706 TK, dan 12 TK dan SD dibantu.")
    assert [p["count"] for p in rec["participants"]] == [1467, 1706]
    # without a people noun a few words before, `TK` is no count (a kindergarten)
    assert extract("Bantuan sarana disalurkan untuk 14 TK di kecamatan itu.")["participants"] == []


def test_a_year_folder_before_the_slug_gives_a_year_less_date_its_year(extract):
    text = "Santunan diserahkan Wakil Wali Kota di aula kantor, Selasa (30/7)."
    assert extract(text, url="https://example.go.id/news/2024/wawali-serahkan-santunan")["event_date"] == "2024-07-30"
    # a number folder that is no year (an id) gives none, and the date stays unknown
    assert extract(text, url="https://example.go.id/news/2024123/wawali")["event_date"] is None
