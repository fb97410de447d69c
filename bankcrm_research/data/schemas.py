"""Declarative schemas of the six canonical tables: column, dtype, unit, range, key, required.

The schemas are the single source of the data dictionary: :mod:`bankcrm_research.data.load`
validates every loaded table against them, ``data/README.md`` documents them (its tables are
rendered by :func:`to_markdown`), and users map their own column names onto the canonical ones.

``required`` columns must be present in a user's file (the analyses need them or they identify a
row); optional columns are validated when present. The bundled simulated data have every column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from bankcrm_research.data.names import closest_names

__all__ = ["Column", "TableSchema", "SCHEMAS", "OPTIONAL_USES", "CATEGORY_SYNONYMS", "BANK_TYPES", "PROVINCES", "SURVEY_ITEM_PATTERN", "get_schema", "to_markdown"]

Dtype = Literal["str", "category", "int", "float", "bool", "date"]


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name : str
        Canonical column name.
    dtype : {"str", "category", "int", "float", "bool", "date"}
    unit : str
        Unit or scale (``"share [0, 1]"``, ``"%"``, ``"CNY 100m"``...).
    description : str
        Meaning of the column.
    min, max : float or None
        Allowed range (inclusive); ``None`` = unbounded.
    allowed : tuple of str or None
        Allowed values of a categorical column.
    required : bool
        Whether a user's file must contain it.
    nullable : bool
        Whether missing values are allowed.
    check : {"share", "likert", "balance", "rate", None}
        Which kind of range check applies (used to word the message and the fix).
    """

    name: str
    dtype: Dtype
    unit: str = ""
    description: str = ""
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    required: bool = False
    nullable: bool = True
    check: Literal["share", "likert", "balance", "rate"] | None = None

    @property
    def range_text(self) -> str:
        if self.allowed:
            return ", ".join(self.allowed)
        lo = "" if self.min is None else f"{self.min:g}"
        hi = "" if self.max is None else f"{self.max:g}"
        if not lo and not hi:
            return ""
        if lo and hi:
            return f"[{lo}, {hi}]"
        return f"≥ {lo}" if lo else f"≤ {hi}"


@dataclass(frozen=True)
class TableSchema:
    """A canonical table: its key, columns, file name and (for panels) unit and time columns."""

    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    file: str
    panel: tuple[str, str] | None = None
    extra_pattern: str | None = None  # regex of extra columns validated like ``extra_column``
    extra_column: Column | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        if self.extra_pattern and self.extra_column and re.fullmatch(self.extra_pattern, name):
            return replace(self.extra_column, name=name)
        return None


def _share(name: str, desc: str, **kw: object) -> Column:
    return Column(name, "float", "share [0, 1]", desc, min=0.0, max=1.0, check="share", **kw)  # type: ignore[arg-type]


def _money(name: str, desc: str, unit: str = "CNY 100m (亿元)", **kw: object) -> Column:
    return Column(name, "float", unit, desc, min=0.0, check="balance", **kw)  # type: ignore[arg-type]


def _pct(name: str, desc: str, lo: float | None = None, hi: float | None = None, **kw: object) -> Column:
    return Column(name, "float", "%", desc, min=lo, max=hi, check="rate", **kw)  # type: ignore[arg-type]


PROVINCES: tuple[tuple[str, str, str], ...] = (
    # (pinyin name as in the PKU index English names, Chinese name, region)
    ("Beijing", "北京市", "east"),
    ("Tianjin", "天津市", "east"),
    ("Hebei", "河北省", "east"),
    ("Shanxi", "山西省", "central"),
    ("Inner Mongolia", "内蒙古自治区", "west"),
    ("Liaoning", "辽宁省", "east"),
    ("Jilin", "吉林省", "central"),
    ("Heilongjiang", "黑龙江省", "central"),
    ("Shanghai", "上海市", "east"),
    ("Jiangsu", "江苏省", "east"),
    ("Zhejiang", "浙江省", "east"),
    ("Anhui", "安徽省", "central"),
    ("Fujian", "福建省", "east"),
    ("Jiangxi", "江西省", "central"),
    ("Shandong", "山东省", "east"),
    ("Henan", "河南省", "central"),
    ("Hubei", "湖北省", "central"),
    ("Hunan", "湖南省", "central"),
    ("Guangdong", "广东省", "east"),
    ("Guangxi", "广西壮族自治区", "west"),
    ("Hainan", "海南省", "east"),
    ("Chongqing", "重庆市", "west"),
    ("Sichuan", "四川省", "west"),
    ("Guizhou", "贵州省", "west"),
    ("Yunnan", "云南省", "west"),
    ("Tibet", "西藏自治区", "west"),
    ("Shaanxi", "陕西省", "west"),
    ("Gansu", "甘肃省", "west"),
    ("Qinghai", "青海省", "west"),
    ("Ningxia", "宁夏回族自治区", "west"),
    ("Xinjiang", "新疆维吾尔自治区", "west"),
)


