"""ECSI-style customer-satisfaction survey with a known structural model.

Latent model (all latents standardised, disturbance variances set so that Var = 1)::

    CUEX  = 0.55 IMAG
    PERQ  = 0.60 CUEX
    PERV  = 0.55 PERQ
    CUSA  = 0.20 IMAG + 0.35 PERQ + 0.30 PERV
    CUSL  = 0.20 IMAG + 0.50 CUSA + 0.25 CUSA·CHAN
    CUSCO = -0.45 CUSA

Every item is reflective, ``x* = λ η + sqrt(1 − λ²) e`` with standardised continuous responses, so
the standard ECSI measurement and structural model is exactly the data-generating model (a CB-SEM
or PLSc fit recovers the paths). Perceived quality has four service attributes measured by item
pairs — credit-approval speed (PERQ1–2), product personalisation (PERQ3–4), channel convenience
(PERQ5–6_R) and relationship-manager service (PERQ7–8). Their importance for satisfaction is
planted through how strongly each attribute reflects perceived quality (attribute loadings
speed > rm > personalisation > channel): the attribute that carries more of the quality judgement
moves satisfaction more. The resulting key-driver importances (standardised regression weights and
Johnson's relative weights of CUSA on the four attribute scores) are population values computed
from a large auxiliary draw and recorded as ``driver_weights`` / ``driver_importance_observed``.

Channel convenience is also a real attribute with its own variance: PERQ5/PERQ6_R load 0.45 on a
channel-specific factor CHAN (independent standard normal), and CHAN moderates the satisfaction →
loyalty link (the ``CUSA·CHAN`` term, mean 0 and uncorrelated with every construct, so the linear
paths remain the population projections). The PROCESS estimands on the observed composites are
population values from the auxiliary draw (``process``).

Responses are cut into 1–7 Likert
categories with fixed thresholds (mildly left-skewed, as in bank surveys; mirrored for the
complaint items, which most customers answer low), then the reverse-coded
items are stored reversed (8 − x). This is the ECSI/ACSI model of Fornell et al. (1996, *J.
Marketing* 60(4)) and Cassel & Eklöf (2001), extended with attribute-level drivers.

The population standardised loading of each 7-point item (corr(item, factor), after reversing the
``_R`` items back) is computed from a large auxiliary draw and recorded beside the latent loading.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

LATENTS: tuple[str, ...] = ("IMAG", "CUEX", "PERQ", "PERV", "CUSA", "CUSL", "CUSCO")
ATTRIBUTES: tuple[str, ...] = ("speed", "personalisation", "channel", "rm")

PATHS: dict[str, float] = {
    "IMAG->CUEX": 0.55,
    "CUEX->PERQ": 0.60,
    "PERQ->PERV": 0.55,
    "IMAG->CUSA": 0.20,
    "PERQ->CUSA": 0.35,
    "PERV->CUSA": 0.30,
    "IMAG->CUSL": 0.20,
    "CUSA->CUSL": 0.50,
    "CUSA->CUSCO": -0.45,
}
#: loading of each attribute's item pair on PERQ: the planted source of driver importance
ATTRIBUTE_LOADINGS: dict[str, tuple[float, float]] = {
    "speed": (0.88, 0.86), "personalisation": (0.72, 0.70), "channel": (0.66, 0.64), "rm": (0.81, 0.79),
}

#: item -> (construct, latent loading); "_R" items are stored reversed
ITEMS: dict[str, tuple[str, float]] = {
    "IMAG1": ("IMAG", 0.80), "IMAG2": ("IMAG", 0.75), "IMAG3": ("IMAG", 0.70), "IMAG4": ("IMAG", 0.85),
    "CUEX1": ("CUEX", 0.72), "CUEX2": ("CUEX", 0.78), "CUEX3_R": ("CUEX", 0.66),
    "PERQ1": ("PERQ", 0.88), "PERQ2": ("PERQ", 0.86), "PERQ3": ("PERQ", 0.72), "PERQ4": ("PERQ", 0.70),
    "PERQ5": ("PERQ", 0.66), "PERQ6_R": ("PERQ", 0.64), "PERQ7": ("PERQ", 0.81), "PERQ8": ("PERQ", 0.79),
    "PERV1": ("PERV", 0.85), "PERV2": ("PERV", 0.80), "PERV3": ("PERV", 0.75),
    "CUSA1": ("CUSA", 0.88), "CUSA2": ("CUSA", 0.85), "CUSA3": ("CUSA", 0.80),
    "CUSCO1": ("CUSCO", 0.80), "CUSCO2": ("CUSCO", 0.75),
    "CUSL1": ("CUSL", 0.82), "CUSL2_R": ("CUSL", 0.70), "CUSL3": ("CUSL", 0.85),
}
PERQ_ATTRIBUTE: dict[str, str] = {
    "PERQ1": "speed", "PERQ2": "speed", "PERQ3": "personalisation", "PERQ4": "personalisation",
    "PERQ5": "channel", "PERQ6_R": "channel", "PERQ7": "rm", "PERQ8": "rm",
}
REVERSED: tuple[str, ...] = tuple(i for i in ITEMS if i.endswith("_R"))
#: channel convenience is a real attribute, not only a reflection of quality: its item pair also loads
#: on an attribute-specific standard-normal factor CHAN (independent of the seven constructs)
CHANNEL_SPECIFIC: dict[str, float] = {"PERQ5": 0.45, "PERQ6_R": 0.45}
#: planted moderation: CUSL = 0.20 IMAG + 0.50 CUSA + GAMMA · CUSA · CHAN + e (channel convenience
#: strengthens the satisfaction -> loyalty link). CUSA·CHAN has mean 0, variance 1 and is uncorrelated
#: with every construct (CHAN is independent and the constructs are jointly normal), so the linear
#: paths stay the population projections and CB-SEM still estimates them.
MODERATION_GAMMA: float = 0.25
CUSA_ITEMS: tuple[str, ...] = ("CUSA1", "CUSA2", "CUSA3")
#: cut points of the standardised response for categories 1..7 (left-skewed: mean ≈ 4.9)
THRESHOLDS: tuple[float, ...] = (-2.3, -1.7, -1.1, -0.45, 0.35, 1.25)
MISSING = {"mcar_rate": 0.02, "mar_age": 60, "mar_items": ("PERQ5", "PERQ6_R"), "mar_rate": 0.20}
TIER_SAMPLING_WEIGHT = {"mass": 1.0, "affluent": 2.0, "private": 4.0}


def _parents(target: str) -> dict[str, float]:
    return {p.split("->")[0]: b for p, b in PATHS.items() if p.split("->")[1] == target}


def simulate_latents(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Draw the standardised latent scores of the 7 constructs for ``n`` people."""
    z = rng.standard_normal((n, len(LATENTS)))
    chan = rng.standard_normal(n)  # drawn after z, so the seven constructs are the same draws as before
    lat: dict[str, np.ndarray] = {}
    cov: dict[tuple[str, str], float] = {}  # population covariances among constructs built so far

    def c(a: str, b: str) -> float:
        return 1.0 if a == b else cov.get((a, b), cov.get((b, a), 0.0))

    for k, name in enumerate(LATENTS):
        par = _parents(name)
        systematic = np.zeros(n)
        var_sys = 0.0
        for p, b in par.items():
            systematic += b * lat[p]
            var_sys += sum(b * b2 * c(p, p2) for p2, b2 in par.items())
        if name == "CUSL":
            systematic = systematic + MODERATION_GAMMA * lat["CUSA"] * chan
            var_sys += MODERATION_GAMMA**2
        resid_sd = np.sqrt(1.0 - var_sys)
        lat[name] = systematic + resid_sd * z[:, k]
        for other in LATENTS[:k]:
            cov[(name, other)] = sum(b * c(p, other) for p, b in par.items())
    lat["CHAN"] = chan
    return pd.DataFrame(lat)


