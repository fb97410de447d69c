"""Churn models in one import (facade).

A thin, documented facade: user code (and notebook 04's ``churn.encode_target``) can keep writing
``churn.<name>``. The code lives in

* :mod:`~bankcrm_research.retention.features` — :func:`encode_target`, :class:`FeaturePrep`,
  :func:`prepare_features` (guard rails learned on the training rows);
* :mod:`~bankcrm_research.retention.models` — :class:`ChurnLogit`, :class:`ChurnBoosting` and their
  results;
* :mod:`~bankcrm_research.retention.validation` — :func:`leakage_audit`, :func:`validate_models`,
  :class:`ValidationResult`.

A user's customer table is read by :func:`bankcrm_research.data.load_customers` (the one door for every
table: encoding, delimiter and sheet detection, schema validation, unknown columns kept); the former
``churn.read_table`` (UTF-8 only, no validation) is gone.
"""

from __future__ import annotations

from bankcrm_research.retention.features import FeaturePrep, encode_target, prepare_features
from bankcrm_research.retention.models import ChurnBoosting, ChurnBoostingResult, ChurnLogit, ChurnLogitResult
from bankcrm_research.retention.validation import ValidationResult, leakage_audit, validate_models

__all__ = [
    "encode_target",
    "FeaturePrep",
    "prepare_features",
    "ChurnLogit",
    "ChurnLogitResult",
    "ChurnBoosting",
    "ChurnBoostingResult",
    "leakage_audit",
    "validate_models",
    "ValidationResult",
]