BANK_TYPES = ("state_owned", "joint_stock", "city_commercial", "rural_commercial")
VALUE_TIERS = ("mass", "affluent", "private")

BANK_PANEL = TableSchema(
    name="bank_panel",
    description="Bank × year panel of Chinese commercial banks (simulated by default).",
    key=("bank_id", "year"),
    file="bank_panel.csv",
    panel=("bank_id", "year"),
    columns=(
        Column("bank_id", "str", "", "bank identifier (`B001`…)", required=True, nullable=False),
        Column("bank_type", "category", "", "ownership type", allowed=BANK_TYPES),
        Column("province", "str", "", "headquarters province (pinyin, as `internet_finance_indicators.province`)"),
        Column("year", "int", "year", "fiscal year", min=1990, max=2100, required=True, nullable=False),
        _money("total_assets", "total assets"),
        _money("deposits", "customer deposits = demand_deposits + time_deposits"),
        _money("demand_deposits", "demand (current) deposits"),
        _money("time_deposits", "time (savings) deposits"),
        _money("loans", "gross loans"),
        _money("equity", "shareholders' equity"),
        _money("interest_expense", "interest paid on deposits"),
        _share("demand_deposit_share", "demand_deposits / deposits"),
        _pct("deposit_cost", "interest_expense / deposits × 100", 0, 20),
        _share("loan_to_assets", "loans / total_assets"),
        _pct("nim", "net interest margin", -5, 15),
        _pct("roa", "return on assets", -10, 10),
        _pct("npl_ratio", "non-performing loans / loans × 100", 0, 100),
        _pct("capital_ratio", "capital adequacy ratio", 0, 100),
        _pct("equity_to_assets", "equity / total_assets × 100; Z-score = (roa + equity_to_assets) / sd(roa)", 0, 100),
        _share("yuebao_exposure", "time-invariant exposure to the 2013 Yu'ebao shock: share of retail demand deposits in 2012"),
        Column("log_assets", "float", "ln(CNY 100m)", "ln(total_assets), size control"),
        Column("if_index", "float", "PKU index points", "internet-finance index of the bank's province in that year "
               "(copied from `internet_finance_indicators`)", min=0.0),
    ),
)

INDICATORS = TableSchema(
    name="internet_finance_indicators",
    description="Province × year internet-finance indicators shaped like the PKU Digital Financial Inclusion Index.",
    key=("province", "year"),
    file="internet_finance_indicators.csv",
    panel=("province", "year"),
    columns=(
        Column("province", "str", "", "province (pinyin, PKU English names)", required=True, nullable=False),
        Column("region", "category", "", "east / central / west", allowed=("east", "central", "west")),
        Column("year", "int", "year", "calendar year", min=1990, max=2100, required=True, nullable=False),
        Column("if_index", "float", "PKU index points", "aggregate index = 0.540·coverage_breadth + 0.297·usage_depth "
               "+ 0.163·digitization_level", min=0.0, required=True),
        Column("coverage_breadth", "float", "PKU index points", "coverage-breadth sub-index", min=0.0),
        Column("usage_depth", "float", "PKU index points", "usage-depth sub-index", min=0.0),
        Column("digitization_level", "float", "PKU index points", "digitisation-level sub-index", min=0.0),
        Column("account_coverage", "float", "per 10k adults", "internet-finance accounts", min=0.0),
        Column("payment", "float", "per capita per year", "mobile payments", min=0.0),
        Column("monetary_fund", "float", "per 10k adults", "money-market-fund users", min=0.0),
        Column("p2p_lending", "float", "CNY per capita", "P2P loan balance (collapses after 2018)", min=0.0),
        Column("digital_credit", "float", "per 10k adults", "digital-credit users", min=0.0),
        Column("insurance", "float", "per 10k adults", "internet-insurance users", min=0.0),
        Column("investment", "float", "per 10k adults", "internet-investment users", min=0.0),
    ),
)

