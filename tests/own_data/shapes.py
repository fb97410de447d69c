"""Files shaped unlike the bundled world, for the own-data notebook tests.

Each writer creates one small file in ``folder`` and returns ``(path, params, truth)``: the notebook
parameters a researcher would pass (path, column mapping, research question — nothing else) and,
where a quantity is planted, its true value. Shapes: other column names, Chinese headers, GBK
encoding, an Excel workbook with the data on its second sheet, a panel with its own index column and
Chinese bank-type labels, a churn file without dates and with a text target, a bare transaction log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

BANK_TYPES_CN = ["国有大型商业银行", "股份制商业银行", "城市商业银行", "农村商业银行"]


def panel_with_own_index(folder: Path, *, seed: int = 8, n_banks: int = 60, years: range = range(2011, 2023),
                         slope: float = -0.004) -> tuple[Path, dict[str, Any], dict[str, float]]:
    """GBK CSV, Chinese headers and bank-type labels, the province index as a column of the panel.

    ``净息差`` (NIM, %) = bank effect + year effect + slope * index + noise: two-way FE recovers the
    slope (per index point); the index varies within year across banks and within bank over time.
    """
    rng = np.random.default_rng(seed)
    banks = [f"银行{i:03d}" for i in range(n_banks)]
    types = rng.choice(BANK_TYPES_CN, n_banks, p=[0.1, 0.2, 0.4, 0.3])
    bank_fe = rng.normal(2.5, 0.4, n_banks)
    level = rng.uniform(60, 140, n_banks)
    rows = []
    for y_i, year in enumerate(years):
        year_fe = 0.05 * np.sin(y_i)
        for b in range(n_banks):
            index = level[b] + 18.0 * y_i + rng.normal(0, 12)
            nim = bank_fe[b] + year_fe + slope * index + rng.normal(0, 0.08)
            cost = 1.8 + 0.004 * index + rng.normal(0, 0.1)
            rows.append({"银行名称": banks[b], "银行类型": types[b], "年度": year, "数字普惠金融指数": round(index, 3),
                         "净息差": round(nim, 5), "存款成本率": round(cost, 5),
                         "总资产对数": round(8 + rng.normal(0, 1), 4)})
    path = folder / "银行面板.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="gbk")
    params = {
        "panel_path": str(path),
        "columns": {"bank_panel": {"bank_id": "银行名称", "bank_type": "银行类型", "year": "年度",
                                   "if_index": "数字普惠金融指数", "nim": "净息差", "deposit_cost": "存款成本率",
                                   "log_assets": "总资产对数"}},
        "outcomes": ["nim", "deposit_cost"],
        "bank_panel_path": str(path),  # notebook 06's name for the panel path (the rest above applies to it too)
    }
    return path, params, {"nim_slope": slope}


def churn_without_dates(folder: Path, *, seed: int = 11, n: int = 3000) -> tuple[Path, dict[str, Any], dict[str, float]]:
    """Excel workbook, data on the second sheet; other names; text target 'closed'/'open'; no dates."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 85, n)
    products = rng.integers(1, 5, n)
    active = rng.random(n) < 0.5
    balance = np.round(rng.gamma(2.0, 40000, n), 2)
    region = rng.choice(["north", "south", "west"], n)
    logit = -1.6 + 0.035 * (age - 45) - 0.9 * active + 0.5 * (products >= 3) + 0.4 * (region == "west")
    closed = rng.random(n) < 1 / (1 + np.exp(-logit))
    df = pd.DataFrame({"CustNo": [f"K{i:06d}" for i in range(n)], "Age": age, "NumProducts": products,
                       "IsActiveMember": np.where(active, "yes", "no"), "Balance": balance, "Region": region,
                       "Status": np.where(closed, "closed", "open")})
    path = folder / "churn.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"note": ["exported from the CRM", "see sheet 'accounts'"]}).to_excel(xw, sheet_name="readme", index=False)
        df.to_excel(xw, sheet_name="accounts", index=False)
    params = {"customers_path": str(path), "sheet": "accounts", "columns": {"customer_id": "CustNo"},
              "target": "Status", "positive_class": "closed"}
    return path, params, {}


