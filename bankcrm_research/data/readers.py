"""Readers for real public datasets, mapped onto the canonical tables where that is meaningful.

* :func:`read_pku_index` — Peking University Digital Financial Inclusion Index of China (Guo et
  al. 2020), province or city level, from the cleaned CSV (``pku_dfiic_province_2011_2023.csv``,
  ``pku_dfiic_city_2011_2023.csv``) or the official Excel workbook (Chinese headers, a title row,
  one sheet per level) → ``internet_finance_indicators``.
* :func:`read_bank_marketing` — UCI Bank Marketing (Moro, Cortez & Rita 2014, *Decision Support
  Systems* 62:22–31): semicolon CSV, ``y`` yes/no → typed frame with ``customer_id`` and boolean
  ``y`` (``duration`` flagged as leaking the outcome).
* :func:`read_ecsi_mobi` — the ECSI mobile-phone survey (``mobi``, 250 respondents, 1–10 scale) →
  ``survey`` (item names kept; ``CUSCO`` becomes ``CUSCO1``), validated with ``likert_range=(1, 10)``.
* :func:`read_pboc_money_supply`, :func:`read_yuebao_yield`, :func:`read_shibor_daily` — PBoC
  monthly M0/M1/M2 and the Tianchi Yu'ebao / SHIBOR daily files (2013-07 … 2014-08).

The files are never copied into the repository; pass their paths (``../shared/data/...``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from bankcrm_research.data.load import read_raw
from bankcrm_research.data.schemas import PROVINCES, get_schema
from bankcrm_research.data.table_checks import validate_table
from bankcrm_research.data.validate import raise_for_problems, require_columns

__all__ = [
    "read_pku_index",
    "read_bank_marketing",
    "read_ecsi_mobi",
    "read_pboc_money_supply",
    "read_yuebao_yield",
    "read_shibor_daily",
    "PROVINCE_CODES",
    "PKU_COLUMN_ALIASES",
]

#: GB/T 2260 two-digit province codes -> pinyin names as in the PKU English file
PROVINCE_CODES: dict[int, str] = {
    11: "Beijing", 12: "Tianjin", 13: "Hebei", 14: "Shanxi", 15: "Inner Mongolia", 21: "Liaoning", 22: "Jilin",
    23: "Heilongjiang", 31: "Shanghai", 32: "Jiangsu", 33: "Zhejiang", 34: "Anhui", 35: "Fujian", 36: "Jiangxi",
    37: "Shandong", 41: "Henan", 42: "Hubei", 43: "Hunan", 44: "Guangdong", 45: "Guangxi", 46: "Hainan",
    50: "Chongqing", 51: "Sichuan", 52: "Guizhou", 53: "Yunnan", 54: "Tibet", 61: "Shaanxi", 62: "Gansu",
    63: "Qinghai", 64: "Ningxia", 65: "Xinjiang",
}
_REGION = {p[0]: p[2] for p in PROVINCES}
_CN_TO_PINYIN = {p[1]: p[0] for p in PROVINCES}
_CN_SHORT = {re.sub(r"(省|市|自治区|壮族|回族|维吾尔)", "", k): v for k, v in _CN_TO_PINYIN.items()}

#: header aliases (cleaned CSV, official workbook in Chinese) -> canonical names
PKU_COLUMN_ALIASES: dict[str, str] = {
    "year": "year", "年份": "year", "年度": "year",
    "prov_name_eng": "province", "prov_name": "province_cn", "省份": "province_cn", "省": "province_cn",
    "prov_code": "prov_code", "省份代码": "prov_code", "行政区划代码": "area_code", "代码": "area_code",
    "pref_name_year18_eng": "city", "pref_name_year18": "city_cn", "城市": "city_cn", "地级市": "city_cn",
    "pref_code_year18": "city_code", "城市代码": "city_code",
    "index_aggregate": "if_index", "总指数": "if_index", "数字普惠金融指数": "if_index", "数字普惠金融总指数": "if_index",
    "coverage_breadth": "coverage_breadth", "覆盖广度": "coverage_breadth", "覆盖广度指数": "coverage_breadth",
    "usage_depth": "usage_depth", "使用深度": "usage_depth", "使用深度指数": "usage_depth",
    "digitization_level": "digitization_level", "数字化程度": "digitization_level", "数字化程度指数": "digitization_level",
    "payment": "payment", "支付": "payment", "支付业务": "payment",
    "insurance": "insurance", "保险": "insurance", "保险业务": "insurance",
    "monetary_fund": "monetary_fund", "货币基金": "monetary_fund", "货币基金业务": "monetary_fund",
    "investment": "investment", "投资": "investment", "投资业务": "investment",
    "credit": "digital_credit", "信贷": "digital_credit", "信贷业务": "digital_credit",
    "credit_investigation": "credit_investigation", "信用": "credit_investigation", "信用业务": "credit_investigation",
    "征信": "credit_investigation",
}


def _find_header(raw: pd.DataFrame, tokens: tuple[str, ...]) -> int:
    """Row index (in a header-less read) of the first row containing one of ``tokens``."""
    for i in range(min(len(raw), 15)):
        cells = {str(v).strip() for v in raw.iloc[i].tolist()}
        if cells & set(tokens):
            return i
    raise ValueError(f"no header row with any of {list(tokens)} in the first 15 rows; is this the PKU index file?")


def _pku_excel(path: Path, level: str, sheet: str | int | None) -> pd.DataFrame:
    import openpyxl

    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    if sheet is None:
        keys = ("省", "province", "prov") if level == "province" else ("城市", "地级", "city", "pref")
        hits = [n for n in names if any(k in n.lower() for k in keys)]
        sheet = hits[0] if hits else 0
    raw = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object)
    h = _find_header(raw, ("year", "年份", "年度"))
    frame = raw.iloc[h + 1:].reset_index(drop=True)
    frame.columns = [str(c).strip() for c in raw.iloc[h].tolist()]
    return frame.dropna(how="all")


def read_pku_index(
    path: str | Path,
    *,
    level: str = "province",
    sheet: str | int | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read the PKU Digital Financial Inclusion Index as ``internet_finance_indicators``.

    Parameters
    ----------
    path : str or Path
        Cleaned CSV (English/Chinese headers) or the official Excel workbook.
    level : {"province", "city"}
        Province rows are validated against the ``internet_finance_indicators`` schema (key
        province × year); city rows keep ``city``/``city_code`` and add their ``province``.
    sheet : str or int, optional
        Excel sheet; by default the one named like the level (省级 / 城市 / province / city).

    Returns
    -------
    DataFrame
        Canonical columns (``province, region, year, if_index, coverage_breadth, usage_depth,
        digitization_level, payment, monetary_fund, digital_credit, insurance, investment``) plus
        ``credit_investigation`` and, at city level, ``city, city_code``. Sub-indices that the PKU
        release leaves blank (monetary_fund, credit_investigation from 2019) stay missing.

    Notes
    -----
    The aggregate index weights the three dimensions 0.540 (coverage breadth), 0.297 (usage depth)
    and 0.163 (digitisation level); Guo, F., Wang, J., Wang, F., Kong, T., Zhang, X. & Cheng, Z.
    (2020), "Measuring China's digital financial inclusion: index compilation and spatial
    characteristics", *China Economic Quarterly* 19(4), 1401–1418.
    """
    if level not in ("province", "city"):
        raise ValueError(f"The 'level' parameter must be one of ['province', 'city']. Got {level!r} instead.")
    p = Path(path)
    if p.suffix.lower() in {".xlsx", ".xls", ".xlsm"}:
        frame = _pku_excel(p, level, sheet)
    else:
        frame = read_raw(p, encoding=encoding)
    frame = frame.rename(columns={c: PKU_COLUMN_ALIASES.get(str(c).strip(), str(c).strip()) for c in frame.columns})
    missing = [c for c in ("year", "if_index") if c not in frame.columns]
    if missing:
        accepted = {m: [k for k, v in PKU_COLUMN_ALIASES.items() if v == m] for m in missing}
        raise ValueError(
            f"{p.name}: no column for {missing} in the header {list(map(str, frame.columns))[:10]}; the PKU reader "
            f"accepts the headers {accepted}. Rename your columns to one of them."
        )
    out = frame.copy()
    out["year"] = pd.to_numeric(out["year"], errors="coerce").round().astype("Int64")
    if "province" not in out.columns or out["province"].isna().all():
        if "province_cn" in out.columns:
            cn = out["province_cn"].astype(str).str.strip()
            out["province"] = cn.map(_CN_TO_PINYIN).fillna(cn.str.replace(r"(省|市|自治区|壮族|回族|维吾尔)", "", regex=True)
                                                           .map(_CN_SHORT))
        else:
            code_col = next((c for c in ("prov_code", "city_code", "area_code") if c in out.columns), None)
            if code_col is None:
                raise ValueError(f"{p.name}: cannot tell the province: no province name or code column found; "
                                 f"found {list(frame.columns)[:10]}")
            code = pd.to_numeric(out[code_col], errors="coerce")
            digits = np.floor(code / 10 ** np.floor(np.log10(code.clip(lower=1)) - 1)).astype("Int64")
            out["province"] = digits.map(PROVINCE_CODES)
    if level == "city":
        code = pd.to_numeric(out.get("city_code", out.get("area_code")), errors="coerce")
        prov = np.floor(code / 10 ** np.floor(np.log10(code.clip(lower=1)) - 1)).astype("Int64").map(PROVINCE_CODES)
        out["province"] = prov.where(prov.notna(), out.get("province"))
        if "city" not in out.columns and "city_cn" in out.columns:
            out["city"] = out["city_cn"]
    out["region"] = out["province"].map(_REGION)
    schema = get_schema("internet_finance_indicators")
    keep = [c for c in schema.names if c in out.columns] + [
        c for c in ("credit_investigation", "city", "city_code", "city_cn", "province_cn") if c in out.columns
    ]
    out = out[keep]
    if level == "province":
        table, problems = validate_table(out, schema)
        raise_for_problems([p_ for p_ in problems if p_.severity == "error"], f"PKU index ({p.name})")
        table.attrs["source"] = str(p)
        table.attrs["simulated"] = False
        return table.sort_values(["province", "year"]).reset_index(drop=True)
    for c in out.columns:
        if c not in ("province", "region", "city", "city_cn", "province_cn", "year"):
            out[c] = pd.to_numeric(out[c], errors="coerce")
    out.attrs["source"] = str(p)
    out.attrs["simulated"] = False
    return out.sort_values(["province", "city", "year"] if "city" in out else ["province", "year"]).reset_index(drop=True)


