"""ACSI-style 0-100 index against R cSEM 0.6.1, computed by
``tests/reference/satisfaction/acsi_index/ref_acsi_index.R`` (the test needs no R)::

    fit <- csem(.data = 100 * (x - 1) / (7 - 1), .model = <every block "<~", .PLS_modes = "modeA", paths>,
                .PLS_weight_scheme_inner = "path", .tolerance = 1e-12, .iter_max = 10000,
                .conv_criterion = "diff_absolute")
    colMeans(getConstructScores(fit, .standardized = FALSE)$Construct_scores)

cSEM's unstandardised scores use the weights W_std / sd(x) with each block's weights normed to sum 1, which are
the ACSI weights of ``satisfaction_index``; their mean on items rescaled to 0-100 is the index
100 (sum_i w~_i xbar_i - min) / (max - min). Scale convention: cSEM does not rescale; the R script rescales the
items with the THEORETICAL scale (1-7), as ``satisfaction_index`` does with ``SurveyModel.scale``, not with the
observed min/max (it also checks that rescaling the raw-item index afterwards gives the same number). Segment
indices in R are the means of the same overall-weight scores over the segment's rows, which is how
``satisfaction_index(group_column=...)`` defines them (segments use the OVERALL weights).

Data: the PLS-SEM primer's corporate reputation items (``ipma/corp_rep_items.csv``; simple model COMP, LIKE ->
CUSA, CUSL; CUSA -> CUSL; -99 replaced by the item mean, ``prepare_survey(missing="mean")``), and the bundled
survey ``data/survey.csv`` with ``ACSI_BANK_MODEL`` (listwise, *_R re-reversed; segments channel_group and
value_tier). A stale survey reference (data regenerated, R not re-run) fails ``test_survey_reference_is_current``.

Tolerance: 1e-7 absolute on the 0-100 index (a 1e-9 share of the scale) and 1e-7 relative on the weights: cSEM
iterates to 1e-12, our PLS stops at its own criterion (sum |w_new - w| < 1e-7), so the last digits of the weights
differ; observed agreement is below 1e-9 on the index (4e-10 at most).
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.data.paths import data_dir
from bankcrm_research.satisfaction import ACSI_BANK_MODEL
from bankcrm_research.satisfaction.index import satisfaction_index
from bankcrm_research.satisfaction.pls import PLSSEM
from bankcrm_research.satisfaction.spec import SurveyModel, prepare_survey

HERE = Path(__file__).resolve().parents[1] / "reference" / "satisfaction"
REF = HERE / "acsi_index"
TOL = 1e-7
CORP_REP_MODEL = SurveyModel(
    {"COMP": [f"comp_{i}" for i in range(1, 4)], "LIKE": [f"like_{i}" for i in range(1, 4)], "CUSA": ["cusa"],
     "CUSL": [f"cusl_{i}" for i in range(1, 4)]},
    [["COMP", "CUSA"], ["LIKE", "CUSA"], ["COMP", "CUSL"], ["LIKE", "CUSL"], ["CUSA", "CUSL"]],
    scale=(1, 7),
)


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return pd.read_csv(REF / "acsi_index.csv", keep_default_na=False, dtype={"index": float, "n": int})


@pytest.fixture(scope="module")
def meta() -> pd.Series:
    return pd.read_csv(REF / "acsi_meta.csv").set_index("key")["value"]


@pytest.fixture(scope="module")
def weights_ref() -> pd.DataFrame:
    return pd.read_csv(REF / "acsi_weights.csv")


@pytest.fixture(scope="module")
def corp_rep(meta):  # noqa: ANN001, ANN201
    path = HERE / "ipma" / "corp_rep_items.csv"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == meta["corp_rep_items_sha256"]
    raw = pd.read_csv(path).replace(-99, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the mean-replacement count warning
        prep = prepare_survey(raw, CORP_REP_MODEL, missing="mean")
    items = [i for b in CORP_REP_MODEL.measurement.values() for i in b]
    assert int(raw[items].isna().sum().sum()) == int(meta["corp_rep_cells_mean_replaced"])
    return prep, PLSSEM(CORP_REP_MODEL, bootstrap_reps=0).fit(prep)


@pytest.fixture(scope="module")
def survey_path() -> Path:
    p = data_dir() / "survey.csv"
    if not p.exists():
        pytest.skip(f"bundled survey not present at {p}")
    return p


@pytest.fixture(scope="module")
def survey(survey_path):  # noqa: ANN001, ANN201
    from bankcrm_research.data.load import load_survey

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the listwise-deletion count warning
        prep = prepare_survey(load_survey(survey_path), ACSI_BANK_MODEL, keep=["channel_group", "value_tier"])
    return prep, PLSSEM(ACSI_BANK_MODEL, bootstrap_reps=0).fit(prep)


def _check_weights(res, wref: pd.DataFrame) -> None:  # noqa: ANN001
    for r in wref.itertuples():
        got = res.weights[res.items.index(r.indicator), res.constructs.index(r.construct)]
        assert got == pytest.approx(r.w_std, rel=TOL), (r.construct, r.indicator)
    for c, block in wref.groupby("construct"):
        ipos = [res.items.index(i) for i in block["indicator"]]
        w = res.weights[ipos, res.constructs.index(c)] / res.item_sd[ipos]
        assert w / w.sum() == pytest.approx(block["w_normed"].to_numpy(), rel=TOL), c


def _index(res, prep, construct: str, group_column: str | None = None) -> pd.DataFrame:  # noqa: ANN001
    return satisfaction_index(res, prep, construct=construct, group_column=group_column).set_index("segment")


def test_corp_rep_weights_match_csem(corp_rep, weights_ref):  # noqa: ANN001
    _, res = corp_rep
    _check_weights(res, weights_ref[weights_ref["model"] == "corp_rep"])


@pytest.mark.parametrize("construct", ["CUSL", "CUSA", "COMP", "LIKE"])
def test_corp_rep_index_matches_csem_scores(corp_rep, ref, construct):  # noqa: ANN001
    prep, res = corp_rep
    r = ref[(ref["model"] == "corp_rep") & (ref["construct"] == construct)]
    assert r["segment"].tolist() == ["overall"]
    got = _index(res, prep, construct)
    assert got.loc["overall", "n"] == r["n"].iloc[0] == 344
    assert got.loc["overall", "index"] == pytest.approx(r["index"].iloc[0], abs=TOL, rel=0)


def test_corp_rep_cusl_index_value(corp_rep):  # noqa: ANN001
    """The primer's loyalty index on the 0-100 scale: 72.38 (fails if the weights or the scale convention move)."""
    prep, res = corp_rep
    assert _index(res, prep, "CUSL").loc["overall", "index"] == pytest.approx(72.37698444, abs=1e-6)


