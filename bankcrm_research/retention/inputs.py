"""Notebook 04's inputs: which column plays which role, which features, which sections run and why.

The own-data contract (DESIGN.md): a customers file, a column mapping and the research question (the
target, and ``positive_class`` for a text target) are enough. Every other role defaults to ``None`` =
*auto*: the bundled specification on the bundled simulated data, otherwise what the file shows —

* target: the bundled ``churn_next_6m``; on a user's file the first binary column with an obvious
  name (``churn``, ``churned``, ``exited``, ``attrition``, ``y``, ``status`` ...), said so;
* id: ``customer_id`` (the data layer creates row-number ids when a file has none);
* date: ``campaign_date`` if present — otherwise no out-of-time split, and the headline is stratified
  k-fold CV (unless ``rows_in_time_order``);
* features: every column except the id, the target, dates, declared leaky columns, columns with another
  role (survival, RM change, treatment) and identifier-like text (:func:`~bankcrm_research.data.roles.infer_features`);
* leaky columns: the bundled list on bundled data, none on a user's file unless given;
* survival, RM-change and treatment columns: the canonical names when present; absent means the section
  is skipped with a sentence (:attr:`ChurnInputs.skips`), never faked;
* market-fall date: the bundled world's fall (``generator.market_fall`` of ``truth.json``) on bundled data;
  on a user's file only when given — then the time-varying Cox adds the post-fall year's fund loss and
  follow-up contact (by segment) terms; otherwise they are left out with a sentence.

:func:`resolve_inputs` returns a frozen :class:`ChurnInputs`; the notebook prints and records its
``choices`` and ``skips`` and passes the resolved names to the analyses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bankcrm_research.data.roles import infer_features, resolve_column

__all__ = ["BUNDLED", "TARGET_NAMES", "ChurnInputs", "resolve_inputs", "detect_target", "numeric_text_columns", "binary_01"]

# The bundled simulated world's specification (data/README.md): used only when no customers_path is given.
BUNDLED: dict[str, Any] = {
    "target": "churn_next_6m",
    "features": [
        "tenure_months", "age", "gender", "city_tier", "income", "value_tier", "aum", "n_products",
        "mobile_user", "digital_share", "branch_visits_12m", "complaints_12m", "credit_applications",
        "approval_days", "logins_90d", "logins_prev_90d",
    ],
    "leaky_columns": [
        "churned", "churn_date", "duration_months", "churn_12m_after_fall", "holds_fund", "fund_loss_pct",
        "followup_contact",
    ],
    "survival_covariates": ["tenure_months", "n_products", "digital_share", "complaints_12m", "value_tier", "age",
                            "income"],
    "causal_covariates": ["value_tier", "fund_loss_pct", "tenure_months"],
    "uplift_features": ["value_tier", "fund_loss_pct", "tenure_months", "n_products", "digital_share",
                        "complaints_12m", "age"],
    "study_start": "2020-01-01",
    "fund_loss": "fund_loss_pct",
}

#: Length of the post-fall window of the time-varying Cox (the bundled ``followup_effect.window_days``).
FALL_WINDOW_DAYS = 365

# Obvious names of a churn (or response) target, tried in order when target=None on a user's file.
TARGET_NAMES: tuple[str, ...] = (
    "churn_next_6m", "churn", "churned", "is_churn", "exited", "attrition", "attrited", "attrition_flag",
    "closed", "left", "y", "target", "label", "status", "流失", "是否流失",
)


# Sentences of skipped sections and of the validation scheme, (reason, fix) per language.
_SKIPS: dict[str, dict[str, tuple[str, str]]] = {
    "out_of_time": {
        "en": ("The file has no score date, so the model cannot be tested on later dates; the headline is "
               "stratified {k}-fold CV (optimistic if the data drift over time).",
               "set date_column='<date column>' or rows_in_time_order=True if the rows are in time order"),
        "zh": ("文件中没有评分日期，无法在后期样本上检验模型；主结果改用分层{k}折交叉验证（若数据随时间漂移则偏乐观）。",
               "设置 date_column='<日期列>'，或在行按时间排序时设置 rows_in_time_order=True"),
    },
    "survival": {
        "en": ("The file has no {missing} (months to churn or censoring, and the churn indicator), so Kaplan-Meier "
               "and Cox models cannot run.", "map duration_months and churned, or set duration_column= and event_column="),
        "zh": ("文件中没有{missing}（流失或删失前的月数及流失标志），无法运行Kaplan–Meier曲线和Cox模型。",
               "映射 duration_months 和 churned，或设置 duration_column= 与 event_column="),
    },
    "rm_turnover": {
        "en": ("The relationship-manager turnover hazard needs durations, a churn event, an RM departure date and the "
               "study start; here {why}.", "map rm_change_date and set study_start='YYYY-MM-DD' (with the survival "
                                           "columns)"),
        "zh": ("客户经理变更的风险分析需要生存时间、流失事件、客户经理离职日期和研究起始日；此处{why}。",
               "映射 rm_change_date 并设置 study_start='YYYY-MM-DD'（同时提供生存分析列）"),
    },
    "market_fall": {
        "en": ("The time-varying Cox model leaves out the year after a market fall (fund losses and follow-up "
               "contacts acting only then), because {why}.", "set market_fall_date='YYYY-MM-DD' (with "
                                                            "fund_loss_pct and/or a treatment column)"),
        "zh": ("时变Cox模型未包含市场下跌后一年的效应（仅在该期间起作用的基金亏损和回访），因为{why}。",
               "设置 market_fall_date='YYYY-MM-DD'（并提供 fund_loss_pct 和/或处理变量列）"),
    },
    "followup_effect": {
        "en": ("The file has no treatment column (e.g. a follow-up call), so neither the causal effect of the call "
               "nor uplift targeting can be estimated.", "set treatment_column='<0/1 contact column>' (and "
                                                         "causal_outcome)"),
        "zh": ("文件中没有处理变量（例如回访），无法估计回访的因果效应，也无法按增量效应选择目标客户。",
               "设置 treatment_column='<0/1 回访列>'（以及 causal_outcome）"),
    },
}
# What each role's column is for, in the auto-choice sentences (en, zh).
_PURPOSES = {
    "target": ("the churn target", "流失目标变量"),
    "id": ("customer ids", "客户编号"),
    "date": ("the score date (out-of-time validation)", "评分日期（跨时间验证）"),
    "duration": ("survival (time to churn)", "生存分析（流失时间）"),
    "event": ("survival (churn event)", "生存分析（流失事件）"),
    "segment": ("survival curves by segment", "分群生存曲线"),
    "rm": ("the RM-turnover hazard", "客户经理变更的风险分析"),
    "treatment": ("the follow-up effect", "回访效应"),
    "outcome": ("the follow-up outcome", "回访的结果变量"),
    "population": ("the population at risk of the call", "可能被回访的客户群体"),
}

_WHY = {
    "en": {"survival": "the survival section does not run", "rm": "there is no RM departure date column",
           "id": "there is no customer id", "start": "study_start (the date durations count from) is not set",
           "fall": "market_fall_date is not set",
           "fall_cols": "the file has neither fund_loss_pct nor a treatment column"},
    "zh": {"survival": "生存分析部分未运行", "rm": "没有客户经理离职日期列", "id": "没有客户编号",
           "start": "未设置 study_start（生存时间的起算日）", "fall": "未设置 market_fall_date",
           "fall_cols": "文件中既没有 fund_loss_pct 也没有处理变量列"},
}
_VALIDATION = {
    "en": {"date": "out-of-time validation on the latest score dates of '{col}' (CV second)",
           "rows": "out-of-time validation with the row order as time (CV second)",
           "cv": "stratified {k}-fold CV, because the file has no score date (date_column) and rows_in_time_order "
                 "is False: no out-of-time split is possible"},
    "zh": {"date": "按“{col}”的最新评分日期做跨时间验证（交叉验证为辅）",
           "rows": "以行顺序作为时间做跨时间验证（交叉验证为辅）",
           "cv": "分层{k}折交叉验证：文件中没有评分日期（date_column）且 rows_in_time_order 为 False，无法做跨时间验证"},
}


@dataclass(frozen=True)
class ChurnInputs:
    """Resolved inputs of notebook 04 (see the module docstring).

    ``choices`` holds ``(parameter, value, sentence)`` for every role decided by *auto*; ``skips`` maps a
    section key to ``(reason, fix)``; ``validation`` says which scheme is the headline and why.
    """

    target: str
    positive_class: Any
    id_column: str | None
    date_column: str | None
    rows_in_time_order: bool
    features: list[str]
    categorical: list[str] | None
    leaky_columns: list[str]
    duration_column: str | None
    event_column: str | None
    segment_column: str | None
    survival_covariates: list[str]
    rm_change_column: str | None
    study_start: str | None
    treatment_column: str | None
    causal_outcome: str | None
    causal_population: str | None
    causal_covariates: list[str]
    uplift_features: list[str]
    headline_scheme: str
    validation: str
    choices: tuple[tuple[str, Any, str], ...] = ()
    skips: dict[str, tuple[str, str]] = field(default_factory=dict)
    market_fall_date: str | None = None
    fund_loss_column: str | None = None

    @property
    def has_survival(self) -> bool:
        return "survival" not in self.skips

    @property
    def has_rm_turnover(self) -> bool:
        return "rm_turnover" not in self.skips

    @property
    def has_market_fall(self) -> bool:
        """The time-varying Cox model gets the post-fall window terms (fund loss, contact by segment)."""
        return self.has_rm_turnover and "market_fall" not in self.skips

    @property
    def has_treatment(self) -> bool:
        return "followup_effect" not in self.skips

    def summary(self) -> pd.DataFrame:
        """One row per role: ``role, column`` (lists joined by commas)."""
        rows = [(k, ", ".join(v) if isinstance(v, list) else v) for k, v in (
            ("target", self.target), ("id_column", self.id_column), ("date_column", self.date_column),
            ("features", self.features), ("leaky_columns", self.leaky_columns),
            ("duration_column", self.duration_column), ("event_column", self.event_column),
            ("rm_change_column", self.rm_change_column), ("treatment_column", self.treatment_column),
            ("causal_outcome", self.causal_outcome))]
        return pd.DataFrame(rows, columns=["role", "column"])


def _is_binary(s: pd.Series) -> bool:
    return s.notna().any() and s.dropna().nunique() == 2


def detect_target(table: pd.DataFrame) -> str | None:
    """The first binary column whose name is an obvious churn/response target (case-insensitive)."""
    by_lower = {str(c).strip().lower(): str(c) for c in table.columns}
    for name in TARGET_NAMES:
        col = by_lower.get(name)
        if col is not None and _is_binary(table[col]):
            return col
    return None


def numeric_text_columns(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Columns the schema does not know, read from a CSV as text, that hold only numbers -> numeric.

    The data layer keeps a CSV's unknown columns as the text in the file (it types only the schema's
    columns); as features, ``"261"`` and ``"1.1"`` must be numbers, not categories with hundreds of
    levels. A text column converts when every filled cell parses as a number (integers stay int64 when
    nothing is missing). Returns the converted copy (the input is not changed) and the names converted.
    """
    out, converted = table, []
    for c in table.columns:
        s = table[c]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
            continue
        filled = s.dropna().astype(str).str.strip()
        filled = filled[filled != ""]
        if filled.empty:
            continue
        num = pd.to_numeric(filled, errors="coerce")
        if num.isna().any() or not filled.str.contains(r"\d", regex=True).all():
            continue
        if out is table:
            out = table.copy()
        full = pd.to_numeric(s.astype("string").str.strip().replace("", pd.NA), errors="coerce").astype(float)
        out[c] = full.astype("int64") if full.notna().all() and (full == full.round()).all() else full
        converted.append(str(c))
    return out, converted