BANK_MARKETING_LEAKY = ("duration",)


def read_bank_marketing(path: str | Path) -> pd.DataFrame:
    """Read UCI Bank Marketing (``bank-full.csv`` or ``bank-additional-full.csv``).

    Returns
    -------
    DataFrame
        Original columns with numeric types, ``y`` as bool (subscribed a term deposit),
        ``customer_id`` (``U00001``… in file order, which is date order in the ``additional``
        file), ``contact_order`` (0-based row order, for time-ordered splits) and
        ``previously_contacted`` (``pdays`` not -1/999; those sentinel values become missing).
        ``attrs["leaky_columns"] == ["duration"]``: the call duration is known only after the call
        and must be excluded for honest targeting models.

    Notes
    -----
    Moro, S., Cortez, P. & Rita, P. (2014), "A data-driven approach to predict the success of bank
    telemarketing", *Decision Support Systems* 62, 22–31. Licence CC BY 4.0.
    """
    p = Path(path)
    df = read_raw(p)
    require_columns(df, ["age", "job", "y"], table=f"UCI Bank Marketing ({p.name})", param="the file's header")
    bad_y = ~df["y"].astype(str).str.strip().str.lower().isin(["yes", "no"])
    if bad_y.any():
        rows = (np.flatnonzero(bad_y.to_numpy())[:5] + 1).tolist()
        raise ValueError(f"{p.name}: column 'y' must be yes/no; found {df.loc[bad_y, 'y'].unique()[:3].tolist()} in "
                         f"rows {rows}. Recode it to yes/no.")
    out = df.copy()
    numeric = ["age", "balance", "day", "duration", "campaign", "pdays", "previous", "emp.var.rate",
               "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed"]
    for c in numeric:
        if c in out.columns:
            out[c] = pd.to_numeric(out[c], errors="raise")
    out["y"] = out["y"].str.strip().str.lower().eq("yes")
    out["previously_contacted"] = ~out["pdays"].isin([-1, 999])
    out["pdays"] = out["pdays"].where(out["previously_contacted"])
    width = max(5, len(str(len(out))))
    out.insert(0, "customer_id", [f"U{i + 1:0{width}d}" for i in range(len(out))])
    out.insert(1, "contact_order", np.arange(len(out), dtype=np.int64))
    out.attrs.update(source=str(p), simulated=False, leaky_columns=list(BANK_MARKETING_LEAKY))
    return out