def latent_r2() -> dict[str, float]:
    """Population R² of each endogenous construct."""
    out: dict[str, float] = {}
    cov: dict[tuple[str, str], float] = {}

    def c(a: str, b: str) -> float:
        return 1.0 if a == b else cov.get((a, b), cov.get((b, a), 0.0))

    for k, name in enumerate(LATENTS):
        par = _parents(name)
        var_sys = sum(b * b2 * c(p, p2) for p, b in par.items() for p2, b2 in par.items())
        if par:
            out[name] = round(var_sys, 6)
        for other in LATENTS[:k]:
            cov[(name, other)] = sum(b * c(p, other) for p, b in par.items())
    return out


def discretise(x: np.ndarray) -> np.ndarray:
    """Standardised continuous responses -> 1..7 categories with the fixed :data:`THRESHOLDS`."""
    return (1 + np.searchsorted(np.asarray(THRESHOLDS), x, side="right")).astype(np.int8)


def simulate_items(rng: np.random.Generator, latents: pd.DataFrame, items: tuple[str, ...]) -> pd.DataFrame:
    """Likert 1–7 answers (``_R`` items already stored reversed) for the given item names."""
    n = len(latents)
    out = {}
    noise = rng.standard_normal((n, len(ITEMS)))
    for k, (item, (construct, lam)) in enumerate(ITEMS.items()):
        if item not in items:
            continue  # draw noise for every item anyway so subsets stay reproducible
        x = lam * latents[construct].to_numpy()
        kappa = CHANNEL_SPECIFIC.get(item, 0.0)
        if kappa:
            x = x + kappa * latents["CHAN"].to_numpy()
        x = x + np.sqrt(1 - lam**2 - kappa**2) * noise[:, k]
        # complaint intention is low for most customers: mirror the skew (mean ≈ 3 instead of ≈ 5)
        v = (8 - discretise(-x)).astype(np.int8) if construct == "CUSCO" else discretise(x)
        out[item] = (8 - v).astype(np.int8) if item in REVERSED else v
    return pd.DataFrame(out, index=latents.index)