def binary_01(s: pd.Series, positive_class: Any = None) -> pd.Series:
    """A two-valued column (bool, 0/1, yes/no, true/false, 是/否, or text with ``positive_class``) as 0.0/1.0,
    missing kept as NaN — for treatment, causal outcome and population columns of a user's file.

    Raises
    ------
    ValueError
        More than two values, or text whose event label is ambiguous (from ``encode_target``).
    """
    from bankcrm_research.retention.features import encode_target

    filled = s.dropna()
    if filled.empty:
        return pd.Series(float("nan"), index=s.index)
    if not (pd.api.types.is_bool_dtype(filled) or pd.api.types.is_numeric_dtype(filled)):
        words = {"是": "yes", "否": "no", "真": "true", "假": "false"}
        filled = filled.astype(str).str.strip().map(lambda v: words.get(v, v))
        if positive_class is not None:
            positive_class = words.get(str(positive_class), positive_class)
    coded, _ = encode_target(filled, positive_class=positive_class, name=str(s.name))
    return coded.astype(float).reindex(s.index)


def _present(table: pd.DataFrame, names: Sequence[str] | None) -> list[str]:
    return [c for c in (names or []) if c in table.columns]


def _given_list(table: pd.DataFrame, param: str, names: Sequence[str] | None, table_name: str) -> list[str]:
    """A list the user gave: every name must exist (closest names otherwise)."""
    if names is None:
        return []
    if isinstance(names, str):
        raise TypeError(f"The '{param}' parameter must be a list of column names or None. Got the string "
                        f"{names!r}; write [{names!r}].")
    for n in names:
        resolve_column(table, param, str(n), table_name=table_name)
    return [str(n) for n in names]


