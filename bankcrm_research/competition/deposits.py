"""Deposit migration dynamics: unit roots, VAR, Granger causality, impulse responses, FEVD.

Question: do money-market-fund (Yu'ebao-style) inflows pull household demand deposits out of
banks, and does the interbank rate (SHIBOR) drive money-market-fund yields? Everything runs on
statsmodels (``adfuller``, ``kpss``, ``VAR``); this module validates inputs, makes series
stationary in a documented way and returns tidy tables.

Real-data paths (files under ``../shared/data/internet_finance``):
:func:`read_yuebao_shibor` (Yu'ebao 7-day yield and SHIBOR, daily, 2013-07 – 2014-08) and
:func:`read_pboc_money_supply` (monthly M0/M1/M2; the M1 definition changes in 2024-01 — the
reader warns and :func:`log_differences` refuses to difference across that break).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from bankcrm_research.common.results import ResultMixin
from bankcrm_research.data.validate import (
    DataWarning,
    require_choice,
    require_columns,
    require_dataframe,
    require_min_rows,
    require_not_constant,
    require_numeric,
    require_positive_int,
    warn_dropped,
)

__all__ = [
    "M1_BREAK",
    "PBOC_BREAKS",
    "unit_root_tests",
    "log_differences",
    "select_lag_order",
    "VARResult",
    "fit_var",
    "rate_pass_through",
    "read_yuebao_shibor",
    "read_pboc_money_supply",
]

#: First month of the new M1 definition (PBOC added individual demand deposits and
#: non-bank payment institutions' customer reserves from January 2024).
M1_BREAK = pd.Timestamp("2024-01-01")
#: Series of :func:`read_pboc_money_supply` that change definition at :data:`M1_BREAK` (M1, and
#: M1 − M0); pass as ``breaks=PBOC_BREAKS`` to :func:`log_differences`.
PBOC_BREAKS: dict[str, pd.Timestamp] = {"M1": M1_BREAK, "corporate_demand_deposits": M1_BREAK}


def unit_root_tests(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    regression: Literal["c", "ct"] = "c",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """ADF and KPSS tests for each series (statsmodels).

    Returns
    -------
    DataFrame
        ``series, test, statistic, p_value, lags, n_obs, null, conclusion`` — ADF's null is a unit
        root, KPSS's null is stationarity, so a stationary series rejects ADF and not KPSS.

    Notes
    -----
    ADF lag length by AIC (``autolag="AIC"``); KPSS bandwidth by Hobijn et al. (1998)
    (``nlags="auto"``). KPSS p-values are interpolated within [0.01, 0.10] and truncated outside
    it (statsmodels emits an InterpolationWarning, silenced here; the bound is reported).
    """
    from statsmodels.tools.sm_exceptions import InterpolationWarning
    from statsmodels.tsa.stattools import adfuller, kpss

    require_choice(regression, ["c", "ct"], param="regression")
    require_columns(data, columns, table="series", param="columns")
    require_numeric(data, columns, table="series")
    rows = []
    for c in columns:
        x = data[c].dropna().to_numpy(float)
        require_min_rows(pd.DataFrame({c: x}), 20, table=c, what="a unit-root test")
        adf = adfuller(x, regression=regression, autolag="AIC", result_object=False)
        rows.append({"series": c, "test": "ADF", "statistic": adf[0], "p_value": adf[1], "lags": adf[2], "n_obs": adf[3],
                     "null": "unit root", "conclusion": "stationary" if adf[1] < alpha else "unit root not rejected"})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InterpolationWarning)
            k = kpss(x, regression=regression, nlags="auto", result_object=False)
        rows.append({"series": c, "test": "KPSS", "statistic": k[0], "p_value": k[1], "lags": k[2], "n_obs": len(x),
                     "null": "stationary", "conclusion": "non-stationary" if k[1] < alpha else "stationarity not rejected"})
    return pd.DataFrame(rows)


def log_differences(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    date: str = "month",
    log: Sequence[str] | None = None,
    scale: float = 100.0,
    breaks: Mapping[str, pd.Timestamp | str] | None = None,
) -> pd.DataFrame:
    """First differences (of logs for level series), refusing to difference across a series break.

    Parameters
    ----------
    data : DataFrame
        Time series sorted or sortable by ``date``.
    columns : sequence of str
        Series to difference.
    date : str
        Date column.
    log : sequence of str, optional
        Series differenced in logs (growth rates ×``scale``); defaults to all ``columns``.
        Rates (SHIBOR, yields) should be left out: they are differenced in levels.
    scale : float
        100 gives growth in percent.
    breaks : mapping, optional
        ``{column: first date of a new definition}``. Raises if the data span a break for a
        differenced column, e.g. ``{"M1": M1_BREAK}``; restrict the sample to one side first.

    Returns
    -------
    DataFrame
        ``date`` plus ``d_<column>`` (``dlog_<column>`` for logged series); the first row is dropped.
    """
    require_columns(data, [date, *columns], table="series", param="columns")
    require_numeric(data, columns, table="series")
    log = list(columns) if log is None else list(log)
    df = data.sort_values(date).reset_index(drop=True)
    for col, when in (breaks or {}).items():
        if col in columns:
            when = pd.Timestamp(when)
            d = pd.to_datetime(df[date])
            if (d < when).any() and (d >= when).any():
                raise ValueError(
                    f"'{col}' changes definition at {when:%Y-%m}; differencing across the break mixes two "
                    f"definitions (the 2024-01 M1 jump is a definition change, not a deposit flow). Restrict the "
                    f"sample to dates before {when:%Y-%m} (or only after it) before calling log_differences."
                )
    out = pd.DataFrame({date: df[date]})
    for c in columns:
        x = df[c].astype(float)
        if c in log:
            if (x <= 0).any():
                raise ValueError(f"'{c}' has non-positive values; logs need positive levels. Leave it out of 'log'.")
            out[f"dlog_{c}"] = scale * np.log(x).diff()
        else:
            out[f"d_{c}"] = x.diff()
    return out.iloc[1:].reset_index(drop=True)


def select_lag_order(data: pd.DataFrame, *, columns: Sequence[str], maxlags: int = 12) -> pd.DataFrame:
    """Information criteria for VAR lag orders 0..maxlags (statsmodels ``VAR.select_order``).

    Returns
    -------
    DataFrame
        ``lag, aic, bic, hqic, fpe`` plus boolean ``selected_aic``, ``selected_bic``.
    """
    from statsmodels.tsa.api import VAR

    x = _endog(data, columns)
    maxlags = require_positive_int(maxlags, param="maxlags")
    sel = VAR(x).select_order(maxlags=maxlags)
    ics = pd.DataFrame({k: v for k, v in sel.ics.items()})
    ics.insert(0, "lag", np.arange(len(ics)))
    ics["selected_aic"] = ics["lag"] == sel.selected_orders["aic"]
    ics["selected_bic"] = ics["lag"] == sel.selected_orders["bic"]
    return ics


def _endog(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    require_dataframe(data)
    columns = list(columns)
    if len(columns) < 2:
        raise ValueError(f"The 'columns' parameter needs at least two series for a VAR. Got {columns!r}.")
    require_columns(data, columns, table="series", param="columns")
    require_numeric(data, columns, table="series")
    n0 = len(data)
    x = data[columns].dropna()
    warn_dropped(n0 - len(x), n0, "with missing values", table="series")
    require_min_rows(x, 30, table="series", what="a VAR")
    require_not_constant(x, columns, table="series")
    return x.reset_index(drop=True).astype(float)


@dataclass(frozen=True)
class VARResult(ResultMixin):
    """A fitted VAR with Granger tests, impulse responses and variance decompositions.

    Attributes
    ----------
    coefficients : DataFrame
        ``equation, term, estimate, std_error, ci_low, ci_high, p_value`` (normal CIs).
    granger : DataFrame
        ``cause, effect, lags, statistic, df_num, df_denom, p_value`` for every ordered pair.
    irf : DataFrame
        Orthogonalised impulse responses: ``impulse, response, horizon, estimate, ci_low, ci_high``.
    fevd : DataFrame
        ``response, horizon, shock, share``.
    lags : int
    ic : str
    n_obs : int
    """

    coefficients: pd.DataFrame
    granger: pd.DataFrame
    irf: pd.DataFrame
    fevd: pd.DataFrame
    lags: int
    ic: str
    n_obs: int
    is_stable: bool
    model: Any = None

    def tidy(self) -> pd.DataFrame:
        """VAR coefficients (a copy)."""
        return self.coefficients.copy()

    def summary(self) -> pd.DataFrame:
        """The Granger-causality table."""
        return self.granger.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        """A warning sentence when the fitted VAR is not stable; empty otherwise."""
        if self.is_stable:
            return ()
        return (
            f"The VAR({self.lags}) is not stable (a root of the companion matrix lies on or outside the unit "
            f"circle): impulse responses do not die out; difference the series or use fewer lags.",
        )

    @property
    def notes_zh(self) -> tuple[str, ...]:
        """:attr:`notes` in simplified Chinese."""
        if self.is_stable:
            return ()
        return (f"VAR({self.lags}) 不稳定（伴随矩阵有特征根位于单位圆上或圆外）：脉冲响应不会衰减；"
                f"请对序列差分或减少滞后阶数。",)

    def plot(self, ax: Any = None, *, impulse: str | None = None, response: str | None = None) -> Any:
        """Impulse response of ``response`` to a one-s.d. ``impulse`` shock with its CI band."""
        import matplotlib.pyplot as plt

        names = list(dict.fromkeys(self.irf["impulse"]))
        impulse = impulse or names[0]
        response = response or [n for n in names if n != impulse][0]
        d = self.irf[(self.irf["impulse"] == impulse) & (self.irf["response"] == response)]
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(d["horizon"], d["estimate"], marker="o")
        ax.fill_between(d["horizon"], d["ci_low"], d["ci_high"], alpha=0.25)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xlabel("horizon")
        ax.set_ylabel(f"response of {response}")
        ax.set_title(f"orthogonalised shock to {impulse}", fontsize="small")
        return ax


def fit_var(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    maxlags: int = 12,
    ic: Literal["aic", "bic"] = "aic",
    lags: int | None = None,
    horizon: int = 12,
    alpha: float = 0.05,
    irf_reps: int = 500,
    seed: int = 0,
) -> VARResult:
    """Fit a VAR on stationary series and report Granger causality, IRFs and FEVD.

    Parameters
    ----------
    data : DataFrame
        Stationary series (e.g. from :func:`log_differences`); check with :func:`unit_root_tests`.
    columns : sequence of str
        Series in Cholesky order (most exogenous first) for the orthogonalised IRFs and FEVD.
    maxlags : int
        Largest lag considered by the information criterion.
    ic : {"aic", "bic"}
        Criterion choosing the lag order (ignored when ``lags`` is given).
    lags : int, optional
        Fixed lag order.
    horizon : int
        IRF/FEVD horizon.
    alpha : float
        1 - level of the IRF bands.
    irf_reps : int
        Monte Carlo replications for the IRF bands (statsmodels ``errband_mc``, Lütkepohl 2005
        §3.7); 0 uses the asymptotic (delta-method) bands.
    seed : int

    Returns
    -------
    VARResult

    Notes
    -----
    ``y_t = c + Σ_{l=1}^p A_l y_{t-l} + u_t``. Granger: Wald F test that the lags of the cause
    are zero in the effect's equation (``VARResults.test_causality(kind="f")``), in both
    directions for every pair. Reference: Lütkepohl (2005), New Introduction to Multiple Time
    Series Analysis, ch. 2–3.
    """
    from statsmodels.tsa.api import VAR

    require_choice(ic, ["aic", "bic"], param="ic")
    horizon = require_positive_int(horizon, param="horizon")
    x = _endog(data, columns)
    model = VAR(x)
    if lags is None:
        order = model.select_order(maxlags=require_positive_int(maxlags, param="maxlags")).selected_orders[ic]
        p = max(int(order), 1)  # a VAR(0) has no dynamics to test; use at least one lag
    else:
        p = require_positive_int(lags, param="lags")
    res = model.fit(p)
    from scipy import stats as st

    q = st.norm.ppf(1 - alpha / 2)
    coef = []
    for eq in res.names:
        for term in res.params.index:
            est, se = float(res.params.loc[term, eq]), float(res.stderr.loc[term, eq])
            coef.append({"equation": eq, "term": term, "estimate": est, "std_error": se,
                         "ci_low": est - q * se, "ci_high": est + q * se, "p_value": float(res.pvalues.loc[term, eq])})
    gr = []
    for cause in res.names:
        for effect in res.names:
            if cause == effect:
                continue
            t = res.test_causality(effect, [cause], kind="f")
            gr.append({"cause": cause, "effect": effect, "lags": p, "statistic": float(t.test_statistic),
                       "df_num": int(t.df[0]), "df_denom": int(t.df[1]), "p_value": float(t.pvalue)})
    irf = res.irf(horizon)
    if irf_reps > 0:
        lo, hi = irf.errband_mc(orth=True, repl=irf_reps, signif=alpha, rng=np.random.default_rng(seed))
    else:
        se = irf.stderr(orth=True)
        lo, hi = irf.orth_irfs - q * se, irf.orth_irfs + q * se
    irows = []
    for h in range(horizon + 1):
        for i, resp in enumerate(res.names):
            for j, imp in enumerate(res.names):
                irows.append({"impulse": imp, "response": resp, "horizon": h, "estimate": irf.orth_irfs[h, i, j],
                              "ci_low": lo[h, i, j], "ci_high": hi[h, i, j]})
    fe = res.fevd(horizon).decomp  # (response, horizon, shock)
    frows = [
        {"response": resp, "horizon": h + 1, "shock": shock, "share": fe[i, h, j]}
        for i, resp in enumerate(res.names)
        for h in range(horizon)
        for j, shock in enumerate(res.names)
    ]
    return VARResult(
        coefficients=pd.DataFrame(coef), granger=pd.DataFrame(gr), irf=pd.DataFrame(irows), fevd=pd.DataFrame(frows),
        lags=p, ic=ic if lags is None else "fixed", n_obs=int(res.nobs), is_stable=bool(res.is_stable()), model=res,
    )


def rate_pass_through(
    data: pd.DataFrame,
    *,
    rate: str = "shibor_3m",
    fund_yield: str = "mmf_yield_7d",
    maxlags: int | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Pass-through of a market rate to money-market-fund yields, with Newey–West errors.

    Returns a tidy table ``term, estimate, std_error, ci_low, ci_high, p_value, n_obs, hac_lags``
    for ``fund_yield_t = a + κ · rate_t + e_t`` (terms ``const`` and ``rate``).

    Notes
    -----
    OLS with HAC (Bartlett kernel) covariance, ``maxlags = floor(4 (n/100)^(2/9))`` by default
    (Newey & West 1994). The levels regression is a long-run pass-through; with non-stationary
    rates read it together with :func:`unit_root_tests` (a cointegrating regression when both
    series have a unit root and the residuals do not).
    """
    import statsmodels.api as sm

    require_columns(data, [rate, fund_yield], table="series", param="columns")
    require_numeric(data, [rate, fund_yield], table="series")
    n0 = len(data)
    df = data[[rate, fund_yield]].dropna()
    warn_dropped(n0 - len(df), n0, "with missing values", table="series")
    require_min_rows(df, 20, table="series", what="a pass-through regression")
    require_not_constant(df, [rate, fund_yield], table="series")
    lags = maxlags if maxlags is not None else int(np.floor(4 * (len(df) / 100) ** (2 / 9)))
    fit = sm.OLS(df[fund_yield], sm.add_constant(df[[rate]])).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    ci = fit.conf_int(alpha)
    return pd.DataFrame({
        "term": ["const", rate], "estimate": fit.params.to_numpy(), "std_error": fit.bse.to_numpy(),
        "ci_low": ci[0].to_numpy(), "ci_high": ci[1].to_numpy(), "p_value": fit.pvalues.to_numpy(),
        "n_obs": int(fit.nobs), "hac_lags": lags,
    })


