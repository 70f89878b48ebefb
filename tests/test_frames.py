"""pipeline.io.frames: the output tables as typed DataFrames, row for row the CSVs."""
from pathlib import Path

import pandas as pd
import pytest

from pipeline import cli
from pipeline.io.frames import load_tables
from pipeline.io.records import COLUMNS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("frames") / "out"
    inputs = [str(ROOT / "corpus" / "seed.jsonl"), str(ROOT / "tests" / "data" / "synthetic-a.jsonl")]
    assert cli.main(["run", *inputs, "--out", str(out), "--quiet", "--no-review"]) == 0
    return out


def test_frames_hold_the_csv_rows_with_typed_columns(out):
    frames = load_tables(out)
    assert set(frames) == set(COLUMNS)
    for table, frame in frames.items():
        csv = pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert list(frame.columns) == list(csv.columns) == COLUMNS[table]
        assert len(frame) == len(csv), table
        for column in frame.columns:
            if str(frame[column].dtype) in ("Int64", "Float64"):
                written = pd.to_numeric(csv[column].replace("", None))
                assert (frame[column].isna() == written.isna()).all(), (table, column)
                assert (frame[column].dropna().to_numpy() == written.dropna().to_numpy()).all(), (table, column)
                continue
            as_text = frame[column].astype(object).map(
                lambda v: "" if v is None or v is pd.NA or v is pd.NaT else
                ("true" if v is True else "false" if v is False else
                 v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else str(v)))
            guarded = csv[column].str.startswith("'")  # the CSV's spreadsheet-formula guard
            assert (as_text[~guarded] == csv[column][~guarded]).all(), (table, column)
    assert len(frames["articles"]) > 30 and len(frames["participants"]) > 10


def test_codes_stay_strings_and_numbers_are_numbers(out):
    frames = load_tables(out)
    regencies = frames["regencies"]
    assert regencies["regency_code"].dtype == "string"
    assert regencies["regency_code"].str.fullmatch(r"\d\d\.\d\d").all()  # `33.10` is not the float 33.1
    assert str(regencies["is_primary"].dtype) == "boolean" and regencies["is_primary"].any()
    assert str(frames["participants"]["count"].dtype) == "Int64" and (frames["participants"]["count"] > 0).all()
    assert str(frames["amounts"]["amount_idr"].dtype) == "Int64"
    assert str(frames["articles"]["event_date"].dtype).startswith("datetime64")
    # a month-precision date stays as written
    assert frames["dates"]["date"].dtype == "string"