def resolve_inputs(
    table: pd.DataFrame,
    *,
    simulated: bool,
    table_name: str = "customers",
    target: str | None = None,
    positive_class: Any = None,
    id_column: str | None = None,
    date_column: str | None = None,
    rows_in_time_order: bool = False,
    features: Sequence[str] | None = None,
    leaky_columns: Sequence[str] | None = None,
    categorical_columns: Sequence[str] | None = None,
    duration_column: str | None = None,
    event_column: str | None = None,
    segment_column: str | None = None,
    survival_covariates: Sequence[str] | None = None,
    rm_change_column: str | None = None,
    study_start: str | None = None,
    treatment_column: str | None = None,
    causal_outcome: str | None = None,
    causal_population: str | None = None,
    causal_covariates: Sequence[str] | None = None,
    uplift_features: Sequence[str] | None = None,
    market_fall_date: str | None = None,
    cv_folds: int = 5,
    lang: str = "en",
) -> ChurnInputs:
    """Decide every role of notebook 04 on ``table`` (module docstring).

    Parameters
    ----------
    table : DataFrame
        The customers table as loaded by :func:`bankcrm_research.data.load_customers`.
    simulated : bool
        True for the bundled simulated table: *auto* then means the bundled specification.
    lang : {"en", "zh"}
        Language of the skip and validation sentences.
    Other parameters
        The notebook parameters of the same names; ``None`` = auto.

    Raises
    ------
    ValueError
        A column named explicitly that the table lacks (with the closest names), or no target given and
        none detectable (listing the names looked for).
    """
    choices: list[tuple[str, Any, str]] = []
    skips: dict[str, tuple[str, str]] = {}
    where = table_name

    zh = lang == "zh"

    def auto(param: str, value: Any, sentence: str, sentence_zh: str | None = None) -> None:
        choices.append((param, value, sentence_zh if zh and sentence_zh else sentence))

    def purpose(key: str) -> str:
        return _PURPOSES[key][1 if zh else 0]

    # ---- target
    if target is not None:
        tgt = str(resolve_column(table, "target", target, table_name=where, purpose=purpose("target"), lang=lang).column)
    elif simulated:
        tgt = BUNDLED["target"]
        auto("target", tgt, f"target = '{tgt}' (auto: the bundled churn target).",
             f"target = '{tgt}'（自动：内置数据的流失目标）。")
    else:
        tgt = detect_target(table)
        if tgt is None:
            raise ValueError(
                f"target=None: no obvious binary target column in {where} (looked for {list(TARGET_NAMES)}). "
                f"Fix: name it, e.g. target='<your churn column>' (and positive_class='<event label>' for text)."
            )
        auto("target", tgt, f"target = '{tgt}' (auto: a two-valued column with an obvious target name; "
                            f"set target='<column>' if another column is the outcome).",
             f"target = '{tgt}'（自动：名称明显是目标变量的二值列；若结果变量是另一列，请设置 target='<列名>'）。")

    # ---- id and date
    idc = resolve_column(table, "id_column", id_column, default="customer_id", table_name=where,
                         purpose=purpose("id"), lang=lang)
    if idc.how == "auto":
        auto("id_column", idc.column, idc.sentence)
    datec = resolve_column(table, "date_column", date_column, default=None if rows_in_time_order else "campaign_date",
                           table_name=where, purpose=purpose("date"), lang=lang)
    if datec.column is not None and not pd.api.types.is_datetime64_any_dtype(table[datec.column]):
        raise ValueError(f"date_column={datec.column!r} is not a date column in {where} (dtype "
                         f"{table[datec.column].dtype}). Fix: map a date column, or set date_column=None.")
    if datec.how == "auto":
        auto("date_column", datec.column, datec.sentence)
    lg = "zh" if lang == "zh" else "en"
    if datec.column is not None:
        scheme, validation = "out_of_time", _VALIDATION[lg]["date"].format(col=datec.column)
    elif rows_in_time_order:
        scheme, validation = "out_of_time", _VALIDATION[lg]["rows"]
    else:
        scheme, validation = f"cv{cv_folds}", _VALIDATION[lg]["cv"].format(k=cv_folds)
        reason, fix = _SKIPS["out_of_time"][lg]
        skips["out_of_time"] = (reason.format(k=cv_folds), fix)

    # ---- survival, RM change, treatment (canonical names when present)
    def role(param: str, given: str | None, default: str | None, key: str) -> str | None:
        ch = resolve_column(table, param, given, default=default, table_name=where, purpose=purpose(key), lang=lang)
        if ch.how == "auto":
            auto(param, ch.column, ch.sentence)
        return ch.column

    dur = role("duration_column", duration_column, "duration_months", "duration")
    evt = role("event_column", event_column, "churned", "event")
    seg = role("segment_column", segment_column, "value_tier", "segment")
    rmc = role("rm_change_column", rm_change_column, "rm_change_date", "rm")
    trt = role("treatment_column", treatment_column, "followup_contact", "treatment")
    out = (role("causal_outcome", causal_outcome, "churn_12m_after_fall", "outcome")
           if trt else (resolve_column(table, "causal_outcome", causal_outcome, table_name=where).column
                        if causal_outcome else None))
    if trt and out is None:
        out = tgt
        auto("causal_outcome", out, f"causal_outcome = '{out}' (auto: the churn target).",
             f"causal_outcome = '{out}'（自动：流失目标变量）。")
    popc = role("causal_population", causal_population, "holds_fund", "population") \
        if trt else None

    # ---- leaky columns and features
    if leaky_columns is not None:
        leaky = _given_list(table, "leaky_columns", leaky_columns, where)
    elif simulated:
        leaky = _present(table, BUNDLED["leaky_columns"])
        auto("leaky_columns", leaky, f"leaky_columns = {leaky} (auto: the bundled columns known only after the "
                                     f"score date).", f"leaky_columns = {leaky}（自动：内置数据中评分日期之后才知道的列）。")
    else:
        leaky = []
        auto("leaky_columns", leaky, "leaky_columns = [] (auto: none declared on your file; the leakage audit "
                                     "below flags suspiciously predictive columns).",
             "leaky_columns = []（自动：你的文件未声明泄漏列；下方的泄漏审查会标记预测力可疑的列）。")
    roles = [tgt, idc.column, datec.column, dur, evt, rmc, trt, out if out != tgt else None, popc]
    categorical: list[str] | None = list(categorical_columns) if categorical_columns is not None else None
    if features is not None:
        feats = [f for f in _given_list(table, "features", features, where) if f not in leaky]
    elif simulated:
        feats = _present(table, BUNDLED["features"])
        auto("features", feats, f"features = the {len(feats)} bundled CRM attributes known at the score date.",
             f"features = 内置数据中评分日期已知的 {len(feats)} 个 CRM 属性。")
    else:
        feats, cats, sentence = infer_features(table, exclude=roles, leaky=leaky, lang=lang)
        auto("features", feats, sentence)
        if categorical is None:
            categorical = cats
            auto("categorical_columns", cats, f"categorical_columns = {cats} (auto: the non-numeric features).",
                 f"categorical_columns = {cats}（自动：非数值型特征）。")
    if not feats:
        raise ValueError(f"no features left in {where} after excluding the id, target, dates and leaky columns. "
                         f"Fix: give features=[...] naming the columns to model with.")

    # ---- section switches
    if not (dur and evt):
        missing = [p for p, c in (("duration_column", dur), ("event_column", evt)) if not c]
        reason, fix = _SKIPS["survival"][lg]
        skips["survival"] = (reason.format(missing=(" 和 " if lg == "zh" else " and no ").join(missing)), fix)
    start = study_start if study_start is not None else (BUNDLED["study_start"] if simulated else None)
    if "survival" in skips or not rmc or not idc.column or start is None:
        why = _WHY[lg]["survival" if "survival" in skips else "rm" if not rmc else "id" if not idc.column
                       else "start"]
        reason, fix = _SKIPS["rm_turnover"][lg]
        skips["rm_turnover"] = (reason.format(why=why), fix)
    if not trt:
        skips["followup_effect"] = _SKIPS["followup_effect"][lg]
    fall = market_fall_date
    if fall is not None:
        try:
            fall = str(pd.Timestamp(fall).date())
        except (TypeError, ValueError) as exc:
            raise ValueError(f"The 'market_fall_date' parameter must be a date 'YYYY-MM-DD' or None. Got "
                             f"{market_fall_date!r}.") from exc
    elif simulated:
        from bankcrm_research.data.truth import load_truth

        fall = str(load_truth()["generator"]["market_fall"])
        auto("market_fall_date", fall, f"market_fall_date = {fall} (auto: the bundled world's market fall; the "
                                       f"time-varying Cox adds the {FALL_WINDOW_DAYS} days after it).",
             f"market_fall_date = {fall}（自动：内置模拟数据的市场下跌日；时变 Cox 模型加入其后 "
             f"{FALL_WINDOW_DAYS} 天的窗口项）。")
    loss_col = BUNDLED["fund_loss"] if BUNDLED["fund_loss"] in table.columns else None
    if "rm_turnover" not in skips and (fall is None or not (loss_col or trt)):
        reason, fix = _SKIPS["market_fall"][lg]
        skips["market_fall"] = (reason.format(why=_WHY[lg]["fall" if fall is None else "fall_cols"]), fix)
    surv_covs = (_given_list(table, "survival_covariates", survival_covariates, where) if survival_covariates
                 is not None else _present(table, BUNDLED["survival_covariates"]) if simulated else list(feats))
    c_covs = (_given_list(table, "causal_covariates", causal_covariates, where) if causal_covariates is not None
              else _present(table, BUNDLED["causal_covariates"]) if simulated else
              [f for f in feats if f not in {trt, out, popc}])
    up_feats = (_given_list(table, "uplift_features", uplift_features, where) if uplift_features is not None
                else _present(table, BUNDLED["uplift_features"]) if simulated else
                [f for f in feats if f not in {trt, out, popc}])
    return ChurnInputs(
        target=tgt, positive_class=positive_class, id_column=idc.column, date_column=datec.column,
        rows_in_time_order=bool(rows_in_time_order and datec.column is None), features=feats,
        categorical=categorical, leaky_columns=leaky, duration_column=dur, event_column=evt, segment_column=seg,
        survival_covariates=[c for c in surv_covs if c not in {dur, evt}], rm_change_column=rmc,
        study_start=start, treatment_column=trt, causal_outcome=out, causal_population=popc,
        causal_covariates=c_covs, uplift_features=up_feats, headline_scheme=scheme, validation=validation,
        choices=tuple(choices), skips=skips, market_fall_date=fall, fund_loss_column=loss_col,
    )