def read_yuebao_shibor(folder: str | Path, *, shibor_tenor: str = "Interest_O_N") -> pd.DataFrame:
    """Merge Yu'ebao's daily 7-day annualised yield with SHIBOR on common business days.

    Parameters
    ----------
    folder : str or Path
        Folder holding ``yuebao_mfd_day_share_interest_*.csv`` and ``shibor_mfd_bank_shibor_*.csv``
        (Ant Financial / Tianchi data, 2013-07-01 – 2014-08-31).
    shibor_tenor : str
        SHIBOR column (``Interest_O_N``, ``Interest_1_W``, ..., ``Interest_3_M``).

    Returns
    -------
    DataFrame
        ``date, mmf_yield_7d, shibor`` (percent), business days only (SHIBOR is not fixed on
        weekends and holidays; Yu'ebao yields on those days are dropped with a warning).
    """
    folder = Path(folder)
    files = {}
    for key, pattern in (("yuebao", "yuebao_mfd_day_share_interest_*.csv"), ("shibor", "shibor_mfd_bank_shibor_*.csv")):
        hits = sorted(folder.glob(pattern))
        if not hits:
            raise FileNotFoundError(
                f"no file matching '{pattern}' in {folder}; point 'folder' at the internet_finance data folder "
                f"(e.g. ../shared/data/internet_finance)."
            )
        files[key] = hits[0]
    # the files are parsed once, by bankcrm_research.data.readers; this function only aligns them
    from bankcrm_research.data.readers import SHIBOR_TENORS, read_shibor_daily, read_yuebao_yield

    require_choice(shibor_tenor, list(SHIBOR_TENORS), param="shibor_tenor")
    yb = read_yuebao_yield(files["yuebao"])
    sh = read_shibor_daily(files["shibor"])
    require_columns(sh, [SHIBOR_TENORS[shibor_tenor]], table=f"SHIBOR file ({files['shibor'].name})",
                    param="shibor_tenor")
    out = yb[["date", "mmf_yield_7d"]].merge(sh[["date", SHIBOR_TENORS[shibor_tenor]]], on="date", how="inner")
    warn_dropped(len(yb) - len(out), len(yb), "(Yu'ebao days without a SHIBOR fixing)", table="yuebao")
    out = out.rename(columns={SHIBOR_TENORS[shibor_tenor]: "shibor"}).sort_values("date").reset_index(drop=True)
    out.attrs = {}  # two sources merged: neither file's provenance describes the result
    return out