def bare_transaction_log(folder: Path, *, seed: int = 5, n_customers: int = 300) -> tuple[Path, dict[str, Any], dict]:
    """Semicolon CSV with only customer, date (dd/mm/yyyy, unambiguous) and amount (decimal comma)."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2022-01-01")
    for c in range(n_customers):
        k = rng.poisson(rng.choice([2, 6, 15])) + 1
        days = np.sort(rng.integers(0, 700, k))
        for d in days:
            amount = round(float(rng.gamma(2.0, 150.0)), 2)
            rows.append((f"U{c:04d}", (start + pd.Timedelta(days=int(d))).strftime("%d/%m/%Y"),
                         f"{amount:.2f}".replace(".", ",")))
    path = folder / "log.csv"
    pd.DataFrame(rows, columns=["kunde", "datum", "betrag"]).to_csv(path, sep=";", index=False)
    params = {"transactions_path": str(path),
              "columns": {"transactions": {"customer_id": "kunde", "txn_date": "datum", "amount": "betrag"}}}
    return path, params, {}


def survey_chinese_headers(folder: Path, *, seed: int = 3, n: int = 400) -> tuple[Path, dict[str, Any], dict]:
    """GBK CSV survey, Chinese item names, 1–5 scale, a simple model 形象/期望/质量 -> 满意 -> 忠诚."""
    rng = np.random.default_rng(seed)
    img = rng.normal(size=n)
    exp_ = 0.5 * img + rng.normal(scale=0.85, size=n)
    qual = 0.4 * exp_ + rng.normal(scale=0.9, size=n)
    sat = 0.3 * img + 0.2 * exp_ + 0.4 * qual + rng.normal(scale=0.7, size=n)
    loy = 0.6 * sat + rng.normal(scale=0.8, size=n)
    data = {}
    for name, latent, k in (("形象", img, 3), ("期望", exp_, 3), ("质量", qual, 4), ("满意", sat, 3), ("忠诚", loy, 3)):
        for j in range(1, k + 1):
            x = 0.8 * latent + rng.normal(scale=0.6, size=n)
            data[f"{name}{j}"] = np.clip(np.round(3 + x), 1, 5).astype(int)
    df = pd.DataFrame(data)
    df.insert(0, "问卷编号", [f"Q{i:04d}" for i in range(n)])
    path = folder / "问卷.csv"
    df.to_csv(path, index=False, encoding="gbk")
    measurement = {name: [f"{name}{j}" for j in range(1, k + 1)]
                   for name, k in (("形象", 3), ("期望", 3), ("质量", 4), ("满意", 3), ("忠诚", 3))}
    structural = [["形象", "期望"], ["形象", "满意"], ["期望", "质量"], ["期望", "满意"], ["质量", "满意"],
                  ["满意", "忠诚"]]
    params = {"survey_path": str(path), "columns": {"respondent_id": "问卷编号"}, "measurement": measurement,
              "structural": structural}
    return path, params, {}


def macro_other_names(folder: Path, *, seed: int = 9, n_months: int = 120) -> tuple[Path, dict[str, Any], dict]:
    """Monthly macro file with other names: money-market fund AUM, demand and time deposits, 3M rate."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2012-01-01", periods=n_months, freq="MS")
    aum = np.exp(np.cumsum(rng.normal(0.03, 0.05, n_months)) + 5)
    dd = np.exp(np.cumsum(rng.normal(0.006, 0.01, n_months) - 0.1 * np.r_[0, np.diff(np.log(aum))]) + 10)
    td = np.exp(np.cumsum(rng.normal(0.008, 0.008, n_months)) + 10.5)
    rate = np.clip(3 + np.cumsum(rng.normal(0, 0.1, n_months)), 0.5, None)
    df = pd.DataFrame({"月份": months.strftime("%Y-%m"), "货币基金规模": aum.round(3), "活期存款": dd.round(3),
                       "定期存款": td.round(3), "三个月利率": rate.round(4)})
    path = folder / "宏观.xlsx"
    df.to_excel(path, index=False)
    params = {"macro_path": str(path),
              "columns": {"macro_monthly": {"month": "月份", "mmf_aum": "货币基金规模", "demand_deposits": "活期存款",
                                            "time_deposits": "定期存款", "shibor_3m": "三个月利率"}}}
    return path, params, {}
