"""Readers of the real public datasets in ../shared/data (skipped when the folder is absent).

Spot values come from the datasets' README: PKU index Shanghai 2011 = 80.19 and 2020 = 431.93;
UCI ``bank-full`` y = yes 11.70 % of 45,211 rows, ``bank-additional-full`` 11.27 % of 41,188; ECSI
``mobi`` 250 respondents on 1–10 scales; Yu'ebao 7-day yield peak 6.763 % on 2014-01-02.
The official-Excel test builds a workbook in the official layout (title row, Chinese headers) and
runs without the shared folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bankcrm_research.data import readers
from bankcrm_research.data.validate import DataValidationError

pytestmark = pytest.mark.shared_data


def test_pku_province_csv(shared_data_dir: Path) -> None:
    df = readers.read_pku_index(shared_data_dir / "internet_finance" / "pku_dfiic_province_2011_2023.csv")
    assert len(df) == 403 and df["province"].nunique() == 31
    sh = df.set_index(["province", "year"])["if_index"]
    assert sh[("Shanghai", 2011)] == pytest.approx(80.19, abs=0.01)
    assert sh[("Shanghai", 2020)] == pytest.approx(431.93, abs=0.01)
    assert df["region"].notna().all() and df["year"].dtype == "int64"
    assert df.loc[df["year"] >= 2019, "monetary_fund"].isna().all()  # blank in the release, kept missing


def test_pku_city_csv(shared_data_dir: Path) -> None:
    df = readers.read_pku_index(shared_data_dir / "internet_finance" / "pku_dfiic_city_2011_2023.csv", level="city")
    assert len(df) == 4369
    assert df["province"].notna().mean() > 0.99 and df["city"].nunique() > 300
    assert (df.loc[df["city"] == "Anqing", "province"] == "Anhui").all()


def test_pku_official_excel_layout(tmp_path: Path) -> None:
    p = tmp_path / "北京大学数字普惠金融指数.xlsx"
    body = pd.DataFrame({
        "省份": ["北京市", "北京市", "安徽省"], "行政区划代码": [110000, 110000, 340000], "年份": [2011, 2012, 2011],
        "总指数": [79.41, 150.65, 33.07], "覆盖广度": [97.53, 155.56, 20.2], "使用深度": [72.23, 159.42, 55.58],
        "数字化程度": [32.59, 118.47, 34.66], "支付": [79.4, 110.02, 49.04], "货币基金": [None, None, None],
    })
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame([["北京大学数字普惠金融指数（省级）"]]).to_excel(xw, sheet_name="省级", index=False, header=False)
        body.to_excel(xw, sheet_name="省级", index=False, startrow=2)
        body.to_excel(xw, sheet_name="城市级", index=False)
    df = readers.read_pku_index(p)
    assert df["province"].tolist() == ["Anhui", "Beijing", "Beijing"]
    assert df["if_index"].tolist() == [33.07, 79.41, 150.65]
    assert df["region"].tolist() == ["central", "east", "east"]


def test_pku_file_without_index_column_is_explained(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("year,province,score\n2011,Beijing,80\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no column for \['if_index'\].*'index_aggregate', '总指数'.*Rename"):
        readers.read_pku_index(p)


def test_bank_marketing(shared_data_dir: Path) -> None:
    full = readers.read_bank_marketing(shared_data_dir / "bank_marketing" / "bank-full.csv")
    assert len(full) == 45211 and full["y"].mean() == pytest.approx(0.1170, abs=5e-4)
    assert full["customer_id"].is_unique and full.attrs["leaky_columns"] == ["duration"]
    add = readers.read_bank_marketing(shared_data_dir / "bank_marketing" / "bank-additional-full.csv")
    assert len(add) == 41188 and add["y"].mean() == pytest.approx(0.1127, abs=5e-4)
    assert add["pdays"].isna().mean() > 0.9 and (~add["previously_contacted"]).mean() > 0.9


def test_bank_marketing_bad_target(tmp_path: Path) -> None:
    p = tmp_path / "b.csv"
    p.write_text('"age";"job";"y"\n30;"admin.";"yes"\n31;"admin.";"maybe"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"'y' must be yes/no.*'maybe'.*rows \[2\]"):
        readers.read_bank_marketing(p)


def test_ecsi_mobi(shared_data_dir: Path) -> None:
    df = readers.read_ecsi_mobi(shared_data_dir / "ecsi_mobi" / "mobi.csv")
    assert df.shape[0] == 250 and "CUSCO1" in df and "CUSCO" not in df
    items = df.filter(regex=r"^(IMAG|CUEX|PERQ|PERV|CUSA|CUSCO|CUSL)\d")
    assert items.shape[1] == 24 and items.stack().between(1, 10).all() and items.stack().max() == 10
    assert df.attrs["likert_range"] == (1, 10)


def test_macro_files(shared_data_dir: Path) -> None:
    d = shared_data_dir / "internet_finance"
    ms = readers.read_pboc_money_supply(d / "pboc_money_supply_M0_M1_M2_200801_202511.csv")
    assert ms["month"].iloc[0] == pd.Timestamp("2008-01-01") and ms["m1_new_basis"].iloc[-1]
    assert (ms["corporate_demand_deposits"] - (ms["m1"] - ms["m0"])).abs().max() < 1.0
    yb = readers.read_yuebao_yield(d / "yuebao_mfd_day_share_interest_20130701_20140831.csv")
    peak = yb.loc[yb["mmf_yield_7d"].idxmax()]
    assert peak["mmf_yield_7d"] == pytest.approx(6.763) and peak["date"] == pd.Timestamp("2014-01-02")
    sh = readers.read_shibor_daily(d / "shibor_mfd_bank_shibor_20130701_20140831.csv")
    assert len(sh) == 294 and {"shibor_on", "shibor_3m", "shibor_1y"} <= set(sh.columns)


def test_ecsi_with_out_of_range_answers_is_rejected(tmp_path: Path) -> None:
    p = tmp_path / "mobi.csv"
    p.write_text("IMAG1,CUSA1,CUSL1\n5,11,3\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"CUSA1: Likert answers outside the declared 1–10 scale"):
        readers.read_ecsi_mobi(p)