def read_ecsi_mobi(path: str | Path) -> pd.DataFrame:
    """Read the ECSI ``mobi`` survey as a canonical ``survey`` table (1–10 scale).

    ``respondent_id`` (``M001``…) is created from the row order, ``CUSCO`` is renamed ``CUSCO1``
    (canonical item names carry a number); items keep their ECSI names, so the satisfaction
    notebook's model specification applies unchanged. Validated with ``likert_range=(1, 10)``.

    Notes
    -----
    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M. & Lauro, C. (2005), "PLS path modeling",
    *Computational Statistics & Data Analysis* 48, 159–205 (the ``mobi`` data of the ECSI model).
    """
    p = Path(path)
    df = read_raw(p)
    require_columns(df, ["IMAG1", "CUSA1", "CUSL1"], table=f"ECSI mobi ({p.name})", param="the file's header")
    df = df.rename(columns={"CUSCO": "CUSCO1"})
    df.insert(0, "respondent_id", [f"M{i + 1:03d}" for i in range(len(df))])
    table, problems = validate_table(df, get_schema("survey"), likert_range=(1, 10))
    raise_for_problems([q for q in problems if q.severity == "error"], f"ECSI mobi ({p.name})")
    table.attrs.update(source=str(p), simulated=False, likert_range=(1, 10))
    return table


