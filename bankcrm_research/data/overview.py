"""Notebook 00's overview of whatever tables were given: validation report, table summaries, gaps, and
findings rendered from the numbers (aggregates only: never row-level customer data).

Nothing here assumes the bundled world: each summary runs on the columns a table has and says which it
lacks; :func:`select_tables` decides which tables a run reads — all bundled ones when no path is given,
otherwise only the user's (no bundled table is mixed with a user's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bankcrm_research.data.schemas import SCHEMAS, get_schema
from bankcrm_research.data.validate import Problem

__all__ = [
    "select_tables",
    "problems_frame",
    "dictionary_frame",
    "describe_tables",
    "missingness",
    "data_truth_rows",
    "infer_likert_range",
    "bank_panel_summary",
    "customers_summary",
    "monthly_transactions",
    "survey_item_stats",
    "overview_findings",
    "headline_findings",
]

TABLE_KINDS: tuple[str, ...] = tuple(SCHEMAS)


_NOT_GIVEN = {
    "en": "no {kind}_path given (bundled tables are not mixed with your files).",
    "zh": "未提供 {kind} 的路径（内置表不会与你的文件混用）。",
}


def select_tables(paths: Mapping[str, Any] | None, *, lang: str = "en") -> tuple[dict[str, Any], dict[str, str]]:
    """Which tables to read: ``({kind: path or None}, {kind: why skipped})``.

    All six bundled tables when no path is given; otherwise only the tables with a path (a bundled
    table is never mixed with a user's). Unknown kinds are an error naming the valid ones. ``lang``
    ("en" or "zh") is the language of the "why skipped" sentences.
    """
    paths = dict(paths or {})
    unknown = [k for k in paths if k not in SCHEMAS]
    if unknown:
        raise ValueError(f"paths has unknown table kinds {unknown}; expected keys among {list(SCHEMAS)}.")
    given = {k: v for k, v in paths.items() if v}
    if not given:
        return {k: None for k in TABLE_KINDS}, {}
    why = _NOT_GIVEN.get(lang, _NOT_GIVEN["en"])
    skipped = {k: why.format(kind=k) for k in TABLE_KINDS if k not in given}
    return {k: given[k] for k in TABLE_KINDS if k in given}, skipped


def infer_likert_range(raw: pd.DataFrame, items: list[str] | None = None) -> tuple[int, int]:
    """The answer scale of survey items from their observed integer answers: ``(min, max)``.

    Common scales (1–5, 1–7, 0–10, 1–10) are returned when the answers fit inside one; otherwise the
    observed range.
    """
    cols = items or [c for c in raw.columns if c != "respondent_id"]
    vals = pd.to_numeric(pd.Series(np.asarray(raw[cols], dtype=object).ravel()), errors="coerce").dropna()
    if vals.empty:
        return (1, 7)
    lo, hi = int(np.floor(vals.min())), int(np.ceil(vals.max()))
    for a, b in ((1, 5), (1, 7), (1, 10), (0, 10)):
        if a <= lo and hi <= b and hi > b - 3:
            return (a, b)
    return (lo, hi)


def problems_frame(problems: Mapping[str, list[Problem]] | list[Problem]) -> pd.DataFrame:
    """Validation problems as a tidy table: ``table, severity, column, message, n_rows, rows, fix``."""
    items = problems if isinstance(problems, list) else [p for ps in problems.values() for p in ps]
    cols = ["table", "severity", "column", "message", "n_rows", "rows", "fix"]
    return pd.DataFrame(
        [{"table": p.table, "severity": p.severity, "column": p.column or "", "message": p.message,
          "n_rows": p.n_rows, "rows": ", ".join(map(str, p.rows)), "fix": p.fix} for p in items],
        columns=cols,
    )


def dictionary_frame(kind: str | None = None) -> pd.DataFrame:
    """The data dictionary from the schemas: ``table, column, type, unit, allowed, key, required, meaning``."""
    kinds = [kind] if kind else list(SCHEMAS)
    rows = []
    for k in kinds:
        s = get_schema(k)
        for c in s.columns:
            rows.append({"table": k, "column": c.name, "type": c.dtype, "unit": c.unit, "allowed": c.range_text,
                         "key": c.name in s.key, "required": c.required, "meaning": c.description})
    return pd.DataFrame(rows)


def describe_tables(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per table: rows, columns, key, whether the key is unique, period and missing share."""
    rows = []
    for kind, df in tables.items():
        s = get_schema(kind)
        key = [k for k in s.key if k in df.columns]
        # a time column only when it holds dates or years (Bank Marketing's 'month' is text: 'may', 'jun')
        time_col = next((c for c in ("year", "month", "txn_date", "survey_date", "open_date") if c in df.columns
                         and (pd.api.types.is_datetime64_any_dtype(df[c])
                              or (c == "year" and pd.api.types.is_numeric_dtype(df[c])))), None)
        period = ""
        if time_col is not None and df[time_col].notna().any():
            lo, hi = df[time_col].min(), df[time_col].max()
            period = f"{lo}–{hi}" if time_col == "year" else f"{pd.Timestamp(lo):%Y-%m-%d} … {pd.Timestamp(hi):%Y-%m-%d}"
        rows.append({
            "table": kind, "rows": len(df), "columns": df.shape[1], "key": ", ".join(s.key),
            "key_unique": bool(len(key) == len(s.key) and not df.duplicated(subset=key).any()),
            "period": period, "missing_share": float(df.isna().to_numpy().mean()) if df.size else float("nan"),
            "source": df.attrs.get("source", ""), "simulated": bool(df.attrs.get("simulated", False)),
        })
    return pd.DataFrame(rows)


def missingness(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Columns with missing values: ``table, column, n_missing, missing_share`` (largest first)."""
    rows = []
    for kind, df in tables.items():
        n = df.isna().sum()
        for col, k in n[n > 0].items():
            rows.append({"table": kind, "column": col, "n_missing": int(k), "missing_share": k / len(df)})
    out = pd.DataFrame(rows, columns=["table", "column", "n_missing", "missing_share"])
    return out.sort_values(["missing_share", "table"], ascending=[False, True]).reset_index(drop=True)


def data_truth_rows(tables: Mapping[str, pd.DataFrame], truth: Mapping[str, Any]) -> pd.DataFrame:
    """Planted data-level quantities beside their observed values with 95 % CIs.

    * ``segments.value_tier_share.<tier>``: observed share of customers, Wilson interval;
    * ``competition.index.index_weights.<dimension>``: OLS of ``if_index`` on the three
      sub-indices (no intercept), which should return the PKU weights 0.540/0.297/0.163 up to
      rounding;
    * ``satisfaction.missing.mcar_rate``: share of missing answers on the items without MAR
      missingness, Wilson interval.

    Returns the rows for :func:`bankcrm_research.data.truth.truth_vs_estimate`.
    """
    import statsmodels.api as sm
    from statsmodels.stats.proportion import proportion_confint

    rows: list[dict[str, Any]] = []
    cust = tables.get("customers")
    if cust is not None and "value_tier" in cust:
        n = int(cust["value_tier"].notna().sum())
        for tier, share in truth["segments"]["value_tier_share"].items():
            k = int((cust["value_tier"] == tier).sum())
            lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
            rows.append({"quantity": f"segments.value_tier_share.{tier}", "truth": share, "estimate": k / n,
                         "ci_low": lo, "ci_high": hi})
    ind = tables.get("internet_finance_indicators")
    dims = ["coverage_breadth", "usage_depth", "digitization_level"]
    if ind is not None and all(c in ind for c in dims + ["if_index"]):
        d = ind[dims + ["if_index"]].dropna()
        fit = sm.OLS(d["if_index"], d[dims]).fit()
        ci = fit.conf_int()
        for dim in dims:
            rows.append({"quantity": f"competition.index.index_weights.{dim}",
                         "truth": truth["competition"]["index"]["index_weights"][dim], "estimate": fit.params[dim],
                         "ci_low": ci.loc[dim, 0], "ci_high": ci.loc[dim, 1]})
    surv = tables.get("survey")
    mis = truth.get("satisfaction", {}).get("missing", {})
    if surv is not None and mis:
        items = [c for c in surv.columns if c.startswith(("IMAG", "CUEX", "PERQ", "PERV", "CUSA", "CUSCO", "CUSL"))
                 and c not in mis.get("mar_items", [])]
        cells = surv[items].isna().to_numpy()
        k, n = int(cells.sum()), int(cells.size)
        lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
        rows.append({"quantity": "satisfaction.missing.mcar_rate", "truth": mis["mcar_rate"], "estimate": k / n,
                     "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=["quantity", "truth", "estimate", "ci_low", "ci_high"])


def bank_panel_summary(panel: pd.DataFrame) -> pd.DataFrame:
    """By bank type when the panel has ``bank_type`` (else one row "all"): banks, bank-years, and the
    mean of each outcome the panel carries."""
    measures = [c for c in ("total_assets", "demand_deposit_share", "deposit_cost", "nim", "roa", "npl_ratio",
                            "if_index") if c in panel.columns]
    group = panel["bank_type"].fillna("unknown") if "bank_type" in panel.columns else pd.Series("all", index=panel.index)
    agg: dict[str, Any] = {"banks": ("bank_id", "nunique"), "bank_years": ("year", "size")}
    agg.update({m: (m, "median" if m == "total_assets" else "mean") for m in measures})
    out = panel.assign(group=group).groupby("group", observed=True).agg(**agg).reset_index()
    return out.rename(columns={"group": "bank_type", "total_assets": "total_assets_median"})


def customers_summary(customers: pd.DataFrame) -> pd.DataFrame:
    """By value tier when present (else one row "all"): counts and means of the columns present."""
    measures = {"aum": "median", "tenure_months": "mean", "n_products": "mean", "digital_share": "mean",
                "churned": "mean", "surveyed": "mean", "age": "mean"}
    group = (customers["value_tier"].astype(object).fillna("unknown") if "value_tier" in customers.columns
             else pd.Series("all", index=customers.index))
    agg: dict[str, Any] = {"customers": ("customer_id", "size")}
    for c, how in measures.items():
        if c in customers.columns:
            agg[f"{c}_median" if how == "median" else c] = (c, how)
    frame = customers.assign(group=group)
    for c in ("churned", "surveyed"):
        if c in frame.columns:
            frame[c] = frame[c].astype(float)
    out = frame.groupby("group", observed=True).agg(**agg).reset_index().rename(columns={"group": "value_tier"})
    out["share"] = out["customers"] / out["customers"].sum()
    return out


def monthly_transactions(tx: pd.DataFrame) -> pd.DataFrame:
    """Transactions and amounts per month (and channel when present), aggregated in DuckDB."""
    import duckdb

    by = ", channel" if "channel" in tx.columns else ""
    con = duckdb.connect()
    try:
        con.register("tx", tx[["txn_date", "amount"] + (["channel"] if by else [])])
        out = con.sql(
            f"select date_trunc('month', cast(txn_date as date)) as month{by}, count(*) as transactions, "
            f"sum(cast(amount as decimal(18, 4))) as amount from tx group by all order by all"
        ).df()
    finally:
        con.close()
    out["amount"] = out["amount"].astype(float)
    return out


def survey_item_stats(survey: pd.DataFrame, items: list[str] | None = None) -> pd.DataFrame:
    """Mean, SD, min, max and missing share of each (numeric) survey item."""
    cols = items or [c for c in survey.columns if c != "respondent_id" and pd.api.types.is_numeric_dtype(survey[c])]
    stats = survey[cols].agg(["mean", "std", "min", "max"]).T
    stats["missing_share"] = survey[cols].isna().mean()
    return stats.reset_index(names="item")


_SENT = {
    "en": {
        "rows": "{table}: {rows:,} rows × {cols} columns{period}; key ({key}) {unique}; {missing:.1%} of cells empty.",
        "unique": "unique", "not_unique": "NOT unique",
        "period": ", {period}",
        "worst_gap": "The largest gap is {table}.{column}: {share:.1%} of rows empty.",
        "no_gap": "No column has missing values.",
        "dds_change": "Mean demand-deposit share went from {a:.3f} in {y0} to {b:.3f} in {y1} ({d:+.3f}).",
        "dds_by_type": "By bank type, the largest change is for {type} ({d:+.3f}) and the smallest for {type2} ({d2:+.3f}).",
        "index_growth": "The internet-finance index rose from {a:.1f} to {b:.1f} on average ({y0}–{y1}){fastest}.",
        "fastest": "; fastest in the {region} region ({g:+.1f} points)",
        "churn": "{share:.1%} of customers churned in the observation window.",
        "tiers": "Customers by value tier: {parts}.",
        "survey": "{n:,} respondents, {k} items on a {lo}–{hi} scale; item means range from {m0:.2f} to {m1:.2f}.",
    },
    "zh": {
        "rows": "{table}：{rows:,} 行 × {cols} 列{period}；主键（{key}）{unique}；{missing:.1%} 的单元格为空。",
        "unique": "唯一", "not_unique": "不唯一",
        "period": "，{period}",
        "worst_gap": "缺失最多的是 {table}.{column}：{share:.1%} 的行为空。",
        "no_gap": "没有缺失值。",
        "dds_change": "活期存款占比均值从 {y0} 年的 {a:.3f} 变为 {y1} 年的 {b:.3f}（{d:+.3f}）。",
        "dds_by_type": "按银行类型，变化最大的是{type}（{d:+.3f}），最小的是{type2}（{d2:+.3f}）。",
        "index_growth": "互联网金融指数均值从 {a:.1f} 升至 {b:.1f}（{y0}–{y1}）{fastest}。",
        "fastest": "；{region}地区增长最快（{g:+.1f} 点）",
        "churn": "观察期内 {share:.1%} 的客户流失。",
        "tiers": "客户价值层级：{parts}。",
        "survey": "{n:,} 名受访者，{k} 个题项，{lo}–{hi} 量表；题项均值介于 {m0:.2f} 与 {m1:.2f} 之间。",
    },
}


def overview_findings(tables: Mapping[str, pd.DataFrame], *, lang: str = "en",
                      label: Any = None) -> dict[str, list[str]]:
    """Findings sentences computed from the tables (nothing about any particular dataset is assumed).

    Returns ``{topic: [sentences]}`` with topics ``tables``, ``banks``, ``customers``, ``survey`` (a
    topic is absent when its tables are). ``label`` maps a key to a display name
    (``reporting.label``); identity when None.
    """
    t = _SENT.get(lang, _SENT["en"])
    lab = (lambda k: label(k, lang)) if label is not None else (lambda k: k)
    found: dict[str, list[str]] = {}
    out = found.setdefault("tables", [])
    desc = describe_tables(tables)
    for r in desc.itertuples():
        out.append(t["rows"].format(table=lab(r.table), rows=r.rows, cols=r.columns, key=r.key,
                                    unique=t["unique"] if r.key_unique else t["not_unique"],
                                    period=t["period"].format(period=r.period) if r.period else "",
                                    missing=0.0 if pd.isna(r.missing_share) else r.missing_share))
    miss = missingness(tables)
    if len(miss):
        top = miss.iloc[0]
        out.append(t["worst_gap"].format(table=top["table"], column=top["column"], share=top["missing_share"]))
    elif len(tables):
        out.append(t["no_gap"])
    out = found.setdefault("banks", []) if ("bank_panel" in tables or "internet_finance_indicators" in tables) else []
    panel = tables.get("bank_panel")
    if panel is not None and "demand_deposit_share" in panel and panel["year"].nunique() > 1:
        by_year = panel.groupby("year")["demand_deposit_share"].mean().dropna()
        if len(by_year) > 1:
            y0, y1 = int(by_year.index.min()), int(by_year.index.max())
            out.append(t["dds_change"].format(a=by_year.iloc[0], b=by_year.iloc[-1], d=by_year.iloc[-1] - by_year.iloc[0],
                                              y0=y0, y1=y1))
            if "bank_type" in panel and panel["bank_type"].nunique() > 1:
                g = panel.groupby(["bank_type", "year"], observed=True)["demand_deposit_share"].mean().unstack("year")
                g = g[[c for c in g.columns if c in (y0, y1)]].dropna()
                if g.shape[1] == 2 and len(g) > 1:
                    d = (g[y1] - g[y0]).sort_values()
                    out.append(t["dds_by_type"].format(type=lab(str(d.index[0])), d=d.iloc[0],
                                                       type2=lab(str(d.index[-1])), d2=d.iloc[-1]))
    ind = tables.get("internet_finance_indicators")
    if ind is not None and "if_index" in ind and ind["year"].nunique() > 1:
        by_year = ind.groupby("year")["if_index"].mean().dropna()
        y0, y1 = int(by_year.index.min()), int(by_year.index.max())
        fastest = ""
        if "region" in ind and ind["region"].notna().any():
            r = ind.groupby(["region", "year"], observed=True)["if_index"].mean().unstack("year")
            if y0 in r and y1 in r:
                growth = (r[y1] - r[y0]).dropna().sort_values()
                if len(growth) > 1:
                    fastest = t["fastest"].format(region=lab(str(growth.index[-1])), g=growth.iloc[-1])
        out.append(t["index_growth"].format(a=by_year.iloc[0], b=by_year.iloc[-1], y0=y0, y1=y1, fastest=fastest))
    cust = tables.get("customers")
    out = found.setdefault("customers", []) if cust is not None else []
    if cust is not None:
        if "churned" in cust and cust["churned"].notna().any():
            out.append(t["churn"].format(share=float(cust["churned"].astype(float).mean())))
        if "value_tier" in cust and cust["value_tier"].notna().any():
            shares = cust["value_tier"].value_counts(normalize=True)
            out.append(t["tiers"].format(parts=", ".join(f"{lab(str(k))} {v:.1%}" for k, v in shares.items())))
    surv = tables.get("survey")
    out = found.setdefault("survey", []) if surv is not None else []
    if surv is not None:
        stats = survey_item_stats(surv)
        if len(stats):
            lo, hi = surv.attrs.get("likert_range", (int(stats["min"].min()), int(stats["max"].max())))
            out.append(t["survey"].format(n=len(surv), k=len(stats), lo=lo, hi=hi, m0=stats["mean"].min(),
                                          m1=stats["mean"].max()))
    return {k: v for k, v in found.items() if v}


_VALIDATION = {
    "en": "Validation: {e} error{es}, {w} warning{ws} and {i} note{is_} across {k} table{s} read.",
    "zh": "校验：共读取 {k} 张表，{e} 个错误、{w} 个警告、{i} 条说明。",
}


def headline_findings(findings: Mapping[str, list[str]], problems: pd.DataFrame, *, lang: str = "en") -> list[str]:
    """The 2–5 sentences notebook 00 records as its findings: the validation verdict, the largest gap
    and the first finding of each topic present (banks, customers, survey)."""
    counts = problems["severity"].value_counts() if len(problems) else pd.Series(dtype=int)
    n_tables = max(len(findings.get("tables", [])) - 1, 1)
    e, w, i = (int(counts.get(k, 0)) for k in ("error", "warning", "info"))

    def plural(n: int) -> str:
        return "" if n == 1 else "s"

    out = [_VALIDATION.get(lang, _VALIDATION["en"]).format(e=e, w=w, i=i, es=plural(e), ws=plural(w), is_=plural(i),
                                                           k=n_tables, s=plural(n_tables))]
    tables = findings.get("tables", [])
    if len(tables) > 1:
        out.append(tables[-1])  # the largest gap (or "no missing values")
    for topic in ("banks", "customers", "survey"):
        if findings.get(topic):
            out.append(findings[topic][0])
    return out[:5]