def test_survey_reference_is_current(survey_path, meta):  # noqa: ANN001
    sha = hashlib.sha256(survey_path.read_bytes()).hexdigest()
    assert sha == meta["survey_sha256"], (
        "data/survey.csv changed since the cSEM index reference was computed: re-run "
        "`Rscript tests/reference/satisfaction/acsi_index/ref_acsi_index.R` and commit its CSVs"
    )


def test_survey_sample_and_weights_match_csem(survey, meta, weights_ref):  # noqa: ANN001
    prep, res = survey
    assert prep.n_input == int(meta["survey_n_input"])
    assert len(prep.data) == int(meta["survey_n_used"])
    _check_weights(res, weights_ref[weights_ref["model"] == "survey"])


@pytest.mark.parametrize("construct", ["CUSA", "CUSL", "PERQ", "CUSCO"])
@pytest.mark.parametrize("group_column", [None, "channel_group", "value_tier"])
def test_survey_index_matches_csem_scores(survey, ref, construct, group_column):  # noqa: ANN001
    prep, res = survey
    got = _index(res, prep, construct, group_column)
    r = ref[(ref["model"] == "survey") & (ref["construct"] == construct)
            & ref["segment_column"].isin(["", group_column or ""])].set_index("segment")
    assert list(got.index) == list(r.index)  # "overall" first, then the segments in sorted order
    for seg in r.index:
        assert got.loc[seg, "n"] == r.loc[seg, "n"], seg
        assert got.loc[seg, "index"] == pytest.approx(r.loc[seg, "index"], abs=TOL, rel=0), seg


def test_segments_use_overall_weights_not_their_own(survey, ref):  # noqa: ANN001
    """A segment re-fitted on its own rows gives a different index: the reference pins the overall-weight rule."""
    prep, _ = survey
    branch = prep.data[prep.data["channel_group"] == "branch"]
    own = PLSSEM(ACSI_BANK_MODEL, bootstrap_reps=0).fit(branch)
    own_index = satisfaction_index(own, branch, construct="CUSA")["index"].iloc[0]
    r = ref[(ref["model"] == "survey") & (ref["construct"] == "CUSA") & (ref["segment"] == "branch")]
    assert abs(own_index - r["index"].iloc[0]) > 1e-6