def population_values(rng: np.random.Generator, n: int = 400_000) -> dict[str, Any]:
    """Population loadings of the 7-point items and driver importance from a large draw.

    ``loadings[item]`` = corr(item as scored in the construct's direction, construct). The driver
    regression is CUSA score (mean of CUSA1–3) on the four attribute scores (mean of each PERQ
    pair, PERQ6_R reversed back), all standardised: the estimand of a key-driver regression on
    complete data.
    """
    lat = simulate_latents(rng, n)
    items = simulate_items(rng, lat, tuple(ITEMS))
    scored = items.astype(float).copy()
    for it in REVERSED:
        scored[it] = 8 - scored[it]
    loadings = {it: round(float(np.corrcoef(scored[it], lat[ITEMS[it][0]])[0, 1]), 4) for it in ITEMS}
    attr_scores = pd.DataFrame({
        a: scored[[i for i, aa in PERQ_ATTRIBUTE.items() if aa == a]].mean(axis=1) for a in ATTRIBUTES
    })
    y = scored[list(CUSA_ITEMS)].mean(axis=1)
    zx = (attr_scores - attr_scores.mean()) / attr_scores.std()
    zy = (y - y.mean()) / y.std()
    beta = np.linalg.lstsq(zx.to_numpy(), zy.to_numpy(), rcond=None)[0]
    rxx = np.corrcoef(zx.to_numpy(), rowvar=False)
    rxy = zx.to_numpy().T @ zy.to_numpy() / (n - 1)
    # Johnson (2000) relative weights: orthogonalise the predictors via the symmetric square root
    evals, evecs = np.linalg.eigh(rxx)
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    b_orth = np.linalg.solve(lam, rxy)
    raw = (lam**2) @ (b_orth**2)
    return {
        "process": _process_population(scored),
        "loadings": loadings,
        "driver_weights": dict(zip(ATTRIBUTES, np.round(beta, 4).tolist(), strict=True)),
        "driver_importance_observed": {
            "standardised_beta": dict(zip(ATTRIBUTES, np.round(beta, 4).tolist(), strict=True)),
            "relative_weight": dict(zip(ATTRIBUTES, np.round(raw, 4).tolist(), strict=True)),
            "relative_weight_share": dict(zip(ATTRIBUTES, np.round(raw / raw.sum(), 4).tolist(), strict=True)),
            "r2": round(float(raw.sum()), 4),
        },
        "cusa_score_mean": round(float(y.mean()), 4),
        "cusa_score_sd": round(float(y.std()), 4),
        "item_means": {it: round(float(items[it].mean()), 4) for it in ITEMS},
        "n_draw": n,
    }


