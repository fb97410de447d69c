"""A small simulated ACSI-style survey with known truth, for the satisfaction tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bankcrm_research.satisfaction.spec import SurveyModel

#: standardised latent paths of the test generator
PATHS = {
    ("IMAG", "CUEX"): 0.55,
    ("CUEX", "PERQ"): 0.60,
    ("PERQ", "PERV"): 0.50,
    ("IMAG", "CUSA"): 0.20,
    ("PERQ", "CUSA"): 0.40,
    ("PERV", "CUSA"): 0.30,
    ("CUSA", "CUSL"): 0.60,
}
LOADINGS = {
    "IMAG": [0.80, 0.75, 0.70],
    "CUEX": [0.70, 0.75, 0.65],
    "PERQ": [0.75, 0.80, 0.70, 0.72],
    "PERV": [0.85, 0.80, 0.75],
    "CUSA": [0.88, 0.84, 0.80],
    "CUSL": [0.80, 0.70, 0.85],
}
ORDER = ["IMAG", "CUEX", "PERQ", "PERV", "CUSA", "CUSL"]


def acsi_test_model(reverse: bool = True, scale: tuple[float, float] = (1, 7)) -> SurveyModel:
    """The generator's model (CUSL2_R stored reversed when ``reverse``); continuous data: scale=(-4, 12)."""
    meas = {c: [f"{c}{i + 1}" for i in range(len(v))] for c, v in LOADINGS.items()}
    if reverse:
        meas["CUSL"][1] = "CUSL2_R"
    return SurveyModel(meas, [list(p) for p in PATHS], ["CUSL2_R"] if reverse else [], list(scale))


def simulate_survey(n: int = 600, seed: int = 1, *, likert: bool = True, group_shift: float = 0.0) -> pd.DataFrame:
    """Simulated survey from :data:`PATHS` / :data:`LOADINGS`.

    ``likert=False`` keeps continuous normal items (scaled to mean 4, sd 1) so standardised
    loadings equal :data:`LOADINGS` exactly in the population; ``likert=True`` rounds and clips
    them to 1..7. A ``group`` column (digital/branch, half each); ``group_shift`` is added to the
    PERQ -> CUSA path in the digital group (0 = no difference).
    """
    rng = np.random.default_rng(seed)
    group = np.where(np.arange(n) % 2 == 0, "digital", "branch")
    lat: dict[str, np.ndarray] = {}
    cov: dict[tuple[str, str], float] = {}

    def c(a: str, b: str) -> float:
        return 1.0 if a == b else cov.get((a, b), cov.get((b, a), 0.0))

    for k, name in enumerate(ORDER):
        par = {a: b for (a, t), b in PATHS.items() if t == name}
        syst = np.zeros(n)
        for a, b in par.items():
            bb = b + (group_shift * (group == "digital") if (a, name) == ("PERQ", "CUSA") else 0.0)
            syst = syst + bb * lat[a]
        var_sys = sum(b * b2 * c(a, a2) for a, b in par.items() for a2, b2 in par.items())
        lat[name] = syst + np.sqrt(1 - var_sys) * rng.standard_normal(n)
        if group_shift:
            lat[name] = (lat[name] - lat[name].mean()) / lat[name].std()
        for other in ORDER[:k]:
            cov[(name, other)] = sum(b * c(a, other) for a, b in par.items())
    out = {}
    for cst, lams in LOADINGS.items():
        for i, lam in enumerate(lams):
            x = lam * lat[cst] + np.sqrt(1 - lam**2) * rng.standard_normal(n)
            x = 4 + x
            if likert:
                x = np.clip(np.round(x * 1.2 - 0.8), 1, 7)
            out[f"{cst}{i + 1}"] = x
    df = pd.DataFrame(out)
    df["CUSL2_R"] = 8 - df.pop("CUSL2")
    df["group"] = group
    return df