MACRO = TableSchema(
    name="macro_monthly",
    description="Monthly money-market-fund and deposit aggregates and interest rates.",
    key=("month",),
    file="macro_monthly.csv",
    columns=(
        Column("month", "date", "first day of month", "month", required=True, nullable=False),
        _money("mmf_aum", "money-market-fund assets under management"),
        _money("demand_deposits", "household demand deposits"),
        _money("time_deposits", "household time deposits"),
        _pct("shibor_3m", "3-month SHIBOR", -5, 30),
        _pct("shibor_on", "overnight SHIBOR", -5, 30),
        _pct("policy_rate", "policy (benchmark deposit) rate", -5, 30),
        _pct("mmf_yield_7d", "money-market-fund 7-day annualised yield", -5, 30),
    ),
)

CUSTOMERS = TableSchema(
    name="customers",
    description="One bank's retail customers observed from study_start 2020-01-01 to study_end 2023-12-31.",
    key=("customer_id",),
    file="customers.csv",
    columns=(
        Column("customer_id", "str", "", "customer identifier (`C000001`…)", required=True, nullable=False),
        Column("open_date", "date", "date", "account opening date"),
        Column("tenure_months", "int", "months", "whole months (30.44 days) from open_date to study_start", min=0),
        Column("age", "int", "years", "age at study_start", min=16, max=110),  # 16+: own-name accounts (UCI has 17)
        Column("gender", "category", "", "F / M", allowed=("F", "M")),
        Column("city_tier", "category", "", "city tier of residence", allowed=("tier1", "tier2", "tier3")),
        _money("income", "monthly income", "CNY per month"),
        Column("value_tier", "category", "", "AUM-based segment: mass < 500k ≤ affluent < 6m ≤ private",
               allowed=VALUE_TIERS),
        _money("aum", "assets under management at study_start", "CNY"),
        Column("n_products", "int", "count", "products held", min=0, max=50),
        Column("mobile_user", "bool", "", "uses mobile banking"),
        _share("digital_share", "share of the customer's transactions through mobile or online channels"),
        Column("branch_visits_12m", "int", "count", "branch visits in the 12 months before study_start", min=0),
        Column("rm_id", "str", "", "relationship manager (affluent and private customers; empty otherwise)"),
        Column("rm_change_date", "date", "date", "date the customer's relationship manager left; empty if none"),
        Column("holds_fund", "bool", "", "held a mutual fund at the market fall 2022-03-01 (false if already left)"),
        _pct("fund_loss_pct", "loss on the fund at the market fall; empty if no fund", 0, 100),
        Column("followup_contact", "bool", "", "contacted within 30 days after the fall (fund holders only; "
               "empty otherwise)"),
        Column("complaints_12m", "int", "count", "complaints in the 12 months before study_start", min=0),
        Column("credit_applications", "int", "count", "credit applications", min=0),
        Column("approval_days", "float", "days", "mean credit-approval time; empty if no application", min=0.0),
        Column("churned", "bool", "", "closed the account or went dormant before study_end (event indicator)"),
        Column("churn_date", "date", "date", "churn date; empty if censored"),
        Column("duration_months", "float", "months", "months from study_start to churn_date or study_end "
               "(censoring)", min=0.0),
        Column("churn_12m_after_fall", "bool", "", "churned within 12 months after 2022-03-01; empty if churned before"),
        Column("campaign_date", "date", "date", "date the churn score is taken (out-of-time validation)"),
        Column("logins_90d", "int", "count", "mobile or online banking log-ins in the 90 days before campaign_date; "
               "empty if the customer had left by then", min=0),
        Column("logins_prev_90d", "int", "count", "log-ins in the 90 days before those (days 180–91 before "
               "campaign_date); empty if the customer had left by campaign_date", min=0),
        Column("churn_next_6m", "bool", "", "churned within 6 months after campaign_date; empty if already churned"),
        Column("surveyed", "bool", "", "answered the satisfaction survey (customer_id appears in `survey`)"),
    ),
)

TRANSACTIONS = TableSchema(
    name="transactions",
    description="Customer transactions (none after the customer's churn date).",
    key=("transaction_id",),
    file="transactions.parquet",
    columns=(
        Column("transaction_id", "int", "", "transaction identifier (row numbers when the file has none)", min=1,
               nullable=False),
        Column("customer_id", "str", "", "customer (links to `customers.customer_id`)", required=True, nullable=False),
        Column("txn_date", "date", "date", "transaction date", required=True, nullable=False),
        Column("amount", "float", "CNY", "amount; refunds are negative", required=True, nullable=False),
        Column("channel", "category", "", "channel", allowed=("mobile", "online", "branch", "atm")),
        Column("txn_type", "category", "", "transaction type",
               allowed=("deposit", "withdrawal", "transfer", "payment", "fund_purchase", "loan_repayment")),
    ),
)

