"""Private statistics shared by the analysis packages (imported by both, so neither imports the other).

* :func:`kmo_bartlett_stats` — Kaiser-Meyer-Olkin sampling adequacy and Bartlett's test of
  sphericity, the numbers behind ``competition.index`` (PCA/factor weights of an index) and
  ``satisfaction.validity.kmo_bartlett`` (survey items). Each caller keeps its own wrapper,
  because they treat factor_analyzer's warnings differently (the index re-words the
  pseudo-inverse warning as a DataWarning; the survey table lets it through).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = ["kmo_bartlett_stats"]


def kmo_bartlett_stats(frame: pd.DataFrame) -> tuple[np.ndarray, float, float, float]:
    """KMO per column and overall, Bartlett's chi-square and p-value (factor_analyzer).

    Parameters
    ----------
    frame : DataFrame
        Numeric columns, no missing values (the callers validate).

    Returns
    -------
    kmo_per, kmo_overall, chi2, p : ndarray, float, float, float

    Notes
    -----
    factor_analyzer's ``calculate_kmo`` and ``calculate_bartlett_sphericity``. Bartlett:
    :math:`\\chi^2 = -(n - 1 - (2p + 5)/6)\\ln|R|`, df = p(p-1)/2 (Bartlett 1950). KMO: Kaiser
    (1974). In R: ``psych::KMO(data)``, ``psych::cortest.bartlett(cor(data), n = nrow(data))``.
    Warnings of factor_analyzer (pseudo-inverse, log of a zero determinant) reach the caller
    unchanged; only its FutureWarnings from ``calculate_kmo`` are silenced.
    """
    # imported here: the competition package keeps factor_analyzer off its import path
    from factor_analyzer.factor_analyzer import calculate_bartlett_sphericity, calculate_kmo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        kmo_per, kmo_all = calculate_kmo(frame)
    chi2, p = calculate_bartlett_sphericity(frame)
    return kmo_per, float(kmo_all), float(chi2), float(p)