def _ols_coef(y: pd.Series, **x: pd.Series) -> dict[str, float]:
    """Unstandardised OLS coefficients of ``y`` on the named regressors (with an intercept)."""
    X = np.column_stack([np.ones(len(y))] + [v.to_numpy(dtype=float) for v in x.values()])
    beta = np.linalg.lstsq(X, y.to_numpy(dtype=float), rcond=None)[0]
    return dict(zip(x, beta[1:].tolist(), strict=True))


def _process_population(scored: pd.DataFrame) -> dict[str, Any]:
    """Population values of the bundled PROCESS questions on observed composites (complete data).

    The composites are the item means the notebook uses (``_R`` items reversed back), so the values
    include the attenuation from measurement error that any observed-score PROCESS analysis has: they
    are the estimands of Hayes's models on this survey, not the latent coefficients.
    """
    comp = {c: scored[[i for i, (cc, _) in ITEMS.items() if cc == c]].mean(axis=1) for c in LATENTS}
    channel = scored[[i for i, a in PERQ_ATTRIBUTE.items() if a == "channel"]].mean(axis=1)
    cusa, cusl, perq, perv = comp["CUSA"], comp["CUSL"], comp["PERQ"], comp["PERV"]
    mod = _ols_coef(cusl, x=cusa, w=channel, xw=cusa * channel)
    a4 = _ols_coef(perv, x=perq)["x"]
    out4 = _ols_coef(cusa, x=perq, m=perv)
    a14 = _ols_coef(cusa, x=perv)["x"]
    out14 = _ols_coef(cusl, x=perv, m=cusa, w=channel, mw=cusa * channel)
    r = lambda v: round(float(v), 4)  # noqa: E731
    return {
        "moderation": {"model": 1, "x": "CUSA", "w": "channel", "y": "CUSL", "interaction": r(mod["xw"])},
        "mediation": {"model": 4, "x": "PERQ", "m": "PERV", "y": "CUSA", "a": r(a4), "b": r(out4["m"]),
                      "direct": r(out4["x"]), "indirect": r(a4 * out4["m"])},
        "moderated_mediation": {"model": 14, "x": "PERV", "m": "CUSA", "y": "CUSL", "w": "channel", "a": r(a14),
                                "b_interaction": r(out14["mw"]),
                                "index_of_moderated_mediation": r(a14 * out14["mw"])},
        "definition": "unstandardised OLS on the composite scores (item means, _R reversed back) of a "
                      "complete-data population draw; PROCESS models 1, 4 and 14",
        "latent_interaction": MODERATION_GAMMA,
    }


def assemble_survey(
    rng: np.random.Generator,
    customers: pd.DataFrame,
    latents: pd.DataFrame,
    cusa_items: pd.DataFrame,
    respondent_idx: np.ndarray,
) -> pd.DataFrame:
    """Build the survey table for the selected respondents (row positions in ``customers``)."""
    lat = latents.iloc[respondent_idx].reset_index(drop=True)
    other = tuple(i for i in ITEMS if i not in CUSA_ITEMS)
    answers = simulate_items(rng, lat, other)
    for it in CUSA_ITEMS:
        answers[it] = cusa_items[it].to_numpy()[respondent_idx]
    answers = answers[list(ITEMS)]
    cust = customers.iloc[respondent_idx].reset_index(drop=True)
    n = len(cust)
    # missingness: MCAR on every cell, plus MAR: older respondents skip the channel items more
    vals = answers.astype("Int8")
    mcar = rng.random(vals.shape) < MISSING["mcar_rate"]
    older = (cust["age"].to_numpy() >= MISSING["mar_age"])[:, None]
    mar_cols = np.isin(vals.columns, MISSING["mar_items"])[None, :]
    mar = (rng.random(vals.shape) < MISSING["mar_rate"]) & older & mar_cols
    vals = vals.mask(mcar | mar)
    days = rng.integers(0, 50, n)
    survey = pd.DataFrame({
        "respondent_id": [f"S{i + 1:05d}" for i in range(n)],
        "customer_id": cust["customer_id"].to_numpy(),
        "survey_date": pd.Timestamp("2019-11-01") + pd.to_timedelta(days, unit="D"),
    })
    survey = pd.concat([survey, vals.reset_index(drop=True)], axis=1)
    survey["channel_group"] = np.where(cust["digital_share"].to_numpy() >= 0.5, "digital", "branch")
    survey["value_tier"] = cust["value_tier"].to_numpy()
    return survey