SURVEY_ITEM_PATTERN = r"(IMAG|CUEX|PERQ|PERV|CUSA|CUSCO|CUSL)\d+(_R)?"
_LIKERT = Column("item", "int", "Likert 1–7", "survey item", min=1, max=7, check="likert")
_ITEM_TEXT = {
    "IMAG": "image", "CUEX": "customer expectation", "PERQ": "perceived quality", "PERV": "perceived value",
    "CUSA": "satisfaction", "CUSCO": "complaint intention (higher = more likely to complain)", "CUSL": "loyalty",
}
_PERQ_TEXT = {1: "credit-approval speed", 2: "credit-approval speed", 3: "product personalisation",
              4: "product personalisation", 5: "channel convenience", 6: "channel convenience",
              7: "relationship-manager service", 8: "relationship-manager service"}


def _item(name: str) -> Column:
    m = re.fullmatch(r"([A-Z]+)(\d+)(_R)?", name)
    assert m is not None  # names below are literals
    block, k, rev = m.group(1), int(m.group(2)), m.group(3)
    desc = _ITEM_TEXT[block] + (f": {_PERQ_TEXT[k]}" if block == "PERQ" else "")
    if rev:
        desc += "; reverse-coded, stored reversed (analyse 8 − x)"
    return Column(name, "int", "Likert 1–7", desc, min=1, max=7, check="likert")


SURVEY_ITEMS = (
    "IMAG1", "IMAG2", "IMAG3", "IMAG4", "CUEX1", "CUEX2", "CUEX3_R",
    "PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6_R", "PERQ7", "PERQ8",
    "PERV1", "PERV2", "PERV3", "CUSA1", "CUSA2", "CUSA3", "CUSCO1", "CUSCO2", "CUSL1", "CUSL2_R", "CUSL3",
)

SURVEY = TableSchema(
    name="survey",
    description="Customer-satisfaction survey (ECSI item naming), respondents are customers.",
    key=("respondent_id",),
    file="survey.csv",
    columns=(
        Column("respondent_id", "str", "", "respondent identifier (`S00001`…); created from the row number "
               "when absent", required=True, nullable=False),
        Column("customer_id", "str", "", "customer (links to `customers.customer_id`)"),
        Column("survey_date", "date", "date", "interview date"),
        *(_item(n) for n in SURVEY_ITEMS),
        Column("channel_group", "category", "", "digital (digital_share ≥ 0.5) / branch", allowed=("digital", "branch")),
        Column("value_tier", "category", "", "value tier of the customer", allowed=VALUE_TIERS),
    ),
    extra_pattern=SURVEY_ITEM_PATTERN,
    extra_column=_LIKERT,
)

# Labels users' files carry for canonical categories (matched after lower-casing and folding blanks,
# hyphens and underscores, so "City Commercial" and "city-commercial" need no entry).
CATEGORY_SYNONYMS: dict[str, dict[str, str]] = {
    "bank_type": {
        "国有": "state_owned", "国有银行": "state_owned", "国有大型商业银行": "state_owned",
        "大型商业银行": "state_owned", "国有商业银行": "state_owned", "国有控股大型商业银行": "state_owned",
        "state": "state_owned", "soe": "state_owned", "large_commercial": "state_owned", "big_four": "state_owned",
        "股份制": "joint_stock", "股份行": "joint_stock", "股份制银行": "joint_stock", "股份制商业银行": "joint_stock",
        "全国性股份制商业银行": "joint_stock", "jsb": "joint_stock", "joint_stock_commercial": "joint_stock",
        "城商行": "city_commercial", "城市商业银行": "city_commercial", "ccb_city": "city_commercial",
        "city_commercial_bank": "city_commercial", "city": "city_commercial",
        "农商行": "rural_commercial", "农村商业银行": "rural_commercial", "农村商业银行股份有限公司": "rural_commercial",
        "rural_commercial_bank": "rural_commercial", "rural": "rural_commercial", "rcb": "rural_commercial",
    },
    "gender": {"男": "M", "女": "F", "male": "M", "female": "F", "m": "M", "f": "F"},
    "city_tier": {"一线": "tier1", "二线": "tier2", "三线": "tier3", "1": "tier1", "2": "tier2", "3": "tier3"},
}