def read_pboc_money_supply(path: str | Path) -> pd.DataFrame:
    """Read the PBOC monthly money-supply file (M0, M1, M2 in CNY 100m).

    Returns ``month`` (first day), ``M0``, ``M1``, ``M2``, ``corporate_demand_deposits``
    (M1 − M0). Warns when the data extend past the 2024-01 M1 definition break.
    """
    # one parser of the PBoC file (bankcrm_research.data.readers); here under the upper-case series
    # names the VAR and PBOC_BREAKS use, and all four series are required
    from bankcrm_research.data.readers import read_pboc_money_supply as read_canonical

    canonical = read_canonical(path, encoding="utf-8")
    headers = {"m0": "M0(亿元)", "m1": "M1(亿元)", "m2": "M2(亿元)", "corporate_demand_deposits": "单位活期存款(亿元)"}
    missing = [h for c, h in headers.items() if c not in canonical.columns]
    if missing:
        raise ValueError(f"{path}: the PBoC money-supply file has no column {missing}; expected the headers "
                         f"日期, {', '.join(headers.values())}. Rename the file's columns to these.")
    out = canonical[["month", "m0", "m1", "m2", "corporate_demand_deposits"]].rename(
        columns={"m0": "M0", "m1": "M1", "m2": "M2"})
    if (out["month"] >= M1_BREAK).any() and (out["month"] < M1_BREAK).any():
        warnings.warn(
            "the PBOC series span the M1 definition change in 2024-01 (M1 jumps by ~65 %: individual demand deposits "
            "were added); M1 and M1 − M0 are not comparable across it. Analyse months before 2024-01 only "
            "(log_differences refuses to difference across the break).",
            DataWarning,
            stacklevel=2,
        )
    return out
