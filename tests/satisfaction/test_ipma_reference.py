"""IPMA against an established implementation on the PLS-SEM primer's corporate reputation data.

Reference: R cSEM 0.6.1 ``doIPMA`` (Rademaker & Schuberth), run by
``tests/reference/satisfaction/ipma/ref_ipma_corp_rep.R`` on ``corp_rep_data`` as shipped with R seminr
2.3.1 (the data of Hair, Hult, Ringle & Sarstedt's *Primer on PLS-SEM*; provenance in the script's header)::

    csem(.data = 100 * (x - 1) / 6, .model = <blocks "<~" with .PLS_modes = "modeA", paths>,
         .PLS_weight_scheme_inner = "path", .tolerance = 1e-12, .iter_max = 10000,
         .conv_criterion = "diff_absolute")
    doIPMA(fit)

with -99 replaced by the item mean (seminr's and the primer's ``mean_replacement``; 11 cells), target CUSL,
for the primer's simple model and its extended model with Mode A drivers. cSEM's construct importance is the
unstandardised total effect on the 0-100 scores built from weights w_i / s_i normed to sum 1 (Ringle & Sarstedt
2016), its performance the mean of those scores; indicator importance is the normed weight times the construct's
importance, indicator performance the item's 0-100 mean: the same definitions as ``satisfaction.ipma``.

Tolerance: 1e-7 relative on importances and weights (both PLS algorithms iterate to convergence; ours stops at
its own criterion), 1e-7 absolute on the 0-100 performances (a 1e-9 share of the scale; the scores move with
the weights' last digits).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm_research.satisfaction.ipma import ipma
from bankcrm_research.satisfaction.pls import PLSSEM
from bankcrm_research.satisfaction.spec import SurveyModel, prepare_survey

REF = Path(__file__).parents[1] / "reference" / "satisfaction" / "ipma"
BLOCKS = {
    "QUAL": [f"qual_{i}" for i in range(1, 9)], "PERF": [f"perf_{i}" for i in range(1, 6)],
    "CSOR": [f"csor_{i}" for i in range(1, 6)], "ATTR": [f"attr_{i}" for i in range(1, 4)],
    "COMP": [f"comp_{i}" for i in range(1, 4)], "LIKE": [f"like_{i}" for i in range(1, 4)],
    "CUSA": ["cusa"], "CUSL": [f"cusl_{i}" for i in range(1, 4)],
}
OUTCOMES = [("COMP", "CUSA"), ("LIKE", "CUSA"), ("COMP", "CUSL"), ("LIKE", "CUSL"), ("CUSA", "CUSL")]
MODELS = {
    "simple": (["COMP", "LIKE", "CUSA", "CUSL"], OUTCOMES),
    "extended": (list(BLOCKS), [(d, t) for t in ("COMP", "LIKE") for d in ("QUAL", "PERF", "CSOR", "ATTR")]
                 + OUTCOMES),
}


@pytest.fixture(scope="module")
def corp_rep() -> pd.DataFrame:
    raw = pd.read_csv(REF / "corp_rep_items.csv")
    assert raw.shape == (344, 31)
    return raw.replace(-99, np.nan)


@pytest.fixture(scope="module", params=list(MODELS))
def fitted(request, corp_rep):  # noqa: ANN001, ANN201
    name = request.param
    blocks, paths = MODELS[name]
    model = SurveyModel({c: BLOCKS[c] for c in blocks}, [list(p) for p in paths], scale=(1, 7))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the mean-replacement count warning
        prep = prepare_survey(corp_rep, model, missing="mean")
    res = PLSSEM(model, bootstrap_reps=0).fit(prep)
    return name, model, prep, res, ipma(res, prep, target="CUSL")


def test_mean_replacement_matches_the_primer_rule(corp_rep):  # noqa: ANN001
    """11 missing cells in 8 respondents, as the R script reports (ipma_meta.csv)."""
    meta = pd.read_csv(REF / "ipma_meta.csv").set_index("key")["value"]
    assert int(corp_rep.isna().sum().sum()) == int(meta["cells_mean_replaced"]) == 11
    assert int(corp_rep.isna().any(axis=1).sum()) == 8


def test_outer_weights_and_paths_match_csem(fitted):  # noqa: ANN001
    name, _, _, res, _ = fitted
    w_ref = pd.read_csv(REF / f"ipma_{name}_weights.csv")
    for r in w_ref.itertuples():
        got = res.weights[res.items.index(r.indicator), res.constructs.index(r.construct)]
        assert got == pytest.approx(r.weight, rel=1e-7), (r.construct, r.indicator)
    p_ref = pd.read_csv(REF / f"ipma_{name}_paths.csv")
    paths = res.term("path").set_index(["from", "to"])["estimate"]
    assert len(paths) == len(p_ref)
    for r in p_ref.itertuples():
        assert paths.loc[(r._2, r.to)] == pytest.approx(r.estimate, rel=1e-7), (r._2, r.to)


@pytest.mark.parametrize("level", ["construct", "indicator"])
def test_importance_and_performance_match_csem_doipma(fitted, level):  # noqa: ANN001
    name, *_, ip = fitted
    ref = pd.read_csv(REF / f"ipma_{name}_{level}.csv").set_index(level)
    got = ip.tidy(level).set_index("name")
    assert sorted(got.index) == sorted(ref.index)
    for k in ref.index:
        assert got.loc[k, "importance"] == pytest.approx(ref.loc[k, "importance"], rel=1e-7), k
        assert got.loc[k, "performance"] == pytest.approx(ref.loc[k, "performance"], abs=1e-7), k
    if level == "construct":
        # the reading a manager takes from the map: CUSA matters most, then likeability (not competence)
        for t in (got, ref):
            assert list(t["importance"].sort_values(ascending=False).index[:2]) == ["CUSA", "LIKE"]