# What each optional column switches on: listed by validate-data and the notebooks when it is absent, so
# a user knows which sections will be skipped and what to supply.
OPTIONAL_USES: dict[str, dict[str, str]] = {
    "bank_panel": {
        "bank_type": "01 effects by bank type (heterogeneity table)",
        "province": "01 matching a province index file to banks; 01 staggered regional adoption",
        "if_index": "01 the index when no indicators file is given (else the run stops: no bundled index is attached)",
        "yuebao_exposure": "01 Yu'ebao event study, DiD and placebo (exposure x post)",
        "log_assets": "01 size control",
        "demand_deposit_share": "01 outcome demand-deposit share; 01 event study and staggered DiD outcome",
        "deposit_cost": "01 outcome deposit cost",
        "nim": "01 outcome net interest margin",
        "roa": "01 outcome ROA",
        "npl_ratio": "01 U-shaped risk effect (quadratic in the index)",
    },
    "internet_finance_indicators": {
        "coverage_breadth": "01 index rebuilt from sub-indices (used when fewer than two sub-indicators)",
        "usage_depth": "01 index rebuilt from sub-indices (used when fewer than two sub-indicators)",
        "digitization_level": "01 index rebuilt from sub-indices (used when fewer than two sub-indicators)",
        "account_coverage": "01 index construction (entropy/PCA/factor/equal weights)",
        "payment": "01 index construction (entropy/PCA/factor/equal weights)",
        "monetary_fund": "01 index construction (entropy/PCA/factor/equal weights)",
        "p2p_lending": "01 index construction (entropy/PCA/factor/equal weights)",
        "digital_credit": "01 index construction (entropy/PCA/factor/equal weights)",
        "insurance": "01 index construction (entropy/PCA/factor/equal weights)",
        "investment": "01 index construction (entropy/PCA/factor/equal weights)",
        "if_index": "01 the index attached to banks by province and year (required when this file is given)",
    },
    "customers": {
        "campaign_date": "04 out-of-time validation (else stratified cross-validation)",
        "churn_next_6m": "04 the bundled churn target (else give target='<your column>')",
        "churn_date": "04 survival analysis (with open_date or duration_months)",
        "duration_months": "04 survival analysis (Kaplan-Meier, Cox)",
        "churned": "04 survival analysis (event indicator)",
        "rm_change_date": "04 relationship-manager turnover hazard",
        "followup_contact": "04 effect of post-sale follow-up (treatment) and uplift targeting",
        "churn_12m_after_fall": "04 outcome of the follow-up effect",
        "holds_fund": "04 follow-up effect among fund holders",
        "value_tier": "04 survival by segment; 05 service by value tier",
        "rm_id": "05 relationship-manager coverage by tier",
        "surveyed": "05 satisfaction-retention link",
    },
    "transactions": {
        "transaction_id": "the duplicate-id check of validation (ids 1..n are created from the row order when "
                          "absent; 05 needs only customer, date and amount)",
        "channel": "00 transactions by channel (05 does not use it)",
        "txn_type": "nothing yet: 05 reads refunds from negative amounts",
    },
    "survey": {
        "channel_group": "03 multi-group comparison (or name another column with group_column)",
    },
    "macro_monthly": {
        "mmf_aum": "02 VAR, Granger causality, impulse responses (fund growth)",
        "demand_deposits": "02 VAR, Granger causality, impulse responses (deposit growth)",
        "time_deposits": "02 unit-root tests of money stocks",
        "shibor_3m": "02 rate pass-through (first choice of rate)",
        "shibor_on": "02 rate pass-through (when shibor_3m is absent)",
        "policy_rate": "02 rate pass-through (when neither SHIBOR column is present)",
        "mmf_yield_7d": "02 rate pass-through (fund yield)",
    },
}

SCHEMAS: dict[str, TableSchema] = {
    s.name: s for s in (BANK_PANEL, INDICATORS, MACRO, CUSTOMERS, TRANSACTIONS, SURVEY)
}


def get_schema(kind: str) -> TableSchema:
    """Schema of a canonical table; raises ``ValueError`` naming the valid kinds."""
    if kind not in SCHEMAS:
        close = closest_names(kind, SCHEMAS)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"unknown table kind {kind!r}; expected one of {list(SCHEMAS)}.{hint}")
    return SCHEMAS[kind]


def to_markdown(kind: str) -> str:
    """The data-dictionary table of one schema as Markdown (used in ``data/README.md``)."""
    s = get_schema(kind)
    lines = [
        "| column | type | unit | allowed range / values | required | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for c in s.columns:
        key = " (key)" if c.name in s.key else ""
        lines.append(
            f"| `{c.name}`{key} | {c.dtype} | {c.unit} | {c.range_text} | {'yes' if c.required else ''} | "
            f"{c.description}{'' if c.nullable else '; never empty'} |"
        )
    return "\n".join(lines)
