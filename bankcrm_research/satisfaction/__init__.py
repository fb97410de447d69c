"""Customer-satisfaction drivers: measurement quality, CB-SEM and PLS-SEM (ACSI/ECSI-style),
a 0-100 satisfaction index, key drivers, IPMA and multi-group comparison.

The model is data (:class:`SurveyModel`); the workflow is::

    model = SurveyModel(measurement, structural, reverse_items, scale)
    prep = prepare_survey(survey, model)                  # reverse-code, missing-data rule
    reliability_table(prep.data, measurement=..., cfa=CBSEM(model, kind="CFA").fit(prep), pls=...)
    sem = CBSEM(model).fit(prep)                          # ML, improper solutions explained
    pls = PLSSEM(model, bootstrap_reps=5000, seed=1).fit(prep)
    satisfaction_index(pls, prep, construct="CUSA", group_column="channel_group")
    ipma(pls, prep, target="CUSA"); key_drivers(prep, drivers=..., outcome_items=...)
"""

from bankcrm_research.satisfaction.drivers import key_drivers, relative_weights
from bankcrm_research.satisfaction.index import index_scores, satisfaction_index
from bankcrm_research.satisfaction.ipma import IPMAResult, ipma
from bankcrm_research.satisfaction.multigroup import multigroup_paths
from bankcrm_research.satisfaction.pls import PLSSEM, PLSResult
from bankcrm_research.satisfaction.reliability import composite_reliability, cronbach_alpha, reliability_table
from bankcrm_research.satisfaction.sem import CBSEM, CBSEMResult, ImproperSolutionWarning, SEMEstimationError
from bankcrm_research.satisfaction.spec import (
    ACSI_BANK_MODEL,
    ECSI_MOBI_MODEL,
    PreparedSurvey,
    SurveyModel,
    prepare_survey,
)
from bankcrm_research.satisfaction.validity import (
    EFAResult,
    exploratory_factor_analysis,
    fornell_larcker,
    htmt,
    htmt_table,
    kmo_bartlett,
    parallel_analysis,
)

__all__ = [
    "ACSI_BANK_MODEL",
    "CBSEM",
    "CBSEMResult",
    "ECSI_MOBI_MODEL",
    "EFAResult",
    "IPMAResult",
    "ImproperSolutionWarning",
    "PLSResult",
    "PLSSEM",
    "PreparedSurvey",
    "SEMEstimationError",
    "SurveyModel",
    "composite_reliability",
    "cronbach_alpha",
    "exploratory_factor_analysis",
    "fornell_larcker",
    "htmt",
    "htmt_table",
    "index_scores",
    "ipma",
    "key_drivers",
    "kmo_bartlett",
    "multigroup_paths",
    "parallel_analysis",
    "prepare_survey",
    "relative_weights",
    "reliability_table",
    "satisfaction_index",
]