def read_pboc_money_supply(path: str | Path, *, encoding: str | None = None) -> pd.DataFrame:
    """PBoC monthly money supply (Chinese headers) → ``month, m0, m1, m2, corporate_demand_deposits`` (CNY 100m).

    ``corporate_demand_deposits`` = M1 − M0 (单位活期存款). The M1 definition changes in 2024-01
    (new basis): ``m1_new_basis`` flags those months; do not compare levels across the break.
    """
    p = Path(path)
    df = read_raw(p, encoding=encoding)
    alias = {"日期": "month", "M0(亿元)": "m0", "M1(亿元)": "m1", "M2(亿元)": "m2", "单位活期存款(亿元)": "corporate_demand_deposits"}
    df = df.rename(columns=alias)
    require_columns(df, ["month", "m1", "m2"], table=f"PBoC money supply ({p.name})", param="the file's header")
    out = pd.DataFrame({"month": pd.to_datetime(df["month"].astype(str).str.strip() + "-01", format="%Y-%m-%d")})
    for c in ("m0", "m1", "m2", "corporate_demand_deposits"):
        if c in df.columns:
            out[c] = pd.to_numeric(df[c], errors="coerce")
    out["m1_new_basis"] = out["month"] >= pd.Timestamp("2024-01-01")
    out.attrs.update(source=str(p), simulated=False)
    return out


def read_yuebao_yield(path: str | Path) -> pd.DataFrame:
    """Tianchi Yu'ebao daily yields → ``date, daily_yield_per_10k, mmf_yield_7d`` (%)."""
    p = Path(path)
    df = read_raw(p)
    require_columns(df, ["mfd_date", "mfd_7daily_yield"], table=f"Yu'ebao yields ({p.name})", param="the file's header")
    out = pd.DataFrame({
        "date": pd.to_datetime(df["mfd_date"].astype(str), format="%Y%m%d"),
        "daily_yield_per_10k": pd.to_numeric(df["mfd_daily_yield"], errors="coerce"),
        "mmf_yield_7d": pd.to_numeric(df["mfd_7daily_yield"], errors="coerce"),
    })
    out.attrs.update(source=str(p), simulated=False)
    return out


#: Tianchi SHIBOR file column -> canonical tenor column of :func:`read_shibor_daily`.
SHIBOR_TENORS: dict[str, str] = {
    "Interest_O_N": "shibor_on", "Interest_1_W": "shibor_1w", "Interest_2_W": "shibor_2w",
    "Interest_1_M": "shibor_1m", "Interest_3_M": "shibor_3m", "Interest_6_M": "shibor_6m",
    "Interest_9_M": "shibor_9m", "Interest_1_Y": "shibor_1y",
}


def read_shibor_daily(path: str | Path) -> pd.DataFrame:
    """Tianchi daily SHIBOR → ``date, shibor_on, shibor_1w, …, shibor_3m, …, shibor_1y`` (%)."""
    p = Path(path)
    df = read_raw(p)
    require_columns(df, ["mfd_date", "Interest_3_M"], table=f"SHIBOR ({p.name})", param="the file's header")
    out = pd.DataFrame({"date": pd.to_datetime(df["mfd_date"].astype(str), format="%Y%m%d")})
    for src, dst in SHIBOR_TENORS.items():
        if src in df.columns:
            out[dst] = pd.to_numeric(df[src], errors="coerce")
    out.attrs.update(source=str(p), simulated=False)
    return out
